#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "queue/queue_engine.hpp"
#include "queue/queue_test_util.hpp"

namespace lifeline::queue {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Random walks through every operation, holding the indexed RouteOne to the brute-force reference
// (the rules written plainly), the log to the state (SnapshotFromLog == Snapshot) and the state to
// a restart (Restore of a Snapshot) along the way.
class QueueRandomWalk {
public:
    explicit QueueRandomWalk(std::uint64_t seed) : rng_(seed) {
        config_.chat_abandon_after[Channel::kTelegram] = std::chrono::minutes(10);
        config_.chat_abandon_after[Channel::kWeb] = std::chrono::minutes(30);
        Restart(false);
    }

    void Run(int steps) {
        for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) {
            const int r = Pick(100);
            if (r < 18)
                EnterOne();
            else if (r < 24)
                clock_.Advance(milliseconds(Pick(40'000)));
            else if (r < 50)
                CheckRoute();
            else if (r < 62)
                AnswerOffer();
            else if (r < 70)
                CompleteOne();
            else if (r < 73)
                (void)engine_->Abandon(AnyEntry());
            else if (r < 76)
                (void)engine_->RequestCallback(AnyEntry());
            else if (r < 80)
                TransferOne();
            else if (r < 86)
                SetPresenceOne();
            else if (r < 90)
                LoginOne();
            else if (r < 92)
                (void)engine_->Logout(AnyOp());
            else if (r < 99)
                CheckLog();
            else
                Restart(true);
        }
        CheckLog();
        EXPECT_GT(decisions_, 100);
    }

private:
    int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    UserId AnyOp() { return UserId(1 + Pick(kOps)); }
    QueueEntryId AnyEntry() {
        return ids_.empty() ? QueueEntryId(1) : ids_[static_cast<std::size_t>(Pick(static_cast<int>(ids_.size())))];
    }
    std::string AnyLanguage() {
        return std::array<std::string, 4>{"ru", "uk", "en", "de"}[static_cast<std::size_t>(Pick(4))];
    }
    CaseKind AnyKind() { return Pick(2) ? CaseKind::kSurrenderApplication : CaseKind::kRelativeInquiry; }

    std::vector<QueueEntryId> InState(EntryState state) {
        engine_->Tick();  // views show the state as of the last call
        std::vector<QueueEntryId> out;
        for (auto id : ids_)
            if (auto e = engine_->Entry(id); e && e->state == state) out.push_back(id);
        return out;
    }

    void EnterOne() {
        Contact c;
        c.channel = std::array<Channel, 4>{Channel::kPhone, Channel::kTelegram, Channel::kWeb,
                                           Channel::kOperatorEntered}[static_cast<std::size_t>(Pick(4))];
        c.language = AnyLanguage();
        c.kind = AnyKind();
        c.priority = Pick(3);
        if (Pick(5) == 0) c.owner = AnyOp();
        auto id = engine_->Enter(c);
        ASSERT_TRUE(id.ok());
        ids_.push_back(*id);
    }

    void CheckRoute() {
        engine_->Tick();
        const auto expected = engine_->ReferenceDecision();
        const auto made = engine_->RouteOne();
        ASSERT_EQ(made, expected);
        if (made) ++decisions_;
    }

    void AnswerOffer() {
        auto offered = InState(EntryState::kOffered);
        if (offered.empty()) return;
        auto id = offered[static_cast<std::size_t>(Pick(static_cast<int>(offered.size())))];
        auto op = *engine_->Entry(id)->op;
        ASSERT_TRUE((Pick(10) < 7 ? engine_->Accept(op, id) : engine_->Reject(op, id)).ok());
    }

    void CompleteOne() {
        auto connected = InState(EntryState::kConnected);
        if (connected.empty()) return;
        auto id = connected[static_cast<std::size_t>(Pick(static_cast<int>(connected.size())))];
        ASSERT_TRUE(engine_->Complete(*engine_->Entry(id)->op, id).ok());
    }

    void TransferOne() {
        if (Pick(2))
            (void)engine_->Transfer(AnyEntry(), AnyOp());
        else
            (void)engine_->Transfer(AnyEntry(), AnyLanguage(), AnyKind());
    }

    void SetPresenceOne() {
        static constexpr std::array<Presence, 3> kSettable{Presence::kAvailable, Presence::kAway, Presence::kBusy};
        (void)engine_->SetPresence(AnyOp(), kSettable[static_cast<std::size_t>(Pick(3))]);
    }

    void LoginOne() {
        const auto op = AnyOp();
        OperatorSkills skills;
        for (int i = 0, n = Pick(3); i < n; ++i) skills.languages.insert(AnyLanguage());
        for (int i = 0, n = 1 + Pick(2); i < n; ++i) skills.kinds.insert(AnyKind());
        if (Pick(3) == 0) skills.max_chats = Pick(4);
        skills_[static_cast<std::size_t>(op.value)] = skills;
        engine_->Login(op, skills);
    }

    void CheckLog() {
        ASSERT_EQ(engine_->Snapshot(), SnapshotFromLog(log_));
        std::size_t waiting = 0;
        for (auto id : ids_)
            if (auto e = engine_->Entry(id); e && e->state == EntryState::kWaiting) ++waiting;
        ASSERT_EQ(engine_->WaitingCount(), waiting);
        ASSERT_EQ(engine_->Waiting().size(), waiting);
    }

    // A new engine from the old one's snapshot; the operators who were logged in log in again.
    void Restart(bool restore) {
        std::optional<QueueSnapshot> snap;
        std::vector<UserId> logged_in;
        if (restore) {
            snap = engine_->Snapshot();
            for (int op = 1; op <= kOps; ++op)
                if (auto v = engine_->Operator(UserId(op)); v && v->presence != Presence::kOffline)
                    logged_in.emplace_back(op);
        }
        engine_ = std::make_unique<QueueEngine>(clock_, config_, [this](const QueueEvent& e) { log_.push_back(e); });
        if (snap) {
            ASSERT_TRUE(engine_->Restore(*snap).ok());
        }
        for (auto op : logged_in) engine_->Login(op, skills_[static_cast<std::size_t>(op.value)]);
    }

    static constexpr int kOps = 8;
    std::mt19937_64 rng_;
    FakeClock clock_;
    QueueConfig config_;
    std::vector<QueueEvent> log_;
    std::unique_ptr<QueueEngine> engine_;
    std::vector<QueueEntryId> ids_;
    std::array<OperatorSkills, kOps + 1> skills_;
    int decisions_ = 0;
};

TEST(QueueRandomWalk, IndexedRoutingMatchesTheReferenceAndTheLogMatchesTheState) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        QueueRandomWalk walk(seed);
        walk.Run(4000);
    }
}

}  // namespace
}  // namespace lifeline::queue
