#pragma once
/// A data directory: DATA/lifeline.db (the embedded store) and DATA/secrets (mode 0600, the keys
/// kept outside the database). Opening one wires the store, the audit log and the auth service.

#include <memory>
#include <string>

#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"

namespace lifeline::app {

struct DataDir {
    std::string path;
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
Result<std::unique_ptr<DataDir>> OpenDataDir(const std::string& path, const auth::AuthConfig& auth_config = {},
                                             std::size_t max_batch = 256);

}  // namespace lifeline::app
