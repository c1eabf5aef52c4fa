#include "cases/workflow.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

namespace lifeline::cases {
namespace {

constexpr std::array<std::pair<State, std::string_view>, 11> kStates{{
    {State::kNew, "new"},
    {State::kTriage, "triage"},
    {State::kApplication, "application"},
    {State::kVerification, "verification"},
    {State::kDormant, "dormant"},
    {State::kExitPlanning, "exit_planning"},
    {State::kHandedOff, "handed_off"},
    {State::kSurrendered, "surrendered"},
    {State::kInquiry, "inquiry"},
    {State::kAnswered, "answered"},
    {State::kClosed, "closed"},
}};
constexpr std::array<std::pair<Triage, std::string_view>, 5> kTriage{{
    {Triage::kUnset, "unset"},
    {Triage::kInfoOnly, "info_only"},
    {Triage::kRelativeInquiry, "relative_inquiry"},
    {Triage::kSurrenderIntent, "surrender_intent"},
    {Triage::kNonGenuine, "non_genuine"},
}};
constexpr std::array<std::pair<ClosureReason, std::string_view>, 7> kClosure{{
    {ClosureReason::kNone, "none"},
    {ClosureReason::kCompleted, "completed"},
    {ClosureReason::kWithdrawn, "withdrawn"},
    {ClosureReason::kLostContact, "lost_contact"},
    {ClosureReason::kSuspectedProvocation, "suspected_provocation"},
    {ClosureReason::kNonGenuine, "non_genuine"},
    {ClosureReason::kDuplicate, "duplicate"},
}};
constexpr std::array<std::pair<InquiryAnswer, std::string_view>, 6> kAnswers{{
    {InquiryAnswer::kNone, "none"},
    {InquiryAnswer::kNoData, "no_data"},
    {InquiryAnswer::kDataWithoutCaptivityInfo, "data_without_captivity_info"},
    {InquiryAnswer::kProbablyCaptive, "probably_captive"},
    {InquiryAnswer::kCaptivityConfirmed, "captivity_confirmed"},
    {InquiryAnswer::kReleasedInExchange, "released_in_exchange"},
}};
constexpr std::array<State, 11> kAllStates{State::kNew,        State::kTriage,      State::kApplication,
                                           State::kVerification, State::kDormant,   State::kExitPlanning,
                                           State::kHandedOff,  State::kSurrendered, State::kInquiry,
                                           State::kAnswered,   State::kClosed};

template <typename E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& t, E e) {
    for (const auto& [v, n] : t)
        if (v == e) return n;
    return "unknown";
}
template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& t, std::string_view s) {
    for (const auto& [v, n] : t)
        if (n == s) return v;
    return std::nullopt;
}

using S = State;
struct Edge {
    State from;
    State to;
};
// A surrender application. Any open state may close; a closed case may be reopened into triage
// (the same person comes back months later). A first contact triaged as a relative's inquiry (a
// wife writing to the bot, whose contacts start as applications) is handled as one: it can be
// answered with an answer status, and asked again.
constexpr Edge kApplicationEdges[] = {
    {S::kNew, S::kTriage},            {S::kTriage, S::kApplication},       {S::kTriage, S::kInquiry},
    {S::kInquiry, S::kAnswered},      {S::kAnswered, S::kInquiry},
    {S::kApplication, S::kVerification}, {S::kApplication, S::kDormant},  {S::kVerification, S::kDormant},
    {S::kVerification, S::kExitPlanning}, {S::kVerification, S::kApplication}, {S::kDormant, S::kExitPlanning},
    {S::kDormant, S::kVerification},  {S::kExitPlanning, S::kHandedOff},  {S::kExitPlanning, S::kDormant},
    {S::kHandedOff, S::kSurrendered}, {S::kHandedOff, S::kExitPlanning},  {S::kClosed, S::kTriage},
};
constexpr Edge kInquiryEdges[] = {
    {S::kNew, S::kInquiry},  {S::kInquiry, S::kAnswered}, {S::kAnswered, S::kInquiry},
    {S::kClosed, S::kInquiry},
};

bool IsOpen(State s) { return s != State::kClosed; }

}  // namespace

std::string_view ToString(State s) noexcept { return Name(kStates, s); }
std::string_view ToString(Triage t) noexcept { return Name(kTriage, t); }
std::string_view ToString(ClosureReason r) noexcept { return Name(kClosure, r); }
std::string_view ToString(InquiryAnswer a) noexcept { return Name(kAnswers, a); }
std::optional<State> ParseState(std::string_view s) noexcept { return Parse(kStates, s); }
std::optional<Triage> ParseTriage(std::string_view s) noexcept { return Parse(kTriage, s); }
std::optional<ClosureReason> ParseClosureReason(std::string_view s) noexcept { return Parse(kClosure, s); }
std::optional<InquiryAnswer> ParseInquiryAnswer(std::string_view s) noexcept { return Parse(kAnswers, s); }
std::span<const State> AllStates() noexcept { return kAllStates; }

State InitialState(CaseKind) noexcept { return State::kNew; }

std::vector<State> NextStates(CaseKind kind, State from) {
    std::vector<State> out;
    std::span<const Edge> edges = kind == CaseKind::kRelativeInquiry ? std::span<const Edge>(kInquiryEdges)
                                                                     : std::span<const Edge>(kApplicationEdges);
    for (const auto& e : edges)
        if (e.from == from) out.push_back(e.to);
    if (IsOpen(from)) out.push_back(State::kClosed);
    return out;
}

std::vector<ClosureReason> ClosureReasons(CaseKind kind, State from) {
    std::vector<ClosureReason> out;
    if (!IsOpen(from)) return out;
    const bool done = from == State::kSurrendered || from == State::kAnswered ||
                      (from == State::kTriage && kind == CaseKind::kSurrenderApplication);
    for (const auto& [r, name] : kClosure) {
        if (r == ClosureReason::kNone || (r == ClosureReason::kCompleted && !done)) continue;
        out.push_back(r);
    }
    return out;
}

bool LeadsToAUnit(State to) { return to == State::kExitPlanning || to == State::kHandedOff; }

Result<void> CheckTransition(CaseKind kind, State from, State to, std::string_view reason, ClosureReason closure,
                             InquiryAnswer answer) {
    auto next = NextStates(kind, from);
    if (std::find(next.begin(), next.end(), to) == next.end())
        return {ErrorCode::kConflict, fmt::format("a {} case cannot move from {} to {}", lifeline::ToString(kind),
                                                  ToString(from), ToString(to))};
    if (reason.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return {ErrorCode::kInvalidArgument, "a transition needs a reason"};
    if (to == State::kClosed) {
        if (closure == ClosureReason::kNone) return {ErrorCode::kInvalidArgument, "closing needs a closure reason"};
        auto fits = ClosureReasons(kind, from);
        if (std::find(fits.begin(), fits.end(), closure) == fits.end())
            return {ErrorCode::kInvalidArgument,
                    fmt::format("a {} case in {} cannot be closed as {}", lifeline::ToString(kind), ToString(from),
                                ToString(closure))};
    } else if (closure != ClosureReason::kNone) {
        return {ErrorCode::kInvalidArgument, "a closure reason is only for closing"};
    }
    if (to == State::kAnswered) {
        if (answer == InquiryAnswer::kNone) return {ErrorCode::kInvalidArgument, "answering needs an answer status"};
    } else if (answer != InquiryAnswer::kNone) {
        return {ErrorCode::kInvalidArgument, "an answer status is only for answering an inquiry"};
    }
    return Ok();
}

}  // namespace lifeline::cases
