#pragma once
// A data directory with a fake clock, an initialised organisation and helpers to log in fully.

#include <gtest/gtest.h>

#include <memory>

#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "auth/totp.hpp"
#include "crypto/crypto.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::testing {

class AuthFixture : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        secrets_ = crypto::Secrets::Generate();
        store::SqliteOptions options;
        options.path = dir_ / "lifeline.db";
        store_ = store::OpenSqliteStore(options);
        audit_ = std::make_unique<audit::AuditLog>(*store_, secrets_.audit_key, clock_);
        auth_ = std::make_unique<auth::AuthService>(*store_, *audit_, secrets_, clock_, config_);
        auto admin = auth_->Bootstrap("admin");
        ASSERT_TRUE(admin.ok());
        admin_ = *admin;
    }

    /// Completes the first login of an account: one-time password, new password, TOTP enrolment.
    /// Returns the active session's token; the TOTP secret lands in *totp_secret.
    std::string FirstLogin(const std::string& username, const std::string& otp, const std::string& new_password,
                           Bytes* totp_secret) {
        auto login = auth_->Login(username, otp);
        EXPECT_TRUE(login.ok());
        EXPECT_EQ(login->stage, store::SessionStage::kPasswordChange);
        auto p = auth_->Authenticate(login->token);
        EXPECT_TRUE(p);
        EXPECT_EQ(p->team_keys, nullptr);
        auto stage = auth_->ChangePassword(*p, otp, new_password);
        EXPECT_TRUE(stage.ok());
        EXPECT_EQ(*stage, store::SessionStage::kTotpEnrol);
        p = auth_->Authenticate(login->token);
        auto enrol = auth_->StartTotpEnrolment(*p);
        EXPECT_TRUE(enrol.ok());
        *totp_secret = *auth::Base32Decode(enrol->secret_base32);
        auto confirmed = auth_->ConfirmTotpEnrolment(*p, auth::TotpCode(*totp_secret, clock_.Now()));
        EXPECT_TRUE(confirmed.ok()) << (confirmed.ok() ? "" : confirmed.error().message);
        return login->token;
    }

    TempDir dir_;
    FakeClock clock_;
    auth::AuthConfig config_;
    crypto::Secrets secrets_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<audit::AuditLog> audit_;
    std::unique_ptr<auth::AuthService> auth_;
    auth::NewAccount admin_;
};

}  // namespace lifeline::testing
