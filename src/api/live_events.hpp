#pragma once
/// The console's live updates: the queue's events fanned out to the event streams opened with
/// GET /api/v1/events. Each event names what changed, with ids only (entry, case, operator, the
/// step's type), never anything a person wrote; the console reloads what it shows through the
/// API when one arrives.
///
/// What a stream receives depends on its role (the authorisation table):
/// - queue.take (operators, supervisors): the steps of the contacts offered or connected to him
///   (topic "mine"), the steps that change the waiting line ("waiting"), and his own presence.
/// - wallboard.read (supervisors, administrators): every step and every presence change
///   ("wallboard").
/// - case.list (operators, supervisors): that a case changed, and how ("cases").
/// - handoff.read (coordinators): that a case was handed to him ("handoffs").
/// A stream that holds none of these is refused by the route (403).
///
/// Events on the wire (text/event-stream):
///     event: ready     data: {"operator_id":7,"topics":["mine","waiting"]}
///     event: queue     data: {"type":"offer","entry_id":3,"case_id":12,"operator_id":7,"topics":["mine","waiting"]}
///     event: presence  data: {"operator_id":7,"presence":"away","topics":["mine"]}
///     event: case      data: {"case_id":12,"type":"transition","topics":["cases"]}
///     event: handoff   data: {"case_id":12,"type":"handoff","topics":["handoffs"]}
/// Operator ids of other operators are sent only to wallboard readers.
///
/// OnQueueEvent runs as a QueueService listener, under its delivery lock: it only formats a few
/// bytes and queues them on each stream (EventStream::Send never blocks). Streams are held
/// weakly; a closed one (the client left, it fell too far behind, the server stops) is dropped
/// at the next event. A stream lives at most `max_age`: the first event after that is still
/// delivered, then the stream closes and the console reconnects, which authenticates the session
/// again (a session ended meanwhile gets 401 and no more events).
///
/// Thread-safe.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "http/message.hpp"
#include "queue/queue_engine.hpp"
#include "queue/queue_event.hpp"

namespace lifeline::api {

struct LiveEventsConfig {
    /// A stream is closed (after delivering the event in hand) once this old; the console
    /// reconnects and its session is checked again.
    std::chrono::milliseconds max_age{std::chrono::minutes(10)};
    /// Open streams per user (tabs); a new one beyond this closes his oldest.
    std::size_t max_streams_per_user = 4;
};

/// What one stream may see, from the subscriber's role.
struct LiveSubscriber {
    UserId user;
    bool queue = false;      ///< queue.take: his own contacts and the waiting line
    bool wallboard = false;  ///< wallboard.read: every step and every presence change
    bool cases = false;      ///< case.list: every change to a case
    bool handoffs = false;   ///< handoff.read: the hand-offs addressed to him
};

class LiveEvents {
public:
    explicit LiveEvents(const Clock& clock, LiveEventsConfig config = {});

    /// Registers a stream and queues its "ready" event.
    void Add(const std::shared_ptr<http::EventStream>& stream, LiveSubscriber subscriber);

    /// A step of the queue (a QueueService listener: quick, never calls back into the queue).
    void OnQueueEvent(const queue::QueueEvent& event);

    /// An operator set his presence (the presence route).
    void OnPresence(UserId op, queue::Presence presence);

    /// A case changed (a CaseService change listener); `addressed`: the coordinator of a hand-off.
    void OnCaseChange(CaseId id, const std::string& what, UserId addressed);

    /// Streams still registered and open.
    std::size_t open_streams();

private:
    struct Entry {
        std::weak_ptr<http::EventStream> stream;
        LiveSubscriber subscriber;
        TimePoint expires;
    };
    /// Sends to every stream what `format` returns for it (empty: nothing); drops closed streams
    /// and closes expired ones after sending. Under mu_.
    template <typename Format>
    void Fan(const char* event, Format&& format);

    const Clock& clock_;
    const LiveEventsConfig config_;
    std::mutex mu_;
    std::vector<Entry> entries_;
};

}  // namespace lifeline::api
