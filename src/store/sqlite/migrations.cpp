#include "store/sqlite/migrations.hpp"

#include <array>
#include <string>

#include "core/error.hpp"
#include "store/sqlite/sqlite_db.hpp"

namespace lifeline::store::sqlite {
namespace {

// Version 1: everything store.hpp speaks of. Enums are stored as their string names
// (core/domain.hpp). Blobs are NOT NULL and empty when unset, except cases.receipt_lookup, which
// is NULL when a case has no receipt so that the unique index skips it (the index went in
// version 7; the receipt lookups loaded at open still skip NULL).
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- AUTOINCREMENT: a user id is never reused, so "user:3" in the audit log always means one person.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL UNIQUE,
    role                 TEXT NOT NULL,
    disabled             INTEGER NOT NULL,
    public_key           BLOB NOT NULL,
    kdf_salt             BLOB NOT NULL,
    kdf_opslimit         INTEGER NOT NULL,
    kdf_memlimit         INTEGER NOT NULL,
    secret_by_password   BLOB NOT NULL,
    secret_by_recovery   BLOB NOT NULL,
    team_key_sealed      BLOB NOT NULL,
    totp_secret_sealed   BLOB NOT NULL,
    totp_enabled         INTEGER NOT NULL,
    totp_last_step       INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL,
    failed_logins        INTEGER NOT NULL,
    locked_until_ms      INTEGER NOT NULL,
    created_ms           INTEGER NOT NULL,
    updated_ms           INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    keys_sealed  BLOB NOT NULL,
    csrf_hash    BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Append-only by convention: the store never updates or deletes a row. No trigger enforces it;
-- the hash chain and the head MAC are what detect edits (and the audit tests make such edits).
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    actor     INTEGER NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);

CREATE TABLE key_epochs (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    ephemeral_public_key BLOB NOT NULL,
    created_ms           INTEGER NOT NULL
);

CREATE TABLE applicants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    pseudonym  BLOB NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
);

-- id is random and chosen by the caller (it does not reveal how many cases exist).
CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    applicant_id        INTEGER NOT NULL,
    kind                TEXT NOT NULL,
    state               TEXT NOT NULL,
    channel             TEXT NOT NULL,
    key_epoch           INTEGER NOT NULL,
    wrapped_key         BLOB NOT NULL,
    receipt_lookup      BLOB,
    receipt_wrapped_key BLOB NOT NULL,
    assignee            INTEGER NOT NULL,
    created_ms          INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL
);
CREATE UNIQUE INDEX cases_by_receipt ON cases (receipt_lookup) WHERE receipt_lookup IS NOT NULL;
CREATE INDEX cases_by_applicant ON cases (applicant_id, created_ms, id);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    author     INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE INDEX messages_by_case ON messages (case_id, id);
)sql";

// Version 2: case work. The workflow facts of a case in clear (codes only), its history, hand-offs
// to coordinators and attachments; indexes for the case list (newest activity first, filtered by
// state or assignee). Existing cases get the defaults of a fresh CaseRecord.
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE cases ADD COLUMN triage          TEXT    NOT NULL DEFAULT 'unset';
ALTER TABLE cases ADD COLUMN suspect         INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN closure_reason  TEXT    NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN inquiry_answer  TEXT    NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN language        TEXT    NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN last_inbound_ms INTEGER NOT NULL DEFAULT 0;

-- The case list: ORDER BY updated_ms DESC, id DESC, optionally filtered. id is the rowid, which
-- every index carries, so the filtered indexes also serve the order (scanned backwards).
CREATE INDEX cases_by_updated ON cases (updated_ms DESC, id DESC);
CREATE INDEX cases_by_state ON cases (state, updated_ms);
CREATE INDEX cases_by_assignee ON cases (assignee, updated_ms);

CREATE TABLE case_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    at_ms         INTEGER NOT NULL,
    actor         INTEGER NOT NULL,
    type          TEXT NOT NULL,
    from_value    TEXT NOT NULL,
    to_value      TEXT NOT NULL,
    reason_sealed BLOB NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

CREATE TABLE handoffs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    coordinator    INTEGER NOT NULL,
    created_by     INTEGER NOT NULL,
    created_ms     INTEGER NOT NULL,
    payload_sealed BLOB NOT NULL,
    outcome        TEXT NOT NULL DEFAULT '',
    outcome_ms     INTEGER NOT NULL DEFAULT 0,
    outcome_sealed BLOB NOT NULL DEFAULT x''
);
CREATE INDEX handoffs_by_case ON handoffs (case_id, id);
CREATE INDEX handoffs_by_coordinator ON handoffs (coordinator, created_ms, id);

-- message_id 0 = none, hence no foreign key on it.
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    message_id INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id, id);
)sql";

// The contact queue's log: ids, codes and times only. No foreign keys: case_id is 0 for a
// contact without a case, and the log outlives whatever it names.
constexpr std::string_view kMigration3 = R"sql(
CREATE TABLE queue_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms          INTEGER NOT NULL,
    type           TEXT NOT NULL,
    entry_id       INTEGER NOT NULL,
    operator_id    INTEGER NOT NULL,
    to_operator_id INTEGER NOT NULL,
    case_id        INTEGER NOT NULL,
    channel        TEXT NOT NULL,
    language       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    priority       INTEGER NOT NULL,
    owner_id       INTEGER NOT NULL,
    media          TEXT NOT NULL,
    enter_ms       INTEGER NOT NULL,
    wait_ms        INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL,
    callback       INTEGER NOT NULL,
    withdrawn      INTEGER NOT NULL,
    segment        INTEGER NOT NULL
);
CREATE INDEX queue_events_by_time ON queue_events (at_ms);
)sql";

// Version 4: the operators' queue skills (store::UserSkills), as comma-separated codes in clear
// ("en,uk"; "relative_inquiry"). Empty means every language (kind), which existing users get.
constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE users ADD COLUMN skill_languages TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN skill_kinds     TEXT NOT NULL DEFAULT '';
)sql";

// Version 5: web applicants have no applicants row (their cases name applicant 0, and their
// receipt finds their case), so the index that finds an applicant's cases leaves them out: one
// B-tree insert less per web application. Queries must say applicant_id > 0 to use it.
constexpr std::string_view kMigration5 = R"sql(
DROP INDEX cases_by_applicant;
CREATE INDEX cases_by_applicant ON cases (applicant_id, created_ms, id) WHERE applicant_id > 0;
)sql";

// Version 6: two of the case list's indexes cost less per new case. cases_by_updated ascends
// (SQLite reads it backwards for the newest first): a new case is appended at its right end,
// where a full page is split cheaply and left full, instead of inserted at the left end, which
// left every page half empty. cases_by_assignee leaves out unassigned cases, as every new case
// is (queries for one operator's cases say assignee > 0 to use it; unassigned ones are found in
// cases_by_updated or cases_by_state order).
constexpr std::string_view kMigration6 = R"sql(
DROP INDEX cases_by_updated;
CREATE INDEX cases_by_updated ON cases (updated_ms, id);
DROP INDEX cases_by_assignee;
CREATE INDEX cases_by_assignee ON cases (assignee, updated_ms) WHERE assignee > 0;
)sql";

// Version 7: the receipt index leaves the database. Its keys are random, so each new case wrote
// one more random page to the WAL and every checkpoint copied it back; the store keeps the
// lookups in memory instead (receipt_index.hpp), filled from this table when it opens.
constexpr std::string_view kMigration7 = R"sql(
DROP INDEX cases_by_receipt;
)sql";

// Version 8: messages and queue_events lose AUTOINCREMENT. With it, every insert read and
// rewrote the table's row in sqlite_sequence (about a twentieth of an application's
// instructions, and one more page in every commit). Without it a new row's id is one more than
// the largest, which is the same thing as long as no row of these tables is ever deleted, and
// none is (messages stay with their case; the queue's log is kept whole). The tables are
// rebuilt with the same columns, rows and ids; their indexes are made again.
constexpr std::string_view kMigration8 = R"sql(
CREATE TABLE messages_v8 (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    author     INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
INSERT INTO messages_v8 (id, case_id, kind, channel, author, created_ms, ciphertext)
    SELECT id, case_id, kind, channel, author, created_ms, ciphertext FROM messages ORDER BY id;
DROP TABLE messages;
ALTER TABLE messages_v8 RENAME TO messages;
CREATE INDEX messages_by_case ON messages (case_id, id);

CREATE TABLE queue_events_v8 (
    id             INTEGER PRIMARY KEY,
    at_ms          INTEGER NOT NULL,
    type           TEXT NOT NULL,
    entry_id       INTEGER NOT NULL,
    operator_id    INTEGER NOT NULL,
    to_operator_id INTEGER NOT NULL,
    case_id        INTEGER NOT NULL,
    channel        TEXT NOT NULL,
    language       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    priority       INTEGER NOT NULL,
    owner_id       INTEGER NOT NULL,
    media          TEXT NOT NULL,
    enter_ms       INTEGER NOT NULL,
    wait_ms        INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL,
    callback       INTEGER NOT NULL,
    withdrawn      INTEGER NOT NULL,
    segment        INTEGER NOT NULL
);
INSERT INTO queue_events_v8 (id, at_ms, type, entry_id, operator_id, to_operator_id, case_id, channel, language,
                             kind, priority, owner_id, media, enter_ms, wait_ms, duration_ms, callback, withdrawn,
                             segment)
    SELECT id, at_ms, type, entry_id, operator_id, to_operator_id, case_id, channel, language, kind, priority,
           owner_id, media, enter_ms, wait_ms, duration_ms, callback, withdrawn, segment
    FROM queue_events ORDER BY id;
DROP TABLE queue_events;
ALTER TABLE queue_events_v8 RENAME TO queue_events;
CREATE INDEX queue_events_by_time ON queue_events (at_ms);
)sql";

// Version 9: cases_by_state leaves out new cases, as cases_by_assignee leaves out unassigned
// ones: every case starts "new", so each new case cost one more B-tree insert (and a WAL page in
// each commit) for an entry that the case list never needed. New cases are the newest: the list
// of them is read along cases_by_updated, newest first, and stops at its page. A case enters
// this index when it leaves "new". Queries for another state say state <> 'new' to use it.
constexpr std::string_view kMigration9 = R"sql(
DROP INDEX cases_by_state;
CREATE INDEX cases_by_state ON cases (state, updated_ms) WHERE state <> 'new';
)sql";

constexpr std::array<Migration, 9> kMigrations{{
    {1, kMigration1},
    {2, kMigration2},
    {3, kMigration3},
    {4, kMigration4},
    {5, kMigration5},
    {6, kMigration6},
    {7, kMigration7},
    {8, kMigration8},
    {9, kMigration9},
}};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)";
constexpr std::string_view kMaxVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr std::string_view kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = ?1";
constexpr std::string_view kRecordApplied = "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)";

std::int64_t MaxVersion(Connection& db) {
    Statement stmt = db.Prepare(kMaxVersion);
    return stmt.Step() ? stmt.Int(0) : 0;
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

void ApplyMigrations(Connection& db, std::int64_t now_ms) {
    db.Exec(kCreateMigrationsTable);
    const std::int64_t known = kMigrations.back().version;
    if (const std::int64_t found = MaxVersion(db); found > known)
        throw LifelineError(ErrorCode::kInternal, "sqlite: the database schema is version " + std::to_string(found) +
                                                      ", newer than this build knows (" + std::to_string(known) + ")");
    for (const Migration& migration : kMigrations) {
        // BEGIN IMMEDIATE takes the write lock before the check, so two processes opening the same
        // new file cannot both apply a migration.
        db.Exec("BEGIN IMMEDIATE");
        try {
            bool applied = false;
            {
                Statement check = db.Prepare(kIsApplied);
                check.Bind(1, migration.version);
                applied = check.Step();
            }
            if (!applied) {
                db.Exec(migration.sql);
                Statement record = db.Prepare(kRecordApplied);
                record.Bind(1, migration.version).Bind(2, now_ms).Run();
            }
            db.Exec("COMMIT");
        } catch (...) {
            if (!db.InAutocommit()) {
                try {
                    db.Exec("ROLLBACK");
                } catch (const LifelineError&) {
                    // The original failure is the one worth reporting.
                }
            }
            throw;
        }
    }
}

}  // namespace lifeline::store::sqlite
