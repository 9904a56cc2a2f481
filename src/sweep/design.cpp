#include "citsim/sweep/design.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "citsim/sweep/random.hpp"
#include "citsim/sweep/sobol_sequence.hpp"

namespace citsim::sweep {
namespace {

constexpr std::array<std::pair<std::string_view, DesignKind>, 5> kKinds = {{
    {"grid", DesignKind::Grid},
    {"latin_hypercube", DesignKind::LatinHypercube},
    {"sobol", DesignKind::Sobol},
    {"morris", DesignKind::Morris},
    {"saltelli", DesignKind::Saltelli},
}};

}  // namespace

std::string_view to_string(DesignKind k) {
  for (const auto& [name, kind] : kKinds)
    if (kind == k) return name;
  return "?";
}

std::optional<DesignKind> design_kind_from(std::string_view name) {
  for (const auto& [n, kind] : kKinds)
    if (n == name) return kind;
  return std::nullopt;
}

double axis_value(const Axis& axis, double u) {
  if (axis.integer) {
    const double lo = std::ceil(axis.lo), hi = std::floor(axis.hi);
    return std::min(hi, lo + std::floor(u * (hi - lo + 1.0)));
  }
  if (axis.scale == AxisScale::Log) {
    const double a = std::log(axis.lo), b = std::log(axis.hi);
    return std::exp(a + u * (b - a));
  }
  return axis.lo + u * (axis.hi - axis.lo);
}

Design::Design(DesignSpec spec, std::vector<Axis> axes) : spec_(spec), axes_(std::move(axes)) {
  if (axes_.empty()) throw std::invalid_argument("a sweep needs at least one axis");
  const auto d = static_cast<std::int64_t>(axes_.size());
  if (spec_.kind == DesignKind::Grid) {
    runs_ = 1;
    for (const Axis& a : axes_) {
      if (a.values.empty()) throw std::invalid_argument(fmt::format("grid axis '{}' has no values", a.name));
      runs_ *= static_cast<std::int64_t>(a.values.size());
      if (runs_ > kMaxRuns) throw std::invalid_argument(fmt::format("the grid has more than {} runs", kMaxRuns));
    }
    return;
  }
  for (const Axis& a : axes_) {
    if (!(a.lo < a.hi) && !(a.integer && a.lo <= a.hi))
      throw std::invalid_argument(fmt::format("axis '{}' needs a range lo < hi", a.name));
    if (a.scale == AxisScale::Log && !(a.lo > 0.0))
      throw std::invalid_argument(fmt::format("axis '{}' is log-scaled and needs lo > 0", a.name));
  }
  switch (spec_.kind) {
    case DesignKind::Grid:
      break;
    case DesignKind::LatinHypercube: {
      runs_ = spec_.runs;
      if (runs_ < 1 || runs_ > kMaxRuns) throw std::invalid_argument("a Latin hypercube needs runs >= 1");
      // Each axis: one point in each of `runs` equal strata, strata in a random order.
      RandomStream rng(spec_.seed);
      lhs_.assign(static_cast<std::size_t>(runs_ * d), 0.0);
      std::vector<std::int64_t> perm(static_cast<std::size_t>(runs_));
      for (std::int64_t j = 0; j < d; ++j) {
        std::iota(perm.begin(), perm.end(), 0);
        rng.shuffle(std::span<std::int64_t>(perm));
        for (std::int64_t i = 0; i < runs_; ++i)
          lhs_[static_cast<std::size_t>(i * d + j)] =
              (static_cast<double>(perm[static_cast<std::size_t>(i)]) + rng.uniform()) / static_cast<double>(runs_);
      }
      break;
    }
    case DesignKind::Sobol:
      runs_ = spec_.runs;
      if (runs_ < 1 || spec_.skip < 0 || runs_ + spec_.skip > kMaxRuns)
        throw std::invalid_argument("a Sobol design needs runs >= 1 and skip >= 0");
      if (d > SobolSequence::max_dimensions())
        throw std::invalid_argument(fmt::format("a Sobol design takes at most {} axes", SobolSequence::max_dimensions()));
      break;
    case DesignKind::Morris:
      morris_ = morris_design(static_cast<int>(d), spec_.trajectories, spec_.levels, spec_.seed);
      runs_ = static_cast<std::int64_t>(morris_.points.size());
      break;
    case DesignKind::Saltelli:
      if (spec_.base_runs < 2) throw std::invalid_argument("a Saltelli design needs base_runs >= 2");
      if (2 * d > SobolSequence::max_dimensions())
        throw std::invalid_argument(fmt::format("a Saltelli design takes at most {} axes", SobolSequence::max_dimensions() / 2));
      runs_ = saltelli_runs(static_cast<int>(d), spec_.base_runs);
      if (runs_ > kMaxRuns) throw std::invalid_argument("the Saltelli design has too many runs");
      break;
  }
}

std::vector<double> Design::unit_point(std::int64_t run) const {
  if (run < 0 || run >= runs_) throw std::out_of_range(fmt::format("run {} of {}", run, runs_));
  const auto d = static_cast<std::int64_t>(axes_.size());
  switch (spec_.kind) {
    case DesignKind::Grid:
      throw std::logic_error("a grid has no unit-cube points");
    case DesignKind::LatinHypercube:
      return {lhs_.begin() + run * d, lhs_.begin() + (run + 1) * d};
    case DesignKind::Sobol:
      return SobolSequence(static_cast<int>(d)).point(static_cast<std::uint64_t>(run + spec_.skip));
    case DesignKind::Morris:
      return morris_.points[static_cast<std::size_t>(run)];
    case DesignKind::Saltelli:
      return saltelli_point(static_cast<int>(d), run);
  }
  return {};
}

std::vector<double> Design::values(std::int64_t run) const {
  if (run < 0 || run >= runs_) throw std::out_of_range(fmt::format("run {} of {}", run, runs_));
  std::vector<double> v(axes_.size());
  if (spec_.kind == DesignKind::Grid) {
    // Row-major: the last axis varies fastest, as numpy's ravel of an 'ij' mesh.
    std::int64_t rest = run;
    for (std::size_t j = axes_.size(); j-- > 0;) {
      const auto n = static_cast<std::int64_t>(axes_[j].values.size());
      v[j] = axes_[j].values[static_cast<std::size_t>(rest % n)];
      rest /= n;
    }
    return v;
  }
  const std::vector<double> u = unit_point(run);
  for (std::size_t j = 0; j < axes_.size(); ++j) v[j] = axis_value(axes_[j], u[j]);
  return v;
}

}  // namespace citsim::sweep
