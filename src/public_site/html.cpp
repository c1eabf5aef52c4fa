#include "public_site/html.hpp"

#include "core/error.hpp"

namespace lifeline::public_site {

void AppendEscaped(std::string& out, std::string_view text) {
    // Runs of ordinary characters are copied whole; only the five specials are replaced.
    std::size_t from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string_view entity;
        switch (text[i]) {
            case '&': entity = "&amp;"; break;
            case '<': entity = "&lt;"; break;
            case '>': entity = "&gt;"; break;
            case '"': entity = "&quot;"; break;
            case '\'': entity = "&#39;"; break;
            default: continue;
        }
        out.append(text.substr(from, i - from));
        out.append(entity);
        from = i + 1;
    }
    out.append(text.substr(from));
}

std::string Escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    AppendEscaped(out, text);
    return out;
}

std::string Fill(std::string_view tmpl, std::initializer_list<Slot> slots) {
    std::string out;
    out.reserve(tmpl.size() + 256);
    std::size_t pos = 0;
    while (pos < tmpl.size()) {
        const std::size_t open = tmpl.find("{{", pos);
        if (open == std::string_view::npos) {
            out.append(tmpl.substr(pos));
            break;
        }
        out.append(tmpl.substr(pos, open - pos));
        const std::size_t close = tmpl.find("}}", open + 2);
        if (close == std::string_view::npos) throw LifelineError(ErrorCode::kInternal, "unterminated template slot");
        const std::string_view name = tmpl.substr(open + 2, close - open - 2);
        const Slot* found = nullptr;
        for (const auto& slot : slots) {
            if (slot.first == name) {
                found = &slot;
                break;
            }
        }
        if (found == nullptr) {
            throw LifelineError(ErrorCode::kInternal, "template slot without a value: " + std::string(name));
        }
        if (const auto* text = std::get_if<std::string_view>(&found->second)) {
            AppendEscaped(out, *text);
        } else {
            out.append(std::get<Raw>(found->second).markup);
        }
        pos = close + 2;
    }
    return out;
}

std::string Substitute(std::string_view text, std::string_view marker, std::string_view value) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t at = text.find(marker, pos);
        if (at == std::string_view::npos || marker.empty()) {
            out.append(text.substr(pos));
            return out;
        }
        out.append(text.substr(pos, at - pos));
        out.append(value);
        pos = at + marker.size();
    }
}

}  // namespace lifeline::public_site
