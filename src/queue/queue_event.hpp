#pragma once
/// The vocabulary of the contact queue (automatic contact distribution): what waits, on which
/// medium, and the queue log every step of the queue writes. The log is the single source the
/// statistics (stats.hpp) and the persistence of queue state (SnapshotFromLog) are built from.
/// The string forms of the enums are stored: never rename one.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/domain.hpp"
#include "core/ids.hpp"

namespace lifeline {
using QueueEntryId = StrongId<struct QueueEntryTag>;
}  // namespace lifeline

namespace lifeline::queue {

/// What an operator's capacity is counted in: a call holds the operator's voice, a chat only
/// part of his attention.
enum class Media { kChat, kCall };

/// The medium a channel's contacts take: phone is a call, every other channel a chat.
constexpr Media MediaOf(Channel channel) noexcept { return channel == Channel::kPhone ? Media::kCall : Media::kChat; }

/// An inbound contact as the queue sees it. No content and no identifier of the person: ids only.
struct Contact {
    Channel channel = Channel::kWeb;
    std::string language;  ///< the language the contact needs, e.g. "ru", "uk", "en" (at most 16 bytes)
    CaseKind kind = CaseKind::kSurrenderApplication;
    int priority = 0;             ///< higher is served first; equal priorities are served oldest first
    std::optional<UserId> owner;  ///< the operator who owns the case (sticky routing), if any
    CaseId case_id;               ///< the case the contact belongs to; invalid (0) when none exists yet

    bool operator==(const Contact&) const = default;
};

/// The steps of the queue log (Asterisk queue_log style).
enum class QueueEventType {
    kEnter,     ///< the contact entered the queue (offered, in the metric's sense)
    kOffer,     ///< the contact was offered to (reserved for) an operator
    kAccept,    ///< the operator accepted the offer
    kReject,    ///< the operator declined the offer, or withdrew it by leaving (then not a decline)
    kTimeout,   ///< the offer was not accepted within offer_timeout
    kConnect,   ///< the contact and the operator were connected (answered)
    kTransfer,  ///< the contact was sent to another operator or skill and waits again
    kAbandon,   ///< the person left before an operator connected
    kCallback,  ///< the person asked to be called back; keeps the place; not an abandon
    kComplete,  ///< the operator finished the contact
};

std::string_view ToString(Media m) noexcept;
std::string_view ToString(QueueEventType t) noexcept;
std::optional<Media> ParseMedia(std::string_view s) noexcept;
std::optional<QueueEventType> ParseQueueEventType(std::string_view s) noexcept;

/// One line of the queue log. Self-contained: each event carries the entry's routing facts as of
/// that event, so a window of the log can be counted without the history before it, and the
/// queue's state can be rebuilt from the log alone.
struct QueueEvent {
    TimePoint at;  ///< when the step happened (the engine clock)
    QueueEventType type = QueueEventType::kEnter;
    QueueEntryId entry;
    UserId op;                   ///< the operator concerned; for a transfer the one it left (or invalid)
    UserId to_op;                ///< transfer: the operator it was sent to (invalid for a skill transfer)
    Contact contact;             ///< the entry's contact; after a skill transfer the new language and kind
    Media media = Media::kChat;  ///< the entry's medium (a callback request turns a chat into a call)
    TimePoint enter_at;          ///< when the entry first entered the queue (survives restarts)
    /// Milliseconds the entry has waited in its current queue segment: from entering (segment 0)
    /// or from the transfer that re-queued it after a connect (segment > 0), up to this event, or
    /// up to the connect for events after it. For a connect this is the wait that ASA and SL(T)
    /// use; for an abandon, the time to abandon; for a callback, the wait before asking.
    std::int64_t wait_ms = 0;
    std::int64_t duration_ms = 0;  ///< complete: milliseconds from connect to complete (handling)
    bool callback = false;         ///< the entry is a callback request
    bool withdrawn = false;        ///< reject: the operator left (away, logout), it is not a decline
    int segment = 0;               ///< 0 until the first connect; +1 for each transfer after a connect

    bool operator==(const QueueEvent&) const = default;
};

}  // namespace lifeline::queue
