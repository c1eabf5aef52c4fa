#include "intake/message_codec.hpp"

namespace lifeline::intake {
namespace {
constexpr std::uint8_t kCaseKey = 'K';
constexpr std::uint8_t kEpoch = 'E';

Bytes Ad(CaseId id, std::string_view field) { return ToBytes(crypto::CaseFieldAd(id, field)); }
Result<Bytes> Bad() { return {ErrorCode::kDecryptFailed, "stored content does not decrypt"}; }
}  // namespace

Bytes SealWithCaseKey(const crypto::SecretKey& case_key, CaseId case_id, std::string_view field, ByteView payload) {
    Bytes out{kCaseKey};
    auto sealed = crypto::Seal(case_key, payload, Ad(case_id, field));
    out.insert(out.end(), sealed.begin(), sealed.end());
    return out;
}

Bytes SealThroughEpoch(const crypto::IntakeEpoch& epoch, CaseId case_id, std::string_view field, ByteView payload) {
    auto item_key = crypto::IntakeEpoch::NewCaseKey();
    const Bytes wrapped = epoch.WrapCaseKey(case_id, item_key);
    Bytes out{kEpoch};
    const auto id = static_cast<std::uint64_t>(epoch.id().value);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(id >> (8 * i)));
    out.push_back(static_cast<std::uint8_t>(wrapped.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(wrapped.size() & 0xff));
    out.insert(out.end(), wrapped.begin(), wrapped.end());
    auto sealed = crypto::Seal(item_key, payload, Ad(case_id, field));
    out.insert(out.end(), sealed.begin(), sealed.end());
    return out;
}

Result<Bytes> OpenSealed(CaseId case_id, std::string_view field, ByteView sealed, const crypto::SecretKey* case_key,
                         const EpochUnwrap& epoch_unwrap) {
    if (sealed.empty()) return Bad();
    if (sealed[0] == kCaseKey) {
        if (case_key == nullptr) return Bad();
        return crypto::Open(*case_key, sealed.subspan(1), Ad(case_id, field));
    }
    if (sealed[0] != kEpoch || !epoch_unwrap || sealed.size() < 11) return Bad();
    std::uint64_t id = 0;
    for (int i = 1; i <= 8; ++i) id = id << 8 | sealed[i];
    const std::size_t len = static_cast<std::size_t>(sealed[9]) << 8 | sealed[10];
    if (sealed.size() < 11 + len) return Bad();
    auto item_key = epoch_unwrap(KeyEpochId{static_cast<std::int64_t>(id)}, case_id, sealed.subspan(11, len));
    if (!item_key) return Bad();
    return crypto::Open(*item_key, sealed.subspan(11 + len), Ad(case_id, field));
}

}  // namespace lifeline::intake
