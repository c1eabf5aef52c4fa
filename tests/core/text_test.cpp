#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lifeline {
namespace {

std::string Json(std::string_view text, bool inert_html = false) {
    std::string out;
    AppendJsonString(out, text, inert_html);
    return out;
}

TEST(Utf8SequenceLength, AcceptsOnlyWellFormedSequences) {
    EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
    EXPECT_EQ(Utf8SequenceLength("Я", 0), 2u);
    EXPECT_EQ(Utf8SequenceLength("€", 0), 3u);
    EXPECT_EQ(Utf8SequenceLength("😀", 0), 4u);
    EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // overlong
    EXPECT_EQ(Utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
    EXPECT_EQ(Utf8SequenceLength("\xE0\x80\xAF", 0), 0u);      // overlong
    EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate
    EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // beyond U+10FFFF
    EXPECT_EQ(Utf8SequenceLength("\xD0", 0), 0u);              // cut off
    EXPECT_EQ(Utf8SequenceLength("\xD0" "A", 0), 0u);          // no continuation byte
    EXPECT_EQ(Utf8SequenceLength("\xE2\x82", 0), 0u);          // cut off
    EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // a lone continuation byte
}

TEST(AppendJsonString, EscapesWhatJsonNeedsAndKeepsTheRest) {
    EXPECT_EQ(Json("plain текст"), "\"plain текст\"");
    EXPECT_EQ(Json("q\"b\\n\nr\rt\tb\bf\f"), R"("q\"b\\n\nr\rt\tb\bf\f")");
    EXPECT_EQ(Json(std::string("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
    EXPECT_EQ(Json("<a>&\x7f"), "\"<a>&\x7f\"");
    EXPECT_EQ(Json("<a>&\x7f", true), R"("\u003ca\u003e\u0026\u007f")");
    // Invalid UTF-8 becomes U+FFFD, one per bad byte; what follows is kept.
    EXPECT_EQ(Json("a\xC0\xAF" "b"), "\"a\\ufffd\\ufffdb\"");
    EXPECT_EQ(Json("Я\xD0"), "\"Я\\ufffd\"");
    std::string appended = "x";
    AppendJsonString(appended, "y");
    EXPECT_EQ(appended, "x\"y\"");
}

}  // namespace
}  // namespace lifeline
