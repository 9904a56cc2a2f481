// One whole run through the library, as a user's program would do it: load_config +
// run_simulation. Prints one JSON object (wall time, split and kinetics steps, peak RSS, ...).
//
//   citsim_bench_run CONFIG [--set key=value]... [--threads N] [--reps N] [--write OUT.h5]
//
// Each repetition parses the config and runs the simulation. Reported per repetition: wall_s
// (load_config + run_simulation), run_s (run_simulation alone: model set-up with the per-cell
// injury, integration, records and readouts; the part the peers' timings cover) and cpu_s (this
// process's CPU time over run_simulation, less sensitive than wall time to other processes on a
// shared machine). The HDF5 file is written, with --write, after the timed part and only once
// (its time is reported as write_s).
// Peak RSS is the process's VmHWM, so run one case per process to attribute it.
//
// Built a second time as citsim_bench_count with CITSIM_BENCH_COUNT: the linker then sends the
// library's calls of kinetics_rhs and kinetics_rhs_jacobian through the counting wrappers below
// (-Wl,--wrap=<mangled name>, bench/CMakeLists.txt), so the counts need no hook in src/.
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/run_output.hpp"
#include "citsim/model/kinetics.hpp"
#include "citsim/run.hpp"
#include "measure.hpp"

#ifdef CITSIM_BENCH_COUNT
namespace {
std::atomic<long long> g_rhs{0}, g_jac{0};
}  // namespace

// The real functions and their wrappers, under the linker's names (GCC asm labels).
citsim::SpeciesVector real_kinetics_rhs(const citsim::SpeciesVector&, const citsim::SiteRates&,
                                        const citsim::Parameters&) __asm__(
    "__real__ZN6citsim12kinetics_rhsERKN5Eigen6MatrixIdLi15ELi1ELi0ELi15ELi1EEERKNS_9SiteRatesERKNS_10ParametersE");
void real_kinetics_rhs_jacobian(const citsim::SpeciesVector&, const citsim::SiteRates&,
                                const citsim::Parameters&, citsim::SpeciesVector&,
                                citsim::SpeciesMatrix&) __asm__(
    "__real__ZN6citsim21kinetics_rhs_jacobianERKN5Eigen6MatrixIdLi15ELi1ELi0ELi15ELi1EEERKNS_9SiteRatesERKNS_10ParametersERS2_RNS1_IdLi15ELi15ELi0ELi15ELi15EEE");

citsim::SpeciesVector wrapped_kinetics_rhs(const citsim::SpeciesVector& u, const citsim::SiteRates& s,
                                           const citsim::Parameters& p) __asm__(
    "__wrap__ZN6citsim12kinetics_rhsERKN5Eigen6MatrixIdLi15ELi1ELi0ELi15ELi1EEERKNS_9SiteRatesERKNS_10ParametersE");
void wrapped_kinetics_rhs_jacobian(const citsim::SpeciesVector& u, const citsim::SiteRates& s,
                                   const citsim::Parameters& p, citsim::SpeciesVector& f,
                                   citsim::SpeciesMatrix& J) __asm__(
    "__wrap__ZN6citsim21kinetics_rhs_jacobianERKN5Eigen6MatrixIdLi15ELi1ELi0ELi15ELi1EEERKNS_9SiteRatesERKNS_10ParametersERS2_RNS1_IdLi15ELi15ELi0ELi15ELi15EEE");

citsim::SpeciesVector wrapped_kinetics_rhs(const citsim::SpeciesVector& u, const citsim::SiteRates& s,
                                           const citsim::Parameters& p) {
  g_rhs.fetch_add(1, std::memory_order_relaxed);
  return real_kinetics_rhs(u, s, p);
}
void wrapped_kinetics_rhs_jacobian(const citsim::SpeciesVector& u, const citsim::SiteRates& s,
                                   const citsim::Parameters& p, citsim::SpeciesVector& f,
                                   citsim::SpeciesMatrix& J) {
  g_jac.fetch_add(1, std::memory_order_relaxed);
  real_kinetics_rhs_jacobian(u, s, p, f, J);
}
#endif

namespace {

using citsim::bench::json_list;
using citsim::bench::process_cpu_seconds;
using citsim::bench::vm_hwm_kib;

int usage() {
  std::cerr << "usage: citsim_bench_run CONFIG [--set key=value]... [--threads N] [--reps N] "
               "[--write OUT.h5]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string config_path = argv[1];
  std::vector<std::string> overrides;
  std::string write_path;
  int threads = 1, reps = 1;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (a == "--set") overrides.push_back(v);
    else if (a == "--threads") threads = std::max(1, std::atoi(v.c_str()));
    else if (a == "--reps") reps = std::max(1, std::atoi(v.c_str()));
    else if (a == "--write") write_path = v;
    else return usage();
  }
  omp_set_num_threads(threads);

  try {
    std::vector<double> wall, run, cpu;
    citsim::RunResult last;
    citsim::RunConfig cfg;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      cfg = citsim::load_config(config_path, overrides);
      const double c1 = process_cpu_seconds();
      const auto t1 = std::chrono::steady_clock::now();
      last = citsim::run_simulation(cfg);
      const auto t2 = std::chrono::steady_clock::now();
      const double c2 = process_cpu_seconds();
      wall.push_back(std::chrono::duration<double>(t2 - t0).count());
      run.push_back(std::chrono::duration<double>(t2 - t1).count());
      cpu.push_back(c2 - c1);
    }
    const long hwm = vm_hwm_kib();
    double write_s = 0.0;
    if (!write_path.empty()) {
      const auto w0 = std::chrono::steady_clock::now();
      citsim::write_run(write_path, last, cfg);
      write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    }
    std::ostringstream o;
    o.precision(9);
    o << "{\"solver\": \"citsim\", \"level\": \"" << citsim::to_string(cfg.level) << "\""
      << ", \"cells\": " << last.z.size() << ", \"records\": " << last.time.size()
      << ", \"threads\": " << threads << ", \"wall_s\": " << json_list(wall)
      << ", \"run_s\": " << json_list(run) << ", \"cpu_s\": " << json_list(cpu)
      << ", \"split_steps\": " << last.stats.split_steps
      << ", \"kinetics_steps\": " << last.stats.kinetics_steps << ", \"peak_rss_kib\": " << hwm;
    if (!write_path.empty()) o << ", \"write_s\": " << write_s;
#ifdef CITSIM_BENCH_COUNT
    o << ", \"rhs_evals\": " << g_rhs.load() / reps << ", \"jac_evals\": " << g_jac.load() / reps;
#endif
    o << "}\n";
    std::cout << o.str();
  } catch (const std::exception& e) {
    std::cerr << "citsim_bench_run: " << e.what() << '\n';
    return 3;
  }
  return 0;
}
