// The API's guard as a matrix: every guarded route × every role, allowed and denied; CSRF;
// bad input. Handlers are pure functions of a Request, so no socket is needed here.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "api_fixture.hpp"
#include "auth/totp.hpp"

namespace lifeline::testing {
namespace {

namespace json = boost::json;

class ApiTest : public ApiFixture {
protected:
    void SetUp() override {
        AuthFixture::SetUp();
        queue::QueueServiceConfig queue_config;
        queue_config.engine.max_chats = 1;
        queue_config.engine.wrap_up = std::chrono::milliseconds(0);
        StartApi(queue_config, false);
        sessions_[Role::kAdmin] = Admin();
        for (auto [role, name] : {std::pair{Role::kOperator, "op"}, {Role::kCoordinator, "coord"},
                                  {Role::kSupervisor, "sup"}}) {
            sessions_[role] = AddAccount(name, role);
            ASSERT_TRUE(sessions_[role].id.valid());
        }
        // A victim account for the state-changing user routes.
        auto admin = auth_->Authenticate(sessions_[Role::kAdmin].token);
        auto victim = auth_->AddUser(*admin->team_keys, admin->user, "victim", Role::kOperator);
        victim_ = victim->id;
        // One case per role, so that each role's allowed actions start from the same state, and a
        // hand-off addressed to the coordinator.
        for (Role role : auth::kAllRoles) {
            intake::InboundContact c;
            c.fields = {{"unit", "unit of " + std::string(ToString(role))}, {"contact", "@someone"}};
            case_of_[role] = intake_->Submit(c)->case_id;
        }
        auto op = auth_->Authenticate(sessions_[Role::kOperator].token);
        cases::Actor actor{op->user, op->role, op->team_keys.get(), op->operator_keys.get()};
        handoff_ = *cases_->HandOff(actor, case_of_[Role::kOperator], sessions_[Role::kCoordinator].id, {"unit"}, "");
        auto attachment_case = intake::InboundContact{};
        attachment_case.text = "photo";
        attachment_case.attachments.push_back({"image/png", Bytes{0x89, 'P', 'N', 'G'}});
        const auto submitted = intake_->Submit(attachment_case);
        attachment_case_ = submitted->case_id;
        receipt_ = submitted->receipt;
        attachment_ = store_->AttachmentsOfCase(attachment_case_)[0].id;
    }

    /// A contact entered straight into the queue (no case): its entry id.
    std::int64_t EnterContact(std::string language = "ru") {
        queue::Contact c;
        c.language = std::move(language);
        auto id = queue_->Enter(c);
        EXPECT_TRUE(id.ok());
        return id->value;
    }

    std::map<Role, Session> sessions_;
    UserId victim_;
    std::map<Role, CaseId> case_of_;
    std::int64_t handoff_ = 0;
    CaseId attachment_case_;
    std::string receipt_;  ///< attachment_case_'s
    std::int64_t attachment_ = 0;
};

struct RouteCase {
    std::string method;
    std::string target;  // {victim} is replaced with the victim's id
    std::string body;
    std::optional<auth::Action> action;
    /// Routes allowed by more than one action: the roles that may call them (overrides `action`).
    std::optional<std::set<Role>> roles{};
};

TEST_F(ApiTest, EveryRouteTimesEveryRole) {
    const std::vector<RouteCase> routes = {
        {"GET", "/api/v1/users", "", auth::Action::kUserList},
        {"POST", "/api/v1/users", R"({"username":"new_{role}","role":"operator"})", auth::Action::kUserManage},
        {"POST", "/api/v1/users/{victim}/disable", "", auth::Action::kUserManage},
        {"POST", "/api/v1/users/{victim}/enable", "", auth::Action::kUserManage},
        {"POST", "/api/v1/users/{victim}/reset", "", auth::Action::kUserManage},
        {"PUT", "/api/v1/users/{victim}/skills", R"({"languages":["uk"],"kinds":["relative_inquiry"]})",
         auth::Action::kUserSkills},
        {"GET", "/api/v1/audit?from=1&limit=5", "", auth::Action::kAuditRead},
        {"GET", "/api/v1/audit/verify", "", auth::Action::kAuditRead},
        {"GET", "/api/v1/me", "", std::nullopt},
        {"GET", "/api/v1/cases", "", auth::Action::kCaseList},
        {"GET", "/api/v1/cases?state=new&kind=surrender_application&channel=web&assignee=none&limit=5", "",
         auth::Action::kCaseList},
        {"GET", "/api/v1/cases/{case}", "", auth::Action::kCaseRead},
        {"POST", "/api/v1/cases/lookup", R"({"receipt":"{receipt}"})", auth::Action::kCaseRead},
        {"POST", "/api/v1/cases", R"({"kind":"relative_inquiry","fields":{"seeker_contact":"+380 50 123 45 67"}})",
         auth::Action::kCaseCreate},
        {"GET", "/api/v1/cases/{attachment_case}/attachments/{attachment}", "", auth::Action::kCaseRead},
        {"POST", "/api/v1/cases/{case}/reply", R"({"text":"Мы получили заявку"})", auth::Action::kCaseReply},
        {"POST", "/api/v1/cases/{case}/notes", R"({"text":"internal"})", auth::Action::kCaseNote},
        {"POST", "/api/v1/cases/{case}/transition", R"({"to":"triage","reason":"reading"})",
         auth::Action::kCaseTransition},
        {"POST", "/api/v1/cases/{case}/triage", R"({"category":"surrender_intent"})", auth::Action::kCaseTransition},
        {"POST", "/api/v1/cases/{case}/assign", R"({"user_id":{operator}})", auth::Action::kCaseAssign},
        {"POST", "/api/v1/cases/{case}/handoff", R"({"coordinator_id":{coordinator},"fields":["unit"]})",
         auth::Action::kCaseHandoff},
        // After the hand-off: a case marked suspect is not handed off.
        {"POST", "/api/v1/cases/{case}/suspect", R"({"suspect":true,"reason":"odd unit"})",
         auth::Action::kCaseTransition},
        {"GET", "/api/v1/operators", "", auth::Action::kCaseAssign},
        {"GET", "/api/v1/coordinators", "", auth::Action::kCaseHandoff},
        {"GET", "/api/v1/handoffs", "", auth::Action::kHandoffRead},
        {"POST", "/api/v1/handoffs/{handoff}/outcome", R"({"outcome":"surrendered"})", auth::Action::kHandoffOutcome},
        {"POST", "/api/v1/queue/presence", R"({"presence":"away"})", auth::Action::kPresenceSet},
        {"GET", "/api/v1/queue/mine", "", auth::Action::kQueueTake},
        {"GET", "/api/v1/queue/waiting", "", auth::Action::kQueueTake},
        {"GET", "/api/v1/wallboard", "", auth::Action::kWallboardRead},
        {"GET", "/api/v1/queue/active", "", auth::Action::kQueueManage},
        // accept, reject and complete: QueueEntryRoutesTimesEveryRole (each needs a contact offered to
        // the caller); login, password and TOTP: LoginStepsTimesEveryRole (each needs its stage).
        {"POST", "/api/v1/queue/entries/{abandon}/abandon", "", auth::Action::kQueueAbandon},
        {"POST", "/api/v1/queue/entries/{callback}/callback", "", auth::Action::kQueueCallback},
        {"POST", "/api/v1/queue/entries/{transfer}/transfer", R"({"language":"uk","kind":"relative_inquiry"})",
         auth::Action::kQueueTransfer},
        // Every role hears something (queue.take, wallboard.read, case.list or handoff.read).
        {"GET", "/api/v1/events", "", std::nullopt},
    };
    // Queue entries for the moves, one per route and role: waiting ones, except the operator's
    // transfer, which needs a contact connected to him (he transfers only what he holds; a
    // supervisor moves any). Nobody is available afterwards, so the others stay waiting.
    const UserId op = sessions_[Role::kOperator].id;
    ASSERT_TRUE(queue_->SetPresence(op, queue::Presence::kAvailable).ok());
    const std::int64_t held = EnterContact();
    ASSERT_TRUE(queue_->Accept(op, QueueEntryId{held}).ok());
    ASSERT_TRUE(queue_->SetPresence(op, queue::Presence::kAway).ok());
    std::map<std::string, std::map<Role, std::int64_t>> entry_of;
    for (const std::string move : {"{abandon}", "{callback}", "{transfer}"})
        for (Role role : auth::kAllRoles) entry_of[move][role] = EnterContact();
    entry_of["{transfer}"][Role::kOperator] = held;
    for (const auto& route : routes) {
        for (Role role : auth::kAllRoles) {
            auto fill = [&](std::string text) {
                const std::map<std::string, std::string> values = {
                    {"{victim}", victim_.ToString()},
                    {"{role}", std::string(ToString(role))},
                    {"{case}", case_of_[role].ToString()},
                    {"{attachment_case}", attachment_case_.ToString()},
                    {"{attachment}", std::to_string(attachment_)},
                    {"{handoff}", std::to_string(handoff_)},
                    {"{receipt}", receipt_},
                    {"{operator}", sessions_[Role::kOperator].id.ToString()},
                    {"{coordinator}", sessions_[Role::kCoordinator].id.ToString()},
                    {"{abandon}", std::to_string(entry_of["{abandon}"][role])},
                    {"{callback}", std::to_string(entry_of["{callback}"][role])},
                    {"{transfer}", std::to_string(entry_of["{transfer}"][role])},
                };
                for (const auto& [k, v] : values)
                    for (auto pos = text.find(k); pos != std::string::npos; pos = text.find(k))
                        text.replace(pos, k.size(), v);
                return text;
            };
            const auto target = fill(route.target);
            const auto body = fill(route.body);
            const bool allowed =
                route.roles ? route.roles->contains(role) : (!route.action || auth::Allowed(role, *route.action));
            const std::string label = route.method + " " + route.target + " as " + std::string(ToString(role));
            // Every state-changing route refuses a request without the CSRF token, even from a
            // role that may do it, and does nothing: the same request with the token then
            // succeeds (a second "create user" or "hand-off" would not).
            if (route.method != "GET" && allowed) {
                auto forged = Call(route.method, target, &sessions_[role], body, false);
                EXPECT_EQ(forged.status, 403) << label << " without the CSRF token";
                EXPECT_NE(forged.body.find("\"csrf\""), std::string::npos) << label << ": " << forged.body;
            }
            auto r = Call(route.method, target, &sessions_[role], body);
            if (allowed) {
                EXPECT_GE(r.status, 200) << label;
                EXPECT_LT(r.status, 300) << label << ": " << r.body;
            } else {
                EXPECT_EQ(r.status, 403) << label;
                EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos) << label << ": " << r.body;
            }
            // Without a session every guarded route is 401.
            EXPECT_EQ(Call(route.method, target, nullptr, body).status, 401) << label;
        }
    }
}

// accept, reject and complete × every role: the roles that take contacts (queue.take) move the
// contacts offered to them; the others are refused before the entry is looked at, whatever its
// state; without a session, 401.
TEST_F(ApiTest, QueueEntryRoutesTimesEveryRole) {
    using namespace std::chrono_literals;
    auto act = [&](const Session* s, std::int64_t entry, const char* verb) {
        return Call("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/" + verb, s);
    };
    for (Role role : auth::kAllRoles) {
        const std::string label(ToString(role));
        Session& s = sessions_[role];
        if (!auth::Allowed(role, auth::Action::kQueueTake)) {
            const std::int64_t waiting = EnterContact();
            for (const char* verb : {"accept", "reject", "complete"}) {
                auto r = act(&s, waiting, verb);
                EXPECT_EQ(r.status, 403) << verb << " as " << label;
                EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos) << verb << " as " << label << ": " << r.body;
                EXPECT_EQ(act(nullptr, waiting, verb).status, 401) << verb;
            }
            ASSERT_TRUE(queue_->Abandon(QueueEntryId{waiting}).ok());
            continue;
        }
        // He alone is available: what enters is offered to him.
        ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &s, R"({"presence":"available"})").status, 200) << label;
        const std::int64_t declined = EnterContact();
        ASSERT_EQ(queue_->Entry(QueueEntryId{declined})->op, s.id) << label;
        auto r = act(&s, declined, "reject");
        EXPECT_EQ(r.status, 200) << "reject as " << label << ": " << r.body;
        EXPECT_EQ(queue_->Entry(QueueEntryId{declined})->state, queue::EntryState::kWaiting) << label;
        ASSERT_TRUE(queue_->Abandon(QueueEntryId{declined}).ok());
        const std::int64_t taken = EnterContact();
        ASSERT_EQ(queue_->Entry(QueueEntryId{taken})->op, s.id) << label;
        EXPECT_EQ(act(nullptr, taken, "accept").status, 401) << label;
        r = act(&s, taken, "accept");
        EXPECT_EQ(r.status, 200) << "accept as " << label << ": " << r.body;
        EXPECT_EQ(queue_->Entry(QueueEntryId{taken})->state, queue::EntryState::kConnected) << label;
        clock_.Advance(1s);
        EXPECT_EQ(act(nullptr, taken, "complete").status, 401) << label;
        r = act(&s, taken, "complete");
        EXPECT_EQ(r.status, 200) << "complete as " << label << ": " << r.body;
        EXPECT_NE(queue_->Entry(QueueEntryId{taken})->state, queue::EntryState::kConnected) << label;
        ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &s, R"({"presence":"away"})").status, 200) << label;
    }
}

// The login routes after the first step × every role: no role is refused them (each account
// logs in for the first time through the API: password, TOTP enrolment and confirmation, then a
// second login verified by TOTP); a wrong password or code is an error that moves no stage;
// without a session, 401.
TEST_F(ApiTest, LoginStepsTimesEveryRole) {
    using namespace std::chrono_literals;
    auto admin = auth_->Authenticate(sessions_[Role::kAdmin].token);
    auto stage_of = [](const http::Response& r) -> std::string {
        const auto v = json::parse(r.body);
        return v.is_object() && v.as_object().contains("stage") ? std::string(v.at("stage").as_string()) : "";
    };
    auto login = [&](const std::string& username, const std::string& password) -> std::pair<Session, std::string> {
        auto r = Call("POST", "/api/v1/auth/login", nullptr,
                      json::serialize(json::object{{"username", username}, {"password", password}}));
        EXPECT_EQ(r.status, 200) << r.body;
        const auto cookie = r.headers.Get("Set-Cookie");
        EXPECT_TRUE(cookie);
        if (r.status != 200 || !cookie) return {};
        std::string token(*cookie);
        token = token.substr(token.find('=') + 1);
        token = token.substr(0, token.find(';'));
        return {Session{token, std::string(json::parse(r.body).at("csrf_token").as_string()), UserId{}},
                stage_of(r)};
    };
    for (Role role : auth::kAllRoles) {
        const std::string name = "steps_" + std::string(ToString(role));
        auto account = auth_->AddUser(*admin->team_keys, admin->user, name, role);
        ASSERT_TRUE(account.ok()) << name;
        for (const char* route : {"/api/v1/auth/password", "/api/v1/auth/totp/enrol", "/api/v1/auth/totp/confirm",
                                  "/api/v1/auth/totp/verify"})
            EXPECT_EQ(Call("POST", route, nullptr, R"({"code":"123456"})").status, 401) << route;

        auto [first, stage] = login(name, account->one_time_password);
        ASSERT_EQ(stage, "password_change") << name;
        const std::string password = name + " new password 1";
        auto r = Call("POST", "/api/v1/auth/password", &first,
                      json::serialize(json::object{{"current_password", "wrong"}, {"new_password", password}}));
        EXPECT_GE(r.status, 400) << name << ": " << r.body;
        EXPECT_EQ(stage_of(Call("GET", "/api/v1/me", &first)), "password_change") << name;
        r = Call("POST", "/api/v1/auth/password", &first,
                 json::serialize(
                     json::object{{"current_password", account->one_time_password}, {"new_password", password}}));
        ASSERT_EQ(r.status, 200) << name << ": " << r.body;
        EXPECT_EQ(stage_of(r), "totp_enrol") << name;

        r = Call("POST", "/api/v1/auth/totp/enrol", &first);
        ASSERT_EQ(r.status, 200) << name << ": " << r.body;
        const auto secret = auth::Base32Decode(json::parse(r.body).at("secret").as_string());
        ASSERT_TRUE(secret) << name;
        // A malformed code gets the same answer as a wrong one, and moves nothing.
        r = Call("POST", "/api/v1/auth/totp/confirm", &first, R"({"code":"000000x"})");
        EXPECT_EQ(r.status, 401) << name << ": " << r.body;
        EXPECT_EQ(stage_of(Call("GET", "/api/v1/me", &first)), "totp_enrol") << name;
        r = Call("POST", "/api/v1/auth/totp/confirm", &first,
                 json::serialize(json::object{{"code", auth::TotpCode(*secret, clock_.Now())}}));
        ASSERT_EQ(r.status, 200) << name << ": " << r.body;
        EXPECT_EQ(stage_of(r), "active") << name;

        clock_.Advance(60s);  // a new TOTP step, and a login token refilled
        auto [second, second_stage] = login(name, password);
        ASSERT_EQ(second_stage, "totp_verify") << name;
        const std::string code = auth::TotpCode(*secret, clock_.Now());
        const std::string wrong = code == "000000" ? "111111" : "000000";
        r = Call("POST", "/api/v1/auth/totp/verify", &second, json::serialize(json::object{{"code", wrong}}));
        EXPECT_GE(r.status, 400) << name << ": " << r.body;
        EXPECT_EQ(stage_of(Call("GET", "/api/v1/me", &second)), "totp_verify") << name;
        r = Call("POST", "/api/v1/auth/totp/verify", &second, json::serialize(json::object{{"code", code}}));
        ASSERT_EQ(r.status, 200) << name << ": " << r.body;
        EXPECT_EQ(stage_of(r), "active") << name;
        EXPECT_EQ(Call("GET", "/api/v1/me", &second).status, 200) << name;
        clock_.Advance(60s);
    }
}

// Three operators, a burst of ten applications through intake, and the queue through the API:
// who is offered what in which order, accept/complete, the line, and the wallboard's figures.
TEST_F(ApiTest, QueueRoutesOfferAcceptCompleteAndTheWallboard) {
    using namespace std::chrono_literals;
    QueueEveryIntake();
    Session op2 = AddAccount("op2", Role::kOperator);
    ASSERT_TRUE(op2.id.valid());
    Session& op = sessions_[Role::kOperator];
    Session& sup = sessions_[Role::kSupervisor];

    const std::int64_t midnight = ToUnixMillis(clock_.Now()) - ToUnixMillis(clock_.Now()) % 86'400'000;
    // (The fixture's clock starts at 00:00 UTC; sessions would expire if it jumped ahead.)
    EXPECT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"wrap_up"})").status, 400);
    EXPECT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"asleep"})").status, 400);
    for (Session* s : {&op, &op2, &sup}) {
        auto r = Call("POST", "/api/v1/queue/presence", s, R"({"presence":"available"})");
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(json::parse(r.body).at("presence"), "available");
        clock_.Advance(1s);
    }
    std::vector<CaseId> cases;  // entry i+1 is cases[i]
    for (int i = 0; i < 10; ++i) {
        intake::InboundContact c;
        c.fields = {{"unit", "unit " + std::to_string(i)}, {"contact", "@someone"}};
        c.language = i % 2 ? "uk" : "ru";
        cases.push_back(intake_->Submit(c)->case_id);
        if (i < 9) clock_.Advance(1s);
    }
    auto mine = [&](Session& s) { return json::parse(Call("GET", "/api/v1/queue/mine", &s).body).as_object(); };
    auto offer_of = [&](Session& s) -> std::int64_t {
        auto m = mine(s);
        const auto& offers = m.at("offers").as_array();
        return offers.size() == 1 ? offers[0].at("id").as_int64() : 0;
    };
    // The three oldest went out by idle time: op, op2, sup; each at capacity (one chat).
    EXPECT_EQ(offer_of(op), 1);
    EXPECT_EQ(offer_of(op2), 2);
    EXPECT_EQ(offer_of(sup), 3);
    auto m = mine(op);
    EXPECT_EQ(m.at("offers").at(0).at("case_id").as_int64(), cases[0].value);
    EXPECT_EQ(m.at("offers").at(0).at("wait_ms").as_int64(), 9000);
    EXPECT_EQ(m.at("presence"), "available");  // chats full, but a call could still come

    auto act = [&](Session& s, std::int64_t entry, const char* verb) {
        return Call("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/" + verb, &s).status;
    };
    EXPECT_EQ(act(op2, 1, "accept"), 409);     // offered to someone else
    EXPECT_EQ(act(op, 99, "accept"), 404);     // no such entry
    EXPECT_EQ(act(op, 1, "complete"), 409);    // not connected yet
    EXPECT_EQ(act(op, 1, "accept"), 200);      // waited 9 s
    EXPECT_EQ(act(op2, 2, "accept"), 200);     // 8 s
    EXPECT_EQ(act(sup, 3, "accept"), 200);     // 7 s
    EXPECT_EQ(mine(op).at("active").at(0).at("id").as_int64(), 1);
    EXPECT_EQ(Call("POST", "/api/v1/queue/entries/1/accept", &sessions_[Role::kCoordinator]).status, 403);

    clock_.Advance(8s);
    EXPECT_EQ(act(sup, 3, "complete"), 200);  // sup is free first: entry 4 is his
    EXPECT_EQ(offer_of(sup), 4);
    clock_.Advance(1s);
    EXPECT_EQ(act(op, 1, "complete"), 200);
    EXPECT_EQ(offer_of(op), 5);
    clock_.Advance(1s);
    EXPECT_EQ(act(sup, 4, "accept"), 200);  // entry 4 entered 16 s ago
    EXPECT_EQ(act(op, 5, "reject"), 200);   // declined: entry 5 waits again, not for him
    EXPECT_EQ(offer_of(op), 6);             // the next in line goes to him
    EXPECT_EQ(act(op, 6, "accept"), 200);   // entered 14 s ago

    auto waiting = json::parse(Call("GET", "/api/v1/queue/waiting", &op2).body).as_object();
    const auto& items = waiting.at("items").as_array();
    ASSERT_EQ(items.size(), 5u);  // 5, 7, 8, 9, 10 in order
    std::vector<std::int64_t> ids;
    for (const auto& e : items) ids.push_back(e.at("id").as_int64());
    EXPECT_EQ(ids, (std::vector<std::int64_t>{5, 7, 8, 9, 10}));
    EXPECT_EQ(items[0].at("wait_ms").as_int64(), 15000);
    EXPECT_EQ(items[0].at("case_id").as_int64(), cases[4].value);
    ASSERT_TRUE(queue_->Abandon(QueueEntryId{10}).ok());  // left after 10 s

    // The supervisor sees who holds what: the three conversations, each since its connect.
    auto active = Call("GET", "/api/v1/queue/active", &sup);
    ASSERT_EQ(active.status, 200) << active.body;
    std::map<std::int64_t, std::int64_t> connected_to;
    const json::value active_json = json::parse(active.body);
    for (const auto& e : active_json.at("items").as_array()) {
        if (e.at("offered").as_bool()) {
            EXPECT_TRUE(e.at("connected_at").is_null());
            continue;
        }
        EXPECT_EQ(e.at("state").as_string(), "connected");
        EXPECT_LE(e.at("connected_at").as_int64(), ToUnixMillis(clock_.Now()));
        connected_to[e.at("id").as_int64()] = e.at("operator_id").as_int64();
    }
    EXPECT_EQ(connected_to,
              (std::map<std::int64_t, std::int64_t>{{2, op2.id.value}, {4, sup.id.value}, {6, op.id.value}}));
    EXPECT_EQ(Call("GET", "/api/v1/queue/active", &op).status, 403);

    auto board = Call("GET", "/api/v1/wallboard", &sup);
    ASSERT_EQ(board.status, 200) << board.body;
    auto b = json::parse(board.body).as_object();
    EXPECT_EQ(b.at("day_start").as_int64(), midnight);
    EXPECT_EQ(b.at("service_level_seconds").as_int64(), 20);
    EXPECT_EQ(b.at("waiting").as_int64(), 4);
    EXPECT_EQ(b.at("longest_wait_ms").as_int64(), 15000);
    EXPECT_EQ(b.at("connected").as_int64(), 3);
    EXPECT_EQ(b.at("operators").at("available").as_int64(), 3);
    const auto& today = b.at("today");
    EXPECT_EQ(today.at("offered").as_int64(), 10);
    EXPECT_EQ(today.at("answered").as_int64(), 5);
    EXPECT_EQ(today.at("answered_within_service_level").as_int64(), 5);
    EXPECT_EQ(today.at("abandoned").as_int64(), 1);
    EXPECT_DOUBLE_EQ(today.at("service_level").as_double(), 1.0);
    EXPECT_DOUBLE_EQ(today.at("asa_seconds").as_double(), (9 + 8 + 7 + 16 + 14) / 5.0);
    EXPECT_DOUBLE_EQ(today.at("abandon_rate").as_double(), 0.1);
    EXPECT_EQ(Call("GET", "/api/v1/wallboard", &op).status, 403);
}

// Abandon, callback and transfer through the API: an operator moves what he holds (and may mark
// a waiting contact gone or turn it into a callback); a contact with another operator, or the
// transfer of a waiting one, takes a supervisor. Every move is audited with who made it.
TEST_F(ApiTest, QueueMovesTakeTheHolderOrASupervisor) {
    using namespace std::chrono_literals;
    Session& op = sessions_[Role::kOperator];
    Session op2 = AddAccount("op2", Role::kOperator);
    Session& sup = sessions_[Role::kSupervisor];
    auto move = [&](Session& s, std::int64_t entry, const std::string& verb, std::string body = "") {
        return Call("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/" + verb, &s, std::move(body));
    };
    auto refused = [&](const http::Response& r) {
        return r.status == 403 && r.body.find("\"forbidden\"") != std::string::npos;
    };
    auto state = [&](std::int64_t entry) { return queue_->Entry(QueueEntryId{entry})->state; };

    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"available"})").status, 200);
    clock_.Advance(1s);
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op2, R"({"presence":"available"})").status, 200);
    const std::int64_t e1 = EnterContact();  // → op, idle longest
    const std::int64_t e2 = EnterContact();  // → op2
    const std::int64_t e3 = EnterContact();  // waits: both at capacity (one chat each)
    ASSERT_EQ(queue_->Entry(QueueEntryId{e1})->op, op.id);
    ASSERT_EQ(queue_->Entry(QueueEntryId{e2})->op, op2.id);
    ASSERT_EQ(state(e3), queue::EntryState::kWaiting);
    ASSERT_EQ(move(op, e1, "accept").status, 200);

    // Another operator's contacts are not mine to move; nor is a waiting one to transfer.
    EXPECT_TRUE(refused(move(op2, e1, "abandon")));
    EXPECT_TRUE(refused(move(op2, e1, "transfer", R"({"language":"uk","kind":"relative_inquiry"})")));
    EXPECT_TRUE(refused(move(op, e2, "abandon")));
    EXPECT_TRUE(refused(move(op, e2, "callback")));
    EXPECT_TRUE(refused(move(op, e2, "transfer", R"({"language":"uk","kind":"relative_inquiry"})")));
    EXPECT_TRUE(refused(move(op, e3, "transfer", R"({"language":"uk","kind":"relative_inquiry"})")));
    EXPECT_EQ(state(e1), queue::EntryState::kConnected);
    EXPECT_EQ(state(e2), queue::EntryState::kOffered);
    EXPECT_EQ(state(e3), queue::EntryState::kWaiting);

    // op hands his contact to op2: it waits for op2 alone (op2 is at capacity), with a new wait
    // segment; op is free and is offered the next in line.
    clock_.Advance(5s);
    auto r = move(op, e1, "transfer", R"({"operator_id":)" + op2.id.ToString() + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    auto out = json::parse(r.body).as_object();
    EXPECT_EQ(out.at("done"), "transfer");
    EXPECT_EQ(out.at("entry").at("state"), "waiting");
    EXPECT_EQ(out.at("entry").at("wait_ms").as_int64(), 0);
    auto view = queue_->Entry(QueueEntryId{e1});
    EXPECT_EQ(view->transfer_target, op2.id);
    EXPECT_EQ(view->segment, 1);
    EXPECT_EQ(queue_->Entry(QueueEntryId{e3})->op, op.id);
    // Sending it to the operator it is already with, or to one not in the queue, is refused.
    EXPECT_EQ(move(op2, e2, "transfer", R"({"operator_id":)" + op2.id.ToString() + "}").status, 400);
    r = move(sup, e1, "transfer", R"({"operator_id":)" + sup.id.ToString() + "}");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("not logged in"), std::string::npos) << r.body;

    // op marks the contact offered to him as gone: an abandon, after 5 s.
    r = move(op, e3, "abandon");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(json::parse(r.body).as_object().contains("entry"));  // finished
    EXPECT_FALSE(queue_->Entry(QueueEntryId{e3}));

    // The supervisor moves anything: op2's offer into a callback request (it keeps its place),
    // then the callback to another skill.
    r = move(sup, e2, "callback");
    ASSERT_EQ(r.status, 200) << r.body;
    out = json::parse(r.body).as_object();
    EXPECT_EQ(out.at("entry").at("callback"), true);
    EXPECT_EQ(out.at("entry").at("media"), "call");
    r = move(sup, e2, "transfer", R"({"language":"en","kind":"relative_inquiry"})");
    ASSERT_EQ(r.status, 200) << r.body;
    view = queue_->Entry(QueueEntryId{e2});
    EXPECT_EQ(view->contact.language, "en");
    EXPECT_EQ(view->contact.kind, CaseKind::kRelativeInquiry);
    EXPECT_TRUE(view->callback);

    // Wrong state: 409 with the reason, nothing changed.
    r = move(sup, e2, "callback");
    EXPECT_EQ(r.status, 409);
    EXPECT_NE(r.body.find("already a callback"), std::string::npos) << r.body;
    r = move(sup, e2, "abandon");
    EXPECT_EQ(r.status, 409);
    EXPECT_NE(r.body.find("callback request"), std::string::npos) << r.body;
    ASSERT_EQ(queue_->Entry(QueueEntryId{e1})->op, op2.id);  // op2 was freed by the callback
    ASSERT_EQ(move(op2, e1, "accept").status, 200);
    r = move(op2, e1, "abandon");
    EXPECT_EQ(r.status, 409);
    EXPECT_NE(r.body.find("connected"), std::string::npos) << r.body;
    EXPECT_EQ(move(op2, e1, "callback").status, 409);
    EXPECT_EQ(state(e1), queue::EntryState::kConnected);

    // The figures: three offered, e1 answered once (its second connect is not a new answer), e3
    // abandoned after 5 s, e2 a callback request (not an abandon), two transfers.
    auto b = json::parse(Call("GET", "/api/v1/wallboard", &sup).body).as_object();
    const auto& today = b.at("today");
    EXPECT_EQ(today.at("offered").as_int64(), 3);
    EXPECT_EQ(today.at("answered").as_int64(), 1);
    EXPECT_EQ(today.at("abandoned").as_int64(), 1);
    EXPECT_EQ(today.at("short_abandoned").as_int64(), 1);
    EXPECT_EQ(today.at("callbacks").as_int64(), 1);
    EXPECT_EQ(today.at("transfers").as_int64(), 2);
    EXPECT_DOUBLE_EQ(today.at("abandon_rate").as_double(), 1.0 / 3);

    // Who did what, in the audit log.
    std::vector<std::string> moves;
    for (const auto& a : store_->ReadAudit(1, 1000))
        if (a.action.rfind("queue.", 0) == 0)
            moves.push_back(a.action + " " + a.target + " by " + std::to_string(a.actor) + " " + a.detail);
    const auto id = [](std::int64_t v) { return std::to_string(v); };
    EXPECT_EQ(moves, (std::vector<std::string>{
                         "queue.transfer queue_entry:" + id(e1) + " by " + op.id.ToString() +
                             " to_operator=" + op2.id.ToString(),
                         "queue.abandon queue_entry:" + id(e3) + " by " + op.id.ToString() + " ",
                         "queue.callback queue_entry:" + id(e2) + " by " + sup.id.ToString() + " ",
                         "queue.transfer queue_entry:" + id(e2) + " by " + sup.id.ToString() +
                             " language=en kind=relative_inquiry",
                     }));
}

TEST_F(ApiTest, QueueMovesRejectBadInputClearly) {
    const auto& sup = sessions_[Role::kSupervisor];
    const std::int64_t entry = EnterContact("uk");
    const std::string path = "/api/v1/queue/entries/" + std::to_string(entry);
    struct Bad {
        std::string target, body;
        int status;
        std::string expect;
    };
    for (const auto& bad : std::vector<Bad>{
             {"/api/v1/queue/entries/abc/abandon", "", 400, "'id'"},
             {"/api/v1/queue/entries/0/callback", "", 400, "'id'"},
             {"/api/v1/queue/entries/99/abandon", "", 404, "no such queue entry 99"},
             {"/api/v1/queue/entries/99/callback", "", 404, "no such queue entry 99"},
             {"/api/v1/queue/entries/99/transfer", R"({"language":"ru","kind":"relative_inquiry"})", 404,
              "no such queue entry 99"},
             {path + "/transfer", "", 400, "application/json"},
             {path + "/transfer", "not json", 400, "JSON object"},
             {path + "/transfer", "[1]", 400, "JSON object"},
             {path + "/transfer", "{}", 400, "either"},
             {path + "/transfer", R"({"operator_id":1,"language":"ru","kind":"relative_inquiry"})", 400, "either"},
             {path + "/transfer", R"({"operator_id":"1"})", 400, "'operator_id'"},
             {path + "/transfer", R"({"operator_id":-4})", 400, "'operator_id'"},
             {path + "/transfer", R"({"operator_id":1.5})", 400, "'operator_id'"},
             {path + "/transfer", R"({"operator_id":99999})", 404, "not logged in"},
             {path + "/transfer", R"({"language":"de","kind":"relative_inquiry"})", 400, "'language'"},
             {path + "/transfer", R"({"language":"ru"})", 400, "'kind'"},
             {path + "/transfer", R"({"kind":"relative_inquiry"})", 400, "'language'"},
             {path + "/transfer", R"({"language":"ru","kind":"spy"})", 400, "'kind'"},
             {path + "/transfer", R"({"language":7,"kind":"relative_inquiry"})", 400, "'language'"},
         }) {
        auto r = Call("POST", bad.target, &sup, bad.body);
        EXPECT_EQ(r.status, bad.status) << bad.target << " " << bad.body << " → " << r.body;
        EXPECT_NE(r.body.find(bad.expect), std::string::npos) << bad.target << " " << bad.body << " → " << r.body;
        EXPECT_EQ(json::parse(r.body).at("error").at("message").kind(), json::kind::string) << r.body;
    }
    // Without the CSRF token: refused, and the contact still waits.
    EXPECT_EQ(Call("POST", path + "/abandon", &sup, "", false).status, 403);
    EXPECT_EQ(Call("POST", path + "/callback", &sup, "", false).status, 403);
    // Nothing changed: the entry waits as it came, no step was logged after its arrival and no
    // move was audited.
    auto view = queue_->Entry(QueueEntryId{entry});
    ASSERT_TRUE(view);
    EXPECT_EQ(view->state, queue::EntryState::kWaiting);
    EXPECT_EQ(view->contact.language, "uk");
    EXPECT_EQ(view->contact.kind, CaseKind::kSurrenderApplication);
    EXPECT_FALSE(view->callback);
    std::vector<std::string> logged;
    for (const auto& e : store_->ReadQueueEvents(1, 100)) logged.push_back(e.type);
    EXPECT_EQ(logged, (std::vector<std::string>{"enter"}));
    for (const auto& a : store_->ReadAudit(1, 1000)) EXPECT_NE(a.action.rfind("queue.", 0), 0u) << a.action;
}

TEST_F(ApiTest, CaseRoutesRejectBadInputClearly) {
    const auto& op = sessions_[Role::kOperator];
    const auto id = case_of_[Role::kOperator].ToString();
    const auto coordinator = sessions_[Role::kCoordinator].id.ToString();
    const std::string overlong(cases::CaseService::kMaxTextBytes + 1, 'x');
    struct Bad {
        std::string method, target, body;
        int status;
        std::string expect;
    };
    for (const auto& bad : std::vector<Bad>{
             {"GET", "/api/v1/cases?state=deleted", "", 400, "'state'"},
             {"GET", "/api/v1/cases?kind=x", "", 400, "'kind'"},
             {"GET", "/api/v1/cases?assignee=someone", "", 400, "'assignee'"},
             {"GET", "/api/v1/cases?limit=100000", "", 400, "'limit'"},
             {"GET", "/api/v1/cases?cursor=abc", "", 400, "'cursor'"},
             {"GET", "/api/v1/cases/abc", "", 400, "'id'"},
             {"GET", "/api/v1/cases/42", "", 404, "no such case"},
             {"POST", "/api/v1/cases/" + id + "/reply", R"({"text":""})", 400, "empty"},
             {"POST", "/api/v1/cases/" + id + "/reply", R"({"text":5})", 400, "'text'"},
             {"POST", "/api/v1/cases/" + id + "/transition", R"({"to":"surrendered","reason":"x"})", 409, "cannot move"},
             {"POST", "/api/v1/cases/" + id + "/transition", R"({"to":"closed","reason":"x"})", 400, "closure reason"},
             {"POST", "/api/v1/cases/" + id + "/transition",
              R"({"to":"closed","reason":"x","closure_reason":"completed"})", 400, "cannot be closed as completed"},
             {"POST", "/api/v1/cases/" + id + "/transition", R"({"to":"triage","reason":"  "})", 400, "reason"},
             {"POST", "/api/v1/cases/" + id + "/transition", R"({"to":"nowhere","reason":"x"})", 400, "'to'"},
             {"POST", "/api/v1/cases/" + id + "/triage", R"({"category":"spy"})", 400, "'category'"},
             {"POST", "/api/v1/cases/" + id + "/suspect", R"({"suspect":"yes","reason":"x"})", 400, "'suspect'"},
             {"POST", "/api/v1/cases/" + id + "/assign", R"({"user_id":"me"})", 400, "'user_id'"},
             {"POST", "/api/v1/cases/" + id + "/assign", R"({})", 400, "'user_id'"},
             {"POST", "/api/v1/cases/" + id + "/handoff", R"({"coordinator_id":1,"fields":["unit"]})", 400,
              "coordinator"},
             {"POST", "/api/v1/cases/" + id + "/handoff", R"({"coordinator_id":1,"fields":"unit"})", 400, "'fields'"},
             {"POST", "/api/v1/cases/" + id + "/handoff",
              R"({"coordinator_id":)" + coordinator + R"(,"fields":["password"]})", 400,
              "'password' is not a field of this case"},
             {"POST", "/api/v1/cases/" + id + "/handoff", R"({"coordinator_id":)" + coordinator + R"(,"fields":[]})",
              400, "at least one field or a note"},
             {"POST", "/api/v1/cases/" + id + "/handoff",
              R"({"coordinator_id":)" + coordinator + R"(,"fields":["unit"],"note":")" + overlong + R"("})", 400,
              "'note' is too long"},
             {"POST", "/api/v1/cases/" + id + "/reply", R"({"text":")" + overlong + R"("})", 400, "too long"},
             {"POST", "/api/v1/cases/" + id + "/notes", R"({"text":" "})", 400, "empty"},
             {"POST", "/api/v1/cases/" + id + "/notes", R"({})", 400, "'text'"},
             {"POST", "/api/v1/cases/" + id + "/notes", R"({"text":")" + overlong + R"("})", 400, "too long"},
             {"POST", "/api/v1/cases/" + id + "/notes", "not json", 400, "not a JSON object"},
             {"POST", "/api/v1/cases/" + id + "/suspect", R"({"suspect":true,"reason":""})", 400, "reason"},
             {"POST", "/api/v1/cases/" + id + "/transition",
              R"({"to":"triage","reason":")" + overlong + R"("})", 400, "too long"},
             // Field reports: every form check of the public site, named per field.
             {"POST", "/api/v1/cases", R"({})", 400, "'fields' is required"},
             {"POST", "/api/v1/cases", R"({"fields":[]})", 400, "'fields' is required"},
             {"POST", "/api/v1/cases", R"({"kind":"x","fields":{"contact":"@a"}})", 400, "'kind'"},
             {"POST", "/api/v1/cases", R"({"language":"de","fields":{"contact":"@a"}})", 400, "'language'"},
             {"POST", "/api/v1/cases", R"({"fields":{"Ivan Petrov":"x","contact":"@a"}})", 400,
              "not a field of a surrender_application (status, "},
             {"POST", "/api/v1/cases", R"({"fields":{"contact":5}})", 400, "'fields.contact' must be a string"},
             {"POST", "/api/v1/cases", R"({"fields":{"unit":"3rd battalion"}})", 400, "'contact' or free_text"},
             {"POST", "/api/v1/cases", R"({"fields":{"contact":"@a","deployment_date":"2024-02-30"}})", 400,
              "'deployment_date' is not a date"},
             {"POST", "/api/v1/cases", R"({"fields":{"contact":"@a","group_size":"0"}})", 400, "'group_size'"},
             {"POST", "/api/v1/cases", R"({"fields":{"contact":"@a","status":"general"}})", 400,
              "'status' is not one of its choices"},
             {"POST", "/api/v1/cases", R"({"kind":"relative_inquiry","fields":{"marks":"a\u0007b"}})", 400,
              "'marks' is not valid UTF-8 text"},
         }) {
        auto r = Call(bad.method, bad.target, &op, bad.body);
        EXPECT_EQ(r.status, bad.status) << bad.method << " " << bad.target << " " << bad.body << " → " << r.body;
        EXPECT_NE(r.body.find(bad.expect), std::string::npos) << bad.target << " " << bad.body << " → " << r.body;
    }
    // A coordinator's outcome, likewise.
    const auto& coord = sessions_[Role::kCoordinator];
    const std::string outcome = "/api/v1/handoffs/" + std::to_string(handoff_) + "/outcome";
    for (const auto& bad : std::vector<Bad>{
             {"POST", outcome, R"({"outcome":"vanished"})", 400, "'outcome' must be"},
             {"POST", outcome, R"({})", 400, "'outcome'"},
             {"POST", outcome, R"({"outcome":"surrendered","note":5})", 400, "'note'"},
             {"POST", outcome, R"({"outcome":"surrendered","note":")" + overlong + R"("})", 400, "too long"},
             {"POST", "/api/v1/handoffs/abc/outcome", R"({"outcome":"surrendered"})", 400, "'id'"},
             {"POST", "/api/v1/handoffs/999999/outcome", R"({"outcome":"surrendered"})", 404, "no such hand-off"},
         }) {
        auto r = Call(bad.method, bad.target, &coord, bad.body);
        EXPECT_EQ(r.status, bad.status) << bad.target << " " << bad.body.substr(0, 80) << " → " << r.body;
        EXPECT_NE(r.body.find(bad.expect), std::string::npos) << bad.target << " → " << r.body;
    }
    EXPECT_TRUE(store_->FindHandoff(handoff_)->outcome.empty());
    // Nothing changed.
    auto rec = store_->FindCase(case_of_[Role::kOperator]);
    EXPECT_EQ(rec->state, "new");
    EXPECT_EQ(rec->triage, "unset");
    EXPECT_FALSE(rec->suspect);
    EXPECT_EQ(store_->HandoffsOfCase(rec->id).size(), 1u);
    EXPECT_EQ(store_->MessagesOfCase(rec->id).size(), 1u);

    // A case marked suspect is not handed to a unit: 409 with the reason.
    ASSERT_EQ(Call("POST", "/api/v1/cases/" + id + "/suspect", &op, R"({"suspect":true,"reason":"no such unit"})")
                  .status,
              200);
    const auto refused = Call("POST", "/api/v1/cases/" + id + "/handoff", &op,
                              R"({"coordinator_id":)" + coordinator + R"(,"fields":["unit"]})");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_NE(refused.body.find("marked suspect"), std::string::npos) << refused.body;
    EXPECT_EQ(store_->HandoffsOfCase(rec->id).size(), 1u);
}

// docs/openapi.yaml is the API's contract for the console and anyone scripting against it: every
// route the server answers is in it with its method, nothing is in it that no route serves, and
// every error code an API error can carry is in its list of stable codes.
TEST_F(ApiTest, TheOpenApiDocumentDescribesExactlyTheRoutesServed) {
    std::ifstream in(std::string(LIFELINE_SOURCE_DIR) + "/docs/openapi.yaml");
    ASSERT_TRUE(in) << "docs/openapi.yaml";
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto normalise = [](std::string pattern) {  // "/cases/{id}" and "/cases/{case}" are one path
        return std::regex_replace(pattern, std::regex(R"(\{[^}]*\})"), "{}");
    };
    std::set<std::string> documented;
    {
        std::istringstream lines(text.substr(text.find("\npaths:\n")));
        std::string line, path;
        const std::regex path_line(R"(^  (/[^:]*):\s*$)"), method_line(R"(^    (get|post|put|patch|delete):)");
        std::smatch m;
        while (std::getline(lines, line)) {
            if (!line.empty() && line[0] != ' ' && line != "paths:") break;  // the next top-level key
            if (std::regex_search(line, m, path_line)) path = normalise("/api/v1" + m[1].str());
            else if (std::regex_search(line, m, method_line)) {
                std::string method = m[1].str();
                std::transform(method.begin(), method.end(), method.begin(), ::toupper);
                documented.insert(method + " " + path);
            }
        }
    }
    std::set<std::string> served;
    for (const auto& [method, pattern] : router_.Routes()) served.insert(method + " " + normalise(pattern));
    for (const auto& r : served) EXPECT_TRUE(documented.contains(r)) << r << " is served but not in docs/openapi.yaml";
    for (const auto& r : documented) EXPECT_TRUE(served.contains(r)) << r << " is documented but not served";
    EXPECT_GT(served.size(), 40u);

    const std::string codes = text.substr(0, text.find("\nservers:"));
    for (auto code : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
                      ErrorCode::kUnauthenticated, ErrorCode::kForbidden, ErrorCode::kLocked, ErrorCode::kRateLimited,
                      ErrorCode::kDecryptFailed, ErrorCode::kIntegrity, ErrorCode::kConflict, ErrorCode::kUnavailable,
                      ErrorCode::kInternal}) {
        auto r = http::ErrorResponse(code, "x");
        const std::string wire(json::parse(r.body).at("error").at("code").as_string());
        EXPECT_NE(codes.find("| " + wire + " | " + std::to_string(r.status) + " |"), std::string::npos)
            << wire << " " << r.status;
    }
    for (const auto& [wire, status] : std::vector<std::pair<std::string, int>>{
             {"bad_request", 400}, {"login_incomplete", 403}, {"csrf", 403}, {"method_not_allowed", 405},
             {"body_too_large", 413}, {"header_too_large", 431}})
        EXPECT_NE(codes.find("| " + wire + " | " + std::to_string(status) + " |"), std::string::npos) << wire;
    // The server's own answers carry the codes listed: an unknown method on a known path.
    auto r = Call("DELETE", "/api/v1/cases", &sessions_[Role::kOperator]);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(json::parse(r.body).at("error").at("code"), "method_not_allowed");
}

// DOMAIN.md's fifth channel: an operator files what reached the line some other way (a drone's
// note, a relative on the phone). The case is his, says who filed it, never waits in the queue,
// and its receipt lets the relative follow up on the web.
TEST_F(ApiTest, AnOperatorFilesAFieldReportThatIsHisAndHasAReceipt) {
    const auto& op = sessions_[Role::kOperator];
    const auto before = store_->ListCases({}).size();
    auto r = Call("POST", "/api/v1/cases", &op,
                  R"({"kind":"relative_inquiry","language":"uk","fields":{"seeker_contact":" +380 50 123 45 67 ",)"
                  R"("sought_name":"Сидоренко Петро","sought_birth_date":"1990-05-01","free_text":"дзвонила мати"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v.at("kind"), "relative_inquiry");
    EXPECT_EQ(v.at("channel"), "operator_entered");
    EXPECT_EQ(v.at("state"), "new");
    EXPECT_EQ(v.at("assignee").at("id").as_int64(), op.id.value);
    const std::string receipt(v.at("receipt").as_string());
    EXPECT_TRUE(std::regex_match(receipt, std::regex(R"(\d{5}(-\d{5}){4})"))) << receipt;
    EXPECT_EQ(store_->ListCases({}).size(), before + 1);
    const std::string id = std::to_string(v.at("id").as_int64());

    auto read = Call("GET", "/api/v1/cases/" + id, &op);
    ASSERT_EQ(read.status, 200) << read.body;
    auto detail = json::parse(read.body).as_object();
    EXPECT_EQ(detail.at("form").at("seeker_contact"), "+380 50 123 45 67");  // trimmed as the forms are
    EXPECT_EQ(detail.at("form").at("sought_name"), "Сидоренко Петро");
    EXPECT_EQ(detail.at("language"), "uk");
    const auto& history = detail.at("history").as_array();
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history[0].at("type"), "created");
    EXPECT_EQ(history[0].at("actor").at("id").as_int64(), op.id.value);
    // The relative reads it with the receipt, and nothing of it is stored in clear.
    auto conv = intake_->ReadConversation(receipt);
    ASSERT_TRUE(conv.ok());
    EXPECT_EQ(conv->entries[0].fields.at("sought_name"), "Сидоренко Петро");
    // Audited, with ids only.
    auto audit = Call("GET", "/api/v1/audit?from=1&limit=500", &sessions_[Role::kAdmin]);
    EXPECT_NE(audit.body.find("case.created"), std::string::npos);
    EXPECT_EQ(audit.body.find("Сидоренко"), std::string::npos);
    // A supervisor's report is his too; a refused one stores nothing.
    auto sup = Call("POST", "/api/v1/cases", &sessions_[Role::kSupervisor], R"({"fields":{"free_text":"drone note"}})");
    ASSERT_EQ(sup.status, 201) << sup.body;
    EXPECT_EQ(json::parse(sup.body).at("assignee").at("id").as_int64(), sessions_[Role::kSupervisor].id.value);
    EXPECT_EQ(Call("POST", "/api/v1/cases", &op, R"({"fields":{"status":"serving"}})").status, 400);
    EXPECT_EQ(store_->ListCases({}).size(), before + 2);
}

// A web applicant calls the phone line and reads out his receipt: the operator finds his case.
// The receipt travels in a POST body only; the audit names the case, never the receipt.
TEST_F(ApiTest, AReceiptReadOutOnThePhoneFindsTheCase) {
    const auto& op = sessions_[Role::kOperator];
    std::string spoken;
    for (std::size_t i = 0; i < receipt_.size(); ++i) {
        if (i > 0 && i % 5 == 0) spoken += i % 10 == 0 ? " " : "-";
        spoken += receipt_[i];
    }
    auto r = Call("POST", "/api/v1/cases/lookup", &op, R"({"receipt":")" + spoken + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body).at("id").as_int64(), attachment_case_.value);
    std::string wrong = receipt_;
    wrong[0] = wrong[0] == '9' ? '1' : static_cast<char>(wrong[0] + 1);
    r = Call("POST", "/api/v1/cases/lookup", &op, R"({"receipt":")" + wrong + R"("})");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("no case has this receipt"), std::string::npos);
    for (const std::string bad : {R"({"receipt":"12345"})", R"({"receipt":"abc"})", R"({})", R"({"receipt":7})"}) {
        r = Call("POST", "/api/v1/cases/lookup", &op, bad);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_NE(r.body.find("'receipt'"), std::string::npos) << r.body;
    }
    bool audited = false;
    for (const auto& a : store_->ReadAudit(1, 10'000)) {
        EXPECT_EQ(a.detail.find(receipt_.substr(0, 10)), std::string::npos) << a.action;
        EXPECT_EQ(a.target.find(receipt_.substr(0, 10)), std::string::npos) << a.action;
        audited |= a.action == "case.lookup" && a.target == "case:" + attachment_case_.ToString();
    }
    EXPECT_TRUE(audited);
}

TEST_F(ApiTest, PagingThroughCases) {
    const auto& op = sessions_[Role::kOperator];
    std::set<std::int64_t> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto r = Call("GET", "/api/v1/cases?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), &op);
        ASSERT_EQ(r.status, 200) << r.body;
        auto v = json::parse(r.body).as_object();
        for (const auto& item : v["items"].as_array()) EXPECT_TRUE(seen.insert(item.at("id").as_int64()).second);
        cursor = v["next_cursor"].is_null() ? "" : std::string(v["next_cursor"].as_string());
        ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(seen.size(), 5u);
    EXPECT_EQ(pages, 3);
}

TEST_F(ApiTest, PagingThroughACoordinatorsHandoffs) {
    auto op = auth_->Authenticate(sessions_[Role::kOperator].token);
    cases::Actor actor{op->user, op->role, op->team_keys.get(), op->operator_keys.get()};
    std::set<std::int64_t> made{handoff_};
    for (Role role : {Role::kCoordinator, Role::kSupervisor, Role::kAdmin, Role::kOperator}) {
        auto h = cases_->HandOff(actor, case_of_[role], sessions_[Role::kCoordinator].id, {"unit"}, "");
        ASSERT_TRUE(h.ok()) << h.error().message;
        made.insert(*h);
    }
    const auto& coord = sessions_[Role::kCoordinator];
    std::set<std::int64_t> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto r = Call("GET", "/api/v1/handoffs?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), &coord);
        ASSERT_EQ(r.status, 200) << r.body;
        auto v = json::parse(r.body).as_object();
        for (const auto& item : v["items"].as_array()) {
            EXPECT_TRUE(seen.insert(item.at("id").as_int64()).second);
            EXPECT_EQ(std::string(item.at("fields").at("unit").as_string()).substr(0, 8), "unit of ");
        }
        cursor = v["next_cursor"].is_null() ? "" : std::string(v["next_cursor"].as_string());
        ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(seen, made);
    EXPECT_EQ(pages, 3);  // 2 + 2 + 1
    for (const std::string bad : {"limit=x", "limit=501", "cursor=1", "cursor=a.b", "cursor=.5"}) {
        auto r = Call("GET", "/api/v1/handoffs?" + bad, &coord);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_EQ(json::parse(r.body).at("error").at("code"), "invalid_argument") << bad;
    }
}

TEST_F(ApiTest, StateChangingRequestsNeedTheCsrfToken) {
    const auto& admin = sessions_[Role::kAdmin];
    const std::string body = R"({"username":"csrf_victim","role":"operator"})";
    auto missing = Call("POST", "/api/v1/users", &admin, body, false);
    EXPECT_EQ(missing.status, 403);
    EXPECT_NE(missing.body.find("\"csrf\""), std::string::npos);
    Session wrong = admin;
    wrong.csrf = sessions_[Role::kOperator].csrf;  // a real token, of another session
    EXPECT_EQ(Call("POST", "/api/v1/users", &wrong, body).status, 403);
    // Nothing was created by the refused requests.
    auto list = Call("GET", "/api/v1/users", &admin);
    EXPECT_EQ(list.body.find("csrf_victim"), std::string::npos);
    // Safe methods need no token.
    EXPECT_EQ(Call("GET", "/api/v1/users", &admin, "", false).status, 200);
    // The same for case work: a forged reply is refused and nothing is written.
    const auto& op = sessions_[Role::kOperator];
    const auto id = case_of_[Role::kOperator];
    const auto before = store_->MessagesOfCase(id).size();
    EXPECT_EQ(Call("POST", "/api/v1/cases/" + id.ToString() + "/reply", &op, R"({"text":"forged"})", false).status,
              403);
    EXPECT_EQ(store_->MessagesOfCase(id).size(), before);
}

TEST_F(ApiTest, CrossOriginRequestsAreRefusedEvenWithAToken) {
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/users/" + victim_.ToString() + "/disable";
    req.headers.Set("Host", "127.0.0.1:8080");
    req.headers.Set("Origin", "https://evil.example");
    req.headers.Set("Cookie", api::SessionCookieName(deps_->config) + "=" + sessions_[Role::kAdmin].token);
    req.headers.Set("X-CSRF-Token", sessions_[Role::kAdmin].csrf);
    EXPECT_EQ(router_.Dispatch(req).status, 403);
    req.headers.Set("Origin", "http://127.0.0.1:8080");
    EXPECT_EQ(router_.Dispatch(req).status, 204);
}

TEST_F(ApiTest, LoginSetsAHardenedCookieAndRefusesFormsAndOtherOrigins) {
    auto r = Call("POST", "/api/v1/auth/login", nullptr, R"({"username":"sup","password":"sup password 1"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto cookie = std::string(*r.headers.Get("Set-Cookie"));
    EXPECT_EQ(cookie.rfind("__Host-lifeline=", 0), 0u);
    for (auto attr : {"HttpOnly", "SameSite=Strict", "Secure", "Path=/"})
        EXPECT_NE(cookie.find(attr), std::string::npos) << attr;
    EXPECT_NE(r.body.find("\"totp_verify\""), std::string::npos);

    http::Request form;
    form.method = "POST";
    form.path = form.target = "/api/v1/auth/login";
    form.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    form.body = "username=sup&password=sup+password+1";
    EXPECT_EQ(router_.Dispatch(form).status, 400);
    form.headers.Set("Content-Type", "application/json");
    form.headers.Set("Host", "127.0.0.1:8080");
    form.headers.Set("Origin", "https://evil.example");
    form.body = R"({"username":"sup","password":"sup password 1"})";
    EXPECT_EQ(router_.Dispatch(form).status, 403);
}

TEST_F(ApiTest, BadInputGetsAClearErrorAndChangesNothing) {
    const auto& admin = sessions_[Role::kAdmin];
    struct Bad {
        std::string body;
        std::string expect;
    };
    for (const auto& bad : std::vector<Bad>{
             {"not json", "JSON object"},
             {"[1,2]", "JSON object"},
             {R"({"username":"x"})", "'role'"},
             {R"({"username":7,"role":"operator"})", "'username'"},
             {R"({"username":"x","role":"god"})", "'role' must be"},
             {R"({"username":"Robert'); DROP TABLE users;--","role":"operator"})", "username"},
             {R"({"username":")" + std::string(100, 'a') + R"(","role":"operator"})", "too long"},
         }) {
        auto r = Call("POST", "/api/v1/users", &admin, bad.body);
        EXPECT_EQ(r.status, 400) << bad.body;
        EXPECT_NE(r.body.find(bad.expect), std::string::npos) << bad.body << " → " << r.body;
    }
    EXPECT_EQ(Call("POST", "/api/v1/users/abc/disable", &admin).status, 400);
    EXPECT_EQ(Call("POST", "/api/v1/users/99999/disable", &admin).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/audit?limit=lots", &admin).status, 400);
    EXPECT_EQ(auth_->ListUsers().size(), 5u);
    EXPECT_TRUE(store_->FindUserByName("op").has_value());
}

// PUT /users/{id}/skills: known codes only, arrays only, an account that takes contacts; every
// refusal is a clean JSON error that changes nothing; a change is audited with who made it.
TEST_F(ApiTest, SkillsRouteValidatesAndAudits) {
    const auto& admin = sessions_[Role::kAdmin];
    const std::string path = "/api/v1/users/" + victim_.ToString() + "/skills";
    std::string seventeen = R"("uk")";
    for (int i = 1; i < 17; ++i) seventeen += R"(,"uk")";
    struct Bad {
        std::string target, body;
        int status;
        std::string expect;
    };
    for (const auto& bad : std::vector<Bad>{
             {path, "", 400, "application/json"},
             {path, "not json", 400, "JSON object"},
             {path, R"(["uk"])", 400, "JSON object"},
             {path, R"({"kinds":[]})", 400, "'languages'"},
             {path, R"({"languages":[]})", 400, "'kinds'"},
             {path, R"({"languages":"uk","kinds":[]})", 400, "'languages'"},
             {path, R"({"languages":["uk"],"kinds":"relative_inquiry"})", 400, "'kinds'"},
             {path, R"({"languages":[7],"kinds":[]})", 400, "'languages'"},
             {path, R"({"languages":[null],"kinds":[]})", 400, "'languages'"},
             {path, R"({"languages":["de"],"kinds":[]})", 400, "en, ru or uk"},
             {path, R"({"languages":["UK"],"kinds":[]})", 400, "en, ru or uk"},
             {path, R"({"languages":["uk"],"kinds":["spy"]})", 400, "surrender_application or relative_inquiry"},
             {path, R"({"languages":[")" + std::string(100, 'u') + R"("],"kinds":[]})", 400, "'languages'"},
             {path, R"({"languages":[)" + seventeen + R"(],"kinds":[]})", 400, "too long"},
             {"/api/v1/users/abc/skills", R"({"languages":[],"kinds":[]})", 400, "'id'"},
             {"/api/v1/users/99999/skills", R"({"languages":[],"kinds":[]})", 404, "no such user"},
             {"/api/v1/users/" + sessions_[Role::kCoordinator].id.ToString() + "/skills",
              R"({"languages":["uk"],"kinds":[]})", 409, "takes no contacts"},
             {"/api/v1/users/" + sessions_[Role::kAdmin].id.ToString() + "/skills",
              R"({"languages":["uk"],"kinds":[]})", 409, "takes no contacts"},
         }) {
        auto r = Call("PUT", bad.target, &admin, bad.body);
        EXPECT_EQ(r.status, bad.status) << bad.target << " " << bad.body << " → " << r.body;
        EXPECT_NE(r.body.find(bad.expect), std::string::npos) << bad.target << " " << bad.body << " → " << r.body;
        EXPECT_EQ(json::parse(r.body).at("error").at("message").kind(), json::kind::string) << r.body;
    }
    // Without the CSRF token, or with another session's: refused.
    const std::string body = R"({"languages":["uk"],"kinds":[]})";
    EXPECT_EQ(Call("PUT", path, &admin, body, false).status, 403);
    Session wrong = admin;
    wrong.csrf = sessions_[Role::kSupervisor].csrf;
    EXPECT_EQ(Call("PUT", path, &wrong, body).status, 403);
    // Nothing changed, nothing audited.
    EXPECT_EQ(store_->FindUser(victim_)->skills, store::UserSkills{});
    for (const auto& a : store_->ReadAudit(1, 1000)) EXPECT_NE(a.action, "user.skills");

    // A good request: duplicates collapse, codes come back sorted; the list shows them.
    auto r = Call("PUT", path, &admin, R"({"languages":["uk","en","uk"],"kinds":["relative_inquiry"]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto user = json::parse(r.body).as_object();
    EXPECT_EQ(json::serialize(user.at("skills")), R"({"languages":["en","uk"],"kinds":["relative_inquiry"]})");
    EXPECT_EQ(store_->FindUser(victim_)->skills,
              (store::UserSkills{{"en", "uk"}, {CaseKind::kRelativeInquiry}}));
    auto list = json::parse(Call("GET", "/api/v1/users", &admin).body).at("items").as_array();
    const auto it = std::find_if(list.begin(), list.end(),
                                 [&](const json::value& u) { return u.at("id").as_int64() == victim_.value; });
    ASSERT_NE(it, list.end());
    EXPECT_EQ(it->at("skills"), user.at("skills"));
    const auto audit = store_->ReadAudit(1, 1000);
    EXPECT_EQ(audit.back().action, "user.skills");
    EXPECT_EQ(audit.back().actor, admin.id.value);
    EXPECT_EQ(audit.back().target, "user:" + victim_.ToString());
    EXPECT_EQ(audit.back().detail, "languages=en,uk kinds=relative_inquiry");
    // Empty lists: back to the queue's defaults.
    ASSERT_EQ(Call("PUT", path, &admin, R"({"languages":[],"kinds":[]})").status, 200);
    EXPECT_EQ(store_->FindUser(victim_)->skills, store::UserSkills{});
}

// Presence: the operator joins the queue with his stored skills; a coordinator, who cannot take
// contacts (no queue.take), cannot join it.
TEST_F(ApiTest, PresenceJoinsTheQueueWithStoredSkillsAndOnlyForRolesThatTakeContacts) {
    const auto& op = sessions_[Role::kOperator];
    const auto& coord = sessions_[Role::kCoordinator];
    ASSERT_EQ(Call("PUT", "/api/v1/users/" + op.id.ToString() + "/skills", &sessions_[Role::kSupervisor],
                   R"({"languages":["uk"],"kinds":["relative_inquiry"]})")
                  .status,
              200);
    auto r = Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"busy"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto view = queue_->Operator(op.id);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->presence, queue::Presence::kBusy);
    EXPECT_EQ(view->skills.languages, (std::set<std::string>{"uk"}));
    EXPECT_EQ(view->skills.kinds, (std::set<CaseKind>{CaseKind::kRelativeInquiry}));
    // No stored skills: the defaults (every language and kind).
    const auto& sup = sessions_[Role::kSupervisor];
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &sup, R"({"presence":"away"})").status, 200);
    EXPECT_EQ(queue_->Operator(sup.id)->skills.languages, (std::set<std::string>{"en", "ru", "uk"}));

    for (const char* presence : {"available", "busy", "away", "offline"}) {
        r = Call("POST", "/api/v1/queue/presence", &coord, std::string(R"({"presence":")") + presence + R"("})");
        EXPECT_EQ(r.status, 403) << presence;
        EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos) << r.body;
    }
    EXPECT_FALSE(queue_->Operator(coord.id).has_value());
}

TEST_F(ApiTest, LoginIsRateLimitedPerClient) {
    int limited = 0;
    for (int i = 0; i < 15; ++i) {
        auto r = Call("POST", "/api/v1/auth/login", nullptr, R"({"username":"nobody","password":"x"})");
        if (r.status == 429) {
            ++limited;
            EXPECT_TRUE(r.headers.Get("Retry-After"));
        } else {
            EXPECT_EQ(r.status, 401);
        }
    }
    EXPECT_EQ(limited, 5);
}

TEST_F(ApiTest, IncompleteLoginReachesNothingButItsNextStep) {
    auto login = auth_->Login("op", "op password 1");
    Session half{login->token, login->csrf_token, login->user};
    auto r = Call("GET", "/api/v1/users", &half);
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("login_incomplete"), std::string::npos);
    auto me = Call("GET", "/api/v1/me", &half);
    EXPECT_EQ(me.status, 200);
    EXPECT_NE(me.body.find("totp_verify"), std::string::npos);
}

TEST_F(ApiTest, LogoutClearsTheCookie) {
    auto& sup = sessions_[Role::kSupervisor];
    auto r = Call("POST", "/api/v1/auth/logout", &sup);
    EXPECT_EQ(r.status, 204);
    EXPECT_NE(std::string(*r.headers.Get("Set-Cookie")).find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(Call("GET", "/api/v1/me", &sup).status, 401);
}

TEST_F(ApiTest, AuditReadAndVerifyThroughTheApi) {
    auto& admin = sessions_[Role::kAdmin];
    auto r = Call("GET", "/api/v1/audit?from=1&limit=3", &admin);
    ASSERT_EQ(r.status, 200);
    auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v["items"].as_array().size(), 3u);
    EXPECT_EQ(v["next_from"].as_int64(), 4);
    auto verify = json::parse(Call("GET", "/api/v1/audit/verify", &admin).body).as_object();
    EXPECT_TRUE(verify["ok"].as_bool());
}

}  // namespace
}  // namespace lifeline::testing
