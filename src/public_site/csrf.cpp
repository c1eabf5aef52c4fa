#include "public_site/csrf.hpp"

#include "core/error.hpp"

namespace lifeline::public_site {
namespace {

constexpr std::string_view kMacContext = "lifeline/v1/public-site/form-token";
constexpr std::size_t kExpiryBytes = 8;
constexpr std::size_t kMacBytes = 32;
constexpr std::size_t kTokenBytes = FormTokens::kRandomBytes + kExpiryBytes + kMacBytes;

}  // namespace

bool ConstantTimeEqual(ByteView a, ByteView b) {
    if (a.size() != b.size()) return false;
    volatile std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
    return diff == 0;
}

FormTokens::FormTokens(crypto::SecretKey key, std::chrono::seconds lifetime) : lifetime_(lifetime) {
    if (!crypto::IsHashKey(key)) {
        throw LifelineError(ErrorCode::kInvalidArgument, "the form token key must be 16 to 64 bytes");
    }
    mac_ = crypto::KeyedHasher(key, kMacContext);
}

Bytes FormTokens::NewRandom() { return crypto::RandomBytes(kRandomBytes); }

std::string FormTokens::CookieValue(ByteView random) { return ToBase64Url(random); }

std::optional<Bytes> FormTokens::ParseCookie(std::string_view cookie_value) {
    if (cookie_value.size() > 64) return std::nullopt;
    auto bytes = FromBase64Url(cookie_value);
    if (!bytes || bytes->size() != kRandomBytes) return std::nullopt;
    return bytes;
}

Bytes FormTokens::Mac(ByteView random_and_expiry) const {
    return mac_.Hash(random_and_expiry);
}

std::string FormTokens::Issue(ByteView random, TimePoint now) const {
    if (random.size() != kRandomBytes) throw LifelineError(ErrorCode::kInternal, "form token random part");
    const std::int64_t expiry =
        ToUnixMillis(now) + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_).count();
    Bytes body(random.begin(), random.end());
    for (int shift = 56; shift >= 0; shift -= 8) body.push_back(static_cast<std::uint8_t>((expiry >> shift) & 0xFF));
    const Bytes mac = Mac(body);
    body.insert(body.end(), mac.begin(), mac.end());
    return ToBase64Url(body);
}

bool FormTokens::Verify(std::string_view token, std::optional<std::string_view> cookie_value, TimePoint now) const {
    if (!cookie_value || token.empty() || token.size() > 128) return false;
    const auto cookie = ParseCookie(*cookie_value);
    if (!cookie) return false;
    const auto bytes = FromBase64Url(token);
    if (!bytes || bytes->size() != kTokenBytes) return false;
    const ByteView all(*bytes);
    const ByteView signed_part = all.first(kRandomBytes + kExpiryBytes);
    if (!ConstantTimeEqual(Mac(signed_part), all.subspan(kRandomBytes + kExpiryBytes))) return false;
    if (!ConstantTimeEqual(all.first(kRandomBytes), *cookie)) return false;
    std::int64_t expiry = 0;
    for (std::size_t i = 0; i < kExpiryBytes; ++i) expiry = (expiry << 8) | all[kRandomBytes + i];
    const std::int64_t now_ms = ToUnixMillis(now);
    const std::int64_t lifetime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_).count();
    // Expired, or (with a key shared by a misconfigured peer) from too far in the future.
    return now_ms < expiry && expiry - now_ms <= lifetime_ms;
}

}  // namespace lifeline::public_site
