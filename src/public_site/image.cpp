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

bool TooLarge(std::uint64_t width, std::uint64_t height) {
    return width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels;
}

/// The orientation (1..8) in an APP1 EXIF payload ("Exif\0\0", then TIFF), or 0 when it has none
/// or cannot be read. Only IFD0's Orientation tag (0x0112, one SHORT) is looked at.
int ExifOrientation(ByteView payload) {
    static constexpr std::string_view kExif("Exif\0\0", 6);
    if (payload.size() < 6 + 8 || AsString(payload.first(6)) != kExif) return 0;
    const ByteView tiff = payload.subspan(6);
    bool big = false;
    if (tiff[0] == 'M' && tiff[1] == 'M') {
        big = true;
    } else if (!(tiff[0] == 'I' && tiff[1] == 'I')) {
        return 0;
    }
    const auto u16 = [&](std::size_t at) -> std::uint32_t {
        return big ? (std::uint32_t{tiff[at]} << 8) | tiff[at + 1] : (std::uint32_t{tiff[at + 1]} << 8) | tiff[at];
    };
    const auto u32 = [&](std::size_t at) -> std::uint32_t { return big ? (u16(at) << 16) | u16(at + 2) : (u16(at + 2) << 16) | u16(at); };
    if (u16(2) != 42) return 0;
    const std::uint32_t ifd = u32(4);
    if (ifd < 8 || ifd > tiff.size() - 2) return 0;
    const std::uint32_t entries = u16(ifd);
    for (std::uint32_t k = 0; k < entries; ++k) {
        const std::size_t at = ifd + 2 + std::size_t{k} * 12;
        if (at + 12 > tiff.size()) return 0;
        if (u16(at) != 0x0112) continue;
        if (u16(at + 2) != 3 || u32(at + 4) != 1) return 0;  // one SHORT
        const std::uint32_t v = u16(at + 8);
        return v >= 1 && v <= 8 ? static_cast<int>(v) : 0;
    }
    return 0;
}

/// An APP1 segment holding an EXIF block with the orientation alone (big-endian TIFF, IFD0 of one
/// entry, no next IFD).
void AppendOrientationSegment(Bytes& out, int orientation) {
    static constexpr std::uint8_t kSegment[] = {
        0xFF, 0xE1, 0x00, 0x22,                          // APP1, length 34
        'E',  'x',  'i',  'f',  0x00, 0x00,              // EXIF identifier
        'M',  'M',  0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,  // TIFF header, IFD0 at 8
        0x00, 0x01,                                      // one entry
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,  // Orientation, SHORT, count 1
        0x00, 0x00, 0x00, 0x00,                          // the value (set below), padding
        0x00, 0x00, 0x00, 0x00,                          // no next IFD
    };
    const std::size_t start = out.size();
    out.insert(out.end(), std::begin(kSegment), std::end(kSegment));
    out[start + 29] = static_cast<std::uint8_t>(orientation);
}

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
    bool seen_orientation = false;
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
        if (marker == 0xE1 && !seen_orientation) {
            // EXIF: everything goes but the orientation, written back alone where it stood.
            if (const int orientation = ExifOrientation(payload); orientation > 1) {
                AppendOrientationSegment(out, orientation);
                seen_orientation = true;
            }
            continue;
        }
        if ((marker >= 0xE1 && marker <= 0xEF) || marker == kCom || (marker >= 0xF0 && marker <= 0xFD)) {
            continue;  // APP1..APP15, COM, JPGn: metadata or extensions, dropped
        }
        // Tables, frame headers, DRI, DNL, hierarchical markers: kept.
        if (IsSof(marker)) {
            if (payload.size() < 6) return Malformed();
            const std::uint32_t height = (std::uint32_t{payload[1]} << 8) | payload[2];
            const std::uint32_t width = (std::uint32_t{payload[3]} << 8) | payload[4];
            if (width == 0 || height == 0) return Malformed();  // a height left to DNL: not for browsers
            if (TooLarge(width, height)) return CleanImage{ImageProblem::kTooLarge, {}, {}};
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
            if (TooLarge(ReadBigEndian32(data, 0), ReadBigEndian32(data, 4))) return CleanImage{ImageProblem::kTooLarge, {}, {}};
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
