#pragma once
/// Case work for operators, supervisors and coordinators: list, read (audited), reply, note,
/// transition, triage, suspect marking, assignment, hand-off to a coordinator and its outcome.
/// Authorisation (role × action) is checked by the caller (api::Guard); this layer checks what
/// depends on the data: a coordinator reads only hand-offs addressed to him, and so on.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "cases/workflow.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "intake/intake_service.hpp"
#include "store/store.hpp"

namespace lifeline::cases {

/// Who acts: the user, and the keys his session holds.
struct Actor {
    UserId id;
    Role role = Role::kOperator;
    const crypto::KeyPair* team_keys = nullptr;  ///< needed to read or write case content
    const crypto::KeyPair* own_keys = nullptr;   ///< a coordinator opens his hand-offs with it
};

struct MessageView {
    MessageId id;
    std::string kind;  ///< form, inbound, reply, note
    Channel channel = Channel::kWeb;
    UserId author;
    std::int64_t at_ms = 0;
    std::string text;
    std::map<std::string, std::string> fields;
};

struct EventView {
    std::int64_t at_ms = 0;
    UserId actor;
    std::string type;
    std::string from;
    std::string to;
    std::string reason;
};

struct HandoffView {
    std::int64_t id = 0;
    CaseId case_id;
    UserId coordinator;
    std::int64_t at_ms = 0;
    std::vector<std::string> field_names;        ///< what was released
    std::map<std::string, std::string> fields;   ///< the values: only in the coordinator's view
    std::string note;                            ///< only in the coordinator's view
    std::string outcome;
    std::int64_t outcome_ms = 0;
    std::string outcome_note;                    ///< the coordinator's note, for the team: only in the case view
    /// In the coordinator's list: his key no longer opens it (it was reset since); ids only.
    bool unreadable = false;
};

struct AttachmentView {
    std::int64_t id = 0;
    std::string mime;
    std::int64_t size = 0;
    std::int64_t at_ms = 0;
};

struct CaseView {
    store::CaseRecord record;
    std::vector<State> next_states;
    std::vector<ClosureReason> closure_reasons;  ///< those that fit if it is closed now
    std::map<std::string, std::string> form;  ///< the latest answer to every form field
    std::vector<MessageView> messages;
    std::vector<EventView> history;
    std::vector<HandoffView> handoffs;
    std::vector<AttachmentView> attachments;
};

/// A reply to send to the applicant's channel (the outbox listens here).
using ReplyListener = std::function<void(const store::CaseRecord&, MessageId, const std::string& text)>;
/// Any change to a case (the console's live views listen here): the case, what changed (the
/// history event's type, or "reply"/"note") and, for a hand-off, the coordinator it went to.
/// Runs on the caller's thread after the change is stored; must be quick.
using ChangeListener = std::function<void(CaseId, const std::string& what, UserId addressed)>;

/// The outcomes a coordinator may record for a hand-off.
const std::vector<std::string>& HandoffOutcomes();

class CaseService {
public:
    CaseService(store::Store& store, audit::AuditLog& audit, const Clock& clock);

    std::vector<store::CaseRecord> List(const store::CaseFilter& filter);
    /// The whole case, decrypted; audited as case.read.
    Result<CaseView> Read(const Actor& actor, CaseId id);
    /// The case a receipt opens (a web applicant who calls the phone line reads his code out),
    /// given as intake's keyed lookup of it; audited as case.lookup with the case id only.
    /// kNotFound when none.
    Result<store::CaseRecord> FindByReceipt(const Actor& actor, ByteView receipt_lookup);
    Result<MessageId> Reply(const Actor& actor, CaseId id, const std::string& text);
    Result<MessageId> Note(const Actor& actor, CaseId id, const std::string& text);
    Result<store::CaseRecord> Transition(const Actor& actor, CaseId id, State to, const std::string& reason,
                                         ClosureReason closure, InquiryAnswer answer);
    Result<store::CaseRecord> SetTriage(const Actor& actor, CaseId id, Triage triage);
    Result<store::CaseRecord> MarkSuspect(const Actor& actor, CaseId id, bool suspect, const std::string& reason);
    /// assignee UserId{0} unassigns; otherwise he must be an enabled operator or supervisor.
    Result<store::CaseRecord> Assign(const Actor& actor, CaseId id, UserId assignee);
    /// A field report: the actor files a contact on someone's behalf through intake (a new case
    /// on the operator_entered channel, not queued). It is assigned to him when he holds cases
    /// (an operator or supervisor), and its history opens with a "created" event naming him
    /// (audited as case.created). The receipt comes back once, to be read out to a person who
    /// will follow up on the web, or dropped.
    struct FiledReport {
        store::CaseRecord record;
        std::string receipt;
    };
    Result<FiledReport> FileReport(const Actor& actor, intake::IntakeService& intake, intake::InboundContact contact);
    /// Releases the named form fields (and a note) to one coordinator, sealed to his key.
    Result<std::int64_t> HandOff(const Actor& actor, CaseId id, UserId coordinator,
                                 const std::vector<std::string>& field_names, const std::string& note);
    /// A coordinator's hand-offs, opened with his own key; audited as handoff.read.
    /// Newest first, `limit` of them, strictly after the (at_ms, id) cursor of the last one seen.
    Result<std::vector<HandoffView>> HandoffsFor(
        const Actor& coordinator, std::size_t limit = 50,
        const std::optional<std::pair<std::int64_t, std::int64_t>>& after = std::nullopt);
    Result<void> RecordOutcome(const Actor& coordinator, std::int64_t handoff_id, const std::string& outcome,
                               const std::string& note);
    /// An attachment's bytes and type; audited.
    Result<std::pair<std::string, Bytes>> ReadAttachment(const Actor& actor, CaseId id, std::int64_t attachment_id);

    void OnReply(ReplyListener listener) { reply_listeners_.push_back(std::move(listener)); }
    void OnChange(ChangeListener listener) { change_listeners_.push_back(std::move(listener)); }

    /// Limits.
    static constexpr std::size_t kMaxTextBytes = 10'000;

private:
    Result<crypto::SecretKey> CaseKey(const Actor& actor, const store::CaseRecord& record);
    Result<store::CaseRecord> Load(CaseId id);
    /// Stores `after` over `before` (the record as read; see Store::UpdateCase) with an event.
    Result<store::CaseRecord> Update(const Actor& actor, const store::CaseRecord& before, store::CaseRecord after,
                                     store::CaseCondition condition, const std::string& type, const std::string& from, const std::string& to,
                                     const std::string& reason, const crypto::SecretKey* case_key);
    Result<MessageId> Append(const Actor& actor, CaseId id, const std::string& kind, const std::string& text);
    void Changed(CaseId id, const std::string& what, UserId addressed = {});

    store::Store& store_;
    audit::AuditLog& audit_;
    const Clock& clock_;
    std::vector<ReplyListener> reply_listeners_;
    std::vector<ChangeListener> change_listeners_;
};

}  // namespace lifeline::cases
