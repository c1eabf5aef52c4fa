#include "queue/stats.hpp"

#include <algorithm>
#include <unordered_map>

namespace lifeline::queue {
namespace {

std::optional<double> Ratio(std::int64_t num, std::int64_t den) {
    if (den <= 0) return std::nullopt;
    return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

std::optional<double> QueueStats::ServiceLevel() const { return Ratio(answered_within_t, answered); }

std::optional<double> QueueStats::ServiceLevelWithAbandons() const {
    return Ratio(answered_within_t + abandoned_within_t, answered + abandoned);
}

std::optional<double> QueueStats::AsaSeconds() const {
    auto r = Ratio(answered_wait_ms, answered);
    if (r) *r /= 1000.0;
    return r;
}

std::optional<double> QueueStats::AbandonRate() const { return Ratio(abandoned, offered); }

QueueStats ComputeStats(std::span<const QueueEvent> events, TimePoint from, TimePoint to,
                        std::chrono::milliseconds service_level_threshold) {
    QueueStats s;
    s.service_level_threshold = service_level_threshold;
    const auto t_ms = service_level_threshold.count();
    const auto short_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kShortAbandon).count();
    // Entries waiting for an operator at `to`: since when, and whether a callback request.
    struct Waiting {
        TimePoint since;
        bool callback = false;
    };
    std::unordered_map<std::int64_t, Waiting> waiting;

    for (const auto& ev : events) {
        if (ev.at >= to) continue;  // the log is in order, but a caller may pass more than needed
        const auto id = ev.entry.value;
        switch (ev.type) {
            case QueueEventType::kEnter:
                waiting[id] = {ev.at, false};
                break;
            case QueueEventType::kConnect:
                waiting.erase(id);
                break;
            case QueueEventType::kCallback:
                waiting[id] = {ev.at, true};
                break;
            case QueueEventType::kTransfer:
                if (ev.op.valid()) waiting[id] = {ev.at, ev.callback};  // waits again after an answer
                break;
            case QueueEventType::kAbandon:
            case QueueEventType::kComplete:
                waiting.erase(id);
                break;
            default:
                break;
        }
        if (ev.at < from) continue;
        switch (ev.type) {
            case QueueEventType::kEnter:
                ++s.offered;
                break;
            case QueueEventType::kConnect:
                if (ev.segment != 0) break;
                if (ev.callback) {
                    ++s.callbacks_connected;
                    break;
                }
                ++s.answered;
                s.answered_wait_ms += ev.wait_ms;
                if (ev.wait_ms <= t_ms) ++s.answered_within_t;
                break;
            case QueueEventType::kAbandon:
                if (ev.segment != 0 || ev.callback) break;
                ++s.abandoned;
                if (ev.wait_ms < short_ms) ++s.short_abandoned;
                if (ev.wait_ms <= t_ms) ++s.abandoned_within_t;
                break;
            case QueueEventType::kCallback:
                ++s.callbacks;
                break;
            case QueueEventType::kTransfer:
                ++s.transfers;
                break;
            default:
                break;
        }
    }
    for (const auto& [id, w] : waiting) {
        if (w.callback) {
            ++s.callbacks_waiting_at_end;
            continue;
        }
        ++s.waiting_at_end;
        s.longest_current_wait_ms = std::max<std::int64_t>(
            s.longest_current_wait_ms, std::chrono::duration_cast<std::chrono::milliseconds>(to - w.since).count());
    }
    return s;
}

}  // namespace lifeline::queue
