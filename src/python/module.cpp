// The compiled part of the Python package `citsim` (python/citsim/): runs, sweeps, the parameter
// table and the validation targets as plain Python data. The package turns them into xarray and
// pandas objects; a run comes back as the very contents `citsim run` writes (run_file_contents),
// and a sweep is written by the library's run_sweep as `citsim sweep` writes it, so the Datasets
// and the HDF5 files cannot drift apart.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "citsim/calibration/calibrate.hpp"
#include "citsim/cancel.hpp"
#include "citsim/ensemble/bands.hpp"
#include "citsim/errors.hpp"
#include "citsim/io/ensemble_file.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/parameter_file.hpp"
#include "citsim/io/run_output.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/run.hpp"
#include "citsim/sweep/run_sweep.hpp"
#include "citsim/sweep/spec.hpp"
#include "citsim/threads.hpp"
#include "citsim/validation/metrics.hpp"
#include "citsim/validation/targets.hpp"
#include "citsim/version.hpp"

namespace py = pybind11;
using namespace citsim;

namespace {

/// Runs `work(cancel)` on a thread of its own with the GIL released, while the calling thread
/// looks for Python's signals every 50 ms (the GIL taken briefly): Python runs its signal handlers
/// only there, so a Ctrl-C (SIGINT's handler raises KeyboardInterrupt) would otherwise wait for the
/// whole computation. Then the cancel flag is set, the library stops at its next clean point (after
/// a split step, between sweep runs) and the handler's exception is raised here. Signals reach
/// only the main thread: called from another Python thread this just waits.
template <class Work>
auto interruptible(Work work) {
  using Result = decltype(work(static_cast<const CancelFlag*>(nullptr)));
  CancelFlag cancel{false};
  std::optional<Result> result;
  std::exception_ptr error;
  std::optional<py::error_already_set> raised;  // what a signal handler raised
  {
    py::gil_scoped_release release;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread worker([&] {
      try {
        result.emplace(work(&cancel));
      } catch (...) {
        error = std::current_exception();
      }
      const std::lock_guard lock(mutex);
      done = true;
      finished.notify_one();
    });
    std::unique_lock lock(mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
      if (raised) continue;  // stopping already: a second Ctrl-C changes nothing
      lock.unlock();
      {
        const py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          raised.emplace();  // takes the exception out of the interpreter until the work has stopped
          cancel.store(true, std::memory_order_relaxed);
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (raised) throw std::move(*raised);  // KeyboardInterrupt, whatever the work did meanwhile
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

/// Threads as `-j` takes them: ConfigError naming `where` otherwise.
int checked_threads(int threads, const char* where) {
  if (!thread_count_allowed(threads))
    throw ConfigError(where, 0, "threads", std::to_string(threads), "must be " + thread_count_rule());
  return threads;
}

py::object attribute_value(const AttributeValue& v) {
  return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

py::dict attributes(const std::vector<Attribute>& attrs) {
  py::dict d;
  for (const Attribute& a : attrs) d[py::str(a.name)] = attribute_value(a.value);
  return d;
}

/// One dataset as (path, dims, values, attrs); values a float64 or int64 numpy array or a list
/// of str, flat (the Python side reshapes by the dimensions' lengths).
py::tuple dataset(const Dataset& d) {
  py::object values;
  switch (d.kind) {
    case DataKind::Numbers: values = py::array_t<double>(d.numbers.size(), d.numbers.data()); break;
    case DataKind::Integers:
      values = py::array_t<std::int64_t>(d.integers.size(), d.integers.data());
      break;
    case DataKind::Strings: values = py::cast(d.strings); break;
  }
  py::dict attrs = attributes(d.attributes);
  if (!d.units.empty()) attrs["units"] = d.units;
  if (!d.long_name.empty()) attrs["long_name"] = d.long_name;
  return py::make_tuple(d.path, d.dims, values, attrs);
}

/// FileContents as {"dimensions": [(path, values, attrs)], "datasets": [...], "groups": {path: attrs}}.
py::dict contents_to_python(const FileContents& c) {
  py::list dims, sets;
  for (const Dimension& d : c.dimensions) {
    py::dict attrs;
    attrs["units"] = d.units;
    attrs["long_name"] = d.long_name;
    dims.append(py::make_tuple(d.path, py::array_t<double>(d.values.size(), d.values.data()), attrs));
  }
  for (const Dataset& d : c.datasets) sets.append(dataset(d));
  py::dict groups;
  for (const GroupAttributes& g : c.groups) groups[py::str(g.path)] = attributes(g.attributes);
  py::dict out;
  out["dimensions"] = dims;
  out["datasets"] = sets;
  out["groups"] = groups;
  return out;
}

/// A config from a path or from TOML text (`name` labels its messages), with overrides.
RunConfig read_config(const std::optional<std::string>& path, const std::optional<std::string>& text,
                      const std::string& name, const std::vector<std::string>& overrides) {
  if (path && text) throw std::invalid_argument("give a config path or a config text, not both");
  if (path) return load_config(*path, overrides);
  if (text) return parse_config(*text, name, overrides);
  throw std::invalid_argument("give a config path or a config text");
}

py::dict run(const std::optional<std::string>& path, const std::optional<std::string>& text,
             const std::string& name, const std::vector<std::string>& overrides, std::optional<int> threads,
             const std::optional<std::string>& ensemble_path) {
  RunConfig cfg = read_config(path, text, name, overrides);
  if (threads) cfg.numerics.threads = checked_threads(*threads, "citsim.run");
  std::optional<ParameterEnsemble> ensemble;
  if (ensemble_path) ensemble = read_ensemble_file(*ensemble_path);
  // A run takes seconds: other Python threads go on, and Ctrl-C stops it.
  const FileContents contents = interruptible([&](const CancelFlag* cancel) {
    const RunResult result = run_simulation(cfg, {}, cancel);
    FileContents c = run_file_contents(result, cfg);
    if (ensemble)  // as citsim run --bands: the members side by side
      add_bands(c, ensemble_bands(cfg, *ensemble, kBandQuantiles, threads ? cfg.numerics.threads : 0, cancel));
    return c;
  });
  return contents_to_python(contents);
}

/// The parameter table as `citsim params` prints it: the built-in fitted value where there is one.
py::list params() {
  py::list rows;
  for (const ParameterDefault& d : parameter_defaults()) {
    const ParameterSpec& s = *d.spec;
    py::dict row;
    row["name"] = std::string(s.name);
    row["value"] = d.value;
    row["unit"] = std::string(s.unit);
    row["group"] = std::string(to_string(s.group));
    row["min"] = s.min;
    row["max"] = s.max;
    row["model_default"] = s.default_value;
    row["source"] = d.source;
    rows.append(row);
  }
  return rows;
}

py::list validate(const std::string& targets_path, const std::string& scenario_dir,
                  const std::vector<std::string>& overrides) {
  const std::vector<Target> targets = load_targets(targets_path);
  const std::vector<MetricValue> values = interruptible([&](const CancelFlag* cancel) {
    ScenarioRunner runner(scenario_dir, {}, overrides, cancel);
    std::vector<MetricValue> v;
    for (const TargetOutcome& o : evaluate_targets(targets, runner)) {
      if (o.error) std::rethrow_exception(o.error);  // the first in target order, as the CLI
      v.push_back(o.metric);
    }
    return v;
  });
  py::list rows;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    const MetricValue& m = values[i];
    py::dict row;
    row["target"] = t.id;
    row["scenario"] = t.scenario;
    row["metric"] = t.metric;
    row["value"] = m.value;
    row["lo"] = t.lo;
    row["hi"] = t.hi;
    row["pass"] = m.pass;
    row["note"] = m.note;
    row["source"] = t.source;
    rows.append(row);
  }
  return rows;
}

/// Fits free parameters to a targets file as `citsim calibrate` does: `free` as --free (empty:
/// the calibrated set), the rest as their options; `output` (optional) receives the parameter
/// table. Returns the fit as plain data.
py::dict calibrate_targets(const std::string& targets_path, const std::string& scenario_dir,
                           const std::vector<std::string>& free, int max_evaluations, int starts,
                           std::uint64_t seed, const std::vector<std::string>& overrides,
                           std::optional<int> threads, const std::optional<std::string>& output) {
  const std::vector<Target> targets = load_targets(targets_path);
  CalibrationOptions options;
  if (!free.empty()) {
    options.free.clear();
    for (const std::string& f : free) options.free.push_back(parse_free_parameter(f));
  }
  if (max_evaluations < 1) throw std::invalid_argument("max_evals must be >= 1");
  if (starts < 1) throw std::invalid_argument("starts must be >= 1");
  options.max_evaluations = max_evaluations;
  options.starts = starts;
  options.seed = seed;
  options.overrides = overrides;
  if (threads) options.threads = checked_threads(*threads, "citsim.calibrate");
  const RunConfig first = starting_config(targets, scenario_dir, options.overrides);
  const CalibrationResult r = interruptible([&](const CancelFlag* cancel) {
    CalibrationOptions o = options;
    o.cancel = cancel;
    try {
      return calibrate(targets, scenario_dir, first.parameters, o);
    } catch (const NumericalError&) {
      // NLopt turns an exception in the objective into its own failure: a Ctrl-C is one.
      throw_if_cancelled(cancel, "calibration interrupted");
      throw;
    }
  });
  py::list parameters, metrics;
  for (const FreeParameter& f : options.free) {
    const ParameterSpec* s = find_parameter(f.name);
    py::dict row;
    row["parameter"] = f.name;
    row["start"] = r.start.*s->field;
    row["fitted"] = r.fitted.*s->field;
    row["unit"] = std::string(s->unit);
    row["lo"] = f.lo;
    row["hi"] = f.hi;
    row["log_scale"] = f.log_scale;
    parameters.append(row);
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    py::dict row;
    row["target"] = targets[i].id;
    row["value"] = r.metrics[i].value;
    row["lo"] = targets[i].lo;
    row["hi"] = targets[i].hi;
    row["pass"] = r.metrics[i].pass;
    row["note"] = r.metrics[i].note;
    metrics.append(row);
  }
  if (output)
    write_parameter_file(*output, fitted_parameter_table(first, targets, targets_path, options, r),
                         fmt::format("citsim's fitted parameter table, written by citsim.calibrate (citsim {}).\n"
                                     "Loss {:.6g} (from {:.6g}) after {} evaluations.",
                                     kVersion, r.loss, r.start_loss, r.evaluations));
  py::dict out;
  out["parameters"] = parameters;
  out["targets"] = metrics;
  out["loss"] = r.loss;
  out["start_loss"] = r.start_loss;
  out["evaluations"] = r.evaluations;
  return out;
}

/// Runs a sweep spec (a path, or TOML text labelled `name`) into `output` as `citsim sweep -o
/// output` does, threads as `-j` (default: all cores). The caller reads the file and removes it.
py::dict run_sweep_spec(const std::optional<std::string>& path, const std::optional<std::string>& text,
               const std::string& name, const std::vector<std::string>& overrides, std::optional<int> threads,
               const std::string& output) {
  if (path && text) throw std::invalid_argument("give a sweep spec path or a spec text, not both");
  if (!path && !text) throw std::invalid_argument("give a sweep spec path or a spec text");
  sweep::SpecOverrides o;
  o.sets = overrides;
  sweep::SweepPlan plan = sweep::make_plan(path ? sweep::load_sweep_spec(*path, o) : sweep::parse_sweep_spec(*text, name, o));
  sweep::SweepOptions options;
  options.output = output;
  options.threads = threads ? checked_threads(*threads, "citsim.sweep")
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const sweep::SweepSummary s =
      interruptible([&](const CancelFlag* cancel) { return sweep::run_sweep(plan, options, {}, cancel); });
  py::dict out;
  out["ok"] = s.ok;
  out["failed"] = s.failed;
  out["seconds"] = s.seconds;
  out["threads"] = options.threads;
  return out;
}

}  // namespace

PYBIND11_MODULE(_citsim, m) {
  m.doc() = "citsim's compiled core: use the package `citsim` (run, sweep, params, validate, open_run, open_sweep).";
  // Every error citsim reports to a user is a ValueError with its message (file, key, value, rule).
  py::register_exception<ConfigError>(m, "ConfigError", PyExc_ValueError);
  py::register_exception<NumericalError>(m, "NumericalError", PyExc_ArithmeticError);
  py::register_exception<IoError>(m, "IoError", PyExc_OSError);
  // Stopped by the cancel flag: only a Ctrl-C sets it, and that raises KeyboardInterrupt itself.
  py::register_exception<Interrupted>(m, "Interrupted", PyExc_KeyboardInterrupt);
  m.attr("__version__") = std::string(kVersion);
  m.attr("data_dir") = std::string(CITSIM_DATA_DIR);
  m.def("run", &run, py::arg("path"), py::arg("text"), py::arg("name"), py::arg("overrides"),
        py::arg("threads"), py::arg("ensemble"),
        "Run a config (and its bands over an ensemble file); returns the contents of its HDF5 file as plain data.");
  m.def("sweep", &run_sweep_spec, py::arg("path"), py::arg("text"), py::arg("name"), py::arg("overrides"),
        py::arg("threads"), py::arg("output"), "Run a sweep spec into the sweep file `output`; returns counts.");
  m.def("params", &params, "The parameter table, one dict a row.");
  m.def("calibrate", &calibrate_targets, py::arg("targets"), py::arg("scenarios"), py::arg("free"),
        py::arg("max_evaluations"), py::arg("starts"), py::arg("seed"), py::arg("overrides"), py::arg("threads"),
        py::arg("output"), "Fit free parameters to a targets file; returns the fit as plain data.");
  m.def("validate", &validate, py::arg("targets"), py::arg("scenarios"), py::arg("overrides"),
        "Evaluate every target of a targets file; one dict a row.");
}
