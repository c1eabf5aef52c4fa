#include "core/bytes.hpp"

namespace lifeline {
namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int B64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}
}  // namespace

std::string ToHex(ByteView b) {
    std::string out;
    out.reserve(b.size() * 2);
    for (auto v : b) {
        out.push_back(kHex[v >> 4]);
        out.push_back(kHex[v & 15]);
    }
    return out;
}

std::optional<Bytes> FromHex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const unsigned byte = static_cast<unsigned>(kHexDigitValues[static_cast<unsigned char>(hex[2 * i])]) << 4 |
                              kHexDigitValues[static_cast<unsigned char>(hex[2 * i + 1])];
        if (byte > 0xFF) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(byte);
    }
    return out;
}

std::string ToBase64Url(ByteView b) {
    std::string out;
    out.reserve((b.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        std::uint32_t v = b[i] << 16 | b[i + 1] << 8 | b[i + 2];
        out += {kB64[v >> 18 & 63], kB64[v >> 12 & 63], kB64[v >> 6 & 63], kB64[v & 63]};
    }
    if (b.size() - i == 1) {
        std::uint32_t v = b[i] << 16;
        out += {kB64[v >> 18 & 63], kB64[v >> 12 & 63]};
    } else if (b.size() - i == 2) {
        std::uint32_t v = b[i] << 16 | b[i + 1] << 8;
        out += {kB64[v >> 18 & 63], kB64[v >> 12 & 63], kB64[v >> 6 & 63]};
    }
    return out;
}

std::optional<Bytes> FromBase64Url(std::string_view s) {
    if (s.size() % 4 == 1) return std::nullopt;
    Bytes out;
    out.reserve(s.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v = B64Value(c);
        if (v < 0) return std::nullopt;
        acc = acc << 6 | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits & 0xff));
        }
    }
    return out;
}

}  // namespace lifeline
