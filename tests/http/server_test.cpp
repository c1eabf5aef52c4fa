#include "http/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/test_client.hpp"

namespace lifeline::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RawClient;
using testing::RawResponse;
using Clock = std::chrono::steady_clock;

std::string ThreadName() {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    return name;
}

void ExpectSecurityHeaders(const RawResponse& r, bool tls = false) {
    EXPECT_EQ(r.Header("content-security-policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        << r.status;
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer") << r.status;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << r.status;
    EXPECT_EQ(r.Header("x-frame-options"), "DENY") << r.status;
    EXPECT_EQ(r.Header("cross-origin-opener-policy"), "same-origin") << r.status;
    EXPECT_EQ(r.Header("cross-origin-resource-policy"), "same-origin") << r.status;
    EXPECT_EQ(r.Header("permissions-policy"), "camera=(), microphone=(), geolocation=()") << r.status;
    EXPECT_TRUE(r.Has("cache-control")) << r.status;
    EXPECT_FALSE(r.Has("server")) << r.status;
    if (tls) {
        EXPECT_EQ(r.Header("strict-transport-security"), "max-age=63072000; includeSubDomains");
    } else {
        EXPECT_FALSE(r.Has("strict-transport-security"));
    }
}

class ServerTest : public ::testing::Test {
protected:
    ServerTest() {
        router_.Add("GET", "/hello", [](Request&) { return Response::Text(200, "hello"); });
        router_.Add("POST", "/echo", [](Request& r) {
            Response response = Response::Json(200, r.body);
            response.headers.Set("X-Method", r.method);
            response.headers.Set("X-Query", r.QueryParam("q").value_or(""));
            response.headers.Set("X-Peer", r.peer);
            return response;
        });
        router_.Add("GET", "/items/{id}", [](Request& r) { return Response::Text(200, "item " + r.params.at("id")); });
        router_.Add("GET", "/cached", [](Request&) {
            Response response = Response::Text(200, "c");
            response.headers.Set("Cache-Control", "max-age=60");
            response.headers.Set("Server", "leaky/1.0");
            response.headers.Set("X-Bad", "a\r\nInjected: yes");
            return response;
        });
        router_.Add("GET", "/own-policy", [](Request&) {
            // A handler cannot weaken the security headers; the server's replace its own.
            Response response = Response::Text(200, "p");
            response.headers.Set("Content-Security-Policy", "default-src *");
            response.headers.Set("x-frame-options", "ALLOWALL");
            response.headers.Add("Set-Cookie", "a=1");
            response.headers.Add("Set-Cookie", "b=2");
            return response;
        });
        router_.Add("GET", "/empty", [](Request&) {
            Response response;
            response.status = 204;
            return response;
        });
        router_.Add("GET", "/notfound", [](Request&) -> Response {
            throw LifelineError(ErrorCode::kNotFound, "case 42 not found");
        });
        router_.Add("GET", "/boom", [](Request&) -> Response {
            throw std::runtime_error("secret internal detail");
        });
        router_.Add("GET", "/slow", [this](Request&) {
            ++slow_started_;
            std::this_thread::sleep_for(300ms);
            return Response::Text(200, "slow done");
        });
        // Larger than the loopback's socket buffers: a client that does not read stalls the write.
        router_.Add("GET", "/big", [](Request&) { return Response::Text(200, std::string(16 << 20, 'x')); });
        router_.Add("GET", "/sleep", [](Request&) {
            std::this_thread::sleep_for(200ms);
            return Response::Text(200, "slept");
        });
        // Asynchronous: kept for the test to answer from its own thread.
        const auto hold = [this](Request& r, const Responder& responder) {
            std::lock_guard lock(later_mu_);
            later_.push_back(responder);
            later_paths_.push_back(r.path);
            later_cv_.notify_all();
        };
        router_.AddAsync("GET", "/later", hold);
        router_.AddAsync("GET", "/later/{n}", hold);
        // Asynchronous and slow (like a form with photos to check): notes where it ran, then
        // waits for the test's gate before answering.
        router_.AddAsync("POST", "/heavy", [this](Request& r, const Responder& responder) {
            {
                std::lock_guard lock(heavy_mu_);
                heavy_threads_.push_back(ThreadName());
            }
            heavy_cv_.notify_all();
            heavy_gate_.wait_for(3s);
            responder.Send(Response::Text(200, std::to_string(r.body.size())));
        });
        router_.AddAsync("GET", "/dropped", [](Request&, const Responder&) {});
        router_.AddAsync("GET", "/async-throws", [](Request&, const Responder&) {
            throw LifelineError(ErrorCode::kNotFound, "case 42 not found");
        });
        router_.AddAsync("GET", "/twice", [](Request&, const Responder& responder) {
            responder.Send(Response::Text(200, "first"));
            responder.Send(Response::Text(500, "second"));
        });
    }

    /// Waits until `n` /later requests are held.
    bool WaitLater(std::size_t n) {
        std::unique_lock lock(later_mu_);
        return later_cv_.wait_for(lock, 3s, [&] { return later_.size() >= n; });
    }
    Responder TakeLater() {
        std::lock_guard lock(later_mu_);
        Responder r = later_.front();
        later_.erase(later_.begin());
        return r;
    }

    static ServerConfig Config() {
        ServerConfig c;
        c.listen = "127.0.0.1:0";
        c.io_threads = 2;
        c.worker_threads = 4;
        c.header_limit = 1024;
        c.body_limit = 1024;
        c.read_timeout = 300ms;
        c.idle_timeout = 2s;
        c.write_timeout = 2s;
        c.max_connections = 16;
        c.drain_timeout = 3s;
        return c;
    }

    void StartServer(ServerConfig config = Config()) {
        server_ = std::make_unique<Server>(std::move(config), router_, metrics_);
        server_->Start();
        ASSERT_NE(server_->port(), 0);
    }

    /// Runs check against a server with `config` and one I/O thread (no strands), then two.
    template <typename Check>
    void WithOneAndTwoIoThreads(ServerConfig config, Check&& check) {
        for (unsigned io_threads : {1u, 2u}) {
            SCOPED_TRACE(io_threads);
            config.io_threads = io_threads;
            StartServer(config);
            check();
            server_->Stop();
            server_.reset();
        }
    }

    std::optional<RawResponse> Fetch(std::string_view request, std::uint16_t port = 0) {
        RawClient client(port != 0 ? port : server_->port());
        if (!client.connected() || !client.Send(request)) return std::nullopt;
        return client.Read();
    }

    void ExpectStillServing() {
        auto r = Fetch(RawClient::Get("/hello"));
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "hello");
    }

    std::string MetricsText(std::uint16_t port = 0) {
        auto r = Fetch(RawClient::Get("/metrics"), port);
        return r ? r->body : std::string();
    }

    Router router_;
    Metrics metrics_;
    std::atomic<int> slow_started_{0};
    std::mutex later_mu_;
    std::condition_variable later_cv_;
    std::vector<Responder> later_;
    std::vector<std::string> later_paths_;
    std::mutex heavy_mu_;
    std::condition_variable heavy_cv_;
    std::vector<std::string> heavy_threads_;
    std::promise<void> heavy_open_;
    std::shared_future<void> heavy_gate_ = heavy_open_.get_future().share();
    std::unique_ptr<Server> server_;  // last: stopped before the router and metrics go
};

TEST_F(ServerTest, GetAndPostOnOneKeepAliveConnection) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(RawClient::Get("/hello")));
    auto first = client.Read();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, "hello");
    EXPECT_EQ(first->Header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(first->Header("cache-control"), "no-store");
    ExpectSecurityHeaders(*first);

    const std::string body = R"({"x":1})";
    ASSERT_TRUE(client.Send("POST /echo?q=a%20b HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            "Content-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body));
    auto second = client.Read();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, body);
    EXPECT_EQ(second->Header("x-method"), "POST");
    EXPECT_EQ(second->Header("x-query"), "a b");
    EXPECT_EQ(second->Header("x-peer"), "127.0.0.1");
    ExpectSecurityHeaders(*second);
}

TEST_F(ServerTest, BodiesArriveWholeWhetherChunkedOrInPieces) {
    StartServer();
    RawClient client(server_->port());
    // Chunked, sent in three writes with pauses, so that the body reaches the parser piecewise.
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(client.Send("lo\r\n7\r\n, world\r\n"));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(client.Send("0\r\n\r\n"));
    auto chunked = client.Read();
    ASSERT_TRUE(chunked.has_value());
    EXPECT_EQ(chunked->status, 200);
    EXPECT_EQ(chunked->body, "hello, world");
    // With a length, the body split after its first byte.
    const std::string body(700, 'b');
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 700\r\n\r\nb"));
    std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(client.Send(body.substr(1)));
    auto split = client.Read();
    ASSERT_TRUE(split.has_value());
    EXPECT_EQ(split->body, body);
}

TEST_F(ServerTest, PipelinedRequestsAndPercentDecodedPath) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(RawClient::Get("/items/a%20b") + RawClient::Get("/hello")));
    auto first = client.Read();
    auto second = client.Read();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->body, "item a b");
    EXPECT_EQ(second->body, "hello");
}

TEST_F(ServerTest, Http10ClosesAfterTheResponse) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
    EXPECT_TRUE(client.WaitClosed(2s));
}

TEST_F(ServerTest, AmbiguousFramingIs400) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "0\r\n\r\n"));
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(client.WaitClosed(2s));
    ExpectStillServing();
}

TEST_F(ServerTest, HeadSendsHeadersWithoutBody) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto head = client.Read(/*head=*/true);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->Header("content-length"), "5");
    // Were body bytes sent, this second response would not parse.
    ASSERT_TRUE(client.Send(RawClient::Get("/hello")));
    auto get = client.Read();
    ASSERT_TRUE(get.has_value());
    EXPECT_EQ(get->body, "hello");
}

TEST_F(ServerTest, ExpectContinue) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                            "Content-Length: 2\r\n\r\n"));
    EXPECT_THAT(client.ReadHead(), HasSubstr("100 Continue"));
    ASSERT_TRUE(client.Send("ok"));
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
}

TEST_F(ServerTest, HandlerHeadersAreSanitized) {
    StartServer();
    auto r = Fetch(RawClient::Get("/cached"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("cache-control"), "max-age=60");  // the handler's choice stands
    EXPECT_FALSE(r->Has("server"));
    EXPECT_FALSE(r->Has("x-bad"));
    EXPECT_FALSE(r->Has("injected"));
    ExpectSecurityHeaders(*r);
}

TEST_F(ServerTest, TheResponseHeadIsExactlyWhatTheServerVouchesFor) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(RawClient::Get("/own-policy")));
    const std::string head = client.ReadHead();
    EXPECT_THAT(head, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
    // The handler's weaker policies are gone, not merely followed by the server's.
    EXPECT_THAT(head, Not(HasSubstr("default-src *")));
    EXPECT_THAT(head, Not(HasSubstr("ALLOWALL")));
    EXPECT_THAT(head, HasSubstr("X-Frame-Options: DENY\r\n"));
    EXPECT_THAT(head, HasSubstr("Cache-Control: no-store\r\n"));
    // Both cookies, each on its own line; the length of the body; no Connection on keep-alive.
    EXPECT_THAT(head, HasSubstr("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"));
    EXPECT_THAT(head, HasSubstr("Content-Length: 1\r\n"));
    EXPECT_THAT(head, Not(HasSubstr("Connection")));
    EXPECT_THAT(head, ::testing::EndsWith("\r\n\r\n"));

    // 204 carries no Content-Length and no body: the next response parses right after it.
    RawClient other(server_->port());
    ASSERT_TRUE(other.Send(RawClient::Get("/empty") + RawClient::Get("/hello")));
    const std::string empty = other.ReadHead();
    EXPECT_THAT(empty, ::testing::StartsWith("HTTP/1.1 204 No Content\r\n"));
    EXPECT_THAT(empty, Not(HasSubstr("Content-Length")));
    auto hello = other.Read();
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(hello->body, "hello");

    // HTTP/1.0 asking for keep-alive is told that it is kept.
    RawClient old(server_->port());
    ASSERT_TRUE(old.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const std::string old_head = old.ReadHead();
    EXPECT_THAT(old_head, ::testing::StartsWith("HTTP/1.0 200 OK\r\n"));
    EXPECT_THAT(old_head, HasSubstr("Connection: keep-alive\r\n"));
}

TEST_F(ServerTest, UnknownRouteIs404WithSecurityHeaders) {
    StartServer();
    auto r = Fetch(RawClient::Get("/nope"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 404);
    EXPECT_THAT(r->body, HasSubstr("\"code\":\"not_found\""));
    ExpectSecurityHeaders(*r);
    auto m = Fetch("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->status, 405);
    EXPECT_EQ(m->Header("allow"), "GET, HEAD");
}

TEST_F(ServerTest, OversizedHeaderIs431ThenClose) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(RawClient::Get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n")));
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 431);
    EXPECT_EQ(r->Header("connection"), "close");
    ExpectSecurityHeaders(*r);
    EXPECT_TRUE(client.WaitClosed(2s));
    ExpectStillServing();
    EXPECT_THAT(MetricsText(), HasSubstr("lifeline_http_rejected_total{reason=\"header_too_large\"} 1"));
}

TEST_F(ServerTest, OversizedBodyIs413ThenClose) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n" +
                            std::string(2000, 'x')));
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 413);
    ExpectSecurityHeaders(*r);
    EXPECT_TRUE(client.WaitClosed(2s));

    // A chunked body that grows past the limit is cut off too.
    RawClient chunked(server_->port());
    ASSERT_TRUE(chunked.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "800\r\n" + std::string(0x800, 'y') + "\r\n"));
    auto c = chunked.Read();
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->status, 413);
    ExpectStillServing();
    EXPECT_THAT(MetricsText(), HasSubstr("lifeline_http_rejected_total{reason=\"body_too_large\"} 2"));
}

TEST_F(ServerTest, MalformedRequestsAre400ThenClose) {
    StartServer();
    for (const std::string& request : {std::string("\x01\x02garbage\r\n\r\n"), std::string("GET /hello HTTP/9\r\n\r\n"),
                                      std::string("GET nopath HTTP/1.1\r\nHost: x\r\n\r\n"),
                                      std::string("GET /items/%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
                                      std::string("GET /items/a%00b HTTP/1.1\r\nHost: x\r\n\r\n")}) {
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send(request));
        auto r = client.Read();
        ASSERT_TRUE(r.has_value()) << request;
        EXPECT_EQ(r->status, 400) << request;
        EXPECT_THAT(r->body, HasSubstr("bad_request"));
        ExpectSecurityHeaders(*r);
        EXPECT_TRUE(client.WaitClosed(2s));
    }
    ExpectStillServing();
}

TEST_F(ServerTest, StalledPartialRequestIsDisconnected) {
    StartServer();
    RawClient client(server_->port());
    const auto start = Clock::now();
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: local"));
    EXPECT_TRUE(client.WaitClosed(3s));
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
    ExpectStillServing();
    EXPECT_THAT(MetricsText(), HasSubstr("lifeline_http_rejected_total{reason=\"timeout\"} 1"));
}

// A slow phone over Tor: the body keeps coming for longer than read_timeout (600 ms here), never
// stalling for that long, and is taken whole.
TEST_F(ServerTest, ABodyThatKeepsComingMayTakeLongerThanTheReadTimeout) {
    ServerConfig config = Config();
    config.read_timeout = 600ms;
    StartServer(config);
    RawClient client(server_->port());
    const std::string body(600, 'b');
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 600\r\n\r\n"));
    for (int i = 0; i < 6; ++i) {
        std::this_thread::sleep_for(250ms);  // 1.5 s in all, two and a half read timeouts
        ASSERT_TRUE(client.Send(body.substr(i * 100, 100)));
    }
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, body);
}

TEST_F(ServerTest, ABodyThatStallsOrNeverEndsIsCutOff) {
    ServerConfig config = Config();
    config.body_timeout = 700ms;
    StartServer(config);
    {
        // Stalls for longer than read_timeout after some of the body.
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 600\r\n\r\nbbb"));
        const auto start = Clock::now();
        EXPECT_TRUE(client.WaitClosed(3s));
        EXPECT_LT(Clock::now() - start, 650ms);
    }
    {
        // Never stalls, but trickles for longer than body_timeout.
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"));
        const auto start = Clock::now();
        bool closed = false;
        for (int i = 0; i < 40 && !closed; ++i) {
            std::this_thread::sleep_for(100ms);
            closed = !client.Send("b") || client.WaitClosed(1ms);
        }
        EXPECT_TRUE(closed || client.WaitClosed(1s));
        const auto elapsed = Clock::now() - start;
        EXPECT_GE(elapsed, 650ms);
        EXPECT_LT(elapsed, 2500ms);
    }
    ExpectStillServing();
    EXPECT_THAT(MetricsText(), HasSubstr("lifeline_http_rejected_total{reason=\"timeout\"} 2"));
}

// Deadlines are enforced by one sweeping timer (not a timer per read and write): each test runs
// with one I/O thread (no strands) and with two.
TEST_F(ServerTest, AHandlerSlowerThanEveryTimeoutStillAnswers) {
    ServerConfig config = Config();
    config.read_timeout = 300ms;
    config.write_timeout = 300ms;
    config.idle_timeout = 300ms;
    WithOneAndTwoIoThreads(config, [&] {
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send(RawClient::Get("/later")));
        ASSERT_TRUE(WaitLater(1));
        // No deadline runs while the handler does: three timeouts and several sweeps later the
        // connection is still there.
        EXPECT_FALSE(client.WaitClosed(1s));
        TakeLater().Send(Response::Text(200, "worth the wait"));
        auto r = client.Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->body, "worth the wait");
        ASSERT_TRUE(client.Send(RawClient::Get("/hello")));
        auto again = client.Read();
        ASSERT_TRUE(again.has_value());
        EXPECT_EQ(again->body, "hello");
    });
}

TEST_F(ServerTest, AnIdleKeepAliveConnectionClosesAfterTheIdleTimeout) {
    ServerConfig config = Config();
    config.idle_timeout = 400ms;
    WithOneAndTwoIoThreads(config, [&] {
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send(RawClient::Get("/hello")));
        ASSERT_TRUE(client.Read().has_value());
        const auto start = Clock::now();
        EXPECT_TRUE(client.WaitClosed(3s));
        const auto elapsed = Clock::now() - start;
        EXPECT_GE(elapsed, 350ms);
        EXPECT_LT(elapsed, 1500ms);
        // Closing an idle connection is not turning a request away.
        EXPECT_THAT(MetricsText(), Not(HasSubstr("reason=\"timeout\"")));
    });
}

TEST_F(ServerTest, AClientThatStopsReadingIsCutOffAfterTheWriteTimeout) {
    ServerConfig config = Config();
    config.write_timeout = 300ms;
    config.idle_timeout = 10s;  // only the write's deadline can end the connection
    WithOneAndTwoIoThreads(config, [&] {
        RawClient client(server_->port());
        ASSERT_TRUE(client.Send(RawClient::Get("/big")));
        std::this_thread::sleep_for(1200ms);  // reads nothing: the server's write stalls
        // What the server had sent arrives, then the end: it gave up on the rest.
        EXPECT_TRUE(client.WaitClosed(3s));
        ExpectStillServing();
    });
}

TEST_F(ServerTest, ConnectionCapAnswers503) {
    ServerConfig config = Config();
    config.max_connections = 2;
    StartServer(config);
    RawClient a(server_->port());
    RawClient b(server_->port());
    for (RawClient* c : {&a, &b}) {
        ASSERT_TRUE(c->Send(RawClient::Get("/hello")));
        auto r = c->Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200);
    }
    {
        RawClient third(server_->port());
        ASSERT_TRUE(third.connected());
        third.Send(RawClient::Get("/hello"));
        auto r = third.Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 503);
        EXPECT_EQ(r->Header("connection"), "close");
        EXPECT_TRUE(r->Has("retry-after"));
        ExpectSecurityHeaders(*r);
        EXPECT_TRUE(third.WaitClosed(2s));
    }
    // The open ones still work; once one goes, a new connection is served again.
    ASSERT_TRUE(a.Send(RawClient::Get("/hello")));
    ASSERT_TRUE(a.Read().has_value());
    b.Close();
    bool served = false;
    for (int attempt = 0; attempt < 40 && !served; ++attempt) {
        auto r = Fetch(RawClient::Get("/hello"));
        served = r && r->status == 200;
        if (!served) std::this_thread::sleep_for(25ms);
    }
    EXPECT_TRUE(served);
    a.Close();
    std::this_thread::sleep_for(50ms);
    EXPECT_THAT(MetricsText(), HasSubstr("lifeline_http_rejected_total{reason=\"connection_cap\"}"));
}

TEST_F(ServerTest, HandlerErrorsBecomeJson) {
    StartServer();
    auto not_found = Fetch(RawClient::Get("/notfound"));
    ASSERT_TRUE(not_found.has_value());
    EXPECT_EQ(not_found->status, 404);
    EXPECT_EQ(not_found->Header("content-type"), "application/json");
    EXPECT_EQ(not_found->body, R"({"error":{"code":"not_found","message":"case 42 not found"}})");
    ExpectSecurityHeaders(*not_found);

    auto boom = Fetch(RawClient::Get("/boom"));
    ASSERT_TRUE(boom.has_value());
    EXPECT_EQ(boom->status, 500);
    EXPECT_THAT(boom->body, HasSubstr("\"code\":\"internal\""));
    EXPECT_THAT(boom->body, Not(HasSubstr("secret")));
    ExpectSecurityHeaders(*boom);
    ExpectStillServing();
}

TEST_F(ServerTest, HealthzAnswers503WithTheReasonWhileTheHealthCheckFails) {
    std::atomic<bool> broken{false};
    ServerConfig config = Config();
    config.health = [&]() -> std::string { return broken ? "store refuses writes" : ""; };
    StartServer(config);
    auto healthy = Fetch(RawClient::Get("/healthz"));
    ASSERT_TRUE(healthy.has_value());
    EXPECT_EQ(healthy->status, 200);
    EXPECT_EQ(healthy->body, "ok");
    broken = true;
    auto sick = Fetch(RawClient::Get("/healthz"));
    ASSERT_TRUE(sick.has_value());
    EXPECT_EQ(sick->status, 503);
    EXPECT_EQ(sick->body, "store refuses writes");
    ExpectSecurityHeaders(*sick);
    broken = false;
    auto again = Fetch(RawClient::Get("/healthz"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, HealthzAndMetricsUseRoutePatterns) {
    StartServer();
    auto health = Fetch(RawClient::Get("/healthz"));
    ASSERT_TRUE(health.has_value());
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(health->body, "ok");
    ExpectSecurityHeaders(*health);

    auto item = Fetch(RawClient::Get("/items/secret-name"));
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->body, "item secret-name");

    auto metrics = Fetch(RawClient::Get("/metrics"));
    ASSERT_TRUE(metrics.has_value());
    EXPECT_EQ(metrics->status, 200);
    EXPECT_THAT(metrics->Header("content-type"), HasSubstr("text/plain; version=0.0.4"));
    ExpectSecurityHeaders(*metrics);
    const std::string& text = metrics->body;
    EXPECT_THAT(text, HasSubstr("lifeline_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 1"));
    EXPECT_THAT(text, HasSubstr("lifeline_http_request_duration_seconds_count{route=\"/items/{id}\"} 1"));
    EXPECT_THAT(text, HasSubstr("route=\"/healthz\""));
    EXPECT_THAT(text, ::testing::ContainsRegex("lifeline_http_open_connections [12]\n"));  // earlier may be closing
    EXPECT_THAT(text, Not(HasSubstr("secret-name")));
}

TEST_F(ServerTest, AdminListenerTakesMetrics) {
    ServerConfig config = Config();
    config.admin_listen = "127.0.0.1:0";
    StartServer(config);
    ASSERT_NE(server_->admin_port(), 0);
    ASSERT_NE(server_->admin_port(), server_->port());

    auto main_metrics = Fetch(RawClient::Get("/metrics"));
    ASSERT_TRUE(main_metrics.has_value());
    EXPECT_EQ(main_metrics->status, 404);
    ExpectSecurityHeaders(*main_metrics);

    auto admin_metrics = Fetch(RawClient::Get("/metrics"), server_->admin_port());
    ASSERT_TRUE(admin_metrics.has_value());
    EXPECT_EQ(admin_metrics->status, 200);
    EXPECT_THAT(admin_metrics->body, HasSubstr("lifeline_http_open_connections"));

    auto admin_health = Fetch(RawClient::Get("/healthz"), server_->admin_port());
    ASSERT_TRUE(admin_health.has_value());
    EXPECT_EQ(admin_health->status, 200);

    auto admin_other = Fetch(RawClient::Get("/hello"), server_->admin_port());
    ASSERT_TRUE(admin_other.has_value());
    EXPECT_EQ(admin_other->status, 404);  // handlers are not reachable on the admin port
    ExpectStillServing();
}

TEST_F(ServerTest, StopDeliversInFlightResponse) {
    StartServer();
    RawClient client(server_->port());
    ASSERT_TRUE(client.Send(RawClient::Get("/slow")));
    RawClient idle(server_->port());
    ASSERT_TRUE(idle.Send(RawClient::Get("/hello")));
    ASSERT_TRUE(idle.Read().has_value());
    for (int i = 0; i < 200 && slow_started_ == 0; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(slow_started_, 1);

    const auto start = Clock::now();
    auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
    EXPECT_TRUE(idle.WaitClosed(1s));  // idle keep-alive connections go at once
    auto r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "slow done");
    EXPECT_EQ(r->Header("connection"), "close");
    ASSERT_EQ(stopped.wait_for(3s), std::future_status::ready);
    EXPECT_LT(Clock::now() - start, 2s);
    server_->Stop();  // idempotent

    RawClient after(server_->port());
    EXPECT_FALSE(after.connected() && after.Send(RawClient::Get("/hello")) && after.Read().has_value());
}


TEST_F(ServerTest, AsyncHandlerAnswersLaterFromAnotherThreadWithoutHoldingUpOthers) {
    ServerConfig config = Config();
    config.io_threads = 1;  // one I/O thread: a blocked one would stall everything
    StartServer(config);
    RawClient waiting(server_->port());
    ASSERT_TRUE(waiting.Send(RawClient::Get("/later")));
    ASSERT_TRUE(WaitLater(1));
    // While that request waits for its answer, the I/O thread serves others.
    ExpectStillServing();
    EXPECT_FALSE(waiting.WaitClosed(100ms));

    std::promise<std::string> rendered_on;
    TakeLater().Render([&] {
        rendered_on.set_value(ThreadName());
        return Response::Text(200, "answered later");
    });
    auto r = waiting.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "answered later");
    ExpectSecurityHeaders(*r);
    // Rendered on the connection's I/O thread, not on the thread that answered.
    EXPECT_EQ(rendered_on.get_future().get(), "ll-http-io");
    // The connection is kept alive as usual.
    ASSERT_TRUE(waiting.Send(RawClient::Get("/hello")));
    auto again = waiting.Read();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->body, "hello");
    EXPECT_THAT(MetricsText(), HasSubstr("route=\"/later\""));
}

TEST_F(ServerTest, ManyAsyncAnswersFromSeveralThreadsEachReachTheirOwnConnection) {
    // With one I/O thread the connections share the io_context's executor (no strands); with two,
    // each has its strand. Either way an answer given on any thread resumes its own connection.
    for (const unsigned threads : {1u, 2u}) {
        SCOPED_TRACE(threads);
        ServerConfig config = Config();
        config.io_threads = threads;
        StartServer(config);
        constexpr std::size_t kClients = 12;
        std::vector<std::unique_ptr<RawClient>> clients;
        for (std::size_t i = 0; i < kClients; ++i) {
            clients.push_back(std::make_unique<RawClient>(server_->port()));
            ASSERT_TRUE(clients.back()->Send(RawClient::Get("/later/" + std::to_string(i))));
        }
        ASSERT_TRUE(WaitLater(kClients));
        std::vector<std::pair<std::string, Responder>> held;
        {
            std::lock_guard lock(later_mu_);
            for (std::size_t i = 0; i < later_.size(); ++i) held.emplace_back(later_paths_[i], later_[i]);
            later_.clear();
            later_paths_.clear();
        }
        // Three threads answer, each a third of them, last first.
        std::vector<std::thread> answerers;
        for (std::size_t t = 0; t < 3; ++t) {
            answerers.emplace_back([&, t] {
                for (std::size_t i = held.size(); i-- > 0;) {
                    if (i % 3 != t) continue;
                    held[i].second.Send(Response::Text(200, "answer for " + held[i].first));
                }
            });
        }
        for (auto& a : answerers) a.join();
        for (std::size_t i = 0; i < kClients; ++i) {
            auto r = clients[i]->Read();
            ASSERT_TRUE(r.has_value());
            EXPECT_EQ(r->body, "answer for /later/" + std::to_string(i));
            ASSERT_TRUE(clients[i]->Send(RawClient::Get("/hello")));  // and the connection goes on
            auto next = clients[i]->Read();
            ASSERT_TRUE(next.has_value());
            EXPECT_EQ(next->body, "hello");
        }
        clients.clear();
        server_->Stop();
        server_.reset();
    }
}

TEST_F(ServerTest, AsyncHandlersThatDropThrowOrAnswerTwiceGetOneCleanAnswer) {
    StartServer();
    auto dropped = Fetch(RawClient::Get("/dropped"));
    ASSERT_TRUE(dropped.has_value());
    EXPECT_EQ(dropped->status, 500);
    EXPECT_THAT(dropped->body, HasSubstr("\"internal\""));
    auto thrown = Fetch(RawClient::Get("/async-throws"));
    ASSERT_TRUE(thrown.has_value());
    EXPECT_EQ(thrown->status, 404);
    EXPECT_THAT(thrown->body, HasSubstr("not_found"));
    RawClient twice(server_->port());
    ASSERT_TRUE(twice.Send(RawClient::Get("/twice")));
    auto first = twice.Read();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->body, "first");
    ASSERT_TRUE(twice.Send(RawClient::Get("/hello")));  // nothing else was written on it
    auto next = twice.Read();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, StopWaitsForAsyncAnswersAndDeliversThem) {
    StartServer();
    RawClient waiting(server_->port());
    ASSERT_TRUE(waiting.Send(RawClient::Get("/later")));
    ASSERT_TRUE(WaitLater(1));
    auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
    EXPECT_EQ(stopped.wait_for(300ms), std::future_status::timeout);  // still waiting for the answer
    TakeLater().Send(Response::Text(200, "answered during the drain"));
    auto r = waiting.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "answered during the drain");
    EXPECT_EQ(r->Header("connection"), "close");
    ASSERT_EQ(stopped.wait_for(3s), std::future_status::ready);
}

TEST_F(ServerTest, RunUntilSignalReturnsWhenStoppedElsewhere) {
    StartServer();
    auto running = std::async(std::launch::async, [this] { server_->RunUntilSignal(); });
    std::this_thread::sleep_for(50ms);
    server_->Stop();
    EXPECT_EQ(running.wait_for(2s), std::future_status::ready);
}

TEST_F(ServerTest, AnsweringAsyncRequestsDoesNotWakeTheThreadInRunUntilSignal) {
    // Only Stop waits for the last asynchronous answer: until 2026-11-28 every answer that left
    // none in flight woke the thread waiting in RunUntilSignal for a signal, which then
    // preempted an I/O thread under load (some 400 times a second in bench/intake).
    StartServer();
    std::promise<pid_t> waiter_tid;
    std::thread running([&] {
        waiter_tid.set_value(gettid());
        server_->RunUntilSignal();
    });
    const pid_t tid = waiter_tid.get_future().get();
    const auto switches = [tid] {
        std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
        std::string line;
        long total = 0;
        while (std::getline(status, line))
            if (line.find("ctxt_switches:") != std::string::npos) total += std::stol(line.substr(line.find(':') + 1));
        return total;
    };
    std::this_thread::sleep_for(100ms);  // settled in its wait
    const long before = switches();
    RawClient client(server_->port());
    for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(client.Send(RawClient::Get("/twice")));
        auto r = client.Read();
        ASSERT_TRUE(r.has_value());
        ASSERT_EQ(r->body, "first");
    }
    // Each of the 200 answers brought the count in flight to zero.
    EXPECT_LT(switches() - before, 20) << "the waiting thread was woken by answers";
    server_->Stop();
    running.join();
}

TEST_F(ServerTest, RunUntilSignalStopsOnSigterm) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // In a child process: the signal must not reach this one.
    EXPECT_EXIT(
        {
            Server server(Config(), router_, metrics_);
            server.Start();
            std::thread killer([] {
                std::this_thread::sleep_for(200ms);
                ::kill(::getpid(), SIGTERM);
            });
            server.RunUntilSignal();
            killer.join();
            std::_Exit(RawClient(server.port()).connected() ? 2 : 0);
        },
        ::testing::ExitedWithCode(0), "");
}

TEST_F(ServerTest, HandlersDoNotBlockTheIoThread) {
    ServerConfig config = Config();
    config.io_threads = 1;
    StartServer(config);
    RawClient a(server_->port());
    RawClient b(server_->port());
    const auto start = Clock::now();
    ASSERT_TRUE(a.Send(RawClient::Get("/sleep")));
    ASSERT_TRUE(b.Send(RawClient::Get("/sleep")));
    auto ra = a.Read();
    auto rb = b.Read();
    const auto elapsed = Clock::now() - start;
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(ra->status, 200);
    EXPECT_EQ(rb->status, 200);
    EXPECT_LT(elapsed, 380ms);
}

TEST_F(ServerTest, AsyncHandlersWithLargeBodiesStartOnThePoolNotTheIoThread) {
    ServerConfig config = Config();
    config.io_threads = 1;  // one I/O thread: a handler holding it would stall every connection
    config.body_limit = 64 * 1024;
    config.inline_body_limit = 1024;
    StartServer(config);
    const auto heavy_started = [this](std::size_t n) {
        std::unique_lock lock(heavy_mu_);
        return heavy_cv_.wait_for(lock, 3s, [&] { return heavy_threads_.size() >= n; });
    };

    RawClient large(server_->port());
    ASSERT_TRUE(large.Send(RawClient::Post("/heavy", std::string(4096, 'x'))));
    ASSERT_TRUE(heavy_started(1));
    // While the large body's handler works (held for up to 3 s), the one I/O thread serves others.
    const auto asked = Clock::now();
    ExpectStillServing();
    EXPECT_LT(Clock::now() - asked, 1500ms);
    heavy_open_.set_value();
    auto r = large.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "4096");
    ExpectSecurityHeaders(*r);

    // A small body's handler still runs right on the I/O thread.
    auto small = Fetch(RawClient::Post("/heavy", std::string(1024, 'y')));
    ASSERT_TRUE(small.has_value());
    EXPECT_EQ(small->body, "1024");
    std::lock_guard lock(heavy_mu_);
    ASSERT_EQ(heavy_threads_.size(), 2u);
    EXPECT_NE(heavy_threads_[0], "ll-http-io");
    EXPECT_EQ(heavy_threads_[1], "ll-http-io");
}

TEST_F(ServerTest, StartFailsWithTheAddress) {
    StartServer();
    ServerConfig taken = Config();
    taken.listen = "127.0.0.1:" + std::to_string(server_->port());
    Server second(taken, router_, metrics_);
    try {
        second.Start();
        FAIL() << "bind to a taken port succeeded";
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        EXPECT_THAT(e.what(), HasSubstr("cannot listen on " + taken.listen + ": "));
    }
    for (const char* bad : {"256.1.1.1:80", "127.0.0.1", "127.0.0.1:99999", "[::1:80", "host.invalid:80"}) {
        ServerConfig c = Config();
        c.listen = bad;
        Server s(c, router_, metrics_);
        EXPECT_THROW(s.Start(), LifelineError) << bad;
    }
    ExpectStillServing();
}

TEST(ClientKey, CountsAnIpv6ClientByItsSlash64) {
    EXPECT_EQ(ClientKey("192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(ClientKey("::ffff:192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(ClientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    EXPECT_EQ(ClientKey("2001:db8:1:2::1"), ClientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    EXPECT_NE(ClientKey("2001:db8:1:2::1"), ClientKey("2001:db8:1:3::1"));
    EXPECT_EQ(ClientKey("::1"), "::/64");
    EXPECT_EQ(ClientKey("not an address"), "not an address");
}

TEST_F(ServerTest, ListensOnIpv6) {
    ServerConfig config = Config();
    config.listen = "[::1]:0";
    Server v6(config, router_, metrics_);
    try {
        v6.Start();
    } catch (const LifelineError& e) {
        GTEST_SKIP() << "no IPv6 loopback: " << e.what();
    }
    EXPECT_NE(v6.port(), 0);
}

// A self-signed P-256 certificate for CN=localhost, written as PEM files.
void WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    ASSERT_NE(key, nullptr);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
    FILE* f = std::fopen(cert_path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
}

TEST_F(ServerTest, TlsServesWithHsts) {
    std::signal(SIGPIPE, SIG_IGN);  // SSL_write on a socket the server closed
    const std::filesystem::path dir =
        std::filesystem::path(::testing::TempDir()) / ("lifeline_http_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    WriteSelfSignedCertificate(cert, key);

    ServerConfig config = Config();
    config.tls = TlsConfig{cert, key};
    StartServer(config);

    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    ASSERT_NE(ctx, nullptr);
    ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, cert.c_str(), nullptr), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    {
        RawClient client(server_->port(), ctx);
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.Send(RawClient::Get("/hello")));
        auto r = client.Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "hello");
        ExpectSecurityHeaders(*r, /*tls=*/true);
        // Keep-alive works over TLS too, and an error response carries HSTS as well.
        ASSERT_TRUE(client.Send(RawClient::Get("/nope", "Connection: close\r\n")));
        auto e = client.Read();
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->status, 404);
        ExpectSecurityHeaders(*e, /*tls=*/true);
        EXPECT_TRUE(client.WaitClosed(2s));
    }
    {
        // TLS 1.1 is refused.
        SSL_CTX* old = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_security_level(old, 0);
        SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
        RawClient client(server_->port(), old);
        EXPECT_FALSE(client.connected());
        SSL_CTX_free(old);
    }
    {
        // Plain HTTP on the TLS port gets nowhere, and the server carries on.
        RawClient plain(server_->port());
        plain.Send(RawClient::Get("/hello"));
        EXPECT_FALSE(plain.Read(false, 2s).has_value());
    }
    RawClient again(server_->port(), ctx);
    ASSERT_TRUE(again.connected());
    ASSERT_TRUE(again.Send(RawClient::Get("/hello")));
    auto r = again.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    again.Close();
    SSL_CTX_free(ctx);
    std::filesystem::remove_all(dir);
}

TEST_F(ServerTest, TlsStartFailsOnMissingFiles) {
    ServerConfig config = Config();
    config.tls = TlsConfig{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
    Server s(config, router_, metrics_);
    EXPECT_THROW(s.Start(), LifelineError);
}

}  // namespace
}  // namespace lifeline::http
