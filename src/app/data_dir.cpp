#include "app/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>

#include <fmt/format.h>

#include "store/sqlite/sqlite_store.hpp"

namespace lifeline::app {
namespace fs = std::filesystem;

Result<InitOutcome> InitDataDir(const std::string& path, const std::string& admin_username) {
    crypto::Init();
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return {ErrorCode::kInvalidArgument, fmt::format("cannot create {}: {}", path, ec.message())};
    ::chmod(path.c_str(), 0700);
    const std::string secrets_path = path + "/secrets";
    if (fs::exists(secrets_path) || fs::exists(path + "/lifeline.db"))
        return {ErrorCode::kAlreadyExists, fmt::format("{} is already initialised", path)};
    auto secrets = crypto::Secrets::Generate();
    if (auto r = secrets.Save(secrets_path); !r) return r.error();
    auto dir = OpenDataDir(path);
    if (!dir) return dir.error();
    auto admin = (*dir)->auth->Bootstrap(admin_username);
    if (!admin) return admin.error();
    return InitOutcome{admin_username, std::move(*admin)};
}

Result<ServeLock> ServeLock::Take(const std::string& data_path) {
    const std::string lock_path = data_path + "/serve.lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{ErrorCode::kInvalidArgument, fmt::format("cannot open {}: {}", lock_path, std::strerror(errno))};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            return Error{ErrorCode::kConflict,
                         fmt::format("another lifeline is already serving {} (it holds {})", data_path, lock_path)};
        return Error{ErrorCode::kInvalidArgument, fmt::format("cannot lock {}: {}", lock_path, std::strerror(error))};
    }
    return ServeLock(fd);
}

ServeLock::~ServeLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Result<std::unique_ptr<DataDir>> OpenDataDir(const std::string& path, const auth::AuthConfig& auth_config,
                                             std::size_t max_batch, bool serving) {
    crypto::Init();
    auto dir = std::make_unique<DataDir>();
    dir->path = path;
    if (!fs::exists(dir->SecretsPath()))
        return {ErrorCode::kNotFound,
                fmt::format("{} is not a lifeline data directory (run: lifeline init --data {})", path, path)};
    if (serving) {
        auto lock = ServeLock::Take(path);
        if (!lock) return lock.error();
        dir->serve_lock.emplace(std::move(*lock));
    }
    auto secrets = crypto::Secrets::Load(dir->SecretsPath());
    if (!secrets) return secrets.error();
    dir->secrets = std::move(*secrets);
    store::SqliteOptions options;
    options.path = dir->DatabasePath();
    options.max_batch = max_batch;
    dir->store = store::OpenSqliteStore(options);
    dir->audit = std::make_unique<audit::AuditLog>(*dir->store, dir->secrets.audit_key, SystemClock::Instance());
    dir->auth = std::make_unique<auth::AuthService>(*dir->store, *dir->audit, dir->secrets, SystemClock::Instance(),
                                                    auth_config);
    return dir;
}

}  // namespace lifeline::app
