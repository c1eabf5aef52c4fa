// lifeline: one binary, subcommands. main only wires the parts together.

#include <termios.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <stop_token>
#include <thread>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "app/config.hpp"
#include "app/data_dir.hpp"
#include "cases/case_service.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "intake/intake_service.hpp"
#include "public_site/public_site.hpp"
#include "queue/queue_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace lifeline::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitAuditBroken = 2;

/// Reads a secret: from the environment variable if set (for scripts), else one line of stdin
/// with echo off when stdin is a terminal.
std::string ReadSecret(const char* env_name, const std::string& prompt) {
    if (const char* v = std::getenv(env_name)) return v;
    const bool tty = ::isatty(STDIN_FILENO);
    termios old{};
    if (tty) {
        std::cerr << prompt << std::flush;
        ::tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << "\n";
    }
    return line;
}

void PrintAccount(const std::string& username, const auth::NewAccount& a) {
    std::cout << fmt::format(
        "user:              {} (id {})\n"
        "one-time password: {}\n"
        "recovery key:      {}\n"
        "Both are shown once. The password must be changed at first login; keep the recovery key offline.\n",
        username, a.id.value, a.one_time_password, a.recovery_key);
}

int Fail(const Error& e) {
    std::cerr << "lifeline: " << e.message << "\n";
    return kExitError;
}

std::unique_ptr<DataDir> OpenOrExit(const std::string& data, const Config& config = {}, bool serving = false) {
    auto dir = OpenDataDir(data, config.auth, config.store_max_batch, serving);
    if (!dir) {
        Fail(dir.error());
        std::exit(kExitError);
    }
    return std::move(*dir);
}

int Serve(const std::string& data, const std::string& config_path, const std::string& listen) {
    Config config;
    if (!config_path.empty()) {
        auto loaded = LoadConfig(config_path);
        if (!loaded) return Fail(loaded.error());
        config = std::move(*loaded);
    }
    if (!listen.empty()) config.server.listen = listen;
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    auto dir = OpenOrExit(data, config, /*serving=*/true);

    const Clock& clock = SystemClock::Instance();
    intake::IntakeService intake(*dir->store, dir->secrets, clock);
    cases::CaseService cases(*dir->store, *dir->audit, clock);
    // The contact queue: rebuilt from its log (original clocks kept); every committed inbound
    // contact enters it. Declared before the server so that it outlives every request.
    std::unique_ptr<queue::QueueService> contact_queue;
    try {
        contact_queue = std::make_unique<queue::QueueService>(*dir->store, clock, config.queue);
        if (const auto n = contact_queue->recovered_at_start(); n > 0)
            spdlog::warn("queue: {} stored contacts had not been queued (a crash before their queue write); queued with their arrival times", n);
    } catch (const LifelineError& e) {
        return Fail(Error{e.code(), fmt::format("queue: {}", e.what())});
    }
    intake.OnIntake([&q = *contact_queue](const intake::IntakeOutcome& outcome, const intake::InboundContact& c) {
        try {
            if (auto r = q.EnterCase(outcome.case_id, c.channel, c.kind, c.language, outcome.new_case); !r)
                spdlog::error("queue: case {} not queued: {}", outcome.case_id.value, r.error().message);
        } catch (const std::exception& e) {
            // The contact is stored; the queue's write failed and is retried with its next step.
            spdlog::error("queue: case {} not queued: {}", outcome.case_id.value, e.what());
        }
    });

    http::Router router;
    http::Metrics metrics;
    if (const auto* sqlite = dynamic_cast<const store::SqliteStore*>(dir->store.get())) {
        // Group commit at work: writes per commit is writes_committed / commits.
        metrics.OnRender([sqlite, &metrics] {
            metrics.SetGauge("lifeline_store_commits", static_cast<double>(sqlite->batches_committed()));
            metrics.SetGauge("lifeline_store_writes_committed", static_cast<double>(sqlite->writes_committed()));
            metrics.SetGauge("lifeline_store_sync_failed", sqlite->sync_failed() ? 1.0 : 0.0);
        });
        // A store that refuses writes is not healthy, though reads go on: /healthz says 503.
        config.server.health = [sqlite]() -> std::string {
            return sqlite->sync_failed() ? "store refuses writes: a write or sync of the WAL failed" : "";
        };
    }
    api::ApiDeps deps{*dir->auth, *dir->audit, clock, config.api, &cases};
    deps.queue = contact_queue.get();
    deps.intake = &intake;
    api::RegisterRoutes(router, deps);
    config.site.secure_cookies = config.api.secure_cookies;
    public_site::PublicSite site(intake, clock, crypto::DeriveKey(dir->secrets.session_key, "lifeline/v1/public-site"),
                                 config.site);
    site.Register(router);
    http::StaticFiles console(config.console_dir, "/console");
    console.Register(router);
    if (console.file_count() == 0)
        spdlog::warn("no console files in '{}' (build it: cd console && npm ci && npm run build)", config.console_dir);

    http::Server server(config.server, router, metrics);
    try {
        server.Start();
    } catch (const LifelineError& e) {
        return Fail(Error{e.code(), e.what()});
    }
    spdlog::info("lifeline serving on port {}{}", server.port(),
                 config.server.admin_listen.empty() ? "" : fmt::format(", admin on port {}", server.admin_port()));
    // Tests and scripts read this line to learn the bound port, and may send SIGTERM right after.
    server.CatchSignals();
    std::cout << "listening on " << server.port() << std::endl;
    // Expired sessions are removed from the store every few minutes (they are refused anyway).
    std::jthread janitor([&dir, &config](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            std::unique_lock lock(m);
            if (cv.wait_for(lock, stop, std::chrono::minutes(5), [] { return false; })) break;
            if (stop.stop_requested()) break;
            const auto now = ToUnixMillis(SystemClock::Instance().Now());
            const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(config.auth.session_idle).count();
            const auto absolute =
                std::chrono::duration_cast<std::chrono::milliseconds>(config.auth.session_absolute).count();
            try {
                dir->store->DeleteExpiredSessions(now - idle, now - absolute);
            } catch (const LifelineError& e) {
                spdlog::warn("session clean-up failed: {}", e.what());
            }
        }
    });
    server.RunUntilSignal();
    janitor.request_stop();
    spdlog::info("lifeline stopped");
    return kExitOk;
}

}  // namespace
}  // namespace lifeline::app

int main(int argc, char** argv) {
    using namespace lifeline;
    using namespace lifeline::app;
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(spdlog::stderr_color_mt("lifeline"));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    CLI::App cli{"lifeline: a confidential hotline platform"};
    cli.require_subcommand(1);
    std::string data;
    std::string config_path;
    std::string listen;
    std::string admin = "admin";
    std::string username;
    std::string role = "operator";
    std::vector<std::string> languages, kinds;

    auto* init = cli.add_subcommand("init", "create a data directory, its keys and the first administrator");
    init->add_option("--data", data, "data directory")->required();
    init->add_option("--admin", admin, "the first administrator's username")->capture_default_str();

    auto* serve = cli.add_subcommand("serve", "serve the applicant site, the console and the API");
    serve->add_option("--data", data, "data directory")->required();
    serve->add_option("--config", config_path, "TOML config file")->check(CLI::ExistingFile);
    serve->add_option("--listen", listen, "ADDRESS:PORT (default 127.0.0.1:8080)");

    auto* user = cli.add_subcommand("user", "operator accounts");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "add an account (asks an administrator's password)");
    auto* user_list = user->add_subcommand("list", "list accounts");
    auto* user_disable = user->add_subcommand("disable", "disable an account and end its sessions");
    auto* user_enable = user->add_subcommand("enable", "enable a disabled account");
    auto* user_reset = user->add_subcommand("reset", "give an account a new one-time password and key pair");
    for (auto* c : {user_add, user_list, user_disable, user_enable, user_reset})
        c->add_option("--data", data, "data directory")->required();
    for (auto* c : {user_add, user_disable, user_enable, user_reset})
        c->add_option("--username", username, "the account")->required();
    user_add->add_option("--role", role, "operator, coordinator, supervisor or admin")->capture_default_str();
    user_add->add_option("--languages", languages, "queue skills: languages taken, e.g. uk,ru (default: all)")
        ->delimiter(',');
    user_add->add_option("--kinds", kinds,
                         "queue skills: case kinds taken, surrender_application,relative_inquiry (default: all)")
        ->delimiter(',');
    for (auto* c : {user_add, user_reset})
        c->add_option("--admin", admin, "administrator whose password unlocks the team key (password from "
                                        "LIFELINE_ADMIN_PASSWORD or stdin)")
            ->capture_default_str();

    auto* audit_cmd = cli.add_subcommand("audit", "the audit log");
    audit_cmd->require_subcommand(1);
    auto* audit_verify = audit_cmd->add_subcommand("verify", "check the hash chain end to end");
    audit_verify->add_option("--data", data, "data directory")->required();

    CLI11_PARSE(cli, argc, argv);

    try {
        if (*init) {
            auto out = InitDataDir(data, admin);
            if (!out) return Fail(out.error());
            std::cout << "initialised " << data << "\n";
            PrintAccount(out->admin_username, out->admin);
            return kExitOk;
        }
        if (*serve) return Serve(data, config_path, listen);
        if (*user_list) {
            auto dir = OpenOrExit(data);
            std::cout << fmt::format("{:>4}  {:<24} {:<12} {:<9} {:<5} {}\n", "id", "username", "role", "state", "2fa",
                                     "skills");
            for (const auto& u : dir->auth->ListUsers()) {
                // Skills matter only to roles that take contacts; empty = every language (kind).
                std::string skills, kind_names;
                if (auth::Allowed(u.role, auth::Action::kQueueTake)) {
                    for (const auto& l : u.skills.languages) skills += (skills.empty() ? "" : ",") + l;
                    for (auto k : u.skills.kinds)
                        kind_names += fmt::format("{}{}", kind_names.empty() ? "" : ",", ToString(k));
                    skills = fmt::format("{}; {}", skills.empty() ? "all languages" : skills,
                                         kind_names.empty() ? "all kinds" : kind_names);
                }
                std::cout << fmt::format("{:>4}  {:<24} {:<12} {:<9} {:<5} {}\n", u.id.value, u.username,
                                         ToString(u.role), u.disabled ? "disabled" : "active",
                                         u.totp_enabled ? "totp" : "none", skills);
            }
            return kExitOk;
        }
        if (*user_disable || *user_enable) {
            auto dir = OpenOrExit(data);
            auto u = dir->store->FindUserByName(username);
            if (!u) return Fail({ErrorCode::kNotFound, "no such user"});
            if (auto r = dir->auth->SetDisabled(UserId{}, u->id, bool(*user_disable)); !r) return Fail(r.error());
            std::cout << username << (*user_disable ? " disabled\n" : " enabled\n");
            return kExitOk;
        }
        if (*user_add || *user_reset) {
            auto parsed_role = ParseRole(role);
            if (!parsed_role) return Fail({ErrorCode::kInvalidArgument, "--role must be operator, coordinator, "
                                                                        "supervisor or admin"});
            // Checked before anything is written: a refused skill creates no account.
            auto skills = queue::ParseSkills(languages, kinds);
            if (!skills) return Fail(skills.error());
            const bool with_skills = !skills->languages.empty() || !skills->kinds.empty();
            if (with_skills && !auth::Allowed(*parsed_role, auth::Action::kQueueTake))
                return Fail({ErrorCode::kInvalidArgument, fmt::format("a {} takes no contacts: --languages and "
                                                                      "--kinds are for operators and supervisors",
                                                                      role)});
            auto dir = OpenOrExit(data);
            UserId admin_id;
            auto team = dir->auth->UnlockTeamKey(admin, ReadSecret("LIFELINE_ADMIN_PASSWORD",
                                                                   fmt::format("password of {}: ", admin)),
                                                 &admin_id);
            if (!team) return Fail(team.error());
            if (*user_add) {
                auto account = dir->auth->AddUser(*team, admin_id, username, *parsed_role);
                if (!account) return Fail(account.error());
                if (with_skills) {
                    if (auto r = dir->auth->SetSkills(admin_id, account->id, *skills); !r) return Fail(r.error());
                }
                PrintAccount(username, *account);
            } else {
                auto u = dir->store->FindUserByName(username);
                if (!u) return Fail({ErrorCode::kNotFound, "no such user"});
                auto account = dir->auth->ResetUser(*team, admin_id, u->id);
                if (!account) return Fail(account.error());
                PrintAccount(username, *account);
            }
            return kExitOk;
        }
        if (*audit_verify) {
            auto dir = OpenOrExit(data);
            auto report = dir->audit->Verify();
            if (report.ok) {
                std::cout << fmt::format("audit log intact: {} entries\n", report.entries);
                return kExitOk;
            }
            std::cout << fmt::format("audit log BROKEN at entry {}: {} ({} entries verified before it)\n",
                                     report.first_bad_seq, report.reason, report.entries);
            return kExitAuditBroken;
        }
    } catch (const LifelineError& e) {
        return Fail(Error{e.code(), e.what()});
    }
    return kExitOk;
}
