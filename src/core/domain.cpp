#include "core/domain.hpp"

#include <array>
#include <utility>

namespace lifeline {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{{
    {Role::kOperator, "operator"},
    {Role::kCoordinator, "coordinator"},
    {Role::kSupervisor, "supervisor"},
    {Role::kAdmin, "admin"},
}};
constexpr std::array<std::pair<CaseKind, std::string_view>, 2> kKinds{{
    {CaseKind::kSurrenderApplication, "surrender_application"},
    {CaseKind::kRelativeInquiry, "relative_inquiry"},
}};
constexpr std::array<std::pair<Channel, std::string_view>, 6> kChannels{{
    {Channel::kWeb, "web"},
    {Channel::kTelegram, "telegram"},
    {Channel::kWhatsApp, "whatsapp"},
    {Channel::kSms, "sms"},
    {Channel::kPhone, "phone"},
    {Channel::kOperatorEntered, "operator_entered"},
}};

template <typename E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
    for (const auto& [value, name] : table)
        if (value == e) return name;
    return "unknown";
}
template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
    for (const auto& [value, name] : table)
        if (name == s) return value;
    return std::nullopt;
}
}  // namespace

std::string_view ToString(Role r) noexcept { return Name(kRoles, r); }
std::string_view ToString(CaseKind k) noexcept { return Name(kKinds, k); }
std::string_view ToString(Channel c) noexcept { return Name(kChannels, c); }
std::optional<Role> ParseRole(std::string_view s) noexcept { return Parse(kRoles, s); }
std::optional<CaseKind> ParseCaseKind(std::string_view s) noexcept { return Parse(kKinds, s); }
std::optional<Channel> ParseChannel(std::string_view s) noexcept { return Parse(kChannels, s); }

}  // namespace lifeline
