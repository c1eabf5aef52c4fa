#pragma once
// Strong id types: a CaseId cannot be passed where a UserId is expected.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace lifeline {

template <typename Tag>
struct StrongId {
    std::int64_t value = 0;
    constexpr StrongId() = default;
    constexpr explicit StrongId(std::int64_t v) : value(v) {}
    constexpr bool valid() const noexcept { return value > 0; }
    auto operator<=>(const StrongId&) const = default;
    std::string ToString() const { return std::to_string(value); }
};

using UserId = StrongId<struct UserTag>;
using ApplicantId = StrongId<struct ApplicantTag>;
using CaseId = StrongId<struct CaseTag>;
using MessageId = StrongId<struct MessageTag>;
using KeyEpochId = StrongId<struct KeyEpochTag>;
using AuditSeq = StrongId<struct AuditTag>;

}  // namespace lifeline

template <typename Tag>
struct std::hash<lifeline::StrongId<Tag>> {
    std::size_t operator()(const lifeline::StrongId<Tag>& id) const noexcept {
        return std::hash<std::int64_t>{}(id.value);
    }
};
