#pragma once
// Result<T>: a value or an Error. g++ 12 has no std::expected under C++20.

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace lifeline {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : data_(std::move(value)) {}                   // NOLINT(google-explicit-constructor)
    Result(Error error) : data_(std::move(error)) {}               // NOLINT(google-explicit-constructor)
    Result(ErrorCode code, std::string message) : data_(Error{code, std::move(message)}) {}

    bool ok() const noexcept { return std::holds_alternative<T>(data_); }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { Check(); return std::get<T>(data_); }
    const T& value() const& { Check(); return std::get<T>(data_); }
    T&& value() && { Check(); return std::get<T>(std::move(data_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<Error>(data_);
    }
    ErrorCode code() const noexcept { return ok() ? ErrorCode::kOk : std::get<Error>(data_).code; }

    /// The value, or throws the error as a LifelineError (for boundaries that abort on failure).
    T ValueOrThrow() && {
        if (!ok()) throw LifelineError(std::get<Error>(std::move(data_)));
        return std::get<T>(std::move(data_));
    }

private:
    void Check() const {
        if (!ok()) throw LifelineError(std::get<Error>(data_));
    }
    std::variant<T, Error> data_;
};

/// Result with no value.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
    Result(ErrorCode code, std::string message) : error_{code, std::move(message)}, ok_(false) {}
    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const& { return error_; }
    ErrorCode code() const noexcept { return ok_ ? ErrorCode::kOk : error_.code; }
    void ValueOrThrow() const {
        if (!ok_) throw LifelineError(error_);
    }

private:
    Error error_{ErrorCode::kOk, {}};
    bool ok_ = true;
};

inline Result<void> Ok() { return {}; }

}  // namespace lifeline
