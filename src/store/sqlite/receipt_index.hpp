#pragma once
/// The SQLite store's index from receipt lookups to cases, kept in memory.
///
/// A receipt lookup is a keyed hash: random. A B-tree index on it (cases_by_receipt, dropped by
/// migration 7) took one random page into the WAL for every new case, and every checkpoint
/// copied those pages back: measured, a third of the writer's and two thirds of the
/// checkpointer's work per web application. This map from a 64-bit key of each lookup (its first
/// eight bytes) to its case id costs nothing on disk. The store fills it from the cases table
/// when it opens and adds each case the writer inserts.
///
/// An entry is a hint, not a fact: the caller reads the case by id and compares the stored
/// lookup, so an entry left by a rolled-back transaction finds nothing (and the writer drops it
/// when it meets it again). Safe for concurrent use: one writer, any number of readers.

#include <cstdint>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/bytes.hpp"
#include "core/sharded_map.hpp"

namespace lifeline::store::sqlite {

class ReceiptIndex {
public:
    /// The case ids whose lookup may equal `lookup` (usually none or one), appended to `out`.
    void Candidates(ByteView lookup, std::vector<std::int64_t>& out) const;
    /// Records that case_id holds `lookup`; nothing when that pair is already there.
    void Add(ByteView lookup, std::int64_t case_id);
    /// Forgets that case_id holds `lookup`.
    void Remove(ByteView lookup, std::int64_t case_id);
    /// Entries held (tests, diagnostics).
    std::size_t size() const;
    /// Makes room for `entries` without rehashing (a rehash of a large table stalls the writer).
    void Reserve(std::size_t entries);

private:
    static std::uint64_t KeyOf(ByteView lookup) noexcept;

    mutable std::shared_mutex mutex_;
    // Guarded by mutex_. One case per key in an open-addressing table (a lookup touches one
    // group of slots, where a node-based map chased a bucket and a node: with a case per web
    // applicant it is large, and every new case looks up a key that is not there). The rare
    // second case under a key (a collision of the 64-bit keys, or a rolled-back insert's entry
    // before the writer drops it) goes in `more_`. Sharded: it grows by one entry per new case,
    // and doubling the whole table at once (about 8 ms at 430,000 entries, under the lock)
    // stalled the writer and every reader (core/sharded_map.hpp).
    ShardedMap<boost::unordered_flat_map<std::uint64_t, std::int64_t>> first_;
    std::unordered_multimap<std::uint64_t, std::int64_t> more_;
};

}  // namespace lifeline::store::sqlite
