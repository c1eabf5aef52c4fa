#pragma once
/// Every setting of `lifeline serve`, with its default. A TOML file (--config) may override any of
/// them; an unknown key or a bad value stops start-up with the key's name.

#include <string>

#include "api/api.hpp"
#include "auth/auth_service.hpp"
#include "core/result.hpp"
#include "http/server.hpp"
#include "public_site/public_site.hpp"
#include "queue/queue_service.hpp"

namespace lifeline::app {

struct Config {
    /// [server] and [tls]: listeners, limits, time-outs (see http::ServerConfig for each field).
    http::ServerConfig server;
    /// [auth]: sessions, second factor, lockout.
    auth::AuthConfig auth;
    /// [auth] secure_cookies, login rate.
    api::ApiConfig api;
    /// [store] backend: "sqlite" (embedded, the default).
    std::string store_backend = "sqlite";
    /// [store] max_batch: most writes committed in one transaction.
    std::size_t store_max_batch = 256;
    /// [site]: the applicant site (official channels, attachment size, rate limits).
    public_site::PublicSiteConfig site;
    /// [console] dir: the built operator console (console/dist), served under /console/.
    std::string console_dir = LIFELINE_DEFAULT_CONSOLE_DIR;
    /// [queue]: offer_timeout_seconds (20), overflow_after_seconds (60), wrap_up_seconds (30),
    /// max_chats (3) per operator, service_level_seconds (20: T of the wallboard's SL).
    queue::QueueServiceConfig queue;
    /// [log] level: trace, debug, info, warn, error.
    std::string log_level = "info";
};

/// Reads a TOML file over the defaults.
Result<Config> LoadConfig(const std::string& path);
/// Applies TOML text over the given config (for tests and for LoadConfig).
Result<void> ApplyConfigText(Config& config, std::string_view toml_text, std::string_view source = "config");

}  // namespace lifeline::app
