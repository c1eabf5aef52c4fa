#pragma once
/// Signed double-submit tokens for the anonymous forms.
///
/// The browser holds a random 16-byte value in a cookie (HttpOnly, SameSite=Strict). Each form
/// carries a token: base64url(random ‖ expiry ‖ MAC), MAC = KeyedHash(site key, random ‖ expiry).
/// A post is accepted only when the token's MAC verifies, it has not expired, and its random part
/// equals the cookie's. A cross-site page can neither read the cookie nor forge the MAC.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "crypto/crypto.hpp"

namespace lifeline::public_site {

class FormTokens {
public:
    static constexpr std::size_t kRandomBytes = 16;

    /// key: 16..64 bytes (throws LifelineError kInvalidArgument otherwise).
    FormTokens(crypto::SecretKey key, std::chrono::seconds lifetime);

    /// A fresh random browser value.
    static Bytes NewRandom();
    /// The cookie's text for a browser value.
    static std::string CookieValue(ByteView random);
    /// The browser value in a cookie, when well-formed.
    static std::optional<Bytes> ParseCookie(std::string_view cookie_value);

    /// A token for the browser value, valid until now + lifetime.
    std::string Issue(ByteView random, TimePoint now) const;
    /// True when the token is authentic, unexpired and bound to the cookie's value.
    bool Verify(std::string_view token, std::optional<std::string_view> cookie_value, TimePoint now) const;

    std::chrono::seconds lifetime() const { return lifetime_; }

private:
    Bytes Mac(ByteView random_and_expiry) const;

    crypto::KeyedHasher mac_;  // KeyedHash(key, kMacContext, ·), the key absorbed once
    std::chrono::seconds lifetime_;
};

/// Compares without an early exit (no timing hint about where two MACs differ).
bool ConstantTimeEqual(ByteView a, ByteView b);

}  // namespace lifeline::public_site
