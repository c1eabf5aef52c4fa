#pragma once
/// Token buckets per key (a client address, a pseudonym, an account): `capacity` requests at
/// once, refilled at `per_minute`. Bounded memory: when `max_keys` are held, buckets that have
/// refilled (they tell nothing) are dropped, and if that leaves the table more than three
/// quarters full, under a flood of new keys, only the half with the fewest tokens is kept (those
/// being held back), rather than the table grown or scanned again on each new key. Thread-safe.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/clock.hpp"

namespace lifeline {

class RateLimiter {
public:
    RateLimiter(const Clock& clock, double capacity, double per_minute, std::size_t max_keys = 100'000)
        : clock_(clock), capacity_(capacity), per_ms_(per_minute / 60'000.0), max_keys_(max_keys) {}

    /// Keys held (for tests and metrics).
    std::size_t keys() {
        std::lock_guard lock(mutex_);
        return buckets_.size();
    }

    /// Takes one token for the key. Returns 0 when allowed, else the seconds until one is free.
    std::int64_t Take(const std::string& key) {
        const auto now = ToUnixMillis(clock_.Now());
        std::lock_guard lock(mutex_);
        if (buckets_.size() >= max_keys_ && !buckets_.contains(key)) Prune(now);
        auto [it, fresh] = buckets_.try_emplace(key, Bucket{capacity_, now});
        auto& b = it->second;
        b.tokens = std::min(capacity_, b.tokens + static_cast<double>(now - b.at_ms) * per_ms_);
        b.at_ms = now;
        if (b.tokens >= 1.0) {
            b.tokens -= 1.0;
            return 0;
        }
        return static_cast<std::int64_t>((1.0 - b.tokens) / per_ms_ / 1000.0) + 1;
    }

private:
    struct Bucket {
        double tokens;
        std::int64_t at_ms;
    };
    double TokensAt(const Bucket& b, std::int64_t now) const {
        return std::min(capacity_, b.tokens + static_cast<double>(now - b.at_ms) * per_ms_);
    }
    void Prune(std::int64_t now) {
        // Drop buckets that have refilled completely: they carry no information.
        erase_if(buckets_, [&](const auto& entry) { return TokensAt(entry.second, now) >= capacity_; });
        const std::size_t keep = max_keys_ / 2;
        if (buckets_.size() <= max_keys_ / 4 * 3 || buckets_.size() <= keep) return;
        // A flood of new keys: keep exactly the half with the fewest tokens left, which holds
        // every client being held back unless half the table is held back more, and forget the
        // rest, rather than grow or prune again a few keys later.
        std::vector<std::pair<double, const std::string*>> levels;
        levels.reserve(buckets_.size());
        for (const auto& [key, bucket] : buckets_) levels.emplace_back(TokensAt(bucket, now), &key);
        const auto cut = levels.begin() + static_cast<std::ptrdiff_t>(keep);
        std::nth_element(levels.begin(), cut, levels.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> forget;
        forget.reserve(levels.size() - keep);
        for (auto it = cut; it != levels.end(); ++it) forget.push_back(*it->second);
        for (const auto& key : forget) buckets_.erase(key);
    }
    const Clock& clock_;
    double capacity_;
    double per_ms_;
    std::size_t max_keys_;
    std::mutex mutex_;
    // Open addressing: a lookup touches one group of slots, not a bucket and a node (per-contact
    // limiters see a new key with nearly every request, in a table of up to max_keys).
    boost::unordered_flat_map<std::string, Bucket> buckets_;
};

}  // namespace lifeline
