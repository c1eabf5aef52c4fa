#include "store/store.hpp"

#include <future>
#include <memory>

#include "core/error.hpp"

namespace lifeline::store {

namespace {
void RefuseOnOwnThread(bool own) {
    if (own) throw LifelineError(ErrorCode::kInternal, "store: a write waited for on the store's own thread would deadlock");
}
}  // namespace

Result<MessageId> Store::RecordIntake(IntakeWrite write) {
    RefuseOnOwnThread(OnOwnThread());
    // The callback owns the promise: the waiter may return before set_value has quite finished.
    auto done = std::make_shared<std::promise<Result<MessageId>>>();
    auto result = done->get_future();
    RecordIntakeAsync(std::move(write), [done](Result<MessageId> r) { done->set_value(std::move(r)); });
    return result.get();
}

void Store::AppendQueueEvents(std::vector<QueueEventRecord> events) {
    RefuseOnOwnThread(OnOwnThread());
    auto done = std::make_shared<std::promise<void>>();
    auto result = done->get_future();
    SubmitQueueEvents(std::move(events), [done](std::exception_ptr error) {
        if (error) {
            done->set_exception(error);
        } else {
            done->set_value();
        }
    });
    result.get();
}

}  // namespace lifeline::store
