#include "public_site/multipart.hpp"

#include "http/message.hpp"

namespace lifeline::public_site {
namespace {

using http::EqualsIgnoreCase;

Error Invalid(std::string message) { return Error{ErrorCode::kInvalidArgument, std::move(message)}; }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool IsTokenChar(char c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsBoundaryChar(char c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

/// Parameters after the first ';' of a header value: name (lower-cased) → value, with quoted
/// strings unescaped. nullopt on a syntax error.
std::optional<std::map<std::string, std::string>> ParseParams(std::string_view s) {
    std::map<std::string, std::string> params;
    std::size_t i = 0;
    const auto skip_ws = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    };
    while (true) {
        skip_ws();
        if (i >= s.size()) return params;
        if (s[i] != ';') return std::nullopt;
        ++i;
        skip_ws();
        if (i >= s.size()) return params;  // a trailing ';' is tolerated
        std::string name;
        while (i < s.size() && IsTokenChar(s[i])) name.push_back(AsciiLower(s[i++]));
        if (name.empty()) return std::nullopt;
        skip_ws();
        if (i >= s.size() || s[i] != '=') return std::nullopt;
        ++i;
        skip_ws();
        std::string value;
        if (i < s.size() && s[i] == '"') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                const char c = s[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < s.size()) {
                    value.push_back(s[i++]);
                } else {
                    value.push_back(c);
                }
            }
            if (!closed) return std::nullopt;
        } else {
            while (i < s.size() && IsTokenChar(s[i])) value.push_back(s[i++]);
            if (value.empty()) return std::nullopt;
        }
        if (params.contains(name)) return std::nullopt;  // ambiguous: two names, two filenames
        params.emplace(std::move(name), std::move(value));
    }
}

struct PartHeaders {
    std::optional<std::string> name;
    std::optional<std::string> filename;
    std::string content_type;
};

Result<PartHeaders> ParsePartHeaders(std::string_view block) {
    PartHeaders out;
    bool disposition_seen = false;
    while (!block.empty()) {
        const std::size_t eol = block.find("\r\n");
        const std::string_view line = block.substr(0, eol);
        block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
        if (line.empty()) continue;
        if (line.front() == ' ' || line.front() == '\t') return Invalid("folded part header");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return Invalid("part header without a name");
        const std::string_view name = line.substr(0, colon);
        for (const char c : name) {
            if (!IsTokenChar(c)) return Invalid("bad part header name");
        }
        const std::string_view value = Trim(line.substr(colon + 1));
        for (const char c : value) {
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) return Invalid("control character");
        }
        if (EqualsIgnoreCase(name, "Content-Disposition")) {
            if (disposition_seen) return Invalid("repeated Content-Disposition");
            disposition_seen = true;
            const std::size_t semi = value.find(';');
            if (!EqualsIgnoreCase(Trim(value.substr(0, semi)), "form-data")) return Invalid("not form-data");
            auto params = ParseParams(semi == std::string_view::npos ? std::string_view{} : value.substr(semi));
            if (!params) return Invalid("bad Content-Disposition parameters");
            if (auto it = params->find("name"); it != params->end()) out.name = it->second;
            if (auto it = params->find("filename"); it != params->end()) out.filename = it->second;
        } else if (EqualsIgnoreCase(name, "Content-Type")) {
            out.content_type = std::string(value);
        }
    }
    if (!disposition_seen || !out.name || out.name->empty()) return Invalid("part without a field name");
    return out;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
    const std::size_t semi = content_type.find(';');
    if (!EqualsIgnoreCase(Trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
    if (semi == std::string_view::npos) return std::nullopt;
    const auto params = ParseParams(content_type.substr(semi));
    if (!params) return std::nullopt;
    const auto it = params->find("boundary");
    if (it == params->end()) return std::nullopt;
    const std::string& b = it->second;
    if (b.empty() || b.size() > 70 || b.back() == ' ') return std::nullopt;
    for (const char c : b) {
        if (!IsBoundaryChar(c)) return std::nullopt;
    }
    return b;
}

Result<MultipartForm> ParseMultipart(std::string_view content_type, std::string_view body,
                                     const MultipartLimits& limits) {
    const auto boundary = MultipartBoundary(content_type);
    if (!boundary) return Invalid("missing or invalid multipart boundary");
    const std::string delimiter = "--" + *boundary;
    const std::string inner_delimiter = "\r\n" + delimiter;

    // The first delimiter opens the body, or follows a preamble.
    std::size_t pos = 0;
    if (body.substr(0, delimiter.size()) == delimiter) {
        pos = delimiter.size();
    } else {
        const std::size_t found = body.find(inner_delimiter);
        if (found == std::string_view::npos) return Invalid("no multipart delimiter");
        pos = found + inner_delimiter.size();
    }

    MultipartForm form;
    std::size_t parts = 0;
    while (true) {
        // After a delimiter: "--" closes the body; otherwise optional padding, then CRLF.
        if (body.substr(pos, 2) == "--") return form;  // the epilogue, if any, is ignored
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
        if (body.substr(pos, 2) != "\r\n") {
            return Invalid(pos >= body.size() ? "truncated multipart body" : "junk after a delimiter");
        }
        pos += 2;
        if (++parts > limits.max_parts) return Invalid("too many parts");

        // The header block ends with an empty line.
        std::size_t headers_end = std::string_view::npos;
        if (body.substr(pos, 2) == "\r\n") {
            headers_end = pos;  // no headers at all
        } else {
            const std::size_t window = std::min(body.size() - pos, limits.max_header_bytes + 4);
            const std::size_t found = body.substr(pos, window).find("\r\n\r\n");
            if (found == std::string_view::npos) {
                const bool truncated = window < limits.max_header_bytes + 4;
                return Invalid(truncated ? "truncated part headers" : "part headers too large");
            }
            headers_end = pos + found + 2;
        }
        if (headers_end - pos > limits.max_header_bytes) return Invalid("part headers too large");
        auto headers = ParsePartHeaders(body.substr(pos, headers_end - pos));
        if (!headers) return headers.error();
        pos = headers_end + 2;

        const std::size_t end = body.find(inner_delimiter, pos);
        if (end == std::string_view::npos) return Invalid("truncated multipart body");
        std::string_view content = body.substr(pos, end - pos);
        pos = end + inner_delimiter.size();

        if (headers->filename) {
            if (headers->filename->empty() && content.empty()) continue;  // a file input left empty
            form.files.push_back(FilePart{*headers->name, *headers->filename, headers->content_type,
                                          std::string(content)});
        } else {
            // A longer field is kept cut to the limit, at a character boundary: longer than any
            // field accepts, so validation names it too long, and every other field is shown
            // again as typed instead of the whole form being lost.
            if (content.size() > limits.max_field_bytes) {
                std::size_t cut = limits.max_field_bytes;
                while (cut > 0 && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80) --cut;
                content = content.substr(0, cut);
            }
            form.fields.insert_or_assign(*headers->name, std::string(content));
        }
    }
}

}  // namespace lifeline::public_site
