#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace citsim::cli {

bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && stderr_is_terminal()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(double done, double total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  constexpr int width = 30;
  const double frac = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(frac * width);
  fmt::print(stderr, "\r{} [{}{}] {:3.0f}%  day {:.1f} of {:.0f}", label_, std::string(filled, '#'),
             std::string(width - filled, ' '), 100.0 * frac, done, total);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && drawn_) {
    fmt::print(stderr, "\r\033[2K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace citsim::cli
