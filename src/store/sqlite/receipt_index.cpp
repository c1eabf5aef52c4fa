#include "store/sqlite/receipt_index.hpp"

#include <cstring>
#include <functional>
#include <mutex>
#include <string_view>

namespace lifeline::store::sqlite {

std::uint64_t ReceiptIndex::KeyOf(ByteView lookup) noexcept {
    // Lookups are keyed hashes nobody outside can steer: their first eight bytes are as good a
    // key as any hash of them (the table mixes keys itself).
    if (lookup.size() >= sizeof(std::uint64_t)) {
        std::uint64_t key = 0;
        std::memcpy(&key, lookup.data(), sizeof key);
        return key;
    }
    return std::hash<std::string_view>{}(AsString(lookup));
}

void ReceiptIndex::Candidates(ByteView lookup, std::vector<std::int64_t>& out) const {
    const std::uint64_t key = KeyOf(lookup);
    std::shared_lock lock(mutex_);
    const std::int64_t* first = first_.Find(key);
    if (first == nullptr) return;  // nothing under the key in more_ either
    out.push_back(*first);
    if (more_.empty()) return;
    const auto [from, to] = more_.equal_range(key);
    for (auto m = from; m != to; ++m) out.push_back(m->second);
}

void ReceiptIndex::Add(ByteView lookup, std::int64_t case_id) {
    const std::uint64_t key = KeyOf(lookup);
    std::unique_lock lock(mutex_);
    const auto [first, added] = first_.try_emplace(key, case_id);
    if (added || *first == case_id) return;
    const auto [from, to] = more_.equal_range(key);
    for (auto m = from; m != to; ++m)
        if (m->second == case_id) return;
    more_.emplace(key, case_id);
}

void ReceiptIndex::Remove(ByteView lookup, std::int64_t case_id) {
    const std::uint64_t key = KeyOf(lookup);
    std::unique_lock lock(mutex_);
    std::int64_t* const first = first_.Find(key);
    if (first == nullptr) return;
    const auto [from, to] = more_.equal_range(key);
    if (*first == case_id) {
        // Another case under the same key takes the place in the table, if there is one.
        if (from == to) {
            first_.erase(key);
        } else {
            *first = from->second;
            more_.erase(from);
        }
        return;
    }
    for (auto m = from; m != to; ++m) {
        if (m->second == case_id) {
            more_.erase(m);
            return;
        }
    }
}

void ReceiptIndex::Reserve(std::size_t entries) {
    std::unique_lock lock(mutex_);
    first_.reserve(entries);
}

std::size_t ReceiptIndex::size() const {
    std::shared_lock lock(mutex_);
    return first_.size() + more_.size();
}

}  // namespace lifeline::store::sqlite
