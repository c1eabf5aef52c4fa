#pragma once
/// Rendering of every public page: pure functions from view values to HTML text. No JavaScript,
/// no inline style, no external resource; every dynamic value is escaped (html.hpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.hpp"
#include "intake/intake_service.hpp"
#include "public_site/forms.hpp"
#include "public_site/strings.hpp"

namespace lifeline::public_site {

/// One official channel of the line, published so people can tell it from clones.
struct OfficialChannel {
    std::string label;    ///< e.g. "Telegram bot"
    std::string address;  ///< e.g. "@example_bot", "+380 00 000 0000", "https://example.org"
};

struct PageContext {
    Lang lang = Lang::kRu;
    /// The GET page this one belongs to: the language links and the menu point at it.
    std::string path = "/";
};

struct Notice {
    enum class Kind { kError, kSuccess };
    Kind kind = Kind::kError;
    std::string text;
};

struct UploadLimits {
    std::size_t max_files = 3;
    std::size_t max_file_bytes = 5u << 20;
};

/// The application (kSurrenderApplication) or inquiry (kRelativeInquiry) form.
struct FormView {
    CaseKind kind = CaseKind::kSurrenderApplication;
    FormValues values;  ///< as the person typed them
    std::map<std::string, FieldProblem, std::less<>> problems;
    std::vector<Notice> notices;
    std::string csrf_token;
    UploadLimits uploads;
};

struct LookupView {
    std::string csrf_token;
    std::string receipt;  ///< kept only when the page is shown again for a reason other than "not found"
    std::vector<Notice> notices;
};

struct ConversationView {
    /// Null when only the message form is shown (e.g. the form expired before the lookup).
    const intake::Conversation* conversation = nullptr;
    std::string receipt;  ///< goes into the hidden field of the message form
    std::string csrf_token;
    std::string message;  ///< typed text kept after an error
    std::map<std::string, FieldProblem, std::less<>> problems;
    std::vector<Notice> notices;
    UploadLimits uploads;
};

std::string RenderLayout(const PageContext& ctx, std::string_view title, std::string_view main_html);
std::string RenderHome(const PageContext& ctx);
std::string RenderChannels(const PageContext& ctx, const std::vector<OfficialChannel>& channels,
                           std::string_view extra_note);
std::string RenderForm(const PageContext& ctx, const FormView& view);
std::string RenderReceipt(const PageContext& ctx, CaseKind kind, std::string_view receipt);
std::string RenderLookup(const PageContext& ctx, const LookupView& view);
std::string RenderConversation(const PageContext& ctx, const ConversationView& view);
std::string RenderMessagePage(const PageContext& ctx, std::string_view title, const Notice& notice);

/// The translated message for a problem with a field.
std::string ProblemText(const Strings& s, FieldProblem problem, const UploadLimits& uploads);
/// "Try again in N minutes" for a limiter's wait in seconds (rounded up to whole minutes, at least 1).
std::string RateLimitedText(const Strings& s, Lang lang, std::int64_t retry_after_seconds);
/// The label of a form field in a language ("inquiry.free_text" overrides "free_text" for inquiries).
std::string_view FieldLabel(const Strings& s, CaseKind kind, std::string_view field);
/// "YYYY-MM-DD HH:MM UTC".
std::string FormatTime(std::int64_t unix_ms);

/// The one stylesheet, served at /static/site.css.
std::string_view SiteCss();

}  // namespace lifeline::public_site
