#include "core/sharded_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace lifeline {
namespace {

using NodeShards = ShardedMap<std::unordered_map<std::int64_t, std::string>>;
using FlatShards = ShardedMap<boost::unordered_flat_map<std::int64_t, std::int64_t>>;

TEST(ShardedMap, FindsInsertsAndErasesLikeAMap) {
    NodeShards map;
    EXPECT_TRUE(map.empty());
    EXPECT_EQ(map.Find(7), nullptr);
    EXPECT_FALSE(map.contains(7));

    map[7] = "seven";
    const auto [eight, made] = map.try_emplace(8, "eight");
    ASSERT_TRUE(made);
    EXPECT_EQ(*eight, "eight");
    const auto [again, made_again] = map.try_emplace(8, "other");  // taken: left as it was
    EXPECT_FALSE(made_again);
    EXPECT_EQ(again, eight);
    EXPECT_EQ(*again, "eight");
    map[7] += "!";  // an existing key: the same value, not a new one
    EXPECT_EQ(map.size(), 2u);
    ASSERT_NE(map.Find(7), nullptr);
    EXPECT_EQ(*map.Find(7), "seven!");
    EXPECT_EQ(*map.Find(8), "eight");
    EXPECT_TRUE(map.contains(8));

    EXPECT_EQ(map.erase(7), 1u);
    EXPECT_EQ(map.erase(7), 0u);
    EXPECT_EQ(map.size(), 1u);
    EXPECT_EQ(map.Find(7), nullptr);
    EXPECT_EQ(map.erase(8), 1u);
    EXPECT_TRUE(map.empty());
    EXPECT_EQ(map.Find(8), nullptr);
}

TEST(ShardedMap, AgreesWithAnOrderedMapUnderMixedInsertsAndErases) {
    FlatShards map;
    std::map<std::int64_t, std::int64_t> model;
    std::uint64_t x = 88172645463325252ULL;  // xorshift: the same sequence every run
    for (int i = 0; i < 50'000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const auto key = static_cast<std::int64_t>(x % 5'000);
        if (x % 3 == 0) {
            EXPECT_EQ(map.erase(key), model.erase(key));
        } else {
            map[key] = i;
            model[key] = i;
        }
    }
    ASSERT_EQ(map.size(), model.size());
    for (const auto& [key, value] : model) {
        ASSERT_NE(map.Find(key), nullptr) << key;
        EXPECT_EQ(*map.Find(key), value);
    }
    std::map<std::int64_t, std::int64_t> visited;
    map.ForEach([&](std::int64_t key, std::int64_t value) { EXPECT_TRUE(visited.emplace(key, value).second); });
    EXPECT_EQ(visited, model);
}

TEST(ShardedMap, ValuesStayWhereTheyAreWhileTheMapGrows) {
    // The queue engine holds a reference to an entry while others are added: node shards keep
    // every value where it was made.
    NodeShards map;
    std::string* first = &map[1];
    *first = "first";
    for (std::int64_t k = 2; k < 100'000; ++k) map[k] = "x";
    EXPECT_EQ(map.Find(1), first);
    EXPECT_EQ(*first, "first");
}

// No shard may take much more than its share, or growing it rehashes that much at once: keys of
// every shape the callers use spread evenly.
void ExpectEvenSpread(const char* what, std::int64_t (*key_of)(std::int64_t)) {
    constexpr std::int64_t kKeys = 256 * 400;
    FlatShards map;
    map.reserve(kKeys);
    for (std::int64_t i = 0; i < kKeys; ++i) map[key_of(i)] = i;
    ASSERT_EQ(map.size(), static_cast<std::size_t>(kKeys)) << what;
    EXPECT_LE(map.LargestShard(), 2u * kKeys / 256) << what;
}

TEST(ShardedMap, SpreadsEveryShapeOfKeyEvenly) {
    ExpectEvenSpread("sequential queue entry ids", [](std::int64_t i) { return i + 1; });
    // Case ids: milliseconds in the high bits, 12 random bits below (here a fixed pattern).
    ExpectEvenSpread("case ids", [](std::int64_t i) { return (i / 8 + 90'000'000'000) << 12 | (i * 37 % 4096); });
    ExpectEvenSpread("multiples of 4096", [](std::int64_t i) { return i << 12; });
    ExpectEvenSpread("multiples of 2^32", [](std::int64_t i) { return i << 32; });
}

TEST(ShardedMap, ShardsDoubleOneAtATimeNotAllTogether) {
    // Even keys make even shards, which would all double within a few thousand inserts of each
    // other: one table's whole rehash in a burst. Each doubles at its own point instead, so any
    // stretch of inserts that grows the whole by a 32nd doubles about a 32nd of the shards'
    // worth of a growth (256 x log2(33/32): 11.4), not all 256 of them.
    FlatShards map;
    constexpr std::int64_t kKeys = std::int64_t{1} << 19;
    std::vector<std::size_t> growths_after{0};
    growths_after.reserve(kKeys + 1);
    for (std::int64_t i = 0; i < kKeys; ++i) {
        map[i + 1] = i;
        growths_after.push_back(map.Growths());
    }
    EXPECT_GE(map.Growths(), 256u * 7);  // every shard did grow, several times
    std::size_t most = 0;
    for (std::int64_t n = kKeys / 4; n + n / 32 <= kKeys; n += 64)
        most = std::max(most, growths_after[static_cast<std::size_t>(n + n / 32)] - growths_after[static_cast<std::size_t>(n)]);
    EXPECT_LE(most, 24u);
    EXPECT_GE(most, 6u);  // and they do happen along the way
}

}  // namespace
}  // namespace lifeline
