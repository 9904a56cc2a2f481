#!/usr/bin/python3
"""Every preset in configs/presets/ runs and shows what its comment says.

    /usr/bin/python3 tests/python/check_presets.py <citsim-binary> <source-dir> [OUT_DIR]

Runs each preset (into OUT_DIR, default a temporary directory) and checks the teaching claims
the preset files make: the home roller leaves the reticular dermis nearly untouched while the
pen firms it, six sessions beat three, sessions two weeks apart pile up inflammation where four
weeks apart do not, the keloid patient's scar index climbs (with a warning), smoking and sun
exposure cost collagen, every laxity patient starts looser than the reference, and one
session's phases come in order, and the stretch-mark band gains collagen but stays.
Prints one line per check; the last line is `N passed, M failed`.
Standard library + h5py and numpy only.
"""

import glob
import tomllib
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402


class Run:
    """The parts of a run file the checks read."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.time = f["time"][:]
            self.readouts = {k: f["readouts"][k][:] for k in f["readouts"]}
            self.layers = {l: {k: f["layers"][l][k][:] for k in f["layers"][l]} for l in f["layers"]}
            self.sessions = f["sessions/time"][:]
            self.d_derm = f["sessions/d_derm"][:]
            self.z_papillary = float(f["parameters"].attrs["z_papillary"])
            self.warnings = f.attrs["warnings"].decode()
            self.pre_r0 = float(f.attrs["pre_treatment_R0"])
            self.z = f["z"][:]
            self.c_rest = f["tissue/C_rest"][:]
            par = f["parameters"].attrs
            zp, zr, zb = (float(par[k]) for k in ("z_papillary", "z_reticular", "z_bottom"))
            self.bounds = {"papillary": (0.0, zp), "reticular": (zp, zr), "hypodermis": (zr, zb),
                           "dermis": (0.0, zr)}

    def final(self, readout):
        return float(self.readouts[readout][-1])

    def collagen_gain(self, layer):
        """Percent change of a layer's mean total collagen at the end from the resting tissue."""
        L = self.layers[layer]
        c_end = float(L["C3"][-1] + L["C1"][-1] + L["Cx"][-1])
        lo, hi = self.bounds[layer]
        inside = (self.z >= lo) & (self.z < hi)
        return 100.0 * (c_end / float(np.mean(self.c_rest[inside])) - 1.0)

    def peak_after(self, k, what, days):
        """Peak of the dermis mean of `what` (a sum of species) within `days` after session k."""
        s = self.sessions[k]
        w = (self.time >= s) & (self.time <= s + days)
        y = sum(self.layers["dermis"][sp] for sp in what)
        return float(np.max(y[w]))

    def peak_time(self, species, start, days):
        s = self.sessions[start]
        w = (self.time >= s) & (self.time <= s + days)
        y = self.layers["dermis"][species]
        return float(self.time[w][np.argmax(y[w])] - s)


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    citsim, src = sys.argv[1], sys.argv[2]
    tmp = tempfile.TemporaryDirectory(prefix="citsim_presets.") if len(sys.argv) == 3 else None
    out = tmp.name if tmp else sys.argv[3]
    os.makedirs(out, exist_ok=True)

    tally = Tally()
    check = tally.check

    # 1. Every preset runs, and every readout stays finite.
    runs = {}
    presets = sorted(glob.glob(os.path.join(src, "configs", "presets", "*.toml")))
    check(len(presets) >= 14, f"{len(presets)} presets found")
    for p in presets:
        name = os.path.splitext(os.path.basename(p))[0]
        h5 = os.path.join(out, name + ".h5")
        with open(p, "rb") as fh:
            level = tomllib.load(fh).get("model", {}).get("level", "1d")
        # A 2D or 3D preset runs for minutes (a year of 29 000 or 180 000 cells); here it only has
        # to start and stay finite, on a coarse grid for two days. io.fields_xdmf_paraview checks
        # its fields.
        short = ["--set", "protocol.series.count=1", "--set", "protocol.end_days=2", "--set", "numerics.dx=0.1", "--set", "numerics.dz=0.1"] \
            if level in ("2d", "3d") else []
        r = subprocess.run([citsim, "run", p, "-o", h5, "--quiet", *short], capture_output=True, text=True)
        check(r.returncode == 0, f"{name} runs", r.stderr.strip())
        if r.returncode != 0:
            continue
        runs[name] = Run(h5)
        finite = all(np.all(np.isfinite(v)) for v in runs[name].readouts.values())
        check(finite, f"{name}: readouts finite")
    needed = ["single_session", "pen_2mm", "home_roller_0.5mm", "sessions_3", "sessions_6",
              "spacing_2wk", "spacing_4wk", "spacing_6wk", "laxity_aging", "laxity_postpartum",
              "laxity_weight_loss", "keloid_tendency", "smoker", "no_sun_protection"]
    missing = [n for n in needed if n not in runs]
    check(not missing, "all named presets ran", f"missing: {missing}")
    if missing:
        return tally.summary()

    pen, roller = runs["pen_2mm"], runs["home_roller_0.5mm"]

    # 2. The home roller stays in the papillary dermis and barely changes the reticular dermis.
    check(np.all(roller.d_derm < roller.z_papillary), "roller needles never pass the papillary dermis",
          f"d_derm {roller.d_derm} vs z_papillary {roller.z_papillary}")
    g_pen, g_roll = pen.collagen_gain("reticular"), roller.collagen_gain("reticular")
    check(g_pen > 5.0 and g_roll < 0.25 * g_pen,
          "reticular collagen: pen gains > 5 %, roller < a quarter of the pen's",
          f"pen {g_pen:.2f} %, roller {g_roll:.2f} %")
    check(roller.final("firmness_gain") < 0.5 * pen.final("firmness_gain"),
          "roller firms the skin less than half as much as the pen",
          f"{roller.final('firmness_gain'):.2f} vs {pen.final('firmness_gain'):.2f} %")

    # 3. More sessions, more collagen.
    check(runs["sessions_6"].final("collagen_induction") > runs["sessions_3"].final("collagen_induction") + 2.0,
          "six sessions gain clearly more collagen than three",
          f"{runs['sessions_6'].final('collagen_induction'):.2f} vs "
          f"{runs['sessions_3'].final('collagen_induction'):.2f} %")

    # 4. Spacing: two weeks apart accumulates inflammation; four weeks lets it resolve.
    macro = ("M1", "M2")
    two, four, six = runs["spacing_2wk"], runs["spacing_4wk"], runs["spacing_6wk"]
    r2 = two.peak_after(5, macro, 3) / two.peak_after(0, macro, 3)
    r4 = four.peak_after(5, macro, 3) / four.peak_after(0, macro, 3)
    check(r2 > 1.1, "every 2 weeks: macrophage peak after the 6th session > 1.1x the 1st", f"ratio {r2:.3f}")
    check(abs(r4 - 1.0) < 0.1, "every 4 weeks: macrophage peak after the 6th within 10 % of the 1st",
          f"ratio {r4:.3f}")
    check(two.final("firmness_gain") < four.final("firmness_gain"),
          "every 2 weeks ends the year less firm than every 4 weeks",
          f"{two.final('firmness_gain'):.2f} vs {four.final('firmness_gain'):.2f} %")
    check(np.array_equal(np.diff(six.sessions), np.full(5, 42.0)), "spacing_6wk sessions are 42 days apart",
          f"{six.sessions}")

    # 5. Patient presets.
    keloid = runs["keloid_tendency"]
    check(keloid.final("scar_index") > 1.5 * pen.final("scar_index"), "keloid tendency: scar index > 1.5x",
          f"{keloid.final('scar_index'):.1f} vs {pen.final('scar_index'):.1f} d")
    check("keloid" in keloid.warnings, "keloid tendency: the run records a warning", keloid.warnings)
    check(runs["smoker"].final("collagen_induction") < pen.final("collagen_induction") - 1.0,
          "smoker gains less collagen",
          f"{runs['smoker'].final('collagen_induction'):.2f} vs {pen.final('collagen_induction'):.2f} %")
    sun = runs["no_sun_protection"]
    check(sun.collagen_gain("papillary") < pen.collagen_gain("papillary"),
          "no sun protection: less papillary collagen gain",
          f"{sun.collagen_gain('papillary'):.2f} vs {pen.collagen_gain('papillary'):.2f} %")
    for name in ("laxity_aging", "laxity_postpartum", "laxity_weight_loss"):
        check(runs[name].pre_r0 > pen.pre_r0 * 1.05, f"{name}: skin starts looser (larger R0) than the reference",
              f"R0 {runs[name].pre_r0:.4f} vs {pen.pre_r0:.4f} mm")

    # 6. One session: the phases come in order (docs/model.md §7.3).
    one = runs["single_session"]
    peaks = [one.peak_time(s, 0, 60) for s in ("N", "M1", "M2", "F")]
    check(all(a < b for a, b in zip(peaks, peaks[1:])), "single session: N < M1 < M2 < F peaks in order",
          f"peak days {peaks}")

    # 7. Stretch marks: the whole course on a coarse grid (about 5 s of CPU time on one thread).
    sm = os.path.join(out, "stretch-marks-coarse.h5")
    r = subprocess.run([citsim, "run", os.path.join(src, "configs", "presets", "stretch-marks.toml"), "-o", sm,
                        "--quiet", "-j", "1", "--set", "numerics.dx=0.1", "--set", "numerics.dz=0.1",
                        "--set", "output.profile_dt=28"], capture_output=True, text=True)
    if check(r.returncode == 0, "stretch-marks: the whole course runs on a coarse grid", r.stderr.strip()):
        band = striae_band_ratios(sm)
        c0, c1 = band["C"][0], band["C"][-1]
        check(abs(c0[0] / c0[1] - 0.6) < 0.05 and abs(band["E"][0][0] / band["E"][0][1] - 0.3) < 0.05,
              "stretch-marks: at rest the band holds about 60 % of the collagen, 30 % of the elastin",
              f"{c0[0] / c0[1]:.3f}, {band['E'][0][0] / band['E'][0][1]:.3f}")
        check(c1[0] > 1.03 * c0[0] and c1[0] / c1[1] < 0.7,
              "stretch-marks: the band gains collagen but stays (below 70 % of its surroundings)",
              f"band {c0[0]:.1f} -> {c1[0]:.1f}, ratio {c1[0] / c1[1]:.3f}")
        check(band["E"][-1][0] <= band["E"][0][0], "stretch-marks: the band's elastin does not come back",
              f"{band['E'][0][0]:.3f} -> {band['E'][-1][0]:.3f}")

    return tally.summary()


def striae_band_ratios(path):
    """Dermal (0.1-2 mm deep) mean collagen and elastin inside and outside the striae band, at the
    first and last profile time: {"C": [(in, out) at start, (in, out) at end], "E": ...}."""
    with h5py.File(path, "r") as f:
        x, z = f["x"][:], f["z"][:]
        width = float(f["parameters"].attrs["striae_width"])
        span = (x[1] - x[0]) * len(x)
        band = np.abs(x - 0.5 * span) < 0.5 * width
        derm = (z > 0.1) & (z < 2.0)
        fields = {"C": sum(f["fields/" + s][:] for s in ("C3", "C1", "Cx")), "E": f["fields/E"][:]}
    return {k: [(float(v[i][band][:, derm].mean()), float(v[i][~band][:, derm].mean())) for i in (0, -1)]
            for k, v in fields.items()}


if __name__ == "__main__":
    sys.exit(main())
