#!/usr/bin/python3
"""Peer: the same 0D or 1D problem solved with SciPy's solve_ivp, the way a careful researcher
would write it, as one unsplit method-of-lines ODE (the exact semi-discrete problem).

    /usr/bin/python3 bench/py/scipy_peer.py RUN.h5 --method BDF|LSODA [--rtol R] [--atol A]
                                            [--reps N] [--out PREFIX]

The problem is rebuilt from the citsim output file (citsim_problem.py: parameters, tissue,
sessions, record times; kinetics and transport written independently of citsim from docs/model.md).
State order is interleaved (cell-major, 15 species per cell), so the Jacobian is banded.

- 0D: the right-hand side on Python floats (numpy on 15-element arrays is slower); the solvers
  difference their own dense 15 x 15 Jacobian.
- 1D BDF: `jac_sparsity` with the exact pattern (the kinetics block's pattern probed once, the
  transport couplings of each mobile species and of chemotaxis to T in the neighbouring cells);
  with --vectorized also `vectorized=True`, so the grouped finite-difference Jacobian is one
  numpy call instead of one call per column group.
- 1D LSODA: solve_ivp's LSODA takes no sparsity, only band widths: `lband`, `uband`.

Sessions are jumps: integrate to each session, apply the jump, start a new solve_ivp. Records are
taken at citsim's record times with `t_eval` (dense output), right-continuous at sessions.
The timed part is everything after reading the file: per-cell injury, the pattern, the solves.
Prints one JSON object; --out writes PREFIX.states.npy and PREFIX.before.npy as the CVODE peer.
"""

import argparse
import json
import resource
import sys
import time
import os

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import citsim_problem as cp  # noqa: E402


def kinetics_pattern(pr, kinetics_for):
    """Which rates depend on which species: probed once at a random positive state (an unrelated
    species leaves a rate bit-identical)."""
    rng = np.random.default_rng(1)
    u0 = list(rng.uniform(0.1, 1.0, cp.NS))
    f0 = kinetics_for(u0)
    pat = np.zeros((cp.NS, cp.NS), dtype=bool)
    for j in range(cp.NS):
        u = list(u0)
        u[j] += 0.1
        f = kinetics_for(u)
        for i in range(cp.NS):
            pat[i, j] = f[i] != f0[i]
    return pat


def build(pr):
    """The right-hand side (counting its evaluations, a vectorized call as one per column)."""
    n = pr.n
    N = n * cp.NS
    count = [0]
    if pr.zero_d:
        kin = cp.make_kinetics(pr, cp.site_rates(pr))

        def fun(t, y):
            count[0] += 1
            return np.array(kin(y.tolist()))
        return dict(fun=fun, N=N, count=count)

    kin = cp.make_kinetics(pr, cp.site_rates(pr, shape=(n, 1)))
    transport = cp.make_transport(pr)

    def fun(t, y):
        k = 1 if y.ndim == 1 else y.shape[1]
        count[0] += k
        Y = y.reshape(n, cp.NS, k)
        u = [Y[:, s, :] for s in range(cp.NS)]
        du = kin(u)
        du = [np.broadcast_to(d, (n, k)).copy() if np.ndim(d) < 2 or d.shape != (n, k) else d
              for d in du]
        transport(u, du)
        out = np.stack(du, axis=1)  # (n, 15, k)
        return out.reshape(N) if y.ndim == 1 else out.reshape(N, k)

    # the sparsity pattern: kinetics blocks, neighbours for every mobile species, chemotaxis to T
    block = kinetics_pattern(pr, cp.make_kinetics(pr, cp.site_rates(pr)))
    rows, cols = [], []
    bi, bj = np.nonzero(block)
    for i in range(n):
        rows.extend(cp.NS * i + bi)
        cols.extend(cp.NS * i + bj)
    iT = cp.IX["T"]
    for s, D, chi in cp.mobile_species(pr):
        for i in range(n):
            for j in (i - 1, i + 1):
                if 0 <= j < n:
                    rows.append(cp.NS * i + s)
                    cols.append(cp.NS * j + s)
                    if chi != 0.0:
                        rows.append(cp.NS * i + s)
                        cols.append(cp.NS * j + iT)
            if chi != 0.0:
                rows.append(cp.NS * i + s)
                cols.append(cp.NS * i + iT)
    pattern = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(N, N))
    pattern.data[:] = 1.0
    lo = int(max(r - c for r, c in zip(rows, cols)))
    up = int(max(c - r for r, c in zip(rows, cols)))
    return dict(fun=fun, N=N, count=count, sparsity=pattern, lband=lo, uband=up)


def solve(pr, method, rtol, atol, keep, vectorized=False):
    started = time.perf_counter()
    cpu_started = time.process_time()
    fractions = cp.injury_fractions(pr)
    model = build(pr)
    opts = dict(method=method, rtol=rtol, atol=atol)
    if not pr.zero_d:
        if method == "LSODA":
            opts.update(lband=model["lband"], uband=model["uband"])
        else:
            opts.update(jac_sparsity=model["sparsity"], vectorized=vectorized)
    u = cp.resting_state(pr)
    before = u.copy()
    times = pr.time
    sessions = list(pr.sessions["time"])
    states = []
    stats = dict(nfev=0, njev=0, nlu=0, segments=0, rhs=0)
    t = 0.0
    k = 0
    i_rec = 0
    while True:
        while k < len(sessions) and sessions[k] <= t:
            if k == 0:
                before = u.copy()
            cp.apply_injury(pr, u, k, fractions)
            k += 1
        t_seg = sessions[k] if k < len(sessions) else pr.end
        # records in [t, t_seg): the one at t is the state after the jump
        j = i_rec
        while j < len(times) and times[j] < t_seg:
            j += 1
        seg_times = times[i_rec:j]
        if t_seg > t:
            t_eval = np.append(seg_times[seg_times > t], t_seg)
            sol = solve_ivp(model["fun"], (t, t_seg), u.reshape(-1), t_eval=t_eval, **opts)
            if not sol.success:
                raise RuntimeError(f"solve_ivp {method} failed at t = {t}: {sol.message}")
            stats["nfev"] += int(sol.nfev)
            stats["njev"] += int(sol.njev)
            stats["nlu"] += int(sol.nlu)
            stats["segments"] += 1
            if keep:
                if len(seg_times) and seg_times[0] == t:
                    states.append(u.copy())
                for c in range(sol.y.shape[1] - 1):
                    states.append(sol.y[:, c].reshape(pr.n, cp.NS))
            u = sol.y[:, -1].reshape(pr.n, cp.NS).copy()
        i_rec = j
        t = t_seg
        if t >= pr.end:
            if keep:
                while i_rec < len(times):
                    states.append(u.copy())
                    i_rec += 1
            break
    wall = time.perf_counter() - started
    stats["cpu"] = time.process_time() - cpu_started
    stats["rhs"] = model["count"][0]
    return wall, stats, (np.array(states) if keep else None), before


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5")
    ap.add_argument("--method", default="BDF", choices=["BDF", "LSODA", "Radau"])
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-7)
    ap.add_argument("--vectorized", action="store_true",
                    help="1D BDF: vectorized=True, the grouped FD Jacobian in one numpy call")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    pr = cp.load_problem(a.h5)
    walls, cpus = [], []
    stats = None
    for r in range(a.reps):
        keep = bool(a.out) and r == 0
        wall, stats, states, before = solve(pr, a.method, a.rtol, a.atol, keep, a.vectorized)
        walls.append(wall)
        cpus.append(stats["cpu"])
        if keep:
            if states.shape[0] != len(pr.time):
                raise RuntimeError(f"{states.shape[0]} records for {len(pr.time)} record times")
            np.save(a.out + ".states.npy", states)
            np.save(a.out + ".before.npy", before)
            del states
    print(json.dumps(dict(solver="scipy", method=a.method, vectorized=a.vectorized, cells=pr.n, rtol=a.rtol, atol=a.atol,
                          wall_s=walls, cpu_s=cpus, rhs_evals=stats["rhs"], nfev=stats["nfev"], jac_evals=stats["njev"],
                          lu=stats["nlu"], segments=stats["segments"],
                          peak_rss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          scipy=scipy.__version__, numpy=np.__version__)))


if __name__ == "__main__":
    main()
