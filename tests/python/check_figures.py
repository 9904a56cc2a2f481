#!/usr/bin/python3
"""The figure scripts (scripts/figures/citsim_plot.py) on real runs and on a synthetic sweep file.

    /usr/bin/python3 tests/python/check_figures.py <citsim-binary> <source-dir>

Runs a short 1D and a 0D single session, then checks that every figure is written as a PNG that
is not blank and an SVG, that the numbers behind them are right (healing phases in order and
where the species say, the depth map zero below the needles' reach, the sweep grid equal to the
function the synthetic file was made from, averaged over replicates, with empty cells empty),
that the animation's frames differ, and that wrong input stops with a message naming it.
Prints one line per check; the last line is `N passed, M failed`.
"""

import io
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr

import h5py
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402

TALLY = Tally()
check = TALLY.check


def stops(fn, *args):
    """The message of the SystemExit that fn(*args) raises, or None if it returns."""
    try:
        with redirect_stderr(io.StringIO()):
            fn(*args)
    except SystemExit as e:
        return str(e)
    return None


def image_ok(path):
    """A PNG that decodes and is not one flat colour."""
    with Image.open(path) as im:
        a = np.asarray(im.convert("L"), dtype=float)
    return a.size > 10000 and a.std() > 5.0


def write_sweep(path, with_names=True):
    """A synthetic sweep in the planned layout: x in {1,2,3}, y in {10,20,30,40}, two replicates
    (a third parameter r = +-1) whose outcome offsets cancel; cell (x=3, y=40) never ran, and one
    extra run at (1, 10) failed (NaN outcome)."""
    rows, outs = [], []
    for x in (1.0, 2.0, 3.0):
        for y in (10.0, 20.0, 30.0, 40.0):
            if (x, y) == (3.0, 40.0):
                continue
            for r in (-1.0, 1.0):
                rows.append((x, y, r))
                outs.append((x * y + r, x - y))
    rows.append((1.0, 10.0, 0.0))
    outs.append((np.nan, np.nan))
    with h5py.File(path, "w") as f:
        p = f.create_dataset("sweep/params", data=np.array(rows))
        o = f.create_dataset("sweep/outcomes", data=np.array(outs))
        if with_names:
            p.attrs["names"] = np.array(["x", "y", "replicate"], dtype=h5py.string_dtype())
            o.attrs["names"] = np.array(["firmness_gain_d365", "other"], dtype=h5py.string_dtype())


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    citsim, src = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.join(src, "scripts", "figures"))
    import citsim_plot as cp

    tmp = tempfile.TemporaryDirectory(prefix="citsim_figures.")
    out = tmp.name
    preset = os.path.join(src, "configs", "presets", "single_session.toml")
    short = ["--set", "protocol.end_days=30", "--set", "numerics.dz=0.05", "--set", "output.profile_dt=2"]
    one_d, zero_d = os.path.join(out, "one.h5"), os.path.join(out, "zero.h5")
    for path, extra in ((one_d, []), (zero_d, ["--set", "model.level=0d"])):
        r = subprocess.run([citsim, "run", preset, "-o", path, "--quiet", *short, *extra],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"citsim run {os.path.basename(path)}", r.stderr)
        if r.returncode != 0:
            return TALLY.summary()
    run, run0 = cp.load_run(one_d), cp.load_run(zero_d)

    # 1. Every figure: PNG (not blank) and SVG.
    figures = {"timeline": lambda: cp.timeline(run), "wave": lambda: cp.wave(run, 1, 28),
               "heatmap": lambda: cp.heatmap(run), "compare": lambda: cp.compare([run, run0]),
               "timeline_0d": lambda: cp.timeline(run0), "wave_0d": lambda: cp.wave(run0, 1, 28)}
    for name, make in figures.items():
        written = cp.save(make(), os.path.join(out, "fig", name))
        png = [w for w in written if w.endswith(".png")]
        svg = [w for w in written if w.endswith(".svg")]
        check(len(png) == 1 and image_ok(png[0]), f"{name}: PNG drawn")
        check(len(svg) == 1 and open(svg[0]).read(200).lstrip().startswith("<?xml"), f"{name}: SVG written")
        check(not any(f.endswith(".tmp.png") for f in os.listdir(os.path.join(out, "fig"))),
              f"{name}: no temporary file left")

    # 2. Healing phases: the switch is where M2 first outnumbers M1, before proliferation ends.
    switch, prolif_end = cp.healing_phases(run, 1, 28)
    d, t = run.layers["dermis"], run.time
    check(switch is not None and prolif_end is not None and 0 < switch < prolif_end,
          "phases: 0 < macrophage switch < end of proliferation", f"{switch}, {prolif_end}")
    if switch is not None:
        i = int(np.searchsorted(t, switch))
        check(d["M2"][i] > d["M1"][i] and np.all(d["M2"][1:i] <= d["M1"][1:i]),
              "phases: M2 <= M1 before the switch and M2 > M1 at it")
    msg = stops(cp.wave, run, 2, 28)
    check(msg is not None and "no session 2" in msg, "phases: a session the run lacks is refused", str(msg))

    # 3. Depth map: at day 0 the channels removed collagen near the surface and nothing below
    #    the needles' reach; 0D runs are refused.
    gain = cp.collagen_gain_map(run)
    with h5py.File(one_d) as f:
        reach = float(f["sessions/d_derm"][0])
    deep = run.z > reach + 0.05
    check(deep.any() and np.max(np.abs(gain[0, deep])) < 1e-9, "depth map: zero below the needles at day 0",
          f"max |gain| {np.max(np.abs(gain[0, deep])):.3g} %")
    check(np.all(gain[0, run.z < 0.5 * reach] < 0), "depth map: collagen lost in the channels at day 0")
    msg = stops(cp.collagen_gain_map, run0)
    check(msg is not None and "1D" in msg, "depth map: a 0D run is refused by name", str(msg))
    msg = stops(cp.animate, run0, os.path.join(out, "zero.gif"))
    check(msg is not None and "1D" in msg, "animation: a 0D run is refused by name", str(msg))

    # 4. Sweep heatmap on a synthetic file in the planned layout.
    sw = os.path.join(out, "sweep.h5")
    write_sweep(sw)
    xs, ys, grid, count = cp.sweep_grid(sw, "firmness_gain_d365", "x", "y")
    check(list(xs) == [1, 2, 3] and list(ys) == [10, 20, 30, 40], "sweep: axes are the distinct values")
    expected = np.outer(ys, xs)
    expected[3, 2] = np.nan
    check(np.allclose(grid, expected, equal_nan=True), "sweep: grid = x*y, replicates averaged, empty cell NaN",
          f"{grid}")
    check(count[0, 0] == 2 and count[3, 2] == 0, "sweep: failed (NaN) runs do not count", f"{count}")
    xs2, ys2, grid2, _ = cp.sweep_grid(sw, "other", "y", "x")
    check(grid2.shape == (3, 4) and grid2[1, 2] == 2.0 - 30.0, "sweep: axes swap, second outcome column")
    written = cp.save(cp.sweep(sw, "firmness_gain_d365", "x", "y"), os.path.join(out, "fig", "sweep"))
    check(image_ok(written[0]), "sweep: PNG drawn")
    msg = stops(cp.sweep_grid, sw, "firmness_gain_d365", "x", "k_tx")
    check(msg is not None and "k_tx" in msg and "replicate" in msg, "sweep: unknown parameter named, known listed", str(msg))
    msg = stops(cp.sweep_grid, sw, "R0", "x", "y")
    check(msg is not None and "R0" in msg and "firmness_gain_d365" in msg, "sweep: unknown outcome named", str(msg))
    write_sweep(sw, with_names=False)
    msg = stops(cp.sweep_grid, sw, "firmness_gain_d365", "x", "y")
    check(msg is not None and "names" in msg, "sweep: missing column names refused", str(msg))
    msg = stops(cp.sweep_grid, one_d, "firmness_gain_d365", "x", "y")
    check(msg is not None and "not a sweep file" in msg, "sweep: a run file is refused", str(msg))

    # 4b. A sweep file as citsim sweep writes it: the axes and the colour bar carry units.
    real = os.path.join(out, "needle_density.h5")
    subprocess.run([citsim, "sweep", os.path.join(src, "configs", "sweeps", "needle_density.toml"), "--set",
                    "model.level=0d", "--set", "protocol.end_days=60", "--set", "protocol.series.count=2",
                    "-o", real, "-q", "-j", "1"], check=True, stdin=subprocess.DEVNULL)
    fig = cp.sweep(real, "final_firmness_gain", "needle_length", "density")
    labels = [fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel(), fig.axes[1].get_ylabel()]
    check(labels == ["needle_length (mm)", "density (channels/cm²)", "final_firmness_gain (%)"],
          "sweep: axes and colour bar of a real sweep file carry units", str(labels))
    check(image_ok(cp.save(fig, os.path.join(out, "fig", "sweep_real"))[0]), "sweep: a real sweep file drawn")

    # 5. Animation: one frame per profile time (at most 40), and the frames change.
    gif = cp.animate(run, os.path.join(out, "profile.gif"))[0]
    with Image.open(gif) as im:
        n = im.n_frames
        first = np.asarray(im.convert("L"), dtype=float)
        im.seek(n - 1)
        last = np.asarray(im.convert("L"), dtype=float)
    check(n == min(run.profile_time.size, 40), "animation: one frame per profile time",
          f"{n} frames, {run.profile_time.size} profiles")
    check(np.mean(np.abs(first - last) > 0) > 0.002, "animation: the picture changes over time")

    # 6. The command line: a file that is not a run is refused with its name.
    bad = os.path.join(out, "not_a_run.h5")
    with h5py.File(bad, "w") as f:
        f["x"] = 1
    r = subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts", "figures", "citsim_plot.py"),
                        "timeline", bad], capture_output=True, text=True)
    check(r.returncode != 0 and bad in r.stderr and "not a citsim run" in r.stderr,
          "CLI: a file that is not a run is refused by name", r.stderr.strip())

    # 7. The validation figures' helpers (scripts/plot_single_session.py, scripts/plot_levels.py).
    sys.path.insert(0, os.path.join(src, "scripts"))
    import plot_single_session
    rest = os.path.join(out, "rest.h5")
    subprocess.run([citsim, "run", os.path.join(src, "configs", "validation", "untreated.toml"), "-o", rest,
                    "-q", "--set", "protocol.end_days=30", "--set", "model.aging_drift=false",
                    "--set", "numerics.dz=0.05"], check=True, stdin=subprocess.DEVNULL)
    with h5py.File(rest) as f:
        s_rest = plot_single_session.resting_dermis_mean(f, "S_rest")
        s_run = f["layers/dermis/collagen_synthesis"][:]
    check(np.allclose(s_run, s_rest, rtol=1e-9, atol=0.0),
          "single session: the resting synthesis is the dermis mean of an untreated run",
          f"{s_rest} against {s_run[0]}")
    r = subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts", "plot_levels.py"), one_d, zero_d,
                        "--days", "10", "30", "--reference", "0d", "-o", os.path.join(out, "levels.png")],
                       capture_output=True, text=True)
    rows = {}  # the first row of each label: the table (the differences follow it)
    for line in r.stdout.splitlines():
        if line.startswith("| 1d") or line.startswith("| 0d"):
            rows.setdefault(line.split("|")[1].strip(), line)
    want = [f"{run.readouts['collagen_induction'][np.searchsorted(run.time, d)]:+.2f} %" for d in (10, 30)]
    check(r.returncode == 0 and image_ok(os.path.join(out, "levels.png")) and "1d" in rows
          and all(w in rows["1d"] for w in want), "levels: the table holds the readouts at the days asked",
          r.stdout + r.stderr)
    r = subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts", "plot_levels.py"), one_d,
                        "--days", "12.3", "-o", os.path.join(out, "levels.png")], capture_output=True, text=True)
    check(r.returncode != 0 and "no record at day 12.3" in r.stderr, "levels: a day without a record is refused",
          r.stderr.strip())

    return TALLY.summary()


if __name__ == "__main__":
    sys.exit(main())
