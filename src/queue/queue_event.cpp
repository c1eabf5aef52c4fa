#include "queue/queue_event.hpp"

#include <array>
#include <utility>

namespace lifeline::queue {
namespace {
constexpr std::array<std::pair<Media, std::string_view>, 2> kMedia{{
    {Media::kChat, "chat"},
    {Media::kCall, "call"},
}};
constexpr std::array<std::pair<QueueEventType, std::string_view>, 10> kEventTypes{{
    {QueueEventType::kEnter, "enter"},
    {QueueEventType::kOffer, "offer"},
    {QueueEventType::kAccept, "accept"},
    {QueueEventType::kReject, "reject"},
    {QueueEventType::kTimeout, "timeout"},
    {QueueEventType::kConnect, "connect"},
    {QueueEventType::kTransfer, "transfer"},
    {QueueEventType::kAbandon, "abandon"},
    {QueueEventType::kCallback, "callback"},
    {QueueEventType::kComplete, "complete"},
}};

template <typename E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
    for (const auto& [value, name] : table)
        if (value == e) return name;
    return "unknown";
}
template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
    for (const auto& [value, name] : table)
        if (name == s) return value;
    return std::nullopt;
}
}  // namespace

std::string_view ToString(Media m) noexcept { return Name(kMedia, m); }
std::string_view ToString(QueueEventType t) noexcept { return Name(kEventTypes, t); }
std::optional<Media> ParseMedia(std::string_view s) noexcept { return Parse(kMedia, s); }
std::optional<QueueEventType> ParseQueueEventType(std::string_view s) noexcept { return Parse(kEventTypes, s); }

}  // namespace lifeline::queue
