// The queue service over a real SQLite store: intake → queue → offers, accept/complete, the
// durable log, restart with original clocks, the timer, and the wallboard's figures.
#include "queue/queue_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "core/defer.hpp"
#include "crypto/crypto.hpp"
#include "intake/intake_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

using namespace std::chrono_literals;
using queue::EntryState;
using queue::Presence;
using queue::QueueService;
using queue::QueueServiceConfig;

constexpr std::int64_t kDay = 86'400'000;

class QueueServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        secrets_ = crypto::Secrets::Generate();
        store::SqliteOptions options;
        options.path = dir_ / "lifeline.db";
        store_ = store::OpenSqliteStore(options);
        store_->PutMeta("team_public_key", team_.public_key);
        intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);
        // Mid-morning UTC, well inside one statistics day.
        clock_.Set(FromUnixMillis(ToUnixMillis(clock_.Now()) + 9 * 3'600'000));
        config_.timer = false;
        config_.engine.offer_timeout = 60s;
        config_.engine.max_chats = 1;
        config_.engine.wrap_up = 0ms;
        Start();
    }

    void Start() {
        queue_.reset();
        queue_ = std::make_unique<QueueService>(*store_, clock_, config_);
    }

    /// What main.cpp registers: every committed intake becomes a queue entry.
    void Listen() {
        intake_->OnIntake([this](const intake::IntakeOutcome& o, const intake::InboundContact& c) {
            ASSERT_TRUE(queue_->EnterCase(o.case_id, c.channel, c.kind, c.language).ok());
        });
    }

    CaseId Submit(std::string language = "ru", Channel channel = Channel::kWeb) {
        intake::InboundContact c;
        c.channel = channel;
        c.language = std::move(language);
        if (channel == Channel::kWeb) {
            c.fields = {{"unit", "unit"}, {"contact", "@someone"}};
        } else {
            c.sender_id = "sender-" + std::to_string(++senders_);
            c.text = "hello";
        }
        auto out = intake_->Submit(c);
        EXPECT_TRUE(out.ok());
        queue_->Sync();  // the queue's enter is written after the intake's commit
        return out->case_id;
    }

    std::vector<std::string> LoggedTypes() {
        std::vector<std::string> types;
        for (const auto& r : store_->ReadQueueEvents(1, 1000)) types.push_back(r.type);
        return types;
    }

    TempDir dir_;
    FakeClock clock_;
    crypto::Secrets secrets_;
    crypto::KeyPair team_ = crypto::KeyPair::Generate();
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<intake::IntakeService> intake_;
    QueueServiceConfig config_;
    std::unique_ptr<QueueService> queue_;
    int senders_ = 0;
    const UserId op1_{11}, op2_{12}, op3_{13};
};

TEST_F(QueueServiceTest, AnIntakeContactIsOfferedAcceptedCompletedAndLogged) {
    Listen();
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable).ok());
    const CaseId case_id = Submit("uk");

    auto mine = queue_->Mine(op1_);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_TRUE(mine[0].offered);
    EXPECT_EQ(mine[0].entry.contact.case_id, case_id);
    EXPECT_EQ(mine[0].entry.contact.language, "uk");
    EXPECT_EQ(mine[0].entry.contact.channel, Channel::kWeb);
    const QueueEntryId entry = mine[0].entry.id;

    clock_.Advance(4s);
    EXPECT_EQ(queue_->Accept(op2_, entry).code(), ErrorCode::kConflict);  // not offered to him
    EXPECT_EQ(queue_->Accept(op1_, QueueEntryId{99}).code(), ErrorCode::kNotFound);
    ASSERT_TRUE(queue_->Accept(op1_, entry).ok());
    mine = queue_->Mine(op1_);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_FALSE(mine[0].offered);
    EXPECT_EQ(mine[0].entry.state, EntryState::kConnected);
    EXPECT_EQ(mine[0].wait_ms, 4000);

    clock_.Advance(60s);
    EXPECT_EQ(queue_->Complete(op2_, entry).code(), ErrorCode::kConflict);
    ASSERT_TRUE(queue_->Complete(op1_, entry).ok());
    EXPECT_TRUE(queue_->Mine(op1_).empty());

    EXPECT_EQ(LoggedTypes(), (std::vector<std::string>{"enter", "offer", "accept", "connect", "complete"}));
    auto rows = store_->ReadQueueEvents(1, 10);
    EXPECT_EQ(rows[0].case_id, case_id.value);
    EXPECT_EQ(rows[0].channel, "web");
    EXPECT_EQ(rows[0].kind, "surrender_application");
    EXPECT_EQ(rows[1].operator_id, op1_.value);
    EXPECT_EQ(rows[3].wait_ms, 4000);
    EXPECT_EQ(rows[4].duration_ms, 60000);
}

TEST_F(QueueServiceTest, ListenersSeeEachEventAfterItIsDurable) {
    std::vector<std::string> seen;
    std::vector<std::size_t> stored_when_seen;
    queue_->OnEvent([&](const queue::QueueEvent& e) {
        seen.emplace_back(queue::ToString(e.type));
        stored_when_seen.push_back(store_->ReadQueueEvents(1, 1000).size());
    });
    Listen();
    queue_->Login(op1_);
    Submit();
    EXPECT_EQ(seen, (std::vector<std::string>{"enter", "offer"}));
    EXPECT_EQ(stored_when_seen, (std::vector<std::size_t>{2, 2}));  // one batch, written before either
}

TEST_F(QueueServiceTest, EntersAnsweredTogetherShareOneLogWrite) {
    // The store answers a batch of intakes in one DeferScope: their enters are written once,
    // when the scope closes, in one commit. Outside a scope each enter is queued at once.
    auto& sqlite = dynamic_cast<store::SqliteStore&>(*store_);
    std::uint64_t commits_before = sqlite.batches_committed();
    {
        DeferScope scope;
        for (int i = 1; i <= 5; ++i)
            ASSERT_TRUE(queue_->EnterCase(CaseId{i}, Channel::kWeb, CaseKind::kSurrenderApplication, "ru", true).ok());
        std::this_thread::sleep_for(50ms);  // room for a wrong early write
        EXPECT_TRUE(store_->ReadQueueEvents(1, 100).empty());
        EXPECT_EQ(queue_->Waiting().size(), 5u);  // in the engine already
    }
    queue_->Sync();
    EXPECT_EQ(store_->ReadQueueEvents(1, 100).size(), 5u);
    EXPECT_EQ(sqlite.batches_committed() - commits_before, 1u);

    commits_before = sqlite.batches_committed();
    ASSERT_TRUE(queue_->EnterCase(CaseId{6}, Channel::kWeb, CaseKind::kSurrenderApplication, "ru", true).ok());
    queue_->Sync();
    EXPECT_EQ(store_->ReadQueueEvents(1, 100).size(), 6u);
    EXPECT_EQ(sqlite.batches_committed() - commits_before, 1u);
}

TEST_F(QueueServiceTest, SyncWaitsForAnEnterStillDeferred) {
    // Sync must not return while an enter's write is still due at the end of another thread's
    // scope: it waits for the scope to close and the write to land.
    std::promise<void> entered;
    std::promise<void> close;
    std::thread answering([&] {
        DeferScope scope;
        EXPECT_TRUE(queue_->EnterCase(CaseId{1}, Channel::kWeb, CaseKind::kSurrenderApplication, "ru", true).ok());
        entered.set_value();
        close.get_future().wait();
    });
    entered.get_future().wait();
    std::atomic<bool> synced{false};
    std::thread syncing([&] {
        queue_->Sync();
        synced = true;
    });
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(synced.load());
    close.set_value();
    answering.join();
    syncing.join();
    EXPECT_TRUE(synced.load());
    EXPECT_EQ(store_->ReadQueueEvents(1, 100).size(), 1u);
}

TEST_F(QueueServiceTest, ConcurrentStepsShareCommitsAndListenersKeepLogOrder) {
    // 32 callers enter contacts at once. Each step's events are submitted under the service's
    // lock (EnterCase does not wait for them), so steps share commits, yet the log holds them in
    // the engine's order and listeners see exactly the log, in order, each after it is durable.
    std::mutex seen_mu;
    std::vector<std::int64_t> seen_entries;
    std::atomic<int> not_durable{0};
    queue_->OnEvent([&](const queue::QueueEvent& e) {
        std::lock_guard lock(seen_mu);
        seen_entries.push_back(e.entry.value);
        // Durable before it is seen: the log already holds at least as many rows.
        if (store_->ReadQueueEvents(1, 100'000).size() < seen_entries.size()) ++not_durable;
    });
    auto& sqlite = dynamic_cast<store::SqliteStore&>(*store_);
    const auto commits_before = sqlite.batches_committed();
    constexpr int kThreads = 32;
    constexpr int kEach = 8;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i)
                if (!queue_->EnterCase(CaseId{1 + t * kEach + i}, Channel::kWeb, CaseKind::kSurrenderApplication, "ru",
                                       true))
                    ++failures;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    queue_->Sync();  // EnterCase does not wait for its write
    const auto rows = store_->ReadQueueEvents(1, 100'000);
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kThreads * kEach));
    std::vector<std::int64_t> logged;
    for (const auto& r : rows) logged.push_back(r.entry_id);
    // The engine numbers entries as they enter: the log is in that order, and so are listeners.
    EXPECT_TRUE(std::is_sorted(logged.begin(), logged.end()));
    EXPECT_EQ(seen_entries, logged);
    EXPECT_EQ(not_durable.load(), 0);
    EXPECT_EQ(queue_->Waiting().size(), static_cast<std::size_t>(kThreads * kEach));
    // Fewer commits than steps: the callers waited together. (On one core they may still not
    // overlap much, so only "fewer" is asserted.)
    EXPECT_LT(sqlite.batches_committed() - commits_before, static_cast<std::uint64_t>(kThreads * kEach));
}

TEST_F(QueueServiceTest, AnotherMessageOfAQueuedCaseIsNotASecondEntry) {
    const CaseId case_id = Submit("en", Channel::kTelegram);
    auto first = queue_->EnterCase(case_id, Channel::kTelegram, CaseKind::kSurrenderApplication, "en");
    auto again = queue_->EnterCase(case_id, Channel::kTelegram, CaseKind::kSurrenderApplication, "en");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*first, *again);
    EXPECT_EQ(queue_->Waiting().size(), 1u);
    // Unknown languages are queued under a known one.
    auto other = queue_->EnterCase(Submit(), Channel::kWeb, CaseKind::kRelativeInquiry, "xx");
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(queue_->Entry(*other)->contact.language, "ru");
    // Once finished, a new message is a new entry.
    queue_->Login(op1_);
    ASSERT_TRUE(queue_->Accept(op1_, *first).ok());
    ASSERT_TRUE(queue_->Complete(op1_, *first).ok());
    auto later = queue_->EnterCase(case_id, Channel::kTelegram, CaseKind::kSurrenderApplication, "en");
    ASSERT_TRUE(later.ok());
    EXPECT_NE(*later, *first);
}

TEST_F(QueueServiceTest, TheCasesAssigneeGetsItsContactFirst) {
    queue_->Login(op1_);  // idle longest
    clock_.Advance(1s);
    queue_->Login(op2_);
    const CaseId case_id = Submit();  // no listener yet: entered below
    auto record = store_->FindCase(case_id);
    auto assigned = *record;
    assigned.assignee = op2_;
    ASSERT_TRUE(store_->UpdateCase(*record, assigned, std::nullopt).ok());
    auto entry = queue_->EnterCase(case_id, Channel::kWeb, CaseKind::kSurrenderApplication, "ru");
    ASSERT_TRUE(entry.ok());
    EXPECT_EQ(queue_->Entry(*entry)->op, op2_);
    EXPECT_EQ(queue_->Entry(*entry)->contact.owner, op2_);
}

TEST_F(QueueServiceTest, ContactsStoredButNotQueuedBeforeACrashAreQueuedAtStartWithTheirTimes) {
    // One contact goes the whole way; then two are stored with no queue write after them (no
    // intake listener: what a crash between the intake's commit and the queue's write leaves).
    Listen();
    const CaseId queued = Submit();
    clock_.Advance(10s);
    intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);  // no listener now
    const TimePoint first_lost_at = clock_.Now();
    const CaseId lost1 = Submit("uk");
    clock_.Advance(3s);
    const CaseId lost2 = Submit("en");
    // Two minutes pass before the restart.
    clock_.Advance(2min);
    EXPECT_EQ(queue_->recovered_at_start(), 0u);

    Start();
    EXPECT_EQ(queue_->recovered_at_start(), 2u);
    const auto waiting = queue_->Waiting();
    ASSERT_EQ(waiting.size(), 3u);
    EXPECT_EQ(waiting[0].contact.case_id, queued);
    EXPECT_EQ(waiting[1].contact.case_id, lost1);
    EXPECT_EQ(waiting[1].enter_at, first_lost_at);  // its place and wait count from its arrival
    EXPECT_EQ(waiting[1].contact.language, "uk");
    EXPECT_EQ(waiting[2].contact.case_id, lost2);
    EXPECT_EQ(waiting[2].enter_at, first_lost_at + 3s);
    // They are in the log now: a second restart finds nothing more to recover and keeps them.
    Start();
    EXPECT_EQ(queue_->recovered_at_start(), 0u);
    ASSERT_EQ(queue_->Waiting().size(), 3u);
    EXPECT_EQ(queue_->Waiting()[1].enter_at, first_lost_at);
    // A contact that was queued, answered and completed is not queued again.
    queue_->Login(op1_);
    for (int i = 0; i < 3; ++i) {
        auto mine = queue_->Mine(op1_);
        ASSERT_EQ(mine.size(), 1u);
        ASSERT_TRUE(queue_->Accept(op1_, mine[0].entry.id).ok());
        ASSERT_TRUE(queue_->Complete(op1_, mine[0].entry.id).ok());
        ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable).ok());
    }
    Start();
    EXPECT_EQ(queue_->recovered_at_start(), 0u);
    EXPECT_TRUE(queue_->Waiting().empty());
}

TEST_F(QueueServiceTest, ARestartKeepsTheLineWithItsOriginalClocks) {
    Listen();
    std::vector<TimePoint> entered;
    for (int i = 0; i < 3; ++i) {
        entered.push_back(clock_.Now());
        Submit();
        clock_.Advance(10s);
    }
    queue_->Login(op1_);  // takes the oldest
    auto mine = queue_->Mine(op1_);
    ASSERT_EQ(mine.size(), 1u);
    const QueueEntryId taken = mine[0].entry.id;
    ASSERT_TRUE(queue_->Accept(op1_, taken).ok());
    const auto before = queue_->Waiting();
    ASSERT_EQ(before.size(), 2u);

    clock_.Advance(5min);  // down for five minutes
    Start();
    const auto after = queue_->Waiting();
    ASSERT_EQ(after.size(), 2u);
    for (std::size_t i = 0; i < after.size(); ++i) {
        EXPECT_EQ(after[i].id, before[i].id);
        EXPECT_EQ(after[i].enter_at, entered[i + 1]);
        EXPECT_EQ(after[i].contact, before[i].contact);
    }
    // The connected contact is still his after he comes back.
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable).ok());
    mine = queue_->Mine(op1_);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].entry.id, taken);
    EXPECT_EQ(mine[0].entry.state, EntryState::kConnected);
    EXPECT_EQ(mine[0].wait_ms, 30'000);
    ASSERT_TRUE(queue_->Complete(op1_, taken).ok());
    // New entries continue the numbering; the wallboard's waits start at the original enter.
    auto next = queue_->EnterCase(Submit(), Channel::kWeb, CaseKind::kSurrenderApplication, "ru");
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->value, 4);
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAway).ok());
    auto board = queue_->Board();
    EXPECT_EQ(board.waiting, 3);
    EXPECT_EQ(board.longest_wait_ms, ToUnixMillis(clock_.Now()) - ToUnixMillis(entered[1]));
}

TEST_F(QueueServiceTest, TransfersAreLoggedAndKeptOverARestart) {
    Listen();
    queue_->Login(op1_);
    const TimePoint entered = clock_.Now();
    Submit();  // entry 1 → op1
    clock_.Advance(3s);
    ASSERT_TRUE(queue_->Accept(op1_, QueueEntryId{1}).ok());
    EXPECT_EQ(queue_->Transfer(QueueEntryId{1}, op2_).code(), ErrorCode::kNotFound);  // op2 not in the queue
    EXPECT_EQ(queue_->Transfer(QueueEntryId{9}, "uk", CaseKind::kRelativeInquiry).code(), ErrorCode::kNotFound);
    EXPECT_EQ(queue_->Transfer(QueueEntryId{1}, "de", CaseKind::kRelativeInquiry).code(),
              ErrorCode::kInvalidArgument);  // not a queue language
    ASSERT_TRUE(queue_->SetPresence(op2_, Presence::kBusy).ok());
    clock_.Advance(2s);
    ASSERT_TRUE(queue_->Transfer(QueueEntryId{1}, op2_).ok());
    // It waits for op2 alone (busy), though op1 is free: a new segment, the place kept.
    auto e = queue_->Entry(QueueEntryId{1});
    EXPECT_EQ(e->state, EntryState::kWaiting);
    EXPECT_EQ(e->transfer_target, op2_);
    EXPECT_EQ(e->segment, 1);
    EXPECT_EQ(e->enter_at, entered);
    EXPECT_TRUE(queue_->Mine(op1_).empty());

    clock_.Advance(10s);
    Start();
    e = queue_->Entry(QueueEntryId{1});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->transfer_target, op2_);
    EXPECT_EQ(e->segment, 1);
    EXPECT_EQ(e->enter_at, entered);
    EXPECT_EQ(ToUnixMillis(e->queued_at), ToUnixMillis(entered) + 5000);
    ASSERT_TRUE(queue_->SetPresence(op2_, Presence::kAvailable).ok());
    ASSERT_EQ(queue_->Entry(QueueEntryId{1})->op, op2_);
    // To another skill: the offer is withdrawn, the entry goes by its new language and kind.
    ASSERT_TRUE(queue_->Transfer(QueueEntryId{1}, "uk", CaseKind::kRelativeInquiry).ok());
    e = queue_->Entry(QueueEntryId{1});
    EXPECT_EQ(e->contact.language, "uk");
    EXPECT_EQ(e->contact.kind, CaseKind::kRelativeInquiry);
    EXPECT_FALSE(e->transfer_target);
    // (The withdrawn offer is part of the transfer step: no reject.)
    EXPECT_EQ(LoggedTypes(), (std::vector<std::string>{"enter", "offer", "accept", "connect", "transfer", "offer",
                                                       "transfer", "offer"}));
    EXPECT_EQ(queue_->Board().today.transfers, 2);
}

TEST_F(QueueServiceTest, TheTimerTimesOffersOutWithoutAnyCall) {
    config_.timer = true;
    config_.max_tick = 10ms;
    config_.engine.offer_timeout = 20s;
    Start();
    Listen();
    queue_->Login(op1_);
    Submit();
    ASSERT_EQ(queue_->Mine(op1_).size(), 1u);
    clock_.Advance(21s);
    for (int i = 0; i < 300 && LoggedTypes().size() < 3; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(LoggedTypes(), (std::vector<std::string>{"enter", "offer", "timeout"}));
    EXPECT_EQ(queue_->Operator(op1_)->presence, Presence::kAway);  // pause_on_timeout
}

TEST_F(QueueServiceTest, PresenceChanges) {
    EXPECT_EQ(queue_->SetPresence(op1_, Presence::kWrapUp).code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(queue_->SetPresence(op1_, Presence::kOffline).ok());  // already offline
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kBusy).ok());
    EXPECT_EQ(queue_->Operator(op1_)->presence, Presence::kBusy);
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable).ok());
    EXPECT_EQ(queue_->Operator(op1_)->presence, Presence::kAvailable);
    EXPECT_EQ(queue_->Operator(op1_)->skills.languages, (std::set<std::string>{"en", "ru", "uk"}));
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kOffline).ok());
    auto view = queue_->Operator(op1_);
    EXPECT_TRUE(!view || view->presence == Presence::kOffline);
}

TEST_F(QueueServiceTest, PresenceLogsInWithTheGivenSkillsAndTakesNewOnesAtTheNextChange) {
    Listen();
    const auto uk = queue_->SkillsFor({{"uk"}, {}});
    const auto ru = queue_->SkillsFor({{"ru"}, {}});
    EXPECT_EQ(uk.languages, (std::set<std::string>{"uk"}));
    EXPECT_EQ(uk.kinds, config_.default_skills.kinds);  // no kinds stored: every kind
    EXPECT_EQ(queue_->SkillsFor({}).languages, config_.default_skills.languages);

    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kBusy, uk).ok());
    EXPECT_EQ(queue_->Operator(op1_)->skills.languages, uk.languages);
    const CaseId russian = Submit("ru");
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable, uk).ok());
    EXPECT_TRUE(queue_->Mine(op1_).empty());  // a Russian contact is not for him

    // His skills changed while he was logged in: his next presence change applies them.
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAvailable, ru).ok());
    auto view = queue_->Operator(op1_);
    EXPECT_EQ(view->presence, Presence::kAvailable);
    EXPECT_EQ(view->skills.languages, ru.languages);
    auto mine = queue_->Mine(op1_);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].entry.contact.case_id, russian);

    // Without skills he keeps his; with new ones and another presence, he gets both.
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kAway).ok());
    EXPECT_EQ(queue_->Operator(op1_)->skills.languages, ru.languages);
    const auto inquiries = queue_->SkillsFor({{}, {CaseKind::kRelativeInquiry}});
    ASSERT_TRUE(queue_->SetPresence(op1_, Presence::kBusy, inquiries).ok());
    view = queue_->Operator(op1_);
    EXPECT_EQ(view->presence, Presence::kBusy);
    EXPECT_EQ(view->skills.languages, config_.default_skills.languages);
    EXPECT_EQ(view->skills.kinds, (std::set<CaseKind>{CaseKind::kRelativeInquiry}));
}

TEST(QueueSkills, ParseSkillsTakesKnownCodesOnly) {
    auto ok = queue::ParseSkills({"uk", "en", "uk"}, {"relative_inquiry"});
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->languages, (std::set<std::string>{"en", "uk"}));
    EXPECT_EQ(ok->kinds, (std::set<CaseKind>{CaseKind::kRelativeInquiry}));
    EXPECT_EQ(queue::ParseSkills({}, {}).value(), store::UserSkills{});
    for (const char* bad : {"de", "RU", "", "en,uk"})
        EXPECT_EQ(queue::ParseSkills({bad}, {}).code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(queue::ParseSkills({"ru"}, {"inquiry"}).code(), ErrorCode::kInvalidArgument);
}

TEST_F(QueueServiceTest, WallboardOnASmallDay) {
    config_.service_level = 20s;
    Start();
    Listen();
    // Yesterday: one contact that left; not in today's counts.
    const std::int64_t morning = ToUnixMillis(clock_.Now());
    clock_.Set(FromUnixMillis(morning - morning % kDay - 10'000));
    Submit();
    clock_.Advance(5s);
    ASSERT_TRUE(queue_->Abandon(QueueEntryId{1}).ok());
    clock_.Set(FromUnixMillis(morning));

    queue_->Login(op1_);
    clock_.Advance(1s);
    queue_->Login(op2_);
    ASSERT_TRUE(queue_->SetPresence(op3_, Presence::kAway).ok());

    Submit();  // entry 2 → op1 (idle longest)
    clock_.Advance(5s);
    ASSERT_TRUE(queue_->Accept(op1_, QueueEntryId{2}).ok());  // answered after 5 s
    Submit();  // entry 3 → op2
    ASSERT_EQ(queue_->Entry(QueueEntryId{3})->op, op2_);
    clock_.Advance(30s);
    ASSERT_TRUE(queue_->Accept(op2_, QueueEntryId{3}).ok());  // answered after 30 s
    Submit();  // entry 4 waits: both at capacity
    clock_.Advance(10s);
    ASSERT_TRUE(queue_->Abandon(QueueEntryId{4}).ok());  // left after 10 s
    Submit();  // entry 5 waits
    Submit();  // entry 6 waits
    ASSERT_TRUE(queue_->RequestCallback(QueueEntryId{6}).ok());
    clock_.Advance(7s);

    const auto b = queue_->Board();
    EXPECT_EQ(ToUnixMillis(b.day_start), morning - morning % kDay);
    EXPECT_EQ(b.waiting, 1);
    EXPECT_EQ(b.longest_wait_ms, 7000);
    EXPECT_EQ(b.callbacks_waiting, 1);
    EXPECT_EQ(b.connected, 2);
    // At chat capacity but free for a call: still available (busy = no capacity for either). The
    // callback request became a call and is offered to op1, who is thus busy.
    EXPECT_EQ(queue_->Entry(QueueEntryId{6})->op, op1_);
    EXPECT_EQ(b.operators.at(Presence::kAvailable), 1);
    EXPECT_EQ(b.operators.at(Presence::kBusy), 1);
    EXPECT_EQ(b.operators.at(Presence::kAway), 1);
    EXPECT_EQ(b.today.offered, 5);
    EXPECT_EQ(b.today.answered, 2);
    EXPECT_EQ(b.today.answered_within_t, 1);
    EXPECT_EQ(b.today.abandoned, 1);
    EXPECT_EQ(b.today.callbacks, 1);
    ASSERT_TRUE(b.today.ServiceLevel().has_value());
    EXPECT_DOUBLE_EQ(*b.today.ServiceLevel(), 0.5);
    EXPECT_DOUBLE_EQ(*b.today.AsaSeconds(), 17.5);
}

}  // namespace
}  // namespace lifeline::testing
