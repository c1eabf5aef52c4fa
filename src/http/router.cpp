#include "http/router.hpp"

#include <algorithm>
#include <future>
#include <mutex>
#include <set>

namespace lifeline::http {

// ---- Responder ----

struct Responder::State {
    std::mutex mu;
    Sink sink;  // emptied by the first answer
    ~State() {
        // Dropped without an answer (a handler that lost its responder): the client must not
        // wait forever.
        try {
            if (sink) sink([] { return Response::Error(500, "internal", "internal error"); });
        } catch (...) {
            // Nothing more can be done from a destructor.
        }
    }
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>()) { state_->sink = std::move(sink); }

void Responder::Send(Response response) const {
    Render([r = std::make_shared<Response>(std::move(response))]() mutable { return std::move(*r); });
}

void Responder::Render(std::function<Response()> make) const {
    Sink sink;
    {
        std::lock_guard lock(state_->mu);
        sink = std::move(state_->sink);
        state_->sink = nullptr;
    }
    if (sink) sink(std::move(make));
}

namespace {

// "/a/b/" → {"a", "b", ""}; "/" → {""}. A path that does not start with '/' yields no segments
// and so matches nothing.
std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> segments;
    if (path.empty() || path.front() != '/') return segments;
    path.remove_prefix(1);
    for (;;) {
        const std::size_t slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

bool IsParam(std::string_view segment) {
    return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

bool Fits(const std::vector<std::string>& pattern, const std::vector<std::string_view>& segments) {
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (IsParam(pattern[i]) ? segments[i].empty() : pattern[i] != segments[i]) return false;
    }
    return true;
}

constexpr std::string_view kUnmatched = "unmatched";

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
    Route route;
    route.method = std::move(method);
    for (std::string_view segment : SplitPath(pattern)) route.segments.emplace_back(segment);
    route.literal = std::none_of(route.segments.begin(), route.segments.end(),
                                 [](const std::string& segment) { return IsParam(segment); });
    if (route.literal) literal_routes_[pattern].push_back(routes_.size());
    route.pattern = std::move(pattern);
    route.handler = std::move(handler);
    routes_.push_back(std::move(route));
}

void Router::AddAsync(std::string method, std::string pattern, AsyncHandler handler) {
    Add(std::move(method), std::move(pattern), nullptr);
    routes_.back().async_handler = std::move(handler);
}

const Router::Route* Router::Match(const Request& request, bool* path_matched) const {
    if (path_matched != nullptr) *path_matched = false;
    // A literal route for this very path with this very method: nothing can be more specific.
    if (const auto literal = literal_routes_.find(request.path); literal != literal_routes_.end()) {
        for (const std::size_t index : literal->second) {
            if (routes_[index].method != request.method) continue;
            if (path_matched != nullptr) *path_matched = true;
            return &routes_[index];
        }
    }
    const std::vector<std::string_view> segments = SplitPath(request.path);
    if (segments.empty()) return nullptr;

    // Among the routes whose pattern fits, the most specific wins: at the first segment where two
    // differ, a literal beats a parameter ("/users/me" before "/users/{id}"), whatever the order
    // they were added in. An exact method match beats HEAD falling back to GET.
    const Route* best = nullptr;
    bool best_exact_method = false;
    const auto more_specific = [](const Route& a, const Route& b) {
        for (std::size_t i = 0; i < a.segments.size(); ++i) {
            const bool a_literal = !IsParam(a.segments[i]);
            const bool b_literal = !IsParam(b.segments[i]);
            if (a_literal != b_literal) return a_literal;
        }
        return false;
    };
    for (const Route& route : routes_) {
        if (!Fits(route.segments, segments)) continue;
        if (path_matched != nullptr) *path_matched = true;
        const bool exact_method = route.method == request.method;
        if (!exact_method && !(request.method == "HEAD" && route.method == "GET")) continue;
        if (best == nullptr || more_specific(route, *best) ||
            (exact_method && !best_exact_method && !more_specific(*best, route))) {
            best = &route;
            best_exact_method = exact_method;
        }
    }
    return best;
}

const Router::Route* Router::Resolve(Request& request, Response* fallback) const {
    bool path_matched = false;
    const Route* route = Match(request, &path_matched);
    request.params.clear();
    if (route == nullptr) {
        request.route = std::string(kUnmatched);
        if (!path_matched) {
            *fallback = Response::Error(404, "not_found", "no such resource");
            if (fallback_page_) fallback_page_(request, *fallback);
            return nullptr;
        }
        // The path exists under other methods: list them for the Allow header.
        std::set<std::string> allowed;
        const std::vector<std::string_view> segments = SplitPath(request.path);
        for (const Route& r : routes_) {
            if (!Fits(r.segments, segments)) continue;
            allowed.insert(r.method);
            if (r.method == "GET") allowed.insert("HEAD");
        }
        std::string allow;
        for (const std::string& m : allowed) {
            if (!allow.empty()) allow += ", ";
            allow += m;
        }
        *fallback = Response::Error(405, "method_not_allowed", "method not allowed");
        fallback->headers.Set("Allow", std::move(allow));
        if (fallback_page_) fallback_page_(request, *fallback);
        return nullptr;
    }
    request.route = route->pattern;
    if (route->literal) return route;
    const std::vector<std::string_view> segments = SplitPath(request.path);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& p = route->segments[i];
        if (IsParam(p)) request.params.insert_or_assign(p.substr(1, p.size() - 2), std::string(segments[i]));
    }
    return route;
}

bool Router::IsAsync(const Route& route) noexcept { return static_cast<bool>(route.async_handler); }

Response Router::Run(const Route& route, Request& request) {
    if (route.handler) return route.handler(request);
    // An asynchronous route called the blocking way: run it and wait for its answer.
    auto answer = std::make_shared<std::promise<Response>>();
    auto future = answer->get_future();
    route.async_handler(request, Responder([answer](std::function<Response()> make) {
        try {
            answer->set_value(make());
        } catch (...) {
            answer->set_exception(std::current_exception());
        }
    }));
    return future.get();
}

void Router::RunAsync(const Route& route, Request& request, Responder responder) {
    if (route.async_handler) {
        route.async_handler(request, std::move(responder));
    } else {
        responder.Send(route.handler(request));
    }
}

Response Router::Dispatch(Request& request) const {
    Response response;
    const Route* route = Resolve(request, &response);
    return route == nullptr ? response : Run(*route, request);
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
    return out;
}

std::string Router::RouteOf(const Request& request) const {
    const Route* route = Match(request, nullptr);
    return route != nullptr ? route->pattern : std::string(kUnmatched);
}

}  // namespace lifeline::http
