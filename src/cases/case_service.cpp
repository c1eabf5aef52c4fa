#include "cases/case_service.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "intake/intake_service.hpp"
#include "intake/message_codec.hpp"

namespace lifeline::cases {
namespace json = boost::json;
namespace {

std::string Target(CaseId id) { return fmt::format("case:{}", id.value); }
Error NotFound() { return {ErrorCode::kNotFound, "no such case"}; }
Error NeedsKeys() { return {ErrorCode::kForbidden, "this session holds no team key"}; }

std::vector<std::string> Split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

const std::vector<std::string>& HandoffOutcomes() {
    static const std::vector<std::string> kOutcomes = {"surrendered", "not_reached", "cancelled"};
    return kOutcomes;
}

CaseService::CaseService(store::Store& store, audit::AuditLog& audit, const Clock& clock)
    : store_(store), audit_(audit), clock_(clock) {}

void CaseService::Changed(CaseId id, const std::string& what, UserId addressed) {
    for (const auto& l : change_listeners_) l(id, what, addressed);
}

std::vector<store::CaseRecord> CaseService::List(const store::CaseFilter& filter) { return store_.ListCases(filter); }

Result<store::CaseRecord> CaseService::Load(CaseId id) {
    auto rec = store_.FindCase(id);
    if (!rec) return NotFound();
    return *rec;
}

Result<crypto::SecretKey> CaseService::CaseKey(const Actor& actor, const store::CaseRecord& record) {
    if (actor.team_keys == nullptr) return NeedsKeys();
    auto epoch = store_.FindKeyEpoch(record.key_epoch);
    if (!epoch) return Error{ErrorCode::kDecryptFailed, "the case's key epoch is missing"};
    return crypto::UnwrapCaseKey(*actor.team_keys, epoch->ephemeral_public_key, record.id, record.wrapped_key);
}

Result<store::CaseRecord> CaseService::FindByReceipt(const Actor& actor, ByteView receipt_lookup) {
    auto rec = store_.FindCaseByReceipt(receipt_lookup);
    if (!rec) return Error{ErrorCode::kNotFound, "no case has this receipt"};
    audit_.Append(actor.id, "case.lookup", Target(rec->id));
    return *rec;
}

Result<CaseView> CaseService::Read(const Actor& actor, CaseId id) {
    auto rec = Load(id);
    if (!rec) return rec.error();
    auto key = CaseKey(actor, *rec);
    if (!key) return key.error();
    audit_.Append(actor.id, "case.read", Target(id));
    intake::EpochUnwrap unwrap = [&](KeyEpochId eid, CaseId cid, ByteView wrapped) -> Result<crypto::SecretKey> {
        auto e = store_.FindKeyEpoch(eid);
        if (!e) return Error{ErrorCode::kDecryptFailed, "missing key epoch"};
        return crypto::UnwrapCaseKey(*actor.team_keys, e->ephemeral_public_key, cid, wrapped);
    };
    CaseView view;
    view.record = *rec;
    view.next_states = NextStates(rec->kind, ParseState(rec->state).value_or(State::kNew));
    if (rec->suspect) std::erase_if(view.next_states, LeadsToAUnit);
    view.closure_reasons = ClosureReasons(rec->kind, ParseState(rec->state).value_or(State::kNew));
    for (const auto& m : store_.MessagesOfCase(id)) {
        auto payload = intake::OpenSealed(id, "message", m.ciphertext, &*key, unwrap);
        if (!payload) return payload.error();  // tampered content is an error, never shown half-read
        MessageView v;
        v.id = m.id;
        v.kind = m.kind;
        v.channel = m.channel;
        v.author = m.author;
        v.at_ms = m.created_ms;
        if (!intake::DecodePayload(AsString(*payload), v.fields, v.text))
            return Error{ErrorCode::kIntegrity, "a message is malformed"};
        if (m.kind == "form")
            for (const auto& [k, val] : v.fields) view.form[k] = val;
        view.messages.push_back(std::move(v));
    }
    std::vector<const store::CaseEventRecord*> handoff_events;
    auto events = store_.EventsOfCase(id);
    for (const auto& e : events) {
        EventView v;
        v.at_ms = e.at_ms;
        v.actor = e.actor;
        v.type = e.type;
        v.from = e.from_value;
        v.to = e.to_value;
        if (!e.reason_sealed.empty()) {
            auto reason = intake::OpenSealed(id, "event-reason", e.reason_sealed, &*key, {});
            if (!reason) return reason.error();
            v.reason = std::string(AsString(*reason));
        }
        if (e.type == "handoff") handoff_events.push_back(&e);
        view.history.push_back(std::move(v));
    }
    auto handoffs = store_.HandoffsOfCase(id);
    for (std::size_t i = 0; i < handoffs.size(); ++i) {
        HandoffView h;
        h.id = handoffs[i].id;
        h.case_id = id;
        h.coordinator = handoffs[i].coordinator;
        h.at_ms = handoffs[i].created_ms;
        h.outcome = handoffs[i].outcome;
        h.outcome_ms = handoffs[i].outcome_ms;
        if (!handoffs[i].outcome_sealed.empty()) {
            auto note = crypto::OpenSealed(*actor.team_keys, handoffs[i].outcome_sealed);
            if (!note) return note.error();  // tampered: an error, as for messages
            h.outcome_note = std::string(AsString(*note));
        }
        if (i < handoff_events.size()) h.field_names = Split(handoff_events[i]->from_value);
        view.handoffs.push_back(std::move(h));
    }
    for (const auto& a : store_.AttachmentsOfCase(id))
        view.attachments.push_back(AttachmentView{a.id, a.mime, a.size, a.created_ms});
    return view;
}

Result<MessageId> CaseService::Append(const Actor& actor, CaseId id, const std::string& kind, const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error{ErrorCode::kInvalidArgument, "the text is empty"};
    if (text.size() > kMaxTextBytes) return Error{ErrorCode::kInvalidArgument, "the text is too long"};
    auto rec = Load(id);
    if (!rec) return rec.error();
    auto key = CaseKey(actor, *rec);
    if (!key) return key.error();
    const auto now = ToUnixMillis(clock_.Now());
    store::MessageRecord m;
    m.case_id = id;
    m.kind = kind;
    m.channel = kind == "reply" ? rec->channel : Channel::kOperatorEntered;
    m.author = actor.id;
    m.created_ms = now;
    m.ciphertext = intake::SealWithCaseKey(*key, id, "message", AsBytes(intake::EncodePayload({}, text)));
    auto mid = store_.AppendMessage(m, std::nullopt, now);
    if (!mid) return mid.error();
    audit_.Append(actor.id, "case." + kind, Target(id));
    if (kind == "reply")
        for (const auto& l : reply_listeners_) l(*rec, *mid, text);
    Changed(id, kind);
    return mid;
}

Result<MessageId> CaseService::Reply(const Actor& actor, CaseId id, const std::string& text) {
    return Append(actor, id, "reply", text);
}
Result<MessageId> CaseService::Note(const Actor& actor, CaseId id, const std::string& text) {
    return Append(actor, id, "note", text);
}

Result<store::CaseRecord> CaseService::Update(const Actor& actor, const store::CaseRecord& before,
                                              store::CaseRecord record, store::CaseCondition condition,
                                              const std::string& type,
                                              const std::string& from, const std::string& to,
                                              const std::string& reason, const crypto::SecretKey* case_key) {
    const auto now = ToUnixMillis(clock_.Now());
    record.updated_ms = now;
    store::CaseEventRecord e;
    e.case_id = record.id;
    e.at_ms = now;
    e.actor = actor.id;
    e.type = type;
    e.from_value = from;
    e.to_value = to;
    if (!reason.empty() && case_key)
        e.reason_sealed = intake::SealWithCaseKey(*case_key, record.id, "event-reason", AsBytes(reason));
    auto r = store_.UpdateCase(before, record, e, condition);
    if (!r) return r.error();
    audit_.Append(actor.id, "case." + type, Target(record.id), fmt::format("{}->{}", from, to));
    Changed(record.id, type);
    return record;
}

Result<store::CaseRecord> CaseService::Transition(const Actor& actor, CaseId id, State to, const std::string& reason,
                                                  ClosureReason closure, InquiryAnswer answer) {
    if (reason.size() > kMaxTextBytes) return Error{ErrorCode::kInvalidArgument, "the reason is too long"};
    auto rec = Load(id);
    if (!rec) return rec.error();
    auto from = ParseState(rec->state);
    if (!from) return Error{ErrorCode::kIntegrity, "the case has an unknown state"};
    if (auto ok = CheckTransition(rec->kind, *from, to, reason, closure, answer); !ok) return ok.error();
    if (rec->suspect && LeadsToAUnit(to))
        return Error{ErrorCode::kConflict,
                     "the case is marked suspect: clear the mark once verified, or close it as a suspected "
                     "provocation"};
    auto key = CaseKey(actor, *rec);
    if (!key) return key.error();
    store::CaseRecord after = *rec;
    after.state = std::string(ToString(to));
    if (to == State::kClosed) after.closure_reason = std::string(ToString(closure));
    if (*from == State::kClosed) after.closure_reason = "none";
    if (to == State::kAnswered) after.inquiry_answer = std::string(ToString(answer));
    std::string to_label = after.state;
    if (to == State::kClosed) to_label += ":" + after.closure_reason;
    if (to == State::kAnswered) to_label += ":" + after.inquiry_answer;
    // Marked suspect meanwhile: the move towards a unit fails in the write itself.
    return Update(actor, *rec, std::move(after), {.not_suspect = LeadsToAUnit(to)}, "transition", rec->state,
                  to_label, reason, &*key);
}

Result<store::CaseRecord> CaseService::SetTriage(const Actor& actor, CaseId id, Triage triage) {
    auto rec = Load(id);
    if (!rec) return rec.error();
    store::CaseRecord after = *rec;
    after.triage = std::string(ToString(triage));
    return Update(actor, *rec, after, {}, "triage", rec->triage, after.triage, {}, nullptr);
}

Result<store::CaseRecord> CaseService::MarkSuspect(const Actor& actor, CaseId id, bool suspect,
                                                   const std::string& reason) {
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error{ErrorCode::kInvalidArgument, "marking needs a reason"};
    if (reason.size() > kMaxTextBytes) return Error{ErrorCode::kInvalidArgument, "the reason is too long"};
    auto rec = Load(id);
    if (!rec) return rec.error();
    auto key = CaseKey(actor, *rec);
    if (!key) return key.error();
    store::CaseRecord after = *rec;
    after.suspect = suspect;
    return Update(actor, *rec, std::move(after), {}, "suspect", rec->suspect ? "true" : "false",
                  suspect ? "true" : "false", reason, &*key);
}

Result<store::CaseRecord> CaseService::Assign(const Actor& actor, CaseId id, UserId assignee) {
    if (assignee.value != 0) {
        auto user = store_.FindUser(assignee);
        if (!user || user->disabled || (user->role != Role::kOperator && user->role != Role::kSupervisor))
            return Error{ErrorCode::kInvalidArgument, "cases are assigned to enabled operators or supervisors"};
    }
    auto rec = Load(id);
    if (!rec) return rec.error();
    store::CaseRecord after = *rec;
    after.assignee = assignee;
    return Update(actor, *rec, std::move(after), {}, "assign", rec->assignee.ToString(), assignee.ToString(), {},
                  nullptr);
}

Result<CaseService::FiledReport> CaseService::FileReport(const Actor& actor, intake::IntakeService& intake,
                                                         intake::InboundContact contact) {
    auto filed = intake.FileReport(std::move(contact));
    if (!filed) return filed.error();
    auto rec = Load(filed->case_id);
    if (!rec) return rec.error();
    store::CaseRecord after = *rec;
    if (actor.role == Role::kOperator || actor.role == Role::kSupervisor) after.assignee = actor.id;
    auto updated = Update(actor, *rec, std::move(after), {}, "created", "",
                          std::string(lifeline::ToString(rec->channel)), {}, nullptr);
    if (!updated) return updated.error();
    return FiledReport{std::move(*updated), std::move(filed->receipt)};
}

Result<std::int64_t> CaseService::HandOff(const Actor& actor, CaseId id, UserId coordinator,
                                          const std::vector<std::string>& field_names, const std::string& note) {
    auto coord = store_.FindUser(coordinator);
    if (!coord || coord->disabled || coord->role != Role::kCoordinator)
        return Error{ErrorCode::kInvalidArgument, "hand-offs go to an enabled coordinator"};
    if (note.size() > kMaxTextBytes) return Error{ErrorCode::kInvalidArgument, "the note is too long"};
    auto rec = Load(id);
    if (!rec) return rec.error();
    // A unit is never sent on a case that may be a lure, or on one that is over.
    if (rec->suspect)
        return Error{ErrorCode::kConflict, "the case is marked suspect: clear the mark before handing it off"};
    if (rec->state == ToString(State::kClosed)) return Error{ErrorCode::kConflict, "a closed case is not handed off"};
    const auto& specs = intake::FormFields(rec->kind);
    for (const auto& f : field_names) {
        if (std::none_of(specs.begin(), specs.end(), [&](const intake::FieldSpec& s) { return s.name == f; }))
            return Error{ErrorCode::kInvalidArgument, fmt::format("'{}' is not a field of this case", f)};
    }
    if (field_names.empty() && note.empty())
        return Error{ErrorCode::kInvalidArgument, "a hand-off releases at least one field or a note"};
    auto view = Read(actor, id);
    if (!view) return view.error();
    json::object fields;
    std::string names;
    for (const auto& f : field_names) {
        auto it = view->form.find(f);
        fields[f] = it == view->form.end() ? "" : it->second;
        names += (names.empty() ? "" : ",") + f;
    }
    json::object payload{{"case_id", id.value}, {"fields", std::move(fields)}, {"note", note}};
    const auto now = ToUnixMillis(clock_.Now());
    store::HandoffRecord h;
    h.case_id = id;
    h.coordinator = coordinator;
    h.created_by = actor.id;
    h.created_ms = now;
    h.payload_sealed = crypto::SealTo(coord->public_key, AsBytes(json::serialize(payload)));
    store::CaseEventRecord e;
    e.case_id = id;
    e.at_ms = now;
    e.actor = actor.id;
    e.type = "handoff";
    e.from_value = names;
    e.to_value = coordinator.ToString();
    // Marked suspect or closed meanwhile: the hand-off fails in the write itself.
    auto hid = store_.InsertHandoff(h, e, {.not_suspect = true, .open = true});
    if (!hid) return hid.error();
    audit_.Append(actor.id, "case.handoff", Target(id), fmt::format("coordinator={} fields={}", coordinator.value, names));
    Changed(id, "handoff", coordinator);
    return hid;
}

Result<std::vector<HandoffView>> CaseService::HandoffsFor(const Actor& coordinator, std::size_t limit,
                                                         const std::optional<std::pair<std::int64_t, std::int64_t>>& after) {
    if (coordinator.own_keys == nullptr) return Error{ErrorCode::kForbidden, "this session holds no key"};
    std::vector<HandoffView> out;
    std::string cases;
    for (const auto& h : store_.HandoffsForCoordinator(coordinator.id, limit, after)) {
        HandoffView view;
        view.id = h.id;
        view.case_id = h.case_id;
        view.coordinator = h.coordinator;
        view.at_ms = h.created_ms;
        view.outcome = h.outcome;
        view.outcome_ms = h.outcome_ms;
        fmt::format_to(std::back_inserter(cases), "{}{}", cases.empty() ? "" : ",", h.case_id.value);
        // One that his key no longer opens (sealed before a key reset, or damaged) is listed by
        // its ids, so that the others still show and the operator can be asked to hand it again.
        auto plain = crypto::OpenSealed(*coordinator.own_keys, h.payload_sealed);
        json::error_code ec;
        json::value v;
        if (plain) v = json::parse(AsString(*plain), ec);
        if (!plain || ec || !v.is_object()) {
            view.unreadable = true;
            out.push_back(std::move(view));
            continue;
        }
        const auto& o = v.as_object();
        if (auto it = o.find("fields"); it != o.end() && it->value().is_object()) {
            for (const auto& [k, val] : it->value().as_object()) {
                view.field_names.emplace_back(k);
                if (val.is_string()) view.fields[std::string(k)] = std::string(val.as_string());
            }
        }
        if (auto it = o.find("note"); it != o.end() && it->value().is_string())
            view.note = std::string(it->value().as_string());
        out.push_back(std::move(view));
    }
    audit_.Append(coordinator.id, "handoff.read", fmt::format("user:{}", coordinator.id.value),
                  fmt::format("count={} cases={}", out.size(), cases));
    return out;
}

Result<void> CaseService::RecordOutcome(const Actor& coordinator, std::int64_t handoff_id, const std::string& outcome,
                                        const std::string& note) {
    const auto& outcomes = HandoffOutcomes();
    if (std::find(outcomes.begin(), outcomes.end(), outcome) == outcomes.end())
        return Error{ErrorCode::kInvalidArgument, "'outcome' must be surrendered, not_reached or cancelled"};
    if (note.size() > kMaxTextBytes) return Error{ErrorCode::kInvalidArgument, "the note is too long"};
    auto h = store_.FindHandoff(handoff_id);
    // Someone else's hand-off does not exist, as far as this coordinator can tell.
    if (!h || h->coordinator != coordinator.id) return Error{ErrorCode::kNotFound, "no such hand-off"};
    auto team_pk = store_.GetMeta("team_public_key");
    if (!team_pk) return Error{ErrorCode::kInternal, "no team key"};
    const auto now = ToUnixMillis(clock_.Now());
    h->outcome = outcome;
    h->outcome_ms = now;
    h->outcome_sealed = note.empty() ? Bytes{} : crypto::SealTo(*team_pk, AsBytes(note));
    store::CaseEventRecord e;
    e.case_id = h->case_id;
    e.at_ms = now;
    e.actor = coordinator.id;
    e.type = "handoff_outcome";
    e.from_value = std::to_string(handoff_id);
    e.to_value = outcome;
    auto r = store_.RecordHandoffOutcome(*h, e);
    if (!r) return r;
    audit_.Append(coordinator.id, "handoff.outcome", Target(h->case_id), outcome);
    Changed(h->case_id, "handoff_outcome", coordinator.id);
    return Ok();
}

Result<std::pair<std::string, Bytes>> CaseService::ReadAttachment(const Actor& actor, CaseId id,
                                                                  std::int64_t attachment_id) {
    auto a = store_.FindAttachment(attachment_id);
    if (!a || a->case_id != id) return Error{ErrorCode::kNotFound, "no such attachment"};
    auto rec = Load(id);
    if (!rec) return rec.error();
    auto key = CaseKey(actor, *rec);
    if (!key) return key.error();
    intake::EpochUnwrap unwrap = [&](KeyEpochId eid, CaseId cid, ByteView wrapped) -> Result<crypto::SecretKey> {
        auto e = store_.FindKeyEpoch(eid);
        if (!e) return Error{ErrorCode::kDecryptFailed, "missing key epoch"};
        return crypto::UnwrapCaseKey(*actor.team_keys, e->ephemeral_public_key, cid, wrapped);
    };
    auto bytes = intake::OpenSealed(id, "attachment", a->ciphertext, &*key, unwrap);
    if (!bytes) return bytes.error();
    audit_.Append(actor.id, "case.attachment_read", Target(id), fmt::format("attachment={}", attachment_id));
    return std::pair{a->mime, std::move(*bytes)};
}

}  // namespace lifeline::cases
