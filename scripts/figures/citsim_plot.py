#!/usr/bin/python3
"""Figures of citsim runs for teaching and papers (PNG and SVG), and the depth-profile animation.

    scripts/figures/citsim_plot.py timeline RUN.h5 [-o OUT]        firmness and collagen, sessions marked
    scripts/figures/citsim_plot.py wave RUN.h5 [--session K]       one session's inflammatory wave, phases
    scripts/figures/citsim_plot.py heatmap RUN.h5                  depth x time collagen gain (1D runs)
    scripts/figures/citsim_plot.py compare RUN.h5 RUN.h5 ...       several runs on one figure
    scripts/figures/citsim_plot.py sweep SWEEP.h5 OUTCOME X Y      an outcome over two swept parameters
    scripts/figures/citsim_plot.py animate RUN.h5 [-o OUT.gif]     the depth profile through time

OUT is a base name: both OUT.png and OUT.svg are written (animate writes a GIF, or an MP4 when
OUT ends in .mp4 and ffmpeg is installed). Reads only the documented file format
(docs/file-format.md). Needs Debian's python3-h5py, python3-numpy, python3-matplotlib and, for
GIFs, python3-pil; run it with /usr/bin/python3.

Sweep files: `sweep_grid` and `sweep` read the
layout citsim sweep writes: /sweep/params, a (run x parameter) float array whose attribute `names`
lists the parameter names in column order, and /sweep/outcomes, a (run x outcome) float array
whose attribute `names` lists the outcome names.
"""
import argparse
import os
import sys
from dataclasses import dataclass, field

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402

SPECIES = ["D", "B", "N", "M1", "M2", "Cp", "Ca", "T", "F", "Mf", "C3", "C1", "Cx", "E", "P"]
LAYERS = ["papillary", "reticular", "hypodermis", "dermis"]
COLLAGEN = ("C3", "C1", "Cx")

# One colour per cell type, the same in every figure.
WAVE = [("N", "neutrophils", "#d62728"), ("M1", "M1 macrophages", "#ff7f0e"),
        ("M2", "M2 macrophages", "#2ca02c"), ("F", "fibroblasts (above rest)", "#1f77b4"),
        ("Mf", "myofibroblasts", "#9467bd")]

plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
                     "axes.spines.top": False, "axes.spines.right": False,
                     "svg.fonttype": "none"})


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class Run:
    """The parts of a citsim run file the figures use (docs/file-format.md)."""
    path: str
    label: str
    level: str
    time: np.ndarray
    readouts: dict
    layers: dict
    sessions: np.ndarray
    z: np.ndarray
    profile_time: np.ndarray
    profiles: dict
    tissue: dict
    parameters: dict = field(default_factory=dict)

    def session_window(self, k, days):
        """Mask of record times from session k (1-based) to `days` after it, stopping before the
        next session (whose injury would start a new wave)."""
        if not 1 <= k <= len(self.sessions):
            raise SystemExit(f"error: {self.path}: no session {k} (the run has {len(self.sessions)})")
        s = self.sessions[k - 1]
        mask = (self.time >= s) & (self.time <= s + days)
        if k < len(self.sessions):
            mask &= self.time < self.sessions[k]
        return mask


def load_run(path, label=None):
    """Reads a run file; fails with the file and the missing name if it is not a citsim run."""
    try:
        with h5py.File(path, "r") as f:
            def group(name):
                if name not in f:
                    raise KeyError(name)
                return {k: f[name][k][()] for k in f[name] if isinstance(f[name][k], h5py.Dataset)}
            return Run(
                path=path,
                label=label or os.path.splitext(os.path.basename(path))[0],
                level=_text(f.attrs["model_level"]),
                time=f["time"][:],
                readouts=group("readouts"),
                layers={l: group(f"layers/{l}") for l in LAYERS},
                sessions=f["sessions/time"][:],
                z=f["z"][:],
                profile_time=f["profile_time"][:],
                profiles=group("profiles"),
                tissue=group("tissue"),
                parameters={k: v for k, v in f["parameters"].attrs.items()},
            )
    except KeyError as e:
        raise SystemExit(f"error: {path}: not a citsim run file (no {e})") from None
    except OSError as e:
        raise SystemExit(f"error: {path}: cannot open ({e})") from None


def save(fig, base):
    """Writes base.png and base.svg (the extension of `base`, if any, is replaced)."""
    base = os.path.splitext(base)[0]
    os.makedirs(os.path.dirname(base) or ".", exist_ok=True)
    written = []
    for ext, kw in ((".png", {"dpi": 110}), (".svg", {})):
        tmp = base + ".tmp" + ext
        fig.savefig(tmp, **kw)
        os.replace(tmp, base + ext)
        written.append(base + ext)
    plt.close(fig)
    return written


def mark_sessions(ax, sessions, lo=None, hi=None, label=True, colour="0.55", zorder=0):
    """Dotted vertical lines at the sessions, numbered along the top."""
    for k, s in enumerate(sessions, 1):
        if (lo is not None and s < lo) or (hi is not None and s > hi):
            continue
        ax.axvline(s, color=colour, lw=0.8, ls=":", zorder=zorder)
        if label:
            ax.annotate(f"{k}", (s, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -9),
                        textcoords="offset points", fontsize=7, color=colour)


# -------------------------------------------------------------------------------------------------
# 1. The course: firmness and collagen, with the sessions marked.
# -------------------------------------------------------------------------------------------------
def timeline(run):
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.5, 5.2), sharex=True, constrained_layout=True)
    fig.suptitle(f"{run.label}: firmness and collagen over the course ({len(run.sessions)} sessions)")
    t, ro = run.time, run.readouts
    a.plot(t, ro["firmness_gain"], color="C0", lw=1.8, label="firmness gain (Cutometer R0 falls)")
    a.plot(t, ro["collagen_induction"], color="C1", label="dermal collagen")
    a.plot(t, ro["elastin_change"], color="C2", label="dermal elastin")
    a.axhline(0, color="k", lw=0.5)
    mark_sessions(a, run.sessions)
    a.set(ylabel="change from before\ntreatment (%)")
    a.legend(loc="upper left", frameon=False)

    d = run.layers["dermis"]
    b.plot(t, d["C3"], color="#e377c2", label="collagen III (new, soft)")
    b.plot(t, d["C1"], color="#8c564b", label="collagen I, not yet cross-linked")
    b.plot(t, d["Cx"], color="#7f7f7f", label="collagen I, cross-linked (mature)")
    b.set_yscale("log")
    mark_sessions(b, run.sessions, label=False)
    b.set(xlabel="day", ylabel="dermis mean (mg/cm³)")
    b.legend(loc="center right", frameon=False)
    return fig


# -------------------------------------------------------------------------------------------------
# 2. One session: the inflammatory wave, with the healing phases read off the run itself.
# -------------------------------------------------------------------------------------------------
def healing_phases(run, k=1, days=60):
    """Phase boundaries after session k, in days after it, from the dermis means:
    inflammation ends when M2 macrophages outnumber M1 (the macrophage switch); proliferation
    ends when the fibroblasts' excess over rest has fallen below a quarter of its peak;
    remodeling follows. Returns (switch, end_of_proliferation); either is None if it does not
    happen within `days`."""
    w = run.session_window(k, days)
    t = run.time[w] - run.sessions[k - 1]
    d = {s: run.layers["dermis"][s][w] for s in ("M1", "M2", "F")}
    after = np.nonzero((d["M2"] > d["M1"]) & (t > 0))[0]
    switch = float(t[after[0]]) if after.size else None
    excess = d["F"] - _resting_dermis_fibroblasts(run)
    i_peak = int(np.argmax(excess))
    below = np.nonzero((np.arange(t.size) > i_peak) & (excess < 0.25 * excess[i_peak]))[0]
    proliferation_end = float(t[below[0]]) if below.size and excess[i_peak] > 0 else None
    return switch, proliferation_end


def wave(run, k=1, days=42):
    w = run.session_window(k, days)
    t = run.time[w] - run.sessions[k - 1]
    days = min(days, float(t[-1]))  # the next session may come sooner
    d = run.layers["dermis"]
    fig, a = plt.subplots(figsize=(7.5, 4.2), constrained_layout=True)
    for s, label, colour in WAVE:
        y = d[s][w]
        if s == "F":  # fibroblasts never vanish: show their excess over the resting level
            y = y - _resting_dermis_fibroblasts(run)
        a.plot(t, y, color=colour, lw=1.6, label=label)
    a.set(xlabel=f"days after session {k}", ylabel="dermis mean (cells relative to resting fibroblasts)",
          xlim=(0, days))
    b = a.twinx()
    b.spines["right"].set_visible(True)
    b.plot(t, d["type3_share"][w], color="#e377c2", ls="--", lw=1.4, label="type III share of new collagen")
    b.set(ylabel="type III share of synthesis", ylim=(0, 1))
    switch, prolif_end = healing_phases(run, k, days)
    edges = [0.0, switch if switch is not None else days, prolif_end if prolif_end is not None else days, days]
    names = ["inflammation", "proliferation", "remodeling"]
    shades = ["#fde0dd", "#e5f5e0", "#deebf7"]
    for (lo, hi), name, shade in zip(zip(edges, edges[1:]), names, shades):
        if hi <= lo:
            continue
        a.axvspan(lo, hi, color=shade, zorder=-2, lw=0)
        a.annotate(name, ((lo + hi) / 2, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -12),
                   textcoords="offset points", ha="center", fontsize=9, color="0.25")
    lines = a.get_lines() + b.get_lines()
    a.legend(lines, [l.get_label() for l in lines], loc="center right", frameon=False)
    fig.suptitle(f"{run.label}: the healing wave after session {k}")
    return fig


def _resting_dermis_fibroblasts(run):
    """Dermis-mean fibroblasts at rest: the resting profile averaged over the dermis."""
    zr = float(run.parameters.get("z_reticular", np.inf))
    inside = run.z < zr
    return float(np.mean(run.tissue["F_rest"][inside])) if inside.any() else float(run.tissue["F_rest"][0])


# -------------------------------------------------------------------------------------------------
# 3. Depth x time: where and when collagen is gained.
# -------------------------------------------------------------------------------------------------
def collagen_gain_map(run):
    """Percent change of total collagen from the resting tissue, shape (profile_time, z)."""
    if run.z.size < 2:
        raise SystemExit(f"error: {run.path}: a depth map needs a 1D run (this one is {run.level})")
    total = sum(run.profiles[s] for s in COLLAGEN)
    return 100.0 * (total / run.tissue["C_rest"][None, :] - 1.0)


def heatmap(run, limit=None):
    gain = collagen_gain_map(run)
    limit = limit or max(1.0, float(np.nanpercentile(np.abs(gain), 99)))
    fig, a = plt.subplots(figsize=(7.5, 4.0), constrained_layout=True)
    m = a.pcolormesh(run.profile_time, run.z, gain.T, cmap="RdBu_r", vmin=-limit, vmax=limit,
                     shading="nearest", rasterized=True)
    a.invert_yaxis()
    par = run.parameters
    for name, label in (("z_papillary", "papillary | reticular"), ("z_reticular", "dermis | fat")):
        if name in par:
            a.axhline(par[name], color="k", lw=0.6, ls="--")
            a.annotate(label, (1.0, par[name]), xycoords=("axes fraction", "data"), xytext=(-4, -3),
                       textcoords="offset points", ha="right", fontsize=7)
    mark_sessions(a, run.sessions, colour="k", zorder=3)
    a.set(xlabel="day", ylabel="depth below the epidermis (mm)",
          title=f"{run.label}: collagen gain by depth and time")
    fig.colorbar(m, ax=a, label="collagen change from rest (%)")
    return fig


# -------------------------------------------------------------------------------------------------
# 4. Several runs on one figure.
# -------------------------------------------------------------------------------------------------
def series(run, name):
    """A readout by name, or a sum of layer means written LAYER:SPECIES+SPECIES (dermis:M1+M2)."""
    if ":" in name:
        layer, species = name.split(":", 1)
        if layer not in run.layers:
            raise SystemExit(f"error: no layer '{layer}' (layers: {', '.join(LAYERS)})")
        try:
            return sum(run.layers[layer][s] for s in species.split("+"))
        except KeyError as e:
            raise SystemExit(f"error: {run.path}: no species {e} in /layers/{layer}") from None
    if name not in run.readouts:
        raise SystemExit(f"error: {run.path}: no readout '{name}' (readouts: {', '.join(run.readouts)})")
    return run.readouts[name]


def compare(runs, readouts=("firmness_gain", "collagen_induction", "dermis:M1+M2", "scar_index")):
    titles = {"firmness_gain": "firmness gain (%)", "collagen_induction": "dermal collagen change (%)",
              "elastin_change": "dermal elastin change (%)", "erythema": "redness (erythema, 0-1)",
              "scar_index": "scar index (days)", "R0": "Cutometer R0 (mm)", "R7": "Cutometer R7",
              "dermis:M1+M2": "macrophages, M1 + M2 (dermis mean)"}
    n = len(readouts)
    fig, axes = plt.subplots((n + 1) // 2, 2, figsize=(8.5, 2.6 * ((n + 1) // 2)), sharex=True,
                             constrained_layout=True, squeeze=False)
    for i, name in enumerate(readouts):
        a = axes.flat[i]
        for j, r in enumerate(runs):
            a.plot(r.time, series(r, name), color=f"C{j}", lw=1.4, label=r.label)
            for s in r.sessions:
                a.plot([s], [0], marker="|", color=f"C{j}", ms=6, clip_on=False, transform=a.get_xaxis_transform())
        a.set(title=titles.get(name, name))
        if name == "erythema":
            a.set_ylim(0, 1)
    for a in axes[-1]:
        a.set_xlabel("day (ticks along the bottom: sessions)")
    for a in axes.flat[n:]:
        a.axis("off")
    axes.flat[0].legend(loc="best", frameon=False)
    fig.suptitle("  vs  ".join(r.label for r in runs))
    return fig


# -------------------------------------------------------------------------------------------------
# 5. Sweeps: an outcome over two parameter axes.
# -------------------------------------------------------------------------------------------------
def _names(ds, path):
    """Column names: the attribute `names`, a list or one comma-separated string (citsim sweep
    writes the latter beside its /sweep/parameter and /sweep/outcome coordinates)."""
    if "names" not in ds.attrs:
        raise SystemExit(f"error: {path}: {ds.name} has no 'names' attribute (column names)")
    names = ds.attrs["names"]
    if isinstance(names, (str, bytes)):
        return [n.strip() for n in _text(names).split(",")]
    return [_text(n) for n in names]


def sweep_grid(path, outcome, x, y):
    """The outcome on the grid of the distinct values of parameters x and y. Runs that share an
    (x, y) cell (other parameters varied too) are averaged; a cell no run reached is NaN.
    Returns (x_values, y_values, grid[y, x], runs_per_cell[y, x])."""
    with h5py.File(path, "r") as f:
        if "sweep/params" not in f or "sweep/outcomes" not in f:
            raise SystemExit(f"error: {path}: no /sweep/params and /sweep/outcomes (not a sweep file)")
        params, outcomes = f["sweep/params"], f["sweep/outcomes"]
        pnames, onames = _names(params, path), _names(outcomes, path)
        P, O = params[()], outcomes[()]
    for name, known, what in ((x, pnames, "parameter"), (y, pnames, "parameter"), (outcome, onames, "outcome")):
        if name not in known:
            raise SystemExit(f"error: {path}: no {what} '{name}' (the file has: {', '.join(known)})")
    if P.shape[0] != O.shape[0]:
        raise SystemExit(f"error: {path}: {P.shape[0]} parameter rows but {O.shape[0]} outcome rows")
    xv, yv, ov = P[:, pnames.index(x)], P[:, pnames.index(y)], O[:, onames.index(outcome)]
    xs, xi = np.unique(xv, return_inverse=True)
    ys, yi = np.unique(yv, return_inverse=True)
    total = np.zeros((ys.size, xs.size))
    count = np.zeros((ys.size, xs.size), dtype=int)
    ok = np.isfinite(ov)  # a failed run has NaN outcomes: it does not count
    np.add.at(total, (yi[ok], xi[ok]), ov[ok])
    np.add.at(count, (yi[ok], xi[ok]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = np.where(count > 0, total / count, np.nan)
    return xs, ys, grid, count


def sweep_units(path):
    """name -> unit of every parameter and outcome of a sweep file (the `units` attributes of
    /sweep/params and /sweep/outcomes, comma-separated as citsim sweep writes them); names without
    units are left out."""
    units = {}
    with h5py.File(path, "r") as f:
        for d in ("sweep/params", "sweep/outcomes"):
            if d in f and "units" in f[d].attrs and "names" in f[d].attrs:
                names = _names(f[d], path)
                values = [u.strip() for u in _text(f[d].attrs["units"]).split(",")]
                if len(values) == len(names):
                    units.update(zip(names, values))
    return units


def with_unit(name, unit):
    """"needle_length (mm)", "final_firmness_gain (%)"; a dimensionless ("1") or unknown unit adds nothing."""
    unit = {"percent": "%", "channels/cm^2": "channels/cm²", "1": "", None: ""}.get(unit, unit)
    return f"{name} ({unit})" if unit else name


def sweep(path, outcome, x, y):
    xs, ys, grid, count = sweep_grid(path, outcome, x, y)
    units = sweep_units(path)
    fig, a = plt.subplots(figsize=(6.0, 4.6), constrained_layout=True)
    m = a.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    a.set_xticks(range(xs.size), [f"{v:g}" for v in xs])
    a.set_yticks(range(ys.size), [f"{v:g}" for v in ys])
    if grid.size <= 144:  # small grids: write the value in each cell
        finite = grid[np.isfinite(grid)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                a.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7,
                       color="white" if v < mid else "black")
    a.set(xlabel=with_unit(x, units.get(x)), ylabel=with_unit(y, units.get(y)),
          title=f"{outcome} over {x} and {y}" +
          (f"\n(mean of {count.max()} runs per cell)" if count.max() > 1 else ""))
    fig.colorbar(m, ax=a, label=with_unit(outcome, units.get(outcome)))
    return fig


# -------------------------------------------------------------------------------------------------
# 6. Animation: the depth profile through time, with a clock and the sessions.
# -------------------------------------------------------------------------------------------------
def animate(run, out, fps=5, max_frames=40):
    """Collagen (III, I, cross-linked I) and fibroblasts over depth at each profile time, with the
    course below: a clock, the sessions, and the firmness gain so far. GIF (Pillow) or MP4 (ffmpeg)."""
    if run.z.size < 2:
        raise SystemExit(f"error: {run.path}: the depth animation needs a 1D run (this one is {run.level})")
    frames = np.arange(run.profile_time.size)
    if frames.size > max_frames:
        frames = np.unique(np.linspace(0, frames.size - 1, max_frames).round().astype(int))
    fig, (a, b) = plt.subplots(2, 1, figsize=(6.0, 5.2), gridspec_kw={"height_ratios": [3, 1]},
                               constrained_layout=True)
    rest = run.tissue["C_rest"]
    a.plot(rest, run.z, color="0.6", lw=1.0, ls="--", label="all collagen at rest")
    lines = {s: a.plot([], [], color=c, lw=1.6, label=l)[0] for s, l, c in
             (("total", "all collagen", "k"), ("C3", "collagen III", "#e377c2"),
              ("C1", "collagen I (new)", "#8c564b"), ("Cx", "collagen I (cross-linked)", "#7f7f7f"))}
    top = max(float(np.max(sum(run.profiles[s] for s in COLLAGEN))), float(rest.max())) * 1.08
    a.set(xlim=(0, top), ylim=(run.z[-1], 0), xlabel="collagen (mg/cm³)",
          ylabel="depth below the epidermis (mm)")
    for name in ("z_papillary", "z_reticular"):
        if name in run.parameters:
            a.axhline(run.parameters[name], color="0.8", lw=0.6)
    clock = a.set_title("", loc="right", fontsize=10, weight="bold")  # above the plot: never on a curve
    a.legend(loc="lower right", frameon=False, fontsize=7)
    b.plot(run.time, run.readouts["firmness_gain"], color="C0", lw=1.2)
    mark_sessions(b, run.sessions)
    cursor = b.axvline(0, color="C3", lw=1.5)
    b.set(xlabel="day", ylabel="firmness\ngain (%)")
    a.set_title(f"{run.label}: collagen by depth", loc="left", fontsize=10)

    def draw(i):
        t = run.profile_time[i]
        parts = {s: run.profiles[s][i] for s in COLLAGEN}
        lines["total"].set_data(sum(parts.values()), run.z)
        for s in COLLAGEN:
            lines[s].set_data(parts[s], run.z)
        done = int(np.sum(run.sessions <= t + 1e-9))
        clock.set_text(f"day {t:.0f}   ({done} of {len(run.sessions)} sessions done)")
        cursor.set_xdata([t, t])
        return list(lines.values()) + [clock, cursor]

    anim = animation.FuncAnimation(fig, draw, frames=frames, blit=False)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    ext = os.path.splitext(out)[1].lower()
    tmp = out + ".tmp" + ext
    if ext == ".mp4":
        if not animation.FFMpegWriter.isAvailable():
            raise SystemExit("error: MP4 needs ffmpeg (apt-get install ffmpeg); write a .gif instead")
        anim.save(tmp, writer=animation.FFMpegWriter(fps=fps), dpi=100)
    elif ext == ".gif":
        anim.save(tmp, writer=animation.PillowWriter(fps=fps), dpi=72)
    else:
        raise SystemExit(f"error: {out}: the animation is written as .gif or .mp4")
    os.replace(tmp, out)
    plt.close(fig)
    return [out]


# -------------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    for name in ("timeline", "wave", "heatmap", "animate"):
        p = sub.add_parser(name)
        p.add_argument("run")
        p.add_argument("-o", "--output", help="output base name (default: beside RUN)")
        if name == "wave":
            p.add_argument("--session", type=int, default=1)
            p.add_argument("--days", type=float, default=42)
    p = sub.add_parser("compare")
    p.add_argument("runs", nargs="+")
    p.add_argument("--labels", help="comma-separated labels (default: file names)")
    p.add_argument("--readouts", default="firmness_gain,collagen_induction,dermis:M1+M2,scar_index",
                   help="readouts, or LAYER:SPECIES+SPECIES sums of layer means")
    p.add_argument("-o", "--output", default="results/figures/compare")
    p = sub.add_parser("sweep")
    for arg in ("sweep", "outcome", "x", "y"):
        p.add_argument(arg)
    p.add_argument("-o", "--output")
    args = ap.parse_args(argv)

    if args.what == "compare":
        labels = args.labels.split(",") if args.labels else [None] * len(args.runs)
        if len(labels) != len(args.runs):
            ap.error(f"{len(labels)} labels for {len(args.runs)} runs")
        runs = [load_run(p, l) for p, l in zip(args.runs, labels)]
        written = save(compare(runs, tuple(args.readouts.split(","))), args.output)
    elif args.what == "sweep":
        out = args.output or os.path.splitext(args.sweep)[0] + f"_{args.outcome}"
        written = save(sweep(args.sweep, args.outcome, args.x, args.y), out)
    else:
        run = load_run(args.run)
        base = args.output or os.path.splitext(args.run)[0] + "_" + args.what
        if args.what == "timeline":
            written = save(timeline(run), base)
        elif args.what == "wave":
            written = save(wave(run, args.session, args.days), base)
        elif args.what == "heatmap":
            written = save(heatmap(run), base)
        else:
            written = animate(run, base if os.path.splitext(base)[1] else base + ".gif")
    for w in written:
        print(f"  wrote {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
