#include "public_site/language.hpp"

#include <string>

namespace lifeline::public_site {
namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string AsciiLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

/// A qvalue (RFC 9110 section 12.4.2) as thousandths: "1", "1.0", "0.5", "0.125"; nullopt if malformed.
std::optional<int> ParseQValue(std::string_view q) {
    if (q.empty() || q.size() > 5) return std::nullopt;
    if (q[0] != '0' && q[0] != '1') return std::nullopt;
    int value = (q[0] - '0') * 1000;
    if (q.size() == 1) return value;
    if (q[1] != '.') return std::nullopt;
    int scale = 100;
    for (std::size_t i = 2; i < q.size(); ++i) {
        if (q[i] < '0' || q[i] > '9') return std::nullopt;
        value += (q[i] - '0') * scale;
        scale /= 10;
    }
    if (value > 1000) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Lang> LangFromAcceptLanguage(std::string_view header) {
    std::optional<Lang> best;
    int best_q = 0;
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        const std::size_t semi = item.find(';');
        const std::string range = AsciiLower(Trim(item.substr(0, semi)));
        int q = 1000;
        if (semi != std::string_view::npos) {
            std::string_view params = item.substr(semi + 1);
            bool malformed = false;
            while (!params.empty()) {
                const std::size_t next = params.find(';');
                const std::string_view param = Trim(params.substr(0, next));
                params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
                if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                    const auto parsed = ParseQValue(Trim(param.substr(2)));
                    if (!parsed) {
                        malformed = true;
                    } else {
                        q = *parsed;
                    }
                }
            }
            if (malformed) continue;
        }
        if (q <= 0) continue;
        const std::string primary = range.substr(0, range.find('-'));
        const auto lang = ParseLang(primary);
        if (!lang) continue;
        if (!best || q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    return best;
}

LangChoice ChooseLang(const http::Request& request, std::optional<std::string_view> form_lang) {
    if (const auto query = request.QueryParam("lang")) {
        if (const auto lang = ParseLang(*query)) return {*lang, true};
    }
    if (form_lang) {
        if (const auto lang = ParseLang(*form_lang)) return {*lang, false};
    }
    if (const auto cookie = request.Cookie("lang")) {
        if (const auto lang = ParseLang(*cookie)) return {*lang, false};
    }
    if (const auto header = request.Header("Accept-Language")) {
        if (const auto lang = LangFromAcceptLanguage(*header)) return {*lang, false};
    }
    return {Lang::kRu, false};
}

}  // namespace lifeline::public_site
