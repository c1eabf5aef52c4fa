#include "crypto/crypto.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define LIFELINE_ASAN 1
#else
#define LIFELINE_ASAN 0
#endif

namespace lifeline::crypto {
namespace {

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kX25519Bytes = crypto_scalarmult_BYTES;
static_assert(crypto_box_PUBLICKEYBYTES == kX25519Bytes && crypto_box_SECRETKEYBYTES == kX25519Bytes);
static_assert(crypto_scalarmult_SCALARBYTES == kX25519Bytes);

constexpr std::string_view kOperatorPasswordAd = "lifeline/v1/operator-sk/password";
constexpr std::string_view kOperatorRecoveryAd = "lifeline/v1/operator-sk/recovery";
constexpr std::string_view kRecoveryKeyContext = "lifeline/v1/operator-sk/recovery-key";
constexpr std::string_view kCaseKeyContext = "lifeline/v1/case-key";
constexpr std::string_view kReceiptKeyContext = "lifeline/v1/receipt-key";
constexpr std::string_view kPseudonymContext = "lifeline/v1/pseudonym";
// KeyedHash and DeriveKey share BLAKE2b; a per-function label keeps a stored hash from ever
// equalling a derived key even when a caller reuses one master and context for both.
constexpr std::string_view kKeyedHashLabel = "lifeline/v1/keyed-hash";
constexpr std::string_view kDeriveKeyLabel = "lifeline/v1/derive-key";

constexpr std::string_view kSecretsHeader = "# lifeline secrets v1";
constexpr std::size_t kSecretsMaxBytes = 4096;

// Unambiguous alphabet: no 0/o, 1/l/i. 31 symbols, 20 draws ≈ 99 bits.
constexpr std::string_view kPasswordAlphabet = "23456789abcdefghjkmnpqrstuvwxyz";
constexpr std::size_t kPasswordLength = 20;
constexpr std::size_t kRecoveryBytes = 32;
constexpr std::size_t kRecoveryGroups = 8;

// Callers may skip Init(): sodium_malloc needs sodium_init's page-size setup, so every entry
// point that allocates or draws randomness goes through here. The magic static makes it cheap
// and thread-safe; a failed init throws and is retried on the next call.
// Bumped in a forked child, so that it never hands out bytes its parent's random pools hold.
std::atomic<std::uint64_t> fork_generation{0};

void EnsureInit() {
    static const bool initialised = [] {
        if (sodium_init() < 0) throw LifelineError(ErrorCode::kInternal, "libsodium failed to initialise");
        (void)pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
        return true;
    }();
    (void)initialised;
}

/// Random bytes come from per-thread pools, each refilled by one getrandom(2) call per 4,032
/// bytes (randombytes_buf costs a call per 256 bytes, and an application draws six pieces, some
/// 150 bytes: one refill serves about 25 applications). A byte leaves its pool wiped; a request
/// larger than a quarter of a pool goes straight to the kernel; a forked child refills before it
/// uses a pool (pthread_atfork bumps fork_generation).
constexpr std::size_t kRandomPoolBytes = 4032;

/// Fills out from the kernel's generator: getrandom(2) in one call (the kernel may return fewer
/// bytes when a signal interrupts a request over 256 bytes: the rest follows), or libsodium's
/// randombytes_buf where getrandom is unavailable.
void FillFromKernel(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
        const ssize_t got = ::getrandom(out, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            randombytes_buf(out, n);
            return;
        }
        out += got;
        n -= static_cast<std::size_t>(got);
    }
}

struct RandomPool {
    std::uint8_t* bytes = nullptr;  // kRandomPoolBytes; null: draw straight from the kernel
    std::size_t used = kRandomPoolBytes;
    std::uint64_t generation = 0;
};

void DrawFromPool(RandomPool& pool, std::uint8_t* out, std::size_t n) {
    if (n > kRandomPoolBytes / 4 || pool.bytes == nullptr) {
        randombytes_buf(out, n);
        return;
    }
    const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (pool.used + n > kRandomPoolBytes || pool.generation != generation) {
        FillFromKernel(pool.bytes, kRandomPoolBytes);
        pool.used = 0;
        pool.generation = generation;
    }
    std::memcpy(out, pool.bytes + pool.used, n);
    sodium_memzero(pool.bytes + pool.used, n);
    pool.used += n;
}

/// For values that are public anyway (nonces, the random bits of ids): the pool lives in
/// ordinary memory.
void FillPublicRandom(std::uint8_t* out, std::size_t n) {
    struct Pool : RandomPool {
        std::array<std::uint8_t, kRandomPoolBytes> storage{};
        Pool() { bytes = storage.data(); }
        ~Pool() { sodium_memzero(storage.data(), storage.size()); }
        Pool(const Pool&) = delete;
        Pool& operator=(const Pool&) = delete;
    };
    if (n == 0) return;
    thread_local Pool pool;
    DrawFromPool(pool, out, n);
}

/// Memory for secrets: mapped on its own, locked (never swapped), left out of core dumps and
/// zeroed in a forked child. Null when mmap fails, or (strict) when any of the three fails;
/// otherwise they are best effort, as in sodium_malloc.
void* MapSecretMemory(std::size_t bytes, bool strict) {
    void* region = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return nullptr;
    const bool locked = mlock(region, bytes) == 0;
    const bool undumped = madvise(region, bytes, MADV_DONTDUMP) == 0;
    const bool wiped_on_fork = madvise(region, bytes, MADV_WIPEONFORK) == 0;
    if (strict && !(locked && undumped && wiped_on_fork)) {
        munmap(region, bytes);
        return nullptr;
    }
    return region;
}

/// For secrets (keys, receipts, tokens): the pool lives where keys do, in a page of its own
/// locked in memory, left out of core dumps and zeroed in a forked child (see KeyArena).
constexpr std::size_t kPage = 4096;
static_assert(kRandomPoolBytes < kPage);  // the page's last byte is the fork canary

void FillSecretRandom(std::uint8_t* out, std::size_t n) {
    struct Pool : RandomPool {
        Pool() {
            // Unlike the key arena (best effort), a pool that cannot be locked, kept out of
            // core dumps or wiped in a child is not used: secrets then come from the kernel.
            void* page = MapSecretMemory(kPage, /*strict=*/true);
            if (page == nullptr) return;
            bytes = static_cast<std::uint8_t*>(page);
            bytes[kPage - 1] = 1;  // the page's last byte: zero in a forked child
        }
        ~Pool() {
            if (bytes == nullptr) return;
            sodium_memzero(bytes, kPage);
            munmap(bytes, kPage);
        }
        Pool(const Pool&) = delete;
        Pool& operator=(const Pool&) = delete;
    };
    if (n == 0) return;
    thread_local Pool pool;
    if (pool.bytes != nullptr && pool.bytes[kPage - 1] == 0) {
        // A child forked without pthread_atfork's handlers (a raw clone): its copy of the page
        // was wiped, so refill rather than hand out zeros.
        pool.used = kRandomPoolBytes;
        pool.bytes[kPage - 1] = 1;
    }
    DrawFromPool(pool, out, n);
}

Error DecryptFailed(std::string message) { return Error{ErrorCode::kDecryptFailed, std::move(message)}; }

std::array<std::uint8_t, 8> BigEndian64(std::uint64_t v) {
    std::array<std::uint8_t, 8> out{};
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
    }
    return out;
}

/// Streaming BLAKE2b, so secret or personal inputs (sender ids, receipts) are never copied into
/// an unguarded concatenation buffer.
class Blake2b {
public:
    Blake2b(ByteView key, std::size_t out_len) : out_len_(out_len) {
        // Callers validate key sizes; a failure here is a bug, not bad input.
        if (crypto_generichash_init(&state_, key.empty() ? nullptr : key.data(), key.size(), out_len) != 0) {
            throw LifelineError(ErrorCode::kInternal, "BLAKE2b init failed");
        }
    }
    /// Keyed by `key` (empty: unkeyed), with the domain separation every lifeline hash starts
    /// with: the framed label (what kind of hash) and the framed context (what it is for).
    Blake2b(ByteView key, std::size_t out_len, std::string_view label, std::string_view context)
        : Blake2b(key, out_len) {
        UpdateFramed(AsBytes(label)).UpdateFramed(AsBytes(context));
    }
    Blake2b(const Blake2b&) = delete;
    Blake2b& operator=(const Blake2b&) = delete;
    ~Blake2b() { sodium_memzero(&state_, sizeof state_); }

    Blake2b& Update(ByteView part) {
        if (!part.empty()) crypto_generichash_update(&state_, part.data(), part.size());
        return *this;
    }
    /// A length-prefixed field: (len as 8 bytes big-endian) ‖ bytes.
    Blake2b& UpdateFramed(ByteView part) {
        auto len = BigEndian64(part.size());
        Update(len);
        return Update(part);
    }
    void Final(std::uint8_t* out) { crypto_generichash_final(&state_, out, out_len_); }

    /// The state so far, into secret memory, to resume from with the constructor below (for a key
    /// and a start that many hashes share).
    SecretKey Save() const {
        SecretKey saved(sizeof state_);
        std::memcpy(saved.data(), &state_, sizeof state_);
        return saved;
    }
    /// Resumes a state made by Save with the same out_len.
    Blake2b(const SecretKey& saved, std::size_t out_len) : out_len_(out_len) {
        if (saved.size() != sizeof state_) throw LifelineError(ErrorCode::kInternal, "BLAKE2b: bad saved state");
        std::memcpy(&state_, saved.data(), sizeof state_);
    }

private:
    crypto_generichash_state state_;
    std::size_t out_len_;
};

void CheckHashKey(const SecretKey& key, const char* what) {
    if (!IsHashKey(key)) {
        throw LifelineError(ErrorCode::kInvalidArgument, std::string(what) + ": key must be 16..64 bytes");
    }
}

/// Seal into a caller-owned output; the plaintext may live in guarded memory.
Bytes SealRaw(const SecretKey& key, ByteView plaintext, ByteView associated_data) {
    EnsureInit();
    if (key.size() != kKeyBytes) throw LifelineError(ErrorCode::kInternal, "Seal: key must be 32 bytes");
    Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
    FillPublicRandom(out.data(), kNonceBytes);  // the nonce is stored in clear
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonceBytes, &written, plaintext.data(), plaintext.size(),
                                               associated_data.data(), associated_data.size(), nullptr, out.data(),
                                               key.data());
    out.resize(kNonceBytes + written);
    return out;
}

/// Open into guarded memory: used for every unwrap so key material never touches the plain heap.
Result<SecretKey> OpenToSecret(const SecretKey& key, ByteView sealed, ByteView associated_data,
                               std::size_t expected_size) {
    EnsureInit();
    if (key.size() != kKeyBytes) return DecryptFailed("decryption key has the wrong size");
    if (sealed.size() != kNonceBytes + expected_size + kTagBytes) return DecryptFailed("sealed key has the wrong size");
    SecretKey out(expected_size);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, sealed.data() + kNonceBytes,
                                                   sealed.size() - kNonceBytes, associated_data.data(),
                                                   associated_data.size(), sealed.data(), key.data()) != 0 ||
        written != expected_size) {
        return DecryptFailed("authentication failed");
    }
    return out;
}

/// Hex (any case) into guarded memory of exactly out.size() bytes; false on bad input.
/// Separators are not accepted here: callers normalise first.
bool HexToSecret(std::string_view hex, SecretKey& out) {
    if (hex.size() != out.size() * 2) return false;
    std::size_t bin_len = 0;
    if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &bin_len, nullptr) != 0) return false;
    return bin_len == out.size();
}

/// Strips spaces and '-' and lowercases, into guarded memory (receipts and recovery keys are
/// secrets). Returns the used length.
std::size_t NormaliseCode(std::string_view code, SecretKey& out) {
    out = SecretKey(code.size());
    std::size_t n = 0;
    for (char c : code) {
        if (c == ' ' || c == '-' || c == '\t') continue;
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out.data()[n++] = static_cast<std::uint8_t>(c);
    }
    return n;
}

/// The key wrapping an operator's secret under a recovery key; nullopt if it is not 64 hex digits.
std::optional<SecretKey> RecoveryWrappingKey(std::string_view recovery_key) {
    SecretKey normalised;
    std::size_t n = NormaliseCode(recovery_key, normalised);
    SecretKey raw(kRecoveryBytes);
    if (!HexToSecret(AsString({normalised.data(), n}), raw)) return std::nullopt;
    return DeriveKey(raw, kRecoveryKeyContext);
}

SecretKey ReceiptKey(std::string_view receipt) {
    EnsureInit();
    SecretKey normalised;
    std::size_t n = NormaliseCode(receipt, normalised);
    // The receipt is not a valid BLAKE2b key length in general, so it is hashed unkeyed under a
    // framed context; its ≥ 80 bits of entropy carry the security.
    SecretKey key(kKeyBytes);
    Blake2b h(ByteView{}, kKeyBytes, kDeriveKeyLabel, kReceiptKeyContext);
    h.Update({normalised.data(), n});
    h.Final(key.data());
    return key;
}

// CaseWrappingKey is DeriveKey(shared, kCaseKeyContext, eph_pk ‖ team_pk ‖ case id), in two
// steps: the state before the case id (the same for every case of an epoch), then the id.
SecretKey CaseKdfState(const SecretKey& shared, ByteView eph_pk, ByteView team_pk) {
    CheckHashKey(shared, "CaseWrappingKey");
    Blake2b h(shared.view(), kKeyBytes, kDeriveKeyLabel, kCaseKeyContext);
    h.Update(eph_pk).Update(team_pk);
    return h.Save();
}

SecretKey CaseWrappingKeyFrom(const SecretKey& kdf_state, CaseId case_id) {
    auto id = BigEndian64(static_cast<std::uint64_t>(case_id.value));
    SecretKey out(kKeyBytes);
    Blake2b h(kdf_state, kKeyBytes);
    h.Update(id).Final(out.data());
    return out;
}

SecretKey CaseWrappingKey(const SecretKey& shared, ByteView eph_pk, ByteView team_pk, CaseId case_id) {
    return CaseWrappingKeyFrom(CaseKdfState(shared, eph_pk, team_pk), case_id);
}

bool PublicFromSecret(const SecretKey& secret, Bytes& public_key) {
    if (secret.size() != kX25519Bytes) return false;
    public_key.assign(kX25519Bytes, 0);
    return crypto_scalarmult_base(public_key.data(), secret.data()) == 0;
}

bool SameBytes(ByteView a, ByteView b) {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

bool KdfParamsValid(const PasswordKdfParams& p) {
    // Upper bounds at libsodium's "sensitive" limits: the params come from the database, and a
    // tampered row must not make an unlock allocate terabytes.
    return p.salt.size() == crypto_pwhash_SALTBYTES && p.opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
           p.opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE && p.memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
           p.memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

Result<KeyPair> UnlockWith(const SecretKey& key, const WrappedOperatorKey& wrapped, ByteView sealed,
                           std::string_view ad) {
    auto secret = OpenToSecret(key, sealed, AsBytes(ad), kX25519Bytes);
    if (!secret) return secret.error();
    Bytes public_key;
    if (!PublicFromSecret(*secret, public_key) || !SameBytes(public_key, wrapped.public_key)) {
        return DecryptFailed("operator key does not match its public key");
    }
    KeyPair pair;
    pair.public_key = std::move(public_key);
    pair.secret_key = std::move(secret).value();
    return pair;
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int Release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::string ErrnoText(int err) { return std::strerror(err); }

bool WriteAll(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

void Init() { EnsureInit(); }

Bytes RandomBytes(std::size_t n) {
    EnsureInit();
    Bytes out(n);
    FillSecretRandom(out.data(), n);
    return out;
}

Bytes RandomPublicBytes(std::size_t n) {
    EnsureInit();
    Bytes out(n);
    FillPublicRandom(out.data(), n);
    return out;
}

// ---- SecretKey ----------------------------------------------------------------------------------

namespace {

/// Where keys live. sodium_malloc gives each key its own guard pages, which costs an mmap, two
/// mprotects and a munmap per key (a TLB shootdown on every core each time): too slow for a key
/// per case per request. Keys of up to kSlot bytes (every key lifeline has) come instead from
/// slots in regions that are locked in memory (never swapped), excluded from core dumps, zeroed
/// in a forked child, and wiped when a slot is given back. What is lost against
/// sodium_malloc is the guard page next to each key; under AddressSanitizer free slots are
/// poisoned, so a use after free is still caught in tests. Regions are kept for the life of the
/// process: their number follows the most keys alive at once.
class KeyArena {
public:
    static constexpr std::size_t kSlot = 64;

    static KeyArena& Instance() {
        static KeyArena* arena = new KeyArena;  // never destroyed: keys in statics outlive main
        return *arena;
    }

    std::uint8_t* Allocate() {
        std::lock_guard lock(mu_);
        if (free_.empty()) Grow();
        std::uint8_t* slot = free_.back();
        free_.pop_back();
        Unpoison(slot);
        return slot;
    }

    void Free(std::uint8_t* slot) noexcept {
        sodium_memzero(slot, kSlot);
        std::lock_guard lock(mu_);
        Poison(slot);
        free_.push_back(slot);  // reserved in Grow: cannot throw
    }

private:
    static constexpr std::size_t kRegionBytes = 64 * 1024;

    void Grow() {
        // Best effort, as sodium_malloc: a low RLIMIT_MEMLOCK must not stop the service.
        void* region = MapSecretMemory(kRegionBytes, /*strict=*/false);
        if (region == nullptr) throw std::bad_alloc();
        ++regions_;
        free_.reserve(regions_ * (kRegionBytes / kSlot));
        auto* bytes = static_cast<std::uint8_t*>(region);
        for (std::size_t off = kRegionBytes; off >= kSlot; off -= kSlot) {
            Poison(bytes + off - kSlot);
            free_.push_back(bytes + off - kSlot);
        }
    }

    static void Poison([[maybe_unused]] std::uint8_t* slot) noexcept {
#if LIFELINE_ASAN
        ASAN_POISON_MEMORY_REGION(slot, kSlot);
#endif
    }
    static void Unpoison([[maybe_unused]] std::uint8_t* slot) noexcept {
#if LIFELINE_ASAN
        ASAN_UNPOISON_MEMORY_REGION(slot, kSlot);
#endif
    }

    std::mutex mu_;
    std::vector<std::uint8_t*> free_;  // guarded by mu_
    std::size_t regions_ = 0;          // guarded by mu_
};

std::uint8_t* AllocateKey(std::size_t size) {
    if (size <= KeyArena::kSlot) return KeyArena::Instance().Allocate();
    auto* p = static_cast<std::uint8_t*>(sodium_malloc(size));
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

void FreeKey(std::uint8_t* data, std::size_t size) noexcept {
    if (size <= KeyArena::kSlot) {
        KeyArena::Instance().Free(data);
    } else {
        sodium_free(data);  // sodium_free wipes before unmapping
    }
}

}  // namespace

SecretKey::SecretKey(std::size_t size) {
    if (size == 0) return;
    EnsureInit();
    data_ = AllocateKey(size);
    sodium_memzero(data_, size);
    size_ = size;
}

SecretKey SecretKey::Random(std::size_t size) {
    SecretKey key(size);
    FillSecretRandom(key.data_, size);  // locked memory to locked memory
    return key;
}

SecretKey SecretKey::FromBytes(ByteView bytes) {
    SecretKey key(bytes.size());
    if (!bytes.empty()) std::memcpy(key.data_, bytes.data(), bytes.size());
    return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        if (data_ != nullptr) FreeKey(data_, size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

SecretKey::~SecretKey() {
    if (data_ != nullptr) FreeKey(data_, size_);
}

SecretKey SecretKey::Clone() const { return FromBytes(view()); }

// ---- Symmetric encryption -----------------------------------------------------------------------

Bytes Seal(const SecretKey& key, ByteView plaintext, ByteView associated_data) {
    return SealRaw(key, plaintext, associated_data);
}

Result<Bytes> Open(const SecretKey& key, ByteView sealed, ByteView associated_data) {
    EnsureInit();
    if (key.size() != kKeyBytes) return DecryptFailed("decryption key has the wrong size");
    if (sealed.size() < kNonceBytes + kTagBytes) return DecryptFailed("sealed data is too short");
    // One spare byte so data() is never null for an empty plaintext.
    Bytes out(sealed.size() - kNonceBytes - kTagBytes + 1);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, sealed.data() + kNonceBytes,
                                                   sealed.size() - kNonceBytes, associated_data.data(),
                                                   associated_data.size(), sealed.data(), key.data()) != 0) {
        return DecryptFailed("authentication failed");
    }
    out.resize(written);
    return out;
}

std::string CaseFieldAd(CaseId case_id, std::string_view field) {
    constexpr std::string_view kPrefix = "lifeline/v1/case/";
    std::string ad;
    ad.reserve(kPrefix.size() + 20 + 1 + field.size());  // an id has at most 20 digits
    ad += kPrefix;
    char digits[24];
    ad.append(digits, std::to_chars(digits, digits + sizeof(digits), case_id.value).ptr);
    ad += '/';
    ad += field;
    return ad;
}

// ---- Public-key pieces --------------------------------------------------------------------------

KeyPair KeyPair::Generate() {
    EnsureInit();
    KeyPair pair;
    pair.public_key.assign(crypto_box_PUBLICKEYBYTES, 0);
    pair.secret_key = SecretKey(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(pair.public_key.data(), pair.secret_key.data());
    return pair;
}

KeyPair KeyPair::FromSecret(SecretKey secret) {
    EnsureInit();
    KeyPair pair;
    if (!PublicFromSecret(secret, pair.public_key)) {
        throw LifelineError(ErrorCode::kInvalidArgument, "KeyPair::FromSecret: secret key must be 32 bytes");
    }
    pair.secret_key = std::move(secret);
    return pair;
}

KeyPair KeyPair::Clone() const {
    KeyPair pair;
    pair.public_key = public_key;
    pair.secret_key = secret_key.Clone();
    return pair;
}

Bytes SealTo(ByteView recipient_public_key, ByteView message) {
    EnsureInit();
    if (recipient_public_key.size() != crypto_box_PUBLICKEYBYTES) {
        throw LifelineError(ErrorCode::kInvalidArgument, "SealTo: recipient public key must be 32 bytes");
    }
    Bytes out(message.size() + crypto_box_SEALBYTES);
    if (crypto_box_seal(out.data(), message.data(), message.size(), recipient_public_key.data()) != 0) {
        throw LifelineError(ErrorCode::kInvalidArgument, "SealTo: recipient public key is invalid");
    }
    return out;
}

namespace {
Result<SecretKey> OpenSealedToSecret(const KeyPair& recipient, ByteView sealed) {
    EnsureInit();
    if (recipient.public_key.size() != crypto_box_PUBLICKEYBYTES ||
        recipient.secret_key.size() != crypto_box_SECRETKEYBYTES) {
        return DecryptFailed("recipient key pair has the wrong size");
    }
    if (sealed.size() < crypto_box_SEALBYTES) return DecryptFailed("sealed box is too short");
    SecretKey out(sealed.size() - crypto_box_SEALBYTES);
    // crypto_box_seal_open writes through m even for an empty message; give it a valid pointer.
    std::uint8_t empty_sink = 0;
    if (crypto_box_seal_open(out.empty() ? &empty_sink : out.data(), sealed.data(), sealed.size(),
                             recipient.public_key.data(), recipient.secret_key.data()) != 0) {
        return DecryptFailed("sealed box failed authentication");
    }
    return out;
}
}  // namespace

Result<Bytes> OpenSealed(const KeyPair& recipient, ByteView sealed) {
    auto opened = OpenSealedToSecret(recipient, sealed);
    if (!opened) return opened.error();
    auto view = opened->view();
    return Bytes(view.begin(), view.end());
}

// ---- Hashing ------------------------------------------------------------------------------------

Bytes KeyedHash(const SecretKey& key, std::string_view context, ByteView message) {
    EnsureInit();
    CheckHashKey(key, "KeyedHash");
    Bytes out(kHashBytes);
    Blake2b h(key.view(), kHashBytes, kKeyedHashLabel, context);
    h.Update(message);
    h.Final(out.data());
    return out;
}

bool IsHashKey(const SecretKey& key) noexcept {
    return key.size() >= crypto_generichash_KEYBYTES_MIN && key.size() <= crypto_generichash_KEYBYTES_MAX;
}

KeyedHasher::KeyedHasher(const SecretKey& key, std::string_view context) {
    EnsureInit();
    CheckHashKey(key, "KeyedHasher");
    state_ = Blake2b(key.view(), kHashBytes, kKeyedHashLabel, context).Save();
}

Bytes KeyedHasher::Hash(ByteView message) const {
    if (state_.empty()) throw LifelineError(ErrorCode::kInternal, "KeyedHasher: no key");
    Bytes out(kHashBytes);
    Blake2b h(state_, kHashBytes);
    h.Update(message).Final(out.data());
    return out;
}

Bytes Pseudonym(const SecretKey& pseudonym_key, std::string_view channel, std::string_view sender_id) {
    EnsureInit();
    CheckHashKey(pseudonym_key, "Pseudonym");
    // The channel is length-prefixed (not NUL-terminated) so no (channel, sender) split of the
    // same bytes can collide, whatever characters either contains.
    Bytes out(kHashBytes);
    Blake2b h(pseudonym_key.view(), kHashBytes, kKeyedHashLabel, kPseudonymContext);
    h.UpdateFramed(AsBytes(channel)).Update(AsBytes(sender_id));
    h.Final(out.data());
    return out;
}

SecretKey DeriveKey(const SecretKey& master, std::string_view context, ByteView salt) {
    EnsureInit();
    CheckHashKey(master, "DeriveKey");
    SecretKey out(kKeyBytes);
    Blake2b h(master.view(), kKeyBytes, kDeriveKeyLabel, context);
    h.Update(salt);
    h.Final(out.data());
    return out;
}

// ---- Passwords ----------------------------------------------------------------------------------

PasswordKdfParams PasswordKdfParams::Interactive() {
    PasswordKdfParams p;
    p.salt = RandomBytes(crypto_pwhash_SALTBYTES);
    p.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    p.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return p;
}

PasswordKdfParams PasswordKdfParams::Fast() {
    PasswordKdfParams p;
    p.salt = RandomBytes(crypto_pwhash_SALTBYTES);
    p.opslimit = crypto_pwhash_OPSLIMIT_MIN;
    p.memlimit = crypto_pwhash_MEMLIMIT_MIN;
    return p;
}

PasswordKdfParams PasswordKdfParams::Default() {
    const char* fast = std::getenv("LIFELINE_FAST_KDF");
    if (fast != nullptr && std::string_view(fast) == "1") return Fast();
    return Interactive();
}

SecretKey DeriveKeyFromPassword(std::string_view password, const PasswordKdfParams& params) {
    EnsureInit();
    if (!KdfParamsValid(params)) {
        throw LifelineError(ErrorCode::kInvalidArgument, "password KDF parameters are invalid");
    }
    SecretKey key(kKeyBytes);
    if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), params.salt.data(), params.opslimit,
                      static_cast<std::size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw LifelineError(ErrorCode::kInternal, "Argon2id failed (out of memory?)");
    }
    return key;
}

// ---- Human-readable secrets ---------------------------------------------------------------------

std::string GeneratePassword() {
    EnsureInit();
    std::string out(kPasswordLength, '\0');
    for (auto& c : out) {
        // randombytes_uniform is unbiased for any upper bound.
        c = kPasswordAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kPasswordAlphabet.size()))];
    }
    return out;
}

std::string GenerateRecoveryKey() {
    auto raw = SecretKey::Random(kRecoveryBytes);
    const std::size_t group_bytes = kRecoveryBytes / kRecoveryGroups;
    std::string out;
    out.reserve(kRecoveryBytes * 2 + kRecoveryGroups - 1);
    char hex[2 * kRecoveryBytes + 1];
    sodium_bin2hex(hex, sizeof hex, raw.data(), raw.size());
    for (std::size_t g = 0; g < kRecoveryGroups; ++g) {
        if (g > 0) out += '-';
        out.append(hex + g * group_bytes * 2, group_bytes * 2);
    }
    sodium_memzero(hex, sizeof hex);
    return out;
}

// ---- The key hierarchy --------------------------------------------------------------------------

NewOperatorKey CreateOperatorKey(std::string_view password, const PasswordKdfParams& kdf) {
    NewOperatorKey result;
    result.keys = KeyPair::Generate();
    result.recovery_key = GenerateRecoveryKey();
    auto recovery_key = RecoveryWrappingKey(result.recovery_key);
    if (!recovery_key) throw LifelineError(ErrorCode::kInternal, "generated recovery key does not parse");
    auto password_key = DeriveKeyFromPassword(password, kdf);
    result.wrapped.public_key = result.keys.public_key;
    result.wrapped.kdf = kdf;
    result.wrapped.secret_by_password =
        SealRaw(password_key, result.keys.secret_key.view(), AsBytes(kOperatorPasswordAd));
    result.wrapped.secret_by_recovery =
        SealRaw(*recovery_key, result.keys.secret_key.view(), AsBytes(kOperatorRecoveryAd));
    return result;
}

Result<KeyPair> UnlockWithPassword(const WrappedOperatorKey& wrapped, std::string_view password) {
    EnsureInit();
    // Checked before Argon2id: stored params are input like any other and must not throw.
    if (!KdfParamsValid(wrapped.kdf)) return DecryptFailed("password KDF parameters are invalid");
    auto key = DeriveKeyFromPassword(password, wrapped.kdf);
    return UnlockWith(key, wrapped, wrapped.secret_by_password, kOperatorPasswordAd);
}

Result<KeyPair> UnlockWithRecovery(const WrappedOperatorKey& wrapped, std::string_view recovery_key) {
    EnsureInit();
    auto key = RecoveryWrappingKey(recovery_key);
    if (!key) return DecryptFailed("recovery key is malformed");
    return UnlockWith(*key, wrapped, wrapped.secret_by_recovery, kOperatorRecoveryAd);
}

WrappedOperatorKey RewrapWithPassword(const KeyPair& keys, const WrappedOperatorKey& old, std::string_view new_password,
                                      const PasswordKdfParams& kdf) {
    EnsureInit();
    // Keeping old's recovery wrap is only right if it wraps this very key.
    if (!SameBytes(keys.public_key, old.public_key)) {
        throw LifelineError(ErrorCode::kInvalidArgument, "RewrapWithPassword: key pair does not match the old wrap");
    }
    WrappedOperatorKey out;
    out.public_key = keys.public_key;
    out.kdf = kdf;
    // A fresh salt whatever the caller passed, so the new wrap never shares one with the old.
    out.kdf.salt = RandomBytes(crypto_pwhash_SALTBYTES);
    auto password_key = DeriveKeyFromPassword(new_password, out.kdf);
    out.secret_by_password = SealRaw(password_key, keys.secret_key.view(), AsBytes(kOperatorPasswordAd));
    out.secret_by_recovery = old.secret_by_recovery;
    return out;
}

Bytes SealTeamKey(const KeyPair& team, ByteView operator_public_key) {
    return SealTo(operator_public_key, team.secret_key.view());
}

Result<KeyPair> OpenTeamKey(ByteView sealed, const KeyPair& operator_keys, ByteView team_public_key) {
    auto secret = OpenSealedToSecret(operator_keys, sealed);
    if (!secret) return secret.error();
    if (secret->size() != kX25519Bytes) return DecryptFailed("sealed team key has the wrong size");
    Bytes public_key;
    if (!PublicFromSecret(*secret, public_key) || !SameBytes(public_key, team_public_key)) {
        return DecryptFailed("team key does not match the team public key");
    }
    KeyPair pair;
    pair.public_key = std::move(public_key);
    pair.secret_key = std::move(secret).value();
    return pair;
}

IntakeEpoch::IntakeEpoch(KeyEpochId id, ByteView team_public_key)
    : id_(id), team_public_key_(team_public_key.begin(), team_public_key.end()) {
    EnsureInit();
    if (team_public_key.size() != kX25519Bytes) {
        throw LifelineError(ErrorCode::kInvalidArgument, "IntakeEpoch: team public key must be 32 bytes");
    }
    // The ephemeral secret and the shared secret die with this scope: only the KDF state keyed by
    // the shared secret outlives the constructor.
    auto ephemeral = KeyPair::Generate();
    SecretKey shared(kX25519Bytes);
    if (crypto_scalarmult(shared.data(), ephemeral.secret_key.data(), team_public_key.data()) != 0) {
        throw LifelineError(ErrorCode::kInvalidArgument, "IntakeEpoch: team public key is a low-order point");
    }
    ephemeral_public_key_ = std::move(ephemeral.public_key);
    case_kdf_state_ = CaseKdfState(shared, ephemeral_public_key_, team_public_key_);
}

SecretKey IntakeEpoch::NewCaseKey() { return SecretKey::Random(kKeyBytes); }

Bytes IntakeEpoch::WrapCaseKey(CaseId case_id, const SecretKey& case_key) const {
    if (case_key.size() != kKeyBytes) throw LifelineError(ErrorCode::kInvalidArgument, "case key must be 32 bytes");
    auto key = CaseWrappingKeyFrom(case_kdf_state_, case_id);
    return SealRaw(key, case_key.view(), AsBytes(CaseFieldAd(case_id, "case-key")));
}

Result<SecretKey> UnwrapCaseKey(const KeyPair& team, ByteView epoch_public_key, CaseId case_id,
                                ByteView wrapped_case_key) {
    EnsureInit();
    if (team.secret_key.size() != kX25519Bytes || team.public_key.size() != kX25519Bytes) {
        return DecryptFailed("team key pair has the wrong size");
    }
    if (epoch_public_key.size() != kX25519Bytes) return DecryptFailed("epoch public key has the wrong size");
    SecretKey shared(kX25519Bytes);
    if (crypto_scalarmult(shared.data(), team.secret_key.data(), epoch_public_key.data()) != 0) {
        return DecryptFailed("epoch public key is invalid");
    }
    auto key = CaseWrappingKey(shared, epoch_public_key, team.public_key, case_id);
    return OpenToSecret(key, wrapped_case_key, AsBytes(CaseFieldAd(case_id, "case-key")), kKeyBytes);
}

Bytes WrapCaseKeyForReceipt(std::string_view receipt, CaseId case_id, const SecretKey& case_key) {
    if (case_key.size() != kKeyBytes) throw LifelineError(ErrorCode::kInvalidArgument, "case key must be 32 bytes");
    auto key = ReceiptKey(receipt);
    return SealRaw(key, case_key.view(), AsBytes(CaseFieldAd(case_id, "receipt-key")));
}

Result<SecretKey> UnwrapCaseKeyWithReceipt(std::string_view receipt, CaseId case_id, ByteView wrapped) {
    auto key = ReceiptKey(receipt);
    return OpenToSecret(key, wrapped, AsBytes(CaseFieldAd(case_id, "receipt-key")), kKeyBytes);
}

// ---- Secrets file -------------------------------------------------------------------------------

Secrets Secrets::Generate() {
    Secrets s;
    s.pseudonym_key = SecretKey::Random(32);
    s.audit_key = SecretKey::Random(32);
    s.session_key = SecretKey::Random(32);
    return s;
}

Result<void> Secrets::Save(const std::string& path) const {
    EnsureInit();
    const std::pair<std::string_view, const SecretKey*> entries[] = {
        {"pseudonym_key", &pseudonym_key}, {"audit_key", &audit_key}, {"session_key", &session_key}};
    for (const auto& [name, key] : entries) {
        if (key->size() != 32) {
            return Error{ErrorCode::kInvalidArgument, "secret " + std::string(name) + " is not 32 bytes"};
        }
    }

    // The file content is secret: build it in guarded memory.
    SecretKey content(kSecretsMaxBytes);
    std::size_t len = 0;
    auto append = [&](std::string_view s) {
        std::memcpy(content.data() + len, s.data(), s.size());
        len += s.size();
    };
    append(kSecretsHeader);
    append("\n");
    for (const auto& [name, key] : entries) {
        append(name);
        append(" = ");
        sodium_bin2hex(reinterpret_cast<char*>(content.data() + len), key->size() * 2 + 1, key->data(), key->size());
        len += key->size() * 2;
        append("\n");
    }

    int raw_fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (raw_fd < 0) {
        int err = errno;
        if (err == EEXIST) {
            return Error{ErrorCode::kAlreadyExists, "secrets file " + path + " already exists; refusing to overwrite"};
        }
        return Error{ErrorCode::kInternal, "cannot create secrets file " + path + ": " + ErrnoText(err)};
    }
    Fd fd(raw_fd);
    auto fail = [&](int err) -> Result<void> {
        // A half-written file would make the next Save refuse and Load fail: remove it.
        ::unlink(path.c_str());
        return Error{ErrorCode::kInternal, "cannot write secrets file " + path + ": " + ErrnoText(err)};
    };
    // The umask may only have removed bits; fchmod pins the mode to exactly 0600.
    if (::fchmod(fd.get(), 0600) != 0) return fail(errno);
    if (!WriteAll(fd.get(), content.data(), len)) return fail(errno);
    if (::fsync(fd.get()) != 0) return fail(errno);
    if (::close(fd.Release()) != 0) return fail(errno);
    // Make the new directory entry durable too (best effort: some filesystems refuse).
    auto slash = path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
    return Ok();
}

Result<Secrets> Secrets::Load(const std::string& path) {
    EnsureInit();
    int raw_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (raw_fd < 0) {
        int err = errno;
        return Error{ErrorCode::kInvalidArgument, "cannot open secrets file " + path + ": " + ErrnoText(err)};
    }
    Fd fd(raw_fd);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        int err = errno;
        return Error{ErrorCode::kInvalidArgument, "cannot stat secrets file " + path + ": " + ErrnoText(err)};
    }
    if (!S_ISREG(st.st_mode)) {
        return Error{ErrorCode::kInvalidArgument, "secrets file " + path + " is not a regular file"};
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Error{ErrorCode::kForbidden, "secrets file " + path + " has mode " + mode +
                                                "; it must be readable by its owner only (chmod 600 " + path + ")"};
    }

    SecretKey content(kSecretsMaxBytes + 1);
    std::size_t len = 0;
    while (len < content.size()) {
        ssize_t n = ::read(fd.get(), content.data() + len, content.size() - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            return Error{ErrorCode::kInvalidArgument, "cannot read secrets file " + path + ": " + ErrnoText(err)};
        }
        if (n == 0) break;
        len += static_cast<std::size_t>(n);
    }
    if (len > kSecretsMaxBytes) return Error{ErrorCode::kInvalidArgument, "secrets file " + path + " is too large"};

    auto malformed = [&](int line) {
        return Error{ErrorCode::kInvalidArgument,
                     "secrets file " + path + " is malformed at line " + std::to_string(line)};
    };
    std::string_view text = AsString({content.data(), len});
    Secrets secrets;
    const std::pair<std::string_view, SecretKey*> entries[] = {
        {"pseudonym_key", &secrets.pseudonym_key}, {"audit_key", &secrets.audit_key},
        {"session_key", &secrets.session_key}};
    int line_no = 0;
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        ++line_no;
        if (line_no == 1) {
            if (Trim(line) != kSecretsHeader) return malformed(line_no);
            continue;
        }
        line = Trim(line);
        if (line.empty() || line.front() == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) return malformed(line_no);
        auto name = Trim(line.substr(0, eq));
        auto value = Trim(line.substr(eq + 1));
        SecretKey* target = nullptr;
        for (const auto& [entry_name, key] : entries) {
            if (entry_name == name) target = key;
        }
        // Unknown or repeated names are errors: a typo must not silently leave a key unset.
        if (target == nullptr || !target->empty()) return malformed(line_no);
        SecretKey key(32);
        if (!HexToSecret(value, key)) return malformed(line_no);
        *target = std::move(key);
    }
    if (line_no == 0) return malformed(1);
    for (const auto& [name, key] : entries) {
        if (key->empty()) {
            return Error{ErrorCode::kInvalidArgument, "secrets file " + path + " lacks " + std::string(name)};
        }
    }
    return secrets;
}

}  // namespace lifeline::crypto
