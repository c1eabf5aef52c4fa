#include "audit/audit_log.hpp"

#include <fmt/format.h>
#include <sodium.h>

namespace lifeline::audit {
namespace {

void PutU64(Bytes& out, std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void PutField(Bytes& out, std::string_view s) {
    PutU64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}
std::uint64_t GetU64(ByteView b) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | b[i];
    return v;
}

Bytes EntryHash(const crypto::SecretKey& key, const store::AuditRecord& r) {
    Bytes msg;
    msg.reserve(64 + r.action.size() + r.target.size() + r.detail.size() + r.prev_hash.size());
    PutU64(msg, static_cast<std::uint64_t>(r.seq));
    PutU64(msg, static_cast<std::uint64_t>(r.at_ms));
    PutU64(msg, static_cast<std::uint64_t>(r.actor));
    PutField(msg, r.action);
    PutField(msg, r.target);
    PutField(msg, r.detail);
    PutField(msg, AsString(r.prev_hash));
    return crypto::KeyedHash(key, "lifeline/v1/audit-entry", msg);
}

Bytes HeadMac(const crypto::SecretKey& key, std::int64_t seq, ByteView hash) {
    Bytes msg;
    PutU64(msg, static_cast<std::uint64_t>(seq));
    msg.insert(msg.end(), hash.begin(), hash.end());
    return crypto::KeyedHash(key, "lifeline/v1/audit-head", msg);
}

bool Equal(ByteView a, ByteView b) {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace

AuditLog::AuditLog(store::Store& store, const crypto::SecretKey& audit_key, const Clock& clock)
    : store_(store), key_(audit_key.Clone()), clock_(clock) {}

store::AuditChain AuditLog::Chain() const {
    return store::AuditChain{
        [this](const store::AuditRecord& r) { return EntryHash(key_, r); },
        [this](std::int64_t seq, ByteView hash) { return HeadMac(key_, seq, hash); },
    };
}

store::AuditRecord AuditLog::Append(UserId actor, std::string action, std::string target, std::string detail) {
    store::AuditRecord draft;
    draft.at_ms = ToUnixMillis(clock_.Now());
    draft.actor = actor.value;
    draft.action = std::move(action);
    draft.target = std::move(target);
    draft.detail = std::move(detail);
    return store_.AppendAudit(draft, Chain());
}

VerifyReport AuditLog::Verify() const {
    VerifyReport report;
    auto fail = [&report](std::int64_t seq, std::string reason) {
        report.ok = false;
        report.first_bad_seq = seq;
        report.reason = std::move(reason);
        return report;
    };
    Bytes prev(32, 0);
    std::int64_t expected = 1;
    constexpr std::size_t kPage = 1000;
    for (;;) {
        auto page = store_.ReadAudit(expected, kPage);
        for (const auto& r : page) {
            if (r.seq != expected) return fail(expected, fmt::format("entry {} is missing", expected));
            if (!Equal(r.prev_hash, prev))
                return fail(r.seq, fmt::format("entry {} does not link to entry {}", r.seq, r.seq - 1));
            if (!Equal(r.hash, EntryHash(key_, r)))
                return fail(r.seq, fmt::format("entry {} was changed (hash mismatch)", r.seq));
            prev = r.hash;
            ++expected;
            ++report.entries;
        }
        if (page.size() < kPage) break;
    }
    const std::int64_t last = expected - 1;
    auto head = store_.GetMeta("audit_head");
    if (!head) {
        if (last == 0) return report;
        return fail(1, "the audit head record is missing");
    }
    if (head->size() < 8 + 32 + 32) return fail(last + 1, "the audit head record is malformed");
    const auto head_seq = static_cast<std::int64_t>(GetU64(*head));
    ByteView head_hash(head->data() + 8, head->size() - 8 - 32);
    ByteView head_mac(head->data() + head->size() - 32, 32);
    if (!Equal(head_mac, HeadMac(key_, head_seq, head_hash))) return fail(last + 1, "the audit head record was changed");
    if (head_seq > last) return fail(last + 1, fmt::format("entries {} to {} are missing", last + 1, head_seq));
    if (head_seq < last) return fail(head_seq + 1, fmt::format("entry {} was added outside the log", head_seq + 1));
    if (!Equal(head_hash, prev)) return fail(last, fmt::format("entry {} differs from the recorded head", last));
    return report;
}

}  // namespace lifeline::audit
