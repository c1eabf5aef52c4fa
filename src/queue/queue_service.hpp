#pragma once
/// The contact queue as a service: the pure QueueEngine behind one mutex, its log made durable in
/// the store, a timer for its deadlines, and the views the API and the wallboard need.
///
/// - Every call (and every timer wake-up) runs the engine step, then Route(), then submits the
///   events those produced to the store (Store::SubmitQueueEvents) while still holding the lock,
///   which fixes their order in the log; it waits for them to be durable after releasing it, so
///   the steps of concurrent callers share one commit. A caller's step is durable when
///   acknowledged (EnterCase excepted: see there). If the write fails the call throws and the
///   events are pending again; the next step writes them first.
/// - Listeners (OnEvent) see each event after it is durable, in log order, on the store's writer
///   thread (which answers writes in the order they were submitted), under a delivery lock (not
///   the service's): they must be quick, must not wait for the store and must not call back
///   into the service.
/// - Start: the whole queue log is read from the store, the queue rebuilt with SnapshotFromLog
///   and restored with its original clocks (waits, overflow and chat abandonment continue from
///   the stored times). Pending offers are not kept; connected contacts stay with their operator,
///   who is offline until he sets a presence again.
/// - Also at start: cases with an inbound contact later than anything the log says of them (a
///   crash between an intake's commit and its queue write) enter the queue with the contact's
///   original time (RecoverUnqueued; only the last minutes before the log's end are scanned).
/// - The timer thread wakes at the engine's next deadline, or every `max_tick` at most, to Tick()
///   and Route().
/// - Wallboard: today's counts are computed with stats.hpp from the events of the current UTC
///   day (from 00:00 UTC, not the server's local midnight); the live figures come from the engine.
///
/// Thread-safe: every public method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/id_table.hpp"
#include "core/sharded_map.hpp"
#include "queue/queue_engine.hpp"
#include "queue/queue_event.hpp"
#include "queue/stats.hpp"
#include "store/store.hpp"

namespace lifeline::queue {

struct QueueServiceConfig {
    QueueConfig engine;
    /// T of the service level SL(T): answered within this wait.
    std::chrono::milliseconds service_level{std::chrono::seconds(20)};
    /// Skills of an operator who sets a presence without skills of his own: every intake
    /// language and both case kinds.
    OperatorSkills default_skills{{"en", "ru", "uk"}, {CaseKind::kSurrenderApplication, CaseKind::kRelativeInquiry}, {}};
    /// The timer wakes at least this often.
    std::chrono::milliseconds max_tick{250};
    /// Run the timer thread (tests with a FakeClock may drive Tick() themselves).
    bool timer = true;
};

/// The languages a queue entry may carry; anything else from intake is queued as "ru".
inline const std::set<std::string>& QueueLanguages() {
    static const std::set<std::string> languages{"en", "ru", "uk"};
    return languages;
}

/// Stored skills from codes (the API's and the shell's input): kInvalidArgument for a language
/// outside QueueLanguages() or an unknown case kind. Duplicates collapse; empty lists stay empty
/// (every language, every kind).
Result<store::UserSkills> ParseSkills(const std::vector<std::string>& languages,
                                      const std::vector<std::string>& kinds);

/// A contact an operator is offered or connected to.
struct OperatorEntry {
    EntryView entry;
    bool offered = false;      ///< offered (accept or reject it); otherwise connected
    std::int64_t wait_ms = 0;  ///< the current wait: from queued_at until now (offered) or the connect
    std::int64_t connected_ms = 0;  ///< when it was connected (0 while offered)
};

struct Wallboard {
    TimePoint at;
    TimePoint day_start;  ///< 00:00 UTC of `at`'s day: the window of the counts
    /// Live: people waiting for an operator (waiting or being offered; callbacks apart).
    std::int64_t waiting = 0;
    std::int64_t longest_wait_ms = 0;
    std::int64_t callbacks_waiting = 0;
    std::int64_t connected = 0;
    /// Logged-in operators by presence (available, busy, wrap_up, away); offline operators who
    /// still hold restored contacts count as offline.
    std::map<Presence, int> operators;
    /// Today's figures (offered, answered, abandoned, SL, ASA, ...).
    QueueStats today;
};

/// Converts between the queue's events and the store's rows.
store::QueueEventRecord ToRecord(const QueueEvent& event);
/// kIntegrity for a row with an unknown type, channel, kind or medium.
Result<QueueEvent> FromRecord(const store::QueueEventRecord& record);

class QueueService {
public:
    using Listener = std::function<void(const QueueEvent&)>;

    /// Restores the queue from the store's log and starts the timer. Throws LifelineError when
    /// the log cannot be read or does not parse.
    QueueService(store::Store& store, const Clock& clock, QueueServiceConfig config = {});
    ~QueueService();
    QueueService(const QueueService&) = delete;
    QueueService& operator=(const QueueService&) = delete;

    void OnEvent(Listener listener);

    // ---- contacts ----
    /// An inbound contact of a case (the intake listener): a new entry unless the case already
    /// has one in the queue (a second message while waiting or talking is the same contact).
    /// The owner is the case's assignee, if any (a new case has none: the store is not asked).
    /// Unlike the other steps it does not wait for its log write: it returns once the entry is
    /// in the engine and its events are queued for the store, since it is called from the
    /// store's own thread when an intake commits; the enters of the intakes the store answers
    /// together share one log write, submitted once they are all answered (DeferScope). A
    /// crash before that write lands is repaired at the next start (RecoverUnqueued); a failed
    /// write is retried with the next step.
    Result<QueueEntryId> EnterCase(CaseId case_id, Channel channel, CaseKind kind, const std::string& language,
                                   bool new_case = false);
    Result<QueueEntryId> Enter(Contact contact);
    Result<void> Accept(UserId op, QueueEntryId entry);
    Result<void> Reject(UserId op, QueueEntryId entry);
    Result<void> Complete(UserId op, QueueEntryId entry);
    Result<void> Abandon(QueueEntryId entry);
    Result<void> RequestCallback(QueueEntryId entry);
    /// Sends the entry to one operator (QueueEngine::Transfer): kNotFound for an unknown entry or
    /// an operator not logged in to the queue.
    Result<void> Transfer(QueueEntryId entry, UserId to_op);
    /// Sends the entry to another skill; kInvalidArgument for a language outside QueueLanguages().
    Result<void> Transfer(QueueEntryId entry, std::string language, CaseKind kind);

    // ---- operators ----
    /// Logs in (default skills unless given) and makes the operator available.
    void Login(UserId op, std::optional<OperatorSkills> skills = std::nullopt);
    Result<void> Logout(UserId op);
    /// available, busy, away: logs the operator in first when needed, with `skills` (default
    /// skills when not given); offline: logs out. An operator already logged in with other skills
    /// than the `skills` given gets them now (his idle clock restarts: he counts as idle from this
    /// step); without `skills` his are kept. kInvalidArgument for wrap_up (entered only by Complete).
    Result<void> SetPresence(UserId op, Presence presence, std::optional<OperatorSkills> skills = std::nullopt);
    /// The skills an operator logs in with: his stored ones, an empty set of languages (kinds)
    /// replaced by the default skills' languages (kinds).
    OperatorSkills SkillsFor(const store::UserSkills& stored) const;

    // ---- views ----
    std::optional<OperatorView> Operator(UserId op);
    /// The operator's offers and connected contacts, oldest entry first.
    std::vector<OperatorEntry> Mine(UserId op);
    /// Every contact offered or connected to any operator (the supervisor's view), oldest first.
    std::vector<OperatorEntry> WithOperators();
    /// Entries waiting (not offered, not connected), in routing order.
    std::vector<EntryView> Waiting();
    std::optional<EntryView> Entry(QueueEntryId id);
    Wallboard Board();

    /// Applies the deadlines passed on the clock and routes (what the timer does).
    void Tick();
    /// Waits until the store has answered every step submitted so far, including those nobody
    /// waited for (EnterCase): their events are durable and the listeners told (or, after a
    /// failed write, pending again).
    void Sync();

    std::chrono::milliseconds service_level() const noexcept { return config_.service_level; }

    /// Contacts found at start stored but never queued (a crash between an intake's commit and
    /// its queue entry), entered with their original arrival times.
    std::size_t recovered_at_start() const noexcept { return recovered_; }

private:
    /// The events of one step, submitted to the store.
    struct Submission {
        std::uint64_t seq = 0;      ///< 0 = nothing was submitted
        std::future<void> durable;  ///< ready once the events are durable and delivered
    };
    template <typename F>
    auto Step(F&& f);
    Submission SubmitPending();   // under mu_
    /// EnterCase's log write, deferred to the end of the store's batch of answers: submits what
    /// is pending then (not under mu_; throws like SubmitPending, leaving the events pending).
    void SubmitDeferred();
    void Await(Submission s);     // not under mu_: waits until delivered; rethrows a failure
    /// The store's answer to submission `seq` (its own thread, in submission order): tells the
    /// listeners, or puts the events back in front of what is pending.
    void Delivered(std::uint64_t seq, std::vector<QueueEvent>& events, std::exception_ptr failure);
    void Track(const QueueEvent& e);
    void TimerLoop();
    std::vector<OperatorEntry> WithOperatorsLocked(std::optional<UserId> op);  // under mu_
    void RecoverUnqueued(const std::vector<QueueEvent>& log);  // at start, before the timer

    store::Store& store_;
    const Clock& clock_;
    QueueServiceConfig config_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::vector<QueueEvent> pending_;
    bool submit_deferred_ = false;          // under mu_: EnterCase's write is due (SubmitDeferred)
    std::condition_variable deferred_cv_;   // submit_deferred_ went false
    std::uint64_t submitted_seq_ = 0;       // under mu_
    std::mutex deliver_mu_;                 // orders deliveries; guards the two below
    std::condition_variable deliver_cv_;
    std::uint64_t delivered_seq_ = 0;
    std::vector<Listener> listeners_;
    QueueEngine engine_;
    struct OpenEntry {
        CaseId case_id;
        std::int64_t connected_ms = 0;     // 0 = not connected
        std::int64_t connect_wait_ms = 0;  // the wait that ended at the connect
    };
    IdTable<OpenEntry> open_;  // unfinished entries, by id (ids only grow: core/id_table.hpp)
    // Case → its open entry. Looked up for every contact that enters (and missed for every new
    // case): open addressing touches one group of slots, a node-based map a bucket and nodes.
    // Sharded, so that growing it never rehashes the whole table at once (core/sharded_map.hpp).
    ShardedMap<boost::unordered_flat_map<std::int64_t, std::int64_t>> open_by_case_;
    std::set<std::int64_t> operators_;                  // every operator seen
    std::thread timer_;
    std::size_t recovered_ = 0;
};

}  // namespace lifeline::queue
