#pragma once
/// Photo uploads: the type is decided by content (JPEG or PNG signature), never by the name or the
/// declared type, and every metadata block is removed before the bytes reach intake.
///
/// JPEG: the marker segments are walked; APP1..APP15 (EXIF, XMP, ICC, ...), COM and the reserved
/// JPGn segments are dropped; APP0 is kept only as a plain JFIF header with its thumbnail removed;
/// tables, frame and scan headers are kept and the entropy-coded data after each SOS is copied
/// intact; anything after EOI is dropped. The one EXIF fact kept is the orientation (how the phone
/// was held), written back as an EXIF block of that tag alone, so that the photo shows upright.
/// PNG: the chunks are walked (length bounded, CRC checked); only IHDR, PLTE, tRNS, IDAT and IEND
/// are kept (tEXt, zTXt, iTXt, eXIf, tIME, iCCP, ... are dropped); anything after IEND is dropped.

#include <cstdint>
#include <string>

#include "core/bytes.hpp"

namespace lifeline::public_site {

enum class ImageFormat { kUnknown, kJpeg, kPng };

/// By the first bytes only: JPEG starts FF D8 FF, PNG with its 8-byte signature.
ImageFormat SniffImage(ByteView data);

enum class ImageProblem {
    kNone,
    kNotImage,   ///< neither a JPEG nor a PNG
    kMalformed,  ///< claims to be one but its structure does not hold
    kTooLarge,   ///< more pixels than kMaxImageSide or kMaxImagePixels: it would take the
                 ///< memory of the browser that shows it (a small file can declare a huge image)
};

/// The largest image accepted: a side, and width × height (a 200-megapixel phone camera is 16,320
/// × 12,240; an image decodes to 4 bytes a pixel in the browser).
inline constexpr std::uint32_t kMaxImageSide = 20'000;
inline constexpr std::uint64_t kMaxImagePixels = 200'000'000;

struct CleanImage {
    ImageProblem problem = ImageProblem::kNone;
    std::string mime;  ///< "image/jpeg" or "image/png" when problem is kNone
    Bytes data;        ///< the image without metadata
    bool ok() const { return problem == ImageProblem::kNone; }
};

/// Detects the type by content and strips the metadata.
CleanImage SanitizeImage(ByteView data);

/// The two strippers on their own; kMalformed (with empty data) on a structural error.
CleanImage StripJpeg(ByteView data);
CleanImage StripPng(ByteView data);

/// CRC-32 as PNG uses it (ISO 3309, polynomial 0xEDB88320).
std::uint32_t Crc32(ByteView data);

}  // namespace lifeline::public_site
