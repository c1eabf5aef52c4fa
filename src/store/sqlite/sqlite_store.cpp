#include "store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <variant>

#include "core/defer.hpp"
#include "core/error.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/receipt_index.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/sqlite/wal_vfs.hpp"

namespace lifeline::store {

using sqlite::Connection;
using sqlite::ReceiptIndex;
using sqlite::SqliteError;
using sqlite::Statement;

namespace {

/// A unit of work run on the writer connection: in a batch without savepoints, or (when a write of
/// the batch failed) inside its own SAVEPOINT, where a returned error or a thrown exception rolls
/// back that savepoint only. It may run more than once, so it must assign its results, never
/// accumulate them.
using WriteWork = std::function<Result<void>(Connection&)>;

/// How a caller learns a write's outcome: called once, on the sync thread, with the work's
/// result, or with what the work (or the batch's commit) threw.
using WriteDone = std::function<void(Result<void> result, std::exception_ptr error)>;

struct WriteJob {
    WriteWork work;
    WriteDone done;

    void Fail(std::exception_ptr error) noexcept { Answer(Result<void>{}, error); }
    void Finish(Result<void> result) noexcept { Answer(std::move(result), nullptr); }
    void Answer(Result<void> result, std::exception_ptr error) noexcept {
        try {
            done(std::move(result), error);
        } catch (...) {
            // Callbacks must not throw; one that does cannot stop the writer answering the rest.
        }
    }
};

/// A thrown failure as a Result error: its code, and its text (store errors carry no values).
Error ErrorOf(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const LifelineError& e) {
        return Error{e.code(), e.what()};
    } catch (const std::exception& e) {
        return Error{ErrorCode::kInternal, e.what()};
    } catch (...) {
        return Error{ErrorCode::kInternal, "store: unknown failure"};
    }
}

struct Outcome {
    Result<void> result;
    std::exception_ptr error;
};

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

template <typename T>
T Require(std::optional<T> value, const char* what) {
    if (!value) throw LifelineError(ErrorCode::kIntegrity, std::string("store: unknown ") + what + " in a stored row");
    return *value;
}

constexpr std::array<std::pair<SessionStage, std::string_view>, 4> kStages{{
    {SessionStage::kPasswordChange, "password_change"},
    {SessionStage::kTotpEnrol, "totp_enrol"},
    {SessionStage::kTotpVerify, "totp_verify"},
    {SessionStage::kActive, "active"},
}};

std::string_view StageName(SessionStage stage) {
    for (const auto& [value, name] : kStages)
        if (value == stage) return name;
    throw LifelineError(ErrorCode::kInvalidArgument, "store: unknown session stage");
}

std::optional<SessionStage> ParseStage(std::string_view name) {
    for (const auto& [value, stage_name] : kStages)
        if (stage_name == name) return value;
    return std::nullopt;
}

std::int64_t ToSqlLimit(std::size_t limit) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
}

}  // namespace

// ============================================================================================
// Impl: the writer and sync threads with their queues, and the pool of read connections.
// ============================================================================================

struct SqliteStore::Impl {
    explicit Impl(const SqliteOptions& options);
    ~Impl();

    /// Queues work for the writer and blocks until its batch has committed (or failed).
    /// Exceptions thrown by the work, or a failed commit, are rethrown here.
    Result<void> Write(WriteWork work) { return Submit(std::move(work)).get(); }
    /// Queues work for the writer and returns at once; the future is ready when its batch has
    /// committed (or failed). Work submitted one after another runs, and commits, in that order.
    std::future<Result<void>> Submit(WriteWork work);
    /// Queues work for the writer; `done` is called on the sync thread once its batch is
    /// durable or failed. May be called from the store's threads themselves (from a callback).
    void SubmitAsync(WriteWork work, WriteDone done) { Enqueue(WriteJob{std::move(work), std::move(done)}, false); }
    /// caller_waits: the caller will block until the job is answered, which would deadlock on
    /// the writer or sync thread.
    void Enqueue(WriteJob job, bool caller_waits);
    /// Write, with a returned error thrown as a LifelineError.
    void WriteOrThrow(WriteWork work) { Write(std::move(work)).ValueOrThrow(); }

    /// A read connection checked out of the pool for the duration of one call.
    class ReadLease {
    public:
        ReadLease(Impl& impl, std::unique_ptr<Connection> connection)
            : impl_(impl), connection_(std::move(connection)) {}
        ~ReadLease() { impl_.ReturnReader(std::move(connection_)); }
        ReadLease(const ReadLease&) = delete;
        ReadLease& operator=(const ReadLease&) = delete;
        Connection& operator*() const noexcept { return *connection_; }
        Connection* operator->() const noexcept { return connection_.get(); }

    private:
        Impl& impl_;
        std::unique_ptr<Connection> connection_;
    };
    ReadLease Read();
    void ReturnReader(std::unique_ptr<Connection> connection);

    void WriterLoop();
    void RunBatch(std::deque<WriteJob>& pending) noexcept;
    /// Runs the batch in one transaction without savepoints, taking more queued writes into it
    /// while the syncer is busy, and commits it once the syncer is idle. False (all rolled
    /// back, to be run again with savepoints) as soon as a write fails; true when it committed
    /// or when BEGIN or COMMIT failed (then batch_error is set).
    bool RunBatchBare(std::deque<WriteJob>& pending, std::vector<Outcome>& outcomes,
                      std::exception_ptr& batch_error) noexcept;
    /// Waits until more writes are queued (kWakeEvery of them while the syncer is busy) or the
    /// syncer is idle, and moves the queued writes into `pending` (true); false when the syncer
    /// is idle and nothing more is queued (or the batch is full): the batch is to commit.
    bool TakeMoreWhileSyncing(std::deque<WriteJob>& pending);
    /// Waits until the syncer is idle (see syncer_idle_).
    void WaitForSyncer();
    /// COMMIT (synchronous=NORMAL: when it returns, the batch is in the WAL, not yet synced),
    /// unless a sync failed meanwhile: then it throws kUnavailable, and the caller rolls back,
    /// since nothing committed from then on could be vouched for (nor should a checkpoint make
    /// it permanent after its writers were told it failed).
    void CommitUnlessBroken();
    /// Moves the first `finished` jobs, with their outcomes, to the sync thread.
    void HandOver(std::deque<WriteJob>& pending, std::vector<Outcome> outcomes, std::exception_ptr batch_error,
                  std::size_t finished) noexcept;
    Outcome RunOne(WriteJob& job);
    /// The job's work on the writer connection, with what it threw caught.
    Outcome RunWork(WriteJob& job) noexcept;
    void RollBackQuietly() noexcept;

    const SqliteOptions options_;
    const std::size_t max_batch_;
    const int writer_checkpoint_pages_;
    std::unique_ptr<Connection> writer_;  // used only by writer_thread_ once it runs

    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<WriteJob> queue_;  // guarded by queue_mutex_
    bool stopping_ = false;       // guarded by queue_mutex_
    // guarded by queue_mutex_: the syncer has answered what it took and waits for more; a batch
    // handed over meanwhile (a refusal) may still be queued for it: a pace, not a promise.
    bool syncer_idle_ = true;
    bool writer_idle_ = false;    // guarded by queue_mutex_: the writer waits for any write
    /// While a sync runs, the writer is woken for every this many queued writes (and when the
    /// sync ends), not for each one: a wake-up costs about as much as a small write.
    static constexpr std::size_t kWakeEvery = 8;
    std::thread writer_thread_;

    std::atomic<std::uint64_t> batches_committed_{0};
    std::atomic<std::uint64_t> writes_committed_{0};

    // Durability is off the writer's thread: the writer commits with synchronous=NORMAL (COMMIT
    // writes the WAL's frames but does not sync them) and hands the batch here; the syncer
    // thread fdatasyncs the WAL and only then answers the batch's jobs, while the writer runs
    // the writes that arrive meanwhile in its next, still open transaction (see RunBatchBare). A WAL frame only
    // counts once a valid commit frame follows it, so a crash before the sync loses those
    // commits whole, never half of one, and nobody was told they were durable. Answers keep the
    // order of submission (failed batches queue here too).
    struct Committed {
        std::vector<WriteJob> jobs;
        std::vector<Outcome> outcomes;  // one per job unless batch_error
        std::exception_ptr batch_error;
    };
    void SyncLoop();
    void Answer(Committed& committed, std::exception_ptr sync_error) noexcept;
    std::mutex sync_mutex_;
    std::condition_variable sync_cv_;
    std::deque<Committed> to_sync_;  // guarded by sync_mutex_
    bool sync_stop_ = false;         // guarded by sync_mutex_
    std::thread sync_thread_;
    int wal_fd_ = -1;  // the -wal file, opened by the syncer when it first syncs
    std::atomic<std::uint64_t> wal_syncs_{0};
    /// fsyncs the directory (first time) and fdatasyncs the WAL; false on any failure.
    bool SyncWal() noexcept;
    std::exception_ptr sync_failure_;  // set by the syncer at the first failed sync, for good
    std::atomic<bool> broken_{false};  // a sync or WAL write failed: every write is refused from then on
    static constexpr const char* kSyncFailed =
        "store: the disk failed to write or sync the WAL; writes are refused until lifeline restarts";
    /// After a batch: a failed WAL write (wal_vfs) leaves the writer's connection unable to
    /// commit, like a failed sync, and is reported the same way.
    void NoteWalWriteFailure() noexcept {
        if (!broken_.load() && sqlite::WalWriteFailed(writer_->handle())) broken_.store(true);
    }

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by pool_mutex_

    /// Receipt lookups of the stored cases (no index on disk since migration 7): filled here
    /// when the store opens, added to by the writer as it inserts cases.
    ReceiptIndex receipts_;
    void LoadReceipts();

    // Checkpoints run on their own connection and thread, so that copying the WAL back into the
    // database (and its fsync) rarely sits inside a commit that callers are waiting for. Each pass
    // syncs the WAL, copies the pages written since the last pass (the tails of the tables and
    // indexes again every time) and syncs the database. The writer's WAL hook wakes the thread
    // once the WAL holds kCheckpointPages pages (2,000 pages before the first pass cost a fifth
    // less than 1,000, and 4,000 a quarter less than 2,000), then every kPassPages more, and on
    // every commit once the WAL reaches options_.wal_pages_limit. The WAL starts again from its
    // beginning only once every frame is copied, which passes running beside the writer never
    // quite achieve: the writer finishes the job itself, between its transactions, once the
    // last pass left at most kInlinePages to copy (or the WAL passed the limit by kPassPages:
    // the limit bounds the WAL whatever the thread manages). Until 2026-11-28 every commit past
    // kCheckpointPages woke a pass: some 200 a second under load, each two disk flushes that the
    // syncer's flush of the next batch queued behind.
    static constexpr int kCheckpointPages = 4000;
    static constexpr int kPassPages = 500;
    static constexpr int kInlinePages = 100;
    int next_pass_pages_ = kCheckpointPages;  // the writer's hook only
    std::atomic<int> backfilled_{0};          // frames copied as of the last pass (pnCkpt)
    static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
    void CheckpointLoop();
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_cv_;
    bool checkpoint_wanted_ = false;   // guarded by checkpoint_mutex_
    bool checkpoint_stop_ = false;     // guarded by checkpoint_mutex_
    std::thread checkpoint_thread_;
    std::atomic<std::uint64_t> checkpoints_{0};
};

int SqliteStore::Impl::OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
    auto* impl = static_cast<Impl*>(self);
    if (pages < kCheckpointPages) impl->next_pass_pages_ = kCheckpointPages;  // the WAL started again
    if (pages >= impl->writer_checkpoint_pages_) {
        // A count from before the WAL started again is larger than the WAL: nothing is copied yet.
        // (One smaller than the WAL is stale only if no pass has ended since this WAL reached
        // 4,000 pages: then the writer copies whatever is left, a longer pause, but no error.)
        const int backfilled = impl->backfilled_.load(std::memory_order_relaxed);
        const int left = backfilled <= pages ? pages - backfilled : pages;
        if (left <= kInlinePages || pages >= impl->writer_checkpoint_pages_ + kPassPages) {
            sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            return SQLITE_OK;
        }
    } else if (pages < impl->next_pass_pages_) {
        return SQLITE_OK;
    } else {
        impl->next_pass_pages_ = pages + kPassPages;
    }
    {
        std::lock_guard lock(impl->checkpoint_mutex_);
        impl->checkpoint_wanted_ = true;
    }
    impl->checkpoint_cv_.notify_one();
    return SQLITE_OK;
}

void SqliteStore::Impl::CheckpointLoop() {
    std::unique_ptr<Connection> db;
    for (;;) {
        {
            std::unique_lock lock(checkpoint_mutex_);
            checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
            if (checkpoint_stop_) return;
            checkpoint_wanted_ = false;
        }
        try {
            if (!db) {
                db = std::make_unique<Connection>(options_.path, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms,
                                                  options_.vfs);
                // A connection learns that the database is in WAL mode only when it first reads
                // it; until then a checkpoint does nothing (and says so only by *pnLog = -1).
                db->Exec("SELECT count(*) FROM sqlite_master");
            }
            // PASSIVE: copies what no reader still needs and never blocks the writer; the WAL
            // restarts from its beginning at the first commit after a complete pass.
            int log_pages = 0;
            int copied = 0;
            const int rc = sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
                                                     &copied);
            if (rc == SQLITE_OK && log_pages >= 0) {
                backfilled_.store(copied, std::memory_order_relaxed);
                checkpoints_.fetch_add(1, std::memory_order_relaxed);
            }
        } catch (...) {
            db.reset();  // the next wake-up reopens; the writer keeps working meanwhile
        }
    }
}

SqliteStore::Impl::Impl(const SqliteOptions& options)
    : options_(options),
      max_batch_(std::max<std::size_t>(1, options.max_batch)),
      writer_checkpoint_pages_(std::max(2 * kCheckpointPages, options.wal_pages_limit)) {
    writer_ = std::make_unique<Connection>(options_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                           options_.busy_timeout_ms, options_.vfs);
    // journal_mode answers with the mode now in effect; some file systems cannot do WAL.
    if (writer_->QueryText("PRAGMA journal_mode=WAL") != "wal")
        throw LifelineError(ErrorCode::kInternal, "sqlite: cannot switch " + options_.path + " to WAL mode");
    // NORMAL: COMMIT does not sync the WAL; the syncer thread does, before anyone is answered
    // (see Committed). Checkpoints still sync the WAL before copying it into the database.
    writer_->Exec("PRAGMA synchronous=NORMAL");
    writer_->Exec("PRAGMA foreign_keys=ON");
    // 8 MiB of page cache (the default is 2 MiB): the writer keeps the indexes' hot pages
    // instead of reading them back from the file on every batch. Not more: SQLite scans the
    // cache's hash table at the end of some transactions, and at 64 MiB that scan (cache misses
    // all the way) cost the writer a sixth of its time under load.
    writer_->Exec("PRAGMA cache_size=-8192");
    // A write that runs in its own SAVEPOINT (when a write of its batch failed) keeps the
    // sub-journal (the pages' earlier images) in memory rather than in a temporary file.
    writer_->Exec("PRAGMA temp_store=MEMORY");
    sqlite::ApplyMigrations(*writer_, NowMs());
    LoadReceipts();
    // sqlite3_wal_hook replaces the automatic checkpoint (wal_autocheckpoint) on this connection.
    sqlite3_wal_hook(writer_->handle(), &Impl::OnWalCommit, this);
    checkpoint_thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ll-checkpoint");
        CheckpointLoop();
    });
    sync_thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ll-store-sync");
        SyncLoop();
    });
    writer_thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ll-store-writer");
        WriterLoop();
    });
}

SqliteStore::Impl::~Impl() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_one();
    writer_thread_.join();
    {
        // The writer is gone: the syncer answers what it still holds, then stops.
        std::lock_guard lock(sync_mutex_);
        sync_stop_ = true;
    }
    sync_cv_.notify_one();
    sync_thread_.join();
    if (wal_fd_ >= 0) ::close(wal_fd_);
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpoint_thread_.join();
    // Readers close before the writer: the last connection to close checkpoints the WAL.
    idle_readers_.clear();
    writer_.reset();
}

void SqliteStore::Impl::Enqueue(WriteJob job, bool caller_waits) {
    if (caller_waits && (std::this_thread::get_id() == writer_thread_.get_id() ||
                         std::this_thread::get_id() == sync_thread_.get_id()))
        throw LifelineError(ErrorCode::kInternal, "store: a write issued from inside a write would deadlock");
    {
        std::lock_guard lock(queue_mutex_);
        if (stopping_) throw LifelineError(ErrorCode::kUnavailable, "store: closing");
        if (broken_.load()) throw LifelineError(ErrorCode::kUnavailable, kSyncFailed);
        queue_.push_back(std::move(job));
        // While a sync runs, the writer is woken when the queue reaches kWakeEvery (once: with
        // its batch full, more wake-ups would only find it waiting for the syncer).
        if (!writer_idle_ && queue_.size() != kWakeEvery) return;
    }
    queue_cv_.notify_one();
}

std::future<Result<void>> SqliteStore::Impl::Submit(WriteWork work) {
    // The callback owns the promise: the waiter may return before set_value has quite finished.
    auto done = std::make_shared<std::promise<Result<void>>>();
    auto future = done->get_future();
    Enqueue(WriteJob{std::move(work),
                     [done](Result<void> result, std::exception_ptr error) {
                         if (error) {
                             done->set_exception(error);
                         } else {
                             done->set_value(std::move(result));
                         }
                     }},
            true);
    return future;
}

void SqliteStore::Impl::WriterLoop() {
    // Jobs taken from the queue but not yet run: a batch cut short by a lost transaction leaves
    // its unrun jobs here for the next one.
    std::deque<WriteJob> pending;
    for (;;) {
        {
            std::unique_lock lock(queue_mutex_);
            writer_idle_ = true;
            queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !pending.empty(); });
            writer_idle_ = false;
            if (stopping_ && queue_.empty() && pending.empty()) return;
            // Whatever queued while the previous batch was committing goes into this one: that
            // is the group commit, with no timer needed.
            while (pending.size() < max_batch_ && !queue_.empty()) {
                pending.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        RunBatch(pending);
    }
}

bool SqliteStore::Impl::TakeMoreWhileSyncing(std::deque<WriteJob>& pending) {
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait(lock, [&] { return syncer_idle_ || (queue_.size() >= kWakeEvery && pending.size() < max_batch_); });
    // Once the syncer is idle, what queued since the last wake-up still joins this batch.
    const std::size_t before = pending.size();
    while (pending.size() < max_batch_ && !queue_.empty()) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    return pending.size() > before;
}

void SqliteStore::Impl::WaitForSyncer() {
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait(lock, [&] { return syncer_idle_; });
}

namespace {
constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
constexpr std::string_view kSavepoint = "SAVEPOINT write_job";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO write_job";
constexpr std::string_view kReleaseSavepoint = "RELEASE write_job";
}  // namespace

void SqliteStore::Impl::CommitUnlessBroken() {
    if (broken_.load()) throw LifelineError(ErrorCode::kUnavailable, kSyncFailed);
    writer_->Prepare(kCommit).Run();
}

bool SqliteStore::Impl::RunBatchBare(std::deque<WriteJob>& pending, std::vector<Outcome>& outcomes,
                                     std::exception_ptr& batch_error) noexcept {
    try {
        outcomes.clear();
        outcomes.reserve(pending.size());
        writer_->Prepare(kBegin).Run();
    } catch (...) {
        batch_error = std::current_exception();
        RollBackQuietly();
        WaitForSyncer();
        return true;
    }
    // One batch on its way to the disk at a time. While the syncer syncs the previous one, the
    // writes that arrive run here, in this open transaction, and it commits once the syncer is
    // idle: the batch is everything that arrived during a sync (fewer, larger transactions
    // write fewer WAL frames per write, since each commit rewrites the last page of every table
    // and index it touches), and the writer's work overlaps the sync instead of following it.
    // Under light load the syncer is idle and the batch commits at once.
    bool take_more = true;
    for (std::size_t ran = 0;;) {
        for (; ran < pending.size(); ++ran) {
            Outcome outcome = RunWork(pending[ran]);
            if (outcome.error || !outcome.result.ok()) {
                RollBackQuietly();
                return false;
            }
            try {
                outcomes.push_back(std::move(outcome));
            } catch (...) {
                RollBackQuietly();
                return false;
            }
        }
        if (!take_more) break;
        try {
            if (!TakeMoreWhileSyncing(pending)) break;
        } catch (...) {
            // Out of memory taking more: run what was moved already, then commit once the
            // syncer is idle.
            take_more = false;
            WaitForSyncer();
        }
    }
    try {
        CommitUnlessBroken();
    } catch (...) {
        batch_error = std::current_exception();
        RollBackQuietly();
    }
    return true;
}

void SqliteStore::Impl::RunBatch(std::deque<WriteJob>& pending) noexcept {
    std::vector<Outcome> outcomes;
    std::size_t started = 0;
    std::exception_ptr batch_error;
    if (broken_.load()) {
        // Whatever is committed now could never be vouched for: refuse, in order.
        HandOver(pending, {}, std::make_exception_ptr(LifelineError(ErrorCode::kUnavailable, kSyncFailed)),
                 pending.size());
        return;
    }
    // Almost every batch succeeds whole: it runs without a SAVEPOINT per write (whose
    // sub-journal copies every page a write touches). If a write fails, all of it is rolled
    // back and run again below, each write in its own SAVEPOINT, so only the failing one is
    // lost. Writes are written to be run again (they assign their results, never accumulate).
    if (RunBatchBare(pending, outcomes, batch_error)) {
        // Committed, or BEGIN or COMMIT failed: every write shares the batch's fate (the batch
        // may have grown while it ran).
        if (batch_error) NoteWalWriteFailure();
        HandOver(pending, std::move(outcomes), batch_error, pending.size());
        return;
    }
    // The batch as it grew, run again write by write; it commits when the syncer is idle.
    const std::size_t count = pending.size();
    WaitForSyncer();
    try {
        outcomes.clear();
        outcomes.reserve(count);
        writer_->Prepare(kBegin).Run();
        for (; started < count;) {
            ++started;
            outcomes.push_back(RunOne(pending[started - 1]));
        }
        CommitUnlessBroken();
    } catch (...) {
        batch_error = std::current_exception();
        RollBackQuietly();
    }

    // On failure, every write that ran shares the batch's fate; if none ran (BEGIN failed), the
    // whole batch fails rather than spinning on a lock another process holds.
    const std::size_t finished = batch_error ? (started == 0 ? count : started) : count;
    if (batch_error) NoteWalWriteFailure();
    HandOver(pending, std::move(outcomes), batch_error, finished);
}

void SqliteStore::Impl::HandOver(std::deque<WriteJob>& pending, std::vector<Outcome> outcomes,
                                 std::exception_ptr batch_error, std::size_t finished) noexcept {
    try {
        Committed committed;
        committed.batch_error = batch_error;
        committed.outcomes = std::move(outcomes);
        committed.jobs.reserve(finished);
        for (std::size_t i = 0; i < finished; ++i) committed.jobs.push_back(std::move(pending[i]));
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(finished));
        {
            std::lock_guard lock(queue_mutex_);
            syncer_idle_ = false;
        }
        {
            std::lock_guard lock(sync_mutex_);
            to_sync_.push_back(std::move(committed));
        }
        sync_cv_.notify_one();
    } catch (...) {
        // Out of memory with a batch committed and callers waiting: answering here would break
        // the order of answers and could vouch for unsynced writes. Stop; a restart recovers
        // every synced commit from the WAL.
        std::abort();
    }
}

void SqliteStore::Impl::SyncLoop() {
    std::deque<Committed> taken;
    for (;;) {
        {
            std::unique_lock lock(sync_mutex_);
            sync_cv_.wait(lock, [&] { return sync_stop_ || !to_sync_.empty(); });
            if (to_sync_.empty()) return;  // stopping, and everything answered
            taken.swap(to_sync_);
        }
        // One sync covers every batch taken (their COMMITs returned before they were queued):
        // one committed batch, since the writer commits only while this thread is idle, and
        // any refusals handed over meanwhile.
        const bool any_committed =
            std::any_of(taken.begin(), taken.end(), [](const Committed& c) { return !c.batch_error; });
        if (any_committed && !sync_failure_) {
            if (SyncWal()) {
                wal_syncs_.fetch_add(1, std::memory_order_relaxed);
            } else {
                // Once a sync failed, a later one proves nothing (the kernel reports a lost
                // write-back once, then may forget the pages): nothing is vouched for any more.
                sync_failure_ = std::make_exception_ptr(LifelineError(ErrorCode::kUnavailable, kSyncFailed));
                broken_.store(true);
            }
        }
        {
            // What the answers' callbacks defer (the queue's log write for the intakes answered
            // here) runs once they have all run.
            DeferScope scope;
            for (Committed& c : taken) Answer(c, sync_failure_);
        }
        taken.clear();
        {
            // The writer commits its open batch now. A batch handed over meanwhile (a refusal)
            // is still in to_sync_ and is taken next; idle is a pace, not a promise.
            std::lock_guard l(queue_mutex_);
            syncer_idle_ = true;
        }
        queue_cv_.notify_one();
    }
}

bool SqliteStore::Impl::SyncWal() noexcept {
    if (wal_fd_ < 0) {
        wal_fd_ = ::open((options_.path + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
        if (wal_fd_ < 0) return false;
        // The WAL may be new (SQLite removes it when the last connection closes): its name in
        // the directory must be on disk too, once.
        std::string dir = std::filesystem::path(options_.path).parent_path().string();
        if (dir.empty()) dir = ".";
        const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) return false;
        const bool synced = ::fsync(dir_fd) == 0;
        ::close(dir_fd);
        if (!synced) return false;
    }
    return (options_.sync_wal ? options_.sync_wal(wal_fd_) : ::fdatasync(wal_fd_)) == 0;
}

void SqliteStore::Impl::Answer(Committed& committed, std::exception_ptr sync_error) noexcept {
    if (!committed.batch_error && !sync_error) {
        std::uint64_t ok = 0;
        for (const Outcome& outcome : committed.outcomes)
            if (!outcome.error && outcome.result.ok()) ++ok;
        batches_committed_.fetch_add(1, std::memory_order_relaxed);
        writes_committed_.fetch_add(ok, std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < committed.jobs.size(); ++i) {
        WriteJob& job = committed.jobs[i];
        if (committed.batch_error) {
            job.Fail(committed.batch_error);
        } else if (committed.outcomes[i].error) {
            job.Fail(committed.outcomes[i].error);
        } else if (sync_error && committed.outcomes[i].result.ok()) {
            // Committed but perhaps not on disk: the caller must not count on it.
            job.Fail(sync_error);
        } else {
            job.Finish(std::move(committed.outcomes[i].result));
        }
    }
}

Outcome SqliteStore::Impl::RunWork(WriteJob& job) noexcept {
    Outcome outcome;
    try {
        outcome.result = job.work(*writer_);
    } catch (...) {
        outcome.error = std::current_exception();
    }
    return outcome;
}

Outcome SqliteStore::Impl::RunOne(WriteJob& job) {
    writer_->Prepare(kSavepoint).Run();
    Outcome outcome = RunWork(job);
    if (outcome.error || !outcome.result.ok()) {
        if (writer_->InAutocommit()) {
            // SQLite rolled back the whole transaction by itself (disk full, I/O error): the
            // earlier writes of the batch are gone too, so the batch fails.
            if (outcome.error) std::rethrow_exception(outcome.error);
            throw LifelineError(ErrorCode::kInternal, "sqlite: the write transaction was rolled back");
        }
        writer_->Prepare(kRollbackToSavepoint).Run();
    }
    writer_->Prepare(kReleaseSavepoint).Run();
    return outcome;
}

void SqliteStore::Impl::RollBackQuietly() noexcept {
    try {
        if (!writer_->InAutocommit()) writer_->Prepare(kRollback).Run();
    } catch (...) {
        // Nothing better to do: the batch already fails with the original error.
    }
}

SqliteStore::Impl::ReadLease SqliteStore::Impl::Read() {
    std::unique_ptr<Connection> connection;
    {
        std::lock_guard lock(pool_mutex_);
        if (!idle_readers_.empty()) {
            connection = std::move(idle_readers_.back());
            idle_readers_.pop_back();
        }
    }
    if (!connection)
        connection = std::make_unique<Connection>(options_.path, SQLITE_OPEN_READONLY, options_.busy_timeout_ms,
                                                  options_.vfs);
    return ReadLease(*this, std::move(connection));
}

void SqliteStore::Impl::ReturnReader(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(pool_mutex_);
    idle_readers_.push_back(std::move(connection));
}

// ============================================================================================
// SqliteStore
// ============================================================================================

SqliteStore::SqliteStore(const SqliteOptions& options) : impl_(std::make_unique<Impl>(options)) {}
SqliteStore::~SqliteStore() = default;

std::uint64_t SqliteStore::batches_committed() const noexcept {
    return impl_->batches_committed_.load(std::memory_order_relaxed);
}
bool SqliteStore::OnOwnThread() const noexcept {
    const auto me = std::this_thread::get_id();
    return me == impl_->writer_thread_.get_id() || me == impl_->sync_thread_.get_id();
}

bool SqliteStore::sync_failed() const noexcept { return impl_->broken_.load(); }

std::uint64_t SqliteStore::wal_syncs() const noexcept { return impl_->wal_syncs_.load(std::memory_order_relaxed); }

std::uint64_t SqliteStore::checkpoints() const noexcept {
    return impl_->checkpoints_.load(std::memory_order_relaxed);
}
std::uint64_t SqliteStore::writes_committed() const noexcept {
    return impl_->writes_committed_.load(std::memory_order_relaxed);
}

std::size_t SqliteStore::queued_writes() const {
    std::lock_guard lock(impl_->queue_mutex_);
    return impl_->queue_.size();
}

std::string SqliteStore::WriterPragma(std::string_view pragma) {
    const auto is_name_char = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
    if (pragma.empty() || !std::all_of(pragma.begin(), pragma.end(), is_name_char))
        throw LifelineError(ErrorCode::kInvalidArgument, "store: not a pragma name");
    std::string value;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        value = db.QueryText("PRAGMA " + std::string(pragma));
        return Ok();
    });
    return value;
}

// ---- meta ----

namespace {
constexpr std::string_view kGetMeta = "SELECT value FROM meta WHERE key = ?1";
constexpr std::string_view kPutMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

void PutMetaIn(Connection& db, std::string_view key, ByteView value) {
    Statement stmt = db.Prepare(kPutMeta);
    stmt.Bind(1, key).BindBlob(2, value).Run();
}
}  // namespace

std::optional<Bytes> SqliteStore::GetMeta(std::string_view key) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kGetMeta);
    stmt.Bind(1, key);
    if (!stmt.Step()) return std::nullopt;
    return stmt.Blob(0);
}

void SqliteStore::PutMeta(std::string_view key, ByteView value) {
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        PutMetaIn(db, key, value);
        return Ok();
    });
}

// ---- users ----

namespace {
// Column order shared by every users query; ReadUser and BindUserFields follow it.
#define LIFELINE_USER_FIELDS                                                                               \
    "username, role, disabled, public_key, kdf_salt, kdf_opslimit, kdf_memlimit, secret_by_password, "     \
    "secret_by_recovery, team_key_sealed, totp_secret_sealed, totp_enabled, totp_last_step, "              \
    "must_change_password, failed_logins, locked_until_ms, created_ms, updated_ms"
// The skills (migration 4) come after them: UpdateUser leaves them, UpdateUserSkills sets them.
#define LIFELINE_USER_SKILLS "skill_languages, skill_kinds"
constexpr std::string_view kInsertUser = "INSERT INTO users (" LIFELINE_USER_FIELDS ", " LIFELINE_USER_SKILLS
                                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                                         "?15, ?16, ?17, ?18, ?19, ?20)";
constexpr std::string_view kUpdateUser =
    "UPDATE users SET username = ?1, role = ?2, disabled = ?3, public_key = ?4, kdf_salt = ?5, kdf_opslimit = ?6, "
    "kdf_memlimit = ?7, secret_by_password = ?8, secret_by_recovery = ?9, team_key_sealed = ?10, "
    "totp_secret_sealed = ?11, totp_enabled = ?12, totp_last_step = ?13, must_change_password = ?14, "
    "failed_logins = ?15, locked_until_ms = ?16, created_ms = ?17, updated_ms = ?18 WHERE id = ?19";
constexpr std::string_view kFindUser =
    "SELECT id, " LIFELINE_USER_FIELDS ", " LIFELINE_USER_SKILLS " FROM users WHERE id = ?1";
constexpr std::string_view kFindUserByName =
    "SELECT id, " LIFELINE_USER_FIELDS ", " LIFELINE_USER_SKILLS " FROM users WHERE username = ?1";
constexpr std::string_view kListUsers =
    "SELECT id, " LIFELINE_USER_FIELDS ", " LIFELINE_USER_SKILLS " FROM users ORDER BY id";
#undef LIFELINE_USER_SKILLS
#undef LIFELINE_USER_FIELDS
constexpr int kUpdateUserIdParam = 19;
constexpr int kInsertUserSkillsParam = 19;  // and 20
constexpr std::string_view kUpdateUserSkills =
    "UPDATE users SET skill_languages = ?1, skill_kinds = ?2, updated_ms = ?3 WHERE id = ?4";

// "a,b" from a set of codes; the codes never hold a comma (the API and the shell take known ones only).
template <typename Set, typename Name>
std::string JoinCodes(const Set& set, Name name) {
    std::string out;
    for (const auto& item : set) {
        if (!out.empty()) out += ',';
        out += name(item);
    }
    return out;
}

void BindUserSkills(Statement& stmt, int first, const UserSkills& skills) {
    stmt.Bind(first, JoinCodes(skills.languages, [](const std::string& s) { return std::string_view(s); }))
        .Bind(first + 1, JoinCodes(skills.kinds, [](CaseKind k) { return ToString(k); }));
}

UserSkills ReadUserSkills(std::string_view languages, std::string_view kinds) {
    UserSkills skills;
    auto split = [](std::string_view text, auto add) {
        while (!text.empty()) {
            const auto comma = text.find(',');
            add(text.substr(0, comma));
            text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        }
    };
    split(languages, [&](std::string_view code) { skills.languages.emplace(code); });
    split(kinds, [&](std::string_view code) { skills.kinds.insert(Require(ParseCaseKind(code), "skill kind")); });
    return skills;
}

// Binds parameters 1..18 in LIFELINE_USER_FIELDS order.
void BindUserFields(Statement& stmt, const UserRecord& user) {
    stmt.Bind(1, user.username)
        .Bind(2, ToString(user.role))
        .Bind(3, std::int64_t{user.disabled})
        .BindBlob(4, user.public_key)
        .BindBlob(5, user.kdf_salt)
        .Bind(6, static_cast<std::int64_t>(user.kdf_opslimit))  // round-trips bit for bit
        .Bind(7, static_cast<std::int64_t>(user.kdf_memlimit))
        .BindBlob(8, user.secret_by_password)
        .BindBlob(9, user.secret_by_recovery)
        .BindBlob(10, user.team_key_sealed)
        .BindBlob(11, user.totp_secret_sealed)
        .Bind(12, std::int64_t{user.totp_enabled})
        .Bind(13, user.totp_last_step)
        .Bind(14, std::int64_t{user.must_change_password})
        .Bind(15, std::int64_t{user.failed_logins})
        .Bind(16, user.locked_until_ms)
        .Bind(17, user.created_ms)
        .Bind(18, user.updated_ms);
}

// Reads a row of "SELECT id, " LIFELINE_USER_FIELDS ", " LIFELINE_USER_SKILLS.
UserRecord ReadUser(const Statement& stmt) {
    UserRecord user;
    user.id = UserId{stmt.Int(0)};
    user.username = stmt.Text(1);
    user.role = Require(ParseRole(stmt.Text(2)), "role");
    user.disabled = stmt.Int(3) != 0;
    user.public_key = stmt.Blob(4);
    user.kdf_salt = stmt.Blob(5);
    user.kdf_opslimit = static_cast<std::uint64_t>(stmt.Int(6));
    user.kdf_memlimit = static_cast<std::uint64_t>(stmt.Int(7));
    user.secret_by_password = stmt.Blob(8);
    user.secret_by_recovery = stmt.Blob(9);
    user.team_key_sealed = stmt.Blob(10);
    user.totp_secret_sealed = stmt.Blob(11);
    user.totp_enabled = stmt.Int(12) != 0;
    user.totp_last_step = stmt.Int(13);
    user.must_change_password = stmt.Int(14) != 0;
    user.failed_logins = static_cast<int>(stmt.Int(15));
    user.locked_until_ms = stmt.Int(16);
    user.created_ms = stmt.Int(17);
    user.updated_ms = stmt.Int(18);
    user.skills = ReadUserSkills(stmt.Text(19), stmt.Text(20));
    return user;
}

Error UsernameTaken() { return Error{ErrorCode::kAlreadyExists, "username already taken"}; }
}  // namespace

Result<UserId> SqliteStore::InsertUser(const UserRecord& user) {
    UserId id;
    Result<void> written = impl_->Write([&](Connection& db) -> Result<void> {
        try {
            Statement stmt = db.Prepare(kInsertUser);
            BindUserFields(stmt, user);
            BindUserSkills(stmt, kInsertUserSkillsParam, user.skills);
            stmt.Run();
        } catch (const SqliteError& e) {
            if (e.IsUniqueViolation()) return UsernameTaken();
            throw;
        }
        id = UserId{db.LastInsertRowId()};
        return Ok();
    });
    if (!written) return written.error();
    return id;
}

std::optional<UserRecord> SqliteStore::FindUser(UserId id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindUser);
    stmt.Bind(1, id.value);
    if (!stmt.Step()) return std::nullopt;
    return ReadUser(stmt);
}

std::optional<UserRecord> SqliteStore::FindUserByName(std::string_view username) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindUserByName);
    stmt.Bind(1, username);
    if (!stmt.Step()) return std::nullopt;
    return ReadUser(stmt);
}

std::vector<UserRecord> SqliteStore::ListUsers() {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kListUsers);
    std::vector<UserRecord> users;
    while (stmt.Step()) users.push_back(ReadUser(stmt));
    return users;
}

Result<void> SqliteStore::UpdateUser(const UserRecord& user) {
    return impl_->Write([&](Connection& db) -> Result<void> {
        try {
            Statement stmt = db.Prepare(kUpdateUser);
            BindUserFields(stmt, user);
            stmt.Bind(kUpdateUserIdParam, user.id.value);
            stmt.Run();
        } catch (const SqliteError& e) {
            if (e.IsUniqueViolation()) return UsernameTaken();
            throw;
        }
        if (db.Changes() == 0) return Error{ErrorCode::kNotFound, "no user " + user.id.ToString()};
        return Ok();
    });
}

Result<void> SqliteStore::UpdateUserSkills(UserId id, const UserSkills& skills, std::int64_t updated_ms) {
    return impl_->Write([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kUpdateUserSkills);
        BindUserSkills(stmt, 1, skills);
        stmt.Bind(3, updated_ms).Bind(4, id.value).Run();
        if (db.Changes() == 0) return Error{ErrorCode::kNotFound, "no user " + id.ToString()};
        return Ok();
    });
}

// ---- sessions ----

namespace {
constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (id_hash, user_id, stage, created_ms, last_seen_ms, keys_sealed, csrf_hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kFindSession =
    "SELECT id_hash, user_id, stage, created_ms, last_seen_ms, keys_sealed, csrf_hash FROM sessions "
    "WHERE id_hash = ?1";
constexpr std::string_view kUpdateSession =
    "UPDATE sessions SET stage = ?1, last_seen_ms = ?2, keys_sealed = ?3, csrf_hash = ?4 WHERE id_hash = ?5";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE id_hash = ?1";
constexpr std::string_view kDeleteSessionsOfUser = "DELETE FROM sessions WHERE user_id = ?1";
constexpr std::string_view kDeleteExpiredSessions =
    "DELETE FROM sessions WHERE last_seen_ms < ?1 OR created_ms < ?2";
}  // namespace

void SqliteStore::InsertSession(const SessionRecord& session) {
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        try {
            Statement stmt = db.Prepare(kInsertSession);
            stmt.BindBlob(1, session.id_hash)
                .Bind(2, session.user.value)
                .Bind(3, StageName(session.stage))
                .Bind(4, session.created_ms)
                .Bind(5, session.last_seen_ms)
                .BindBlob(6, session.keys_sealed)
                .BindBlob(7, session.csrf_hash)
                .Run();
        } catch (const SqliteError& e) {
            if (e.IsUniqueViolation()) return Error{ErrorCode::kAlreadyExists, "session already exists"};
            throw;
        }
        return Ok();
    });
}

std::optional<SessionRecord> SqliteStore::FindSession(ByteView id_hash) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindSession);
    stmt.BindBlob(1, id_hash);
    if (!stmt.Step()) return std::nullopt;
    SessionRecord session;
    session.id_hash = stmt.Blob(0);
    session.user = UserId{stmt.Int(1)};
    session.stage = Require(ParseStage(stmt.Text(2)), "session stage");
    session.created_ms = stmt.Int(3);
    session.last_seen_ms = stmt.Int(4);
    session.keys_sealed = stmt.Blob(5);
    session.csrf_hash = stmt.Blob(6);
    return session;
}

void SqliteStore::UpdateSession(const SessionRecord& session) {
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kUpdateSession);
        stmt.Bind(1, StageName(session.stage))
            .Bind(2, session.last_seen_ms)
            .BindBlob(3, session.keys_sealed)
            .BindBlob(4, session.csrf_hash)
            .BindBlob(5, session.id_hash)
            .Run();
        return Ok();
    });
}

void SqliteStore::DeleteSession(ByteView id_hash) {
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kDeleteSession);
        stmt.BindBlob(1, id_hash).Run();
        return Ok();
    });
}

void SqliteStore::DeleteSessionsOfUser(UserId user) {
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kDeleteSessionsOfUser);
        stmt.Bind(1, user.value).Run();
        return Ok();
    });
}

std::size_t SqliteStore::DeleteExpiredSessions(std::int64_t idle_cutoff_ms, std::int64_t absolute_cutoff_ms) {
    std::size_t removed = 0;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kDeleteExpiredSessions);
        stmt.Bind(1, idle_cutoff_ms).Bind(2, absolute_cutoff_ms).Run();
        removed = static_cast<std::size_t>(db.Changes());
        return Ok();
    });
    return removed;
}

// ---- audit ----

namespace {
constexpr std::string_view kLastAudit = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
constexpr std::string_view kInsertAudit =
    "INSERT INTO audit (seq, at_ms, actor, action, target, detail, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kReadAudit =
    "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit WHERE seq >= ?1 "
    "ORDER BY seq LIMIT ?2";
constexpr std::string_view kAuditHeadKey = "audit_head";
constexpr std::size_t kAuditHashSize = 32;

// meta "audit_head": 8-byte big-endian seq || hash || head MAC.
Bytes EncodeAuditHead(std::int64_t seq, ByteView hash, ByteView mac) {
    Bytes head;
    head.reserve(8 + hash.size() + mac.size());
    for (int shift = 56; shift >= 0; shift -= 8)
        head.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(seq) >> shift));
    head.insert(head.end(), hash.begin(), hash.end());
    head.insert(head.end(), mac.begin(), mac.end());
    return head;
}
}  // namespace

AuditRecord SqliteStore::AppendAudit(const AuditRecord& draft, const AuditChain& chain) {
    AuditRecord record = draft;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        // Only the writer thread appends, so reading the tail and inserting after it cannot race.
        std::int64_t last_seq = 0;
        Bytes last_hash(kAuditHashSize, 0);
        {
            Statement last = db.Prepare(kLastAudit);
            if (last.Step()) {
                last_seq = last.Int(0);
                last_hash = last.Blob(1);
            }
        }
        record.seq = last_seq + 1;
        record.prev_hash = std::move(last_hash);
        record.hash = chain.entry_hash(record);
        {
            Statement insert = db.Prepare(kInsertAudit);
            insert.Bind(1, record.seq)
                .Bind(2, record.at_ms)
                .Bind(3, record.actor)
                .Bind(4, record.action)
                .Bind(5, record.target)
                .Bind(6, record.detail)
                .BindBlob(7, record.prev_hash)
                .BindBlob(8, record.hash)
                .Run();
        }
        const Bytes mac = chain.head_mac(record.seq, record.hash);
        PutMetaIn(db, kAuditHeadKey, EncodeAuditHead(record.seq, record.hash, mac));
        return Ok();
    });
    return record;
}

std::vector<AuditRecord> SqliteStore::ReadAudit(std::int64_t from_seq, std::size_t limit) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kReadAudit);
    stmt.Bind(1, from_seq).Bind(2, ToSqlLimit(limit));
    std::vector<AuditRecord> records;
    while (stmt.Step()) {
        AuditRecord& record = records.emplace_back();
        record.seq = stmt.Int(0);
        record.at_ms = stmt.Int(1);
        record.actor = stmt.Int(2);
        record.action = stmt.Text(3);
        record.target = stmt.Text(4);
        record.detail = stmt.Text(5);
        record.prev_hash = stmt.Blob(6);
        record.hash = stmt.Blob(7);
    }
    return records;
}

// ---- key epochs, applicants ----

namespace {
constexpr std::string_view kInsertKeyEpoch =
    "INSERT INTO key_epochs (ephemeral_public_key, created_ms) VALUES (?1, ?2)";
constexpr std::string_view kFindKeyEpoch =
    "SELECT id, ephemeral_public_key, created_ms FROM key_epochs WHERE id = ?1";
constexpr std::string_view kFindApplicant = "SELECT id FROM applicants WHERE pseudonym = ?1";
constexpr std::string_view kInsertApplicant =
    "INSERT INTO applicants (pseudonym, created_ms) VALUES (?1, ?2) ON CONFLICT (pseudonym) DO NOTHING";

std::optional<std::int64_t> FindApplicantIn(Connection& db, ByteView pseudonym) {
    Statement stmt = db.Prepare(kFindApplicant);
    stmt.BindBlob(1, pseudonym);
    if (!stmt.Step()) return std::nullopt;
    return stmt.Int(0);
}
}  // namespace

KeyEpochId SqliteStore::InsertKeyEpoch(ByteView ephemeral_public_key, std::int64_t created_ms) {
    KeyEpochId id;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Statement stmt = db.Prepare(kInsertKeyEpoch);
        stmt.BindBlob(1, ephemeral_public_key).Bind(2, created_ms).Run();
        id = KeyEpochId{db.LastInsertRowId()};
        return Ok();
    });
    return id;
}

std::optional<KeyEpochRecord> SqliteStore::FindKeyEpoch(KeyEpochId id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindKeyEpoch);
    stmt.Bind(1, id.value);
    if (!stmt.Step()) return std::nullopt;
    return KeyEpochRecord{KeyEpochId{stmt.Int(0)}, stmt.Blob(1), stmt.Int(2)};
}

namespace {
ApplicantId FindOrInsertApplicantIn(Connection& db, ByteView pseudonym, std::int64_t now_ms) {
    // Another caller may have inserted it meanwhile; DO NOTHING keeps the first one.
    Statement insert = db.Prepare(kInsertApplicant);
    insert.BindBlob(1, pseudonym).Bind(2, now_ms).Run();
    // Inserted: its row id is known without looking it up again (a new web applicant always is).
    if (db.Changes() == 1) return ApplicantId{db.LastInsertRowId()};
    const auto found = FindApplicantIn(db, pseudonym);
    if (!found) throw LifelineError(ErrorCode::kInternal, "store: applicant vanished after insert");
    return ApplicantId{*found};
}
}  // namespace

ApplicantId SqliteStore::FindOrInsertApplicant(ByteView pseudonym, std::int64_t now_ms) {
    // Most contacts come from known applicants: look first without queueing a write.
    {
        auto reader = impl_->Read();
        if (auto found = FindApplicantIn(*reader, pseudonym)) return ApplicantId{*found};
    }
    ApplicantId id;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        id = FindOrInsertApplicantIn(db, pseudonym, now_ms);
        return Ok();
    });
    return id;
}

// ---- cases, messages ----

namespace {
constexpr std::string_view kInsertCase =
    "INSERT INTO cases (id, applicant_id, kind, state, channel, key_epoch, wrapped_key, receipt_lookup, "
    "receipt_wrapped_key, assignee, created_ms, updated_ms, triage, suspect, closure_reason, inquiry_answer, "
    "language, last_inbound_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
// Column order shared by every cases query; ReadCase follows it.
#define LIFELINE_CASE_COLUMNS                                                                         \
    "SELECT id, applicant_id, kind, state, channel, key_epoch, wrapped_key, receipt_lookup, "              \
    "receipt_wrapped_key, assignee, created_ms, updated_ms, triage, suspect, closure_reason, "             \
    "inquiry_answer, language, last_inbound_ms FROM cases "
constexpr std::string_view kFindCase = LIFELINE_CASE_COLUMNS "WHERE id = ?1";
constexpr std::string_view kCasesOfApplicant =
    // "applicant_id > 0" lets SQLite use the partial index cases_by_applicant (migration 5).
    LIFELINE_CASE_COLUMNS "WHERE applicant_id = ?1 AND applicant_id > 0 ORDER BY created_ms, id";
constexpr std::string_view kCasesWithInboundSince =
    LIFELINE_CASE_COLUMNS "WHERE last_inbound_ms >= ?1 AND state <> 'closed' ORDER BY last_inbound_ms, id";
// ListCases appends "AND <condition>" for each filter set, then the order and the limit.
constexpr std::string_view kListCases = LIFELINE_CASE_COLUMNS "WHERE 1";
#undef LIFELINE_CASE_COLUMNS
constexpr std::string_view kCaseExists = "SELECT 1 FROM cases WHERE id = ?1";
constexpr std::string_view kCaseClosure = "SELECT state, closure_reason FROM cases WHERE id = ?1";
constexpr std::string_view kReopenCase =
    "UPDATE cases SET state = ?1, closure_reason = 'none', updated_ms = ?2 WHERE id = ?3";
constexpr std::string_view kReceiptOfCase = "SELECT receipt_lookup FROM cases WHERE id = ?1";
constexpr std::string_view kCountCases = "SELECT count(*) FROM cases";
constexpr std::string_view kAllReceipts = "SELECT id, receipt_lookup FROM cases WHERE receipt_lookup IS NOT NULL";
constexpr std::string_view kInsertMessage =
    "INSERT INTO messages (case_id, kind, channel, author, created_ms, ciphertext) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kMessagesOfCase =
    "SELECT id, case_id, kind, channel, author, created_ms, ciphertext FROM messages WHERE case_id = ?1 ORDER BY id";

CaseRecord ReadCase(const Statement& stmt) {
    CaseRecord record;
    record.id = CaseId{stmt.Int(0)};
    record.applicant = ApplicantId{stmt.Int(1)};
    record.kind = Require(ParseCaseKind(stmt.Text(2)), "case kind");
    record.state = stmt.Text(3);
    record.channel = Require(ParseChannel(stmt.Text(4)), "channel");
    record.key_epoch = KeyEpochId{stmt.Int(5)};
    record.wrapped_key = stmt.Blob(6);
    record.receipt_lookup = stmt.Blob(7);  // NULL reads back as empty
    record.receipt_wrapped_key = stmt.Blob(8);
    record.assignee = UserId{stmt.Int(9)};
    record.created_ms = stmt.Int(10);
    record.updated_ms = stmt.Int(11);
    record.triage = stmt.Text(12);
    record.suspect = stmt.Int(13) != 0;
    record.closure_reason = stmt.Text(14);
    record.inquiry_answer = stmt.Text(15);
    record.language = stmt.Text(16);
    record.last_inbound_ms = stmt.Int(17);
    return record;
}

/// Inserts the case and records its receipt lookup in `receipts`; kAlreadyExists when the id or
/// the lookup is taken. May run again for the same record (a batch run again with savepoints).
Result<void> InsertCaseIn(Connection& db, ReceiptIndex& receipts, const CaseRecord& record) {
    if (!record.receipt_lookup.empty()) {
        // The lookup must be unique (the receipt finds one case). Another case under the same
        // 64-bit hash is read back: the same lookup is a conflict; no such row, an entry left
        // by a rolled-back transaction, which goes.
        std::vector<std::int64_t> holders;
        receipts.Candidates(record.receipt_lookup, holders);
        for (const std::int64_t holder : holders) {
            if (holder == record.id.value) continue;  // this very insert, run again
            Statement stmt = db.Prepare(kReceiptOfCase);
            stmt.Bind(1, holder);
            if (!stmt.Step()) {
                receipts.Remove(record.receipt_lookup, holder);
            } else if (stmt.Blob(0) == record.receipt_lookup) {
                return Error{ErrorCode::kAlreadyExists, "the receipt of case " + record.id.ToString() + " is taken"};
            }
        }
    }
    try {
        // Every bound value lives in `record` (or is static) until stmt is gone: not copied.
        Statement stmt = db.Prepare(kInsertCase);
        stmt.Bind(1, record.id.value)
            .Bind(2, record.applicant.value)
            .BindUncopied(3, ToString(record.kind))
            .BindUncopied(4, record.state)
            .BindUncopied(5, ToString(record.channel))
            .Bind(6, record.key_epoch.value)
            .BindBlobUncopied(7, record.wrapped_key);
        // No receipt is NULL, not an empty blob: the receipts loaded at open leave it out.
        if (record.receipt_lookup.empty())
            stmt.BindNull(8);
        else
            stmt.BindBlobUncopied(8, record.receipt_lookup);
        stmt.BindBlobUncopied(9, record.receipt_wrapped_key)
            .Bind(10, record.assignee.value)
            .Bind(11, record.created_ms)
            .Bind(12, record.updated_ms)
            .BindUncopied(13, record.triage)
            .Bind(14, std::int64_t{record.suspect})
            .BindUncopied(15, record.closure_reason)
            .BindUncopied(16, record.inquiry_answer)
            .BindUncopied(17, record.language)
            .Bind(18, record.last_inbound_ms)
            .Run();
    } catch (const SqliteError& e) {
        if (e.IsUniqueViolation())
            return Error{ErrorCode::kAlreadyExists, "case " + record.id.ToString() + " already exists"};
        throw;
    }
    // Visible to readers from now, found by them once the transaction commits.
    if (!record.receipt_lookup.empty()) receipts.Add(record.receipt_lookup, record.id.value);
    return Ok();
}

bool CaseExistsIn(Connection& db, CaseId id) {
    Statement stmt = db.Prepare(kCaseExists);
    stmt.Bind(1, id.value);
    return stmt.Step();
}

/// Inserts with message.case_id as given; kNotFound when that case is missing.
Result<MessageId> InsertMessageIn(Connection& db, const MessageRecord& message) {
    try {
        // Every bound value lives in `message` (or is static) until stmt is gone: not copied.
        Statement stmt = db.Prepare(kInsertMessage);
        stmt.Bind(1, message.case_id.value)
            .BindUncopied(2, message.kind)
            .BindUncopied(3, ToString(message.channel))
            .Bind(4, message.author.value)
            .Bind(5, message.created_ms)
            .BindBlobUncopied(6, message.ciphertext)
            .Run();
    } catch (const SqliteError& e) {
        if (e.IsForeignKeyViolation()) return Error{ErrorCode::kNotFound, "no case " + message.case_id.ToString()};
        throw;
    }
    return MessageId{db.LastInsertRowId()};
}
}  // namespace

void SqliteStore::Impl::LoadReceipts() {
    // Room for the cases there are and as many again (at least 65,536), made before loading: the
    // table is not rebuilt while it fills, nor soon after. (Counting walks the table's pages
    // without reading its rows.)
    std::int64_t cases = 0;
    {
        Statement count = writer_->Prepare(kCountCases);
        if (count.Step()) cases = count.Int(0);
    }
    receipts_.Reserve(std::max<std::size_t>(65'536, 2 * static_cast<std::size_t>(std::max<std::int64_t>(cases, 0))));
    Statement stmt = writer_->Prepare(kAllReceipts);
    while (stmt.Step()) receipts_.Add(stmt.Blob(1), stmt.Int(0));
}

Result<void> SqliteStore::InsertCase(const CaseRecord& record) {
    return impl_->Write([&](Connection& db) -> Result<void> { return InsertCaseIn(db, impl_->receipts_, record); });
}

std::optional<CaseRecord> SqliteStore::FindCase(CaseId id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindCase);
    stmt.Bind(1, id.value);
    if (!stmt.Step()) return std::nullopt;
    return ReadCase(stmt);
}

std::optional<CaseRecord> SqliteStore::FindCaseByReceipt(ByteView receipt_lookup) {
    if (receipt_lookup.empty()) return std::nullopt;  // "no receipt" matches nothing
    std::vector<std::int64_t> candidates;
    impl_->receipts_.Candidates(receipt_lookup, candidates);
    if (candidates.empty()) return std::nullopt;
    auto reader = impl_->Read();
    for (const std::int64_t id : candidates) {
        Statement stmt = reader->Prepare(kFindCase);
        stmt.Bind(1, id);
        if (!stmt.Step()) continue;  // rolled back, or not yet committed
        CaseRecord record = ReadCase(stmt);
        if (std::ranges::equal(record.receipt_lookup, receipt_lookup)) return record;
    }
    return std::nullopt;
}

std::vector<CaseRecord> SqliteStore::CasesWhere(std::string_view sql, std::int64_t value) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(sql);
    stmt.Bind(1, value);
    std::vector<CaseRecord> cases;
    while (stmt.Step()) cases.push_back(ReadCase(stmt));
    return cases;
}

const std::string_view kCasesOfApplicantSql = kCasesOfApplicant;

std::vector<CaseRecord> SqliteStore::CasesOfApplicant(ApplicantId applicant) {
    // Applicant 0 is nobody: the web cases that share it belong to as many different people.
    if (!applicant.valid()) return {};
    return CasesWhere(kCasesOfApplicant, applicant.value);
}

std::vector<CaseRecord> SqliteStore::CasesWithInboundSince(std::int64_t since_ms) {
    return CasesWhere(kCasesWithInboundSince, since_ms);
}

MessageId SqliteStore::InsertMessage(const MessageRecord& message) {
    MessageId id;
    impl_->WriteOrThrow([&](Connection& db) -> Result<void> {
        Result<MessageId> inserted = InsertMessageIn(db, message);
        if (!inserted.ok()) return inserted.error();
        id = *inserted;
        return Ok();
    });
    return id;
}

std::vector<MessageRecord> SqliteStore::MessagesOfCase(CaseId case_id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kMessagesOfCase);
    stmt.Bind(1, case_id.value);
    std::vector<MessageRecord> messages;
    while (stmt.Step()) {
        MessageRecord& message = messages.emplace_back();
        message.id = MessageId{stmt.Int(0)};
        message.case_id = CaseId{stmt.Int(1)};
        message.kind = stmt.Text(2);
        message.channel = Require(ParseChannel(stmt.Text(3)), "channel");
        message.author = UserId{stmt.Int(4)};
        message.created_ms = stmt.Int(5);
        message.ciphertext = stmt.Blob(6);
    }
    return messages;
}

// ---- case work: intake, updates, the case list, events ----

namespace {
constexpr std::string_view kInsertEvent =
    "INSERT INTO case_events (case_id, at_ms, actor, type, from_value, to_value, reason_sealed) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kEventsOfCase =
    "SELECT id, case_id, at_ms, actor, type, from_value, to_value, reason_sealed FROM case_events "
    "WHERE case_id = ?1 ORDER BY id";
constexpr std::string_view kInsertAttachment =
    "INSERT INTO attachments (case_id, message_id, mime, size, created_ms, ciphertext) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kTouchInbound = "UPDATE cases SET updated_ms = ?1, last_inbound_ms = ?1 WHERE id = ?2";
constexpr std::string_view kTouchCase = "UPDATE cases SET updated_ms = ?1 WHERE id = ?2";
constexpr std::string_view kCaseState = "SELECT state FROM cases WHERE id = ?1";
constexpr std::string_view kCaseFacts = "SELECT state, suspect FROM cases WHERE id = ?1";
// ListCases conditions: fixed text with positional parameters; values are only ever bound.
// New cases are read along cases_by_updated (the newest first, as the list wants them); any other
// state from the partial index cases_by_state (migration 9), which serves only a query that says
// the state is not "new".
constexpr std::string_view kWhereNewState = " AND state = ?";
constexpr std::string_view kWhereOtherState = " AND state = ? AND state <> 'new'";
constexpr std::string_view kWhereKind = " AND kind = ?";
constexpr std::string_view kWhereChannel = " AND channel = ?";
constexpr std::string_view kWhereAssignee = " AND assignee = ?";
// An operator's cases: the partial index cases_by_assignee serves only a query that says so.
constexpr std::string_view kWhereAssigned = " AND assignee = ? AND assignee > 0";
constexpr std::string_view kWhereCreatedBefore = " AND created_ms < ?";
// Strictly after the cursor row in (updated_ms DESC, id DESC) order: binds updated_ms, updated_ms, id.
constexpr std::string_view kWhereAfter = " AND (updated_ms < ? OR (updated_ms = ? AND id < ?))";
constexpr std::string_view kOrderAndLimit = " ORDER BY updated_ms DESC, id DESC LIMIT ?";
constexpr std::size_t kMaxListLimit = 500;

void InsertEventIn(Connection& db, const CaseEventRecord& event, CaseId case_id) {
    Statement stmt = db.Prepare(kInsertEvent);
    stmt.Bind(1, case_id.value)
        .Bind(2, event.at_ms)
        .Bind(3, event.actor.value)
        .Bind(4, event.type)
        .Bind(5, event.from_value)
        .Bind(6, event.to_value)
        .BindBlob(7, event.reason_sealed)
        .Run();
}

void InsertAttachmentIn(Connection& db, const AttachmentRecord& attachment, CaseId case_id, MessageId message_id) {
    Statement stmt = db.Prepare(kInsertAttachment);
    stmt.Bind(1, case_id.value)
        .Bind(2, message_id.value)
        .Bind(3, attachment.mime)
        .Bind(4, attachment.size)
        .Bind(5, attachment.created_ms)
        .BindBlob(6, attachment.ciphertext)
        .Run();
}

/// A closed case that hears from its person again goes back to work: `to` (triage for an
/// application, inquiry for an inquiry), with a "reopen" event by the system. kNotFound when the
/// case is missing; an open case is left alone.
Result<void> ReopenIfClosedIn(Connection& db, CaseId id, const std::string& to, std::int64_t at_ms) {
    std::string closure;
    {
        Statement current = db.Prepare(kCaseClosure);
        current.Bind(1, id.value);
        if (!current.Step()) return Error{ErrorCode::kNotFound, "no case " + id.ToString()};
        if (current.Text(0) != "closed") return Ok();
        closure = current.Text(1);
    }
    Statement reopen = db.Prepare(kReopenCase);
    reopen.Bind(1, to).Bind(2, at_ms).Bind(3, id.value).Run();
    CaseEventRecord event;
    event.at_ms = at_ms;
    event.type = "reopen";
    event.from_value = "closed:" + closure;
    event.to_value = to;
    InsertEventIn(db, event, id);
    return Ok();
}

void TouchCaseIn(Connection& db, CaseId id, std::int64_t updated_ms) {
    Statement stmt = db.Prepare(kTouchCase);
    stmt.Bind(1, updated_ms).Bind(2, id.value).Run();
}
}  // namespace

void SqliteStore::RecordIntakeAsync(IntakeWrite write, std::function<void(Result<MessageId>)> done) {
    // The work runs (and may run again, in a later batch, after a lost transaction) on the
    // writer thread; `first` carries its answer to `done`, which runs on the sync thread after it.
    auto first = std::make_shared<MessageId>();
    // Mutable: the write's records are completed in place (applicant, case id) rather than
    // copied; running it again gives the same result.
    auto work = [write = std::move(write), first, &receipts = impl_->receipts_](Connection& db) mutable -> Result<void> {
        *first = MessageId{};
        if (write.new_case) {
            if (write.new_case->id != write.case_id)
                return Error{ErrorCode::kInvalidArgument, "intake: case_id differs from the new case's id"};
            CaseRecord& record = *write.new_case;
            // Inserted already touched (no UPDATE of the row just written below).
            record.updated_ms = record.last_inbound_ms = write.at_ms;
            // One transaction for the applicant and his case: a new messenger applicant costs
            // one commit, not two (web applicants have no applicants row).
            if (!write.applicant_pseudonym.empty())
                record.applicant = FindOrInsertApplicantIn(db, write.applicant_pseudonym, write.at_ms);
            if (Result<void> inserted = InsertCaseIn(db, receipts, record); !inserted.ok()) return inserted;
        } else if (write.reopen_to.empty()) {
            if (!CaseExistsIn(db, write.case_id)) return Error{ErrorCode::kNotFound, "no case " + write.case_id.ToString()};
        } else if (Result<void> reopened = ReopenIfClosedIn(db, write.case_id, write.reopen_to, write.at_ms);
                   !reopened.ok()) {
            return reopened;
        }
        for (MessageRecord& message : write.messages) {
            message.case_id = write.case_id;
            Result<MessageId> id = InsertMessageIn(db, message);
            if (!id.ok()) return id.error();
            if (!first->valid()) *first = *id;
        }
        for (const AttachmentRecord& attachment : write.attachments)
            InsertAttachmentIn(db, attachment, write.case_id, *first);
        if (!write.new_case) {
            Statement touch = db.Prepare(kTouchInbound);
            touch.Bind(1, write.at_ms).Bind(2, write.case_id.value).Run();
        }
        return Ok();
    };
    impl_->SubmitAsync(std::move(work), [first, done = std::move(done)](Result<void> result, std::exception_ptr error) {
        if (error) {
            done(ErrorOf(error));
        } else if (!result.ok()) {
            done(result.error());
        } else {
            done(*first);
        }
    });
}

Result<void> SqliteStore::UpdateCase(const CaseRecord& before, const CaseRecord& after,
                                     const std::optional<CaseEventRecord>& event, CaseCondition condition) {
    if (before.id != after.id) return Error{ErrorCode::kInvalidArgument, "one case's update given another's"};
    // Only the columns the caller changed are written, each where it still holds what the caller
    // read: two people changing different things of one case both land, and the second of two
    // changing the same thing gets kConflict instead of silently undoing the first.
    using Value = std::variant<std::int64_t, std::string_view>;
    struct Change {
        std::string_view column;
        Value from, to;
    };
    std::vector<Change> changes;
    changes.reserve(7);
    const auto add = [&](std::string_view column, Value from, Value to) {
        if (from != to) changes.push_back({column, from, to});
    };
    add("state", std::string_view(before.state), std::string_view(after.state));
    add("assignee", before.assignee.value, after.assignee.value);
    add("triage", std::string_view(before.triage), std::string_view(after.triage));
    add("suspect", std::int64_t{before.suspect}, std::int64_t{after.suspect});
    add("closure_reason", std::string_view(before.closure_reason), std::string_view(after.closure_reason));
    add("inquiry_answer", std::string_view(before.inquiry_answer), std::string_view(after.inquiry_answer));
    add("language", std::string_view(before.language), std::string_view(after.language));
    // Fixed column names only; values are bound. At most 2^7 texts per connection's cache.
    std::string sql = "UPDATE cases SET ";
    for (const auto& c : changes) {
        sql += c.column;
        sql += " = ?, ";
    }
    sql += "updated_ms = ? WHERE id = ?";
    for (const auto& c : changes) {
        sql += " AND ";
        sql += c.column;
        sql += " = ?";
    }
    if (condition.not_suspect) sql += " AND suspect = 0";
    if (condition.open) sql += " AND state <> 'closed'";

    return impl_->Write([&](Connection& db) -> Result<void> {
        {
            Statement update = db.Prepare(sql);
            int index = 0;
            const auto bind = [&](const Value& v) {
                std::visit([&](const auto& x) { update.Bind(++index, x); }, v);
            };
            for (const auto& c : changes) bind(c.to);
            update.Bind(++index, after.updated_ms);
            update.Bind(++index, after.id.value);
            for (const auto& c : changes) bind(c.from);
            update.Run();
        }
        if (db.Changes() == 0) {
            Statement current = db.Prepare(kCaseState);
            current.Bind(1, after.id.value);
            if (!current.Step()) return Error{ErrorCode::kNotFound, "no case " + after.id.ToString()};
            return Error{ErrorCode::kConflict, "the case changed meanwhile"};
        }
        if (event) InsertEventIn(db, *event, after.id);
        return Ok();
    });
}

std::vector<CaseRecord> SqliteStore::ListCases(const CaseFilter& filter) {
    std::string sql(kListCases);
    if (filter.state) sql += *filter.state == "new" ? kWhereNewState : kWhereOtherState;
    if (filter.kind) sql += kWhereKind;
    if (filter.channel) sql += kWhereChannel;
    if (filter.assignee) sql += filter.assignee->valid() ? kWhereAssigned : kWhereAssignee;
    if (filter.created_before_ms) sql += kWhereCreatedBefore;
    if (filter.after) sql += kWhereAfter;
    sql += kOrderAndLimit;
    // At most 3 * 3 * 2^4 distinct texts, so the per-connection statement cache stays small.

    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(sql);
    int index = 0;
    if (filter.state) stmt.Bind(++index, *filter.state);
    if (filter.kind) stmt.Bind(++index, ToString(*filter.kind));
    if (filter.channel) stmt.Bind(++index, ToString(*filter.channel));
    if (filter.assignee) stmt.Bind(++index, filter.assignee->value);
    if (filter.created_before_ms) stmt.Bind(++index, *filter.created_before_ms);
    if (filter.after) {
        stmt.Bind(++index, filter.after->first);
        stmt.Bind(++index, filter.after->first);
        stmt.Bind(++index, filter.after->second);
    }
    stmt.Bind(++index, static_cast<std::int64_t>(std::clamp<std::size_t>(filter.limit, 1, kMaxListLimit)));
    std::vector<CaseRecord> cases;
    while (stmt.Step()) cases.push_back(ReadCase(stmt));
    return cases;
}

std::vector<CaseEventRecord> SqliteStore::EventsOfCase(CaseId case_id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kEventsOfCase);
    stmt.Bind(1, case_id.value);
    std::vector<CaseEventRecord> events;
    while (stmt.Step()) {
        CaseEventRecord& event = events.emplace_back();
        event.id = stmt.Int(0);
        event.case_id = CaseId{stmt.Int(1)};
        event.at_ms = stmt.Int(2);
        event.actor = UserId{stmt.Int(3)};
        event.type = stmt.Text(4);
        event.from_value = stmt.Text(5);
        event.to_value = stmt.Text(6);
        event.reason_sealed = stmt.Blob(7);
    }
    return events;
}

Result<MessageId> SqliteStore::AppendMessage(const MessageRecord& message, const std::optional<CaseEventRecord>& event,
                                             std::int64_t updated_ms) {
    MessageId id;
    Result<void> written = impl_->Write([&](Connection& db) -> Result<void> {
        if (!CaseExistsIn(db, message.case_id))
            return Error{ErrorCode::kNotFound, "no case " + message.case_id.ToString()};
        Result<MessageId> inserted = InsertMessageIn(db, message);
        if (!inserted.ok()) return inserted.error();
        id = *inserted;
        if (event) InsertEventIn(db, *event, message.case_id);
        TouchCaseIn(db, message.case_id, updated_ms);
        return Ok();
    });
    if (!written.ok()) return written.error();
    return id;
}

// ---- hand-offs ----

namespace {
#define LIFELINE_HANDOFF_COLUMNS                                                                       \
    "SELECT id, case_id, coordinator, created_by, created_ms, payload_sealed, outcome, outcome_ms, "       \
    "outcome_sealed FROM handoffs "
constexpr std::string_view kInsertHandoff =
    "INSERT INTO handoffs (case_id, coordinator, created_by, created_ms, payload_sealed, outcome, outcome_ms, "
    "outcome_sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kFindHandoff = LIFELINE_HANDOFF_COLUMNS "WHERE id = ?1";
constexpr std::string_view kHandoffsOfCase = LIFELINE_HANDOFF_COLUMNS "WHERE case_id = ?1 ORDER BY id";
constexpr std::string_view kHandoffsForCoordinator =
    LIFELINE_HANDOFF_COLUMNS "WHERE coordinator = ?1 ORDER BY created_ms DESC, id DESC LIMIT ?2";
// The next page: strictly after the cursor row (created_ms, id) in the same order.
constexpr std::string_view kHandoffsForCoordinatorAfter =
    LIFELINE_HANDOFF_COLUMNS "WHERE coordinator = ?1 AND (created_ms < ?3 OR (created_ms = ?3 AND id < ?4)) "
    "ORDER BY created_ms DESC, id DESC LIMIT ?2";
#undef LIFELINE_HANDOFF_COLUMNS
constexpr std::string_view kHandoffOutcome = "SELECT case_id, outcome FROM handoffs WHERE id = ?1";
constexpr std::string_view kSetHandoffOutcome =
    "UPDATE handoffs SET outcome = ?1, outcome_ms = ?2, outcome_sealed = ?3 WHERE id = ?4";

HandoffRecord ReadHandoff(const Statement& stmt) {
    HandoffRecord handoff;
    handoff.id = stmt.Int(0);
    handoff.case_id = CaseId{stmt.Int(1)};
    handoff.coordinator = UserId{stmt.Int(2)};
    handoff.created_by = UserId{stmt.Int(3)};
    handoff.created_ms = stmt.Int(4);
    handoff.payload_sealed = stmt.Blob(5);
    handoff.outcome = stmt.Text(6);
    handoff.outcome_ms = stmt.Int(7);
    handoff.outcome_sealed = stmt.Blob(8);
    return handoff;
}
}  // namespace

Result<std::int64_t> SqliteStore::InsertHandoff(const HandoffRecord& handoff, const CaseEventRecord& event,
                                                CaseCondition condition) {
    std::int64_t id = 0;
    Result<void> written = impl_->Write([&](Connection& db) -> Result<void> {
        {
            Statement current = db.Prepare(kCaseFacts);
            current.Bind(1, handoff.case_id.value);
            if (!current.Step()) return Error{ErrorCode::kNotFound, "no case " + handoff.case_id.ToString()};
            if ((condition.not_suspect && current.Int(1) != 0) || (condition.open && current.Text(0) == "closed"))
                return Error{ErrorCode::kConflict, "the case changed meanwhile"};
        }
        {
            Statement stmt = db.Prepare(kInsertHandoff);
            stmt.Bind(1, handoff.case_id.value)
                .Bind(2, handoff.coordinator.value)
                .Bind(3, handoff.created_by.value)
                .Bind(4, handoff.created_ms)
                .BindBlob(5, handoff.payload_sealed)
                .Bind(6, handoff.outcome)
                .Bind(7, handoff.outcome_ms)
                .BindBlob(8, handoff.outcome_sealed)
                .Run();
        }
        id = db.LastInsertRowId();
        InsertEventIn(db, event, handoff.case_id);
        return Ok();
    });
    if (!written.ok()) return written.error();
    return id;
}

std::optional<HandoffRecord> SqliteStore::FindHandoff(std::int64_t id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindHandoff);
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadHandoff(stmt);
}

std::vector<HandoffRecord> SqliteStore::HandoffsOfCase(CaseId case_id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kHandoffsOfCase);
    stmt.Bind(1, case_id.value);
    std::vector<HandoffRecord> handoffs;
    while (stmt.Step()) handoffs.push_back(ReadHandoff(stmt));
    return handoffs;
}

std::vector<HandoffRecord> SqliteStore::HandoffsForCoordinator(
    UserId coordinator, std::size_t limit, const std::optional<std::pair<std::int64_t, std::int64_t>>& after) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(after ? kHandoffsForCoordinatorAfter : kHandoffsForCoordinator);
    stmt.Bind(1, coordinator.value).Bind(2, ToSqlLimit(limit));
    if (after) stmt.Bind(3, after->first).Bind(4, after->second);
    std::vector<HandoffRecord> handoffs;
    while (stmt.Step()) handoffs.push_back(ReadHandoff(stmt));
    return handoffs;
}

Result<void> SqliteStore::RecordHandoffOutcome(const HandoffRecord& handoff, const CaseEventRecord& event) {
    if (handoff.outcome.empty()) return Error{ErrorCode::kInvalidArgument, "a hand-off outcome may not be empty"};
    return impl_->Write([&](Connection& db) -> Result<void> {
        CaseId case_id;
        {
            Statement current = db.Prepare(kHandoffOutcome);
            current.Bind(1, handoff.id);
            if (!current.Step()) return Error{ErrorCode::kNotFound, "no hand-off " + std::to_string(handoff.id)};
            if (!current.Text(1).empty())
                return Error{ErrorCode::kConflict, "the hand-off's outcome is already recorded"};
            case_id = CaseId{current.Int(0)};
        }
        {
            Statement update = db.Prepare(kSetHandoffOutcome);
            update.Bind(1, handoff.outcome)
                .Bind(2, handoff.outcome_ms)
                .BindBlob(3, handoff.outcome_sealed)
                .Bind(4, handoff.id)
                .Run();
        }
        InsertEventIn(db, event, case_id);
        return Ok();
    });
}

// ---- attachments ----

namespace {
constexpr std::string_view kAttachmentsOfCase =
    "SELECT id, case_id, message_id, mime, size, created_ms FROM attachments WHERE case_id = ?1 ORDER BY id";
constexpr std::string_view kFindAttachment =
    "SELECT id, case_id, message_id, mime, size, created_ms, ciphertext FROM attachments WHERE id = ?1";

// Reads columns 0..5 (everything but the ciphertext).
AttachmentRecord ReadAttachmentMeta(const Statement& stmt) {
    AttachmentRecord attachment;
    attachment.id = stmt.Int(0);
    attachment.case_id = CaseId{stmt.Int(1)};
    attachment.message_id = MessageId{stmt.Int(2)};
    attachment.mime = stmt.Text(3);
    attachment.size = stmt.Int(4);
    attachment.created_ms = stmt.Int(5);
    return attachment;
}
}  // namespace

std::vector<AttachmentRecord> SqliteStore::AttachmentsOfCase(CaseId case_id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kAttachmentsOfCase);
    stmt.Bind(1, case_id.value);
    std::vector<AttachmentRecord> attachments;
    while (stmt.Step()) attachments.push_back(ReadAttachmentMeta(stmt));
    return attachments;
}

std::optional<AttachmentRecord> SqliteStore::FindAttachment(std::int64_t id) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kFindAttachment);
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    AttachmentRecord attachment = ReadAttachmentMeta(stmt);
    attachment.ciphertext = stmt.Blob(6);
    return attachment;
}

// ---- contact queue log ----

namespace {
constexpr std::string_view kInsertQueueEvent =
    "INSERT INTO queue_events (at_ms, type, entry_id, operator_id, to_operator_id, case_id, channel, language, "
    "kind, priority, owner_id, media, enter_ms, wait_ms, duration_ms, callback, withdrawn, segment) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
#define LIFELINE_QUEUE_EVENT_COLUMNS                                                                          \
    "SELECT id, at_ms, type, entry_id, operator_id, to_operator_id, case_id, channel, language, kind, priority, " \
    "owner_id, media, enter_ms, wait_ms, duration_ms, callback, withdrawn, segment FROM queue_events "
constexpr std::string_view kReadQueueEvents = LIFELINE_QUEUE_EVENT_COLUMNS "WHERE id >= ?1 ORDER BY id LIMIT ?2";
constexpr std::string_view kReadQueueEventsSince = LIFELINE_QUEUE_EVENT_COLUMNS "WHERE at_ms >= ?1 ORDER BY id";
#undef LIFELINE_QUEUE_EVENT_COLUMNS

QueueEventRecord ReadQueueEvent(Statement& stmt) {
    QueueEventRecord r;
    r.id = stmt.Int(0);
    r.at_ms = stmt.Int(1);
    r.type = stmt.Text(2);
    r.entry_id = stmt.Int(3);
    r.operator_id = stmt.Int(4);
    r.to_operator_id = stmt.Int(5);
    r.case_id = stmt.Int(6);
    r.channel = stmt.Text(7);
    r.language = stmt.Text(8);
    r.kind = stmt.Text(9);
    r.priority = stmt.Int(10);
    r.owner_id = stmt.Int(11);
    r.media = stmt.Text(12);
    r.enter_ms = stmt.Int(13);
    r.wait_ms = stmt.Int(14);
    r.duration_ms = stmt.Int(15);
    r.callback = stmt.Int(16) != 0;
    r.withdrawn = stmt.Int(17) != 0;
    r.segment = stmt.Int(18);
    return r;
}
}  // namespace

void SqliteStore::SubmitQueueEvents(std::vector<QueueEventRecord> events,
                                    std::function<void(std::exception_ptr)> done) {
    if (events.empty()) {
        done(nullptr);
        return;
    }
    auto work = [events = std::move(events)](Connection& db) -> Result<void> {
        for (const QueueEventRecord& e : events) {
            // Every bound value lives in `events` until insert is gone: not copied.
            Statement insert = db.Prepare(kInsertQueueEvent);
            insert.Bind(1, e.at_ms)
                .BindUncopied(2, e.type)
                .Bind(3, e.entry_id)
                .Bind(4, e.operator_id)
                .Bind(5, e.to_operator_id)
                .Bind(6, e.case_id)
                .BindUncopied(7, e.channel)
                .BindUncopied(8, e.language)
                .BindUncopied(9, e.kind)
                .Bind(10, e.priority)
                .Bind(11, e.owner_id)
                .BindUncopied(12, e.media)
                .Bind(13, e.enter_ms)
                .Bind(14, e.wait_ms)
                .Bind(15, e.duration_ms)
                .Bind(16, std::int64_t{e.callback ? 1 : 0})
                .Bind(17, std::int64_t{e.withdrawn ? 1 : 0})
                .Bind(18, e.segment)
                .Run();
        }
        return Ok();
    };
    impl_->SubmitAsync(std::move(work), [done = std::move(done)](Result<void> result, std::exception_ptr error) {
        if (!error && !result.ok()) error = std::make_exception_ptr(LifelineError(result.code(), result.error().message));
        done(error);
    });
}

std::vector<QueueEventRecord> SqliteStore::ReadQueueEvents(std::int64_t from_id, std::size_t limit) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kReadQueueEvents);
    stmt.Bind(1, from_id).Bind(2, ToSqlLimit(limit));
    std::vector<QueueEventRecord> events;
    while (stmt.Step()) events.push_back(ReadQueueEvent(stmt));
    return events;
}

std::vector<QueueEventRecord> SqliteStore::ReadQueueEventsSince(std::int64_t from_ms) {
    auto reader = impl_->Read();
    Statement stmt = reader->Prepare(kReadQueueEventsSince);
    stmt.Bind(1, from_ms);
    std::vector<QueueEventRecord> events;
    while (stmt.Step()) events.push_back(ReadQueueEvent(stmt));
    return events;
}

// ---- factory ----

std::unique_ptr<Store> OpenSqliteStore(const SqliteOptions& options) { return std::make_unique<SqliteStore>(options); }

}  // namespace lifeline::store
