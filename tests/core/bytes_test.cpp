#include "core/bytes.hpp"

#include <gtest/gtest.h>

namespace lifeline {

TEST(Bytes, HexRoundTrip) {
    Bytes b{0x00, 0x01, 0xab, 0xff};
    EXPECT_EQ(ToHex(b), "0001abff");
    EXPECT_EQ(FromHex("0001ABff"), b);
    EXPECT_FALSE(FromHex("abc"));
    EXPECT_FALSE(FromHex("zz"));
}

TEST(Bytes, Base64UrlRoundTripAllLengths) {
    for (std::size_t n = 0; n < 40; ++n) {
        Bytes b(n);
        for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
        auto s = ToBase64Url(b);
        EXPECT_EQ(s.find('='), std::string::npos);
        EXPECT_EQ(FromBase64Url(s), b) << n;
    }
    EXPECT_EQ(ToBase64Url(ToBytes("\xfb\xff")), "-_8");
    EXPECT_FALSE(FromBase64Url("a"));
    EXPECT_FALSE(FromBase64Url("ab+/"));
}

TEST(Bytes, Base64UrlRefusesEveryOtherByteAtAnyPlace) {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int c = 0; c < 256; ++c) {
        const bool valid = alphabet.find(static_cast<char>(c)) != std::string::npos;
        for (std::size_t at = 0; at < 8; ++at) {
            std::string s = "AQIDBAUG";  // 1..6
            s[at] = static_cast<char>(c);
            EXPECT_EQ(FromBase64Url(s).has_value(), valid) << c << " at " << at;
        }
    }
    EXPECT_EQ(FromBase64Url("AQIDBAUG"), (Bytes{1, 2, 3, 4, 5, 6}));
}

}  // namespace lifeline
