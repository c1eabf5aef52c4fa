#pragma once
/// Intake: every inbound contact, from any channel, becomes an encrypted case record.
///
/// Intake holds only public keys. It wraps each new case key for the team through the current
/// key epoch (one X25519 operation per epoch, not per case) and, for web applicants, under the
/// receipt. It never holds a key that opens an older case. The pseudonym (keyed BLAKE2b of
/// channel ‖ sender id) finds the same person again on the same channel, any month later.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/domain.hpp"
#include "core/field_map.hpp"
#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"

namespace lifeline::intake {

/// An image already checked by content and stripped of metadata (see public_site/image.hpp).
struct Attachment {
    std::string mime;
    Bytes data;
};

struct InboundContact {
    Channel channel = Channel::kWeb;
    /// The sender's id on the channel (chat id, phone number); empty for the anonymous web form.
    std::string sender_id;
    CaseKind kind = CaseKind::kSurrenderApplication;
    std::string language = "ru";
    /// Form answers, field name → value (see FormFields()).
    FieldMap fields;
    /// Free text of a message (a chat message, the form's free text goes in fields).
    std::string text;
    std::vector<Attachment> attachments;
};

struct IntakeOutcome {
    CaseId case_id;
    bool new_case = false;
    /// For a new web case: the receipt, shown once to the applicant.
    std::string receipt;
};

/// One entry of the conversation an applicant sees with his receipt: his own messages and the
/// operators' replies, never internal notes.
struct ConversationEntry {
    std::string kind;  ///< "form", "inbound", "reply"
    std::int64_t at_ms = 0;
    std::string text;
    std::map<std::string, std::string> fields;  ///< for "form"
};

struct Conversation {
    CaseId case_id;
    CaseKind kind = CaseKind::kSurrenderApplication;
    std::string state;
    /// A relative's inquiry while answered: its answer status ("no_data", "probably_captive", ...,
    /// as in DOMAIN.md), which the seeker reads with his receipt. Empty otherwise.
    std::string inquiry_answer;
    std::vector<ConversationEntry> entries;
};

/// The form fields intake accepts for a case kind, in display order, with their size limits.
struct FieldSpec {
    std::string_view name;
    std::size_t max_length;
};
const std::vector<FieldSpec>& FormFields(CaseKind kind);

/// Called after every committed intake (the queue listens here), on the thread that learnt of
/// the commit: Submit's caller, or the store's own (sync) thread for SubmitAsync. Listeners must be
/// quick and must not wait for the store.
using IntakeListener = std::function<void(const IntakeOutcome&, const InboundContact&)>;
/// SubmitAsync's answer.
using IntakeDone = std::function<void(Result<IntakeOutcome>)>;

class IntakeService {
public:
    IntakeService(store::Store& store, const crypto::Secrets& secrets, const Clock& clock,
                  std::chrono::minutes epoch_length = std::chrono::minutes(60));
    /// Waits until every SubmitAsync has been answered.
    ~IntakeService();
    IntakeService(const IntakeService&) = delete;
    IntakeService& operator=(const IntakeService&) = delete;

    /// Records a contact: a new case for a new person (or a web form), a message on the open case
    /// of a known sender otherwise. Durable when it returns.
    Result<IntakeOutcome> Submit(const InboundContact& contact);
    /// Submit for an anonymous web contact (no sender id: always a new case with a receipt),
    /// without waiting. The checks, the case key and the sealing run on the caller's thread;
    /// the store write is queued and `done` is called exactly once: at once (on the caller's
    /// thread) for a contact the checks refuse or a store that is closing, else when the case is
    /// durable or its write failed, on the store's own (sync) thread, so `done` must be quick (hand
    /// the outcome to another thread) and must not wait for the store. Listeners are told just
    /// before `done`. A contact with a sender id gets kInvalidArgument (use Submit).
    /// The service lets go of the contact before it calls `done` (when the store is closing,
    /// as it unwinds, perhaps just after): a caller that keeps the shared contact (in what it
    /// hands to its own thread) has it freed there, where it was made.
    void SubmitAsync(std::shared_ptr<const InboundContact> contact, IntakeDone done);
    void SubmitAsync(InboundContact contact, IntakeDone done) {
        SubmitAsync(std::make_shared<const InboundContact>(std::move(contact)), std::move(done));
    }

    /// A field report (DOMAIN.md): an operator files a contact on someone's behalf (a drone's
    /// note, a sign, a relative on the phone). A new case on the operator_entered channel with a
    /// receipt, which the operator may read out to a person who will follow up on the web.
    /// Listeners are not told: the operator who filed it has it, nobody waits in the queue.
    Result<IntakeOutcome> FileReport(InboundContact contact);

    /// A follow-up from the web with a receipt. kNotFound (with a generic message) for a wrong
    /// receipt; the caller rate-limits.
    Result<IntakeOutcome> FollowUp(std::string_view receipt, std::string_view text,
                                   std::vector<Attachment> attachments = {});

    /// What the applicant sees with his receipt. kNotFound for a wrong receipt.
    Result<Conversation> ReadConversation(std::string_view receipt);

    /// Registers a listener for committed contacts.
    void OnIntake(IntakeListener listener);

    /// A fresh receipt: 25 random digits in five groups of five (83 bits), easy to read aloud.
    static std::string NewReceipt();
    /// Digits only, or empty when the text cannot be a receipt.
    static std::string NormalizeReceipt(std::string_view text);

    /// The keyed hash a receipt is found by.
    Bytes ReceiptLookup(std::string_view normalized_receipt) const;

    /// Limits on one contact.
    static constexpr std::size_t kMaxTextBytes = 10'000;
    static constexpr std::size_t kMaxAttachments = 3;

private:
    /// Whether getting the current key epoch may wait for the store (which writes a new one).
    enum class EpochWait {
        kAlways,           ///< a blocking caller (worker pool)
        kOnlyForTheFirst,  ///< an I/O thread: waits only when there is no epoch at all yet
        kNever,            ///< the store's own thread: kUnavailable without an epoch
    };
    /// The epoch new cases are wrapped through; makes the next one when the current one is
    /// older than epoch_length (in the background when the caller may not wait: the current
    /// one serves until it is ready). Never holds epoch_mutex_ while the store writes.
    std::shared_ptr<const crypto::IntakeEpoch> CurrentEpoch(EpochWait wait);
    std::shared_ptr<const crypto::IntakeEpoch> NewEpoch(std::int64_t now_ms);  // writes it to the store
    static Result<void> CheckContact(const InboundContact& contact);
    /// The store write of a new case for the contact: a fresh case id and key, sealed content.
    store::IntakeWrite NewCaseWrite(const InboundContact& contact, const std::string& receipt, EpochWait wait);
    Result<IntakeOutcome> WriteNewCase(const InboundContact& contact, const std::string& receipt);
    void WriteNewWebCaseAsync(std::shared_ptr<const InboundContact> contact, int attempt, IntakeDone done);
    static constexpr int kNewCaseAttempts = 3;
    /// Adds the contact to an existing case: under the case key when known (a receipt holder),
    /// else through the current epoch (a messenger sender).
    Result<IntakeOutcome> WriteToCase(const store::CaseRecord& target, const InboundContact& contact,
                                      const crypto::SecretKey* case_key);
    void Notify(const IntakeOutcome& outcome, const InboundContact& contact) noexcept;

    store::Store& store_;
    const crypto::Secrets& secrets_;
    // KeyedHash(secrets_.pseudonym_key, kReceiptLookupContext, ·), the key absorbed once; empty
    // when that key is not a hash key (ReceiptLookup then fails as KeyedHash does).
    crypto::KeyedHasher receipt_lookup_;
    const Clock& clock_;
    const std::chrono::minutes epoch_length_;
    std::mutex epoch_mutex_;  // guards the four below
    std::shared_ptr<const crypto::IntakeEpoch> epoch_;
    std::int64_t epoch_started_ms_ = 0;
    Bytes team_public_key_;
    bool rotating_ = false;  // a caller or rotation_ is making the next epoch
    std::thread rotation_;   // makes the next epoch for callers that cannot wait; joined at the end
    std::mutex async_mu_;  // guards async_in_flight_
    std::condition_variable async_cv_;
    std::size_t async_in_flight_ = 0;  // SubmitAsync writes not yet answered
    std::mutex listeners_mutex_;
    /// Replaced, never changed in place, when a listener is added: Notify takes a reference to
    /// the current list instead of copying it for every intake.
    std::shared_ptr<const std::vector<IntakeListener>> listeners_ = std::make_shared<std::vector<IntakeListener>>();
};

/// Serialises form fields and text into the plaintext of a message (format 1: lengths and bytes,
/// see intake_service.cpp), and back; DecodePayload also reads the JSON payloads written before
/// format 1, and is false for anything else.
std::string EncodePayload(const FieldMap& fields, std::string_view text);
bool DecodePayload(std::string_view payload, std::map<std::string, std::string>& fields, std::string& text);

}  // namespace lifeline::intake
