#include "cases/case_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "intake/intake_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

using cases::ClosureReason;
using cases::InquiryAnswer;
using cases::State;

class CaseServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        secrets_ = crypto::Secrets::Generate();
        store::SqliteOptions options;
        options.path = dir_ / "lifeline.db";
        store_ = store::OpenSqliteStore(options);
        store_->PutMeta("team_public_key", team_.public_key);
        audit_ = std::make_unique<audit::AuditLog>(*store_, secrets_.audit_key, clock_);
        intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);
        cases_ = std::make_unique<cases::CaseService>(*store_, *audit_, clock_);
        op_ = AddUser("olena", Role::kOperator, op_keys_);
        coord_ = AddUser("petro", Role::kCoordinator, coord_keys_);
        other_coord_ = AddUser("taras", Role::kCoordinator, other_keys_);
        intake::InboundContact c;
        c.fields = {{"unit", "237th regiment"}, {"area", "near Horlivka"}, {"contact", "@soldier"},
                    {"service_number", "AB-123456"}};
        c.text = "I want to surrender with two others";
        c.attachments.push_back({"image/png", Bytes{0x89, 'P', 'N', 'G', 1, 2, 3}});
        auto out = intake_->Submit(c);
        ASSERT_TRUE(out.ok());
        case_id_ = out->case_id;
    }

    UserId AddUser(const std::string& name, Role role, crypto::KeyPair& keys) {
        keys = crypto::KeyPair::Generate();
        store::UserRecord u;
        u.username = name;
        u.role = role;
        u.public_key = keys.public_key;
        return *store_->InsertUser(u);
    }
    cases::Actor Operator() { return {op_, Role::kOperator, &team_, &op_keys_}; }
    cases::Actor Coordinator(bool other = false) {
        return other ? cases::Actor{other_coord_, Role::kCoordinator, nullptr, &other_keys_}
                     : cases::Actor{coord_, Role::kCoordinator, nullptr, &coord_keys_};
    }
    std::vector<std::string> AuditActions() {
        std::vector<std::string> out;
        for (const auto& e : audit_->Read(1, 1000)) out.push_back(e.action + " " + e.target);
        return out;
    }

    TempDir dir_;
    FakeClock clock_;
    crypto::Secrets secrets_;
    crypto::KeyPair team_ = crypto::KeyPair::Generate();
    crypto::KeyPair op_keys_, coord_keys_, other_keys_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<audit::AuditLog> audit_;
    std::unique_ptr<intake::IntakeService> intake_;
    std::unique_ptr<cases::CaseService> cases_;
    UserId op_, coord_, other_coord_;
    CaseId case_id_;
};

TEST_F(CaseServiceTest, ReadingACaseDecryptsItAndIsAudited) {
    auto view = cases_->Read(Operator(), case_id_);
    ASSERT_TRUE(view.ok()) << view.error().message;
    EXPECT_EQ(view->form.at("unit"), "237th regiment");
    ASSERT_EQ(view->messages.size(), 2u);
    EXPECT_EQ(view->messages[1].text, "I want to surrender with two others");
    EXPECT_EQ(view->attachments.size(), 1u);
    EXPECT_EQ(view->next_states, (std::vector<State>{State::kTriage, State::kClosed}));
    // A new case has done nothing yet: it may close as anything but completed.
    EXPECT_EQ(view->closure_reasons,
              (std::vector<ClosureReason>{ClosureReason::kWithdrawn, ClosureReason::kLostContact,
                                          ClosureReason::kSuspectedProvocation, ClosureReason::kNonGenuine,
                                          ClosureReason::kDuplicate}));
    const auto actions = AuditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "case.read case:" + case_id_.ToString()), actions.end());
    auto att = cases_->ReadAttachment(Operator(), case_id_, view->attachments[0].id);
    ASSERT_TRUE(att.ok());
    EXPECT_EQ(att->first, "image/png");
    EXPECT_EQ(att->second.size(), 7u);
}

TEST_F(CaseServiceTest, WithoutTheTeamKeyNothingIsRead) {
    cases::Actor no_keys{op_, Role::kOperator, nullptr, nullptr};
    EXPECT_EQ(cases_->Read(no_keys, case_id_).code(), ErrorCode::kForbidden);
    crypto::KeyPair wrong = crypto::KeyPair::Generate();
    cases::Actor wrong_team{op_, Role::kOperator, &wrong, nullptr};
    EXPECT_EQ(cases_->Read(wrong_team, case_id_).code(), ErrorCode::kDecryptFailed);
    EXPECT_EQ(cases_->Read(Operator(), CaseId{12345}).code(), ErrorCode::kNotFound);
}

TEST_F(CaseServiceTest, RepliesAndNotesAndTheReplyListener) {
    std::vector<std::string> sent;
    cases_->OnReply([&](const store::CaseRecord&, MessageId, const std::string& text) { sent.push_back(text); });
    ASSERT_TRUE(cases_->Reply(Operator(), case_id_, "We received your application").ok());
    ASSERT_TRUE(cases_->Note(Operator(), case_id_, "check the unit").ok());
    EXPECT_EQ(cases_->Reply(Operator(), case_id_, "   ").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(cases_->Reply(Operator(), case_id_, std::string(10'001, 'x')).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(sent, std::vector<std::string>{"We received your application"});
    auto view = cases_->Read(Operator(), case_id_);
    ASSERT_EQ(view->messages.size(), 4u);
    EXPECT_EQ(view->messages[2].kind, "reply");
    EXPECT_EQ(view->messages[2].author, op_);
    EXPECT_EQ(view->messages[3].kind, "note");
}

TEST_F(CaseServiceTest, TheWorkflowIsRecordedWithWhoWhenAndWhy) {
    auto actor = Operator();
    ASSERT_TRUE(cases_->Transition(actor, case_id_, State::kTriage, "reading it", ClosureReason::kNone,
                                   InquiryAnswer::kNone)
                    .ok());
    ASSERT_TRUE(cases_->SetTriage(actor, case_id_, cases::Triage::kSurrenderIntent).ok());
    clock_.Advance(std::chrono::minutes(5));
    ASSERT_TRUE(cases_->Transition(actor, case_id_, State::kApplication, "questionnaire taken",
                                   ClosureReason::kNone, InquiryAnswer::kNone)
                    .ok());
    EXPECT_EQ(cases_->Transition(actor, case_id_, State::kSurrendered, "skip", ClosureReason::kNone,
                                 InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kConflict);
    EXPECT_EQ(cases_->Transition(actor, case_id_, State::kClosed, "gone", ClosureReason::kNone,
                                 InquiryAnswer::kNone)
                  .code(),
              ErrorCode::kInvalidArgument);
    ASSERT_TRUE(cases_->MarkSuspect(actor, case_id_, true, "unit does not exist").ok());
    EXPECT_EQ(cases_->MarkSuspect(actor, case_id_, false, "").code(), ErrorCode::kInvalidArgument);
    auto closed = cases_->Transition(actor, case_id_, State::kClosed, "provocation confirmed",
                                     ClosureReason::kSuspectedProvocation, InquiryAnswer::kNone);
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(closed->closure_reason, "suspected_provocation");
    auto view = cases_->Read(actor, case_id_);
    EXPECT_EQ(view->record.state, "closed");
    EXPECT_TRUE(view->record.suspect);
    EXPECT_EQ(view->record.triage, "surrender_intent");
    ASSERT_EQ(view->history.size(), 5u);
    EXPECT_EQ(view->history[0].type, "transition");
    EXPECT_EQ(view->history[0].from, "new");
    EXPECT_EQ(view->history[0].to, "triage");
    EXPECT_EQ(view->history[0].reason, "reading it");
    EXPECT_EQ(view->history[0].actor, op_);
    EXPECT_EQ(view->history[2].at_ms - view->history[1].at_ms, 5 * 60 * 1000);
    EXPECT_EQ(view->history[3].reason, "unit does not exist");
    EXPECT_EQ(view->history[4].to, "closed:suspected_provocation");
    // Reopened when the same person returns.
    auto reopened = cases_->Transition(actor, case_id_, State::kTriage, "he wrote again", ClosureReason::kNone,
                                       InquiryAnswer::kNone);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened->closure_reason, "none");
}

TEST_F(CaseServiceTest, AssignmentGoesToOperatorsOnly) {
    ASSERT_TRUE(cases_->Assign(Operator(), case_id_, op_).ok());
    EXPECT_EQ(store_->FindCase(case_id_)->assignee, op_);
    EXPECT_EQ(cases_->Assign(Operator(), case_id_, coord_).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(cases_->Assign(Operator(), case_id_, UserId{999}).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE(cases_->Assign(Operator(), case_id_, UserId{0}).ok());
    EXPECT_EQ(store_->FindCase(case_id_)->assignee, UserId{0});
    store::CaseFilter mine;
    mine.assignee = op_;
    EXPECT_TRUE(cases_->List(mine).empty());
}

TEST_F(CaseServiceTest, AHandOffReleasesOnlyTheChosenFieldsToThatCoordinatorOnly) {
    auto hid = cases_->HandOff(Operator(), case_id_, coord_, {"unit", "area"}, "group of three, at dawn");
    ASSERT_TRUE(hid.ok()) << hid.error().message;
    auto mine = cases_->HandoffsFor(Coordinator());
    ASSERT_TRUE(mine.ok());
    ASSERT_EQ(mine->size(), 1u);
    const auto& h = (*mine)[0];
    EXPECT_EQ(h.fields.size(), 2u);
    EXPECT_EQ(h.fields.at("unit"), "237th regiment");
    EXPECT_EQ(h.fields.at("area"), "near Horlivka");
    EXPECT_FALSE(h.fields.contains("service_number"));
    EXPECT_FALSE(h.fields.contains("contact"));
    EXPECT_EQ(h.note, "group of three, at dawn");
    // Another coordinator sees nothing, and cannot record an outcome on it.
    EXPECT_TRUE(cases_->HandoffsFor(Coordinator(true))->empty());
    EXPECT_EQ(cases_->RecordOutcome(Coordinator(true), *hid, "surrendered", "").code(), ErrorCode::kNotFound);
    // The released copy opens only with that coordinator's key, not the team's.
    auto stored = store_->FindHandoff(*hid);
    EXPECT_FALSE(crypto::OpenSealed(team_, stored->payload_sealed).ok());
    EXPECT_FALSE(crypto::OpenSealed(other_keys_, stored->payload_sealed).ok());
    // Bad hand-offs.
    EXPECT_EQ(cases_->HandOff(Operator(), case_id_, op_, {"unit"}, "").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(cases_->HandOff(Operator(), case_id_, coord_, {"password"}, "").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(cases_->HandOff(Operator(), case_id_, coord_, {}, "").code(), ErrorCode::kInvalidArgument);
    // The outcome, once.
    EXPECT_EQ(cases_->RecordOutcome(Coordinator(), *hid, "vanished", "").code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE(cases_->RecordOutcome(Coordinator(), *hid, "surrendered", "all three crossed").ok());
    EXPECT_EQ(cases_->RecordOutcome(Coordinator(), *hid, "cancelled", "").code(), ErrorCode::kConflict);
    auto view = cases_->Read(Operator(), case_id_);
    ASSERT_EQ(view->handoffs.size(), 1u);
    EXPECT_EQ(view->handoffs[0].outcome, "surrendered");
    EXPECT_EQ(view->handoffs[0].outcome_ms, ToUnixMillis(clock_.Now()));
    EXPECT_EQ(view->handoffs[0].outcome_note, "all three crossed") << "the coordinator's note, opened with the team key";
    EXPECT_EQ(view->handoffs[0].field_names, (std::vector<std::string>{"unit", "area"}));
    EXPECT_TRUE(view->handoffs[0].fields.empty()) << "operators see what was released, not a second copy";
    // The coordinator's read is audited with the cases it showed him.
    const auto reads = audit_->Read(1, 1000);
    EXPECT_TRUE(std::any_of(reads.begin(), reads.end(), [&](const auto& e) {
        return e.action == "handoff.read" && e.detail == "count=1 cases=" + std::to_string(case_id_.value);
    }));
}

// Verification ends in "verified" (moving on towards a unit) or the suspect mark: a case marked
// suspect never moves into exit planning or a hand-off, and is not offered those states.
TEST_F(CaseServiceTest, ASuspectCaseIsNotPlannedForAUnitUntilTheMarkIsCleared) {
    const auto move = [&](State to) {
        return cases_->Transition(Operator(), case_id_, to, "step", ClosureReason::kNone, InquiryAnswer::kNone);
    };
    ASSERT_TRUE(move(State::kTriage).ok());
    ASSERT_TRUE(move(State::kApplication).ok());
    ASSERT_TRUE(move(State::kVerification).ok());
    ASSERT_TRUE(cases_->MarkSuspect(Operator(), case_id_, true, "service number not in the registry").ok());
    const auto refused = move(State::kExitPlanning);
    EXPECT_EQ(refused.code(), ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("suspect"), std::string::npos);
    EXPECT_EQ(store_->FindCase(case_id_)->state, "verification");
    auto view = cases_->Read(Operator(), case_id_);
    EXPECT_EQ(std::count(view->next_states.begin(), view->next_states.end(), State::kExitPlanning), 0);
    EXPECT_GT(std::count(view->next_states.begin(), view->next_states.end(), State::kClosed), 0);
    ASSERT_TRUE(cases_->MarkSuspect(Operator(), case_id_, false, "checked again: he is who he says").ok());
    EXPECT_TRUE(move(State::kExitPlanning).ok());
}

TEST_F(CaseServiceTest, ASuspectOrClosedCaseIsNotHandedOff) {
    ASSERT_TRUE(cases_->MarkSuspect(Operator(), case_id_, true, "the unit does not exist").ok());
    const auto refused = cases_->HandOff(Operator(), case_id_, coord_, {"unit"}, "");
    EXPECT_EQ(refused.code(), ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("suspect"), std::string::npos);
    ASSERT_TRUE(cases_->MarkSuspect(Operator(), case_id_, false, "checked: it does").ok());
    ASSERT_TRUE(cases_->HandOff(Operator(), case_id_, coord_, {"unit"}, "").ok());
    ASSERT_TRUE(cases_->Transition(Operator(), case_id_, State::kClosed, "he stopped answering",
                                   ClosureReason::kLostContact, InquiryAnswer::kNone)
                    .ok());
    EXPECT_EQ(cases_->HandOff(Operator(), case_id_, coord_, {"unit"}, "").code(), ErrorCode::kConflict);
    EXPECT_EQ(store_->HandoffsOfCase(case_id_).size(), 1u);
}

// After his key is reset, a coordinator's older hand-offs no longer open: they are listed by their
// ids, and the newer ones still show in full.
TEST_F(CaseServiceTest, HandOffsSealedToAnOldKeyAreListedAsUnreadable) {
    ASSERT_TRUE(cases_->HandOff(Operator(), case_id_, coord_, {"unit"}, "before the reset").ok());
    coord_keys_ = crypto::KeyPair::Generate();
    auto user = *store_->FindUser(coord_);
    user.public_key = coord_keys_.public_key;
    ASSERT_TRUE(store_->UpdateUser(user).ok());
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(cases_->HandOff(Operator(), case_id_, coord_, {"area"}, "after the reset").ok());
    auto mine = cases_->HandoffsFor(Coordinator());
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    ASSERT_EQ(mine->size(), 2u);
    EXPECT_FALSE((*mine)[0].unreadable);
    EXPECT_EQ((*mine)[0].note, "after the reset");
    EXPECT_EQ((*mine)[0].fields.at("area"), "near Horlivka");
    EXPECT_TRUE((*mine)[1].unreadable);
    EXPECT_EQ((*mine)[1].case_id, case_id_);
    EXPECT_TRUE((*mine)[1].fields.empty());
    EXPECT_TRUE((*mine)[1].note.empty());
}

TEST_F(CaseServiceTest, ARelativesInquiryIsAnswered) {
    intake::InboundContact c;
    c.kind = CaseKind::kRelativeInquiry;
    c.fields = {{"seeker_contact", "+380000000000"}, {"sought_name", "Ivan"}};
    auto out = intake_->Submit(c);
    auto actor = Operator();
    ASSERT_TRUE(cases_->Transition(actor, out->case_id, State::kInquiry, "searching", ClosureReason::kNone,
                                   InquiryAnswer::kNone)
                    .ok());
    auto answered = cases_->Transition(actor, out->case_id, State::kAnswered, "found in lists",
                                       ClosureReason::kNone, InquiryAnswer::kProbablyCaptive);
    ASSERT_TRUE(answered.ok());
    EXPECT_EQ(answered->inquiry_answer, "probably_captive");
}

}  // namespace
}  // namespace lifeline::testing
