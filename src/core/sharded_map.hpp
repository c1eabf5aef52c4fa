#pragma once
/// A hash map split into a fixed number of shards by key, for tables that grow by one entry per
/// request and are touched on a request's path.
///
/// A hash table grows by doubling, and the insert that doubles it rehashes every entry at once:
/// with hundreds of thousands of entries that is tens of milliseconds (measured on the two-core
/// benchmark VM: two std::unordered_maps of 351,000 entries, one with queue-entry-sized values,
/// doubled in one insert in 33 ms; two boost::unordered_flat_maps of 430,000 in 17 ms, most of it
/// first-touch page faults on the new arrays). Such an insert on a store or I/O thread stalls
/// every request behind it. Split into 256 tables, each doubles when it alone has grown, one
/// 256th of the whole at a time: no insert waits on more than that.
///
/// `Map` is the shard type (std::unordered_map or boost::unordered_flat_map): references to
/// values stay valid exactly as long as the shard type keeps them. Not thread-safe (as `Map`).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace lifeline {

template <typename Map, std::size_t kShards = 256>
class ShardedMap {
    static_assert(kShards >= 2 && (kShards & (kShards - 1)) == 0, "the shard count is a power of two");

public:
    using key_type = typename Map::key_type;
    using mapped_type = typename Map::mapped_type;

    ShardedMap() : shards_(kShards), grow_at_(kShards, 0) {}

    /// The value under `key`, or nullptr.
    mapped_type* Find(const key_type& key) {
        Map& shard = ShardOf(key);
        const auto it = shard.find(key);
        return it == shard.end() ? nullptr : &it->second;
    }
    const mapped_type* Find(const key_type& key) const {
        const Map& shard = ShardOf(key);
        const auto it = shard.find(key);
        return it == shard.end() ? nullptr : &it->second;
    }
    bool contains(const key_type& key) const { return Find(key) != nullptr; }

    /// The value under `key`, value-initialised first if there was none.
    mapped_type& operator[](const key_type& key) { return *try_emplace(key).first; }

    /// As Map::try_emplace: the value under `key` and whether it was made now.
    template <typename... Args>
    std::pair<mapped_type*, bool> try_emplace(const key_type& key, Args&&... args) {
        const std::size_t index = ShardIndex(key);
        Map& shard = shards_[index];
        // Grown first, when due, so that the insert itself never rehashes (the shard's own
        // limit is twice as far). Values stay put as the shard type keeps them.
        if (shard.size() + 1 >= grow_at_[index] && !shard.contains(key)) Grow(index);
        auto [it, made] = shard.try_emplace(key, std::forward<Args>(args)...);
        if (made) ++size_;
        return {&it->second, made};
    }

    /// Removes the entry under `key`; the number removed (0 or 1).
    std::size_t erase(const key_type& key) {
        const std::size_t erased = ShardOf(key).erase(key);
        size_ -= erased;
        return erased;
    }

    /// Makes room for `entries` in all, spread evenly over the shards.
    void reserve(std::size_t entries) {
        for (std::size_t i = 0; i < kShards; ++i) {
            shards_[i].reserve(entries / kShards + 1);
            grow_at_[i] = GrowAt(i);
        }
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    /// Calls fn(key, value) for every entry, in no particular order.
    template <typename Fn>
    void ForEach(Fn&& fn) const {
        for (const Map& shard : shards_)
            for (const auto& [key, value] : shard) fn(key, value);
    }

    /// How many times a shard has doubled (tests, diagnostics).
    std::size_t Growths() const noexcept { return growths_; }

    /// The largest number of entries in one shard (tests, diagnostics).
    std::size_t LargestShard() const noexcept {
        std::size_t largest = 0;
        for (const Map& shard : shards_) largest = std::max(largest, shard.size());
        return largest;
    }

    /// The shard of `key`: the top bits of its hash times 2^64 / phi (Fibonacci hashing), so
    /// that keys which differ only in their high bits (ids that grow with time) or only in their
    /// low bits (sequential ids) spread alike.
    static std::size_t ShardIndex(const key_type& key) noexcept {
        const auto h = static_cast<std::uint64_t>(std::hash<key_type>{}(key));
        return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> (64 - kShardBits));
    }

private:
    static constexpr int kShardBits = [] {
        int bits = 0;
        while ((std::size_t{1} << bits) < kShards) ++bits;
        return bits;
    }();

    /// The load, from one half to all of its limit, at which shard `index` doubles:
    /// 2^-((index + 1/2) / kShards) of it, evenly spaced on a logarithmic scale.
    static double Stagger(std::size_t index) noexcept {
        return std::exp2(-(static_cast<double>(index) + 0.5) / static_cast<double>(kShards));
    }
    // The entries a shard holds before the table rehashes by itself.
    static std::size_t LimitOf(const Map& shard) noexcept {
        return static_cast<std::size_t>(static_cast<double>(shard.max_load_factor()) *
                                        static_cast<double>(shard.bucket_count()));
    }
    std::size_t GrowAt(std::size_t index) const noexcept {
        return static_cast<std::size_t>(Stagger(index) * static_cast<double>(LimitOf(shards_[index])));
    }
    void Grow(std::size_t index) {
        Map& shard = shards_[index];
        shard.reserve(std::max<std::size_t>(2 * LimitOf(shard), kFirstSize));
        grow_at_[index] = GrowAt(index);
        ++growths_;
    }

    static constexpr std::size_t kFirstSize = 8;

    Map& ShardOf(const key_type& key) { return shards_[ShardIndex(key)]; }
    const Map& ShardOf(const key_type& key) const { return shards_[ShardIndex(key)]; }

    std::vector<Map> shards_;
    std::vector<std::size_t> grow_at_;  // per shard: its size when it doubles next
    std::size_t size_ = 0;
    std::size_t growths_ = 0;
};

}  // namespace lifeline
