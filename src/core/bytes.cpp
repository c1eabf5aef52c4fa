#include "core/bytes.hpp"

#include <array>

namespace lifeline {
namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The value of each base64url character, or -1.
constexpr std::array<std::int8_t, 256> kB64Values = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kB64[i])] = static_cast<std::int8_t>(i);
    return t;
}();
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
    Bytes out(s.size() * 3 / 4);
    std::uint8_t* w = out.data();
    std::uint32_t acc = 0;
    int bits = 0;
    int bad = 0;  // any character's -1, checked once at the end
    for (const char c : s) {
        const int v = kB64Values[static_cast<unsigned char>(c)];
        bad |= v;
        acc = acc << 6 | static_cast<std::uint32_t>(v & 0x3F);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *w++ = static_cast<std::uint8_t>(acc >> bits & 0xff);
        }
    }
    if (bad < 0) return std::nullopt;
    return out;
}

}  // namespace lifeline
