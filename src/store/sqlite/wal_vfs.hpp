#pragma once
// A VFS that writes each commit's WAL frames to the file in one write.
//
// SQLite appends a WAL frame with two writes, its 24-byte header and then the page, so a commit
// of fifty pages costs a hundred pwrite calls (measured 3.4 µs a frame, against 1.2 µs when the
// frames of a commit go in one call). This VFS wraps SQLite's default one and, for WAL files
// only, gathers consecutive writes in memory and writes them out as one when the commit frame
// (the frame whose header carries the database size) has been written, before SQLite publishes
// the commit in the WAL index; a write failure there is returned to SQLite, which fails the
// commit as it would have without the buffer. Reads, syncs, size queries, truncation and closing
// of the WAL write out what is gathered first, and so does a barrier on the database's shared
// memory (which precedes every publication of a commit), as a second guard.

#include <cstdint>

namespace lifeline::store::sqlite {

/// The VFS's name, registered over SQLite's default VFS (not as the default) on the first
/// call; thread-safe. nullptr (use the default) if it could not be registered.
const char* WalBufferingVfs();

/// Registers the same VFS as `name` over the registered VFS called `base`, once per name (for
/// tests that put a VFS of their own underneath); returns `name`, or nullptr on failure.
const char* WalBufferingVfsOver(const char* name, const char* base);

/// Writes made to WAL files through the VFS since the process started (for tests).
std::uint64_t WalWritesIssued() noexcept;

}  // namespace lifeline::store::sqlite
