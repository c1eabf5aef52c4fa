#pragma once
/// The embedded SQLite backend: WAL, numbered migrations, one writer thread that commits queued
/// writes in batches (group commit), and a sync thread that fdatasyncs the WAL and only then
/// acknowledges the batch's writes, while the writer runs the next batch in an open transaction
/// that commits after the sync; reads use a pool of read-only
/// connections.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace lifeline::store {

struct SqliteOptions {
    /// Path of the database file (created if absent).
    std::string path;
    /// Most writes committed in one transaction.
    std::size_t max_batch = 256;
    /// busy_timeout for every connection, milliseconds: how long a read, or the writer's BEGIN,
    /// waits for a lock another process holds before failing.
    int busy_timeout_ms = 5000;
    /// WAL pages past which the writer completes a checkpoint itself, between two batches, once
    /// the checkpoint thread (a pass at 4,000 pages, every 500 after, on every commit past
    /// this bound) has left at most 100 pages to copy; it cannot finish one under steady
    /// writes. Bounds the WAL at about this many 4 KiB pages plus 500. A larger bound means
    /// fewer such pauses, each longer (65,536 pages measured 80-100 ms). At least 8,000
    /// (smaller values are raised to it).
    int wal_pages_limit = 8'000;
    /// The SQLite VFS of every connection; empty: the WAL-buffering VFS over SQLite's default
    /// (wal_vfs.hpp). Tests put one of their own underneath (WalBufferingVfsOver).
    std::string vfs;
    /// How the WAL is made durable before writes are answered: fdatasync(fd) unless set (tests
    /// set it to make a sync fail). Returns 0 on success, like fdatasync.
    std::function<int(int fd)> sync_wal;
};

/// The SQLite Store. Most code should hold it as a Store (OpenSqliteStore); the concrete class is
/// public for its counters and diagnostics, which tests and metrics read.
///
/// Writes: every write method hands a unit of work to the one writer thread, which owns the only
/// write connection. The writer takes up to max_batch queued writes, runs them in one BEGIN
/// IMMEDIATE transaction (while the sync thread syncs the previous batch, the writes queued
/// meanwhile join it) and commits (synchronous=NORMAL: the WAL is written, not synced); the
/// sync thread then syncs the WAL and answers each caller, in the order the writes were queued.
/// A batch runs first without savepoints; if one of its writes fails, it is rolled back and run
/// again with each write in its own SAVEPOINT, so a write may run twice. If a sync ever fails,
/// the writes it covered fail and every later write is refused with kUnavailable until restart
/// (a later sync could not vouch for the lost pages). Other connections may read a commit slightly before it is
/// durable; nobody is told it happened before it is.
/// A write that fails (e.g. a username taken) is rolled back alone; its batch still commits. If
/// the commit fails, every write of the batch fails. Reads use pooled read-only connections and
/// never wait for the writer.
///
/// Extra behaviour beyond store.hpp, kept by this backend:
///   - InsertUser ignores user.id (the store assigns it); InsertSession of an existing id_hash and
///     InsertMessage for a missing case throw LifelineError (kAlreadyExists, kNotFound).
///   - CasesOfApplicant returns the oldest first (created_ms, then id).
///   - Case work: every event is stored under the case it is written with (UpdateCase: after.id;
///     AppendMessage: message.case_id; InsertHandoff: handoff.case_id; RecordHandoffOutcome: the
///     stored hand-off's case), whatever event.case_id says; likewise an intake's attachments take
///     write.case_id. RecordIntake with a new_case whose id differs from write.case_id, and
///     RecordHandoffOutcome with an empty outcome, return kInvalidArgument. AppendMessage and
///     InsertHandoff return kNotFound for a missing case. ListCases clamps limit to [1, 500];
///     HandoffsForCoordinator breaks created_ms ties by id, newest first. Hand-offs and their
///     outcomes are stored as given (InsertHandoff keeps outcome fields too).
///   - Rows with an enum name this build does not know throw LifelineError(kIntegrity).
///   - Any other SQLite failure throws LifelineError(kInternal) whose message carries SQLite's error
///     text and the statement (placeholders only), never bound values.
class SqliteStore final : public Store {
public:
    /// Opens (creating if absent) and migrates the database, then starts the writer thread.
    /// Throws LifelineError on failure.
    explicit SqliteStore(const SqliteOptions& options);
    /// Commits every write already queued, then stops the writer and closes the connections.
    /// No method may still be running or be called once destruction begins.
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    std::optional<Bytes> GetMeta(std::string_view key) override;
    void PutMeta(std::string_view key, ByteView value) override;

    Result<UserId> InsertUser(const UserRecord& user) override;
    std::optional<UserRecord> FindUser(UserId id) override;
    std::optional<UserRecord> FindUserByName(std::string_view username) override;
    std::vector<UserRecord> ListUsers() override;
    Result<void> UpdateUser(const UserRecord& user) override;
    Result<void> UpdateUserSkills(UserId id, const UserSkills& skills, std::int64_t updated_ms) override;

    void InsertSession(const SessionRecord& session) override;
    std::optional<SessionRecord> FindSession(ByteView id_hash) override;
    void UpdateSession(const SessionRecord& session) override;
    void DeleteSession(ByteView id_hash) override;
    void DeleteSessionsOfUser(UserId user) override;
    std::size_t DeleteExpiredSessions(std::int64_t idle_cutoff_ms, std::int64_t absolute_cutoff_ms) override;

    AuditRecord AppendAudit(const AuditRecord& draft, const AuditChain& chain) override;
    std::vector<AuditRecord> ReadAudit(std::int64_t from_seq, std::size_t limit) override;

    KeyEpochId InsertKeyEpoch(ByteView ephemeral_public_key, std::int64_t created_ms) override;
    std::optional<KeyEpochRecord> FindKeyEpoch(KeyEpochId id) override;
    ApplicantId FindOrInsertApplicant(ByteView pseudonym, std::int64_t now_ms) override;
    Result<void> InsertCase(const CaseRecord& record) override;
    std::optional<CaseRecord> FindCase(CaseId id) override;
    std::optional<CaseRecord> FindCaseByReceipt(ByteView receipt_lookup) override;
    std::vector<CaseRecord> CasesOfApplicant(ApplicantId applicant) override;
    std::vector<CaseRecord> CasesWithInboundSince(std::int64_t since_ms) override;
    MessageId InsertMessage(const MessageRecord& message) override;
    std::vector<MessageRecord> MessagesOfCase(CaseId case_id) override;

    void RecordIntakeAsync(IntakeWrite write, std::function<void(Result<MessageId>)> done) override;
    Result<void> UpdateCase(const CaseRecord& before, const CaseRecord& after,
                            const std::optional<CaseEventRecord>& event, CaseCondition condition = {}) override;
    std::vector<CaseRecord> ListCases(const CaseFilter& filter) override;
    std::vector<CaseEventRecord> EventsOfCase(CaseId case_id) override;
    Result<MessageId> AppendMessage(const MessageRecord& message, const std::optional<CaseEventRecord>& event,
                                    std::int64_t updated_ms) override;

    Result<std::int64_t> InsertHandoff(const HandoffRecord& handoff, const CaseEventRecord& event,
                                       CaseCondition condition = {}) override;
    std::optional<HandoffRecord> FindHandoff(std::int64_t id) override;
    std::vector<HandoffRecord> HandoffsOfCase(CaseId case_id) override;
    std::vector<HandoffRecord> HandoffsForCoordinator(
        UserId coordinator, std::size_t limit,
        const std::optional<std::pair<std::int64_t, std::int64_t>>& after = std::nullopt) override;
    Result<void> RecordHandoffOutcome(const HandoffRecord& handoff, const CaseEventRecord& event) override;

    std::vector<AttachmentRecord> AttachmentsOfCase(CaseId case_id) override;
    std::optional<AttachmentRecord> FindAttachment(std::int64_t id) override;

    void SubmitQueueEvents(std::vector<QueueEventRecord> events, std::function<void(std::exception_ptr)> done) override;
    std::vector<QueueEventRecord> ReadQueueEvents(std::int64_t from_id, std::size_t limit) override;
    std::vector<QueueEventRecord> ReadQueueEventsSince(std::int64_t from_ms) override;

    /// Transactions the writer has committed since this instance opened.
    std::uint64_t batches_committed() const noexcept;
    /// Writes acknowledged as committed since this instance opened (failed writes not counted).
    std::uint64_t writes_committed() const noexcept;
    /// fdatasync calls on the WAL made before answering writes (one per committed batch: the
    /// writer commits the next only once the sync thread has answered the last).
    std::uint64_t wal_syncs() const noexcept;
    /// True once a write or a sync of the WAL has failed: every write is refused until restart.
    bool sync_failed() const noexcept;
    /// Background WAL checkpoints that ran (PASSIVE, off the commit path); a pass that could not
    /// run (e.g. on a connection not yet in WAL mode) is not counted.
    std::uint64_t checkpoints() const noexcept;
    /// Writes queued and not yet taken by the writer (a gauge for metrics and tests).
    std::size_t queued_writes() const;
    /// The value of a PRAGMA as the writer connection sees it, e.g. WriterPragma("synchronous")
    /// returns "2" (FULL). Per-connection settings cannot be observed from another connection,
    /// hence this. pragma must be a bare name ([a-z_]); anything else throws kInvalidArgument.
    std::string WriterPragma(std::string_view pragma);

protected:
    bool OnOwnThread() const noexcept override;

private:
    struct Impl;
    /// Cases read by a case-columns query with one integer parameter.
    std::vector<CaseRecord> CasesWhere(std::string_view sql, std::int64_t value);
    std::unique_ptr<Impl> impl_;
};

/// Opens (and migrates) the database. Throws LifelineError on failure.
std::unique_ptr<Store> OpenSqliteStore(const SqliteOptions& options);

/// The statement behind CasesOfApplicant, for tests of its query plan (it must use the partial
/// index cases_by_applicant).
extern const std::string_view kCasesOfApplicantSql;

}  // namespace lifeline::store
