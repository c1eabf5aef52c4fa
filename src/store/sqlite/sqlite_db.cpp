#include "store/sqlite/sqlite_db.hpp"

#include <mutex>

#include <sqlite3.h>

#include <limits>

#include "store/sqlite/wal_vfs.hpp"

namespace lifeline::store::sqlite {
namespace {

// Error messages name the statement by its SQL text, which holds only placeholders; bound values
// (sqlite3_expanded_sql) never appear. Long statements are cut to keep log lines readable.
std::string DescribeSql(std::string_view sql) {
    constexpr std::size_t kMaxSql = 80;
    std::string out(sql.substr(0, kMaxSql));
    for (char& c : out)
        if (c == '\n' || c == '\t') c = ' ';
    if (sql.size() > kMaxSql) out += "...";
    return out;
}

int CheckedInt(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw LifelineError(ErrorCode::kInvalidArgument, "value too large for the store");
    return static_cast<int>(n);
}

}  // namespace

bool SqliteError::IsUniqueViolation() const noexcept {
    return extended_code_ == SQLITE_CONSTRAINT_UNIQUE || extended_code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool SqliteError::IsForeignKeyViolation() const noexcept { return extended_code_ == SQLITE_CONSTRAINT_FOREIGNKEY; }

// ---- Statement ----

Statement::~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

namespace {
// `copy`: SQLITE_TRANSIENT (SQLite copies the bytes) or SQLITE_STATIC (they outlive the binding).
int BindTextAs(sqlite3_stmt* stmt, int index, std::string_view text, sqlite3_destructor_type copy) {
    // A null data pointer would bind NULL; "" keeps an empty string an empty string.
    const char* data = text.empty() ? "" : text.data();
    return sqlite3_bind_text(stmt, index, data, CheckedInt(text.size()), copy);
}
int BindBlobAs(sqlite3_stmt* stmt, int index, ByteView blob, sqlite3_destructor_type copy) {
    // sqlite3_bind_blob with a null pointer binds NULL, and an empty vector may have one.
    return blob.empty() ? sqlite3_bind_zeroblob(stmt, index, 0)
                        : sqlite3_bind_blob(stmt, index, blob.data(), CheckedInt(blob.size()), copy);
}
}  // namespace

Statement& Statement::Bind(int index, std::string_view text) {
    if (BindTextAs(stmt_, index, text, SQLITE_TRANSIENT) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

Statement& Statement::BindBlob(int index, ByteView blob) {
    if (BindBlobAs(stmt_, index, blob, SQLITE_TRANSIENT) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

Statement& Statement::BindUncopied(int index, std::string_view text) {
    if (BindTextAs(stmt_, index, text, SQLITE_STATIC) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

Statement& Statement::BindBlobUncopied(int index, ByteView blob) {
    if (BindBlobAs(stmt_, index, blob, SQLITE_STATIC) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

Statement& Statement::BindNull(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) connection_.Fail("bind");
    return *this;
}

bool Statement::Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.Fail(DescribeSql(sqlite3_sql(stmt_)));
}

void Statement::Run() {
    while (Step()) {
    }
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

Bytes Statement::Blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return {};
    return Bytes(data, data + size);
}

// ---- Connection ----

Connection::Connection(const std::string& path, int flags, int busy_timeout_ms, const std::string& vfs) {
    // Before SQLite initialises (the first open): no memory statistics, whose upkeep takes a
    // process-wide mutex on every allocation SQLite makes. Too late if something else opened a
    // database first; SQLite then just refuses the setting.
    static std::once_flag configured;
    std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    // By default through the WAL-buffering VFS (wal_vfs.hpp): the writer's commits reach the WAL
    // in one write each, and every connection's barrier guards their publication.
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX,
                                   vfs.empty() ? WalBufferingVfs() : vfs.c_str());
    if (rc != SQLITE_OK) {
        // The path is configuration, not personal data, so it may appear in the message.
        std::string message = "sqlite: cannot open " + path + ": " +
                              (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        const int code = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw SqliteError(message, code);
    }
    sqlite3_extended_result_codes(db_, 1);
    if (sqlite3_busy_timeout(db_, busy_timeout_ms) != SQLITE_OK) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw SqliteError("sqlite: cannot set busy_timeout", SQLITE_ERROR);
    }
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void Connection::Exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);  // the same text is still available from sqlite3_errmsg
    if (rc != SQLITE_OK) Fail(DescribeSql(sql));
}

std::string Connection::QueryText(std::string_view sql) {
    Statement stmt = Prepare(sql);
    return stmt.Step() ? stmt.Text(0) : std::string();
}

Statement Connection::Prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, sql.data(), CheckedInt(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                               nullptr) != SQLITE_OK)
            Fail("prepare " + DescribeSql(sql));
        it = statements_.emplace(std::string(sql), stmt).first;
    }
    return Statement(*this, it->second);
}

std::int64_t Connection::LastInsertRowId() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::Changes() const noexcept { return sqlite3_changes64(db_); }

bool Connection::InAutocommit() const noexcept { return sqlite3_get_autocommit(db_) != 0; }

void Connection::Fail(std::string_view context) const {
    throw SqliteError("sqlite: " + std::string(sqlite3_errmsg(db_)) + " (" + std::string(context) + ")",
                      sqlite3_extended_errcode(db_));
}

}  // namespace lifeline::store::sqlite
