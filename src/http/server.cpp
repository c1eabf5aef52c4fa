// The only translation unit that includes Boost.Beast: everything else sees http::Request/Response.

#include "http/server.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace lifeline::http {

std::string ClientKey(const std::string& address) {
    boost::system::error_code ec;
    namespace ip = boost::asio::ip;
    const ip::address a = ip::make_address(address, ec);
    if (ec) return address;
    if (a.is_v4()) return a.to_string();
    const ip::address_v6 v6 = a.to_v6();
    if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6).to_string();
    ip::address_v6::bytes_type bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return ip::address_v6(bytes).to_string() + "/64";
}

namespace {

// The security headers every response carries, in the order they go out; a handler's own value
// of any of them is replaced (Cache-Control excepted, which is only a default).
struct FixedHeader {
    std::string_view name;
    std::string_view value;
};
constexpr std::array<FixedHeader, 7> kSecurityHeaders{{
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
     "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
}};
constexpr FixedHeader kDefaultCacheControl{"Cache-Control", "no-store"};
constexpr FixedHeader kHsts{"Strict-Transport-Security", "max-age=63072000; includeSubDomains"};

}  // namespace

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// A connection's executor: a strand of the io_context when several threads run it, else the
// io_context's own executor (one thread serialises every handler already; a strand would only
// add a lock and a queue to each step).
using ConnectionExecutor = asio::any_io_executor;
using SslStream = asio::ssl::stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// How much one read asks for while waiting for the first byte of a request.
constexpr std::size_t kReadChunk = 16 * 1024;
// Connections being turned away at once; beyond it they are closed without a word.
constexpr unsigned kMaxRejecting = 256;
// After the last response of a connection, what the client still sends is read and dropped for
// this long (and up to kLingerBytes) so that closing does not reset the connection before the
// client has read the response.
constexpr std::chrono::milliseconds kLingerTime{1'000};
constexpr std::size_t kLingerBytes = 1024 * 1024;
// The same while stopping, when a TLS close_notify is all that is worth waiting for.
constexpr std::chrono::milliseconds kStoppingLingerTime{100};
// After drain_timeout every connection is closed; this is how long Stop then waits for them.
constexpr std::chrono::milliseconds kCloseGrace{1'000};
// The deadlines of requests and responses are checked this often at most (and at least four
// times within the shortest timeout), by one timer for all connections; see Connection::deadline.
constexpr std::chrono::milliseconds kMaxSweepPeriod{250};
constexpr std::chrono::milliseconds kMinSweepPeriod{5};
// A deadline of a connection that has none (its coroutine is in a handler, or not in the loop).
constexpr std::int64_t kNoDeadline = std::numeric_limits<std::int64_t>::max();

std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}
// The shortest heartbeat interval of an event stream (a zero would spin).
constexpr std::chrono::milliseconds kMinHeartbeat{10};

bool IsTokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A handler-set header that would break the framing of the response (or inject another header)
// is dropped.
bool IsValidHeader(std::string_view name, std::string_view value) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
    return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers the server owns: framing, connection management, and Server (never reveal a version).
bool IsServerOwnedHeader(std::string_view name) {
    return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
           EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Keep-Alive") ||
           EqualsIgnoreCase(name, "Server");
}

// "ADDR:PORT", "[v6]:PORT", ":PORT" or "*:PORT" (all interfaces), "localhost:PORT".
tcp::endpoint ParseListen(const std::string& listen) {
    const auto fail = [&](std::string_view why) {
        return LifelineError(ErrorCode::kInvalidArgument, fmt::format("cannot listen on {}: {}", listen, why));
    };
    std::string_view s = listen;
    std::string_view host;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        const std::size_t close = s.find("]:");
        if (close == std::string_view::npos) throw fail("expected [ADDRESS]:PORT");
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
    } else {
        const std::size_t colon = s.rfind(':');
        if (colon == std::string_view::npos) throw fail("expected ADDRESS:PORT");
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    unsigned port_number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || port_number > 65535) {
        throw fail("invalid port");
    }
    if (host.empty() || host == "*") host = "0.0.0.0";
    if (host == "localhost") host = "127.0.0.1";
    error_code address_error;
    const asio::ip::address address = asio::ip::make_address(host, address_error);
    if (address_error) throw fail("not a numeric IP address");
    return {address, static_cast<std::uint16_t>(port_number)};
}

// The head of a response as it goes on the wire: status line, the handler's headers minus the
// server's own and minus the security headers, the security headers, Connection, and
// Content-Length unless without_length (204, 304, an event stream). Built straight into one
// string: Beast's serializer and the header copies it needed cost about a tenth of the
// instructions of a form request.
std::string SerializeHead(const Response& response, unsigned version, bool keep_alive, bool tls,
                          bool without_length) {
    const auto is_security_header = [tls](std::string_view name) {
        for (const FixedHeader& header : kSecurityHeaders)
            if (EqualsIgnoreCase(name, header.name)) return true;
        return tls && EqualsIgnoreCase(name, kHsts.name);
    };
    const auto status = static_cast<unsigned>(response.status);
    std::string head;
    head.reserve(1024);
    head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(status);
    head += ' ';
    const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    const auto add = [&head](std::string_view name, std::string_view value) {
        head += name;
        head += ": ";
        head += value;
        head += "\r\n";
    };
    bool cache_control = false;
    for (const auto& [name, value] : response.headers.all()) {
        if (IsServerOwnedHeader(name) || is_security_header(name)) continue;
        if (!IsValidHeader(name, value)) {
            spdlog::warn("http: dropped an invalid response header");
            continue;
        }
        cache_control = cache_control || EqualsIgnoreCase(name, kDefaultCacheControl.name);
        add(name, value);
    }
    static const std::string security_block = [] {
        std::string block;
        for (const FixedHeader& header : kSecurityHeaders) {
            block.append(header.name).append(": ").append(header.value).append("\r\n");
        }
        return block;
    }();
    head += security_block;
    if (!cache_control) add(kDefaultCacheControl.name, kDefaultCacheControl.value);
    if (tls) add(kHsts.name, kHsts.value);
    if (version == 10 && keep_alive) add("Connection", "keep-alive");
    if (version != 10 && !keep_alive) add("Connection", "close");
    if (!without_length) add("Content-Length", std::to_string(response.body.size()));
    head += "\r\n";
    return head;
}

// A request body read into a std::string by appending each piece as it arrives. Beast's
// string_body resizes the string first (zero-filling it) and then copies into it.
struct AppendedBody {
    using value_type = std::string;
    static std::uint64_t size(const value_type& body) { return body.size(); }

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}
        void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
            ec = {};
            // The parser has already refused a length over body_limit. Out of memory is an error
            // of this request (as with Beast's string_body), not an exception through the parser.
            try {
                if (length) body_.reserve(static_cast<std::size_t>(*length));
            } catch (const std::exception&) {
                ec = bhttp::error::buffer_overflow;
            }
        }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
            ec = {};
            std::size_t n = 0;
            try {
                for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
                    const asio::const_buffer piece = *it;
                    body_.append(static_cast<const char*>(piece.data()), piece.size());
                    n += piece.size();
                }
            } catch (const std::exception&) {
                ec = bhttp::error::buffer_overflow;
            }
            return n;
        }
        void finish(beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

struct HandlerResult {
    Response response;
    std::string route;
};

}  // namespace

struct Server::Impl {
    // One listening socket. The acceptor lives on its own strand (Stop closes it from outside).
    struct Listener {
        std::optional<tcp::acceptor> acceptor;
        bool admin = false;
        bool tls = false;
        std::atomic<unsigned> open{0};  // sessions (not rejections) on this listener
    };

    // The handle Stop uses to reach a live connection. Everything but strand and deadline is
    // touched only on the strand, where the connection's coroutine runs.
    struct Connection {
        Connection(std::uint64_t i, ConnectionExecutor s) : id(i), strand(std::move(s)) {}
        const std::uint64_t id;
        ConnectionExecutor strand;  // a strand, or the io_context's executor (one thread)
        beast::tcp_stream* stream = nullptr;  // while the coroutine owns a stream
        bool idle = false;                    // waiting for a request, or lingering after the last response
        std::shared_ptr<EventStream> events;  // while serving an event stream
        // When the request being read, or the response being written, is overdue (steady clock,
        // ns; kNoDeadline while a handler runs). The request loop only stores it: the sweeper
        // (SweepDeadlines) closes the connections past it, instead of a timer armed and cancelled
        // on the stream three times a request (measured: 1.4 % of the intake's instructions).
        // Written on the strand, read by the sweeper.
        std::atomic<std::int64_t> deadline{kNoDeadline};
        bool timed_out = false;  // the sweeper closed it for its deadline
        void SetDeadline(std::chrono::milliseconds timeout) {
            deadline.store(NowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count(),
                           std::memory_order_relaxed);
        }
        void ClearDeadline() { deadline.store(kNoDeadline, std::memory_order_relaxed); }
    };

    Impl(ServerConfig c, const Router& r, Metrics& m) : config(std::move(c)), router(r), metrics(m) {}

    ~Impl() {
        // Acceptors must go before the io_context; the Listener objects stay until after it,
        // since coroutine frames the io_context destroys still refer to them.
        if (main) main->acceptor.reset();
        if (admin) admin->acceptor.reset();
    }

    std::unique_ptr<Listener> Bind(const std::string& listen, bool is_admin, bool tls);
    asio::awaitable<void> AcceptLoop(Listener& listener);
    asio::awaitable<void> RunConnection(Listener& listener, std::shared_ptr<Connection> connection, tcp::socket socket,
                                        bool reject);
    template <typename Stream>
    asio::awaitable<void> Session(Stream& stream, Listener& listener, Connection& connection, const std::string& peer,
                                  bool reject);
    template <typename Stream>
    asio::awaitable<void> WriteResponse(Stream& stream, Response response, unsigned version, bool keep_alive,
                                        bool head, bool tls, bool* ok);
    template <typename Stream>
    asio::awaitable<void> ServeEvents(Stream& stream, Connection& connection, Response response, unsigned version,
                                      bool head, bool tls);
    template <typename Stream>
    asio::awaitable<void> RejectAndClose(Stream& stream, Connection& connection, Response response, bool tls,
                                         const std::string& reason);
    template <typename Stream>
    asio::awaitable<void> GracefulClose(Stream& stream, Connection& connection);
    bool Builtin(const Listener& listener, const Request& request, Response* response, std::string* route) const;
    HandlerResult RunHandler(const Router::Route& route, Request& request) const;
    /// Runs fn (which returns the response) and turns what it throws into an error response.
    template <typename Fn>
    HandlerResult Guarded(Request& request, Fn&& fn) const;
    /// Runs an asynchronous handler on this thread; resumes on the connection's strand with its
    /// answer. Counted in async_in_flight until then.
    asio::awaitable<HandlerResult> RunAsync(const Router::Route& route, Request& request);
    // The request is a coroutine parameter, so the frame owns it while the handler runs.
    asio::awaitable<HandlerResult> HandleOnPool(const Router::Route* route, Request request) const {
        co_return RunHandler(*route, request);
    }
    void CloseConnections(bool idle_only);
    /// Every sweep_period until the io_context stops: SweepDeadlines.
    asio::awaitable<void> SweepLoop();
    /// Closes, on its strand, each connection whose deadline has passed (checked again there).
    void SweepDeadlines();

    const ServerConfig config;
    const std::chrono::milliseconds sweep_period =
        std::clamp(std::min({config.read_timeout, config.body_timeout, config.idle_timeout, config.write_timeout}) / 4,
                   kMinSweepPeriod, kMaxSweepPeriod);
    const Router& router;
    Metrics& metrics;
    std::optional<asio::ssl::context> ssl;

    std::mutex lifecycle_mutex;  // serialises Start, Stop and RunUntilSignal's start
    enum class State { kNew, kRunning, kStopped } state = State::kNew;

    std::mutex mutex;  // guards connections, next_id, signalled, stopped
    std::condition_variable cv;
    std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
    std::uint64_t next_id = 0;
    bool signalled = false;
    bool stopped = false;
    std::atomic<bool> stopping{false};
    std::atomic<unsigned> rejecting{0};

    std::unique_ptr<Listener> main;
    std::unique_ptr<Listener> admin;
    std::uint16_t main_port = 0;
    std::uint16_t admin_port = 0;

    std::unique_ptr<asio::thread_pool> pool;
    // Asynchronous handlers not yet answered: Stop waits for them before stopping the
    // io_context, since their answers are posted to it. The answer that brings it to zero
    // notifies cv under mutex, so that Stop's wait cannot miss it.
    std::atomic<std::size_t> async_in_flight{0};
    // Answers of asynchronous handlers given on other threads (the store's), each with the strand
    // of its connection. The first one posts DeliverAnswers, which takes them all: one wake-up of
    // an I/O thread per store batch instead of one per answer.
    using Answer = std::pair<asio::any_io_executor, std::function<void()>>;
    std::mutex answers_mutex;
    std::vector<Answer> answers;
    void HandOver(asio::any_io_executor strand, std::function<void()> answer);
    void DeliverAnswers();
    // Declared after everything coroutine frames refer to: destroying the io_context destroys the
    // frames of coroutines that never finished.
    asio::io_context ioc;
    bool single_io_thread = false;  // set before the threads start; then read only
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::optional<asio::signal_set> signals;  // CatchSignals; before ioc in destruction order
};

std::unique_ptr<Server::Impl::Listener> Server::Impl::Bind(const std::string& listen, bool is_admin, bool tls) {
    const tcp::endpoint endpoint = ParseListen(listen);
    auto listener = std::make_unique<Listener>();
    listener->admin = is_admin;
    listener->tls = tls;
    tcp::acceptor& acceptor = listener->acceptor.emplace(asio::make_strand(ioc));
    error_code ec;
    const auto check = [&] {
        if (ec) {
            throw LifelineError(ErrorCode::kInvalidArgument,
                                fmt::format("cannot listen on {}: {}", listen, ec.message()));
        }
    };
    acceptor.open(endpoint.protocol(), ec);
    check();
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    check();
    acceptor.bind(endpoint, ec);
    check();
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    check();
    return listener;
}

asio::awaitable<void> Server::Impl::AcceptLoop(Listener& listener) {
    tcp::acceptor& acceptor = *listener.acceptor;
    for (;;) {
        ConnectionExecutor strand =
            single_io_thread ? ConnectionExecutor(ioc.get_executor()) : ConnectionExecutor(asio::make_strand(ioc));
        tcp::socket socket(strand);
        auto [ec] = co_await acceptor.async_accept(socket, kTuple);
        if (ec) {
            if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            // Out of file descriptors and the like: back off instead of spinning.
            spdlog::warn("http: accept failed: {}", ec.message());
            asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
            co_await timer.async_wait(kTuple);
            continue;
        }
        if (stopping) co_return;
        const bool reject = listener.open.load() >= config.max_connections;
        if (reject && rejecting.load() >= kMaxRejecting) {
            metrics.Rejected("connection_cap");
            continue;  // the socket closes as it goes out of scope
        }
        std::shared_ptr<Connection> connection;
        if (reject) {
            connection = std::make_shared<Connection>(0, strand);
            ++rejecting;
        } else {
            {
                std::lock_guard lock(mutex);
                connection = std::make_shared<Connection>(next_id++, strand);
                connections.emplace(connection->id, connection);
            }
            ++listener.open;
            metrics.ConnectionOpened();
        }
        asio::co_spawn(strand, RunConnection(listener, std::move(connection), std::move(socket), reject),
                       [](std::exception_ptr e) {
                           if (!e) return;
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& ex) {
                               spdlog::error("http: connection failed: {}", ex.what());
                           } catch (...) {
                               spdlog::error("http: connection failed");
                           }
                       });
    }
}

asio::awaitable<void> Server::Impl::RunConnection(Listener& listener, std::shared_ptr<Connection> connection,
                                                  tcp::socket socket, bool reject) {
    // Runs when the coroutine ends, and also when its frame is destroyed unfinished at shutdown.
    struct Cleanup {
        Impl& impl;
        Listener& listener;
        const std::shared_ptr<Connection>& connection;
        bool reject;
        ~Cleanup() {
            connection->stream = nullptr;
            if (reject) {
                --impl.rejecting;
                return;
            }
            --listener.open;
            impl.metrics.ConnectionClosed();
            std::lock_guard lock(impl.mutex);
            impl.connections.erase(connection->id);
            // Stop waits for the last connection, after setting `stopping` (read under the
            // mutex its wait holds, so the two cannot pass each other).
            if (impl.stopping.load()) impl.cv.notify_all();
        }
    } cleanup{*this, listener, connection, reject};

    std::string peer;
    {
        error_code ec;
        const tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec) co_return;  // already gone
        peer = ClientKey(remote.address().to_string());
        socket.set_option(tcp::no_delay(true), ec);
    }
    if (listener.tls) {
        SslStream stream(std::move(socket), *ssl);
        connection->stream = &stream.next_layer();
        beast::get_lowest_layer(stream).expires_after(config.read_timeout);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
        if (ec) {
            spdlog::debug("http: TLS handshake failed: {}", ec.message());
        } else {
            co_await Session(stream, listener, *connection, peer, reject);
        }
        connection->stream = nullptr;
    } else {
        beast::tcp_stream stream(std::move(socket));
        connection->stream = &stream;
        co_await Session(stream, listener, *connection, peer, reject);
        connection->stream = nullptr;
    }
}

template <typename Stream>
asio::awaitable<void> Server::Impl::Session(Stream& stream, Listener& listener, Connection& connection,
                                            const std::string& peer, bool reject) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    if (reject) {
        Response busy = Response::Error(503, "unavailable", "server busy, retry later");
        busy.headers.Set("Retry-After", "1");
        co_await RejectAndClose(stream, connection, std::move(busy), listener.tls, "connection_cap");
        co_return;
    }

    // The loop's reads and writes run against connection.deadline (enforced by the sweeper), not
    // the stream's own timer, which only the TLS handshake before it and the closing steps after
    // it use.
    lowest.expires_never();
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
        if (stopping) break;
        if (buffer.size() == 0) {
            // Between requests only the idle timeout runs; a new connection gets read_timeout to
            // send its first byte. Stop may close the connection while it waits here.
            connection.SetDeadline(first ? config.read_timeout : config.idle_timeout);
            connection.idle = true;
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
            connection.idle = false;
            if (ec) {
                if (first && connection.timed_out) metrics.Rejected("timeout");
                co_return;
            }
            buffer.commit(n);
        }
        first = false;

        // The header must arrive within read_timeout of its first byte; the body may take up to
        // body_timeout as long as it never stalls for read_timeout (a form with photos over Tor).
        connection.SetDeadline(config.read_timeout);
        bhttp::request_parser<AppendedBody> parser;
        parser.header_limit(config.header_limit);
        parser.body_limit(config.body_limit);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
        if (!ec && !parser.is_done()) {
            const auto& header = parser.get();
            if (header.version() >= 11 && EqualsIgnoreCase(header[bhttp::field::expect], "100-continue")) {
                bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, header.version()};
                auto [write_ec, written] = co_await bhttp::async_write(stream, proceed, kTuple);
                ec = write_ec;
            }
            const auto body_deadline = Clock::now() + config.body_timeout;
            while (!ec && !parser.is_done()) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(body_deadline - Clock::now());
                connection.SetDeadline(std::clamp(left, std::chrono::milliseconds{0}, config.read_timeout));
                auto [read_ec, read] = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
                ec = read_ec;
            }
        }
        if (ec) {
            if (connection.timed_out) {
                // The sweeper closed the socket when the deadline passed: nothing can be sent.
                metrics.Rejected("timeout");
            } else if (ec == bhttp::error::header_limit) {
                co_await RejectAndClose(stream, connection,
                                        Response::Error(431, "header_too_large", "request header too large"),
                                        listener.tls, "header_too_large");
            } else if (ec == bhttp::error::body_limit) {
                co_await RejectAndClose(stream, connection,
                                        Response::Error(413, "body_too_large", "request body too large"),
                                        listener.tls, "body_too_large");
            } else if (ec == bhttp::error::buffer_overflow) {
                // No memory for the body (AppendedBody): the request may succeed later.
                Response busy = Response::Error(503, "unavailable", "server busy, retry later");
                busy.headers.Set("Retry-After", "1");
                co_await RejectAndClose(stream, connection, std::move(busy), listener.tls, "no_memory");
            } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                       ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
                co_await RejectAndClose(stream, connection, Response::Error(400, "bad_request", "malformed request"),
                                        listener.tls, "bad_request");
            }
            // Anything else: the client went away or the connection broke.
            co_return;
        }

        // No deadline while the handler runs (the write gets its own).
        connection.ClearDeadline();
        const Clock::time_point started = Clock::now();
        bhttp::request<AppendedBody> message = parser.release();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        const std::string_view target = request.target;
        const std::size_t question = target.find('?');
        const std::string_view raw_path = target.substr(0, question);
        if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
        std::optional<std::string> path = PercentDecode(raw_path);
        if (raw_path.empty() || raw_path.front() != '/' || !path || path->find('\0') != std::string::npos) {
            co_await RejectAndClose(stream, connection, Response::Error(400, "bad_request", "malformed request target"),
                                    listener.tls, "bad_request");
            co_return;
        }
        request.path = std::move(*path);
        for (const auto& field : message) {
            request.headers.Add(std::string(field.name_string()), std::string(field.value()));
        }
        request.body = std::move(message.body());
        request.peer = peer;
        request.tls = listener.tls;
        const bool head = message.method() == bhttp::verb::head;
        const std::string method = request.method;

        HandlerResult result;
        if (!Builtin(listener, request, &result.response, &result.route)) {
            // The route is found once, here; 404 and 405 are answered without a handler.
            Response fallback;
            const Router::Route* route = router.Resolve(request, &fallback);
            if (route == nullptr) {
                result.response = std::move(fallback);
                result.route = request.route;
            } else if (Router::IsAsync(*route)) {
                // Asynchronous handlers run here (or, with a large body, on the pool) and answer
                // later (e.g. when the store commits); the request stays in this frame until then.
                result = co_await RunAsync(*route, request);
            } else {
                // Handlers may block (the store): they run on the worker pool, and this
                // coroutine resumes on its strand when the response is ready.
                result = co_await asio::co_spawn(pool->get_executor(), HandleOnPool(route, std::move(request)),
                                                 asio::use_awaitable);
            }
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        if (result.response.stream) result.response.status = 200;
        if (result.response.status < 200 || result.response.status > 599) {
            spdlog::error("http: handler for route {} returned invalid status {}", result.route,
                          result.response.status);
            result.response = Response::Error(500, "internal", "internal error");
        }
        metrics.ObserveRequest(result.route, method, result.response.status, seconds);
        if (result.response.stream) {
            // An event stream holds the connection until it ends; the connection closes after it.
            co_await ServeEvents(stream, connection, std::move(result.response), message.version(), head,
                                 listener.tls);
            co_return;
        }

        const auto connection_header = result.response.headers.Get("Connection");
        const bool keep_alive = message.keep_alive() && !stopping &&
                                !(connection_header && EqualsIgnoreCase(*connection_header, "close"));
        bool ok = false;
        connection.SetDeadline(config.write_timeout);
        co_await WriteResponse(stream, std::move(result.response), message.version(), keep_alive, head, listener.tls,
                               &ok);
        if (!ok) co_return;
        if (!keep_alive) break;
    }
    co_await GracefulClose(stream, connection);
}

template <typename Stream>
asio::awaitable<void> Server::Impl::WriteResponse(Stream& stream, Response response, unsigned version, bool keep_alive,
                                                  bool head, bool tls, bool* ok) {
    const bool bodiless = response.status == 204 || response.status == 304;
    const std::string head_block = SerializeHead(response, version, keep_alive, tls, bodiless);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_block), asio::const_buffer{}};
    if (!head && !bodiless) buffers[1] = asio::buffer(response.body);
    auto [ec, n] = co_await asio::async_write(stream, buffers, kTuple);
    *ok = !ec;
}

template <typename Stream>
asio::awaitable<void> Server::Impl::ServeEvents(Stream& stream, Connection& connection, Response response,
                                                unsigned version, bool head, bool tls) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    // The writer sleeps on this timer between writes; the stream's wake callback cancels it from
    // any thread by posting to the strand. The callback holds only a weak reference: the timer
    // goes with this frame.
    struct Waker {
        explicit Waker(const ConnectionExecutor& strand) : timer(strand) {}
        asio::steady_timer timer;
    };
    bool finished = false;  // the stream ended normally: close gracefully after it
    {
        const std::shared_ptr<EventStream> events = std::move(response.stream);
        const auto waker = std::make_shared<Waker>(connection.strand);
        // However this ends (also when the frame is destroyed at shutdown), producers see the
        // stream closed and the wake callback is gone before the timer is.
        struct Guard {
            Impl& impl;
            Connection& connection;
            const std::shared_ptr<EventStream>& events;
            ~Guard() {
                events->Detach();
                connection.events.reset();
                impl.metrics.StreamClosed();
            }
        };
        const bool attached = events->Attach([strand = connection.strand, weak = std::weak_ptr<Waker>(waker)] {
            asio::post(strand, [weak] {
                if (auto w = weak.lock()) w->timer.cancel();
            });
        });
        if (!attached) {
            spdlog::error("http: a handler returned an event stream that another response already serves");
            bool ok = false;
            lowest.expires_after(config.write_timeout);
            co_await WriteResponse(stream, Response::Error(500, "internal", "internal error"), version, false, head,
                                   tls, &ok);
            if (ok) co_await GracefulClose(stream, connection);
            co_return;
        }
        Guard guard{*this, connection, events};
        metrics.StreamOpened();
        connection.events = events;
        // Stop sets stopping before it closes the streams it finds: either it saw this one or
        // this sees stopping.
        if (stopping || head) events->Close();

        response.headers.Set("Content-Type", "text/event-stream");
        response.headers.Set("Cache-Control", "no-store");
        response.headers.Set("X-Accel-Buffering", "no");
        // Status 200 (set by Session); no Content-Length and not chunked: the body runs until the
        // connection closes.
        const std::string head_block = SerializeHead(response, version, /*keep_alive=*/false, tls,
                                                     /*without_length=*/true);
        lowest.expires_after(config.write_timeout);
        {
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head_block), kTuple);
            if (ec) co_return;
        }

        const auto heartbeat = std::max(config.sse_heartbeat, kMinHeartbeat);
        Clock::time_point last_write = Clock::now();
        for (;;) {
            // Nothing can be lost between Take and the wait: a wake posted meanwhile runs on this
            // strand only after the wait has begun, and cancels it.
            EventStream::Batch batch = events->Take();
            if (batch.data.empty() && !batch.closed && Clock::now() - last_write >= heartbeat) {
                batch.data = ": ping\n\n";  // a comment: clients ignore it
            }
            if (!batch.data.empty()) {
                lowest.expires_after(config.write_timeout);
                auto [ec, n] = co_await asio::async_write(stream, asio::buffer(batch.data), kTuple);
                // The client went away, or stopped reading for write_timeout.
                if (ec) co_return;
                last_write = Clock::now();
                continue;
            }
            if (batch.closed) {
                finished = true;
                break;
            }
            waker->timer.expires_at(last_write + heartbeat);
            co_await waker->timer.async_wait(kTuple);
        }
    }
    if (finished) co_await GracefulClose(stream, connection);
}

template <typename Stream>
asio::awaitable<void> Server::Impl::RejectAndClose(Stream& stream, Connection& connection, Response response, bool tls,
                                                   const std::string& reason) {
    metrics.Rejected(reason);
    spdlog::debug("http: rejected a {} request: {}", tls ? "TLS" : "plain", reason);
    bool ok = false;
    connection.ClearDeadline();  // from here the stream's own timer bounds the connection
    beast::get_lowest_layer(stream).expires_after(config.write_timeout);
    co_await WriteResponse(stream, std::move(response), 11, false, false, tls, &ok);
    if (ok) co_await GracefulClose(stream, connection);
}

template <typename Stream>
asio::awaitable<void> Server::Impl::GracefulClose(Stream& stream, Connection& connection) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    // Stop may cut this short: the response is already on its way.
    connection.idle = true;
    connection.ClearDeadline();  // from here the stream's own timer bounds the connection
    lowest.expires_after(stopping ? kStoppingLingerTime
                                  : std::min<std::chrono::milliseconds>(config.read_timeout, kLingerTime));
    if constexpr (std::is_same_v<Stream, SslStream>) {
        co_await stream.async_shutdown(kTuple);
    } else {
        error_code ec;
        lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
        std::array<char, 4096> sink;
        if (stopping) {
            // Drop what has already arrived (closing on unread data would reset the connection)
            // but wait for no more.
            while (!ec && lowest.socket().available(ec) > 0) lowest.socket().read_some(asio::buffer(sink), ec);
        } else {
            std::size_t total = 0;
            while (!ec && total < kLingerBytes) {
                auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
                ec = read_ec;
                total += n;
            }
        }
    }
    lowest.close();
}

bool Server::Impl::Builtin(const Listener& listener, const Request& request, Response* response,
                           std::string* route) const {
    const bool ops_here = listener.admin || config.admin_listen.empty();
    if (request.path == "/healthz" || request.path == "/metrics") {
        if (!ops_here) {
            *response = Response::Error(404, "not_found", "no such resource");
            *route = "unmatched";
            return true;
        }
        *route = request.path;
        if (request.method != "GET" && request.method != "HEAD") {
            *response = Response::Error(405, "method_not_allowed", "method not allowed");
            response->headers.Set("Allow", "GET, HEAD");
        } else if (request.path == "/healthz") {
            const std::string problem = config.health ? config.health() : std::string();
            *response = problem.empty() ? Response::Text(200, "ok") : Response::Text(503, problem);
        } else {
            *response = Response::Text(200, metrics.Render());
            response->headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        }
        return true;
    }
    if (listener.admin) {
        *response = Response::Error(404, "not_found", "no such resource");
        *route = "unmatched";
        return true;
    }
    return false;
}

template <typename Fn>
HandlerResult Server::Impl::Guarded(Request& request, Fn&& fn) const {
    HandlerResult result;
    try {
        result.response = fn();
        result.route = request.route.empty() ? "unmatched" : request.route;
        return result;
    } catch (const LifelineError& e) {
        result.response = ErrorResponse(e);
        if (result.response.status >= 500) {
            spdlog::error("http: handler for {} {} failed: {}: {}", request.method, request.route,
                          ErrorCodeName(e.code()), e.what());
        } else {
            spdlog::debug("http: handler for {} {} refused: {}", request.method, request.route,
                          ErrorCodeName(e.code()));
        }
    } catch (const std::exception& e) {
        spdlog::error("http: handler for {} {} threw: {}", request.method, request.route, e.what());
        result.response = Response::Error(500, "internal", "internal error");
    } catch (...) {
        spdlog::error("http: handler for {} {} threw a non-exception", request.method, request.route);
        result.response = Response::Error(500, "internal", "internal error");
    }
    result.route = request.route.empty() ? "unmatched" : request.route;
    return result;
}

HandlerResult Server::Impl::RunHandler(const Router::Route& route, Request& request) const {
    return Guarded(request, [&] { return Router::Run(route, request); });
}

asio::awaitable<HandlerResult> Server::Impl::RunAsync(const Router::Route& route, Request& request) {
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(HandlerResult)>(
        [this, &route, &request](auto handler) {
            // The strand of this connection's coroutine: the answer resumes it there.
            auto strand = asio::get_associated_executor(handler);
            auto resume = std::make_shared<decltype(handler)>(std::move(handler));
            async_in_flight.fetch_add(1);
            Responder responder([this, strand, resume, &request](std::function<Response()> make) {
                auto answer = [this, resume, &request, make = std::move(make)]() mutable {
                    HandlerResult result = Guarded(request, make);
                    std::move(*resume)(std::move(result));
                    // Only Stop waits for the count to reach zero, and it sets `stopping` before
                    // it looks: under load the count touches zero at every store batch, and a
                    // notify then woke the thread in RunUntilSignal (some 400 times a second,
                    // each preempting this I/O thread) for nothing.
                    if (async_in_flight.fetch_sub(1) == 1 && stopping.load()) {
                        // Under the mutex, so that Stop cannot miss it between its check and wait.
                        std::lock_guard lock(mutex);
                        cv.notify_all();
                    }
                };
                // Answered at once, on this I/O thread: straight to the connection's strand.
                if (ioc.get_executor().running_in_this_thread()) return asio::post(strand, std::move(answer));
                HandOver(strand, std::move(answer));
            });
            const auto run = [&route, &request](Responder responder) {
                const Responder keep = responder;
                try {
                    Router::RunAsync(route, request, std::move(responder));
                } catch (...) {
                    // Answered with what it threw, mapped like a blocking handler's failure (if
                    // it answered before throwing, that answer stands).
                    keep.Render(
                        [failure = std::current_exception()]() -> Response { std::rethrow_exception(failure); });
                }
            };
            // A large body (photos to parse, check and seal) would hold up every connection of
            // this I/O thread: such a handler starts on the worker pool. The request stays in the
            // suspended coroutine's frame until the answer resumes it.
            if (request.body.size() > config.inline_body_limit) {
                return asio::post(pool->get_executor(),
                                  [run, responder = std::move(responder)]() mutable { run(std::move(responder)); });
            }
            run(std::move(responder));
        },
        asio::use_awaitable);
}

void Server::Impl::HandOver(asio::any_io_executor strand, std::function<void()> answer) {
    bool first = false;
    {
        std::lock_guard lock(answers_mutex);
        first = answers.empty();
        answers.emplace_back(std::move(strand), std::move(answer));
    }
    if (!first) return;
    try {
        asio::post(ioc, [this] { DeliverAnswers(); });
    } catch (...) {
        // Out of memory: the answers could never reach their connections, and Stop would wait
        // for them for ever. Stop here; every answered write is durable, a restart serves again.
        std::abort();
    }
}

void Server::Impl::DeliverAnswers() {
    std::vector<Answer> batch;
    {
        std::lock_guard lock(answers_mutex);
        batch.swap(answers);
    }
    // On an I/O thread: a connection's strand that is free runs its answer right here (it
    // renders the page and starts the write), a busy one takes it in turn.
    try {
        for (auto& [strand, answer] : batch) asio::dispatch(strand, std::move(answer));
    } catch (...) {
        std::abort();  // as in HandOver: an answer lost here would hang Stop
    }
}

asio::awaitable<void> Server::Impl::SweepLoop() {
    asio::steady_timer timer(ioc);
    for (;;) {
        timer.expires_after(sweep_period);
        auto [ec] = co_await timer.async_wait(kTuple);
        if (ec) co_return;
        try {
            SweepDeadlines();
        } catch (const std::exception& e) {
            // Out of memory: the overdue connections are closed on a later sweep.
            spdlog::warn("http: deadline sweep failed: {}", e.what());
        }
    }
}

void Server::Impl::SweepDeadlines() {
    const std::int64_t now = NowNs();
    std::vector<std::shared_ptr<Connection>> overdue;
    {
        std::lock_guard lock(mutex);
        for (const auto& [id, connection] : connections)
            if (connection->deadline.load(std::memory_order_relaxed) <= now) overdue.push_back(connection);
    }
    for (auto& connection : overdue) {
        asio::dispatch(connection->strand, [connection] {
            // On the strand the coroutine may have moved on (a new deadline, a handler): look again.
            if (connection->stream == nullptr || connection->deadline.load(std::memory_order_relaxed) > NowNs())
                return;
            connection->timed_out = true;
            connection->ClearDeadline();
            connection->stream->close();  // the pending read or write fails; the coroutine ends
        });
    }
}

void Server::Impl::CloseConnections(bool idle_only) {
    std::vector<std::shared_ptr<Connection>> live;
    {
        std::lock_guard lock(mutex);
        for (const auto& [id, connection] : connections) live.push_back(connection);
    }
    for (auto& connection : live) {
        asio::dispatch(connection->strand, [connection, idle_only] {
            // An event stream ends now: what is queued is written, then the connection closes.
            if (connection->events) connection->events->Close();
            if (connection->stream != nullptr && (connection->idle || !idle_only)) connection->stream->close();
        });
    }
}

Server::Server(ServerConfig config, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(config), router, metrics)) {}

Server::~Server() { Stop(); }

void Server::Start() {
    Impl& impl = *impl_;
    std::lock_guard lifecycle(impl.lifecycle_mutex);
    if (impl.state != Impl::State::kNew) return;
    const ServerConfig& config = impl.config;
    try {
        if (config.tls) {
            auto& ctx = impl.ssl.emplace(asio::ssl::context::tls_server);
            ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use |
                            asio::ssl::context::no_compression);
            SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
            SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
            error_code ec;
            ctx.use_certificate_chain_file(config.tls->certificate_chain_file, ec);
            if (ec) {
                throw LifelineError(ErrorCode::kInvalidArgument,
                                    fmt::format("cannot load TLS certificate chain {}: {}",
                                                config.tls->certificate_chain_file, ec.message()));
            }
            ctx.use_private_key_file(config.tls->private_key_file, asio::ssl::context::pem, ec);
            if (ec) {
                throw LifelineError(ErrorCode::kInvalidArgument,
                                    fmt::format("cannot load TLS private key {}: {}", config.tls->private_key_file,
                                                ec.message()));
            }
        }
        impl.main = impl.Bind(config.listen, false, config.tls.has_value());
        if (!config.admin_listen.empty()) impl.admin = impl.Bind(config.admin_listen, true, false);
    } catch (...) {
        if (impl.main) impl.main->acceptor.reset();
        if (impl.admin) impl.admin->acceptor.reset();
        throw;
    }
    impl.main_port = impl.main->acceptor->local_endpoint().port();
    if (impl.admin) impl.admin_port = impl.admin->acceptor->local_endpoint().port();

    impl.pool = std::make_unique<asio::thread_pool>(std::max(1u, config.worker_threads));
    impl.work.emplace(asio::make_work_guard(impl.ioc));
    // Runs until the io_context stops (its frame goes with it): deadlines hold while Stop drains.
    asio::co_spawn(impl.ioc, impl.SweepLoop(), asio::detached);
    for (Impl::Listener* listener : {impl.main.get(), impl.admin.get()}) {
        if (listener == nullptr) continue;
        asio::co_spawn(listener->acceptor->get_executor(), impl.AcceptLoop(*listener), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("http: accept loop failed: {}", ex.what());
            } catch (...) {
                spdlog::error("http: accept loop failed");
            }
        });
    }
    // By default half the cores: the store's writer, syncer and checkpointer, the worker pool and
    // on a shared machine the clients need the rest. On two cores that is one thread, with no
    // strands (measured: about a tenth more applications per second than two threads with strands).
    unsigned io_threads = config.io_threads != 0 ? config.io_threads : std::thread::hardware_concurrency() / 2;
    io_threads = std::max(1u, io_threads);
    impl.single_io_thread = io_threads == 1;
    for (unsigned i = 0; i < io_threads; ++i) {
        impl.threads.emplace_back([&impl] {
            pthread_setname_np(pthread_self(), "ll-http-io");  // handlers run on the pool's threads
            for (;;) {
                try {
                    impl.ioc.run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("http: I/O thread caught: {}", e.what());
                }
            }
        });
    }
    impl.state = Impl::State::kRunning;
    spdlog::info("http: listening on port {}{}{}", impl.main_port, config.tls ? " (TLS)" : "",
                 impl.admin ? fmt::format(", admin on port {}", impl.admin_port) : std::string());
}

std::uint16_t Server::port() const { return impl_->main_port; }

std::uint16_t Server::admin_port() const { return impl_->admin_port; }

void Server::Stop() {
    Impl& impl = *impl_;
    std::lock_guard lifecycle(impl.lifecycle_mutex);
    if (impl.state != Impl::State::kRunning) {
        impl.state = Impl::State::kStopped;
        return;
    }
    impl.stopping = true;

    // 1. No new connections.
    for (Impl::Listener* listener : {impl.main.get(), impl.admin.get()}) {
        if (listener == nullptr) continue;
        std::promise<void> closed;
        asio::post(listener->acceptor->get_executor(), [&] {
            error_code ec;
            listener->acceptor->close(ec);
            closed.set_value();
        });
        closed.get_future().wait();
    }
    // 2. Idle connections go now, event streams end (after writing what is queued); busy ones
    //    close after their current response.
    impl.CloseConnections(true);
    // 3. Wait for in-flight requests, then cut off whatever is left.
    {
        std::unique_lock lock(impl.mutex);
        if (!impl.cv.wait_for(lock, impl.config.drain_timeout, [&] { return impl.connections.empty(); })) {
            spdlog::warn("http: {} connections still busy after the drain timeout; closing them",
                         impl.connections.size());
            lock.unlock();
            impl.CloseConnections(false);
            lock.lock();
            impl.cv.wait_for(lock, kCloseGrace, [&] { return impl.connections.empty(); });
        }
    }
    // 4. Stop the threads. A handler still running holds up the pool's join: it cannot be killed.
    //    Asynchronous handlers are answered through the io_context, so it runs until the last
    //    of them has been (they wait for the store, which answers every write it queued).
    {
        std::unique_lock lock(impl.mutex);
        impl.cv.wait(lock, [&] { return impl.async_in_flight.load() == 0; });
    }
    impl.work.reset();
    impl.ioc.stop();
    for (std::thread& t : impl.threads) t.join();
    impl.threads.clear();
    {
        // Streams of connections that outlived the close grace: their frames go with the
        // io_context; until then producers must see them closed and must not post to it.
        std::lock_guard lock(impl.mutex);
        for (const auto& [id, connection] : impl.connections) {
            if (connection->events) connection->events->Detach();
        }
    }
    impl.pool->join();
    for (Impl::Listener* listener : {impl.main.get(), impl.admin.get()}) {
        if (listener != nullptr) listener->acceptor.reset();
    }
    impl.state = Impl::State::kStopped;
    {
        std::lock_guard lock(impl.mutex);
        impl.stopped = true;
    }
    impl.cv.notify_all();
    spdlog::info("http: stopped");
}

void Server::RunUntilSignal() {
    Impl& impl = *impl_;
    {
        std::unique_lock lifecycle(impl.lifecycle_mutex);
        if (impl.state == Impl::State::kNew) {
            lifecycle.unlock();
            Start();
        } else if (impl.state == Impl::State::kStopped) {
            return;
        }
    }
    CatchSignals();
    {
        std::unique_lock lock(impl.mutex);
        impl.cv.wait(lock, [&] { return impl.signalled || impl.stopped; });
    }
    Stop();
}

void Server::CatchSignals() {
    Impl& impl = *impl_;
    std::lock_guard lifecycle(impl.lifecycle_mutex);
    if (impl.signals) return;
    impl.signals.emplace(impl.ioc, SIGINT, SIGTERM);
    impl.signals->async_wait([&impl](const error_code& ec, int signal_number) {
        if (ec) return;
        spdlog::info("http: signal {} received, stopping", signal_number);
        std::lock_guard lock(impl.mutex);
        impl.signalled = true;
        impl.cv.notify_all();
    });
}

}  // namespace lifeline::http
