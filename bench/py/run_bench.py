#!/usr/bin/python3
"""citsim benchmarks: micro kernels, whole runs and scaling, and peers on the same problem.

    /usr/bin/python3 bench/py/run_bench.py [--build DIR] [--out DIR] [--quick] [--update-readme]

scripts/bench.sh builds bench/ (the `bench` preset) and calls this. Every timed run is a fresh
process on one thread (OMP_NUM_THREADS=1 and the BLAS thread variables), so peak RSS belongs to
the case. Each figure is the median of several repetitions, with min and max. A peer's ratio to
citsim is measured pair by pair in this same command: citsim and the peer alternate run by run
and the ratio is taken per pair (the machines are shared and noisy).

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

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import citsim_problem as cp  # noqa: E402

PY = "/usr/bin/python3"
CONFIG = os.path.join(ROOT, "configs", "default.toml")

# The whole-run cases: (key, label, --set overrides, repetitions; --quick: 2 or 3)
CASES = [
    ("0d", "0D default", ["model.level=0d"], 9),
    ("1d", "1D default, dz 0.025 (116 cells)", [], 5),
    ("1d_dz0.05", "1D dz 0.05 (58 cells)", ["numerics.dz=0.05"], 5),
    ("1d_dz0.0125", "1D dz 0.0125 (232 cells)", ["numerics.dz=0.0125"], 3),
]
SCALING = ["1d_dz0.05", "1d", "1d_dz0.0125"]

# Peers: key -> (label, argv after the file name builder)
PEERS = {
    "cvode": "SUNDIALS CVODE 6.4 BDF, band LU, analytic J",
    "cvode_dq": "SUNDIALS CVODE 6.4 BDF, band LU, difference-quotient J",
    "scipy_bdf": "SciPy solve_ivp BDF, jac_sparsity",
    "scipy_bdf_vec": "SciPy solve_ivp BDF, jac_sparsity + vectorized",
    "scipy_lsoda": "SciPy solve_ivp LSODA (0D dense, 1D lband/uband)",
}
PEER_PLAN = {
    "0d": ["cvode", "cvode_dq", "scipy_bdf", "scipy_lsoda"],
    "1d": ["cvode", "cvode_dq", "scipy_bdf", "scipy_bdf_vec", "scipy_lsoda"],
    "1d_dz0.05": ["cvode"],
    "1d_dz0.0125": ["cvode"],
}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OMP_PROC_BIND": "false"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json(argv, env_extra=None):
    env = dict(os.environ)
    env.update(ONE_THREAD)
    if env_extra:
        env.update(env_extra)
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def summary(xs):
    xs = [float(x) for x in xs]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs),
            "values": xs}


def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1.0:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_span(st, f=fmt_time):
    return f"{f(st['median'])} [{f(st['min'])}–{f(st['max'])}]"


def fmt_ratio(r):
    return f"{r:.3g}×"


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()
    import scipy
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "compiler": gxx[0] if gxx else "?",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "load_average_start": os.getloadavg(),
    }


# ------------------------------------------------------------------------------------------------
# Micro benchmarks
# ------------------------------------------------------------------------------------------------

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
        name = b["run_name"] if "run_name" in b else b["name"]
        e = per.setdefault(name, {"time": [], "counters": {}})
        e["time"].append(b["real_time"] * unit[b["time_unit"]])
        for k in ("steps", "s_per_step", "s_per_point", "cells", "interval_day"):
            if k in b:
                e["counters"].setdefault(k, []).append(b[k])
    res = {}
    for name, e in per.items():
        res[name] = {"time": summary(e["time"]),
                     "counters": {k: summary(v) for k, v in e["counters"].items()}}
    return res


MICRO_LABELS = [
    ("BM_kinetics_rhs", "kinetics_rhs (one point)", None),
    ("BM_kinetics_rhs_jacobian", "kinetics_rhs_jacobian (one point)", None),
    ("BM_rosenbrock_advance/0", "Rosenbrock advance, first interval after a session (Δt 0.002 d)", "step"),
    ("BM_rosenbrock_advance/1", "Rosenbrock advance at day 1 (Δt 0.102 d)", "step"),
    ("BM_rosenbrock_advance/2", "Rosenbrock advance at day 20 (Δt 1 d)", "step"),
    ("BM_transport_step/-1", "ColumnTransport::step, 58 cells", "point"),
    ("BM_transport_step/0", "ColumnTransport::step, 116 cells", "point"),
    ("BM_transport_step/1", "ColumnTransport::step, 232 cells", "point"),
    ("BM_lu_factorize_ublas", "15×15 LU, ublas (as rosenbrock4)", None),
    ("BM_lu_solve_ublas", "15×15 LU solve, ublas (6 per step)", None),
    ("BM_lu_factorize_eigen", "15×15 LU, Eigen fixed-size PartialPivLU", None),
    ("BM_lu_solve_eigen", "15×15 LU solve, Eigen fixed-size", None),
    ("BM_build_column_model", "build_column_model (1D default set-up)", None),
]


def micro_table(micro):
    rows = ["| kernel | time per call: median [min–max] | per point / per step |",
            "|---|---|---|"]
    for key, label, per in MICRO_LABELS:
        if key not in micro:
            continue
        m = micro[key]
        extra = ""
        c = m["counters"]
        if per == "point" and "s_per_point" in c:
            extra = f"{c['s_per_point']['median'] * 1e9:.0f} ns per point"
        if per == "step" and "s_per_step" in c:
            extra = (f"{c['steps']['median']:.2g} accepted steps, "
                     f"{c['s_per_step']['median'] * 1e6:.2f} µs per step")
        rows.append(f"| {label} | {fmt_span(m['time'])} | {extra} |")
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
    if rtol is not None:
        argv += ["--rtol", str(rtol), "--atol", str(atol)]
    if out_prefix:
        argv += ["--out", out_prefix]
    return argv


def loglog_slope(x, y):
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    slope, _ = np.polyfit(lx, ly, 1)
    return float(slope)


def agreement(pr, prefix, ref=None):
    states = np.load(prefix + ".states.npy")
    before = np.load(prefix + ".before.npy")
    R0, CI = cp.readouts(pr, states, before)
    out = {"vs_citsim": cp.compare(pr, R0, CI)}
    if ref is not None:
        out["vs_reference"] = cp.compare(pr, R0, CI, *ref)
    return out, (R0, CI)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "bench"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test)")
    ap.add_argument("--skip-micro", action="store_true")
    ap.add_argument("--update-readme", action="store_true",
                    help="replace the results section of bench/README.md with this run's tables")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "cases"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "peers"), exist_ok=True)
    started = time.time()
    info = machine_info()
    results = {"machine": info, "config": os.path.relpath(CONFIG, ROOT)}
    have_count = os.path.exists(os.path.join(a.build, "citsim_bench_count"))

    # --- micro ---------------------------------------------------------------------------------
    if not a.skip_micro:
        log("micro benchmarks ...")
        results["micro"] = run_micro(a.build, a.out, 3 if a.quick else 7, 0.05 if a.quick else 0.2)

    # --- citsim: the case files (read by the peers), counts, timed repetitions -------------------
    cases = {}
    for key, label, sets, reps in CASES:
        reps = min(reps, 3) if a.quick else reps
        h5 = os.path.join(a.out, "cases", key + ".h5")
        log(f"citsim {key}: writing {os.path.relpath(h5, ROOT)}, counting, {reps} timed runs ...")
        first = run_json(citsim_argv(a.build, sets, ["--write", h5]))
        counts = (run_json(citsim_argv(a.build, sets, exe="citsim_bench_count"))
                  if have_count else {})
        runs = [run_json(citsim_argv(a.build, sets)) for _ in range(reps)]
        cases[key] = {
            "label": label, "set": sets, "h5": h5, "cells": first["cells"],
            "records": first["records"], "split_steps": first["split_steps"],
            "kinetics_steps": first["kinetics_steps"],
            "rhs_evals": counts.get("rhs_evals"), "jac_evals": counts.get("jac_evals"),
            "wall": summary([r["wall_s"][0] for r in runs]),
            "peak_rss_kib": summary([r["peak_rss_kib"] for r in runs]),
        }
    # two threads on the default 1D case (information: the targets are for one core)
    log("citsim 1d on 2 threads ...")
    runs2 = [run_json(citsim_argv(a.build, [], ["--threads", "2"]), {"OMP_NUM_THREADS": "2"})
             for _ in range(3 if a.quick else 5)]
    results["citsim_1d_two_threads"] = summary([r["wall_s"][0] for r in runs2])
    results["cases"] = cases

    scal_cells = [cases[k]["cells"] for k in SCALING]
    results["scaling"] = {
        "cells": scal_cells,
        "citsim_wall_exponent": loglog_slope(scal_cells, [cases[k]["wall"]["median"] for k in SCALING]),
        "citsim_kinetics_steps_exponent": loglog_slope(scal_cells, [cases[k]["kinetics_steps"] for k in SCALING]),
    }

    # --- peers, pair by pair ---------------------------------------------------------------------
    peers = {}
    problems = {k: cp.load_problem(cases[k]["h5"]) for k in PEER_PLAN}
    self_checks = {k: cp.self_check(pr) for k, pr in problems.items()}
    results["readout_self_check"] = self_checks
    references = {}
    for key in ("0d", "1d"):
        log(f"reference solution {key}: CVODE at rtol 1e-8, atol 1e-10 ...")
        prefix = os.path.join(a.out, "peers", f"{key}.reference")
        ref_run = run_json(peer_argv(a.build, "cvode", cases[key]["h5"], prefix, 1e-8, 1e-10))
        states = np.load(prefix + ".states.npy")
        references[key] = cp.readouts(problems[key], states, np.load(prefix + ".before.npy"))
        citsim_vs_ref = cp.compare(problems[key], problems[key].citsim["R0"],
                                   problems[key].citsim["collagen_induction"], *references[key])
        results.setdefault("reference", {})[key] = {"run": ref_run, "citsim_vs_reference": citsim_vs_ref}
    # citsim with 4x finer split steps against the reference: is the difference splitting error?
    log("citsim 1d with dt_rel/4, dt_max/4 (accuracy only) ...")
    fine_h5 = os.path.join(a.out, "cases", "1d_fine_dt.h5")
    fine_sets = ["numerics.dt_rel=0.025", "numerics.dt_max=0.25"]
    fine = run_json(citsim_argv(a.build, fine_sets, ["--write", fine_h5]))
    pr_fine = cp.load_problem(fine_h5)
    results["reference"]["1d_fine_dt"] = {
        "set": fine_sets, "wall_s": fine["wall_s"][0], "split_steps": fine["split_steps"],
        "citsim_vs_reference": cp.compare(pr_fine, pr_fine.citsim["R0"],
                                          pr_fine.citsim["collagen_induction"], *references["1d"])}

    for case, plan in PEER_PLAN.items():
        c = cases[case]
        reps = min(3, CASES_REPS[case]) if a.quick else CASES_REPS[case]
        for key in plan:
            log(f"pairs {case}: citsim vs {key} x{reps} ...")
            cit, peer, ratio = [], [], []
            prefix = os.path.join(a.out, "peers", f"{case}.{key}")
            last = None  # counts and peak RSS from the last run (the first also writes states)
            for r in range(reps):
                ct = run_json(citsim_argv(a.build, c["set"]))["wall_s"][0]
                last = run_json(peer_argv(a.build, key, c["h5"], prefix if r == 0 else None))
                pt = last["wall_s"][0]
                cit.append(ct)
                peer.append(pt)
                ratio.append(pt / ct)
            acc, _ = agreement(problems[case], prefix, references.get(case))
            peers[f"{case}/{key}"] = {
                "case": case, "peer": key, "label": PEERS[key], "cells": c["cells"],
                "wall": summary(peer), "citsim_wall": summary(cit), "ratio": summary(ratio),
                "steps": last.get("steps"), "rhs_evals": last.get("rhs_evals"),
                "jac_evals": last.get("jac_evals"),
                "peak_rss_kib": last.get("peak_rss_kib"), "agreement": acc, "raw_last": last,
            }
    results["peers"] = peers
    cv = [peers[f"{k}/cvode"]["wall"]["median"] for k in SCALING]
    results["scaling"]["cvode_wall_exponent"] = loglog_slope(scal_cells, cv)

    # --- targets -------------------------------------------------------------------------------
    t1d = cases["1d"]["wall"]["median"]
    targets = [
        ("1D default run under 0.5 s on one core", f"{fmt_time(t1d)}", t1d < 0.5),
        ("≥ 100× faster than SciPy BDF (1D default)",
         f"SciPy BDF / citsim = {fmt_ratio(peers['1d/scipy_bdf']['ratio']['median'])}",
         peers["1d/scipy_bdf"]["ratio"]["median"] >= 100.0),
        ("no slower than 2× CVODE (1D default)",
         f"citsim / CVODE = {fmt_ratio(1.0 / peers['1d/cvode']['ratio']['median'])}",
         1.0 / peers["1d/cvode"]["ratio"]["median"] <= 2.0),
        ("0D default under 5 ms", fmt_time(cases["0d"]["wall"]["median"]),
         cases["0d"]["wall"]["median"] < 5e-3),
        ("cost linear in cells (exponent ≤ 1.1)",
         f"exponent {results['scaling']['citsim_wall_exponent']:.2f}",
         results["scaling"]["citsim_wall_exponent"] <= 1.1),
    ]
    worst = max(max(p["agreement"]["vs_citsim"]["R0_rel"], p["agreement"]["vs_citsim"]["CI_rel"])
                for p in peers.values())
    targets.append(("peers agree within 1 % (R0, collagen induction)",
                    f"largest difference {100 * worst:.2f} %", worst <= 0.01))
    results["targets"] = [{"target": t, "measured": m, "met": ok} for t, m, ok in targets]
    info["load_average_end"] = os.getloadavg()
    results["elapsed_s"] = time.time() - started

    # --- output --------------------------------------------------------------------------------
    table = render(results, have_count)
    print(table)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=float)
    write_csv(os.path.join(a.out, "results.csv"), results)
    if a.update_readme:
        update_readme(table)
    log(f"wrote {os.path.relpath(a.out, ROOT)}/results.json, results.csv, table.md "
        f"({results['elapsed_s']:.0f} s)")


CASES_REPS = {k: r for k, _, _, r in CASES}


def per_point(x, cells):
    return None if x is None else x / cells


def render(res, have_count):
    info, cases, peers = res["machine"], res["cases"], res["peers"]
    la0, la1 = info["load_average_start"], info["load_average_end"]
    out = [f"Machine: {info['cpu']}, {info['nproc']} cores, {info['kernel']}, {info['compiler']}; "
           f"Python {info['python']}, NumPy {info['numpy']}, SciPy {info['scipy']}; {info['date']}. "
           f"Load average {la0[0]:.1f} at the start, {la1[0]:.1f} at the end. "
           "All runs on one thread, each a fresh process; median [min–max] of the repetitions.", ""]
    if "micro" in res:
        out += ["### Micro benchmarks (Google Benchmark, default column after one session, z ≈ 1 mm)", "",
                micro_table(res["micro"]), ""]
    out += ["### Whole runs through the library (load_config + run_simulation), configs/default.toml", "",
            "| case | reps | wall time | split steps | kinetics steps per point | RHS evals per point | Jacobians per point | peak RSS |",
            "|---|---|---|---|---|---|---|---|"]
    for key, label, _, _ in CASES:
        c = cases[key]
        n = c["cells"]
        rhs = f"{c['rhs_evals'] / n:.0f}" if c["rhs_evals"] is not None else "n/a"
        jac = f"{c['jac_evals'] / n:.0f}" if c["jac_evals"] is not None else "n/a"
        out.append(f"| {label} | {c['wall']['n']} | {fmt_span(c['wall'])} | {c['split_steps']} | "
                   f"{c['kinetics_steps'] / n:.0f} | {rhs} | {jac} | "
                   f"{c['peak_rss_kib']['median'] / 1024:.1f} MiB |")
    two = res["citsim_1d_two_threads"]
    sc = res["scaling"]
    out += ["", f"1D default on 2 threads: {fmt_span(two)}. Cost against cells (58, 116, 232), "
            f"log-log fit: citsim wall time ∝ cells^{sc['citsim_wall_exponent']:.2f} "
            f"(kinetics steps ∝ cells^{sc['citsim_kinetics_steps_exponent']:.2f}); "
            f"CVODE ∝ cells^{sc['cvode_wall_exponent']:.2f}.", ""]
    out += ["### Peers on the same problem (same parameters, sessions, record times; pairwise ratios)", "",
            "| case | solver | reps | wall time | peer / citsim (pairwise) | citsim in the pairs | steps | RHS evals per point | peak RSS | max rel. diff R0 | max rel. diff collagen induction |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in peers.values():
        ag = p["agreement"]["vs_citsim"]
        r = p["ratio"]
        steps = p["steps"] if p["steps"] is not None else "—"
        rhs = f"{p['rhs_evals']:.0f}" if p["rhs_evals"] is not None else "—"
        out.append(f"| {cases[p['case']]['label']} | {p['label']} | {p['wall']['n']} | {fmt_span(p['wall'])} | "
                   f"{r['median']:.3g} [{r['min']:.3g}–{r['max']:.3g}] | {fmt_time(p['citsim_wall']['median'])} | "
                   f"{steps} | {rhs} | {p['peak_rss_kib'] / 1024:.0f} MiB | "
                   f"{100 * ag['R0_rel']:.3f} % | {100 * ag['CI_rel']:.3f} % |")
    out += ["", "Differences: R0 pointwise relative; collagen induction (a percent change that "
            "starts at 0) as the largest absolute difference over the largest |value|.", ""]
    ref = res["reference"]
    out += ["### Accuracy against a tight reference (CVODE, rtol 1e-8, atol 1e-10)", "",
            "| case | solution | max rel. diff R0 | max rel. diff collagen induction | at day 365 |",
            "|---|---|---|---|---|"]
    for key in ("0d", "1d"):
        cvr = ref[key]["citsim_vs_reference"]
        out.append(f"| {cases[key]['label']} | citsim, default numerics | {100 * cvr['R0_rel']:.3f} % | "
                   f"{100 * cvr['CI_rel']:.3f} % | {100 * cvr['CI_end_rel']:.3f} % |")
        for p in peers.values():
            if p["case"] == key and "vs_reference" in p["agreement"]:
                v = p["agreement"]["vs_reference"]
                out.append(f"| {cases[key]['label']} | {p['label']} (rtol 1e-4) | {100 * v['R0_rel']:.4f} % | "
                           f"{100 * v['CI_rel']:.4f} % | {100 * v['CI_end_rel']:.4f} % |")
    fr = ref["1d_fine_dt"]
    v = fr["citsim_vs_reference"]
    out.append(f"| {cases['1d']['label']} | citsim, dt_rel and dt_max / 4 ({fr['split_steps']} split steps, "
               f"{fmt_time(fr['wall_s'])}) | {100 * v['R0_rel']:.3f} % | {100 * v['CI_rel']:.3f} % | "
               f"{100 * v['CI_end_rel']:.3f} % |")
    chk = res["readout_self_check"]
    out += ["", "Readout post-processor check (citsim's profiles through bench/py/citsim_problem.py "
            "against citsim's /readouts): " + ", ".join(
                f"{k}: R0 {v[0]:.1e}, CI {v[1]:.1e}" for k, v in chk.items() if v is not None), ""]
    out += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in res["targets"]:
        out.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    if not have_count:
        out += ["", "RHS/Jacobian counts: citsim_bench_count did not build (the wrapped signatures "
                "changed); counts are n/a."]
    return "\n".join(out)


def write_csv(path, res):
    cases, peers = res["cases"], res["peers"]
    fields = ["case", "solver", "cells", "reps", "wall_median_s", "wall_min_s", "wall_max_s",
              "ratio_to_citsim_median", "ratio_min", "ratio_max", "split_steps", "steps",
              "rhs_evals", "jac_evals", "peak_rss_kib", "max_rel_diff_R0",
              "max_rel_diff_collagen_induction"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for key, c in cases.items():
            w.writerow({"case": key, "solver": "citsim", "cells": c["cells"], "reps": c["wall"]["n"],
                        "wall_median_s": c["wall"]["median"], "wall_min_s": c["wall"]["min"],
                        "wall_max_s": c["wall"]["max"], "ratio_to_citsim_median": 1.0,
                        "split_steps": c["split_steps"], "steps": c["kinetics_steps"],
                        "rhs_evals": c["rhs_evals"], "jac_evals": c["jac_evals"],
                        "peak_rss_kib": c["peak_rss_kib"]["median"]})
        for p in peers.values():
            ag = p["agreement"]["vs_citsim"]
            w.writerow({"case": p["case"], "solver": p["peer"], "cells": p["cells"],
                        "reps": p["wall"]["n"], "wall_median_s": p["wall"]["median"],
                        "wall_min_s": p["wall"]["min"], "wall_max_s": p["wall"]["max"],
                        "ratio_to_citsim_median": p["ratio"]["median"], "ratio_min": p["ratio"]["min"],
                        "ratio_max": p["ratio"]["max"], "steps": p["steps"],
                        "rhs_evals": p["rhs_evals"], "jac_evals": p["jac_evals"],
                        "peak_rss_kib": p["peak_rss_kib"], "max_rel_diff_R0": ag["R0_rel"],
                        "max_rel_diff_collagen_induction": ag["CI_rel"]})


def update_readme(table):
    path = os.path.join(ROOT, "bench", "README.md")
    begin, end = "<!-- bench-results:begin -->", "<!-- bench-results:end -->"
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        log("bench/README.md has no results markers; not updated")
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)


if __name__ == "__main__":
    main()
