#include "store/sqlite/receipt_index.hpp"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lifeline::store::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

/// A 32-byte lookup whose first eight bytes (the index's key) are `key` and the rest `tail`.
Bytes Lookup(std::uint8_t key, std::uint8_t tail) {
    Bytes b(32, tail);
    for (std::size_t i = 0; i < 8; ++i) b[i] = key;
    return b;
}

std::vector<std::int64_t> CandidatesOf(const ReceiptIndex& index, const Bytes& lookup) {
    std::vector<std::int64_t> out;
    index.Candidates(lookup, out);
    return out;
}

TEST(ReceiptIndex, FindsWhatWasAddedAndNothingElse) {
    ReceiptIndex index;
    index.Reserve(16);
    EXPECT_THAT(CandidatesOf(index, Lookup(1, 1)), IsEmpty());
    index.Add(Lookup(1, 1), 10);
    index.Add(Lookup(2, 2), 20);
    index.Add(Lookup(1, 1), 10);  // the same pair again: nothing new
    EXPECT_EQ(index.size(), 2u);
    EXPECT_THAT(CandidatesOf(index, Lookup(1, 1)), ElementsAre(10));
    EXPECT_THAT(CandidatesOf(index, Lookup(2, 2)), ElementsAre(20));
    EXPECT_THAT(CandidatesOf(index, Lookup(3, 3)), IsEmpty());
    // Short lookups are hashed whole.
    index.Add(Bytes{7, 7, 7}, 30);
    EXPECT_THAT(CandidatesOf(index, Bytes{7, 7, 7}), ElementsAre(30));
    EXPECT_THAT(CandidatesOf(index, Bytes{7, 7, 8}), IsEmpty());
}

TEST(ReceiptIndex, CasesSharingAKeyAreAllCandidatesAndSurviveEachOthersRemoval) {
    ReceiptIndex index;
    // Three lookups with the same first eight bytes: the index cannot tell them apart, so each
    // finds all three (the store compares the stored lookup).
    index.Add(Lookup(5, 1), 100);
    index.Add(Lookup(5, 2), 200);
    index.Add(Lookup(5, 3), 300);
    index.Add(Lookup(5, 2), 200);
    EXPECT_EQ(index.size(), 3u);
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 9)), UnorderedElementsAre(100, 200, 300));

    index.Remove(Lookup(5, 1), 100);  // the one in the table: another takes its place
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 1)), UnorderedElementsAre(200, 300));
    index.Remove(Lookup(5, 3), 300);  // one of the others
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 1)), ElementsAre(200));
    index.Remove(Lookup(5, 3), 999);  // not there: nothing changes
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 1)), ElementsAre(200));
    index.Remove(Lookup(5, 2), 200);
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 1)), IsEmpty());
    EXPECT_EQ(index.size(), 0u);
    index.Add(Lookup(5, 4), 400);  // the key is free again
    EXPECT_THAT(CandidatesOf(index, Lookup(5, 4)), ElementsAre(400));
}

TEST(ReceiptIndex, ManyCasesEachFindTheirOwn) {
    ReceiptIndex index;
    std::vector<Bytes> lookups;
    for (std::int64_t id = 1; id <= 5000; ++id) {
        Bytes b(32);
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>((id * 2654435761u) >> (i % 24));
        lookups.push_back(b);
        index.Add(b, id);
    }
    for (std::int64_t id = 1; id <= 5000; ++id) {
        const auto found = CandidatesOf(index, lookups[static_cast<std::size_t>(id - 1)]);
        EXPECT_NE(std::find(found.begin(), found.end(), id), found.end()) << id;
    }
}

}  // namespace
}  // namespace lifeline::store::sqlite
