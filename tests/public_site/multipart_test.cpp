// The multipart/form-data parser: well-formed bodies and every way a body can be wrong.

#include "public_site/multipart.hpp"

#include <gtest/gtest.h>

namespace lifeline::public_site {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----b0undary";

std::string Body(std::initializer_list<std::string> parts) {
    std::string body;
    for (const auto& p : parts) body += "------b0undary\r\n" + p + "\r\n";
    body += "------b0undary--\r\n";
    return body;
}

TEST(Multipart, BoundaryFromContentType) {
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(MultipartBoundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b'c\""), "a b'c");
    EXPECT_EQ(MultipartBoundary("multipart/form-data"), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary="), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"\""), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"ends with space \""), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"bad<char\""), std::nullopt);
    EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=abc"), std::nullopt);
    EXPECT_EQ(MultipartBoundary("application/x-www-form-urlencoded"), std::nullopt);
}

TEST(Multipart, ParsesFieldsAndFiles) {
    const std::string jpeg = std::string("\xFF\xD8\xFF\r\n--not-the-boundary\r\n") + std::string(1, '\0') + "bytes";
    const std::string body = Body({
        "Content-Disposition: form-data; name=\"unit\"\r\n\r\nв/ч 12345",
        "content-disposition: form-data; name=\"free_text\"\r\n\r\nline 1\r\nline 2",
        "Content-Disposition: form-data; name=\"photo\"; filename=\"a \\\"b\\\".jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n" + jpeg,
        "Content-Disposition: form-data; name=\"photo\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n",
        "Content-Disposition: form-data; name=\"empty\"\r\n\r\n",
    });
    const auto form = ParseMultipart(kType, body);
    ASSERT_TRUE(form.ok()) << form.error().message;
    EXPECT_EQ(form->fields.at("unit"), "в/ч 12345");
    EXPECT_EQ(form->fields.at("free_text"), "line 1\r\nline 2");
    EXPECT_EQ(form->fields.at("empty"), "");
    ASSERT_EQ(form->files.size(), 1u);  // the empty file input is skipped
    EXPECT_EQ(form->files[0].field, "photo");
    EXPECT_EQ(form->files[0].filename, "a \"b\".jpg");
    EXPECT_EQ(form->files[0].content_type, "image/jpeg");
    EXPECT_EQ(form->files[0].data, jpeg);
}

TEST(Multipart, PreambleEpilogueAndPaddingAreTolerated) {
    const std::string body =
        "preamble text\r\n------b0undary  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        "------b0undary--\r\nepilogue";
    const auto form = ParseMultipart(kType, body);
    ASSERT_TRUE(form.ok()) << form.error().message;
    EXPECT_EQ(form->fields.at("a"), "1");
}

TEST(Multipart, MissingBoundaryIsAnError) {
    const std::string body = Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n1"});
    EXPECT_FALSE(ParseMultipart("multipart/form-data", body).ok());
    EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=other", body).ok());
    EXPECT_FALSE(ParseMultipart(kType, "").ok());
    EXPECT_FALSE(ParseMultipart(kType, "no delimiter at all").ok());
}

TEST(Multipart, TruncatedBodiesAreErrors) {
    const std::string body = Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
                                   "Content-Disposition: form-data; name=\"b\"\r\n\r\nother"});
    // Every prefix short of the closing delimiter is rejected, and none crashes.
    const std::size_t close = body.rfind("------b0undary--");
    for (std::size_t n = 0; n < close + 16; ++n) {
        EXPECT_FALSE(ParseMultipart(kType, body.substr(0, n)).ok()) << n;
    }
    EXPECT_TRUE(ParseMultipart(kType, body).ok());
}

TEST(Multipart, TooManyParts) {
    std::string body;
    for (int i = 0; i < 41; ++i) {
        body += "------b0undary\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nx\r\n";
    }
    body += "------b0undary--\r\n";
    const auto result = ParseMultipart(kType, body);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "too many parts");
    MultipartLimits roomy;
    roomy.max_parts = 41;
    EXPECT_TRUE(ParseMultipart(kType, body, roomy).ok());
}

TEST(Multipart, HugeHeaderBlock) {
    const std::string body = Body({"Content-Disposition: form-data; name=\"a\"\r\nX-Padding: " +
                                   std::string(10'000, 'p') + "\r\n\r\nvalue"});
    const auto result = ParseMultipart(kType, body);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "part headers too large");
    // Without the blank line at all.
    const std::string endless = "------b0undary\r\nX: " + std::string(100'000, 'h');
    EXPECT_FALSE(ParseMultipart(kType, endless).ok());
}

TEST(Multipart, ALongerFieldIsCutAtTheLimitOnACharacterBoundary) {
    MultipartLimits limits;
    limits.max_field_bytes = 10;
    auto r = ParseMultipart(kType, Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n0123456789"}), limits);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->fields.at("a"), "0123456789");
    r = ParseMultipart(kType,
                       Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n0123456789X",
                             "Content-Disposition: form-data; name=\"b\"\r\n\r\nkept"}),
                       limits);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->fields.at("a"), "0123456789");
    EXPECT_EQ(r->fields.at("b"), "kept");
    // "012345678" and then a two-byte letter across the limit: cut before the letter.
    r = ParseMultipart(kType, Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n012345678\xD0\x96"}), limits);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->fields.at("a"), "012345678");
}

TEST(Multipart, MalformedPartHeaders) {
    const std::vector<std::string> bad = {
        "\r\nno headers at all",
        "Content-Type: text/plain\r\n\r\nno disposition",
        "Content-Disposition: attachment; name=\"a\"\r\n\r\nx",
        "Content-Disposition: form-data\r\n\r\nno name",
        "Content-Disposition: form-data; name=\"\"\r\n\r\nempty name",
        "Content-Disposition: form-data; name=\"a\r\n\r\nunterminated quote",
        "Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nrepeated name",
        "Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx",
        "Content-Disposition: form-data; name=\"a\"\r\n folded\r\n\r\nx",
        "Content-Disposition form-data; name=\"a\"\r\n\r\nno colon",
        "Content-Disposition: form-data; name=\"a\"\r\nBad Header: x\r\n\r\nspace in name",
    };
    for (const auto& part : bad) EXPECT_FALSE(ParseMultipart(kType, Body({part})).ok()) << part;
    // Junk after a delimiter instead of CRLF.
    EXPECT_FALSE(ParseMultipart(kType, "------b0undaryXYZ\r\n\r\n").ok());
}

TEST(Multipart, ArbitraryBytesNeverCrash) {
    // A deterministic pseudo-random walk over bodies built from the interesting tokens.
    const std::vector<std::string> pieces = {"------b0undary", "\r\n", "--", "Content-Disposition: form-data; ",
                                             "name=\"a\"", "filename=\"x\"", "\"", ";", "\r\n\r\n", "\xFF\xD8",
                                             "", " ", "\\", "=", "------b0undary--"};
    std::uint32_t seed = 12345;
    for (int round = 0; round < 3000; ++round) {
        std::string body;
        const int n = static_cast<int>(seed % 12);
        for (int k = 0; k < n; ++k) {
            seed = seed * 1103515245 + 12345;
            body += pieces[(seed >> 16) % pieces.size()];
        }
        seed = seed * 1103515245 + 12345;
        (void)ParseMultipart(kType, body);
    }
    SUCCEED();
}

}  // namespace
}  // namespace lifeline::public_site
