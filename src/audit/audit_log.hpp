#pragma once
/// The append-only, hash-chained audit log: logins, user changes, every read of case content.
///
/// Each entry's hash is a keyed BLAKE2b (the audit key lives in the secrets file, outside the
/// database) over its seq, time, actor, action, target, detail and the previous entry's hash.
/// The newest seq and hash are kept in the store's meta under a MAC too, so a changed, removed,
/// reordered or truncated entry is found by Verify(), and someone holding only the database
/// cannot re-forge the chain.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"

namespace lifeline::audit {

struct VerifyReport {
    bool ok = true;
    std::int64_t entries = 0;          ///< entries checked
    std::int64_t first_bad_seq = 0;    ///< 0 when ok
    std::string reason;                ///< what is wrong with the first bad entry
};

class AuditLog {
public:
    AuditLog(store::Store& store, const crypto::SecretKey& audit_key, const Clock& clock);

    /// Appends an entry; returns it with seq and hash set. Target and detail carry ids only.
    store::AuditRecord Append(UserId actor, std::string action, std::string target, std::string detail = {});

    /// Entries from seq on, at most limit, in order.
    std::vector<store::AuditRecord> Read(std::int64_t from_seq, std::size_t limit) const {
        return store_.ReadAudit(from_seq, limit);
    }

    /// Walks the whole chain and the head; names the first bad entry.
    VerifyReport Verify() const;

    /// The chain functions handed to the store (exposed for tests).
    store::AuditChain Chain() const;

private:
    store::Store& store_;
    crypto::SecretKey key_;
    const Clock& clock_;
};

}  // namespace lifeline::audit
