#include "http/message.hpp"

#include "core/bytes.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace lifeline::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }


std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A JSON string literal (with quotes), inert wherever it ends up (see AppendJsonString).
std::string JsonString(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    AppendJsonString(out, s, true);
    return out;
}

// Calls fn(raw_name, raw_value) with each non-empty name=value pair of a form or query string,
// still percent-encoded (no `=`: an empty value), until fn returns false.
template <typename Fn>
void ForEachRawPair(std::string_view s, Fn&& fn) {
    while (!s.empty()) {
        const std::size_t amp = s.find('&');
        const std::string_view pair = s.substr(0, amp);
        s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        const std::string_view raw_name = pair.substr(0, eq);
        const std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (!fn(raw_name, raw_value)) return;
    }
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
    }
    return true;
}

void Headers::Set(std::string name, std::string value) {
    std::erase_if(items_, [&](const auto& item) { return EqualsIgnoreCase(item.first, name); });
    items_.emplace_back(std::move(name), std::move(value));
}

void Headers::Add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }

std::optional<std::string_view> Headers::Get(std::string_view name) const {
    for (const auto& [n, v] : items_) {
        if (EqualsIgnoreCase(n, name)) return std::string_view(v);
    }
    return std::nullopt;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
    // Cookie: a=1; b=2 (RFC 6265 section 4.2). Every Cookie header is searched, first match wins.
    for (const auto& [header_name, header_value] : headers.all()) {
        if (!EqualsIgnoreCase(header_name, "Cookie")) continue;
        std::string_view rest = header_value;
        while (!rest.empty()) {
            const std::size_t semi = rest.find(';');
            const std::string_view item = Trim(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            const std::size_t eq = item.find('=');
            if (eq == std::string_view::npos) continue;
            if (Trim(item.substr(0, eq)) != name) continue;
            std::string_view value = Trim(item.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return std::string(value);
        }
    }
    return std::nullopt;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
    // Pairs that fail to decode are skipped; the first occurrence wins.
    std::optional<std::string> found;
    ForEachRawPair(query, [&](std::string_view raw_name, std::string_view raw_value) {
        if (raw_name.empty() || PercentDecode(raw_name, true) != name) return true;
        found = PercentDecode(raw_value, true);
        return !found.has_value();
    });
    return found;
}

Response Response::Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.headers.Set("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

Response Response::Text(int status, std::string body) {
    Response r;
    r.status = status;
    r.headers.Set("Content-Type", "text/plain; charset=utf-8");
    r.body = std::move(body);
    return r;
}

Response Response::Html(int status, std::string body) {
    Response r;
    r.status = status;
    r.headers.Set("Content-Type", "text/html; charset=utf-8");
    r.body = std::move(body);
    return r;
}

Response Response::Error(int status, std::string_view code, std::string_view message) {
    std::string body = "{\"error\":{\"code\":";
    body += JsonString(code);
    body += ",\"message\":";
    body += JsonString(message);
    body += "}}";
    return Json(status, std::move(body));
}

Response ErrorResponse(ErrorCode code, std::string_view message) {
    int status = 500;
    switch (code) {
        case ErrorCode::kInvalidArgument: status = 400; break;
        case ErrorCode::kUnauthenticated: status = 401; break;
        case ErrorCode::kForbidden: status = 403; break;
        case ErrorCode::kNotFound: status = 404; break;
        case ErrorCode::kAlreadyExists: status = 409; break;
        case ErrorCode::kConflict: status = 409; break;
        case ErrorCode::kLocked: status = 423; break;
        case ErrorCode::kRateLimited: status = 429; break;
        case ErrorCode::kUnavailable: status = 503; break;
        case ErrorCode::kOk:
        case ErrorCode::kDecryptFailed:
        case ErrorCode::kIntegrity:
        case ErrorCode::kInternal: break;
    }
    if (status == 500) return Response::Error(500, "internal", "internal error");
    return Response::Error(status, ErrorCodeName(code), message);
}

namespace {

// The byte two hex digits stand for, indexed by the digits as they lie in memory (the first in
// the low byte of a little-endian load), or 0x100 when either is not a hex digit: one lookup per
// escape instead of two. 128 KiB of read-only data, of which text touches a few lines.
constexpr std::array<std::uint16_t, 65536> kHexPairValues = [] {
    std::array<std::uint16_t, 65536> t{};
    for (unsigned first = 0; first < 256; ++first) {
        for (unsigned second = 0; second < 256; ++second) {
            const unsigned high = kHexDigitValues[first];
            const unsigned low = kHexDigitValues[second];
            t[first | second << 8] = static_cast<std::uint16_t>((high | low) > 0xF ? 0x100 : high << 4 | low);
        }
    }
    return t;
}();

unsigned HexPairAt(const unsigned char* digits) {
    // Assembled by hand rather than loaded: the same on any byte order.
    return kHexPairValues[static_cast<unsigned>(digits[0]) | static_cast<unsigned>(digits[1]) << 8];
}

// Decodes `s` into `out` (room for s.size() bytes: decoding never lengthens); the bytes written,
// or nothing if an escape is malformed.
std::optional<std::size_t> DecodeInto(std::string_view s, bool form, char* out) {
    char* w = out;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    // Up to `safe`, every %XX has its two digits inside the input. A pair that is not hex has the
    // value 0x100; the values are OR-ed together and checked once at the end instead of after
    // each escape (non-ASCII text is nothing but escapes).
    const auto* const safe = s.size() >= 2 ? end - 2 : p;
    unsigned bad = 0;
    while (p < safe) {
        const unsigned char c = *p;
        if (c == '%') {
            const unsigned byte = HexPairAt(p + 1);
            bad |= byte;
            *w++ = static_cast<char>(byte);
            p += 3;
        } else {
            *w++ = c == '+' && form ? ' ' : static_cast<char>(c);
            ++p;
        }
    }
    if (bad > 0xFF) return std::nullopt;
    for (; p != end; ++p) {  // the last two bytes (or fewer): no room for an escape
        if (*p == '%') return std::nullopt;
        *w++ = *p == '+' && form ? ' ' : static_cast<char>(*p);
    }
    return static_cast<std::size_t>(w - out);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s, bool form) {
    std::string out(s.size(), '\0');
    const auto written = DecodeInto(s, form, out.data());
    if (!written) return std::nullopt;
    out.resize(*written);
    return out;
}

std::optional<FieldMap> ParseForm(std::string_view body, std::size_t max_pairs) {
    // Every name and value is decoded into one buffer, and the map is built once, from views of
    // it in sorted order, instead of a sorted insert per pair: no temporary string per name and
    // value, and no shifting of the pairs already inserted (a form's fields arrive in the form's
    // order, not the map's).
    struct Pair {
        std::string_view name;
        std::string_view value;
        std::size_t order;  // a repeated name: the last one wins
    };
    // Not zero-filled: every byte read back was written by DecodeInto first.
    const auto decoded = std::make_unique_for_overwrite<char[]>(body.size());
    std::vector<Pair> pairs;
    pairs.reserve(std::min<std::size_t>(max_pairs, 16) + 1);
    char* w = decoded.get();
    bool too_many = false;
    ForEachRawPair(body, [&](std::string_view raw_name, std::string_view raw_value) {
        // Pairs that fail to decode or have an empty name are skipped, as in a query.
        const auto name_size = DecodeInto(raw_name, true, w);
        if (!name_size || *name_size == 0) return true;
        const auto value_size = DecodeInto(raw_value, true, w + *name_size);
        if (!value_size) return true;
        if (pairs.size() == max_pairs) {
            too_many = true;
            return false;
        }
        pairs.push_back({{w, *name_size}, {w + *name_size, *value_size}, pairs.size()});
        w += *name_size + *value_size;
        return true;
    });
    if (too_many) return std::nullopt;
    std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
        const int by_name = a.name.compare(b.name);
        return by_name != 0 ? by_name < 0 : a.order < b.order;
    });
    FieldMap::sequence_type sorted;
    sorted.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (i + 1 < pairs.size() && pairs[i + 1].name == pairs[i].name) continue;  // a later one follows
        sorted.emplace_back(std::string(pairs[i].name), std::string(pairs[i].value));
    }
    FieldMap form;
    form.adopt_sequence(boost::container::ordered_unique_range, std::move(sorted));
    return form;
}

Response Response::Events(std::shared_ptr<EventStream> stream) {
    Response response;
    response.stream = std::move(stream);
    return response;
}

namespace {

// An SSE field value must hold no line break (it would start another field) and an id no NUL.
void AppendField(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    for (char c : value) {
        if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    }
    out.push_back('\n');
}

}  // namespace

bool EventStream::Send(std::string_view event, std::string_view data, std::optional<std::string> id) {
    if (closed()) return false;
    std::string chunk;
    chunk.reserve(data.size() + event.size() + 16);
    if (id) AppendField(chunk, "id", *id);
    if (!event.empty()) AppendField(chunk, "event", event);
    // CRLF, LF and CR all end a line in an event stream.
    for (;;) {
        const std::size_t end = data.find_first_of("\r\n");
        chunk += "data: ";
        chunk += data.substr(0, end);
        chunk.push_back('\n');
        if (end == std::string_view::npos) break;
        const std::size_t next = (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? end + 2
                                                                                                       : end + 1;
        data.remove_prefix(next);
    }
    chunk.push_back('\n');
    return Push(std::move(chunk));
}

bool EventStream::Push(std::string chunk) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (queue_.size() >= kMaxQueuedChunks || queued_bytes_ + chunk.size() > kMaxQueuedBytes) {
        // A client this far behind is not coming back: close rather than grow without bound.
        closed_ = true;
        queue_.clear();
        queued_bytes_ = 0;
        WakeLocked();
        return false;
    }
    queued_bytes_ += chunk.size();
    queue_.push_back(std::move(chunk));
    WakeLocked();
    return true;
}

void EventStream::Close() {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    WakeLocked();
}

bool EventStream::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void EventStream::WakeLocked() {
    if (wake_pending_ || !wake_) return;
    wake_pending_ = true;
    wake_();
}

bool EventStream::Attach(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    if (attached_) return false;
    attached_ = true;
    wake_ = std::move(wake);
    wake_pending_ = false;
    return true;
}

EventStream::Batch EventStream::Take() {
    Batch batch;
    std::lock_guard lock(mutex_);
    wake_pending_ = false;
    batch.data.reserve(queued_bytes_);
    for (std::string& chunk : queue_) batch.data += chunk;
    queue_.clear();
    queued_bytes_ = 0;
    batch.closed = closed_;
    return batch;
}

void EventStream::Detach() {
    std::function<void()> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        queue_.clear();
        queued_bytes_ = 0;
        wake.swap(wake_);
        wake_pending_ = false;
    }
    // Destroyed outside the lock.
}

}  // namespace lifeline::http
