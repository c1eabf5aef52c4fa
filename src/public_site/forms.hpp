#pragma once
/// The application and inquiry forms: how each field is shown and how input is checked.
/// Pure functions; the handlers and the renderer share them.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.hpp"
#include "core/field_map.hpp"

namespace lifeline::public_site {

using FormValues = FieldMap;

enum class Control { kText, kDate, kNumber, kSelect, kTextarea };

/// How a field is shown; FormFields(kind) from intake decides which fields exist and their limits.
struct FieldUi {
    Control control = Control::kText;
    std::span<const std::string_view> options;  ///< for kSelect (static lists)
};
FieldUi UiOf(std::string_view field);

/// The field that holds the way to reach the person, and the free-text field.
std::string_view ContactField(CaseKind kind);
inline constexpr std::string_view kFreeTextField = "free_text";
/// The file inputs' name, and the follow-up message's.
inline constexpr std::string_view kPhotoField = "photo";
inline constexpr std::string_view kMessageField = "message";

enum class FieldProblem {
    kTooLong,
    kBadDate,
    kBadGroupSize,
    kBadChoice,
    kBadText,
    kNeedContact,
    kTooManyFiles,
    kFileTooLarge,
    kNotImage,
    kBadImage,
    kImageTooLarge,  ///< too many pixels (image.hpp: kMaxImageSide, kMaxImagePixels)
    kEmptyMessage,
};

struct Validation {
    /// field → the first problem found in it.
    std::map<std::string, FieldProblem, std::less<>> problems;
    /// The values to store: trimmed, CRLF turned into LF, empty ones left out; only known fields.
    FieldMap clean;
    bool ok() const { return problems.empty(); }
};

/// Checks every known field of the kind (unknown names are ignored): valid UTF-8 without control
/// characters, within the byte limit, dates as YYYY-MM-DD, group_size 1..500, select values from
/// the list; and that the contact field or the free text is filled.
Validation ValidateFields(CaseKind kind, const FormValues& input);
/// ValidateFields for a submission about to be stored: when every field passes, the clean values
/// are moved out of `input` (trimmed in place; a value whose line breaks are rewritten is cleaned
/// into a new string) and those entries of `input` are left empty; when a field fails, `input`
/// is left untouched.
Validation TakeValidFields(CaseKind kind, FormValues& input);

/// Trimmed, CRLF → LF; the text a field stores.
std::string CleanText(std::string_view value);
/// Valid UTF-8 without control characters other than tab and newlines.
bool IsAcceptableText(std::string_view value);
/// A real calendar date written YYYY-MM-DD, years 1900..2100.
bool IsValidDate(std::string_view value);

/// The contact text normalised for rate limiting: ASCII lower-cased, spaces and - ( ) . removed,
/// a leading @ dropped, and a Russian 8XXXXXXXXXX phone number written as 7XXXXXXXXXX.
std::string NormalizeContact(std::string_view contact);

}  // namespace lifeline::public_site
