#pragma once
// A tiny blocking HTTP/1.1 client over a POSIX socket, for tests that talk to a real server.
// It sends exactly the bytes it is given, so tests can also send malformed requests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lifeline::testing {

struct HttpReply {
    int status = 0;            ///< 0 when the connection closed without a response
    std::string head;          ///< status line and headers
    std::string body;
    std::string Header(const std::string& name) const {
        std::string lower_head;
        for (char c : head) lower_head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        std::string key = "\r\n";
        for (char c : name) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        key += ":";
        auto pos = lower_head.find(key);
        if (pos == std::string::npos) return {};
        pos += key.size();
        auto end = head.find("\r\n", pos);
        auto v = head.substr(pos, end - pos);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        return v;
    }
};

inline int ConnectTo(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads one response (Content-Length framed, or until close) within the timeout.
inline HttpReply ReadReply(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    HttpReply reply;
    std::string data;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t header_end = std::string::npos;
    std::size_t need = std::string::npos;
    for (;;) {
        if (header_end == std::string::npos) {
            header_end = data.find("\r\n\r\n");
            if (header_end != std::string::npos) {
                reply.head = data.substr(0, header_end);
                auto cl = reply.Header("Content-Length");
                need = header_end + 4 + (cl.empty() ? 0 : std::stoul(cl));
                if (reply.head.size() > 12) reply.status = std::stoi(reply.head.substr(9, 3));
            }
        }
        if (need != std::string::npos && data.size() >= need) break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[16384];
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    if (header_end != std::string::npos) reply.body = data.substr(header_end + 4);
    return reply;
}

inline bool SendAll(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

/// One request on a fresh connection.
inline HttpReply Fetch(int port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {}, const std::string& body = "") {
    int fd = ConnectTo(port);
    if (fd < 0) return {};
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "Connection: close\r\n\r\n" + body;
    SendAll(fd, req);
    auto reply = ReadReply(fd);
    ::close(fd);
    return reply;
}

/// Percent-encodes for a URL query or an application/x-www-form-urlencoded body (RFC 3986
/// unreserved characters stay as they are; every other byte, UTF-8 included, becomes %XX).
inline std::string UrlEncode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        }
    }
    return out;
}

/// A form body from its fields, in order.
inline std::string UrlEncodeForm(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [k, v] : fields) {
        if (!body.empty()) body += "&";
        body += UrlEncode(k) + "=" + UrlEncode(v);
    }
    return body;
}

}  // namespace lifeline::testing
