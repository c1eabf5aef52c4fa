#include "auth/totp.hpp"

#include <liboath/oath.h>
#include <qrencode.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "core/error.hpp"

namespace lifeline::auth {
namespace {

constexpr unsigned kStep = 30;
constexpr unsigned kDigits = 6;

void InitOath() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (oath_init() != OATH_OK) throw LifelineError(ErrorCode::kInternal, "liboath failed to initialise");
    });
}

std::string UriEscape(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

}  // namespace

std::string Base32Encode(ByteView data) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (auto byte : data) {
        buffer = buffer << 8 | byte;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<Bytes> Base32Decode(std::string_view text) {
    Bytes out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a';
        else if (c >= '2' && c <= '7') v = c - '2' + 26;
        else if (c == '=' || c == ' ') continue;
        else return std::nullopt;
        buffer = buffer << 5 | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits & 0xff));
        }
    }
    return out;
}

std::optional<std::int64_t> VerifyTotp(ByteView secret, std::string_view code, TimePoint now) {
    InitOath();
    if (code.size() != kDigits) return std::nullopt;
    for (char c : code)
        if (c < '0' || c > '9') return std::nullopt;
    const std::string otp(code);
    const auto t = static_cast<time_t>(ToUnixMillis(now) / 1000);
    int pos = 0;
    int rc = oath_totp_validate2(reinterpret_cast<const char*>(secret.data()), secret.size(), t, kStep, 0, 1, &pos,
                                 otp.c_str());
    if (rc < 0) return std::nullopt;
    return static_cast<std::int64_t>(t / kStep) + pos;
}

std::string TotpCode(ByteView secret, TimePoint now) {
    InitOath();
    char out[kDigits + 1] = {};
    const auto t = static_cast<time_t>(ToUnixMillis(now) / 1000);
    if (oath_totp_generate(reinterpret_cast<const char*>(secret.data()), secret.size(), t, kStep, 0, kDigits, out) !=
        OATH_OK)
        throw LifelineError(ErrorCode::kInternal, "TOTP generation failed");
    return out;
}

std::string OtpAuthUri(std::string_view issuer, std::string_view account, ByteView secret) {
    return fmt::format("otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
                       UriEscape(issuer), UriEscape(account), Base32Encode(secret), UriEscape(issuer), kDigits,
                       kStep);
}

std::string QrSvg(std::string_view text) {
    const std::string input(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
        QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!qr) throw LifelineError(ErrorCode::kInternal, "QR encoding failed");
    const int width = qr->width;
    constexpr int kQuiet = 4;
    const int size = width + 2 * kQuiet;
    std::string svg = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" shape-rendering=\"crispEdges\">"
        "<rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
        size);
    for (int y = 0; y < width; ++y) {
        for (int x = 0; x < width; ++x) {
            if (qr->data[y * width + x] & 1) svg += fmt::format("M{} {}h1v1h-1z", x + kQuiet, y + kQuiet);
        }
    }
    svg += "\"/></svg>";
    return svg;
}

}  // namespace lifeline::auth
