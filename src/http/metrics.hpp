#pragma once
/// Prometheus metrics in text exposition format. Labels carry route patterns, methods and status
/// codes only: never anything a person sent.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lifeline::http {

class Metrics {
public:
    /// Records one finished request: route pattern, method, status, latency in seconds.
    void ObserveRequest(const std::string& route, const std::string& method, int status, double seconds);
    /// A gauge of open connections, and counters for rejections by reason
    /// ("header_too_large", "body_too_large", "bad_request", "timeout", "connection_cap").
    void ConnectionOpened();
    void ConnectionClosed();
    void Rejected(const std::string& reason);
    /// A gauge of open server-sent event streams (each is also an open connection).
    void StreamOpened();
    void StreamClosed();
    /// Named gauges or counters other parts set (e.g. "lifeline_store_write_batches_total").
    void SetGauge(const std::string& name, double value);
    void AddCounter(const std::string& name, double delta);
    /// Runs before every Render, e.g. to copy another part's counters into gauges.
    void OnRender(std::function<void()> refresh);
    /// The whole registry in Prometheus text format.
    std::string Render() const;

    /// Latency histogram bucket bounds, seconds.
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

private:
    struct Series {
        std::uint64_t count = 0;
        double sum = 0;
        std::array<std::uint64_t, kBuckets.size()> buckets{};
    };
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t> requests_;   // key: route|method|status
    std::map<std::string, Series> latency_;           // key: route
    std::map<std::string, std::uint64_t> rejected_;
    std::map<std::string, double> gauges_;
    std::map<std::string, double> counters_;
    std::atomic<std::int64_t> open_connections_{0};
    std::atomic<std::int64_t> open_streams_{0};
    std::vector<std::function<void()>> refresh_;  // set up before serving, then only read
};

}  // namespace lifeline::http
