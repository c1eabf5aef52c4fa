#include "http/metrics.hpp"

#include <cmath>
#include <string_view>

#include <fmt/format.h>

namespace lifeline::http {
namespace {

// The method label takes only the standard methods: anything else a client sends becomes "other",
// so a client can neither put text of its choosing into the metrics nor grow them without bound.
std::string_view MethodLabel(const std::string& method) {
    static constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                  "PATCH",   "OPTIONS", "TRACE", "CONNECT"};
    for (std::string_view known : kKnown) {
        if (method == known) return known;
    }
    return "other";
}

// Label values escape backslash, double quote and newline (Prometheus text format 0.0.4).
std::string EscapeLabel(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

// Metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*; anything else becomes '_'.
std::string SanitizeName(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 1);
    for (char c : name) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        const bool digit = c >= '0' && c <= '9';
        out.push_back(alpha || (digit && !out.empty()) ? c : '_');
    }
    if (out.empty()) out.push_back('_');
    return out;
}

std::string FormatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status, double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // also catches NaN
    std::string key = route;
    key += '|';
    key += MethodLabel(method);
    key += '|';
    key += std::to_string(status);
    std::lock_guard lock(mutex_);
    ++requests_[key];
    Series& series = latency_[route];
    ++series.count;
    series.sum += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++series.buckets[i];  // cumulative, as Prometheus expects
    }
}

void Metrics::ConnectionOpened() { ++open_connections_; }

void Metrics::ConnectionClosed() { --open_connections_; }

void Metrics::StreamOpened() { ++open_streams_; }

void Metrics::StreamClosed() { --open_streams_; }

void Metrics::Rejected(const std::string& reason) {
    std::lock_guard lock(mutex_);
    ++rejected_[reason];
}

void Metrics::SetGauge(const std::string& name, double value) {
    std::lock_guard lock(mutex_);
    gauges_[SanitizeName(name)] = value;
}

void Metrics::AddCounter(const std::string& name, double delta) {
    if (!(delta >= 0)) return;  // counters only go up
    std::lock_guard lock(mutex_);
    counters_[SanitizeName(name)] += delta;
}

void Metrics::OnRender(std::function<void()> refresh) { refresh_.push_back(std::move(refresh)); }

std::string Metrics::Render() const {
    for (const auto& refresh : refresh_) refresh();
    std::string out;
    auto append = [&out](std::string_view s) { out += s; };
    std::lock_guard lock(mutex_);

    append("# HELP lifeline_http_requests_total HTTP requests by route pattern, method and status.\n");
    append("# TYPE lifeline_http_requests_total counter\n");
    for (const auto& [key, count] : requests_) {
        // key: route|method|status; the route is a pattern and so could hold '|', the rest cannot.
        const std::size_t status_sep = key.rfind('|');
        const std::size_t method_sep = key.rfind('|', status_sep - 1);
        const std::string_view k(key);
        out += fmt::format("lifeline_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                           EscapeLabel(k.substr(0, method_sep)),
                           EscapeLabel(k.substr(method_sep + 1, status_sep - method_sep - 1)),
                           EscapeLabel(k.substr(status_sep + 1)), count);
    }

    append("# HELP lifeline_http_request_duration_seconds HTTP request latency by route pattern.\n");
    append("# TYPE lifeline_http_request_duration_seconds histogram\n");
    for (const auto& [route, series] : latency_) {
        const std::string label = EscapeLabel(route);
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out += fmt::format("lifeline_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                               FormatValue(kBuckets[i]), series.buckets[i]);
        }
        out += fmt::format("lifeline_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label,
                           series.count);
        out += fmt::format("lifeline_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                           FormatValue(series.sum));
        out += fmt::format("lifeline_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, series.count);
    }

    append("# HELP lifeline_http_open_connections Open HTTP connections.\n");
    append("# TYPE lifeline_http_open_connections gauge\n");
    out += fmt::format("lifeline_http_open_connections {}\n", open_connections_.load());

    append("# HELP lifeline_http_open_streams Open server-sent event streams.\n");
    append("# TYPE lifeline_http_open_streams gauge\n");
    out += fmt::format("lifeline_http_open_streams {}\n", open_streams_.load());

    append("# HELP lifeline_http_rejected_total Connections or requests rejected by the server, by reason.\n");
    append("# TYPE lifeline_http_rejected_total counter\n");
    for (const auto& [reason, count] : rejected_) {
        out += fmt::format("lifeline_http_rejected_total{{reason=\"{}\"}} {}\n", EscapeLabel(reason), count);
    }

    for (const auto& [name, value] : gauges_) {
        out += fmt::format("# TYPE {} gauge\n{} {}\n", name, name, FormatValue(value));
    }
    for (const auto& [name, value] : counters_) {
        out += fmt::format("# TYPE {} counter\n{} {}\n", name, name, FormatValue(value));
    }
    return out;
}

}  // namespace lifeline::http
