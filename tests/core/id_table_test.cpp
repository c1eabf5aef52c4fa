#include "core/id_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lifeline {
namespace {

TEST(IdTable, FindsInsertsAndErasesById) {
    IdTable<std::string> table;
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.Find(5), nullptr);
    EXPECT_THROW(table.at(5), std::out_of_range);

    table[5] = "five";
    table[7] = "seven";  // a gap: id 6 is empty
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.Find(6), nullptr);
    EXPECT_EQ(table.at(7), "seven");
    table[5] += "!";  // an existing id: the same value
    EXPECT_EQ(*table.Find(5), "five!");
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.Find(4), nullptr);
    EXPECT_EQ(table.Find(8), nullptr);
    EXPECT_EQ(table.Find(-1), nullptr);

    EXPECT_EQ(table.Oldest(), table.Find(5));
    EXPECT_EQ(table.erase(6), 0u);
    EXPECT_EQ(table.erase(5), 1u);
    EXPECT_EQ(table.Oldest(), table.Find(7));
    EXPECT_EQ(table.erase(5), 0u);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.Span(), 1u);  // the empty slots before 7 are gone
    table[3] = "three";           // below the oldest: slots are added at the front
    EXPECT_EQ(table.Span(), 5u);
    EXPECT_EQ(table.at(3), "three");
    EXPECT_EQ(table.at(7), "seven");
    EXPECT_EQ(table.erase(7), 1u);
    EXPECT_EQ(table.Span(), 1u);  // and after the newest
    EXPECT_EQ(table.erase(3), 1u);
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.Span(), 0u);
    EXPECT_EQ(table.Oldest(), nullptr);
    table[1'000'000] = "again";  // an empty table starts anywhere
    EXPECT_EQ(table.Span(), 1u);
}

TEST(IdTable, AgreesWithAnOrderedMapWhileIdsComeAndGo) {
    // Ids handed out in order, most leaving after a while, some staying long: as a queue's.
    IdTable<std::int64_t> table;
    std::map<std::int64_t, std::int64_t> model;
    std::uint64_t x = 88172645463325252ULL;
    std::int64_t next = 1;
    for (int i = 0; i < 60'000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 5 < 3 || model.empty()) {
            table[next] = i;
            model[next] = i;
            ++next;
        } else {
            // Mostly one of the oldest leaves, now and then any.
            auto it = model.begin();
            if (x % 7 == 0) it = model.lower_bound(static_cast<std::int64_t>(x % static_cast<std::uint64_t>(next)));
            if (it == model.end()) it = model.begin();
            const std::int64_t id = it->first;
            model.erase(it);
            EXPECT_EQ(table.erase(id), 1u);
        }
        ASSERT_EQ(table.size(), model.size());
    }
    for (const auto& [id, value] : model) ASSERT_EQ(table.at(id), value) << id;
    std::vector<std::int64_t> visited;
    table.ForEach([&](std::int64_t id, std::int64_t value) {
        EXPECT_EQ(model.at(id), value);
        visited.push_back(id);
    });
    ASSERT_EQ(visited.size(), model.size());
    EXPECT_TRUE(std::is_sorted(visited.begin(), visited.end()));
    // The slots span only from the oldest held to the newest.
    EXPECT_EQ(table.Span(), static_cast<std::size_t>(model.rbegin()->first - model.begin()->first + 1));
}

TEST(IdTable, ValuesStayWhereTheyAreWhileOthersComeAndGo) {
    IdTable<std::string> table;
    std::string* kept = &table[10];
    *kept = "kept";
    for (std::int64_t id = 11; id < 200'000; ++id) {
        table[id] = "x";
        if (id % 3 != 0) table.erase(id);
    }
    table[1] = "front";  // slots added at the front move no value either
    EXPECT_EQ(table.Find(10), kept);
    EXPECT_EQ(*kept, "kept");
}

TEST(IdTable, RefusesIdsTooFarApart) {
    IdTable<int> table;
    table[1] = 1;
    EXPECT_THROW(table[1 + IdTable<int>::kMaxSpan], std::length_error);  // before any slot is made
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.Span(), 1u);
    IdTable<int> other;
    other[IdTable<int>::kMaxSpan + 10] = 1;
    EXPECT_THROW(other[10], std::length_error);  // the same at the front
    EXPECT_EQ(other.size(), 1u);
}

}  // namespace
}  // namespace lifeline
