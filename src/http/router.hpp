#pragma once
/// Method + path pattern → handler. Patterns are literal segments and "{name}" parameters,
/// e.g. "/api/v1/users/{id}". The matched pattern is the route label used in metrics (never the
/// raw URL, which could carry personal data).

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace lifeline::http {

/// A handler runs on a worker thread (it may block on the store) and returns the response.
using Handler = std::function<Response(Request&)>;

class Router {
public:
    void Add(std::string method, std::string pattern, Handler handler);
    /// Finds the handler, fills request.route and request.params. Returns a 404 or 405 JSON
    /// response handler when nothing matches (405 carries an Allow header).
    Response Dispatch(Request& request) const;
    /// The route label Dispatch would assign, or "unmatched".
    std::string RouteOf(const Request& request) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        std::string pattern;
        Handler handler;
    };
    const Route* Match(const Request& request, bool* path_matched) const;
    std::vector<Route> routes_;
};

}  // namespace lifeline::http
