#!/usr/bin/python3
"""Compare runs of different levels (0D, 1D, 2D, 3D): collagen induction and firmness gain over time.

    /usr/bin/python3 scripts/plot_levels.py results/default.h5 results/cross-section.h5 -o levels.png

Each file is labelled by its model level and seed (2D/3D) unless --labels are given (name the
1D closure there). Runs given the same label are averaged (they must share their record times, as runs
of one config with different seeds do) and drawn with their range as a band. Reads only the
documented file format (docs/file-format.md).

docs/images/levels-closure.png is drawn by scripts/levels_figure.sh.
"""
import argparse

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def text_attr(f, name):
    v = f.attrs[name]
    return v.decode() if isinstance(v, bytes) else str(v)


def default_label(f):
    level = text_attr(f, "model_level")
    if level in ("2d", "3d"):
        return f"{level} (seed {int(f.attrs['seed'])})"
    return level


def value_at(t, y, day, ap, label):
    i = np.flatnonzero(np.isclose(t, day, rtol=0.0, atol=1e-9))
    if i.size == 0:
        ap.error(f"runs labelled '{label}' have no record at day {day:g}")
    return float(y[i[0]])


def print_table(groups, days, references, ap):
    """Markdown: one row per label, collagen induction and firmness gain at each day, mean over its runs."""
    means = {}
    head = "| run | " + " | ".join(f"collagen induction day {d:g}" for d in days) + " | " \
        + " | ".join(f"firmness gain day {d:g}" for d in days) + " |"
    print(head)
    print("|---" * (1 + 2 * len(days)) + "|")
    for label, runs in groups.items():
        cells, m = [], []
        for k in (1, 2):
            for d in days:
                v = [value_at(r[0], r[k], d, ap, label) for r in runs]
                m.append(np.mean(v))
                each = f" ({', '.join(f'{x:.2f}' for x in v)})" if len(v) > 1 else ""
                cells.append(f"{np.mean(v):+.2f} %{each}")
        means[label] = np.array(m)
        print(f"| {label} | " + " | ".join(cells) + " |")
    for ref in references:
        label, _, base = ref.partition("=")
        if not base:
            label, base = None, label
        if base not in means:
            ap.error(f"--reference '{base}' names no label")
        print(f"\nrelative difference from '{base}' (%, same columns):")
        for other, m in means.items():
            if other == base or (label is not None and other != label):
                continue
            rel = 100.0 * (m - means[base]) / np.abs(means[base])
            print(f"| {other} | " + " | ".join(f"{x:+.1f} %" for x in rel) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="citsim HDF5 outputs")
    ap.add_argument("--labels", nargs="+", help="one label per run; equal labels are averaged")
    ap.add_argument("--title", help="figure title")
    ap.add_argument("-o", "--output", default="levels.png", help="image to write (PNG or SVG)")
    ap.add_argument("--days", nargs="+", type=float, default=[],
                    help="also print a Markdown table of both readouts at these days (mean of each label, "
                         "and each run's value), and each label's difference from the label given by --reference")
    ap.add_argument("--reference", action="append", default=[],
                    help="label to compare against in the table (repeatable: LABEL or 'LABEL=REFERENCE' to "
                         "compare LABEL with REFERENCE only)")
    args = ap.parse_args()
    if args.labels and len(args.labels) != len(args.runs):
        ap.error("give one label per run")
    groups = {}  # label -> list of (t, collagen, firmness), in first-seen order
    for i, path in enumerate(args.runs):
        with h5py.File(path, "r") as f:
            label = args.labels[i] if args.labels else default_label(f)
            groups.setdefault(label, []).append(
                (f["time"][:], f["readouts/collagen_induction"][:], f["readouts/firmness_gain"][:]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, runs in groups.items():
        t = runs[0][0]
        if any(len(r[0]) != len(t) or not np.allclose(r[0], t) for r in runs):
            ap.error(f"runs labelled '{label}' have different record times: they cannot be averaged")
        for k, ax in ((1, axes[0]), (2, axes[1])):
            y = np.array([r[k] for r in runs])
            name = f"{label} (mean of {len(runs)})" if len(runs) > 1 else label
            line, = ax.plot(t, y.mean(axis=0), label=name)
            if len(runs) > 1:
                ax.fill_between(t, y.min(axis=0), y.max(axis=0), color=line.get_color(), alpha=0.15, lw=0)
    axes[0].set_ylabel("dermal collagen induction (%)")
    axes[1].set_ylabel("firmness gain (%)")
    for ax in axes:
        ax.set_xlabel("day")
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.legend(fontsize=7)
    if args.title:
        fig.suptitle(args.title, fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output, dpi=130)
    print(f"wrote {args.output}")
    if args.days:
        print_table(groups, args.days, args.reference, ap)
    for label, runs in groups.items():
        end = np.mean([r[1][-1] for r in runs]), np.mean([r[2][-1] for r in runs])
        print(f"{label}: day {runs[0][0][-1]:g}: collagen induction {end[0]:+.2f} %, firmness gain {end[1]:+.2f} %"
              + (f" (mean of {len(runs)})" if len(runs) > 1 else ""))


if __name__ == "__main__":
    main()
