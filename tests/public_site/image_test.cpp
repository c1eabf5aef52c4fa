// Photo checks: type by content, metadata stripped, structure kept, malformed input rejected.

#include "public_site/image.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "image_samples.hpp"

namespace lifeline::public_site {
namespace {

using namespace samples;

/// The segments of a JPEG as (marker, payload) up to SOS, by a walk independent of StripJpeg.
std::vector<std::pair<std::uint8_t, Bytes>> JpegHeaderSegments(const Bytes& d) {
    std::vector<std::pair<std::uint8_t, Bytes>> out;
    std::size_t i = 2;
    while (i + 4 <= d.size() && d[i] == 0xFF) {
        const std::uint8_t marker = d[i + 1];
        const std::size_t length = (std::size_t{d[i + 2]} << 8) | d[i + 3];
        const auto begin = d.begin() + static_cast<long>(i);
        out.emplace_back(marker, Bytes(begin + 4, begin + static_cast<long>(2 + length)));
        i += 2 + length;
        if (marker == 0xDA) break;
    }
    return out;
}

std::vector<std::string> PngChunkTypes(const Bytes& d) {
    std::vector<std::string> out;
    std::size_t i = 8;
    while (i + 12 <= d.size()) {
        const std::size_t length = (std::size_t{d[i]} << 24) | (std::size_t{d[i + 1]} << 16) |
                                   (std::size_t{d[i + 2]} << 8) | d[i + 3];
        out.emplace_back(AsString(ByteView(d).subspan(i + 4, 4)));
        i += 12 + length;
    }
    EXPECT_EQ(i, d.size());
    return out;
}

TEST(Image, Crc32MatchesTheStandardCheckValue) {
    EXPECT_EQ(Crc32(AsBytes("123456789")), 0xCBF43926U);
    // The IEND chunk's well-known CRC.
    const Bytes iend = PngIend();
    EXPECT_EQ(Bytes(iend.end() - 4, iend.end()), (Bytes{0xAE, 0x42, 0x60, 0x82}));
}

TEST(Image, SniffsByContentOnly) {
    EXPECT_EQ(SniffImage(JpegWithMetadata()), ImageFormat::kJpeg);
    EXPECT_EQ(SniffImage(PngWithMetadata()), ImageFormat::kPng);
    EXPECT_EQ(SniffImage(AsBytes("GIF89a....")), ImageFormat::kUnknown);
    EXPECT_EQ(SniffImage(AsBytes("\xFF\xD8")), ImageFormat::kUnknown);
    EXPECT_EQ(SniffImage(AsBytes("this is a text file named photo.jpg")), ImageFormat::kUnknown);
    EXPECT_EQ(SniffImage({}), ImageFormat::kUnknown);
    EXPECT_EQ(SanitizeImage(AsBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")).problem, ImageProblem::kNotImage);
}

TEST(Image, JpegLosesExifXmpIccCommentAndThumbnailButKeepsTheImage) {
    const Bytes original = JpegWithMetadata();
    ASSERT_TRUE(Contains(original, "GPS"));
    const CleanImage clean = SanitizeImage(original);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean.mime, "image/jpeg");
    for (const auto* needle : {"GPS", "Exif", "xmpmeta", "ICC_PROFILE", "Comment", "trailing"}) {
        EXPECT_FALSE(Contains(clean.data, needle)) << needle;
    }
    // SOI, then the JFIF header without its thumbnail, then the image segments byte for byte.
    const Bytes expected = Concat({
        {0xFF, 0xD8},
        JpegSegment(0xE0, Str({'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 72, 0, 72, 0, 0})),
        JpegImageSegments(),
        JpegScanData(),
        {0xFF, 0xD9},
    });
    EXPECT_EQ(clean.data, expected);
    const auto segments = JpegHeaderSegments(clean.data);
    ASSERT_EQ(segments.size(), 5u);
    EXPECT_EQ(segments[0].first, 0xE0);
    EXPECT_EQ(segments[1].first, 0xDB);
    EXPECT_EQ(segments[2].first, 0xC0);
    EXPECT_EQ(segments[3].first, 0xC4);
    EXPECT_EQ(segments[4].first, 0xDA);
    // Stripping is idempotent: the output is itself a valid JPEG with nothing left to remove.
    const CleanImage again = StripJpeg(clean.data);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.data, clean.data);
}

// A phone held upright writes its pixels sideways and says so in EXIF: the orientation alone
// survives, as an EXIF block of that one tag, so the photo shows upright. Nothing else of EXIF.
TEST(Image, JpegKeepsOnlyTheOrientationOfItsExif) {
    for (const bool big_endian : {false, true}) {
        SCOPED_TRACE(big_endian);
        // TIFF: a GPS IFD pointer, then Orientation = 6 (rotate 90°), then the GPS text.
        const std::string tiff =
            big_endian ? Str({'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2,                          //
                              0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,                  //
                              0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0}) +
                             "GPSLatitude 48.5946"
                       : Str({'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0,                          //
                              0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0,                  //
                              0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0}) +
                             "GPSLatitude 48.5946";
        const Bytes original = Concat({{0xFF, 0xD8},
                                       JpegSegment(0xE1, std::string("Exif\0\0", 6) + tiff),
                                       JpegImageSegments(),
                                       JpegScanData(),
                                       {0xFF, 0xD9}});
        const CleanImage clean = SanitizeImage(original);
        ASSERT_TRUE(clean.ok());
        EXPECT_FALSE(Contains(clean.data, "GPS"));
        const Bytes expected = Concat({{0xFF, 0xD8},
                                       JpegSegment(0xE1, std::string("Exif\0\0", 6) +
                                                             Str({'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
                                                                  0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0})),
                                       JpegImageSegments(),
                                       JpegScanData(),
                                       {0xFF, 0xD9}});
        EXPECT_EQ(clean.data, expected);
        // Idempotent: the block written is read back as the same orientation.
        EXPECT_EQ(StripJpeg(clean.data).data, clean.data);
    }
    // Upright (1), out of range, or not a SHORT: nothing of EXIF is kept.
    for (const std::string& entry : {Str({0x12, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0}),
                                     Str({0x12, 0x01, 3, 0, 1, 0, 0, 0, 9, 0, 0, 0}),
                                     Str({0x12, 0x01, 4, 0, 1, 0, 0, 0, 6, 0, 0, 0})}) {
        const std::string tiff = Str({'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0}) + entry + Str({0, 0, 0, 0});
        const Bytes original = Concat({{0xFF, 0xD8}, JpegSegment(0xE1, std::string("Exif\0\0", 6) + tiff),
                                       JpegImageSegments(), JpegScanData(), {0xFF, 0xD9}});
        const CleanImage clean = SanitizeImage(original);
        ASSERT_TRUE(clean.ok());
        EXPECT_FALSE(Contains(clean.data, "Exif"));
    }
}

// EXIF comes from the sender: offsets and counts that point past its end, a TIFF header alone or
// a byte order that is neither are read as "no orientation", never out of bounds.
TEST(Image, BrokenExifIsDroppedWithoutReadingPastIt) {
    const std::vector<std::string> broken = {
        Str({'I', 'I', 42, 0, 8, 0, 0, 0}),                                       // header only
        Str({'I', 'I', 42, 0, 0xF0, 0, 0, 0, 1, 0}),                              // IFD past the end
        Str({'I', 'I', 42, 0, 8, 0, 0, 0, 0xFF, 0xFF, 0x12, 0x01, 3, 0, 1, 0}),   // entries past the end
        Str({'X', 'X', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0}),  // byte order
        Str({'M', 'M', 0, 43, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0}),  // not 42
        Str({'I', 'I', 42, 0, 2, 0, 0, 0, 1, 0}),                                  // IFD inside the header
        Str({'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 2, 0, 0, 0, 6, 0, 0, 0}),  // two values
        "",                                                                        // "Exif" alone
    };
    for (std::size_t i = 0; i < broken.size(); ++i) {
        SCOPED_TRACE(i);
        const Bytes original = Concat({{0xFF, 0xD8}, JpegSegment(0xE1, std::string("Exif\0\0", 6) + broken[i]),
                                       JpegImageSegments(), JpegScanData(), {0xFF, 0xD9}});
        const CleanImage clean = SanitizeImage(original);
        ASSERT_TRUE(clean.ok());
        EXPECT_FALSE(Contains(clean.data, "Exif"));
    }
}

// A small file may declare a huge image, which would take the memory of the operator's browser.
TEST(Image, ImagesWithTooManyPixelsAreRefused) {
    const auto jpeg = [](int width, int height) {
        const Bytes sof = JpegSegment(0xC0, Str({0x08, height >> 8, height & 0xFF, width >> 8, width & 0xFF, 0x01,
                                                 0x01, 0x11, 0x00}));
        Bytes out = {0xFF, 0xD8};
        const Bytes dqt = JpegSegment(0xDB, Str({0x00}) + std::string(64, '\x01'));
        const Bytes rest = JpegImageSegments();
        // Replace the sample's SOF (after its DQT) with this one.
        out.insert(out.end(), dqt.begin(), dqt.end());
        out.insert(out.end(), sof.begin(), sof.end());
        out.insert(out.end(), rest.begin() + static_cast<std::ptrdiff_t>(dqt.size() + 13), rest.end());
        const Bytes scan = JpegScanData();
        out.insert(out.end(), scan.begin(), scan.end());
        out.insert(out.end(), {0xFF, 0xD9});
        return out;
    };
    EXPECT_TRUE(SanitizeImage(jpeg(16320, 12240)).ok()) << "a 200-megapixel camera's photo";
    EXPECT_EQ(SanitizeImage(jpeg(20001, 10)).problem, ImageProblem::kTooLarge);
    EXPECT_EQ(SanitizeImage(jpeg(15000, 15000)).problem, ImageProblem::kTooLarge);
    EXPECT_EQ(SanitizeImage(jpeg(0, 10)).problem, ImageProblem::kMalformed);
    const auto png = [](std::uint32_t width, std::uint32_t height) {
        const auto be = [](std::uint32_t v) { return Str({int(v >> 24), int((v >> 16) & 0xFF), int((v >> 8) & 0xFF), int(v & 0xFF)}); };
        return Concat({PngSignature(), PngChunk("IHDR", be(width) + be(height) + Str({8, 0, 0, 0, 0})), PngIdat(),
                       PngIend()});
    };
    EXPECT_EQ(SanitizeImage(png(1, 1)).problem, ImageProblem::kNone);
    EXPECT_EQ(SanitizeImage(png(100'000, 1)).problem, ImageProblem::kTooLarge);
    EXPECT_EQ(SanitizeImage(png(15'000, 15'000)).problem, ImageProblem::kTooLarge);
}

TEST(Image, JpegWithoutJfifAndWithFillBytesAndProgressiveScans) {
    // No APP0 at all, fill bytes before a marker, two scans with a table between them.
    const Bytes jpeg = Concat({
        {0xFF, 0xD8},
        JpegSegment(0xE1, std::string("Exif\0\0", 6) + "GPS"),
        {0xFF, 0xFF, 0xFF},  // fill bytes: the next FF starts the DQT marker
        JpegImageSegments(),
        {0x01, 0x02},
        JpegSegment(0xC4, Str({0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00})),
        JpegSegment(0xDA, Str({0x01, 0x01, 0x00, 0x01, 0x3F, 0x00})),
        {0x03, 0xFF, 0x00, 0x04},
        {0xFF, 0xD9},
    });
    const CleanImage clean = StripJpeg(jpeg);
    ASSERT_TRUE(clean.ok());
    EXPECT_FALSE(Contains(clean.data, "GPS"));
    EXPECT_FALSE(Contains(clean.data, "Exif"));
    EXPECT_EQ(clean.data.front(), 0xFF);
    EXPECT_EQ(clean.data[2], 0xFF);
    EXPECT_EQ(clean.data[3], 0xDB);  // DQT directly after SOI
    EXPECT_TRUE(Contains(clean.data, Str({0x03, 0xFF, 0x00, 0x04, 0xFF, 0xD9})));
    EXPECT_TRUE(StripJpeg(clean.data).ok());
}

TEST(Image, MalformedJpegsAreRejected) {
    const Bytes good = JpegWithMetadata();
    // Truncated anywhere before EOI.
    const std::size_t eoi = AsString(good).find("\xFF\xD9");
    for (std::size_t n = 0; n < eoi + 2; n += 3) {
        const Bytes cut(good.begin(), good.begin() + static_cast<long>(n));
        const CleanImage clean = SanitizeImage(cut);
        EXPECT_FALSE(clean.ok()) << n;
        EXPECT_TRUE(clean.data.empty());
    }
    // A segment length running past the end.
    EXPECT_EQ(StripJpeg(Concat({{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0}, Bytes(10, 0)})).problem,
              ImageProblem::kMalformed);
    // A length below 2.
    EXPECT_FALSE(StripJpeg(Bytes{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x01, 0xFF, 0xD9}).ok());
    // No frame or no scan before EOI.
    EXPECT_FALSE(StripJpeg(Bytes{0xFF, 0xD8, 0xFF, 0xD9}).ok());
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8}, JpegSegment(0xDB, std::string(65, '\1')), {0xFF, 0xD9}})).ok());
    // SOS before SOF.
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8}, JpegSegment(0xDA, Str({1, 1, 0, 0, 0x3F, 0})), {0x00, 0xFF, 0xD9}}))
                     .ok());
    // Junk between segments, a second SOI, a reserved marker.
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8, 0x00}, JpegImageSegments(), {0xFF, 0xD9}})).ok());
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8, 0xFF, 0xD8}, JpegImageSegments(), {0xFF, 0xD9}})).ok());
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8, 0xFF, 0x50, 0x00, 0x02}, JpegImageSegments(), {0xFF, 0xD9}})).ok());
    // Scan data that ends on a lone FF.
    EXPECT_FALSE(StripJpeg(Concat({{0xFF, 0xD8}, JpegImageSegments(), {0x12, 0xFF}})).ok());
}

TEST(Image, PngKeepsOnlyTheImageChunks) {
    const Bytes original = PngWithMetadata();
    ASSERT_TRUE(Contains(original, "Location"));
    const CleanImage clean = SanitizeImage(original);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean.mime, "image/png");
    for (const auto* needle : {"Location", "tEXt", "zTXt", "iTXt", "eXIf", "tIME", "gAMA", "GPS", "trailing"}) {
        EXPECT_FALSE(Contains(clean.data, needle)) << needle;
    }
    EXPECT_EQ(PngChunkTypes(clean.data), (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
    EXPECT_EQ(clean.data, Concat({PngSignature(), PngIhdr(), PngIdat(), PngIend()}));
    const CleanImage again = StripPng(clean.data);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.data, clean.data);
}

TEST(Image, PngPaletteAndTransparencyAreKept) {
    const Bytes png = Concat({PngSignature(), PngChunk("IHDR", Str({0, 0, 0, 1, 0, 0, 0, 1, 8, 3, 0, 0, 0})),
                              PngChunk("PLTE", Str({0, 0, 0})), PngChunk("tRNS", Str({0})), PngIdat(), PngIend()});
    const CleanImage clean = StripPng(png);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean.data, png);
}

TEST(Image, MalformedPngsAreRejected) {
    const Bytes good = PngWithMetadata();
    for (std::size_t n = 8; n < good.size() - std::string_view("trailing Location data").size(); n += 5) {
        const Bytes cut(good.begin(), good.begin() + static_cast<long>(n));
        EXPECT_FALSE(SanitizeImage(cut).ok()) << n;
    }
    // A bad CRC (in an ancillary chunk that would be dropped anyway).
    Bytes bad_crc = Concat({PngSignature(), PngIhdr(), PngChunk("tEXt", "k\0v"), PngIdat(), PngIend()});
    bad_crc[8 + 25 + 8] ^= 0x01;
    EXPECT_EQ(StripPng(bad_crc).problem, ImageProblem::kMalformed);
    // The first chunk is not IHDR, or IHDR has the wrong size, or comes twice.
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIdat(), PngIhdr(), PngIend()})).ok());
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngChunk("IHDR", "short"), PngIdat(), PngIend()})).ok());
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), PngIhdr(), PngIdat(), PngIend()})).ok());
    // Zero width.
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngChunk("IHDR", Str({0, 0, 0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0})),
                                  PngIdat(), PngIend()}))
                     .ok());
    // No IDAT, an unknown critical chunk, a non-letter type, an absurd length.
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), PngIend()})).ok());
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), PngChunk("CgBI", "x"), PngIdat(), PngIend()})).ok());
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), PngChunk("te1t", "x"), PngIdat(), PngIend()})).ok());
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), Bytes{0xFF, 0xFF, 0xFF, 0xF0, 'I', 'D', 'A', 'T'},
                                  PngIend()}))
                     .ok());
    // IEND with data.
    EXPECT_FALSE(StripPng(Concat({PngSignature(), PngIhdr(), PngIdat(), PngChunk("IEND", "x")})).ok());
}

TEST(Image, RandomCorruptionNeverCrashes) {
    for (const Bytes& base : {JpegWithMetadata(), PngWithMetadata()}) {
        std::uint32_t seed = 7;
        for (int round = 0; round < 2000; ++round) {
            Bytes b = base;
            for (int k = 0; k < 3; ++k) {
                seed = seed * 1103515245 + 12345;
                b[(seed >> 8) % b.size()] = static_cast<std::uint8_t>(seed >> 24);
            }
            const CleanImage clean = SanitizeImage(b);
            if (clean.ok()) {
                EXPECT_FALSE(clean.data.empty());
            }
        }
    }
}

}  // namespace
}  // namespace lifeline::public_site
