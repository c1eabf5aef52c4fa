#include "intake/intake_service.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "intake/message_codec.hpp"

namespace lifeline::intake {
namespace json = boost::json;
namespace {

constexpr std::string_view kTeamPublicKeyMeta = "team_public_key";
constexpr std::int64_t kMaxSafeId = (std::int64_t{1} << 53) - 1;  // ids stay exact in JavaScript
constexpr std::string_view kClosed = "closed";

/// Where a closed case goes when its person writes again: the workflow's (cases/workflow.cpp)
/// only edge out of "closed" for the kind.
std::string ReopenedState(CaseKind kind) { return kind == CaseKind::kRelativeInquiry ? "inquiry" : "triage"; }

/// A new case id: milliseconds since 2024-01-01 UTC in the high 41 bits (enough until 2093), 12
/// random bits below, and never less than one more than the last id this process drew. Ids
/// stay within JavaScript's exact integers and grow with time, so a new case lands at the end
/// of the store's indexes (one page per commit, not one random page per case). They tell no
/// more than created_ms, which is stored in clear beside them; another node drawing the same id
/// gets kAlreadyExists and draws again.
CaseId NewCaseId(std::int64_t now_ms) {
    constexpr std::int64_t kEpochMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
    static std::atomic<std::int64_t> last{0};
    const auto random = crypto::RandomPublicBytes(2);  // the id is stored in clear
    const std::int64_t low = (std::int64_t{random[0]} << 8 | random[1]) & 0xFFF;
    const std::int64_t drawn = ((std::max<std::int64_t>(now_ms - kEpochMs, 1) << 12) | low) & kMaxSafeId;
    std::int64_t previous = last.load(std::memory_order_relaxed);
    std::int64_t id = 0;
    do {
        id = std::max(drawn, previous + 1);
    } while (!last.compare_exchange_weak(previous, id, std::memory_order_relaxed));
    return CaseId{id};
}

constexpr std::string_view kReceiptLookupContext = "lifeline/v1/receipt-lookup";

/// The digits in groups of five joined by '-' ("12345-67890-..."), as the applicant reads them.
std::string FormatReceipt(std::string_view digits) {
    std::string out;
    out.reserve(digits.size() + digits.size() / 5);
    for (std::size_t i = 0; i < digits.size(); i += 5) {
        if (i > 0) out.push_back('-');
        out.append(digits.substr(i, 5));
    }
    return out;
}

/// The messages and attachments of one contact, sealed by `seal(field, payload)`.
template <typename SealFn>
void AddContent(store::IntakeWrite& write, const InboundContact& contact, std::int64_t now, SealFn seal) {
    if (!contact.fields.empty()) {
        store::MessageRecord m;
        m.kind = "form";
        m.channel = contact.channel;
        m.created_ms = now;
        m.ciphertext = seal("message", AsBytes(EncodePayload(contact.fields, {})));
        write.messages.push_back(std::move(m));
    }
    if (!contact.text.empty() || (contact.fields.empty() && !contact.attachments.empty())) {
        store::MessageRecord m;
        m.kind = "inbound";
        m.channel = contact.channel;
        m.created_ms = now;
        m.ciphertext = seal("message", AsBytes(EncodePayload({}, contact.text)));
        write.messages.push_back(std::move(m));
    }
    for (const auto& a : contact.attachments) {
        store::AttachmentRecord ar;
        ar.mime = a.mime;
        ar.size = static_cast<std::int64_t>(a.data.size());
        ar.created_ms = now;
        ar.ciphertext = seal("attachment", a.data);
        write.attachments.push_back(std::move(ar));
    }
}

}  // namespace

const std::vector<FieldSpec>& FormFields(CaseKind kind) {
    static const std::vector<FieldSpec> kApplication = {
        {"status", 32},         {"deployment_date", 10}, {"unit", 200},         {"rank", 100},
        {"service_number", 64}, {"area", 300},           {"group", 16},         {"group_size", 4},
        {"contact_window", 200}, {"after_capture", 16},  {"heard_from", 300},   {"contact", 300},
        {"name", 200},          {"free_text", 5000},
    };
    static const std::vector<FieldSpec> kInquiry = {
        {"seeker_name", 200},   {"seeker_contact", 300}, {"relation", 100}, {"sought_name", 200},
        {"sought_birth_date", 10}, {"sought_unit", 200}, {"marks", 2000},   {"free_text", 5000},
    };
    return kind == CaseKind::kRelativeInquiry ? kInquiry : kApplication;
}

namespace {
// The payload of a message, before sealing. Format 1: the byte 0x01, the number of fields, each
// field's name and value, then the text; every number a LEB128 varint and every string its byte
// length then its bytes (as given: the payload is sealed, so it is read back exactly as written).
// Messages sealed before format 1 hold a JSON object {"fields":{...},"text":"..."}, which starts
// with '{' and is still read.
constexpr char kPayloadFormat1 = 0x01;

void AppendVarint(std::string& out, std::size_t n) {
    while (n >= 0x80) {
        out.push_back(static_cast<char>((n & 0x7F) | 0x80));
        n >>= 7;
    }
    out.push_back(static_cast<char>(n));
}

bool ReadVarint(std::string_view& in, std::size_t& n) {
    n = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        n |= static_cast<std::size_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

bool ReadString(std::string_view& in, std::string& out) {
    std::size_t size = 0;
    if (!ReadVarint(in, size) || size > in.size()) return false;
    out.assign(in.substr(0, size));
    in.remove_prefix(size);
    return true;
}

bool DecodeJsonPayload(std::string_view payload, std::map<std::string, std::string>& fields, std::string& text) {
    json::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return false;
    const auto& o = v.as_object();
    if (auto it = o.find("fields"); it != o.end() && it->value().is_object()) {
        for (const auto& [k, val] : it->value().as_object())
            if (val.is_string()) fields[std::string(k)] = std::string(val.as_string());
    }
    if (auto it = o.find("text"); it != o.end() && it->value().is_string()) text = std::string(it->value().as_string());
    return true;
}
}  // namespace

std::string EncodePayload(const FieldMap& fields, std::string_view text) {
    // Written directly, without escaping (it is on every intake's path): lengths and bytes.
    std::size_t size = 12 + text.size();
    for (const auto& [k, v] : fields) size += k.size() + v.size() + 6;
    std::string out;
    out.reserve(size);
    out.push_back(kPayloadFormat1);
    AppendVarint(out, fields.size());
    for (const auto& [k, v] : fields) {
        AppendVarint(out, k.size());
        out += k;
        AppendVarint(out, v.size());
        out += v;
    }
    AppendVarint(out, text.size());
    out += text;
    return out;
}

bool DecodePayload(std::string_view payload, std::map<std::string, std::string>& fields, std::string& text) {
    if (!payload.empty() && payload.front() == '{') return DecodeJsonPayload(payload, fields, text);
    if (payload.empty() || payload.front() != kPayloadFormat1) return false;
    std::string_view in = payload.substr(1);
    std::size_t count = 0;
    if (!ReadVarint(in, count) || count > in.size()) return false;
    std::map<std::string, std::string> read;
    for (std::size_t i = 0; i < count; ++i) {
        std::string name;
        std::string value;
        if (!ReadString(in, name) || !ReadString(in, value)) return false;
        read.insert_or_assign(std::move(name), std::move(value));
    }
    std::string read_text;
    if (!ReadString(in, read_text) || !in.empty()) return false;
    for (auto& [k, v] : read) fields[k] = std::move(v);
    text = std::move(read_text);
    return true;
}

IntakeService::IntakeService(store::Store& store, const crypto::Secrets& secrets, const Clock& clock,
                             std::chrono::minutes epoch_length)
    : store_(store), secrets_(secrets), clock_(clock), epoch_length_(epoch_length) {
    if (crypto::IsHashKey(secrets_.pseudonym_key))
        receipt_lookup_ = crypto::KeyedHasher(secrets_.pseudonym_key, kReceiptLookupContext);
}

IntakeService::~IntakeService() {
    // Asynchronous submissions are answered on the store's thread, which calls back into this
    // object: wait for the last of them, and for an epoch being made in the background.
    {
        std::unique_lock lock(async_mu_);
        async_cv_.wait(lock, [&] { return async_in_flight_ == 0; });
    }
    if (rotation_.joinable()) rotation_.join();
}

void IntakeService::OnIntake(IntakeListener listener) {
    std::lock_guard lock(listeners_mutex_);
    auto listeners = std::make_shared<std::vector<IntakeListener>>(*listeners_);
    listeners->push_back(std::move(listener));
    listeners_ = std::move(listeners);
}

std::string IntakeService::NewReceipt() {
    auto bytes = crypto::RandomBytes(32);
    std::string digits;
    // Rejection sampling keeps every digit uniform.
    std::size_t i = 0;
    while (digits.size() < 25) {
        if (i == bytes.size()) {
            bytes = crypto::RandomBytes(32);
            i = 0;
        }
        const auto b = bytes[i++];
        if (b < 250) digits.push_back(static_cast<char>('0' + b % 10));
    }
    return FormatReceipt(digits);
}

std::string IntakeService::NormalizeReceipt(std::string_view text) {
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (c != '-' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return {};
        }
        if (digits.size() > 25) return {};
    }
    return digits.size() == 25 ? digits : std::string{};
}

Bytes IntakeService::ReceiptLookup(std::string_view normalized_receipt) const {
    if (receipt_lookup_.empty())
        return crypto::KeyedHash(secrets_.pseudonym_key, kReceiptLookupContext, AsBytes(normalized_receipt));
    return receipt_lookup_.Hash(AsBytes(normalized_receipt));
}

std::shared_ptr<const crypto::IntakeEpoch> IntakeService::NewEpoch(std::int64_t now_ms) {
    Bytes team_public_key;
    {
        std::lock_guard lock(epoch_mutex_);
        team_public_key = team_public_key_;
    }
    if (team_public_key.empty()) {
        auto pk = store_.GetMeta(kTeamPublicKeyMeta);
        if (!pk) throw LifelineError(ErrorCode::kInternal, "no team key: run lifeline init");
        team_public_key = *pk;
        std::lock_guard lock(epoch_mutex_);
        team_public_key_ = team_public_key;
    }
    auto next = std::make_shared<crypto::IntakeEpoch>(KeyEpochId{}, team_public_key);
    next->set_id(store_.InsertKeyEpoch(next->ephemeral_public_key(), now_ms));
    return next;
}

std::shared_ptr<const crypto::IntakeEpoch> IntakeService::CurrentEpoch(EpochWait wait) {
    const auto now = ToUnixMillis(clock_.Now());
    const auto length_ms = std::chrono::duration_cast<std::chrono::milliseconds>(epoch_length_).count();
    {
        std::lock_guard lock(epoch_mutex_);
        const bool due = !epoch_ || now - epoch_started_ms_ >= length_ms;
        if (!due) return epoch_;
        if (epoch_ && (wait != EpochWait::kAlways || rotating_)) {
            // Due, but the caller must not wait for the store (or another caller is already
            // making the next one): a new epoch is made off this thread, the current one serves
            // meanwhile, for the few milliseconds that takes.
            if (!rotating_) {
                rotating_ = true;
                if (rotation_.joinable()) rotation_.join();  // the previous rotation, long done
                rotation_ = std::thread([this, now] {
                    std::shared_ptr<const crypto::IntakeEpoch> next;
                    try {
                        next = NewEpoch(now);
                    } catch (...) {
                        // The store refused: the current epoch serves on; the next caller retries.
                    }
                    std::lock_guard inner(epoch_mutex_);
                    if (next) {
                        epoch_ = std::move(next);  // the old one is wiped when its last user is done
                        epoch_started_ms_ = now;
                    }
                    rotating_ = false;
                });
            }
            return epoch_;
        }
        if (!epoch_ && wait == EpochWait::kNever)
            throw LifelineError(ErrorCode::kUnavailable, "intake: no key epoch yet on a thread that cannot wait");
        rotating_ = true;
    }
    // No epoch yet (the first contact after a start), or due and this caller may wait: made
    // here, without holding the lock while the store writes it.
    std::shared_ptr<const crypto::IntakeEpoch> next;
    try {
        next = NewEpoch(now);
    } catch (...) {
        std::lock_guard lock(epoch_mutex_);
        rotating_ = false;
        throw;
    }
    std::lock_guard lock(epoch_mutex_);
    epoch_ = std::move(next);
    epoch_started_ms_ = now;
    rotating_ = false;
    return epoch_;
}

store::IntakeWrite IntakeService::NewCaseWrite(const InboundContact& contact, const std::string& receipt,
                                               EpochWait wait) {
    const auto now = ToUnixMillis(clock_.Now());
    // A messenger or phone applicant is known by the keyed pseudonym of his sender id on the
    // channel; the store finds or inserts him in the case's own transaction. A web applicant is
    // known only by his receipt, which finds his case directly: he gets no applicant row.
    store::CaseRecord rec;
    rec.id = NewCaseId(now);
    auto case_key = crypto::IntakeEpoch::NewCaseKey();
    {
        const auto epoch = CurrentEpoch(wait);
        rec.key_epoch = epoch->id();
        rec.wrapped_key = epoch->WrapCaseKey(rec.id, case_key);
    }
    rec.kind = contact.kind;
    rec.state = "new";
    rec.channel = contact.channel;
    rec.language = contact.language;
    rec.created_ms = rec.updated_ms = rec.last_inbound_ms = now;
    if (!receipt.empty()) {
        rec.receipt_lookup = ReceiptLookup(receipt);
        rec.receipt_wrapped_key = crypto::WrapCaseKeyForReceipt(receipt, rec.id, case_key);
    }
    store::IntakeWrite write;
    write.at_ms = now;
    write.case_id = rec.id;
    if (!contact.sender_id.empty())
        write.applicant_pseudonym =
            crypto::Pseudonym(secrets_.pseudonym_key, lifeline::ToString(contact.channel), contact.sender_id);
    AddContent(write, contact, now, [&](std::string_view field, ByteView payload) {
        return SealWithCaseKey(case_key, rec.id, field, payload);
    });
    write.new_case = std::move(rec);
    return write;
}

Result<IntakeOutcome> IntakeService::WriteNewCase(const InboundContact& contact, const std::string& receipt) {
    for (int attempt = 0; attempt < kNewCaseAttempts; ++attempt) {
        store::IntakeWrite write = NewCaseWrite(contact, receipt, EpochWait::kAlways);
        const CaseId id = write.case_id;
        auto written = store_.RecordIntake(std::move(write));
        if (written.ok()) {
            IntakeOutcome outcome;
            outcome.case_id = id;
            outcome.new_case = true;
            if (!receipt.empty()) outcome.receipt = FormatReceipt(receipt);
            return outcome;
        }
        if (written.code() != ErrorCode::kAlreadyExists) return written.error();
        // A random id or receipt collided: draw again.
    }
    return {ErrorCode::kInternal, "could not allocate a case id"};
}

void IntakeService::WriteNewWebCaseAsync(std::shared_ptr<const InboundContact> contact, int attempt,
                                         IntakeDone done) {
    // `done` is answered exactly once, whatever throws on the way. It is shared with the store's
    // answer rather than copied into it: it carries the caller's page state.
    auto shared_done = std::make_shared<IntakeDone>(std::move(done));
    const auto fail = [&shared_done, &contact](const LifelineError* e) {
        const bool unavailable = e != nullptr && e->code() == ErrorCode::kUnavailable;
        contact.reset();  // let go before `done` (SubmitAsync)
        (*shared_done)(Error{unavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal, "intake"});
    };
    std::string receipt;
    store::IntakeWrite write;
    try {
        receipt = NormalizeReceipt(NewReceipt());
        // The first attempt runs on an I/O thread (which waits only for the very first epoch),
        // a retry on the store's thread (which never waits).
        write = NewCaseWrite(*contact, receipt, attempt == 0 ? EpochWait::kOnlyForTheFirst : EpochWait::kNever);
    } catch (const LifelineError& e) {
        return fail(&e);
    } catch (...) {
        return fail(nullptr);
    }
    const CaseId id = write.case_id;
    // The contact moves into the answer, which lets go of it before `done` (SubmitAsync).
    auto answer = [this, contact = std::move(contact), attempt, id, receipt = std::move(receipt),
                   shared_done](Result<MessageId> written) mutable {
        IntakeDone& done = *shared_done;
        // The last use of this object, however this ends: the destructor waits for it.
        struct InFlight {
            IntakeService* self;
            ~InFlight() {
                std::lock_guard lock(self->async_mu_);
                if (--self->async_in_flight_ == 0) self->async_cv_.notify_all();
            }
        } in_flight{this};
        if (!written.ok() && written.code() == ErrorCode::kAlreadyExists && attempt + 1 < kNewCaseAttempts) {
            // A random id or receipt collided: draw both again (from the store's thread, which
            // only queues the next write).
            return WriteNewWebCaseAsync(std::move(contact), attempt + 1, std::move(done));
        }
        Result<IntakeOutcome> result = Error{ErrorCode::kInternal, "could not allocate a case id"};
        if (written.ok()) {
            IntakeOutcome outcome;
            outcome.case_id = id;
            outcome.new_case = true;
            outcome.receipt = FormatReceipt(receipt);
            // Listeners first: when the applicant reads his receipt the queue has his contact.
            Notify(outcome, *contact);
            result = std::move(outcome);
        } else if (written.code() != ErrorCode::kAlreadyExists) {
            result = written.error();
        }
        contact.reset();  // the caller's reference, if it kept one, is the last (SubmitAsync)
        done(std::move(result));
    };
    {
        std::lock_guard lock(async_mu_);
        ++async_in_flight_;
    }
    try {
        store_.RecordIntakeAsync(std::move(write), std::move(answer));
    } catch (...) {
        // Not queued (the store is closing, or out of memory): the answer will never come.
        {
            std::lock_guard lock(async_mu_);
            if (--async_in_flight_ == 0) async_cv_.notify_all();
        }
        try {
            throw;
        } catch (const LifelineError& e) {
            fail(&e);
        } catch (...) {
            fail(nullptr);
        }
    }
}

Result<IntakeOutcome> IntakeService::WriteToCase(const store::CaseRecord& target, const InboundContact& contact,
                                                 const crypto::SecretKey* case_key) {
    const auto now = ToUnixMillis(clock_.Now());
    store::IntakeWrite write;
    write.at_ms = now;
    write.case_id = target.id;
    write.reopen_to = ReopenedState(target.kind);
    if (case_key) {
        AddContent(write, contact, now, [&](std::string_view field, ByteView payload) {
            return SealWithCaseKey(*case_key, target.id, field, payload);
        });
    } else {
        const auto epoch = CurrentEpoch(EpochWait::kAlways);
        AddContent(write, contact, now, [&](std::string_view field, ByteView payload) {
            return SealThroughEpoch(*epoch, target.id, field, payload);
        });
    }
    auto written = store_.RecordIntake(std::move(write));
    if (!written) return written.error();
    IntakeOutcome outcome;
    outcome.case_id = target.id;
    return outcome;
}

Result<void> IntakeService::CheckContact(const InboundContact& contact) {
    for (const auto& [name, value] : contact.fields) {
        const auto& specs = FormFields(contact.kind);
        auto it = std::find_if(specs.begin(), specs.end(), [&](const FieldSpec& s) { return s.name == name; });
        if (it == specs.end()) return {ErrorCode::kInvalidArgument, fmt::format("unknown field '{}'", name)};
        if (value.size() > it->max_length) return {ErrorCode::kInvalidArgument, fmt::format("'{}' is too long", name)};
    }
    if (contact.text.size() > kMaxTextBytes) return {ErrorCode::kInvalidArgument, "the message is too long"};
    if (contact.attachments.size() > kMaxAttachments) return {ErrorCode::kInvalidArgument, "too many attachments"};
    if (contact.fields.empty() && contact.text.empty() && contact.attachments.empty())
        return {ErrorCode::kInvalidArgument, "the contact is empty"};
    return Ok();
}

void IntakeService::Notify(const IntakeOutcome& outcome, const InboundContact& contact) noexcept {
    // The contact is stored whatever a listener does: its failure is its own.
    try {
        std::shared_ptr<const std::vector<IntakeListener>> listeners;
        {
            std::lock_guard lock(listeners_mutex_);
            listeners = listeners_;
        }
        for (const auto& l : *listeners) {
            try {
                l(outcome, contact);
            } catch (...) {
            }
        }
    } catch (...) {
    }
}

Result<IntakeOutcome> IntakeService::Submit(const InboundContact& contact) {
    if (auto ok = CheckContact(contact); !ok) return ok.error();
    Result<IntakeOutcome> out{ErrorCode::kInternal, "unset"};
    if (!contact.sender_id.empty()) {
        const auto pseudonym =
            crypto::Pseudonym(secrets_.pseudonym_key, lifeline::ToString(contact.channel), contact.sender_id);
        const auto applicant = store_.FindOrInsertApplicant(pseudonym, ToUnixMillis(clock_.Now()));
        auto cases = store_.CasesOfApplicant(applicant);
        // A known sender: his open case of that kind gets the message; failing that, his newest
        // closed one, which reopens (the same person, back months later); a case closed as a
        // duplicate is never the one.
        std::optional<store::CaseRecord> target;
        for (auto it = cases.rbegin(); it != cases.rend(); ++it) {
            if (it->kind != contact.kind || it->closure_reason == "duplicate") continue;
            if (it->state != kClosed) {
                target = *it;
                break;
            }
            if (!target) target = *it;
        }
        out = target ? WriteToCase(*target, contact, nullptr) : WriteNewCase(contact, {});
    } else {
        out = WriteNewCase(contact, NormalizeReceipt(NewReceipt()));
    }
    if (out.ok()) Notify(*out, contact);
    return out;
}

Result<IntakeOutcome> IntakeService::FileReport(InboundContact contact) {
    contact.channel = Channel::kOperatorEntered;
    contact.sender_id.clear();
    if (auto ok = CheckContact(contact); !ok) return ok.error();
    return WriteNewCase(contact, NormalizeReceipt(NewReceipt()));
}

void IntakeService::SubmitAsync(std::shared_ptr<const InboundContact> contact, IntakeDone done) {
    Result<void> ok = CheckContact(*contact);
    if (ok && !contact->sender_id.empty())
        ok = Error{ErrorCode::kInvalidArgument, "intake: only anonymous web contacts are taken without waiting"};
    if (!ok) {
        contact.reset();  // let go before `done`
        return done(ok.error());
    }
    WriteNewWebCaseAsync(std::move(contact), 0, std::move(done));
}

Result<IntakeOutcome> IntakeService::FollowUp(std::string_view receipt, std::string_view text,
                                              std::vector<Attachment> attachments) {
    const Error not_found{ErrorCode::kNotFound, "no conversation for this receipt"};
    const auto normalized = NormalizeReceipt(receipt);
    if (normalized.empty()) return not_found;
    auto target = store_.FindCaseByReceipt(ReceiptLookup(normalized));
    if (!target) return not_found;
    auto case_key = crypto::UnwrapCaseKeyWithReceipt(normalized, target->id, target->receipt_wrapped_key);
    if (!case_key) return not_found;
    InboundContact contact;
    contact.channel = target->channel;
    contact.kind = target->kind;
    contact.language = target->language;
    contact.text = std::string(text);
    contact.attachments = std::move(attachments);
    if (auto ok = CheckContact(contact); !ok) return ok.error();
    auto out = WriteToCase(*target, contact, &*case_key);
    if (out.ok()) Notify(*out, contact);
    return out;
}

Result<Conversation> IntakeService::ReadConversation(std::string_view receipt) {
    const Error not_found{ErrorCode::kNotFound, "no conversation for this receipt"};
    const auto normalized = NormalizeReceipt(receipt);
    if (normalized.empty()) return not_found;
    auto target = store_.FindCaseByReceipt(ReceiptLookup(normalized));
    if (!target) return not_found;
    auto case_key = crypto::UnwrapCaseKeyWithReceipt(normalized, target->id, target->receipt_wrapped_key);
    if (!case_key) return not_found;
    Conversation c;
    c.case_id = target->id;
    c.kind = target->kind;
    c.state = target->state;
    if (target->state == "answered" && !target->inquiry_answer.empty() && target->inquiry_answer != "none")
        c.inquiry_answer = target->inquiry_answer;
    for (const auto& m : store_.MessagesOfCase(target->id)) {
        if (m.kind != "form" && m.kind != "inbound" && m.kind != "reply") continue;  // never internal notes
        auto payload = OpenSealed(target->id, "message", m.ciphertext, &*case_key, {});
        if (!payload) continue;  // a message only the team can open
        ConversationEntry e;
        e.kind = m.kind;
        e.at_ms = m.created_ms;
        if (!DecodePayload(AsString(*payload), e.fields, e.text)) continue;
        c.entries.push_back(std::move(e));
    }
    return c;
}

}  // namespace lifeline::intake
