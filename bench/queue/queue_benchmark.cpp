// The routing core under load: a queue of 10,000 waiting contacts and 200 operators with mixed
// languages, case kinds and media, every operator at capacity, contacts finishing and arriving.
//
//   queue_benchmark [--entries=N] [--operators=N] [--samples=N] [--no_figures] [benchmark flags]
//
// Sizes also come from LIFELINE_QUEUE_BENCH_ENTRIES, _OPERATORS and _SAMPLES (flags win).
// Two parts:
// - Google Benchmark: BM_RouteOne times one routing decision (RouteOne making an offer) in the
//   loaded queue; BM_RoutingCycle times a whole cycle (an operator completes a contact, a new
//   contact enters, Route makes the decisions the freed capacity allows, the operator accepts).
// - Figures (unless --no_figures): latency percentiles measured contact by contact, printed as
//   key=value lines for bench/queue/run.sh:
//     arrival→offer: a contact arrives (Enter) while an operator able to take it has just been
//       freed, and the time until its offer is written to the log (Enter + Route up to that offer);
//     freed→offer: an operator completes a contact, and the time until the next offer (Complete +
//       RouteOne);
//   plus routing decisions per second, over RouteOne alone and over whole cycles.
// The engine runs on a FakeClock moved 5 ms per cycle, so overflow happens as it would live;
// wall time is measured with std::chrono::steady_clock.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "queue/queue_engine.hpp"

namespace lifeline::queue {
namespace {

using Steady = std::chrono::steady_clock;

struct Sizes {
    int entries = 10'000;
    int operators = 200;
    int samples = 20'000;
};
Sizes g_sizes;

constexpr auto kCycleStep = std::chrono::milliseconds(5);
constexpr int kArrivalPriority = 10;  // above the backlog: the arrival is the next decision

QueueConfig BenchConfig() {
    QueueConfig config;
    config.wrap_up = std::chrono::milliseconds(0);  // the freed capacity is routable at once
    return config;
}

// A loaded queue: `entries` waiting, every operator at capacity.
class World {
public:
    explicit World(const Sizes& sizes, std::uint64_t seed = 20260101)
        : rng_(seed), engine_(clock_, BenchConfig(), [this](const QueueEvent& e) { OnEvent(e); }) {
        const std::array<std::set<std::string>, 3> language_sets{{{"ru"}, {"ru", "uk"}, {"uk", "en"}}};
        const std::array<std::set<CaseKind>, 3> kind_sets{
            {{CaseKind::kSurrenderApplication, CaseKind::kRelativeInquiry},
             {CaseKind::kSurrenderApplication},
             {CaseKind::kRelativeInquiry}}};
        std::discrete_distribution<int> languages({70, 20, 10});
        std::discrete_distribution<int> kinds({60, 25, 15});
        for (int i = 0; i < sizes.operators; ++i) {
            OperatorSkills skills{language_sets[static_cast<std::size_t>(languages(rng_))],
                                  kind_sets[static_cast<std::size_t>(kinds(rng_))], std::nullopt};
            skills_.push_back(skills);
            engine_.Login(UserId(i + 1), std::move(skills));
            clock_.Advance(std::chrono::milliseconds(1));
        }
        held_.resize(static_cast<std::size_t>(sizes.operators));
        target_waiting_ = static_cast<std::size_t>(sizes.entries);
        TopUp();
        RouteAndAccept();
        TopUp();
    }

    QueueEngine& engine() { return engine_; }
    std::size_t operators() const { return held_.size(); }

    /// A contact like the hotline's: mostly Russian, phone and Telegram, some with an owner.
    Contact RandomContact(int priority = 0) {
        static const std::array<std::string, 3> kLanguages{"ru", "uk", "en"};
        static const std::array<Channel, 4> kChannels{Channel::kPhone, Channel::kTelegram, Channel::kWhatsApp,
                                                      Channel::kWeb};
        std::discrete_distribution<int> language({75, 20, 5});
        std::discrete_distribution<int> channel({35, 35, 10, 20});
        Contact c;
        c.language = kLanguages[static_cast<std::size_t>(language(rng_))];
        c.channel = kChannels[static_cast<std::size_t>(channel(rng_))];
        c.kind = Chance(70) ? CaseKind::kSurrenderApplication : CaseKind::kRelativeInquiry;
        c.priority = priority != 0 ? priority : (Chance(5) ? 1 : 0);
        if (Chance(10)) c.owner = UserId(Pick(static_cast<int>(held_.size())) + 1);
        c.case_id = CaseId(++cases_);
        return c;
    }

    /// Keeps `entries` contacts waiting.
    void TopUp() {
        while (engine_.WaitingCount() < target_waiting_) (void)engine_.Enter(RandomContact());
    }

    /// Accepts an offer and remembers what the operator now holds.
    void Hold(const Offer& offer) {
        (void)engine_.Accept(offer.op, offer.entry);
        held_[static_cast<std::size_t>(offer.op.value - 1)].push_back({offer.entry, last_offer_media_});
    }

    /// Makes and accepts every decision possible; returns how many.
    int RouteAndAccept() {
        int n = 0;
        while (auto offer = engine_.RouteOne()) {
            Hold(*offer);
            ++n;
        }
        return n;
    }

    /// The next operator (round robin) completes one contact: his call if he has one, so that he
    /// can take any medium afterwards. Returns him and the medium freed.
    std::pair<UserId, Media> CompleteOne() {
        for (;;) {
            next_op_ = (next_op_ + 1) % held_.size();
            auto& held = held_[next_op_];
            if (held.empty()) continue;
            auto it = std::find_if(held.begin(), held.end(), [](const Held& h) { return h.media == Media::kCall; });
            if (it == held.end()) it = held.begin() + static_cast<std::ptrdiff_t>(Pick(static_cast<int>(held.size())));
            const Held done = *it;
            held.erase(it);
            const UserId op(static_cast<std::int64_t>(next_op_) + 1);
            (void)engine_.Complete(op, done.entry);
            return {op, done.media};
        }
    }

    /// A contact this operator can take on this medium, above the backlog; half of them his own case.
    Contact ArrivalFor(UserId op, Media media) {
        const auto& skills = skills_[static_cast<std::size_t>(op.value - 1)];
        Contact c = RandomContact(kArrivalPriority);
        c.language = *std::next(skills.languages.begin(), Pick(static_cast<int>(skills.languages.size())));
        c.kind = *std::next(skills.kinds.begin(), Pick(static_cast<int>(skills.kinds.size())));
        c.channel = media == Media::kCall ? Channel::kPhone : Channel::kTelegram;
        c.owner = Chance(50) ? std::optional<UserId>(op) : std::nullopt;
        return c;
    }

    void Step() { clock_.Advance(kCycleStep); }

    /// Watches the log for the offer of one entry; returns the wall time it was written.
    void Watch(QueueEntryId id) {
        watched_ = id;
        watched_offer_.reset();
    }
    std::optional<Steady::time_point> WatchedOffer() const { return watched_offer_; }
    void Unwatch() { watched_ = QueueEntryId(); }

private:
    struct Held {
        QueueEntryId entry;
        Media media;
    };
    void OnEvent(const QueueEvent& e) {
        if (e.type != QueueEventType::kOffer) return;
        last_offer_media_ = e.media;
        if (e.entry == watched_) watched_offer_ = Steady::now();
    }
    bool Chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(rng_) < percent; }
    int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    FakeClock clock_;
    std::mt19937_64 rng_;
    QueueEngine engine_;
    std::vector<OperatorSkills> skills_;
    std::vector<std::vector<Held>> held_;
    std::size_t target_waiting_ = 0;
    std::size_t next_op_ = 0;
    std::int64_t cases_ = 0;
    Media last_offer_media_ = Media::kChat;
    QueueEntryId watched_;
    std::optional<Steady::time_point> watched_offer_;
};

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }
double Micros(Steady::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void BM_RouteOne(benchmark::State& state) {
    World world(g_sizes);
    std::int64_t decisions = 0;
    for (auto _ : state) {
        world.Step();
        world.CompleteOne();
        const auto t0 = Steady::now();
        auto offer = world.engine().RouteOne();
        state.SetIterationTime(Seconds(Steady::now() - t0));
        if (offer) {
            ++decisions;
            world.Hold(*offer);
        }
        world.RouteAndAccept();  // the rest of the freed capacity, untimed
        world.TopUp();
    }
    state.counters["decisions"] = static_cast<double>(decisions);
    state.counters["waiting"] = static_cast<double>(world.engine().WaitingCount());
    state.SetItemsProcessed(decisions);
}
BENCHMARK(BM_RouteOne)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_RoutingCycle(benchmark::State& state) {
    World world(g_sizes);
    std::int64_t decisions = 0;
    for (auto _ : state) {
        world.Step();
        world.CompleteOne();
        (void)world.engine().Enter(world.RandomContact());
        decisions += world.RouteAndAccept();
    }
    state.counters["decisions"] = static_cast<double>(decisions);
    state.counters["waiting"] = static_cast<double>(world.engine().WaitingCount());
    state.SetItemsProcessed(decisions);
}
BENCHMARK(BM_RoutingCycle)->Unit(benchmark::kMicrosecond);

struct Percentiles {
    double p50 = 0, p99 = 0, max = 0;
    std::size_t n = 0;
};

Percentiles Summarise(std::vector<double> v) {
    Percentiles p;
    p.n = v.size();
    if (v.empty()) return p;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    };
    p.p50 = at(0.50);
    p.p99 = at(0.99);
    p.max = v.back();
    return p;
}

// Latency contact by contact, and decisions per second, in one loaded world.
int RunFigures(const Sizes& sizes) {
    World world(sizes, 7);
    std::vector<double> arrival_us;
    std::vector<double> freed_us;
    arrival_us.reserve(static_cast<std::size_t>(sizes.samples));
    freed_us.reserve(static_cast<std::size_t>(sizes.samples));
    int not_offered = 0;
    Steady::duration route_time{};
    std::int64_t route_decisions = 0;
    const auto start = Steady::now();
    std::int64_t cycle_decisions = 0;

    for (int i = 0; i < sizes.samples; ++i) {
        world.Step();
        if (i % 2 == 0) {
            // An operator is freed: time to the next offer.
            const auto t0 = Steady::now();
            world.CompleteOne();
            auto offer = world.engine().RouteOne();
            const auto t1 = Steady::now();
            if (offer) {
                freed_us.push_back(Micros(t1 - t0));
                route_time += t1 - t0;
                ++route_decisions;
                ++cycle_decisions;
                world.Hold(*offer);
            }
            (void)world.engine().Enter(world.RandomContact());
        } else {
            // A contact arrives for an operator just freed: time to its offer.
            auto [op, media] = world.CompleteOne();
            Contact contact = world.ArrivalFor(op, media);
            const auto t0 = Steady::now();
            auto id = world.engine().Enter(std::move(contact));
            world.Watch(*id);
            while (!world.WatchedOffer()) {
                auto offer = world.engine().RouteOne();
                if (!offer) break;
                world.Hold(*offer);
                ++cycle_decisions;
            }
            if (auto at = world.WatchedOffer())
                arrival_us.push_back(Micros(*at - t0));
            else
                ++not_offered;
            world.Unwatch();
        }
        cycle_decisions += world.RouteAndAccept();
        world.TopUp();
    }
    const auto elapsed = Steady::now() - start;
    const auto arrival = Summarise(arrival_us);
    const auto freed = Summarise(freed_us);
    const double per_decision_rate =
        route_decisions > 0 ? static_cast<double>(route_decisions) / Seconds(route_time) : 0;
    const double cycle_rate = static_cast<double>(cycle_decisions) / Seconds(elapsed);

    std::printf("\nqueue routing figures: %d waiting contacts, %d operators, %d samples\n", sizes.entries,
                sizes.operators, sizes.samples);
    std::printf("  arrival->offer  p50 %8.1f us  p99 %8.1f us  max %8.1f us  (n=%zu, not offered %d)\n", arrival.p50,
                arrival.p99, arrival.max, arrival.n, not_offered);
    std::printf("  freed->offer    p50 %8.1f us  p99 %8.1f us  max %8.1f us  (n=%zu)\n", freed.p50, freed.p99,
                freed.max, freed.n);
    std::printf(
        "  routing decisions per second: %.0f (complete + RouteOne), %.0f (whole cycles incl. enter, accept, "
        "bookkeeping)\n",
        per_decision_rate, cycle_rate);
    std::printf(
        "arrival_to_offer_p50_us=%.1f\narrival_to_offer_p99_us=%.1f\nfreed_to_offer_p99_us=%.1f\n"
        "decisions_per_second=%.0f\ncycle_decisions_per_second=%.0f\n",
        arrival.p50, arrival.p99, freed.p99, per_decision_rate, cycle_rate);
    return not_offered == 0 ? 0 : 1;
}

bool TakeInt(const char* arg, const char* name, int& out) {
    const auto len = std::strlen(name);
    if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
    out = std::atoi(arg + len + 1);
    return true;
}

void FromEnv(const char* name, int& out) {
    if (const char* v = std::getenv(name); v && *v) out = std::atoi(v);
}

}  // namespace
}  // namespace lifeline::queue

int main(int argc, char** argv) {
    using namespace lifeline::queue;
    FromEnv("LIFELINE_QUEUE_BENCH_ENTRIES", g_sizes.entries);
    FromEnv("LIFELINE_QUEUE_BENCH_OPERATORS", g_sizes.operators);
    FromEnv("LIFELINE_QUEUE_BENCH_SAMPLES", g_sizes.samples);
    bool figures = true;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (TakeInt(argv[i], "--entries", g_sizes.entries) || TakeInt(argv[i], "--operators", g_sizes.operators) ||
            TakeInt(argv[i], "--samples", g_sizes.samples))
            continue;
        if (std::strcmp(argv[i], "--no_figures") == 0) {
            figures = false;
            continue;
        }
        argv[kept++] = argv[i];
    }
    argc = kept;
    if (g_sizes.entries < 1 || g_sizes.operators < 1 || g_sizes.samples < 1) {
        std::fprintf(stderr, "queue_benchmark: --entries, --operators and --samples must be positive\n");
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return figures ? RunFigures(g_sizes) : 0;
}
