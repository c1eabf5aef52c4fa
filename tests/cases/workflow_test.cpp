#include "cases/workflow.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace lifeline::cases {
namespace {

constexpr auto kApp = CaseKind::kSurrenderApplication;
constexpr auto kInq = CaseKind::kRelativeInquiry;

TEST(Workflow, ASurrenderFromFirstContactToClosure) {
    const std::vector<State> path = {State::kNew,         State::kTriage,    State::kApplication,
                                     State::kVerification, State::kDormant,  State::kExitPlanning,
                                     State::kHandedOff,   State::kSurrendered};
    for (std::size_t i = 0; i + 1 < path.size(); ++i)
        EXPECT_TRUE(CheckTransition(kApp, path[i], path[i + 1], "next step", ClosureReason::kNone,
                                    InquiryAnswer::kNone)
                        .ok())
            << ToString(path[i]) << " → " << ToString(path[i + 1]);
    EXPECT_TRUE(CheckTransition(kApp, State::kSurrendered, State::kClosed, "done", ClosureReason::kCompleted,
                                InquiryAnswer::kNone)
                    .ok());
}

// A contact that came in as an application (every messenger or phone contact does) and turned
// out to be a relative's inquiry is answered like one, not left where only closing is possible.
TEST(Workflow, AnApplicationTriagedAsAnInquiryCanBeAnswered) {
    const auto ok = [](State from, State to, InquiryAnswer answer) {
        return CheckTransition(kApp, from, to, "a wife asks for her husband", ClosureReason::kNone, answer).ok();
    };
    EXPECT_TRUE(ok(State::kTriage, State::kInquiry, InquiryAnswer::kNone));
    EXPECT_TRUE(ok(State::kInquiry, State::kAnswered, InquiryAnswer::kProbablyCaptive));
    EXPECT_FALSE(ok(State::kInquiry, State::kAnswered, InquiryAnswer::kNone));  // an answer needs its status
    EXPECT_TRUE(ok(State::kAnswered, State::kInquiry, InquiryAnswer::kNone));     // she asks again
    EXPECT_TRUE(CheckTransition(kApp, State::kAnswered, State::kClosed, "done", ClosureReason::kCompleted,
                                InquiryAnswer::kNone)
                    .ok());
    // Answering is for inquiries only: an application on its way to surrender has no answer.
    EXPECT_EQ(CheckTransition(kApp, State::kApplication, State::kAnswered, "x", ClosureReason::kNone,
                              InquiryAnswer::kNoData)
                  .code(),
              ErrorCode::kConflict);
}

TEST(Workflow, DisallowedJumpsAreConflicts) {
    EXPECT_EQ(CheckTransition(kApp, State::kNew, State::kSurrendered, "skip", ClosureReason::kNone,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kConflict);
    EXPECT_EQ(CheckTransition(kApp, State::kClosed, State::kClosed, "again", ClosureReason::kCompleted,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kConflict);
    EXPECT_EQ(CheckTransition(kInq, State::kNew, State::kApplication, "x", ClosureReason::kNone,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kConflict);
}

// "completed" says the work is done; a case closed as completed in the middle of verification
// would count as a success in the outcome figures that it never was.
TEST(Workflow, ACaseIsClosedAsCompletedOnlyOnceItsWorkIsDone) {
    const auto close = [](CaseKind kind, State from, ClosureReason r) {
        return CheckTransition(kind, from, State::kClosed, "closing", r, InquiryAnswer::kNone);
    };
    EXPECT_TRUE(close(kApp, State::kSurrendered, ClosureReason::kCompleted).ok());
    EXPECT_TRUE(close(kApp, State::kAnswered, ClosureReason::kCompleted).ok());
    EXPECT_TRUE(close(kApp, State::kTriage, ClosureReason::kCompleted).ok());  // told how it works; done
    EXPECT_TRUE(close(kInq, State::kAnswered, ClosureReason::kCompleted).ok());
    for (State s : {State::kNew, State::kApplication, State::kVerification, State::kDormant, State::kExitPlanning,
                    State::kHandedOff, State::kInquiry}) {
        auto r = close(kApp, s, ClosureReason::kCompleted);
        EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument) << ToString(s);
        EXPECT_EQ(ClosureReasons(kApp, s).size(), 5u) << ToString(s);
    }
    EXPECT_EQ(close(kInq, State::kNew, ClosureReason::kCompleted).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(close(kInq, State::kInquiry, ClosureReason::kCompleted).code(), ErrorCode::kInvalidArgument);
    // Every other reason fits every open state of either kind.
    for (auto kind : {kApp, kInq})
        for (State s : AllStates()) {
            if (s == State::kClosed) {
                EXPECT_TRUE(ClosureReasons(kind, s).empty());
                continue;
            }
            auto next = NextStates(kind, s);
            if (std::find(next.begin(), next.end(), State::kClosed) == next.end()) continue;
            for (auto r : {ClosureReason::kWithdrawn, ClosureReason::kLostContact, ClosureReason::kSuspectedProvocation,
                           ClosureReason::kNonGenuine, ClosureReason::kDuplicate})
                EXPECT_TRUE(close(kind, s, r).ok()) << ToString(kind) << " " << ToString(s) << " " << ToString(r);
        }
}

// Intake reopens a closed case when its person writes again (intake_service.cpp ReopenedState);
// it must land where the workflow lets a closed case go.
TEST(Workflow, AClosedCaseReopensOnlyIntoItsKindsFirstWorkingState) {
    EXPECT_EQ(NextStates(kApp, State::kClosed), std::vector<State>{State::kTriage});
    EXPECT_EQ(NextStates(kInq, State::kClosed), std::vector<State>{State::kInquiry});
}

TEST(Workflow, ReasonsAreRequiredWhereTheyBelong) {
    EXPECT_EQ(CheckTransition(kApp, State::kNew, State::kTriage, "  ", ClosureReason::kNone, InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(CheckTransition(kApp, State::kTriage, State::kClosed, "prank", ClosureReason::kNone,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(CheckTransition(kApp, State::kNew, State::kTriage, "x", ClosureReason::kCompleted,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(CheckTransition(kInq, State::kInquiry, State::kAnswered, "searched", ClosureReason::kNone,
                              InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kInvalidArgument);
    EXPECT_TRUE(CheckTransition(kInq, State::kInquiry, State::kAnswered, "searched", ClosureReason::kNone,
                                InquiryAnswer::kProbablyCaptive)
                    .ok());
}

TEST(Workflow, EveryOpenStateCanCloseAndClosedCanReopen) {
    for (State s : AllStates()) {
        auto next = NextStates(kApp, s);
        const bool closes = std::find(next.begin(), next.end(), State::kClosed) != next.end();
        EXPECT_EQ(closes, s != State::kClosed) << ToString(s);
    }
    auto reopen = NextStates(kApp, State::kClosed);
    EXPECT_EQ(reopen, std::vector<State>{State::kTriage});
}

TEST(Workflow, NamesRoundTrip) {
    for (State s : AllStates()) EXPECT_EQ(ParseState(ToString(s)), s);
    EXPECT_EQ(ParseClosureReason("suspected_provocation"), ClosureReason::kSuspectedProvocation);
    EXPECT_EQ(ParseInquiryAnswer("released_in_exchange"), InquiryAnswer::kReleasedInExchange);
    EXPECT_EQ(ParseTriage("non_genuine"), Triage::kNonGenuine);
    EXPECT_FALSE(ParseState("deleted"));
}

}  // namespace
}  // namespace lifeline::cases
