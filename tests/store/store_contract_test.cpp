// The contract every Store backend keeps (store.hpp), run against each backend in store_backends.hpp.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_backends.hpp"

namespace lifeline::store {
namespace {

using test::BackendFactory;
using test::TempDir;

// Bytes with zero bytes inside, so that no backend may treat blobs as C strings.
Bytes Blob(std::uint8_t tag, std::size_t size = 8) {
    Bytes b(size);
    for (std::size_t i = 0; i < size; ++i) b[i] = (i % 3 == 1) ? 0 : static_cast<std::uint8_t>(tag + i);
    return b;
}

UserRecord MakeUser(const std::string& name, std::uint8_t tag = 1) {
    UserRecord u;
    u.username = name;
    u.role = Role::kSupervisor;
    u.disabled = true;
    u.public_key = Blob(tag, 32);
    u.kdf_salt = Blob(tag + 1, 16);
    u.kdf_opslimit = 3;
    u.kdf_memlimit = std::uint64_t{1} << 40;
    u.secret_by_password = Blob(tag + 2, 72);
    u.secret_by_recovery = Blob(tag + 3, 72);
    u.team_key_sealed = Blob(tag + 4, 80);
    u.totp_secret_sealed = Blob(tag + 5, 68);
    u.totp_enabled = true;
    u.totp_last_step = 58'907'520 + tag;
    u.must_change_password = false;
    u.failed_logins = 4;
    u.locked_until_ms = 1'767'225'700'000;
    u.created_ms = 1'767'225'600'000;
    u.updated_ms = 1'767'225'650'000;
    return u;
}

auto Tie(const UserRecord& u) {
    return std::tie(u.id, u.username, u.role, u.disabled, u.public_key, u.kdf_salt, u.kdf_opslimit, u.kdf_memlimit,
                    u.secret_by_password, u.secret_by_recovery, u.team_key_sealed, u.totp_secret_sealed,
                    u.totp_enabled, u.totp_last_step, u.must_change_password, u.failed_logins, u.locked_until_ms,
                    u.created_ms, u.updated_ms);
}
auto Tie(const SessionRecord& s) {
    return std::tie(s.id_hash, s.user, s.stage, s.created_ms, s.last_seen_ms, s.keys_sealed, s.csrf_hash);
}
auto Tie(const AuditRecord& a) {
    return std::tie(a.seq, a.at_ms, a.actor, a.action, a.target, a.detail, a.prev_hash, a.hash);
}
auto Tie(const CaseRecord& c) {
    return std::tie(c.id, c.applicant, c.kind, c.state, c.channel, c.key_epoch, c.wrapped_key, c.receipt_lookup,
                    c.receipt_wrapped_key, c.assignee, c.created_ms, c.updated_ms);
}
auto Tie(const MessageRecord& m) {
    return std::tie(m.id, m.case_id, m.kind, m.channel, m.author, m.created_ms, m.ciphertext);
}

SessionRecord MakeSession(std::uint8_t tag, UserId user) {
    SessionRecord s;
    s.id_hash = Blob(tag, 32);
    s.user = user;
    s.stage = SessionStage::kTotpVerify;
    s.created_ms = 1000;
    s.last_seen_ms = 2000;
    s.keys_sealed = Blob(tag + 1, 48);
    s.csrf_hash = Blob(tag + 2, 32);
    return s;
}

// A stand-in for the audit module's chain: deterministic, and sensitive to every field the store
// must set before calling it.
Bytes FakeEntryHash(const AuditRecord& r) {
    Bytes h(32, 0);
    std::string text = std::to_string(r.seq) + "|" + std::to_string(r.at_ms) + "|" + std::to_string(r.actor) + "|" +
                       r.action + "|" + r.target + "|" + r.detail + "|";
    text.append(r.prev_hash.begin(), r.prev_hash.end());
    for (std::size_t i = 0; i < text.size(); ++i)
        h[i % 32] = static_cast<std::uint8_t>(h[i % 32] * 31 + static_cast<std::uint8_t>(text[i]) + 7);
    return h;
}
Bytes FakeHeadMac(std::int64_t seq, ByteView hash) {
    Bytes mac(hash.begin(), hash.end());
    for (auto& b : mac) b = static_cast<std::uint8_t>(b ^ 0x5a ^ static_cast<std::uint8_t>(seq));
    return mac;
}
AuditChain FakeChain() { return AuditChain{FakeEntryHash, FakeHeadMac}; }

AuditRecord Draft(int i) {
    AuditRecord d;
    d.at_ms = 5000 + i;
    d.actor = i % 3;
    d.action = "case.read";
    d.target = "case:" + std::to_string(i);
    d.detail = "n=" + std::to_string(i);
    return d;
}

CaseRecord MakeCase(std::int64_t id, ApplicantId applicant, std::uint8_t tag, bool with_receipt = true) {
    CaseRecord c;
    c.id = CaseId{id};
    c.applicant = applicant;
    c.kind = CaseKind::kRelativeInquiry;
    c.state = "triage";
    c.channel = Channel::kTelegram;
    c.key_epoch = KeyEpochId{7};
    c.wrapped_key = Blob(tag, 80);
    if (with_receipt) c.receipt_lookup = Blob(tag + 1, 32);
    c.receipt_wrapped_key = Blob(tag + 2, 72);
    c.assignee = UserId{3};
    c.created_ms = 10'000 + id % 1000;
    c.updated_ms = 20'000;
    return c;
}

MessageRecord MakeMessage(CaseId case_id, std::uint8_t tag) {
    MessageRecord m;
    m.case_id = case_id;
    m.kind = "inbound";
    m.channel = Channel::kSms;
    m.author = UserId{0};
    m.created_ms = 30'000 + tag;
    m.ciphertext = Blob(tag, 60);
    return m;
}

class StoreContract : public ::testing::TestWithParam<BackendFactory> {
protected:
    void SetUp() override { store_ = GetParam().open(dir_); }
    void TearDown() override { store_.reset(); }

    Store& store() { return *store_; }

    TempDir dir_;
    std::unique_ptr<Store> store_;
};

// ---- meta ----

TEST_P(StoreContract, MetaMissingIsEmpty) { EXPECT_FALSE(store().GetMeta("nothing").has_value()); }

TEST_P(StoreContract, MetaPutGetOverwrite) {
    const Bytes first = Blob(9, 40);
    store().PutMeta("team_public_key", first);
    EXPECT_EQ(store().GetMeta("team_public_key"), first);
    const Bytes second = Blob(20, 3);
    store().PutMeta("team_public_key", second);
    EXPECT_EQ(store().GetMeta("team_public_key"), second);
    store().PutMeta("empty", Bytes{});
    ASSERT_TRUE(store().GetMeta("empty").has_value());
    EXPECT_TRUE(store().GetMeta("empty")->empty());
    EXPECT_EQ(store().GetMeta("team_public_key"), second);
}

// ---- users ----

TEST_P(StoreContract, InsertUserRoundTripsEveryField) {
    UserRecord user = MakeUser("alice");
    auto id = store().InsertUser(user);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_TRUE(id->valid());
    user.id = *id;
    auto found = store().FindUser(*id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(user));
    auto by_name = store().FindUserByName("alice");
    ASSERT_TRUE(by_name.has_value());
    EXPECT_EQ(Tie(*by_name), Tie(user));
}

TEST_P(StoreContract, UserWithEmptyBlobsAndDefaultsRoundTrips) {
    UserRecord user;
    user.username = "bob";
    auto id = store().InsertUser(user);
    ASSERT_TRUE(id.ok());
    user.id = *id;
    auto found = store().FindUser(*id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(user));
    EXPECT_TRUE(found->totp_secret_sealed.empty());
}

TEST_P(StoreContract, InsertUserAssignsDistinctIds) {
    auto a = store().InsertUser(MakeUser("a"));
    auto b = store().InsertUser(MakeUser("b"));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(*a, *b);
    EXPECT_TRUE(a->valid() && b->valid());
}

TEST_P(StoreContract, DuplicateUsernameIsAlreadyExists) {
    ASSERT_TRUE(store().InsertUser(MakeUser("carol", 1)).ok());
    auto again = store().InsertUser(MakeUser("carol", 2));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(store().ListUsers().size(), 1u);
    EXPECT_EQ(store().FindUserByName("carol")->public_key, Blob(1, 32));
}

TEST_P(StoreContract, FindMissingUser) {
    EXPECT_FALSE(store().FindUser(UserId{42}).has_value());
    EXPECT_FALSE(store().FindUserByName("nobody").has_value());
}

TEST_P(StoreContract, ListUsersOrderedById) {
    EXPECT_TRUE(store().ListUsers().empty());
    std::vector<UserId> ids;
    for (const char* name : {"zed", "amy", "mid"}) ids.push_back(store().InsertUser(MakeUser(name)).value());
    auto users = store().ListUsers();
    ASSERT_EQ(users.size(), 3u);
    for (std::size_t i = 1; i < users.size(); ++i) EXPECT_LT(users[i - 1].id, users[i].id);
    std::set<UserId> listed;
    for (const auto& u : users) listed.insert(u.id);
    EXPECT_EQ(listed, std::set<UserId>(ids.begin(), ids.end()));
}

TEST_P(StoreContract, UpdateUserReplacesEveryField) {
    UserId id = store().InsertUser(MakeUser("dave", 1)).value();
    UserRecord changed = MakeUser("dave2", 50);
    changed.id = id;
    changed.role = Role::kAdmin;
    changed.disabled = false;
    changed.kdf_opslimit = 9;
    changed.kdf_memlimit = 12345;
    changed.totp_secret_sealed.clear();
    changed.totp_enabled = false;
    changed.totp_last_step = 0;
    changed.must_change_password = true;
    changed.failed_logins = 0;
    changed.locked_until_ms = 0;
    changed.created_ms = 1;
    changed.updated_ms = 2;
    ASSERT_TRUE(store().UpdateUser(changed).ok());
    auto found = store().FindUser(id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(changed));
    EXPECT_FALSE(store().FindUserByName("dave").has_value());
}

TEST_P(StoreContract, UpdateMissingUserIsNotFound) {
    UserRecord ghost = MakeUser("ghost");
    ghost.id = UserId{999};
    auto r = store().UpdateUser(ghost);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), ErrorCode::kNotFound);
    EXPECT_TRUE(store().ListUsers().empty());
}

TEST_P(StoreContract, UpdateUserToTakenNameIsAlreadyExists) {
    store().InsertUser(MakeUser("erin")).value();
    UserRecord frank = MakeUser("frank");
    frank.id = store().InsertUser(frank).value();
    frank.username = "erin";
    EXPECT_EQ(store().UpdateUser(frank).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(store().FindUser(frank.id)->username, "frank");
}

// ---- sessions ----

TEST_P(StoreContract, SessionRoundTrip) {
    UserId user = store().InsertUser(MakeUser("s")).value();
    SessionRecord session = MakeSession(1, user);
    session.stage = SessionStage::kPasswordChange;
    store().InsertSession(session);
    auto found = store().FindSession(session.id_hash);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(session));
    EXPECT_FALSE(store().FindSession(Blob(99, 32)).has_value());
}

TEST_P(StoreContract, EveryStageRoundTrips) {
    UserId user = store().InsertUser(MakeUser("s")).value();
    std::uint8_t tag = 1;
    for (auto stage : {SessionStage::kPasswordChange, SessionStage::kTotpEnrol, SessionStage::kTotpVerify,
                       SessionStage::kActive}) {
        SessionRecord s = MakeSession(tag, user);
        tag += 10;
        s.stage = stage;
        store().InsertSession(s);
        EXPECT_EQ(store().FindSession(s.id_hash)->stage, stage);
    }
}

TEST_P(StoreContract, UpdateSessionReplacesMutableFields) {
    UserId user = store().InsertUser(MakeUser("s")).value();
    SessionRecord session = MakeSession(1, user);
    store().InsertSession(session);
    SessionRecord update = session;
    update.stage = SessionStage::kActive;
    update.last_seen_ms = 9000;
    update.keys_sealed = Blob(70, 48);
    update.csrf_hash = Bytes{};
    update.created_ms = 1;  // not among the replaced fields
    store().UpdateSession(update);
    auto found = store().FindSession(session.id_hash);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->stage, SessionStage::kActive);
    EXPECT_EQ(found->last_seen_ms, 9000);
    EXPECT_EQ(found->keys_sealed, update.keys_sealed);
    EXPECT_TRUE(found->csrf_hash.empty());
    EXPECT_EQ(found->created_ms, session.created_ms);
    EXPECT_EQ(found->user, user);
}

TEST_P(StoreContract, DeleteSession) {
    UserId user = store().InsertUser(MakeUser("s")).value();
    SessionRecord a = MakeSession(1, user);
    SessionRecord b = MakeSession(40, user);
    store().InsertSession(a);
    store().InsertSession(b);
    store().DeleteSession(a.id_hash);
    EXPECT_FALSE(store().FindSession(a.id_hash).has_value());
    EXPECT_TRUE(store().FindSession(b.id_hash).has_value());
    store().DeleteSession(a.id_hash);  // deleting again is harmless
}

TEST_P(StoreContract, DeleteSessionsOfUser) {
    UserId u1 = store().InsertUser(MakeUser("u1")).value();
    UserId u2 = store().InsertUser(MakeUser("u2")).value();
    SessionRecord a = MakeSession(1, u1);
    SessionRecord b = MakeSession(40, u1);
    SessionRecord c = MakeSession(80, u2);
    for (const auto& s : {a, b, c}) store().InsertSession(s);
    store().DeleteSessionsOfUser(u1);
    EXPECT_FALSE(store().FindSession(a.id_hash).has_value());
    EXPECT_FALSE(store().FindSession(b.id_hash).has_value());
    EXPECT_TRUE(store().FindSession(c.id_hash).has_value());
}

TEST_P(StoreContract, DeleteExpiredSessions) {
    UserId user = store().InsertUser(MakeUser("s")).value();
    SessionRecord fresh = MakeSession(1, user);
    fresh.created_ms = 10'000;
    fresh.last_seen_ms = 20'000;
    SessionRecord idle = MakeSession(40, user);
    idle.created_ms = 10'000;
    idle.last_seen_ms = 11'000;
    SessionRecord old = MakeSession(80, user);
    old.created_ms = 1'000;
    old.last_seen_ms = 20'000;
    for (const auto& s : {fresh, idle, old}) store().InsertSession(s);
    // Idle before 15'000 or created before 5'000.
    EXPECT_EQ(store().DeleteExpiredSessions(15'000, 5'000), 2u);
    EXPECT_TRUE(store().FindSession(fresh.id_hash).has_value());
    EXPECT_FALSE(store().FindSession(idle.id_hash).has_value());
    EXPECT_FALSE(store().FindSession(old.id_hash).has_value());
    EXPECT_EQ(store().DeleteExpiredSessions(15'000, 5'000), 0u);
}

// ---- audit ----

TEST_P(StoreContract, AuditAppendChainsFromZeroHash) {
    const AuditChain chain = FakeChain();
    std::vector<AuditRecord> appended;
    for (int i = 1; i <= 5; ++i) appended.push_back(store().AppendAudit(Draft(i), chain));
    for (int i = 0; i < 5; ++i) {
        const AuditRecord& r = appended[i];
        EXPECT_EQ(r.seq, i + 1);
        EXPECT_EQ(r.at_ms, Draft(i + 1).at_ms);
        EXPECT_EQ(r.action, "case.read");
        EXPECT_EQ(r.target, Draft(i + 1).target);
        EXPECT_EQ(r.prev_hash, i == 0 ? Bytes(32, 0) : appended[i - 1].hash);
        EXPECT_EQ(r.hash, FakeEntryHash(r));
    }
    auto stored = store().ReadAudit(1, 100);
    ASSERT_EQ(stored.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(Tie(stored[i]), Tie(appended[i]));
}

TEST_P(StoreContract, AuditHeadMetaWritten) {
    EXPECT_FALSE(store().GetMeta("audit_head").has_value());
    AuditRecord last;
    for (int i = 1; i <= 3; ++i) last = store().AppendAudit(Draft(i), FakeChain());
    auto head = store().GetMeta("audit_head");
    ASSERT_TRUE(head.has_value());
    Bytes expected = {0, 0, 0, 0, 0, 0, 0, 3};
    expected.insert(expected.end(), last.hash.begin(), last.hash.end());
    const Bytes mac = FakeHeadMac(3, last.hash);
    expected.insert(expected.end(), mac.begin(), mac.end());
    EXPECT_EQ(*head, expected);
}

TEST_P(StoreContract, ReadAuditPages) {
    for (int i = 1; i <= 10; ++i) store().AppendAudit(Draft(i), FakeChain());
    auto page = [&](std::int64_t from, std::size_t limit) {
        std::vector<std::int64_t> seqs;
        for (const auto& r : store().ReadAudit(from, limit)) seqs.push_back(r.seq);
        return seqs;
    };
    EXPECT_EQ(page(1, 4), (std::vector<std::int64_t>{1, 2, 3, 4}));
    EXPECT_EQ(page(5, 4), (std::vector<std::int64_t>{5, 6, 7, 8}));
    EXPECT_EQ(page(9, 4), (std::vector<std::int64_t>{9, 10}));
    EXPECT_TRUE(page(11, 4).empty());
    EXPECT_TRUE(page(1, 0).empty());
    EXPECT_EQ(page(0, 2), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(page(3, static_cast<std::size_t>(-1)).size(), 8u);
}

TEST_P(StoreContract, FailedAuditAppendLeavesNoTrace) {
    store().AppendAudit(Draft(1), FakeChain());
    const auto head = store().GetMeta("audit_head");
    // Fails after the row is written: the row must go too.
    AuditChain broken{FakeEntryHash, [](std::int64_t, ByteView) -> Bytes { throw std::runtime_error("no key"); }};
    EXPECT_THROW(store().AppendAudit(Draft(2), broken), std::runtime_error);
    EXPECT_EQ(store().ReadAudit(1, 10).size(), 1u);
    EXPECT_EQ(store().GetMeta("audit_head"), head);
    EXPECT_EQ(store().AppendAudit(Draft(3), FakeChain()).seq, 2);
}

TEST_P(StoreContract, ConcurrentAuditAppendsHaveNoGaps) {
    constexpr int kThreads = 8;
    constexpr int kEach = 10;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) store().AppendAudit(Draft(t * kEach + i), FakeChain());
        });
    for (auto& t : threads) t.join();
    auto all = store().ReadAudit(1, 1000);
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(all[i].prev_hash, i == 0 ? Bytes(32, 0) : all[i - 1].hash);
        EXPECT_EQ(all[i].hash, FakeEntryHash(all[i]));
    }
}

// ---- key epochs, applicants ----

TEST_P(StoreContract, KeyEpochs) {
    const Bytes pk1 = Blob(1, 32);
    const Bytes pk2 = Blob(2, 32);
    KeyEpochId e1 = store().InsertKeyEpoch(pk1, 100);
    KeyEpochId e2 = store().InsertKeyEpoch(pk2, 200);
    EXPECT_TRUE(e1.valid());
    EXPECT_NE(e1, e2);
    auto found = store().FindKeyEpoch(e2);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, e2);
    EXPECT_EQ(found->ephemeral_public_key, pk2);
    EXPECT_EQ(found->created_ms, 200);
    EXPECT_EQ(store().FindKeyEpoch(e1)->ephemeral_public_key, pk1);
    EXPECT_FALSE(store().FindKeyEpoch(KeyEpochId{e2.value + 100}).has_value());
}

TEST_P(StoreContract, FindOrInsertApplicantIsIdempotent) {
    const Bytes p1 = Blob(1, 32);
    const Bytes p2 = Blob(2, 32);
    ApplicantId a = store().FindOrInsertApplicant(p1, 100);
    EXPECT_TRUE(a.valid());
    EXPECT_EQ(store().FindOrInsertApplicant(p1, 200), a);
    ApplicantId b = store().FindOrInsertApplicant(p2, 300);
    EXPECT_NE(a, b);
    EXPECT_EQ(store().FindOrInsertApplicant(p2, 400), b);
    EXPECT_EQ(store().FindOrInsertApplicant(p1, 500), a);
}

TEST_P(StoreContract, ConcurrentFindOrInsertApplicantAgrees) {
    const Bytes pseudonym = Blob(5, 32);
    std::vector<ApplicantId> ids(16);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < ids.size(); ++i)
        threads.emplace_back([&, i] { ids[i] = store().FindOrInsertApplicant(pseudonym, 1); });
    for (auto& t : threads) t.join();
    for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
}

// ---- cases ----

TEST_P(StoreContract, CaseRoundTrip) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(812'345'678'901, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    auto found = store().FindCase(c.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(c));
    auto by_receipt = store().FindCaseByReceipt(c.receipt_lookup);
    ASSERT_TRUE(by_receipt.has_value());
    EXPECT_EQ(Tie(*by_receipt), Tie(c));
    EXPECT_FALSE(store().FindCase(CaseId{5}).has_value());
    EXPECT_FALSE(store().FindCaseByReceipt(Blob(200, 32)).has_value());
}

TEST_P(StoreContract, CasesWithoutReceipt) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord a = MakeCase(1001, applicant, 10, false);
    CaseRecord b = MakeCase(1002, applicant, 20, false);
    ASSERT_TRUE(store().InsertCase(a).ok());
    ASSERT_TRUE(store().InsertCase(b).ok()) << "two cases without a receipt must not collide";
    EXPECT_TRUE(store().FindCase(a.id)->receipt_lookup.empty());
    EXPECT_EQ(Tie(*store().FindCase(b.id)), Tie(b));
    EXPECT_FALSE(store().FindCaseByReceipt(Bytes{}).has_value());
}

TEST_P(StoreContract, DuplicateCaseIdIsAlreadyExists) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord first = MakeCase(777, applicant, 10);
    ASSERT_TRUE(store().InsertCase(first).ok());
    auto again = store().InsertCase(MakeCase(777, applicant, 50));
    EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(Tie(*store().FindCase(CaseId{777})), Tie(first));
}

TEST_P(StoreContract, DuplicateReceiptIsAlreadyExists) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    ASSERT_TRUE(store().InsertCase(MakeCase(1, applicant, 10)).ok());
    EXPECT_EQ(store().InsertCase(MakeCase(2, applicant, 10)).code(), ErrorCode::kAlreadyExists);
    EXPECT_FALSE(store().FindCase(CaseId{2}).has_value());
}

TEST_P(StoreContract, CasesOfApplicant) {
    ApplicantId mine = store().FindOrInsertApplicant(Blob(1), 1);
    ApplicantId other = store().FindOrInsertApplicant(Blob(2), 1);
    CaseRecord newer = MakeCase(9001, mine, 10);
    newer.created_ms = 50'000;
    CaseRecord older = MakeCase(9002, mine, 20);
    older.created_ms = 40'000;
    ASSERT_TRUE(store().InsertCase(newer).ok());
    ASSERT_TRUE(store().InsertCase(older).ok());
    ASSERT_TRUE(store().InsertCase(MakeCase(9003, other, 30)).ok());
    auto cases = store().CasesOfApplicant(mine);
    ASSERT_EQ(cases.size(), 2u);
    EXPECT_EQ(Tie(cases[0]), Tie(older));
    EXPECT_EQ(Tie(cases[1]), Tie(newer));
    EXPECT_EQ(store().CasesOfApplicant(other).size(), 1u);
    EXPECT_TRUE(store().CasesOfApplicant(ApplicantId{999}).empty());
}

// ---- messages ----

TEST_P(StoreContract, MessagesInInsertionOrder) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c1 = MakeCase(31, applicant, 10);
    CaseRecord c2 = MakeCase(32, applicant, 20);
    ASSERT_TRUE(store().InsertCase(c1).ok());
    ASSERT_TRUE(store().InsertCase(c2).ok());
    EXPECT_TRUE(store().MessagesOfCase(c1.id).empty());

    std::vector<MessageRecord> expected;
    for (std::uint8_t i = 0; i < 5; ++i) {
        MessageRecord m = MakeMessage(c1.id, static_cast<std::uint8_t>(50 - i));  // created_ms decreasing
        if (i == 2) {
            m.kind = "reply";
            m.channel = Channel::kOperatorEntered;
            m.author = UserId{4};
            m.ciphertext.clear();
        }
        m.id = store().InsertMessage(m);
        EXPECT_TRUE(m.id.valid());
        if (!expected.empty()) {
            EXPECT_GT(m.id, expected.back().id);
        }
        expected.push_back(m);
        store().InsertMessage(MakeMessage(c2.id, i));  // interleaved, another case
    }
    auto messages = store().MessagesOfCase(c1.id);
    ASSERT_EQ(messages.size(), expected.size());
    for (std::size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(Tie(messages[i]), Tie(expected[i]));
    EXPECT_EQ(store().MessagesOfCase(c2.id).size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(test::SqliteBackend()),
                         [](const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace lifeline::store
