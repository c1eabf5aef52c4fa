#pragma once
/// HTTP request and response as plain values. Handlers see only these: Boost.Beast stays inside
/// server.cpp, so the rest of the program compiles without it and handlers are testable as pure
/// functions from Request to Response.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace lifeline::http {

/// Header list with case-insensitive lookup; order kept.
class Headers {
public:
    void Set(std::string name, std::string value);     ///< replaces every header of that name
    void Add(std::string name, std::string value);     ///< appends (e.g. a second Set-Cookie)
    std::optional<std::string_view> Get(std::string_view name) const;
    bool Has(std::string_view name) const { return Get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
    std::string method;            ///< "GET", "POST", ...
    std::string target;            ///< as sent, e.g. "/api/v1/cases?state=new"
    std::string path;              ///< percent-decoded path without the query
    std::string query;             ///< raw query string without '?'
    Headers headers;
    std::string body;
    std::string peer;              ///< client IP address as text
    bool tls = false;
    /// Filled by the router: the matched route pattern ("/api/v1/users/{id}") and its parameters.
    std::string route;
    std::map<std::string, std::string, std::less<>> params;

    std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
    /// The value of a cookie from the Cookie header.
    std::optional<std::string> Cookie(std::string_view name) const;
    /// A percent-decoded query parameter.
    std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;

    static Response Json(int status, std::string body);
    static Response Text(int status, std::string body);
    static Response Html(int status, std::string body);
    /// {"error":{"code":"<code>","message":"<message>"}} with the given status.
    static Response Error(int status, std::string_view code, std::string_view message);
};

/// The JSON error response for a failure: the HTTP status its code maps to (invalid_argument 400,
/// unauthenticated 401, forbidden 403, not_found 404, already_exists and conflict 409, locked 423,
/// rate_limited 429, unavailable 503) with the code's name and the message. Decrypt, integrity and
/// internal failures (and any unknown code) become 500 "internal" with a generic message: their
/// details are for the log, not the client.
Response ErrorResponse(ErrorCode code, std::string_view message);
inline Response ErrorResponse(const LifelineError& error) { return ErrorResponse(error.code(), error.what()); }

/// Percent-decodes a URL component ('+' becomes a space when form is true); nullopt if malformed.
std::optional<std::string> PercentDecode(std::string_view s, bool form = false);
/// Parses application/x-www-form-urlencoded into name → value (last wins for repeated names).
std::map<std::string, std::string, std::less<>> ParseForm(std::string_view body);

}  // namespace lifeline::http
