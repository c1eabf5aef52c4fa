// GET /api/v1/events: who may open a stream, what each role hears after an intake, an accept
// and a presence change (ids only), and the fan-out's bookkeeping (closed, expired, too many
// streams). The handler's stream is read with EventStream::Take, so no socket is needed.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_fixture.hpp"

namespace lifeline::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// One server-sent event as parsed from the stream.
struct Event {
    std::string name;
    json::object data;
    std::string raw;
};

/// Splits what a stream queued into events (the EventStream format: event:, data:, blank line).
std::vector<Event> Parse(const std::string& text) {
    std::vector<Event> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find("\n\n", pos);
        if (end == std::string::npos) break;
        const std::string block = text.substr(pos, end - pos);
        pos = end + 2;
        Event e;
        e.raw = block;
        std::string data;
        std::size_t line_start = 0;
        while (line_start <= block.size()) {
            auto nl = block.find('\n', line_start);
            const std::string line = block.substr(line_start, nl == std::string::npos ? std::string::npos : nl - line_start);
            if (line.rfind("event: ", 0) == 0) e.name = line.substr(7);
            if (line.rfind("data: ", 0) == 0) data += line.substr(6);
            if (nl == std::string::npos) break;
            line_start = nl + 1;
        }
        e.data = json::parse(data).as_object();
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::string> Topics(const Event& e) {
    std::vector<std::string> topics;
    for (const auto& t : e.data.at("topics").as_array()) topics.emplace_back(t.as_string());
    return topics;
}

class EventsApiTest : public ApiFixture {
protected:
    void SetUp() override {
        AuthFixture::SetUp();
        queue::QueueServiceConfig queue_config;
        queue_config.engine.wrap_up = 0ms;
        StartApi(queue_config, true);
        sessions_["admin"] = Admin();
        for (auto [role, name] : {std::pair{Role::kOperator, "op"}, {Role::kOperator, "op2"},
                                  {Role::kCoordinator, "coord"}, {Role::kSupervisor, "sup"}}) {
            sessions_[name] = AddAccount(name, role);
            ASSERT_TRUE(sessions_[name].id.valid());
        }
    }

    /// Opens GET /api/v1/events as the user; the stream, which must be there.
    std::shared_ptr<http::EventStream> Open(const std::string& name) {
        auto r = Call("GET", "/api/v1/events", &sessions_.at(name));
        EXPECT_EQ(r.status, 200) << r.body;
        EXPECT_NE(r.stream, nullptr);
        return r.stream;
    }

    /// What arrived on the stream since the last call.
    static std::vector<Event> Drain(const std::shared_ptr<http::EventStream>& s) { return Parse(s->Take().data); }

    CaseId Apply(const std::string& language) {
        intake::InboundContact c;
        c.fields = {{"unit", "в/ч 40278"}, {"contact", "@svyaz_secret"}, {"free_text", "Хочу сдаться"}};
        c.language = language;
        auto outcome = intake_->Submit(c);
        EXPECT_TRUE(outcome.ok());
        queue_->Sync();  // the queue's enter is written after the intake's commit
        return outcome->case_id;
    }

    std::map<std::string, Session> sessions_;
};

TEST_F(EventsApiTest, OpenToEveryRoleWithWhatItMayHear) {
    // queue.take and case.list: operators, supervisors; wallboard.read: supervisors,
    // administrators; handoff.read: coordinators.
    struct Expect {
        std::string user;
        std::vector<std::string> topics;
    };
    std::vector<std::shared_ptr<http::EventStream>> open;  // as the server holds them while serving
    for (const auto& [user, topics] : std::vector<Expect>{{"op", {"mine", "waiting", "cases"}},
                                                          {"sup", {"mine", "waiting", "wallboard", "cases"}},
                                                          {"admin", {"wallboard"}},
                                                          {"coord", {"handoffs"}}}) {
        auto r = Call("GET", "/api/v1/events", &sessions_.at(user));
        open.push_back(r.stream);
        ASSERT_EQ(r.status, 200) << user << ": " << r.body;
        ASSERT_NE(r.stream, nullptr) << user;
        EXPECT_EQ(r.headers.Get("X-Accel-Buffering").value_or(""), "no");
        auto events = Drain(r.stream);
        ASSERT_EQ(events.size(), 1u) << user;
        EXPECT_EQ(events[0].name, "ready");
        EXPECT_EQ(events[0].data.at("operator_id").as_int64(), sessions_.at(user).id.value);
        EXPECT_EQ(Topics(events[0]), topics) << user;
    }
    // No session, no stream.
    auto anonymous = Call("GET", "/api/v1/events", nullptr);
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.stream, nullptr);
    Session forged{"not-a-token", "", UserId{}};
    EXPECT_EQ(Call("GET", "/api/v1/events", &forged).status, 401);
    // A login that is not finished (password not yet changed) gets no stream either.
    auto admin = auth_->Authenticate(sessions_.at("admin").token);
    auto fresh = auth_->AddUser(*admin->team_keys, admin->user, "fresh", Role::kOperator);
    ASSERT_TRUE(fresh.ok());
    auto login = auth_->Login("fresh", fresh->one_time_password);
    ASSERT_TRUE(login.ok());
    Session half{login->token, login->csrf_token, fresh->id};
    auto incomplete = Call("GET", "/api/v1/events", &half);
    EXPECT_EQ(incomplete.status, 403);
    EXPECT_NE(incomplete.body.find("login_incomplete"), std::string::npos);
    EXPECT_EQ(deps_->live->open_streams(), 4u);
}

// A change to a case reaches those who may list cases, as its id and the change's type; a
// hand-off also reaches the coordinator it went to, and no other. Nothing anyone wrote travels.
TEST_F(EventsApiTest, CaseChangesReachCaseReadersAndAHandOffItsCoordinatorOnly) {
    sessions_["coord2"] = AddAccount("coord2", Role::kCoordinator);
    const CaseId case_id = Apply("ru");
    std::map<std::string, std::shared_ptr<http::EventStream>> streams;
    for (const std::string user : {"op", "sup", "admin", "coord", "coord2"}) {
        streams[user] = Open(user);
        Drain(streams[user]);
    }
    const std::string path = "/api/v1/cases/" + case_id.ToString();
    ASSERT_EQ(Call("POST", path + "/transition", &sessions_.at("op"), R"({"to":"triage","reason":"секретная причина"})")
                  .status,
              200);
    for (const std::string user : {"op", "sup"}) {
        auto events = Drain(streams[user]);
        ASSERT_EQ(events.size(), 1u) << user;
        EXPECT_EQ(events[0].name, "case");
        EXPECT_EQ(events[0].data.at("case_id").as_int64(), case_id.value);
        EXPECT_EQ(events[0].data.at("type"), "transition");
        EXPECT_EQ(Topics(events[0]), (std::vector<std::string>{"cases"}));
        EXPECT_EQ(events[0].raw.find("секрет"), std::string::npos);
    }
    for (const std::string user : {"admin", "coord", "coord2"}) EXPECT_TRUE(Drain(streams[user]).empty()) << user;

    const std::string coordinator = sessions_.at("coord").id.ToString();
    ASSERT_EQ(Call("POST", path + "/handoff", &sessions_.at("op"),
                   R"({"coordinator_id":)" + coordinator + R"(,"fields":["unit"],"note":"на рассвете"})")
                  .status,
              201);
    auto his = Drain(streams["coord"]);
    ASSERT_EQ(his.size(), 1u);
    EXPECT_EQ(his[0].name, "handoff");
    EXPECT_EQ(his[0].data.at("case_id").as_int64(), case_id.value);
    EXPECT_EQ(Topics(his[0]), (std::vector<std::string>{"handoffs"}));
    EXPECT_EQ(his[0].raw.find("40278"), std::string::npos);
    EXPECT_EQ(his[0].raw.find("рассвет"), std::string::npos);
    EXPECT_TRUE(Drain(streams["coord2"]).empty());
    EXPECT_TRUE(Drain(streams["admin"]).empty());
    auto seen = Drain(streams["sup"]);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].data.at("type"), "handoff");
}

TEST_F(EventsApiTest, AnIntakeReachesTheOfferedOperatorOthersHearTheLineAndTheWallboard) {
    Session& op = sessions_.at("op");
    Session& op2 = sessions_.at("op2");
    // op is available first: idle longest, so the application is offered to him.
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"available"})").status, 200);
    clock_.Advance(1s);
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op2, R"({"presence":"available"})").status, 200);
    auto s_op = Open("op");
    auto s_op2 = Open("op2");
    auto s_sup = Open("sup");
    auto s_admin = Open("admin");
    for (const auto& s : {s_op, s_op2, s_sup, s_admin}) Drain(s);  // the ready events

    const CaseId case_id = Apply("uk");
    const std::string secrets[] = {"40278", "svyaz_secret", "Хочу", "uk"};

    // op: enter (the line) then the offer (his, and it leaves the line).
    auto mine = Drain(s_op);
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_EQ(mine[0].name, "queue");
    EXPECT_EQ(mine[0].data.at("type"), "enter");
    EXPECT_EQ(Topics(mine[0]), (std::vector<std::string>{"waiting"}));
    EXPECT_FALSE(mine[0].data.contains("operator_id"));
    EXPECT_EQ(mine[1].data.at("type"), "offer");
    EXPECT_EQ(Topics(mine[1]), (std::vector<std::string>{"mine", "waiting"}));
    EXPECT_EQ(mine[1].data.at("operator_id").as_int64(), op.id.value);
    EXPECT_EQ(mine[1].data.at("case_id").as_int64(), case_id.value);
    const std::int64_t entry = mine[1].data.at("entry_id").as_int64();
    EXPECT_GT(entry, 0);

    // op2: the same two steps, for the line only, without whom it went to.
    auto others = Drain(s_op2);
    ASSERT_EQ(others.size(), 2u);
    for (const auto& e : others) {
        EXPECT_EQ(Topics(e), (std::vector<std::string>{"waiting"}));
        EXPECT_FALSE(e.data.contains("operator_id")) << e.raw;
        EXPECT_EQ(e.data.at("entry_id").as_int64(), entry);
    }

    // The supervisor hears the line and the wallboard, with ids; the administrator the wallboard.
    auto sup = Drain(s_sup);
    ASSERT_EQ(sup.size(), 2u);
    EXPECT_EQ(Topics(sup[1]), (std::vector<std::string>{"waiting", "wallboard"}));
    EXPECT_EQ(sup[1].data.at("operator_id").as_int64(), op.id.value);
    auto admin = Drain(s_admin);
    ASSERT_EQ(admin.size(), 2u);
    EXPECT_EQ(Topics(admin[1]), (std::vector<std::string>{"wallboard"}));

    // Nothing a person wrote, nor the language, travels in the events: ids and step types only.
    for (const auto* list : {&mine, &others, &sup, &admin})
        for (const auto& e : *list)
            for (const auto& s : secrets) EXPECT_EQ(e.raw.find(s), std::string::npos) << e.raw;

    // Accept: connect and accept are his and the wallboard's, not the line's.
    ASSERT_EQ(Call("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/accept", &op).status, 200);
    auto accepted = Drain(s_op);
    ASSERT_EQ(accepted.size(), 2u);
    EXPECT_EQ(accepted[0].data.at("type"), "accept");
    EXPECT_EQ(accepted[1].data.at("type"), "connect");
    EXPECT_EQ(Topics(accepted[1]), (std::vector<std::string>{"mine"}));
    EXPECT_TRUE(Drain(s_op2).empty());
    EXPECT_EQ(Drain(s_sup).size(), 2u);

    // Complete.
    ASSERT_EQ(Call("POST", "/api/v1/queue/entries/" + std::to_string(entry) + "/complete", &op).status, 200);
    auto completed = Drain(s_op);
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].data.at("type"), "complete");
    EXPECT_EQ(completed[0].data.at("case_id").as_int64(), case_id.value);
}

TEST_F(EventsApiTest, PresenceChangesGoToHimAndTheWallboard) {
    auto s_op = Open("op");
    auto s_op2 = Open("op2");
    auto s_admin = Open("admin");
    for (const auto& s : {s_op, s_op2, s_admin}) Drain(s);

    Session& op = sessions_.at("op");
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"away"})").status, 200);
    auto his = Drain(s_op);
    ASSERT_EQ(his.size(), 1u);
    EXPECT_EQ(his[0].name, "presence");
    EXPECT_EQ(his[0].data.at("presence"), "away");
    EXPECT_EQ(his[0].data.at("operator_id").as_int64(), op.id.value);
    EXPECT_EQ(Topics(his[0]), (std::vector<std::string>{"mine"}));
    EXPECT_TRUE(Drain(s_op2).empty()) << "another operator's presence is not his business";
    auto board = Drain(s_admin);
    ASSERT_EQ(board.size(), 1u);
    EXPECT_EQ(Topics(board[0]), (std::vector<std::string>{"wallboard"}));

    // A refused presence (wrap_up is entered only by completing) sends nothing.
    ASSERT_EQ(Call("POST", "/api/v1/queue/presence", &op, R"({"presence":"wrap_up"})").status, 400);
    EXPECT_TRUE(Drain(s_op).empty());
}

TEST_F(EventsApiTest, ClosedStreamsAreDroppedAndTheQueueGoesOn) {
    auto s_op = Open("op");
    auto s_sup = Open("sup");
    EXPECT_EQ(deps_->live->open_streams(), 2u);
    s_op->Close();   // the client left
    s_sup.reset();   // the server let go of the response
    Apply("ru");     // the queue's step fans out to nobody, and does not fail for it
    EXPECT_EQ(deps_->live->open_streams(), 0u);
    auto s_admin = Open("admin");
    Drain(s_admin);
    Apply("en");
    EXPECT_EQ(Drain(s_admin).size(), 1u);  // enter (nobody is available: no offer)
}

// The fan-out on its own: expiry, the per-user limit, a full stream.
TEST(LiveEventsTest, ExpiredStreamsGetTheEventThenClose) {
    FakeClock clock;
    api::LiveEvents live(clock, {.max_age = 10min, .max_streams_per_user = 2});
    auto s = http::EventStream::Create();
    live.Add(s, {UserId{7}, true, false});
    s->Take();
    queue::QueueEvent e;
    e.type = queue::QueueEventType::kOffer;
    e.entry = QueueEntryId{3};
    e.op = UserId{7};
    e.contact.case_id = CaseId{12};
    live.OnQueueEvent(e);
    EXPECT_FALSE(s->closed());
    clock.Advance(10min);
    live.OnQueueEvent(e);
    EXPECT_TRUE(s->closed());
    auto events = Parse(s->Take().data);
    ASSERT_EQ(events.size(), 2u);  // the second was delivered before the close
    EXPECT_EQ(events[1].data.at("entry_id").as_int64(), 3);
    EXPECT_EQ(live.open_streams(), 0u);
}

TEST(LiveEventsTest, ANewStreamBeyondTheLimitClosesHisOldest) {
    FakeClock clock;
    api::LiveEvents live(clock, {.max_age = 10min, .max_streams_per_user = 2});
    auto a = http::EventStream::Create();
    auto b = http::EventStream::Create();
    auto c = http::EventStream::Create();
    auto other = http::EventStream::Create();
    live.Add(a, {UserId{7}, true, false});
    live.Add(other, {UserId{8}, true, false});
    live.Add(b, {UserId{7}, true, false});
    live.Add(c, {UserId{7}, true, false});
    EXPECT_TRUE(a->closed());
    EXPECT_FALSE(b->closed());
    EXPECT_FALSE(c->closed());
    EXPECT_FALSE(other->closed());
    EXPECT_EQ(live.open_streams(), 3u);
}

TEST(LiveEventsTest, AStreamThatFallsBehindIsClosedNotWaitedFor) {
    FakeClock clock;
    api::LiveEvents live(clock);
    auto slow = http::EventStream::Create();
    live.Add(slow, {UserId{1}, false, true});
    queue::QueueEvent e;
    e.type = queue::QueueEventType::kEnter;
    e.entry = QueueEntryId{1};
    for (std::size_t i = 0; i < http::EventStream::kMaxQueuedChunks + 5; ++i) live.OnQueueEvent(e);
    EXPECT_TRUE(slow->closed());
    EXPECT_EQ(live.open_streams(), 0u);
}

}  // namespace
}  // namespace lifeline::testing
