#include "queue/queue_engine.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "queue/queue_test_util.hpp"
#include "queue/stats.hpp"

namespace lifeline::queue {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Type = QueueEventType;

constexpr auto kApp = CaseKind::kSurrenderApplication;
constexpr auto kInq = CaseKind::kRelativeInquiry;
const UserId kAnna{1};
const UserId kBoris{2};
const UserId kVera{3};
const UserId kGleb{4};

class QueueEngineTest : public ::testing::Test {
protected:
    // The engine is built on first use, so a test can change config_ first.
    QueueEngine& Q() {
        if (!engine_)
            engine_ =
                std::make_unique<QueueEngine>(clock_, config_, [this](const QueueEvent& e) { log_.push_back(e); });
        return *engine_;
    }
    QueueEntryId Enter(std::string language = "ru", CaseKind kind = kApp, Channel channel = Channel::kTelegram,
                       int priority = 0, std::optional<UserId> owner = std::nullopt) {
        Contact c;
        c.channel = channel;
        c.language = std::move(language);
        c.kind = kind;
        c.priority = priority;
        c.owner = owner;
        c.case_id = CaseId(100 + static_cast<std::int64_t>(log_.size()));
        auto id = Q().Enter(std::move(c));
        EXPECT_TRUE(id.ok());
        return *id;
    }
    void Login(UserId op, std::set<std::string> languages = {"ru"}, std::set<CaseKind> kinds = {kApp, kInq},
               std::optional<int> max_chats = std::nullopt) {
        Q().Login(op, OperatorSkills{std::move(languages), std::move(kinds), max_chats});
    }
    void Advance(milliseconds d) { clock_.Advance(d); }
    std::optional<Offer> RouteOne() { return Q().RouteOne(); }
    /// The operator the entry is offered to (or connected to), if any.
    std::optional<UserId> HolderOf(QueueEntryId id) {
        auto e = Q().Entry(id);
        return e ? e->op : std::nullopt;
    }
    std::vector<Type> Types(QueueEntryId id) const {
        std::vector<Type> types;
        for (const auto& e : log_)
            if (e.entry == id) types.push_back(e.type);
        return types;
    }
    /// Offers, accepts and connects: the entry is connected to `op` afterwards.
    void Connect(QueueEntryId id, UserId op) {
        auto offers = Q().Route();
        ASSERT_EQ(HolderOf(id), op);
        ASSERT_TRUE(Q().Accept(op, id).ok());
        (void)offers;
    }

    FakeClock clock_;
    QueueConfig config_;
    std::vector<QueueEvent> log_;
    std::unique_ptr<QueueEngine> engine_;
};

TEST_F(QueueEngineTest, TheOperatorIdleLongestGetsTheOffer) {
    Login(kBoris);
    Advance(seconds(5));
    Login(kAnna);
    Advance(seconds(5));
    Login(kVera);
    // Boris logged in first: idle longest.
    auto first = Enter();
    EXPECT_EQ(RouteOne(), (Offer{first, kBoris}));
    // Offers count as load: the next contact goes to someone with nothing, idle longest of them.
    auto second = Enter();
    EXPECT_EQ(RouteOne(), (Offer{second, kAnna}));
    EXPECT_FALSE(RouteOne());  // nothing else waits

    // Idle-since is when an operator last became free of all work: Boris finishes first, so after
    // Vera takes the third contact he is the longest idle again, ahead of Anna who is still busy.
    ASSERT_TRUE(Q().Accept(kBoris, first).ok());
    ASSERT_TRUE(Q().Accept(kAnna, second).ok());
    Advance(seconds(10));
    ASSERT_TRUE(Q().Complete(kBoris, first).ok());
    ASSERT_TRUE(Q().SetPresence(kBoris, Presence::kAvailable).ok());  // ends wrap-up now
    EXPECT_EQ(Q().Operator(kBoris)->idle_since, clock_.Now());
    Advance(seconds(1));
    auto third = Enter();
    EXPECT_EQ(RouteOne(), (Offer{third, kVera}));  // idle since login, 10 s before Boris freed
    auto fourth = Enter();
    EXPECT_EQ(RouteOne(), (Offer{fourth, kBoris}));  // no load beats Anna's one chat
}

TEST_F(QueueEngineTest, SkillsMatchLanguageAndCaseKind) {
    Login(kAnna, {"ru"}, {kApp});
    Login(kBoris, {"uk"}, {kApp, kInq});
    Login(kVera, {"ru"}, {kInq});
    auto uk = Enter("uk", kApp);
    auto ru_inquiry = Enter("ru", kInq);
    auto en = Enter("en", kApp);
    auto ru_app = Enter("ru", kApp);
    Q().Route();
    EXPECT_EQ(HolderOf(uk), kBoris);
    EXPECT_EQ(HolderOf(ru_inquiry), kVera);
    EXPECT_EQ(HolderOf(ru_app), kAnna);
    EXPECT_EQ(HolderOf(en), std::nullopt);  // no one speaks English: it waits for overflow
    EXPECT_EQ(Q().WaitingCount(), 1u);
}

TEST_F(QueueEngineTest, AnOfferNotAcceptedInTimeGoesToTheNextOperator) {
    Login(kAnna);
    Advance(seconds(1));
    Login(kBoris);
    Advance(seconds(1));
    Login(kVera);
    auto id = Enter();
    EXPECT_EQ(RouteOne(), (Offer{id, kAnna}));
    Advance(seconds(19));
    EXPECT_FALSE(RouteOne());  // still reserved for Anna
    EXPECT_EQ(HolderOf(id), kAnna);
    ASSERT_TRUE(Q().NextDeadline());
    EXPECT_EQ(*Q().NextDeadline(), clock_.Now() + seconds(1));
    Advance(seconds(1));
    Q().Tick();
    EXPECT_EQ(Q().Entry(id)->state, EntryState::kWaiting);
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));
    // Anna did not answer: she is set away, not offered anything until she is back.
    EXPECT_EQ(Q().Operator(kAnna)->presence, Presence::kAway);
    // Boris declines: Vera is next.
    ASSERT_TRUE(Q().Reject(kBoris, id).ok());
    EXPECT_EQ(RouteOne(), (Offer{id, kVera}));
    EXPECT_EQ(Types(id), (std::vector<Type>{Type::kEnter, Type::kOffer, Type::kTimeout, Type::kOffer, Type::kReject,
                                            Type::kOffer}));
    // Those who declined are skipped for this entry even when they are free again.
    ASSERT_TRUE(Q().Reject(kVera, id).ok());
    ASSERT_TRUE(Q().SetPresence(kAnna, Presence::kAvailable).ok());
    EXPECT_FALSE(RouteOne());
    auto other = Enter();
    EXPECT_TRUE(RouteOne());  // but they still get other contacts
    EXPECT_TRUE(HolderOf(other));
    // A late accept of a timed-out offer is refused.
    EXPECT_EQ(Q().Accept(kAnna, id).code(), ErrorCode::kConflict);
}

TEST_F(QueueEngineTest, WithoutPauseOnTimeoutTheOperatorStaysAvailable) {
    config_.pause_on_timeout = false;
    Login(kAnna);
    Advance(seconds(1));
    Login(kBoris);
    auto id = Enter();
    EXPECT_EQ(RouteOne(), (Offer{id, kAnna}));
    Advance(seconds(20));
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));  // every call applies passed deadlines first
    EXPECT_EQ(Q().Operator(kAnna)->presence, Presence::kAvailable);
}

TEST_F(QueueEngineTest, AfterTheOverflowWaitAnyAvailableOperatorIsEligible) {
    Login(kAnna, {"en"}, {kApp});
    auto ru = Enter("ru", kInq);
    Advance(seconds(59));
    EXPECT_FALSE(RouteOne());
    EXPECT_FALSE(Q().Entry(ru)->overflowed);
    Advance(seconds(1));
    EXPECT_EQ(RouteOne(), (Offer{ru, kAnna}));
    EXPECT_TRUE(Q().Entry(ru)->overflowed);
}

TEST_F(QueueEngineTest, HigherPriorityFirstThenOldest) {
    auto old_low = Enter("ru", kApp, Channel::kTelegram, 0);
    Advance(seconds(1));
    auto new_low = Enter("ru", kApp, Channel::kTelegram, 0);
    Advance(seconds(1));
    auto urgent = Enter("ru", kApp, Channel::kTelegram, 5);
    auto waiting = Q().Waiting();
    ASSERT_EQ(waiting.size(), 3u);
    EXPECT_EQ(waiting[0].id, urgent);
    EXPECT_EQ(waiting[1].id, old_low);
    EXPECT_EQ(waiting[2].id, new_low);
    Login(kAnna, {"ru"}, {kApp}, 1);
    EXPECT_EQ(RouteOne(), (Offer{urgent, kAnna}));
    EXPECT_FALSE(RouteOne());  // one chat at most for her
    Login(kBoris, {"ru"}, {kApp}, 1);
    EXPECT_EQ(RouteOne(), (Offer{old_low, kBoris}));
}

TEST_F(QueueEngineTest, TheCaseOwnerIsOfferedHisApplicantFirst) {
    Login(kAnna);  // idle longest, has the skill
    Advance(seconds(5));
    Login(kBoris, {"uk"}, {kInq});  // owns the case; his skills do not matter
    auto id = Enter("ru", kApp, Channel::kTelegram, 0, kBoris);
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));

    // Owner away: the contact does not wait for him.
    ASSERT_TRUE(Q().SetPresence(kBoris, Presence::kAway).ok());
    EXPECT_EQ(Q().Entry(id)->state, EntryState::kWaiting);  // offer withdrawn
    EXPECT_EQ(RouteOne(), (Offer{id, kAnna}));
    ASSERT_TRUE(Q().Reject(kAnna, id).ok());
    // Owner back: his entry is offered to him even though it has no skill match for him.
    ASSERT_TRUE(Q().SetPresence(kBoris, Presence::kAvailable).ok());
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));
    // Going away withdrew his first offer; it was not a decline.
    EXPECT_TRUE(Q().Accept(kBoris, id).ok());
}

TEST_F(QueueEngineTest, AnOwnerWhoDeclinesLosesThePreference) {
    Login(kAnna);
    Advance(seconds(5));
    Login(kBoris);
    auto id = Enter("ru", kApp, Channel::kTelegram, 0, kBoris);
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));
    ASSERT_TRUE(Q().Reject(kBoris, id).ok());
    EXPECT_EQ(RouteOne(), (Offer{id, kAnna}));
}

TEST_F(QueueEngineTest, ChatCapAndOneCallAtATime) {
    Login(kAnna, {"ru"}, {kApp, kInq}, 2);
    auto c1 = Enter("ru", kApp, Channel::kTelegram);
    auto c2 = Enter("ru", kApp, Channel::kWhatsApp);
    auto c3 = Enter("ru", kApp, Channel::kWeb);
    auto call1 = Enter("ru", kApp, Channel::kPhone);
    auto call2 = Enter("ru", kApp, Channel::kPhone);
    Q().Route();
    // Two chats (her cap) and, beside them, one call; the third chat and the second call wait.
    EXPECT_EQ(HolderOf(c1), kAnna);
    EXPECT_EQ(HolderOf(c2), kAnna);
    EXPECT_EQ(HolderOf(c3), std::nullopt);
    EXPECT_EQ(HolderOf(call1), kAnna);
    EXPECT_EQ(HolderOf(call2), std::nullopt);
    auto view = Q().Operator(kAnna);
    EXPECT_EQ(view->offered_chats, 2);
    EXPECT_EQ(view->offered_calls, 1);
    EXPECT_EQ(view->presence, Presence::kBusy);

    // While on a call no new chat is offered, even with a chat slot free.
    ASSERT_TRUE(Q().Accept(kAnna, call1).ok());
    ASSERT_TRUE(Q().Accept(kAnna, c1).ok());
    ASSERT_TRUE(Q().Reject(kAnna, c2).ok());  // a free chat slot
    EXPECT_FALSE(RouteOne());
    // After the call, the chat slot is used again (wrap-up is 30 s by default).
    ASSERT_TRUE(Q().Complete(kAnna, call1).ok());
    EXPECT_FALSE(RouteOne());
    Advance(seconds(30));
    EXPECT_EQ(RouteOne(), (Offer{c3, kAnna}));  // c2 was declined by her
    EXPECT_EQ(RouteOne(), (Offer{call2, kAnna}));
    EXPECT_FALSE(RouteOne());
}

TEST_F(QueueEngineTest, WrapUpIsTimedAfterComplete) {
    Login(kAnna);
    auto first = Enter();
    Connect(first, kAnna);
    Advance(seconds(100));
    ASSERT_TRUE(Q().Complete(kAnna, first).ok());
    const auto completed_at = clock_.Now();
    auto view = Q().Operator(kAnna);
    EXPECT_EQ(view->presence, Presence::kWrapUp);
    EXPECT_EQ(view->wrap_up_until, completed_at + seconds(30));
    auto second = Enter();
    EXPECT_FALSE(RouteOne());
    Advance(seconds(29));
    EXPECT_FALSE(RouteOne());
    Advance(seconds(1));
    EXPECT_EQ(RouteOne(), (Offer{second, kAnna}));
    // She became free of all work when the wrap-up ended.
    EXPECT_EQ(log_.back().type, Type::kOffer);
    ASSERT_TRUE(Q().Reject(kAnna, second).ok());
    EXPECT_EQ(Q().Operator(kAnna)->presence, Presence::kAvailable);

    // The complete event carries the handling time.
    auto complete =
        std::find_if(log_.begin(), log_.end(), [](const QueueEvent& e) { return e.type == Type::kComplete; });
    ASSERT_NE(complete, log_.end());
    EXPECT_EQ(complete->duration_ms, 100'000);
}

TEST_F(QueueEngineTest, WrapUpCanBeEndedEarly) {
    Login(kAnna);
    auto first = Enter();
    Connect(first, kAnna);
    ASSERT_TRUE(Q().Complete(kAnna, first).ok());
    auto second = Enter();
    EXPECT_FALSE(RouteOne());
    Advance(seconds(3));
    ASSERT_TRUE(Q().SetPresence(kAnna, Presence::kAvailable).ok());
    EXPECT_EQ(RouteOne(), (Offer{second, kAnna}));
}

TEST_F(QueueEngineTest, AbandonAndCallbackAccounting) {
    const auto start = clock_.Now();
    auto quick = Enter("ru", kApp, Channel::kPhone);
    auto slow = Enter("ru", kApp, Channel::kPhone);
    auto callback = Enter("ru", kApp, Channel::kPhone);
    auto answered = Enter("ru", kApp, Channel::kPhone);
    Advance(seconds(5));
    ASSERT_TRUE(Q().Abandon(quick).ok());
    Advance(seconds(10));
    ASSERT_TRUE(Q().RequestCallback(callback).ok());
    // The callback keeps its place (second now, after `slow`) and is not an abandon.
    auto waiting = Q().Waiting();
    ASSERT_EQ(waiting.size(), 3u);
    EXPECT_EQ(waiting[0].id, slow);
    EXPECT_EQ(waiting[1].id, callback);
    EXPECT_TRUE(waiting[1].callback);
    EXPECT_EQ(Q().Abandon(callback).code(), ErrorCode::kConflict);
    EXPECT_EQ(Q().RequestCallback(callback).code(), ErrorCode::kConflict);
    Advance(seconds(15));
    ASSERT_TRUE(Q().Abandon(slow).ok());
    Login(kAnna);
    Connect(callback, kAnna);                                       // the callback's place is ahead of `answered`
    EXPECT_EQ(Q().Abandon(callback).code(), ErrorCode::kConflict);  // connected: that is Complete

    auto stats = ComputeStats(log_, start, clock_.Now() + seconds(1));
    EXPECT_EQ(stats.offered, 4);
    EXPECT_EQ(stats.abandoned, 2);
    EXPECT_EQ(stats.short_abandoned, 1);  // 5 s
    EXPECT_EQ(stats.callbacks, 1);
    EXPECT_EQ(stats.callbacks_connected, 1);
    EXPECT_EQ(stats.answered, 0);
    EXPECT_EQ(stats.AbandonRate(), 0.5);
    EXPECT_EQ(stats.waiting_at_end, 1);  // `answered`, waiting since the start
    EXPECT_EQ(stats.longest_current_wait_ms, 31'000);
    (void)answered;
}

TEST_F(QueueEngineTest, ChatsTimeOutPerChannelRuleCallsDoNot) {
    auto web = Enter("ru", kApp, Channel::kWeb);
    auto call = Enter("ru", kApp, Channel::kPhone);
    auto entered = Enter("ru", kApp, Channel::kOperatorEntered);
    Advance(hours(24) - milliseconds(1));
    Q().Tick();
    EXPECT_TRUE(Q().Entry(web));
    Advance(milliseconds(1));
    Q().Tick();
    EXPECT_FALSE(Q().Entry(web));
    EXPECT_EQ(log_.back().type, Type::kAbandon);
    EXPECT_EQ(log_.back().wait_ms, 24 * 3600 * 1000);
    Advance(hours(100));
    Q().Tick();
    EXPECT_TRUE(Q().Entry(call));
    EXPECT_TRUE(Q().Entry(entered));
}

TEST_F(QueueEngineTest, TransferToAnOperatorAndToASkill) {
    Login(kAnna);
    Advance(seconds(1));
    Login(kBoris, {"uk"}, {kApp});
    Advance(seconds(1));
    Login(kVera, {"uk"}, {kApp});
    auto id = Enter("ru", kApp);
    Connect(id, kAnna);
    Advance(seconds(60));
    // To Vera (not Boris, idle longer): she alone gets it, as a new wait segment.
    ASSERT_TRUE(Q().Transfer(id, kVera).ok());
    EXPECT_EQ(Q().Operator(kAnna)->active_chats, 0);
    EXPECT_EQ(Q().Entry(id)->segment, 1);
    EXPECT_EQ(Q().Entry(id)->queued_at, clock_.Now());
    EXPECT_EQ(RouteOne(), (Offer{id, kVera}));
    // She declines: it goes by its skill (ru) again, Anna excluded as the one who sent it.
    ASSERT_TRUE(Q().Reject(kVera, id).ok());
    EXPECT_FALSE(RouteOne());
    // To the Ukrainian-speaking skill: Boris (Vera declined it).
    ASSERT_TRUE(Q().Transfer(id, "uk", kApp).ok());
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));
    ASSERT_TRUE(Q().Accept(kBoris, id).ok());
    EXPECT_EQ(Q().Entry(id)->contact.language, "uk");
    EXPECT_EQ(Q().Transfer(id, kBoris).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Q().Transfer(id, UserId(99)).code(), ErrorCode::kNotFound);

    // Answered once, not twice; offered once.
    auto stats = ComputeStats(log_, FromUnixMillis(0), clock_.Now() + seconds(1));
    EXPECT_EQ(stats.offered, 1);
    EXPECT_EQ(stats.answered, 1);
    EXPECT_EQ(stats.transfers, 2);
}

TEST_F(QueueEngineTest, ATransferTargetNotFreeOverflows) {
    Login(kAnna);
    Login(kBoris, {"uk"}, {kApp});
    auto id = Enter("ru", kApp);
    Connect(id, kAnna);
    ASSERT_TRUE(Q().Transfer(id, kVera).code() == ErrorCode::kNotFound);
    Login(kVera, {"en"}, {kInq});
    ASSERT_TRUE(Q().SetPresence(kVera, Presence::kAway).ok());
    ASSERT_TRUE(Q().Transfer(id, kVera).ok());
    EXPECT_FALSE(RouteOne());
    Advance(seconds(60));
    EXPECT_EQ(RouteOne(), (Offer{id, kBoris}));  // any available operator but Anna, who sent it
}

TEST_F(QueueEngineTest, PresenceAndLogout) {
    Login(kAnna);
    auto id = Enter();
    EXPECT_EQ(RouteOne(), (Offer{id, kAnna}));
    ASSERT_TRUE(Q().SetPresence(kAnna, Presence::kBusy).ok());
    EXPECT_EQ(Q().Entry(id)->state, EntryState::kWaiting);
    EXPECT_EQ(log_.back().type, Type::kReject);
    EXPECT_TRUE(log_.back().withdrawn);
    EXPECT_FALSE(RouteOne());
    EXPECT_EQ(Q().SetPresence(kAnna, Presence::kWrapUp).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE(Q().SetPresence(kAnna, Presence::kAvailable).ok());
    Connect(id, kAnna);
    EXPECT_EQ(Q().Logout(kAnna).code(), ErrorCode::kConflict);
    ASSERT_TRUE(Q().Complete(kAnna, id).ok());
    EXPECT_TRUE(Q().Logout(kAnna).ok());
    EXPECT_FALSE(Q().Operator(kAnna));
    EXPECT_EQ(Q().Logout(kAnna).code(), ErrorCode::kNotFound);
    EXPECT_EQ(Q().SetPresence(kAnna, Presence::kAvailable).code(), ErrorCode::kNotFound);
}

TEST_F(QueueEngineTest, InputIsChecked) {
    Contact c;
    c.language = "";
    EXPECT_EQ(Q().Enter(c).code(), ErrorCode::kInvalidArgument);
    c.language = std::string(17, 'x');
    EXPECT_EQ(Q().Enter(c).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Q().Accept(kAnna, QueueEntryId(42)).code(), ErrorCode::kNotFound);
    auto id = Enter();
    EXPECT_EQ(Q().Accept(kAnna, id).code(), ErrorCode::kConflict);
    EXPECT_EQ(Q().Reject(kAnna, id).code(), ErrorCode::kConflict);
    EXPECT_EQ(Q().Complete(kAnna, id).code(), ErrorCode::kConflict);
    EXPECT_TRUE(log_.size() == 1 && log_[0].type == Type::kEnter);
}

TEST_F(QueueEngineTest, EveryStepIsLogged) {
    Login(kAnna);
    auto id = Enter("ru", kInq, Channel::kPhone, 3);
    Advance(seconds(4));
    Connect(id, kAnna);
    Advance(seconds(60));
    ASSERT_TRUE(Q().Complete(kAnna, id).ok());
    EXPECT_EQ(Types(id),
              (std::vector<Type>{Type::kEnter, Type::kOffer, Type::kAccept, Type::kConnect, Type::kComplete}));
    const auto& connect = log_[3];
    EXPECT_EQ(connect.op, kAnna);
    EXPECT_EQ(connect.wait_ms, 4000);
    EXPECT_EQ(connect.media, Media::kCall);
    EXPECT_EQ(connect.contact.priority, 3);
    EXPECT_EQ(connect.enter_at, log_[0].at);
    EXPECT_EQ(log_[4].wait_ms, 4000);
    EXPECT_EQ(log_[4].duration_ms, 60'000);
    EXPECT_EQ(ToString(Type::kCallback), "callback");
    EXPECT_EQ(ParseQueueEventType("timeout"), Type::kTimeout);
}

TEST_F(QueueEngineTest, EntriesTooFarApartAreRefusedNotHeld) {
    // Entries live in slots from the oldest held to the newest (core/id_table.hpp); a span past
    // its bound is refused with an error, before any slot is made, at restore and at enter.
    auto oldest = Enter();
    auto snap = Q().Snapshot();
    snap.next_entry_id = oldest.value + IdTable<int>::kMaxSpan;
    QueueEngine second(clock_, config_, [](const QueueEvent&) {});
    ASSERT_TRUE(second.Restore(snap).ok());
    Contact c;
    c.channel = Channel::kWeb;
    c.language = "ru";
    c.kind = kApp;
    const auto refused = second.Enter(c);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
    EXPECT_EQ(second.EntryCount(), 1u);
    EXPECT_TRUE(second.Entry(oldest));
    // Once the oldest has gone, the next one is taken.
    ASSERT_TRUE(second.Abandon(oldest).ok());
    EXPECT_TRUE(second.Enter(c).ok());
    EXPECT_EQ(second.EntryCount(), 1u);

    auto far = snap;
    far.entries.push_back(far.entries.front());
    far.entries.back().id = QueueEntryId(oldest.value + IdTable<int>::kMaxSpan);
    far.next_entry_id = far.entries.back().id.value + 1;
    QueueEngine third(clock_, config_, [](const QueueEvent&) {});
    EXPECT_EQ(third.Restore(far).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(third.EntryCount(), 0u);
}

TEST_F(QueueEngineTest, SnapshotAndRestoreKeepOriginalTimes) {
    Login(kAnna, {"uk"}, {kApp}, 1);
    const auto t0 = clock_.Now();
    auto web = Enter("ru", kApp, Channel::kWeb);  // will pass its 24 h while down
    Advance(hours(20));
    auto old_call = Enter("ru", kApp, Channel::kPhone);
    Advance(seconds(30));
    auto cb = Enter("ru", kInq, Channel::kPhone, 0, kGleb);
    ASSERT_TRUE(Q().RequestCallback(cb).ok());
    auto connected = Enter("uk", kApp, Channel::kTelegram, 9);  // ahead of `web`, overflowed by now
    Connect(connected, kAnna);
    Advance(seconds(10));
    auto fresh = Enter("ru", kApp, Channel::kTelegram, 2);
    auto snap = Q().Snapshot();
    ASSERT_EQ(snap.entries.size(), 5u);
    EXPECT_EQ(snap, SnapshotFromLog(log_));  // the log alone is enough to rebuild the state

    // Down for five hours; a new engine on the same log.
    Advance(hours(5));
    std::vector<QueueEvent> log2;
    QueueEngine second(clock_, config_, [&](const QueueEvent& e) { log2.push_back(e); });
    ASSERT_TRUE(second.Restore(snap).ok());
    EXPECT_EQ(second.Restore(snap).code(), ErrorCode::kConflict);
    EXPECT_TRUE(log2.empty());
    EXPECT_EQ(second.Entry(old_call)->enter_at, t0 + hours(20));
    EXPECT_EQ(second.Entry(connected)->state, EntryState::kConnected);
    EXPECT_EQ(second.Operator(kAnna)->presence, Presence::kOffline);
    // Overflow and the chat rule are judged from the original times.
    EXPECT_TRUE(second.Entry(old_call)->overflowed);
    second.Tick();
    EXPECT_FALSE(second.Entry(web));
    ASSERT_EQ(log2.size(), 1u);
    EXPECT_EQ(log2[0].type, Type::kAbandon);
    EXPECT_EQ(log2[0].wait_ms, std::chrono::duration_cast<milliseconds>(hours(25) + seconds(40)).count());
    // Order kept: priority, then the original enter time; the callback keeps its flag and place.
    auto waiting = second.Waiting();
    ASSERT_EQ(waiting.size(), 3u);
    EXPECT_EQ(waiting[0].id, fresh);
    EXPECT_EQ(waiting[1].id, old_call);
    EXPECT_EQ(waiting[2].id, cb);
    EXPECT_TRUE(waiting[2].callback);
    // New ids do not collide with restored ones.
    Contact c;
    c.language = "ru";
    auto next = second.Enter(c);
    ASSERT_TRUE(next.ok());
    EXPECT_GT(next->value, fresh.value);
    // The operator logs in again and finishes the contact he held; his wait counted from the start.
    second.Login(kAnna, OperatorSkills{{"uk"}, {kApp}, 1});
    EXPECT_TRUE(second.Complete(kAnna, connected).ok());
    // A connect after the restart reports the wait from the original enter time.
    second.Login(kBoris, OperatorSkills{{"ru"}, {kApp, kInq}, 3});
    ASSERT_TRUE(second.Accept(kBoris, second.RouteOne()->entry).ok());
    EXPECT_EQ(log2.back().type, Type::kConnect);
    EXPECT_EQ(log2.back().entry, fresh);
    EXPECT_EQ(log2.back().wait_ms, std::chrono::duration_cast<milliseconds>(hours(5)).count());
}

TEST_F(QueueEngineTest, SnapshotFromLogFollowsDeclinesTransfersAndCallbacks) {
    Login(kAnna);
    Advance(seconds(1));
    Login(kBoris);
    auto a = Enter("ru", kApp, Channel::kTelegram, 0, kAnna);
    auto b = Enter("ru", kInq, Channel::kWeb);
    auto c = Enter("ru", kApp, Channel::kPhone);
    Q().Route();
    ASSERT_TRUE(Q().Reject(kAnna, a).ok());  // owner declines
    ASSERT_TRUE(Q().Accept(kBoris, b).ok());
    ASSERT_TRUE(Q().Transfer(b, "uk", kInq).ok());
    Advance(seconds(20));  // c's offer times out
    Q().Tick();
    ASSERT_TRUE(Q().RequestCallback(a).ok());
    Login(kVera);
    Q().Route();
    ASSERT_EQ(HolderOf(c), kVera);
    ASSERT_TRUE(Q().Transfer(c, kBoris).ok());  // withdraws Vera's offer
    EXPECT_EQ(Q().Snapshot(), SnapshotFromLog(log_));
}

}  // namespace
}  // namespace lifeline::queue
