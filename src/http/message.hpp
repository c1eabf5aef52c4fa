#pragma once
/// HTTP request and response as plain values. Handlers see only these: Boost.Beast stays inside
/// server.cpp, so the rest of the program compiles without it and handlers are testable as pure
/// functions from Request to Response.

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/field_map.hpp"

namespace lifeline::http {

/// ASCII case-insensitive equality, as header names and cookie attributes compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

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
    std::string peer;              ///< the client as rate limits count it: see ClientKey (server.hpp)
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

/// A server-sent events stream (text/event-stream). A handler creates one, keeps a shared_ptr
/// wherever its producers can reach it, and returns it in Response::stream; the server then
/// answers 200 and keeps the connection open, writing what is sent. Thread-safe: Send and Close
/// may be called from any thread, before or after the handler returned.
///
/// Bounded: at most kMaxQueuedChunks events or kMaxQueuedBytes bytes wait for a slow client;
/// beyond that the stream closes (and drops what is queued). It also closes when the client goes
/// away, a write fails or times out, or the server stops: Send then returns false, which is the
/// producer's cue to drop it.
class EventStream {
public:
    static constexpr std::size_t kMaxQueuedChunks = 1000;
    static constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;

    static std::shared_ptr<EventStream> Create() { return std::make_shared<EventStream>(); }

    /// Queues one event: "id: <id>" (if any), "event: <event>" (if not empty), one "data: " line
    /// per line of data (split on CR, LF and CRLF), then a blank line. CR, LF and NUL in event
    /// and id are dropped. False once the stream is closed (the event is not sent).
    bool Send(std::string_view event, std::string_view data, std::optional<std::string> id = {});
    /// No more events; what is queued is still written, then the connection closes. Idempotent.
    void Close();
    bool closed() const;

    // ---- For the server only. ----
    struct Batch {
        std::string data;     ///< every queued chunk, concatenated
        bool closed = false;  ///< no more will come once data is written
    };
    /// Installs the callback run (under the stream's lock: it must only post, never block or
    /// call back) when there is something new to take or the stream closed. False when the
    /// stream is already attached: one stream is served by one response.
    bool Attach(std::function<void()> wake);
    /// Takes everything queued.
    Batch Take();
    /// The connection is done: closes, drops the queue and removes the wake callback (which is
    /// not running and will not run once this returns).
    void Detach();

private:
    bool Push(std::string chunk);
    void WakeLocked();

    mutable std::mutex mutex_;
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    bool closed_ = false;
    bool wake_pending_ = false;
    bool attached_ = false;
    std::function<void()> wake_;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    /// When set, the answer is this event stream instead of the body: 200, text/event-stream,
    /// no-store, the handler's other headers, and the connection stays open until the stream
    /// closes (status and body are ignored).
    std::shared_ptr<EventStream> stream;

    static Response Json(int status, std::string body);
    static Response Text(int status, std::string body);
    static Response Html(int status, std::string body);
    /// {"error":{"code":"<code>","message":"<message>"}} with the given status.
    static Response Error(int status, std::string_view code, std::string_view message);
    /// A response that serves the given stream.
    static Response Events(std::shared_ptr<EventStream> stream);
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
/// Parses application/x-www-form-urlencoded into name → value (last wins for repeated names);
/// nullopt when it holds more than max_pairs pairs (the map is a sorted vector: each insertion
/// may move every entry, so the count must stay small).
std::optional<FieldMap> ParseForm(std::string_view body, std::size_t max_pairs);

}  // namespace lifeline::http
