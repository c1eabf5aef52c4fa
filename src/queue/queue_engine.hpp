#pragma once
/// The routing core of the contact queue: waiting contacts × operators' presence, skills and
/// capacity → offers. Pure domain: no I/O, no threads, time from a Clock.
///
/// Routing rules (one decision = one offer):
/// - Waiting entries are served by priority (higher first), then by the time they first entered
///   (older first). A callback request keeps its place.
/// - The chosen entry goes to the operator who owns its case if he is available with capacity
///   for the entry's medium (skills do not matter for the owner), else to the eligible operator
///   idle longest. Eligible: logged in, available (not away, busy or in wrap-up), capacity left
///   for the medium, the entry's language and case kind among his skills, not one who declined
///   this entry. After `overflow_after` in the queue, any available operator with capacity is
///   eligible (skills are dropped, the owner is still preferred). The owner changes who gets an
///   entry, not when: his applicant's contact does not jump ahead of older ones.
/// - Capacity: one call at a time, and no new chats during a call; up to `max_chats` chats (an
///   operator handling chats can still be offered a call: calls are live, chats can wait a minute).
///   Pending offers count against capacity.
/// - "Idle longest": among eligible operators the one with the fewest contacts (offered + active)
///   first, then the earliest `idle_since`, the time his load last changed or he last became
///   available; for an operator with no work that is the time he became free of all work.
/// - An offer reserves the entry for `offer_timeout`. Reject or timeout returns the entry to its
///   place and that operator is not offered it again (a decline by the owner or a transfer target
///   also drops that preference). With `pause_on_timeout` an operator who lets an offer time out
///   is set away: he is not at his desk. An operator going away or logging out withdraws his
///   offers without declining them.
///
/// Cost: waiting entries are indexed per (language, kind, medium) bucket in routing order and the
/// free operators of each bucket by (load, idle-since), so one decision looks at the head of each
/// bucket: O(buckets × log n), not O(entries × operators). Only entries declined by every free
/// operator of their bucket are stepped over one by one.
///
/// Threading: QueueEngine is single-threaded. It holds no lock; the caller serialises every call
/// (one strand, or one mutex around the engine), including the const views.
///
/// Time: every call first applies the deadlines that have passed on the clock (offer timeouts,
/// overflow, wrap-up ends, chat abandonment), so the state always matches the clock; Tick() does
/// only that. No call routes by itself: call Route() after a change (an arrival, an operator
/// freed, a Tick) to make the offers the new state allows. NextDeadline() says when to Tick.
///
/// The log: every step is passed to the event sink as it happens, in order. The sink must not
/// throw and must not call back into the engine; buffering and durability are the caller's.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/id_table.hpp"
#include "queue/queue_event.hpp"

namespace lifeline::queue {

/// An operator's presence as reported. Away and busy are set by the operator (busy: working
/// outside the queue); wrap-up is entered by Complete and ends by itself; an available operator
/// whose capacity is full is reported busy. Offline: not logged in (he may still hold contacts
/// restored after a restart).
enum class Presence { kAvailable, kBusy, kWrapUp, kAway, kOffline };

std::string_view ToString(Presence p) noexcept;
std::optional<Presence> ParsePresence(std::string_view s) noexcept;

/// Engine settings. Every field has a default that suits the hotline.
struct QueueConfig {
    /// How long an offer reserves an entry for one operator before it goes to the next.
    std::chrono::milliseconds offer_timeout{std::chrono::seconds(20)};
    /// After this long in the queue (or since a transfer) any available operator may take the entry.
    std::chrono::milliseconds overflow_after{std::chrono::seconds(60)};
    /// After-contact work following Complete, during which the operator gets no offers; 0 = none.
    std::chrono::milliseconds wrap_up{std::chrono::seconds(30)};
    /// Concurrent chats per operator unless his login says otherwise.
    int max_chats = 3;
    /// An operator who lets an offer time out is set away (he is not at his desk); without this
    /// every contact would lose offer_timeout on him.
    bool pause_on_timeout = true;
    /// A waiting chat is abandoned after this long without an operator, per channel. A channel
    /// not listed never times out: phone hang-ups are reported by the line (Abandon), and an
    /// operator-entered contact has no one waiting. 24 h for messengers: WhatsApp allows free-form
    /// replies only within 24 h of the person's last message, and on Telegram, SMS and the web
    /// form a day without an answer means the person has gone (he can write again: a new entry).
    std::map<Channel, std::chrono::milliseconds> chat_abandon_after{
        {Channel::kWeb, std::chrono::hours(24)},
        {Channel::kTelegram, std::chrono::hours(24)},
        {Channel::kWhatsApp, std::chrono::hours(24)},
        {Channel::kSms, std::chrono::hours(24)},
    };
};

/// What an operator can take. Empty sets are allowed: such an operator gets only his own
/// cases' contacts and overflow.
struct OperatorSkills {
    std::set<std::string> languages;
    std::set<CaseKind> kinds;
    std::optional<int> max_chats;  ///< overrides QueueConfig::max_chats for this operator
};

enum class EntryState { kWaiting, kOffered, kConnected };

/// One decision of Route(): an entry offered to an operator.
struct Offer {
    QueueEntryId entry;
    UserId op;
    bool operator==(const Offer&) const = default;
};

/// A read-only view of an entry, for the console's live queue.
struct EntryView {
    QueueEntryId id;
    Contact contact;
    Media media = Media::kChat;
    EntryState state = EntryState::kWaiting;
    TimePoint enter_at;   ///< first entered the queue
    TimePoint queued_at;  ///< start of the current wait (enter, or a transfer after a connect)
    bool callback = false;
    bool overflowed = false;
    int segment = 0;
    std::optional<UserId> op;  ///< offered to or connected to
    std::optional<UserId> transfer_target;
};

/// A read-only view of an operator.
struct OperatorView {
    UserId id;
    Presence presence = Presence::kOffline;
    OperatorSkills skills;
    int max_chats = 0;
    int active_chats = 0;
    int active_calls = 0;
    int offered_chats = 0;
    int offered_calls = 0;
    TimePoint idle_since;
    std::optional<TimePoint> wrap_up_until;
};

/// What survives a restart: every entry not finished, with its original times. Pending offers
/// are not kept (the entry waits again; the operator's session is gone anyway). Connected
/// entries are kept with their operator, so he can complete or transfer them after logging in.
struct SnapshotEntry {
    QueueEntryId id;
    Contact contact;
    Media media = Media::kChat;
    TimePoint enter_at;   ///< original enter time: ordering and wait clocks restart from it
    TimePoint queued_at;  ///< start of the current wait segment
    TimePoint stage_at;   ///< start of the overflow clock (enter or last transfer)
    bool callback = false;
    int segment = 0;
    std::optional<UserId> transfer_target;
    std::vector<UserId> declined;  ///< operators who declined it, in order
    std::optional<UserId> connected_to;
    TimePoint connected_at;

    bool operator==(const SnapshotEntry&) const = default;
};

struct QueueSnapshot {
    std::int64_t next_entry_id = 1;
    std::vector<SnapshotEntry> entries;  ///< by id

    bool operator==(const QueueSnapshot&) const = default;
};

/// Rebuilds the queue state from the queue log alone (events in the order they were written):
/// what persistence needs if it keeps only the log. Equal to QueueEngine::Snapshot() at the
/// moment of the last event.
QueueSnapshot SnapshotFromLog(std::span<const QueueEvent> events);

class QueueEngine {
public:
    using EventSink = std::function<void(const QueueEvent&)>;

    QueueEngine(const Clock& clock, QueueConfig config, EventSink sink = {});
    QueueEngine(const QueueEngine&) = delete;
    QueueEngine& operator=(const QueueEngine&) = delete;

    // ---- contacts ---------------------------------------------------------------------------

    /// A contact enters the queue. kInvalidArgument for an empty or over-long language. Keep
    /// languages to a known set (intake's): each new one adds routing buckets for good.
    Result<QueueEntryId> Enter(Contact contact) { return Enter(std::move(contact), std::nullopt); }
    /// Enter with the time the contact actually arrived (not after now): its place, wait and
    /// deadlines count from then. For a contact stored but not queued before a crash.
    Result<QueueEntryId> Enter(Contact contact, std::optional<TimePoint> arrived_at);

    /// The offered operator takes the entry: accept, then connect (the answer). kNotFound for an
    /// unknown entry, kConflict unless the entry is offered to this operator.
    Result<void> Accept(UserId op, QueueEntryId entry);

    /// The offered operator declines: the entry goes back to its place and is not offered to him
    /// again. kConflict unless the entry is offered to this operator.
    Result<void> Reject(UserId op, QueueEntryId entry);

    /// The person left before an operator connected (hung up, closed the chat). Allowed while
    /// waiting or offered; kConflict once connected (that is Complete) or for a callback request
    /// (the person is not on the line).
    Result<void> Abandon(QueueEntryId entry);

    /// The person asks to be called back: the entry keeps its place, becomes a call, no longer
    /// times out, and is counted as a callback, never as an abandon. kConflict once connected or
    /// when already a callback.
    Result<void> RequestCallback(QueueEntryId entry);

    /// Sends the entry to one operator: it waits for him alone until overflow_after, then for any
    /// available operator (him preferred); if he declines it goes by its skill. From a connected
    /// entry this frees the current operator (no wrap-up, and he is not offered it again) and
    /// starts a new wait segment; a waiting entry keeps its wait. Either way the place in the
    /// queue (priority, enter time) is kept and the overflow clock restarts. kNotFound for an
    /// operator not logged in, kInvalidArgument when sending it to the operator who holds it.
    Result<void> Transfer(QueueEntryId entry, UserId to_op);

    /// Sends the entry to another skill (language and case kind); same segment rules as above.
    Result<void> Transfer(QueueEntryId entry, std::string language, CaseKind kind);

    /// The connected operator finishes the entry; he goes into wrap-up for QueueConfig::wrap_up.
    Result<void> Complete(UserId op, QueueEntryId entry);

    // ---- operators --------------------------------------------------------------------------

    /// Logs the operator in (or updates his skills) and makes him available, idle from now.
    /// Contacts he held before a restart (Restore) are his again.
    void Login(UserId op, OperatorSkills skills);

    /// Logs the operator out; his pending offers are withdrawn. kConflict while he holds a
    /// connected contact (complete or transfer it first); kNotFound if he is not logged in.
    Result<void> Logout(UserId op);

    /// Sets available, away or busy. Available also ends a wrap-up early; away and busy withdraw
    /// his pending offers (not declines). kInvalidArgument for wrap-up (entered only by Complete)
    /// and offline (Logout); kNotFound if he is not logged in.
    Result<void> SetPresence(UserId op, Presence presence);

    // ---- time and routing -------------------------------------------------------------------

    /// Applies every deadline passed on the clock: offer timeouts, overflow, wrap-up ends, chat
    /// abandonment. Every other call does this first too.
    void Tick();

    /// The earliest pending deadline, if any: when the next Tick() has something to do.
    std::optional<TimePoint> NextDeadline() const;

    /// Makes one routing decision: the best matchable entry offered to its operator, or nothing
    /// when no waiting entry can go to any operator now.
    std::optional<Offer> RouteOne();

    /// Makes every decision the state allows (RouteOne until nothing); returns them in order.
    std::vector<Offer> Route();

    /// The decision RouteOne would make now (after a Tick), found by brute force over every
    /// waiting entry and operator, O(entries × operators), straight from the rules above. For
    /// tests that hold the indexes to the rules; changes nothing.
    std::optional<Offer> ReferenceDecision() const;

    // ---- views ------------------------------------------------------------------------------
    // The state as of the last call: Tick() first for deadlines passed since.

    std::optional<EntryView> Entry(QueueEntryId id) const;
    std::optional<OperatorView> Operator(UserId op) const;
    /// Entries waiting (not offered, not connected), in routing order.
    std::vector<EntryView> Waiting() const;
    std::size_t WaitingCount() const noexcept { return waiting_count_; }
    std::size_t EntryCount() const noexcept { return entries_.size(); }

    // ---- restart ----------------------------------------------------------------------------

    /// Everything unfinished, with original times (see SnapshotEntry).
    QueueSnapshot Snapshot() const;

    /// Loads a snapshot into an engine holding no entries (kConflict otherwise). Waits keep their
    /// original start: overflow and chat abandonment are judged from the stored times, so a
    /// chat that passed its limit while the server was down is abandoned on the next call.
    /// Operators in connected entries who are not logged in are kept offline with those
    /// contacts. Writes no events (the log already holds the entries' history).
    Result<void> Restore(const QueueSnapshot& snapshot);

private:
    struct EntryKey {
        std::int64_t neg_priority;  // wide enough to negate any int
        std::int64_t enter_ms;
        std::int64_t id;
        auto operator<=>(const EntryKey&) const = default;
    };
    struct OpKey {
        int load;
        std::int64_t since_ms;
        std::int64_t id;
        auto operator<=>(const OpKey&) const = default;
    };
    // Entries and free operators of one routing bucket; buckets 0 and 1 are the overflow of
    // chats and calls (every available operator), the rest one per (language, kind, media).
    struct Bucket {
        std::set<EntryKey> waiting;
        std::set<OpKey> free_ops;
    };
    struct EntryRec {
        std::int64_t id = 0;
        Contact contact;
        Media media = Media::kChat;
        EntryState state = EntryState::kWaiting;
        std::int64_t enter_ms = 0;
        std::int64_t queued_ms = 0;
        std::int64_t stage_ms = 0;
        std::int64_t connected_ms = 0;
        bool callback = false;
        bool overflowed = false;
        int segment = 0;
        std::int64_t target = 0;  // transfer target operator, 0 = none
        std::vector<std::int64_t> declined;
        std::int64_t op = 0;              // offered to / connected to
        std::int64_t offer_deadline = 0;  // 0 = none, for each deadline
        std::int64_t overflow_deadline = 0;
        std::int64_t abandon_deadline = 0;
        int lang = 0;              // interned language
        int in_bucket = -1;        // index membership, -1 = none
        std::int64_t in_pref = 0;  // preferred operator index membership, 0 = none
    };
    struct OpRec {
        std::int64_t id = 0;
        bool logged_in = false;
        Presence manual = Presence::kAvailable;  // available, away or busy
        std::int64_t wrap_up_until = 0;          // 0 = not in wrap-up
        OperatorSkills skills;
        std::vector<int> skill_bases;  // (language, kind) bucket bases
        int max_chats = 0;
        std::array<int, 2> active{};  // by media
        std::array<int, 2> offered{};
        std::vector<std::int64_t> entries;  // offered and connected
        std::int64_t since_ms = 0;
        int last_load = 0;
        bool last_routable = false;
        std::array<std::optional<OpKey>, 2> indexed;  // key in the free sets, by media
    };

    std::int64_t NowMs() const { return ToUnixMillis(clock_.Now()); }
    void Advance(std::int64_t now);
    void Emit(QueueEventType type, const EntryRec& e, std::int64_t now, std::int64_t op = 0, std::int64_t to_op = 0,
              std::int64_t duration_ms = 0, bool withdrawn = false);

    int InternLanguage(const std::string& language);
    static constexpr int BucketIndex(int base, Media m) { return 2 + base * 2 + static_cast<int>(m); }
    static constexpr int BaseOf(int lang, CaseKind kind) { return lang * 2 + static_cast<int>(kind); }
    static EntryKey KeyOf(const EntryRec& e) {
        return {-static_cast<std::int64_t>(e.contact.priority), e.enter_ms, e.id};
    }
    static bool Declined(const EntryRec& e, std::int64_t op);
    std::int64_t PreferredOf(const EntryRec& e) const;

    // Entries: only waiting entries are in the routing indexes.
    void IndexEntry(EntryRec& e);
    void UnindexEntry(EntryRec& e);
    void SetDeadlines(EntryRec& e);
    void ClearDeadlines(EntryRec& e);
    void MakeOffer(EntryRec& e, OpRec& o, std::int64_t now);
    void WithdrawOffer(EntryRec& e, std::int64_t now);  // offered → waiting (not indexed), no decline
    void Decline(EntryRec& e, std::int64_t now);        // offered → back in its place, operator skipped
    void AbandonImpl(EntryRec& e, std::int64_t now);

    // Operators.
    static bool Routable(const OpRec& o) {
        return o.logged_in && o.manual == Presence::kAvailable && o.wrap_up_until == 0;
    }
    bool CanTake(const OpRec& o, Media m) const;
    void ReindexOp(OpRec& o, std::int64_t now);
    void UpdateStickyReady(std::int64_t op, Media m);
    void Detach(EntryRec& e, OpRec& o, bool was_active);
    void WithdrawOffers(OpRec& o, std::int64_t now);
    OpRec* LoggedIn(UserId op);
    OpRec& OpOrOffline(std::int64_t op);

    Result<EntryRec*> Find(QueueEntryId id);
    Result<void> TransferImpl(QueueEntryId id, std::int64_t to_op,
                              std::optional<std::pair<std::string, CaseKind>> skill);
    EntryView ViewOf(const EntryRec& e) const;
    std::vector<const EntryRec*> WaitingInOrder() const;  // O(n log n): views and the reference only

    const Clock& clock_;
    QueueConfig config_;
    EventSink sink_;
    std::int64_t next_id_ = 1;
    std::size_t waiting_count_ = 0;
    // By id, in a deque of slots: under a surge it grows by one entry per contact, and a hash
    // table's rehash on the store's thread stalled every application behind it (core/id_table.hpp).
    IdTable<EntryRec> entries_;
    std::unordered_map<std::int64_t, OpRec> ops_;
    std::unordered_map<std::string, int> languages_;
    std::vector<Bucket> buckets_;
    // Waiting entries that prefer an operator (his own case, or transferred to him), by medium.
    std::unordered_map<std::int64_t, std::array<std::set<EntryKey>, 2>> preferred_;
    std::array<std::set<std::int64_t>, 2> sticky_ready_;  // operators free for a medium with preferred entries
    std::set<std::pair<std::int64_t, std::int64_t>> offer_deadlines_;     // (deadline ms, entry)
    std::set<std::pair<std::int64_t, std::int64_t>> overflow_deadlines_;  // (deadline ms, entry)
    std::set<std::pair<std::int64_t, std::int64_t>> abandon_deadlines_;   // (deadline ms, entry)
    std::set<std::pair<std::int64_t, std::int64_t>> wrap_up_deadlines_;   // (deadline ms, operator)
};

}  // namespace lifeline::queue
