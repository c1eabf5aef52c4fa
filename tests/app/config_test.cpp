#include "app/config.hpp"

#include <gtest/gtest.h>

namespace lifeline::app {
namespace {

TEST(Config, DefaultsNeedNoFile) {
    Config c;
    EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
    EXPECT_TRUE(c.auth.require_totp);
    EXPECT_EQ(c.store_backend, "sqlite");
}

TEST(Config, EverySectionOverrides) {
    Config c;
    auto r = ApplyConfigText(c, R"(
[server]
listen = "0.0.0.0:9000"
admin_listen = "127.0.0.1:9100"
max_connections = 50
body_limit_bytes = 2048
read_timeout_ms = 1500
[tls]
certificate_chain_file = "/etc/lifeline/cert.pem"
private_key_file = "/etc/lifeline/key.pem"
[auth]
session_idle_minutes = 10
require_totp = false
lockout_threshold = 3
[store]
max_batch = 32
[log]
level = "warn"
)");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
    EXPECT_EQ(c.server.admin_listen, "127.0.0.1:9100");
    EXPECT_EQ(c.server.max_connections, 50u);
    EXPECT_EQ(c.server.body_limit, 2048u);
    EXPECT_EQ(c.server.read_timeout, std::chrono::milliseconds(1500));
    ASSERT_TRUE(c.server.tls);
    EXPECT_EQ(c.server.tls->private_key_file, "/etc/lifeline/key.pem");
    EXPECT_EQ(c.auth.session_idle, std::chrono::minutes(10));
    EXPECT_FALSE(c.auth.require_totp);
    EXPECT_EQ(c.auth.lockout_threshold, 3);
    EXPECT_EQ(c.store_max_batch, 32u);
    EXPECT_EQ(c.log_level, "warn");
}

TEST(Config, ErrorsNameTheKeyAndLeaveTheConfigAlone) {
    struct Case {
        const char* text;
        const char* key;
    };
    for (auto [text, key] : {Case{"[server]\nlisten = \"nowhere\"", "server.listen"},
                             Case{"[server]\nio_threads = 1.5", "server.io_threads"},
                             Case{"[sever]\nlisten = \"1.2.3.4:5\"", "sever.listen"},
                             Case{"colour = \"blue\"", "colour"},
                             Case{"[store]\nbackend = \"oracle\"", "store.backend"},
                             Case{"[log]\nlevel = \"loud\"", "log.level"},
                             Case{"[tls]\nprivate_key_file = \"k.pem\"", "tls"}}) {
        Config c;
        auto r = ApplyConfigText(c, text);
        ASSERT_FALSE(r.ok()) << text;
        EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
        EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
        EXPECT_FALSE(c.server.tls);
    }
}

}  // namespace
}  // namespace lifeline::app
