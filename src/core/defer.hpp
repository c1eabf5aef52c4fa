#pragma once
// Work deferred to the end of a run of callbacks on one thread.

#include <functional>
#include <utility>
#include <vector>

namespace lifeline {

/// Code that answers many callbacks in a row (the store's syncer answering a batch of writes)
/// opens a DeferScope around them. A callback that would otherwise repeat some costly work once
/// per call (the queue writing its log) asks DeferScope::Once to do it once, for all of them,
/// when the scope closes. Outside any scope, Once runs the action at once. Scopes nest; an action
/// belongs to the innermost open scope of the thread that deferred it.
class DeferScope {
public:
    DeferScope() noexcept;
    /// Runs the deferred actions in the order they were first deferred. What an action throws is
    /// dropped (it must leave nothing half done that needs its caller).
    ~DeferScope();
    DeferScope(const DeferScope&) = delete;
    DeferScope& operator=(const DeferScope&) = delete;

    /// Runs `action` when this thread's innermost scope closes, unless an action for `key` is
    /// already deferred there (then `action` is dropped); with no scope open (or no memory to
    /// defer it), runs it now, and what it throws then reaches the caller.
    static void Once(const void* key, std::function<void()> action);

private:
    DeferScope* outer_;
    std::vector<std::pair<const void*, std::function<void()>>> actions_;
};

}  // namespace lifeline
