#include "http/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeline::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, RequestsCounterAndHistogram) {
    Metrics m;
    m.ObserveRequest("/items/{id}", "GET", 200, 0.00390625);  // binary fractions: an exact sum
    m.ObserveRequest("/items/{id}", "GET", 200, 0.125);
    m.ObserveRequest("/items/{id}", "POST", 404, 4.0);
    const std::string text = m.Render();
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_http_requests_total counter\n"));
    const std::string requests = "lifeline_http_requests_total{route=\"/items/{id}\",";
    EXPECT_THAT(text, HasSubstr(requests + "method=\"GET\",status=\"200\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(requests + "method=\"POST\",status=\"404\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_http_request_duration_seconds histogram\n"));
    const std::string bucket = "lifeline_http_request_duration_seconds_bucket{route=\"/items/{id}\",le=";
    EXPECT_THAT(text, HasSubstr(bucket + "\"0.0025\"} 0\n"));
    EXPECT_THAT(text, HasSubstr(bucket + "\"0.005\"} 1\n"));
    EXPECT_THAT(text, HasSubstr(bucket + "\"0.25\"} 2\n"));  // cumulative
    EXPECT_THAT(text, HasSubstr(bucket + "\"2.5\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(bucket + "\"+Inf\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("lifeline_http_request_duration_seconds_count{route=\"/items/{id}\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("lifeline_http_request_duration_seconds_sum{route=\"/items/{id}\"} 4.12890625\n"));
}

TEST(MetricsTest, UnknownMethodsCollapseAndLabelsAreEscaped) {
    Metrics m;
    m.ObserveRequest("/a", "SECRETMETHOD", 400, 0.001);
    m.ObserveRequest("/q\"uo\\te\nx", "GET", 200, 0.001);
    const std::string text = m.Render();
    EXPECT_THAT(text, Not(HasSubstr("SECRETMETHOD")));
    EXPECT_THAT(text, HasSubstr("method=\"other\""));
    EXPECT_THAT(text, HasSubstr("route=\"/q\\\"uo\\\\te\\nx\""));
}

TEST(MetricsTest, ConnectionsRejectionsGaugesCounters) {
    Metrics m;
    m.ConnectionOpened();
    m.ConnectionOpened();
    m.ConnectionClosed();
    m.Rejected("timeout");
    m.Rejected("timeout");
    m.Rejected("connection_cap");
    m.SetGauge("lifeline_store_queue_depth", 7);
    m.SetGauge("lifeline_store_queue_depth", 3.5);
    m.AddCounter("lifeline_store_write_batches_total", 2);
    m.AddCounter("lifeline_store_write_batches_total", 1);
    m.AddCounter("lifeline_store_write_batches_total", -10);  // ignored: counters only go up
    m.SetGauge("bad name{x}", 1);
    const std::string text = m.Render();
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_http_open_connections gauge\nlifeline_http_open_connections 1\n"));
    EXPECT_THAT(text, HasSubstr("lifeline_http_rejected_total{reason=\"timeout\"} 2\n"));
    EXPECT_THAT(text, HasSubstr("lifeline_http_rejected_total{reason=\"connection_cap\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_store_queue_depth gauge\nlifeline_store_queue_depth 3.5\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_store_write_batches_total counter\n"
                                "lifeline_store_write_batches_total 3\n"));
    EXPECT_THAT(text, HasSubstr("bad_name_x_ 1\n"));
}

TEST(MetricsTest, EmptyRegistryStillRenders) {
    Metrics m;
    const std::string text = m.Render();
    EXPECT_THAT(text, HasSubstr("lifeline_http_open_connections 0\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE lifeline_http_rejected_total counter\n"));
}

}  // namespace
}  // namespace lifeline::http
