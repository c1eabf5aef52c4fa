#include "queue/stats.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lifeline::queue {
namespace {

using std::chrono::seconds;
using Type = QueueEventType;

// A hand-written log. Times are seconds after t0; the window is [0 s, 600 s), T = 20 s.
//   e1 enters 0, connected 5 (wait 5)                  → answered within T
//   e2 enters 10, connected 40 (wait 30)               → answered, not within T
//   e3 enters 20, abandons 25 (wait 5)                 → abandoned, short, within T
//   e4 enters 30, abandons 45 (wait 15)                → abandoned, not short, within T
//   e5 enters 50, asks for a callback 80, called 300   → callback (not an abandon), callback connected
//   e6 enters 100, connected 115 (wait 15), transferred 200, connected again 260
//                                                      → answered once, within T; one transfer
//   e7 enters 590, still waiting at 600                → waiting, 10 s
//   e8 entered at -100 (before the window), connected 10 (wait 110)
//                                                      → answered in the window, not offered in it
class QueueStatsTest : public ::testing::Test {
protected:
    void Add(int at_s, Type type, std::int64_t entry, int enter_s, std::int64_t wait_ms = 0, int segment = 0,
             bool callback = false, UserId op = UserId(1)) {
        QueueEvent e;
        e.at = t0_ + seconds(at_s);
        e.type = type;
        e.entry = QueueEntryId(entry);
        e.op = op;
        e.contact.language = "ru";
        e.enter_at = t0_ + seconds(enter_s);
        e.wait_ms = wait_ms;
        e.segment = segment;
        e.callback = callback;
        log_.push_back(e);
    }
    void SetUp() override {
        Add(-100, Type::kEnter, 8, -100);
        Add(0, Type::kEnter, 1, 0);
        Add(5, Type::kConnect, 1, 0, 5'000);
        Add(10, Type::kEnter, 2, 10);
        Add(10, Type::kConnect, 8, -100, 110'000);
        Add(20, Type::kEnter, 3, 20);
        Add(25, Type::kAbandon, 3, 20, 5'000);
        Add(30, Type::kEnter, 4, 30);
        Add(40, Type::kConnect, 2, 10, 30'000);
        Add(45, Type::kAbandon, 4, 30, 15'000);
        Add(50, Type::kEnter, 5, 50);
        Add(80, Type::kCallback, 5, 50, 30'000, 0, true);
        Add(100, Type::kEnter, 6, 100);
        Add(115, Type::kConnect, 6, 100, 15'000);
        Add(200, Type::kTransfer, 6, 100, 0, 1);
        Add(260, Type::kConnect, 6, 100, 60'000, 1);
        Add(300, Type::kConnect, 5, 50, 250'000, 0, true);
        Add(590, Type::kEnter, 7, 590);
    }
    TimePoint t0_ = FromUnixMillis(1'767'225'600'000);
    std::vector<QueueEvent> log_;
};

TEST_F(QueueStatsTest, HandComputedWindow) {
    auto s = ComputeStats(log_, t0_, t0_ + seconds(600), seconds(20));
    EXPECT_EQ(s.offered, 7);            // e1..e7
    EXPECT_EQ(s.answered, 4);           // e1, e2, e6, e8
    EXPECT_EQ(s.answered_within_t, 2);  // e1 (5 s), e6 (15 s)
    EXPECT_EQ(s.abandoned, 2);          // e3, e4
    EXPECT_EQ(s.short_abandoned, 1);    // e3 (5 s)
    EXPECT_EQ(s.abandoned_within_t, 2);
    EXPECT_EQ(s.callbacks, 1);  // e5, not an abandon
    EXPECT_EQ(s.callbacks_connected, 1);
    EXPECT_EQ(s.transfers, 1);
    EXPECT_EQ(s.answered_wait_ms, 160'000);  // 5 + 30 + 15 + 110 s
    EXPECT_EQ(s.waiting_at_end, 1);          // e7
    EXPECT_EQ(s.longest_current_wait_ms, 10'000);
    EXPECT_EQ(s.callbacks_waiting_at_end, 0);
    EXPECT_DOUBLE_EQ(*s.ServiceLevel(), 2.0 / 4.0);
    EXPECT_DOUBLE_EQ(*s.ServiceLevelWithAbandons(), (2.0 + 2.0) / (4.0 + 2.0));
    EXPECT_DOUBLE_EQ(*s.AsaSeconds(), 40.0);
    EXPECT_DOUBLE_EQ(*s.AbandonRate(), 2.0 / 7.0);
}

TEST_F(QueueStatsTest, ANarrowWindowAndTheWaitsCurrentAtItsEnd) {
    // [0 s, 35 s): e1 e2 e3 e4 offered; e1 and e8 answered; e3 abandoned; e2 and e4 still wait.
    auto s = ComputeStats(log_, t0_, t0_ + seconds(35), seconds(20));
    EXPECT_EQ(s.offered, 4);
    EXPECT_EQ(s.answered, 2);
    EXPECT_EQ(s.answered_within_t, 1);
    EXPECT_EQ(s.abandoned, 1);
    EXPECT_EQ(s.waiting_at_end, 2);
    EXPECT_EQ(s.longest_current_wait_ms, 25'000);  // e2, since 10 s
    EXPECT_DOUBLE_EQ(*s.AsaSeconds(), (5.0 + 110.0) / 2.0);
    // At 90 s the callback request waits, but no one is on the line.
    auto later = ComputeStats(log_, t0_ + seconds(60), t0_ + seconds(90), seconds(20));
    EXPECT_EQ(later.offered, 0);  // e5 entered at 50 s
    EXPECT_EQ(later.callbacks, 1);
    EXPECT_EQ(later.abandoned, 0);
    EXPECT_EQ(later.callbacks_waiting_at_end, 1);
    EXPECT_EQ(later.waiting_at_end, 0);
}

TEST_F(QueueStatsTest, EmptyDenominatorsGiveNoRatio) {
    auto s = ComputeStats(log_, t0_ + seconds(1000), t0_ + seconds(2000));
    EXPECT_EQ(s.offered, 0);
    EXPECT_FALSE(s.ServiceLevel());
    EXPECT_FALSE(s.ServiceLevelWithAbandons());
    EXPECT_FALSE(s.AsaSeconds());
    EXPECT_FALSE(s.AbandonRate());
    EXPECT_EQ(s.waiting_at_end, 1);  // e7 still waits
    EXPECT_EQ(s.longest_current_wait_ms, 1'410'000);
}

}  // namespace
}  // namespace lifeline::queue
