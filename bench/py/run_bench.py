#!/usr/bin/python3
"""citsim benchmarks: micro kernels, whole runs and scaling, and peers on the same problem.

    /usr/bin/python3 bench/py/run_bench.py [--build DIR] [--out DIR] [--quick] [--update-readme]
                                           [--peer-cap S] [--peer-budget S] [--skip-micro]

scripts/bench.sh builds bench/ (the `bench` preset) and calls this. Every timed run is a fresh
process on one thread (OMP_NUM_THREADS=1 and the BLAS thread variables), so peak RSS belongs to
the case. Each figure is the median of several repetitions, with min and max. A peer's ratio to
citsim is measured pair by pair in this same command: citsim and the peer run one after the
other and the ratio is taken per pair (machines are shared and noisy; a pair sees the same load).

citsim's time is run_simulation (model set-up with the per-cell injury, integration, records,
readouts); a peer's time is everything after reading the problem from the file (per-cell injury,
solver set-up, integration with output at every record time). Parsing the config (citsim) and
reading the file (peers) are outside both. Wall time is the measure; CPU time is reported beside
it, because on a loaded machine it moves much less.

Writes under --out (default results/bench/): results.json (everything, raw repetitions
included), results.csv (one row per case and solver), micro.json (Google Benchmark's own
output), table.md (the tables as printed), cases/*.h5 (the citsim runs the peers read) and
peers/*.npy (the peers' states at the record times, for the agreement check).
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tomllib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import citsim_problem as cp  # noqa: E402

PY = "/usr/bin/python3"
CONFIG = os.path.join(ROOT, "configs", "default.toml")
# citsim's kinetics tolerances in the default config: the peers run at them (matched tolerances).
with open(CONFIG, "rb") as _f:
    _NUMERICS = tomllib.load(_f).get("numerics", {})
RTOL, ATOL = _NUMERICS.get("rtol", 1e-3), _NUMERICS.get("atol", 1e-6)

# The whole-run cases: key -> (label, --set overrides, repetitions, repetitions with --quick).
# The peers integrate the mean-field column (one point per depth cell): the 1D cases they run
# name it; the default 1D model, the core/surround closure, is timed against it.
MEAN_FIELD = ["numerics.closure=mean-field"]
CASES = {
    "0d": ("0D default", ["model.level=0d"], 9, 3),
    "1d": ("1D mean field, dz 0.025 mm", MEAN_FIELD, 5, 2),
    "1d_dz0.05": ("1D mean field, dz 0.05 mm (double spacing)", MEAN_FIELD + ["numerics.dz=0.05"], 5, 2),
    "1d_dz0.0125": ("1D mean field, dz 0.0125 mm (half spacing)", MEAN_FIELD + ["numerics.dz=0.0125"], 3, 2),
    # The default 1D model, which matches explicit channels (docs/model.md, "When 1D is enough"):
    # its cost against the mean-field column's is a target.
    "1d_closure": ("1D default, core/surround closure", ["numerics.closure=core-surround"], 3, 1),
}
SCALING = ["1d_dz0.05", "1d", "1d_dz0.0125"]

PEER_LABELS = {
    "cvode": "CVODE BDF, band LU, analytic J",
    "cvode_dq": "CVODE BDF, band LU, difference-quotient J",
    "scipy_bdf": "SciPy BDF, jac_sparsity",
    "scipy_bdf_vec": "SciPy BDF, jac_sparsity + vectorized",
    "scipy_lsoda": "SciPy LSODA (0D dense, 1D lband/uband)",
}
# Peers per case: (peer, repetitions, repetitions with --quick). SciPy on 1D takes seconds to
# minutes a run: few repetitions, and --peer-budget lowers them further if a run is slow.
PEER_PLAN = {
    "0d": [("cvode", 9, 3), ("cvode_dq", 9, 3), ("scipy_bdf", 9, 3), ("scipy_lsoda", 9, 3)],
    "1d": [("cvode", 5, 2), ("cvode_dq", 5, 2), ("scipy_bdf", 3, 1), ("scipy_bdf_vec", 3, 1),
           ("scipy_lsoda", 3, 1)],
    "1d_dz0.05": [("cvode", 5, 2)],
    "1d_dz0.0125": [("cvode", 3, 2)],
}
# The tight reference every solution is also compared with.
REF_RTOL, REF_ATOL = 1e-8, 1e-10
# citsim at finer split steps (accuracy only): is the difference to the peers splitting error?
REFINE = [("dt/2", MEAN_FIELD + ["numerics.dt_rel=0.025", "numerics.dt_max=0.5", "numerics.dt_min=5e-05"]),
          ("dt/4", MEAN_FIELD + ["numerics.dt_rel=0.0125", "numerics.dt_max=0.25", "numerics.dt_min=2.5e-05"])]
# CVODE tolerance sweep (atol = rtol/1000, as citsim's default pair), for work against
# accuracy: what CVODE costs at the accuracy citsim actually reaches.
SWEEP_RTOLS = {"0d": [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7], "1d": [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OMP_PROC_BIND": "false"}


class Capped(Exception):
    """A run that exceeded --peer-cap seconds."""


STARTED = time.time()


def log(msg):
    print(f"[{time.time() - STARTED:4.0f} s] {msg}", file=sys.stderr, flush=True)


def run_json(argv, env_extra=None, timeout=None):
    env = dict(os.environ)
    env.update(ONE_THREAD)
    if env_extra:
        env.update(env_extra)
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Capped(f"{' '.join(os.path.basename(x) for x in argv[:3])} exceeded {timeout:g} s") from e
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def summary(xs):
    xs = [float(x) for x in xs]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs),
            "values": xs}


def fmt_time(s):
    """Three significant digits in the largest unit that keeps the number under 1000."""
    for scale, unit in ((1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms")):
        if float(f"{s / scale:.3g}") < 1000:
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"


def fmt_ns(s):
    x = s * 1e9
    return f"{x:.3g}" if x < 1000 else f"{x:.0f}"


def fmt_span(st, f=fmt_time):
    return f"{f(st['median'])} [{f(st['min'])}–{f(st['max'])}]"


def fmt_ratio_span(st):
    return f"{st['median']:.3g} [{st['min']:.3g}–{st['max']:.3g}]"


def machine_info(build):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    os_name = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    cache = {}
    try:  # the compiler and flags the bench build used
        with open(os.path.join(build, "..", "CMakeCache.txt")) as f:
            for line in f:
                for key in ("CMAKE_CXX_COMPILER:", "CMAKE_BUILD_TYPE:", "CMAKE_CXX_FLAGS_RELEASE:"):
                    if line.startswith(key):
                        cache[key[:-1]] = line.split("=", 1)[1].strip()
    except OSError:
        pass
    cxx = cache.get("CMAKE_CXX_COMPILER", "c++")
    ver = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()
    import scipy
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "os": os_name,
        "kernel": platform.release(),
        "compiler": ver[0] if ver else cxx,
        "build": f"{cache.get('CMAKE_BUILD_TYPE', '?')} {cache.get('CMAKE_CXX_FLAGS_RELEASE', '')}".strip(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "load_average_start": os.getloadavg(),
    }


# ------------------------------------------------------------------------------------------------
# Micro benchmarks
# ------------------------------------------------------------------------------------------------

# (benchmark, label, points per call: a number, or the name of the counter holding it)
MICRO_LABELS = [
    ("BM_kinetics_rhs", "kinetics_rhs", 1),
    ("BM_kinetics_rhs_jacobian", "kinetics_rhs_jacobian (f and the 15×15 J)", 1),
    ("BM_rosenbrock_advance/0", "Rosenbrock advance over one split step, right after a session (Δt 0.001 d)", 1),
    ("BM_rosenbrock_advance/1", "Rosenbrock advance over one split step at day 1 (Δt 0.051 d)", 1),
    ("BM_rosenbrock_advance/2", "Rosenbrock advance over one split step at day 20 (Δt 1 d)", 1),
    ("BM_rodas4_eigen_advance/0", "same on Eigen fixed-size (prototype), right after a session", 1),
    ("BM_rodas4_eigen_advance/1", "same on Eigen fixed-size (prototype), day 1", 1),
    ("BM_rodas4_eigen_advance/2", "same on Eigen fixed-size (prototype), day 20", 1),
    ("BM_transport_step/-1", "ColumnTransport::step (one half step, all species), 58 cells", "cells"),
    ("BM_transport_step/0", "ColumnTransport::step, 116 cells", "cells"),
    ("BM_transport_step/1", "ColumnTransport::step, 232 cells", "cells"),
    ("BM_lu_factorize_ublas", "15×15 LU of I/(γΔt) − J, ublas (as rosenbrock4; 1 per step)", 1),
    ("BM_lu_solve_ublas", "15×15 LU solve, ublas (6 per step)", 1),
    ("BM_lu_factorize_eigen", "15×15 LU, Eigen fixed-size PartialPivLU", 1),
    ("BM_lu_solve_eigen", "15×15 LU solve, Eigen fixed-size", 1),
    ("BM_lu_factorize_dense", "15×15 LU, citsim's dense fixed-size (dense_lu.hpp)", 1),
    ("BM_lu_solve_dense", "15×15 LU solve, citsim's dense fixed-size", 1),
    ("BM_lu_factorize_block", "15×15 LU in the kinetics' block-triangular form (what the stepper uses)", 1),
    ("BM_lu_solve_block", "15×15 LU solve, block-triangular form", 1),
    ("BM_build_column_model", "build_column_model, 1D default set-up (per-cell injury)", 116),
]


def run_micro(build, out, reps, min_time):
    path = os.path.join(out, "micro.json")
    argv = [os.path.join(build, "citsim_bench_micro"), f"--benchmark_repetitions={reps}",
            f"--benchmark_min_time={min_time}", "--benchmark_format=json",
            f"--benchmark_out={path}", "--benchmark_out_format=json"]
    env = dict(os.environ)
    env.update(ONE_THREAD)
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"micro benchmarks failed:\n{p.stderr}")
    with open(path) as f:
        data = json.load(f)
    per = {}
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        e = per.setdefault(b.get("run_name", b["name"]), {"wall": [], "cpu": [], "counters": {}})
        e["wall"].append(b["real_time"] * unit[b["time_unit"]])
        e["cpu"].append(b["cpu_time"] * unit[b["time_unit"]])
        for k in ("steps", "cells", "interval_day"):
            if k in b:
                e["counters"].setdefault(k, []).append(b[k])
    res = {}
    for name, e in per.items():
        c = {k: statistics.median(v) for k, v in e["counters"].items()}
        res[name] = {"wall": summary(e["wall"]), "cpu": summary(e["cpu"]), "counters": c}
    for key, _, points in MICRO_LABELS:
        if key in res:
            n = res[key]["counters"].get(points) if isinstance(points, str) else points
            res[key]["points"] = n
            res[key]["wall_per_point"] = summary([t / n for t in res[key]["wall"]["values"]])
            res[key]["cpu_per_point"] = summary([t / n for t in res[key]["cpu"]["values"]])
    return res


def micro_table(micro):
    rows = ["| kernel | ns per point: median [min–max] | CPU ns per point | note |",
            "|---|---|---|---|"]
    for key, label, _ in MICRO_LABELS:
        if key not in micro:
            continue
        m = micro[key]
        c = m["counters"]
        note = ""
        if "steps" in c:
            note = (f"{c['steps']:.2g} accepted step{'s' if c['steps'] != 1 else ''}, "
                    f"{fmt_ns(m['wall']['median'] / c['steps'])} ns per step")
        elif m["points"] != 1:
            note = f"per call {fmt_time(m['wall']['median'])}"
        rows.append(f"| {label} | {fmt_span(m['wall_per_point'], fmt_ns)} | "
                    f"{fmt_ns(m['cpu_per_point']['median'])} | {note} |")
    return "\n".join(rows)


# ------------------------------------------------------------------------------------------------
# Whole runs and peers
# ------------------------------------------------------------------------------------------------

def citsim_argv(build, overrides, extra=(), exe="citsim_bench_run"):
    argv = [os.path.join(build, exe), CONFIG]
    for o in overrides:
        argv += ["--set", o]
    return argv + list(extra)


def peer_argv(build, key, h5, out_prefix=None, rtol=None, atol=None):
    if key.startswith("cvode"):
        argv = [os.path.join(build, "citsim_bench_cvode"), h5, "--jac",
                "dq" if key == "cvode_dq" else "analytic"]
    else:
        argv = [PY, os.path.join(HERE, "scipy_peer.py"), h5, "--method",
                "LSODA" if key == "scipy_lsoda" else "BDF"]
        if key == "scipy_bdf_vec":
            argv.append("--vectorized")
    if rtol is None:
        rtol, atol = RTOL, ATOL  # matched tolerances
    argv += ["--rtol", str(rtol), "--atol", str(atol)]
    if out_prefix:
        argv += ["--out", out_prefix]
    return argv


def loglog_slope(x, y):
    slope, _ = np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)
    return float(slope)


def peer_readouts(pr, prefix):
    return cp.readouts(pr, np.load(prefix + ".states.npy"), np.load(prefix + ".before.npy"))


def kinetics_evals(key, run, cells):
    """Kinetics evaluations per point (a right-hand side or an analytic Jacobian each)."""
    if run is None or run.get("rhs_evals") is None:
        return None
    if key == "cvode":
        return run["rhs_evals"] + run["jac_evals"]
    return run["rhs_evals"]  # difference-quotient Jacobians are right-hand sides


def run_cases(a, results):
    have_count = os.path.exists(os.path.join(a.build, "citsim_bench_count"))
    cases = {}
    for key, (label, sets, reps, quick_reps) in CASES.items():
        reps = quick_reps if a.quick else reps
        h5 = os.path.join(a.out, "cases", key + ".h5")
        log(f"citsim {key}: writing {os.path.relpath(h5, ROOT)}, counting, {reps} timed runs ...")
        first = run_json(citsim_argv(a.build, sets, ["--write", h5]))
        counts = run_json(citsim_argv(a.build, sets, exe="citsim_bench_count")) if have_count else {}
        runs = [run_json(citsim_argv(a.build, sets)) for _ in range(reps)]
        cases[key] = {
            "label": f"{label} ({first['cells']} cell{'s' if first['cells'] > 1 else ''})",
            "set": sets, "h5": h5, "cells": first["cells"], "records": first["records"],
            "split_steps": first["split_steps"], "kinetics_steps": first["kinetics_steps"],
            "rhs_evals": counts.get("rhs_evals"), "jac_evals": counts.get("jac_evals"),
            "run": summary([r["run_s"][0] for r in runs]),
            "cpu": summary([r["cpu_s"][0] for r in runs]),
            "with_config": summary([r["wall_s"][0] for r in runs]),
            "write_s": first.get("write_s"),
            "peak_rss_kib": summary([r["peak_rss_kib"] for r in runs]),
        }
    # two threads (information: the targets are for one core), with GOMP's default spin-waiting
    # and with passive waiting, which matters when the machine has other work
    for policy in ("active", "passive"):
        log(f"citsim 1d on 2 threads, OMP_WAIT_POLICY={policy} ...")
        runs2 = [run_json(citsim_argv(a.build, [], ["--threads", "2"]),
                          {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": policy})
                 for _ in range(2 if a.quick else 3)]
        results[f"citsim_1d_two_threads_{policy}"] = summary([r["run_s"][0] for r in runs2])
    results["cases"] = cases
    results["have_counts"] = have_count
    cells = [cases[k]["cells"] for k in SCALING]
    results["scaling"] = {
        "cases": SCALING, "cells": cells,
        "citsim_time_exponent": loglog_slope(cells, [cases[k]["run"]["median"] for k in SCALING]),
        "citsim_cpu_exponent": loglog_slope(cells, [cases[k]["cpu"]["median"] for k in SCALING]),
        "citsim_kinetics_steps_exponent": loglog_slope(cells, [cases[k]["kinetics_steps"] for k in SCALING]),
    }
    return cases


def run_accuracy(a, results, cases, problems):
    """Tight CVODE reference solutions, and citsim at finer split steps against them."""
    references, acc = {}, {}
    for key in ("0d", "1d"):
        log(f"reference {key}: CVODE at rtol {REF_RTOL:g}, atol {REF_ATOL:g} ...")
        prefix = os.path.join(a.out, "peers", f"{key}.reference")
        run = run_json(peer_argv(a.build, "cvode", cases[key]["h5"], prefix, REF_RTOL, REF_ATOL))
        pr = problems[key]
        references[key] = peer_readouts(pr, prefix)
        acc[key] = {"reference_run": run, "citsim_vs_reference": cp.compare(
            pr, pr.citsim["R0"], pr.citsim["collagen_induction"], *references[key])}
    refined = [{"name": "default", "set": [], "split_steps": cases["1d"]["split_steps"],
                "citsim_vs_reference": acc["1d"]["citsim_vs_reference"]}]
    for name, sets in REFINE:
        log(f"citsim 1d with split steps {name} (accuracy only) ...")
        h5 = os.path.join(a.out, "cases", f"1d_{name.replace('/', '_')}.h5")
        run = run_json(citsim_argv(a.build, sets, ["--write", h5]))
        pr = cp.load_problem(h5)
        refined.append({"name": name, "set": sets, "split_steps": run["split_steps"],
                        "run_s": run["run_s"][0],
                        "citsim_vs_reference": cp.compare(pr, pr.citsim["R0"],
                                                          pr.citsim["collagen_induction"],
                                                          *references["1d"])})
    acc["sweep"] = {}
    for key, rtols in SWEEP_RTOLS.items():
        pr, sweep = problems[key], []
        log(f"CVODE tolerance sweep {key} ...")
        for rtol in rtols:
            prefix = os.path.join(a.out, "peers", f"{key}.cvode_rtol{rtol:g}")
            run = run_json(peer_argv(a.build, "cvode", cases[key]["h5"], prefix, rtol, rtol * 1e-3)
                           + ["--reps", "3"])
            v = cp.compare(pr, *peer_readouts(pr, prefix), *references[key])
            sweep.append({"rtol": rtol, "wall": summary(run["wall_s"]), "cpu": summary(run["cpu_s"]),
                          "steps": run["steps"], "error": max(v["R0_rel"], v["CI_rel"]), "vs_reference": v})
        acc["sweep"][key] = sweep
        c = acc[key]["citsim_vs_reference"]
        acc[key]["citsim_error"] = max(c["R0_rel"], c["CI_rel"])
        acc[key]["cvode_at_citsim_accuracy"] = at_accuracy(sweep, acc[key]["citsim_error"])
    # observed order in the number of split steps (error ∝ steps^-p), from the two finest
    e = [r["citsim_vs_reference"]["CI_rel"] for r in refined]
    s = [r["split_steps"] for r in refined]
    acc["1d_refinement"] = refined
    acc["1d_observed_order"] = (math.log(e[-2] / e[-1]) / math.log(s[-1] / s[-2])
                                if e[-1] > 0 and e[-2] > 0 else None)
    results["accuracy"] = acc
    return references


def at_accuracy(sweep, error):
    """CVODE's wall time at the given error, log-log interpolated between sweep points
    (None outside the sweep's range)."""
    pts = sorted((p["error"], p["wall"]["median"], p["cpu"]["median"], p["rtol"]) for p in sweep
                 if p["error"] > 0)
    for (e0, w0, c0, r0), (e1, w1, c1, r1) in zip(pts, pts[1:]):
        if e0 <= error <= e1:
            f = math.log(error / e0) / math.log(e1 / e0) if e1 > e0 else 0.0
            lerp = lambda x0, x1: math.exp(math.log(x0) + f * (math.log(x1) - math.log(x0)))  # noqa: E731
            return {"wall": lerp(w0, w1), "cpu": lerp(c0, c1), "rtol": lerp(r0, r1)}
    return None


def run_peers(a, results, cases, problems, references):
    """Each peer: one untimed run that writes its states (agreement), then timed pairs."""
    peers = {}
    for case, plan in PEER_PLAN.items():
        c = cases[case]
        pr = problems[case]
        for key, reps, quick_reps in plan:
            reps = quick_reps if a.quick else reps
            name = f"{case}/{key}"
            prefix = os.path.join(a.out, "peers", f"{case}.{key}")
            entry = {"case": case, "peer": key, "label": PEER_LABELS[key], "cells": c["cells"],
                     "capped": False}
            peers[name] = entry
            log(f"{name}: agreement run ...")
            try:
                first = run_json(peer_argv(a.build, key, c["h5"], prefix), timeout=a.peer_cap)
            except Capped as e:
                log(f"{name}: {e}; no timing")
                entry.update(capped=True, wall=None)
                continue
            R0, CI = peer_readouts(pr, prefix)
            entry["agreement"] = {"vs_citsim": cp.compare(pr, R0, CI)}
            if case in references:
                entry["agreement"]["vs_reference"] = cp.compare(pr, R0, CI, *references[case])
            # keep the peer's share of the run within --peer-budget
            reps = max(1, min(reps, int(a.peer_budget / max(first["wall_s"][0], 1e-9))))
            log(f"{name}: {reps} timed pairs (citsim, then the peer) ...")
            cit, cit_cpu, wall, cpu, ratio, cpu_ratio = [], [], [], [], [], []
            last = first
            for _ in range(reps):
                ct = run_json(citsim_argv(a.build, c["set"]))
                try:
                    last = run_json(peer_argv(a.build, key, c["h5"]), timeout=a.peer_cap)
                except Capped as e:
                    log(f"{name}: {e}")
                    entry["capped"] = True
                    break
                cit.append(ct["run_s"][0])
                cit_cpu.append(ct["cpu_s"][0])
                wall.append(last["wall_s"][0])
                cpu.append(last["cpu_s"][0])
                ratio.append(wall[-1] / cit[-1])
                cpu_ratio.append(cpu[-1] / cit_cpu[-1])
            if not wall:
                entry["wall"] = None
                continue
            entry.update({
                "wall": summary(wall), "cpu": summary(cpu), "citsim": summary(cit),
                "citsim_cpu": summary(cit_cpu), "ratio": summary(ratio),
                "cpu_ratio": summary(cpu_ratio), "steps": last.get("steps"),
                "kinetics_evals": kinetics_evals(key, last, c["cells"]),
                "peak_rss_kib": last.get("peak_rss_kib"), "raw_last": last,
                "version": last.get("sundials") or last.get("scipy"),
            })
    results["peers"] = peers
    cv = [peers[f"{k}/cvode"] for k in SCALING]
    if all(p.get("wall") for p in cv):
        results["scaling"]["cvode_time_exponent"] = loglog_slope(
            results["scaling"]["cells"], [p["wall"]["median"] for p in cv])
    return peers


def evaluate_targets(results):
    cases, peers, sc = results["cases"], results["peers"], results["scaling"]
    t1d, t0d = cases["1d"]["run"]["median"], cases["0d"]["run"]["median"]
    out = [("1D mean-field run under 0.5 s on one core", fmt_time(t1d), t1d < 0.5),
           ("0D default run under 5 ms", fmt_time(t0d), t0d < 5e-3)]
    bdf = peers.get("1d/scipy_bdf", {})
    if bdf.get("wall"):
        r = bdf["ratio"]["median"]
        out.append(("≥ 100× faster than SciPy BDF (1D mean field)", f"SciPy BDF / citsim = {r:.3g}", r >= 100))
    else:
        bound = results["peer_cap"] / t1d  # the ratio is at least this
        out.append(("≥ 100× faster than SciPy BDF (1D mean field)",
                    f"SciPy BDF exceeded the {results['peer_cap']:g} s cap: SciPy BDF / citsim > {bound:.3g}",
                    True if bound >= 100 else None))
    cv = peers.get("1d/cvode", {})
    if cv.get("wall"):
        r = 1.0 / cv["ratio"]["median"]
        out.append(("no slower than 2× CVODE (1D mean field)", f"citsim / CVODE = {r:.3g}", r <= 2.0))
    cl = cases.get("1d_closure")
    if cl:
        r = cl["cpu"]["median"] / cases["1d"]["cpu"]["median"]
        out.append(("1D closure at most 2× the mean-field column (CPU, one thread)",
                    f"closure / mean field = {r:.3g} ({fmt_time(cl['cpu']['median'])} against "
                    f"{fmt_time(cases['1d']['cpu']['median'])})", r <= 2.0))
    m = results.get("accuracy", {}).get("1d", {}).get("cvode_at_citsim_accuracy")
    if m:
        r = cases["1d"]["cpu"]["median"] / m["cpu"]
        out.append(("≥ 2× faster than CVODE at matched accuracy (1D mean field, CPU)",
                    f"citsim / CVODE = {r:.3g} at citsim's error "
                    f"{pct(results['accuracy']['1d']['citsim_error'])}", r <= 0.5))
    x = sc["citsim_time_exponent"]
    out.append(("cost linear in cells (exponent ≤ 1.1)", f"exponent {x:.2f}", x <= 1.1))
    worst, where = 0.0, ""
    for name, p in peers.items():
        if "agreement" in p:
            v = p["agreement"]["vs_citsim"]
            for q in ("R0_rel", "CI_rel"):
                if v[q] > worst:
                    worst, where = v[q], f"{name}, {'R0' if q == 'R0_rel' else 'collagen induction'}"
    out.append(("peers agree with citsim within 1 % (R0, collagen induction)",
                f"largest difference {100 * worst:.2f} % ({where})", worst <= 0.01))
    results["targets"] = [{"target": t, "measured": m, "met": ok} for t, m, ok in out]


# ------------------------------------------------------------------------------------------------
# Where the instructions go (--profile): callgrind counts instructions, which other processes on
# the machine do not change, and simulates the caches.
# ------------------------------------------------------------------------------------------------

# (part, function-name prefixes whose inclusive instruction counts are summed); counted inside
# run_simulation only (--toggle-collect), so config parsing and the file write are left out.
PROFILE_PARTS = [
    ("run_simulation", ["citsim::run_simulation("]),
    ("kinetics integration (KineticsStepper::advance)", ["citsim::KineticsStepper::advance("]),
    ("· model right-hand side and Jacobian", ["citsim::kinetics_rhs(", "citsim::kinetics_rhs_jacobian("]),
    ("· LU substitutions (ublas lu_substitute)", ["void boost::numeric::ublas::lu_substitute<"]),
    ("· the rest of the steps: LU factorisation (inlined), stage arithmetic, step control", None),
    ("transport (ColumnTransport::step)", ["citsim::ColumnTransport::step("]),
    ("injured fractions (ChannelInjury cell and layer means: set-up and session records)",
     ["citsim::ChannelInjury::mean_injured_fraction(", "citsim::ChannelInjury::mean_channel_fraction("]),
    ("records (layer means, Cutometer at every record time)", ["citsim::(anonymous namespace)::Recorder::record("]),
    ("everything else", None),
]
HEAP = ("malloc.c:", "arena.c:", "operator new(", "operator delete(")


def callgrind_profile(a, key, sets):
    cg = os.path.join(a.out, f"callgrind.{key}.out")
    argv = ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--toggle-collect=citsim::run_simulation*",
            f"--callgrind-out-file={cg}"]
    argv += citsim_argv(a.build, sets)
    env = dict(os.environ)
    env.update(ONE_THREAD)
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"callgrind failed:\n{p.stderr[-2000:]}")
    events, summary_counts = [], []
    with open(cg) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("summary:"):
                summary_counts = [int(x) for x in line.split()[1:]]
    ev = dict(zip(events, summary_counts))

    def listing(inclusive):
        argv = ["callgrind_annotate", "--show=Ir", "--threshold=100", cg]
        if inclusive:
            argv.insert(1, "--inclusive=yes")
        text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        rows = []
        for line in text.splitlines():
            m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
            if m and "PROGRAM TOTALS" not in line:
                name = m.group(2)
                name = name.split(":", 1)[1] if name.startswith("???:") else name
                rows.append((int(m.group(1).replace(",", "")), name))
        return rows

    inc, exc = listing(True), listing(False)
    ir = {}
    for label, prefixes in PROFILE_PARTS:
        if prefixes:  # the largest entry per prefix (OpenMP outlines duplicate names)
            ir[label] = sum(max((n for n, name in inc if name.startswith(prefix)), default=0)
                            for prefix in prefixes)
    labels = [label for label, _ in PROFILE_PARTS]
    run, adv = ir[labels[0]], ir[labels[1]]
    ir[labels[4]] = adv - ir[labels[2]] - ir[labels[3]]
    ir[labels[8]] = run - adv - ir[labels[5]] - ir[labels[6]] - ir[labels[7]]
    data_refs = ev.get("Dr", 0) + ev.get("Dw", 0)
    return {
        "case": key, "parts": [{"part": label, "Ir": ir[label]} for label in labels],
        "heap_Ir": sum(n for n, name in exc if any(h in name for h in HEAP)),
        "D1_miss_rate": (ev.get("D1mr", 0) + ev.get("D1mw", 0)) / data_refs if data_refs else None,
        "LL_miss_rate": (ev.get("DLmr", 0) + ev.get("DLmw", 0)) / data_refs if data_refs else None,
        "data_refs": data_refs, "file": os.path.relpath(cg, ROOT),
    }


def run_profile(a, results):
    if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
        log("--profile: valgrind not found; skipped")
        return
    prof = {}
    for key in ("0d", "1d"):
        log(f"callgrind {key} (instruction counts and cache simulation; a few minutes for 1d) ...")
        prof[key] = callgrind_profile(a, key, CASES[key][1])
    results["profile"] = prof


def profile_table(prof):
    keys = list(prof)
    rows = ["| part of run_simulation | " + " | ".join(f"{k}: instructions (share)" for k in keys) + " |",
            "|---|" + "---|" * len(keys)]
    for i, (label, _) in enumerate(PROFILE_PARTS):
        cells = []
        for k in keys:
            ir, run = prof[k]["parts"][i]["Ir"], prof[k]["parts"][0]["Ir"]
            cells.append(f"{ir / 1e6:,.1f} M" + ("" if i == 0 else f" ({100 * ir / run:.1f} %)"))
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    rows.append("| heap allocation (malloc, free, new, delete; across the parts above) | " + " | ".join(
        f"{prof[k]['heap_Ir'] / 1e6:,.1f} M ({100 * prof[k]['heap_Ir'] / prof[k]['parts'][0]['Ir']:.1f} %)"
        for k in keys) + " |")
    rows.append("| data references; L1 / last-level cache miss rate | " + " | ".join(
        f"{prof[k]['data_refs'] / 1e6:,.0f} M; {100 * prof[k]['D1_miss_rate']:.2f} % / "
        f"{100 * prof[k]['LL_miss_rate']:.3f} %" for k in keys) + " |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench", "bench"),
                    help="folder with the bench executables (default build/bench/bench)")
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "bench"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test)")
    ap.add_argument("--skip-micro", action="store_true")
    ap.add_argument("--peer-cap", type=float, default=300.0,
                    help="seconds after which one peer run is stopped (default 300)")
    ap.add_argument("--peer-budget", type=float, default=60.0,
                    help="seconds of timed runs per peer and case, lowering its repetitions (default 60)")
    ap.add_argument("--profile", action="store_true",
                    help="also count instructions per part of the 0D and 1D default runs under "
                         "callgrind, with cache simulation (adds a few minutes)")
    ap.add_argument("--update-readme", action="store_true",
                    help="replace the results section of bench/README.md with this run's tables")
    ap.add_argument("--from-json", metavar="RESULTS_JSON",
                    help="run nothing: print (and with --update-readme, store) the tables of an "
                         "earlier run's results.json")
    a = ap.parse_args()
    if a.from_json:
        with open(a.from_json) as f:
            results = json.load(f)
        if a.update_readme and results.get("quick"):
            ap.error(f"{a.from_json} is from a --quick run; --update-readme needs a full run")
        table = render(results)
        print(table)
        if a.update_readme:
            update_readme(table)
        return
    if a.update_readme and a.quick:
        ap.error("--update-readme needs a full run (without --quick)")
    for exe in ("citsim_bench_run", "citsim_bench_cvode") + (() if a.skip_micro else ("citsim_bench_micro",)):
        if not os.path.exists(os.path.join(a.build, exe)):
            ap.error(f"{os.path.join(a.build, exe)} not found: build the `bench` preset "
                     "(scripts/bench.sh does)")
    os.makedirs(os.path.join(a.out, "cases"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "peers"), exist_ok=True)
    started = time.time()
    info = machine_info(a.build)
    results = {"machine": info, "config": os.path.relpath(CONFIG, ROOT), "quick": a.quick, "rtol": RTOL, "atol": ATOL,
               "peer_cap": a.peer_cap, "peer_budget": a.peer_budget}

    if not a.skip_micro:
        log("micro benchmarks ...")
        results["micro"] = run_micro(a.build, a.out, 2 if a.quick else 7, 0.02 if a.quick else 0.2)
    cases = run_cases(a, results)
    problems = {k: cp.load_problem(cases[k]["h5"]) for k in PEER_PLAN}
    results["readout_self_check"] = {k: cp.self_check(pr) for k, pr in problems.items()}
    references = run_accuracy(a, results, cases, problems)
    run_peers(a, results, cases, problems, references)
    if a.profile:
        run_profile(a, results)
    evaluate_targets(results)
    info["load_average_end"] = os.getloadavg()
    results["elapsed_s"] = time.time() - started

    table = render(results)
    print(table)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(table + "\n")
    write_json(os.path.join(a.out, "results.json"), results)
    write_csv(os.path.join(a.out, "results.csv"), results)
    if a.update_readme:
        update_readme(table)
    log(f"wrote {a.out}/results.json, results.csv, micro.json, table.md "
        f"({results['elapsed_s']:.0f} s)")


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------

def pct(x):
    return f"{100 * x:.3g} %"


def render(res):
    info, cases, peers, sc = res["machine"], res["cases"], res["peers"], res["scaling"]
    la0, la1 = info["load_average_start"], info["load_average_end"]
    out = [f"Machine: {info['cpu']}, {info['nproc']} cores; {info['os']} (Linux {info['kernel']}); "
           f"{info['compiler']}, {info['build']}; Python {info['python']}, NumPy {info['numpy']}, "
           f"SciPy {info['scipy']}. Run {info['date']}"
           + (" with --quick (a smoke test, few repetitions)" if res["quick"] else "")
           + f"; load average {la0[0]:.1f} at the start, {la1[0]:.1f} at the end "
           f"({res['elapsed_s'] / 60:.1f} min in all).", "",
           "Every run is a fresh process on one thread; figures are median [min–max] of the "
           "repetitions. Wall time is the measure; CPU time is beside it (on a loaded machine "
           "the wall time of a single-threaded run exceeds its CPU time by the time it waited "
           "for a core).", ""]
    if "micro" in res:
        out += ["### Micro benchmarks (Google Benchmark; default column after its first session, "
                "the point at z ≈ 1 mm)", "", micro_table(res["micro"]), ""]
    out += ["### Whole runs (load_config, then run_simulation timed), configs/default.toml", "",
            "| case | reps | run_simulation wall | CPU | with load_config | split steps | "
            "kinetics steps per point | RHS evals per point | Jacobians per point | peak RSS |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for key in CASES:
        c = cases[key]
        n = c["cells"]
        rhs = f"{c['rhs_evals'] / n:.0f}" if c["rhs_evals"] is not None else "n/a"
        jac = f"{c['jac_evals'] / n:.0f}" if c["jac_evals"] is not None else "n/a"
        out.append(f"| {c['label']} | {c['run']['n']} | {fmt_span(c['run'])} | "
                   f"{fmt_time(c['cpu']['median'])} | {fmt_time(c['with_config']['median'])} | "
                   f"{c['split_steps']} | {c['kinetics_steps'] / n:.0f} | {rhs} | {jac} | "
                   f"{c['peak_rss_kib']['median'] / 1024:.1f} MiB |")
    two, two_p = res["citsim_1d_two_threads_active"], res["citsim_1d_two_threads_passive"]
    cv_x = sc.get("cvode_time_exponent")
    out += ["", f"Cost against cells ({', '.join(str(n) for n in sc['cells'])}), log-log fit: "
            f"citsim wall time ∝ cells^{sc['citsim_time_exponent']:.2f} "
            f"(CPU time ∝ cells^{sc['citsim_cpu_exponent']:.2f}, kinetics steps ∝ "
            f"cells^{sc['citsim_kinetics_steps_exponent']:.2f})"
            + (f"; CVODE wall time ∝ cells^{cv_x:.2f}" if cv_x is not None else "") + ". "
            f"1D default on 2 threads: {fmt_span(two)} (OMP_WAIT_POLICY=passive: {fmt_span(two_p)}). Writing the 1D default HDF5 file: "
            f"{fmt_time(cases['1d']['write_s'])} (outside the timed part).", ""]
    if "profile" in res:
        out += ["### Where the instructions go (callgrind, one thread; the instruction counts "
                "do not depend on the load)", "", profile_table(res["profile"]), ""]
    out += ["### Peers on the same problem (parameters, tissue, sessions and record times read "
            f"from citsim's output file; rtol {res.get('rtol', RTOL):g}, atol {res.get('atol', ATOL):g} as citsim's kinetics)", "",
            "| case | solver | pairs | wall | CPU | peer / citsim, wall (pairwise) | "
            "peer / citsim, CPU | steps | kinetics evals per point | peak RSS | "
            "max rel. diff R0 | max rel. diff collagen induction |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in peers.values():
        label = cases[p["case"]]["label"]
        if p.get("wall") is None:
            out.append(f"| {label} | {p['label']} | 0 | > {res['peer_cap']:.0f} s (capped) | "
                       "| | | | | | | |")
            continue
        ag = p["agreement"]["vs_citsim"]
        steps = p["steps"] if p["steps"] is not None else "—"
        ke = f"{p['kinetics_evals']:.0f}" if p["kinetics_evals"] is not None else "—"
        out.append(f"| {label} | {p['label']} {p['version']} | {p['wall']['n']}"
                   f"{' (capped)' if p['capped'] else ''} | {fmt_span(p['wall'])} | "
                   f"{fmt_time(p['cpu']['median'])} | {fmt_ratio_span(p['ratio'])} | "
                   f"{p['cpu_ratio']['median']:.3g} | {steps} | {ke} | "
                   f"{p['peak_rss_kib'] / 1024:.0f} MiB | {pct(ag['R0_rel'])} | {pct(ag['CI_rel'])} |")
    out += ["", "Kinetics evaluations per point: right-hand sides plus analytic Jacobians "
            "(citsim: kinetics_rhs + kinetics_rhs_jacobian calls per point, above). "
            "Differences over all record times: R0 pointwise relative; collagen induction (a "
            "percent change that starts at 0) as the largest absolute difference over the "
            "largest |value|. Peak RSS of a SciPy peer includes the Python interpreter.", ""]
    acc = res["accuracy"]
    out += [f"### Accuracy against a tight reference (CVODE at rtol {REF_RTOL:g}, atol {REF_ATOL:g})", "",
            "| case | solution | max rel. diff R0 | max rel. diff collagen induction | collagen induction at the end |",
            "|---|---|---|---|---|"]
    for key in ("0d", "1d"):
        v = acc[key]["citsim_vs_reference"]
        out.append(f"| {cases[key]['label']} | citsim, default numerics | {pct(v['R0_rel'])} | "
                   f"{pct(v['CI_rel'])} | {pct(v['CI_end_rel'])} |")
        for p in peers.values():
            if p["case"] == key and "vs_reference" in p.get("agreement", {}):
                v = p["agreement"]["vs_reference"]
                out.append(f"| {cases[key]['label']} | {p['label']} | {pct(v['R0_rel'])} | "
                           f"{pct(v['CI_rel'])} | {pct(v['CI_end_rel'])} |")
    for r in acc["1d_refinement"][1:]:
        v = r["citsim_vs_reference"]
        out.append(f"| {cases['1d']['label']} | citsim, split steps {r['name']} ({r['split_steps']} "
                   f"steps, {fmt_time(r['run_s'])}) | {pct(v['R0_rel'])} | {pct(v['CI_rel'])} | "
                   f"{pct(v['CI_end_rel'])} |")
    order = acc["1d_observed_order"]
    out += ["", f"citsim's 1D difference to the reference is the time-discretisation error of its "
            f"split scheme: it falls with the split step, observed order "
            f"{order:.2f} in the number of split steps (collagen induction)." if order else "", ""]
    if "sweep" in acc:
        out += ["### Work against accuracy (CVODE tolerance sweep, atol = rtol/1000; error: the "
                "larger of the R0 and collagen-induction differences to the reference)", "",
                "| case | solution | error | wall | CPU | steps |", "|---|---|---|---|---|---|"]
        for key, sweep in acc["sweep"].items():
            c = cases[key]
            out.append(f"| {c['label']} | citsim, default numerics | {pct(acc[key]['citsim_error'])} | "
                       f"{fmt_span(c['run'])} | {fmt_time(c['cpu']['median'])} | "
                       f"{c['kinetics_steps'] / c['cells']:.0f} per point |")
            for p in sweep:
                out.append(f"| {c['label']} | CVODE rtol {p['rtol']:g} | {pct(p['error'])} | "
                           f"{fmt_span(p['wall'])} | {fmt_time(p['cpu']['median'])} | {p['steps']} |")
        out.append("")
        for key in acc["sweep"]:
            m = acc[key].get("cvode_at_citsim_accuracy")
            t = cases[key]["run"]["median"]
            if m:
                out.append(f"- {cases[key]['label']}: at citsim's accuracy "
                           f"({pct(acc[key]['citsim_error'])}) CVODE needs rtol ≈ {m['rtol']:.2g} and "
                           f"≈ {fmt_time(m['wall'])} (interpolated); citsim / CVODE at matched accuracy "
                           f"≈ {t / m['wall']:.3g} (CPU {cases[key]['cpu']['median'] / m['cpu']:.3g}).")
            else:
                e = acc[key]["citsim_error"]
                sw = sorted(acc["sweep"][key], key=lambda p: p["error"])
                p = sw[0] if e < sw[0]["error"] else sw[-1]
                out.append(f"- {cases[key]['label']}: citsim's error ({pct(e)}) is "
                           f"{'below' if e < p['error'] else 'above'} CVODE's at rtol {p['rtol']:g} "
                           f"({pct(p['error'])}, {fmt_time(p['wall']['median'])}), the "
                           f"{'tightest' if e < p['error'] else 'loosest'} tolerance swept.")
        out.append("")
    chk = res["readout_self_check"]
    out += ["Readout post-processing check (citsim's own profiles through "
            "bench/py/citsim_problem.py against citsim's /readouts, largest difference): " +
            ", ".join(f"{k}: R0 {v[0]:.1e}, collagen induction {v[1]:.1e} points"
                      for k, v in chk.items() if v is not None) + ".", ""]
    out += ["### Targets (reported, never asserted)", "", "| target | measured | met |", "|---|---|---|"]
    for t in res["targets"]:
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "**no**")
        out.append(f"| {t['target']} | {t['measured']} | {met} |")
    if not res["have_counts"]:
        out += ["", "RHS and Jacobian counts: citsim_bench_count did not build (the wrapped "
                "kinetics signatures changed, bench/CMakeLists.txt); they are n/a."]
    return "\n".join(out)


def write_json(path, res):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1, default=float)
    os.replace(tmp, path)


def write_csv(path, res):
    fields = ["case", "solver", "cells", "reps", "wall_median_s", "wall_min_s", "wall_max_s",
              "cpu_median_s", "ratio_to_citsim_median", "ratio_min", "ratio_max",
              "cpu_ratio_to_citsim_median", "split_steps", "steps", "rhs_evals", "jac_evals",
              "kinetics_evals_per_point", "peak_rss_kib", "max_rel_diff_R0",
              "max_rel_diff_collagen_induction", "capped"]
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for key, c in res["cases"].items():
            w.writerow({"case": key, "solver": "citsim", "cells": c["cells"], "reps": c["run"]["n"],
                        "wall_median_s": c["run"]["median"], "wall_min_s": c["run"]["min"],
                        "wall_max_s": c["run"]["max"], "cpu_median_s": c["cpu"]["median"],
                        "split_steps": c["split_steps"], "steps": c["kinetics_steps"],
                        "rhs_evals": c["rhs_evals"], "jac_evals": c["jac_evals"],
                        "kinetics_evals_per_point": (None if c["rhs_evals"] is None else
                                                     (c["rhs_evals"] + c["jac_evals"]) / c["cells"]),
                        "peak_rss_kib": c["peak_rss_kib"]["median"], "capped": False})
        for p in res["peers"].values():
            row = {"case": p["case"], "solver": p["peer"], "cells": p["cells"], "capped": p["capped"]}
            if p.get("wall") is not None:
                ag = p["agreement"]["vs_citsim"]
                row.update({"reps": p["wall"]["n"], "wall_median_s": p["wall"]["median"],
                            "wall_min_s": p["wall"]["min"], "wall_max_s": p["wall"]["max"],
                            "cpu_median_s": p["cpu"]["median"],
                            "ratio_to_citsim_median": p["ratio"]["median"],
                            "ratio_min": p["ratio"]["min"], "ratio_max": p["ratio"]["max"],
                            "cpu_ratio_to_citsim_median": p["cpu_ratio"]["median"],
                            "steps": p["steps"], "rhs_evals": p["raw_last"].get("rhs_evals"),
                            "jac_evals": p["raw_last"].get("jac_evals"),
                            "kinetics_evals_per_point": p["kinetics_evals"],
                            "peak_rss_kib": p["peak_rss_kib"], "max_rel_diff_R0": ag["R0_rel"],
                            "max_rel_diff_collagen_induction": ag["CI_rel"]})
            w.writerow(row)
    os.replace(tmp, path)


def update_readme(table):
    path = os.path.join(ROOT, "bench", "README.md")
    begin, end = "<!-- bench-results:begin -->", "<!-- bench-results:end -->"
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        raise SystemExit(f"{path}: no {begin} ... {end} markers; not updated")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)
    os.replace(tmp, path)
    log(f"updated {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
