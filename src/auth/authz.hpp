#pragma once
/// The one authorisation table: which role may do which action. Every API route names its
/// action and is checked here, in one place (api/guard.cpp); tests walk the whole matrix.

#include <array>
#include <optional>
#include <string_view>

#include "core/domain.hpp"

namespace lifeline::auth {

enum class Action {
    kCaseList,          ///< list and filter cases (ids, states, channels, ages)
    kCaseRead,          ///< read a case's content (audited)
    kCaseCreate,        ///< file a contact on someone's behalf
    kCaseReply,         ///< send a reply to the applicant
    kCaseNote,          ///< add an internal note
    kCaseTransition,    ///< move a case through the workflow
    kCaseAssign,        ///< assign a case to an operator
    kCaseHandoff,       ///< hand selected fields to a coordinator
    kHandoffRead,       ///< read what was handed to me (coordinator)
    kHandoffOutcome,    ///< record the outcome of a hand-off
    kQueueTake,         ///< receive and accept offered contacts
    kQueueAbandon,      ///< mark a waiting contact, or one offered to me, as gone (abandoned)
    kQueueCallback,     ///< turn a waiting contact, or one offered to me, into a callback request
    kQueueTransfer,     ///< send a contact offered or connected to me to another operator or skill
    kQueueManage,       ///< the same for any contact: waiting, or offered or connected to someone else
    kPresenceSet,       ///< set my own presence in the contact queue (only roles with kQueueTake)
    kWallboardRead,     ///< live queue figures
    kStatsRead,         ///< statistics and forecasts
    kUserList,          ///< list operator accounts
    kUserManage,        ///< add, disable, reset accounts
    kUserSkills,        ///< set the queue skills (languages, case kinds) of accounts that take contacts
    kAuditRead,         ///< read and verify the audit log
    kChannelManage,     ///< configure channels
};

inline constexpr std::array kAllActions{
    Action::kCaseList,     Action::kCaseRead,     Action::kCaseCreate,    Action::kCaseReply,
    Action::kCaseNote,     Action::kCaseTransition, Action::kCaseAssign,  Action::kCaseHandoff,
    Action::kHandoffRead,  Action::kHandoffOutcome, Action::kQueueTake,   Action::kQueueAbandon,
    Action::kQueueCallback, Action::kQueueTransfer, Action::kQueueManage, Action::kPresenceSet,
    Action::kWallboardRead, Action::kStatsRead,   Action::kUserList,      Action::kUserManage,
    Action::kUserSkills,   Action::kAuditRead,    Action::kChannelManage,
};
inline constexpr std::array kAllRoles{Role::kOperator, Role::kCoordinator, Role::kSupervisor, Role::kAdmin};

/// True when the role may perform the action.
bool Allowed(Role role, Action action) noexcept;
std::string_view ToString(Action action) noexcept;
std::optional<Action> ParseAction(std::string_view name) noexcept;

}  // namespace lifeline::auth
