#include "auth/authz.hpp"

namespace lifeline::auth {
namespace {

struct Row {
    Action action;
    std::string_view name;
    bool op, coord, sup, admin;  // operator, coordinator, supervisor, admin
};

// The table. Administrators manage accounts and keys but read no case content; coordinators
// see only what was handed to them; supervisors oversee the operators' work (queue.manage: they
// may move contacts that are with another operator, or still waiting, which an operator may not).
// presence.set is presence in the contact queue: only roles that take contacts (queue.take) join
// it, or they would be offered contacts they cannot accept. user.skills: who takes which
// languages and case kinds is staffing, done by supervisors as well as administrators.
constexpr Row kTable[] = {
    //  action                     name               op     coord  sup    admin
    {Action::kCaseList,        "case.list",        true,  false, true,  false},
    {Action::kCaseRead,        "case.read",        true,  false, true,  false},
    {Action::kCaseCreate,      "case.create",      true,  false, true,  false},
    {Action::kCaseReply,       "case.reply",       true,  false, true,  false},
    {Action::kCaseNote,        "case.note",        true,  false, true,  false},
    {Action::kCaseTransition,  "case.transition",  true,  false, true,  false},
    {Action::kCaseAssign,      "case.assign",      true,  false, true,  false},
    {Action::kCaseHandoff,     "case.handoff",     true,  false, true,  false},
    {Action::kHandoffRead,     "handoff.read",     false, true,  false, false},
    {Action::kHandoffOutcome,  "handoff.outcome",  false, true,  false, false},
    {Action::kQueueTake,       "queue.take",       true,  false, true,  false},
    {Action::kQueueAbandon,    "queue.abandon",    true,  false, true,  false},
    {Action::kQueueCallback,   "queue.callback",   true,  false, true,  false},
    {Action::kQueueTransfer,   "queue.transfer",   true,  false, true,  false},
    {Action::kQueueManage,     "queue.manage",     false, false, true,  false},
    {Action::kPresenceSet,     "presence.set",     true,  false, true,  false},
    {Action::kWallboardRead,   "wallboard.read",   false, false, true,  true},
    {Action::kStatsRead,       "stats.read",       false, false, true,  true},
    {Action::kUserList,        "user.list",        false, false, true,  true},
    {Action::kUserManage,      "user.manage",      false, false, false, true},
    {Action::kUserSkills,      "user.skills",      false, false, true,  true},
    {Action::kAuditRead,       "audit.read",       false, false, false, true},
    {Action::kChannelManage,   "channel.manage",   false, false, false, true},
};
static_assert(std::size(kTable) == kAllActions.size(), "every action has a row");

const Row* Find(Action a) {
    for (const auto& row : kTable)
        if (row.action == a) return &row;
    return nullptr;
}

}  // namespace

bool Allowed(Role role, Action action) noexcept {
    const Row* row = Find(action);
    if (row == nullptr) return false;
    switch (role) {
        case Role::kOperator: return row->op;
        case Role::kCoordinator: return row->coord;
        case Role::kSupervisor: return row->sup;
        case Role::kAdmin: return row->admin;
    }
    return false;
}

std::string_view ToString(Action action) noexcept {
    const Row* row = Find(action);
    return row ? row->name : "unknown";
}

std::optional<Action> ParseAction(std::string_view name) noexcept {
    for (const auto& row : kTable)
        if (row.name == name) return row.action;
    return std::nullopt;
}

}  // namespace lifeline::auth
