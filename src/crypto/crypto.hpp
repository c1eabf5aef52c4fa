#pragma once
/// libsodium wrappers and the key hierarchy of docs/architecture.md ("Keys").
///
/// Every secret lives in locked, undumped memory (SecretKey) and is wiped when freed. Every
/// function that checks authenticity returns a Result with ErrorCode::kDecryptFailed on a
/// tampered or wrong input: never a crash, never wrong plaintext.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace lifeline::crypto {

/// Calls sodium_init once; throws LifelineError(kInternal) if libsodium cannot start.
void Init();

/// Random bytes for secrets (receipts, tokens, TOTP secrets), drawn from a per-thread pool that
/// one getrandom(2) refills per 4,032 bytes and that lives, like keys, in memory locked against
/// swapping, left out of core dumps and zeroed in a forked child (which also refills it first);
/// where the page cannot be locked, straight from the kernel.
Bytes RandomBytes(std::size_t n);

/// Random bytes for values stored or sent in clear (nonces, the random bits of ids), drawn from
/// a per-thread pool that one getrandom(2) refills per 4,032 bytes. Never for secrets: the pool's
/// unused bytes sit in ordinary memory until they are handed out.
Bytes RandomPublicBytes(std::size_t n);

/// A secret of any length in locked memory kept out of core dumps (a pooled slot up to 64 bytes,
/// sodium_malloc beyond), wiped and freed on destruction.
/// Move-only.
class SecretKey {
public:
    SecretKey() = default;
    explicit SecretKey(std::size_t size);
    static SecretKey Random(std::size_t size = 32);
    static SecretKey FromBytes(ByteView bytes);
    SecretKey(SecretKey&&) noexcept;
    SecretKey& operator=(SecretKey&&) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    SecretKey Clone() const;
    std::uint8_t* data() { return data_; }
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    ByteView view() const { return {data_, size_}; }

private:
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

// ---- Symmetric encryption: XChaCha20-Poly1305-IETF --------------------------------------------

/// Encrypts under a 32-byte key with a random nonce. Output: nonce(24) || ciphertext || tag(16).
Bytes Seal(const SecretKey& key, ByteView plaintext, ByteView associated_data);
/// Reverses Seal. kDecryptFailed on a wrong key, wrong associated data, or any changed byte.
Result<Bytes> Open(const SecretKey& key, ByteView sealed, ByteView associated_data);
/// The associated data binding content to its place: "lifeline/v1/case/<id>/<field>".
std::string CaseFieldAd(CaseId case_id, std::string_view field);

// ---- Public-key pieces: X25519 ------------------------------------------------------------------

struct KeyPair {
    Bytes public_key;       ///< 32 bytes, crypto_box public key
    SecretKey secret_key;   ///< 32 bytes
    static KeyPair Generate();
    /// Rebuilds the pair from a secret key (public key = scalarmult_base).
    static KeyPair FromSecret(SecretKey secret);
    KeyPair Clone() const;
};

/// Anonymous sealed box (crypto_box_seal) to a recipient public key.
Bytes SealTo(ByteView recipient_public_key, ByteView message);
/// Opens a sealed box; kDecryptFailed on any change.
Result<Bytes> OpenSealed(const KeyPair& recipient, ByteView sealed);

// ---- Hashing ------------------------------------------------------------------------------------

/// Whether a key suits keyed BLAKE2b (KeyedHash, KeyedHasher, Pseudonym, DeriveKey): 16..64 bytes.
bool IsHashKey(const SecretKey& key) noexcept;

/// Keyed BLAKE2b (crypto_generichash) with a domain-separating context, 32-byte output.
/// The key must be 16..64 bytes.
Bytes KeyedHash(const SecretKey& key, std::string_view context, ByteView message);

/// The keyed pseudonym of a sender on a channel: KeyedHash(key, "lifeline/v1/pseudonym",
/// len(channel) ‖ channel ‖ sender); the length prefix keeps ("ab","c") and ("a","bc") apart.
/// Same person on the same channel → same pseudonym, any month; unreadable without the key.
Bytes Pseudonym(const SecretKey& pseudonym_key, std::string_view channel, std::string_view sender_id);

/// Derives a 32-byte subkey from a master secret for a named purpose (BLAKE2b keyed by master).
SecretKey DeriveKey(const SecretKey& master, std::string_view context, ByteView salt = {});

/// KeyedHash(key, context, ·) with the key and the context absorbed once, for a key used on
/// every request (the form token's MAC, the contact and receipt pseudonyms): each call hashes
/// only the message, a BLAKE2b block less than KeyedHash, with the same output. Its state is as
/// secret as the key and is held like it (locked, undumped, wiped); a call works on a copy.
/// Move-only; safe for concurrent calls.
class KeyedHasher {
public:
    KeyedHasher() = default;
    KeyedHasher(const SecretKey& key, std::string_view context);
    bool empty() const { return state_.empty(); }
    /// KeyedHash(key, context, message): 32 bytes.
    Bytes Hash(ByteView message) const;

private:
    SecretKey state_;  // a crypto_generichash_state after the key, the label and the context
};

// ---- Passwords: Argon2id ------------------------------------------------------------------------

struct PasswordKdfParams {
    Bytes salt;                     ///< crypto_pwhash_SALTBYTES
    std::uint64_t opslimit = 0;
    std::uint64_t memlimit = 0;
    /// Interactive limits with a fresh random salt (about 100 ms here).
    static PasswordKdfParams Interactive();
    /// The minimum limits libsodium allows: for tests only (LIFELINE_FAST_KDF=1 selects them).
    static PasswordKdfParams Fast();
    /// Interactive(), or Fast() when the environment variable LIFELINE_FAST_KDF=1 is set.
    static PasswordKdfParams Default();
};
/// 32-byte key from a password (crypto_pwhash, ALG_ARGON2ID13).
SecretKey DeriveKeyFromPassword(std::string_view password, const PasswordKdfParams& params);

// ---- Human-readable secrets ---------------------------------------------------------------------

/// A random one-time password for a new or reset account: 20 characters from an unambiguous
/// alphabet (about 100 bits).
std::string GeneratePassword();
/// A random recovery key shown once: 32 random bytes as 8 groups of hex separated by '-'.
std::string GenerateRecoveryKey();

// ---- The key hierarchy --------------------------------------------------------------------------

/// An operator's key pair as stored: the private key encrypted under Argon2id(password) and,
/// separately, under a key derived from a recovery key. Nothing here is secret without those.
struct WrappedOperatorKey {
    Bytes public_key;
    PasswordKdfParams kdf;
    Bytes secret_by_password;   ///< Seal(Argon2id(password), sk, ad="lifeline/v1/operator-sk/password")
    Bytes secret_by_recovery;   ///< Seal(DeriveKey(recovery), sk, ad="lifeline/v1/operator-sk/recovery")
};

struct NewOperatorKey {
    KeyPair keys;
    WrappedOperatorKey wrapped;
    std::string recovery_key;  ///< shown once to the operator, never stored
};

/// A fresh operator key pair wrapped under the password and a fresh recovery key.
NewOperatorKey CreateOperatorKey(std::string_view password, const PasswordKdfParams& kdf);
/// Unlocks with the password; kDecryptFailed when the password is wrong or a byte changed.
Result<KeyPair> UnlockWithPassword(const WrappedOperatorKey& wrapped, std::string_view password);
/// Unlocks with the recovery key; kDecryptFailed when wrong.
Result<KeyPair> UnlockWithRecovery(const WrappedOperatorKey& wrapped, std::string_view recovery_key);
/// Re-wraps an unlocked key under a new password (new salt), keeping the recovery wrap.
WrappedOperatorKey RewrapWithPassword(const KeyPair& keys, const WrappedOperatorKey& old,
                                      std::string_view new_password, const PasswordKdfParams& kdf);

/// The team private key sealed to one operator's public key.
Bytes SealTeamKey(const KeyPair& team, ByteView operator_public_key);
/// Opens it with the operator's unlocked key pair; checks it matches team_public_key.
Result<KeyPair> OpenTeamKey(ByteView sealed, const KeyPair& operator_keys, ByteView team_public_key);

/// Intake's key epoch: an ephemeral X25519 key pair whose shared secret with the team public key
/// wraps every case key created in the epoch, so intake costs one X25519 operation per epoch,
/// not per case. Only the ephemeral public key is stored; the shared secret lives in guarded
/// memory until the epoch object is destroyed. Intake holds no key that opens old cases.
class IntakeEpoch {
public:
    IntakeEpoch(KeyEpochId id, ByteView team_public_key);
    KeyEpochId id() const { return id_; }
    /// The id the store assigned when the ephemeral public key was recorded.
    void set_id(KeyEpochId id) { id_ = id; }
    const Bytes& ephemeral_public_key() const { return ephemeral_public_key_; }
    /// A fresh random 32-byte case key.
    static SecretKey NewCaseKey();
    /// Wraps a case key: Seal(KDF(shared, eph_pk ‖ team_pk ‖ case id), case_key, ad=case id).
    Bytes WrapCaseKey(CaseId case_id, const SecretKey& case_key) const;

private:
    KeyEpochId id_;
    Bytes ephemeral_public_key_;
    Bytes team_public_key_;
    // The case-key KDF keyed by the shared secret, with everything before the case id absorbed
    // (CaseWrappingKey's label, context, ephemeral and team public keys): a wrap hashes 8 bytes.
    SecretKey case_kdf_state_;
};

/// Unwraps a case key with the team key pair and the epoch's stored ephemeral public key.
Result<SecretKey> UnwrapCaseKey(const KeyPair& team, ByteView epoch_public_key, CaseId case_id,
                                ByteView wrapped_case_key);

/// Wraps a case key for the applicant under a key derived from his receipt (≥ 80 bits of
/// entropy, so no password hashing is needed).
Bytes WrapCaseKeyForReceipt(std::string_view receipt, CaseId case_id, const SecretKey& case_key);
Result<SecretKey> UnwrapCaseKeyWithReceipt(std::string_view receipt, CaseId case_id, ByteView wrapped);

// ---- Secrets file -------------------------------------------------------------------------------

/// The secrets kept outside the database, in DATA/secrets (mode 0600): the pseudonym key, the
/// audit-chain key and the session-token key. A stolen database without this file cannot link
/// pseudonyms, forge the audit chain or recognise session tokens.
struct Secrets {
    SecretKey pseudonym_key;  ///< 32 bytes
    SecretKey audit_key;      ///< 32 bytes
    SecretKey session_key;    ///< 32 bytes
    static Secrets Generate();
    /// Writes the file with mode 0600 (created exclusively: refuses to overwrite).
    Result<void> Save(const std::string& path) const;
    /// Reads the file; kInvalidArgument if missing or malformed, kForbidden if its mode lets
    /// anyone but the owner read it.
    static Result<Secrets> Load(const std::string& path);
};

}  // namespace lifeline::crypto
