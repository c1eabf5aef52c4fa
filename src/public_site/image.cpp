#include "public_site/image.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace lifeline::public_site {
namespace {

constexpr std::array<std::uint8_t, 8> kPngSignature = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

CleanImage Malformed() { return CleanImage{ImageProblem::kMalformed, {}, {}}; }

bool IsAsciiLetter(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// ---- JPEG markers ----
constexpr std::uint8_t kSoi = 0xD8;
constexpr std::uint8_t kEoi = 0xD9;
constexpr std::uint8_t kSos = 0xDA;
constexpr std::uint8_t kApp0 = 0xE0;
constexpr std::uint8_t kCom = 0xFE;

bool IsRst(std::uint8_t m) { return m >= 0xD0 && m <= 0xD7; }
/// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
bool IsSof(std::uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

}  // namespace

ImageFormat SniffImage(ByteView data) {
    if (data.size() >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat::kJpeg;
    if (data.size() >= kPngSignature.size() &&
        std::equal(kPngSignature.begin(), kPngSignature.end(), data.begin())) {
        return ImageFormat::kPng;
    }
    return ImageFormat::kUnknown;
}

std::uint32_t Crc32(ByteView data) {
    static const std::array<std::uint32_t, 256> kTable = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFU;
    for (const std::uint8_t b : data) c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFU;
}

CleanImage StripJpeg(ByteView d) {
    const std::size_t n = d.size();
    if (n < 4 || d[0] != 0xFF || d[1] != kSoi) return Malformed();
    Bytes out = {0xFF, kSoi};
    out.reserve(n);
    std::size_t i = 2;
    bool seen_sof = false;
    bool seen_sos = false;
    while (true) {
        if (i >= n || d[i] != 0xFF) return Malformed();  // no EOI, or junk where a marker belongs
        while (i < n && d[i] == 0xFF) ++i;              // fill bytes
        if (i >= n) return Malformed();
        const std::uint8_t marker = d[i++];
        if (marker == kEoi) {
            if (!seen_sof || !seen_sos) return Malformed();
            out.push_back(0xFF);
            out.push_back(kEoi);
            return CleanImage{ImageProblem::kNone, "image/jpeg", std::move(out)};  // trailing data dropped
        }
        if (marker == 0x00 || marker == kSoi) return Malformed();
        if (IsRst(marker) || marker == 0x01) {  // standalone markers without a length
            out.push_back(0xFF);
            out.push_back(marker);
            continue;
        }
        if (marker < 0xC0) return Malformed();  // reserved
        if (n - i < 2) return Malformed();
        const std::size_t length = (std::size_t{d[i]} << 8) | d[i + 1];
        if (length < 2 || length > n - i) return Malformed();
        const ByteView segment = d.subspan(i - 2, length + 2);  // FF marker length payload
        const ByteView payload = d.subspan(i + 2, length - 2);
        i += length;

        if (marker == kApp0) {
            // Keep a plain JFIF header (identifier, version, units, densities) without a thumbnail;
            // drop JFXX and anything else.
            static constexpr std::string_view kJfif("JFIF\0", 5);
            if (payload.size() >= 14 && AsString(payload.first(5)) == kJfif) {
                out.insert(out.end(), {0xFF, kApp0, 0x00, 0x10});
                out.insert(out.end(), payload.begin(), payload.begin() + 12);
                out.push_back(0);  // thumbnail width
                out.push_back(0);  // thumbnail height
            }
            continue;
        }
        if ((marker >= 0xE1 && marker <= 0xEF) || marker == kCom || (marker >= 0xF0 && marker <= 0xFD)) {
            continue;  // APP1..APP15, COM, JPGn: metadata or extensions, dropped
        }
        // Tables, frame headers, DRI, DNL, hierarchical markers: kept.
        if (IsSof(marker)) {
            if (payload.size() < 6) return Malformed();
            seen_sof = true;
        }
        out.insert(out.end(), segment.begin(), segment.end());
        if (marker != kSos) continue;

        if (!seen_sof || payload.empty()) return Malformed();
        seen_sos = true;
        // Entropy-coded data runs to the next marker that is neither a stuffed 00 nor a restart.
        std::size_t j = i;
        while (true) {
            if (j >= n) return Malformed();
            if (d[j] != 0xFF) {
                ++j;
                continue;
            }
            if (j + 1 >= n) return Malformed();
            const std::uint8_t next = d[j + 1];
            if (next == 0x00 || IsRst(next)) {
                j += 2;
                continue;
            }
            break;
        }
        out.insert(out.end(), d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(j));
        i = j;
    }
}

CleanImage StripPng(ByteView d) {
    const std::size_t n = d.size();
    if (SniffImage(d) != ImageFormat::kPng) return Malformed();
    Bytes out(kPngSignature.begin(), kPngSignature.end());
    out.reserve(n);
    std::size_t i = kPngSignature.size();
    bool first = true;
    bool seen_idat = false;
    while (true) {
        if (n - i < 12) return Malformed();  // no IEND
        const std::uint32_t length = ReadBigEndian32(d, i);
        if (length > 0x7FFFFFFFU || length > n - i - 12) return Malformed();
        const ByteView type = d.subspan(i + 4, 4);
        for (const std::uint8_t c : type) {
            if (!IsAsciiLetter(c)) return Malformed();
        }
        const ByteView type_and_data = d.subspan(i + 4, 4 + length);
        if (ReadBigEndian32(d, i + 8 + length) != Crc32(type_and_data)) return Malformed();
        const ByteView chunk = d.subspan(i, 12 + length);
        const ByteView data = d.subspan(i + 8, length);
        i += 12 + length;

        const std::string_view name = AsString(type);
        if (first) {
            if (name != "IHDR" || length != 13) return Malformed();
            if (ReadBigEndian32(data, 0) == 0 || ReadBigEndian32(data, 4) == 0) return Malformed();
            if (ReadBigEndian32(data, 0) > 0x7FFFFFFFU || ReadBigEndian32(data, 4) > 0x7FFFFFFFU) return Malformed();
            first = false;
        } else if (name == "IHDR") {
            return Malformed();
        }
        const bool keep = name == "IHDR" || name == "PLTE" || name == "tRNS" || name == "IDAT" || name == "IEND";
        if (!keep) {
            // An unknown critical chunk (upper-case first letter) means the image cannot be decoded
            // without it: reject rather than pass on something broken.
            if (type[0] >= 'A' && type[0] <= 'Z') return Malformed();
            continue;
        }
        if (name == "IDAT") seen_idat = true;
        out.insert(out.end(), chunk.begin(), chunk.end());
        if (name == "IEND") {
            if (!seen_idat || length != 0) return Malformed();
            return CleanImage{ImageProblem::kNone, "image/png", std::move(out)};  // trailing data dropped
        }
    }
}

CleanImage SanitizeImage(ByteView data) {
    switch (SniffImage(data)) {
        case ImageFormat::kJpeg: return StripJpeg(data);
        case ImageFormat::kPng: return StripPng(data);
        case ImageFormat::kUnknown: break;
    }
    return CleanImage{ImageProblem::kNotImage, {}, {}};
}

}  // namespace lifeline::public_site
