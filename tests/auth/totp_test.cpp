#include "auth/totp.hpp"

#include <gtest/gtest.h>

namespace lifeline::auth {
namespace {

// RFC 6238 appendix B, SHA-1 rows: secret "12345678901234567890", 8-digit codes; we use the last 6.
TEST(Totp, Rfc6238Vectors) {
    const Bytes secret = ToBytes("12345678901234567890");
    EXPECT_EQ(TotpCode(secret, FromUnixMillis(59'000)), "287082");
    EXPECT_EQ(TotpCode(secret, FromUnixMillis(1'111'111'109'000)), "081804");
    EXPECT_EQ(TotpCode(secret, FromUnixMillis(1'234'567'890'000)), "005924");
    EXPECT_EQ(TotpCode(secret, FromUnixMillis(2'000'000'000'000)), "279037");
}

TEST(Totp, VerifyAcceptsOneStepOfDriftOnly) {
    const Bytes secret = ToBytes("12345678901234567890");
    const auto t = FromUnixMillis(1'234'567'890'000);
    const auto code = TotpCode(secret, t);
    EXPECT_EQ(VerifyTotp(secret, code, t), 1'234'567'890 / 30);
    EXPECT_TRUE(VerifyTotp(secret, code, t + std::chrono::seconds(30)));
    EXPECT_FALSE(VerifyTotp(secret, code, t + std::chrono::seconds(95)));
    EXPECT_FALSE(VerifyTotp(secret, "", t));
    EXPECT_FALSE(VerifyTotp(secret, "1234567", t));
    EXPECT_FALSE(VerifyTotp(secret, "abcdef", t));
}

TEST(Totp, Base32AndUri) {
    const Bytes secret = ToBytes("12345678901234567890");
    EXPECT_EQ(Base32Encode(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    EXPECT_EQ(Base32Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), secret);
    EXPECT_FALSE(Base32Decode("not base32!"));
    auto uri = OtpAuthUri("lifeline", "olena k", secret);
    EXPECT_EQ(uri.rfind("otpauth://totp/lifeline:olena%20k?secret=GEZDGNBV", 0), 0u) << uri;
}

TEST(Totp, QrCodeIsAnSvgWithModules) {
    auto svg = QrSvg("otpauth://totp/lifeline:a?secret=ABC");
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("h1v1h-1z"), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace lifeline::auth
