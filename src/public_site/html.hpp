#pragma once
/// A tiny template helper for the public site. Every dynamic value is text and goes through
/// Escape(); markup built elsewhere (already escaped) is passed explicitly as Raw.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lifeline::public_site {

/// Escapes & < > " ' so the text is inert in element content and in quoted attribute values.
std::string Escape(std::string_view text);
/// Escape, appended to `out`.
void AppendEscaped(std::string& out, std::string_view text);

/// Markup that is already safe (built from escaped values and constant templates).
struct Raw {
    explicit Raw(std::string_view m) : markup(m) {}
    std::string_view markup;
};

/// A slot value: text (escaped when inserted) or Raw markup (inserted as is).
using SlotValue = std::variant<std::string_view, Raw>;
using Slot = std::pair<std::string_view, SlotValue>;

/// Replaces every "{{name}}" in the template with the slot of that name. A placeholder without a
/// slot is a programming error and throws LifelineError(kInternal); unused slots are ignored.
std::string Fill(std::string_view tmpl, std::initializer_list<Slot> slots);

/// Replaces "{n}"-style markers in a translated string (plain text, escaped later by Fill).
std::string Substitute(std::string_view text, std::string_view marker, std::string_view value);

}  // namespace lifeline::public_site
