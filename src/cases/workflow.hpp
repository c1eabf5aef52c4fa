#pragma once
/// The life of a case (../shared/DOMAIN.md): states, the transitions allowed between them, triage
/// categories, closure reasons and the answers to relatives' inquiries. Pure functions: no store,
/// no I/O. Every transition needs a reason; closing needs a closure reason.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/domain.hpp"
#include "core/result.hpp"

namespace lifeline::cases {

enum class State {
    kNew,            ///< first contact, not yet looked at
    kTriage,         ///< an operator is finding out what the contact is
    kApplication,    ///< preliminary application being taken (questionnaire)
    kVerification,   ///< personal data and service number being checked
    kDormant,        ///< not at the front yet; told to get back in touch
    kExitPlanning,   ///< location, group, time window being agreed
    kHandedOff,      ///< handed to a unit through a coordinator
    kSurrendered,    ///< crossed; registered as a prisoner of war
    kInquiry,        ///< a relative's inquiry being searched
    kAnswered,       ///< the relative was given an answer
    kClosed,
};

enum class Triage { kUnset, kInfoOnly, kRelativeInquiry, kSurrenderIntent, kNonGenuine };

enum class ClosureReason { kNone, kCompleted, kWithdrawn, kLostContact, kSuspectedProvocation, kNonGenuine, kDuplicate };

enum class InquiryAnswer {
    kNone,
    kNoData,
    kDataWithoutCaptivityInfo,
    kProbablyCaptive,
    kCaptivityConfirmed,
    kReleasedInExchange,
};

std::string_view ToString(State s) noexcept;
std::string_view ToString(Triage t) noexcept;
std::string_view ToString(ClosureReason r) noexcept;
std::string_view ToString(InquiryAnswer a) noexcept;
std::optional<State> ParseState(std::string_view s) noexcept;
std::optional<Triage> ParseTriage(std::string_view s) noexcept;
std::optional<ClosureReason> ParseClosureReason(std::string_view s) noexcept;
std::optional<InquiryAnswer> ParseInquiryAnswer(std::string_view s) noexcept;

/// Every state, in workflow order.
std::span<const State> AllStates() noexcept;

/// The state a new case of this kind starts in.
State InitialState(CaseKind kind) noexcept;

/// The states a case of this kind may move to from `from`.
std::vector<State> NextStates(CaseKind kind, State from);

/// The closure reasons a case of this kind may be closed with from `from` (empty when it cannot
/// close). `completed` means the work is done: a surrender (`surrendered`), an answered inquiry
/// (`answered`), or an information-only contact given its answer at `triage`. The others fit any
/// open state of either kind.
std::vector<ClosureReason> ClosureReasons(CaseKind kind, State from);

/// Checks a transition: allowed for the kind, a non-empty reason, a closure reason exactly when
/// closing (and one that fits the kind and the state, see ClosureReasons), an answer exactly when
/// answering an inquiry.
Result<void> CheckTransition(CaseKind kind, State from, State to, std::string_view reason, ClosureReason closure,
                             InquiryAnswer answer);

/// The states that send a unit to meet the person (exit_planning, handed_off): a case marked
/// suspect (a possible lure) never enters them; verification ends either in one of them or in the
/// suspect mark.
bool LeadsToAUnit(State to);

}  // namespace lifeline::cases
