#include "intake/intake_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <future>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "intake/message_codec.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

using namespace std::chrono_literals;

class IntakeTest : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        secrets_ = crypto::Secrets::Generate();
        store::SqliteOptions options;
        options.path = dir_ / "lifeline.db";
        store_ = store::OpenSqliteStore(options);
        store_->PutMeta("team_public_key", team_.public_key);
        intake_ = std::make_unique<intake::IntakeService>(*store_, secrets_, clock_);
    }

    /// The team's view of every message of a case.
    std::vector<std::string> TeamReads(CaseId id) {
        auto rec = store_->FindCase(id);
        auto epoch = store_->FindKeyEpoch(rec->key_epoch);
        auto case_key = crypto::UnwrapCaseKey(team_, epoch->ephemeral_public_key, id, rec->wrapped_key);
        EXPECT_TRUE(case_key.ok());
        intake::EpochUnwrap unwrap = [&](KeyEpochId eid, CaseId cid, ByteView wrapped) -> Result<crypto::SecretKey> {
            auto e = store_->FindKeyEpoch(eid);
            if (!e) return Error{ErrorCode::kDecryptFailed, "no epoch"};
            return crypto::UnwrapCaseKey(team_, e->ephemeral_public_key, cid, wrapped);
        };
        std::vector<std::string> out;
        for (const auto& m : store_->MessagesOfCase(id)) {
            auto p = intake::OpenSealed(id, "message", m.ciphertext, &*case_key, unwrap);
            EXPECT_TRUE(p.ok());
            if (p) out.emplace_back(AsString(*p));
        }
        return out;
    }

    TempDir dir_;
    FakeClock clock_;
    crypto::Secrets secrets_;
    crypto::KeyPair team_ = crypto::KeyPair::Generate();
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<intake::IntakeService> intake_;
};

TEST_F(IntakeTest, AWebApplicationGetsAReceiptAndTheTeamReadsIt) {
    intake::InboundContact c;
    c.fields = {{"unit", "3rd motor rifle"}, {"contact", "@ivan_tg"}, {"free_text", "хочу сдаться"}};
    auto out = intake_->Submit(c);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(out->new_case);
    EXPECT_TRUE(std::regex_match(out->receipt, std::regex(R"(\d{5}-\d{5}-\d{5}-\d{5}-\d{5})"))) << out->receipt;
    auto rec = store_->FindCase(out->case_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->state, "new");
    EXPECT_EQ(rec->kind, CaseKind::kSurrenderApplication);
    auto texts = TeamReads(out->case_id);
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts[0].find("3rd motor rifle"), std::string::npos);
}

TEST_F(IntakeTest, WebApplicantsHaveNoApplicantRowAndAreNeverGroupedTogether) {
    // Two people apply on the web: each is known only by his receipt, so neither case names an
    // applicant, and the "other cases of this applicant" lookup never joins two strangers.
    intake::InboundContact c;
    c.fields = {{"contact", "@first"}};
    auto first = intake_->Submit(c);
    c.fields = {{"contact", "@second"}};
    auto second = intake_->Submit(c);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_FALSE(store_->FindCase(first->case_id)->applicant.valid());
    EXPECT_FALSE(store_->FindCase(second->case_id)->applicant.valid());
    EXPECT_TRUE(store_->CasesOfApplicant(ApplicantId{}).empty());
    // A messenger sender still is an applicant, found again by his pseudonym.
    intake::InboundContact tg;
    tg.channel = Channel::kTelegram;
    tg.sender_id = "tg:1001";
    tg.text = "hello";
    auto messenger = intake_->Submit(tg);
    ASSERT_TRUE(messenger.ok()) << messenger.error().message;
    const ApplicantId applicant = store_->FindCase(messenger->case_id)->applicant;
    EXPECT_TRUE(applicant.valid());
    EXPECT_EQ(store_->CasesOfApplicant(applicant).size(), 1u);
}

TEST_F(IntakeTest, FollowUpWithTheReceiptAddsToTheSameCase) {
    intake::InboundContact c;
    c.fields = {{"contact", "+7 900 000 00 00"}};
    auto first = intake_->Submit(c);
    clock_.Advance(5min);
    // Spaces and dashes in a typed receipt do not matter.
    std::string typed = first->receipt;
    std::replace(typed.begin(), typed.end(), '-', ' ');
    auto again = intake_->FollowUp(typed, "я на позиции с понедельника");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->case_id, first->case_id);
    EXPECT_FALSE(again->new_case);
    auto conv = intake_->ReadConversation(first->receipt);
    ASSERT_TRUE(conv.ok());
    ASSERT_EQ(conv->entries.size(), 2u);
    EXPECT_EQ(conv->entries[0].kind, "form");
    EXPECT_EQ(conv->entries[0].fields.at("contact"), "+7 900 000 00 00");
    EXPECT_EQ(conv->entries[1].text, "я на позиции с понедельника");
    EXPECT_EQ(store_->FindCase(first->case_id)->last_inbound_ms, ToUnixMillis(clock_.Now()));
}

TEST_F(IntakeTest, AWrongReceiptRevealsNothing) {
    intake::InboundContact c;
    c.text = "hello";
    auto out = intake_->Submit(c);
    std::string wrong = out->receipt;
    wrong[0] = wrong[0] == '9' ? '8' : '9';
    for (const std::string& r : {wrong, std::string("garbage"), std::string(""), std::string(500, '1')}) {
        auto a = intake_->ReadConversation(r);
        auto b = intake_->FollowUp(r, "x");
        EXPECT_EQ(a.code(), ErrorCode::kNotFound);
        EXPECT_EQ(b.code(), ErrorCode::kNotFound);
        EXPECT_EQ(a.error().message, "no conversation for this receipt");
    }
}

TEST_F(IntakeTest, TheConversationShowsRepliesButNeverNotes) {
    intake::InboundContact c;
    c.text = "помогите";
    auto out = intake_->Submit(c);
    auto rec = store_->FindCase(out->case_id);
    auto epoch = store_->FindKeyEpoch(rec->key_epoch);
    auto key = crypto::UnwrapCaseKey(team_, epoch->ephemeral_public_key, rec->id, rec->wrapped_key);
    for (auto [kind, text] : {std::pair{"reply", "Мы получили вашу заявку"}, {"note", "internal: check unit"}}) {
        store::MessageRecord m;
        m.case_id = rec->id;
        m.kind = kind;
        m.author = UserId{1};
        m.created_ms = 5;
        m.ciphertext = intake::SealWithCaseKey(*key, rec->id, "message",
                                               AsBytes(intake::EncodePayload({}, text)));
        ASSERT_TRUE(store_->AppendMessage(m, std::nullopt, 5).ok());
    }
    auto conv = intake_->ReadConversation(out->receipt);
    ASSERT_TRUE(conv.ok());
    ASSERT_EQ(conv->entries.size(), 2u);
    EXPECT_EQ(conv->entries[1].kind, "reply");
    EXPECT_EQ(conv->entries[1].text, "Мы получили вашу заявку");
}

TEST_F(IntakeTest, AKnownMessengerSenderReturnsToHisCaseMonthsLater) {
    intake::InboundContact c;
    c.channel = Channel::kTelegram;
    c.sender_id = "5550001234";
    c.text = "first";
    auto first = intake_->Submit(c);
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(first->receipt.empty());
    clock_.Advance(24h * 90);  // a new key epoch by now
    c.text = "I am at the front now";
    auto second = intake_->Submit(c);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->case_id, first->case_id);
    EXPECT_FALSE(second->new_case);
    // Intake had no case key: the team still reads both, through the epochs.
    auto texts = TeamReads(first->case_id);
    ASSERT_EQ(texts.size(), 2u);
    EXPECT_NE(texts[1].find("I am at the front now"), std::string::npos);
    // Another sender, or the same id on another channel, is another person.
    c.sender_id = "5550009999";
    EXPECT_NE(intake_->Submit(c)->case_id, first->case_id);
    c.sender_id = "5550001234";
    c.channel = Channel::kWhatsApp;
    EXPECT_NE(intake_->Submit(c)->case_id, first->case_id);
}

/// Closes the case as an operator would (the workflow is checked in cases/; the store does not).
void CloseCase(store::Store& store, CaseId id, const std::string& reason) {
    auto rec = store.FindCase(id);
    ASSERT_TRUE(rec.has_value());
    store::CaseRecord closed = *rec;
    closed.state = "closed";
    closed.closure_reason = reason;
    ASSERT_TRUE(store.UpdateCase(*rec, closed, std::nullopt).ok());
}

// DOMAIN.md's re-contact: "the stored record is found again (same person, maybe another channel,
// months later)". A closed case is that record: it reopens into triage with its history, and a
// system event says why, rather than the person starting over in a new case.
TEST_F(IntakeTest, AKnownSenderWritingAfterHisCaseWasClosedReopensIt) {
    intake::InboundContact c;
    c.channel = Channel::kTelegram;
    c.sender_id = "5550001234";
    c.text = "how would I do it?";
    auto first = intake_->Submit(c);
    ASSERT_TRUE(first.ok());
    CloseCase(*store_, first->case_id, "lost_contact");
    clock_.Advance(24h * 120);
    c.text = "I am at the front now";
    auto again = intake_->Submit(c);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->case_id, first->case_id);
    EXPECT_FALSE(again->new_case);
    auto rec = store_->FindCase(first->case_id);
    EXPECT_EQ(rec->state, "triage");
    EXPECT_EQ(rec->closure_reason, "none");
    EXPECT_EQ(rec->last_inbound_ms, ToUnixMillis(clock_.Now()));
    auto events = store_->EventsOfCase(first->case_id);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().type, "reopen");
    EXPECT_EQ(events.back().from_value, "closed:lost_contact");
    EXPECT_EQ(events.back().to_value, "triage");
    EXPECT_FALSE(events.back().actor.valid());  // the system, not an operator
    EXPECT_EQ(TeamReads(first->case_id).size(), 2u);
    // An open case only hears the message: no second event.
    c.text = "still here";
    ASSERT_TRUE(intake_->Submit(c).ok());
    EXPECT_EQ(store_->EventsOfCase(first->case_id).size(), events.size());
}

TEST_F(IntakeTest, ACaseClosedAsADuplicateIsNeverReopenedAndAnOpenCaseIsPreferred) {
    intake::InboundContact c;
    c.channel = Channel::kWhatsApp;
    c.sender_id = "79990001122";
    c.text = "one";
    auto first = intake_->Submit(c);
    CloseCase(*store_, first->case_id, "duplicate");
    clock_.Advance(1h);
    auto second = intake_->Submit(c);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->new_case);  // the duplicate stays closed
    EXPECT_EQ(store_->FindCase(first->case_id)->state, "closed");
    // An older case closed for another reason does not draw the message away from the open one.
    CloseCase(*store_, first->case_id, "withdrawn");
    clock_.Advance(1h);
    auto third = intake_->Submit(c);
    EXPECT_EQ(third->case_id, second->case_id);
    EXPECT_EQ(store_->FindCase(first->case_id)->state, "closed");
}

TEST_F(IntakeTest, AFollowUpOnAClosedWebCaseReopensItInItsKindsState) {
    intake::InboundContact inquiry;
    inquiry.kind = CaseKind::kRelativeInquiry;
    inquiry.fields = {{"seeker_contact", "+380 50 000 00 00"}};
    auto filed = intake_->Submit(inquiry);
    ASSERT_TRUE(filed.ok()) << filed.error().message;
    CloseCase(*store_, filed->case_id, "completed");
    auto again = intake_->FollowUp(filed->receipt, "есть новости?");
    ASSERT_TRUE(again.ok());
    auto rec = store_->FindCase(filed->case_id);
    EXPECT_EQ(rec->state, "inquiry");
    EXPECT_EQ(store_->EventsOfCase(filed->case_id).back().from_value, "closed:completed");
}

TEST_F(IntakeTest, AFieldReportIsANewOperatorEnteredCaseWithAReceiptAndIsNotQueued) {
    int heard = 0;
    intake_->OnIntake([&](const intake::IntakeOutcome&, const intake::InboundContact&) { ++heard; });
    intake::InboundContact c;
    c.channel = Channel::kTelegram;  // whatever the caller says: a report is the operator's entry
    c.sender_id = "5550001234";
    c.fields = {{"free_text", "a note dropped by a drone near the bridge"}};
    auto first = intake_->FileReport(c);
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = intake_->FileReport(c);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(first->new_case);
    EXPECT_NE(first->case_id, second->case_id);  // no sender: never grouped
    EXPECT_EQ(store_->FindCase(first->case_id)->channel, Channel::kOperatorEntered);
    EXPECT_FALSE(store_->FindCase(first->case_id)->applicant.valid());
    EXPECT_FALSE(first->receipt.empty());
    EXPECT_TRUE(intake_->ReadConversation(first->receipt).ok());
    EXPECT_EQ(heard, 0);
    EXPECT_EQ(intake_->FileReport(intake::InboundContact{}).code(), ErrorCode::kInvalidArgument);
}

TEST_F(IntakeTest, EpochsRotateAndOnlyPublicKeysAreStored) {
    intake::InboundContact c;
    c.text = "a";
    auto a = intake_->Submit(c);
    auto b = intake_->Submit(c);
    EXPECT_EQ(store_->FindCase(a->case_id)->key_epoch, store_->FindCase(b->case_id)->key_epoch);
    clock_.Advance(61min);
    auto d = intake_->Submit(c);
    EXPECT_NE(store_->FindCase(d->case_id)->key_epoch, store_->FindCase(a->case_id)->key_epoch);
    EXPECT_EQ(store_->FindKeyEpoch(store_->FindCase(d->case_id)->key_epoch)->ephemeral_public_key.size(), 32u);
}

TEST_F(IntakeTest, AsyncSubmissionsNeverWaitForAnEpochRotationAndTheTeamReadsBothEpochs) {
    const auto submit = [&] {
        intake::InboundContact c;
        c.fields = {{"contact", "@someone"}, {"free_text", "текст"}};
        std::promise<Result<intake::IntakeOutcome>> answered;
        intake_->SubmitAsync(c, [&](Result<intake::IntakeOutcome> out) { answered.set_value(std::move(out)); });
        auto out = answered.get_future().get();
        EXPECT_TRUE(out.ok());
        return out.ok() ? out->case_id : CaseId{};
    };
    const CaseId first = submit();  // the very first epoch is made on the spot
    const KeyEpochId e1 = store_->FindCase(first)->key_epoch;
    clock_.Advance(61min);
    // Due: the submission goes on under the current epoch while the next one is made elsewhere.
    const CaseId during = submit();
    const KeyEpochId e_during = store_->FindCase(during)->key_epoch;
    // Soon every new case is under a new epoch.
    KeyEpochId later_epoch = e1;
    for (int i = 0; i < 200 && later_epoch == e1; ++i) {
        std::this_thread::sleep_for(10ms);
        later_epoch = store_->FindCase(submit())->key_epoch;
    }
    EXPECT_NE(later_epoch, e1);
    EXPECT_TRUE(e_during == e1 || e_during == later_epoch);
    // Every case opens for the team, under whichever epoch it was wrapped through.
    for (CaseId id : {first, during}) EXPECT_EQ(TeamReads(id).size(), 1u);
}

TEST_F(IntakeTest, BadContactsAreRefusedAndNothingIsStored) {
    intake::InboundContact empty;
    EXPECT_EQ(intake_->Submit(empty).code(), ErrorCode::kInvalidArgument);
    intake::InboundContact unknown;
    unknown.fields = {{"password", "x"}};
    EXPECT_EQ(intake_->Submit(unknown).code(), ErrorCode::kInvalidArgument);
    intake::InboundContact too_long;
    too_long.fields = {{"unit", std::string(201, 'x')}};
    EXPECT_EQ(intake_->Submit(too_long).code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(store_->ListCases(store::CaseFilter{}).empty());
}

TEST_F(IntakeTest, ReceiptsAreUniformDigitGroups) {
    std::set<std::string> seen;
    std::array<int, 10> counts{};
    for (int i = 0; i < 2000; ++i) {
        auto r = intake::IntakeService::NewReceipt();
        ASSERT_EQ(r.size(), 29u);
        auto n = intake::IntakeService::NormalizeReceipt(r);
        ASSERT_EQ(n.size(), 25u);
        for (char ch : n) counts[ch - '0']++;
        seen.insert(n);
    }
    EXPECT_EQ(seen.size(), 2000u);
    for (int c : counts) EXPECT_NEAR(c, 5000, 400);
    EXPECT_EQ(intake::IntakeService::NormalizeReceipt("12345-12345-12345-12345-1234x"), "");
    EXPECT_EQ(intake::IntakeService::NormalizeReceipt("1234512345123451234512345"), "1234512345123451234512345");
}

TEST_F(IntakeTest, ListenersHearEveryCommittedContact) {
    std::vector<CaseId> heard;
    intake_->OnIntake([&](const intake::IntakeOutcome& o, const intake::InboundContact&) { heard.push_back(o.case_id); });
    intake::InboundContact c;
    c.text = "x";
    auto a = intake_->Submit(c);
    (void)intake_->FollowUp(a->receipt, "y");
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_EQ(heard[0], a->case_id);
    EXPECT_EQ(heard[1], a->case_id);
}

TEST(Payload, DecodesToExactlyTheValuesEncoded) {
    const std::map<std::string, std::string> fields = {
        {"free_text", "кавычки \" и \\ обратная косая\r\nновая строка\tтаб \x01\x1f конец"},
        {"unit", "в/ч 71718"},
        {"empty", ""},
        {"long", std::string(300, 'x')},  // a length over 127: a two-byte varint
        {"binary", std::string("\0\xff\xfe", 3)}};
    const std::string text = "текст с \"кавычками\" и \x7f";
    for (const auto& [f, t] : std::vector<std::pair<std::map<std::string, std::string>, std::string>>{
             {fields, text}, {fields, ""}, {{}, text}, {{}, ""}}) {
        const std::string encoded = intake::EncodePayload(FieldMap(f.begin(), f.end()), t);
        std::map<std::string, std::string> back_fields;
        std::string back_text = "unchanged?";
        ASSERT_TRUE(intake::DecodePayload(encoded, back_fields, back_text));
        EXPECT_EQ(back_fields, f);
        EXPECT_EQ(back_text, t);
    }
    // Format 1: 0x01, the field count, each name and value, the text; lengths as varints.
    EXPECT_EQ(intake::EncodePayload({{"a", "b"}}, "c"), std::string("\x01\x01\x01" "a" "\x01" "b" "\x01" "c", 8));
    EXPECT_EQ(intake::EncodePayload({}, {}), std::string("\x01\x00\x00", 3));
}

TEST(Payload, ReadsTheJsonPayloadsOfEarlierVersions) {
    std::map<std::string, std::string> fields;
    std::string text;
    ASSERT_TRUE(intake::DecodePayload(R"({"fields":{"unit":"в/ч 71718","a":"b\"c"},"text":"хочу"})", fields, text));
    EXPECT_EQ(fields, (std::map<std::string, std::string>{{"unit", "в/ч 71718"}, {"a", "b\"c"}}));
    EXPECT_EQ(text, "хочу");
}

TEST(Payload, RefusesWhatIsNeitherFormat) {
    const std::string good = intake::EncodePayload({{"unit", "71718"}}, "text");
    std::vector<std::string> bad = {"", "\x02", "[1]", "{not json", good + "x"};
    for (std::size_t cut = 1; cut < good.size(); ++cut) bad.push_back(good.substr(0, cut));  // every truncation
    bad.push_back(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11));  // a count past any size
    for (const std::string& payload : bad) {
        std::map<std::string, std::string> fields;
        std::string text;
        EXPECT_FALSE(intake::DecodePayload(payload, fields, text)) << ::testing::PrintToString(payload);
        EXPECT_TRUE(fields.empty());
    }
}

TEST_F(IntakeTest, AsyncWebApplicationIsDurableWhenAnsweredAndListenersHearItFirst) {
    std::mutex mu;
    std::vector<std::string> order;
    intake_->OnIntake([&](const intake::IntakeOutcome& o, const intake::InboundContact&) {
        std::lock_guard lock(mu);
        order.push_back("listener " + o.case_id.ToString());
    });
    intake::InboundContact c;
    c.fields = {{"unit", "3rd motor rifle"}, {"contact", "@ivan_tg"}, {"free_text", "хочу сдаться"}};
    std::promise<Result<intake::IntakeOutcome>> answered;
    intake_->SubmitAsync(c, [&](Result<intake::IntakeOutcome> out) {
        if (out) {
            // Durable when answered: another connection reads the case and its message.
            std::lock_guard lock(mu);
            order.push_back("done " + out->case_id.ToString() + " " +
                            std::to_string(store_->MessagesOfCase(out->case_id).size()));
        }
        answered.set_value(std::move(out));
    });
    auto out = answered.get_future().get();
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(out->new_case);
    EXPECT_TRUE(std::regex_match(out->receipt, std::regex(R"(\d{5}-\d{5}-\d{5}-\d{5}-\d{5})"))) << out->receipt;
    {
        std::lock_guard lock(mu);
        EXPECT_EQ(order, (std::vector<std::string>{"listener " + out->case_id.ToString(),
                                                   "done " + out->case_id.ToString() + " 1"}));
    }
    auto texts = TeamReads(out->case_id);
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts[0].find("3rd motor rifle"), std::string::npos);
    // The receipt opens it, exactly like a blocking Submit's.
    auto conversation = intake_->ReadConversation(out->receipt);
    ASSERT_TRUE(conversation.ok());
    EXPECT_EQ(conversation->case_id, out->case_id);
}

TEST_F(IntakeTest, AsyncSubmissionLetsGoOfTheContactBeforeItAnswers) {
    // The caller keeps the contact to free it on its own thread: when `done` runs, the caller's
    // reference is the only one left.
    auto contact = std::make_shared<intake::InboundContact>();
    contact->fields = {{"contact", "@ivan_tg"}, {"free_text", "хочу сдаться"}};
    std::promise<long> uses_when_done;
    intake_->SubmitAsync(std::shared_ptr<const intake::InboundContact>(contact),
                         [&](Result<intake::IntakeOutcome> out) {
                             EXPECT_TRUE(out.ok());
                             uses_when_done.set_value(contact.use_count());
                         });
    EXPECT_EQ(uses_when_done.get_future().get(), 1);
}

TEST_F(IntakeTest, AsyncRefusalsAreAnsweredAtOnceAndStoreNothing) {
    const auto refused = [&](intake::InboundContact c) {
        std::optional<Result<intake::IntakeOutcome>> got;
        intake_->SubmitAsync(std::move(c), [&](Result<intake::IntakeOutcome> out) { got = std::move(out); });
        EXPECT_TRUE(got.has_value());  // on this thread, before SubmitAsync returned
        return got ? got->code() : ErrorCode::kInternal;
    };
    EXPECT_EQ(refused(intake::InboundContact{}), ErrorCode::kInvalidArgument);  // empty
    intake::InboundContact unknown;
    unknown.fields = {{"password", "x"}};
    EXPECT_EQ(refused(unknown), ErrorCode::kInvalidArgument);
    intake::InboundContact messenger;
    messenger.channel = Channel::kTelegram;
    messenger.sender_id = "12345";
    messenger.text = "hello";
    EXPECT_EQ(refused(messenger), ErrorCode::kInvalidArgument);  // known senders go through Submit
    EXPECT_TRUE(store_->ListCases(store::CaseFilter{}).empty());
}

TEST_F(IntakeTest, CaseIdsGrowWithEveryNewCaseAndStayExactInJavaScript) {
    CaseId last;
    for (int i = 0; i < 50; ++i) {
        intake::InboundContact c;
        c.fields = {{"contact", "@someone"}};
        auto out = intake_->Submit(c);
        ASSERT_TRUE(out.ok());
        EXPECT_GT(out->case_id.value, last.value);
        EXPECT_LT(out->case_id.value, std::int64_t{1} << 53);
        last = out->case_id;
        if (i % 10 == 0) clock_.Advance(1ms);
    }
}

}  // namespace
}  // namespace lifeline::testing
