#!/usr/bin/python3
"""Render a virtual histology slide of a 2D/3D citsim run in Masson's trichrome colours.

    /usr/bin/python3 scripts/histology.py results/cross-section.h5 --days 0 7 28 168 -o slide.png

Collagen (C3 + C1 + Cx) stains blue, cells and cytoplasm (fibroblasts, myofibroblasts,
neutrophils, macrophages) red with dark nuclei, and a fresh needle channel, where matrix and
cells were destroyed, stays pale. Each panel is the cross-section at the profile time nearest a
requested day (a 3D run is cut at the middle of y, or at --y mm); a scale bar and the channels
of the sessions so far (ticks above the section) are drawn. The file holds the fields only at its
profile times (every output.profile_dt days): a day in between is shown at the nearest one,
titled with the day shown and the day asked for, and said on stderr; two days that fall on the
same profile time are shown once. For teaching: the picture is a rendering of the model's
fields, not a simulation of staining chemistry.

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

BLUE = np.array([0.17, 0.32, 0.78])   # aniline blue: collagen
RED = np.array([0.80, 0.12, 0.22])    # Biebrich scarlet-acid fuchsin: cytoplasm
NUCLEUS = np.array([0.20, 0.08, 0.22])  # Weigert's haematoxylin: nuclei
PALE = np.array([0.97, 0.95, 0.95])   # unstained space (channels, fat)
CELLS = ("F", "Mf", "N", "M1", "M2")


def section(f, name, k, y_index):
    d = f["fields/" + name]
    return d[k, :, y_index, :] if d.ndim == 4 else d[k, :, :]


def trichrome(collagen, cells, rng):
    """RGB image (z, x) from collagen [mg/cm^3] and summed cells (relative) over (x, z)."""
    c = np.clip(collagen.T / 230.0, 0.0, 1.3) / 1.3          # blue weight
    r = 1.0 - np.exp(-np.clip(cells.T, 0.0, None) / 10.0)    # red weight: resting dermis ~0.1
    blue = np.clip(c * (1.0 - 0.7 * r), 0.0, 1.0)
    red = np.clip(0.9 * r, 0.0, 1.0)
    rest = np.clip(1.0 - blue - red, 0.0, 1.0)
    img = rest[..., None] * PALE + blue[..., None] * BLUE + red[..., None] * RED
    # Nuclei: dark dots, more where there are more cells (seeded, the same every time).
    dots = rng.random(cells.T.shape) < 0.04 * (1.0 - np.exp(-np.clip(cells.T, 0.0, None) / 2.0))
    img[dots] = NUCLEUS
    return np.clip(img, 0.0, 1.0)


def pick_profile_times(t, days):
    """Index of the profile time nearest each day, each shown once. Returns (indices, asked): asked
    is the day requested where it is not the time shown (None where it is). Every day not recorded,
    and every day that falls on a time already shown, is said on stderr."""
    step = f"every {np.median(np.diff(t)):g} days, output.profile_dt" if len(t) > 1 else "once"
    ks, asked, shown_for = [], [], {}
    for d in days:
        k = int(np.argmin(np.abs(t - d)))
        exact = abs(t[k] - d) <= 1e-6 * max(1.0, abs(d))
        if not exact:
            print(f"note: day {d:g} is not recorded (the file's profiles are {step}): "
                  f"shown at the nearest profile time, day {t[k]:g}", file=sys.stderr)
        if k in shown_for:
            print(f"note: day {d:g} falls on day {t[k]:g}, already shown for day {shown_for[k]:g}: "
                  "shown once", file=sys.stderr)
            continue
        shown_for[k] = d
        ks.append(k)
        asked.append(None if exact else d)
    return ks, asked


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="citsim HDF5 output of a 2d or 3d run")
    ap.add_argument("--days", type=float, nargs="+", help="days to show, each at the nearest profile time "
                    "(default: the start, the first profile time after the first session and after the "
                    "last, and the end)")
    ap.add_argument("--y", type=float, help="3D: position of the cut in y [mm] (default: middle)")
    ap.add_argument("-o", "--output", help="image to write (PNG or SVG); default: RUN with -histology.png")
    args = ap.parse_args()
    out = args.output or os.path.splitext(args.run)[0] + "-histology.png"

    with h5py.File(args.run, "r") as f:
        if "fields" not in f:
            sys.exit(f"{args.run}: no /fields group: histology needs a 2d or 3d run (model.level)")
        t = f["profile_time"][:]
        x, z = f["x"][:], f["z"][:]
        y_index = 0
        if "y" in f:
            y = f["y"][:]
            y_index = int(np.argmin(np.abs(y - (args.y if args.y is not None else y.mean()))))
        sessions = f["sessions/time"][:] if "sessions/time" in f else np.array([])
        ch_session = f["channels/session"][:] if "channels/session" in f else np.array([])
        ch_x = f["channels/x"][:] if "channels/x" in f else np.array([])
        ch_y = f["channels/y"][:] if "channels/y" in f else None
        days = args.days
        if not days:
            days = [t[0]]
            for s_day in (sessions[:1].tolist() + sessions[-1:].tolist()) if len(sessions) else []:
                after = t[t > s_day]
                if after.size:
                    days.append(after[0])
            days.append(t[-1])
        ks, asked = pick_profile_times(t, days)
        panels = []
        for k, d in zip(ks, asked):
            collagen = sum(section(f, s, k, y_index) for s in ("C3", "C1", "Cx"))
            cells = sum(section(f, s, k, y_index) for s in CELLS)
            panels.append((t[k], d, collagen, cells))

    dx = x[1] - x[0] if len(x) > 1 else 1.0
    dz = z[1] - z[0] if len(z) > 1 else 1.0
    width, depth = x[-1] + 0.5 * dx, z[-1] + 0.5 * dz
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2 * depth / width + 1.0),
                             squeeze=False)
    for ax, (tk, asked, collagen, cells) in zip(axes[0], panels):
        rng = np.random.default_rng(12345)
        ax.imshow(trichrome(collagen, cells, rng), extent=[0.0, width, depth, 0.0], interpolation="nearest")
        # Channels of the sessions up to this time (3D: those crossing the cut).
        done = int(np.sum(sessions <= tk + 1e-9)) if len(sessions) else 0
        for s in range(1, done + 1):
            sel = ch_session == s
            xs = ch_x[sel]
            if ch_y is not None and "y" in locals():
                xs = xs[np.abs(ch_y[sel] - y[y_index]) < 0.15]
            ax.plot(xs, np.full(xs.shape, -0.04), "v", color="k" if s == done else "0.6",
                    markersize=4, clip_on=False)
        bar = 0.5 if width >= 1.5 else 0.1
        ax.plot([width - 0.15 - bar, width - 0.15], [depth - 0.12] * 2, color="k", lw=3)
        ax.text(width - 0.15 - bar / 2, depth - 0.17, f"{bar:g} mm", ha="center", va="bottom", fontsize=8)
        ax.set_title(f"day {tk:g}" if asked is None else f"day {tk:g} (nearest to day {asked:g})", fontsize=10)
        ax.set_xlabel("x (mm)")
        ax.set_ylim(depth, -0.08)
    axes[0][0].set_ylabel("depth below the junction (mm)")
    fig.suptitle("virtual Masson's trichrome: collagen blue, cells red, channels pale "
                 "(ticks: channels, black = latest session)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
