#pragma once
// A VFS that writes each commit's WAL frames to the file in one write.
//
// SQLite appends a WAL frame with two writes, its 24-byte header and then the page, so a commit
// of fifty pages costs a hundred pwrite calls (measured 3.4 µs a frame, against 1.2 µs when the
// frames of a commit go in one call). This VFS wraps SQLite's default one and, for a WAL file
// paired with its connection's main database file, gathers consecutive writes in memory and
// writes them out as one when the commit frame (the frame whose header carries the database
// size) has been written: inside SQLite's write of it, so that a failure fails the commit as it
// would have without the buffer, and before SQLite publishes the commit in the WAL index. A
// commit header written over an earlier frame (SQLite rewriting checksums, or writing again after
// a savepoint rolled back) is written out at once. Reads, syncs, size queries, truncation and
// closing of the WAL write out what is gathered first; the connection's barrier on the shared
// memory (the step right before a commit is published) does too, as a guard that stops the
// process if that late write fails; and releasing the write lock drops what is left (frames of
// a rolled-back transaction), so it cannot land later over another writer's. A failed write
// sticks to its file: every later write on the connection fails until it is reopened.

#include <cstdint>

struct sqlite3;

namespace lifeline::store::sqlite {

/// The VFS's name, registered over SQLite's default VFS (not as the default) on the first
/// call; thread-safe. nullptr (use the default) if it could not be registered.
const char* WalBufferingVfs();

/// Registers the same VFS as `name` over the registered VFS called `base`, once per name (for
/// tests that put a VFS of their own underneath); returns `name`, or nullptr on failure.
const char* WalBufferingVfsOver(const char* name, const char* base);

/// Writes made to WAL files through the VFS since the process started (for tests).
std::uint64_t WalWritesIssued() noexcept;

/// True when a write to the WAL of this connection (opened through the VFS) has failed: its
/// writes fail from then on. Call on the connection's own thread.
bool WalWriteFailed(sqlite3* db) noexcept;

}  // namespace lifeline::store::sqlite
