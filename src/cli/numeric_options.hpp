// Checks of the command line's numbers, run before CLI11 converts them: a value must read whole
// (no "5x", no 64-bit wrap into an int) and lie in its range, and the message says the range in
// words. CLI11's own ranges print their bounds as doubles (a 300-digit number for `-j -1`).
#pragma once

#include <CLI/Error.hpp>
#include <CLI/Validators.hpp>

#include <cstdint>

namespace citsim::cli {

/// `-j`: 0 (automatic) or a count citsim may start (threads.hpp).
CLI::Validator thread_count();

/// A whole number in lo..hi.
CLI::Validator whole_number(std::int64_t lo, std::int64_t hi);

/// A finite day >= 0.
CLI::Validator day();

}  // namespace citsim::cli
