#pragma once
// Time as a dependency: production code asks a Clock, tests use FakeClock.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace lifeline {

using TimePoint = std::chrono::system_clock::time_point;

/// Milliseconds since the Unix epoch: the form timestamps take in the store and the API.
inline std::int64_t ToUnixMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixMillis(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
    /// The process-wide real clock.
    static const SystemClock& Instance() {
        static const SystemClock clock;
        return clock;
    }
};

/// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
public:
    explicit FakeClock(TimePoint start = FromUnixMillis(1'767'225'600'000)) : now_ms_(ToUnixMillis(start)) {}
    TimePoint Now() const override { return FromUnixMillis(now_ms_.load()); }
    void Advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }
    void Set(TimePoint t) { now_ms_ = ToUnixMillis(t); }

private:
    std::atomic<std::int64_t> now_ms_;
};

}  // namespace lifeline
