// Cancellation: a flag the caller owns (the CLI sets it from its SIGINT/SIGTERM handler) and the
// library only reads, at points where stopping is clean (after a split step, between sweep runs).
// There it throws Interrupted, which unwinds through RAII temporary files.
#pragma once

#include <atomic>

#include "citsim/errors.hpp"

namespace citsim {

/// Lock-free, so a signal handler may set it.
using CancelFlag = std::atomic<bool>;

/// Throws Interrupted(`what`) if `cancel` is given and set.
inline void throw_if_cancelled(const CancelFlag* cancel, const char* what) {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Interrupted(what);
}

}  // namespace citsim
