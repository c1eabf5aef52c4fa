// Unit tests of the pure pieces: escaping and templates, language choice, form tokens, field
// validation, contact normalisation, plurals, and rendering of a conversation.

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <regex>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "crypto/crypto.hpp"
#include "public_site/csrf.hpp"
#include "public_site/forms.hpp"
#include "public_site/html.hpp"
#include "public_site/language.hpp"
#include "public_site/pages.hpp"
#include "public_site/strings.hpp"

namespace lifeline::public_site {
namespace {

using namespace std::chrono_literals;

// ---- escaping and templates ----

TEST(Html, EscapesEveryMetacharacter) {
    EXPECT_EQ(Escape(R"(<a href="x" title='y'>&</a>)"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    EXPECT_EQ(Escape("Привет, мир"), "Привет, мир");
    EXPECT_EQ(Escape(""), "");
}

TEST(Html, FillEscapesTextAndKeepsRawMarkup) {
    const std::string out = Fill("<p title=\"{{t}}\">{{body}}</p>{{raw}}",
                                 {{"t", "\"><script>"}, {"body", "<script>alert(1)</script>"}, {"raw", Raw{"<br>"}}});
    EXPECT_EQ(out, "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;</p><br>");
}

TEST(Html, FillRejectsAPlaceholderWithoutValue) {
    EXPECT_THROW(Fill("{{missing}}", {}), LifelineError);
    EXPECT_THROW(Fill("{{open", {}), LifelineError);
    // A value that looks like a placeholder is not expanded again.
    EXPECT_EQ(Fill("{{a}}", {{"a", "{{a}}"}}), "{{a}}");
}

// ---- language ----

TEST(Language, AcceptLanguageRespectsQValues) {
    EXPECT_EQ(LangFromAcceptLanguage("en-US,en;q=0.5"), Lang::kEn);
    EXPECT_EQ(LangFromAcceptLanguage("de-DE, uk;q=0.8, en;q=0.5"), Lang::kUk);
    EXPECT_EQ(LangFromAcceptLanguage("en;q=0.3, uk;q=0.7, ru;q=0.5"), Lang::kUk);
    EXPECT_EQ(LangFromAcceptLanguage("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), Lang::kRu);
    EXPECT_EQ(LangFromAcceptLanguage("UK-ua"), Lang::kUk);
    // Ties go to the earlier one; q=0 means "not acceptable".
    EXPECT_EQ(LangFromAcceptLanguage("en;q=0.5, uk;q=0.5"), Lang::kEn);
    EXPECT_EQ(LangFromAcceptLanguage("en;q=0, uk;q=0.1"), Lang::kUk);
    EXPECT_EQ(LangFromAcceptLanguage("en;q=0"), std::nullopt);
    // Malformed q-values are ignored, not read as 1.
    EXPECT_EQ(LangFromAcceptLanguage("en;q=abc, uk;q=0.2"), Lang::kUk);
    EXPECT_EQ(LangFromAcceptLanguage("en;q=1.5, ru;q=0.2"), Lang::kRu);
    EXPECT_EQ(LangFromAcceptLanguage("de, fr, *"), std::nullopt);
    EXPECT_EQ(LangFromAcceptLanguage(""), std::nullopt);
}

TEST(Language, QueryThenFormThenCookieThenHeaderThenRussian) {
    http::Request r;
    EXPECT_EQ(ChooseLang(r).lang, Lang::kRu);
    r.headers.Set("Accept-Language", "en-GB,en;q=0.9");
    EXPECT_EQ(ChooseLang(r).lang, Lang::kEn);
    r.headers.Set("Cookie", "lang=uk");
    EXPECT_EQ(ChooseLang(r).lang, Lang::kUk);
    EXPECT_EQ(ChooseLang(r, "ru").lang, Lang::kRu);
    r.query = "lang=en";
    const auto choice = ChooseLang(r, "ru");
    EXPECT_EQ(choice.lang, Lang::kEn);
    EXPECT_TRUE(choice.from_query);
    r.query = "lang=xx";
    EXPECT_EQ(ChooseLang(r).lang, Lang::kUk);
    EXPECT_FALSE(ChooseLang(r).from_query);
    r.headers.Set("Cookie", "lang=de");
    EXPECT_EQ(ChooseLang(r).lang, Lang::kEn);
}

TEST(Strings, EveryLanguageHasItsOwnTextsAndAllLabels) {
    for (const Lang lang : AllLangs()) {
        const Strings& s = StringsFor(lang);
        EXPECT_FALSE(s.home_title.empty());
        EXPECT_FALSE(s.followup_not_found.empty());
        EXPECT_EQ(s.home_guarantees.size(), 4u);
        for (const CaseKind kind : {CaseKind::kSurrenderApplication, CaseKind::kRelativeInquiry}) {
            for (const auto& spec : intake::FormFields(kind)) {
                EXPECT_NE(FieldLabel(s, kind, spec.name), spec.name) << LangCode(lang) << " " << spec.name;
                for (const auto option : UiOf(spec.name).options) {
                    EXPECT_TRUE(s.options.contains(std::string(spec.name) + "." + std::string(option))) << option;
                }
            }
        }
    }
    EXPECT_NE(StringsFor(Lang::kRu).home_title, StringsFor(Lang::kUk).home_title);
    EXPECT_EQ(StringsFor(Lang::kEn).followup_not_found,
              "We could not find a conversation for this code. Check the digits.");
}

TEST(Strings, MinutesFollowEachLanguagesPlurals) {
    const Strings& ru = StringsFor(Lang::kRu);
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 1), "минуту");
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 3), "минуты");
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 5), "минут");
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 11), "минут");
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 21), "минуту");
    EXPECT_EQ(MinutesWord(ru, Lang::kRu, 24), "минуты");
    const Strings& uk = StringsFor(Lang::kUk);
    EXPECT_EQ(MinutesWord(uk, Lang::kUk, 2), "хвилини");
    EXPECT_EQ(MinutesWord(uk, Lang::kUk, 12), "хвилин");
    const Strings& en = StringsFor(Lang::kEn);
    EXPECT_EQ(RateLimitedText(en, Lang::kEn, 1), "Too many attempts. Try again in 1 minute.");
    EXPECT_EQ(RateLimitedText(en, Lang::kEn, 61), "Too many attempts. Try again in 2 minutes.");
    EXPECT_EQ(RateLimitedText(ru, Lang::kRu, 300), "Слишком много попыток. Попробуйте снова через 5 минут.");
}

// ---- form tokens ----

class TokensTest : public ::testing::Test {
protected:
    void SetUp() override { crypto::Init(); }
    FakeClock clock_;
    FormTokens tokens_{crypto::SecretKey::Random(32), 2h};
};

TEST_F(TokensTest, AValidTokenMatchesItsCookieUntilItExpires) {
    const Bytes random = FormTokens::NewRandom();
    const std::string cookie = FormTokens::CookieValue(random);
    const std::string token = tokens_.Issue(random, clock_.Now());
    EXPECT_TRUE(tokens_.Verify(token, cookie, clock_.Now()));
    clock_.Advance(2h - 1s);
    EXPECT_TRUE(tokens_.Verify(token, cookie, clock_.Now()));
    clock_.Advance(1s);
    EXPECT_FALSE(tokens_.Verify(token, cookie, clock_.Now()));
}

TEST_F(TokensTest, RejectsMissingForgedAndMismatchedTokens) {
    const Bytes random = FormTokens::NewRandom();
    const std::string cookie = FormTokens::CookieValue(random);
    const std::string token = tokens_.Issue(random, clock_.Now());
    EXPECT_FALSE(tokens_.Verify("", cookie, clock_.Now()));
    EXPECT_FALSE(tokens_.Verify(token, std::nullopt, clock_.Now()));
    EXPECT_FALSE(tokens_.Verify(token, "", clock_.Now()));
    EXPECT_FALSE(tokens_.Verify("not base64 !!", cookie, clock_.Now()));
    // Another browser's cookie.
    EXPECT_FALSE(tokens_.Verify(token, FormTokens::CookieValue(FormTokens::NewRandom()), clock_.Now()));
    // Another key.
    const FormTokens other(crypto::SecretKey::Random(32), 2h);
    EXPECT_FALSE(other.Verify(token, cookie, clock_.Now()));
    // Any changed byte.
    auto bytes = *FromBase64Url(token);
    for (std::size_t i = 0; i < bytes.size(); i += 7) {
        Bytes changed = bytes;
        changed[i] ^= 0x01;
        EXPECT_FALSE(tokens_.Verify(ToBase64Url(changed), cookie, clock_.Now())) << i;
    }
    // A forged expiry far in the future without the MAC.
    Bytes forged = random;
    for (int k = 0; k < 8; ++k) forged.push_back(0x7F);
    forged.resize(forged.size() + 32, 0);
    EXPECT_FALSE(tokens_.Verify(ToBase64Url(forged), cookie, clock_.Now()));
}

TEST_F(TokensTest, KeySizeIsChecked) {
    EXPECT_THROW(FormTokens(crypto::SecretKey::Random(8), 2h), LifelineError);
    EXPECT_FALSE(FormTokens::ParseCookie("short"));
    EXPECT_TRUE(FormTokens::ParseCookie(FormTokens::CookieValue(FormTokens::NewRandom())));
}

// ---- validation ----

TEST(Validation, AcceptsAFullApplicationAndCleansValues) {
    FormValues in = {{"status", "mobilised"},        {"deployment_date", "2026-02-28"}, {"unit", "  в/ч 12345  "},
                     {"group", "group"},             {"group_size", "12"},              {"after_capture", "asylum"},
                     {"contact", "@ivan"},           {"free_text", "line one\r\nline two"},
                     {"csrf_token", "ignored"},      {"bogus", "ignored"}};
    const Validation v = ValidateFields(CaseKind::kSurrenderApplication, in);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.clean.at("unit"), "в/ч 12345");
    EXPECT_EQ(v.clean.at("free_text"), "line one\nline two");
    EXPECT_FALSE(v.clean.contains("csrf_token"));
    EXPECT_FALSE(v.clean.contains("bogus"));
}

TEST(Validation, TakeValidFieldsMovesTheValuesOfAnAcceptedFormAndLeavesARefusedOneWhole) {
    const FormValues typed = {{"unit", "  в/ч 12345  "},
                              {"rank", "рядовой, стрелок-помощник гранатомётчика"},
                              {"free_text", "line one\r\nline two, long enough not to fit in a short string"},
                              {"contact", "@ivan"},
                              {"csrf_token", "kept"}};
    FormValues in = typed;
    const Validation v = TakeValidFields(CaseKind::kSurrenderApplication, in);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.clean, ValidateFields(CaseKind::kSurrenderApplication, typed).clean);
    EXPECT_EQ(v.clean.at("unit"), "в/ч 12345");
    EXPECT_EQ(v.clean.at("free_text"), "line one\nline two, long enough not to fit in a short string");
    // Moved where cleaning only trims (trimmed in place first); a value with a line break is
    // cleaned into a new string and stays as typed.
    EXPECT_EQ(in.at("rank"), "");
    EXPECT_EQ(in.at("contact"), "");
    EXPECT_EQ(in.at("unit"), "");
    EXPECT_EQ(in.at("free_text"), typed.at("free_text"));
    EXPECT_EQ(in.at("csrf_token"), "kept");

    FormValues refused = typed;
    refused.insert_or_assign("group_size", "0");
    const FormValues before = refused;
    const Validation bad = TakeValidFields(CaseKind::kSurrenderApplication, refused);
    EXPECT_EQ(bad.problems.at("group_size"), FieldProblem::kBadGroupSize);
    EXPECT_EQ(refused, before);
}

TEST(Validation, ReportsEachBadField) {
    FormValues in = {{"deployment_date", "2025-02-30"}, {"group_size", "0"},         {"unit", std::string(201, 'x')},
                     {"status", "deserter"},            {"rank", std::string("a\x01")}, {"contact", ""}};
    const Validation v = ValidateFields(CaseKind::kSurrenderApplication, in);
    EXPECT_EQ(v.problems.at("deployment_date"), FieldProblem::kBadDate);
    EXPECT_EQ(v.problems.at("group_size"), FieldProblem::kBadGroupSize);
    EXPECT_EQ(v.problems.at("unit"), FieldProblem::kTooLong);
    EXPECT_EQ(v.problems.at("status"), FieldProblem::kBadChoice);
    EXPECT_EQ(v.problems.at("rank"), FieldProblem::kBadText);
    EXPECT_EQ(v.problems.at("contact"), FieldProblem::kNeedContact);
}

TEST(Validation, GroupSizeAndDates) {
    const auto problem = [](std::string field, std::string value) {
        const Validation v = ValidateFields(CaseKind::kSurrenderApplication, {{field, value}, {"contact", "x"}});
        return v.problems.contains(field);
    };
    EXPECT_FALSE(problem("group_size", "1"));
    EXPECT_FALSE(problem("group_size", "500"));
    EXPECT_TRUE(problem("group_size", "501"));
    EXPECT_TRUE(problem("group_size", "-1"));
    EXPECT_TRUE(problem("group_size", "1e2"));
    EXPECT_TRUE(problem("group_size", "0012"));
    EXPECT_FALSE(problem("deployment_date", "2024-02-29"));
    EXPECT_TRUE(problem("deployment_date", "2023-02-29"));
    EXPECT_TRUE(problem("deployment_date", "2023-13-01"));
    EXPECT_TRUE(problem("deployment_date", "01.03.2025"));
    EXPECT_TRUE(problem("deployment_date", "2025-3-1"));
    EXPECT_FALSE(problem("deployment_date", "   "));  // empty after trimming: not given
    EXPECT_TRUE(IsAcceptableText("Привіт, світе\n\tok"));
    EXPECT_FALSE(IsAcceptableText("\xC0\xAF"));          // overlong
    EXPECT_FALSE(IsAcceptableText("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(IsAcceptableText(std::string("a\0b", 3)));
    EXPECT_FALSE(IsAcceptableText("\xD0"));              // a two-byte letter cut short
    EXPECT_FALSE(IsAcceptableText("\xD0" "A"));          // not followed by a continuation byte
    EXPECT_FALSE(IsAcceptableText("\xC1\xBF"));          // overlong two-byte form
    EXPECT_TRUE(IsAcceptableText("\xC2\xA0\xDF\xBF"));   // the two-byte range, both ends
    EXPECT_FALSE(IsAcceptableText("\xC2\x80"));          // U+0080, a C1 control
    EXPECT_FALSE(IsAcceptableText("\xC2\x9F"));          // U+009F, the last one
    EXPECT_FALSE(IsAcceptableText("\xC2"));              // a lead byte at the very end
    EXPECT_TRUE(IsAcceptableText("\xC2\xAB\xD0\x9F\xC2\xBB"));  // «П»
}

// The rule IsAcceptableText implements, byte by byte: printable ASCII, tab, newline, carriage
// return, or a well-formed UTF-8 sequence that is not a C1 control.
bool ReferenceAcceptable(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7F) && c != '\t' && c != '\n' && c != '\r') return false;
            ++i;
            continue;
        }
        const std::size_t n = Utf8SequenceLength(s, i);
        if (n == 0) return false;
        if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;
        i += n;
    }
    return true;
}

TEST(Validation, AcceptableTextAgreesWithTheDecoderOnEveryTwoByteString) {
    const auto reference = ReferenceAcceptable;
    int accepted = 0;
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            const std::string s{static_cast<char>(a), static_cast<char>(b)};
            ASSERT_EQ(IsAcceptableText(s), reference(s)) << a << " " << b;
            accepted += IsAcceptableText(s) ? 1 : 0;
        }
    }
    // 98 acceptable ASCII bytes squared, and the two-byte letters U+00A0..U+07FF.
    EXPECT_EQ(accepted, 98 * 98 + (0x800 - 0xA0));
}

TEST(Validation, AcceptableTextAgreesWithTheDecoderOnLongMixedStrings) {
    // Long enough for the 16-byte blocks: letters, Cyrillic, NBSP and guillemets, C1 controls,
    // three- and four-byte characters, newlines, stray continuation and lead bytes, controls,
    // in random order, so that every kind falls at every offset of a block and across its end.
    const std::vector<std::string> pieces = {
        "a", "Z", " ", ",", "\xD0\x9F", "\xD1\x8F", "\xC3\xA9", "\xC2\xA0", "\xC2\xAB", "\xC2\xBB",
        "\xC2\x85", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\n", "\r\n", "\t", "\x80", "\xBF", "\xD0",
        "\xC1\xBF", "\x01", "\x7F", "\xED\xA0\x80"};
    std::mt19937 random(20261127);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const int length = static_cast<int>(random() % 60);
        // Mostly plain pieces (the first ten), so that long runs of acceptable text occur.
        for (int i = 0; i < length; ++i) {
            const bool plain = random() % 8 != 0;
            s += pieces[random() % (plain ? 10 : pieces.size())];
        }
        ASSERT_EQ(IsAcceptableText(s), ReferenceAcceptable(s)) << ::testing::PrintToString(s);
        accepted += ReferenceAcceptable(s) ? 1 : 0;
    }
    EXPECT_GT(accepted, 2000);  // both answers were well represented
    EXPECT_LT(accepted, 18000);
}

TEST(Validation, FreeTextAloneIsEnoughAndInquiriesUseSeekerContact) {
    EXPECT_TRUE(ValidateFields(CaseKind::kSurrenderApplication, {{"free_text", "help"}}).ok());
    EXPECT_FALSE(ValidateFields(CaseKind::kSurrenderApplication, {{"unit", "12"}}).ok());
    EXPECT_TRUE(ValidateFields(CaseKind::kRelativeInquiry, {{"seeker_contact", "+380"}}).ok());
    const Validation v = ValidateFields(CaseKind::kRelativeInquiry, {{"sought_name", "Иванов"}});
    EXPECT_EQ(v.problems.at("seeker_contact"), FieldProblem::kNeedContact);
}

TEST(Validation, ContactNormalisation) {
    EXPECT_EQ(NormalizeContact("+7 (900) 000-00-00"), "79000000000");
    EXPECT_EQ(NormalizeContact("8 900 000 00 00"), "79000000000");
    EXPECT_EQ(NormalizeContact("@Ivan_Tg"), "ivan_tg");
    EXPECT_EQ(NormalizeContact("Ivan.Petrov@Mail.RU"), "ivanpetrov@mailru");
}

// ---- rendering ----

TEST(Render, ConversationShowsFormAnswersMessagesAndReplies) {
    intake::Conversation c;
    c.kind = CaseKind::kSurrenderApplication;
    c.entries.push_back({"form", 1'767'225'600'000, "", {{"status", "serving"}, {"unit", "<b>unit</b>"}}});
    c.entries.push_back({"inbound", 1'767'225'660'000, "my <message>", {}});
    c.entries.push_back({"reply", 1'767'229'200'000, "operator answer", {}});
    ConversationView view;
    view.conversation = &c;
    view.receipt = "12345-12345-12345-12345-12345";
    view.csrf_token = "tok";
    const std::string html = RenderConversation({Lang::kEn, "/followup"}, view);
    EXPECT_NE(html.find("<dt>Your situation</dt><dd>Serving (contract or conscript)</dd>"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;unit&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(html.find("my &lt;message&gt;"), std::string::npos);
    EXPECT_NE(html.find("Operator&#39;s answer"), std::string::npos);
    EXPECT_NE(html.find("operator answer"), std::string::npos);
    EXPECT_NE(html.find("2026-01-01 00:00 UTC"), std::string::npos);
    EXPECT_NE(html.find("datetime=\"2026-01-01T00:00Z\""), std::string::npos);
    EXPECT_EQ(html.find("No answer yet"), std::string::npos);
    EXPECT_NE(html.find(R"(name="receipt" value="12345-12345-12345-12345-12345")"), std::string::npos);
}

TEST(Render, ReceiptPagesDifferOnlyInTheEscapedReceipt) {
    for (const Lang lang : AllLangs())
        for (const CaseKind kind : {CaseKind::kSurrenderApplication, CaseKind::kRelativeInquiry}) {
            const PageContext ctx{lang, kind == CaseKind::kRelativeInquiry ? "/inquiry" : "/apply"};
            const std::string a = RenderReceipt(ctx, kind, "11111-22222-33333-44444-55555");
            const std::string b = RenderReceipt(ctx, kind, "<b>&\"'");
            EXPECT_NE(a.find("<code>11111-22222-33333-44444-55555</code>"), std::string::npos);
            EXPECT_NE(b.find("<code>&lt;b&gt;&amp;&quot;&#39;</code>"), std::string::npos);
            EXPECT_EQ(b.find("<b>&"), std::string::npos);
            // The rest of the page is the same (the receipt is the only difference).
            const std::size_t at = a.find("11111-");
            EXPECT_EQ(a.substr(0, at), b.substr(0, at));
            EXPECT_EQ(a.substr(at + 29), b.substr(at + std::string("&lt;b&gt;&amp;&quot;&#39;").size()));
            EXPECT_NE(a.find(std::string("lang=\"") + std::string(LangCode(lang)) + "\""), std::string::npos);
        }
}

TEST(Render, NoScriptNoInlineStyleNoExternalResources) {
    for (const Lang lang : AllLangs()) {
        const PageContext ctx{lang, "/"};
        FormView form;
        form.kind = CaseKind::kRelativeInquiry;
        for (const std::string& html : {RenderHome(ctx), RenderChannels(ctx, {{"Bot", "@bot"}}, "note"),
                                        RenderForm(ctx, form), RenderLookup(ctx, {}),
                                        RenderReceipt(ctx, CaseKind::kSurrenderApplication, "1-2")}) {
            EXPECT_EQ(html.find("<script"), std::string::npos);
            EXPECT_EQ(html.find("style="), std::string::npos);
            EXPECT_EQ(html.find("<style"), std::string::npos);
            EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)")));  // no onclick= etc.
            EXPECT_EQ(html.find("src=\"http"), std::string::npos);
            EXPECT_EQ(html.find("href=\"//"), std::string::npos);
            EXPECT_LT(html.size(), 16'000u);
        }
    }
    EXPECT_LT(SiteCss().size(), 8'000u);
}

}  // namespace
}  // namespace lifeline::public_site
