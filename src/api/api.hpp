#pragma once
/// The JSON API under /api/v1 (docs/openapi.yaml). Handlers are thin: they parse, call the
/// domain services and shape JSON. Every route that needs a session goes through Guard, which
/// authenticates the cookie, checks the login stage, the authorisation table and CSRF, in one place.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/live_events.hpp"
#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "auth/authz.hpp"
#include "cases/case_service.hpp"
#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "http/router.hpp"
#include "queue/queue_service.hpp"

namespace lifeline::api {

struct ApiConfig {
    /// Session cookie with the __Host- prefix and Secure. Browsers accept Secure cookies over plain
    /// HTTP only from localhost, so turn it off only for a plain-HTTP test deployment elsewhere.
    bool secure_cookies = true;
    /// Login attempts per client address: burst and refill per minute.
    double login_burst = 10;
    double login_per_minute = 10;
};

struct ApiDeps {
    auth::AuthService& auth;
    audit::AuditLog& audit;
    const Clock& clock;
    ApiConfig config;
    cases::CaseService* cases = nullptr;  ///< case routes are registered when set
    queue::QueueService* queue = nullptr; ///< queue and wallboard routes are registered when set
    /// The live event streams (GET /api/v1/events); made by RegisterEventRoutes unless set.
    std::shared_ptr<LiveEvents> live{};
    /// Field reports (POST /api/v1/cases) are taken when set, with `cases`.
    intake::IntakeService* intake = nullptr;
};

/// Name of the session cookie for a configuration.
std::string SessionCookieName(const ApiConfig& config);

/// What a guarded route needs.
struct Requirement {
    std::optional<auth::Action> action;  ///< checked against the role; nullopt = any role
    bool active = true;                  ///< the login must be complete (password changed, TOTP passed)
};

using GuardedHandler = std::function<http::Response(http::Request&, const auth::Principal&)>;

/// Wraps a handler with authentication, stage, authorisation and CSRF checks.
http::Handler Guard(ApiDeps& deps, Requirement requirement, GuardedHandler handler);

/// Registers /api/v1/auth/*, /api/v1/me, /api/v1/users*, /api/v1/audit*.
void RegisterRoutes(http::Router& router, ApiDeps& deps);

/// Registers /api/v1/cases*, /api/v1/handoffs*, /api/v1/operators, /api/v1/coordinators.
void RegisterCaseRoutes(http::Router& router, ApiDeps& deps);

/// Registers /api/v1/queue/* and /api/v1/wallboard.
void RegisterQueueRoutes(http::Router& router, ApiDeps& deps);

/// Registers GET /api/v1/events (server-sent events of the queue, live_events.hpp) and makes the
/// queue's listener that feeds it. Needs deps.queue.
void RegisterEventRoutes(http::Router& router, ApiDeps& deps);

/// Maps an error to its HTTP status and JSON body (http::ErrorResponse).
http::Response ErrorResponse(const Error& error);

}  // namespace lifeline::api
