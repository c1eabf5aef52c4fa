#pragma once
/// A data directory: DATA/lifeline.db (the embedded store) and DATA/secrets (mode 0600, the keys
/// kept outside the database). Opening one wires the store, the audit log and the auth service.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"

namespace lifeline::app {

/// The one server of a data directory: an exclusive flock on DATA/serve.lock, held while this
/// lives (and by the kernel, never past the process). Two servers on one database would each
/// keep their own receipt index (store/sqlite/receipt_index.hpp) and queue; the CLI's commands,
/// which never insert cases, do not take it and may run beside the server.
class ServeLock {
public:
    /// kConflict when another process holds it; kInvalidArgument when the file cannot be opened.
    static Result<ServeLock> Take(const std::string& data_path);
    ServeLock(ServeLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ServeLock& operator=(ServeLock&&) = delete;
    ServeLock(const ServeLock&) = delete;
    ServeLock& operator=(const ServeLock&) = delete;
    ~ServeLock();

private:
    explicit ServeLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

struct DataDir {
    std::string path;
    /// Held while serving (OpenDataDir with serving): first in, last out, after the store.
    std::optional<ServeLock> serve_lock;
    std::unique_ptr<store::Store> store;
    crypto::Secrets secrets;
    std::unique_ptr<audit::AuditLog> audit;
    std::unique_ptr<auth::AuthService> auth;

    std::string DatabasePath() const { return path + "/lifeline.db"; }
    std::string SecretsPath() const { return path + "/secrets"; }
};

struct InitOutcome {
    std::string admin_username;
    auth::NewAccount admin;
};

/// Creates a data directory (mode 0700) with its database, secrets, team key and first
/// administrator. kAlreadyExists if it is already initialised.
Result<InitOutcome> InitDataDir(const std::string& path, const std::string& admin_username);

/// Opens an initialised data directory; kNotFound with a hint to run `lifeline init` if it is not.
/// With serving, it first takes the directory's ServeLock (kConflict while another server holds
/// it).
Result<std::unique_ptr<DataDir>> OpenDataDir(const std::string& path, const auth::AuthConfig& auth_config = {},
                                             std::size_t max_batch = 256, bool serving = false);

}  // namespace lifeline::app
