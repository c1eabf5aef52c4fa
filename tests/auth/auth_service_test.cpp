#include "auth/auth_service.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/auth_fixture.hpp"

namespace lifeline::testing {
namespace {

using namespace std::chrono_literals;
using store::SessionStage;
constexpr char kPassword[] = "correct horse battery";

TEST_F(AuthFixture, FirstLoginWalksEveryStageAndOnlyThenUnlocksTheTeamKey) {
    Bytes secret;
    auto token = FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    auto p = auth_->Authenticate(token);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->stage, SessionStage::kActive);
    ASSERT_NE(p->team_keys, nullptr);
    EXPECT_EQ(p->team_keys->public_key, *store_->GetMeta("team_public_key"));
    // The one-time password no longer works; the new one does, and asks for a code.
    EXPECT_EQ(auth_->Login("admin", admin_.one_time_password).code(), ErrorCode::kUnauthenticated);
    auto again = auth_->Login("admin", kPassword);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->stage, SessionStage::kTotpVerify);
    auto pending = auth_->Authenticate(again->token);
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->team_keys, nullptr);
}

TEST_F(AuthFixture, TotpCodesAreSingleUseAndWrongCodesFail) {
    Bytes secret;
    FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    clock_.Advance(61s);
    auto a = auth_->Login("admin", kPassword);
    auto pa = auth_->Authenticate(a->token);
    const auto code = auth::TotpCode(secret, clock_.Now());
    const std::string wrong = code == "000000" ? "111111" : "000000";
    EXPECT_EQ(auth_->VerifyTotp(*pa, wrong).code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth_->VerifyTotp(*pa, "12ab56").code(), ErrorCode::kUnauthenticated);
    ASSERT_TRUE(auth_->VerifyTotp(*pa, code).ok());
    EXPECT_TRUE(auth_->Authenticate(a->token)->team_keys);
    // The same code in a second session is a replay.
    auto b = auth_->Login("admin", kPassword);
    auto pb = auth_->Authenticate(b->token);
    EXPECT_EQ(auth_->VerifyTotp(*pb, code).code(), ErrorCode::kUnauthenticated);
    clock_.Advance(30s);
    EXPECT_TRUE(auth_->VerifyTotp(*pb, auth::TotpCode(secret, clock_.Now())).ok());
}

TEST_F(AuthFixture, LockoutAfterRepeatedFailuresWithBackOff) {
    Bytes secret;
    FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    for (int i = 0; i < config_.lockout_threshold; ++i)
        EXPECT_EQ(auth_->Login("admin", "wrong password!").code(), ErrorCode::kUnauthenticated);
    // Locked now, even with the right password.
    auto locked = auth_->Login("admin", kPassword);
    EXPECT_EQ(locked.code(), ErrorCode::kLocked);
    EXPECT_NE(locked.error().message.find("30 seconds"), std::string::npos);
    clock_.Advance(31s);
    // One more failure doubles the lock.
    EXPECT_EQ(auth_->Login("admin", "wrong password!").code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(auth_->Login("admin", kPassword).error().message.find("60 seconds"), std::string::npos);
    clock_.Advance(61s);
    auto ok = auth_->Login("admin", kPassword);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->stage, SessionStage::kTotpVerify);
}

TEST_F(AuthFixture, UnknownUserAndWrongPasswordLookTheSame) {
    auto unknown = auth_->Login("nobody", "whatever password");
    auto wrong = auth_->Login("admin", "whatever password");
    EXPECT_EQ(unknown.code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(unknown.error().message, wrong.error().message);
}

TEST_F(AuthFixture, SessionsExpireWhenIdleAndAbsolutely) {
    Bytes secret;
    auto token = FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    clock_.Advance(29min);
    EXPECT_TRUE(auth_->Authenticate(token));
    clock_.Advance(31min);
    EXPECT_FALSE(auth_->Authenticate(token)) << "idle for 31 minutes";

    clock_.Advance(1min);
    auto login = auth_->Login("admin", kPassword);
    auto p = auth_->Authenticate(login->token);
    ASSERT_TRUE(auth_->VerifyTotp(*p, auth::TotpCode(secret, clock_.Now())).ok());
    for (int i = 0; i < 11 * 6; ++i) {  // active every 10 minutes for 11 hours
        clock_.Advance(10min);
        ASSERT_TRUE(auth_->Authenticate(login->token)) << i;
    }
    clock_.Advance(61min);
    EXPECT_FALSE(auth_->Authenticate(login->token)) << "past the absolute limit";
}

TEST_F(AuthFixture, LogoutEndsTheSessionAndGarbageTokensFail) {
    Bytes secret;
    auto token = FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    auto p = auth_->Authenticate(token);
    auth_->Logout(*p);
    EXPECT_FALSE(auth_->Authenticate(token));
    EXPECT_FALSE(auth_->Authenticate(""));
    EXPECT_FALSE(auth_->Authenticate(std::string(5000, 'a')));
    EXPECT_FALSE(auth_->Authenticate("not-a-session"));
}

TEST_F(AuthFixture, CsrfTokenBelongsToItsSession) {
    Bytes secret;
    auto t1 = FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    auto p1 = auth_->Authenticate(t1);
    auto t2 = auth_->Login("admin", kPassword);
    auto p2 = auth_->Authenticate(t2->token);
    EXPECT_TRUE(auth_->CheckCsrf(*p1, p1->csrf_token));
    EXPECT_FALSE(auth_->CheckCsrf(*p1, p2->csrf_token));
    EXPECT_FALSE(auth_->CheckCsrf(*p1, ""));
    EXPECT_EQ(t2->csrf_token, p2->csrf_token);
}

TEST_F(AuthFixture, SessionSurvivesARestartOfTheService) {
    Bytes secret;
    auto token = FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    // A new service over the same store (another node, or this one after a restart) resumes it.
    auth::AuthService other(*store_, *audit_, secrets_, clock_, config_);
    auto p = other.Authenticate(token);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->team_keys);
}

TEST_F(AuthFixture, AdminAddsOperatorWhoGetsTheTeamKey) {
    Bytes admin_secret;
    auto admin_token = FirstLogin("admin", admin_.one_time_password, kPassword, &admin_secret);
    auto admin = auth_->Authenticate(admin_token);
    auto op = auth_->AddUser(*admin->team_keys, admin->user, "olena", Role::kOperator);
    ASSERT_TRUE(op.ok());
    EXPECT_EQ(auth_->AddUser(*admin->team_keys, admin->user, "olena", Role::kOperator).code(),
              ErrorCode::kAlreadyExists);
    EXPECT_EQ(auth_->AddUser(*admin->team_keys, admin->user, "Bad Name", Role::kOperator).code(),
              ErrorCode::kInvalidArgument);
    Bytes op_secret;
    auto op_token = FirstLogin("olena", op->one_time_password, "another good password", &op_secret);
    auto p = auth_->Authenticate(op_token);
    ASSERT_TRUE(p && p->team_keys);
    EXPECT_EQ(p->role, Role::kOperator);
    EXPECT_EQ(p->team_keys->public_key, admin->team_keys->public_key);
    // A key pair that is not the team's cannot add users.
    EXPECT_EQ(auth_->AddUser(crypto::KeyPair::Generate(), admin->user, "x", Role::kAdmin).code(),
              ErrorCode::kForbidden);
}

TEST_F(AuthFixture, DisableAndResetEndSessions) {
    Bytes s1, s2;
    auto admin = auth_->Authenticate(FirstLogin("admin", admin_.one_time_password, kPassword, &s1));
    auto op = auth_->AddUser(*admin->team_keys, admin->user, "petro", Role::kCoordinator);
    auto op_token = FirstLogin("petro", op->one_time_password, "petro's password", &s2);
    ASSERT_TRUE(auth_->SetDisabled(admin->user, op->id, true).ok());
    EXPECT_FALSE(auth_->Authenticate(op_token));
    EXPECT_EQ(auth_->Login("petro", "petro's password").code(), ErrorCode::kUnauthenticated);
    ASSERT_TRUE(auth_->SetDisabled(admin->user, op->id, false).ok());
    auto again = auth_->Login("petro", "petro's password");
    ASSERT_TRUE(again.ok());
    auto reset = auth_->ResetUser(*admin->team_keys, admin->user, op->id);
    ASSERT_TRUE(reset.ok());
    EXPECT_FALSE(auth_->Authenticate(again->token));
    EXPECT_EQ(auth_->Login("petro", "petro's password").code(), ErrorCode::kUnauthenticated);
    auto fresh = auth_->Login("petro", reset->one_time_password);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(fresh->stage, SessionStage::kPasswordChange);
}

TEST_F(AuthFixture, SkillsAreForAccountsThatTakeContactsAndAudited) {
    auto team = auth_->UnlockTeamKey("admin", admin_.one_time_password);
    ASSERT_TRUE(team.ok());
    const UserId actor = admin_.id;
    auto op = auth_->AddUser(*team, actor, "oksana", Role::kOperator);
    auto coord = auth_->AddUser(*team, actor, "taras", Role::kCoordinator);
    ASSERT_TRUE(op.ok() && coord.ok());
    EXPECT_EQ(auth_->FindUser(op->id)->skills, store::UserSkills{});  // the queue's defaults

    const store::UserSkills uk{{"uk"}, {CaseKind::kRelativeInquiry}};
    clock_.Advance(std::chrono::seconds(5));
    auto updated = auth_->SetSkills(actor, op->id, uk);
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(updated->skills, uk);
    EXPECT_EQ(updated->updated_ms, ToUnixMillis(clock_.Now()));
    EXPECT_EQ(auth_->FindUser(op->id)->skills, uk);

    EXPECT_EQ(auth_->SetSkills(actor, coord->id, uk).code(), ErrorCode::kConflict);
    EXPECT_EQ(auth_->SetSkills(actor, UserId{999}, uk).code(), ErrorCode::kNotFound);
    EXPECT_EQ(auth_->FindUser(coord->id)->skills, store::UserSkills{});

    const auto entries = audit_->Read(1, 100);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.back().action, "user.skills");
    EXPECT_EQ(entries.back().target, fmt::format("user:{}", op->id.value));
    EXPECT_EQ(entries.back().detail, "languages=uk kinds=relative_inquiry");
    EXPECT_EQ(entries.back().actor, actor.value);
}

TEST_F(AuthFixture, ShellUnlockNeedsAnAdministratorsPassword) {
    EXPECT_TRUE(auth_->UnlockTeamKey("admin", admin_.one_time_password).ok());
    EXPECT_EQ(auth_->UnlockTeamKey("admin", "nope nope nope").code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth_->UnlockTeamKey("ghost", "nope nope nope").code(), ErrorCode::kUnauthenticated);
}

TEST_F(AuthFixture, PasswordPolicy) {
    EXPECT_FALSE(auth::AuthService::CheckPasswordPolicy("short").ok());
    EXPECT_TRUE(auth::AuthService::CheckPasswordPolicy("long enough pass").ok());
    auto login = auth_->Login("admin", admin_.one_time_password);
    auto p = auth_->Authenticate(login->token);
    EXPECT_EQ(auth_->ChangePassword(*p, admin_.one_time_password, "short").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(auth_->ChangePassword(*p, "wrong current pw", kPassword).code(), ErrorCode::kUnauthenticated);
}

TEST_F(AuthFixture, LoginsAndUserChangesAreAudited) {
    Bytes secret;
    FirstLogin("admin", admin_.one_time_password, kPassword, &secret);
    (void)auth_->Login("admin", "wrong password!");
    std::vector<std::string> actions;
    for (const auto& e : audit_->Read(1, 100)) actions.push_back(e.action);
    for (auto want : {"system.init", "login.password_ok", "password.change", "totp.enrolled", "login.fail"})
        EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << want;
    EXPECT_TRUE(audit_->Verify().ok);
}

}  // namespace
}  // namespace lifeline::testing
