#include "app/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace lifeline::app {
namespace {

using Setter = std::function<std::optional<std::string>(const toml::node&)>;

template <typename T>
Setter Integer(T& field, std::int64_t min, std::int64_t max) {
    return [&field, min, max](const toml::node& n) -> std::optional<std::string> {
        auto v = n.value<std::int64_t>();
        if (!n.is_integer() || !v) return "expected an integer";
        if (*v < min || *v > max) return fmt::format("expected an integer from {} to {}", min, max);
        field = static_cast<T>(*v);
        return std::nullopt;
    };
}

template <typename Duration>
Setter Span(Duration& field, std::int64_t min, std::int64_t max) {
    return [&field, min, max](const toml::node& n) -> std::optional<std::string> {
        auto v = n.value<std::int64_t>();
        if (!n.is_integer() || !v) return "expected an integer";
        if (*v < min || *v > max) return fmt::format("expected an integer from {} to {}", min, max);
        field = Duration(*v);
        return std::nullopt;
    };
}

/// Whole seconds in the file, kept as milliseconds.
Setter Seconds(std::chrono::milliseconds& field, std::int64_t min, std::int64_t max) {
    return [&field, min, max](const toml::node& n) -> std::optional<std::string> {
        auto v = n.value<std::int64_t>();
        if (!n.is_integer() || !v) return "expected an integer";
        if (*v < min || *v > max) return fmt::format("expected an integer from {} to {}", min, max);
        field = std::chrono::seconds(*v);
        return std::nullopt;
    };
}

Setter Text(std::string& field, std::function<std::optional<std::string>(const std::string&)> check = {}) {
    return [&field, check](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_string()) return "expected a string";
        std::string v = *n.value<std::string>();
        if (check)
            if (auto err = check(v)) return err;
        field = std::move(v);
        return std::nullopt;
    };
}

Setter Flag(bool& field) {
    return [&field](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_boolean()) return "expected true or false";
        field = *n.value<bool>();
        return std::nullopt;
    };
}

Setter Number(double& field, double min, double max) {
    return [&field, min, max](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_number()) return "expected a number";
        double v = *n.value<double>();
        if (v < min || v > max) return fmt::format("expected a number from {} to {}", min, max);
        field = v;
        return std::nullopt;
    };
}

std::optional<std::string> CheckListen(const std::string& v) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) return "expected \"ADDRESS:PORT\"";
    for (char c : v.substr(colon + 1))
        if (c < '0' || c > '9') return "expected \"ADDRESS:PORT\"";
    return std::nullopt;
}

std::map<std::string, Setter> Setters(Config& c, std::optional<http::TlsConfig>& tls) {
    std::map<std::string, Setter> s;
    auto& srv = c.server;
    s["server.listen"] = Text(srv.listen, CheckListen);
    s["server.admin_listen"] = Text(srv.admin_listen, [](const std::string& v) -> std::optional<std::string> {
        return v.empty() ? std::nullopt : CheckListen(v);
    });
    s["server.io_threads"] = Integer(srv.io_threads, 0, 256);
    s["server.worker_threads"] = Integer(srv.worker_threads, 1, 1024);
    s["server.header_limit_bytes"] = Integer(srv.header_limit, 1024, 1 << 20);
    s["server.body_limit_bytes"] = Integer(srv.body_limit, 1024, 1LL << 32);
    s["server.inline_body_limit_bytes"] = Integer(srv.inline_body_limit, 0, 1LL << 32);
    s["server.read_timeout_ms"] = Span(srv.read_timeout, 100, 600'000);
    s["server.body_timeout_ms"] = Span(srv.body_timeout, 100, 3'600'000);
    s["server.idle_timeout_ms"] = Span(srv.idle_timeout, 100, 3'600'000);
    s["server.write_timeout_ms"] = Span(srv.write_timeout, 100, 600'000);
    s["server.max_connections"] = Integer(srv.max_connections, 1, 1'000'000);
    s["server.drain_timeout_ms"] = Span(srv.drain_timeout, 0, 600'000);
    s["tls.certificate_chain_file"] = [&tls](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_string()) return "expected a string";
        if (!tls) tls.emplace();
        tls->certificate_chain_file = *n.value<std::string>();
        return std::nullopt;
    };
    s["tls.private_key_file"] = [&tls](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_string()) return "expected a string";
        if (!tls) tls.emplace();
        tls->private_key_file = *n.value<std::string>();
        return std::nullopt;
    };
    auto& a = c.auth;
    s["auth.session_idle_minutes"] = Span(a.session_idle, 1, 24 * 60);
    s["auth.session_absolute_hours"] = Span(a.session_absolute, 1, 24 * 7);
    s["auth.require_totp"] = Flag(a.require_totp);
    s["auth.lockout_threshold"] = Integer(a.lockout_threshold, 1, 100);
    s["auth.lockout_base_seconds"] = Span(a.lockout_base, 1, 86'400);
    s["auth.lockout_max_seconds"] = Span(a.lockout_max, 1, 86'400 * 30);
    s["auth.totp_issuer"] = Text(a.totp_issuer);
    s["auth.secure_cookies"] = Flag(c.api.secure_cookies);
    s["auth.login_burst"] = Number(c.api.login_burst, 1, 10'000);
    s["auth.login_per_minute"] = Number(c.api.login_per_minute, 0.1, 10'000);
    s["store.backend"] = Text(c.store_backend, [](const std::string& v) -> std::optional<std::string> {
        if (v == "sqlite") return std::nullopt;
        return "expected \"sqlite\"";
    });
    s["store.max_batch"] = Integer(c.store_max_batch, 1, 100'000);
    s["console.dir"] = Text(c.console_dir);
    s["site.channels"] = [&c](const toml::node& n) -> std::optional<std::string> {
        const auto* array = n.as_array();
        if (!array) return "expected an array of { label = \"...\", address = \"...\" }";
        std::vector<public_site::OfficialChannel> channels;
        for (const auto& item : *array) {
            const auto* t = item.as_table();
            if (!t || t->size() != 2 || !(*t)["label"].is_string() || !(*t)["address"].is_string())
                return "expected an array of { label = \"...\", address = \"...\" }";
            channels.push_back({*(*t)["label"].value<std::string>(), *(*t)["address"].value<std::string>()});
        }
        c.site.channels = std::move(channels);
        return std::nullopt;
    };
    s["site.channels_note"] = Text(c.site.channels_note);
    s["site.max_attachment_bytes"] = Integer(c.site.max_attachment_bytes, 1024, 64LL << 20);
    s["site.max_attachments"] = Integer(c.site.max_attachments, 0, 3);
    s["site.submissions_per_client"] = Number(c.site.submissions_per_client.count, 1, 1e9);
    s["site.submissions_per_contact"] = Number(c.site.submissions_per_contact.count, 1, 1e9);
    s["site.lookups_per_client"] = Number(c.site.lookups_per_client.count, 1, 1e9);
    s["site.messages_per_receipt"] = Number(c.site.messages_per_receipt.count, 1, 1e9);
    auto& q = c.queue;
    s["queue.offer_timeout_seconds"] = Seconds(q.engine.offer_timeout, 5, 600);
    s["queue.overflow_after_seconds"] = Seconds(q.engine.overflow_after, 0, 86'400);
    s["queue.wrap_up_seconds"] = Seconds(q.engine.wrap_up, 0, 3'600);
    s["queue.max_chats"] = Integer(q.engine.max_chats, 1, 50);
    s["queue.service_level_seconds"] = Seconds(q.service_level, 1, 3'600);
    s["log.level"] = Text(c.log_level, [](const std::string& v) -> std::optional<std::string> {
        for (auto l : {"trace", "debug", "info", "warn", "error"})
            if (v == l) return std::nullopt;
        return "expected trace, debug, info, warn or error";
    });
    return s;
}

std::optional<std::string> Walk(const toml::table& table, const std::string& prefix,
                                const std::map<std::string, Setter>& setters) {
    for (const auto& [k, node] : table) {
        const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (node.is_table()) {
            if (auto err = Walk(*node.as_table(), key, setters)) return err;
            continue;
        }
        auto it = setters.find(key);
        if (it == setters.end()) return fmt::format("unknown config key '{}'", key);
        if (auto err = it->second(node)) return fmt::format("config key '{}': {}", key, *err);
    }
    return std::nullopt;
}

}  // namespace

Result<void> ApplyConfigText(Config& config, std::string_view toml_text, std::string_view source) {
    toml::table table;
    try {
        table = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        return {ErrorCode::kInvalidArgument,
                fmt::format("{}:{}: {}", source, e.source().begin.line, std::string(e.description()))};
    }
    Config candidate = config;
    std::optional<http::TlsConfig> tls = candidate.server.tls;
    auto setters = Setters(candidate, tls);
    if (auto err = Walk(table, "", setters)) return {ErrorCode::kInvalidArgument, *err};
    if (tls && (tls->certificate_chain_file.empty() || tls->private_key_file.empty()))
        return {ErrorCode::kInvalidArgument,
                "config key 'tls': both certificate_chain_file and private_key_file are needed"};
    candidate.server.tls = tls;
    config = std::move(candidate);
    return Ok();
}

Result<Config> LoadConfig(const std::string& path) {
    std::ifstream in(path);
    if (!in) return {ErrorCode::kInvalidArgument, fmt::format("cannot read config file {}", path)};
    std::stringstream text;
    text << in.rdbuf();
    Config config;
    if (auto r = ApplyConfigText(config, text.str(), path); !r) return r.error();
    return config;
}

}  // namespace lifeline::app
