#pragma once
/// UTF-8 and JSON text helpers shared by the HTTP layer and the public site.

#include <cstddef>
#include <string>
#include <string_view>

namespace lifeline {

namespace detail {
/// Utf8SequenceLength for lead bytes of three- and four-byte sequences (and invalid ones).
std::size_t Utf8LongSequenceLength(std::string_view s, std::size_t i);
}  // namespace detail

/// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is not one:
/// overlong forms, surrogates, code points beyond U+10FFFF and cut-off sequences are invalid.
/// Inline for ASCII and two-byte sequences (Cyrillic), which is most of what is checked.
inline std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {  // two bytes: never overlong, never a surrogate
        return i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80 ? 2 : 0;
    }
    return detail::Utf8LongSequenceLength(s, i);
}

/// Appends `text` as a JSON string literal, quotes included. Quotes, backslashes and control
/// characters are escaped; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
/// With `inert_html`, < > & and DEL are escaped too, so the text is inert wherever it ends up.
void AppendJsonString(std::string& out, std::string_view text, bool inert_html = false);

}  // namespace lifeline
