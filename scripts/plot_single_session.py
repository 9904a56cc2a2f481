#!/usr/bin/python3
"""Plot one session's healing timeline with the calibration windows it must meet.

    build/release/citsim run configs/validation/single_session.toml -o results/validation/single_session.h5
    /usr/bin/python3 scripts/plot_single_session.py results/validation/single_session.h5 \\
        -o docs/images/single_session.png [--targets configs/validation/targets.toml]

Four panels of dermis means after a pen session at day 0: the inflammatory wave (neutrophils,
M1 and M2 macrophages), fibroblasts and myofibroblasts, collagen synthesis with the type III share
of what is made, and erythema. Grey bands are the windows of the peak-time targets in the targets
file; the dotted line is where a "resolved by" target is read. Needs Debian's python3-h5py and
python3-matplotlib; the format is docs/file-format.md.
"""
import argparse
import os
import tomllib

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Which panel shows each timing target, and what it is read from. ("band": a peak-time window;
# "at": the day a resolution ratio is read.)
TARGET_MARKS = {
    "neutrophil_peak": (0, "band", "N peak"),
    "macrophage_peak": (0, "band", "M1+M2 peak"),
    "m2_peak": (0, "band", "M2 peak"),
    "neutrophil_resolved": (0, "at", 4.0),
    "myofibroblast_peak": (1, "band", "Mf peak"),
    "myofibroblast_cleared": (1, "at", 60.0),
    "synthesis_peak": (2, "band", "S peak"),
    "synthesis_resolves": (2, "at", 28.0),
    "type1_dominates_again": (2, "at", 21.0),
    "erythema_resolves": (3, "at", 3.0),
}


def read(path):
    with h5py.File(path, "r") as f:
        t = f["time"][:]
        derm = {k: f["layers/dermis"][k][:] for k in f["layers/dermis"]}
        ery = f["readouts/erythema"][:]
        sessions = f["sessions/time"][:]
        s_rest = resting_dermis_mean(f, "S_rest")
    return t, derm, ery, sessions, s_rest


def resting_dermis_mean(f, name):
    """Dermis mean of a resting profile of /tissue: cell means weighted by their overlap with
    [0, z_reticular] (the layer means of docs/file-format.md; the cells are uniform)."""
    z = f["z"][:]
    dz = z[1] - z[0] if len(z) > 1 else 1.0
    lo, hi = z - dz / 2, z + dz / 2
    w = np.clip(np.minimum(hi, float(f["parameters"].attrs["z_reticular"])) - np.maximum(lo, 0.0), 0.0, None)
    return float(np.sum(w * f["tissue/" + name][:]) / np.sum(w))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="citsim HDF5 output of a single-session run")
    ap.add_argument("-o", "--output", required=True, help="image to write (.png or .svg)")
    ap.add_argument("--targets", default=os.path.join(os.path.dirname(__file__), "..", "configs",
                                                      "validation", "targets.toml"))
    ap.add_argument("--days", type=float, default=60.0, help="days shown after the session")
    args = ap.parse_args()

    t, d, ery, sessions, s_rest = read(args.run)
    t0 = sessions[0] if len(sessions) else 0.0
    keep = (t >= t0 - 1.0) & (t <= t0 + args.days)
    x = t[keep] - t0
    with open(args.targets, "rb") as fh:
        targets = {tg["id"]: tg for tg in tomllib.load(fh)["target"]}

    fig, ax = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    ax = ax.ravel()
    fig.suptitle(f"One pen session at day 0: the healing timeline ({os.path.basename(args.run)})")

    # 1. The inflammatory wave.
    a = ax[0]
    a.plot(x, d["N"][keep], label="neutrophils N")
    a.plot(x, d["M1"][keep], label="M1 macrophages")
    a.plot(x, d["M2"][keep], label="M2 macrophages")
    a.set_ylabel("cells (relative to resting fibroblasts)")
    a.set_title("inflammation: neutrophils, then M1, then M2")

    # 2. Fibroblasts and myofibroblasts.
    a = ax[1]
    a.plot(x, d["F"][keep], label="fibroblasts F", color="C3")
    a.plot(x, d["Mf"][keep], label="myofibroblasts Mf", color="C4")
    a.set_ylabel("cells (relative to resting fibroblasts)")
    a.set_title("proliferation: fibroblasts gather, some turn myofibroblast")

    # 3. Synthesis and what share of it is type III.
    a = ax[2]
    s = d["collagen_synthesis"][keep]
    a.plot(x, s / s_rest, label="collagen synthesis S / S at rest", color="C5")
    a.axhline(1.0, color="0.6", lw=0.8, ls=":")
    a.set_ylabel("synthesis relative to rest")
    b = a.twinx()
    b.plot(x, d["type3_share"][keep], label="type III share of new collagen", color="C9", ls="--")
    b.set_ylabel("type III share")
    b.set_ylim(0, max(0.5, float(np.nanmax(d["type3_share"][keep])) * 1.1))
    a.set_title("synthesis peaks in week 1; type III first, then type I")
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = b.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper right")

    # 4. Erythema.
    a = ax[3]
    a.plot(x, ery[keep], label="erythema", color="C1")
    a.set_ylabel("erythema (0-1)")
    a.set_title("redness peaks within hours, fades in days")

    # The calibration windows.
    bands = [0] * len(ax)  # stagger the labels of overlapping windows
    for tid, (panel, kind, what) in TARGET_MARKS.items():
        tg = targets.get(tid)
        if tg is None:
            continue
        lo, hi = tg["range"]
        if kind == "band":
            ax[panel].axvspan(lo, hi, color="0.5", alpha=0.10)
            ax[panel].hlines(0.97 - 0.06 * bands[panel], lo, hi, transform=ax[panel].get_xaxis_transform(),
                             color="0.35", lw=1.2)
            ax[panel].text(hi, 0.97 - 0.06 * bands[panel], f" {what} window", fontsize=7, color="0.3",
                           transform=ax[panel].get_xaxis_transform(), va="center")
            bands[panel] += 1
        else:
            ax[panel].axvline(what, color="0.4", ls=":", lw=0.9)
    # Each phase on its own clock: hours to days for inflammation and redness, weeks after.
    spans = [min(14.0, args.days), args.days, args.days, min(7.0, args.days)]
    for i, a in enumerate(ax):
        if i != 2:
            a.legend(fontsize=8, loc="center right")
        a.set_xlim(-0.2, spans[i])
        a.set_xlabel("days after the session")
        a.grid(alpha=0.3)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
