#pragma once
/// The store interface: it speaks the domain, not SQL. Backends: sqlite/ (embedded, default) and,
/// later, postgres/. Every backend passes the one contract suite in tests/store/.
///
/// Threading: every method may be called from any thread and blocks; call it from a worker thread,
/// never from an I/O thread. Writes are acknowledged (the method returns) only after the batch
/// that holds them is durable.
///
/// In clear: ids, timestamps, channel, kind, state, roles, usernames, keyed pseudonyms/hashes,
/// public keys. Everything else arrives here already encrypted (Bytes fields named *_sealed or
/// ciphertext).

#include <cstdint>
#include <functional>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/domain.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace lifeline::store {

/// What contacts an operator takes from the queue: language codes ("en", "ru", "uk") and case
/// kinds. An empty set means every language (every kind): the queue's defaults.
struct UserSkills {
    std::set<std::string> languages;
    std::set<CaseKind> kinds;
    bool operator==(const UserSkills&) const = default;
};

struct UserRecord {
    UserId id;
    std::string username;
    Role role = Role::kOperator;
    bool disabled = false;
    // The operator's key pair, wrapped (crypto::WrappedOperatorKey).
    Bytes public_key;
    Bytes kdf_salt;
    std::uint64_t kdf_opslimit = 0;
    std::uint64_t kdf_memlimit = 0;
    Bytes secret_by_password;
    Bytes secret_by_recovery;
    Bytes team_key_sealed;       ///< team private key sealed to public_key
    Bytes totp_secret_sealed;    ///< TOTP secret sealed to public_key; empty = not enrolled
    bool totp_enabled = false;
    std::int64_t totp_last_step = 0;  ///< last accepted TOTP time step (codes are single-use)
    bool must_change_password = true;
    int failed_logins = 0;
    std::int64_t locked_until_ms = 0;
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
    /// Written by InsertUser and UpdateUserSkills; UpdateUser leaves them as stored, so a login
    /// that rewrites the row cannot undo an administrator's change made meanwhile.
    UserSkills skills;
};

enum class SessionStage {
    kPasswordChange = 0,   ///< logged in with a one-time password: must set a new one first
    kTotpEnrol = 1,        ///< must enrol a second factor
    kTotpVerify = 2,       ///< password ok, second factor pending
    kActive = 3,           ///< fully logged in
};

struct SessionRecord {
    Bytes id_hash;               ///< keyed hash of the session token; the token itself is never stored
    UserId user;
    SessionStage stage = SessionStage::kTotpVerify;
    std::int64_t created_ms = 0;
    std::int64_t last_seen_ms = 0;
    Bytes keys_sealed;           ///< operator private key under a key derived from the cookie token
    Bytes csrf_hash;             ///< keyed hash of the CSRF token
};

struct AuditRecord {
    std::int64_t seq = 0;        ///< 1, 2, 3, ... without gaps
    std::int64_t at_ms = 0;
    std::int64_t actor = 0;      ///< UserId value, 0 = the system or the shell
    std::string action;          ///< e.g. "login.ok", "user.add", "case.read"
    std::string target;          ///< ids only, e.g. "user:3", "case:123"
    std::string detail;          ///< never personal data
    Bytes prev_hash;
    Bytes hash;
};

/// How the audit module chains entries; the store calls these inside the write transaction.
struct AuditChain {
    /// Hash of a record whose seq, at_ms, actor, action, target, detail, prev_hash are set.
    std::function<Bytes(const AuditRecord&)> entry_hash;
    /// A MAC over the head (last seq and its hash), stored in meta "audit_head" so that removing
    /// the newest entries is detected too.
    std::function<Bytes(std::int64_t seq, ByteView hash)> head_mac;
};

struct KeyEpochRecord {
    KeyEpochId id;
    Bytes ephemeral_public_key;
    std::int64_t created_ms = 0;
};

/// Facts about a case that must still hold when a write lands, checked inside the write: a
/// change in between (another operator marking it suspect, closing it) makes it kConflict.
struct CaseCondition {
    bool not_suspect = false;  ///< the case is not marked suspect
    bool open = false;         ///< the case is not closed
};

struct CaseRecord {
    CaseId id;                    ///< random, chosen by the caller (does not reveal case counts)
    ApplicantId applicant;        ///< 0 = none: a web applicant, known only by his receipt
    CaseKind kind = CaseKind::kSurrenderApplication;
    std::string state;            ///< workflow state name (cases/ owns the workflow)
    Channel channel = Channel::kWeb;
    KeyEpochId key_epoch;
    Bytes wrapped_key;            ///< case key wrapped for the team (crypto::IntakeEpoch)
    Bytes receipt_lookup;         ///< keyed hash of the receipt; empty when none
    Bytes receipt_wrapped_key;    ///< case key wrapped under the receipt
    UserId assignee;              ///< 0 = unassigned
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
    // Workflow facts in clear (codes only, see cases/workflow.hpp).
    std::string triage = "unset";
    bool suspect = false;
    std::string closure_reason = "none";
    std::string inquiry_answer = "none";
    std::string language;              ///< "ru", "uk", "en"
    std::int64_t last_inbound_ms = 0;  ///< when the applicant last wrote
};

/// One step in a case's history: a transition, an assignment, a triage, a suspect marking, a
/// hand-off. Codes in clear; the free-text reason is sealed under the case key.
struct CaseEventRecord {
    std::int64_t id = 0;          ///< assigned by the store
    CaseId case_id;
    std::int64_t at_ms = 0;
    UserId actor;                 ///< 0 = the system
    std::string type;             ///< "transition", "assign", "triage", "suspect", "handoff", "handoff_outcome"
    std::string from_value;       ///< e.g. the old state
    std::string to_value;         ///< e.g. the new state
    Bytes reason_sealed;          ///< Seal(case key, reason, ad = CaseFieldAd(case, "event-reason")); may be empty
};

/// Fields of a case released to one coordinator: sealed to that coordinator's public key, so no
/// one else (not even other operators) can read the released copy.
struct HandoffRecord {
    std::int64_t id = 0;          ///< assigned by the store
    CaseId case_id;
    UserId coordinator;
    UserId created_by;
    std::int64_t created_ms = 0;
    Bytes payload_sealed;         ///< crypto::SealTo(coordinator public key, JSON of fields and note)
    std::string outcome;          ///< empty until recorded
    std::int64_t outcome_ms = 0;
    Bytes outcome_sealed;         ///< the coordinator's note, sealed to the team public key
};

/// An image attached to a case, encrypted under the case key (metadata stripped before).
struct AttachmentRecord {
    std::int64_t id = 0;          ///< assigned by the store
    CaseId case_id;
    MessageId message_id;         ///< the message it came with (0 = none)
    std::string mime;             ///< "image/jpeg" or "image/png" (checked by content)
    std::int64_t size = 0;        ///< plaintext bytes
    std::int64_t created_ms = 0;
    Bytes ciphertext;             ///< Seal(case key, bytes, ad = CaseFieldAd(case, "attachment"))
};

/// What ListCases selects. Unset members do not filter. Ordered by updated_ms descending, then
/// id descending; the cursor is the (updated_ms, id) of the last row of the previous page.
struct CaseFilter {
    std::optional<std::string> state;
    std::optional<CaseKind> kind;
    std::optional<Channel> channel;
    std::optional<UserId> assignee;              ///< UserId{0} selects unassigned cases
    std::optional<std::int64_t> created_before_ms;
    std::optional<std::pair<std::int64_t, std::int64_t>> after;  ///< (updated_ms, id) cursor
    std::size_t limit = 50;
};

struct MessageRecord {
    MessageId id;                 ///< assigned by the store on insert
    CaseId case_id;
    std::string kind;             ///< "inbound", "reply", "note", "form"
    Channel channel = Channel::kWeb;
    UserId author;                ///< 0 = the applicant
    std::int64_t created_ms = 0;
    Bytes ciphertext;             ///< crypto::Seal under the case key, ad = CaseFieldAd(case, "message")
};

/// Everything one inbound contact writes, committed in one transaction.
struct IntakeWrite {
    std::optional<CaseRecord> new_case;          ///< set when the contact opens a case
    CaseId case_id;                              ///< the case written to (new or existing)
    std::vector<MessageRecord> messages;         ///< case_id is set from case_id
    std::vector<AttachmentRecord> attachments;   ///< linked to the first message written
    std::int64_t at_ms = 0;                      ///< becomes the case's updated_ms and last_inbound_ms
    /// With new_case: the applicant's keyed pseudonym, found or inserted in the same transaction
    /// (new_case->applicant is then ignored); empty: new_case->applicant is used as given.
    Bytes applicant_pseudonym;
    /// Without new_case: when non-empty and the case is closed, the case is reopened into this
    /// state in the same transaction (closure reason cleared) and a "reopen" event by the system
    /// (actor 0, from "closed:<reason>" to this state) records it; an open case is left as it is.
    std::string reopen_to;
};

/// One line of the contact queue's log (queue/queue_event.hpp), in the store's terms: ids, codes
/// and times only, nothing personal. The store keeps the enum names as given (queue/ owns them and
/// converts); it assigns id, which orders the log.
struct QueueEventRecord {
    std::int64_t id = 0;               ///< assigned by the store: 1, 2, 3, ... in append order
    std::int64_t at_ms = 0;            ///< when the step happened
    std::string type;                  ///< "enter", "offer", "accept", ... (queue::ToString(QueueEventType))
    std::int64_t entry_id = 0;
    std::int64_t operator_id = 0;      ///< 0 = none
    std::int64_t to_operator_id = 0;   ///< transfer target; 0 = none
    std::int64_t case_id = 0;          ///< 0 = no case yet
    std::string channel;               ///< ToString(Channel)
    std::string language;              ///< "ru", "uk", "en"
    std::string kind;                  ///< ToString(CaseKind)
    std::int64_t priority = 0;
    std::int64_t owner_id = 0;         ///< the case's owner for sticky routing; 0 = none
    std::string media;                 ///< "chat" or "call"
    std::int64_t enter_ms = 0;         ///< when the entry first entered the queue
    std::int64_t wait_ms = 0;
    std::int64_t duration_ms = 0;
    bool callback = false;
    bool withdrawn = false;
    std::int64_t segment = 0;
};

class Store {
public:
    virtual ~Store() = default;

    // ---- meta: small named values (team public key, schema facts, audit head) ----
    virtual std::optional<Bytes> GetMeta(std::string_view key) = 0;
    virtual void PutMeta(std::string_view key, ByteView value) = 0;

    // ---- users ----
    /// Inserts and returns the new id; kAlreadyExists when the username is taken.
    virtual Result<UserId> InsertUser(const UserRecord& user) = 0;
    virtual std::optional<UserRecord> FindUser(UserId id) = 0;
    virtual std::optional<UserRecord> FindUserByName(std::string_view username) = 0;
    /// All users ordered by id.
    virtual std::vector<UserRecord> ListUsers() = 0;
    /// Replaces every field of an existing user but his skills; kNotFound if it does not exist.
    virtual Result<void> UpdateUser(const UserRecord& user) = 0;
    /// Replaces the user's skills and sets updated_ms; kNotFound if he does not exist.
    virtual Result<void> UpdateUserSkills(UserId id, const UserSkills& skills, std::int64_t updated_ms) = 0;

    // ---- sessions ----
    virtual void InsertSession(const SessionRecord& session) = 0;
    virtual std::optional<SessionRecord> FindSession(ByteView id_hash) = 0;
    /// Replaces stage, last_seen_ms, keys_sealed and csrf_hash.
    virtual void UpdateSession(const SessionRecord& session) = 0;
    virtual void DeleteSession(ByteView id_hash) = 0;
    virtual void DeleteSessionsOfUser(UserId user) = 0;
    /// Removes sessions last seen before the cutoff or created before the absolute cutoff.
    virtual std::size_t DeleteExpiredSessions(std::int64_t idle_cutoff_ms, std::int64_t absolute_cutoff_ms) = 0;

    // ---- audit: append-only ----
    /// Appends one entry: sets seq (last + 1), prev_hash (last hash, or 32 zero bytes), hash via
    /// chain.entry_hash, and the meta head via chain.head_mac, all in one transaction.
    virtual AuditRecord AppendAudit(const AuditRecord& draft, const AuditChain& chain) = 0;
    /// Entries with seq >= from_seq in seq order, at most limit.
    virtual std::vector<AuditRecord> ReadAudit(std::int64_t from_seq, std::size_t limit) = 0;

    // ---- intake keys, applicants, cases, messages ----
    virtual KeyEpochId InsertKeyEpoch(ByteView ephemeral_public_key, std::int64_t created_ms) = 0;
    virtual std::optional<KeyEpochRecord> FindKeyEpoch(KeyEpochId id) = 0;
    /// The applicant with this pseudonym, created if new.
    virtual ApplicantId FindOrInsertApplicant(ByteView pseudonym, std::int64_t now_ms) = 0;
    /// kAlreadyExists when the id is taken.
    virtual Result<void> InsertCase(const CaseRecord& record) = 0;
    virtual std::optional<CaseRecord> FindCase(CaseId id) = 0;
    virtual std::optional<CaseRecord> FindCaseByReceipt(ByteView receipt_lookup) = 0;
    /// Oldest first; none for applicant 0 (the web cases, which have no applicant).
    virtual std::vector<CaseRecord> CasesOfApplicant(ApplicantId applicant) = 0;
    /// Cases whose last inbound contact is at or after since_ms, not closed, oldest contact first
    /// (the queue's start-up check for contacts stored but never queued).
    virtual std::vector<CaseRecord> CasesWithInboundSince(std::int64_t since_ms) = 0;
    virtual MessageId InsertMessage(const MessageRecord& message) = 0;
    /// Messages of a case in insertion order.
    virtual std::vector<MessageRecord> MessagesOfCase(CaseId case_id) = 0;

    // ---- case work ----
    /// Writes an inbound contact atomically: the new case (if any), its messages and attachments,
    /// and bumps the case's updated_ms/last_inbound_ms. kAlreadyExists if a new case's id or
    /// receipt is taken; kNotFound if an existing case is missing. Returns the first message id.
    Result<MessageId> RecordIntake(IntakeWrite write);
    /// RecordIntake without waiting: returns once the write is queued (throws kUnavailable when
    /// the store is closing) and calls `done` exactly once, when the write is durable or has
    /// failed, with what RecordIntake would return (a failure the write threw becomes an error
    /// with its code). `done` runs on one of the store's own threads: it must be quick, must
    /// not throw and must not wait for the store (it may queue further writes without waiting).
    /// Writes queued one after another are written, and answered, in that order.
    virtual void RecordIntakeAsync(IntakeWrite write, std::function<void(Result<MessageId>)> done) = 0;
    /// Writes the mutable fields (state, assignee, triage, suspect, closure_reason,
    /// inquiry_answer, language) that differ between `before` (the record as the caller read it)
    /// and `after`, sets after.updated_ms, and appends the event, atomically. Each changed field
    /// must still hold its `before` value: otherwise nothing is written and kConflict is returned
    /// (two operators moving, or assigning, one case at once), while changes to different fields
    /// never undo each other. `condition` must hold too. kNotFound if missing.
    virtual Result<void> UpdateCase(const CaseRecord& before, const CaseRecord& after,
                                    const std::optional<CaseEventRecord>& event, CaseCondition condition = {}) = 0;
    virtual std::vector<CaseRecord> ListCases(const CaseFilter& filter) = 0;
    /// The case's events in order.
    virtual std::vector<CaseEventRecord> EventsOfCase(CaseId case_id) = 0;
    /// Appends a message to a case and an optional event, atomically (replies, notes).
    virtual Result<MessageId> AppendMessage(const MessageRecord& message, const std::optional<CaseEventRecord>& event,
                                            std::int64_t updated_ms) = 0;

    virtual Result<std::int64_t> InsertHandoff(const HandoffRecord& handoff, const CaseEventRecord& event,
                                               CaseCondition condition = {}) = 0;
    virtual std::optional<HandoffRecord> FindHandoff(std::int64_t id) = 0;
    virtual std::vector<HandoffRecord> HandoffsOfCase(CaseId case_id) = 0;
    /// Newest first.
    virtual std::vector<HandoffRecord> HandoffsForCoordinator(
        UserId coordinator, std::size_t limit,
        const std::optional<std::pair<std::int64_t, std::int64_t>>& after = std::nullopt) = 0;
    /// Sets outcome, outcome_ms, outcome_sealed; kNotFound if missing, kConflict if already set.
    virtual Result<void> RecordHandoffOutcome(const HandoffRecord& handoff, const CaseEventRecord& event) = 0;

    /// Attachments of a case without their ciphertext (metadata only), in order.
    virtual std::vector<AttachmentRecord> AttachmentsOfCase(CaseId case_id) = 0;
    virtual std::optional<AttachmentRecord> FindAttachment(std::int64_t id) = 0;

    // ---- contact queue log: append-only ----
    /// Appends the events in order, all in one transaction (all or none); ids are assigned in
    /// that order. Returns once the append is queued (throws kUnavailable when the store is
    /// closing) and calls `done` exactly once: with nullptr when the events are durable, or with
    /// what the write threw. An empty vector writes nothing and calls `done` at once. Appends
    /// submitted one after another are written, and answered, in that order, so a caller may
    /// submit under its own lock (fixing the order) and learn the outcome outside it (sharing a
    /// commit with other callers). `done` has RecordIntakeAsync's constraints.
    virtual void SubmitQueueEvents(std::vector<QueueEventRecord> events,
                                   std::function<void(std::exception_ptr)> done) = 0;
    /// SubmitQueueEvents and wait; throws what the write threw.
    void AppendQueueEvents(std::vector<QueueEventRecord> events);
    /// Events with id >= from_id in id order, at most limit.
    virtual std::vector<QueueEventRecord> ReadQueueEvents(std::int64_t from_id, std::size_t limit) = 0;
    /// Events with at_ms >= from_ms, in id order (the statistics of a day).
    virtual std::vector<QueueEventRecord> ReadQueueEventsSince(std::int64_t from_ms) = 0;

protected:
    /// True on one of the store's own threads, where waiting for a write would never end (the
    /// blocking wrappers above then throw kInternal instead).
    virtual bool OnOwnThread() const noexcept { return false; }
};

}  // namespace lifeline::store
