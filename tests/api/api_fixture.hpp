#pragma once
// What the API tests share: the services behind /api/v1 on an AuthFixture (intake, cases, the
// queue without its timer), the routes registered on a router, and fully logged-in sessions.

#include <memory>
#include <string>

#include "api/api.hpp"
#include "auth/auth_fixture.hpp"
#include "cases/case_service.hpp"
#include "http/router.hpp"
#include "in_process_request.hpp"
#include "intake/intake_service.hpp"
#include "queue/queue_service.hpp"

namespace lifeline::testing {

/// A logged-in user as a client holds him: the session cookie's token and the CSRF token.
struct Session {
    std::string token;
    std::string csrf;
    UserId id;
};

class ApiFixture : public AuthFixture {
protected:
    /// Builds the services and registers the API's routes. The queue runs without its timer (the
    /// fake clock moves only when a test says so). With `queue_intake`, every committed intake
    /// enters the queue, as main.cpp wires it.
    void StartApi(queue::QueueServiceConfig queue_config, bool queue_intake) {
        intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);
        cases_ = std::make_unique<cases::CaseService>(*store_, *audit_, clock_);
        queue_config.timer = false;
        queue_ = std::make_unique<queue::QueueService>(*store_, clock_, queue_config);
        if (queue_intake) QueueEveryIntake();
        deps_ = std::make_unique<api::ApiDeps>(api::ApiDeps{*auth_, *audit_, clock_, {}, cases_.get(), queue_.get()});
        deps_->intake = intake_.get();
        api::RegisterRoutes(router_, *deps_);
    }

    void QueueEveryIntake() {
        intake_->OnIntake([this](const intake::IntakeOutcome& o, const intake::InboundContact& c) {
            ASSERT_TRUE(queue_->EnterCase(o.case_id, c.channel, c.kind, c.language).ok());
        });
    }

    /// The administrator's session (his first login on first use).
    Session Admin() {
        if (admin_token_.empty())
            admin_token_ = FirstLogin("admin", admin_.one_time_password, "admin password 1", &secret_);
        return {admin_token_, auth_->Authenticate(admin_token_)->csrf_token, admin_.id};
    }

    /// A new account, added by the administrator and fully logged in (password changed, TOTP).
    Session AddAccount(const std::string& name, Role role) {
        auto admin = auth_->Authenticate(Admin().token);
        auto account = auth_->AddUser(*admin->team_keys, admin->user, name, role);
        EXPECT_TRUE(account.ok());
        if (!account) return {};
        const std::string token = FirstLogin(name, account->one_time_password, name + " password 1", &secret_);
        return {token, auth_->Authenticate(token)->csrf_token, account->id};
    }

    /// Calls the route in process, as the server would after parsing: cookie and CSRF header of
    /// the session (the CSRF header left out when with_csrf is false), JSON body.
    http::Response Call(const std::string& method, const std::string& target, const Session* session,
                        std::string body = "", bool with_csrf = true) {
        http::Request req = InProcessRequest(method, target, "127.0.0.1");
        req.headers.Set("Host", "127.0.0.1:8080");
        if (!body.empty()) req.headers.Set("Content-Type", "application/json");
        if (session) {
            req.headers.Set("Cookie", api::SessionCookieName(deps_->config) + "=" + session->token);
            if (with_csrf) req.headers.Set("X-CSRF-Token", session->csrf);
        }
        req.body = std::move(body);
        return router_.Dispatch(req);
    }

    http::Router router_;
    std::unique_ptr<intake::IntakeService> intake_;
    std::unique_ptr<cases::CaseService> cases_;
    std::unique_ptr<queue::QueueService> queue_;
    std::unique_ptr<api::ApiDeps> deps_;
    std::string admin_token_;
    Bytes secret_;
};

}  // namespace lifeline::testing
