// GET /api/v1/events: the console's live updates as server-sent events (api/live_events.hpp).
#include "api/api.hpp"

namespace lifeline::api {

void RegisterEventRoutes(http::Router& router, ApiDeps& deps) {
    if (!deps.live) deps.live = std::make_shared<LiveEvents>(deps.clock);
    // The listener keeps the fan-out alive as long as the queue; it runs under the queue's
    // delivery lock, so it only queues.
    deps.queue->OnEvent([live = deps.live](const queue::QueueEvent& e) { live->OnQueueEvent(e); });
    if (deps.cases != nullptr) {
        deps.cases->OnChange([live = deps.live](CaseId id, const std::string& what, UserId addressed) {
            live->OnCaseChange(id, what, addressed);
        });
    }

    // Any active session may ask; what the stream carries follows the role's actions (a role
    // with none of them would have nothing to hear).
    router.Add("GET", "/api/v1/events",
               Guard(deps, {std::nullopt}, [&deps](http::Request&, const auth::Principal& p) -> http::Response {
                   LiveSubscriber subscriber{p.user, auth::Allowed(p.role, auth::Action::kQueueTake),
                                             auth::Allowed(p.role, auth::Action::kWallboardRead),
                                             auth::Allowed(p.role, auth::Action::kCaseList),
                                             auth::Allowed(p.role, auth::Action::kHandoffRead)};
                   if (!subscriber.queue && !subscriber.wallboard && !subscriber.cases && !subscriber.handoffs)
                       return http::Response::Error(403, "forbidden", "your role may not do this");
                   auto stream = http::EventStream::Create();
                   deps.live->Add(stream, subscriber);
                   http::Response r = http::Response::Events(stream);
                   // A proxy in front (nginx) must pass each event on at once.
                   r.headers.Set("X-Accel-Buffering", "no");
                   return r;
               }));
}

}  // namespace lifeline::api
