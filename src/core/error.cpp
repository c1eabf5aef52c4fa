#include "core/error.hpp"

namespace lifeline {

std::string_view ErrorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kOk: return "ok";
        case ErrorCode::kInvalidArgument: return "invalid_argument";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kAlreadyExists: return "already_exists";
        case ErrorCode::kUnauthenticated: return "unauthenticated";
        case ErrorCode::kForbidden: return "forbidden";
        case ErrorCode::kLocked: return "locked";
        case ErrorCode::kRateLimited: return "rate_limited";
        case ErrorCode::kDecryptFailed: return "decrypt_failed";
        case ErrorCode::kIntegrity: return "integrity";
        case ErrorCode::kConflict: return "conflict";
        case ErrorCode::kUnavailable: return "unavailable";
        case ErrorCode::kInternal: return "internal";
    }
    return "internal";
}

}  // namespace lifeline
