#include "public_site/forms.hpp"

#include <algorithm>

#include "core/text.hpp"

#include "intake/intake_service.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lifeline::public_site {
namespace {

#if defined(__SSE2__)
/// How many of the 16 bytes at p are plain text: 16 when they are all printable ASCII and whole
/// two-byte sequences (no C1 control), 15 when so but the last byte starts a sequence that goes
/// on past the block, else 0, which says nothing (the caller decides byte by byte). The common
/// case of Cyrillic or Latin text, 16 bytes in a few instructions.
std::size_t PlainTextInBlock(const char* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed bytes: 0x80..0xFF are -128..-1.
    const __m128i ascii = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
    const __m128i continuation = _mm_cmplt_epi8(v, _mm_set1_epi8(-64));              // 0x80..0xBF
    const __m128i low_continuation = _mm_cmplt_epi8(v, _mm_set1_epi8(-96));          // 0x80..0x9F
    const __m128i lead = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-63)),        // 0xC2..0xDF
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(-32)));
    const __m128i c2 = _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xC2)));
    const auto bits = [](__m128i m) { return static_cast<unsigned>(_mm_movemask_epi8(m)); };
    const unsigned a = bits(ascii);
    const unsigned c = bits(continuation);
    const unsigned l = bits(lead);
    const bool plain = (a | c | l) == 0xFFFF &&                    // nothing else (controls, longer ones)
                       c == ((l << 1) & 0xFFFF) &&                  // each continuation after a lead
                       ((bits(c2) << 1) & bits(low_continuation)) == 0;  // C2 80..9F: C1 controls
    if (!plain) return 0;
    return (l & 0x8000) == 0 ? 16 : 15;  // a lead in the last byte: its continuation is the next block's
}
#endif

std::string_view TrimSpace(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool AllDigits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

int ToInt(std::string_view digits) {
    int v = 0;
    for (const char c : digits) v = v * 10 + (c - '0');
    return v;
}

}  // namespace

FieldUi UiOf(std::string_view field) {
    static constexpr std::string_view kStatus[] = {"mobilised", "serving", "expecting_deployment"};
    static constexpr std::string_view kGroup[] = {"alone", "group"};
    static constexpr std::string_view kAfterCapture[] = {"exchange", "stay", "asylum"};
    if (field == "status") return {Control::kSelect, kStatus};
    if (field == "group") return {Control::kSelect, kGroup};
    if (field == "after_capture") return {Control::kSelect, kAfterCapture};
    if (field == "deployment_date" || field == "sought_birth_date") return {Control::kDate, {}};
    if (field == "group_size") return {Control::kNumber, {}};
    if (field == "free_text" || field == "marks" || field == "message") return {Control::kTextarea, {}};
    return {Control::kText, {}};
}

std::string_view ContactField(CaseKind kind) {
    return kind == CaseKind::kRelativeInquiry ? "seeker_contact" : "contact";
}

std::string CleanText(std::string_view value) {
    std::string_view rest = TrimSpace(value);
    std::string out;
    out.reserve(rest.size());
    // Line ends become "\n": copy the runs between carriage returns whole.
    for (std::size_t cr = rest.find('\r'); cr != std::string_view::npos; cr = rest.find('\r')) {
        out.append(rest.substr(0, cr));
        out.push_back('\n');
        rest.remove_prefix(cr + 1);
        if (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
    }
    out.append(rest);
    return out;
}

namespace {

/// The length of the acceptable character at s[i] (printable ASCII, tab, newline, carriage
/// return, or a well-formed UTF-8 sequence other than a C1 control), or 0.
std::size_t AcceptableCharAt(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) return 1;  // printable ASCII, the common case
    if (c < 0x80) return c == '\t' || c == '\n' || c == '\r' ? 1 : 0;  // other controls, DEL: no
    // 0 for anything malformed; C2 80..C2 9F are the C1 controls.
    const std::size_t n = Utf8SequenceLength(s, i);
    return c == 0xC2 && n == 2 && static_cast<unsigned char>(s[i + 1]) < 0xA0 ? 0 : n;
}

}  // namespace

bool IsAcceptableText(std::string_view s) {
    std::size_t i = 0;
#if defined(__SSE2__)
    // Blocks of plain text at once. A block with anything else (a newline, a three-byte
    // character, a sequence across its end, a bad byte) is checked a character at a time.
    for (std::size_t slow_until = 0; i + 16 <= s.size();) {
        if (i >= slow_until) {
            if (const std::size_t plain = PlainTextInBlock(s.data() + i); plain != 0) {
                i += plain;
                continue;
            }
            slow_until = i + 16;
        }
        const std::size_t n = AcceptableCharAt(s, i);
        if (n == 0) return false;
        i += n;
    }
#endif
    while (i < s.size()) {
        const std::size_t n = AcceptableCharAt(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

bool IsValidDate(std::string_view v) {
    if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
    const auto year_s = v.substr(0, 4);
    const auto month_s = v.substr(5, 2);
    const auto day_s = v.substr(8, 2);
    if (!AllDigits(year_s) || !AllDigits(month_s) || !AllDigits(day_s)) return false;
    const int year = ToInt(year_s);
    const int month = ToInt(month_s);
    const int day = ToInt(day_s);
    if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    return day <= days;
}

namespace {

/// The form's fields in the order of their names (the order of FormValues): checking them is one
/// walk along both instead of a search per field, and what passes is added in order.
const std::vector<const intake::FieldSpec*>& FieldsByName(CaseKind kind) {
    static const auto sorted = [](CaseKind k) {
        std::vector<const intake::FieldSpec*> specs;
        for (const auto& spec : intake::FormFields(k)) specs.push_back(&spec);
        std::sort(specs.begin(), specs.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
        return specs;
    };
    static const std::vector<const intake::FieldSpec*> application = sorted(CaseKind::kSurrenderApplication);
    static const std::vector<const intake::FieldSpec*> inquiry = sorted(CaseKind::kRelativeInquiry);
    return kind == CaseKind::kRelativeInquiry ? inquiry : application;
}

/// Checks every known field of `input` (a FormValues, const or not). Problems go into
/// result.problems; for each field that passes, `keep(name, entry, value, cleaned)` is called
/// with the entry as posted and the value to store: a view of the posted value when cleaning
/// only trims it (cleaned is null), else of *cleaned, a scratch string keep may take.
template <typename Map, typename Keep>
Validation CheckFields(CaseKind kind, Map& input, Keep keep) {
    Validation result;
    std::string scratch;
    bool kept_contact = false;
    bool kept_free_text = false;
    const std::string_view contact = ContactField(kind);
    auto it = input.begin();
    for (const intake::FieldSpec* field : FieldsByName(kind)) {
        const intake::FieldSpec& spec = *field;
        while (it != input.end() && std::string_view(it->first) < spec.name) ++it;
        if (it == input.end()) break;
        if (std::string_view(it->first) != spec.name) continue;
        const std::string& raw = it->second;
        if (!IsAcceptableText(raw)) {
            result.problems.emplace(spec.name, FieldProblem::kBadText);
            continue;
        }
        // CleanText without a copy when there is no carriage return to turn into a newline.
        std::string_view value = TrimSpace(raw);
        std::string* cleaned = nullptr;
        if (value.find('\r') != std::string_view::npos) {
            scratch = CleanText(raw);
            value = scratch;
            cleaned = &scratch;
        }
        if (value.empty()) continue;
        const FieldUi ui = UiOf(spec.name);
        std::optional<FieldProblem> problem;
        switch (ui.control) {
            case Control::kDate:
                if (!IsValidDate(value)) problem = FieldProblem::kBadDate;
                break;
            case Control::kNumber:
                if (!AllDigits(value) || value.size() > 3 || ToInt(value) < 1 || ToInt(value) > 500) {
                    problem = FieldProblem::kBadGroupSize;
                }
                break;
            case Control::kSelect: {
                bool known = false;
                for (const auto option : ui.options) known = known || option == value;
                if (!known) problem = FieldProblem::kBadChoice;
                break;
            }
            case Control::kText:
            case Control::kTextarea: break;
        }
        if (!problem && value.size() > spec.max_length) problem = FieldProblem::kTooLong;
        if (problem) {
            result.problems.emplace(spec.name, *problem);
        } else {
            keep(spec.name, it, value, cleaned);
            kept_contact = kept_contact || spec.name == contact;
            kept_free_text = kept_free_text || spec.name == kFreeTextField;
        }
    }
    const bool reachable = kept_contact || kept_free_text ||
                           result.problems.contains(contact) || result.problems.contains(kFreeTextField);
    if (!reachable) result.problems.emplace(contact, FieldProblem::kNeedContact);
    return result;
}

}  // namespace

Validation ValidateFields(CaseKind kind, const FormValues& input) {
    FieldMap clean;
    Validation result = CheckFields(kind, input, [&](std::string_view name, FormValues::const_iterator,
                                                     std::string_view value, std::string*) {
        clean.emplace(name, value);
    });
    result.clean = std::move(clean);
    return result;
}

Validation TakeValidFields(CaseKind kind, FormValues& input) {
    // First the checks, noting what passes; the values are moved only once every field has
    // passed, so that a refused form keeps them all as typed.
    struct Passed {
        std::string_view name;
        FormValues::iterator entry;
        std::string cleaned;     // the clean value when cleaning made a new string
        bool trimmed_only;       // else: the entry's value from `offset`, `size` bytes
        std::size_t offset = 0;
        std::size_t size = 0;
    };
    std::vector<Passed> passed;
    passed.reserve(intake::FormFields(kind).size());
    Validation result = CheckFields(kind, input, [&](std::string_view name, FormValues::iterator entry,
                                                     std::string_view value, std::string* cleaned) {
        if (cleaned != nullptr) {
            passed.push_back(Passed{name, entry, std::move(*cleaned), false});
        } else {
            const auto offset = static_cast<std::size_t>(value.data() - entry->second.data());
            passed.push_back(Passed{name, entry, {}, true, offset, value.size()});
        }
    });
    if (!result.problems.empty()) return result;
    result.clean.reserve(passed.size());
    for (Passed& p : passed) {
        if (!p.trimmed_only) {
            result.clean.emplace(p.name, std::move(p.cleaned));
            continue;
        }
        std::string& value = p.entry->second;  // trimmed in place, then moved: no copy
        value.erase(p.offset + p.size);
        value.erase(0, p.offset);
        result.clean.emplace(p.name, std::move(value));
        value.clear();
    }
    return result;
}

std::string NormalizeContact(std::string_view contact) {
    std::string out;
    for (const char c : contact) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' || c == '(' || c == ')' || c == '.') continue;
        out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    }
    if (!out.empty() && out.front() == '@') out.erase(0, 1);
    if (!out.empty() && out.front() == '+' && AllDigits(std::string_view(out).substr(1))) out.erase(0, 1);
    if (out.size() == 11 && out.front() == '8' && AllDigits(out)) out.front() = '7';
    return out;
}

}  // namespace lifeline::public_site
