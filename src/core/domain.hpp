#pragma once
// Domain enumerations shared by the store, the domain modules and the API. Their string forms
// are stored and sent over the API: never rename one.

#include <optional>
#include <string_view>

namespace lifeline {

enum class Role { kOperator, kCoordinator, kSupervisor, kAdmin };

enum class CaseKind { kSurrenderApplication, kRelativeInquiry };

enum class Channel { kWeb, kTelegram, kWhatsApp, kSms, kPhone, kOperatorEntered };

std::string_view ToString(Role r) noexcept;
std::string_view ToString(CaseKind k) noexcept;
std::string_view ToString(Channel c) noexcept;
std::optional<Role> ParseRole(std::string_view s) noexcept;
std::optional<CaseKind> ParseCaseKind(std::string_view s) noexcept;
std::optional<Channel> ParseChannel(std::string_view s) noexcept;

}  // namespace lifeline
