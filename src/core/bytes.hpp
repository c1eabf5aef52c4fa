#pragma once
// Byte strings and their hex/base64 forms.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lifeline {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView AsBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

/// A hex digit's value (either case), or 0x100 for any other byte: a pair of them holds a bad
/// digit exactly when (hi << 4 | lo) > 0xFF, one compare for both.
inline constexpr std::array<std::uint16_t, 256> kHexDigitValues = [] {
    std::array<std::uint16_t, 256> t{};
    for (auto& v : t) v = 0x100;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint16_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint16_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint16_t>(c - 'A' + 10);
    return t;
}();

/// The big-endian 32-bit number in b[at..at+4) (the caller checks the bounds).
inline std::uint32_t ReadBigEndian32(ByteView b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 |
           std::uint32_t{b[at + 3]};
}

std::string ToHex(ByteView b);
std::optional<Bytes> FromHex(std::string_view hex);
/// URL-safe base64 without padding (for tokens in cookies and headers).
std::string ToBase64Url(ByteView b);
std::optional<Bytes> FromBase64Url(std::string_view s);

}  // namespace lifeline
