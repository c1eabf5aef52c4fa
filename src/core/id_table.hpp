#pragma once
/// Values by an id handed out in increasing order (queue entries), held in a deque of slots
/// indexed by id - first id: a lookup is an index, not a hash, and the table never rehashes.
///
/// A hash table of such values doubles now and then, and the insert that doubles it moves every
/// entry at once: a std::unordered_map of 351,000 queue entries took tens of milliseconds, on
/// the store's thread, with every application behind it waiting. Here an insert at the end adds
/// a slot (a deque never moves its elements), and consecutive ids sit side by side.
///
/// Values leave roughly in the order they came: erased slots at the front are dropped, so the
/// slots span from the oldest value held to the newest. A value that stays while many come and
/// go after it keeps their (empty, 8-byte) slots until it leaves. Values never move while held.
/// Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace lifeline {

template <typename T>
class IdTable {
public:
    /// The most slots held at once (512 MiB of them): ids further apart are refused.
    static constexpr std::int64_t kMaxSpan = std::int64_t{1} << 26;

    /// The value under `id`, or nullptr.
    T* Find(std::int64_t id) noexcept { return const_cast<T*>(std::as_const(*this).Find(id)); }
    const T* Find(std::int64_t id) const noexcept {
        if (id < first_ || id - first_ >= static_cast<std::int64_t>(slots_.size())) return nullptr;
        return slots_[static_cast<std::size_t>(id - first_)].get();
    }

    /// The value under `id`; throws std::out_of_range when there is none.
    T& at(std::int64_t id) {
        if (T* value = Find(id)) return *value;
        throw std::out_of_range("no entry " + std::to_string(id));
    }

    /// The value under `id`, value-initialised first if there was none. Ids below the oldest
    /// held (a restore in any order) add slots at the front. Throws std::length_error when the
    /// slots would span more than kMaxSpan ids.
    T& operator[](std::int64_t id) {
        if (!slots_.empty()) {
            const std::int64_t last = first_ + static_cast<std::int64_t>(slots_.size()) - 1;
            if ((id < first_ && last - id >= kMaxSpan) || (id > last && id - first_ >= kMaxSpan))
                throw std::length_error("ids too far apart");
        }
        if (slots_.empty()) {
            first_ = id;
            slots_.emplace_back();
        } else if (id < first_) {
            for (; first_ > id; --first_) slots_.emplace_front();
        } else if (const auto past = id - first_ - static_cast<std::int64_t>(slots_.size()); past >= 0) {
            slots_.resize(slots_.size() + static_cast<std::size_t>(past) + 1);
        }
        std::unique_ptr<T>& slot = slots_[static_cast<std::size_t>(id - first_)];
        if (!slot) {
            slot = std::make_unique<T>();
            ++size_;
        }
        return *slot;
    }

    /// Removes the value under `id`; the number removed (0 or 1).
    std::size_t erase(std::int64_t id) {
        if (Find(id) == nullptr) return 0;
        slots_[static_cast<std::size_t>(id - first_)].reset();
        --size_;
        while (!slots_.empty() && !slots_.front()) {
            slots_.pop_front();
            ++first_;
        }
        while (!slots_.empty() && !slots_.back()) slots_.pop_back();
        return 1;
    }

    /// The value with the lowest id, or nullptr when empty.
    const T* Oldest() const noexcept {
        for (const auto& slot : slots_)  // the first slot, but for a front slot whose value failed
            if (slot) return slot.get();  // to allocate
        return nullptr;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    /// Calls fn(id, value) for every value, in the order of the ids.
    template <typename Fn>
    void ForEach(Fn&& fn) const {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i]) fn(first_ + static_cast<std::int64_t>(i), std::as_const(*slots_[i]));
    }

    /// Slots from the oldest value held to the newest, empty ones included (tests, diagnostics).
    std::size_t Span() const noexcept { return slots_.size(); }

private:
    std::deque<std::unique_ptr<T>> slots_;
    std::int64_t first_ = 0;  // the id of slots_.front()
    std::size_t size_ = 0;
};

}  // namespace lifeline
