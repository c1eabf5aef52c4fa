#include "queue/queue_engine.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace lifeline::queue {
namespace {

constexpr std::size_t kMaxLanguageBytes = 16;
constexpr std::array<Media, 2> kAllMedia{Media::kChat, Media::kCall};

int M(Media m) { return static_cast<int>(m); }

bool ValidLanguage(const std::string& language) { return !language.empty() && language.size() <= kMaxLanguageBytes; }

/// Inserts a key that is usually the largest yet (a deadline or a place in line given now): then
/// it goes in next to the last one without a descent from the root, which in a line of many
/// thousands costs a cache miss per level. Any other key is inserted the usual way.
template <typename Set, typename Key>
void AddLast(Set& set, Key&& key) {
    set.emplace_hint(set.end(), std::forward<Key>(key));
}

}  // namespace

std::string_view ToString(Presence p) noexcept {
    switch (p) {
        case Presence::kAvailable:
            return "available";
        case Presence::kBusy:
            return "busy";
        case Presence::kWrapUp:
            return "wrap_up";
        case Presence::kAway:
            return "away";
        case Presence::kOffline:
            return "offline";
    }
    return "unknown";
}

std::optional<Presence> ParsePresence(std::string_view s) noexcept {
    for (auto p : {Presence::kAvailable, Presence::kBusy, Presence::kWrapUp, Presence::kAway, Presence::kOffline})
        if (ToString(p) == s) return p;
    return std::nullopt;
}

QueueEngine::QueueEngine(const Clock& clock, QueueConfig config, EventSink sink)
    : clock_(clock), config_(std::move(config)), sink_(std::move(sink)) {
    buckets_.resize(2);  // the overflow buckets, chat and call
}

// ---- internals ------------------------------------------------------------------------------

void QueueEngine::Emit(QueueEventType type, const EntryRec& e, std::int64_t now, std::int64_t op, std::int64_t to_op,
                       std::int64_t duration_ms, bool withdrawn) {
    if (!sink_) return;
    QueueEvent ev;
    ev.at = FromUnixMillis(now);
    ev.type = type;
    ev.entry = QueueEntryId(e.id);
    ev.op = UserId(op);
    ev.to_op = UserId(to_op);
    ev.contact = e.contact;
    ev.media = e.media;
    ev.enter_at = FromUnixMillis(e.enter_ms);
    ev.wait_ms = (e.state == EntryState::kConnected ? e.connected_ms : now) - e.queued_ms;
    ev.duration_ms = duration_ms;
    ev.callback = e.callback;
    ev.withdrawn = withdrawn;
    ev.segment = e.segment;
    sink_(ev);
}

int QueueEngine::InternLanguage(const std::string& language) {
    auto [it, fresh] = languages_.try_emplace(language, static_cast<int>(languages_.size()));
    if (fresh) buckets_.resize(static_cast<std::size_t>(2 + (it->second + 1) * 4));
    return it->second;
}

bool QueueEngine::Declined(const EntryRec& e, std::int64_t op) {
    return std::find(e.declined.begin(), e.declined.end(), op) != e.declined.end();
}

std::int64_t QueueEngine::PreferredOf(const EntryRec& e) const {
    if (e.target != 0) return e.target;
    if (e.contact.owner && !Declined(e, e.contact.owner->value)) return e.contact.owner->value;
    return 0;
}

void QueueEngine::IndexEntry(EntryRec& e) {
    const auto key = KeyOf(e);
    // A transfer to one operator waits for him alone until it overflows.
    if (e.target == 0 || e.overflowed) {
        const int b = e.overflowed ? M(e.media) : BucketIndex(BaseOf(e.lang, e.contact.kind), e.media);
        AddLast(buckets_[static_cast<std::size_t>(b)].waiting, key);
        e.in_bucket = b;
    }
    if (const auto p = PreferredOf(e)) {
        auto& set = preferred_[p][M(e.media)];
        AddLast(set, key);
        e.in_pref = p;
        if (set.size() == 1) UpdateStickyReady(p, e.media);
    }
    ++waiting_count_;
}

void QueueEngine::UnindexEntry(EntryRec& e) {
    const auto key = KeyOf(e);
    if (e.in_bucket >= 0) {
        buckets_[static_cast<std::size_t>(e.in_bucket)].waiting.erase(key);
        e.in_bucket = -1;
    }
    if (e.in_pref != 0) {
        const auto p = e.in_pref;
        e.in_pref = 0;
        auto it = preferred_.find(p);
        auto& set = it->second[M(e.media)];
        set.erase(key);
        if (set.empty()) {
            if (it->second[0].empty() && it->second[1].empty()) preferred_.erase(it);
            UpdateStickyReady(p, e.media);
        }
    }
    --waiting_count_;
}

void QueueEngine::SetDeadlines(EntryRec& e) {
    ClearDeadlines(e);
    if (!e.overflowed) {
        e.overflow_deadline = e.stage_ms + config_.overflow_after.count();
        AddLast(overflow_deadlines_, std::pair{e.overflow_deadline, e.id});
    }
    if (!e.callback) {
        if (auto it = config_.chat_abandon_after.find(e.contact.channel); it != config_.chat_abandon_after.end()) {
            e.abandon_deadline = e.queued_ms + it->second.count();
            AddLast(abandon_deadlines_, std::pair{e.abandon_deadline, e.id});
        }
    }
}

void QueueEngine::ClearDeadlines(EntryRec& e) {
    if (e.overflow_deadline != 0) overflow_deadlines_.erase({e.overflow_deadline, e.id});
    if (e.abandon_deadline != 0) abandon_deadlines_.erase({e.abandon_deadline, e.id});
    e.overflow_deadline = 0;
    e.abandon_deadline = 0;
}

bool QueueEngine::CanTake(const OpRec& o, Media m) const {
    if (!Routable(o)) return false;
    const int calls = o.active[M(Media::kCall)] + o.offered[M(Media::kCall)];
    if (calls > 0) return false;  // one call at a time, and no new chat while on one
    if (m == Media::kCall) return true;
    return o.active[M(Media::kChat)] + o.offered[M(Media::kChat)] < o.max_chats;
}

void QueueEngine::UpdateStickyReady(std::int64_t op, Media m) {
    bool ready = false;
    if (auto pit = preferred_.find(op); pit != preferred_.end() && !pit->second[M(m)].empty()) {
        auto oit = ops_.find(op);
        ready = oit != ops_.end() && CanTake(oit->second, m);
    }
    if (ready)
        sticky_ready_[M(m)].insert(op);
    else
        sticky_ready_[M(m)].erase(op);
}

void QueueEngine::ReindexOp(OpRec& o, std::int64_t now) {
    const int load = o.active[0] + o.active[1] + o.offered[0] + o.offered[1];
    const bool routable = Routable(o);
    if (load != o.last_load || (routable && !o.last_routable)) o.since_ms = now;
    o.last_load = load;
    o.last_routable = routable;
    for (auto m : kAllMedia) {
        std::optional<OpKey> key;
        if (CanTake(o, m)) key = OpKey{load, o.since_ms, o.id};
        auto& old = o.indexed[M(m)];
        if (key == old) continue;
        // His free sets for this medium: the overflow bucket and one per skill.
        auto for_each_set = [&](auto&& fn) {
            fn(buckets_[static_cast<std::size_t>(M(m))].free_ops);
            for (int base : o.skill_bases) fn(buckets_[static_cast<std::size_t>(BucketIndex(base, m))].free_ops);
        };
        if (old) for_each_set([&](std::set<OpKey>& set) { set.erase(*old); });
        if (key) for_each_set([&](std::set<OpKey>& set) { set.insert(*key); });
        const bool was_free = old.has_value();
        old = key;
        if (was_free != key.has_value()) UpdateStickyReady(o.id, m);
    }
}

void QueueEngine::Detach(EntryRec& e, OpRec& o, bool was_active) {
    (was_active ? o.active : o.offered)[M(e.media)]--;
    o.entries.erase(std::find(o.entries.begin(), o.entries.end(), e.id));
    e.op = 0;
}

void QueueEngine::MakeOffer(EntryRec& e, OpRec& o, std::int64_t now) {
    UnindexEntry(e);
    e.state = EntryState::kOffered;
    e.op = o.id;
    e.offer_deadline = now + config_.offer_timeout.count();
    AddLast(offer_deadlines_, std::pair{e.offer_deadline, e.id});
    o.offered[M(e.media)]++;
    o.entries.push_back(e.id);
    ReindexOp(o, now);
    Emit(QueueEventType::kOffer, e, now, o.id);
}

void QueueEngine::WithdrawOffer(EntryRec& e, std::int64_t now) {
    offer_deadlines_.erase({e.offer_deadline, e.id});
    e.offer_deadline = 0;
    auto& o = ops_.at(e.op);
    Detach(e, o, false);
    e.state = EntryState::kWaiting;
    ReindexOp(o, now);
}

void QueueEngine::Decline(EntryRec& e, std::int64_t now) {
    const auto op = e.op;
    WithdrawOffer(e, now);
    e.declined.push_back(op);
    if (e.target == op) e.target = 0;  // the one it was sent to refused it: route it by skill
    IndexEntry(e);
}

void QueueEngine::AbandonImpl(EntryRec& e, std::int64_t now) {
    Emit(QueueEventType::kAbandon, e, now, e.op);
    if (e.state == EntryState::kOffered)
        WithdrawOffer(e, now);
    else
        UnindexEntry(e);
    ClearDeadlines(e);
    entries_.erase(e.id);
}

void QueueEngine::WithdrawOffers(OpRec& o, std::int64_t now) {
    const auto held = o.entries;  // WithdrawOffer edits the list
    for (auto id : held) {
        auto& e = entries_.at(id);
        if (e.state != EntryState::kOffered) continue;
        Emit(QueueEventType::kReject, e, now, o.id, 0, 0, /*withdrawn=*/true);
        WithdrawOffer(e, now);
        IndexEntry(e);
    }
}

QueueEngine::OpRec* QueueEngine::LoggedIn(UserId op) {
    auto it = ops_.find(op.value);
    return it == ops_.end() || !it->second.logged_in ? nullptr : &it->second;
}

QueueEngine::OpRec& QueueEngine::OpOrOffline(std::int64_t op) {
    auto [it, fresh] = ops_.try_emplace(op);
    if (fresh) {
        it->second.id = op;
        it->second.max_chats = config_.max_chats;
    }
    return it->second;
}

Result<QueueEngine::EntryRec*> QueueEngine::Find(QueueEntryId id) {
    EntryRec* e = entries_.Find(id.value);
    if (e == nullptr) return Error{ErrorCode::kNotFound, "no such queue entry " + id.ToString()};
    return e;
}

void QueueEngine::Advance(std::int64_t now) {
    while (!offer_deadlines_.empty() && offer_deadlines_.begin()->first <= now) {
        auto& e = entries_.at(offer_deadlines_.begin()->second);
        auto& o = ops_.at(e.op);
        Emit(QueueEventType::kTimeout, e, now, o.id);
        Decline(e, now);
        if (config_.pause_on_timeout) {
            o.manual = Presence::kAway;
            WithdrawOffers(o, now);
            ReindexOp(o, now);
        }
    }
    while (!overflow_deadlines_.empty() && overflow_deadlines_.begin()->first <= now) {
        auto& e = entries_.at(overflow_deadlines_.begin()->second);
        overflow_deadlines_.erase(overflow_deadlines_.begin());
        e.overflow_deadline = 0;
        if (e.state == EntryState::kWaiting) {
            UnindexEntry(e);
            e.overflowed = true;
            IndexEntry(e);
        } else {
            e.overflowed = true;  // re-indexed as overflowed if the offer comes back
        }
    }
    while (!abandon_deadlines_.empty() && abandon_deadlines_.begin()->first <= now)
        AbandonImpl(entries_.at(abandon_deadlines_.begin()->second), now);
    while (!wrap_up_deadlines_.empty() && wrap_up_deadlines_.begin()->first <= now) {
        auto& o = ops_.at(wrap_up_deadlines_.begin()->second);
        wrap_up_deadlines_.erase(wrap_up_deadlines_.begin());
        o.wrap_up_until = 0;
        ReindexOp(o, now);
    }
}

// ---- contacts -------------------------------------------------------------------------------

Result<QueueEntryId> QueueEngine::Enter(Contact contact, std::optional<TimePoint> arrived_at) {
    if (!ValidLanguage(contact.language)) return Error{ErrorCode::kInvalidArgument, "language must be 1 to 16 bytes"};
    if (contact.owner && !contact.owner->valid()) contact.owner.reset();
    const auto now = NowMs();
    Advance(now);
    const auto arrived = arrived_at ? std::min(now, ToUnixMillis(*arrived_at)) : now;
    const auto id = next_id_++;
    if (const EntryRec* oldest = entries_.Oldest(); oldest != nullptr && id - oldest->id >= IdTable<EntryRec>::kMaxSpan)
        return Error{ErrorCode::kUnavailable, "the queue's oldest contact is too far behind the new one"};
    auto& e = entries_[id];
    e.id = id;
    e.media = MediaOf(contact.channel);
    e.lang = InternLanguage(contact.language);
    e.contact = std::move(contact);
    e.enter_ms = e.queued_ms = e.stage_ms = arrived;
    SetDeadlines(e);  // deadlines already passed fire at the next Advance
    IndexEntry(e);
    Emit(QueueEventType::kEnter, e, now);
    return QueueEntryId(id);
}

Result<void> QueueEngine::Accept(UserId op, QueueEntryId entry) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(entry);
    if (!found) return found.error();
    auto& e = **found;
    if (e.state != EntryState::kOffered || e.op != op.value)
        return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is not offered to this operator"};
    auto& o = ops_.at(e.op);
    offer_deadlines_.erase({e.offer_deadline, e.id});
    e.offer_deadline = 0;
    ClearDeadlines(e);
    e.state = EntryState::kConnected;
    e.connected_ms = now;
    o.offered[M(e.media)]--;
    o.active[M(e.media)]++;
    ReindexOp(o, now);
    Emit(QueueEventType::kAccept, e, now, o.id);
    Emit(QueueEventType::kConnect, e, now, o.id);
    return Ok();
}

Result<void> QueueEngine::Reject(UserId op, QueueEntryId entry) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(entry);
    if (!found) return found.error();
    auto& e = **found;
    if (e.state != EntryState::kOffered || e.op != op.value)
        return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is not offered to this operator"};
    Emit(QueueEventType::kReject, e, now, op.value);
    Decline(e, now);
    return Ok();
}

Result<void> QueueEngine::Abandon(QueueEntryId entry) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(entry);
    if (!found) return found.error();
    auto& e = **found;
    if (e.state == EntryState::kConnected)
        return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is connected: complete it"};
    if (e.callback) return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is a callback request"};
    AbandonImpl(e, now);
    return Ok();
}

Result<void> QueueEngine::RequestCallback(QueueEntryId entry) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(entry);
    if (!found) return found.error();
    auto& e = **found;
    if (e.state == EntryState::kConnected)
        return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is connected"};
    if (e.callback) return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is already a callback"};
    const auto offered_to = e.op;
    if (e.state == EntryState::kOffered)
        WithdrawOffer(e, now);
    else
        UnindexEntry(e);
    e.callback = true;
    e.media = Media::kCall;  // the operator rings the person back
    SetDeadlines(e);         // a callback never times out
    IndexEntry(e);
    Emit(QueueEventType::kCallback, e, now, offered_to);
    return Ok();
}

Result<void> QueueEngine::Transfer(QueueEntryId entry, UserId to_op) { return TransferImpl(entry, to_op.value, {}); }

Result<void> QueueEngine::Transfer(QueueEntryId entry, std::string language, CaseKind kind) {
    if (!ValidLanguage(language)) return Error{ErrorCode::kInvalidArgument, "language must be 1 to 16 bytes"};
    return TransferImpl(entry, 0, std::pair{std::move(language), kind});
}

Result<void> QueueEngine::TransferImpl(QueueEntryId id, std::int64_t to_op,
                                       std::optional<std::pair<std::string, CaseKind>> skill) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(id);
    if (!found) return found.error();
    auto& e = **found;
    if (to_op != 0) {
        if (!LoggedIn(UserId(to_op))) return Error{ErrorCode::kNotFound, "operator is not logged in"};
        if (e.op == to_op) return Error{ErrorCode::kInvalidArgument, "the entry is already with this operator"};
    }
    std::int64_t from = 0;
    if (e.state == EntryState::kConnected) {
        // A new wait segment: the person was answered and now waits for someone else.
        from = e.op;
        auto& o = ops_.at(from);
        Detach(e, o, true);
        ReindexOp(o, now);
        e.state = EntryState::kWaiting;
        e.segment++;
        e.queued_ms = now;
        e.declined = {from};
    } else if (e.state == EntryState::kOffered) {
        WithdrawOffer(e, now);
    } else {
        UnindexEntry(e);
    }
    if (to_op != 0) {
        e.target = to_op;
        std::erase(e.declined, to_op);  // sent to him on purpose
    } else {
        e.target = 0;
        e.lang = InternLanguage(skill->first);
        e.contact.language = std::move(skill->first);
        e.contact.kind = skill->second;
    }
    // The new destination gets its own chance before the entry overflows again.
    e.stage_ms = now;
    e.overflowed = false;
    SetDeadlines(e);
    IndexEntry(e);
    Emit(QueueEventType::kTransfer, e, now, from, to_op);
    return Ok();
}

Result<void> QueueEngine::Complete(UserId op, QueueEntryId entry) {
    const auto now = NowMs();
    Advance(now);
    auto found = Find(entry);
    if (!found) return found.error();
    auto& e = **found;
    if (e.state != EntryState::kConnected || e.op != op.value)
        return Error{ErrorCode::kConflict, "entry " + entry.ToString() + " is not connected to this operator"};
    Emit(QueueEventType::kComplete, e, now, op.value, 0, now - e.connected_ms);
    auto& o = ops_.at(e.op);
    Detach(e, o, true);
    if (config_.wrap_up.count() > 0 && o.logged_in) {
        if (o.wrap_up_until != 0) wrap_up_deadlines_.erase({o.wrap_up_until, o.id});
        o.wrap_up_until = now + config_.wrap_up.count();
        AddLast(wrap_up_deadlines_, std::pair{o.wrap_up_until, o.id});
    }
    ReindexOp(o, now);
    entries_.erase(e.id);
    return Ok();
}

// ---- operators ------------------------------------------------------------------------------

void QueueEngine::Login(UserId op, OperatorSkills skills) {
    const auto now = NowMs();
    Advance(now);
    auto& o = OpOrOffline(op.value);
    // Out of every free set under the old skills first.
    o.logged_in = false;
    ReindexOp(o, now);
    o.skill_bases.clear();
    for (const auto& language : skills.languages) {
        const int lang = InternLanguage(language);
        for (auto kind : skills.kinds) o.skill_bases.push_back(BaseOf(lang, kind));
    }
    o.max_chats = std::max(0, skills.max_chats.value_or(config_.max_chats));
    o.skills = std::move(skills);
    o.logged_in = true;
    o.manual = Presence::kAvailable;
    o.last_routable = false;  // idle from now
    ReindexOp(o, now);
}

Result<void> QueueEngine::Logout(UserId op) {
    const auto now = NowMs();
    Advance(now);
    auto* o = LoggedIn(op);
    if (!o) return Error{ErrorCode::kNotFound, "operator is not logged in"};
    if (o->active[0] + o->active[1] > 0)
        return Error{ErrorCode::kConflict, "operator holds connected contacts: complete or transfer them"};
    WithdrawOffers(*o, now);
    if (o->wrap_up_until != 0) wrap_up_deadlines_.erase({o->wrap_up_until, o->id});
    o->wrap_up_until = 0;
    o->logged_in = false;
    ReindexOp(*o, now);
    ops_.erase(op.value);
    return Ok();
}

Result<void> QueueEngine::SetPresence(UserId op, Presence presence) {
    if (presence == Presence::kWrapUp || presence == Presence::kOffline)
        return Error{ErrorCode::kInvalidArgument, "wrap-up follows Complete and offline is Logout"};
    const auto now = NowMs();
    Advance(now);
    auto* o = LoggedIn(op);
    if (!o) return Error{ErrorCode::kNotFound, "operator is not logged in"};
    o->manual = presence;
    if (presence == Presence::kAvailable) {
        if (o->wrap_up_until != 0) wrap_up_deadlines_.erase({o->wrap_up_until, o->id});
        o->wrap_up_until = 0;
    } else {
        WithdrawOffers(*o, now);
    }
    ReindexOp(*o, now);
    return Ok();
}

// ---- time and routing -----------------------------------------------------------------------

void QueueEngine::Tick() { Advance(NowMs()); }

std::optional<TimePoint> QueueEngine::NextDeadline() const {
    std::optional<std::int64_t> next;
    for (const auto* set : {&offer_deadlines_, &overflow_deadlines_, &abandon_deadlines_, &wrap_up_deadlines_})
        if (!set->empty() && (!next || set->begin()->first < *next)) next = set->begin()->first;
    if (!next) return std::nullopt;
    return FromUnixMillis(*next);
}

std::optional<Offer> QueueEngine::RouteOne() {
    const auto now = NowMs();
    Advance(now);
    // The best matchable entry: the head of each place it can be matched from, compared by
    // (priority, enter time). An entry is matchable through its preferred operator (sticky_ready_)
    // or through a bucket with a free operator who has not declined it.
    const EntryKey* best = nullptr;
    OpRec* best_op = nullptr;
    for (auto m : kAllMedia) {
        for (auto op : sticky_ready_[M(m)]) {
            const auto& head = *preferred_.at(op)[M(m)].begin();  // never declined by op: see Decline
            if (!best || head < *best) {
                best = &head;
                best_op = &ops_.at(op);
            }
        }
    }
    for (auto& bucket : buckets_) {
        if (bucket.waiting.empty() || bucket.free_ops.empty()) continue;
        for (const auto& key : bucket.waiting) {
            if (best && !(key < *best)) break;
            const auto& e = entries_.at(key.id);
            // Declines are few; an entry declined by every free operator here is skipped.
            auto op = std::find_if(bucket.free_ops.begin(), bucket.free_ops.end(),
                                   [&](const OpKey& k) { return !Declined(e, k.id); });
            if (op != bucket.free_ops.end()) {
                best = &key;
                best_op = &ops_.at(op->id);
                break;
            }
        }
    }
    if (!best) return std::nullopt;
    auto& e = entries_.at(best->id);
    // The owner (or transfer target) first whenever he can take it.
    if (e.in_pref != 0 && e.in_pref != best_op->id) {
        auto it = ops_.find(e.in_pref);
        if (it != ops_.end() && CanTake(it->second, e.media)) best_op = &it->second;
    }
    MakeOffer(e, *best_op, now);
    return Offer{QueueEntryId(e.id), UserId(best_op->id)};
}

std::vector<Offer> QueueEngine::Route() {
    std::vector<Offer> offers;
    while (auto offer = RouteOne()) offers.push_back(*offer);
    return offers;
}

std::optional<Offer> QueueEngine::ReferenceDecision() const {
    for (const auto* e : WaitingInOrder()) {
        if (const auto p = PreferredOf(*e)) {
            auto it = ops_.find(p);
            if (it != ops_.end() && CanTake(it->second, e->media)) return Offer{QueueEntryId(e->id), UserId(p)};
            if (e->target != 0 && !e->overflowed) continue;  // waits for the one it was sent to
        }
        const OpRec* chosen = nullptr;
        OpKey chosen_key{};
        for (const auto& [id, o] : ops_) {
            if (!CanTake(o, e->media) || Declined(*e, id)) continue;
            const bool skilled =
                o.skills.languages.contains(e->contact.language) && o.skills.kinds.contains(e->contact.kind);
            if (!skilled && !e->overflowed) continue;
            const OpKey key{o.active[0] + o.active[1] + o.offered[0] + o.offered[1], o.since_ms, id};
            if (!chosen || key < chosen_key) {
                chosen = &o;
                chosen_key = key;
            }
        }
        if (chosen) return Offer{QueueEntryId(e->id), UserId(chosen->id)};
    }
    return std::nullopt;
}

// ---- views ----------------------------------------------------------------------------------

EntryView QueueEngine::ViewOf(const EntryRec& e) const {
    EntryView v;
    v.id = QueueEntryId(e.id);
    v.contact = e.contact;
    v.media = e.media;
    v.state = e.state;
    v.enter_at = FromUnixMillis(e.enter_ms);
    v.queued_at = FromUnixMillis(e.queued_ms);
    v.callback = e.callback;
    v.overflowed = e.overflowed;
    v.segment = e.segment;
    if (e.op != 0) v.op = UserId(e.op);
    if (e.target != 0) v.transfer_target = UserId(e.target);
    return v;
}

std::optional<EntryView> QueueEngine::Entry(QueueEntryId id) const {
    const EntryRec* e = entries_.Find(id.value);
    if (e == nullptr) return std::nullopt;
    return ViewOf(*e);
}

std::optional<OperatorView> QueueEngine::Operator(UserId op) const {
    auto it = ops_.find(op.value);
    if (it == ops_.end()) return std::nullopt;
    const auto& o = it->second;
    OperatorView v;
    v.id = op;
    if (!o.logged_in)
        v.presence = Presence::kOffline;
    else if (o.manual != Presence::kAvailable)
        v.presence = o.manual;
    else if (o.wrap_up_until != 0)
        v.presence = Presence::kWrapUp;
    else if (CanTake(o, Media::kChat) || CanTake(o, Media::kCall))
        v.presence = Presence::kAvailable;
    else
        v.presence = Presence::kBusy;
    v.skills = o.skills;
    v.max_chats = o.max_chats;
    v.active_chats = o.active[M(Media::kChat)];
    v.active_calls = o.active[M(Media::kCall)];
    v.offered_chats = o.offered[M(Media::kChat)];
    v.offered_calls = o.offered[M(Media::kCall)];
    v.idle_since = FromUnixMillis(o.since_ms);
    if (o.wrap_up_until != 0) v.wrap_up_until = FromUnixMillis(o.wrap_up_until);
    return v;
}

std::vector<const QueueEngine::EntryRec*> QueueEngine::WaitingInOrder() const {
    std::vector<const EntryRec*> waiting;
    waiting.reserve(waiting_count_);
    entries_.ForEach([&](std::int64_t, const EntryRec& e) {
        if (e.state == EntryState::kWaiting) waiting.push_back(&e);
    });
    std::sort(waiting.begin(), waiting.end(),
              [](const EntryRec* a, const EntryRec* b) { return KeyOf(*a) < KeyOf(*b); });
    return waiting;
}

std::vector<EntryView> QueueEngine::Waiting() const {
    const auto waiting = WaitingInOrder();
    std::vector<EntryView> views;
    views.reserve(waiting.size());
    for (const auto* e : waiting) views.push_back(ViewOf(*e));
    return views;
}

// ---- restart --------------------------------------------------------------------------------

QueueSnapshot QueueEngine::Snapshot() const {
    QueueSnapshot snap;
    snap.next_entry_id = next_id_;
    snap.entries.reserve(entries_.size());
    entries_.ForEach([&](std::int64_t, const EntryRec& e) {
        SnapshotEntry s;
        s.id = QueueEntryId(e.id);
        s.contact = e.contact;
        s.media = e.media;
        s.enter_at = FromUnixMillis(e.enter_ms);
        s.queued_at = FromUnixMillis(e.queued_ms);
        s.stage_at = FromUnixMillis(e.stage_ms);
        s.callback = e.callback;
        s.segment = e.segment;
        if (e.target != 0) s.transfer_target = UserId(e.target);
        for (auto op : e.declined) s.declined.emplace_back(op);
        if (e.state == EntryState::kConnected) {
            s.connected_to = UserId(e.op);
            s.connected_at = FromUnixMillis(e.connected_ms);
        }
        snap.entries.push_back(std::move(s));
    });
    std::sort(snap.entries.begin(), snap.entries.end(),
              [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.id < b.id; });
    return snap;
}

Result<void> QueueEngine::Restore(const QueueSnapshot& snapshot) {
    if (!entries_.empty()) return Error{ErrorCode::kConflict, "restore needs an empty queue"};
    std::int64_t next = std::max(next_id_, snapshot.next_entry_id);
    std::set<std::int64_t> ids;
    for (const auto& s : snapshot.entries) {
        if (!s.id.valid() || !ids.insert(s.id.value).second)
            return Error{ErrorCode::kInvalidArgument, "snapshot entry ids must be positive and unique"};
        if (!ValidLanguage(s.contact.language))
            return Error{ErrorCode::kInvalidArgument, "snapshot entry " + s.id.ToString() + " has a bad language"};
        next = std::max(next, s.id.value + 1);
    }
    if (!ids.empty() && *ids.rbegin() - *ids.begin() >= IdTable<EntryRec>::kMaxSpan)
        return Error{ErrorCode::kInvalidArgument, "snapshot entry ids are too far apart"};
    const auto now = NowMs();
    Advance(now);
    next_id_ = next;
    for (const auto& s : snapshot.entries) {
        auto& e = entries_[s.id.value];
        e.id = s.id.value;
        e.contact = s.contact;
        if (e.contact.owner && !e.contact.owner->valid()) e.contact.owner.reset();
        e.media = s.media;
        e.lang = InternLanguage(s.contact.language);
        e.enter_ms = ToUnixMillis(s.enter_at);
        e.queued_ms = ToUnixMillis(s.queued_at);
        e.stage_ms = ToUnixMillis(s.stage_at);
        e.callback = s.callback;
        e.segment = s.segment;
        e.target = s.transfer_target ? s.transfer_target->value : 0;
        for (auto op : s.declined) e.declined.push_back(op.value);
        if (s.connected_to) {
            e.state = EntryState::kConnected;
            e.connected_ms = ToUnixMillis(s.connected_at);
            auto& o = OpOrOffline(s.connected_to->value);
            e.op = o.id;
            o.active[M(e.media)]++;
            o.entries.push_back(e.id);
            ReindexOp(o, now);
        } else {
            e.state = EntryState::kWaiting;
            // Judged from the stored times: the wait did not stop while the server was down.
            e.overflowed = now - e.stage_ms >= config_.overflow_after.count();
            SetDeadlines(e);
            IndexEntry(e);
        }
    }
    return Ok();
}

QueueSnapshot SnapshotFromLog(std::span<const QueueEvent> events) {
    QueueSnapshot snap;
    std::map<std::int64_t, SnapshotEntry> live;
    for (const auto& ev : events) {
        const auto id = ev.entry.value;
        snap.next_entry_id = std::max(snap.next_entry_id, id + 1);
        if (ev.type == QueueEventType::kEnter) {
            SnapshotEntry s;
            s.id = ev.entry;
            s.contact = ev.contact;
            s.media = ev.media;
            // An entry recovered at start is logged when it is entered, with its arrival as
            // enter_at; every other enter has enter_at == at.
            const bool earlier = ev.enter_at.time_since_epoch().count() > 0 && ev.enter_at < ev.at;
            s.enter_at = s.queued_at = s.stage_at = earlier ? ev.enter_at : ev.at;
            live[id] = std::move(s);
            continue;
        }
        auto it = live.find(id);
        if (it == live.end()) continue;  // the log began after this entry entered
        auto& s = it->second;
        switch (ev.type) {
            case QueueEventType::kReject:
            case QueueEventType::kTimeout:
                if (ev.withdrawn) break;
                s.declined.push_back(ev.op);
                if (s.transfer_target == ev.op) s.transfer_target.reset();
                break;
            case QueueEventType::kConnect:
                s.connected_to = ev.op;
                s.connected_at = ev.at;
                break;
            case QueueEventType::kTransfer:
                if (ev.op.valid()) {  // from a connected operator: a new wait segment
                    s.segment = ev.segment;
                    s.queued_at = ev.at;
                    s.declined = {ev.op};
                    s.connected_to.reset();
                    s.connected_at = {};
                }
                s.contact = ev.contact;
                s.media = ev.media;
                s.stage_at = ev.at;
                if (ev.to_op.valid()) {
                    s.transfer_target = ev.to_op;
                    std::erase(s.declined, ev.to_op);
                } else {
                    s.transfer_target.reset();
                }
                break;
            case QueueEventType::kCallback:
                s.callback = true;
                s.media = ev.media;
                break;
            case QueueEventType::kAbandon:
            case QueueEventType::kComplete:
                live.erase(it);
                break;
            default:
                break;
        }
    }
    snap.entries.reserve(live.size());
    for (auto& [id, s] : live) snap.entries.push_back(std::move(s));
    return snap;
}

}  // namespace lifeline::queue
