// /api/v1/cases*, /api/v1/handoffs*, /api/v1/operators, /api/v1/coordinators.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "api/api.hpp"
#include "api/json_util.hpp"
#include "cases/workflow.hpp"
#include "public_site/forms.hpp"

namespace lifeline::api {
namespace json = boost::json;
namespace {

using auth::Action;

cases::Actor ActorOf(const auth::Principal& p) {
    return cases::Actor{p.user, p.role, p.team_keys.get(), p.operator_keys.get()};
}

/// Names for user ids in responses (operators and coordinators are not personal data of
/// applicants; the console shows who did what).
class UserNames {
public:
    explicit UserNames(auth::AuthService& auth) {
        for (const auto& u : auth.ListUsers()) names_[u.id.value] = u.username;
    }
    json::value Of(UserId id) const {
        if (id.value == 0) return nullptr;
        auto it = names_.find(id.value);
        return json::object{{"id", id.value}, {"username", it == names_.end() ? "" : it->second}};
    }

private:
    std::unordered_map<std::int64_t, std::string> names_;
};

json::object Summary(const store::CaseRecord& c, const UserNames& names) {
    return {{"id", c.id.value},
            {"kind", ToString(c.kind)},
            {"state", c.state},
            {"channel", ToString(c.channel)},
            {"triage", c.triage},
            {"suspect", c.suspect},
            {"closure_reason", c.closure_reason},
            {"inquiry_answer", c.inquiry_answer},
            {"language", c.language},
            {"assignee", names.Of(c.assignee)},
            {"created_at", c.created_ms},
            {"updated_at", c.updated_ms},
            {"last_inbound_at", c.last_inbound_ms}};
}

Result<CaseId> CaseIdParam(const http::Request& req) {
    auto v = PathInt(req, "id");
    if (!v) return v.error();
    return CaseId{*v};
}

http::Response Fail(const Error& e) { return ErrorResponse(e); }

template <typename T>
Result<T> Parse(std::optional<T> v, std::string_view field, std::string_view what) {
    if (!v) return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' is not a valid {}", field, what)};
    return *v;
}

/// An optional integer query parameter from 0 to max.
Result<std::optional<std::int64_t>> NumberParam(const http::Request& req, std::string_view name, std::int64_t max) {
    auto v = req.QueryParam(name);
    if (!v || v->empty()) return std::optional<std::int64_t>{};
    if (v->size() > 15 || v->find_first_not_of("0123456789") != std::string::npos || std::stoll(*v) > max)
        return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' must be an integer from 0 to {}", name, max)};
    return std::optional<std::int64_t>{std::stoll(*v)};
}

/// A page of a list: `limit` (1 to 500, 50 when absent or 0) and `cursor`, the
/// "<time>.<id>" of the last row seen, which the list's next_cursor gives.
struct Page {
    std::size_t limit = 50;
    std::optional<std::pair<std::int64_t, std::int64_t>> after;
};

Result<Page> PageOf(const http::Request& req) {
    Page page;
    auto limit = NumberParam(req, "limit", 500);
    if (!limit) return limit.error();
    if (limit->value_or(0) > 0) page.limit = static_cast<std::size_t>(**limit);
    if (auto cur = req.QueryParam("cursor"); cur && !cur->empty()) {
        auto dot = cur->find('.');
        const auto a = cur->substr(0, dot), b = dot == std::string::npos ? "" : cur->substr(dot + 1);
        if (a.empty() || b.empty() || a.size() > 15 || b.size() > 16 ||
            a.find_first_not_of("0123456789") != std::string::npos ||
            b.find_first_not_of("0123456789") != std::string::npos)
            return Error{ErrorCode::kInvalidArgument, "'cursor' is malformed"};
        page.after = std::pair{std::stoll(a), std::stoll(b)};
    }
    return page;
}

/// The list's next_cursor: the last row's "<time>.<id>" when the page was full, else null.
json::value NextCursor(std::size_t rows, std::size_t limit, std::int64_t last_ms, std::int64_t last_id) {
    if (rows == 0 || rows < limit) return nullptr;
    return json::value(fmt::format("{}.{}", last_ms, last_id));
}

Result<store::CaseFilter> FilterOf(const http::Request& req, const auth::Principal& p, const Clock& clock) {
    store::CaseFilter f;
    if (auto s = req.QueryParam("state"); s && !s->empty()) {
        if (!cases::ParseState(*s)) return Error{ErrorCode::kInvalidArgument, "'state' is not a case state"};
        f.state = *s;
    }
    if (auto k = req.QueryParam("kind"); k && !k->empty()) {
        auto kind = Parse(ParseCaseKind(*k), "kind", "case kind");
        if (!kind) return kind.error();
        f.kind = *kind;
    }
    if (auto c = req.QueryParam("channel"); c && !c->empty()) {
        auto channel = Parse(ParseChannel(*c), "channel", "channel");
        if (!channel) return channel.error();
        f.channel = *channel;
    }
    if (auto a = req.QueryParam("assignee"); a && !a->empty()) {
        if (*a == "me") {
            f.assignee = p.user;
        } else if (*a == "none") {
            f.assignee = UserId{0};
        } else if (a->find_first_not_of("0123456789") == std::string::npos && a->size() < 18) {
            f.assignee = UserId{std::stoll(*a)};
        } else {
            return Error{ErrorCode::kInvalidArgument, "'assignee' is me, none or a user id"};
        }
    }
    auto age = NumberParam(req, "older_than_hours", 24 * 365 * 10);
    if (!age) return age.error();
    if (*age) f.created_before_ms = ToUnixMillis(clock.Now()) - **age * 3'600'000;
    auto page = PageOf(req);
    if (!page) return page.error();
    f.limit = page->limit;
    f.after = page->after;
    return f;
}

/// What is wrong with a field of a field report, in the API's words (the value is never echoed).
std::string_view ProblemText(public_site::FieldProblem p) {
    using P = public_site::FieldProblem;
    switch (p) {
        case P::kTooLong: return "is too long";
        case P::kBadDate: return "is not a date (YYYY-MM-DD, 1900 to 2100)";
        case P::kBadGroupSize: return "is not a group size from 1 to 500";
        case P::kBadChoice: return "is not one of its choices";
        case P::kBadText: return "is not valid UTF-8 text without control characters";
        case P::kNeedContact: return "or free_text is needed: a way to reach the person, or what is known";
        default: return "is not valid";
    }
}

/// The contact of a field report from its JSON body: {kind?, language?, fields: {name: text}},
/// checked as the public forms check theirs (forms.hpp), every problem named.
Result<intake::InboundContact> FieldReportOf(const json::object& body) {
    intake::InboundContact c;
    auto kind = OptionalString(body, "kind", 32);
    auto language = OptionalString(body, "language", 8);
    for (auto* r : {&kind, &language})
        if (!*r) return r->error();
    if (!kind->empty()) {
        auto k = Parse(ParseCaseKind(*kind), "kind", "case kind");
        if (!k) return k.error();
        c.kind = *k;
    }
    if (!language->empty()) {
        if (*language != "ru" && *language != "uk" && *language != "en")
            return Error{ErrorCode::kInvalidArgument, "'language' is ru, uk or en"};
        c.language = *language;
    }
    auto it = body.find("fields");
    if (it == body.end() || !it->value().is_object())
        return Error{ErrorCode::kInvalidArgument, "'fields' is required and must be an object"};
    const auto& specs = intake::FormFields(c.kind);
    public_site::FormValues input;
    for (const auto& [name, value] : it->value().as_object()) {
        // A name is echoed only once it is known to be a field's (never what a client made up).
        if (std::none_of(specs.begin(), specs.end(), [&](const intake::FieldSpec& s) { return s.name == name; })) {
            std::string known;
            for (const auto& s : specs) known += fmt::format("{}{}", known.empty() ? "" : ", ", s.name);
            return Error{ErrorCode::kInvalidArgument,
                         fmt::format("'fields' has a name that is not a field of a {} ({})", ToString(c.kind), known)};
        }
        if (!value.is_string())
            return Error{ErrorCode::kInvalidArgument, fmt::format("'fields.{}' must be a string", std::string_view(name))};
        input.emplace(std::string(name), std::string(value.as_string()));
    }
    auto checked = public_site::ValidateFields(c.kind, input);
    if (!checked.ok()) {
        std::string message;
        for (const auto& [name, problem] : checked.problems)
            message += fmt::format("{}'{}' {}", message.empty() ? "" : "; ", name, ProblemText(problem));
        return Error{ErrorCode::kInvalidArgument, std::move(message)};
    }
    c.fields = std::move(checked.clean);
    return c;
}

json::object CaseJson(const cases::CaseView& v, const UserNames& names) {
    json::object o = Summary(v.record, names);
    json::array next;
    for (auto s : v.next_states) next.emplace_back(cases::ToString(s));
    o["next_states"] = std::move(next);
    json::array closure;
    for (auto r : v.closure_reasons) closure.emplace_back(cases::ToString(r));
    o["closure_reasons"] = std::move(closure);
    json::object form;
    for (const auto& [k, val] : v.form) form[k] = val;
    o["form"] = std::move(form);
    json::array messages;
    for (const auto& m : v.messages) {
        json::object f;
        for (const auto& [k, val] : m.fields) f[k] = val;
        messages.push_back(json::object{{"id", m.id.value},
                                        {"kind", m.kind},
                                        {"author", names.Of(m.author)},
                                        {"channel", ToString(m.channel)},
                                        {"at", m.at_ms},
                                        {"text", m.text},
                                        {"fields", std::move(f)}});
    }
    o["messages"] = std::move(messages);
    json::array history;
    for (const auto& e : v.history)
        history.push_back(json::object{{"at", e.at_ms},
                                       {"actor", names.Of(e.actor)},
                                       {"type", e.type},
                                       {"from", e.from},
                                       {"to", e.to},
                                       {"reason", e.reason}});
    o["history"] = std::move(history);
    json::array handoffs;
    for (const auto& h : v.handoffs) {
        json::array fields;
        for (const auto& f : h.field_names) fields.emplace_back(f);
        handoffs.push_back(json::object{{"id", h.id},
                                        {"coordinator", names.Of(h.coordinator)},
                                        {"fields", std::move(fields)},
                                        {"at", h.at_ms},
                                        {"outcome", h.outcome.empty() ? json::value(nullptr) : json::value(h.outcome)},
                                        {"outcome_at", h.outcome.empty() ? json::value(nullptr) : json::value(h.outcome_ms)},
                                        {"outcome_note", h.outcome_note}});
    }
    o["handoffs"] = std::move(handoffs);
    json::array attachments;
    for (const auto& a : v.attachments)
        attachments.push_back(json::object{{"id", a.id}, {"mime", a.mime}, {"size", a.size}, {"at", a.at_ms}});
    o["attachments"] = std::move(attachments);
    return o;
}

}  // namespace

void RegisterCaseRoutes(http::Router& router, ApiDeps& deps) {
    auto& cs = *deps.cases;

    router.Add("GET", "/api/v1/cases",
               Guard(deps, {Action::kCaseList}, [&deps, &cs](http::Request& req, const auth::Principal& p) {
                   auto filter = FilterOf(req, p, deps.clock);
                   if (!filter) return Fail(filter.error());
                   auto rows = cs.List(*filter);
                   UserNames names(deps.auth);
                   json::array items;
                   for (const auto& c : rows) items.push_back(Summary(c, names));
                   json::object out{{"items", std::move(items)}};
                   out["next_cursor"] = rows.empty() ? json::value(nullptr)
                                                     : NextCursor(rows.size(), filter->limit, rows.back().updated_ms,
                                                                  rows.back().id.value);
                   return JsonResponse(200, out);
               }));

    if (deps.intake != nullptr) {
        router.Add("POST", "/api/v1/cases",
                   Guard(deps, {Action::kCaseCreate},
                         [&deps, &cs](http::Request& req, const auth::Principal& p) -> http::Response {
                             auto body = ParseBody(req);
                             if (!body) return Fail(body.error());
                             auto contact = FieldReportOf(*body);
                             if (!contact) return Fail(contact.error());
                             auto filed = cs.FileReport(ActorOf(p), *deps.intake, std::move(*contact));
                             if (!filed) return Fail(filed.error());
                             json::object out = Summary(filed->record, UserNames(deps.auth));
                             out["receipt"] = filed->receipt;
                             return JsonResponse(201, out);
                         }));
    }

    if (deps.intake != nullptr) {
        // A receipt read out on the phone: in a POST body, never in a URL or a log line.
        router.Add("POST", "/api/v1/cases/lookup",
                   Guard(deps, {Action::kCaseRead},
                         [&deps, &cs](http::Request& req, const auth::Principal& p) -> http::Response {
                             auto body = ParseBody(req);
                             if (!body) return Fail(body.error());
                             auto receipt = StringField(*body, "receipt", 200);
                             if (!receipt) return Fail(receipt.error());
                             const std::string normalized = intake::IntakeService::NormalizeReceipt(*receipt);
                             if (normalized.empty())
                                 return Fail({ErrorCode::kInvalidArgument, "'receipt' is not a receipt: 25 digits, grouped or not"});
                             auto rec = cs.FindByReceipt(ActorOf(p), deps.intake->ReceiptLookup(normalized));
                             if (!rec) return Fail(rec.error());
                             return JsonResponse(200, Summary(*rec, UserNames(deps.auth)));
                         }));
    }

    router.Add("GET", "/api/v1/cases/{id}",
               Guard(deps, {Action::kCaseRead}, [&deps, &cs](http::Request& req, const auth::Principal& p) {
                   auto id = CaseIdParam(req);
                   if (!id) return Fail(id.error());
                   auto view = cs.Read(ActorOf(p), *id);
                   if (!view) return Fail(view.error());
                   return JsonResponse(200, CaseJson(*view, UserNames(deps.auth)));
               }));

    auto text_route = [&deps, &cs](bool reply) {
        return Guard(deps, {reply ? Action::kCaseReply : Action::kCaseNote},
                     [&cs, reply](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto text = StringField(*body, "text", cases::CaseService::kMaxTextBytes);
                         if (!text) return Fail(text.error());
                         auto mid = reply ? cs.Reply(ActorOf(p), *id, *text) : cs.Note(ActorOf(p), *id, *text);
                         if (!mid) return Fail(mid.error());
                         return JsonResponse(201, json::object{{"id", mid->value}});
                     });
    };
    router.Add("POST", "/api/v1/cases/{id}/reply", text_route(true));
    router.Add("POST", "/api/v1/cases/{id}/notes", text_route(false));

    auto summary = [&deps](const store::CaseRecord& c) { return JsonResponse(200, Summary(c, UserNames(deps.auth))); };

    router.Add("POST", "/api/v1/cases/{id}/transition",
               Guard(deps, {Action::kCaseTransition},
                     [&cs, summary](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto to = StringField(*body, "to", 32);
                         auto reason = StringField(*body, "reason", cases::CaseService::kMaxTextBytes);
                         auto closure = OptionalString(*body, "closure_reason", 32);
                         auto answer = OptionalString(*body, "inquiry_answer", 64);
                         for (auto* r : {&to, &reason, &closure, &answer})
                             if (!*r) return Fail(r->error());
                         auto state = Parse(cases::ParseState(*to), "to", "case state");
                         if (!state) return Fail(state.error());
                         auto cr = closure->empty() ? cases::ClosureReason::kNone
                                                    : cases::ParseClosureReason(*closure).value_or(
                                                          cases::ClosureReason::kNone);
                         if (!closure->empty() && cr == cases::ClosureReason::kNone)
                             return Fail({ErrorCode::kInvalidArgument, "'closure_reason' is not a closure reason"});
                         auto ia = answer->empty() ? cases::InquiryAnswer::kNone
                                                   : cases::ParseInquiryAnswer(*answer).value_or(
                                                         cases::InquiryAnswer::kNone);
                         if (!answer->empty() && ia == cases::InquiryAnswer::kNone)
                             return Fail({ErrorCode::kInvalidArgument, "'inquiry_answer' is not an answer status"});
                         auto rec = cs.Transition(ActorOf(p), *id, *state, *reason, cr, ia);
                         return rec ? summary(*rec) : Fail(rec.error());
                     }));

    router.Add("POST", "/api/v1/cases/{id}/triage",
               Guard(deps, {Action::kCaseTransition},
                     [&cs, summary](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto category = StringField(*body, "category", 32);
                         if (!category) return Fail(category.error());
                         auto t = Parse(cases::ParseTriage(*category), "category", "triage category");
                         if (!t) return Fail(t.error());
                         auto rec = cs.SetTriage(ActorOf(p), *id, *t);
                         return rec ? summary(*rec) : Fail(rec.error());
                     }));

    router.Add("POST", "/api/v1/cases/{id}/suspect",
               Guard(deps, {Action::kCaseTransition},
                     [&cs, summary](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto it = body->find("suspect");
                         if (it == body->end() || !it->value().is_bool())
                             return Fail({ErrorCode::kInvalidArgument, "'suspect' is required and must be a boolean"});
                         auto reason = StringField(*body, "reason", cases::CaseService::kMaxTextBytes);
                         if (!reason) return Fail(reason.error());
                         auto rec = cs.MarkSuspect(ActorOf(p), *id, it->value().as_bool(), *reason);
                         return rec ? summary(*rec) : Fail(rec.error());
                     }));

    router.Add("POST", "/api/v1/cases/{id}/assign",
               Guard(deps, {Action::kCaseAssign},
                     [&cs, summary](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto it = body->find("user_id");
                         UserId who{0};
                         if (it != body->end() && !it->value().is_null()) {
                             if (!it->value().is_int64() || it->value().as_int64() <= 0)
                                 return Fail({ErrorCode::kInvalidArgument, "'user_id' is a user id or null"});
                             who = UserId{it->value().as_int64()};
                         } else if (it == body->end()) {
                             return Fail({ErrorCode::kInvalidArgument, "'user_id' is required (null unassigns)"});
                         }
                         auto rec = cs.Assign(ActorOf(p), *id, who);
                         return rec ? summary(*rec) : Fail(rec.error());
                     }));

    router.Add("POST", "/api/v1/cases/{id}/handoff",
               Guard(deps, {Action::kCaseHandoff},
                     [&cs](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = CaseIdParam(req);
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto coord = body->find("coordinator_id");
                         if (coord == body->end() || !coord->value().is_int64())
                             return Fail({ErrorCode::kInvalidArgument, "'coordinator_id' is required"});
                         std::vector<std::string> fields;
                         if (auto f = body->find("fields"); f != body->end()) {
                             if (!f->value().is_array())
                                 return Fail({ErrorCode::kInvalidArgument, "'fields' is a list of field names"});
                             for (const auto& v : f->value().as_array()) {
                                 if (!v.is_string() || v.as_string().size() > 64 || fields.size() >= 40)
                                     return Fail({ErrorCode::kInvalidArgument, "'fields' is a list of field names"});
                                 fields.emplace_back(v.as_string());
                             }
                         }
                         auto note = OptionalString(*body, "note", cases::CaseService::kMaxTextBytes);
                         if (!note) return Fail(note.error());
                         auto hid = cs.HandOff(ActorOf(p), *id, UserId{coord->value().as_int64()}, fields, *note);
                         if (!hid) return Fail(hid.error());
                         return JsonResponse(201, json::object{{"id", *hid}});
                     }));

    router.Add("GET", "/api/v1/cases/{id}/attachments/{aid}",
               Guard(deps, {Action::kCaseRead}, [&cs](http::Request& req, const auth::Principal& p) -> http::Response {
                   auto id = CaseIdParam(req);
                   auto aid = PathInt(req, "aid");
                   if (!id) return Fail(id.error());
                   if (!aid) return Fail(aid.error());
                   auto a = cs.ReadAttachment(ActorOf(p), *id, *aid);
                   if (!a) return Fail(a.error());
                   http::Response r;
                   r.status = 200;
                   r.headers.Set("Content-Type", a->first);
                   r.headers.Set("Content-Disposition", "inline");
                   r.body.assign(a->second.begin(), a->second.end());
                   return r;
               }));

    router.Add("GET", "/api/v1/handoffs",
               Guard(deps, {Action::kHandoffRead}, [&cs](http::Request& req, const auth::Principal& p) -> http::Response {
                   auto page = PageOf(req);
                   if (!page) return Fail(page.error());
                   auto list = cs.HandoffsFor(ActorOf(p), page->limit, page->after);
                   if (!list) return Fail(list.error());
                   json::array items;
                   for (const auto& h : *list) {
                       json::object fields;
                       for (const auto& [k, v] : h.fields) fields[k] = v;
                       items.push_back(json::object{
                           {"id", h.id},
                           {"case_id", h.case_id.value},
                           {"at", h.at_ms},
                           {"fields", std::move(fields)},
                           {"note", h.note},
                           {"outcome", h.outcome.empty() ? json::value(nullptr) : json::value(h.outcome)},
                           {"unreadable", h.unreadable}});
                   }
                   json::object out{{"items", std::move(items)}};
                   out["next_cursor"] = list->empty() ? json::value(nullptr)
                                                      : NextCursor(list->size(), page->limit, list->back().at_ms,
                                                                   list->back().id);
                   return JsonResponse(200, out);
               }));

    router.Add("POST", "/api/v1/handoffs/{id}/outcome",
               Guard(deps, {Action::kHandoffOutcome},
                     [&cs](http::Request& req, const auth::Principal& p) -> http::Response {
                         auto id = PathInt(req, "id");
                         if (!id) return Fail(id.error());
                         auto body = ParseBody(req);
                         if (!body) return Fail(body.error());
                         auto outcome = StringField(*body, "outcome", 32);
                         if (!outcome) return Fail(outcome.error());
                         auto note = OptionalString(*body, "note", cases::CaseService::kMaxTextBytes);
                         if (!note) return Fail(note.error());
                         auto r = cs.RecordOutcome(ActorOf(p), *id, *outcome, *note);
                         if (!r) return Fail(r.error());
                         return JsonResponse(200, json::object{{"id", *id}, {"outcome", *outcome}});
                     }));

    auto people = [&deps](Action action, std::vector<Role> roles) {
        return Guard(deps, {action}, [&deps, roles](http::Request&, const auth::Principal&) {
            json::array items;
            for (const auto& u : deps.auth.ListUsers()) {
                if (u.disabled || std::find(roles.begin(), roles.end(), u.role) == roles.end()) continue;
                items.push_back(json::object{{"id", u.id.value}, {"username", u.username}, {"role", ToString(u.role)}});
            }
            return JsonResponse(200, json::object{{"items", std::move(items)}});
        });
    };
    router.Add("GET", "/api/v1/operators", people(Action::kCaseAssign, {Role::kOperator, Role::kSupervisor}));
    router.Add("GET", "/api/v1/coordinators", people(Action::kCaseHandoff, {Role::kCoordinator}));
}

}  // namespace lifeline::api
