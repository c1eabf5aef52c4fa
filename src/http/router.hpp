#pragma once
/// Method + path pattern → handler. Patterns are literal segments and "{name}" parameters,
/// e.g. "/api/v1/users/{id}". The matched pattern is the route label used in metrics (never the
/// raw URL, which could carry personal data).

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace lifeline::http {

/// A handler runs on a worker thread (it may block on the store) and returns the response.
using Handler = std::function<Response(Request&)>;

/// How an asynchronous handler answers: exactly once, from any thread. Copies share one answer;
/// the first Send or Render wins, later ones are ignored, and if every copy is dropped without
/// an answer the client gets a 500.
class Responder {
public:
    /// Called once with what produces the response; the server runs it on the connection's
    /// I/O thread.
    using Sink = std::function<void(std::function<Response()>)>;
    explicit Responder(Sink sink);

    void Send(Response response) const;
    /// In the server, `make` runs on the connection's I/O thread (not the caller's): render
    /// there what would otherwise hold up the thread answering, e.g. the store's. (Called the
    /// blocking way, through Router::Dispatch, it runs on the answering thread.)
    void Render(std::function<Response()> make) const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

/// An asynchronous handler runs on an I/O thread and must never block (no store reads or waits,
/// no long computation): it answers through the responder, now or later from another thread.
/// The request stays valid until it answers. (The server starts one whose request body is larger
/// than its `inline_body_limit` on the worker pool instead: a large body takes long to check.)
using AsyncHandler = std::function<void(Request&, Responder)>;

class Router {
public:
    struct Route;

    void Add(std::string method, std::string pattern, Handler handler);
    void AddAsync(std::string method, std::string pattern, AsyncHandler handler);

    /// Finds the route once: fills request.route and request.params. nullptr when nothing matches,
    /// with *fallback set to the 404 or 405 answer (405 carries an Allow header).
    const Route* Resolve(Request& request, Response* fallback) const;
    static bool IsAsync(const Route& route) noexcept;
    /// Runs a resolved route's handler the blocking way (an asynchronous one is waited for).
    static Response Run(const Route& route, Request& request);
    /// Runs a resolved route's handler with the responder (a blocking one here, answered at once).
    static void RunAsync(const Route& route, Request& request, Responder responder);

    /// Finds the handler, fills request.route and request.params. Returns a 404 or 405 JSON
    /// response handler when nothing matches (405 carries an Allow header). An asynchronous
    /// route is run and waited for.
    Response Dispatch(Request& request) const;
    /// The route label Dispatch would assign, or "unmatched".
    std::string RouteOf(const Request& request) const;
    /// Every (method, pattern) added, in the order added (what the API documents).
    std::vector<std::pair<std::string, std::string>> Routes() const;
    /// Called with every 404 and 405 answer Resolve makes (status, Allow header and JSON body
    /// set), to rewrite it: the public site turns those for its own paths into pages in the
    /// visitor's language instead of JSON. Set before serving.
    using FallbackPage = std::function<void(const Request&, Response&)>;
    void SetFallbackPage(FallbackPage page) { fallback_page_ = std::move(page); }

    struct Route {
        std::string method;
        std::vector<std::string> segments;
        std::string pattern;
        Handler handler;
        AsyncHandler async_handler;  ///< set instead of handler for an asynchronous route
        bool literal = false;        ///< no {parameter} segment: the pattern is the path
    };

private:
    const Route* Match(const Request& request, bool* path_matched) const;
    std::vector<Route> routes_;
    /// Literal patterns → their routes (indexes into routes_, in the order added): such a route
    /// is the most specific for its path, so one with the request's method is the match.
    std::unordered_map<std::string, std::vector<std::size_t>> literal_routes_;
    FallbackPage fallback_page_;
};

}  // namespace lifeline::http
