#!/usr/bin/python3
"""Plot a citsim run: firmness and collagen over the course, and the healing wave of a session.

    /usr/bin/python3 scripts/plot_run.py results/default.h5 -o results/default.png

Reads only the documented file format (docs/file-format.md); needs Debian's python3-h5py and
python3-matplotlib.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="citsim HDF5 output")
    ap.add_argument("-o", "--output", help="image to write (PNG or SVG); default: RUN with .png")
    ap.add_argument("--session", type=int, default=1, help="session whose healing wave to zoom into")
    args = ap.parse_args()
    out = args.output or os.path.splitext(args.run)[0] + ".png"

    with h5py.File(args.run, "r") as f:
        t = f["time"][:]
        ro = {k: f["readouts"][k][:] for k in f["readouts"]}
        derm = {k: f["layers/dermis"][k][:] for k in f["layers/dermis"]}
        sessions = f["sessions/time"][:]
        level = f.attrs["model_level"]
        level = level.decode() if isinstance(level, bytes) else level

    fig, ax = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    fig.suptitle(f"citsim {level}: {os.path.basename(args.run)} ({len(sessions)} sessions)")

    def sessions_marks(a, lo=None, hi=None):
        for s in sessions:
            if (lo is None or s >= lo) and (hi is None or s <= hi):
                a.axvline(s, color="0.6", lw=0.8, ls=":")

    a = ax[0, 0]
    a.plot(t, ro["firmness_gain"], label="firmness gain (fall of R0)", color="C0")
    a.plot(t, ro["collagen_induction"], label="dermal collagen", color="C1")
    a.plot(t, ro["elastin_change"], label="dermal elastin", color="C2")
    sessions_marks(a)
    a.axhline(0, color="k", lw=0.5)
    a.set(xlabel="day", ylabel="change from pre-treatment (%)", title="Course: firmness and matrix")
    a.legend(loc="best", fontsize=8)

    a = ax[0, 1]
    a.plot(t, derm["C3"], label="collagen III", color="C3")
    a.plot(t, derm["C1"], label="collagen I (new)", color="C4")
    a.plot(t, derm["Cx"], label="collagen I (cross-linked)", color="C5")
    sessions_marks(a)
    a.set(xlabel="day", ylabel="dermis mean (mg/cm³)", yscale="log", title="Collagen pools")
    a.legend(loc="best", fontsize=8)

    if len(sessions) >= args.session:
        s0 = sessions[args.session - 1]
        window = (t >= s0) & (t <= s0 + 40)
        tw = t[window] - s0
        a = ax[1, 0]
        for k, lab in [("N", "neutrophils"), ("M1", "M1 macrophages"), ("M2", "M2 macrophages"),
                       ("F", "fibroblasts"), ("Mf", "myofibroblasts")]:
            y = derm[k][window]
            if k == "F":  # fibroblasts are never zero: show their excess over the resting level
                y = y - derm["F"][0]
                lab = "fibroblasts (excess over rest)"
            a.plot(tw, y, label=lab)
        a.set(xlabel=f"days after session {args.session}", ylabel="dermis mean (relative cells)",
              title="One session: the healing wave")
        a.legend(loc="best", fontsize=8)

        a = ax[1, 1]
        S = derm["collagen_synthesis"][window]
        a.plot(tw, S / derm["collagen_synthesis"][0], label="collagen synthesis / rest", color="C1")
        a.set(xlabel=f"days after session {args.session}", ylabel="synthesis relative to rest",
              title="Synthesis, type III share, erythema")
        b = a.twinx()
        b.plot(tw, derm["type3_share"][window], color="C3", label="type III share of synthesis")
        b.plot(tw, ro["erythema"][window], color="C6", ls="--", label="erythema (0-1)")
        b.set_ylim(0, 1)
        lines = a.get_lines() + b.get_lines()
        a.legend(lines, [l.get_label() for l in lines], loc="upper right", fontsize=8)
    else:
        for a in ax[1]:
            a.text(0.5, 0.5, "no session", ha="center", va="center", transform=a.transAxes)

    fig.savefig(out, dpi=110)
    print(f"  plot  {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
