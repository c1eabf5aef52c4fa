#pragma once
/// Operator accounts, login, second factor and server-side sessions.
///
/// Login unlocks the operator's private key (Argon2id over the password); only a session that has
/// passed every stage (new password, TOTP) gets the team key. The session row in the store holds
/// the operator's private key encrypted under a key derived from the cookie token, so a stolen
/// database opens no session, and any node (or this one after a restart) can resume a session
/// from its cookie.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"

namespace lifeline::auth {

struct AuthConfig {
    /// A session unused this long ends.
    std::chrono::minutes session_idle{30};
    /// A session ends this long after login, used or not.
    std::chrono::hours session_absolute{12};
    /// Every account must enrol a TOTP second factor before reaching any data.
    bool require_totp = true;
    /// Failed attempts (password or code) before the account locks.
    int lockout_threshold = 5;
    /// First lock lasts this long; each further failure doubles it, up to lockout_max.
    std::chrono::seconds lockout_base{30};
    std::chrono::seconds lockout_max{3600};
    /// Shown in authenticator apps.
    std::string totp_issuer = "lifeline";
};

/// An authenticated session, as handlers see it.
struct Principal {
    UserId user;
    std::string username;
    Role role = Role::kOperator;
    store::SessionStage stage = store::SessionStage::kTotpVerify;
    Bytes session_id_hash;
    std::string csrf_token;
    std::shared_ptr<const crypto::KeyPair> operator_keys;
    /// The team key pair: present only when stage == kActive.
    std::shared_ptr<const crypto::KeyPair> team_keys;
};

struct LoginOutcome {
    std::string token;        ///< the cookie value
    std::string csrf_token;   ///< sent back in X-CSRF-Token on every state-changing request
    store::SessionStage stage;
    UserId user;
};

struct NewAccount {
    UserId id;
    std::string one_time_password;  ///< shown once; must be changed at first login
    std::string recovery_key;       ///< shown once
};

struct TotpEnrolment {
    std::string secret_base32;
    std::string otpauth_uri;
    std::string qr_svg;
};

std::string_view ToString(store::SessionStage stage) noexcept;

class AuthService {
public:
    AuthService(store::Store& store, audit::AuditLog& audit, const crypto::Secrets& secrets, const Clock& clock,
                AuthConfig config = {});

    /// Creates the team key pair and the first administrator. kAlreadyExists if done before.
    Result<NewAccount> Bootstrap(std::string_view admin_username);

    Result<LoginOutcome> Login(std::string_view username, std::string_view password);
    /// The session for a cookie token, if valid and not expired; refreshes its idle clock.
    std::optional<Principal> Authenticate(std::string_view token);
    /// True when the token matches the session's CSRF token (constant time).
    bool CheckCsrf(const Principal& principal, std::string_view csrf_token) const;
    void Logout(const Principal& principal);

    Result<store::SessionStage> ChangePassword(const Principal& principal, std::string_view current,
                                               std::string_view next);
    Result<TotpEnrolment> StartTotpEnrolment(const Principal& principal);
    Result<store::SessionStage> ConfirmTotpEnrolment(const Principal& principal, std::string_view code);
    Result<store::SessionStage> VerifyTotp(const Principal& principal, std::string_view code);

    /// Account management: adding or resetting needs the team key of an active admin session,
    /// or one unlocked in the shell with UnlockTeamKey.
    Result<NewAccount> AddUser(const crypto::KeyPair& team_keys, UserId actor, std::string_view username, Role role);
    Result<NewAccount> ResetUser(const crypto::KeyPair& team_keys, UserId actor, UserId target);
    Result<void> SetDisabled(UserId actor, UserId target, bool disabled);
    /// Replaces the queue skills of an account (codes checked by the caller: queue::ParseSkills),
    /// audited as user.skills; returns the updated account. kNotFound for no such account,
    /// kConflict for a role that takes no contacts (no queue.take). They apply when the operator
    /// next sets a presence (api/queue_api.cpp), not to a queue he is already in.
    Result<store::UserRecord> SetSkills(UserId actor, UserId target, const store::UserSkills& skills);
    std::vector<store::UserRecord> ListUsers();
    std::optional<store::UserRecord> FindUser(UserId id);
    /// For the shell: an administrator's password unlocks the team key for one command.
    Result<crypto::KeyPair> UnlockTeamKey(std::string_view admin_username, std::string_view password,
                                          UserId* admin_id = nullptr);

    /// A password is acceptable: 12 to 256 characters.
    static Result<void> CheckPasswordPolicy(std::string_view password);

private:
    struct CachedSession {
        Principal principal;
        std::int64_t created_ms = 0;
        std::int64_t last_seen_ms = 0;
        std::int64_t checked_ms = 0;  // when the user row was last re-read
    };
    Bytes SessionIdHash(std::string_view token) const;
    std::string CsrfFor(std::string_view token) const;
    Result<void> RecordFailure(store::UserRecord& user, std::string_view what);
    LoginOutcome StartSession(const store::UserRecord& user, const crypto::KeyPair& operator_keys,
                              store::SessionStage stage);
    Result<store::SessionStage> Advance(const Principal& principal, store::SessionStage next);
    store::SessionStage StageAfterPassword(const store::UserRecord& user) const;
    std::optional<store::UserRecord> LoadUser(UserId id);
    NewAccount MakeAccount(const crypto::KeyPair& team_keys, store::UserRecord& record);
    Bytes TeamPublicKey();

    store::Store& store_;
    audit::AuditLog& audit_;
    const crypto::Secrets& secrets_;
    const Clock& clock_;
    AuthConfig config_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, CachedSession> cache_;  // key: session id hash as bytes
};

}  // namespace lifeline::auth
