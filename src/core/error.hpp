#pragma once
// Error codes and the one exception hierarchy. Expected outcomes are Result<T> values (result.hpp);
// what aborts a request or a job is a LifelineError, caught at one site per boundary.

#include <stdexcept>
#include <string>
#include <string_view>

namespace lifeline {

/// Stable error codes: they appear in API responses, so never renumber or rename one.
enum class ErrorCode {
    kOk = 0,
    kInvalidArgument,       ///< bad input from a client or the shell
    kNotFound,              ///< no such entity (or the caller may not know it exists)
    kAlreadyExists,         ///< unique constraint, e.g. a username taken
    kUnauthenticated,       ///< no session, wrong password, wrong code
    kForbidden,             ///< authenticated but the role may not do this
    kLocked,                ///< account locked after failed attempts
    kRateLimited,           ///< too many requests; retry later
    kDecryptFailed,         ///< ciphertext or wrapped key failed authentication
    kIntegrity,             ///< audit chain or stored data does not verify
    kConflict,              ///< state does not allow the action
    kUnavailable,           ///< shutting down, overloaded
    kInternal,              ///< a bug or an environment failure
};

/// The stable string form used in JSON error bodies and logs.
std::string_view ErrorCodeName(ErrorCode code) noexcept;

/// A failure with a code and a message safe to show a client. The message must never carry
/// personal data: ids and keyed pseudonyms only.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
};

/// The one exception type for failures that abort a request, a job or a command.
class LifelineError : public std::runtime_error {
public:
    LifelineError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    explicit LifelineError(Error error) : std::runtime_error(error.message), code_(error.code) {}
    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

}  // namespace lifeline
