#pragma once
/// The store interface: it speaks the domain, not SQL. Backends: sqlite/ (embedded, default) and,
/// later, postgres/. Every backend passes the one contract suite in tests/store/.
///
/// Threading: every method may be called from any thread and blocks; call it from a worker thread,
/// never from an I/O thread. Writes are acknowledged (the method returns) only after the batch
/// that holds them is durable.
///
/// In clear: ids, timestamps, channel, kind, state, roles, usernames, keyed pseudonyms/hashes,
/// public keys. Everything else arrives here already encrypted (Bytes fields named *_sealed or
/// ciphertext).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/domain.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace lifeline::store {

struct UserRecord {
    UserId id;
    std::string username;
    Role role = Role::kOperator;
    bool disabled = false;
    // The operator's key pair, wrapped (crypto::WrappedOperatorKey).
    Bytes public_key;
    Bytes kdf_salt;
    std::uint64_t kdf_opslimit = 0;
    std::uint64_t kdf_memlimit = 0;
    Bytes secret_by_password;
    Bytes secret_by_recovery;
    Bytes team_key_sealed;       ///< team private key sealed to public_key
    Bytes totp_secret_sealed;    ///< TOTP secret sealed to public_key; empty = not enrolled
    bool totp_enabled = false;
    std::int64_t totp_last_step = 0;  ///< last accepted TOTP time step (codes are single-use)
    bool must_change_password = true;
    int failed_logins = 0;
    std::int64_t locked_until_ms = 0;
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
};

enum class SessionStage {
    kPasswordChange = 0,   ///< logged in with a one-time password: must set a new one first
    kTotpEnrol = 1,        ///< must enrol a second factor
    kTotpVerify = 2,       ///< password ok, second factor pending
    kActive = 3,           ///< fully logged in
};

struct SessionRecord {
    Bytes id_hash;               ///< keyed hash of the session token; the token itself is never stored
    UserId user;
    SessionStage stage = SessionStage::kTotpVerify;
    std::int64_t created_ms = 0;
    std::int64_t last_seen_ms = 0;
    Bytes keys_sealed;           ///< operator private key under a key derived from the cookie token
    Bytes csrf_hash;             ///< keyed hash of the CSRF token
};

struct AuditRecord {
    std::int64_t seq = 0;        ///< 1, 2, 3, ... without gaps
    std::int64_t at_ms = 0;
    std::int64_t actor = 0;      ///< UserId value, 0 = the system or the shell
    std::string action;          ///< e.g. "login.ok", "user.add", "case.read"
    std::string target;          ///< ids only, e.g. "user:3", "case:123"
    std::string detail;          ///< never personal data
    Bytes prev_hash;
    Bytes hash;
};

/// How the audit module chains entries; the store calls these inside the write transaction.
struct AuditChain {
    /// Hash of a record whose seq, at_ms, actor, action, target, detail, prev_hash are set.
    std::function<Bytes(const AuditRecord&)> entry_hash;
    /// A MAC over the head (last seq and its hash), stored in meta "audit_head" so that removing
    /// the newest entries is detected too.
    std::function<Bytes(std::int64_t seq, ByteView hash)> head_mac;
};

struct KeyEpochRecord {
    KeyEpochId id;
    Bytes ephemeral_public_key;
    std::int64_t created_ms = 0;
};

struct CaseRecord {
    CaseId id;                    ///< random, chosen by the caller (does not reveal case counts)
    ApplicantId applicant;
    CaseKind kind = CaseKind::kSurrenderApplication;
    std::string state;            ///< workflow state name (cases/ owns the workflow)
    Channel channel = Channel::kWeb;
    KeyEpochId key_epoch;
    Bytes wrapped_key;            ///< case key wrapped for the team (crypto::IntakeEpoch)
    Bytes receipt_lookup;         ///< keyed hash of the receipt; empty when none
    Bytes receipt_wrapped_key;    ///< case key wrapped under the receipt
    UserId assignee;              ///< 0 = unassigned
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
};

struct MessageRecord {
    MessageId id;                 ///< assigned by the store on insert
    CaseId case_id;
    std::string kind;             ///< "inbound", "reply", "note", "form"
    Channel channel = Channel::kWeb;
    UserId author;                ///< 0 = the applicant
    std::int64_t created_ms = 0;
    Bytes ciphertext;             ///< crypto::Seal under the case key, ad = CaseFieldAd(case, "message")
};

class Store {
public:
    virtual ~Store() = default;

    // ---- meta: small named values (team public key, schema facts, audit head) ----
    virtual std::optional<Bytes> GetMeta(std::string_view key) = 0;
    virtual void PutMeta(std::string_view key, ByteView value) = 0;

    // ---- users ----
    /// Inserts and returns the new id; kAlreadyExists when the username is taken.
    virtual Result<UserId> InsertUser(const UserRecord& user) = 0;
    virtual std::optional<UserRecord> FindUser(UserId id) = 0;
    virtual std::optional<UserRecord> FindUserByName(std::string_view username) = 0;
    /// All users ordered by id.
    virtual std::vector<UserRecord> ListUsers() = 0;
    /// Replaces every field of an existing user; kNotFound if it does not exist.
    virtual Result<void> UpdateUser(const UserRecord& user) = 0;

    // ---- sessions ----
    virtual void InsertSession(const SessionRecord& session) = 0;
    virtual std::optional<SessionRecord> FindSession(ByteView id_hash) = 0;
    /// Replaces stage, last_seen_ms, keys_sealed and csrf_hash.
    virtual void UpdateSession(const SessionRecord& session) = 0;
    virtual void DeleteSession(ByteView id_hash) = 0;
    virtual void DeleteSessionsOfUser(UserId user) = 0;
    /// Removes sessions last seen before the cutoff or created before the absolute cutoff.
    virtual std::size_t DeleteExpiredSessions(std::int64_t idle_cutoff_ms, std::int64_t absolute_cutoff_ms) = 0;

    // ---- audit: append-only ----
    /// Appends one entry: sets seq (last + 1), prev_hash (last hash, or 32 zero bytes), hash via
    /// chain.entry_hash, and the meta head via chain.head_mac, all in one transaction.
    virtual AuditRecord AppendAudit(const AuditRecord& draft, const AuditChain& chain) = 0;
    /// Entries with seq >= from_seq in seq order, at most limit.
    virtual std::vector<AuditRecord> ReadAudit(std::int64_t from_seq, std::size_t limit) = 0;

    // ---- intake keys, applicants, cases, messages ----
    virtual KeyEpochId InsertKeyEpoch(ByteView ephemeral_public_key, std::int64_t created_ms) = 0;
    virtual std::optional<KeyEpochRecord> FindKeyEpoch(KeyEpochId id) = 0;
    /// The applicant with this pseudonym, created if new.
    virtual ApplicantId FindOrInsertApplicant(ByteView pseudonym, std::int64_t now_ms) = 0;
    /// kAlreadyExists when the id is taken.
    virtual Result<void> InsertCase(const CaseRecord& record) = 0;
    virtual std::optional<CaseRecord> FindCase(CaseId id) = 0;
    virtual std::optional<CaseRecord> FindCaseByReceipt(ByteView receipt_lookup) = 0;
    virtual std::vector<CaseRecord> CasesOfApplicant(ApplicantId applicant) = 0;
    virtual MessageId InsertMessage(const MessageRecord& message) = 0;
    /// Messages of a case in insertion order.
    virtual std::vector<MessageRecord> MessagesOfCase(CaseId case_id) = 0;
};

}  // namespace lifeline::store
