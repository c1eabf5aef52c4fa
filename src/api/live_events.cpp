#include "api/live_events.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <utility>

namespace lifeline::api {
namespace json = boost::json;
namespace {

/// Steps after which the waiting line (entries neither offered nor connected) may look different.
bool ChangesWaitingLine(queue::QueueEventType t) {
    switch (t) {
        case queue::QueueEventType::kEnter:
        case queue::QueueEventType::kOffer:
        case queue::QueueEventType::kReject:
        case queue::QueueEventType::kTimeout:
        case queue::QueueEventType::kTransfer:
        case queue::QueueEventType::kAbandon:
        case queue::QueueEventType::kCallback:
            return true;
        case queue::QueueEventType::kAccept:
        case queue::QueueEventType::kConnect:
        case queue::QueueEventType::kComplete:
            return false;
    }
    return true;
}

json::value IdOrNull(std::int64_t id) { return id > 0 ? json::value(id) : json::value(nullptr); }

json::array Topics(bool mine, bool waiting, bool wallboard, bool cases = false, bool handoffs = false) {
    json::array topics;
    if (mine) topics.emplace_back("mine");
    if (waiting) topics.emplace_back("waiting");
    if (wallboard) topics.emplace_back("wallboard");
    if (cases) topics.emplace_back("cases");
    if (handoffs) topics.emplace_back("handoffs");
    return topics;
}

}  // namespace

LiveEvents::LiveEvents(const Clock& clock, LiveEventsConfig config) : clock_(clock), config_(config) {}

void LiveEvents::Add(const std::shared_ptr<http::EventStream>& stream, LiveSubscriber subscriber) {
    stream->Send("ready", json::serialize(json::object{
                              {"operator_id", subscriber.user.value},
                              {"topics", Topics(subscriber.queue, subscriber.queue, subscriber.wallboard,
                                                subscriber.cases, subscriber.handoffs)}}));
    std::lock_guard lock(mu_);
    std::erase_if(entries_, [](const Entry& e) {
        auto s = e.stream.lock();
        return !s || s->closed();
    });
    // Beyond the per-user limit the oldest of his streams goes (entries_ is in arrival order).
    std::size_t his = 0;
    for (const Entry& e : entries_) his += e.subscriber.user == subscriber.user;
    for (auto it = entries_.begin(); it != entries_.end() && his >= config_.max_streams_per_user;) {
        if (it->subscriber.user != subscriber.user) {
            ++it;
            continue;
        }
        if (auto s = it->stream.lock()) s->Close();
        it = entries_.erase(it);
        --his;
    }
    entries_.push_back(Entry{stream, subscriber, clock_.Now() + config_.max_age});
}

template <typename Format>
void LiveEvents::Fan(const char* event, Format&& format) {
    const TimePoint now = clock_.Now();
    std::lock_guard lock(mu_);
    std::erase_if(entries_, [&](const Entry& e) {
        auto stream = e.stream.lock();
        if (!stream) return true;
        const std::string data = format(e.subscriber);
        if (!data.empty() && !stream->Send(event, data)) return true;
        if (now >= e.expires) {
            stream->Close();
            return true;
        }
        return stream->closed();
    });
}

void LiveEvents::OnQueueEvent(const queue::QueueEvent& e) {
    const bool waiting = ChangesWaitingLine(e.type);
    Fan("queue", [&](const LiveSubscriber& s) -> std::string {
        const bool mine = s.queue && ((e.op.valid() && e.op == s.user) || (e.to_op.valid() && e.to_op == s.user));
        const bool line = s.queue && waiting;
        if (!mine && !line && !s.wallboard) return {};
        json::object o{{"type", queue::ToString(e.type)},
                       {"entry_id", e.entry.value},
                       {"case_id", IdOrNull(e.contact.case_id.value)}};
        // Who else an entry was offered or connected to is for the wallboard only.
        if (mine || s.wallboard) {
            o["operator_id"] = IdOrNull(e.op.value);
            o["to_operator_id"] = IdOrNull(e.to_op.value);
        }
        o["topics"] = Topics(mine, line, s.wallboard);
        return json::serialize(o);
    });
}

void LiveEvents::OnPresence(UserId op, queue::Presence presence) {
    Fan("presence", [&](const LiveSubscriber& s) -> std::string {
        const bool mine = s.user == op;
        if (!mine && !s.wallboard) return {};
        return json::serialize(json::object{{"operator_id", op.value},
                                            {"presence", queue::ToString(presence)},
                                            {"topics", Topics(mine, false, s.wallboard)}});
    });
}

void LiveEvents::OnCaseChange(CaseId id, const std::string& what, UserId addressed) {
    // The type is a fixed code (a history event's type), never text anyone wrote.
    const bool handoff = (what == "handoff" || what == "handoff_outcome") && addressed.valid();
    Fan("case", [&](const LiveSubscriber& s) -> std::string {
        if (!s.cases) return {};
        return json::serialize(json::object{{"case_id", id.value}, {"type", what}, {"topics", Topics(false, false, false, true)}});
    });
    if (!handoff) return;
    Fan("handoff", [&](const LiveSubscriber& s) -> std::string {
        if (!s.handoffs || s.user != addressed) return {};
        return json::serialize(
            json::object{{"case_id", id.value}, {"type", what}, {"topics", Topics(false, false, false, false, true)}});
    });
}

std::size_t LiveEvents::open_streams() {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const Entry& e : entries_)
        if (auto s = e.stream.lock(); s && !s->closed()) ++n;
    return n;
}

}  // namespace lifeline::api
