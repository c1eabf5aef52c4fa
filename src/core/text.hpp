#pragma once
/// UTF-8 and JSON text helpers shared by the HTTP layer, the public site and intake.

#include <cstddef>
#include <string>
#include <string_view>

namespace lifeline {

/// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is not one:
/// overlong forms, surrogates, code points beyond U+10FFFF and cut-off sequences are invalid.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

/// Appends `text` as a JSON string literal, quotes included. Quotes, backslashes and control
/// characters are escaped; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
/// With `inert_html`, < > & and DEL are escaped too, so the text is inert wherever it ends up.
void AppendJsonString(std::string& out, std::string_view text, bool inert_html = false);

}  // namespace lifeline
