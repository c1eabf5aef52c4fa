#pragma once
/// The HTTP/1.1 server: Boost.Beast on Asio C++20 coroutines, one io_context run by a thread per
/// core, handlers on a separate worker pool (they may block on the store). Limits everywhere.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/metrics.hpp"
#include "http/router.hpp"

namespace lifeline::http {

struct TlsConfig {
    std::string certificate_chain_file;  ///< PEM
    std::string private_key_file;        ///< PEM
};

struct ServerConfig {
    /// Main listener "ADDR:PORT"; port 0 picks a free port (tests).
    std::string listen = "127.0.0.1:8080";
    /// Optional separate listener serving only /metrics and /healthz; empty = main listener serves them.
    std::string admin_listen;
    /// I/O threads; 0 = half the cores, at least one.
    unsigned io_threads = 0;
    /// Worker threads running handlers (and so the most concurrent store writes per batch).
    unsigned worker_threads = 64;
    /// Largest request header block, bytes (431 beyond).
    std::uint32_t header_limit = 8 * 1024;
    /// Largest request body, bytes (413 beyond): room for a form with three 5 MiB photos.
    std::uint64_t body_limit = 16 * 1024 * 1024;
    /// An asynchronous route's handler starts on the worker pool instead of the I/O thread when
    /// the request body is larger than this: parsing and checking a large body (a form with
    /// photos) would hold up every other connection of that I/O thread.
    std::uint64_t inline_body_limit = 64 * 1024;
    /// Time to receive a request's header once its first byte arrived, and the longest a body
    /// may stall without a byte (slow clients are cut off).
    std::chrono::milliseconds read_timeout{10'000};
    /// Time to receive a whole body once the header is in: a form with photos from a slow phone
    /// over Tor may take minutes, as long as it keeps coming.
    std::chrono::milliseconds body_timeout{300'000};
    /// Keep-alive idle time between requests.
    std::chrono::milliseconds idle_timeout{30'000};
    /// Time to write a response.
    std::chrono::milliseconds write_timeout{10'000};
    // The four are enforced by one sweeping timer for all connections, every quarter of the
    // shortest of them (at most 250 ms): a connection closes up to that much after its deadline.
    /// Most open connections per listener; beyond it new ones get 503 (Retry-After) and are closed.
    unsigned max_connections = 1024;
    /// How long SIGTERM waits for in-flight requests before closing anyway.
    std::chrono::milliseconds drain_timeout{10'000};
    /// Server-sent event streams get a ": ping" comment after this long without a write, so
    /// proxies keep the connection and a client that went away is noticed (the write fails).
    std::chrono::milliseconds sse_heartbeat{15'000};
    /// TLS on the main listener when set (adds HSTS).
    std::optional<TlsConfig> tls;
    /// What /healthz checks besides the server answering: empty when healthy, else a short
    /// reason without personal data (then /healthz answers 503 with it). Called per request to
    /// /healthz from an I/O thread, so it must be quick and must not block.
    std::function<std::string()> health;
};

/// The client as rate limits count it, from its IP address: an IPv4 address as it is (an
/// IPv4-mapped IPv6 one too), an IPv6 address as its /64 network ("2001:db8:1:2::/64"), since
/// one home or phone is given a whole /64 and may pick any address in it. Not an address: as given.
std::string ClientKey(const std::string& address);

class Server {
public:
    /// The router and metrics must outlive the server.
    Server(ServerConfig config, const Router& router, Metrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds the listeners (throws LifelineError with the address on failure) and starts serving
    /// on background threads.
    void Start();
    /// The bound port of the main / admin listener (after Start).
    std::uint16_t port() const;
    std::uint16_t admin_port() const;
    /// Stops accepting, lets in-flight requests finish (up to drain_timeout), closes idle
    /// connections and event streams, joins the threads. Idempotent. Must not be called from a handler (it waits
    /// for the handlers to finish).
    void Stop();
    /// From now on SIGTERM and SIGINT are caught (RunUntilSignal then returns at once if one came
    /// meanwhile). Call it before telling anyone the server runs: a signal sent as soon as they
    /// know must not find the default action (death) still in place. Idempotent.
    void CatchSignals();
    /// Blocks until SIGTERM or SIGINT (caught since CatchSignals, which it calls), then Stop()s.
    void RunUntilSignal();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lifeline::http
