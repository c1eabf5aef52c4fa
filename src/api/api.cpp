#include "api/api.hpp"
#include "api/json_util.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <memory>

namespace lifeline::api {
namespace json = boost::json;
namespace {

using auth::Action;
using store::SessionStage;


bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

std::string HostOf(std::string_view origin) {
    auto pos = origin.find("://");
    return std::string(pos == std::string_view::npos ? origin : origin.substr(pos + 3));
}

/// State-changing requests from another origin are refused outright (defence in depth beside
/// SameSite=Strict cookies and the CSRF token).
bool CrossOrigin(const http::Request& req) {
    auto origin = req.Header("Origin");
    if (!origin) return false;
    auto host = req.Header("Host");
    return !host || HostOf(*origin) != *host;
}

std::string SessionCookie(const ApiConfig& config, std::string_view value, bool expire) {
    std::string c = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", SessionCookieName(config), value);
    if (config.secure_cookies) c += "; Secure";
    if (expire) c += "; Max-Age=0";
    return c;
}

/// The stored skills: empty lists mean every language (kind), the queue's defaults.
json::object SkillsJson(const store::UserSkills& s) {
    json::array languages, kinds;
    for (const auto& l : s.languages) languages.emplace_back(l);
    for (auto k : s.kinds) kinds.emplace_back(ToString(k));
    return {{"languages", std::move(languages)}, {"kinds", std::move(kinds)}};
}

json::object UserJson(const store::UserRecord& u) {
    return {{"id", u.id.value},
            {"username", u.username},
            {"role", ToString(u.role)},
            {"disabled", u.disabled},
            {"totp_enabled", u.totp_enabled},
            {"must_change_password", u.must_change_password},
            {"created_at", u.created_ms},
            {"skills", SkillsJson(u.skills)}};
}

/// A list of codes, e.g. "languages": ["uk", "ru"]: an array of at most 16 short strings.
Result<std::vector<std::string>> CodeList(const json::object& o, std::string_view name) {
    auto it = o.find(name);
    if (it == o.end() || !it->value().is_array())
        return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' is required and must be an array", name)};
    const auto& array = it->value().as_array();
    if (array.size() > 16) return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' is too long", name)};
    std::vector<std::string> codes;
    for (const auto& v : array) {
        if (!v.is_string() || v.as_string().size() > 32)
            return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' must hold short strings", name)};
        codes.emplace_back(v.as_string().data(), v.as_string().size());
    }
    return codes;
}

json::object PrincipalJson(const auth::Principal& p) {
    return {{"id", p.user.value},
            {"username", p.username},
            {"role", ToString(p.role)},
            {"stage", auth::ToString(p.stage)},
            {"csrf_token", p.csrf_token}};
}

json::object AccountJson(const auth::NewAccount& a) {
    return {{"id", a.id.value}, {"one_time_password", a.one_time_password}, {"recovery_key", a.recovery_key}};
}

Result<UserId> PathId(const http::Request& req) {
    auto v = PathInt(req, "id");
    if (!v) return v.error();
    return UserId{*v};
}

http::Response StageResponse(SessionStage stage) { return JsonResponse(200, json::object{{"stage", auth::ToString(stage)}}); }

}  // namespace

Result<json::object> ParseBody(const http::Request& req) {
    auto type = req.Header("Content-Type");
    if (!type || type->substr(0, 16) != "application/json")
        return {ErrorCode::kInvalidArgument, "the body must be application/json"};
    json::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object()) return {ErrorCode::kInvalidArgument, "the body is not a JSON object"};
    return std::move(v.as_object());
}

Result<std::string> StringField(const json::object& o, std::string_view name, std::size_t max) {
    auto it = o.find(name);
    if (it == o.end() || !it->value().is_string())
        return {ErrorCode::kInvalidArgument, fmt::format("'{}' is required and must be a string", name)};
    const auto& s = it->value().as_string();
    if (s.size() > max) return {ErrorCode::kInvalidArgument, fmt::format("'{}' is too long", name)};
    return std::string(s.data(), s.size());
}

Result<std::string> OptionalString(const json::object& o, std::string_view name, std::size_t max) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::string{};
    return StringField(o, name, max);
}

Result<std::int64_t> PathInt(const http::Request& req, std::string_view name) {
    auto it = req.params.find(name);
    if (it == req.params.end()) return {ErrorCode::kInvalidArgument, fmt::format("missing {}", name)};
    const auto& text = it->second;
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return {ErrorCode::kInvalidArgument, fmt::format("'{}' must be a positive integer", name)};
    const auto v = std::stoll(text);
    if (v <= 0) return {ErrorCode::kInvalidArgument, fmt::format("'{}' must be a positive integer", name)};
    return v;
}

std::string SessionCookieName(const ApiConfig& config) {
    return config.secure_cookies ? "__Host-lifeline" : "lifeline_session";
}

http::Response ErrorResponse(const Error& error) { return http::ErrorResponse(error.code, error.message); }

http::Handler Guard(ApiDeps& deps, Requirement requirement, GuardedHandler handler) {
    return [&deps, requirement, handler = std::move(handler)](http::Request& req) -> http::Response {
        auto token = req.Cookie(SessionCookieName(deps.config));
        std::optional<auth::Principal> principal;
        if (token) principal = deps.auth.Authenticate(*token);
        if (!principal) return http::Response::Error(401, "unauthenticated", "log in first");
        if (requirement.active && principal->stage != SessionStage::kActive)
            return http::Response::Error(403, "login_incomplete",
                                         fmt::format("finish logging in first ({})", auth::ToString(principal->stage)));
        if (requirement.action && !auth::Allowed(principal->role, *requirement.action))
            return http::Response::Error(403, "forbidden", "your role may not do this");
        if (!IsSafeMethod(req.method)) {
            auto csrf = req.Header("X-CSRF-Token");
            if (!csrf || CrossOrigin(req) || !deps.auth.CheckCsrf(*principal, *csrf))
                return http::Response::Error(403, "csrf", "missing or wrong CSRF token");
        }
        return handler(req, *principal);
    };
}

void RegisterRoutes(http::Router& router, ApiDeps& deps) {
    auto login_limiter =
        std::make_shared<RateLimiter>(deps.clock, deps.config.login_burst, deps.config.login_per_minute);

    router.Add("POST", "/api/v1/auth/login", [&deps, login_limiter](http::Request& req) -> http::Response {
        if (CrossOrigin(req)) return http::Response::Error(403, "csrf", "cross-origin login refused");
        if (auto wait = login_limiter->Take(req.peer); wait > 0) {
            auto r = http::Response::Error(429, "rate_limited",
                                           fmt::format("too many login attempts; try again in {} seconds", wait));
            r.headers.Set("Retry-After", std::to_string(wait));
            return r;
        }
        auto body = ParseBody(req);
        if (!body) return ErrorResponse(body.error());
        auto username = StringField(*body, "username", 64);
        auto password = StringField(*body, "password", 256);
        if (!username) return ErrorResponse(username.error());
        if (!password) return ErrorResponse(password.error());
        auto out = deps.auth.Login(*username, *password);
        if (!out) return ErrorResponse(out.error());
        auto r = JsonResponse(200, json::object{{"stage", auth::ToString(out->stage)},
                                                {"csrf_token", out->csrf_token},
                                                {"user", json::object{{"id", out->user.value}}}});
        r.headers.Add("Set-Cookie", SessionCookie(deps.config, out->token, false));
        return r;
    });

    router.Add("POST", "/api/v1/auth/logout",
               Guard(deps, {std::nullopt, false}, [&deps](http::Request&, const auth::Principal& p) {
                   deps.auth.Logout(p);
                   http::Response r;
                   r.status = 204;
                   r.headers.Add("Set-Cookie", SessionCookie(deps.config, "", true));
                   return r;
               }));

    router.Add("GET", "/api/v1/me", Guard(deps, {std::nullopt, false}, [](http::Request&, const auth::Principal& p) {
                   return JsonResponse(200, PrincipalJson(p));
               }));

    router.Add("POST", "/api/v1/auth/password",
               Guard(deps, {std::nullopt, false}, [&deps](http::Request& req, const auth::Principal& p) {
                   auto body = ParseBody(req);
                   if (!body) return ErrorResponse(body.error());
                   auto current = StringField(*body, "current_password", 256);
                   auto next = StringField(*body, "new_password", 1024);
                   if (!current) return ErrorResponse(current.error());
                   if (!next) return ErrorResponse(next.error());
                   auto stage = deps.auth.ChangePassword(p, *current, *next);
                   return stage ? StageResponse(*stage) : ErrorResponse(stage.error());
               }));

    router.Add("POST", "/api/v1/auth/totp/enrol",
               Guard(deps, {std::nullopt, false}, [&deps](http::Request&, const auth::Principal& p) {
                   auto e = deps.auth.StartTotpEnrolment(p);
                   if (!e) return ErrorResponse(e.error());
                   return JsonResponse(200, json::object{{"secret", e->secret_base32},
                                                         {"otpauth_uri", e->otpauth_uri},
                                                         {"qr_svg", e->qr_svg}});
               }));

    auto code_route = [&deps](bool confirm) {
        return Guard(deps, {std::nullopt, false}, [&deps, confirm](http::Request& req, const auth::Principal& p) {
            auto body = ParseBody(req);
            if (!body) return ErrorResponse(body.error());
            auto code = StringField(*body, "code", 16);
            if (!code) return ErrorResponse(code.error());
            auto stage = confirm ? deps.auth.ConfirmTotpEnrolment(p, *code) : deps.auth.VerifyTotp(p, *code);
            return stage ? StageResponse(*stage) : ErrorResponse(stage.error());
        });
    };
    router.Add("POST", "/api/v1/auth/totp/confirm", code_route(true));
    router.Add("POST", "/api/v1/auth/totp/verify", code_route(false));

    router.Add("GET", "/api/v1/users",
               Guard(deps, {Action::kUserList}, [&deps](http::Request&, const auth::Principal&) {
                   json::array items;
                   for (const auto& u : deps.auth.ListUsers()) items.push_back(UserJson(u));
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));

    router.Add("POST", "/api/v1/users",
               Guard(deps, {Action::kUserManage}, [&deps](http::Request& req, const auth::Principal& p) {
                   auto body = ParseBody(req);
                   if (!body) return ErrorResponse(body.error());
                   auto username = StringField(*body, "username", 64);
                   auto role_name = StringField(*body, "role", 32);
                   if (!username) return ErrorResponse(username.error());
                   if (!role_name) return ErrorResponse(role_name.error());
                   auto role = ParseRole(*role_name);
                   if (!role)
                       return http::Response::Error(400, "invalid_argument",
                                                    "'role' must be operator, coordinator, supervisor or admin");
                   auto account = deps.auth.AddUser(*p.team_keys, p.user, *username, *role);
                   return account ? JsonResponse(201, AccountJson(*account)) : ErrorResponse(account.error());
               }));

    router.Add("POST", "/api/v1/users/{id}/reset",
               Guard(deps, {Action::kUserManage}, [&deps](http::Request& req, const auth::Principal& p) {
                   auto id = PathId(req);
                   if (!id) return ErrorResponse(id.error());
                   auto account = deps.auth.ResetUser(*p.team_keys, p.user, *id);
                   return account ? JsonResponse(200, AccountJson(*account)) : ErrorResponse(account.error());
               }));

    for (bool disable : {true, false}) {
        router.Add("POST", disable ? "/api/v1/users/{id}/disable" : "/api/v1/users/{id}/enable",
                   Guard(deps, {Action::kUserManage},
                         [&deps, disable](http::Request& req, const auth::Principal& p) -> http::Response {
                             auto id = PathId(req);
                             if (!id) return ErrorResponse(id.error());
                             if (*id == p.user && disable)
                                 return http::Response::Error(409, "conflict", "you cannot disable yourself");
                             auto r = deps.auth.SetDisabled(p.user, *id, disable);
                             if (!r) return ErrorResponse(r.error());
                             http::Response ok;
                             ok.status = 204;
                             return ok;
                         }));
    }

    // Which languages and case kinds the account takes from the queue; they apply when he next
    // sets a presence (queue_api.cpp), not to the queue he may be in now.
    router.Add("PUT", "/api/v1/users/{id}/skills",
               Guard(deps, {Action::kUserSkills}, [&deps](http::Request& req, const auth::Principal& p) {
                   auto id = PathId(req);
                   if (!id) return ErrorResponse(id.error());
                   auto body = ParseBody(req);
                   if (!body) return ErrorResponse(body.error());
                   auto languages = CodeList(*body, "languages");
                   if (!languages) return ErrorResponse(languages.error());
                   auto kinds = CodeList(*body, "kinds");
                   if (!kinds) return ErrorResponse(kinds.error());
                   auto skills = queue::ParseSkills(*languages, *kinds);
                   if (!skills) return ErrorResponse(skills.error());
                   auto user = deps.auth.SetSkills(p.user, *id, *skills);
                   return user ? JsonResponse(200, UserJson(*user)) : ErrorResponse(user.error());
               }));

    router.Add("GET", "/api/v1/audit",
               Guard(deps, {Action::kAuditRead}, [&deps](http::Request& req, const auth::Principal&) {
                   std::int64_t from = 1;
                   std::size_t limit = 100;
                   try {
                       if (auto f = req.QueryParam("from")) from = std::max<std::int64_t>(1, std::stoll(*f));
                       if (auto l = req.QueryParam("limit"))
                           limit = static_cast<std::size_t>(std::clamp<long long>(std::stoll(*l), 1, 1000));
                   } catch (const std::exception&) {
                       return http::Response::Error(400, "invalid_argument", "'from' and 'limit' are integers");
                   }
                   json::array items;
                   std::int64_t next = 0;
                   for (const auto& e : deps.audit.Read(from, limit)) {
                       items.push_back(json::object{{"seq", e.seq},
                                                    {"at", e.at_ms},
                                                    {"actor", e.actor},
                                                    {"action", e.action},
                                                    {"target", e.target},
                                                    {"detail", e.detail}});
                       next = e.seq + 1;
                   }
                   json::object out{{"items", std::move(items)}};
                   if (next != 0) out["next_from"] = next;
                   return JsonResponse(200, out);
               }));

    if (deps.cases) RegisterCaseRoutes(router, deps);
    if (deps.queue) {
        RegisterQueueRoutes(router, deps);
        RegisterEventRoutes(router, deps);
    }

    router.Add("GET", "/api/v1/audit/verify",
               Guard(deps, {Action::kAuditRead}, [&deps](http::Request&, const auth::Principal& p) {
                   auto report = deps.audit.Verify();
                   deps.audit.Append(p.user, "audit.verify", "audit", report.ok ? "ok" : "bad");
                   return JsonResponse(200, json::object{{"ok", report.ok},
                                                         {"entries", report.entries},
                                                         {"first_bad_seq", report.first_bad_seq},
                                                         {"reason", report.reason}});
               }));
}

}  // namespace lifeline::api
