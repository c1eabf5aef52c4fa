#include "core/defer.hpp"

#include <algorithm>

namespace lifeline {

namespace {
thread_local DeferScope* current_scope = nullptr;
}  // namespace

DeferScope::DeferScope() noexcept : outer_(current_scope) { current_scope = this; }

DeferScope::~DeferScope() {
    // Closed before the actions run: what they defer goes to the outer scope, or runs now.
    current_scope = outer_;
    for (auto& [key, action] : actions_) {
        try {
            action();
        } catch (...) {
            // See the declaration: the action's failure is its own.
        }
    }
}

void DeferScope::Once(const void* key, std::function<void()> action) {
    DeferScope* scope = current_scope;
    if (scope == nullptr) {
        action();
        return;
    }
    const bool deferred = std::any_of(scope->actions_.begin(), scope->actions_.end(),
                                      [key](const auto& a) { return a.first == key; });
    if (deferred) return;
    try {
        scope->actions_.emplace_back(key, action);
    } catch (...) {
        action();  // no room to defer it: done now, as outside a scope
    }
}

}  // namespace lifeline
