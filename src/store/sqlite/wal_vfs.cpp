#include "store/sqlite/wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/bytes.hpp"

namespace lifeline::store::sqlite {
namespace {

constexpr const char* kVfsName = "lifeline-wal-buffer";
// A commit larger than this is written in pieces of at most this size: the unix VFS writes at
// most 128 KiB - 1 bytes in one call (it masks the length with 0x1ffff) and reports a longer
// write as a full disk.
constexpr std::size_t kBufferLimit = 0x1ffff;
// The WAL's frame header (file format, section 4.1): page number, then the database size in
// pages after the commit for a commit frame and zero for every other frame, then salts and
// checksums. SQLite writes a frame as this header and then the page, in two writes.
constexpr int kFrameHeaderBytes = 24;

std::atomic<std::uint64_t> g_wal_writes{0};

/// A registered instance: SQLite hands xOpen the sqlite3_vfs, the first member.
struct Wrapped {
    sqlite3_vfs vfs;
    sqlite3_vfs* base;  // the VFS this one wraps
};

/// What this VFS keeps for an open file; the wrapped file lives in SQLite's allocation. A file
/// is used only by its connection, one thread at a time (the store's connections are NOMUTEX
/// and each belongs to one thread at a time), so none of this needs a lock.
struct State {
    sqlite3_file* real = nullptr;
    bool wal = false;
    /// The same connection's other file: the main database for a WAL file, and the WAL (once
    /// open) for a main database. Set and cleared under g_peers_mu at open and close.
    State* peer = nullptr;
    const char* name = nullptr;          // a main database's name as SQLite passed it (pairing key)
    std::vector<char> buffer;            // consecutive WAL writes not yet written
    sqlite3_int64 buffer_offset = 0;
    sqlite3_int64 end = 0;               // the end of the furthest write since the WAL's header
    sqlite3_int64 commit_page_at = -1;   // where the commit frame's page goes, once its header is seen
    int failed = SQLITE_OK;              // the first failed write's code: every later write fails too

    /// Writes out what is gathered. A failure goes to the SQLite call that asked and sticks:
    /// frames gathered for a transaction were lost, so no later write of this file may succeed
    /// (and let a commit publish them). The connection's writes fail until it is reopened.
    int Flush() {
        if (buffer.empty()) return failed;
        if (failed == SQLITE_OK) {
            failed = real->pMethods->xWrite(real, buffer.data(), static_cast<int>(buffer.size()), buffer_offset);
            g_wal_writes.fetch_add(1, std::memory_order_relaxed);
        }
        buffer.clear();
        return failed;
    }
    /// A write that bypasses the buffer (with nothing gathered).
    int WriteThrough(const void* data, int amount, sqlite3_int64 offset) {
        if (failed != SQLITE_OK) return failed;
        failed = real->pMethods->xWrite(real, data, amount, offset);
        g_wal_writes.fetch_add(1, std::memory_order_relaxed);
        return failed;
    }
};

// Pairs a WAL file with its connection's main database file: SQLite derives the WAL's name from
// the database's in the same allocation, so sqlite3_filename_database(wal name) is the very
// pointer the database was opened with.
std::mutex g_peers_mu;
std::unordered_map<const char*, State*> g_main_databases;  // by the name pointer SQLite passed

/// SQLite's view of a file: the standard-layout head it allocates, with the wrapped file after it.
struct Handle {
    sqlite3_file base;
    State* state;
};
constexpr std::size_t kHandleBytes = (sizeof(Handle) + 15) / 16 * 16;

State& StateOf(sqlite3_file* file) { return *reinterpret_cast<Handle*>(file)->state; }
sqlite3_file* Real(sqlite3_file* file) { return StateOf(file).real; }

int FlushIfWal(State& s) { return s.wal ? s.Flush() : SQLITE_OK; }

void Unpair(State* s) noexcept {
    try {
        std::lock_guard lock(g_peers_mu);
        if (s->peer != nullptr) s->peer->peer = nullptr;
        s->peer = nullptr;
        if (!s->wal && s->name != nullptr) {
            if (auto it = g_main_databases.find(s->name); it != g_main_databases.end() && it->second == s)
                g_main_databases.erase(it);
        }
    } catch (...) {
        std::abort();  // a mutex that cannot be locked: a pointer to freed memory would remain
    }
}

int Close(sqlite3_file* file) {
    auto* handle = reinterpret_cast<Handle*>(file);
    State* s = handle->state;
    const int rc = FlushIfWal(*s);
    Unpair(s);
    const int closed = s->real->pMethods->xClose(s->real);
    delete s;
    handle->state = nullptr;
    return rc != SQLITE_OK ? rc : closed;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    return s.real->pMethods->xRead(s.real, out, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    State& s = StateOf(file);
    if (!s.wal) return s.real->pMethods->xWrite(s.real, data, amount, offset);
    if (s.failed != SQLITE_OK) return s.failed;
    const sqlite3_int64 commit_page_at = std::exchange(s.commit_page_at, -1);
    if (offset == 0) s.end = 0;  // the WAL's header: a new round of frames starts after it
    const bool rewrite = offset + amount < s.end;  // over a frame written before
    s.end = std::max(s.end, offset + amount);
    const auto size = static_cast<std::size_t>(amount);
    const bool follows = !s.buffer.empty() && offset == s.buffer_offset + static_cast<sqlite3_int64>(s.buffer.size());
    if (!follows || s.buffer.size() + size > kBufferLimit) {
        if (const int rc = s.Flush(); rc != SQLITE_OK) return rc;
        if (size >= kBufferLimit) return s.WriteThrough(data, amount, offset);
        s.buffer_offset = offset;
    }
    try {
        if (s.buffer.capacity() == 0) s.buffer.reserve(kBufferLimit);
        const auto* bytes = static_cast<const char*>(data);
        s.buffer.insert(s.buffer.end(), bytes, bytes + size);
    } catch (const std::bad_alloc&) {
        if (const int rc = s.Flush(); rc != SQLITE_OK) return rc;
        return s.WriteThrough(data, amount, offset);
    }
    if (offset == commit_page_at) return s.Flush();  // the commit frame is complete: out it goes
    if (amount == kFrameHeaderBytes && ReadBigEndian32(ByteView(static_cast<const std::uint8_t*>(data), kFrameHeaderBytes), 4) != 0) {
        // A commit frame's header: its page comes next, unless SQLite is rewriting the
        // checksums of frames it wrote before (over them, with nothing after the last header).
        // Over an earlier frame it may be either (a savepoint rolled back also writes there
        // again), so it is written out now, and the page, if one comes, when it does.
        s.commit_page_at = offset + kFrameHeaderBytes;
        if (rewrite) return s.Flush();
    }
    return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    return s.real->pMethods->xTruncate(s.real, size);
}

int Sync(sqlite3_file* file, int flags) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    return s.real->pMethods->xSync(s.real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    return s.real->pMethods->xFileSize(s.real, size);
}

int Lock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
int Unlock(sqlite3_file* file, int level) { return Real(file)->pMethods->xUnlock(Real(file), level); }
int CheckReservedLock(sqlite3_file* file, int* out) {
    return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    const int rc = s.real->pMethods->xFileControl(s.real, op, arg);
    if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {
        // Says which VFS stack serves the file, as SQLite's own shims do (%z frees the old name).
        char** name = static_cast<char**>(arg);
        *name = sqlite3_mprintf("%s/%z", kVfsName, *name);
        if (*name == nullptr) return SQLITE_NOMEM;
    }
    return rc;
}

int SectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
int DeviceCharacteristics(sqlite3_file* file) {
    return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}

int ShmMap(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
    return Real(file)->pMethods->xShmMap(Real(file), page, page_size, extend, out);
}
// The WAL index's write lock is lock 0 (wal.c's WAL_WRITE_LOCK).
constexpr int kWalWriteLock = 0;

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
    State& s = StateOf(file);
    if (s.peer != nullptr && offset <= kWalWriteLock && kWalWriteLock < offset + n &&
        flags == (SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE)) {
        // The connection gives up the write lock: what is still gathered belongs to no commit
        // (a committed transaction was written out at its commit frame or the barrier before
        // its publication), so it is a rolled-back transaction's frames. Dropped here, they
        // cannot land later over frames another writer commits at the same offsets.
        s.peer->buffer.clear();
        s.peer->commit_page_at = -1;
    }
    return s.real->pMethods->xShmLock(s.real, offset, n, flags);
}

void ShmBarrier(sqlite3_file* file) {
    // SQLite publishes a commit in the WAL index right after a barrier: nothing of this
    // connection's WAL may still be gathered then. The commit frame has normally written it all
    // out already (see Write); this is the guard for a pattern not recognised there. A barrier
    // cannot report a failure, and a published frame that is not in the file would be read as
    // whatever was there before, so a failure here stops the process: nothing unsynced was
    // acknowledged, and at the next start SQLite recovers every commit whose frames reached the
    // file. Only the connection's own WAL is written, on its own thread.
    State& s = StateOf(file);
    if (State* wal = s.peer; wal != nullptr && !wal->buffer.empty() && wal->Flush() != SQLITE_OK) {
        std::fputs("lifeline: a WAL write failed as a commit was being published; stopping\n", stderr);
        std::abort();
    }
    s.real->pMethods->xShmBarrier(s.real);
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
    return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    State& s = StateOf(file);
    if (const int rc = FlushIfWal(s); rc != SQLITE_OK) return rc;
    return s.real->pMethods->xFetch(s.real, offset, amount, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
    return Real(file)->pMethods->xUnfetch(Real(file), offset, p);
}

// One table per version of the wrapped file's methods: SQLite reads what a file can do (shared
// memory for WAL, memory mapping) from the version, so it must not claim more than the real one.
constexpr sqlite3_io_methods MethodsOfVersion(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = Close;
    m.xRead = Read;
    m.xWrite = Write;
    m.xTruncate = Truncate;
    m.xSync = Sync;
    m.xFileSize = FileSize;
    m.xLock = Lock;
    m.xUnlock = Unlock;
    m.xCheckReservedLock = CheckReservedLock;
    m.xFileControl = FileControl;
    m.xSectorSize = SectorSize;
    m.xDeviceCharacteristics = DeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = ShmMap;
        m.xShmLock = ShmLock;
        m.xShmBarrier = ShmBarrier;
        m.xShmUnmap = ShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = Fetch;
        m.xUnfetch = Unfetch;
    }
    return m;
}
constexpr sqlite3_io_methods kMethods[] = {MethodsOfVersion(1), MethodsOfVersion(2), MethodsOfVersion(3)};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    sqlite3_vfs* const base = reinterpret_cast<Wrapped*>(vfs)->base;
    auto* handle = reinterpret_cast<Handle*>(file);
    handle->base.pMethods = nullptr;  // SQLite calls xClose only on a file whose open succeeded
    handle->state = nullptr;
    auto* state = new (std::nothrow) State;
    if (state == nullptr) return SQLITE_NOMEM;
    state->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kHandleBytes);
    state->real->pMethods = nullptr;
    const int rc = base->xOpen(base, name, state->real, flags, out_flags);
    if (rc != SQLITE_OK || state->real->pMethods == nullptr) {
        if (state->real->pMethods != nullptr) state->real->pMethods->xClose(state->real);
        delete state;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    // Only a WAL that can be paired with its connection's database is buffered: the database's
    // barrier is what guards the publication of its commits.
    try {
        std::lock_guard lock(g_peers_mu);
        if ((flags & SQLITE_OPEN_MAIN_DB) != 0 && name != nullptr) {
            state->name = name;
            g_main_databases[name] = state;
        } else if ((flags & SQLITE_OPEN_WAL) != 0 && name != nullptr) {
            if (auto it = g_main_databases.find(sqlite3_filename_database(name));
                it != g_main_databases.end() && it->second->peer == nullptr) {
                state->wal = true;
                state->peer = it->second;
                it->second->peer = state;
            }
        }
    } catch (...) {
        state->real->pMethods->xClose(state->real);
        delete state;
        return SQLITE_NOMEM;
    }
    const int version = std::clamp(state->real->pMethods->iVersion, 1, 3);
    handle->state = state;
    handle->base.pMethods = &kMethods[version - 1];
    return SQLITE_OK;
}

/// Registers a buffering VFS called `name` over `base` (not as the default); false on failure.
bool Register(Wrapped& wrapped, const char* name, sqlite3_vfs* base) {
    if (base == nullptr) return false;
    // Everything but opening a file is the base VFS's own (the copy keeps its app data, which
    // its functions read through the sqlite3_vfs they are given).
    wrapped.vfs = *base;
    wrapped.vfs.pNext = nullptr;
    wrapped.vfs.zName = name;
    wrapped.vfs.szOsFile = static_cast<int>(kHandleBytes) + base->szOsFile;
    wrapped.vfs.xOpen = Open;
    wrapped.base = base;
    return sqlite3_vfs_register(&wrapped.vfs, 0) == SQLITE_OK;
}

}  // namespace

const char* WalBufferingVfs() {
    static Wrapped wrapped{};
    static const bool registered = Register(wrapped, kVfsName, sqlite3_vfs_find(nullptr));
    // Without it (SQLite could not say what its default VFS is), connections use the default.
    return registered ? kVfsName : nullptr;
}

const char* WalBufferingVfsOver(const char* name, const char* base) {
    // Instances live as long as the process, as SQLite's registered VFSes must.
    static std::mutex mu;
    static std::vector<std::unique_ptr<Wrapped>> instances;
    std::lock_guard lock(mu);
    if (sqlite3_vfs_find(name) != nullptr) return name;
    instances.push_back(std::make_unique<Wrapped>());
    if (!Register(*instances.back(), name, sqlite3_vfs_find(base))) {
        instances.pop_back();
        return nullptr;
    }
    return name;
}

std::uint64_t WalWritesIssued() noexcept { return g_wal_writes.load(std::memory_order_relaxed); }

bool WalWriteFailed(sqlite3* db) noexcept {
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == nullptr)
        return false;
    const sqlite3_io_methods* methods = file->pMethods;
    if (methods != &kMethods[0] && methods != &kMethods[1] && methods != &kMethods[2]) return false;
    const State* wal = StateOf(file).peer;
    return wal != nullptr && wal->failed != SQLITE_OK;
}

}  // namespace lifeline::store::sqlite
