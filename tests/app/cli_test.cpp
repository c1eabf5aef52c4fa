// The real binary, end to end: init, serve, user and audit commands, config errors, SIGTERM.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "app/process.hpp"
#include "http_client.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = RunLifeline({"init", "--data", data_});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        admin_password_ = Field(r.out, "one-time password");
        recovery_ = Field(r.out, "recovery key");
        ASSERT_EQ(admin_password_.size(), 20u) << r.out;
    }
    CommandResult Lifeline(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin() + 2, {"--data", data_});
        return RunLifeline(args, "", env);
    }
    TempDir dir_;
    std::string data_ = dir_ / "data";
    std::string admin_password_;
    std::string recovery_;
};

TEST_F(CliTest, InitKeepsSecretsPrivateAndRunsOnce) {
    struct stat st {};
    ASSERT_EQ(::stat((data_ + "/secrets").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    ASSERT_EQ(::stat(data_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700);
    EXPECT_FALSE(recovery_.empty());
    auto again = RunLifeline({"init", "--data", data_});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("already initialised"), std::string::npos);
    // The one-time password is not stored anywhere in the data directory.
    EXPECT_EQ(ReadFile(data_ + "/lifeline.db").find(admin_password_), std::string::npos);
    EXPECT_EQ(ReadFile(data_ + "/lifeline.db-wal").find(admin_password_), std::string::npos);
}

TEST_F(CliTest, ServeAnswersAndStopsCleanlyOnSigterm) {
    ServerProcess server({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
    ASSERT_GT(server.port(), 0) << server.Stderr();
    auto health = Fetch(server.port(), "GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_NE(health.Header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(health.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(health.Header("X-Content-Type-Options"), "nosniff");
    auto login = Fetch(server.port(), "POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}},
                       R"({"username":"admin","password":")" + admin_password_ + R"("})");
    EXPECT_EQ(login.status, 200) << login.body;
    EXPECT_NE(login.body.find("password_change"), std::string::npos);
    EXPECT_NE(login.Header("Set-Cookie").find("__Host-lifeline="), std::string::npos);
    auto metrics = Fetch(server.port(), "GET", "/metrics");
    EXPECT_NE(metrics.body.find("/api/v1/auth/login"), std::string::npos);
    EXPECT_EQ(metrics.body.find(admin_password_), std::string::npos);
    EXPECT_EQ(server.Stop(), 0);
    // Nothing personal or secret in the server's log either.
    EXPECT_EQ(server.Stderr().find(admin_password_), std::string::npos);
}

TEST_F(CliTest, UserCommands) {
    std::map<std::string, std::string> env{{"LIFELINE_ADMIN_PASSWORD", admin_password_}};
    auto add = Lifeline({"user", "add", "--username", "olena", "--role", "supervisor"}, env);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_EQ(Field(add.out, "one-time password").size(), 20u);
    auto dup = Lifeline({"user", "add", "--username", "olena"}, env);
    EXPECT_EQ(dup.exit_code, 1);
    auto bad = Lifeline({"user", "add", "--username", "petro"}, {{"LIFELINE_ADMIN_PASSWORD", "wrong password"}});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("wrong administrator"), std::string::npos);
    // The password can come on stdin too.
    auto via_stdin = RunLifeline({"user", "add", "--data", data_, "--username", "petro", "--role", "coordinator"},
                                 admin_password_ + "\n");
    EXPECT_EQ(via_stdin.exit_code, 0) << via_stdin.err;

    auto list = Lifeline({"user", "list"});
    EXPECT_NE(list.out.find("olena"), std::string::npos);
    EXPECT_NE(list.out.find("supervisor"), std::string::npos);
    EXPECT_NE(list.out.find("coordinator"), std::string::npos);
    EXPECT_EQ(Lifeline({"user", "disable", "--username", "olena"}).exit_code, 0);
    list = Lifeline({"user", "list"});
    EXPECT_NE(list.out.find("disabled"), std::string::npos);
    EXPECT_EQ(Lifeline({"user", "disable", "--username", "nobody"}).exit_code, 1);

    // Queue skills at creation: known codes only, for roles that take contacts; nothing is
    // created when they are refused.
    auto skilled = Lifeline({"user", "add", "--username", "oksana", "--languages", "uk,en", "--kinds",
                             "relative_inquiry"},
                            env);
    ASSERT_EQ(skilled.exit_code, 0) << skilled.err;
    EXPECT_EQ(Lifeline({"user", "add", "--username", "x1", "--languages", "de"}, env).exit_code, 1);
    EXPECT_EQ(Lifeline({"user", "add", "--username", "x2", "--kinds", "spy"}, env).exit_code, 1);
    auto coord_skills =
        Lifeline({"user", "add", "--username", "x3", "--role", "coordinator", "--languages", "uk"}, env);
    EXPECT_EQ(coord_skills.exit_code, 1);
    EXPECT_NE(coord_skills.err.find("takes no contacts"), std::string::npos) << coord_skills.err;
    list = Lifeline({"user", "list"});
    EXPECT_NE(list.out.find("en,uk; relative_inquiry"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("all languages; all kinds"), std::string::npos) << list.out;  // olena
    EXPECT_EQ(list.out.find("x1"), std::string::npos) << list.out;
    EXPECT_EQ(list.out.find("x3"), std::string::npos) << list.out;

    auto reset = Lifeline({"user", "reset", "--username", "petro"}, env);
    ASSERT_EQ(reset.exit_code, 0) << reset.err;
    EXPECT_NE(Field(reset.out, "one-time password"), Field(via_stdin.out, "one-time password"));

    auto verify = Lifeline({"audit", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("intact"), std::string::npos);
}

TEST_F(CliTest, AuditVerifyNamesTheFirstBadEntry) {
    std::map<std::string, std::string> env{{"LIFELINE_ADMIN_PASSWORD", admin_password_}};
    for (auto name : {"a1", "a2", "a3"}) ASSERT_EQ(Lifeline({"user", "add", "--username", name}, env).exit_code, 0);
    ASSERT_EQ(Lifeline({"audit", "verify"}).exit_code, 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ + "/lifeline.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE audit SET detail = 'role=admin' WHERE seq = 3", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto verify = Lifeline({"audit", "verify"});
    EXPECT_EQ(verify.exit_code, 2);
    EXPECT_NE(verify.out.find("entry 3"), std::string::npos) << verify.out;
}

TEST_F(CliTest, ConfigErrorsNameTheKey) {
    auto write = [&](const std::string& text) {
        std::string path = dir_ / "lifeline.toml";
        FILE* f = std::fopen(path.c_str(), "w");
        std::fputs(text.c_str(), f);
        std::fclose(f);
        return path;
    };
    auto unknown = RunLifeline({"serve", "--data", data_, "--config", write("[server]\nlisten_port = 80\n")});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("server.listen_port"), std::string::npos) << unknown.err;
    auto bad = RunLifeline({"serve", "--data", data_, "--config", write("[server]\nmax_connections = -3\n")});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("server.max_connections"), std::string::npos) << bad.err;
    auto type = RunLifeline({"serve", "--data", data_, "--config", write("[auth]\nrequire_totp = \"yes\"\n")});
    EXPECT_EQ(type.exit_code, 1);
    EXPECT_NE(type.err.find("auth.require_totp"), std::string::npos) << type.err;
    auto syntax = RunLifeline({"serve", "--data", data_, "--config", write("[server\n")});
    EXPECT_EQ(syntax.exit_code, 1);
}

TEST_F(CliTest, ASigtermRightAfterThePortLineStopsCleanly) {
    // Scripts read "listening on PORT" and may stop the server at once: the signal must be
    // caught by then, not kill the process (exit 143).
    for (int i = 0; i < 5; ++i) {
        ServerProcess server({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
        ASSERT_GT(server.port(), 0) << server.Stderr();
        EXPECT_EQ(server.Stop(), 0) << "run " << i;
    }
}

TEST_F(CliTest, ASecondServerOnTheSameDataIsRefusedWhileTheFirstRuns) {
    ServerProcess first({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
    ASSERT_GT(first.port(), 0) << first.Stderr();
    auto second = RunLifeline({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("already serving"), std::string::npos) << second.err;
    // The first still serves, and the CLI's commands still run beside it.
    EXPECT_EQ(Fetch(first.port(), "GET", "/healthz").status, 200);
    EXPECT_EQ(Lifeline({"audit", "verify"}).exit_code, 0);
    EXPECT_EQ(first.Stop(), 0);
    // Once it is gone, the lock is free again.
    ServerProcess third({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
    ASSERT_GT(third.port(), 0) << third.Stderr();
    EXPECT_EQ(third.Stop(), 0);
}

TEST_F(CliTest, ConfigFileMovesMetricsToAnAdminListener) {
    std::string path = dir_ / "admin.toml";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("[server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n", f);
    std::fclose(f);
    ServerProcess server({"serve", "--data", data_, "--config", path});
    ASSERT_GT(server.port(), 0) << server.Stderr();
    EXPECT_EQ(Fetch(server.port(), "GET", "/metrics").status, 404);
    EXPECT_EQ(server.Stop(), 0);
}

TEST(Cli, ServeOnAnEmptyDirectoryExplainsWhatToDo) {
    TempDir dir;
    auto r = RunLifeline({"serve", "--data", dir / "nothing"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("lifeline init"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lifeline::testing
