#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace lifeline {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsTheBurstThenSaysHowLongToWait) {
    FakeClock clock;
    RateLimiter limiter(clock, 3, 6);  // 3 at once, then one every 10 s
    for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a"), 0) << i;
    // The wait is rounded up to whole seconds (and a refusal takes nothing).
    EXPECT_GE(limiter.Take("a"), 10);
    EXPECT_LE(limiter.Take("a"), 11);
    EXPECT_EQ(limiter.Take("b"), 0);  // keys are separate
    clock.Advance(4s);
    const auto wait = limiter.Take("a");
    EXPECT_GE(wait, 6);
    EXPECT_LE(wait, 7);
    clock.Advance(6s);
    EXPECT_EQ(limiter.Take("a"), 0);
    EXPECT_GE(limiter.Take("a"), 10);
    clock.Advance(1h);  // refilled to the capacity, not beyond
    for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a"), 0) << i;
    EXPECT_GT(limiter.Take("a"), 0);
}

TEST(RateLimiter, AFullTableDropsRefilledKeysAndKeepsTheOthers) {
    FakeClock clock;
    RateLimiter limiter(clock, 1, 1, 10);  // one a minute, at most 10 keys
    for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Take("old" + std::to_string(i)), 0);
    clock.Advance(2min);  // those four have refilled
    for (int i = 0; i < 6; ++i) EXPECT_EQ(limiter.Take("new" + std::to_string(i)), 0);
    // Table full: the next new key drops the refilled four, and the six limited ones stay.
    EXPECT_EQ(limiter.Take("another"), 0);
    for (int i = 0; i < 6; ++i) EXPECT_GT(limiter.Take("new" + std::to_string(i)), 0) << i;
}

TEST(RateLimiter, AFloodOfNewKeysForgetsTheLeastLimitedHalfRatherThanGrows) {
    FakeClock clock;
    RateLimiter limiter(clock, 2, 1, 8);  // 2 at once, then one a minute
    // Two clients used up their burst; six new keys took one token each.
    for (const char* held : {"held0", "held1"}) {
        EXPECT_EQ(limiter.Take(held), 0);
        EXPECT_EQ(limiter.Take(held), 0);
        EXPECT_GT(limiter.Take(held), 0);
    }
    for (int i = 0; i < 6; ++i) EXPECT_EQ(limiter.Take("k" + std::to_string(i)), 0);
    // Nothing has refilled: the ninth key forgets the least limited keys instead of growing the
    // table (or scanning it again for every new key after this one), and the held clients stay
    // held: a flood of new addresses does not free them.
    EXPECT_EQ(limiter.Take("k8"), 0);
    EXPECT_GT(limiter.Take("held0"), 0);
    EXPECT_GT(limiter.Take("held1"), 0);
    EXPECT_EQ(limiter.Take("k0"), 0);  // forgotten: a full burst again
    EXPECT_EQ(limiter.Take("k0"), 0);
    EXPECT_GT(limiter.Take("k0"), 0);
    // A flood that keeps going never lets the held clients through either.
    for (int i = 100; i < 200; ++i) EXPECT_EQ(limiter.Take("k" + std::to_string(i)), 0);
    EXPECT_GT(limiter.Take("held0"), 0);
    EXPECT_GT(limiter.Take("held1"), 0);
}

// With a burst of one, every key of a flood is as held back as the next: pruning still keeps
// exactly half the table, not none of it.
TEST(RateLimiter, PruningKeepsExactlyHalfWhateverTheTies) {
    FakeClock clock;
    RateLimiter limiter(clock, 1, 1, 16);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(limiter.Take("k" + std::to_string(i)), 0);
    EXPECT_EQ(limiter.keys(), 16u);
    EXPECT_EQ(limiter.Take("k16"), 0);
    EXPECT_EQ(limiter.keys(), 9u);  // 8 kept, and the new one
    // Tiny tables: nothing out of bounds.
    for (std::size_t max_keys : {1u, 2u, 3u}) {
        RateLimiter tiny(clock, 1, 1, max_keys);
        for (int i = 0; i < 10; ++i) EXPECT_EQ(tiny.Take("t" + std::to_string(i)), 0);
        EXPECT_LE(tiny.keys(), max_keys);
    }
}

}  // namespace
}  // namespace lifeline
