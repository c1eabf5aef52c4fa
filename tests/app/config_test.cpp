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
inline_body_limit_bytes = 512
read_timeout_ms = 1500
body_timeout_ms = 120000
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
    EXPECT_EQ(c.server.inline_body_limit, 512u);
    EXPECT_EQ(c.server.read_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(c.server.body_timeout, std::chrono::milliseconds(120000));
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

TEST(Config, QueueKeys) {
    Config c;
    EXPECT_EQ(c.queue.engine.offer_timeout, std::chrono::seconds(20));
    EXPECT_EQ(c.queue.service_level, std::chrono::seconds(20));
    auto r = ApplyConfigText(c, R"(
[queue]
offer_timeout_seconds = 30
overflow_after_seconds = 120
wrap_up_seconds = 0
max_chats = 2
service_level_seconds = 15
)");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(c.queue.engine.offer_timeout, std::chrono::seconds(30));
    EXPECT_EQ(c.queue.engine.overflow_after, std::chrono::seconds(120));
    EXPECT_EQ(c.queue.engine.wrap_up, std::chrono::milliseconds(0));
    EXPECT_EQ(c.queue.engine.max_chats, 2);
    EXPECT_EQ(c.queue.service_level, std::chrono::seconds(15));

    for (auto [text, key] : {std::pair{"[queue]\noffer_timeout_seconds = 1", "queue.offer_timeout_seconds"},
                             {"[queue]\nmax_chats = 0", "queue.max_chats"},
                             {"[queue]\nservice_level_seconds = \"20\"", "queue.service_level_seconds"},
                             {"[queue]\nwrap_up_seconds = -1", "queue.wrap_up_seconds"},
                             {"[queue]\nlanes = 2", "queue.lanes"}}) {
        Config bad;
        auto e = ApplyConfigText(bad, text);
        ASSERT_FALSE(e.ok()) << text;
        EXPECT_NE(e.error().message.find(key), std::string::npos) << e.error().message;
        EXPECT_EQ(bad.queue.engine.max_chats, 3);
    }
}

}  // namespace
}  // namespace lifeline::app
