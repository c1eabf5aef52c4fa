#pragma once
// Readable gtest output for the queue's value types.

#include <ostream>

#include "queue/queue_engine.hpp"

namespace lifeline::queue {

inline void PrintTo(const Offer& offer, std::ostream* os) {
    *os << "Offer{entry " << offer.entry.value << " → operator " << offer.op.value << "}";
}

}  // namespace lifeline::queue
