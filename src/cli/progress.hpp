// A one-line progress bar on a terminal; silent when stderr is not a terminal or with --quiet.
#pragma once

#include <chrono>
#include <string>

namespace citsim::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  /// Show progress `done` of `total` (redrawn at most every 100 ms).
  void update(double done, double total);
  /// Clear the line.
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

/// True when stderr is an interactive terminal.
bool stderr_is_terminal();

}  // namespace citsim::cli
