// The contact queue survives a crash of the real binary: applicants fill in the public form while
// no operator is on the line, `lifeline serve` is killed with SIGKILL, started again on the same
// data directory, and every contact still waits with its original clocks.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <thread>

#include "app/process.hpp"
#include "auth/totp.hpp"
#include "core/clock.hpp"
#include "http_client.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// Every cookie a response sets, as a Cookie header value ("a=1; b=2").
std::string CookiesOf(const HttpReply& r) {
    std::string head = r.head;
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string cookies;
    for (std::size_t pos = 0; (pos = head.find("\r\nset-cookie: ", pos)) != std::string::npos;) {
        pos += 14;
        const auto end = r.head.find_first_of(";\r", pos);
        cookies += (cookies.empty() ? "" : "; ") + r.head.substr(pos, end - pos);
    }
    return cookies;
}

json::object Parse(const HttpReply& r) {
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object()) return {};
    return v.as_object();
}

class QueueRestartTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto init = RunLifeline({"init", "--data", data_});
        ASSERT_EQ(init.exit_code, 0) << init.err;
        const std::string admin_password = Field(init.out, "one-time password");
        auto add = RunLifeline({"user", "add", "--data", data_, "--username", "mila", "--role", "supervisor"}, "",
                               {{"LIFELINE_ADMIN_PASSWORD", admin_password}});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        supervisor_password_ = Field(add.out, "one-time password");
        // Every applicant comes from 127.0.0.1 here: lift the per-client limit.
        config_ = dir_ / "lifeline.toml";
        FILE* f = std::fopen(config_.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("[server]\nlisten = \"127.0.0.1:0\"\n[site]\nsubmissions_per_client = 1000\n", f);
        std::fclose(f);
    }

    std::unique_ptr<ServerProcess> Serve() {
        auto server =
            std::make_unique<ServerProcess>(std::vector<std::string>{"serve", "--data", data_, "--config", config_});
        EXPECT_GT(server->port(), 0) << server->Stderr();
        return server;
    }

    HttpReply Api(int port, const std::string& method, const std::string& target, const std::string& body = "") {
        std::map<std::string, std::string> headers{{"Cookie", cookie_}};
        if (method != "GET") headers["X-CSRF-Token"] = csrf_;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        return Fetch(port, method, target, headers, body);
    }

    /// The supervisor's first login over HTTP: one-time password, new password, TOTP enrolment.
    void LogIn(int port) {
        auto login = Fetch(port, "POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}},
                           R"({"username":"mila","password":")" + supervisor_password_ + R"("})");
        ASSERT_EQ(login.status, 200) << login.body;
        cookie_ = CookiesOf(login);
        csrf_ = std::string(Parse(login).at("csrf_token").as_string());
        auto changed = Api(
            port, "POST", "/api/v1/auth/password",
            R"({"current_password":")" + supervisor_password_ + R"(","new_password":"a long new password for mila"})");
        ASSERT_EQ(changed.status, 200) << changed.body;
        auto enrol = Api(port, "POST", "/api/v1/auth/totp/enrol");
        ASSERT_EQ(enrol.status, 200) << enrol.body;
        auto secret = auth::Base32Decode(std::string(Parse(enrol).at("secret").as_string()));
        ASSERT_TRUE(secret);
        const std::string code = auth::TotpCode(*secret, SystemClock::Instance().Now());
        auto confirmed = Api(port, "POST", "/api/v1/auth/totp/confirm", R"({"code":")" + code + R"("})");
        ASSERT_EQ(confirmed.status, 200) << confirmed.body;
        ASSERT_EQ(Parse(confirmed).at("stage"), "active");
    }

    /// An applicant: loads the form page (its cookie and token), then posts the form.
    void Apply(int port, const std::string& path, const std::string& lang, const std::string& text) {
        auto page = Fetch(port, "GET", path + "?lang=" + lang);
        ASSERT_EQ(page.status, 200);
        std::smatch m;
        ASSERT_TRUE(std::regex_search(page.body, m, std::regex(R"re(name="csrf_token" value="([^"]+)")re")));
        const std::string form = "csrf_token=" + UrlEncode(m[1].str()) + "&lang=" + lang + "&free_text=" + UrlEncode(text);
        auto r = Fetch(port, "POST", path,
                       {{"Cookie", CookiesOf(page)}, {"Content-Type", "application/x-www-form-urlencoded"}}, form);
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
        ASSERT_NE(r.body.find("class=\"receipt\""), std::string::npos);
    }

    TempDir dir_;
    std::string data_ = dir_ / "data";
    std::string config_;
    std::string supervisor_password_;
    std::string cookie_;
    std::string csrf_;
};

struct Waiting {
    std::int64_t id = 0;
    std::int64_t case_id = 0;
    std::string language, kind;
    std::int64_t entered_at = 0, queued_at = 0;
    bool operator==(const Waiting&) const = default;
};

std::vector<Waiting> WaitingOf(const json::object& list) {
    std::vector<Waiting> out;
    for (const auto& e : list.at("items").as_array()) {
        out.push_back({e.at("id").as_int64(), e.at("case_id").as_int64(), std::string(e.at("language").as_string()),
                       std::string(e.at("kind").as_string()), e.at("entered_at").as_int64(),
                       e.at("queued_at").as_int64()});
    }
    return out;
}

TEST_F(QueueRestartTest, ContactsKeepWaitingWithTheirClocksAfterAKill) {
    auto server = Serve();
    const int port = server->port();
    ASSERT_GT(port, 0);
    LogIn(port);  // the supervisor reads the line; he does not take contacts (no presence set)

    const std::vector<std::tuple<std::string, std::string, std::string>> contacts = {
        {"/apply", "ru", "Хочу сдаться"}, {"/inquiry", "uk", "Шукаю сина"}, {"/apply", "en", "How does it work?"},
        {"/apply", "uk", "Хочу жити"},    {"/inquiry", "ru", "Ищу мужа"},
    };
    for (const auto& [path, lang, text] : contacts) {
        Apply(port, path, lang, text);
        std::this_thread::sleep_for(30ms);  // distinct enter times
    }
    auto list = Api(port, "GET", "/api/v1/queue/waiting");
    ASSERT_EQ(list.status, 200) << list.body;
    const std::vector<Waiting> before = WaitingOf(Parse(list));
    ASSERT_EQ(before.size(), contacts.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(before[i].id, static_cast<std::int64_t>(i + 1));  // in arrival order
        EXPECT_EQ(before[i].language, std::get<1>(contacts[i]));
        EXPECT_EQ(before[i].kind, std::get<0>(contacts[i]) == "/apply" ? "surrender_application" : "relative_inquiry");
        EXPECT_GT(before[i].case_id, 0);
        EXPECT_EQ(before[i].queued_at, before[i].entered_at);
        if (i > 0) {
            EXPECT_GT(before[i].entered_at, before[i - 1].entered_at);
        }
    }
    auto board = Parse(Api(port, "GET", "/api/v1/wallboard"));
    ASSERT_EQ(board.at("waiting").as_int64(), 5);
    const std::int64_t longest_before = board.at("longest_wait_ms").as_int64();
    EXPECT_EQ(longest_before, board.at("at").as_int64() - before[0].queued_at);

    // A crash: no drain, no clean shutdown.
    EXPECT_EQ(server->Stop(SIGKILL), 128 + SIGKILL);
    server.reset();
    std::this_thread::sleep_for(300ms);  // time passes while the line is down

    server = Serve();
    const int port2 = server->port();
    ASSERT_GT(port2, 0);
    // The session is kept in the store: the same cookie still works.
    list = Api(port2, "GET", "/api/v1/queue/waiting");
    ASSERT_EQ(list.status, 200) << list.body;
    const std::vector<Waiting> after = WaitingOf(Parse(list));
    EXPECT_EQ(after, before);
    board = Parse(Api(port2, "GET", "/api/v1/wallboard"));
    EXPECT_EQ(board.at("waiting").as_int64(), 5);
    // The longest wait still runs from the first applicant's arrival, across the downtime.
    const std::int64_t longest_after = board.at("longest_wait_ms").as_int64();
    EXPECT_EQ(longest_after, board.at("at").as_int64() - before[0].queued_at);
    EXPECT_GE(longest_after, longest_before + 300);
    EXPECT_EQ(board.at("today").at("offered").as_int64(), 5);
    EXPECT_EQ(board.at("today").at("abandoned").as_int64(), 0);

    // The first operator on the line after the restart is offered the oldest contacts first.
    auto presence = Api(port2, "POST", "/api/v1/queue/presence", R"({"presence":"available"})");
    ASSERT_EQ(presence.status, 200) << presence.body;
    auto mine = Parse(Api(port2, "GET", "/api/v1/queue/mine"));
    std::vector<std::int64_t> offered;
    for (const auto& e : mine.at("offers").as_array()) offered.push_back(e.at("id").as_int64());
    EXPECT_EQ(offered, (std::vector<std::int64_t>{1, 2, 3}));  // three chats at a time by default
    EXPECT_GE(mine.at("offers").at(0).at("wait_ms").as_int64(), longest_after);
    EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace lifeline::testing
