// Server-sent events: EventStream on its own, and served by the Server over a raw socket.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "http/test_client.hpp"

namespace lifeline::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::RawClient;
using Clock = std::chrono::steady_clock;

// Polls pred every 10 ms until it holds or timeout passes.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = 2s) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

TEST(EventStreamTest, FormatsEventsAndSplitsData) {
    auto s = EventStream::Create();
    EXPECT_TRUE(s->Send("x", "hello", "7"));
    EXPECT_TRUE(s->Send("multi", "a\nb\r\nc\rd"));
    EXPECT_TRUE(s->Send("", ""));
    EXPECT_TRUE(s->Send("in\r\njected", "z", "1\n2"));
    EventStream::Batch batch = s->Take();
    EXPECT_FALSE(batch.closed);
    EXPECT_EQ(batch.data,
              "id: 7\nevent: x\ndata: hello\n\n"
              "event: multi\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
              "data: \n\n"
              "id: 12\nevent: injected\ndata: z\n\n");
    EXPECT_TRUE(s->Take().data.empty());
}

TEST(EventStreamTest, CloseKeepsQueuedEventsAndRefusesNewOnes) {
    auto s = EventStream::Create();
    int wakes = 0;
    s->Attach([&] { ++wakes; });
    EXPECT_TRUE(s->Send("a", "1"));
    EXPECT_TRUE(s->Send("a", "2"));
    EXPECT_EQ(wakes, 1);  // one wake until the writer takes
    s->Close();
    EXPECT_TRUE(s->closed());
    EXPECT_FALSE(s->Send("a", "3"));
    EventStream::Batch batch = s->Take();
    EXPECT_TRUE(batch.closed);
    EXPECT_EQ(batch.data, "event: a\ndata: 1\n\nevent: a\ndata: 2\n\n");
    s->Detach();
    s->Close();
    EXPECT_EQ(wakes, 1);
}

TEST(EventStreamTest, QueueIsBounded) {
    auto chunks = EventStream::Create();
    for (std::size_t i = 0; i < EventStream::kMaxQueuedChunks; ++i) ASSERT_TRUE(chunks->Send("", "x"));
    EXPECT_FALSE(chunks->Send("", "x"));
    EXPECT_TRUE(chunks->closed());
    EXPECT_TRUE(chunks->Take().data.empty());  // dropped, not delivered late

    auto bytes = EventStream::Create();
    const std::string big(EventStream::kMaxQueuedBytes / 4, 'b');
    int sent = 0;
    while (bytes->Send("", big)) ++sent;
    EXPECT_EQ(sent, 3);
    EXPECT_FALSE(bytes->Send("", "small"));
}

class SseTest : public ::testing::Test {
protected:
    SseTest() {
        router_.Add("GET", "/hello", [](Request&) { return Response::Text(200, "hello"); });
        router_.Add("GET", "/events", [this](Request&) {
            auto stream = EventStream::Create();
            {
                std::lock_guard lock(mutex_);
                streams_.push_back(stream);
            }
            cv_.notify_all();
            Response response = Response::Events(stream);
            response.headers.Set("X-Handler", "yes");
            response.headers.Set("Content-Length", "5");  // server-owned: dropped
            return response;
        });
    }

    static ServerConfig Config() {
        ServerConfig c;
        c.listen = "127.0.0.1:0";
        c.io_threads = 2;
        c.worker_threads = 4;
        c.read_timeout = 1s;
        c.idle_timeout = 2s;
        c.write_timeout = 2s;
        c.max_connections = 16;
        c.drain_timeout = 3s;
        c.sse_heartbeat = 100ms;
        return c;
    }

    void StartServer(ServerConfig config = Config()) {
        server_ = std::make_unique<Server>(std::move(config), router_, metrics_);
        server_->Start();
        ASSERT_NE(server_->port(), 0);
    }

    // The index-th stream a handler created.
    std::shared_ptr<EventStream> WaitStream(std::size_t index) {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, 2s, [&] { return streams_.size() > index; })) return nullptr;
        return streams_[index];
    }

    // Opens /events on client and checks the response head.
    void OpenStream(RawClient& client, std::string_view method = "GET") {
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.Send(std::string(method) + " /events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        auto head = client.Read(/*head=*/true);
        ASSERT_TRUE(head.has_value());
        EXPECT_EQ(head->status, 200);
        EXPECT_EQ(head->Header("content-type"), "text/event-stream");
        EXPECT_EQ(head->Header("cache-control"), "no-store");
        EXPECT_EQ(head->Header("x-accel-buffering"), "no");
        EXPECT_EQ(head->Header("x-handler"), "yes");
        EXPECT_THAT(head->Header("content-security-policy"), HasSubstr("default-src 'self'"));
        EXPECT_EQ(head->Header("x-content-type-options"), "nosniff");
        EXPECT_FALSE(head->Has("content-length"));
        EXPECT_FALSE(head->Has("transfer-encoding"));
        EXPECT_FALSE(head->Has("server"));
    }

    std::string OpenStreamsGauge() {
        const std::string text = metrics_.Render();
        const std::string key = "\nlifeline_http_open_streams ";
        const std::size_t at = text.find(key);
        if (at == std::string::npos) return {};
        return text.substr(at + key.size(), text.find('\n', at + key.size()) - at - key.size());
    }

    Router router_;
    Metrics metrics_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::shared_ptr<EventStream>> streams_;
    std::unique_ptr<Server> server_;  // last: stopped before the rest goes
};

TEST_F(SseTest, SendsEventsFromAnotherThread) {
    ServerConfig config = Config();
    config.sse_heartbeat = 60s;  // no pings in the way
    StartServer(config);
    RawClient client(server_->port());
    OpenStream(client);
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);

    auto sent = std::async(std::launch::async, [&] { return stream->Send("x", "hello world", "1"); });
    EXPECT_TRUE(sent.get());
    EXPECT_EQ(client.ReadUntil("\n\n", 1s), "id: 1\nevent: x\ndata: hello world\n\n");

    std::thread producer([&] { EXPECT_TRUE(stream->Send("x", "line one\nline two\r\nline three")); });
    producer.join();
    EXPECT_EQ(client.ReadUntil("\n\n", 1s), "event: x\ndata: line one\ndata: line two\ndata: line three\n\n");

    // Closing by the producer ends the response after what is queued.
    EXPECT_TRUE(stream->Send("last", "bye"));
    stream->Close();
    EXPECT_EQ(client.ReadUntil("\n\n", 1s), "event: last\ndata: bye\n\n");
    EXPECT_TRUE(client.WaitClosed(2s));
    EXPECT_TRUE(Eventually([&] { return OpenStreamsGauge() == "0"; }));
}

TEST_F(SseTest, HeartbeatAndClientDisconnectCloseTheStream) {
    StartServer();
    RawClient client(server_->port());
    OpenStream(client);
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(client.ReadUntil("\n\n", 1s), ": ping\n\n");
    EXPECT_EQ(OpenStreamsGauge(), "1");

    client.Close();
    // The next heartbeats fail to write: Send reports the stream closed.
    EXPECT_TRUE(Eventually([&] { return !stream->Send("x", "anyone?"); }, 2s));
    EXPECT_TRUE(Eventually([&] { return OpenStreamsGauge() == "0"; }));
    EXPECT_THAT(metrics_.Render(), HasSubstr("lifeline_http_open_connections 0\n"));
}

TEST_F(SseTest, QueueBoundClosesAStreamWhoseClientDoesNotRead) {
    StartServer();
    RawClient client(server_->port());
    OpenStream(client);
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);

    const std::string chunk(64 * 1024, 'z');
    std::size_t sent_bytes = 0;
    bool refused = false;
    const auto started = Clock::now();
    // The client reads nothing: socket buffers fill, then the queue; well before 256 MiB.
    while (sent_bytes < 256u * 1024 * 1024 && Clock::now() - started < 10s) {
        if (!stream->Send("big", chunk)) {
            refused = true;
            break;
        }
        sent_bytes += chunk.size();
    }
    EXPECT_TRUE(refused);
    EXPECT_LT(sent_bytes, 64u * 1024 * 1024);
    EXPECT_TRUE(stream->closed());
    EXPECT_TRUE(client.WaitClosed(5s));
    EXPECT_TRUE(Eventually([&] { return OpenStreamsGauge() == "0"; }));
}

TEST_F(SseTest, OtherRequestsAreServedWhileStreamsAreOpen) {
    StartServer();
    RawClient first(server_->port());
    RawClient second(server_->port());
    OpenStream(first);
    OpenStream(second);
    ASSERT_NE(WaitStream(1), nullptr);

    RawClient other(server_->port());
    ASSERT_TRUE(other.Send(RawClient::Get("/hello")));
    auto r = other.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");

    ASSERT_TRUE(other.Send(RawClient::Get("/metrics")));
    auto m = other.Read();
    ASSERT_TRUE(m.has_value());
    EXPECT_THAT(m->body, HasSubstr("lifeline_http_open_streams 2\n"));
    EXPECT_THAT(m->body, HasSubstr("lifeline_http_open_connections 3\n"));
    EXPECT_THAT(m->body, HasSubstr(R"(lifeline_http_requests_total{route="/events",method="GET",status="200"} 2)"));

    EXPECT_TRUE(WaitStream(0)->Send("x", "still here"));
    EXPECT_FALSE(first.ReadUntil("data: still here\n\n", 1s).empty());
}

TEST_F(SseTest, StopClosesOpenStreamsPromptly) {
    ServerConfig config = Config();
    config.sse_heartbeat = 60s;
    config.drain_timeout = 10s;  // the streams must not hold Stop up to this
    StartServer(config);
    RawClient client(server_->port());
    OpenStream(client);
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);
    EXPECT_TRUE(stream->Send("x", "before stop"));
    EXPECT_FALSE(client.ReadUntil("data: before stop\n\n", 1s).empty());

    const auto started = Clock::now();
    server_->Stop();
    EXPECT_LT(Clock::now() - started, 2s);
    EXPECT_TRUE(client.WaitClosed(2s));
    EXPECT_TRUE(stream->closed());
    EXPECT_FALSE(stream->Send("x", "after stop"));
    EXPECT_EQ(OpenStreamsGauge(), "0");
}

TEST_F(SseTest, StopDoesNotWaitForAStreamWhoseClientDoesNotRead) {
    ServerConfig config = Config();
    config.write_timeout = 30s;
    config.drain_timeout = 500ms;
    StartServer(config);
    RawClient client(server_->port());
    OpenStream(client);
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);
    // Fill the socket buffers so the writer is stuck mid-write.
    const std::string chunk(64 * 1024, 'q');
    for (int i = 0; i < 200 && stream->Send("big", chunk); ++i) std::this_thread::sleep_for(1ms);

    const auto started = Clock::now();
    server_->Stop();
    EXPECT_LT(Clock::now() - started, 2s);
    EXPECT_FALSE(stream->Send("x", "after stop"));
}

TEST_F(SseTest, AStreamIsServedByOneResponseOnly) {
    auto shared = EventStream::Create();
    router_.Add("GET", "/shared", [shared](Request&) { return Response::Events(shared); });
    StartServer();
    RawClient first(server_->port());
    ASSERT_TRUE(first.Send(RawClient::Get("/shared")));
    auto head = first.Read(/*head=*/true);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->status, 200);

    RawClient second(server_->port());
    ASSERT_TRUE(second.Send(RawClient::Get("/shared")));
    auto refused = second.Read();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 500);
    EXPECT_TRUE(second.WaitClosed(2s));

    EXPECT_TRUE(shared->Send("x", "first still works"));
    EXPECT_FALSE(first.ReadUntil("data: first still works\n\n", 1s).empty());
}

TEST_F(SseTest, HeadGetsTheHeadersOnly) {
    StartServer();
    RawClient client(server_->port());
    OpenStream(client, "HEAD");
    auto stream = WaitStream(0);
    ASSERT_NE(stream, nullptr);
    EXPECT_TRUE(client.WaitClosed(2s));
    EXPECT_FALSE(stream->Send("x", "y"));
}

}  // namespace
}  // namespace lifeline::http
