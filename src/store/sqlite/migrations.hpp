#pragma once
// The numbered schema migrations of the SQLite backend.

#include <cstdint>
#include <span>
#include <string_view>

namespace lifeline::store::sqlite {

class Connection;

struct Migration {
    std::int64_t version;
    std::string_view sql;
};

/// Every migration, in version order. Append only: a released migration is never edited.
std::span<const Migration> Migrations();

/// Applies, in order, each migration not yet recorded in schema_migrations, each in its own
/// transaction. Throws LifelineError when the database was migrated by a newer build.
void ApplyMigrations(Connection& db, std::int64_t now_ms);

}  // namespace lifeline::store::sqlite
