#pragma once
/// The embedded SQLite backend: WAL, synchronous=FULL, numbered migrations, one writer thread
/// that commits queued writes in batches (group commit) and acknowledges each write only after
/// its batch is durable; reads use per-thread read connections.

#include <memory>
#include <string>

#include "store/store.hpp"

namespace lifeline::store {

struct SqliteOptions {
    /// Path of the database file (created if absent).
    std::string path;
    /// Most writes committed in one transaction.
    std::size_t max_batch = 256;
    /// busy_timeout for read connections, milliseconds.
    int busy_timeout_ms = 5000;
};

/// Opens (and migrates) the database. Throws LifelineError on failure.
std::unique_ptr<Store> OpenSqliteStore(const SqliteOptions& options);

}  // namespace lifeline::store
