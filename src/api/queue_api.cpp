// /api/v1/queue/* and /api/v1/wallboard: the contact queue for operators and supervisors.
#include <fmt/format.h>

#include "api/api.hpp"
#include "api/json_util.hpp"

namespace lifeline::api {
namespace json = boost::json;
namespace {

using auth::Action;

std::string_view StateName(queue::EntryState s) {
    switch (s) {
        case queue::EntryState::kWaiting:
            return "waiting";
        case queue::EntryState::kOffered:
            return "offered";
        case queue::EntryState::kConnected:
            return "connected";
    }
    return "waiting";
}

json::value Optional(std::optional<double> v) {
    if (!v) return nullptr;
    return *v;
}

/// An entry as the console shows it: ids, codes and times only.
json::object EntryJson(const queue::EntryView& e, std::int64_t wait_ms) {
    return {{"id", e.id.value},
            {"case_id", e.contact.case_id.valid() ? json::value(e.contact.case_id.value) : json::value(nullptr)},
            {"channel", ToString(e.contact.channel)},
            {"language", e.contact.language},
            {"kind", ToString(e.contact.kind)},
            {"media", queue::ToString(e.media)},
            {"state", StateName(e.state)},
            {"callback", e.callback},
            {"overflowed", e.overflowed},
            {"operator_id", e.op ? json::value(e.op->value) : json::value(nullptr)},
            {"entered_at", ToUnixMillis(e.enter_at)},
            {"queued_at", ToUnixMillis(e.queued_at)},
            {"wait_ms", wait_ms}};
}

json::object OperatorJson(const std::optional<queue::OperatorView>& v) {
    if (!v) return {{"presence", "offline"}, {"active_chats", 0}, {"active_calls", 0}, {"max_chats", 0}};
    return {{"presence", queue::ToString(v->presence)},
            {"active_chats", v->active_chats},
            {"active_calls", v->active_calls},
            {"max_chats", v->max_chats}};
}

Result<QueueEntryId> EntryParam(const http::Request& req) {
    auto v = PathInt(req, "id");
    if (!v) return v.error();
    return QueueEntryId{*v};
}

/// Who may abandon, call back or transfer an entry. With the route's action: an entry offered to
/// me (transfer: or connected to me) and, for abandon and callback, a waiting one; anything else
/// (transfer of a waiting entry, an entry with another operator) takes queue.manage. The entry is
/// read once before the move, which checks its state again under the queue's lock; what can change
/// in between (an offer made or timed out) costs at most that pending offer.
std::optional<http::Response> RefuseMove(queue::QueueService& qs, const auth::Principal& p, QueueEntryId id,
                                         bool transfer) {
    auto view = qs.Entry(id);
    if (!view) return ErrorResponse(Error{ErrorCode::kNotFound, "no such queue entry " + id.ToString()});
    if (auth::Allowed(p.role, Action::kQueueManage)) return std::nullopt;
    if (view->state == queue::EntryState::kWaiting) {
        if (!transfer) return std::nullopt;
        return http::Response::Error(403, "forbidden", "only a supervisor transfers a waiting contact");
    }
    if (view->op == p.user) return std::nullopt;
    return http::Response::Error(403, "forbidden", "the contact is with another operator");
}

/// A transfer's destination: {"operator_id": N}, or {"language": "uk", "kind": "relative_inquiry"}.
struct TransferTarget {
    std::optional<UserId> op;
    std::string language;
    CaseKind kind = CaseKind::kSurrenderApplication;

    std::string Detail() const {
        if (op) return fmt::format("to_operator={}", op->value);
        return fmt::format("language={} kind={}", language, ToString(kind));
    }
};

Result<TransferTarget> ParseTransfer(const json::object& body) {
    const bool to_op = body.contains("operator_id");
    if (to_op == (body.contains("language") || body.contains("kind")))
        return Error{ErrorCode::kInvalidArgument, "give either 'operator_id', or 'language' and 'kind'"};
    TransferTarget t;
    if (to_op) {
        const json::value& v = body.at("operator_id");
        if (!v.is_int64() || v.as_int64() <= 0)
            return Error{ErrorCode::kInvalidArgument, "'operator_id' must be a user id"};
        t.op = UserId{v.as_int64()};
        return t;
    }
    auto language = StringField(body, "language", 16);
    if (!language) return language.error();
    if (!queue::QueueLanguages().contains(*language))
        return Error{ErrorCode::kInvalidArgument, "'language' must be en, ru or uk"};
    auto kind_name = StringField(body, "kind", 32);
    if (!kind_name) return kind_name.error();
    auto kind = ParseCaseKind(*kind_name);
    if (!kind) return Error{ErrorCode::kInvalidArgument, "'kind' must be surrender_application or relative_inquiry"};
    t.language = std::move(*language);
    t.kind = *kind;
    return t;
}

}  // namespace

void RegisterQueueRoutes(http::Router& router, ApiDeps& deps) {
    queue::QueueService& qs = *deps.queue;

    router.Add("POST", "/api/v1/queue/presence",
               Guard(deps, {Action::kPresenceSet}, [&deps, &qs](http::Request& req, const auth::Principal& p) {
                   auto body = ParseBody(req);
                   if (!body) return ErrorResponse(body.error());
                   auto name = StringField(*body, "presence", 32);
                   if (!name) return ErrorResponse(name.error());
                   auto presence = queue::ParsePresence(*name);
                   if (!presence || *presence == queue::Presence::kWrapUp)
                       return ErrorResponse(Error{ErrorCode::kInvalidArgument,
                                                  "'presence' must be available, busy, away or offline"});
                   // He joins the queue with his stored skills (the defaults where none are
                   // stored); a change made since he joined applies now.
                   std::optional<queue::OperatorSkills> skills;
                   if (auto user = deps.auth.FindUser(p.user)) skills = qs.SkillsFor(user->skills);
                   if (auto r = qs.SetPresence(p.user, *presence, std::move(skills)); !r)
                       return ErrorResponse(r.error());
                   auto view = qs.Operator(p.user);
                   // The queue logs no presence: the live streams hear of it here.
                   if (deps.live) deps.live->OnPresence(p.user, view ? view->presence : queue::Presence::kOffline);
                   return JsonResponse(200, OperatorJson(view));
               }));

    router.Add("GET", "/api/v1/queue/mine",
               Guard(deps, {Action::kQueueTake}, [&qs](http::Request&, const auth::Principal& p) {
                   json::array offers, active;
                   for (const auto& e : qs.Mine(p.user))
                       (e.offered ? offers : active).push_back(EntryJson(e.entry, e.wait_ms));
                   json::object out = OperatorJson(qs.Operator(p.user));
                   out["offers"] = std::move(offers);
                   out["active"] = std::move(active);
                   return JsonResponse(200, out);
               }));

    auto entry_route = [&deps, &qs](std::string_view verb) {
        return Guard(deps, {Action::kQueueTake},
                     [&qs, verb = std::string(verb)](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = EntryParam(req);
                         if (!id) return ErrorResponse(id.error());
                         Result<void> r = verb == "accept"   ? qs.Accept(p.user, *id)
                                          : verb == "reject" ? qs.Reject(p.user, *id)
                                                             : qs.Complete(p.user, *id);
                         if (!r) return ErrorResponse(r.error());
                         json::object out{{"id", id->value}, {"done", verb}};
                         if (auto view = qs.Entry(*id)) out["entry"] = EntryJson(*view, 0);
                         return JsonResponse(200, out);
                     });
    };
    router.Add("POST", "/api/v1/queue/entries/{id}/accept", entry_route("accept"));
    router.Add("POST", "/api/v1/queue/entries/{id}/reject", entry_route("reject"));
    router.Add("POST", "/api/v1/queue/entries/{id}/complete", entry_route("complete"));

    // Abandon, callback and transfer. Each is audited: the queue log records the step, not who
    // asked for it, and an abandon counts against the line's figures.
    auto moved = [&deps, &qs](const auth::Principal& p, QueueEntryId id, std::string_view verb, std::string detail) {
        deps.audit.Append(p.user, fmt::format("queue.{}", verb), fmt::format("queue_entry:{}", id.value),
                          std::move(detail));
        json::object out{{"id", id.value}, {"done", verb}};
        if (auto view = qs.Entry(id)) {
            const std::int64_t wait_ms = view->state == queue::EntryState::kConnected
                                             ? 0
                                             : ToUnixMillis(deps.clock.Now()) - ToUnixMillis(view->queued_at);
            out["entry"] = EntryJson(*view, wait_ms);
        }
        return JsonResponse(200, out);
    };
    auto person_route = [&deps, &qs, moved](Action action, std::string_view verb) {
        return Guard(deps, {action},
                     [&qs, moved, verb = std::string(verb)](http::Request& req,
                                                            const auth::Principal& p) -> http::Response {
                         auto id = EntryParam(req);
                         if (!id) return ErrorResponse(id.error());
                         if (auto refused = RefuseMove(qs, p, *id, false)) return *refused;
                         Result<void> r = verb == "abandon" ? qs.Abandon(*id) : qs.RequestCallback(*id);
                         if (!r) return ErrorResponse(r.error());
                         return moved(p, *id, verb, "");
                     });
    };
    router.Add("POST", "/api/v1/queue/entries/{id}/abandon", person_route(Action::kQueueAbandon, "abandon"));
    router.Add("POST", "/api/v1/queue/entries/{id}/callback", person_route(Action::kQueueCallback, "callback"));

    router.Add("POST", "/api/v1/queue/entries/{id}/transfer",
               Guard(deps, {Action::kQueueTransfer},
                     [&qs, moved](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = EntryParam(req);
                         if (!id) return ErrorResponse(id.error());
                         auto body = ParseBody(req);
                         if (!body) return ErrorResponse(body.error());
                         auto target = ParseTransfer(*body);
                         if (!target) return ErrorResponse(target.error());
                         if (auto refused = RefuseMove(qs, p, *id, true)) return *refused;
                         Result<void> r = target->op ? qs.Transfer(*id, *target->op)
                                                     : qs.Transfer(*id, target->language, target->kind);
                         if (!r) return ErrorResponse(r.error());
                         return moved(p, *id, "transfer", target->Detail());
                     }));

    router.Add("GET", "/api/v1/queue/waiting",
               Guard(deps, {Action::kQueueTake}, [&deps, &qs](http::Request&, const auth::Principal&) {
                   const std::int64_t now = ToUnixMillis(deps.clock.Now());
                   json::array items;
                   for (const auto& e : qs.Waiting()) items.push_back(EntryJson(e, now - ToUnixMillis(e.queued_at)));
                   return JsonResponse(200, json::object{{"at", now}, {"items", std::move(items)}});
               }));

    // The supervisor's view of the contacts operators hold (offered or in conversation): who has
    // which, since when; with queue.manage he may transfer, call back or abandon them.
    router.Add("GET", "/api/v1/queue/active",
               Guard(deps, {Action::kQueueManage}, [&deps, &qs](http::Request&, const auth::Principal&) {
                   const std::int64_t now = ToUnixMillis(deps.clock.Now());
                   json::array items;
                   for (const auto& e : qs.WithOperators()) {
                       json::object o = EntryJson(e.entry, e.wait_ms);
                       o["offered"] = e.offered;
                       o["connected_at"] = e.offered ? json::value(nullptr) : json::value(e.connected_ms);
                       items.push_back(std::move(o));
                   }
                   return JsonResponse(200, json::object{{"at", now}, {"items", std::move(items)}});
               }));

    router.Add("GET", "/api/v1/wallboard",
               Guard(deps, {Action::kWallboardRead}, [&qs](http::Request&, const auth::Principal&) {
                   const queue::Wallboard b = qs.Board();
                   json::object operators;
                   for (const auto& [presence, n] : b.operators) operators[queue::ToString(presence)] = n;
                   const auto& t = b.today;
                   return JsonResponse(
                       200, json::object{
                                {"at", ToUnixMillis(b.at)},
                                {"day_start", ToUnixMillis(b.day_start)},
                                {"waiting", b.waiting},
                                {"longest_wait_ms", b.longest_wait_ms},
                                {"callbacks_waiting", b.callbacks_waiting},
                                {"connected", b.connected},
                                {"operators", std::move(operators)},
                                {"service_level_seconds",
                                 std::chrono::duration_cast<std::chrono::seconds>(qs.service_level()).count()},
                                {"today", json::object{{"offered", t.offered},
                                                       {"answered", t.answered},
                                                       {"answered_within_service_level", t.answered_within_t},
                                                       {"abandoned", t.abandoned},
                                                       {"short_abandoned", t.short_abandoned},
                                                       {"callbacks", t.callbacks},
                                                       {"transfers", t.transfers},
                                                       {"service_level", Optional(t.ServiceLevel())},
                                                       {"asa_seconds", Optional(t.AsaSeconds())},
                                                       {"abandon_rate", Optional(t.AbandonRate())}}},
                            });
               }));
}

}  // namespace lifeline::api
