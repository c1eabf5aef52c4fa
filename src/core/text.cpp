#include "core/text.hpp"

#include <array>
#include <cstdint>

namespace lifeline {

std::size_t detail::Utf8LongSequenceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (s.size() - i < n) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

void AppendJsonString(std::string& out, std::string_view text, bool inert_html) {
    static constexpr char kHex[] = "0123456789abcdef";
    // 0: copied as it is; 1: escaped; 2: escaped when inert_html; 3: a UTF-8 lead byte.
    static constexpr std::array<std::uint8_t, 256> kClass = [] {
        std::array<std::uint8_t, 256> t{};
        for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 1;
        t['"'] = t['\\'] = 1;
        t['<'] = t['>'] = t['&'] = t[0x7F] = 2;
        for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = 3;
        return t;
    }();
    out.push_back('"');
    std::size_t from = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::uint8_t cls = kClass[c];
        if (cls == 0 || (cls == 2 && !inert_html)) {
            ++i;
            continue;
        }
        if (cls == 3) {
            if (const std::size_t n = Utf8SequenceLength(text, i); n != 0) {
                i += n;
                continue;
            }
            out.append(text.substr(from, i - from));
            out += "\\ufffd";
            from = ++i;
            continue;
        }
        out.append(text.substr(from, i - from));
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
        }
        from = ++i;
    }
    out.append(text.substr(from));
    out.push_back('"');
}

}  // namespace lifeline
