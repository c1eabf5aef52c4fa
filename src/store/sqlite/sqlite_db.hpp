#pragma once
// A thin RAII layer over the SQLite C API, private to the SQLite backend: a connection with a cache
// of prepared statements, and a statement lease that resets itself when it goes out of scope.
// A Connection is used by one thread at a time (connections are opened with SQLITE_OPEN_NOMUTEX).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/bytes.hpp"
#include "core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace lifeline::store::sqlite {

/// A failed SQLite call: code kInternal, a message with the SQLite error text (never bound
/// values), and the extended result code so that callers can tell constraint violations apart.
class SqliteError : public LifelineError {
public:
    SqliteError(const std::string& message, int extended_code)
        : LifelineError(ErrorCode::kInternal, message), extended_code_(extended_code) {}
    int extended_code() const noexcept { return extended_code_; }
    /// A UNIQUE or PRIMARY KEY constraint failed.
    bool IsUniqueViolation() const noexcept;
    /// A FOREIGN KEY constraint failed.
    bool IsForeignKeyViolation() const noexcept;

private:
    int extended_code_;
};

class Connection;

/// A cached prepared statement borrowed from its Connection; resets and clears its bindings on
/// destruction so that no read transaction outlives the call. Parameters are 1-based, columns
/// 0-based, as in SQLite.
class Statement {
public:
    Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(connection), stmt_(stmt) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& Bind(int index, std::int64_t value);
    Statement& Bind(int index, std::string_view text);
    /// Binds a blob; an empty one is stored as a zero-length blob, not NULL.
    Statement& BindBlob(int index, ByteView blob);
    Statement& BindNull(int index);
    /// Bind and BindBlob without SQLite's copy of the bytes: for values that outlive this
    /// Statement (its destructor resets the statement and clears the bindings), such as the
    /// fields of a record being inserted by a statement run right there.
    Statement& BindUncopied(int index, std::string_view text);
    Statement& BindBlobUncopied(int index, ByteView blob);

    /// Advances: true when a row is available, false when done. Throws SqliteError.
    bool Step();
    /// Steps a statement that returns no rows (INSERT, UPDATE, DELETE) to completion.
    void Run();

    bool IsNull(int column) const;
    std::int64_t Int(int column) const;
    std::string Text(int column) const;
    Bytes Blob(int column) const;

private:
    Connection& connection_;
    sqlite3_stmt* stmt_;
};

class Connection {
public:
    /// Opens a connection (flags are sqlite3_open_v2 flags; NOMUTEX is added) and sets busy_timeout.
    /// `vfs` names the SQLite VFS; empty: the WAL-buffering VFS (wal_vfs.hpp) over the default.
    Connection(const std::string& path, int flags, int busy_timeout_ms, const std::string& vfs = {});
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* handle() const noexcept { return db_; }

    /// Runs SQL without parameters (may hold several statements). Throws SqliteError.
    void Exec(std::string_view sql);
    /// Returns the first column of the first row of a parameterless query as text ("" if none).
    std::string QueryText(std::string_view sql);
    /// The statement for this SQL, prepared once per connection and cached.
    Statement Prepare(std::string_view sql);

    std::int64_t LastInsertRowId() const noexcept;
    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    std::int64_t Changes() const noexcept;
    /// True when no transaction is open (SQLite rolls back by itself after some errors).
    bool InAutocommit() const noexcept;

    /// Throws SqliteError for the connection's current error; context says what was attempted.
    [[noreturn]] void Fail(std::string_view context) const;

private:
    // Transparent, so that looking a statement up by its SQL does not copy the SQL. It hashes the
    // length and the ends only (statements are hundreds of bytes and looked up for every use;
    // two that differ only in the middle share a bucket, and the comparison tells them apart).
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept {
            constexpr std::size_t kEnd = 48;
            if (sql.size() <= 2 * kEnd) return std::hash<std::string_view>{}(sql);
            const std::size_t head = std::hash<std::string_view>{}(sql.substr(0, kEnd));
            const std::size_t tail = std::hash<std::string_view>{}(sql.substr(sql.size() - kEnd));
            return head ^ (tail * 0x9E3779B97F4A7C15ULL) ^ sql.size();
        }
    };

    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
};

}  // namespace lifeline::store::sqlite
