#include "queue/queue_service.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <future>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "core/defer.hpp"
#include "core/error.hpp"

namespace lifeline::queue {

namespace {
constexpr std::size_t kReadPage = 10'000;
using std::chrono::milliseconds;
}  // namespace

store::QueueEventRecord ToRecord(const QueueEvent& e) {
    store::QueueEventRecord r;
    r.at_ms = ToUnixMillis(e.at);
    r.type = std::string(ToString(e.type));
    r.entry_id = e.entry.value;
    r.operator_id = e.op.value;
    r.to_operator_id = e.to_op.value;
    r.case_id = e.contact.case_id.value;
    r.channel = std::string(ToString(e.contact.channel));
    r.language = e.contact.language;
    r.kind = std::string(ToString(e.contact.kind));
    r.priority = e.contact.priority;
    r.owner_id = e.contact.owner ? e.contact.owner->value : 0;
    r.media = std::string(ToString(e.media));
    r.enter_ms = ToUnixMillis(e.enter_at);
    r.wait_ms = e.wait_ms;
    r.duration_ms = e.duration_ms;
    r.callback = e.callback;
    r.withdrawn = e.withdrawn;
    r.segment = e.segment;
    return r;
}

Result<QueueEvent> FromRecord(const store::QueueEventRecord& r) {
    auto bad = [&](std::string_view what) {
        return Error{ErrorCode::kIntegrity,
                     "queue log row " + std::to_string(r.id) + ": unknown " + std::string(what)};
    };
    QueueEvent e;
    auto type = ParseQueueEventType(r.type);
    if (!type) return bad("type");
    auto channel = ParseChannel(r.channel);
    if (!channel) return bad("channel");
    auto kind = ParseCaseKind(r.kind);
    if (!kind) return bad("kind");
    auto media = ParseMedia(r.media);
    if (!media) return bad("medium");
    e.at = FromUnixMillis(r.at_ms);
    e.type = *type;
    e.entry = QueueEntryId{r.entry_id};
    e.op = UserId{r.operator_id};
    e.to_op = UserId{r.to_operator_id};
    e.contact.channel = *channel;
    e.contact.language = r.language;
    e.contact.kind = *kind;
    e.contact.priority = static_cast<int>(r.priority);
    if (r.owner_id != 0) e.contact.owner = UserId{r.owner_id};
    e.contact.case_id = CaseId{r.case_id};
    e.media = *media;
    e.enter_at = FromUnixMillis(r.enter_ms);
    e.wait_ms = r.wait_ms;
    e.duration_ms = r.duration_ms;
    e.callback = r.callback;
    e.withdrawn = r.withdrawn;
    e.segment = static_cast<int>(r.segment);
    return e;
}

QueueService::QueueService(store::Store& store, const Clock& clock, QueueServiceConfig config)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      engine_(clock, config_.engine, [this](const QueueEvent& e) {
          pending_.push_back(e);
          Track(e);
      }) {
    std::vector<QueueEvent> log;
    for (std::int64_t from = 1;;) {
        auto page = store_.ReadQueueEvents(from, kReadPage);
        if (page.empty()) break;
        for (const auto& r : page) log.push_back(FromRecord(r).ValueOrThrow());
        from = page.back().id + 1;
    }
    const QueueSnapshot snapshot = SnapshotFromLog(log);
    engine_.Restore(snapshot).ValueOrThrow();
    for (const SnapshotEntry& e : snapshot.entries) {
        OpenEntry& open = open_[e.id.value];
        open.case_id = e.contact.case_id;
        if (e.connected_to) {
            open.connected_ms = ToUnixMillis(e.connected_at);
            open.connect_wait_ms = ToUnixMillis(e.connected_at) - ToUnixMillis(e.queued_at);
            operators_.insert(e.connected_to->value);
        }
        if (e.contact.case_id.valid()) open_by_case_[e.contact.case_id.value] = e.id.value;
    }
    RecoverUnqueued(log);
    if (config_.timer)
        timer_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "ll-queue-timer");
            TimerLoop();
        });
}

void QueueService::RecoverUnqueued(const std::vector<QueueEvent>& log) {
    // An intake commits its case before the queue's enter is written: a crash in between leaves
    // a contact stored but not queued. Such a case has an inbound contact later than anything
    // the log says about it. The crash window is one commit, so only recent contacts are looked
    // at: from five minutes before the log's last event (ten minutes back with an empty log).
    constexpr std::int64_t kWindowMs = 5 * 60'000;
    const std::int64_t now = ToUnixMillis(clock_.Now());
    const std::int64_t since = log.empty() ? now - 2 * kWindowMs : ToUnixMillis(log.back().at) - kWindowMs;
    std::unordered_map<std::int64_t, std::int64_t> last_logged;  // case → its latest event
    for (const QueueEvent& e : log)
        if (e.contact.case_id.valid()) {
            auto& at = last_logged[e.contact.case_id.value];
            at = std::max(at, ToUnixMillis(e.at));
        }
    Submission s;
    {
        std::lock_guard lock(mu_);
        for (const store::CaseRecord& c : store_.CasesWithInboundSince(since)) {
            if (open_by_case_.contains(c.id.value)) continue;
            if (auto it = last_logged.find(c.id.value); it != last_logged.end() && it->second >= c.last_inbound_ms)
                continue;
            Contact contact;
            contact.channel = c.channel;
            contact.kind = c.kind;
            contact.language = QueueLanguages().contains(c.language) ? c.language : "ru";
            contact.case_id = c.id;
            if (c.assignee.valid()) contact.owner = c.assignee;
            if (engine_.Enter(std::move(contact), FromUnixMillis(c.last_inbound_ms))) ++recovered_;
        }
        s = SubmitPending();
    }
    Await(std::move(s));  // throws if the store cannot write: start-up fails, nothing is lost
}

QueueService::~QueueService() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (timer_.joinable()) timer_.join();
    // Anything still pending (a failed write) is written now if the store allows.
    Submission s;
    {
        std::lock_guard lock(mu_);
        s = SubmitPending();
    }
    try {
        Await(std::move(s));
    } catch (...) {
        // Nothing to tell anyone any more; the log ends before these events.
    }
    // Steps nobody waited for (EnterCase) are answered on the store's thread, which calls back
    // into this object: wait for the last answer.
    Sync();
}

void QueueService::Sync() {
    std::uint64_t last = 0;
    {
        std::unique_lock lock(mu_);
        deferred_cv_.wait(lock, [&] { return !submit_deferred_; });
        last = submitted_seq_;
    }
    std::unique_lock lock(deliver_mu_);
    deliver_cv_.wait(lock, [&] { return delivered_seq_ >= last; });
}

void QueueService::OnEvent(Listener listener) {
    std::lock_guard lock(deliver_mu_);
    listeners_.push_back(std::move(listener));
}

void QueueService::Track(const QueueEvent& e) {
    const std::int64_t id = e.entry.value;
    switch (e.type) {
        case QueueEventType::kEnter:
            // Entry ids only grow: the new one goes at the end, without a descent.
            open_[id].case_id = e.contact.case_id;
            if (e.contact.case_id.valid()) open_by_case_[e.contact.case_id.value] = id;
            break;
        case QueueEventType::kConnect:
            if (OpenEntry* open = open_.Find(id)) {
                open->connected_ms = ToUnixMillis(e.at);
                open->connect_wait_ms = e.wait_ms;
            }
            break;
        case QueueEventType::kTransfer:
            if (OpenEntry* open = open_.Find(id)) open->connected_ms = 0;
            break;
        case QueueEventType::kComplete:
        case QueueEventType::kAbandon:
            if (const OpenEntry* open = open_.Find(id)) {
                const std::int64_t case_id = open->case_id.value;
                if (const std::int64_t* c = open_by_case_.Find(case_id); c != nullptr && *c == id)
                    open_by_case_.erase(case_id);
                open_.erase(id);
            }
            break;
        default:
            break;
    }
    if (e.op.valid()) operators_.insert(e.op.value);
}

QueueService::Submission QueueService::SubmitPending() {
    Submission s;
    if (pending_.empty()) return s;
    std::vector<store::QueueEventRecord> records;
    records.reserve(pending_.size());
    for (const QueueEvent& e : pending_) records.push_back(ToRecord(e));
    const std::uint64_t seq = submitted_seq_ + 1;
    auto events = std::make_shared<std::vector<QueueEvent>>(std::move(pending_));
    pending_.clear();
    auto delivered = std::make_shared<std::promise<void>>();
    s.durable = delivered->get_future();
    // Submitted under mu_, so the store writes the steps in the engine's order; it answers them
    // in that order too, on its own thread, after the commit: that is where listeners are
    // told, so they see the log's order whoever waits for what.
    try {
        store_.SubmitQueueEvents(std::move(records), [this, seq, events, delivered](std::exception_ptr failure) {
            Delivered(seq, *events, failure);
            if (failure) {
                delivered->set_exception(failure);
            } else {
                delivered->set_value();
            }
        });
    } catch (...) {
        pending_ = std::move(*events);  // the store is closing: nothing was queued
        throw;
    }
    submitted_seq_ = seq;
    s.seq = seq;
    return s;
}

void QueueService::Delivered(std::uint64_t seq, std::vector<QueueEvent>& events, std::exception_ptr failure) {
    if (failure) {
        // Not in the log: the events go back in front of what is pending and are written with
        // the next step. A later step already submitted may land first; SnapshotFromLog takes
        // each entry's events in log order, which then differs from the engine's only in that
        // rare case.
        std::lock_guard lock(mu_);
        pending_.insert(pending_.begin(), std::make_move_iterator(events.begin()),
                        std::make_move_iterator(events.end()));
    }
    {
        std::lock_guard lock(deliver_mu_);
        if (!failure)
            for (const QueueEvent& e : events)
                for (const Listener& l : listeners_) {
                    try {
                        l(e);
                    } catch (...) {
                        // A listener's failure is its own; the others are told regardless.
                    }
                }
        delivered_seq_ = seq;
        // Under the lock: once it is released, the destructor may run (see there).
        deliver_cv_.notify_all();
    }
}

void QueueService::Await(Submission s) {
    if (s.seq == 0) return;
    s.durable.get();  // rethrows the write's failure
}

template <typename F>
auto QueueService::Step(F&& f) {
    Submission s;
    std::optional<decltype(f())> result;
    {
        std::lock_guard lock(mu_);
        result.emplace(f());
        engine_.Route();
        s = SubmitPending();  // with any events of an earlier step whose write failed, first
    }
    Await(std::move(s));
    return std::move(*result);
}

Result<QueueEntryId> QueueService::EnterCase(CaseId case_id, Channel channel, CaseKind kind,
                                             const std::string& language, bool new_case) {
    Contact contact;
    contact.channel = channel;
    contact.kind = kind;
    contact.language = QueueLanguages().contains(language) ? language : "ru";
    contact.case_id = case_id;
    if (case_id.valid() && !new_case) {
        if (auto c = store_.FindCase(case_id); c && c->assignee.valid()) contact.owner = c->assignee;
    }
    Result<QueueEntryId> entry = QueueEntryId{};
    {
        std::lock_guard lock(mu_);
        if (case_id.valid())
            if (const std::int64_t* open = open_by_case_.Find(case_id.value)) return QueueEntryId{*open};
        entry = engine_.Enter(std::move(contact));
        engine_.Route();
        if (submit_deferred_) return entry;  // a write already due will take these events too
        submit_deferred_ = true;
    }
    // Not waited for: the caller may be the store's own thread (an intake's commit). There the
    // intakes of one batch are answered in a row, and their events share one log write, made
    // when the batch is answered (DeferScope); anywhere else the write is queued right here.
    DeferScope::Once(this, [this] { SubmitDeferred(); });
    return entry;
}

void QueueService::SubmitDeferred() {
    std::lock_guard lock(mu_);
    submit_deferred_ = false;
    deferred_cv_.notify_all();
    SubmitPending();  // if the store is closing, the events stay pending for the next step
}

Result<QueueEntryId> QueueService::Enter(Contact contact) {
    return Step([&] { return engine_.Enter(std::move(contact)); });
}

Result<void> QueueService::Accept(UserId op, QueueEntryId entry) {
    return Step([&] { return engine_.Accept(op, entry); });
}

Result<void> QueueService::Reject(UserId op, QueueEntryId entry) {
    return Step([&] { return engine_.Reject(op, entry); });
}

Result<void> QueueService::Complete(UserId op, QueueEntryId entry) {
    return Step([&] { return engine_.Complete(op, entry); });
}

Result<void> QueueService::Abandon(QueueEntryId entry) {
    return Step([&] { return engine_.Abandon(entry); });
}

Result<void> QueueService::RequestCallback(QueueEntryId entry) {
    return Step([&] { return engine_.RequestCallback(entry); });
}

Result<void> QueueService::Transfer(QueueEntryId entry, UserId to_op) {
    return Step([&] { return engine_.Transfer(entry, to_op); });
}

Result<void> QueueService::Transfer(QueueEntryId entry, std::string language, CaseKind kind) {
    // Each language adds routing buckets for good: only the known ones (EnterCase maps the rest).
    if (!QueueLanguages().contains(language))
        return Error{ErrorCode::kInvalidArgument, "language must be one of en, ru, uk"};
    return Step([&] { return engine_.Transfer(entry, std::move(language), kind); });
}

void QueueService::Login(UserId op, std::optional<OperatorSkills> skills) {
    Step([&]() -> Result<void> {
        operators_.insert(op.value);
        engine_.Login(op, skills ? std::move(*skills) : config_.default_skills);
        return {};
    }).ValueOrThrow();
}

Result<void> QueueService::Logout(UserId op) {
    return Step([&] { return engine_.Logout(op); });
}

Result<void> QueueService::SetPresence(UserId op, Presence presence, std::optional<OperatorSkills> skills) {
    return Step([&]() -> Result<void> {
        auto view = engine_.Operator(op);
        const bool logged_in = view && view->presence != Presence::kOffline;
        switch (presence) {
            case Presence::kWrapUp:
                return Error{ErrorCode::kInvalidArgument, "wrap_up is entered by completing a contact"};
            case Presence::kOffline:
                return logged_in ? engine_.Logout(op) : Result<void>{};
            default:
                break;
        }
        operators_.insert(op.value);
        // Logged in with other skills: log in again with the new ones (engine Login updates them;
        // his offers and contacts stay, his idle clock restarts), then set the presence asked for.
        const bool new_skills = logged_in && skills && (view->skills.languages != skills->languages ||
                                                        view->skills.kinds != skills->kinds ||
                                                        view->skills.max_chats != skills->max_chats);
        if (!logged_in || new_skills) {
            engine_.Login(op, skills ? std::move(*skills) : config_.default_skills);
            if (presence == Presence::kAvailable) return {};
        }
        return engine_.SetPresence(op, presence);
    });
}

OperatorSkills QueueService::SkillsFor(const store::UserSkills& stored) const {
    OperatorSkills skills = config_.default_skills;
    if (!stored.languages.empty()) skills.languages = stored.languages;
    if (!stored.kinds.empty()) skills.kinds = stored.kinds;
    return skills;
}

Result<store::UserSkills> ParseSkills(const std::vector<std::string>& languages,
                                      const std::vector<std::string>& kinds) {
    store::UserSkills skills;
    for (const auto& language : languages) {
        if (!QueueLanguages().contains(language))
            return Error{ErrorCode::kInvalidArgument, "a language must be en, ru or uk"};
        skills.languages.insert(language);
    }
    for (const auto& name : kinds) {
        auto kind = ParseCaseKind(name);
        if (!kind)
            return Error{ErrorCode::kInvalidArgument, "a kind must be surrender_application or relative_inquiry"};
        skills.kinds.insert(*kind);
    }
    return skills;
}

std::optional<OperatorView> QueueService::Operator(UserId op) {
    std::lock_guard lock(mu_);
    return engine_.Operator(op);
}

std::vector<OperatorEntry> QueueService::WithOperatorsLocked(std::optional<UserId> op) {
    const std::int64_t now = ToUnixMillis(clock_.Now());
    std::vector<OperatorEntry> out;
    open_.ForEach([&](std::int64_t id, const OpenEntry& open) {
        auto view = engine_.Entry(QueueEntryId{id});
        if (!view || !view->op || view->state == EntryState::kWaiting) return;
        if (op && view->op != *op) return;
        OperatorEntry& e = out.emplace_back();
        e.offered = view->state == EntryState::kOffered;
        e.wait_ms = e.offered ? now - ToUnixMillis(view->queued_at) : open.connect_wait_ms;
        e.connected_ms = e.offered ? 0 : open.connected_ms;
        e.entry = std::move(*view);
    });
    return out;
}

std::vector<OperatorEntry> QueueService::Mine(UserId op) {
    std::lock_guard lock(mu_);
    return WithOperatorsLocked(op);
}

std::vector<OperatorEntry> QueueService::WithOperators() {
    std::lock_guard lock(mu_);
    return WithOperatorsLocked(std::nullopt);
}

std::vector<EntryView> QueueService::Waiting() {
    std::lock_guard lock(mu_);
    return engine_.Waiting();
}

std::optional<EntryView> QueueService::Entry(QueueEntryId id) {
    std::lock_guard lock(mu_);
    return engine_.Entry(id);
}

void QueueService::Tick() {
    Step([&]() -> Result<void> {
        engine_.Tick();
        return {};
    }).ValueOrThrow();
}

Wallboard QueueService::Board() {
    Wallboard b;
    Submission s;
    std::uint64_t last = 0;
    {
        std::lock_guard lock(mu_);
        engine_.Tick();
        engine_.Route();
        s = SubmitPending();
        last = submitted_seq_;
        b.at = clock_.Now();
        const std::int64_t now = ToUnixMillis(b.at);
        open_.ForEach([&](std::int64_t id, const OpenEntry&) {
            auto view = engine_.Entry(QueueEntryId{id});
            if (!view) return;
            if (view->state == EntryState::kConnected) {
                ++b.connected;
            } else if (view->callback) {
                ++b.callbacks_waiting;
            } else {
                ++b.waiting;
                b.longest_wait_ms = std::max(b.longest_wait_ms, now - ToUnixMillis(view->queued_at));
            }
        });
        for (Presence p : {Presence::kAvailable, Presence::kBusy, Presence::kWrapUp, Presence::kAway,
                           Presence::kOffline})
            b.operators[p] = 0;
        for (std::int64_t op : operators_) {
            auto view = engine_.Operator(UserId{op});
            if (!view) continue;
            if (view->presence == Presence::kOffline && view->active_chats + view->active_calls == 0) continue;
            ++b.operators[view->presence];
        }
    }
    Await(std::move(s));
    {
        // Every step submitted before b.at is in the log (or failed) before it is read.
        std::unique_lock lock(deliver_mu_);
        deliver_cv_.wait(lock, [&] { return delivered_seq_ >= last; });
    }
    // The day is the UTC calendar day; the log is read outside the lock (it only grows).
    b.day_start = std::chrono::floor<std::chrono::days>(b.at);
    std::vector<QueueEvent> events;
    for (const auto& r : store_.ReadQueueEventsSince(ToUnixMillis(b.day_start)))
        events.push_back(FromRecord(r).ValueOrThrow());
    b.today = ComputeStats(events, b.day_start, b.at + milliseconds(1), config_.service_level);
    return b;
}

void QueueService::TimerLoop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        milliseconds wait = config_.max_tick;
        if (auto deadline = engine_.NextDeadline()) {
            auto until = std::chrono::duration_cast<milliseconds>(*deadline - clock_.Now()) + milliseconds(1);
            wait = std::clamp(until, milliseconds(1), config_.max_tick);
        }
        cv_.wait_for(lock, wait, [this] { return stop_; });
        if (stop_) break;
        engine_.Tick();
        engine_.Route();
        Submission submitted = SubmitPending();
        lock.unlock();
        try {
            Await(std::move(submitted));
        } catch (...) {
            // The store refused the write: the events are pending again and go with the next one.
        }
        lock.lock();
    }
}

}  // namespace lifeline::queue
