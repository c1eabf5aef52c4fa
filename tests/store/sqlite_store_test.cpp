// What only the SQLite backend promises: pragmas, migrations, group commit, durability on reopen.

#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/defer.hpp"
#include "core/error.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/wal_vfs.hpp"
#include "store_backends.hpp"

namespace lifeline::store {
namespace {

using test::TempDir;

// A plain connection to the file, independent of the store under test.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("open failed");
        sqlite3_busy_timeout(db_, 5000);
    }
    ~RawDb() { sqlite3_close_v2(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    // Every row of a query, columns joined by '|', rows by ';'.
    std::string Query(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(sqlite3_errmsg(db_));
        std::string out;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (!out.empty()) out += ";";
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                if (i > 0) out += "|";
                const auto* text = sqlite3_column_text(stmt, i);
                out += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
            }
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
        return out;
    }
    void Exec(const std::string& sql) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
            throw std::runtime_error(sqlite3_errmsg(db_));
    }

private:
    sqlite3* db_ = nullptr;
};

UserRecord User(const std::string& name) {
    UserRecord u;
    u.username = name;
    u.public_key = Bytes{1, 0, 2};
    return u;
}

class SqliteStoreTest : public ::testing::Test {
protected:
    std::string Path() const { return dir_.File("store.db"); }
    std::unique_ptr<SqliteStore> Open(std::size_t max_batch = 256) {
        SqliteOptions options;
        options.path = Path();
        options.max_batch = max_batch;
        return std::make_unique<SqliteStore>(options);
    }

    TempDir dir_;
};

TEST_F(SqliteStoreTest, WalAndPipelinedSyncInEffect) {
    auto store = Open();
    store->PutMeta("k", Bytes{1});
    RawDb raw(Path());
    EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");  // persistent, so visible from any connection
    EXPECT_TRUE(std::filesystem::exists(Path() + "-wal"));
    // synchronous, foreign_keys and busy_timeout are per connection: ask the writer's.
    EXPECT_EQ(store->WriterPragma("synchronous"), "1");  // NORMAL: the sync thread syncs the WAL
    EXPECT_EQ(store->WriterPragma("foreign_keys"), "1");
    EXPECT_EQ(store->WriterPragma("busy_timeout"), "5000");
    EXPECT_EQ(store->WriterPragma("journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ACommitReachesTheWalInOneWriteEvenALargeOne) {
    auto store = Open();
    store->PutMeta("warm", Bytes{1});  // the WAL exists and has its header
    std::uint64_t before = sqlite::WalWritesIssued();
    store->PutMeta("ten-pages", Bytes(40'000, 7));  // about eleven frames: 22 writes without the VFS
    EXPECT_EQ(sqlite::WalWritesIssued() - before, 1u);
    // About 250 frames (1 MB): written in pieces, each under the 128 KiB the unix VFS writes at once.
    const Bytes big(1'000'000, 9);
    before = sqlite::WalWritesIssued();
    store->PutMeta("big", big);
    const std::uint64_t writes = sqlite::WalWritesIssued() - before;
    EXPECT_GE(writes, 8u);
    EXPECT_LE(writes, 12u);
    EXPECT_EQ(store->GetMeta("big"), big);
    store.reset();
    EXPECT_EQ(Open()->GetMeta("big"), big);
    RawDb raw(Path());
    EXPECT_EQ(raw.Query("PRAGMA integrity_check"), "ok");
}

// A VFS over SQLite's default whose WAL writes fail while g_fail_wal_writes is set: put under
// the WAL-buffering VFS, it stands for a full disk at the moment a commit is written out.
std::atomic<bool> g_fail_wal_writes{false};
sqlite3_vfs* g_default_vfs = nullptr;
const sqlite3_io_methods* g_default_methods = nullptr;
sqlite3_io_methods g_failing_methods{};

int FailingWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    if (g_fail_wal_writes.load()) return SQLITE_FULL;
    return g_default_methods->xWrite(file, data, amount, offset);
}

int FailingOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    const int rc = g_default_vfs->xOpen(g_default_vfs, name, file, flags, out_flags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
        if (g_default_methods == nullptr) {
            g_default_methods = file->pMethods;
            g_failing_methods = *file->pMethods;
            g_failing_methods.xWrite = FailingWrite;
        }
        file->pMethods = &g_failing_methods;  // the same file, its writes through FailingWrite
    }
    return rc;
}

const char* FailingWalVfs() {
    static sqlite3_vfs vfs{};
    static const bool registered = [] {
        g_default_vfs = sqlite3_vfs_find(nullptr);
        vfs = *g_default_vfs;  // its functions read the app data through the pointer they get
        vfs.pNext = nullptr;
        vfs.zName = "failing-wal";
        vfs.xOpen = FailingOpen;
        return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
    }();
    return registered ? sqlite::WalBufferingVfsOver("buffering-over-failing-wal", "failing-wal") : nullptr;
}

TEST_F(SqliteStoreTest, AWalWriteThatFailsAtCommitFailsThatWriteAndEveryLaterOneNotTheEarlierOnes) {
    const char* vfs = FailingWalVfs();
    ASSERT_NE(vfs, nullptr);
    SqliteOptions options;
    options.path = Path();
    options.vfs = vfs;
    {
        auto store = std::make_unique<SqliteStore>(options);
        store->PutMeta("before", Bytes(10'000, 1));
        g_fail_wal_writes = true;
        // The commit's frames are gathered and written out at its commit frame: that write
        // fails, so the commit fails instead of being published without its frames.
        EXPECT_THROW(store->PutMeta("during", Bytes(10'000, 2)), LifelineError);
        g_fail_wal_writes = false;
        // The failure sticks for the connection (nothing gathered since may be published), and
        // the store says so as after a failed sync: writes refused, sync_failed() set.
        EXPECT_TRUE(store->sync_failed());
        try {
            store->PutMeta("after", Bytes(10'000, 3));
            ADD_FAILURE() << "a write after a failed WAL write was accepted";
        } catch (const LifelineError& e) {
            EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
        }
        EXPECT_EQ(store->GetMeta("before"), Bytes(10'000, 1));  // reads go on
        EXPECT_FALSE(store->GetMeta("during").has_value());
    }
    auto reopened = std::make_unique<SqliteStore>(options);
    EXPECT_EQ(reopened->GetMeta("before"), Bytes(10'000, 1));
    EXPECT_FALSE(reopened->GetMeta("during").has_value());
    EXPECT_FALSE(reopened->GetMeta("after").has_value());
    reopened->PutMeta("after", Bytes(10'000, 3));  // a new connection writes again
    EXPECT_EQ(reopened->GetMeta("after"), Bytes(10'000, 3));
    reopened.reset();
    RawDb raw(Path());
    EXPECT_EQ(raw.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, AnsweredWritesSurviveAProcessThatDiesWithoutClosing) {
    // A child process answers 200 writes and dies at once: no close, no final checkpoint, WAL
    // frames only where the commits put them. Every answered write must be in the file.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            auto store = Open();
            for (int i = 0; i < 200; ++i)
                store->PutMeta("k" + std::to_string(i), Bytes(3000, static_cast<std::uint8_t>(i)));
            ::_exit(0);  // with the store open
        } catch (...) {
            ::_exit(1);
        }
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto store = Open();
    for (int i = 0; i < 200; ++i)
        EXPECT_EQ(store->GetMeta("k" + std::to_string(i)), Bytes(3000, static_cast<std::uint8_t>(i))) << i;
    RawDb raw(Path());
    EXPECT_EQ(raw.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, EveryAnsweredBatchWasSyncedAndNeverMoreSyncsThanBatches) {
    auto store = Open();
    // One write at a time: every answer waited for a sync of its own batch.
    const std::uint64_t syncs_before = store->wal_syncs();
    const std::uint64_t batches_before = store->batches_committed();
    for (int i = 0; i < 10; ++i) store->PutMeta("k" + std::to_string(i), Bytes{static_cast<std::uint8_t>(i)});
    EXPECT_EQ(store->batches_committed() - batches_before, 10u);
    EXPECT_EQ(store->wal_syncs() - syncs_before, 10u);
    // Many at once: never more syncs than batches (the writes that arrive during a sync join
    // the next batch).
    const std::uint64_t syncs_mid = store->wal_syncs();
    const std::uint64_t batches_mid = store->batches_committed();
    std::vector<std::thread> threads;
    for (int t = 0; t < 32; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) store->PutMeta("c" + std::to_string(t) + "_" + std::to_string(i), Bytes{1});
        });
    for (auto& t : threads) t.join();
    const std::uint64_t syncs = store->wal_syncs() - syncs_mid;
    const std::uint64_t batches = store->batches_committed() - batches_mid;
    EXPECT_GE(syncs, 1u);
    EXPECT_LE(syncs, batches);
    EXPECT_EQ(store->GetMeta("c31_19"), Bytes{1});
}

TEST_F(SqliteStoreTest, WriterPragmaTakesOnlyNames) {
    auto store = Open();
    for (const char* bad : {"", "synchronous=OFF", "synchronous; DROP TABLE users", "Synchronous"}) {
        try {
            store->WriterPragma(bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const LifelineError& e) {
            EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        }
    }
    EXPECT_EQ(store->WriterPragma("synchronous"), "1");
}

TEST_F(SqliteStoreTest, MigrationsRecordedOnceAndReopenKeepsData) {
    {
        auto store = Open();
        ASSERT_TRUE(store->InsertUser(User("alice")).ok());
    }
    RawDb raw(Path());
    const std::string migrations = raw.Query("SELECT version, applied_ms FROM schema_migrations ORDER BY version");
    EXPECT_EQ(migrations.substr(0, 2), "1|");
    EXPECT_EQ(raw.Query("SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4,5,6,7,8,9");
    {
        auto store = Open();
        EXPECT_TRUE(store->FindUserByName("alice").has_value());
        EXPECT_TRUE(store->InsertUser(User("bob")).ok());
    }
    {
        auto store = Open();
        EXPECT_EQ(store->ListUsers().size(), 2u);
    }
    // Not re-run: same rows, same timestamps.
    EXPECT_EQ(raw.Query("SELECT version, applied_ms FROM schema_migrations ORDER BY version"), migrations);
}

// A database as a build that knew migrations up to `version` left it (each recorded as applied
// at 42 ms), with `rows` inserted after them, written with SQLite itself rather than the store.
void CreateDatabaseAtVersion(const std::string& path, std::int64_t version, const std::string& rows) {
    std::string script = "PRAGMA journal_mode=WAL; BEGIN;"
                         " CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL);";
    for (const auto& migration : sqlite::Migrations()) {
        if (migration.version > version) break;
        script += std::string(migration.sql) + "; INSERT INTO schema_migrations VALUES (" +
                  std::to_string(migration.version) + ", 42);";
    }
    script += rows + " COMMIT;";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close_v2(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
}

// A database as a build that knew only migration 1 left it, with one case and one message.
void CreateVersion1Database(const std::string& path) {
    ASSERT_EQ(sqlite::Migrations()[0].version, 1);
    CreateDatabaseAtVersion(
        path, 1,
        " INSERT INTO applicants (id, pseudonym, created_ms) VALUES (1, x'0700', 5);"
        " INSERT INTO cases (id, applicant_id, kind, state, channel, key_epoch, wrapped_key, receipt_lookup,"
        "   receipt_wrapped_key, assignee, created_ms, updated_ms)"
        "   VALUES (31337, 1, 'relative_inquiry', 'triage', 'sms', 1, x'0102', x'0a0b', x'0c', 3, 100, 200);"
        " INSERT INTO messages (case_id, kind, channel, author, created_ms, ciphertext)"
        "   VALUES (31337, 'inbound', 'sms', 0, 150, x'00ff');"
        " INSERT INTO users (id, username, role, disabled, public_key, kdf_salt, kdf_opslimit, kdf_memlimit,"
        "   secret_by_password, secret_by_recovery, team_key_sealed, totp_secret_sealed, totp_enabled,"
        "   totp_last_step, must_change_password, failed_logins, locked_until_ms, created_ms, updated_ms)"
        "   VALUES (7, 'olga', 'operator', 0, x'01', x'02', 3, 4, x'05', x'06', x'07', x'', 1, 0, 0, 0, 0, 10, 20);");
}

TEST_F(SqliteStoreTest, UpgradesVersion1DatabaseOnceKeepingData) {
    ASSERT_NO_FATAL_FAILURE(CreateVersion1Database(Path()));
    const CaseId case_id{31337};
    {
        auto store = Open();
        auto c = store->FindCase(case_id);
        ASSERT_TRUE(c.has_value());
        EXPECT_EQ(c->state, "triage");
        EXPECT_EQ(c->kind, CaseKind::kRelativeInquiry);
        EXPECT_EQ(c->channel, Channel::kSms);
        EXPECT_EQ(c->assignee, UserId{3});
        EXPECT_EQ(c->receipt_lookup, (Bytes{0x0a, 0x0b}));
        // Migration 7 dropped the receipt index: the store found the lookup in the table.
        ASSERT_TRUE(store->FindCaseByReceipt(Bytes{0x0a, 0x0b}).has_value());
        EXPECT_EQ(store->FindCaseByReceipt(Bytes{0x0a, 0x0b})->id, case_id);
        EXPECT_FALSE(store->FindCaseByReceipt(Bytes{0x0a}).has_value());
        EXPECT_EQ(c->updated_ms, 200);
        // The columns migration 2 added hold a fresh CaseRecord's defaults.
        const CaseRecord defaults;
        EXPECT_EQ(c->triage, defaults.triage);
        EXPECT_EQ(c->suspect, defaults.suspect);
        EXPECT_EQ(c->closure_reason, defaults.closure_reason);
        EXPECT_EQ(c->inquiry_answer, defaults.inquiry_answer);
        EXPECT_EQ(c->language, defaults.language);
        EXPECT_EQ(c->last_inbound_ms, defaults.last_inbound_ms);
        ASSERT_EQ(store->MessagesOfCase(case_id).size(), 1u);

        // The new tables work on the upgraded file.
        IntakeWrite write;
        write.case_id = case_id;
        MessageRecord m;
        m.kind = "inbound";
        m.ciphertext = Bytes{1, 0, 1};
        write.messages = {m};
        AttachmentRecord a;
        a.mime = "image/png";
        a.ciphertext = Bytes{9, 0, 9};
        write.attachments = {a};
        write.at_ms = 300;
        const MessageId first = store->RecordIntake(write).value();
        EXPECT_GT(first, store->MessagesOfCase(case_id)[0].id);
        const CaseRecord stored = *store->FindCase(case_id);
        CaseRecord changed = stored;
        changed.state = "in_progress";
        CaseEventRecord event;
        event.type = "transition";
        ASSERT_TRUE(store->UpdateCase(stored, changed, event).ok());
        HandoffRecord h;
        h.case_id = case_id;
        h.coordinator = UserId{2};
        ASSERT_TRUE(store->InsertHandoff(h, event).ok());
        EXPECT_EQ(store->EventsOfCase(case_id).size(), 2u);
        EXPECT_EQ(store->AttachmentsOfCase(case_id).size(), 1u);
        EXPECT_EQ(store->FindCase(case_id)->last_inbound_ms, 300);

        // Migration 4: a user from before it has no skills of his own (the queue's defaults),
        // and can be given some.
        auto olga = store->FindUser(UserId{7});
        ASSERT_TRUE(olga.has_value());
        EXPECT_EQ(olga->username, "olga");
        EXPECT_EQ(olga->skills, UserSkills{});
        ASSERT_TRUE(store->UpdateUserSkills(UserId{7}, {{"uk"}, {CaseKind::kRelativeInquiry}}, 30).ok());
    }
    RawDb raw(Path());
    const std::string recorded = raw.Query("SELECT version, applied_ms FROM schema_migrations ORDER BY version");
    EXPECT_EQ(recorded.substr(0, 5), "1|42;");  // migration 1 untouched
    EXPECT_EQ(raw.Query("SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4,5,6,7,8,9");
    EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('cases_by_updated', "
                        "'cases_by_state', 'cases_by_assignee', 'case_events_by_case', 'handoffs_by_case', "
                        "'handoffs_by_coordinator', 'attachments_by_case')"),
              "7");
    {
        // Reopening does not run migration 2 again (ALTER TABLE ADD COLUMN would fail if it did).
        auto store = Open();
        EXPECT_EQ(store->FindCase(case_id)->state, "in_progress");
        EXPECT_EQ(store->EventsOfCase(case_id).size(), 2u);
        EXPECT_EQ(store->FindUser(UserId{7})->skills, (UserSkills{{"uk"}, {CaseKind::kRelativeInquiry}}));
    }
    EXPECT_EQ(raw.Query("SELECT skill_languages, skill_kinds, updated_ms FROM users WHERE id = 7"),
              "uk|relative_inquiry|30");
    EXPECT_EQ(raw.Query("SELECT version, applied_ms FROM schema_migrations ORDER BY version"), recorded);
    EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_master WHERE name = 'cases_by_receipt'"), "0");
    EXPECT_EQ(raw.Query("PRAGMA foreign_key_check"), "");
    EXPECT_EQ(raw.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, Migration8DropsAutoincrementKeepingRowsIdsAndOrder) {
    // A database as version 7 left it: messages and queue events with AUTOINCREMENT ids, and
    // their rows in sqlite_sequence.
    ASSERT_NO_FATAL_FAILURE(CreateDatabaseAtVersion(
        Path(), 7,
        " INSERT INTO cases (id, applicant_id, kind, state, channel, key_epoch, wrapped_key, receipt_lookup,"
        "   receipt_wrapped_key, assignee, created_ms, updated_ms)"
        "   VALUES (31337, 0, 'surrender_application', 'new', 'web', 1, x'0102', x'0a0b', x'0c', 0, 100, 200);"
        " INSERT INTO messages (case_id, kind, channel, author, created_ms, ciphertext)"
        "   VALUES (31337, 'inbound', 'web', 0, 150, x'01'), (31337, 'reply', 'web', 7, 160, x'02'),"
        "          (31337, 'note', 'web', 7, 170, x'03');"
        " INSERT INTO queue_events (at_ms, type, entry_id, operator_id, to_operator_id, case_id, channel, language,"
        "   kind, priority, owner_id, media, enter_ms, wait_ms, duration_ms, callback, withdrawn, segment)"
        "   VALUES (150, 'enter', 1, 0, 0, 31337, 'web', 'ru', 'surrender_application', 0, 0, 'chat', 150, 0, 0,"
        "           0, 0, 0),"
        "          (155, 'offer', 1, 7, 0, 31337, 'web', 'ru', 'surrender_application', 0, 0, 'chat', 150, 5, 0,"
        "           0, 0, 0);"));
    RawDb raw(Path());
    ASSERT_EQ(raw.Query("SELECT name, seq FROM sqlite_sequence WHERE name IN ('messages', 'queue_events') ORDER BY name"),
              "messages|3;queue_events|2");
    const CaseId case_id{31337};
    {
        auto store = Open();
        const auto messages = store->MessagesOfCase(case_id);
        ASSERT_EQ(messages.size(), 3u);
        EXPECT_EQ(messages[0].id, MessageId{1});
        EXPECT_EQ(messages[2].id, MessageId{3});
        EXPECT_EQ(messages[1].ciphertext, Bytes{2});
        const auto events = store->ReadQueueEvents(0, 10);
        ASSERT_EQ(events.size(), 2u);
        EXPECT_EQ(events[1].id, 2);
        EXPECT_EQ(events[1].type, "offer");
        EXPECT_EQ(events[1].wait_ms, 5);
        // New rows continue after the largest id.
        IntakeWrite write;
        write.case_id = case_id;
        MessageRecord m;
        m.kind = "inbound";
        m.ciphertext = Bytes{4};
        write.messages = {m};
        write.at_ms = 300;
        EXPECT_EQ(store->RecordIntake(write).value(), MessageId{4});
        QueueEventRecord e;
        e.at_ms = 310;
        e.type = "accept";
        e.entry_id = 1;
        store->AppendQueueEvents({e});
        EXPECT_EQ(store->ReadQueueEvents(3, 10).size(), 1u);
        EXPECT_EQ(store->ReadQueueEvents(3, 10)[0].id, 3);
    }
    EXPECT_EQ(raw.Query("SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4,5,6,7,8,9");
    EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_sequence WHERE name IN ('messages', 'queue_events')"), "0");
    EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%' AND name IN "
                        "('messages', 'queue_events')"),
              "0");
    EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('messages_by_case', "
                        "'queue_events_by_time')"),
              "2");
    EXPECT_EQ(raw.Query("PRAGMA foreign_key_check"), "");
    EXPECT_EQ(raw.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, ListCasesUsesAnIndexForItsOrder) {
    Open().reset();
    RawDb raw(Path());
    // No temporary b-tree: the order comes from an index, whatever filter is set.
    for (const char* where : {"", "WHERE state = 'new'", "WHERE state = 'closed' AND state <> 'new'",
                              "WHERE assignee = 0", "WHERE assignee = 7 AND assignee > 0"}) {
        const std::string plan = raw.Query(std::string("EXPLAIN QUERY PLAN SELECT id FROM cases ") + where +
                                           " ORDER BY updated_ms DESC, id DESC LIMIT 50");
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << where << ": " << plan;
        EXPECT_NE(plan.find("INDEX"), std::string::npos) << where << ": " << plan;
    }
    // One operator's cases come from the partial index, which leaves unassigned (new) cases out.
    const std::string mine = raw.Query(
        "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE assignee = 7 AND assignee > 0 "
        "ORDER BY updated_ms DESC, id DESC LIMIT 50");
    EXPECT_NE(mine.find("cases_by_assignee"), std::string::npos) << mine;
    EXPECT_EQ(raw.Query("SELECT partial FROM pragma_index_list('cases') WHERE name = 'cases_by_assignee'"), "1");
    // Any state but "new" comes from the partial index cases_by_state (migration 9), which
    // leaves new cases out; new ones are read along cases_by_updated, newest first.
    const std::string closed = raw.Query(
        "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE state = 'closed' AND state <> 'new' "
        "ORDER BY updated_ms DESC, id DESC LIMIT 50");
    EXPECT_NE(closed.find("cases_by_state"), std::string::npos) << closed;
    const std::string fresh = raw.Query(
        "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE state = ?1 ORDER BY updated_ms DESC, id DESC LIMIT 50");
    EXPECT_NE(fresh.find("cases_by_updated"), std::string::npos) << fresh;
    EXPECT_EQ(raw.Query("SELECT partial FROM pragma_index_list('cases') WHERE name = 'cases_by_state'"), "1");
    // cases_by_updated ascends: new cases go to its right end (read backwards for newest first).
    EXPECT_EQ(raw.Query("SELECT group_concat(desc) FROM pragma_index_xinfo('cases_by_updated') WHERE key"), "0,0");
}

TEST_F(SqliteStoreTest, AnApplicantsCasesAreFoundThroughThePartialIndexWhichLeavesWebCasesOut) {
    {
        auto store = Open();
        const ApplicantId applicant = store->FindOrInsertApplicant(Bytes{7, 7}, 10);
        for (std::int64_t id : {11, 12}) {
            CaseRecord c;
            c.id = CaseId{id};
            c.applicant = id == 11 ? applicant : ApplicantId{};  // 12: a web case, applicant 0
            c.state = "new";
            c.receipt_lookup = Bytes{static_cast<std::uint8_t>(id)};
            ASSERT_TRUE(store->InsertCase(c).ok());
        }
        ASSERT_EQ(store->CasesOfApplicant(applicant).size(), 1u);
        EXPECT_EQ(store->CasesOfApplicant(applicant)[0].id, CaseId{11});
    }
    RawDb raw(Path());
    // The production statement itself, its parameter unbound.
    const std::string plan = raw.Query("EXPLAIN QUERY PLAN " + std::string(kCasesOfApplicantSql));
    EXPECT_NE(plan.find("cases_by_applicant"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
    // A partial index: the web case (applicant 0) has no entry in it.
    EXPECT_EQ(raw.Query("SELECT partial FROM pragma_index_list('cases') WHERE name = 'cases_by_applicant'"), "1");
}

TEST_F(SqliteStoreTest, RefusesSchemaFromNewerBuild) {
    Open().reset();
    {
        RawDb raw(Path());
        raw.Exec("INSERT INTO schema_migrations (version, applied_ms) VALUES (9999, 0)");
    }
    try {
        Open();
        FAIL() << "opened a database from the future";
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInternal);
        EXPECT_NE(std::string(e.what()).find("9999"), std::string::npos);
    }
}

TEST_F(SqliteStoreTest, AFailedSyncFailsItsWritesAndEveryLaterOne) {
    SqliteOptions options;
    options.path = Path();
    std::atomic<int> syncs{0};
    std::atomic<int> fail_at{3};
    options.sync_wal = [&](int fd) { return ++syncs == fail_at.load() ? -1 : ::fdatasync(fd); };
    auto store = std::make_unique<SqliteStore>(options);
    store->PutMeta("a", Bytes{1});
    store->PutMeta("b", Bytes{2});
    EXPECT_FALSE(store->sync_failed());
    try {
        store->PutMeta("c", Bytes{3});
        ADD_FAILURE() << "a write whose sync failed was answered as written";
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
    // A later sync would succeed, but cannot vouch for the lost pages: writes stay refused.
    try {
        store->PutMeta("d", Bytes{4});
        ADD_FAILURE() << "a write after a failed sync was accepted";
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
    EXPECT_EQ(syncs.load(), 3);
    EXPECT_EQ(store->wal_syncs(), 2u);
    EXPECT_TRUE(store->sync_failed());
    EXPECT_EQ(store->GetMeta("a"), Bytes{1});  // reads go on
}

// Holds the store's first WAL sync until Release(): the writes queued meanwhile show what the
// writer does during a sync. Every sync then answers `result` (0, or -1 for a failing disk).
class FirstSyncGate {
public:
    std::function<int(int)> Hook(int result) {
        return [this, result](int fd) {
            if (++syncs_ == 1) released_.wait();
            return result == 0 ? ::fdatasync(fd) : result;
        };
    }
    void WaitUntilHeld() const {
        while (syncs_.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void Release() { release_.set_value(); }

private:
    std::atomic<int> syncs_{0};
    std::promise<void> release_;
    std::shared_future<void> released_ = release_.get_future().share();
};

/// A store at `path` whose WAL syncs pass through `gate`, each then answering `result`.
std::unique_ptr<SqliteStore> OpenGated(const std::string& path, FirstSyncGate& gate, int result) {
    SqliteOptions options;
    options.path = path;
    options.sync_wal = gate.Hook(result);
    return std::make_unique<SqliteStore>(options);
}

TEST_F(SqliteStoreTest, WritesRunDuringASyncThatFailsAreRolledBackNotCommitted) {
    // The first sync is held while ten more writes run in the writer's open transaction, then
    // fails: those ten are refused and must not reach the WAL either (a checkpoint would make
    // them permanent after their callers were told they failed).
    FirstSyncGate gate;
    auto store = OpenGated(Path(), gate, -1);
    std::atomic<int> refused{0};
    std::atomic<int> answered{0};
    auto answer = [&](std::exception_ptr failure) {
        if (failure) ++refused;
        ++answered;
    };
    store->SubmitQueueEvents({store::QueueEventRecord{}}, answer);
    gate.WaitUntilHeld();
    for (int i = 0; i < 10; ++i) store->SubmitQueueEvents({store::QueueEventRecord{}}, answer);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // they run meanwhile
    gate.Release();
    for (int i = 0; i < 10000 && answered.load() < 11; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(answered.load(), 11);
    EXPECT_EQ(refused.load(), 11);
    EXPECT_TRUE(store->sync_failed());
    // Only the first write was committed (before its sync failed); the ten were rolled back.
    EXPECT_EQ(store->ReadQueueEvents(1, 100).size(), 1u);
    store.reset();
    EXPECT_EQ(RawDb(Path()).Query("SELECT count(*) FROM queue_events"), "1");
}

CaseRecord WebCase(std::int64_t id, std::uint8_t receipt) {
    CaseRecord c;
    c.id = CaseId{id};
    c.state = "new";
    c.receipt_lookup = Bytes(32, receipt);
    return c;
}

IntakeWrite NewCaseWrite(CaseRecord c) {
    IntakeWrite write;
    write.case_id = c.id;
    write.new_case = std::move(c);
    return write;
}

TEST_F(SqliteStoreTest, ReceiptsFindTheirCasesWithoutAnIndexOnDiskAcrossReopens) {
    {
        auto store = Open();
        for (std::uint8_t i = 1; i <= 50; ++i) ASSERT_TRUE(store->InsertCase(WebCase(1000 + i, i)).ok());
        EXPECT_EQ(store->FindCaseByReceipt(Bytes(32, 7))->id, CaseId{1007});
        // A taken receipt is refused before the row is written, under another case id.
        EXPECT_EQ(store->InsertCase(WebCase(2000, 7)).code(), ErrorCode::kAlreadyExists);
        EXPECT_FALSE(store->FindCase(CaseId{2000}).has_value());
    }
    EXPECT_EQ(RawDb(Path()).Query("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%receipt_lookup%' AND "
                                  "type = 'index'"),
              "0");
    auto store = Open();  // the lookups come back from the cases table
    for (std::uint8_t i = 1; i <= 50; ++i) {
        auto found = store->FindCaseByReceipt(Bytes(32, i));
        ASSERT_TRUE(found.has_value()) << int{i};
        EXPECT_EQ(found->id, CaseId{1000 + i});
    }
    EXPECT_FALSE(store->FindCaseByReceipt(Bytes(32, 51)).has_value());
    EXPECT_FALSE(store->FindCaseByReceipt(Bytes(31, 7)).has_value());
    EXPECT_EQ(store->InsertCase(WebCase(2000, 7)).code(), ErrorCode::kAlreadyExists);
    EXPECT_TRUE(store->InsertCase(WebCase(2000, 51)).ok());
    EXPECT_EQ(store->FindCaseByReceipt(Bytes(32, 51))->id, CaseId{2000});
}

TEST_F(SqliteStoreTest, ACaseRolledBackAfterAFailedSyncIsNotFoundByItsReceipt) {
    // The case is inserted (and its receipt recorded in memory) in the writer's open transaction
    // while the first sync is held; the sync fails, so that transaction is rolled back. Its
    // receipt must find nothing, then or after a reopen, and may be used again.
    FirstSyncGate gate;
    auto store = OpenGated(Path(), gate, -1);
    std::promise<Result<MessageId>> first_answer;
    store->RecordIntakeAsync(NewCaseWrite(WebCase(1, 1)),
                             [&](Result<MessageId> r) { first_answer.set_value(std::move(r)); });
    gate.WaitUntilHeld();
    std::promise<Result<MessageId>> second_answer;
    store->RecordIntakeAsync(NewCaseWrite(WebCase(2, 2)),
                             [&](Result<MessageId> r) { second_answer.set_value(std::move(r)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // it runs meanwhile
    gate.Release();
    EXPECT_FALSE(first_answer.get_future().get().ok());
    EXPECT_FALSE(second_answer.get_future().get().ok());
    EXPECT_FALSE(store->FindCaseByReceipt(Bytes(32, 2)).has_value());
    store.reset();
    EXPECT_EQ(RawDb(Path()).Query("SELECT count(*) FROM cases WHERE id = 2"), "0");
    auto reopened = Open();
    EXPECT_FALSE(reopened->FindCaseByReceipt(Bytes(32, 2)).has_value());
    ASSERT_TRUE(reopened->InsertCase(WebCase(3, 2)).ok());
    EXPECT_EQ(reopened->FindCaseByReceipt(Bytes(32, 2))->id, CaseId{3});
}

TEST_F(SqliteStoreTest, WaitingForAWriteOnTheStoresOwnThreadFailsInsteadOfHanging) {
    auto store = Open();
    std::promise<std::string> outcome;
    store->SubmitQueueEvents({store::QueueEventRecord{}}, [&](std::exception_ptr) {
        // An answer runs on the store's thread: a blocking write from here could never finish.
        try {
            store->AppendQueueEvents({store::QueueEventRecord{}});
            outcome.set_value("returned");
        } catch (const LifelineError& e) {
            outcome.set_value(std::string(ErrorCodeName(e.code())));
        }
    });
    auto future = outcome.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(future.get(), ErrorCodeName(ErrorCode::kInternal));
}

TEST_F(SqliteStoreTest, WritesArrivingDuringASyncRunMeanwhileAndCommitInOneBatchAnsweredInOneDeferScope) {
    // The first sync is held until ten more writes are queued: they run meanwhile in the
    // writer's open transaction (which holds the write lock), are not committed in pieces behind
    // the sync but in one transaction after it, and their answers run in one DeferScope, so what
    // they defer runs once, after all ten.
    FirstSyncGate gate;
    auto store = OpenGated(Path(), gate, 0);
    const std::uint64_t batches_before = store->batches_committed();
    std::mutex mu;
    std::condition_variable cv;
    int answered = 0;
    std::vector<int> answered_when_deferred;  // `answered` each time the deferred action ran
    const int key = 0;
    auto answer = [&](std::exception_ptr failure) {
        EXPECT_FALSE(failure);
        {
            std::lock_guard lock(mu);
            ++answered;
        }
        DeferScope::Once(&key, [&] {
            std::lock_guard inner(mu);
            answered_when_deferred.push_back(answered);
            cv.notify_all();
        });
    };
    store->SubmitQueueEvents({store::QueueEventRecord{}}, answer);
    gate.WaitUntilHeld();
    for (int i = 0; i < 10; ++i) store->SubmitQueueEvents({store::QueueEventRecord{}}, answer);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // room for a wrong early commit
    // Readers see a commit before its sync: only the first write is committed so far.
    EXPECT_EQ(store->ReadQueueEvents(1, 100).size(), 1u);
    EXPECT_EQ(store->batches_committed() - batches_before, 0u);  // nothing answered yet
    {
        // Writes ran while the sync was held (at least eight of the ten: the writer is woken
        // for every eight): the writer holds the write lock of their open transaction (a
        // writer that waited for the sync would hold none).
        sqlite3* other = nullptr;
        ASSERT_EQ(sqlite3_open_v2(Path().c_str(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
        sqlite3_busy_timeout(other, 0);
        EXPECT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_BUSY);
        sqlite3_close_v2(other);
    }
    gate.Release();
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                                [&] { return answered == 11 && answered_when_deferred.size() == 2; }));
    }
    EXPECT_EQ(answered_when_deferred, (std::vector<int>{1, 11}));
    EXPECT_EQ(store->batches_committed() - batches_before, 2u);
    EXPECT_EQ(store->ReadQueueEvents(1, 100).size(), 11u);
}

TEST_F(SqliteStoreTest, GroupCommitBatchesConcurrentWrites) {
    auto store = Open();
    constexpr int kThreads = 64;
    constexpr int kEach = 20;
    const std::uint64_t batches_before = store->batches_committed();
    const std::uint64_t writes_before = store->writes_committed();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i)
                if (!store->InsertUser(User("u" + std::to_string(t) + "_" + std::to_string(i))).ok()) ++failures;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(store->ListUsers().size(), static_cast<std::size_t>(kThreads * kEach));
    const std::uint64_t writes = store->writes_committed() - writes_before;
    const std::uint64_t batches = store->batches_committed() - batches_before;
    EXPECT_EQ(writes, static_cast<std::uint64_t>(kThreads * kEach));
    EXPECT_LT(batches, writes);
    // "Far fewer": typically 20-30 batches for 1280 writes; a quarter leaves room for slow machines.
    EXPECT_LE(batches, writes / 4);
    RecordProperty("batches", static_cast<int>(batches));
    std::printf("group commit: %llu writes in %llu batches\n", static_cast<unsigned long long>(writes),
                static_cast<unsigned long long>(batches));
}

TEST_F(SqliteStoreTest, MaxBatchBoundsBatchSize) {
    auto store = Open(/*max_batch=*/1);
    const std::uint64_t before = store->batches_committed();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] { store->InsertKeyEpoch(Bytes{static_cast<std::uint8_t>(t)}, t); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(store->batches_committed() - before, 8u);
}

// Holds the writer inside a write until released, so that the writes queued meanwhile are
// known to land in one batch (the gate's own: they join its open transaction, since no sync is
// running). The gate's write may run again (a failing write in the batch makes the batch run
// again write by write); it waits only the first time.
class WriterGate {
public:
    explicit WriterGate(SqliteStore& store) : store_(store) {
        std::future<void> entered = entered_.get_future();
        blocker_ = std::async(std::launch::async, [this] {
            AuditChain chain{[this](const AuditRecord&) {
                                 if (!entered_once_.exchange(true)) {
                                     entered_.set_value();
                                     released_.wait();
                                 }
                                 return Bytes(32, 1);
                             },
                             [](std::int64_t, ByteView) { return Bytes(32, 2); }};
            store_.AppendAudit(AuditRecord{}, chain);
        });
        entered.wait();
    }
    ~WriterGate() {
        if (blocker_.valid()) Open();
    }
    WriterGate(const WriterGate&) = delete;
    WriterGate& operator=(const WriterGate&) = delete;

    void WaitForQueued(std::size_t n) {
        while (store_.queued_writes() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void Open() {
        release_.set_value();
        blocker_.get();
    }

private:
    SqliteStore& store_;
    std::atomic<bool> entered_once_{false};
    std::promise<void> entered_;
    std::promise<void> release_;
    std::shared_future<void> released_ = release_.get_future().share();
    std::future<void> blocker_;
};

TEST_F(SqliteStoreTest, FailingWriteDoesNotSinkItsBatch) {
    auto store = Open();
    ASSERT_TRUE(store->InsertUser(User("taken")).ok());
    const std::uint64_t batches_before = store->batches_committed();

    WriterGate gate(*store);
    // One batch: five good users, one name already taken, and one name taken within the batch.
    std::vector<std::string> names = {"a", "b", "taken", "c", "d", "dup", "dup", "e"};
    std::vector<std::future<Result<UserId>>> results;
    for (const auto& name : names)
        results.push_back(std::async(std::launch::async, [&, name] { return store->InsertUser(User(name)); }));
    gate.WaitForQueued(names.size());
    gate.Open();

    int ok = 0;
    int taken = 0;
    for (auto& r : results) {
        Result<UserId> result = r.get();
        if (result.ok()) ++ok;
        else if (result.code() == ErrorCode::kAlreadyExists) ++taken;
    }
    EXPECT_EQ(ok, 6);
    EXPECT_EQ(taken, 2);
    // All in the gate's batch, run again write by write once a write in it failed.
    EXPECT_EQ(store->batches_committed() - batches_before, 1u);
    for (const char* name : {"a", "b", "c", "d", "dup", "e", "taken"})
        EXPECT_TRUE(store->FindUserByName(name).has_value()) << name;
    EXPECT_EQ(store->ListUsers().size(), 7u);
}

TEST_F(SqliteStoreTest, ThrowingWriteIsRolledBackAloneInItsBatch) {
    auto store = Open();
    WriterGate gate(*store);
    auto good = std::async(std::launch::async, [&] { store->PutMeta("good", Bytes{1}); });
    auto bad = std::async(std::launch::async, [&] {
        AuditChain chain{[](const AuditRecord&) { return Bytes(32, 3); },
                         [](std::int64_t, ByteView) -> Bytes { throw LifelineError(ErrorCode::kInternal, "boom"); }};
        return store->AppendAudit(AuditRecord{}, chain);
    });
    gate.WaitForQueued(2);
    gate.Open();
    EXPECT_NO_THROW(good.get());
    EXPECT_THROW(bad.get(), LifelineError);
    EXPECT_EQ(store->GetMeta("good"), Bytes{1});
    EXPECT_EQ(store->ReadAudit(1, 10).size(), 1u);  // only the gate's own entry
}

TEST_F(SqliteStoreTest, BatchFailsWhenAnotherProcessHoldsTheWriteLock) {
    SqliteOptions options;
    options.path = Path();
    options.busy_timeout_ms = 50;
    SqliteStore store(options);
    {
        RawDb raw(Path());
        raw.Exec("BEGIN IMMEDIATE");
        try {
            store.PutMeta("k", Bytes{1});
            ADD_FAILURE() << "wrote through a held lock";
        } catch (const LifelineError& e) {
            EXPECT_EQ(e.code(), ErrorCode::kInternal);
        }
        raw.Exec("ROLLBACK");
    }
    store.PutMeta("k", Bytes{2});
    EXPECT_EQ(store.GetMeta("k"), Bytes{2});
}

TEST_F(SqliteStoreTest, WriteFromInsideAWriteFailsInsteadOfDeadlocking) {
    auto store = Open();
    AuditChain reentrant{[&](const AuditRecord&) {
                             store->PutMeta("x", Bytes{1});
                             return Bytes(32, 0);
                         },
                         [](std::int64_t, ByteView) { return Bytes{}; }};
    EXPECT_THROW(store->AppendAudit(AuditRecord{}, reentrant), LifelineError);
    EXPECT_TRUE(store->ReadAudit(1, 10).empty());
}

TEST_F(SqliteStoreTest, MessageForMissingCaseIsNotFound) {
    auto store = Open();
    MessageRecord m;
    m.case_id = CaseId{404};
    m.kind = "inbound";
    try {
        store->InsertMessage(m);
        FAIL() << "inserted a message for a missing case";
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    EXPECT_TRUE(store->MessagesOfCase(CaseId{404}).empty());
}

TEST_F(SqliteStoreTest, ReadsRunAlongsideWrites) {
    auto store = Open();
    std::atomic<bool> done{false};
    std::vector<std::thread> readers;
    std::atomic<std::size_t> max_seen{0};
    for (int r = 0; r < 4; ++r)
        readers.emplace_back([&] {
            while (!done.load()) {
                const std::size_t n = store->ListUsers().size();
                if (n > max_seen.load()) max_seen.store(n);
                (void)store->FindUserByName("w0");
            }
        });
    for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(store->InsertUser(User("w" + std::to_string(i))).ok());
        // Acknowledged means visible to every later read.
        EXPECT_TRUE(store->FindUserByName("w" + std::to_string(i)).has_value());
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_LE(max_seen.load(), 50u);
}

TEST_F(SqliteStoreTest, CheckpointsRunInTheBackgroundAndBoundTheWal) {
    SqliteOptions options;
    options.path = Path();
    options.wal_pages_limit = 8000;
    auto store = std::make_unique<SqliteStore>(options);
    EXPECT_EQ(store->checkpoints(), 0u);
    const ApplicantId applicant = store->FindOrInsertApplicant(Bytes{7, 7}, 10);
    CaseRecord c;
    c.id = CaseId{42};
    c.applicant = applicant;
    c.state = "new";
    ASSERT_TRUE(store->InsertCase(c).ok());
    // Each message takes four pages: well past the 4,000-page mark several times.
    const auto wal_pages = [&] { return std::filesystem::file_size(Path() + "-wal") / 4096; };
    std::uintmax_t largest = 0;
    for (int i = 0; i < 4000; ++i) {
        MessageRecord m;
        m.case_id = c.id;
        m.kind = "form";
        m.ciphertext = Bytes(16'000, static_cast<std::uint8_t>(i));
        store->InsertMessage(m);
        largest = std::max(largest, wal_pages());
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (store->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(store->checkpoints(), 1u);
    // Passes are paced by pages, not run for every commit past the first 4,000 pages: these
    // 4,000 commits (each waits for its own sync, so the thread keeps up with them) ran 1,100
    // passes before 2026-11-28, two disk flushes apiece.
    EXPECT_LT(store->checkpoints(), 300u) << store->checkpoints() << " passes";
    // Without checkpoints the WAL would hold every page written (about 16,000): it is reused
    // instead, and never grows past the limit by more than one pacing step (500 pages; a
    // frame is a page and a 24-byte header).
    EXPECT_LT(largest, 8'600u * 4120 / 4096);
    EXPECT_EQ(store->MessagesOfCase(c.id).size(), 4000u);
}

TEST_F(SqliteStoreTest, DataSurvivesCloseAndReopen) {
    CaseId case_id{123'456'789};
    MessageId message_id;
    AuditRecord appended;
    UserId user_id;
    KeyEpochId epoch;
    const Bytes session_hash(32, 9);
    {
        auto store = Open();
        user_id = store->InsertUser(User("keeper")).value();
        SessionRecord s;
        s.id_hash = session_hash;
        s.user = user_id;
        store->InsertSession(s);
        epoch = store->InsertKeyEpoch(Bytes{4, 0, 4}, 10);
        ApplicantId applicant = store->FindOrInsertApplicant(Bytes{7, 7}, 10);
        CaseRecord c;
        c.id = case_id;
        c.applicant = applicant;
        c.state = "new";
        c.key_epoch = epoch;
        c.receipt_lookup = Bytes{1, 2, 3};
        ASSERT_TRUE(store->InsertCase(c).ok());
        MessageRecord m;
        m.case_id = case_id;
        m.kind = "form";
        m.ciphertext = Bytes{0, 0, 1};
        message_id = store->InsertMessage(m);
        AuditChain chain{[](const AuditRecord&) { return Bytes(32, 5); },
                         [](std::int64_t, ByteView) { return Bytes{6}; }};
        appended = store->AppendAudit(AuditRecord{}, chain);
        store->PutMeta("team_public_key", Bytes{8, 0});
    }
    auto store = Open();
    EXPECT_EQ(store->FindUser(user_id)->username, "keeper");
    EXPECT_EQ(store->FindSession(session_hash)->user, user_id);
    EXPECT_EQ(store->FindKeyEpoch(epoch)->ephemeral_public_key, (Bytes{4, 0, 4}));
    const ApplicantId applicant = store->FindOrInsertApplicant(Bytes{7, 7}, 99);
    EXPECT_EQ(store->FindCase(case_id)->applicant, applicant);
    EXPECT_EQ(store->FindCaseByReceipt(Bytes{1, 2, 3})->id, case_id);
    ASSERT_EQ(store->MessagesOfCase(case_id).size(), 1u);
    EXPECT_EQ(store->MessagesOfCase(case_id)[0].id, message_id);
    EXPECT_EQ(store->MessagesOfCase(case_id)[0].ciphertext, (Bytes{0, 0, 1}));
    ASSERT_EQ(store->ReadAudit(1, 10).size(), 1u);
    EXPECT_EQ(store->ReadAudit(1, 10)[0].hash, appended.hash);
    EXPECT_EQ(store->GetMeta("team_public_key"), (Bytes{8, 0}));
    EXPECT_TRUE(store->GetMeta("audit_head").has_value());
    // Ids keep growing after a reopen.
    EXPECT_GT(store->InsertUser(User("next")).value(), user_id);
}

TEST_F(SqliteStoreTest, CaseWithoutReceiptStoresNull) {
    auto store = Open();
    CaseRecord c;
    c.id = CaseId{5};
    c.applicant = store->FindOrInsertApplicant(Bytes{1}, 1);
    c.state = "new";
    ASSERT_TRUE(store->InsertCase(c).ok());
    RawDb raw(Path());
    EXPECT_EQ(raw.Query("SELECT receipt_lookup IS NULL FROM cases WHERE id = 5"), "1");
    EXPECT_EQ(raw.Query("SELECT kind, channel FROM cases WHERE id = 5"), "surrender_application|web");
}

}  // namespace
}  // namespace lifeline::store
