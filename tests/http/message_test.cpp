#include "http/message.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace lifeline::http {
namespace {

TEST(HeadersTest, LookupIgnoresCase) {
    Headers h;
    h.Add("Content-Type", "text/plain");
    EXPECT_EQ(h.Get("content-type"), "text/plain");
    EXPECT_EQ(h.Get("CONTENT-TYPE"), "text/plain");
    EXPECT_TRUE(h.Has("Content-type"));
    EXPECT_FALSE(h.Get("Content-Length").has_value());
}

TEST(HeadersTest, SetReplacesEveryHeaderOfThatNameAddAppends) {
    Headers h;
    h.Add("Set-Cookie", "a=1");
    h.Add("set-cookie", "b=2");
    h.Add("X-Other", "x");
    ASSERT_EQ(h.all().size(), 3u);
    h.Set("SET-COOKIE", "c=3");
    ASSERT_EQ(h.all().size(), 2u);
    EXPECT_EQ(h.Get("Set-Cookie"), "c=3");
    EXPECT_EQ(h.all()[0].first, "X-Other");  // order of the rest is kept
    h.Add("Set-Cookie", "d=4");
    EXPECT_EQ(h.all().size(), 3u);
    EXPECT_EQ(h.Get("set-cookie"), "c=3");  // first one wins
}

TEST(RequestTest, CookieParsing) {
    Request r;
    r.headers.Add("Cookie", "theme=dark; session=abc123 ;  quoted=\"v w\"; flag; xsession=no");
    r.headers.Add("cookie", "later=1; session=second");
    EXPECT_EQ(r.Cookie("session"), "abc123");
    EXPECT_EQ(r.Cookie("theme"), "dark");
    EXPECT_EQ(r.Cookie("quoted"), "v w");
    EXPECT_EQ(r.Cookie("later"), "1");
    EXPECT_FALSE(r.Cookie("flag").has_value());
    EXPECT_FALSE(r.Cookie("Session").has_value());  // cookie names are case-sensitive
    EXPECT_FALSE(r.Cookie("missing").has_value());
    Request none;
    EXPECT_FALSE(none.Cookie("session").has_value());
}

TEST(RequestTest, QueryParamDecodesAndFirstWins) {
    Request r;
    r.query = "state=new&q=hello+world&path=%2Fa%2Fb&state=closed&bad=%zz&empty=&flag";
    EXPECT_EQ(r.QueryParam("state"), "new");
    EXPECT_EQ(r.QueryParam("q"), "hello world");
    EXPECT_EQ(r.QueryParam("path"), "/a/b");
    EXPECT_EQ(r.QueryParam("empty"), "");
    EXPECT_EQ(r.QueryParam("flag"), "");
    EXPECT_FALSE(r.QueryParam("bad").has_value());
    EXPECT_FALSE(r.QueryParam("missing").has_value());
    // A pair that does not decode is skipped: a later one of the same name counts; an empty
    // name is never a parameter.
    r.query = "a=%zz&a=ok&%4=x&=v";
    EXPECT_EQ(r.QueryParam("a"), "ok");
    EXPECT_FALSE(r.QueryParam("").has_value());
}

TEST(PercentDecodeTest, ValidAndMalformed) {
    EXPECT_EQ(PercentDecode("a%20b%2fc"), "a b/c");
    EXPECT_EQ(PercentDecode("a+b"), "a+b");
    EXPECT_EQ(PercentDecode("a+b", true), "a b");
    EXPECT_EQ(PercentDecode("%D0%BF%D1%80"), "\xD0\xBF\xD1\x80");
    EXPECT_EQ(PercentDecode(""), "");
    EXPECT_FALSE(PercentDecode("%").has_value());
    EXPECT_FALSE(PercentDecode("abc%4").has_value());
    EXPECT_FALSE(PercentDecode("%zz").has_value());
    EXPECT_FALSE(PercentDecode("%-1").has_value());
    EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
}

// The value of a hex digit (a byte, 0..255), or -1.
int HexValue(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A plain decoder to hold PercentDecode (one table lookup per escape, the validity checked once
// at the end) against: nullopt on any escape that is not '%' and two hex digits.
std::optional<std::string> ReferenceDecode(std::string_view s, bool form) {
    const auto hex = [](char c) { return HexValue(static_cast<unsigned char>(c)); };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int high = hex(s[i + 1]);
            const int low = hex(s[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out.push_back(static_cast<char>(high << 4 | low));
            i += 2;
        } else {
            out.push_back(s[i] == '+' && form ? ' ' : s[i]);
        }
    }
    return out;
}

std::string Escaped(std::string_view bytes, bool lower) {
    static constexpr char kUpper[] = "0123456789ABCDEF";
    static constexpr char kLower[] = "0123456789abcdef";
    const char* digits = lower ? kLower : kUpper;
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back('%');
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xF]);
    }
    return out;
}

TEST(PercentDecodeTest, LongEscapeRunsDecodeLikeTheReference) {
    // Cyrillic as a browser sends it: nothing but escapes, in either case of hex digits, cut at
    // every escape, alone and between other characters.
    const std::string text = "Меня мобилизовали осенью, учебки не было, через две недели отправили.";
    for (bool lower : {false, true}) {
        const std::string escaped = Escaped(text, lower);
        EXPECT_EQ(PercentDecode(escaped), text);
        for (std::size_t n = 0; n <= 60; n += 3) {
            const std::string run = escaped.substr(0, n);
            EXPECT_EQ(PercentDecode(run), ReferenceDecode(run, false)) << run;
            EXPECT_EQ(PercentDecode("a" + run + "+b", true), ReferenceDecode("a" + run + "+b", true)) << run;
            EXPECT_EQ(PercentDecode(run + "x"), ReferenceDecode(run + "x", false)) << run;
        }
    }
    // Any place of a long run changed: a digit that is no longer one (or a stray '%') is refused,
    // as one escape at a time refuses it; a '%' that is no longer one leaves plain characters.
    const std::string escaped = Escaped(text, false);
    for (std::size_t at = 0; at < 48; ++at) {
        for (char bad : {'G', 'g', '/', ':', '@', '`', '%', '\0', '\xD0'}) {
            std::string broken = escaped;
            broken[at] = bad;
            EXPECT_EQ(PercentDecode(broken), ReferenceDecode(broken, false)) << at << " " << bad;
            if (at % 3 != 0) {
                EXPECT_FALSE(PercentDecode(broken).has_value()) << at << " " << bad;
            }
        }
    }
}

TEST(PercentDecodeTest, RandomInputsDecodeLikeTheReference) {
    // Inputs made of escapes, near-escapes and plain bytes, every length up to 100: the result is
    // the reference's, including where an escape is cut short at the end.
    const std::string alphabet = "%%%%%0123456789abcdefABCDEFgG+ zZ-.\xD0\xBF";
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    const auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int round = 0; round < 20000; ++round) {
        std::string input;
        const std::size_t length = next() % 101;
        while (input.size() < length) {
            if (next() % 3 == 0) {
                input += Escaped(std::string(1, static_cast<char>(next() & 0xFF)), next() % 2 == 0);
            } else {
                input.push_back(alphabet[next() % alphabet.size()]);
            }
        }
        const bool form = next() % 2 == 0;
        ASSERT_EQ(PercentDecode(input, form), ReferenceDecode(input, form)) << input;
    }
}

TEST(PercentDecodeTest, EveryPairAfterPercentDecodesExactlyWhenBothAreHexDigits) {
    const auto hex = HexValue;
    int decoded = 0;
    for (int hi = 0; hi < 256; ++hi)
        for (int lo = 0; lo < 256; ++lo) {
            const std::string in{'x', '%', static_cast<char>(hi), static_cast<char>(lo), 'y'};
            const auto out = PercentDecode(in, true);
            if (hex(hi) < 0 || hex(lo) < 0) {
                EXPECT_FALSE(out.has_value()) << hi << " " << lo;
                continue;
            }
            ++decoded;
            ASSERT_TRUE(out.has_value()) << hi << " " << lo;
            EXPECT_EQ(*out, (std::string{'x', static_cast<char>(hex(hi) * 16 + hex(lo)), 'y'}));
        }
    EXPECT_EQ(decoded, 22 * 22);
}

TEST(PercentDecodeTest, AgreesWithASimpleDecoderOnEveryShortString) {
    // Every string of up to six bytes drawn from '%', hex digits, a non-hex letter, '+' and a
    // plain byte: escapes next to each other, cut short, at the start and at the very end.
    const std::string alphabet = "%0fDG+x";
    std::size_t checked = 0;
    for (std::size_t length = 0; length <= 6; ++length) {
        std::vector<std::size_t> digits(length, 0);
        for (;;) {
            std::string s;
            for (const std::size_t d : digits) s.push_back(alphabet[d]);
            for (const bool form : {false, true}) {
                ASSERT_EQ(PercentDecode(s, form), ReferenceDecode(s, form)) << s;
                ++checked;
            }
            std::size_t k = 0;
            while (k < length && ++digits[k] == alphabet.size()) digits[k++] = 0;
            if (k == length) break;
        }
    }
    EXPECT_EQ(checked, 2u * (1 + 7 + 49 + 343 + 2401 + 16807 + 117649));
    EXPECT_EQ(PercentDecode("%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82"), "Привет");
}

TEST(ParseFormTest, LastWinsAndSkipsMalformed) {
    const auto form = ParseForm("name=Ann+Lee&age=30&name=Bob&bad=%G1&=novalue&flag&&x=%26", 64);
    ASSERT_TRUE(form.has_value());
    EXPECT_EQ(form->at("name"), "Bob");
    EXPECT_EQ(form->at("age"), "30");
    EXPECT_EQ(form->at("flag"), "");
    EXPECT_EQ(form->at("x"), "&");
    EXPECT_EQ(form->count("bad"), 0u);
    EXPECT_EQ(form->count(""), 0u);
    EXPECT_EQ(form->size(), 4u);
    EXPECT_TRUE(ParseForm("", 64)->empty());
}

TEST(ParseFormTest, MorePairsThanTheLimitAreRefusedAndFewerSortWhateverTheirOrder) {
    // Names in descending order, each sorting before the one sent before it; a repeated name
    // counts as a pair and its last value wins.
    const auto body = [](int names) {
        std::string out;
        for (int i = names; i > 0; --i) out += "n" + std::to_string(100 + i) + "=v&";
        return out + "n105=last";
    };
    const auto form = ParseForm(body(39), 40);
    ASSERT_TRUE(form.has_value());
    ASSERT_EQ(form->size(), 39u);
    EXPECT_EQ(form->begin()->first, "n101");
    EXPECT_EQ(form->rbegin()->first, "n139");
    EXPECT_EQ(form->at("n105"), "last");
    EXPECT_EQ(form->at("n106"), "v");
    EXPECT_FALSE(ParseForm(body(40), 40).has_value());
    // 200,000 pairs (inserted one by one into the sorted map, 2 * 10^10 moves) stop at the 41st.
    EXPECT_FALSE(ParseForm(body(200'000), 40).has_value());
}

TEST(ResponseTest, FactoriesSetContentType) {
    EXPECT_EQ(Response::Json(201, "{}").headers.Get("Content-Type"), "application/json");
    EXPECT_EQ(Response::Json(201, "{}").status, 201);
    EXPECT_EQ(Response::Text(200, "x").headers.Get("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(Response::Html(200, "<p>").headers.Get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(Response::Html(200, "<p>").body, "<p>");
}

TEST(ResponseTest, ErrorEscapesIntoValidJson) {
    const std::string nasty = std::string("quote \" back \\ nl \n tab \t ctl \x01 del \x7f <script>&") +
                              "\xD0\xBF ok, bad \xFF\xC3 end";
    const Response r = Response::Error(400, "invalid_argument", nasty);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
    EXPECT_EQ(r.body.find("<script>"), std::string::npos);
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    EXPECT_EQ(v.at("error").at("code").as_string(), "invalid_argument");
    const std::string message(v.at("error").at("message").as_string());
    EXPECT_EQ(message, std::string("quote \" back \\ nl \n tab \t ctl \x01 del \x7f <script>&") +
                           "\xD0\xBF ok, bad \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(ResponseTest, ErrorResponseMapsCodes) {
    struct Case {
        ErrorCode code;
        int status;
        const char* name;
    };
    const Case cases[] = {
        {ErrorCode::kInvalidArgument, 400, "invalid_argument"}, {ErrorCode::kNotFound, 404, "not_found"},
        {ErrorCode::kAlreadyExists, 409, "already_exists"},     {ErrorCode::kUnauthenticated, 401, "unauthenticated"},
        {ErrorCode::kForbidden, 403, "forbidden"},               {ErrorCode::kLocked, 423, "locked"},
        {ErrorCode::kRateLimited, 429, "rate_limited"},          {ErrorCode::kConflict, 409, "conflict"},
        {ErrorCode::kUnavailable, 503, "unavailable"},           {ErrorCode::kDecryptFailed, 500, "internal"},
        {ErrorCode::kIntegrity, 500, "internal"},                {ErrorCode::kInternal, 500, "internal"},
        {ErrorCode::kOk, 500, "internal"},
    };
    for (const Case& c : cases) {
        const Response r = ErrorResponse(LifelineError(c.code, "detail 42"));
        EXPECT_EQ(r.status, c.status) << c.name;
        const boost::json::value v = boost::json::parse(r.body);
        EXPECT_EQ(v.at("error").at("code").as_string(), c.name);
        // 500s carry a generic message; the others the (client-safe) message.
        EXPECT_EQ(r.body.find("detail 42") != std::string::npos, c.status != 500) << c.name;
    }
}

}  // namespace
}  // namespace lifeline::http
