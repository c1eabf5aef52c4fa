#pragma once
/// Queue statistics computed from the queue log, with the definitions of ../shared/DOMAIN.md
/// ("Helpline metrics"). Pure functions over a span of QueueEvents.
///
/// Window: a count takes the events whose time is in [from, to). Each event carries what its
/// count needs (wait, segment, callback flag), so a window needs no history before it, except for
/// the current-wait figures, which follow every entry through the events before `to`: pass the log
/// from before the oldest entry still waiting (the whole log is always right).
///
/// Per entry: an entry's outcome is one of answered (first connect), abandoned, or callback
/// request; a transfer after the answer does not make a second offered or answered contact, and a
/// person who leaves while waiting after such a transfer is not an abandon (he was answered).

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "core/clock.hpp"
#include "queue/queue_event.hpp"

namespace lifeline::queue {

/// Abandons quicker than this are short abandons (DOMAIN.md: reported apart).
inline constexpr std::chrono::seconds kShortAbandon{10};

struct QueueStats {
    /// Offered: contacts that entered the queue (enter events).
    std::int64_t offered = 0;
    /// Answered: contacts connected to an operator for the first time (connect events of segment 0),
    /// not counting callback requests, which are counted in callbacks_connected.
    std::int64_t answered = 0;
    /// Answered with a wait of at most T (wait_ms <= T).
    std::int64_t answered_within_t = 0;
    /// Abandoned: the contact left before an operator connected (abandon events of segment 0),
    /// short abandons included; a callback request is never an abandon.
    std::int64_t abandoned = 0;
    /// Of abandoned, those that left after less than kShortAbandon (reported apart).
    std::int64_t short_abandoned = 0;
    /// Abandoned with a wait of at most T (for the second SL definition).
    std::int64_t abandoned_within_t = 0;
    /// Callback requests made (the person asked to be called back; keeps the place; not an abandon).
    std::int64_t callbacks = 0;
    /// Callback requests an operator took (connect events of callback entries).
    std::int64_t callbacks_connected = 0;
    /// Transfers (to an operator or a skill).
    std::int64_t transfers = 0;
    /// Sum of the waits of the answered contacts, in milliseconds (ASA numerator).
    std::int64_t answered_wait_ms = 0;
    /// Contacts waiting for an operator at `to` (callback requests not included: no one is on the line).
    std::int64_t waiting_at_end = 0;
    /// The longest of their current waits at `to`, in milliseconds; 0 when none waits.
    std::int64_t longest_current_wait_ms = 0;
    /// Callback requests still waiting for an operator at `to`.
    std::int64_t callbacks_waiting_at_end = 0;
    /// T of SL(T), as given.
    std::chrono::milliseconds service_level_threshold{0};

    /// SL(T) = answered within T / answered. Empty when nothing was answered.
    std::optional<double> ServiceLevel() const;
    /// SL(T), second definition = (answered within T + abandoned within T) / (answered + abandoned).
    std::optional<double> ServiceLevelWithAbandons() const;
    /// ASA = sum of waits of answered contacts / answered, in seconds. Empty when nothing was answered.
    std::optional<double> AsaSeconds() const;
    /// Abandon rate = abandoned / offered (callback requests are not abandons). Empty when nothing was offered.
    std::optional<double> AbandonRate() const;
};

/// The statistics of the events in [from, to), with T = `service_level_threshold`.
QueueStats ComputeStats(std::span<const QueueEvent> events, TimePoint from, TimePoint to,
                        std::chrono::milliseconds service_level_threshold = std::chrono::seconds(20));

}  // namespace lifeline::queue
