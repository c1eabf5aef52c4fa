#pragma once
/// A strict multipart/form-data parser (RFC 7578, RFC 2046 section 5.1) for the public forms.
/// Bounded: part count, header block size and text-field size are limited; any malformed or
/// truncated input is an error value, never a crash or an assertion.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/field_map.hpp"
#include "core/result.hpp"

namespace lifeline::public_site {

struct MultipartLimits {
    std::size_t max_parts = 40;
    /// Bytes of one part's header block.
    std::size_t max_header_bytes = 2048;
    /// Bytes kept of one text field (a part without a filename): a longer one is cut here, at a
    /// UTF-8 character boundary (larger than any form field accepts, so it is then refused as
    /// too long with the rest of the form kept).
    std::size_t max_field_bytes = 64 * 1024;
};

struct FilePart {
    std::string field;         ///< the form field name
    std::string filename;      ///< as the browser sent it (never trusted)
    std::string content_type;  ///< as the browser sent it (never trusted)
    std::string data;
};

struct MultipartForm {
    /// Text fields, name → value; the last of repeated names wins.
    FieldMap fields;
    /// File parts in order; a file input left empty (no filename, no content) is skipped.
    std::vector<FilePart> files;
};

/// The boundary parameter of a multipart/form-data Content-Type; nullopt when the type is not
/// multipart/form-data or the boundary is missing or invalid (1..70 characters of RFC 2046's set).
std::optional<std::string> MultipartBoundary(std::string_view content_type);

/// Parses a body. kInvalidArgument with a short reason on any error.
Result<MultipartForm> ParseMultipart(std::string_view content_type, std::string_view body,
                                     const MultipartLimits& limits = {});

}  // namespace lifeline::public_site
