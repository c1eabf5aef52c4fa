#include "crypto/crypto.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace lifeline::crypto {
namespace {

constexpr std::size_t kSealOverhead = 24 + 16;
constexpr std::size_t kBoxOverhead = 32 + 16;

class CryptoTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { Init(); }
};

/// Flips each byte of `good` in turn (with several masks, so both a low and the top bit of
/// every byte change) and expects `open` to report kDecryptFailed every time.
void ExpectEveryFlipFails(const Bytes& good, const std::function<ErrorCode(const Bytes&)>& open,
                          const std::string& what) {
    ASSERT_FALSE(good.empty()) << what;
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
            Bytes changed = good;
            changed[i] ^= mask;
            EXPECT_EQ(open(changed), ErrorCode::kDecryptFailed)
                << what << ": byte " << i << " mask " << static_cast<int>(mask);
        }
    }
}

/// Every strict prefix (including empty) and an appended byte must fail.
void ExpectResizesFail(const Bytes& good, const std::function<ErrorCode(const Bytes&)>& open,
                       const std::string& what) {
    for (std::size_t n = 0; n < good.size(); ++n) {
        Bytes truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(open(truncated), ErrorCode::kDecryptFailed) << what << ": truncated to " << n;
    }
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_EQ(open(longer), ErrorCode::kDecryptFailed) << what << ": one byte appended";
    Bytes doubled = good;
    doubled.insert(doubled.end(), good.begin(), good.end());
    EXPECT_EQ(open(doubled), ErrorCode::kDecryptFailed) << what << ": doubled";
}

bool SameKey(const SecretKey& a, const SecretKey& b) {
    return a.size() == b.size() && std::equal(a.data(), a.data() + a.size(), b.data());
}

Bytes KeyBytes(const SecretKey& k) { return Bytes(k.data(), k.data() + k.size()); }

// ---- Basics -------------------------------------------------------------------------------------

TEST_F(CryptoTest, InitIsIdempotent) {
    EXPECT_NO_THROW(Init());
    EXPECT_NO_THROW(Init());
}

TEST_F(CryptoTest, RandomBytesHaveRequestedSizeAndDiffer) {
    EXPECT_TRUE(RandomBytes(0).empty());
    auto a = RandomBytes(32), b = RandomBytes(32);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
}

// Random bytes come from per-thread pools refilled from the kernel: no two draws, on one thread
// or on several, may share bytes, and a forked child must not replay its parent's pool.
void ExpectPoolNeverRepeats(const std::function<Bytes(std::size_t)>& random) {
    std::set<Bytes> seen;
    std::mutex seen_mutex;
    const auto draw = [&](int count) {
        std::vector<Bytes> mine;
        for (int i = 0; i < count; ++i) mine.push_back(random(8 + static_cast<std::size_t>(i % 9)));
        std::lock_guard lock(seen_mutex);
        for (auto& b : mine) {
            // 8..16 random bytes: a repeat means the pool handed out the same bytes twice.
            EXPECT_TRUE(seen.insert(b).second);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back(draw, 500);
    for (auto& t : threads) t.join();
    EXPECT_EQ(seen.size(), 2000u);

    (void)random(16);  // the pool of this thread is now partly used
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const Bytes b = random(16);
        const bool written = write(pipe_fds[1], b.data(), b.size()) == static_cast<ssize_t>(b.size());
        _exit(written ? 0 : 1);
    }
    const Bytes parent = random(16);
    Bytes from_child(16);
    ASSERT_EQ(read(pipe_fds[0], from_child.data(), from_child.size()), 16);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_NE(parent, from_child);
    EXPECT_NE(from_child, Bytes(16, 0));  // not the zeros a wiped pool page holds
}

TEST_F(CryptoTest, PooledPublicRandomnessNeverRepeatsAcrossDrawsThreadsOrAFork) {
    ExpectPoolNeverRepeats([](std::size_t n) { return RandomPublicBytes(n); });
}

TEST_F(CryptoTest, PooledSecretRandomnessNeverRepeatsAcrossDrawsThreadsOrAFork) {
    ExpectPoolNeverRepeats([](std::size_t n) { return RandomBytes(n); });
    // Keys draw from the same pool.
    ExpectPoolNeverRepeats([](std::size_t n) {
        const SecretKey key = SecretKey::Random(n);
        return Bytes(key.view().begin(), key.view().end());
    });
}

TEST_F(CryptoTest, ManyKeysAliveAtOnceStayDistinctAndIntact) {
    // More keys than one region of the key arena holds (64 KiB / 64 bytes), from several threads,
    // then freed and drawn again: every key keeps its own bytes, and a reused slot starts zeroed.
    constexpr int kThreads = 4;
    constexpr int kEach = 1500;
    std::vector<std::thread> threads;
    std::atomic<int> bad{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            std::vector<SecretKey> keys;
            for (int i = 0; i < kEach; ++i) {
                keys.push_back(SecretKey(32));
                if (KeyBytes(keys.back()) != Bytes(32, 0)) ++bad;
                std::memset(keys.back().data(), (t * kEach + i) % 251, 32);
            }
            for (int i = 0; i < kEach; ++i)
                if (KeyBytes(keys[i]) != Bytes(32, static_cast<std::uint8_t>((t * kEach + i) % 251))) ++bad;
            keys.erase(keys.begin(), keys.begin() + kEach / 2);
            for (int i = 0; i < kEach / 2; ++i)
                if (KeyBytes(SecretKey(48)) != Bytes(48, 0)) ++bad;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0);
    // Beyond the arena's slot size keys come from sodium_malloc and behave the same.
    auto big = SecretKey::FromBytes(Bytes(100, 7));
    EXPECT_EQ(KeyBytes(big), Bytes(100, 7));
}

#if defined(__SANITIZE_ADDRESS__)
TEST_F(CryptoTest, FreedKeySlotIsPoisonedForAddressSanitizer) {
    EXPECT_DEATH(
        {
            volatile std::uint8_t* stale = nullptr;
            {
                auto key = SecretKey::Random();
                stale = key.data();
            }
            std::uint8_t v = stale[0];  // NOLINT: the use after free under test
            (void)v;
        },
        "use-after-poison");
}
#endif

TEST_F(CryptoTest, SecretKeyLifecycle) {
    SecretKey empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.size(), 0u);

    auto a = SecretKey::Random();
    EXPECT_EQ(a.size(), 32u);
    auto b = SecretKey::Random(64);
    EXPECT_EQ(b.size(), 64u);
    EXPECT_NE(KeyBytes(a), KeyBytes(SecretKey::Random()));

    Bytes raw{1, 2, 3, 4, 5};
    auto c = SecretKey::FromBytes(raw);
    EXPECT_EQ(KeyBytes(c), raw);
    auto d = c.Clone();
    EXPECT_TRUE(SameKey(c, d));
    EXPECT_NE(c.data(), d.data());

    SecretKey moved(std::move(c));
    EXPECT_EQ(KeyBytes(moved), raw);
    EXPECT_TRUE(c.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    moved = std::move(d);
    EXPECT_EQ(KeyBytes(moved), raw);
    moved = SecretKey::Random(8);
    EXPECT_EQ(moved.size(), 8u);

    SecretKey zeroed(16);
    EXPECT_EQ(KeyBytes(zeroed), Bytes(16, 0));
    EXPECT_TRUE(SecretKey::FromBytes({}).empty());
}

// ---- Seal / Open --------------------------------------------------------------------------------

TEST_F(CryptoTest, SealOpenRoundTrip) {
    auto key = SecretKey::Random();
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
        Bytes plain = RandomBytes(n);
        auto ad = ToBytes("ad");
        auto sealed = Seal(key, plain, ad);
        EXPECT_EQ(sealed.size(), n + kSealOverhead);
        auto opened = Open(key, sealed, ad);
        ASSERT_TRUE(opened.ok()) << n;
        EXPECT_EQ(*opened, plain);
    }
    // Empty associated data works too.
    auto sealed = Seal(key, ToBytes("hello"), {});
    auto opened = Open(key, sealed, {});
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(AsString(*opened), "hello");
}

TEST_F(CryptoTest, SealUsesFreshNonces) {
    auto key = SecretKey::Random();
    auto a = Seal(key, ToBytes("same"), {});
    auto b = Seal(key, ToBytes("same"), {});
    EXPECT_NE(a, b);
    EXPECT_NE(Bytes(a.begin(), a.begin() + 24), Bytes(b.begin(), b.begin() + 24));
}

TEST_F(CryptoTest, OpenFailsWithWrongKeyOrAd) {
    auto key = SecretKey::Random();
    auto sealed = Seal(key, ToBytes("secret plaintext"), ToBytes("ad-1"));
    EXPECT_EQ(Open(SecretKey::Random(), sealed, ToBytes("ad-1")).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(Open(key, sealed, ToBytes("ad-2")).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(Open(key, sealed, {}).code(), ErrorCode::kDecryptFailed);
    // Wrong key sizes are a decrypt failure, not a crash.
    EXPECT_EQ(Open(SecretKey(), sealed, ToBytes("ad-1")).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(Open(SecretKey::Random(16), sealed, ToBytes("ad-1")).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(Open(SecretKey::Random(64), sealed, ToBytes("ad-1")).code(), ErrorCode::kDecryptFailed);
    auto wrong = Open(key, sealed, ToBytes("ad-2"));
    EXPECT_EQ(wrong.error().message.find("secret plaintext"), std::string::npos);
}

TEST_F(CryptoTest, OpenFailsOnEveryFlippedByte) {
    auto key = SecretKey::Random();
    auto ad = ToBytes("ad");
    auto sealed = Seal(key, ToBytes("the plaintext"), ad);
    ExpectEveryFlipFails(sealed, [&](const Bytes& b) { return Open(key, b, ad).code(); }, "Seal");
    auto empty_sealed = Seal(key, {}, ad);
    ExpectEveryFlipFails(empty_sealed, [&](const Bytes& b) { return Open(key, b, ad).code(); }, "Seal(empty)");
}

TEST_F(CryptoTest, OpenFailsOnTruncatedEmptyOrOversized) {
    auto key = SecretKey::Random();
    auto sealed = Seal(key, ToBytes("the plaintext"), {});
    ExpectResizesFail(sealed, [&](const Bytes& b) { return Open(key, b, {}).code(); }, "Seal");
    EXPECT_EQ(Open(key, Bytes(kSealOverhead, 0), {}).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(Open(key, Bytes(4096, 0xaa), {}).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CryptoTest, SealRejectsWrongKeySize) {
    EXPECT_THROW(Seal(SecretKey::Random(16), ToBytes("x"), {}), LifelineError);
    EXPECT_THROW(Seal(SecretKey(), ToBytes("x"), {}), LifelineError);
}

TEST_F(CryptoTest, CaseFieldAdFormat) {
    EXPECT_EQ(CaseFieldAd(CaseId(42), "body"), "lifeline/v1/case/42/body");
    EXPECT_NE(CaseFieldAd(CaseId(1), "x"), CaseFieldAd(CaseId(2), "x"));
}

// ---- Key pairs and sealed boxes -----------------------------------------------------------------

TEST_F(CryptoTest, KeyPairFromSecretRebuildsPublicKey) {
    auto pair = KeyPair::Generate();
    EXPECT_EQ(pair.public_key.size(), 32u);
    EXPECT_EQ(pair.secret_key.size(), 32u);
    auto rebuilt = KeyPair::FromSecret(pair.secret_key.Clone());
    EXPECT_EQ(rebuilt.public_key, pair.public_key);
    EXPECT_TRUE(SameKey(rebuilt.secret_key, pair.secret_key));
    auto clone = pair.Clone();
    EXPECT_EQ(clone.public_key, pair.public_key);
    EXPECT_TRUE(SameKey(clone.secret_key, pair.secret_key));
    EXPECT_NE(KeyPair::Generate().public_key, pair.public_key);
    EXPECT_THROW(KeyPair::FromSecret(SecretKey::Random(31)), LifelineError);
}

TEST_F(CryptoTest, SealedBoxRoundTripAndWrongRecipient) {
    auto alice = KeyPair::Generate();
    auto bob = KeyPair::Generate();
    for (std::size_t n : {0u, 1u, 32u, 500u}) {
        auto message = RandomBytes(n);
        auto sealed = SealTo(alice.public_key, message);
        EXPECT_EQ(sealed.size(), n + kBoxOverhead);
        auto opened = OpenSealed(alice, sealed);
        ASSERT_TRUE(opened.ok()) << n;
        EXPECT_EQ(*opened, message);
        EXPECT_EQ(OpenSealed(bob, sealed).code(), ErrorCode::kDecryptFailed);
    }
    // A pair whose halves do not belong together cannot open either.
    KeyPair mixed;
    mixed.public_key = alice.public_key;
    mixed.secret_key = bob.secret_key.Clone();
    EXPECT_EQ(OpenSealed(mixed, SealTo(alice.public_key, ToBytes("m"))).code(), ErrorCode::kDecryptFailed);
    // A malformed recipient pair is a decrypt failure.
    KeyPair broken;
    EXPECT_EQ(OpenSealed(broken, SealTo(alice.public_key, ToBytes("m"))).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CryptoTest, SealedBoxFailsOnEveryFlippedByteAndResize) {
    auto alice = KeyPair::Generate();
    auto sealed = SealTo(alice.public_key, ToBytes("sealed box message"));
    ExpectEveryFlipFails(sealed, [&](const Bytes& b) { return OpenSealed(alice, b).code(); }, "SealTo");
    ExpectResizesFail(sealed, [&](const Bytes& b) { return OpenSealed(alice, b).code(); }, "SealTo");
}

TEST_F(CryptoTest, SealToRejectsBadPublicKeys) {
    EXPECT_THROW(SealTo(Bytes(31, 1), ToBytes("m")), LifelineError);
    EXPECT_THROW(SealTo(Bytes{}, ToBytes("m")), LifelineError);
    // The all-zero point yields an all-zero shared secret, which libsodium refuses.
    EXPECT_THROW(SealTo(Bytes(32, 0), ToBytes("m")), LifelineError);
}

// ---- Hashing ------------------------------------------------------------------------------------

TEST_F(CryptoTest, KeyedHashSeparatesKeysContextsAndMessages) {
    auto key = SecretKey::Random();
    auto h = KeyedHash(key, "ctx", ToBytes("msg"));
    EXPECT_EQ(h.size(), 32u);
    EXPECT_EQ(KeyedHash(key, "ctx", ToBytes("msg")), h);
    EXPECT_NE(KeyedHash(SecretKey::Random(), "ctx", ToBytes("msg")), h);
    EXPECT_NE(KeyedHash(key, "ctx2", ToBytes("msg")), h);
    EXPECT_NE(KeyedHash(key, "ctx", ToBytes("msg2")), h);
    // Moving bytes across the context/message boundary changes the hash.
    EXPECT_NE(KeyedHash(key, "ab", ToBytes("c")), KeyedHash(key, "a", ToBytes("bc")));
    EXPECT_NE(KeyedHash(key, "", ToBytes("abc")), KeyedHash(key, "abc", {}));
    // 16 and 64 byte keys are fine; others are a programming error.
    EXPECT_NO_THROW(KeyedHash(SecretKey::Random(16), "c", {}));
    EXPECT_NO_THROW(KeyedHash(SecretKey::Random(64), "c", {}));
    EXPECT_THROW(KeyedHash(SecretKey::Random(15), "c", {}), LifelineError);
    EXPECT_THROW(KeyedHash(SecretKey::Random(65), "c", {}), LifelineError);
    EXPECT_THROW(KeyedHash(SecretKey(), "c", {}), LifelineError);
}

TEST_F(CryptoTest, KeyedHasherGivesKeyedHashForEveryMessage) {
    auto key = SecretKey::Random();
    const KeyedHasher hasher(key, "ctx");
    EXPECT_FALSE(hasher.empty());
    // Messages shorter and longer than a BLAKE2b block, and one that ends the block the key and
    // context leave open: the absorbed state must not depend on what follows.
    for (std::size_t n : {0u, 1u, 7u, 64u, 127u, 128u, 129u, 300u, 1000u}) {
        const Bytes message(n, static_cast<std::uint8_t>(n));
        EXPECT_EQ(hasher.Hash(message), KeyedHash(key, "ctx", message)) << n;
    }
    // Used again (a call works on a copy of the state), and from several threads at once.
    EXPECT_EQ(hasher.Hash(ToBytes("msg")), KeyedHash(key, "ctx", ToBytes("msg")));
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const Bytes message = ToBytes("m" + std::to_string(t * 1000 + i));
                if (hasher.Hash(message) != KeyedHash(key, "ctx", message)) ++mismatches;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
    // The key and the context both count.
    EXPECT_NE(KeyedHasher(key, "ctx2").Hash(ToBytes("msg")), hasher.Hash(ToBytes("msg")));
    EXPECT_NE(KeyedHasher(SecretKey::Random(), "ctx").Hash(ToBytes("msg")), hasher.Hash(ToBytes("msg")));
    // Keys are checked as KeyedHash checks them; an empty hasher refuses to hash.
    EXPECT_THROW(KeyedHasher(SecretKey::Random(15), "c"), LifelineError);
    EXPECT_THROW(KeyedHasher(SecretKey::Random(65), "c"), LifelineError);
    EXPECT_THROW(KeyedHasher(SecretKey(), "c"), LifelineError);
    EXPECT_FALSE(IsHashKey(SecretKey()));
    for (std::size_t n : {15u, 65u}) EXPECT_FALSE(IsHashKey(SecretKey::Random(n))) << n;
    for (std::size_t n : {16u, 32u, 64u}) {
        EXPECT_TRUE(IsHashKey(SecretKey::Random(n))) << n;
        EXPECT_NO_THROW(KeyedHasher(SecretKey::Random(n), "c")) << n;
    }
    EXPECT_TRUE(KeyedHasher().empty());
    EXPECT_THROW(KeyedHasher().Hash(ToBytes("msg")), LifelineError);
}

TEST_F(CryptoTest, DeriveKeyIsDeterministicAndSeparated) {
    auto master = SecretKey::Random();
    auto k = DeriveKey(master, "purpose");
    EXPECT_EQ(k.size(), 32u);
    EXPECT_TRUE(SameKey(DeriveKey(master, "purpose"), k));
    EXPECT_FALSE(SameKey(DeriveKey(master, "purpose2"), k));
    EXPECT_FALSE(SameKey(DeriveKey(SecretKey::Random(), "purpose"), k));
    EXPECT_FALSE(SameKey(DeriveKey(master, "purpose", ToBytes("salt")), k));
    EXPECT_FALSE(SameKey(DeriveKey(master, "ab", ToBytes("c")), DeriveKey(master, "a", ToBytes("bc"))));
    // A derived key never equals a keyed hash of the same inputs.
    EXPECT_NE(KeyBytes(DeriveKey(master, "ctx", ToBytes("m"))), KeyedHash(master, "ctx", ToBytes("m")));
    EXPECT_THROW(DeriveKey(SecretKey::Random(8), "purpose"), LifelineError);
}

TEST_F(CryptoTest, PseudonymsAreDeterministicAndSeparated) {
    auto key = SecretKey::Random();
    auto p = Pseudonym(key, "telegram", "12345");
    EXPECT_EQ(p.size(), 32u);
    EXPECT_EQ(Pseudonym(key, "telegram", "12345"), p);
    EXPECT_EQ(Pseudonym(key.Clone(), "telegram", "12345"), p);
    EXPECT_NE(Pseudonym(key, "sms", "12345"), p);
    EXPECT_NE(Pseudonym(key, "telegram", "12346"), p);
    EXPECT_NE(Pseudonym(SecretKey::Random(), "telegram", "12345"), p);
    EXPECT_NE(Pseudonym(key, "ab", "c"), Pseudonym(key, "a", "bc"));
    EXPECT_NE(Pseudonym(key, std::string("a\0", 2), "b"), Pseudonym(key, "a", std::string("\0b", 2)));
    EXPECT_NE(Pseudonym(key, "", "abc"), Pseudonym(key, "abc", ""));
    // Not the same as a plain keyed hash of the concatenation.
    EXPECT_NE(Pseudonym(key, "telegram", "12345"), KeyedHash(key, "pseudonym", ToBytes("telegram12345")));
}

// ---- Passwords ----------------------------------------------------------------------------------

TEST_F(CryptoTest, KdfParamsPresets) {
    auto fast = PasswordKdfParams::Fast();
    auto interactive = PasswordKdfParams::Interactive();
    EXPECT_EQ(fast.salt.size(), 16u);
    EXPECT_EQ(interactive.salt.size(), 16u);
    EXPECT_NE(fast.salt, PasswordKdfParams::Fast().salt);
    EXPECT_LT(fast.memlimit, interactive.memlimit);
    EXPECT_LE(fast.opslimit, interactive.opslimit);
    EXPECT_GE(interactive.memlimit, 64u * 1024 * 1024);

    const char* old = std::getenv("LIFELINE_FAST_KDF");
    std::string saved = old ? old : "";
    ::setenv("LIFELINE_FAST_KDF", "1", 1);
    EXPECT_EQ(PasswordKdfParams::Default().memlimit, fast.memlimit);
    ::setenv("LIFELINE_FAST_KDF", "0", 1);
    EXPECT_EQ(PasswordKdfParams::Default().memlimit, interactive.memlimit);
    ::unsetenv("LIFELINE_FAST_KDF");
    EXPECT_EQ(PasswordKdfParams::Default().memlimit, interactive.memlimit);
    if (old) ::setenv("LIFELINE_FAST_KDF", saved.c_str(), 1);
}

TEST_F(CryptoTest, DeriveKeyFromPasswordDependsOnPasswordAndSalt) {
    auto params = PasswordKdfParams::Fast();
    auto k = DeriveKeyFromPassword("correct horse", params);
    EXPECT_EQ(k.size(), 32u);
    EXPECT_TRUE(SameKey(DeriveKeyFromPassword("correct horse", params), k));
    EXPECT_FALSE(SameKey(DeriveKeyFromPassword("correct horsf", params), k));
    EXPECT_FALSE(SameKey(DeriveKeyFromPassword("correct horse", PasswordKdfParams::Fast()), k));
    auto more_ops = params;
    more_ops.opslimit += 1;
    EXPECT_FALSE(SameKey(DeriveKeyFromPassword("correct horse", more_ops), k));
    EXPECT_NO_THROW(DeriveKeyFromPassword("", params));

    auto bad = params;
    bad.salt.pop_back();
    EXPECT_THROW(DeriveKeyFromPassword("x", bad), LifelineError);
    bad = params;
    bad.opslimit = 0;
    EXPECT_THROW(DeriveKeyFromPassword("x", bad), LifelineError);
    bad = params;
    bad.memlimit = 1;
    EXPECT_THROW(DeriveKeyFromPassword("x", bad), LifelineError);
}

// ---- Human-readable secrets ---------------------------------------------------------------------

TEST_F(CryptoTest, GeneratedPasswordsAreUnambiguousAndUnique) {
    const std::string alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    std::set<std::string> seen;
    std::set<char> used;
    for (int i = 0; i < 2000; ++i) {
        auto p = GeneratePassword();
        ASSERT_EQ(p.size(), 20u);
        for (char c : p) {
            ASSERT_NE(alphabet.find(c), std::string::npos) << "unexpected character '" << c << "' in " << p;
            used.insert(c);
        }
        EXPECT_TRUE(seen.insert(p).second) << "duplicate password " << p;
    }
    // 40000 draws from 31 symbols: every symbol appears.
    EXPECT_EQ(used.size(), alphabet.size());
    for (char ambiguous : std::string("01ilo")) EXPECT_EQ(used.count(ambiguous), 0u);
}

TEST_F(CryptoTest, GeneratedRecoveryKeysHaveTheDocumentedShape) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto r = GenerateRecoveryKey();
        ASSERT_EQ(r.size(), 64u + 7u) << r;
        for (std::size_t j = 0; j < r.size(); ++j) {
            if (j % 9 == 8) {
                ASSERT_EQ(r[j], '-') << r;
            } else {
                ASSERT_TRUE((r[j] >= '0' && r[j] <= '9') || (r[j] >= 'a' && r[j] <= 'f')) << r;
            }
        }
        EXPECT_TRUE(seen.insert(r).second) << "duplicate recovery key " << r;
    }
}

// ---- Operator keys ------------------------------------------------------------------------------

class OperatorKeyTest : public CryptoTest {
protected:
    void SetUp() override { created_ = CreateOperatorKey("hunter2 password", PasswordKdfParams::Fast()); }
    NewOperatorKey created_;
};

TEST_F(OperatorKeyTest, PasswordAndRecoveryUnlock) {
    const auto& w = created_.wrapped;
    EXPECT_EQ(w.public_key, created_.keys.public_key);
    EXPECT_EQ(w.secret_by_password.size(), 32u + kSealOverhead);
    EXPECT_EQ(w.secret_by_recovery.size(), 32u + kSealOverhead);

    auto by_password = UnlockWithPassword(w, "hunter2 password");
    ASSERT_TRUE(by_password.ok());
    EXPECT_EQ(by_password->public_key, created_.keys.public_key);
    EXPECT_TRUE(SameKey(by_password->secret_key, created_.keys.secret_key));

    auto by_recovery = UnlockWithRecovery(w, created_.recovery_key);
    ASSERT_TRUE(by_recovery.ok());
    EXPECT_TRUE(SameKey(by_recovery->secret_key, created_.keys.secret_key));

    // The recovery key may be typed in upper case, with spaces, or without dashes.
    std::string typed = created_.recovery_key;
    std::transform(typed.begin(), typed.end(), typed.begin(), [](char c) { return c == '-' ? ' ' : std::toupper(c); });
    EXPECT_TRUE(UnlockWithRecovery(w, typed).ok());
    std::string bare = created_.recovery_key;
    bare.erase(std::remove(bare.begin(), bare.end(), '-'), bare.end());
    EXPECT_TRUE(UnlockWithRecovery(w, bare).ok());
}

TEST_F(OperatorKeyTest, WrongPasswordOrRecoveryFails) {
    const auto& w = created_.wrapped;
    EXPECT_EQ(UnlockWithPassword(w, "hunter3 password").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithPassword(w, "").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, GenerateRecoveryKey()).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, "").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, "not hex at all").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, created_.recovery_key.substr(2)).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, created_.recovery_key + "00").code(), ErrorCode::kDecryptFailed);
    // The password is not a recovery key and vice versa.
    EXPECT_EQ(UnlockWithPassword(w, created_.recovery_key).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(w, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    // Swapping the two wraps fails (different keys and associated data).
    auto swapped = w;
    std::swap(swapped.secret_by_password, swapped.secret_by_recovery);
    EXPECT_EQ(UnlockWithPassword(swapped, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(swapped, created_.recovery_key).code(), ErrorCode::kDecryptFailed);
    // Another operator's wrap with this operator's public key fails.
    auto other = CreateOperatorKey("hunter2 password", created_.wrapped.kdf);
    auto mixed = other.wrapped;
    mixed.public_key = w.public_key;
    EXPECT_EQ(UnlockWithPassword(mixed, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(mixed, other.recovery_key).code(), ErrorCode::kDecryptFailed);
}

TEST_F(OperatorKeyTest, EveryFlippedByteOfEitherWrapFails) {
    const auto& w = created_.wrapped;
    ExpectEveryFlipFails(
        w.secret_by_password,
        [&](const Bytes& b) {
            auto t = w;
            t.secret_by_password = b;
            return UnlockWithPassword(t, "hunter2 password").code();
        },
        "secret_by_password");
    ExpectEveryFlipFails(
        w.secret_by_recovery,
        [&](const Bytes& b) {
            auto t = w;
            t.secret_by_recovery = b;
            return UnlockWithRecovery(t, created_.recovery_key).code();
        },
        "secret_by_recovery");
    ExpectEveryFlipFails(
        w.public_key,
        [&](const Bytes& b) {
            auto t = w;
            t.public_key = b;
            return UnlockWithPassword(t, "hunter2 password").code();
        },
        "public_key (password)");
    ExpectEveryFlipFails(
        w.public_key,
        [&](const Bytes& b) {
            auto t = w;
            t.public_key = b;
            return UnlockWithRecovery(t, created_.recovery_key).code();
        },
        "public_key (recovery)");
    ExpectEveryFlipFails(
        w.kdf.salt,
        [&](const Bytes& b) {
            auto t = w;
            t.kdf.salt = b;
            return UnlockWithPassword(t, "hunter2 password").code();
        },
        "kdf salt");
}

TEST_F(OperatorKeyTest, ResizedWrapsAndTamperedKdfParamsFail) {
    const auto& w = created_.wrapped;
    ExpectResizesFail(
        w.secret_by_password,
        [&](const Bytes& b) {
            auto t = w;
            t.secret_by_password = b;
            return UnlockWithPassword(t, "hunter2 password").code();
        },
        "secret_by_password");
    ExpectResizesFail(
        w.secret_by_recovery,
        [&](const Bytes& b) {
            auto t = w;
            t.secret_by_recovery = b;
            return UnlockWithRecovery(t, created_.recovery_key).code();
        },
        "secret_by_recovery");

    auto t = w;
    t.kdf.opslimit = 0;
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.kdf.opslimit += 1;
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.kdf.memlimit = 0;
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.kdf.memlimit = std::uint64_t{1} << 50;  // must be refused, not attempted
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.kdf.opslimit = std::uint64_t{1} << 40;
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.kdf.salt.clear();
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    t = w;
    t.public_key.clear();
    EXPECT_EQ(UnlockWithPassword(t, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(t, created_.recovery_key).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithPassword(WrappedOperatorKey{}, "x").code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnlockWithRecovery(WrappedOperatorKey{}, created_.recovery_key).code(), ErrorCode::kDecryptFailed);
}

TEST_F(OperatorKeyTest, RewrapChangesPasswordAndKeepsRecovery) {
    auto unlocked = UnlockWithPassword(created_.wrapped, "hunter2 password");
    ASSERT_TRUE(unlocked.ok());
    auto rewrapped = RewrapWithPassword(*unlocked, created_.wrapped, "new password!", created_.wrapped.kdf);
    EXPECT_NE(rewrapped.kdf.salt, created_.wrapped.kdf.salt);
    EXPECT_EQ(rewrapped.public_key, created_.wrapped.public_key);

    EXPECT_EQ(UnlockWithPassword(rewrapped, "hunter2 password").code(), ErrorCode::kDecryptFailed);
    auto by_new = UnlockWithPassword(rewrapped, "new password!");
    ASSERT_TRUE(by_new.ok());
    EXPECT_TRUE(SameKey(by_new->secret_key, created_.keys.secret_key));
    auto by_recovery = UnlockWithRecovery(rewrapped, created_.recovery_key);
    ASSERT_TRUE(by_recovery.ok());
    EXPECT_TRUE(SameKey(by_recovery->secret_key, created_.keys.secret_key));

    // Rewrapping with a key pair that is not the old wrap's is refused.
    EXPECT_THROW(RewrapWithPassword(KeyPair::Generate(), created_.wrapped, "x", PasswordKdfParams::Fast()),
                 LifelineError);
}

// ---- Team key -----------------------------------------------------------------------------------

TEST_F(CryptoTest, TeamKeyRoundTripAndMismatch) {
    auto team = KeyPair::Generate();
    auto op = KeyPair::Generate();
    auto other_op = KeyPair::Generate();
    auto sealed = SealTeamKey(team, op.public_key);
    auto opened = OpenTeamKey(sealed, op, team.public_key);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->public_key, team.public_key);
    EXPECT_TRUE(SameKey(opened->secret_key, team.secret_key));

    EXPECT_EQ(OpenTeamKey(sealed, other_op, team.public_key).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(OpenTeamKey(sealed, op, KeyPair::Generate().public_key).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(OpenTeamKey(sealed, op, Bytes{}).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(OpenTeamKey(sealed, op, Bytes(31, 0)).code(), ErrorCode::kDecryptFailed);
    // A sealed box holding some other secret, or one of the wrong size, is not a team key.
    EXPECT_EQ(OpenTeamKey(SealTo(op.public_key, RandomBytes(32)), op, team.public_key).code(),
              ErrorCode::kDecryptFailed);
    EXPECT_EQ(OpenTeamKey(SealTo(op.public_key, RandomBytes(31)), op, team.public_key).code(),
              ErrorCode::kDecryptFailed);
    EXPECT_EQ(OpenTeamKey(SealTo(op.public_key, {}), op, team.public_key).code(), ErrorCode::kDecryptFailed);
    Bytes longer(team.secret_key.data(), team.secret_key.data() + 32);
    longer.push_back(0);
    EXPECT_EQ(OpenTeamKey(SealTo(op.public_key, longer), op, team.public_key).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CryptoTest, SealedTeamKeyFailsOnEveryFlippedByteAndResize) {
    auto team = KeyPair::Generate();
    auto op = KeyPair::Generate();
    auto sealed = SealTeamKey(team, op.public_key);
    auto open = [&](const Bytes& b) { return OpenTeamKey(b, op, team.public_key).code(); };
    ExpectEveryFlipFails(sealed, open, "sealed team key");
    ExpectResizesFail(sealed, open, "sealed team key");
    ExpectEveryFlipFails(
        team.public_key, [&](const Bytes& pk) { return OpenTeamKey(sealed, op, pk).code(); }, "team public key");
}

// ---- Case keys ----------------------------------------------------------------------------------

TEST_F(CryptoTest, IntakeEpochWrapUnwrapRoundTrip) {
    auto team = KeyPair::Generate();
    IntakeEpoch epoch(KeyEpochId(7), team.public_key);
    EXPECT_EQ(epoch.id(), KeyEpochId(7));
    EXPECT_EQ(epoch.ephemeral_public_key().size(), 32u);
    EXPECT_NE(epoch.ephemeral_public_key(), team.public_key);
    EXPECT_NE(IntakeEpoch(KeyEpochId(8), team.public_key).ephemeral_public_key(), epoch.ephemeral_public_key());

    for (std::int64_t id = 1; id <= 5; ++id) {
        auto case_key = IntakeEpoch::NewCaseKey();
        EXPECT_EQ(case_key.size(), 32u);
        auto wrapped = epoch.WrapCaseKey(CaseId(id), case_key);
        EXPECT_EQ(wrapped.size(), 32u + kSealOverhead);
        auto unwrapped = UnwrapCaseKey(team, epoch.ephemeral_public_key(), CaseId(id), wrapped);
        ASSERT_TRUE(unwrapped.ok()) << id;
        EXPECT_TRUE(SameKey(*unwrapped, case_key));
    }
    EXPECT_FALSE(SameKey(IntakeEpoch::NewCaseKey(), IntakeEpoch::NewCaseKey()));
}

TEST_F(CryptoTest, UnwrapCaseKeyFailsForOtherCaseTeamOrEpoch) {
    auto team = KeyPair::Generate();
    IntakeEpoch epoch(KeyEpochId(1), team.public_key);
    IntakeEpoch other_epoch(KeyEpochId(2), team.public_key);
    auto case_key = IntakeEpoch::NewCaseKey();
    auto wrapped = epoch.WrapCaseKey(CaseId(10), case_key);
    const auto& eph = epoch.ephemeral_public_key();

    EXPECT_EQ(UnwrapCaseKey(team, eph, CaseId(11), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(team, eph, CaseId(-10), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(KeyPair::Generate(), eph, CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(team, other_epoch.ephemeral_public_key(), CaseId(10), wrapped).code(),
              ErrorCode::kDecryptFailed);
    // Team pair with a foreign public key half: the KDF binds the team public key.
    KeyPair mixed;
    mixed.public_key = KeyPair::Generate().public_key;
    mixed.secret_key = team.secret_key.Clone();
    EXPECT_EQ(UnwrapCaseKey(mixed, eph, CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(KeyPair{}, eph, CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);

    // A case key wrapped for another team.
    auto other_team = KeyPair::Generate();
    IntakeEpoch foreign(KeyEpochId(3), other_team.public_key);
    auto foreign_wrapped = foreign.WrapCaseKey(CaseId(10), case_key);
    EXPECT_EQ(UnwrapCaseKey(team, foreign.ephemeral_public_key(), CaseId(10), foreign_wrapped).code(),
              ErrorCode::kDecryptFailed);

    // Malformed and low-order epoch keys: the all-zero point gives an all-zero shared secret.
    EXPECT_EQ(UnwrapCaseKey(team, Bytes(32, 0), CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
    Bytes one(32, 0);
    one[0] = 1;
    EXPECT_EQ(UnwrapCaseKey(team, one, CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(team, Bytes{}, CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKey(team, Bytes(33, 9), CaseId(10), wrapped).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CryptoTest, WrappedCaseKeyFailsOnEveryFlippedByteAndResize) {
    auto team = KeyPair::Generate();
    IntakeEpoch epoch(KeyEpochId(1), team.public_key);
    auto wrapped = epoch.WrapCaseKey(CaseId(99), IntakeEpoch::NewCaseKey());
    auto open = [&](const Bytes& b) { return UnwrapCaseKey(team, epoch.ephemeral_public_key(), CaseId(99), b).code(); };
    ExpectEveryFlipFails(wrapped, open, "wrapped case key");
    ExpectResizesFail(wrapped, open, "wrapped case key");
    // Even the top bit of the ephemeral public key, which X25519 ignores, is bound by the KDF.
    ExpectEveryFlipFails(
        epoch.ephemeral_public_key(),
        [&](const Bytes& eph) { return UnwrapCaseKey(team, eph, CaseId(99), wrapped).code(); },
        "epoch public key");
}

TEST_F(CryptoTest, IntakeEpochRejectsBadTeamKeys) {
    EXPECT_THROW(IntakeEpoch(KeyEpochId(1), Bytes(31, 1)), LifelineError);
    EXPECT_THROW(IntakeEpoch(KeyEpochId(1), Bytes(32, 0)), LifelineError);
    auto team = KeyPair::Generate();
    IntakeEpoch epoch(KeyEpochId(1), team.public_key);
    EXPECT_THROW(epoch.WrapCaseKey(CaseId(1), SecretKey::Random(16)), LifelineError);
}

TEST_F(CryptoTest, ReceiptWrapRoundTripAndNormalisation) {
    auto case_key = IntakeEpoch::NewCaseKey();
    const std::string receipt = "K7QM-2XR9-PLW4-88ZT";
    auto wrapped = WrapCaseKeyForReceipt(receipt, CaseId(5), case_key);
    EXPECT_EQ(wrapped.size(), 32u + kSealOverhead);
    for (const std::string& typed : {receipt, std::string("k7qm2xr9plw488zt"), std::string("k7qm 2xr9 plw4 88zt"),
                                     std::string(" K7QM-2xr9 - PLW4-88zt ")}) {
        auto unwrapped = UnwrapCaseKeyWithReceipt(typed, CaseId(5), wrapped);
        ASSERT_TRUE(unwrapped.ok()) << typed;
        EXPECT_TRUE(SameKey(*unwrapped, case_key));
    }
    EXPECT_EQ(UnwrapCaseKeyWithReceipt("K7QM-2XR9-PLW4-88ZU", CaseId(5), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKeyWithReceipt("", CaseId(5), wrapped).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(UnwrapCaseKeyWithReceipt(receipt, CaseId(6), wrapped).code(), ErrorCode::kDecryptFailed);

    // A receipt wrap and an epoch wrap are not interchangeable.
    auto team = KeyPair::Generate();
    IntakeEpoch epoch(KeyEpochId(1), team.public_key);
    EXPECT_EQ(UnwrapCaseKey(team, epoch.ephemeral_public_key(), CaseId(5), wrapped).code(),
              ErrorCode::kDecryptFailed);
    EXPECT_THROW(WrapCaseKeyForReceipt(receipt, CaseId(5), SecretKey::Random(31)), LifelineError);
}

TEST_F(CryptoTest, ReceiptWrappedKeyFailsOnEveryFlippedByteAndResize) {
    const std::string receipt = "ABCD-EFGH-JKMN-PQRS";
    auto wrapped = WrapCaseKeyForReceipt(receipt, CaseId(3), IntakeEpoch::NewCaseKey());
    auto open = [&](const Bytes& b) { return UnwrapCaseKeyWithReceipt(receipt, CaseId(3), b).code(); };
    ExpectEveryFlipFails(wrapped, open, "receipt-wrapped key");
    ExpectResizesFail(wrapped, open, "receipt-wrapped key");
}

// ---- Secrets file -------------------------------------------------------------------------------

class SecretsFileTest : public CryptoTest {
protected:
    void SetUp() override {
        std::string tmpl = ::testing::TempDir() + "lifeline-crypto-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }
    std::string Write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
        auto path = PathOf(name);
        std::ofstream(path) << content;
        ::chmod(path.c_str(), mode);
        return path;
    }
    static std::string ReadAll(const std::string& path) {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    std::filesystem::path dir_;
};

TEST_F(SecretsFileTest, SaveLoadRoundTripWithMode0600) {
    auto secrets = Secrets::Generate();
    EXPECT_EQ(secrets.pseudonym_key.size(), 32u);
    EXPECT_FALSE(SameKey(secrets.pseudonym_key, secrets.audit_key));
    auto path = PathOf("secrets");
    auto saved = secrets.Save(path);
    ASSERT_TRUE(saved.ok()) << saved.error().message;

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    auto content = ReadAll(path);
    EXPECT_EQ(content.rfind("# lifeline secrets v1\n", 0), 0u) << content;
    EXPECT_NE(content.find("audit_key = " + ToHex(secrets.audit_key.view())), std::string::npos);

    auto loaded = Secrets::Load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_TRUE(SameKey(loaded->pseudonym_key, secrets.pseudonym_key));
    EXPECT_TRUE(SameKey(loaded->audit_key, secrets.audit_key));
    EXPECT_TRUE(SameKey(loaded->session_key, secrets.session_key));
}

TEST_F(SecretsFileTest, SaveRefusesToOverwrite) {
    auto path = Write("secrets", "do not touch\n");
    auto saved = Secrets::Generate().Save(path);
    EXPECT_FALSE(saved.ok());
    EXPECT_EQ(saved.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(ReadAll(path), "do not touch\n");

    auto first = PathOf("secrets2");
    ASSERT_TRUE(Secrets::Generate().Save(first).ok());
    auto before = ReadAll(first);
    EXPECT_FALSE(Secrets::Generate().Save(first).ok());
    EXPECT_EQ(ReadAll(first), before);

    EXPECT_FALSE(Secrets::Generate().Save(PathOf("no/such/dir/secrets")).ok());
}

TEST_F(SecretsFileTest, LoadRefusesGroupOrWorldReadableFiles) {
    auto path = PathOf("secrets");
    ASSERT_TRUE(Secrets::Generate().Save(path).ok());
    for (mode_t mode : {0644, 0640, 0604, 0610, 0601}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
        auto loaded = Secrets::Load(path);
        EXPECT_EQ(loaded.code(), ErrorCode::kForbidden) << std::oct << mode;
        if (!loaded.ok()) {
            EXPECT_NE(loaded.error().message.find(path), std::string::npos);
        }
    }
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    auto loaded = Secrets::Load(path);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("0644"), std::string::npos) << loaded.error().message;
    ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
    EXPECT_TRUE(Secrets::Load(path).ok());
}

TEST_F(SecretsFileTest, LoadRejectsMissingOrMalformedFiles) {
    EXPECT_EQ(Secrets::Load(PathOf("missing")).code(), ErrorCode::kInvalidArgument);

    const std::string hex(64, 'a');
    const std::string good = "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex +
                             "\nsession_key = " + hex + "\n";
    EXPECT_TRUE(Secrets::Load(Write("good", good)).ok());
    // Comments and blank lines are allowed after the header.
    EXPECT_TRUE(Secrets::Load(Write("comments", "# lifeline secrets v1\n\n# note\npseudonym_key=" + hex +
                                                    "\n  audit_key =" + hex + "  \nsession_key = " + hex))
                    .ok());

    const std::string bad[] = {
        "",
        "pseudonym_key = " + hex + "\naudit_key = " + hex + "\nsession_key = " + hex + "\n",  // no header
        "# lifeline secrets v2\npseudonym_key = " + hex + "\naudit_key = " + hex + "\nsession_key = " + hex,
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex + "\n",  // one missing
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex + "\nsession_key = " + hex +
            "\naudit_key = " + hex + "\n",  // duplicate
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex + "\nsession_kee = " + hex,
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex.substr(2) + "\nsession_key = " +
            hex,  // short
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + hex + "00\nsession_key = " + hex,
        "# lifeline secrets v1\npseudonym_key = " + hex + "\naudit_key = " + std::string(63, 'a') + "g\n" +
            "session_key = " + hex,  // not hex
        "# lifeline secrets v1\npseudonym_key " + hex + "\naudit_key = " + hex + "\nsession_key = " + hex,
        std::string(10000, 'x'),
    };
    int i = 0;
    for (const auto& content : bad) {
        auto path = Write("bad" + std::to_string(i++), content);
        auto loaded = Secrets::Load(path);
        EXPECT_EQ(loaded.code(), ErrorCode::kInvalidArgument) << content.substr(0, 200);
        if (!loaded.ok()) {
            EXPECT_EQ(loaded.error().message.find(hex), std::string::npos) << "secret leaked into the message";
        }
    }
    // A directory is not a secrets file.
    std::filesystem::create_directory(dir_ / "adir");
    ::chmod(PathOf("adir").c_str(), 0700);
    EXPECT_EQ(Secrets::Load(PathOf("adir")).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lifeline::crypto
