#pragma once
// A raw HTTP/1.1 client over POSIX sockets (optionally OpenSSL) for the server tests: it writes
// exactly the bytes a test gives it and parses responses by hand, so malformed requests can be sent.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lifeline::http::testing {

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    bool Has(const std::string& lower_name) const { return headers.count(lower_name) != 0; }
    std::string Header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class RawClient {
public:
    /// Connects to 127.0.0.1:port; with ssl_ctx, also runs a TLS handshake.
    explicit RawClient(std::uint16_t port, SSL_CTX* ssl_ctx = nullptr) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            fd_ = -1;
            return;
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (ssl_ctx != nullptr) {
            ssl_ = SSL_new(ssl_ctx);
            SSL_set_fd(ssl_, fd_);
            SSL_set_tlsext_host_name(ssl_, "localhost");
            if (SSL_connect(ssl_) != 1) {
                ERR_clear_error();
                Close();
            }
        }
    }
    ~RawClient() { Close(); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return fd_ >= 0; }

    void Close() {
        if (ssl_ != nullptr) {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool Send(std::string_view data) {
        while (!data.empty() && fd_ >= 0) {
            long n = 0;
            if (ssl_ != nullptr) {
                n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
            } else {
                n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            }
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return data.empty();
    }

    /// Reads one response (Content-Length framed); nullopt on close, error or timeout.
    std::optional<RawResponse> Read(bool head = false, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t end = 0;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill(deadline)) return std::nullopt;
        }
        RawResponse response;
        const std::string head_text = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        std::size_t line_end = head_text.find("\r\n");
        const std::string status_line = head_text.substr(0, line_end);
        if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
        response.status = std::stoi(status_line.substr(9, 3));
        while (line_end != std::string::npos) {
            const std::size_t start = line_end + 2;
            line_end = head_text.find("\r\n", start);
            const std::string line = head_text.substr(start, line_end == std::string::npos ? std::string::npos
                                                                                           : line_end - start);
            const std::size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            response.headers[name] = value;
        }
        std::size_t length = 0;
        if (!head && response.Has("content-length")) length = std::stoul(response.Header("content-length"));
        while (buffer_.size() < length) {
            if (!Fill(deadline)) return std::nullopt;
        }
        response.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return response;
    }

    /// Reads raw bytes until "\r\n\r\n" (e.g. a 100 Continue); empty on failure.
    std::string ReadHead(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t end = 0;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill(deadline)) return {};
        }
        std::string head = buffer_.substr(0, end + 4);
        buffer_.erase(0, end + 4);
        return head;
    }

    /// Reads raw bytes until needle arrives and returns them up to and including it (an event
    /// stream's body); empty on close, error or timeout.
    std::string ReadUntil(std::string_view needle, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t end = 0;
        while ((end = buffer_.find(needle)) == std::string::npos) {
            if (!Fill(deadline)) return {};
        }
        std::string text = buffer_.substr(0, end + needle.size());
        buffer_.erase(0, end + needle.size());
        return text;
    }

    /// True when the server closes the connection (EOF or reset) within timeout; what arrives first is read.
    bool WaitClosed(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (Fill(deadline)) {
        }
        return !timed_out_;
    }

    /// Builds a simple request.
    static std::string Get(std::string_view target, std::string_view extra_headers = {}) {
        std::string r = "GET ";
        r += target;
        r += " HTTP/1.1\r\nHost: localhost\r\n";
        r += extra_headers;
        r += "\r\n";
        return r;
    }

    /// Builds a POST with the body and its Content-Length.
    static std::string Post(std::string_view target, std::string_view body) {
        std::string r = "POST ";
        r += target;
        r += " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        r += body;
        return r;
    }

private:
    // Appends what arrives before the deadline; false on EOF, error or timeout (timed_out_ tells).
    bool Fill(std::chrono::steady_clock::time_point deadline) {
        timed_out_ = false;
        if (fd_ < 0) return false;
        char chunk[16384];
        for (;;) {
            if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0) {
                    timed_out_ = true;
                    return false;
                }
                pollfd p{fd_, POLLIN, 0};
                const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
                if (ready == 0) {
                    timed_out_ = true;
                    return false;
                }
                if (ready < 0) return false;
            }
            long n = 0;
            if (ssl_ != nullptr) {
                n = SSL_read(ssl_, chunk, sizeof chunk);
                if (n <= 0) {
                    const int err = SSL_get_error(ssl_, static_cast<int>(n));
                    ERR_clear_error();
                    if (err == SSL_ERROR_WANT_READ) continue;
                    return false;
                }
            } else {
                n = ::recv(fd_, chunk, sizeof chunk, 0);
                if (n <= 0) return false;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
    }

    int fd_ = -1;
    SSL* ssl_ = nullptr;
    std::string buffer_;
    bool timed_out_ = false;
};

}  // namespace lifeline::http::testing
