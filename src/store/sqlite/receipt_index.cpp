#include "store/sqlite/receipt_index.hpp"

#include <functional>
#include <mutex>
#include <string_view>

namespace lifeline::store::sqlite {

std::uint64_t ReceiptIndex::KeyOf(ByteView lookup) noexcept {
    // Lookups are keyed hashes nobody outside can steer, so a plain hash spreads them well.
    return std::hash<std::string_view>{}(AsString(lookup));
}

void ReceiptIndex::Candidates(ByteView lookup, std::vector<std::int64_t>& out) const {
    std::shared_lock lock(mutex_);
    const auto [first, last] = ids_.equal_range(KeyOf(lookup));
    for (auto it = first; it != last; ++it) out.push_back(it->second);
}

void ReceiptIndex::Add(ByteView lookup, std::int64_t case_id) {
    const std::uint64_t key = KeyOf(lookup);
    std::unique_lock lock(mutex_);
    const auto [first, last] = ids_.equal_range(key);
    for (auto it = first; it != last; ++it)
        if (it->second == case_id) return;
    ids_.emplace(key, case_id);
}

void ReceiptIndex::Remove(ByteView lookup, std::int64_t case_id) {
    const std::uint64_t key = KeyOf(lookup);
    std::unique_lock lock(mutex_);
    const auto [first, last] = ids_.equal_range(key);
    for (auto it = first; it != last; ++it) {
        if (it->second == case_id) {
            ids_.erase(it);
            return;
        }
    }
}

void ReceiptIndex::Reserve(std::size_t entries) {
    std::unique_lock lock(mutex_);
    ids_.reserve(entries);
}

std::size_t ReceiptIndex::size() const {
    std::shared_lock lock(mutex_);
    return ids_.size();
}

}  // namespace lifeline::store::sqlite
