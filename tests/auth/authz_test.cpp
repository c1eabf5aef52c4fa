#include "auth/authz.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace lifeline::auth {
namespace {

// The matrix written out independently of the implementation: role → actions it may take.
const std::map<Role, std::set<std::string_view>> kExpected = {
    {Role::kOperator,
     {"case.list", "case.read", "case.create", "case.reply", "case.note", "case.transition", "case.assign",
      "case.handoff", "queue.take", "queue.abandon", "queue.callback", "queue.transfer", "presence.set"}},
    {Role::kCoordinator, {"handoff.read", "handoff.outcome"}},
    {Role::kSupervisor,
     {"case.list", "case.read", "case.create", "case.reply", "case.note", "case.transition", "case.assign",
      "case.handoff", "queue.take", "queue.abandon", "queue.callback", "queue.transfer", "queue.manage",
      "presence.set", "wallboard.read", "stats.read", "user.list", "user.skills"}},
    {Role::kAdmin,
     {"wallboard.read", "stats.read", "user.list", "user.manage", "user.skills", "audit.read", "channel.manage"}},
};

TEST(Authz, EveryRoleTimesEveryAction) {
    int allowed = 0;
    for (Role role : kAllRoles) {
        for (Action action : kAllActions) {
            const bool want = kExpected.at(role).contains(ToString(action));
            EXPECT_EQ(Allowed(role, action), want) << ToString(role) << " × " << ToString(action);
            allowed += want;
        }
    }
    EXPECT_EQ(allowed, 40);
}

TEST(Authz, ActionNamesRoundTrip) {
    for (Action a : kAllActions) EXPECT_EQ(ParseAction(ToString(a)), a);
    EXPECT_FALSE(ParseAction("case.delete"));
}

TEST(Authz, OnlySupervisorsMoveContactsHeldByOthers) {
    for (Role role : kAllRoles) EXPECT_EQ(Allowed(role, Action::kQueueManage), role == Role::kSupervisor);
}

// Presence is presence in the contact queue: a role that joins it must be able to take what it
// is offered (a coordinator would be offered contacts he cannot accept).
TEST(Authz, OnlyRolesThatTakeContactsJoinTheQueue) {
    for (Role role : kAllRoles)
        EXPECT_EQ(Allowed(role, Action::kPresenceSet), Allowed(role, Action::kQueueTake)) << ToString(role);
    EXPECT_FALSE(Allowed(Role::kCoordinator, Action::kPresenceSet));
}

TEST(Authz, AdministratorsReadNoCaseContent) {
    EXPECT_FALSE(Allowed(Role::kAdmin, Action::kCaseRead));
    EXPECT_FALSE(Allowed(Role::kCoordinator, Action::kCaseRead));
}

}  // namespace
}  // namespace lifeline::auth
