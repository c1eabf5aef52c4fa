#pragma once
// Small JPEG and PNG byte strings with metadata to strip, shared by the image and site tests.

#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "public_site/image.hpp"

namespace lifeline::public_site::samples {

inline void Append(Bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

/// FF marker, big-endian length, payload.
inline Bytes JpegSegment(std::uint8_t marker, std::string_view payload) {
    Bytes out = {0xFF, marker};
    const std::size_t length = payload.size() + 2;
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length & 0xFF));
    Append(out, payload);
    return out;
}

inline std::string Str(std::initializer_list<int> bytes) {
    std::string s;
    for (const int b : bytes) s.push_back(static_cast<char>(b));
    return s;
}

/// The segments every sample keeps, in order: DQT, SOF0, DHT, SOS.
inline Bytes JpegImageSegments() {
    Bytes out;
    const Bytes dqt = JpegSegment(0xDB, Str({0x00}) + std::string(64, '\x01'));
    const Bytes sof = JpegSegment(0xC0, Str({0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00}));
    const Bytes dht = JpegSegment(0xC4, Str({0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00}));
    const Bytes sos = JpegSegment(0xDA, Str({0x01, 0x01, 0x00, 0x00, 0x3F, 0x00}));
    for (const Bytes* b : {&dqt, &sof, &dht, &sos}) out.insert(out.end(), b->begin(), b->end());
    return out;
}

/// Entropy-coded data with a stuffed FF 00 and a restart marker inside.
inline Bytes JpegScanData() { return {0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78}; }

/// A JFIF header with a 1x1 thumbnail.
inline Bytes JfifWithThumbnail() {
    return JpegSegment(0xE0, Str({'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 72, 0, 72, 1, 1, 0xAA, 0xBB, 0xCC}));
}

/// A JPEG carrying EXIF with GPS, XMP, an ICC profile and a comment, plus data after EOI.
inline Bytes JpegWithMetadata() {
    Bytes out = {0xFF, 0xD8};
    const Bytes parts[] = {
        JfifWithThumbnail(),
        JpegSegment(0xE1, std::string("Exif\0\0", 6) + "GPSLatitude 48.5946 GPSLongitude 38.0003"),
        JpegSegment(0xE1, std::string("http://ns.adobe.com/xap/1.0/\0", 29) + "<x:xmpmeta>GPS Location</x:xmpmeta>"),
        JpegSegment(0xE2, std::string("ICC_PROFILE\0", 12) + "profile bytes"),
        JpegSegment(0xFE, "Comment: taken at the GPS position of unit 12345"),
        JpegImageSegments(),
        JpegScanData(),
        {0xFF, 0xD9},
    };
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    Append(out, "trailing GPS data after EOI");
    return out;
}

/// One PNG chunk: length, type, data, CRC over type and data.
inline Bytes PngChunk(std::string_view type, std::string_view data) {
    Bytes out;
    const auto be32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
    };
    be32(static_cast<std::uint32_t>(data.size()));
    Append(out, type);
    Append(out, data);
    const Bytes crc_input(out.begin() + 4, out.end());
    be32(Crc32(crc_input));
    return out;
}

inline Bytes PngSignature() { return {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}; }
/// 1x1, 8-bit greyscale.
inline Bytes PngIhdr() { return PngChunk("IHDR", Str({0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})); }
/// zlib of the one scanline: filter 0, pixel 0.
inline Bytes PngIdat() { return PngChunk("IDAT", Str({0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})); }
inline Bytes PngIend() { return PngChunk("IEND", ""); }

inline Bytes Concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// A PNG carrying tEXt Location, zTXt, iTXt, eXIf, tIME and gAMA chunks, plus data after IEND.
inline Bytes PngWithMetadata() {
    Bytes out = Concat({
        PngSignature(),
        PngIhdr(),
        PngChunk("tEXt", std::string("Location\0", 9) + "48.5946N 38.0003E"),
        PngChunk("gAMA", Str({0, 0, 0xB1, 0x8F})),
        PngChunk("eXIf", std::string("MM\0*GPS", 7)),
        PngIdat(),
        PngChunk("zTXt", std::string("Comment\0\0", 9) + "xx"),
        PngChunk("iTXt", std::string("GPS\0\0\0en\0\0", 10) + "secret place"),
        PngChunk("tIME", Str({0x07, 0xE9, 1, 2, 3, 4, 5})),
        PngIend(),
    });
    Append(out, "trailing Location data");
    return out;
}

inline bool Contains(const Bytes& haystack, std::string_view needle) {
    return AsString(haystack).find(needle) != std::string_view::npos;
}

}  // namespace lifeline::public_site::samples
