#include "cases/workflow.hpp"

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
