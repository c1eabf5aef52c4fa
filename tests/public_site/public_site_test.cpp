// The public site end to end through the router, with a real SQLite store and intake service.

#include "public_site/public_site.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include <regex>
#include <set>

#include "http_client.hpp"
#include "image_samples.hpp"
#include "in_process_request.hpp"
#include "intake/message_codec.hpp"
#include "public_site/strings.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::public_site {
namespace {

using namespace std::chrono_literals;
using lifeline::testing::TempDir;
using lifeline::testing::UrlEncode;
using lifeline::testing::UrlEncodeForm;

const std::regex kReceiptPattern(R"(\d{5}-\d{5}-\d{5}-\d{5}-\d{5})");
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Upload {
    std::string field;
    std::string filename;
    std::string content_type;
    std::string data;
};

constexpr std::string_view kBoundary = "----lifelineTestBoundary7MA4YWxkTrZu0gW";

std::string MultipartBody(const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::vector<Upload>& files) {
    std::string body;
    for (const auto& [k, v] : fields) {
        body += "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v +
                "\r\n";
    }
    for (const auto& f : files) {
        body += "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" + f.field +
                "\"; filename=\"" + f.filename + "\"\r\nContent-Type: " + f.content_type + "\r\n\r\n" + f.data + "\r\n";
    }
    body += "--" + std::string(kBoundary) + "--\r\n";
    return body;
}

std::string SetCookies(const http::Response& r) {
    std::string out;
    for (const auto& [name, value] : r.headers.all()) {
        if (name == "Set-Cookie") out += value + "\n";
    }
    return out;
}

bool Has(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

/// A browser: its address, its cookies and the form token of the last page it loaded.
struct Browser {
    std::string peer = "203.0.113.7";
    std::map<std::string, std::string> cookies;
    std::string token;

    std::string CookieHeader() const {
        std::string out;
        for (const auto& [k, v] : cookies) out += (out.empty() ? "" : "; ") + k + "=" + v;
        return out;
    }
    void Absorb(const http::Response& r) {
        for (const auto& [name, value] : r.headers.all()) {
            if (name != "Set-Cookie") continue;
            const auto eq = value.find('=');
            const auto semi = value.find(';');
            cookies[value.substr(0, eq)] = value.substr(eq + 1, semi - eq - 1);
        }
        std::smatch m;
        static const std::regex kToken(R"re(name="csrf_token" value="([^"]+)")re");
        if (std::regex_search(r.body, m, kToken)) token = m[1];
    }
};

class SiteTest : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        secrets_ = crypto::Secrets::Generate();
        OpenStore({});
        config_.secure_cookies = false;
        config_.channels = {{"Telegram", "@lifeline_official_bot"},
                            {"Web", "https://lifeline.example"},
                            {"<b>Phone</b>", "+380 00 \"000\" 0000"}};
        MakeSite();
    }

    /// (Re)opens the store (lifeline.db in the test's directory unless options name a path)
    /// and the intake service on it; the site is made by MakeSite.
    void OpenStore(store::SqliteOptions options) {
        router_.reset();
        site_.reset();
        intake_.reset();
        store_.reset();
        if (options.path.empty()) options.path = dir_ / "lifeline.db";
        store_ = store::OpenSqliteStore(options);
        store_->PutMeta("team_public_key", team_.public_key);
        intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);
    }

    void MakeSite() {
        site_ = std::make_unique<PublicSite>(*intake_, clock_, crypto::DeriveKey(secrets_.session_key, "public-site"),
                                             config_);
        router_ = std::make_unique<http::Router>();
        site_->Register(*router_);
    }

    http::Response Send(const std::string& method, const std::string& target, Browser* browser = nullptr,
                        std::string body = {}, std::string content_type = {},
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
        http::Request r = lifeline::testing::InProcessRequest(method, target, browser ? browser->peer : "198.51.100.1");
        r.body = std::move(body);
        if (!content_type.empty()) r.headers.Set("Content-Type", content_type);
        if (browser && !browser->cookies.empty()) r.headers.Set("Cookie", browser->CookieHeader());
        for (auto& [k, v] : headers) r.headers.Set(k, v);
        auto response = router_->Dispatch(r);
        if (browser) browser->Absorb(response);
        return response;
    }

    http::Response Get(const std::string& target, Browser* browser = nullptr,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
        return Send("GET", target, browser, {}, {}, std::move(headers));
    }

    /// Posts a urlencoded form with the browser's current token (unless the fields carry one).
    http::Response Post(const std::string& path, Browser& browser, Fields fields, bool with_token = true) {
        if (with_token) fields.emplace_back("csrf_token", browser.token);
        return Send("POST", path, &browser, UrlEncodeForm(fields), "application/x-www-form-urlencoded");
    }

    http::Response PostMultipart(const std::string& path, Browser& browser, Fields fields,
                                 const std::vector<Upload>& files) {
        fields.emplace_back("csrf_token", browser.token);
        return Send("POST", path, &browser, MultipartBody(fields, files),
                    "multipart/form-data; boundary=" + std::string(kBoundary));
    }

    /// Loads the form page, then posts it: what a person does.
    http::Response Apply(Browser& browser, std::vector<std::pair<std::string, std::string>> fields) {
        EXPECT_EQ(Get("/apply", &browser).status, 200);
        return Post("/apply", browser, std::move(fields));
    }

    std::size_t CaseCount() { return store_->ListCases({}).size(); }

    static std::string ReceiptIn(const std::string& body) {
        std::smatch m;
        return std::regex_search(body, m, kReceiptPattern) ? m.str() : std::string();
    }

    std::optional<store::CaseRecord> CaseOf(const std::string& receipt) {
        return store_->FindCaseByReceipt(intake_->ReceiptLookup(intake::IntakeService::NormalizeReceipt(receipt)));
    }

    crypto::SecretKey CaseKey(const std::string& receipt) {
        const auto rec = CaseOf(receipt);
        auto key = crypto::UnwrapCaseKeyWithReceipt(intake::IntakeService::NormalizeReceipt(receipt), rec->id,
                                                    rec->receipt_wrapped_key);
        return std::move(key).ValueOrThrow();
    }

    TempDir dir_;
    FakeClock clock_;
    crypto::Secrets secrets_;
    crypto::KeyPair team_ = crypto::KeyPair::Generate();
    std::atomic<bool> failing_syncs_{false};  // for a store opened with a sync hook reading it
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<intake::IntakeService> intake_;
    PublicSiteConfig config_;
    std::unique_ptr<PublicSite> site_;
    std::unique_ptr<http::Router> router_;
};

// ---- pages and languages ----

TEST_F(SiteTest, EveryPageRendersInEveryLanguage) {
    struct Page {
        std::string path;
        std::map<std::string, std::string> phrase;
    };
    const std::vector<Page> pages = {
        {"/",
         {{"ru", "Как сдаться в плен и сохранить жизнь"},
          {"uk", "Як здатися в полон і зберегти життя"},
          {"en", "How to surrender and stay alive"}}},
        {"/channels", {{"ru", "Настоящие каналы"}, {"uk", "Справжні канали"}, {"en", "The real channels"}}},
        {"/apply",
         {{"ru", "Заявка на сдачу в плен"}, {"uk", "Заявка на здачу в полон"}, {"en", "Application to surrender"}}},
        {"/inquiry",
         {{"ru", "Запрос о поиске родственника"},
          {"uk", "Запит про пошук родича"},
          {"en", "Search inquiry for a relative"}}},
        {"/followup",
         {{"ru", "Открыть переписку"}, {"uk", "Відкрити листування"}, {"en", "Open the conversation"}}},
    };
    for (const auto& page : pages) {
        for (const auto& [lang, phrase] : page.phrase) {
            const auto r = Get(page.path + "?lang=" + lang);
            SCOPED_TRACE(page.path + " " + lang);
            EXPECT_EQ(r.status, 200);
            EXPECT_EQ(r.headers.Get("Content-Type"), "text/html; charset=utf-8");
            EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
            EXPECT_EQ(r.headers.Get("Content-Language"), lang);
            EXPECT_TRUE(Has(r.body, "<html lang=\"" + lang + "\">"));
            EXPECT_TRUE(Has(r.body, phrase));
            EXPECT_TRUE(Has(SetCookies(r), "lang=" + lang + "; Path=/; HttpOnly; SameSite=Strict"));
            for (const std::string other : {"ru", "uk", "en"}) {
                if (other != lang) {
                    EXPECT_TRUE(Has(r.body, "href=\"" + page.path + "?lang=" + other + "\""));
                }
            }
            EXPECT_TRUE(Has(r.body, R"(<link rel="stylesheet" href="/static/site.css">)"));
            EXPECT_FALSE(Has(r.body, "<script"));
            EXPECT_FALSE(Has(r.body, "style="));
        }
    }
}

TEST_F(SiteTest, HomeExplainsTheGuarantees) {
    const auto ru = Get("/");
    EXPECT_TRUE(Has(ru.body, "<html lang=\"ru\">"));  // Russian by default
    EXPECT_TRUE(Has(ru.body, "Женевским конвенциям"));
    EXPECT_TRUE(Has(ru.body, "«взят в плен на поле боя»"));
    EXPECT_TRUE(Has(ru.body, "href=\"/apply\""));
    EXPECT_TRUE(Has(ru.body, "href=\"/inquiry\""));
    EXPECT_TRUE(Has(ru.body, "href=\"/followup\""));
    EXPECT_TRUE(Has(ru.body, "href=\"/channels\""));
    EXPECT_EQ(SetCookies(ru), "");  // nothing remembered unless asked
    const auto en = Get("/?lang=en");
    EXPECT_TRUE(Has(en.body, "Geneva Conventions"));
    EXPECT_TRUE(Has(en.body, "captured on the battlefield"));
}

TEST_F(SiteTest, LanguageFromAcceptLanguageCookieAndQuery) {
    EXPECT_TRUE(Has(Get("/", nullptr, {{"Accept-Language", "uk-UA,uk;q=0.9,en;q=0.8"}}).body, "<html lang=\"uk\">"));
    EXPECT_TRUE(Has(Get("/", nullptr, {{"Accept-Language", "de-DE,en;q=0.3,ru;q=0.7"}}).body, "<html lang=\"ru\">"));
    EXPECT_TRUE(Has(Get("/", nullptr, {{"Accept-Language", "de-DE,en;q=0.3"}}).body, "<html lang=\"en\">"));
    EXPECT_TRUE(Has(Get("/", nullptr, {{"Accept-Language", "fr"}}).body, "<html lang=\"ru\">"));
    // The cookie beats the header; the query beats both and is remembered.
    Browser b;
    const auto chosen = Get("/apply?lang=uk", &b, {{"Accept-Language", "en"}});
    EXPECT_TRUE(Has(chosen.body, "<html lang=\"uk\">"));
    EXPECT_EQ(b.cookies.at("lang"), "uk");
    EXPECT_TRUE(Has(Get("/channels", &b, {{"Accept-Language", "en"}}).body, "<html lang=\"uk\">"));
    EXPECT_TRUE(Has(Get("/?lang=en", &b).body, "<html lang=\"en\">"));
    EXPECT_TRUE(Has(Get("/", &b).body, "<html lang=\"en\">"));
    EXPECT_TRUE(Has(Get("/?lang=zz", &b).body, "<html lang=\"en\">"));
}

TEST_F(SiteTest, ChannelsAreListedEscaped) {
    const auto r = Get("/channels?lang=en");
    EXPECT_TRUE(Has(r.body, "<code>@lifeline_official_bot</code>"));
    EXPECT_TRUE(Has(r.body, R"(<a href="https://lifeline.example" rel="noreferrer noopener">)"));
    EXPECT_TRUE(Has(r.body, "&lt;b&gt;Phone&lt;/b&gt;"));
    EXPECT_TRUE(Has(r.body, "+380 00 &quot;000&quot; 0000"));
    EXPECT_TRUE(Has(r.body, "at least two sources"));
}

TEST_F(SiteTest, StylesheetIsServed) {
    const auto r = Get("/static/site.css");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.Get("Content-Type"), "text/css; charset=utf-8");
    EXPECT_TRUE(Has(r.body, ".receipt"));
    EXPECT_FALSE(Has(r.body, "url("));  // no external fonts or images
}

// A mistyped address, or a reload of the page a form posted to, is a page in the visitor's
// language with the way home, not a JSON error; the API's own paths keep their JSON.
TEST_F(SiteTest, UnknownAddressesAndWrongMethodsGetAPageNotJson) {
    auto r = Get("/aply?lang=uk");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
    EXPECT_TRUE(Has(r.body, "Сторінку не знайдено"));
    EXPECT_TRUE(Has(r.body, "<a href=\"/\">"));
    EXPECT_FALSE(Has(r.body, "aply")) << "the address typed is not echoed";
    r = Get("/followup/message", nullptr, {{"Accept-Language", "en"}});
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers.Get("Allow").value_or(""), "POST");
    EXPECT_TRUE(Has(r.body, "Page not found"));
    r = Get("/api/v1/nothing");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(Has(r.body, "\"not_found\""));
}

TEST_F(SiteTest, FormPagesSetTheFormCookie) {
    Browser b;
    const auto r = Get("/apply", &b);
    EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
    const std::string cookies = SetCookies(r);
    const std::regex plain("^lifeline_form=[A-Za-z0-9_-]{22}; Path=/; HttpOnly; SameSite=Strict");
    EXPECT_TRUE(std::regex_search(cookies, plain)) << cookies;
    EXPECT_FALSE(b.token.empty());
    // The same browser keeps its cookie; the form works in several tabs.
    const std::string first_token = b.token;
    EXPECT_EQ(SetCookies(Get("/inquiry", &b)), "");
    EXPECT_NE(b.token, "");
    EXPECT_TRUE(Has(Get("/inquiry", &b).body, R"(enctype="multipart/form-data")"));

    config_.secure_cookies = true;
    MakeSite();
    const auto secure = Get("/followup");
    const std::regex host("^__Host-lifeline_form=[A-Za-z0-9_-]{22}; Path=/; Secure; HttpOnly; SameSite=Strict");
    EXPECT_TRUE(std::regex_search(SetCookies(secure), host));
    EXPECT_TRUE(Has(SetCookies(Get("/?lang=uk")), "lang=uk; Path=/; Secure; HttpOnly; SameSite=Strict"));
}

// ---- applying ----

TEST_F(SiteTest, AValidApplicationShowsTheReceiptOnceAndIsStored) {
    Browser b;
    const auto r = Apply(b, {{"lang", "en"},
                             {"status", "mobilised"},
                             {"deployment_date", "2026-03-01"},
                             {"unit", "в/ч 12345"},
                             {"group", "group"},
                             {"group_size", "3"},
                             {"after_capture", "exchange"},
                             {"contact", "@ivan_tg"},
                             {"free_text", "Хочу жить"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
    const std::string receipt = ReceiptIn(r.body);
    ASSERT_FALSE(receipt.empty()) << r.body;
    EXPECT_TRUE(Has(r.body, "<p class=\"receipt\"><code>" + receipt + "</code></p>"));
    EXPECT_TRUE(Has(r.body, "it is the only way back to your conversation"));
    EXPECT_TRUE(Has(r.body, "We cannot recover it"));
    EXPECT_TRUE(Has(r.body, "What happens next"));
    // Never in a header (no redirect, no cookie).
    for (const auto& [name, value] : r.headers.all()) EXPECT_FALSE(Has(value, receipt.substr(0, 5))) << name;

    const auto rec = CaseOf(receipt);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->kind, CaseKind::kSurrenderApplication);
    EXPECT_EQ(rec->channel, Channel::kWeb);
    EXPECT_EQ(rec->language, "en");
    EXPECT_EQ(CaseCount(), 1u);
    const auto conversation = intake_->ReadConversation(receipt);
    ASSERT_TRUE(conversation.ok());
    ASSERT_EQ(conversation->entries.size(), 1u);
    const auto& fields = conversation->entries[0].fields;
    EXPECT_EQ(fields.at("unit"), "в/ч 12345");
    EXPECT_EQ(fields.at("group_size"), "3");
    EXPECT_EQ(fields.at("free_text"), "Хочу жить");
    EXPECT_FALSE(fields.contains("csrf_token"));
    EXPECT_FALSE(fields.contains("lang"));
}

TEST_F(SiteTest, FreeTextAloneIsEnough) {
    Browser b;
    const auto r = Apply(b, {{"free_text", "как это работает?"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(ReceiptIn(r.body).empty());
}

TEST_F(SiteTest, WhenTheStoreFailsTheFormComesBackWithValuesKeptAndAValidToken) {
    // A store on a disk whose syncs start failing: the application is refused, and the form is
    // shown again with what the person typed and a token that still passes (the receipt page,
    // which has no form, is the only answer made without one).
    store::SqliteOptions options;
    options.path = dir_ / "failing.db";
    options.sync_wal = [this](int fd) { return failing_syncs_.load() ? -1 : ::fdatasync(fd); };
    OpenStore(options);
    MakeSite();

    Browser b;
    const auto receipt_page = Apply(b, {{"lang", "en"}, {"free_text", "first"}});
    ASSERT_EQ(receipt_page.status, 200);
    EXPECT_FALSE(receipt_page.headers.Get("Set-Cookie").has_value());  // no form, no new token
    failing_syncs_.store(true);
    const auto refused = Apply(b, {{"lang", "en"}, {"unit", "в/ч 54321"}, {"free_text", "second"}});
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_TRUE(ReceiptIn(refused.body).empty());
    EXPECT_TRUE(Has(refused.body, "в/ч 54321"));
    EXPECT_TRUE(Has(refused.body, "\nsecond</textarea>")) << refused.body;
    b.token.clear();
    b.Absorb(refused);  // the token of the refused page only
    ASSERT_FALSE(b.token.empty());
    // The token of that page passes: posting with it meets the store's refusal again, not the
    // form check's 403.
    const auto again = Post("/apply", b, {{"lang", "en"}, {"free_text", "third"}});
    EXPECT_EQ(again.status, 503) << again.body;
}

TEST_F(SiteTest, MissingForgedOrExpiredTokensAreRefusedWithValuesKept) {
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"lang", "en"}, {"unit", "<script>alert(1)</script>"}, {"contact", "+7 900 000-00-00"}};
    const auto expect_refused = [&](const http::Response& r) {
        EXPECT_EQ(r.status, 403);
        EXPECT_TRUE(Has(r.body, "The form has expired. Please send it again."));
        EXPECT_TRUE(Has(r.body, "Everything you typed is kept below."));
        EXPECT_TRUE(Has(r.body, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
        EXPECT_TRUE(Has(r.body, "value=\"+7 900 000-00-00\""));
        EXPECT_FALSE(Has(r.body, "<script>alert(1)"));
        EXPECT_EQ(CaseCount(), 0u);
    };

    // No token and no cookie at all.
    Browser stranger;
    expect_refused(Post("/apply", stranger, fields, false));
    // A cookie but no token.
    Browser b;
    Get("/apply", &b);
    expect_refused(Post("/apply", b, fields, false));
    // A forged token.
    auto forged = fields;
    forged.emplace_back("csrf_token", ToBase64Url(crypto::RandomBytes(56)));
    expect_refused(Post("/apply", b, forged, false));
    // A valid token with another browser's cookie.
    Browser other;
    Get("/apply", &other);
    const std::string others_token = other.token;
    Get("/apply", &b);
    auto mismatched = fields;
    mismatched.emplace_back("csrf_token", others_token);
    expect_refused(Post("/apply", b, mismatched, false));
    // Expired after two hours.
    Get("/apply", &b);
    clock_.Advance(2h + 1s);
    const auto expired = Post("/apply", b, fields);
    expect_refused(expired);
    // The refusal carries a fresh token: sending again works.
    const auto again = Post("/apply", b, fields);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(CaseCount(), 1u);
}

TEST_F(SiteTest, InvalidInputIsShownAgainEscapedAndNothingIsStored) {
    Browser b;
    const auto r = Apply(b, {{"lang", "en"},
                             {"deployment_date", "2026-02-30"},
                             {"group_size", "0"},
                             {"unit", std::string(201, 'u')},
                             {"rank", "<script>alert(1)</script>"},
                             {"name", "O'Brien \"Ivan\" & co"},
                             {"status", "serving"}});
    ASSERT_EQ(r.status, 422);
    EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
    EXPECT_TRUE(Has(r.body, "Please check the marked fields. Nothing has been saved."));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-deployment_date">Enter the date as YYYY-MM-DD)"));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-group_size">Enter a number from 1 to 500.</p>)"));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-unit">This text is too long; please shorten it.</p>)"));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-contact">Tell us how to reach you, or write something)"));
    EXPECT_TRUE(Has(r.body, R"(aria-invalid="true")"));
    // Every value comes back, escaped.
    EXPECT_TRUE(Has(r.body, "value=\"2026-02-30\""));
    EXPECT_TRUE(Has(r.body, "value=\"0\""));
    EXPECT_TRUE(Has(r.body, "value=\"" + std::string(201, 'u') + "\""));
    EXPECT_TRUE(Has(r.body, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    EXPECT_TRUE(Has(r.body, "value=\"O&#39;Brien &quot;Ivan&quot; &amp; co\""));
    EXPECT_TRUE(Has(r.body, R"(<option value="serving" selected>)"));
    EXPECT_FALSE(Has(r.body, "<script>"));
    EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(SiteTest, InvalidInquiryInputIsShownAgainEscapedAndNothingIsStored) {
    Browser b;
    Get("/inquiry?lang=en", &b);
    const std::string marks(2001, 'm');
    const auto r = Post("/inquiry", b,
                        {{"lang", "en"},
                         {"sought_name", "<b>Ivan</b> O'Brien"},
                         {"sought_birth_date", "1999-13-01"},
                         {"sought_unit", "3rd \"rifle\" & co"},
                         {"marks", marks}});
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
    EXPECT_TRUE(Has(r.body, "Please check the marked fields. Nothing has been saved."));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-sought_birth_date">Enter the date as YYYY-MM-DD)"));
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-marks">This text is too long; please shorten it.</p>)"));
    // Neither the seeker's contact nor a free text: nobody could answer him.
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-seeker_contact">)"));
    // Every value comes back, escaped.
    EXPECT_TRUE(Has(r.body, "value=\"&lt;b&gt;Ivan&lt;/b&gt; O&#39;Brien\""));
    EXPECT_TRUE(Has(r.body, "value=\"1999-13-01\""));
    EXPECT_TRUE(Has(r.body, "value=\"3rd &quot;rifle&quot; &amp; co\""));
    EXPECT_TRUE(Has(r.body, ">\n" + marks + "</textarea>"));
    EXPECT_FALSE(Has(r.body, "<b>Ivan"));
    EXPECT_EQ(CaseCount(), 0u);

    // Corrected, the same form goes through as an inquiry.
    const auto fixed = Post("/inquiry", b,
                            {{"lang", "en"},
                             {"sought_name", "Ivan"},
                             {"sought_birth_date", "1999-12-01"},
                             {"seeker_contact", "@mother"}});
    ASSERT_EQ(fixed.status, 200) << fixed.body;
    ASSERT_EQ(CaseCount(), 1u);
    EXPECT_EQ(CaseOf(ReceiptIn(fixed.body))->kind, CaseKind::kRelativeInquiry);
}

TEST_F(SiteTest, AReceiptLookupWithoutAValidTokenIsRefusedAndShowsNothing) {
    Browser b;
    const std::string receipt = ReceiptIn(Apply(b, {{"lang", "en"}, {"contact", "@ivan"}}).body);
    ASSERT_FALSE(receipt.empty());
    Get("/followup?lang=en", &b);
    const std::string valid = b.token;
    b.token = ToBase64Url(crypto::RandomBytes(56));
    auto r = Post("/followup", b, {{"receipt", receipt}});
    EXPECT_EQ(r.status, 403);
    EXPECT_TRUE(Has(r.body, "The form has expired"));
    EXPECT_FALSE(Has(r.body, "Your conversation"));
    // No token and no cookie at all.
    Browser stranger;
    r = Post("/followup", stranger, {{"receipt", receipt}}, false);
    EXPECT_EQ(r.status, 403);
    EXPECT_FALSE(Has(r.body, "Your conversation"));
    // With the form's own token it opens.
    b.token = valid;
    r = Post("/followup", b, {{"receipt", receipt}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(Has(r.body, "Your conversation"));
}

// A text far beyond any field's limit (pasted by mistake) is refused as too long, and the rest of
// what was typed comes back, not an empty form.
TEST_F(SiteTest, AnEnormousTextIsRefusedAsTooLongWithTheOtherValuesKept) {
    Browser b;
    Get("/apply?lang=en", &b);
    const auto r = PostMultipart("/apply", b, {{"contact", "@kept"}, {"free_text", std::string(200'000, 'a')}}, {});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "value=\"@kept\""));
    EXPECT_TRUE(Has(r.body, R"(id="e-free_text")")) << "the problem is named at the field";
    EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(SiteTest, TextareaValuesAreEscapedToo) {
    Browser b;
    const auto r =
        Apply(b, {{"lang", "ru"}, {"free_text", "</textarea><script>alert(1)</script>"}, {"group_size", "x"}});
    ASSERT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"));
    EXPECT_TRUE(Has(r.body, "Укажите число от 1 до 500."));
    EXPECT_FALSE(Has(r.body, "<script>"));
}

TEST_F(SiteTest, SubmissionsAreRateLimitedPerClient) {
    Browser b;
    for (int i = 0; i < 5; ++i) {
        const auto r = Apply(b, {{"contact", "person" + std::to_string(i)}});
        ASSERT_EQ(r.status, 200) << i;
    }
    const auto limited = Apply(b, {{"lang", "en"}, {"contact", "person5"}, {"unit", "<kept>"}});
    ASSERT_EQ(limited.status, 429);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(limited.body, m, std::regex(R"(Try again in (\d+) minutes?\.)"))) << limited.body;
    const int minutes = std::stoi(m[1]);
    EXPECT_GE(minutes, 2);
    EXPECT_LE(minutes, 3);
    EXPECT_TRUE(limited.headers.Has("Retry-After"));
    EXPECT_TRUE(Has(limited.body, "value=\"&lt;kept&gt;\""));
    EXPECT_TRUE(Has(limited.body, "value=\"person5\""));
    EXPECT_EQ(CaseCount(), 5u);
    // Another address is not affected; the same one is again after the wait.
    Browser elsewhere;
    elsewhere.peer = "192.0.2.99";
    EXPECT_EQ(Apply(elsewhere, {{"contact", "someone else"}}).status, 200);
    clock_.Advance(std::chrono::minutes(minutes));
    EXPECT_EQ(Apply(b, {{"contact", "person5"}}).status, 200);
}

TEST_F(SiteTest, SubmissionsAreRateLimitedPerContact) {
    const std::vector<std::string> spellings = {"+7 900 000-00-00", "89000000000", "+7 (900) 000 00 00",
                                                "7 900 000 0000"};
    for (std::size_t i = 0; i < spellings.size(); ++i) {
        Browser b;
        b.peer = "192.0.2." + std::to_string(i + 1);
        const auto r = Apply(b, {{"lang", "ru"}, {"contact", spellings[i]}});
        if (i < 3) {
            EXPECT_EQ(r.status, 200) << i;
        } else {
            EXPECT_EQ(r.status, 429);
            EXPECT_TRUE(std::regex_search(r.body, std::regex("Попробуйте снова через \\d+ минут")));
            EXPECT_TRUE(Has(r.body, "Всё, что вы ввели, сохранено ниже."));
        }
    }
    EXPECT_EQ(CaseCount(), 3u);
}

TEST_F(SiteTest, TheSameAnswersWithoutAContactAreLimitedAsOneSenderWould) {
    for (int i = 0; i < 4; ++i) {
        Browser b;
        b.peer = "192.0.2." + std::to_string(i + 1);
        const auto r = Apply(b, {{"lang", "en"}, {"free_text", "the same words"}});
        EXPECT_EQ(r.status, i < 3 ? 200 : 429) << i;
    }
    Browser other;
    other.peer = "192.0.2.50";
    EXPECT_EQ(Apply(other, {{"free_text", "other words"}}).status, 200);
    EXPECT_EQ(CaseCount(), 4u);
}

TEST_F(SiteTest, AFormWithPhotosCountsAgainstTheLimitBeforeItsPhotosAreChecked) {
    Browser b;
    Get("/inquiry?lang=en", &b);
    for (int i = 0; i < 5; ++i) {
        const auto r = PostMultipart("/inquiry", b, {{"seeker_contact", "x"}},
                                     {{"photo", "x.jpg", "image/jpeg", "not a jpeg at all"}});
        EXPECT_EQ(r.status, 422) << i;
    }
    // The sixth is refused before its photo is looked at, valid or not; the values are kept.
    const auto r = PostMultipart("/inquiry", b, {{"seeker_contact", "<x>"}},
                                 {{"photo", "x.png", "image/png", std::string(AsString(samples::PngWithMetadata()))}});
    EXPECT_EQ(r.status, 429);
    EXPECT_TRUE(Has(r.body, "value=\"&lt;x&gt;\""));
    EXPECT_TRUE(Has(r.body, "Please attach the photos again."));
    EXPECT_EQ(CaseCount(), 0u);
}

// ---- inquiries and photos ----

TEST_F(SiteTest, AnInquiryWithPhotosStoresThemWithoutMetadata) {
    Browser b;
    Get("/inquiry?lang=uk", &b);
    const Bytes jpeg = samples::JpegWithMetadata();
    const Bytes png = samples::PngWithMetadata();
    const auto r = PostMultipart("/inquiry", b,
                                 {{"seeker_name", "Олена"},
                                  {"seeker_contact", "olena@example.org"},
                                  {"relation", "дружина"},
                                  {"sought_name", "Іваненко Іван"},
                                  {"sought_birth_date", "1990-05-17"},
                                  {"marks", "шрам на лівій руці"}},
                                 {{"photo", "IMG_0001.JPG", "image/jpeg", std::string(AsString(jpeg))},
                                  {"photo", "scan.png", "application/octet-stream", std::string(AsString(png))}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(Has(r.body, "<html lang=\"uk\">"));
    const std::string receipt = ReceiptIn(r.body);
    ASSERT_FALSE(receipt.empty());
    EXPECT_TRUE(Has(r.body, "Ми перевіримо, чи є відомості"));
    const auto rec = CaseOf(receipt);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->kind, CaseKind::kRelativeInquiry);

    const auto attachments = store_->AttachmentsOfCase(rec->id);
    ASSERT_EQ(attachments.size(), 2u);
    const auto key = CaseKey(receipt);
    std::vector<Bytes> stored;
    for (const auto& a : attachments) {
        const auto full = store_->FindAttachment(a.id);
        ASSERT_TRUE(full);
        auto plain = intake::OpenSealed(rec->id, "attachment", full->ciphertext, &key, {});
        ASSERT_TRUE(plain.ok());
        stored.push_back(*plain);
    }
    EXPECT_EQ(attachments[0].mime, "image/jpeg");
    EXPECT_EQ(attachments[1].mime, "image/png");
    EXPECT_EQ(stored[0], SanitizeImage(jpeg).data);
    EXPECT_EQ(stored[1], SanitizeImage(png).data);
    for (const auto& s : stored) {
        EXPECT_FALSE(samples::Contains(s, "GPS"));
        EXPECT_FALSE(samples::Contains(s, "Location"));
    }
}

TEST_F(SiteTest, AnApplicationTakesPhotosToo) {
    Browser b;
    const auto form = Get("/apply?lang=en", &b);
    EXPECT_TRUE(Has(form.body, R"(enctype="multipart/form-data")"));
    EXPECT_TRUE(Has(form.body, R"(type="file")"));
    const Bytes jpeg = samples::JpegWithMetadata();
    const auto r = PostMultipart("/apply", b, {{"unit", "3rd battalion"}, {"contact", "@someone"}},
                                 {{"photo", "id.jpg", "image/jpeg", std::string(AsString(jpeg))}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string receipt = ReceiptIn(r.body);
    const auto rec = CaseOf(receipt);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->kind, CaseKind::kSurrenderApplication);
    const auto attachments = store_->AttachmentsOfCase(rec->id);
    ASSERT_EQ(attachments.size(), 1u);
    const auto key = CaseKey(receipt);
    auto plain = intake::OpenSealed(rec->id, "attachment", store_->FindAttachment(attachments[0].id)->ciphertext,
                                    &key, {});
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(samples::Contains(*plain, "GPS"));
}

TEST_F(SiteTest, ANonImageNamedJpgIsRejected) {
    Browser b;
    Get("/inquiry?lang=en", &b);
    const auto r = PostMultipart("/inquiry", b, {{"seeker_contact", "<me>"}},
                                 {{"photo", "photo.jpg", "image/jpeg", "MZ this is an executable, not a photo"}});
    ASSERT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, R"(<p class="error" id="e-photo">This file is not a JPEG or PNG photo.)"));
    EXPECT_TRUE(Has(r.body, "Please attach the photos again."));
    EXPECT_TRUE(Has(r.body, "value=\"&lt;me&gt;\""));
    EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(SiteTest, DamagedTooManyAndTooLargePhotosAreRejected) {
    Browser b;
    Get("/inquiry?lang=en", &b);
    Bytes damaged = samples::PngWithMetadata();
    damaged[20] ^= 0xFF;  // inside IHDR: the CRC no longer matches
    auto r = PostMultipart("/inquiry", b, {{"seeker_contact", "x"}},
                           {{"photo", "a.png", "image/png", std::string(AsString(damaged))}});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "The file is damaged"));

    const std::string png(AsString(samples::PngWithMetadata()));
    r = PostMultipart("/inquiry", b, {{"seeker_contact", "x"}},
                      {{"photo", "1.png", "image/png", png},
                       {"photo", "2.png", "image/png", png},
                       {"photo", "3.png", "image/png", png},
                       {"photo", "4.png", "image/png", png}});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "You can attach at most 3 photos."));

    std::string huge(AsString(samples::JpegWithMetadata()));
    huge.resize((5u << 20) + 1, '\0');
    r = PostMultipart("/inquiry", b, {{"seeker_contact", "x"}}, {{"photo", "big.jpg", "image/jpeg", huge}});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "The file is too large: at most 5 MB."));

    // A small file declaring a 100,000 × 1 image.
    const std::string wide(AsString(samples::Concat(
        {samples::PngSignature(), samples::PngChunk("IHDR", samples::Str({0, 1, 0x86, 0xA0, 0, 0, 0, 1, 8, 0, 0, 0, 0})),
         samples::PngIdat(), samples::PngIend()})));
    r = PostMultipart("/inquiry", b, {{"seeker_contact", "x"}}, {{"photo", "wide.png", "image/png", wide}});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "The image has too many pixels.")) << r.body;
    EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(SiteTest, AMalformedMultipartBodyIsABadRequest) {
    Browser b;
    Get("/inquiry?lang=en", &b);
    auto r = Send("POST", "/inquiry", &b, "------x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ntruncated",
                  "multipart/form-data; boundary=----x");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(Has(r.body, "The form arrived damaged."));
    r = Send("POST", "/inquiry", &b, "whatever", "multipart/form-data");
    EXPECT_EQ(r.status, 400);
    r = Send("POST", "/apply", &b, "{}", "application/json");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(CaseCount(), 0u);
}

TEST_F(SiteTest, AnUrlencodedBodyOfTooManyPairsIsABadRequest) {
    Browser b;
    Get("/apply?lang=en", &b);
    Fields fields = {{"contact", "@ivan"}};
    for (int i = 0; i < 38; ++i) fields.emplace_back("x" + std::to_string(i), "1");
    // 39 pairs and the token: 40, the most a form may hold (as a multipart form's parts).
    auto r = Post("/apply", b, fields);
    EXPECT_EQ(r.status, 200) << r.body;
    fields.emplace_back("one_more", "1");
    r = Post("/apply", b, fields);
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(Has(r.body, "The form arrived damaged."));
    EXPECT_EQ(CaseCount(), 1u);
}

// ---- follow-up ----

TEST_F(SiteTest, TheReceiptOpensTheConversation) {
    Browser b;
    const auto applied = Apply(b, {{"contact", "@ivan"}, {"unit", "3rd <rifle>"}, {"group", "alone"}});
    const std::string receipt = ReceiptIn(applied.body);
    ASSERT_FALSE(receipt.empty());
    Get("/followup?lang=en", &b);
    // Typed with spaces instead of dashes.
    std::string typed = receipt;
    std::replace(typed.begin(), typed.end(), '-', ' ');
    const auto r = Post("/followup", b, {{"receipt", typed}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
    EXPECT_TRUE(Has(r.body, "Your conversation"));
    EXPECT_TRUE(Has(r.body, "<dt>Military unit</dt><dd>3rd &lt;rifle&gt;</dd>"));
    EXPECT_TRUE(Has(r.body, "<dt>Alone or with comrades</dt><dd>Alone</dd>"));
    EXPECT_TRUE(Has(r.body, "No answer yet."));
    EXPECT_TRUE(Has(r.body, R"(<input type="hidden" name="receipt" value=")" + receipt + "\">"));
    EXPECT_TRUE(Has(r.body, R"(action="/followup/message" enctype="multipart/form-data")"));
}

// A relative's inquiry answered by the team: the seeker reads the answer status with his receipt,
// in his language, before the conversation; asked again, the old status is no longer shown.
TEST_F(SiteTest, TheSeekerReadsTheAnswerStatusOfHisInquiry) {
    Browser b;
    Get("/inquiry", &b);
    const auto filed = Post("/inquiry", b, {{"sought_name", "Ivan"}, {"seeker_contact", "@mother"}});
    ASSERT_EQ(filed.status, 200) << filed.body;
    const std::string receipt = ReceiptIn(filed.body);
    auto record = CaseOf(receipt);
    ASSERT_TRUE(record);
    const auto look = [&](const std::string& lang) {
        Get("/followup?lang=" + lang, &b);
        return Post("/followup", b, {{"receipt", receipt}});
    };
    const auto move = [&](const std::string& from, const std::string& to, const std::string& answer) {
        store::CaseRecord changed = *record;
        changed.state = to;
        changed.inquiry_answer = answer;
        changed.updated_ms += 1;
        store::CaseEventRecord event;
        event.at_ms = changed.updated_ms;
        event.type = "transition";
        event.from_value = from;
        event.to_value = to;
        ASSERT_TRUE(store_->UpdateCase(*record, changed, event).ok());
        record = CaseOf(receipt);
    };

    auto r = look("en");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(Has(r.body, "Answer to your inquiry"));
    EXPECT_TRUE(Has(r.body, "No answer yet."));

    move("new", "inquiry", "none");
    move("inquiry", "answered", "probably_captive");
    r = look("en");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(Has(r.body, "<h2>Answer to your inquiry</h2>\n<p class=\"notice\">This person is probably in captivity.</p>"));
    EXPECT_FALSE(Has(r.body, "No answer yet."));
    EXPECT_LT(r.body.find("Answer to your inquiry"), r.body.find("<ol class=\"conversation\">"));
    r = look("ru");
    EXPECT_TRUE(Has(r.body, "Ответ на ваш запрос"));
    EXPECT_TRUE(Has(r.body, "Этот человек, вероятно, в плену."));
    r = look("uk");
    EXPECT_TRUE(Has(r.body, "Ця людина, ймовірно, в полоні."));

    // Asked again: back in the inquiry state, the old status is not shown as the answer.
    move("answered", "inquiry", "probably_captive");
    r = look("en");
    EXPECT_FALSE(Has(r.body, "Answer to your inquiry"));
    EXPECT_FALSE(Has(r.body, "probably in captivity"));

    // Every answer status of DOMAIN.md has its own text in every language.
    for (Lang lang : AllLangs()) {
        std::set<std::string_view> texts;
        for (const char* status :
             {"no_data", "data_without_captivity_info", "probably_captive", "captivity_confirmed", "released_in_exchange"}) {
            const auto it = StringsFor(lang).options.find("answer." + std::string(status));
            ASSERT_NE(it, StringsFor(lang).options.end()) << status;
            texts.insert(it->second);
        }
        EXPECT_EQ(texts.size(), 5u);
        EXPECT_FALSE(StringsFor(lang).inquiry_answer_title.empty());
    }
}

TEST_F(SiteTest, AWrongReceiptGetsOneGenericAnswer) {
    Browser b;
    ASSERT_FALSE(ReceiptIn(Apply(b, {{"contact", "@someone"}}).body).empty());
    Get("/followup?lang=en", &b);
    const auto unknown = Post("/followup", b, {{"receipt", "13579-24680-13579-24680-13579"}});
    const auto garbage = Post("/followup", b, {{"receipt", "<script>1</script>"}});
    const auto empty = Post("/followup", b, {{"receipt", ""}});
    EXPECT_EQ(unknown.status, 200);
    EXPECT_TRUE(Has(unknown.body, "We could not find a conversation for this code. Check the digits."));
    EXPECT_EQ(unknown.body, garbage.body);
    EXPECT_EQ(unknown.body, empty.body);
    EXPECT_EQ(unknown.status, garbage.status);
    EXPECT_FALSE(Has(unknown.body, "13579"));
    EXPECT_FALSE(Has(garbage.body, "script>1"));
}

TEST_F(SiteTest, LookupsAreRateLimitedPerClient) {
    Browser b;
    Get("/followup?lang=en", &b);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(Post("/followup", b, {{"receipt", "1"}}).status, 200) << i;
    const auto r = Post("/followup", b, {{"receipt", "11111"}});
    EXPECT_EQ(r.status, 429);
    EXPECT_TRUE(std::regex_search(r.body, std::regex(R"(Try again in \d+ minutes?\.)")));
    EXPECT_TRUE(Has(r.body, "value=\"11111\""));
}

TEST_F(SiteTest, AMessageIsAddedAndRepliesAppear) {
    Browser b;
    const std::string receipt = ReceiptIn(Apply(b, {{"lang", "en"}, {"contact", "@ivan"}}).body);
    ASSERT_FALSE(receipt.empty());
    Get("/followup?lang=en", &b);
    clock_.Advance(1h);
    const std::string png(AsString(samples::PngWithMetadata()));
    auto r = PostMultipart("/followup/message", b, {{"receipt", receipt}, {"message", "I am at the front now <now>"}},
                           {{"photo", "where.png", "image/png", png}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(Has(r.body, "Your message has been sent."));
    EXPECT_TRUE(Has(r.body, "I am at the front now &lt;now&gt;"));
    EXPECT_TRUE(Has(r.body, "Your message"));
    const auto rec = CaseOf(receipt);
    ASSERT_TRUE(rec);
    EXPECT_EQ(store_->AttachmentsOfCase(rec->id).size(), 1u);

    // An operator answers (written as the console would: sealed under the case key).
    const auto key = CaseKey(receipt);
    store::MessageRecord reply;
    reply.case_id = rec->id;
    reply.kind = "reply";
    reply.channel = Channel::kWeb;
    reply.created_ms = ToUnixMillis(clock_.Now());
    reply.ciphertext =
        intake::SealWithCaseKey(key, rec->id, "message", AsBytes(intake::EncodePayload({}, "We read you")));
    ASSERT_TRUE(store_->AppendMessage(reply, std::nullopt, reply.created_ms).ok());
    store::MessageRecord note = reply;
    note.kind = "note";
    note.ciphertext = intake::SealWithCaseKey(key, rec->id, "message", AsBytes(intake::EncodePayload({}, "internal")));
    ASSERT_TRUE(store_->AppendMessage(note, std::nullopt, note.created_ms).ok());

    r = Post("/followup", b, {{"receipt", receipt}});
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(Has(r.body, "Operator&#39;s answer"));
    EXPECT_TRUE(Has(r.body, "We read you"));
    EXPECT_FALSE(Has(r.body, "internal"));
    EXPECT_FALSE(Has(r.body, "No answer yet."));
}

TEST_F(SiteTest, AnEmptyOrBadMessageIsRefusedAndKept) {
    Browser b;
    const std::string receipt = ReceiptIn(Apply(b, {{"lang", "en"}, {"contact", "@ivan"}}).body);
    Get("/followup?lang=en", &b);
    auto r = PostMultipart("/followup/message", b, {{"receipt", receipt}, {"message", "   "}}, {});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "Write a message or attach a photo."));
    EXPECT_TRUE(Has(r.body, "Your conversation"));

    r = PostMultipart("/followup/message", b, {{"receipt", receipt}, {"message", "<keep me>"}},
                      {{"photo", "x.jpg", "image/jpeg", "not a jpeg"}});
    EXPECT_EQ(r.status, 422);
    EXPECT_TRUE(Has(r.body, "&lt;keep me&gt;</textarea>"));
    EXPECT_TRUE(Has(r.body, "This file is not a JPEG or PNG photo."));
    EXPECT_EQ(intake_->ReadConversation(receipt)->entries.size(), 1u);

    // Without a valid token: refused, the message kept for sending again.
    b.token = "forged";
    r = PostMultipart("/followup/message", b, {{"receipt", receipt}, {"message", "<keep me>"}}, {});
    EXPECT_EQ(r.status, 403);
    EXPECT_TRUE(Has(r.body, "&lt;keep me&gt;</textarea>"));
    EXPECT_TRUE(Has(r.body, "The form has expired"));
    EXPECT_FALSE(Has(r.body, "Your application"));  // the conversation is not shown without a valid form
    EXPECT_EQ(intake_->ReadConversation(receipt)->entries.size(), 1u);
    r = PostMultipart("/followup/message", b, {{"receipt", receipt}, {"message", "now it goes"}}, {});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(intake_->ReadConversation(receipt)->entries.size(), 2u);
}

TEST_F(SiteTest, AMessageWithAWrongReceiptGetsTheGenericAnswer) {
    Browser b;
    Get("/followup?lang=en", &b);
    const auto r = PostMultipart("/followup/message", b,
                                 {{"receipt", "12345-67890-12345-67890-12345"}, {"message", "hello"}}, {});
    EXPECT_EQ(r.status, 200);
    const auto lookup = Post("/followup", b, {{"receipt", "99999-99999-99999-99999-99999"}});
    EXPECT_EQ(r.body, lookup.body);
    EXPECT_EQ(CaseCount(), 0u);
}

// One receipt adds at most messages_per_receipt (10 an hour) messages, from any address; a
// wrong receipt is limited exactly alike, so the limit tells nothing about whether it is one.
TEST_F(SiteTest, MessagesAreLimitedPerReceiptFromAnyAddress) {
    Browser applicant;
    const std::string receipt = ReceiptIn(Apply(applicant, {{"lang", "en"}, {"contact", "@ivan"}}).body);
    ASSERT_FALSE(receipt.empty());
    const std::string wrong = "12345-67890-12345-67890-12345";
    for (const std::string& r : {receipt, wrong}) {
        SCOPED_TRACE(r);
        std::vector<int> statuses;
        for (int i = 0; i < 11; ++i) {
            Browser b;
            b.peer = "2001:db8:" + std::to_string(i) + "::1";
            Get("/followup?lang=en", &b);
            statuses.push_back(PostMultipart("/followup/message", b, {{"receipt", r}, {"message", "hello"}}, {}).status);
        }
        std::vector<int> expected(10, 200);
        expected.push_back(429);
        EXPECT_EQ(statuses, expected);
    }
    EXPECT_EQ(intake_->ReadConversation(receipt)->entries.size(), 11u);  // the application and ten messages
    clock_.Advance(std::chrono::minutes(7));
    Browser later;
    later.peer = "192.0.2.77";
    Get("/followup?lang=en", &later);
    EXPECT_EQ(PostMultipart("/followup/message", later, {{"receipt", receipt}, {"message", "again"}}, {}).status, 200);
}

}  // namespace
}  // namespace lifeline::public_site
