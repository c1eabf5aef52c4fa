#include "auth/auth_service.hpp"

#include <sodium.h>

#include <algorithm>

#include <fmt/format.h>

#include "auth/authz.hpp"
#include "auth/totp.hpp"

namespace lifeline::auth {
namespace {

using store::SessionStage;
constexpr std::string_view kTeamPublicKeyMeta = "team_public_key";
constexpr std::size_t kTotpSecretBytes = 20;
// How long a cached session is trusted before the user row and session row are re-read, so a
// disabled account or a logout on another node takes effect quickly.
constexpr std::int64_t kRecheckMs = 2000;
// The idle clock in the store is refreshed at most this often (a write per request would be waste).
constexpr std::int64_t kTouchMs = 30'000;

std::string Target(UserId id) { return fmt::format("user:{}", id.value); }

crypto::WrappedOperatorKey WrappedFrom(const store::UserRecord& u) {
    crypto::WrappedOperatorKey w;
    w.public_key = u.public_key;
    w.kdf.salt = u.kdf_salt;
    w.kdf.opslimit = u.kdf_opslimit;
    w.kdf.memlimit = u.kdf_memlimit;
    w.secret_by_password = u.secret_by_password;
    w.secret_by_recovery = u.secret_by_recovery;
    return w;
}

void StoreWrapped(store::UserRecord& u, const crypto::WrappedOperatorKey& w) {
    u.public_key = w.public_key;
    u.kdf_salt = w.kdf.salt;
    u.kdf_opslimit = w.kdf.opslimit;
    u.kdf_memlimit = w.kdf.memlimit;
    u.secret_by_password = w.secret_by_password;
    u.secret_by_recovery = w.secret_by_recovery;
}

std::string KeyOf(ByteView b) { return std::string(AsString(b)); }

bool ValidUsername(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

}  // namespace

std::string_view ToString(SessionStage stage) noexcept {
    switch (stage) {
        case SessionStage::kPasswordChange: return "password_change";
        case SessionStage::kTotpEnrol: return "totp_enrol";
        case SessionStage::kTotpVerify: return "totp_verify";
        case SessionStage::kActive: return "active";
    }
    return "unknown";
}

AuthService::AuthService(store::Store& store, audit::AuditLog& audit, const crypto::Secrets& secrets,
                         const Clock& clock, AuthConfig config)
    : store_(store), audit_(audit), secrets_(secrets), clock_(clock), config_(std::move(config)) {}

Result<void> AuthService::CheckPasswordPolicy(std::string_view password) {
    if (password.size() < 12) return {ErrorCode::kInvalidArgument, "the password must have at least 12 characters"};
    if (password.size() > 256) return {ErrorCode::kInvalidArgument, "the password must have at most 256 characters"};
    return Ok();
}

Bytes AuthService::TeamPublicKey() {
    auto pk = store_.GetMeta(kTeamPublicKeyMeta);
    if (!pk) throw LifelineError(ErrorCode::kInternal, "the data directory has no team key: run lifeline init");
    return *pk;
}

NewAccount AuthService::MakeAccount(const crypto::KeyPair& team_keys, store::UserRecord& record) {
    NewAccount account;
    account.one_time_password = crypto::GeneratePassword();
    auto created = crypto::CreateOperatorKey(account.one_time_password, crypto::PasswordKdfParams::Default());
    StoreWrapped(record, created.wrapped);
    record.team_key_sealed = crypto::SealTeamKey(team_keys, created.keys.public_key);
    record.totp_secret_sealed.clear();
    record.totp_enabled = false;
    record.totp_last_step = 0;
    record.must_change_password = true;
    record.failed_logins = 0;
    record.locked_until_ms = 0;
    record.updated_ms = ToUnixMillis(clock_.Now());
    account.recovery_key = std::move(created.recovery_key);
    return account;
}

Result<NewAccount> AuthService::Bootstrap(std::string_view admin_username) {
    if (store_.GetMeta(kTeamPublicKeyMeta)) return {ErrorCode::kAlreadyExists, "the organisation already exists"};
    if (!ValidUsername(admin_username))
        return {ErrorCode::kInvalidArgument, "a username is 1 to 64 characters of a-z, 0-9, '.', '_', '-'"};
    auto team = crypto::KeyPair::Generate();
    store_.PutMeta(kTeamPublicKeyMeta, team.public_key);
    store::UserRecord admin;
    admin.username = std::string(admin_username);
    admin.role = Role::kAdmin;
    admin.created_ms = ToUnixMillis(clock_.Now());
    auto account = MakeAccount(team, admin);
    auto id = store_.InsertUser(admin);
    if (!id) return id.error();
    account.id = *id;
    audit_.Append(UserId{}, "system.init", Target(*id));
    return account;
}

Bytes AuthService::SessionIdHash(std::string_view token) const {
    return crypto::KeyedHash(secrets_.session_key, "lifeline/v1/session-id", AsBytes(token));
}

std::string AuthService::CsrfFor(std::string_view token) const {
    return ToBase64Url(crypto::KeyedHash(secrets_.session_key, "lifeline/v1/csrf", AsBytes(token)));
}

SessionStage AuthService::StageAfterPassword(const store::UserRecord& user) const {
    if (user.must_change_password) return SessionStage::kPasswordChange;
    if (user.totp_enabled) return SessionStage::kTotpVerify;
    if (config_.require_totp) return SessionStage::kTotpEnrol;
    return SessionStage::kActive;
}

Result<void> AuthService::RecordFailure(store::UserRecord& user, std::string_view what) {
    const auto now = ToUnixMillis(clock_.Now());
    user.failed_logins += 1;
    if (user.failed_logins >= config_.lockout_threshold) {
        const int doublings = std::min(user.failed_logins - config_.lockout_threshold, 20);
        const auto lock = std::min<std::int64_t>(config_.lockout_base.count() * 1000LL << doublings,
                                                 config_.lockout_max.count() * 1000LL);
        user.locked_until_ms = now + lock;
    }
    user.updated_ms = now;
    (void)store_.UpdateUser(user);
    audit_.Append(user.id, fmt::format("{}.fail", what), Target(user.id),
                  fmt::format("failures={}", user.failed_logins));
    return Ok();
}

LoginOutcome AuthService::StartSession(const store::UserRecord& user, const crypto::KeyPair& operator_keys,
                                       SessionStage stage) {
    LoginOutcome out;
    out.token = ToBase64Url(crypto::RandomBytes(32));
    out.csrf_token = CsrfFor(out.token);
    out.stage = stage;
    out.user = user.id;
    const auto now = ToUnixMillis(clock_.Now());
    store::SessionRecord s;
    s.id_hash = SessionIdHash(out.token);
    s.user = user.id;
    s.stage = stage;
    s.created_ms = now;
    s.last_seen_ms = now;
    auto token_key = crypto::DeriveKey(crypto::SecretKey::FromBytes(AsBytes(out.token)), "lifeline/v1/session-keys");
    s.keys_sealed = crypto::Seal(token_key, operator_keys.secret_key.view(), s.id_hash);
    s.csrf_hash = crypto::KeyedHash(secrets_.session_key, "lifeline/v1/csrf-hash", AsBytes(out.csrf_token));
    store_.InsertSession(s);
    return out;
}

Result<LoginOutcome> AuthService::Login(std::string_view username, std::string_view password) {
    constexpr std::string_view kWrong = "wrong username or password";
    auto user = store_.FindUserByName(username);
    if (!user || user->disabled) {
        // Spend the same Argon2id time as a real attempt so timing does not tell which names exist.
        (void)crypto::DeriveKeyFromPassword(password, crypto::PasswordKdfParams::Default());
        return {ErrorCode::kUnauthenticated, std::string(kWrong)};
    }
    const auto now = ToUnixMillis(clock_.Now());
    if (user->locked_until_ms > now) {
        const auto seconds = (user->locked_until_ms - now + 999) / 1000;
        audit_.Append(user->id, "login.locked", Target(user->id));
        return {ErrorCode::kLocked, fmt::format("too many failed attempts; try again in {} seconds", seconds)};
    }
    auto keys = crypto::UnlockWithPassword(WrappedFrom(*user), password);
    if (!keys) {
        (void)RecordFailure(*user, "login");
        return {ErrorCode::kUnauthenticated, std::string(kWrong)};
    }
    const auto stage = StageAfterPassword(*user);
    if (user->failed_logins != 0 || user->locked_until_ms != 0) {
        // A correct password resets the counter only when no second factor is still to come.
        if (stage != SessionStage::kTotpVerify) {
            user->failed_logins = 0;
            user->locked_until_ms = 0;
            (void)store_.UpdateUser(*user);
        }
    }
    auto out = StartSession(*user, *keys, stage);
    audit_.Append(user->id, "login.password_ok", Target(user->id), fmt::format("stage={}", ToString(stage)));
    return out;
}

std::optional<store::UserRecord> AuthService::LoadUser(UserId id) { return store_.FindUser(id); }

std::optional<Principal> AuthService::Authenticate(std::string_view token) {
    if (token.empty() || token.size() > 128) return std::nullopt;
    const Bytes id_hash = SessionIdHash(token);
    const std::string key = KeyOf(id_hash);
    const auto now = ToUnixMillis(clock_.Now());
    const auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_idle).count();
    const auto absolute_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_absolute).count();
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(key);
        if (it != cache_.end()) {
            auto& c = it->second;
            if (now - c.last_seen_ms > idle_ms || now - c.created_ms > absolute_ms) {
                cache_.erase(it);
                // fall through to the store, which will find it expired and delete it
            } else if (now - c.checked_ms < kRecheckMs) {
                if (now - c.last_seen_ms < kTouchMs) {
                    c.last_seen_ms = std::max(c.last_seen_ms, now);
                    return c.principal;
                }
            }
        }
    }
    auto session = store_.FindSession(id_hash);
    if (!session) {
        std::lock_guard lock(mutex_);
        cache_.erase(key);
        return std::nullopt;
    }
    if (now - session->last_seen_ms > idle_ms || now - session->created_ms > absolute_ms) {
        store_.DeleteSession(id_hash);
        std::lock_guard lock(mutex_);
        cache_.erase(key);
        return std::nullopt;
    }
    auto user = LoadUser(session->user);
    if (!user || user->disabled) {
        store_.DeleteSession(id_hash);
        std::lock_guard lock(mutex_);
        cache_.erase(key);
        return std::nullopt;
    }
    Principal p;
    p.user = user->id;
    p.username = user->username;
    p.role = user->role;
    p.stage = session->stage;
    p.session_id_hash = id_hash;
    p.csrf_token = CsrfFor(token);
    auto token_key = crypto::DeriveKey(crypto::SecretKey::FromBytes(AsBytes(token)), "lifeline/v1/session-keys");
    auto sk = crypto::Open(token_key, session->keys_sealed, id_hash);
    if (!sk || sk->size() != 32) return std::nullopt;
    auto op_keys = crypto::KeyPair::FromSecret(crypto::SecretKey::FromBytes(*sk));
    sodium_memzero(sk->data(), sk->size());
    if (op_keys.public_key != user->public_key) {
        // The account was reset since this session began.
        store_.DeleteSession(id_hash);
        return std::nullopt;
    }
    if (p.stage == SessionStage::kActive) {
        auto team = crypto::OpenTeamKey(user->team_key_sealed, op_keys, TeamPublicKey());
        if (!team) return std::nullopt;
        p.team_keys = std::make_shared<const crypto::KeyPair>(std::move(*team));
    }
    p.operator_keys = std::make_shared<const crypto::KeyPair>(std::move(op_keys));
    if (now - session->last_seen_ms >= kTouchMs) {
        session->last_seen_ms = now;
        store_.UpdateSession(*session);
    }
    std::lock_guard lock(mutex_);
    cache_[key] = CachedSession{p, session->created_ms, session->last_seen_ms, now};
    return p;
}

bool AuthService::CheckCsrf(const Principal& principal, std::string_view csrf_token) const {
    const auto& expected = principal.csrf_token;
    return !expected.empty() && csrf_token.size() == expected.size() &&
           sodium_memcmp(expected.data(), csrf_token.data(), expected.size()) == 0;
}

void AuthService::Logout(const Principal& principal) {
    store_.DeleteSession(principal.session_id_hash);
    {
        std::lock_guard lock(mutex_);
        cache_.erase(KeyOf(principal.session_id_hash));
    }
    audit_.Append(principal.user, "logout", Target(principal.user));
}

Result<SessionStage> AuthService::Advance(const Principal& principal, SessionStage next) {
    auto session = store_.FindSession(principal.session_id_hash);
    if (!session) return {ErrorCode::kUnauthenticated, "the session has ended"};
    session->stage = next;
    session->last_seen_ms = ToUnixMillis(clock_.Now());
    store_.UpdateSession(*session);
    std::lock_guard lock(mutex_);
    cache_.erase(KeyOf(principal.session_id_hash));
    return next;
}

Result<SessionStage> AuthService::ChangePassword(const Principal& principal, std::string_view current,
                                                 std::string_view next) {
    if (auto policy = CheckPasswordPolicy(next); !policy) return policy.error();
    if (current == next) return {ErrorCode::kInvalidArgument, "the new password must differ from the current one"};
    auto user = LoadUser(principal.user);
    if (!user) return {ErrorCode::kUnauthenticated, "the session has ended"};
    auto keys = crypto::UnlockWithPassword(WrappedFrom(*user), current);
    if (!keys) {
        (void)RecordFailure(*user, "password_change");
        return {ErrorCode::kUnauthenticated, "the current password is wrong"};
    }
    StoreWrapped(*user, crypto::RewrapWithPassword(*keys, WrappedFrom(*user), next, crypto::PasswordKdfParams::Default()));
    user->must_change_password = false;
    user->updated_ms = ToUnixMillis(clock_.Now());
    if (auto r = store_.UpdateUser(*user); !r) return r.error();
    audit_.Append(principal.user, "password.change", Target(principal.user));
    auto stage = principal.stage;
    if (stage == SessionStage::kPasswordChange) {
        stage = user->totp_enabled ? SessionStage::kTotpVerify
                                   : (config_.require_totp ? SessionStage::kTotpEnrol : SessionStage::kActive);
    }
    return Advance(principal, stage);
}

Result<TotpEnrolment> AuthService::StartTotpEnrolment(const Principal& principal) {
    if (principal.stage != SessionStage::kTotpEnrol && principal.stage != SessionStage::kActive)
        return {ErrorCode::kConflict, "finish the current login step first"};
    auto user = LoadUser(principal.user);
    if (!user) return {ErrorCode::kUnauthenticated, "the session has ended"};
    if (user->totp_enabled && principal.stage != SessionStage::kActive)
        return {ErrorCode::kConflict, "a second factor is already enrolled"};
    auto secret = crypto::RandomBytes(kTotpSecretBytes);
    // A new secret waits, sealed to the operator's own key, until a code from it is confirmed.
    user->totp_secret_sealed = crypto::SealTo(user->public_key, secret);
    user->totp_enabled = false;
    user->updated_ms = ToUnixMillis(clock_.Now());
    if (auto r = store_.UpdateUser(*user); !r) return r.error();
    TotpEnrolment e;
    e.secret_base32 = Base32Encode(secret);
    e.otpauth_uri = OtpAuthUri(config_.totp_issuer, user->username, secret);
    e.qr_svg = QrSvg(e.otpauth_uri);
    sodium_memzero(secret.data(), secret.size());
    audit_.Append(principal.user, "totp.enrol_start", Target(principal.user));
    return e;
}

Result<SessionStage> AuthService::ConfirmTotpEnrolment(const Principal& principal, std::string_view code) {
    auto user = LoadUser(principal.user);
    if (!user) return {ErrorCode::kUnauthenticated, "the session has ended"};
    if (user->totp_enabled || user->totp_secret_sealed.empty())
        return {ErrorCode::kConflict, "start an enrolment first"};
    auto secret = crypto::OpenSealed(*principal.operator_keys, user->totp_secret_sealed);
    if (!secret) return {ErrorCode::kInternal, "the second-factor secret cannot be opened"};
    auto step = auth::VerifyTotp(*secret, code, clock_.Now());
    sodium_memzero(secret->data(), secret->size());
    if (!step) {
        (void)RecordFailure(*user, "totp");
        return {ErrorCode::kUnauthenticated, "the code is wrong or expired"};
    }
    user->totp_enabled = true;
    user->totp_last_step = *step;
    user->failed_logins = 0;
    user->locked_until_ms = 0;
    user->updated_ms = ToUnixMillis(clock_.Now());
    if (auto r = store_.UpdateUser(*user); !r) return r.error();
    audit_.Append(principal.user, "totp.enrolled", Target(principal.user));
    return Advance(principal, SessionStage::kActive);
}

Result<SessionStage> AuthService::VerifyTotp(const Principal& principal, std::string_view code) {
    if (principal.stage != SessionStage::kTotpVerify) return {ErrorCode::kConflict, "no code is expected now"};
    auto user = LoadUser(principal.user);
    if (!user) return {ErrorCode::kUnauthenticated, "the session has ended"};
    const auto now = ToUnixMillis(clock_.Now());
    if (user->locked_until_ms > now) {
        const auto seconds = (user->locked_until_ms - now + 999) / 1000;
        return {ErrorCode::kLocked, fmt::format("too many failed attempts; try again in {} seconds", seconds)};
    }
    auto secret = crypto::OpenSealed(*principal.operator_keys, user->totp_secret_sealed);
    if (!secret) return {ErrorCode::kInternal, "the second-factor secret cannot be opened"};
    auto step = auth::VerifyTotp(*secret, code, clock_.Now());
    sodium_memzero(secret->data(), secret->size());
    // A code is accepted once: a step at or before the last accepted one is a replay.
    if (!step || *step <= user->totp_last_step) {
        (void)RecordFailure(*user, "totp");
        return {ErrorCode::kUnauthenticated, "the code is wrong or expired"};
    }
    user->totp_last_step = *step;
    user->failed_logins = 0;
    user->locked_until_ms = 0;
    user->updated_ms = now;
    if (auto r = store_.UpdateUser(*user); !r) return r.error();
    audit_.Append(principal.user, "login.ok", Target(principal.user));
    return Advance(principal, SessionStage::kActive);
}

Result<NewAccount> AuthService::AddUser(const crypto::KeyPair& team_keys, UserId actor, std::string_view username,
                                        Role role) {
    if (!ValidUsername(username))
        return {ErrorCode::kInvalidArgument, "a username is 1 to 64 characters of a-z, 0-9, '.', '_', '-'"};
    if (team_keys.public_key != TeamPublicKey()) return {ErrorCode::kForbidden, "not the team key"};
    store::UserRecord record;
    record.username = std::string(username);
    record.role = role;
    record.created_ms = ToUnixMillis(clock_.Now());
    auto account = MakeAccount(team_keys, record);
    auto id = store_.InsertUser(record);
    if (!id) return id.error();
    account.id = *id;
    audit_.Append(actor, "user.add", Target(*id), fmt::format("role={}", ToString(role)));
    return account;
}

Result<NewAccount> AuthService::ResetUser(const crypto::KeyPair& team_keys, UserId actor, UserId target) {
    if (team_keys.public_key != TeamPublicKey()) return {ErrorCode::kForbidden, "not the team key"};
    auto user = LoadUser(target);
    if (!user) return {ErrorCode::kNotFound, "no such user"};
    // A reset gives the account a new key pair: the old private key stays locked under the old
    // password and is of no use to anyone.
    auto account = MakeAccount(team_keys, *user);
    account.id = target;
    if (auto r = store_.UpdateUser(*user); !r) return r.error();
    store_.DeleteSessionsOfUser(target);
    {
        std::lock_guard lock(mutex_);
        cache_.clear();
    }
    audit_.Append(actor, "user.reset", Target(target));
    return account;
}

Result<void> AuthService::SetDisabled(UserId actor, UserId target, bool disabled) {
    auto user = LoadUser(target);
    if (!user) return {ErrorCode::kNotFound, "no such user"};
    user->disabled = disabled;
    user->updated_ms = ToUnixMillis(clock_.Now());
    if (auto r = store_.UpdateUser(*user); !r) return r;
    if (disabled) {
        store_.DeleteSessionsOfUser(target);
        std::lock_guard lock(mutex_);
        cache_.clear();
    }
    audit_.Append(actor, disabled ? "user.disable" : "user.enable", Target(target));
    return Ok();
}

Result<store::UserRecord> AuthService::SetSkills(UserId actor, UserId target, const store::UserSkills& skills) {
    auto user = LoadUser(target);
    if (!user) return {ErrorCode::kNotFound, "no such user"};
    if (!Allowed(user->role, Action::kQueueTake))
        return {ErrorCode::kConflict,
                fmt::format("a {} takes no contacts: queue skills are for operators and supervisors",
                            ToString(user->role))};
    const auto now = ToUnixMillis(clock_.Now());
    if (auto r = store_.UpdateUserSkills(target, skills, now); !r) return r.error();
    user->skills = skills;
    user->updated_ms = now;
    std::string languages, kinds;
    for (const auto& l : skills.languages) languages += (languages.empty() ? "" : ",") + l;
    for (auto k : skills.kinds) kinds += fmt::format("{}{}", kinds.empty() ? "" : ",", ToString(k));
    audit_.Append(actor, "user.skills", Target(target), fmt::format("languages={} kinds={}", languages, kinds));
    return std::move(*user);
}

std::vector<store::UserRecord> AuthService::ListUsers() { return store_.ListUsers(); }

std::optional<store::UserRecord> AuthService::FindUser(UserId id) { return LoadUser(id); }

Result<crypto::KeyPair> AuthService::UnlockTeamKey(std::string_view admin_username, std::string_view password,
                                                   UserId* admin_id) {
    auto user = store_.FindUserByName(admin_username);
    if (!user || user->disabled || user->role != Role::kAdmin)
        return {ErrorCode::kUnauthenticated, "wrong administrator name or password"};
    const auto now = ToUnixMillis(clock_.Now());
    if (user->locked_until_ms > now) return {ErrorCode::kLocked, "the administrator account is locked"};
    auto keys = crypto::UnlockWithPassword(WrappedFrom(*user), password);
    if (!keys) {
        (void)RecordFailure(*user, "shell_unlock");
        return {ErrorCode::kUnauthenticated, "wrong administrator name or password"};
    }
    auto team = crypto::OpenTeamKey(user->team_key_sealed, *keys, TeamPublicKey());
    if (!team) return team.error();
    if (admin_id) *admin_id = user->id;
    audit_.Append(user->id, "shell.unlock", Target(user->id));
    return team;
}

}  // namespace lifeline::auth
