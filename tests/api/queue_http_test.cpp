// The contact queue through the real HTTP path: a server on a loopback port serving the public
// site and the API, applicants filling in the public forms, operators with different skills and
// presence taking offers over the API, and the wallboard's figures checked against the
// definitions of DOMAIN.md ("Helpline metrics"). A fake clock makes every wait exact.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>

#include "api_fixture.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "intake/intake_service.hpp"
#include "public_site/public_site.hpp"

namespace lifeline::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class QueueHttpTest : public ApiFixture {
protected:
    void SetUp() override {
        AuthFixture::SetUp();
        queue::QueueServiceConfig qc;  // without the timer: every call applies the fake clock
        qc.engine.max_chats = 1;
        qc.engine.wrap_up = 0ms;
        qc.engine.offer_timeout = 60s;
        qc.engine.overflow_after = 10min;
        qc.service_level = 20s;
        StartApi(qc, true);  // what main.cpp wires: every committed intake enters the queue
        public_site::PublicSiteConfig site_config;
        site_config.submissions_per_client.count = 1000;  // every applicant comes from 127.0.0.1 here
        site_ = std::make_unique<public_site::PublicSite>(
            *intake_, clock_, crypto::DeriveKey(secrets_.session_key, "public-site"), site_config);
        site_->Register(router_);
        http::ServerConfig sc;
        sc.listen = "127.0.0.1:0";
        sc.io_threads = 1;
        sc.worker_threads = 2;
        server_ = std::make_unique<http::Server>(sc, router_, metrics_);
        server_->Start();
        port_ = server_->port();
    }

    void TearDown() override {
        if (server_) server_->Stop();
    }

    HttpReply Api(const std::string& method, const std::string& target, const Session& s,
                  const std::string& body = "") {
        std::map<std::string, std::string> headers{{"Cookie", api::SessionCookieName(deps_->config) + "=" + s.token}};
        if (method != "GET") headers["X-CSRF-Token"] = s.csrf;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        return Fetch(port_, method, target, headers, body);
    }
    json::object ApiJson(const std::string& method, const std::string& target, const Session& s,
                         const std::string& body = "") {
        auto r = Api(method, target, s, body);
        EXPECT_EQ(r.status, 200) << method << " " << target << ": " << r.body;
        json::error_code ec;
        auto v = json::parse(r.body, ec);
        if (ec || !v.is_object()) return {};
        return v.as_object();
    }

    /// Stores an account's queue skills the way a team does: PUT /users/{id}/skills.
    void SetSkills(const Session& who, const std::string& body) {
        auto r = Api("PUT", "/api/v1/users/" + who.id.ToString() + "/skills", Admin(), body);
        ASSERT_EQ(r.status, 200) << body << ": " << r.body;
    }

    /// What an applicant does: loads the form page (cookie and token), then posts it.
    void ApplyOnTheSite(const std::string& path, const std::string& lang, const std::string& text) {
        auto page = Fetch(port_, "GET", path + "?lang=" + lang);
        ASSERT_EQ(page.status, 200);
        std::string cookies;
        std::string head = page.head;
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (std::size_t pos = 0; (pos = head.find("\r\nset-cookie: ", pos)) != std::string::npos;) {
            pos += 14;
            const auto end = page.head.find_first_of(";\r", pos);
            cookies += (cookies.empty() ? "" : "; ") + page.head.substr(pos, end - pos);
        }
        std::smatch m;
        ASSERT_TRUE(std::regex_search(page.body, m, std::regex(R"re(name="csrf_token" value="([^"]+)")re")));
        const std::string form = "csrf_token=" + UrlEncode(m[1].str()) + "&lang=" + lang + "&free_text=" + UrlEncode(text);
        auto r = Fetch(port_, "POST", path,
                       {{"Cookie", cookies}, {"Content-Type", "application/x-www-form-urlencoded"}}, form);
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 2000);
        ASSERT_NE(r.body.find("class=\"receipt\""), std::string::npos);
    }

    std::vector<std::int64_t> Ids(const json::value& items) {
        std::vector<std::int64_t> ids;
        for (const auto& e : items.as_array()) ids.push_back(e.at("id").as_int64());
        return ids;
    }
    /// The ids of the contacts offered to an operator right now, from GET /queue/mine.
    std::vector<std::int64_t> Offers(const Session& s) {
        return Ids(ApiJson("GET", "/api/v1/queue/mine", s).at("offers"));
    }
    int Act(const Session& s, std::int64_t entry, const std::string& verb) {
        return Api("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/" + verb, s).status;
    }

    std::unique_ptr<public_site::PublicSite> site_;
    http::Metrics metrics_;
    std::unique_ptr<http::Server> server_;
    int port_ = 0;
};

// Three operators with different skills, a supervisor away from the line, and a burst of seven
// contacts: applications and inquiries in Russian, Ukrainian and English from the public site,
// and one priority message. Who gets which offer, in what order, and the day's figures.
TEST_F(QueueHttpTest, ABurstIsRoutedBySkillIdleTimeAndPriorityAndTheWallboardAddsUp) {
    const Session olena = AddAccount("olena", Role::kOperator);  // uk, ru; applications
    const Session petro = AddAccount("petro", Role::kOperator);  // ru; applications and inquiries
    const Session iryna = AddAccount("iryna", Role::kOperator);  // en, uk; both kinds
    const Session sup = AddAccount("sup", Role::kSupervisor);
    const TimePoint t0 = clock_.Now();
    auto at = [&](int seconds) { clock_.Set(t0 + std::chrono::seconds(seconds)); };
    const auto apply = CaseKind::kSurrenderApplication;
    const auto inquiry = CaseKind::kRelativeInquiry;

    // Skills are stored on each account by the administrator; an operator joins the queue with
    // his when he sets a presence over HTTP (no kinds stored: every kind).
    SetSkills(olena, R"({"languages":["uk","ru"],"kinds":["surrender_application"]})");
    SetSkills(petro, R"({"languages":["ru"],"kinds":[]})");
    SetSkills(iryna, R"({"languages":["en","uk"],"kinds":["surrender_application","relative_inquiry"]})");
    at(0);
    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", olena, R"({"presence":"available"})").at("presence"),
              "available");
    at(1);
    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", petro, R"({"presence":"available"})").at("presence"),
              "available");
    at(2);
    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", iryna, R"({"presence":"busy"})").at("presence"), "busy");
    EXPECT_EQ(queue_->Operator(olena.id)->skills.languages, (std::set<std::string>{"ru", "uk"}));
    EXPECT_EQ(queue_->Operator(olena.id)->skills.kinds, (std::set<CaseKind>{apply}));
    EXPECT_EQ(queue_->Operator(petro.id)->skills.kinds, (std::set<CaseKind>{apply, inquiry}));
    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", sup, R"({"presence":"away"})").at("presence"), "away");

    // The burst, one a second. Entry ids follow arrival.
    at(10);
    ApplyOnTheSite("/apply", "ru", "Хочу сдаться");  // 1: ru application → olena (idle longest)
    at(11);
    ApplyOnTheSite("/inquiry", "uk", "Шукаю чоловіка");  // 2: uk inquiry → only iryna could: busy
    at(12);
    ApplyOnTheSite("/apply", "en", "How does it work?");  // 3: en application → only iryna: busy
    at(13);
    ApplyOnTheSite("/apply", "uk", "Хочу жити");  // 4: uk application → olena is full, iryna busy
    at(14);
    ApplyOnTheSite("/inquiry", "ru", "Ищу сына");  // 5: ru inquiry → petro
    at(15);
    ApplyOnTheSite("/apply", "ru", "Как связаться?");  // 6: ru application → olena and petro full
    EXPECT_EQ(Offers(olena), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(Offers(petro), (std::vector<std::int64_t>{5}));
    EXPECT_TRUE(Offers(iryna).empty());
    auto waiting = ApiJson("GET", "/api/v1/queue/waiting", petro);
    EXPECT_EQ(Ids(waiting.at("items")), (std::vector<std::int64_t>{2, 3, 4, 6}));
    const auto& first = waiting.at("items").at(0);
    EXPECT_EQ(first.at("language"), "uk");
    EXPECT_EQ(first.at("kind"), "relative_inquiry");
    EXPECT_EQ(first.at("channel"), "web");
    EXPECT_EQ(first.at("wait_ms").as_int64(), 4000);
    EXPECT_EQ(Act(petro, 1, "accept"), 409);  // not his offer

    at(16);
    EXPECT_EQ(Act(olena, 1, "accept"), 200);  // waited 6 s
    at(17);
    EXPECT_EQ(Act(petro, 5, "accept"), 200);  // 3 s
    at(20);
    // iryna becomes available: the oldest contact she can take is the Ukrainian inquiry.
    ApiJson("POST", "/api/v1/queue/presence", iryna, R"({"presence":"available"})");
    EXPECT_EQ(Offers(iryna), (std::vector<std::int64_t>{2}));
    at(21);
    EXPECT_EQ(Act(iryna, 2, "accept"), 200);  // 10 s

    // A priority message (entered by the line, not the site) goes ahead of older contacts.
    at(25);
    queue::Contact urgent;
    urgent.channel = Channel::kTelegram;
    urgent.language = "ru";
    urgent.priority = 1;
    ASSERT_EQ(queue_->Enter(urgent)->value, 7);
    waiting = ApiJson("GET", "/api/v1/queue/waiting", sup);
    EXPECT_EQ(Ids(waiting.at("items")), (std::vector<std::int64_t>{7, 3, 4, 6}));
    auto board = ApiJson("GET", "/api/v1/wallboard", sup);
    EXPECT_EQ(board.at("waiting").as_int64(), 4);
    EXPECT_EQ(board.at("longest_wait_ms").as_int64(), 13'000);  // entry 3, since 12 s
    EXPECT_EQ(board.at("connected").as_int64(), 3);
    EXPECT_EQ(board.at("operators").at("available").as_int64(), 3);  // chats full, a call could still come
    EXPECT_EQ(board.at("operators").at("away").as_int64(), 1);

    // Operators free up; each gets the first waiting contact he has the skills for.
    at(30);
    EXPECT_EQ(Act(olena, 1, "complete"), 200);
    EXPECT_EQ(Offers(olena), (std::vector<std::int64_t>{7}));  // priority first
    at(31);
    EXPECT_EQ(Act(olena, 7, "accept"), 200);  // 6 s
    at(32);
    EXPECT_EQ(Act(petro, 5, "complete"), 200);
    EXPECT_EQ(Offers(petro), (std::vector<std::int64_t>{6}));  // 3 (en) and 4 (uk) are not his
    at(34);
    EXPECT_EQ(Act(iryna, 2, "complete"), 200);
    EXPECT_EQ(Offers(iryna), (std::vector<std::int64_t>{3}));  // the older of 3 and 4
    at(35);
    EXPECT_EQ(Act(petro, 6, "accept"), 200);  // 20 s: within the service level (at most T)
    at(36);
    EXPECT_EQ(Act(iryna, 3, "accept"), 200);  // 24 s: outside it
    auto mine = ApiJson("GET", "/api/v1/queue/mine", iryna);
    EXPECT_EQ(Ids(mine.at("active")), (std::vector<std::int64_t>{3}));
    EXPECT_EQ(mine.at("active").at(0).at("wait_ms").as_int64(), 24'000);

    // Entry 4 has been left waiting; the supervisor marks it gone after 27 s.
    at(40);
    auto r = Api("POST", "/api/v1/queue/entries/4/abandon", sup);
    ASSERT_EQ(r.status, 200) << r.body;
    at(50);
    EXPECT_EQ(Act(olena, 7, "complete"), 200);
    EXPECT_EQ(Act(petro, 6, "complete"), 200);
    EXPECT_EQ(Act(iryna, 3, "complete"), 200);

    board = ApiJson("GET", "/api/v1/wallboard", sup);
    EXPECT_EQ(board.at("waiting").as_int64(), 0);
    EXPECT_EQ(board.at("longest_wait_ms").as_int64(), 0);
    EXPECT_EQ(board.at("connected").as_int64(), 0);
    EXPECT_EQ(board.at("operators").at("available").as_int64(), 3);
    const auto& today = board.at("today");
    EXPECT_EQ(today.at("offered").as_int64(), 7);   // contacts that entered the queue
    EXPECT_EQ(today.at("answered").as_int64(), 6);  // connected to an operator
    EXPECT_EQ(today.at("answered_within_service_level").as_int64(), 5);
    EXPECT_EQ(today.at("abandoned").as_int64(), 1);        // entry 4
    EXPECT_EQ(today.at("short_abandoned").as_int64(), 0);  // it waited 27 s
    EXPECT_EQ(today.at("callbacks").as_int64(), 0);
    EXPECT_DOUBLE_EQ(today.at("service_level").as_double(), 5.0 / 6);  // SL(20 s)
    EXPECT_DOUBLE_EQ(today.at("asa_seconds").as_double(), (6 + 3 + 10 + 6 + 20 + 24) / 6.0);
    EXPECT_DOUBLE_EQ(today.at("abandon_rate").as_double(), 1.0 / 7);

    // Each application is a case, and the queue log names them: the waits were the applicants'.
    EXPECT_EQ(store_->ListCases({}).size(), 6u);
    std::vector<std::string> answered_cases;
    for (const auto& e : store_->ReadQueueEvents(1, 1000))
        if (e.type == "connect") answered_cases.push_back(std::to_string(e.entry_id) + ":" + e.kind + ":" + e.language);
    EXPECT_EQ(answered_cases, (std::vector<std::string>{"1:surrender_application:ru", "5:relative_inquiry:ru",
                                                        "2:relative_inquiry:uk", "7:surrender_application:ru",
                                                        "6:surrender_application:ru", "3:surrender_application:en"}));
}

// Skills stored on the account decide what an operator is offered: a Ukrainian-speaking
// operator gets the Ukrainian contact, not the older Russian one. An administrator's change
// reaches the queue at the operator's next presence change; a coordinator (no queue.take) cannot
// join the queue at all, and has no skills to set.
TEST_F(QueueHttpTest, StoredSkillsRouteContactsByLanguage) {
    const Session oksana = AddAccount("oksana", Role::kOperator);
    const Session sup = AddAccount("sup", Role::kSupervisor);
    const Session taras = AddAccount("taras", Role::kCoordinator);
    const TimePoint t0 = clock_.Now();
    auto at = [&](int seconds) { clock_.Set(t0 + std::chrono::seconds(seconds)); };

    auto r = Api("PUT", "/api/v1/users/" + oksana.id.ToString() + "/skills", Admin(),
                 R"({"languages":["uk"],"kinds":[]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto user = json::parse(r.body).as_object();
    EXPECT_EQ(user.at("id").as_int64(), oksana.id.value);
    EXPECT_EQ(user.at("skills").at("languages"), json::array{"uk"});
    EXPECT_EQ(user.at("skills").at("kinds"), json::array{});
    r = Api("PUT", "/api/v1/users/" + taras.id.ToString() + "/skills", Admin(), R"({"languages":["uk"],"kinds":[]})");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(Api("POST", "/api/v1/queue/presence", taras, R"({"presence":"available"})").status, 403);

    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", oksana, R"({"presence":"available"})").at("presence"),
              "available");
    at(1);
    ApplyOnTheSite("/apply", "ru", "Хочу сдаться");  // 1: Russian, first in line
    at(2);
    ApplyOnTheSite("/apply", "uk", "Хочу жити");  // 2: Ukrainian
    EXPECT_EQ(Offers(oksana), (std::vector<std::int64_t>{2}));
    EXPECT_EQ(Ids(ApiJson("GET", "/api/v1/queue/waiting", sup).at("items")), (std::vector<std::int64_t>{1}));
    at(3);
    EXPECT_EQ(Act(oksana, 2, "accept"), 200);
    at(4);
    EXPECT_EQ(Act(oksana, 2, "complete"), 200);
    EXPECT_TRUE(Offers(oksana).empty());  // free, but the Russian contact is not for her

    // The supervisor adds Russian while she is in the queue: it applies when she next sets a
    // presence, and then the Russian contact is hers.
    at(5);
    r = Api("PUT", "/api/v1/users/" + oksana.id.ToString() + "/skills", sup, R"({"languages":["uk","ru"],"kinds":[]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(queue_->Operator(oksana.id)->skills.languages, (std::set<std::string>{"uk"}));
    EXPECT_TRUE(Offers(oksana).empty());
    EXPECT_EQ(ApiJson("POST", "/api/v1/queue/presence", oksana, R"({"presence":"available"})").at("presence"),
              "available");
    EXPECT_EQ(queue_->Operator(oksana.id)->skills.languages, (std::set<std::string>{"ru", "uk"}));
    EXPECT_EQ(Offers(oksana), (std::vector<std::int64_t>{1}));

    // The users list shows what is stored; the wallboard counts no coordinator.
    auto users = ApiJson("GET", "/api/v1/users", sup).at("items").as_array();
    for (const auto& u : users) {
        const auto& langs = u.at("skills").at("languages");
        EXPECT_EQ(langs, u.at("id").as_int64() == oksana.id.value ? json::value(json::array{"ru", "uk"})
                                                                   : json::value(json::array{}))
            << u;
    }
    EXPECT_EQ(ApiJson("GET", "/api/v1/wallboard", sup).at("operators").at("available").as_int64(), 1);
    EXPECT_FALSE(queue_->Operator(taras.id).has_value());

    std::vector<std::string> audited;
    for (const auto& a : store_->ReadAudit(1, 1000))
        if (a.action == "user.skills") audited.push_back(a.target + " by " + std::to_string(a.actor) + " " + a.detail);
    EXPECT_EQ(audited, (std::vector<std::string>{
                           "user:" + oksana.id.ToString() + " by " + Admin().id.ToString() + " languages=uk kinds=",
                           "user:" + oksana.id.ToString() + " by " + sup.id.ToString() + " languages=ru,uk kinds=",
                       }));
}

// A contact waiting for a skill nobody on shift has is not stuck: a callback request keeps its
// place and does not count as an abandon, and a transfer to another skill finds an operator.
TEST_F(QueueHttpTest, CallbackAndTransferOverHttp) {
    const Session olena = AddAccount("olena", Role::kOperator);
    const Session sup = AddAccount("sup", Role::kSupervisor);
    queue_->Login(olena.id, queue::OperatorSkills{{"ru"}, {CaseKind::kSurrenderApplication}, {}});
    const TimePoint t0 = clock_.Now();
    auto at = [&](int seconds) { clock_.Set(t0 + std::chrono::seconds(seconds)); };
    at(5);
    ApplyOnTheSite("/inquiry", "en", "Looking for my brother");  // 1: nobody has en inquiries
    at(6);
    ApplyOnTheSite("/apply", "en", "I want to live");  // 2: nor en applications
    EXPECT_TRUE(Offers(olena).empty());

    at(20);
    // The person asked to be called back: an operator turns the waiting contact into a callback.
    auto r = Api("POST", "/api/v1/queue/entries/1/callback", olena);
    ASSERT_EQ(r.status, 200) << r.body;
    auto entry = json::parse(r.body).at("entry");
    EXPECT_EQ(entry.at("callback"), true);
    EXPECT_EQ(entry.at("media"), "call");
    EXPECT_EQ(entry.at("wait_ms").as_int64(), 15'000);  // the place and the clock are kept
    // An operator may not transfer a waiting contact; the supervisor sends it to Russian.
    EXPECT_EQ(
        Api("POST", "/api/v1/queue/entries/2/transfer", olena, R"({"language":"ru","kind":"surrender_application"})")
            .status,
        403);
    at(22);
    r = Api("POST", "/api/v1/queue/entries/2/transfer", sup, R"({"language":"ru","kind":"surrender_application"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Offers(olena), (std::vector<std::int64_t>{2}));
    at(24);
    EXPECT_EQ(Act(olena, 2, "accept"), 200);  // 18 s after it came
    // The callback request is not hers to transfer: an operator transfers only what he holds.
    EXPECT_EQ(
        Api("POST", "/api/v1/queue/entries/1/transfer", olena, R"({"language":"ru","kind":"surrender_application"})")
            .status,
        403);

    auto board = ApiJson("GET", "/api/v1/wallboard", sup);
    EXPECT_EQ(board.at("waiting").as_int64(), 0);
    EXPECT_EQ(board.at("callbacks_waiting").as_int64(), 1);
    EXPECT_EQ(board.at("connected").as_int64(), 1);
    const auto& today = board.at("today");
    EXPECT_EQ(today.at("offered").as_int64(), 2);
    EXPECT_EQ(today.at("answered").as_int64(), 1);
    EXPECT_EQ(today.at("abandoned").as_int64(), 0);  // a callback request is not an abandon
    EXPECT_EQ(today.at("callbacks").as_int64(), 1);
    EXPECT_EQ(today.at("transfers").as_int64(), 1);
    EXPECT_DOUBLE_EQ(today.at("asa_seconds").as_double(), 18.0);
    EXPECT_DOUBLE_EQ(today.at("abandon_rate").as_double(), 0.0);
}

}  // namespace
}  // namespace lifeline::testing
