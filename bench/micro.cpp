// Micro benchmarks of citsim's kernels (Google Benchmark). The states are realistic: the default
// 1D column (configs/default.toml) simulated through its first session to day 1 (or day 20),
// taken at the reticular point z ≈ 1 mm where the needles injured the tissue.
//
//   citsim_bench_micro [--benchmark_repetitions=N --benchmark_format=json ...]
//
// Reported per call; the transport step also per grid point (counter ns_per_point), the
// Rosenbrock advance also per accepted step (counters steps, ns_per_step).
#include <benchmark/benchmark.h>

#include <Eigen/LU>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/model/kinetics.hpp"
#include "citsim/numerics/block_triangular_lu.hpp"
#include "citsim/numerics/dense_lu.hpp"
#include "citsim/numerics/column_simulation.hpp"
#include "citsim/numerics/kinetics_stepper.hpp"
#include "citsim/numerics/transport.hpp"
#include "citsim/run.hpp"
#include "linalg_ublas.hpp"
#include "rodas4_eigen.hpp"

using namespace citsim;

namespace {

const std::string kDefaultConfig = std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml";

/// Keeps the state at the last record time.
class LastState final : public ColumnObserver {
 public:
  void record(double /*t*/, const ColumnState& u) override { state = u; }
  void before_session(std::size_t, double, const ColumnState&) override {}
  ColumnState state;
};

struct Column {
  ColumnModel model;
  std::vector<SiteRates> rates;
  ColumnState at_day1, at_day20;
  std::size_t point = 0;  ///< the cell nearest z = 1 mm
};

/// The default column after its first session, at days 1 and 20 (simulated once, cached per dz).
const Column& column(double dz) {
  static std::map<double, Column> cache;
  auto it = cache.find(dz);
  if (it != cache.end()) return it->second;
  RunConfig cfg = load_config(kDefaultConfig, {"numerics.dz=" + std::to_string(dz)});
  Column c;
  c.model = build_column_model(cfg);
  for (const Site& s : c.model.sites)
    c.rates.push_back(site_rates(s, c.model.params, c.model.patient, false, 0.0));
  ColumnState u = resting_column(c.model);
  LastState obs;
  const std::array<double, 1> day1{1.0}, day20{20.0};
  simulate_column(c.model, cfg.numerics, 0.0, day1, u, obs);
  c.at_day1 = obs.state;
  simulate_column(c.model, cfg.numerics, 1.0, day20, u, obs);
  c.at_day20 = obs.state;
  const auto& z = c.model.grid.centre;
  c.point = static_cast<std::size_t>(
      std::min_element(z.begin(), z.end(), [](double a, double b) { return std::abs(a - 1.0) < std::abs(b - 1.0); }) -
      z.begin());
  return cache.emplace(dz, std::move(c)).first->second;
}

void BM_kinetics_rhs(benchmark::State& state) {
  const Column& c = column(0.025);
  const SpeciesVector u = c.at_day1[c.point];
  const SiteRates& r = c.rates[c.point];
  for (auto _ : state) {
    SpeciesVector f = kinetics_rhs(u, r, c.model.params);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_kinetics_rhs);

void BM_kinetics_rhs_jacobian(benchmark::State& state) {
  const Column& c = column(0.025);
  const SpeciesVector u = c.at_day1[c.point];
  const SiteRates& r = c.rates[c.point];
  SpeciesVector f;
  SpeciesMatrix J;
  for (auto _ : state) {
    kinetics_rhs_jacobian(u, r, c.model.params, f, J);
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(J);
  }
}
BENCHMARK(BM_kinetics_rhs_jacobian);

/// A per-point advance over the split interval the driver takes at that time after a session:
/// arg 0: right after the jump (τ = 0: Δt = dt_rel·dt_lag = 0.001 day, from the resting state
/// plus the injury), 1: day 1 (Δt = 0.051 day), 2: day 20 (Δt = 1 day, the cap). The first trial
/// step is the one the driver would carry in (the proposal of a previous identical advance).
struct Interval {
  SpeciesVector u0;
  double t0, t1;
};

Interval typical_interval(int which) {
  const Column& c = column(0.025);
  const StepControl ctl;
  Interval iv{};
  double tau = 0.0;
  switch (which) {
    case 0:
      iv.u0 = resting_state(c.model.sites[c.point], c.model.params);
      apply_injury(iv.u0, c.model.sessions[0].cells[c.point], c.model.sites[c.point].v,
                   c.model.sessions[0].session, c.model.params, false);
      tau = 0.0;
      break;
    case 1: iv.u0 = c.at_day1[c.point]; tau = 1.0; break;
    default: iv.u0 = c.at_day20[c.point]; tau = 20.0; break;
  }
  iv.t0 = tau;
  iv.t1 = tau + std::clamp(ctl.dt_rel * (tau + ctl.dt_lag), ctl.dt_min, ctl.dt_max);
  return iv;
}

template <class Advance>
void advance_benchmark(benchmark::State& state, Advance advance) {
  const Interval iv = typical_interval(static_cast<int>(state.range(0)));
  double dt0 = StepControl{}.dt_min;
  {  // warm-up: the step proposal the driver would carry into this interval
    SpeciesVector u = iv.u0;
    advance(u, iv.t0, iv.t1, dt0);
  }
  long long steps = 0;
  for (auto _ : state) {
    SpeciesVector u = iv.u0;
    double dt = dt0;
    steps += advance(u, iv.t0, iv.t1, dt);
    benchmark::DoNotOptimize(u);
  }
  state.counters["interval_day"] = iv.t1 - iv.t0;
  state.counters["steps"] = static_cast<double>(steps) / static_cast<double>(state.iterations());
  // seconds per accepted step (the inverse of a rate over the total step count)
  state.counters["s_per_step"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

/// citsim's KineticsStepper (RODAS4 on Eigen fixed-size matrices with the block-triangular LU
/// of the kinetics' coupling, include/citsim/numerics/rodas4.hpp and block_triangular_lu.hpp).
void BM_rosenbrock_advance(benchmark::State& state) {
  const Column& c = column(0.025);
  const StepControl ctl;
  KineticsStepper stepper({ctl.rtol, ctl.atol});
  advance_benchmark(state, [&](SpeciesVector& u, double t0, double t1, double& dt) {
    return stepper.advance(u, c.rates[c.point], c.model.params, t0, t1, dt);
  });
}
BENCHMARK(BM_rosenbrock_advance)->Arg(0)->Arg(1)->Arg(2);

/// The same algorithm and step control with Eigen's PartialPivLU (bench/rodas4_eigen.hpp, the
/// prototype that led away from Boost.Odeint's ublas stepper), for comparison.
void BM_rodas4_eigen_advance(benchmark::State& state) {
  const Column& c = column(0.025);
  const StepControl ctl;
  advance_benchmark(state, [&](SpeciesVector& u, double t0, double t1, double& dt) {
    return citsim_bench::rodas4_advance(u, c.rates[c.point], c.model.params, t0, t1, dt, ctl.rtol, ctl.atol);
  });
}
BENCHMARK(BM_rodas4_eigen_advance)->Arg(0)->Arg(1)->Arg(2);

/// One transport half step (Δt = 0.051 day, the half of the day-1 split step) of the whole
/// column, at dz = 0.05, 0.025 (default, 116 cells) and 0.0125 mm; reports seconds per point.
void BM_transport_step(benchmark::State& state) {
  const double dz = 0.025 * std::pow(2.0, -static_cast<double>(state.range(0)));
  const Column& c = column(dz);
  std::vector<double> F_rest;
  for (const Site& s : c.model.sites) F_rest.push_back(s.rest.F_rest);
  ColumnTransport transport(c.model.grid, c.model.params, F_rest);
  ColumnState u = c.at_day1;
  for (auto _ : state) {
    transport.step(u, 0.051);
    benchmark::DoNotOptimize(u.data());
  }
  const auto n = static_cast<double>(u.size());
  state.counters["cells"] = n;
  state.counters["s_per_point"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}
BENCHMARK(BM_transport_step)->Arg(-1)->Arg(0)->Arg(1);

/// The dense linear algebra of one Rosenbrock step on the 15 × 15 kinetics Jacobian (day-1 point,
/// Δt = 0.1 day, γ = 0.25 as in RODAS4): what Boost.Odeint's rosenbrock4 does with ublas (citsim's
/// stepper before it moved to Eigen; factorize −J + I/(γΔt)
/// with a fresh permutation; each step then solves 6 times), and the same with Eigen's fixed-size
/// partial-pivoting LU.
SpeciesMatrix day1_jacobian() {
  const Column& c = column(0.025);
  SpeciesVector f;
  SpeciesMatrix J;
  kinetics_rhs_jacobian(c.at_day1[c.point], c.rates[c.point], c.model.params, f, J);
  return J;
}
constexpr double kInvGammaDt = 1.0 / (0.25 * 0.1);

void BM_lu_factorize_ublas(benchmark::State& state) {
  const Eigen::Matrix<double, kSpeciesCount, kSpeciesCount, Eigen::RowMajor> J = day1_jacobian();
  citsim_bench::UblasLu lu(kSpeciesCount);
  lu.set_jacobian(J.data());
  for (auto _ : state) {
    lu.factorize(kInvGammaDt);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_lu_factorize_ublas);

void BM_lu_solve_ublas(benchmark::State& state) {
  const Eigen::Matrix<double, kSpeciesCount, kSpeciesCount, Eigen::RowMajor> J = day1_jacobian();
  citsim_bench::UblasLu lu(kSpeciesCount);
  lu.set_jacobian(J.data());
  lu.factorize(kInvGammaDt);
  SpeciesVector b = SpeciesVector::LinSpaced(0.1, 1.5);
  for (auto _ : state) {
    SpeciesVector x = b;
    lu.solve(x.data());
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_lu_solve_ublas);

void BM_lu_factorize_eigen(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  Eigen::PartialPivLU<SpeciesMatrix> lu(kSpeciesCount);
  for (auto _ : state) {
    lu.compute(kInvGammaDt * SpeciesMatrix::Identity() - J);
    benchmark::DoNotOptimize(lu.matrixLU().data());
  }
}
BENCHMARK(BM_lu_factorize_eigen);

void BM_lu_solve_eigen(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  const Eigen::PartialPivLU<SpeciesMatrix> lu(kInvGammaDt * SpeciesMatrix::Identity() - J);
  const SpeciesVector b = SpeciesVector::LinSpaced(0.1, 1.5);
  for (auto _ : state) {
    SpeciesVector x = lu.solve(b);
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_lu_solve_eigen);

void BM_lu_factorize_dense(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  DenseLU<kSpeciesCount> lu;
  for (auto _ : state) {
    lu.compute_shifted(kInvGammaDt, J);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_lu_factorize_dense);

void BM_lu_solve_dense(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  DenseLU<kSpeciesCount> lu;
  lu.compute_shifted(kInvGammaDt, J);
  const SpeciesVector b = SpeciesVector::LinSpaced(0.1, 1.5);
  for (auto _ : state) {
    SpeciesVector x = lu.solve(b);
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_lu_solve_dense);

/// What KineticsStepper factorises with: the block-triangular form of the kinetics' coupling.
void BM_lu_factorize_block(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  BlockTriangularLU<kSpeciesCount, kKineticsCoupling> lu;
  for (auto _ : state) {
    lu.compute_shifted(kInvGammaDt, J);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_lu_factorize_block);

void BM_lu_solve_block(benchmark::State& state) {
  const SpeciesMatrix J = day1_jacobian();
  BlockTriangularLU<kSpeciesCount, kKineticsCoupling> lu;
  lu.compute_shifted(kInvGammaDt, J);
  const SpeciesVector b = SpeciesVector::LinSpaced(0.1, 1.5);
  for (auto _ : state) {
    SpeciesVector x = lu.solve(b);
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_lu_solve_block);

/// The set-up of a run before any step: the column model with its per-cell injured fractions
/// (fine-grid means of φ and φ_ch for each cell and session).
void BM_build_column_model(benchmark::State& state) {
  const RunConfig cfg = load_config(kDefaultConfig, {});
  for (auto _ : state) {
    ColumnModel m = build_column_model(cfg);
    benchmark::DoNotOptimize(m.sessions.data());
  }
}
BENCHMARK(BM_build_column_model)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
