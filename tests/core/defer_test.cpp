#include "core/defer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace lifeline {

TEST(DeferScope, OutsideAScopeTheActionRunsAtOnce) {
    int runs = 0;
    DeferScope::Once(&runs, [&] { ++runs; });
    EXPECT_EQ(runs, 1);
    DeferScope::Once(&runs, [&] { ++runs; });
    EXPECT_EQ(runs, 2);  // no scope: nothing to share, every call runs
    EXPECT_THROW(DeferScope::Once(&runs, [] { throw std::runtime_error("reaches the caller"); }),
                 std::runtime_error);
}

TEST(DeferScope, OneRunPerKeyWhenTheScopeCloses) {
    std::string log;
    const int a = 0, b = 0;
    {
        DeferScope scope;
        DeferScope::Once(&a, [&] { log += "a"; });
        DeferScope::Once(&b, [&] { log += "b"; });
        DeferScope::Once(&a, [&] { log += "A"; });  // a is already due: dropped
        EXPECT_EQ(log, "");
    }
    EXPECT_EQ(log, "ab");
}

TEST(DeferScope, ActionsBelongToTheInnermostScope) {
    std::string log;
    const int key = 0;
    {
        DeferScope outer;
        DeferScope::Once(&key, [&] { log += "outer;"; });
        {
            DeferScope inner;
            DeferScope::Once(&key, [&] { log += "inner;"; });  // its own scope: not a duplicate
        }
        EXPECT_EQ(log, "inner;");
    }
    EXPECT_EQ(log, "inner;outer;");
}

TEST(DeferScope, WhatAnActionDefersRunsOutsideTheClosedScope) {
    std::string log;
    const int first = 0, second = 0;
    {
        DeferScope outer;
        {
            DeferScope inner;
            DeferScope::Once(&first, [&] {
                log += "first;";
                DeferScope::Once(&second, [&] { log += "second;"; });  // goes to `outer`
            });
        }
        EXPECT_EQ(log, "first;");
    }
    EXPECT_EQ(log, "first;second;");
    {
        DeferScope only;
        DeferScope::Once(&first, [&] { DeferScope::Once(&second, [&] { log += "now;"; }); });
    }
    EXPECT_EQ(log, "first;second;now;");  // no scope left: ran at once
}

TEST(DeferScope, AThrowingActionDoesNotStopTheOthers) {
    int runs = 0;
    const int a = 0, b = 0;
    {
        DeferScope scope;
        DeferScope::Once(&a, [] { throw std::runtime_error("dropped"); });
        DeferScope::Once(&b, [&] { ++runs; });
    }
    EXPECT_EQ(runs, 1);
}

TEST(DeferScope, ScopesArePerThread) {
    int here = 0, there = 0;
    DeferScope scope;
    DeferScope::Once(&here, [&] { ++here; });
    std::thread([&] { DeferScope::Once(&there, [&] { ++there; }); }).join();
    EXPECT_EQ(there, 1);  // the other thread has no scope open
    EXPECT_EQ(here, 0);
}

}  // namespace lifeline
