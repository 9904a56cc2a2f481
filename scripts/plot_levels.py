#!/usr/bin/python3
"""Compare runs of different levels (0D, 1D, 2D, 3D): collagen induction and firmness gain over time.

    /usr/bin/python3 scripts/plot_levels.py results/default.h5 results/cross-section.h5 -o levels.png

Each file is labelled by its model level and seed (2D/3D) unless --labels are given. Reads only
the documented file format (docs/file-format.md).
"""
import argparse

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="citsim HDF5 outputs")
    ap.add_argument("--labels", nargs="+", help="one label per run")
    ap.add_argument("-o", "--output", default="levels.png", help="image to write (PNG or SVG)")
    args = ap.parse_args()
    if args.labels and len(args.labels) != len(args.runs):
        ap.error("give one label per run")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for i, path in enumerate(args.runs):
        with h5py.File(path, "r") as f:
            level = f.attrs["model_level"]
            level = level.decode() if isinstance(level, bytes) else str(level)
            label = args.labels[i] if args.labels else (
                f"{level} (seed {int(f.attrs['seed'])})" if level in ("2d", "3d") else level)
            t = f["time"][:]
            axes[0].plot(t, f["readouts/collagen_induction"][:], label=label)
            axes[1].plot(t, f["readouts/firmness_gain"][:], label=label)
    axes[0].set_ylabel("dermal collagen induction (%)")
    axes[1].set_ylabel("firmness gain (%)")
    for ax in axes:
        ax.set_xlabel("day")
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=130)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
