// The contract every Store backend keeps (store.hpp), run against each backend in store_backends.hpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
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
    u.skills = {{"en", "uk"}, {CaseKind::kRelativeInquiry}};
    return u;
}

auto Tie(const UserRecord& u) {
    return std::tie(u.id, u.username, u.role, u.disabled, u.public_key, u.kdf_salt, u.kdf_opslimit, u.kdf_memlimit,
                    u.secret_by_password, u.secret_by_recovery, u.team_key_sealed, u.totp_secret_sealed,
                    u.totp_enabled, u.totp_last_step, u.must_change_password, u.failed_logins, u.locked_until_ms,
                    u.created_ms, u.updated_ms, u.skills);
}
auto Tie(const SessionRecord& s) {
    return std::tie(s.id_hash, s.user, s.stage, s.created_ms, s.last_seen_ms, s.keys_sealed, s.csrf_hash);
}
auto Tie(const AuditRecord& a) {
    return std::tie(a.seq, a.at_ms, a.actor, a.action, a.target, a.detail, a.prev_hash, a.hash);
}
auto Tie(const CaseRecord& c) {
    return std::tie(c.id, c.applicant, c.kind, c.state, c.channel, c.key_epoch, c.wrapped_key, c.receipt_lookup,
                    c.receipt_wrapped_key, c.assignee, c.created_ms, c.updated_ms, c.triage, c.suspect,
                    c.closure_reason, c.inquiry_answer, c.language, c.last_inbound_ms);
}
auto Tie(const CaseEventRecord& e) {
    return std::tie(e.id, e.case_id, e.at_ms, e.actor, e.type, e.from_value, e.to_value, e.reason_sealed);
}
auto Tie(const HandoffRecord& h) {
    return std::tie(h.id, h.case_id, h.coordinator, h.created_by, h.created_ms, h.payload_sealed, h.outcome,
                    h.outcome_ms, h.outcome_sealed);
}
auto Tie(const AttachmentRecord& a) {
    return std::tie(a.id, a.case_id, a.message_id, a.mime, a.size, a.created_ms, a.ciphertext);
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
    c.triage = "urgent";
    c.suspect = true;
    c.closure_reason = "duplicate";
    c.inquiry_answer = "found";
    c.language = "uk";
    c.last_inbound_ms = 19'000;
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

CaseEventRecord MakeEvent(std::string type, std::string from, std::string to, std::int64_t at_ms,
                          std::uint8_t tag = 0) {
    CaseEventRecord e;
    e.at_ms = at_ms;
    e.actor = UserId{5};
    e.type = std::move(type);
    e.from_value = std::move(from);
    e.to_value = std::move(to);
    if (tag != 0) e.reason_sealed = Blob(tag, 40);
    return e;
}

AttachmentRecord MakeAttachment(std::uint8_t tag, std::string mime = "image/jpeg") {
    AttachmentRecord a;
    a.mime = std::move(mime);
    a.size = 1000 + tag;
    a.created_ms = 40'000 + tag;
    a.ciphertext = Blob(tag, 120);
    return a;
}

HandoffRecord MakeHandoff(CaseId case_id, UserId coordinator, std::int64_t created_ms, std::uint8_t tag) {
    HandoffRecord h;
    h.case_id = case_id;
    h.coordinator = coordinator;
    h.created_by = UserId{2};
    h.created_ms = created_ms;
    h.payload_sealed = Blob(tag, 90);
    return h;
}

std::vector<std::int64_t> CaseIds(const std::vector<CaseRecord>& cases) {
    std::vector<std::int64_t> ids;
    for (const auto& c : cases) ids.push_back(c.id.value);
    return ids;
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

TEST_P(StoreContract, UpdateUserLeavesSkillsAndUpdateUserSkillsSetsThem) {
    UserRecord user = MakeUser("gina");
    user.id = store().InsertUser(user).value();
    EXPECT_EQ(store().FindUser(user.id)->skills, user.skills);

    // A row rewritten from a copy read before the skills changed does not undo the change.
    UserRecord stale = *store().FindUser(user.id);
    const UserSkills every_kind_in_ru{{"ru"}, {}};
    ASSERT_TRUE(store().UpdateUserSkills(user.id, every_kind_in_ru, 1'767'225'700'000).ok());
    stale.failed_logins = 1;
    stale.skills = {};
    ASSERT_TRUE(store().UpdateUser(stale).ok());
    auto found = store().FindUser(user.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->skills, every_kind_in_ru);
    EXPECT_EQ(found->failed_logins, 1);

    const UserSkills both{{"en", "ru", "uk"}, {CaseKind::kSurrenderApplication, CaseKind::kRelativeInquiry}};
    ASSERT_TRUE(store().UpdateUserSkills(user.id, both, 1'767'225'800'000).ok());
    found = store().FindUserByName("gina");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->skills, both);
    EXPECT_EQ(found->updated_ms, 1'767'225'800'000);
    EXPECT_EQ(store().ListUsers().at(0).skills, both);

    // Empty sets (every language, every kind) round-trip as empty.
    ASSERT_TRUE(store().UpdateUserSkills(user.id, {}, 1'767'225'900'000).ok());
    EXPECT_EQ(store().FindUser(user.id)->skills, UserSkills{});
}

TEST_P(StoreContract, UpdateSkillsOfMissingUserIsNotFound) {
    EXPECT_EQ(store().UpdateUserSkills(UserId{999}, {{"uk"}, {}}, 1).code(), ErrorCode::kNotFound);
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

// ---- case work: new case fields ----

TEST_P(StoreContract, CaseWorkflowFieldsRoundTripEverywhere) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(4242, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    EXPECT_EQ(Tie(*store().FindCase(c.id)), Tie(c));
    EXPECT_EQ(Tie(*store().FindCaseByReceipt(c.receipt_lookup)), Tie(c));
    ASSERT_EQ(store().CasesOfApplicant(applicant).size(), 1u);
    EXPECT_EQ(Tie(store().CasesOfApplicant(applicant)[0]), Tie(c));
    auto listed = store().ListCases(CaseFilter{});
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(Tie(listed[0]), Tie(c));

    // A default record keeps its defaults.
    CaseRecord plain;
    plain.id = CaseId{4243};
    plain.applicant = applicant;
    plain.state = "new";
    ASSERT_TRUE(store().InsertCase(plain).ok());
    auto found = store().FindCase(plain.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(plain));
    EXPECT_EQ(found->triage, "unset");
    EXPECT_FALSE(found->suspect);
    EXPECT_EQ(found->closure_reason, "none");
    EXPECT_EQ(found->inquiry_answer, "none");
    EXPECT_EQ(found->language, "");
    EXPECT_EQ(found->last_inbound_ms, 0);
}

// ---- case work: intake ----

TEST_P(StoreContract, RecordIntakeOpensCaseWithMessagesAndAttachments) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    IntakeWrite write;
    write.new_case = MakeCase(5001, applicant, 10);
    write.case_id = CaseId{5001};
    write.messages = {MakeMessage(CaseId{999}, 1), MakeMessage(CaseId{}, 2)};  // case_id is overridden
    write.attachments = {MakeAttachment(3), MakeAttachment(4, "image/png")};
    write.attachments[1].message_id = MessageId{12345};  // overridden too
    write.at_ms = 77'000;
    auto first = store().RecordIntake(write);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_TRUE(first->valid());

    auto stored = store().FindCase(CaseId{5001});
    ASSERT_TRUE(stored.has_value());
    CaseRecord expected = *write.new_case;
    expected.updated_ms = 77'000;
    expected.last_inbound_ms = 77'000;
    EXPECT_EQ(Tie(*stored), Tie(expected));

    auto messages = store().MessagesOfCase(CaseId{5001});
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].id, *first);
    EXPECT_GT(messages[1].id, *first);
    for (std::size_t i = 0; i < 2; ++i) {
        MessageRecord want = write.messages[i];
        want.id = messages[i].id;
        want.case_id = CaseId{5001};
        EXPECT_EQ(Tie(messages[i]), Tie(want));
    }
    EXPECT_TRUE(store().MessagesOfCase(CaseId{999}).empty());

    auto attachments = store().AttachmentsOfCase(CaseId{5001});
    ASSERT_EQ(attachments.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(attachments[i].case_id, CaseId{5001});
        EXPECT_EQ(attachments[i].message_id, *first);
        EXPECT_EQ(attachments[i].mime, write.attachments[i].mime);
        EXPECT_EQ(attachments[i].size, write.attachments[i].size);
        EXPECT_EQ(attachments[i].created_ms, write.attachments[i].created_ms);
    }
    EXPECT_LT(attachments[0].id, attachments[1].id);
}

TEST_P(StoreContract, RecordIntakeFollowUpOnExistingCase) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(5002, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    const MessageId earlier = store().InsertMessage(MakeMessage(c.id, 1));

    IntakeWrite write;
    write.case_id = c.id;
    write.messages = {MakeMessage(c.id, 2)};
    write.attachments = {MakeAttachment(5)};
    write.at_ms = 88'000;
    auto first = store().RecordIntake(write);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_GT(*first, earlier);

    CaseRecord expected = c;
    expected.updated_ms = 88'000;
    expected.last_inbound_ms = 88'000;
    EXPECT_EQ(Tie(*store().FindCase(c.id)), Tie(expected));
    auto messages = store().MessagesOfCase(c.id);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[1].id, *first);
    ASSERT_EQ(store().AttachmentsOfCase(c.id).size(), 1u);
    EXPECT_EQ(store().AttachmentsOfCase(c.id)[0].message_id, *first);

    // A contact with nothing to store still counts as inbound activity; no message, id 0.
    IntakeWrite empty;
    empty.case_id = c.id;
    empty.at_ms = 99'000;
    auto none = store().RecordIntake(empty);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, MessageId{0});
    EXPECT_EQ(store().FindCase(c.id)->last_inbound_ms, 99'000);
    EXPECT_EQ(store().FindCase(c.id)->updated_ms, 99'000);
    EXPECT_EQ(store().MessagesOfCase(c.id).size(), 2u);
}

TEST_P(StoreContract, RecordIntakeDuplicateNewCaseWritesNothing) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord existing = MakeCase(5003, applicant, 10);
    ASSERT_TRUE(store().InsertCase(existing).ok());

    // Same id.
    IntakeWrite same_id;
    same_id.new_case = MakeCase(5003, applicant, 60);
    same_id.case_id = CaseId{5003};
    same_id.messages = {MakeMessage(CaseId{5003}, 1)};
    same_id.attachments = {MakeAttachment(2)};
    same_id.at_ms = 99'000;
    EXPECT_EQ(store().RecordIntake(same_id).code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(Tie(*store().FindCase(existing.id)), Tie(existing));
    EXPECT_TRUE(store().MessagesOfCase(existing.id).empty());
    EXPECT_TRUE(store().AttachmentsOfCase(existing.id).empty());

    // Another id with the same receipt.
    IntakeWrite same_receipt = same_id;
    same_receipt.new_case = MakeCase(5004, applicant, 10);
    same_receipt.case_id = CaseId{5004};
    EXPECT_EQ(store().RecordIntake(same_receipt).code(), ErrorCode::kAlreadyExists);
    EXPECT_FALSE(store().FindCase(CaseId{5004}).has_value());
    EXPECT_TRUE(store().MessagesOfCase(CaseId{5004}).empty());
    EXPECT_TRUE(store().AttachmentsOfCase(CaseId{5004}).empty());
    EXPECT_EQ(store().ListCases(CaseFilter{}).size(), 1u);
}

TEST_P(StoreContract, RecordIntakeForMissingCaseIsNotFound) {
    IntakeWrite write;
    write.case_id = CaseId{5005};
    write.messages = {MakeMessage(CaseId{5005}, 1)};
    write.attachments = {MakeAttachment(2)};
    write.at_ms = 1;
    EXPECT_EQ(store().RecordIntake(write).code(), ErrorCode::kNotFound);
    EXPECT_TRUE(store().MessagesOfCase(CaseId{5005}).empty());
    EXPECT_TRUE(store().AttachmentsOfCase(CaseId{5005}).empty());
}

// ---- case work: updates and events ----

TEST_P(StoreContract, UpdateCaseReplacesMutableFieldsAndAppendsEvent) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(6001, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    EXPECT_TRUE(store().EventsOfCase(c.id).empty());

    CaseRecord changed = c;
    changed.state = "in_progress";
    changed.assignee = UserId{9};
    changed.triage = "normal";
    changed.suspect = false;
    changed.closure_reason = "none";
    changed.inquiry_answer = "not_found";
    changed.language = "ru";
    changed.updated_ms = 21'000;
    // Not among the mutable fields: must stay as stored.
    changed.kind = CaseKind::kSurrenderApplication;
    changed.channel = Channel::kWeb;
    changed.wrapped_key = Blob(99, 80);
    changed.created_ms = 1;
    changed.last_inbound_ms = 1;
    CaseEventRecord event = MakeEvent("transition", "triage", "in_progress", 21'000, 30);
    event.case_id = CaseId{777};  // the store files it under the updated case
    ASSERT_TRUE(store().UpdateCase(c, changed, event).ok());

    CaseRecord expected = c;
    expected.state = "in_progress";
    expected.assignee = UserId{9};
    expected.triage = "normal";
    expected.suspect = false;
    expected.closure_reason = "none";
    expected.inquiry_answer = "not_found";
    expected.language = "ru";
    expected.updated_ms = 21'000;
    EXPECT_EQ(Tie(*store().FindCase(c.id)), Tie(expected));

    auto events = store().EventsOfCase(c.id);
    ASSERT_EQ(events.size(), 1u);
    CaseEventRecord want = event;
    want.id = events[0].id;
    want.case_id = c.id;
    EXPECT_EQ(Tie(events[0]), Tie(want));
    EXPECT_GT(events[0].id, 0);
    EXPECT_TRUE(store().EventsOfCase(CaseId{777}).empty());

    // Without an event.
    CaseRecord closed = changed;
    closed.state = "closed";
    closed.updated_ms = 22'000;
    ASSERT_TRUE(store().UpdateCase(changed, closed, std::nullopt).ok());
    EXPECT_EQ(store().FindCase(c.id)->state, "closed");
    EXPECT_EQ(store().EventsOfCase(c.id).size(), 1u);

    // Events keep their order; an empty reason stays empty. Nothing changed but the time.
    closed.updated_ms = 23'000;
    ASSERT_TRUE(store().UpdateCase(closed, closed, MakeEvent("assign", "9", "9", 23'000)).ok());
    EXPECT_EQ(store().FindCase(c.id)->updated_ms, 23'000);
    events = store().EventsOfCase(c.id);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_LT(events[0].id, events[1].id);
    EXPECT_EQ(events[1].type, "assign");
    EXPECT_TRUE(events[1].reason_sealed.empty());
}

TEST_P(StoreContract, UpdateCaseWithStaleExpectedStateIsConflict) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(6002, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    ASSERT_TRUE(store().UpdateCase(c, c, MakeEvent("triage", "unset", "urgent", 20'500)).ok());
    const auto events_before = store().EventsOfCase(c.id);
    ASSERT_EQ(events_before.size(), 1u);

    // Someone else moved the case to "closed" meanwhile: a transition read from "triage" fails.
    CaseRecord stale = c;
    stale.state = "new";
    CaseRecord changed = c;
    changed.state = "closed";
    changed.assignee = UserId{0};
    changed.updated_ms = 30'000;
    auto r = store().UpdateCase(stale, changed, MakeEvent("transition", "new", "closed", 30'000, 5));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), ErrorCode::kConflict);
    EXPECT_EQ(Tie(*store().FindCase(c.id)), Tie(c));
    auto events_after = store().EventsOfCase(c.id);
    ASSERT_EQ(events_after.size(), 1u);
    EXPECT_EQ(Tie(events_after[0]), Tie(events_before[0]));
}

// Two people read the case, then each changes one thing: both changes stay (no lost update). Two
// changing the same thing: the second gets kConflict, and the first's value stays.
TEST_P(StoreContract, UpdateCaseWritesOnlyWhatChangedAndRefusesWhatChangedMeanwhile) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord read = MakeCase(6004, applicant, 10);
    read.triage = "unset";
    read.assignee = UserId{0};
    read.suspect = false;
    ASSERT_TRUE(store().InsertCase(read).ok());

    CaseRecord triaged = read;
    triaged.triage = "urgent";
    triaged.updated_ms = 11;
    ASSERT_TRUE(store().UpdateCase(read, triaged, std::nullopt).ok());
    CaseRecord assigned = read;  // read before the triage landed
    assigned.assignee = UserId{7};
    assigned.updated_ms = 12;
    ASSERT_TRUE(store().UpdateCase(read, assigned, std::nullopt).ok());
    CaseRecord marked = read;
    marked.suspect = true;
    marked.updated_ms = 13;
    ASSERT_TRUE(store().UpdateCase(read, marked, std::nullopt).ok());
    auto stored = store().FindCase(read.id);
    EXPECT_EQ(stored->triage, "urgent");
    EXPECT_EQ(stored->assignee, UserId{7});
    EXPECT_TRUE(stored->suspect);
    EXPECT_EQ(stored->state, "triage");
    EXPECT_EQ(stored->updated_ms, 13);

    // A second assignment read before the first: refused, the first stays.
    CaseRecord reassigned = read;
    reassigned.assignee = UserId{8};
    EXPECT_EQ(store().UpdateCase(read, reassigned, MakeEvent("assign", "0", "8", 14)).code(), ErrorCode::kConflict);
    CaseRecord retriaged = read;
    retriaged.triage = "normal";
    EXPECT_EQ(store().UpdateCase(read, retriaged, std::nullopt).code(), ErrorCode::kConflict);
    stored = store().FindCase(read.id);
    EXPECT_EQ(stored->assignee, UserId{7});
    EXPECT_EQ(stored->triage, "urgent");
    EXPECT_TRUE(store().EventsOfCase(read.id).empty());

    // One id given for the record read and another for the change: refused.
    CaseRecord other = *stored;
    other.id = CaseId{6005};
    EXPECT_EQ(store().UpdateCase(*stored, other, std::nullopt).code(), ErrorCode::kInvalidArgument);
}

// A condition is checked in the write: a case marked suspect, or closed, between the read and the
// write refuses a move towards a unit and a hand-off, and nothing is written.
TEST_P(StoreContract, ConditionsAreCheckedInTheWriteItself) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord read = MakeCase(6006, applicant, 10);
    read.state = "verification";
    read.suspect = false;
    ASSERT_TRUE(store().InsertCase(read).ok());
    // Someone marks it suspect meanwhile.
    CaseRecord marked = read;
    marked.suspect = true;
    ASSERT_TRUE(store().UpdateCase(read, marked, std::nullopt).ok());

    CaseRecord planned = read;
    planned.state = "exit_planning";
    EXPECT_EQ(store().UpdateCase(read, planned, MakeEvent("transition", "verification", "exit_planning", 1),
                                 {.not_suspect = true})
                  .code(),
              ErrorCode::kConflict);
    const CaseEventRecord handoff_event = MakeEvent("handoff", "unit", "7", 2);
    EXPECT_EQ(store().InsertHandoff(MakeHandoff(read.id, UserId{7}, 2, 1), handoff_event, {.not_suspect = true}).code(),
              ErrorCode::kConflict);
    EXPECT_EQ(store().FindCase(read.id)->state, "verification");
    EXPECT_TRUE(store().HandoffsOfCase(read.id).empty());
    EXPECT_TRUE(store().EventsOfCase(read.id).empty());

    // Cleared, then closed meanwhile: a hand-off that asks for an open case is refused; without
    // the conditions both writes land.
    CaseRecord closed = marked;
    closed.suspect = false;
    closed.state = "closed";
    ASSERT_TRUE(store().UpdateCase(marked, closed, std::nullopt).ok());
    EXPECT_EQ(store().InsertHandoff(MakeHandoff(read.id, UserId{7}, 3, 2), handoff_event,
                                    {.not_suspect = true, .open = true})
                  .code(),
              ErrorCode::kConflict);
    EXPECT_TRUE(store().InsertHandoff(MakeHandoff(read.id, UserId{7}, 4, 3), handoff_event, {.not_suspect = true}).ok());
    CaseRecord reopened = closed;
    reopened.state = "triage";
    EXPECT_EQ(store().UpdateCase(closed, reopened, std::nullopt, {.open = true}).code(), ErrorCode::kConflict);
    EXPECT_TRUE(store().UpdateCase(closed, reopened, std::nullopt, {.not_suspect = true}).ok());
}

TEST_P(StoreContract, UpdateMissingCaseIsNotFound) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord ghost = MakeCase(6003, applicant, 10);
    CaseRecord moved = ghost;
    moved.state = "closed";
    EXPECT_EQ(store().UpdateCase(ghost, moved, MakeEvent("transition", "a", "b", 1)).code(), ErrorCode::kNotFound);
    EXPECT_EQ(store().UpdateCase(ghost, ghost, std::nullopt).code(), ErrorCode::kNotFound);
    EXPECT_FALSE(store().FindCase(ghost.id).has_value());
    EXPECT_TRUE(store().EventsOfCase(ghost.id).empty());
}

// ---- case work: the case list ----

class StoreCaseList : public StoreContract {
protected:
    // Twelve cases: id 1..12, updated_ms descending with id except for deliberate ties.
    void SetUp() override {
        StoreContract::SetUp();
        applicant_ = store().FindOrInsertApplicant(Blob(1), 1);
        for (std::int64_t id = 1; id <= 12; ++id) {
            CaseRecord c = MakeCase(id, applicant_, static_cast<std::uint8_t>(id * 10), /*with_receipt=*/false);
            c.state = id % 3 == 0 ? "closed" : (id % 3 == 1 ? "new" : "in_progress");
            c.kind = id % 2 == 0 ? CaseKind::kRelativeInquiry : CaseKind::kSurrenderApplication;
            c.channel = id <= 6 ? Channel::kTelegram : Channel::kWeb;
            c.assignee = id % 4 == 0 ? UserId{0} : UserId{id % 4};
            c.created_ms = 1'000 * id;
            c.updated_ms = 100'000 + 10 * (id / 2);  // ties: (2,3), (4,5), ...
            ASSERT_TRUE(store().InsertCase(c).ok());
            cases_.push_back(c);
        }
    }
    // The expected result: the cases that pass, newest activity first, ties by id descending.
    template <typename Pred>
    std::vector<std::int64_t> Expected(Pred pass) const {
        std::vector<CaseRecord> selected;
        for (const auto& c : cases_)
            if (pass(c)) selected.push_back(c);
        std::sort(selected.begin(), selected.end(), [](const CaseRecord& a, const CaseRecord& b) {
            return std::tie(a.updated_ms, a.id) > std::tie(b.updated_ms, b.id);
        });
        return CaseIds(selected);
    }

    ApplicantId applicant_;
    std::vector<CaseRecord> cases_;
};

TEST_P(StoreCaseList, NoFilterListsAllInOrder) {
    auto all = store().ListCases(CaseFilter{});
    EXPECT_EQ(CaseIds(all), Expected([](const CaseRecord&) { return true; }));
    EXPECT_EQ(CaseIds(all), (std::vector<std::int64_t>{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(Tie(all[i]), Tie(cases_[12 - 1 - i]));
}

TEST_P(StoreCaseList, EachFilterAlone) {
    CaseFilter f;
    f.state = "new";
    EXPECT_EQ(CaseIds(store().ListCases(f)), Expected([](const CaseRecord& c) { return c.state == "new"; }));
    EXPECT_EQ(store().ListCases(f).size(), 4u);

    f = CaseFilter{};
    f.kind = CaseKind::kRelativeInquiry;
    EXPECT_EQ(CaseIds(store().ListCases(f)),
              Expected([](const CaseRecord& c) { return c.kind == CaseKind::kRelativeInquiry; }));

    f = CaseFilter{};
    f.channel = Channel::kWeb;
    EXPECT_EQ(CaseIds(store().ListCases(f)), Expected([](const CaseRecord& c) { return c.channel == Channel::kWeb; }));

    f = CaseFilter{};
    f.assignee = UserId{1};
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{9, 5, 1}));

    f = CaseFilter{};
    f.assignee = UserId{0};  // unassigned
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{12, 8, 4}));

    f = CaseFilter{};
    f.created_before_ms = 5'000;  // strictly before
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{4, 3, 2, 1}));

    // The other states come from another index than "new" does (the SQLite store's partial
    // cases_by_state leaves new cases out): the same answers all the same.
    for (const char* state : {"in_progress", "closed"}) {
        f = CaseFilter{};
        f.state = state;
        EXPECT_EQ(CaseIds(store().ListCases(f)), Expected([&](const CaseRecord& c) { return c.state == state; }))
            << state;
        EXPECT_EQ(store().ListCases(f).size(), 4u) << state;
    }

    f = CaseFilter{};
    f.state = "no such state";
    EXPECT_TRUE(store().ListCases(f).empty());
    f = CaseFilter{};
    f.channel = Channel::kSms;
    EXPECT_TRUE(store().ListCases(f).empty());
}

TEST_P(StoreCaseList, FiltersCombine) {
    CaseFilter f;
    f.state = "new";
    f.channel = Channel::kWeb;
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{10, 7}));

    f.kind = CaseKind::kRelativeInquiry;
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{10}));

    f = CaseFilter{};
    f.kind = CaseKind::kRelativeInquiry;
    f.assignee = UserId{0};
    f.created_before_ms = 12'000;
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{8, 4}));

    f = CaseFilter{};
    f.state = "closed";
    f.kind = CaseKind::kSurrenderApplication;
    f.channel = Channel::kTelegram;
    f.assignee = UserId{3};
    f.created_before_ms = 4'000;
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{3}));
    f.after = std::pair<std::int64_t, std::int64_t>{cases_[2].updated_ms, 3};
    EXPECT_TRUE(store().ListCases(f).empty());

    // A value that looks like SQL is only ever a value.
    f = CaseFilter{};
    f.state = "new' OR '1'='1";
    EXPECT_TRUE(store().ListCases(f).empty());
}

TEST_P(StoreCaseList, ACaseThatLeavesNewIsListedUnderItsNewStateOnly) {
    CaseRecord changed = cases_[0];  // case 1, "new"
    ASSERT_EQ(changed.state, "new");
    changed.state = "triage";
    changed.updated_ms = 200'000;  // the newest activity of all
    ASSERT_TRUE(store().UpdateCase(cases_[0], changed, MakeEvent("transition", "new", "triage", 200'000, 30)).ok());
    CaseFilter f;
    f.state = "triage";
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{1}));
    f.state = "new";
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{10, 7, 4}));

    // And back: a case that returns to "new" leaves the other states' lists.
    CaseRecord back = changed;
    back.state = "new";
    back.updated_ms = 200'001;
    ASSERT_TRUE(store().UpdateCase(changed, back, MakeEvent("transition", "triage", "new", 200'001, 30)).ok());
    f.state = "triage";
    EXPECT_TRUE(store().ListCases(f).empty());
    f.state = "new";
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{1, 10, 7, 4}));
}

TEST_P(StoreCaseList, CursorPagesWithoutDuplicatesOrGaps) {
    const auto all = Expected([](const CaseRecord&) { return true; });
    std::vector<std::int64_t> seen;
    CaseFilter f;
    f.limit = 5;
    std::vector<std::size_t> page_sizes;
    for (int page = 0; page < 10; ++page) {
        auto rows = store().ListCases(f);
        page_sizes.push_back(rows.size());
        if (rows.empty()) break;
        for (const auto& c : rows) seen.push_back(c.id.value);
        f.after = std::pair<std::int64_t, std::int64_t>{rows.back().updated_ms, rows.back().id.value};
    }
    EXPECT_EQ(page_sizes, (std::vector<std::size_t>{5, 5, 2, 0}));
    EXPECT_EQ(seen, all);

    // The cursor falls inside a tie of updated_ms: (4, 5) share one, so after 5 comes 4.
    f = CaseFilter{};
    f.limit = 2;
    f.after = std::pair<std::int64_t, std::int64_t>{cases_[4].updated_ms, 5};
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{4, 3}));

    // Paging a filtered list.
    f = CaseFilter{};
    f.channel = Channel::kTelegram;
    f.limit = 2;
    seen.clear();
    for (int page = 0; page < 3; ++page) {
        auto rows = store().ListCases(f);
        ASSERT_EQ(rows.size(), 2u);
        for (const auto& c : rows) seen.push_back(c.id.value);
        f.after = std::pair<std::int64_t, std::int64_t>{rows.back().updated_ms, rows.back().id.value};
    }
    EXPECT_TRUE(store().ListCases(f).empty());
    EXPECT_EQ(seen, (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
}

TEST_P(StoreCaseList, LimitIsClampedToOneAndFiveHundred) {
    CaseFilter f;
    f.limit = 0;
    EXPECT_EQ(CaseIds(store().ListCases(f)), (std::vector<std::int64_t>{12}));
    f.limit = 1;
    EXPECT_EQ(store().ListCases(f).size(), 1u);
    f.limit = 3;
    EXPECT_EQ(store().ListCases(f).size(), 3u);

    // More than 500 cases, inserted concurrently so that they share commits.
    constexpr int kThreads = 8;
    constexpr int kEach = 64;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                CaseRecord c = MakeCase(1'000 + t * kEach + i, applicant_, 1, /*with_receipt=*/false);
                if (!store().InsertCase(c).ok()) ++failures;
            }
        });
    for (auto& t : threads) t.join();
    ASSERT_EQ(failures.load(), 0);
    f.limit = 100'000;
    EXPECT_EQ(store().ListCases(f).size(), 500u);
    f.limit = static_cast<std::size_t>(-1);
    EXPECT_EQ(store().ListCases(f).size(), 500u);
    f.limit = 500;
    EXPECT_EQ(store().ListCases(f).size(), 500u);
    f.limit = 499;
    EXPECT_EQ(store().ListCases(f).size(), 499u);
}

// ---- case work: replies and notes ----

TEST_P(StoreContract, AppendMessageWritesMessageEventAndTouchesCase) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(7001, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    MessageRecord reply = MakeMessage(c.id, 3);
    reply.kind = "reply";
    reply.author = UserId{4};
    reply.channel = Channel::kTelegram;
    auto id = store().AppendMessage(reply, MakeEvent("reply", "", "", 45'000), 45'000);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_TRUE(id->valid());

    auto messages = store().MessagesOfCase(c.id);
    ASSERT_EQ(messages.size(), 1u);
    reply.id = *id;
    EXPECT_EQ(Tie(messages[0]), Tie(reply));
    auto events = store().EventsOfCase(c.id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, "reply");
    EXPECT_EQ(events[0].case_id, c.id);
    CaseRecord expected = c;
    expected.updated_ms = 45'000;  // last_inbound_ms stays: an operator wrote, not the applicant
    EXPECT_EQ(Tie(*store().FindCase(c.id)), Tie(expected));

    // Without an event.
    MessageRecord note = MakeMessage(c.id, 4);
    note.kind = "note";
    auto second = store().AppendMessage(note, std::nullopt, 46'000);
    ASSERT_TRUE(second.ok());
    EXPECT_GT(*second, *id);
    EXPECT_EQ(store().MessagesOfCase(c.id).size(), 2u);
    EXPECT_EQ(store().EventsOfCase(c.id).size(), 1u);
    EXPECT_EQ(store().FindCase(c.id)->updated_ms, 46'000);
}

TEST_P(StoreContract, AppendMessageToMissingCaseIsNotFound) {
    auto r = store().AppendMessage(MakeMessage(CaseId{7002}, 1), MakeEvent("reply", "", "", 1), 1);
    EXPECT_EQ(r.code(), ErrorCode::kNotFound);
    EXPECT_TRUE(store().MessagesOfCase(CaseId{7002}).empty());
    EXPECT_TRUE(store().EventsOfCase(CaseId{7002}).empty());
}

// ---- case work: hand-offs ----

TEST_P(StoreContract, HandoffsInsertFindAndList) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c1 = MakeCase(8001, applicant, 10);
    CaseRecord c2 = MakeCase(8002, applicant, 20);
    ASSERT_TRUE(store().InsertCase(c1).ok());
    ASSERT_TRUE(store().InsertCase(c2).ok());
    const UserId coordinator{7};
    const UserId other{8};

    std::vector<HandoffRecord> made;
    auto insert = [&](CaseId case_id, UserId to, std::int64_t at, std::uint8_t tag) {
        HandoffRecord h = MakeHandoff(case_id, to, at, tag);
        auto id = store().InsertHandoff(h, MakeEvent("handoff", "", std::to_string(to.value), at, tag));
        EXPECT_TRUE(id.ok());
        h.id = id.ok() ? *id : 0;
        made.push_back(h);
        return h;
    };
    HandoffRecord a = insert(c1.id, coordinator, 50'000, 1);
    HandoffRecord b = insert(c1.id, other, 51'000, 2);
    HandoffRecord c = insert(c2.id, coordinator, 52'000, 3);
    HandoffRecord d = insert(c2.id, coordinator, 49'000, 4);  // older, inserted later
    EXPECT_GT(a.id, 0);
    EXPECT_LT(a.id, b.id);

    auto found = store().FindHandoff(a.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Tie(*found), Tie(a));
    EXPECT_TRUE(found->outcome.empty());
    EXPECT_FALSE(store().FindHandoff(d.id + 100).has_value());

    auto of_c1 = store().HandoffsOfCase(c1.id);
    ASSERT_EQ(of_c1.size(), 2u);
    EXPECT_EQ(Tie(of_c1[0]), Tie(a));
    EXPECT_EQ(Tie(of_c1[1]), Tie(b));
    EXPECT_TRUE(store().HandoffsOfCase(CaseId{1}).empty());

    auto mine = store().HandoffsForCoordinator(coordinator, 10);
    ASSERT_EQ(mine.size(), 3u);
    EXPECT_EQ(Tie(mine[0]), Tie(c));
    EXPECT_EQ(Tie(mine[1]), Tie(a));
    EXPECT_EQ(Tie(mine[2]), Tie(d));
    ASSERT_EQ(store().HandoffsForCoordinator(coordinator, 2).size(), 2u);
    EXPECT_EQ(store().HandoffsForCoordinator(coordinator, 2)[1].id, a.id);
    // The next page starts strictly after the cursor's (created_ms, id), in the same order.
    auto after_c = store().HandoffsForCoordinator(coordinator, 10, std::pair{c.created_ms, c.id});
    ASSERT_EQ(after_c.size(), 2u);
    EXPECT_EQ(after_c[0].id, a.id);
    EXPECT_EQ(after_c[1].id, d.id);
    EXPECT_EQ(store().HandoffsForCoordinator(coordinator, 1, std::pair{a.created_ms, a.id})[0].id, d.id);
    // Within one millisecond, ids order the rows: a cursor with a's time and a higher id includes a.
    EXPECT_EQ(store().HandoffsForCoordinator(coordinator, 1, std::pair{a.created_ms, a.id + 1000})[0].id, a.id);
    EXPECT_TRUE(store().HandoffsForCoordinator(coordinator, 10, std::pair{d.created_ms, d.id}).empty());
    EXPECT_EQ(store().HandoffsForCoordinator(other, 10, std::pair{c.created_ms, c.id}).size(), 1u);  // b only
    EXPECT_TRUE(store().HandoffsForCoordinator(other, 10, std::pair{b.created_ms, b.id}).empty());
    EXPECT_EQ(store().HandoffsForCoordinator(other, 10).size(), 1u);
    EXPECT_TRUE(store().HandoffsForCoordinator(UserId{99}, 10).empty());

    // Each insert appended its event to the case.
    auto events = store().EventsOfCase(c1.id);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, "handoff");
    EXPECT_EQ(events[0].to_value, "7");
    EXPECT_EQ(events[1].to_value, "8");
    EXPECT_EQ(store().EventsOfCase(c2.id).size(), 2u);

    // A hand-off of a missing case writes nothing.
    auto ghost = store().InsertHandoff(MakeHandoff(CaseId{8003}, coordinator, 1, 5), MakeEvent("handoff", "", "", 1));
    EXPECT_EQ(ghost.code(), ErrorCode::kNotFound);
    EXPECT_EQ(store().HandoffsForCoordinator(coordinator, 10).size(), 3u);
    EXPECT_TRUE(store().EventsOfCase(CaseId{8003}).empty());
}

TEST_P(StoreContract, HandoffOutcomeRecordedOnce) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    CaseRecord c = MakeCase(8101, applicant, 10);
    ASSERT_TRUE(store().InsertCase(c).ok());
    HandoffRecord h = MakeHandoff(c.id, UserId{7}, 50'000, 1);
    h.id = store().InsertHandoff(h, MakeEvent("handoff", "", "7", 50'000)).value();

    HandoffRecord outcome = h;
    outcome.outcome = "placed";
    outcome.outcome_ms = 60'000;
    outcome.outcome_sealed = Blob(40, 64);
    ASSERT_TRUE(store().RecordHandoffOutcome(outcome, MakeEvent("handoff_outcome", "", "placed", 60'000, 9)).ok());
    EXPECT_EQ(Tie(*store().FindHandoff(h.id)), Tie(outcome));
    auto events = store().EventsOfCase(c.id);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].type, "handoff_outcome");
    EXPECT_EQ(events[1].to_value, "placed");
    EXPECT_EQ(events[1].reason_sealed, Blob(9, 40));

    HandoffRecord again = outcome;
    again.outcome = "declined";
    again.outcome_ms = 70'000;
    again.outcome_sealed = Blob(41, 64);
    auto r = store().RecordHandoffOutcome(again, MakeEvent("handoff_outcome", "", "declined", 70'000));
    EXPECT_EQ(r.code(), ErrorCode::kConflict);
    EXPECT_EQ(Tie(*store().FindHandoff(h.id)), Tie(outcome));
    EXPECT_EQ(store().EventsOfCase(c.id).size(), 2u);

    HandoffRecord missing = outcome;
    missing.id = h.id + 100;
    EXPECT_EQ(store().RecordHandoffOutcome(missing, MakeEvent("handoff_outcome", "", "placed", 1)).code(),
              ErrorCode::kNotFound);
    EXPECT_EQ(store().EventsOfCase(c.id).size(), 2u);
}

// ---- case work: attachments ----

TEST_P(StoreContract, AttachmentsListMetadataAndFindReturnsCiphertext) {
    ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    IntakeWrite write;
    write.new_case = MakeCase(9101, applicant, 10);
    write.case_id = CaseId{9101};
    write.messages = {MakeMessage(CaseId{9101}, 1)};
    write.attachments = {MakeAttachment(2), MakeAttachment(3, "image/png")};
    write.at_ms = 1;
    const MessageId message = store().RecordIntake(write).value();

    auto listed = store().AttachmentsOfCase(CaseId{9101});
    ASSERT_EQ(listed.size(), 2u);
    for (std::size_t i = 0; i < listed.size(); ++i) {
        EXPECT_TRUE(listed[i].ciphertext.empty());
        AttachmentRecord full_expected = write.attachments[i];
        full_expected.id = listed[i].id;
        full_expected.case_id = CaseId{9101};
        full_expected.message_id = message;
        AttachmentRecord meta_expected = full_expected;
        meta_expected.ciphertext.clear();
        EXPECT_EQ(Tie(listed[i]), Tie(meta_expected));

        auto full = store().FindAttachment(listed[i].id);
        ASSERT_TRUE(full.has_value());
        EXPECT_EQ(Tie(*full), Tie(full_expected));
        EXPECT_EQ(full->ciphertext.size(), 120u);
    }
    EXPECT_FALSE(store().FindAttachment(listed[1].id + 100).has_value());
    EXPECT_TRUE(store().AttachmentsOfCase(CaseId{1}).empty());
}

// ---- contact queue log ----

QueueEventRecord QueueEvent(std::int64_t at_ms, std::string type, std::int64_t entry) {
    QueueEventRecord e;
    e.at_ms = at_ms;
    e.type = std::move(type);
    e.entry_id = entry;
    e.operator_id = 7;
    e.to_operator_id = 8;
    e.case_id = 123456789;
    e.channel = "telegram";
    e.language = "uk";
    e.kind = "relative_inquiry";
    e.priority = -3;
    e.owner_id = 9;
    e.media = "call";
    e.enter_ms = at_ms - 5;
    e.wait_ms = 4000;
    e.duration_ms = 60000;
    e.callback = true;
    e.withdrawn = true;
    e.segment = 2;
    return e;
}

auto Tie(const QueueEventRecord& e) {
    return std::tie(e.id, e.at_ms, e.type, e.entry_id, e.operator_id, e.to_operator_id, e.case_id, e.channel,
                    e.language, e.kind, e.priority, e.owner_id, e.media, e.enter_ms, e.wait_ms, e.duration_ms,
                    e.callback, e.withdrawn, e.segment);
}

TEST_P(StoreContract, QueueEventsRoundTripEveryFieldInOrder) {
    EXPECT_TRUE(store().ReadQueueEvents(1, 100).empty());
    store().AppendQueueEvents({});
    EXPECT_TRUE(store().ReadQueueEvents(1, 100).empty());

    std::vector<QueueEventRecord> batch = {QueueEvent(1000, "enter", 1), QueueEvent(1001, "offer", 1)};
    batch[1].callback = false;
    batch[1].withdrawn = false;
    batch[1].owner_id = 0;
    batch[1].case_id = 0;
    store().AppendQueueEvents(batch);
    store().AppendQueueEvents({QueueEvent(999, "enter", 2)});  // an earlier time still goes last

    auto all = store().ReadQueueEvents(0, 100);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_LT(all[0].id, all[1].id);
    EXPECT_LT(all[1].id, all[2].id);
    for (std::size_t i = 0; i < 2; ++i) {
        QueueEventRecord expected = batch[i];
        expected.id = all[i].id;
        EXPECT_EQ(Tie(all[i]), Tie(expected)) << i;
    }
    EXPECT_EQ(all[2].entry_id, 2);
    EXPECT_EQ(all[2].at_ms, 999);
}

TEST_P(StoreContract, ReadQueueEventsPagesById) {
    for (int i = 0; i < 5; ++i) store().AppendQueueEvents({QueueEvent(100 + i, "enter", i + 1)});
    auto first = store().ReadQueueEvents(1, 2);
    ASSERT_EQ(first.size(), 2u);
    auto rest = store().ReadQueueEvents(first.back().id + 1, 100);
    ASSERT_EQ(rest.size(), 3u);
    EXPECT_EQ(rest[0].entry_id, 3);
    EXPECT_EQ(rest[2].entry_id, 5);
    EXPECT_TRUE(store().ReadQueueEvents(rest.back().id + 1, 100).empty());
    EXPECT_TRUE(store().ReadQueueEvents(1, 0).empty());
}

TEST_P(StoreContract, ReadQueueEventsSinceSelectsByTimeInIdOrder) {
    store().AppendQueueEvents({QueueEvent(50, "enter", 1), QueueEvent(200, "offer", 1), QueueEvent(150, "enter", 2),
                               QueueEvent(300, "accept", 1)});
    auto since = store().ReadQueueEventsSince(150);
    ASSERT_EQ(since.size(), 3u);
    EXPECT_EQ(since[0].type, "offer");
    EXPECT_EQ(since[1].type, "enter");
    EXPECT_EQ(since[2].type, "accept");
    EXPECT_TRUE(store().ReadQueueEventsSince(301).empty());
    EXPECT_EQ(store().ReadQueueEventsSince(0).size(), 4u);
}

TEST_P(StoreContract, QueueEventBatchesFromManyThreadsKeepTheirOrder) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([this, t] {
            for (int b = 0; b < 10; ++b) {
                std::vector<QueueEventRecord> batch;
                for (int i = 0; i < 3; ++i) batch.push_back(QueueEvent(t * 1000 + b * 10 + i, "enter", t));
                store().AppendQueueEvents(batch);
            }
        });
    for (auto& th : threads) th.join();
    auto all = store().ReadQueueEvents(1, 1000);
    ASSERT_EQ(all.size(), 120u);
    // A batch is contiguous: one transaction, never interleaved with another.
    for (std::size_t i = 0; i < all.size(); i += 3) {
        EXPECT_EQ(all[i].at_ms % 10, 0) << i;
        EXPECT_EQ(all[i + 1].at_ms, all[i].at_ms + 1);
        EXPECT_EQ(all[i + 2].at_ms, all[i].at_ms + 2);
    }
}

TEST_P(StoreContract, SubmittedQueueEventsLandAndAreAnsweredInSubmissionOrder) {
    // Submitted without waiting, one after another: the log keeps that order, and the answers
    // come in that order too.
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> answered;
    for (int i = 0; i < 20; ++i)
        store().SubmitQueueEvents({QueueEvent(1000 - i, "enter", i + 1)}, [&, i](std::exception_ptr error) {
            std::lock_guard lock(mu);
            answered.push_back(error ? -1 : i + 1);
            cv.notify_all();
        });
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return answered.size() == 20; }));
    }
    for (std::size_t i = 0; i < answered.size(); ++i) EXPECT_EQ(answered[i], static_cast<int>(i) + 1);
    auto all = store().ReadQueueEvents(1, 100);
    ASSERT_EQ(all.size(), 20u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].entry_id, static_cast<std::int64_t>(i) + 1);
    // Nothing to write is answered at once, on the caller's thread.
    bool none = false;
    store().SubmitQueueEvents({}, [&](std::exception_ptr error) { none = !error; });
    EXPECT_TRUE(none);
}

TEST_P(StoreContract, AsyncIntakeAnswersOnceDurableAndMayQueueMoreFromItsAnswer) {
    const ApplicantId applicant = store().FindOrInsertApplicant(Blob(7), 1);
    IntakeWrite write;
    write.at_ms = 5'000;
    write.case_id = CaseId{7001};
    write.new_case = MakeCase(7001, applicant, 71, true);
    MessageRecord m;
    m.kind = "form";
    m.channel = Channel::kWeb;
    m.created_ms = 5'000;
    m.ciphertext = Blob(72);
    write.messages.push_back(m);

    std::promise<Result<MessageId>> first;
    std::promise<std::exception_ptr> queued_from_answer;
    store().RecordIntakeAsync(write, [&](Result<MessageId> r) {
        // The answer may come on the store's own thread: queuing another write from here (not
        // waiting for it) must work.
        const bool ok = r.ok();
        first.set_value(std::move(r));
        if (ok)
            store().SubmitQueueEvents({QueueEvent(5'001, "enter", 1)},
                                      [&](std::exception_ptr error) { queued_from_answer.set_value(error); });
    });
    auto id = first.get_future().get();
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(queued_from_answer.get_future().get(), nullptr);
    // Durable when answered: readable by anyone.
    ASSERT_TRUE(store().FindCase(CaseId{7001}).has_value());
    EXPECT_EQ(store().MessagesOfCase(CaseId{7001}).size(), 1u);
    EXPECT_EQ(store().ReadQueueEvents(1, 10).size(), 1u);

    // The same case again: the failure comes through the answer, with its code.
    std::promise<Result<MessageId>> again;
    store().RecordIntakeAsync(write, [&](Result<MessageId> r) { again.set_value(std::move(r)); });
    EXPECT_EQ(again.get_future().get().code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(store().MessagesOfCase(CaseId{7001}).size(), 1u);
}

TEST_P(StoreContract, CasesWithInboundSinceAreOpenCasesOldestContactFirst) {
    const ApplicantId applicant = store().FindOrInsertApplicant(Blob(1), 1);
    const auto make = [&](std::int64_t id, std::int64_t inbound, const char* state) {
        CaseRecord c = MakeCase(id, applicant, static_cast<std::uint8_t>(id % 200), false);
        c.last_inbound_ms = inbound;
        c.state = state;
        ASSERT_TRUE(store().InsertCase(c).ok());
    };
    make(6001, 5'000, "triage");
    make(6002, 9'000, "new");
    make(6003, 7'000, "new");
    make(6004, 8'000, "closed");  // closed: never
    make(6005, 6'999, "new");     // before since
    const auto found = store().CasesWithInboundSince(7'000);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, CaseId{6003});
    EXPECT_EQ(found[1].id, CaseId{6002});
    EXPECT_TRUE(store().CasesWithInboundSince(9'001).empty());
}

TEST_P(StoreContract, RecordIntakeInsertsTheApplicantInTheSameTransaction) {
    IntakeWrite write;
    write.new_case = MakeCase(5101, ApplicantId{}, 10);
    write.case_id = CaseId{5101};
    write.messages = {MakeMessage(CaseId{5101}, 1)};
    write.applicant_pseudonym = Blob(41);
    write.at_ms = 5'000;
    ASSERT_TRUE(store().RecordIntake(write).ok());
    const ApplicantId applicant = store().FindCase(CaseId{5101})->applicant;
    ASSERT_TRUE(applicant.valid());
    EXPECT_EQ(store().FindOrInsertApplicant(Blob(41), 9), applicant);  // found, not inserted again

    // A second case of the same pseudonym finds the same applicant.
    IntakeWrite second = write;
    second.new_case = MakeCase(5102, ApplicantId{}, 10);
    second.new_case->receipt_lookup = Blob(77);
    second.case_id = CaseId{5102};
    ASSERT_TRUE(store().RecordIntake(second).ok());
    EXPECT_EQ(store().FindCase(CaseId{5102})->applicant, applicant);
    EXPECT_EQ(store().CasesOfApplicant(applicant).size(), 2u);

}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(test::SqliteBackend()),
                         [](const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreCaseList, ::testing::Values(test::SqliteBackend()),
                         [](const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace lifeline::store
