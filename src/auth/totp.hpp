#pragma once
/// TOTP second factor (RFC 6238, 30-second steps, 6 digits) through liboath, and the enrolment
/// QR code through libqrencode.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/clock.hpp"

namespace lifeline::auth {

/// RFC 4648 base32 without padding, as authenticator apps expect.
std::string Base32Encode(ByteView data);

/// Decodes base32 (case-insensitive, padding and spaces ignored); nullopt if malformed.
std::optional<Bytes> Base32Decode(std::string_view text);

/// The time step a valid code belongs to (within ±1 step of now), or nullopt.
std::optional<std::int64_t> VerifyTotp(ByteView secret, std::string_view code, TimePoint now);

/// The current code (for tests and for the shell's `lifeline user totp-code` debugging aid).
std::string TotpCode(ByteView secret, TimePoint now);

/// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string OtpAuthUri(std::string_view issuer, std::string_view account, ByteView secret);

/// The text as a QR code in SVG (black modules on white, 4-module quiet zone).
std::string QrSvg(std::string_view text);

}  // namespace lifeline::auth
