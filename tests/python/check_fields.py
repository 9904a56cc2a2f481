#!/usr/bin/python3
"""2D and 3D output contract: /fields over (profile_time, x[, y], z) whose lateral means are
/profiles, /channels per session, an XDMF sidecar that references only datasets that exist with
the shapes it states, and ParaView (pvpython) reading every field at two times with the values
h5py reads; the histology script renders a picture.

    /usr/bin/python3 tests/python/check_fields.py CITSIM SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import h5py
import numpy as np
from PIL import Image

SPECIES = ["D", "B", "N", "M1", "M2", "Cp", "Ca", "T", "F", "Mf", "C3", "C1", "Cx", "E", "P"]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(citsim, src, level, out, extra):
    cmd = [citsim, "run", os.path.join(src, "configs/default.toml"), "-o", out, "--quiet",
           "--set", f"model.level={level}", "--set", "protocol.series.count=2",
           "--set", "protocol.end_days=35", "--set", "numerics.dz=0.1", "--set", "numerics.dx=0.1",
           "--set", "output.profile_dt=14", "--set", "protocol.series.needle.density=1500"] + extra
    subprocess.run(cmd, check=True)


def check_xdmf(xmf, h5):
    """Every HDF DataItem names an existing dataset of the stated shape; returns the times."""
    tree = ET.parse(xmf)
    times = [float(t.get("Value")) for t in tree.iter("Time")]
    with h5py.File(h5, "r") as f:
        check(np.allclose(times, f["profile_time"][:]), f"{xmf}: times differ from /profile_time")
        n = 0
        for item in tree.iter("DataItem"):
            if item.get("Format") != "HDF":
                continue
            n += 1
            fname, dset = item.text.strip().split(":")
            check(fname == os.path.basename(h5), f"{xmf}: references {fname}")
            check(dset in f, f"{xmf}: references missing {dset}")
            if dset in f:
                shape = tuple(int(s) for s in item.get("Dimensions").split())
                check(shape == f[dset].shape, f"{xmf}: {dset} stated {shape}, file {f[dset].shape}")
        check(n == len(times) * len(SPECIES), f"{xmf}: {n} HDF items")
    return times


def check_paraview(xmf, h5, times):
    pvpython = shutil.which("pvpython")
    check(pvpython is not None, "pvpython not found (Debian package python3-paraview; scripts/setup.sh installs it)")
    if pvpython is None:
        return
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pv_read_xdmf.py")
    cmd = [pvpython, "--force-offscreen-rendering", script, xmf] + [repr(t) for t in times]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0 and shutil.which("xvfb-run"):
        p = subprocess.run(["xvfb-run", "-a"] + cmd, capture_output=True, text=True, timeout=600)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("JSON:")]
    check(p.returncode == 0 and line, f"pvpython failed: {p.stderr[-2000:]}")
    if not line:
        return
    pv = json.loads(line[0][5:])
    with h5py.File(h5, "r") as f:
        check(np.allclose(pv["timesteps"], f["profile_time"][:]), "ParaView time steps differ")
        pt = list(f["profile_time"][:])
        for t in times:
            got = pv["fields"][repr(t)]
            k = pt.index(t)
            check(sorted(got) == sorted(SPECIES), f"ParaView arrays at {t}: {sorted(got)}")
            for s in SPECIES:
                ref = f["fields/" + s][k].ravel()
                check(np.array_equal(np.asarray(got[s]), ref), f"ParaView {s} at t={t} differs from h5py")


def main():
    citsim, src = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="citsim-fields-")
    try:
        for level, extra in (("2d", ["--set", "tissue.width_2d=1.5",
                                     "--set", "tissue.striae_width=0.3"]),
                             ("3d", ["--set", "tissue.width_3d=0.6"])):
            h5 = os.path.join(tmp, level + ".h5")
            run(citsim, src, level, h5, extra)
            xmf = os.path.join(tmp, level + ".xmf")
            check(os.path.exists(xmf), f"{level}: no XDMF sidecar")
            with h5py.File(h5, "r") as f:
                ml = f.attrs["model_level"]
                check((ml.decode() if isinstance(ml, bytes) else ml) == level, f"{level}: model_level attribute")
                nt, nx, nz = len(f["profile_time"]), len(f["x"]), len(f["z"])
                shape = (nt, nx, len(f["y"]), nz) if level == "3d" else (nt, nx, nz)
                for s in SPECIES:
                    d = f["fields/" + s]
                    check(d.shape == shape, f"{level}: /fields/{s} shape {d.shape}, expected {shape}")
                    check(d.chunks is not None and d.compression == "gzip", f"{level}: /fields/{s} not chunked+compressed")
                    v = d[:]
                    check(np.all(v >= 0.0), f"{level}: /fields/{s} negative")
                    lateral = v.mean(axis=tuple(range(1, v.ndim - 1)))
                    check(np.allclose(lateral, f["profiles/" + s][:], rtol=1e-12, atol=1e-14),
                          f"{level}: /profiles/{s} is not the lateral mean of /fields/{s}")
                sess = f["channels/session"][:]
                check(set(sess.astype(int)) <= {1, 2} and len(sess) > 0, f"{level}: /channels/session {sess}")
                xs = f["channels/x"][:]
                check(np.all((xs >= 0) & (xs < nx * (f["x"][1] - f["x"][0]) + 1e-12)), f"{level}: channel x out of the domain")
                check(("channels/y" in f) == (level == "3d"), f"{level}: /channels/y presence")
                # Channels at new places every session.
                if np.sum(sess == 1) and np.sum(sess == 2):
                    check(not np.array_equal(xs[sess == 1][:1], xs[sess == 2][:1]), f"{level}: same channels twice")
                ts = f["readouts/tensile_strength"][:]
                check(ts.min() < 0.9, f"{level}: channel-core tensile strength never falls ({ts.min()})")
                if level == "2d":
                    # The striae band in the middle has less collagen before treatment.
                    # (channels made at day 0 may cut either: compare the band's best with the median)
                    c0 = f["fields/C1"][0] + f["fields/C3"][0] + f["fields/Cx"][0]
                    band = np.abs(f["x"][:] - 0.75) < 0.15
                    inside, outside = c0[band, 5].max(), np.median(c0[~band, 5])
                    check(inside < 0.7 * outside, f"2d: no striae band ({inside} vs {outside})")
            times = check_xdmf(xmf, h5)
            check_paraview(xmf, h5, [times[0], times[-1]])
            png = os.path.join(tmp, level + ".png")
            subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts/histology.py"), h5, "-o", png],
                           check=True, capture_output=True)
            check(os.path.getsize(png) > 10000, f"{level}: histology picture missing or empty")
            # Profiles every 14 days: day 3 is not recorded. It is shown at day 0, said on stderr,
            # and day 0 is not drawn twice (it once was, without a word).
            png3 = os.path.join(tmp, level + "-days.png")
            p = subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts/histology.py"), h5, "-o", png3,
                                "--days", "0", "3", "28"], capture_output=True, text=True)
            check(p.returncode == 0 and "day 3 is not recorded" in p.stderr and "every 14 days" in p.stderr
                  and "already shown for day 0: shown once" in p.stderr,
                  f"{level}: histology does not say that day 3 is not recorded: {p.stderr}")
            png2 = os.path.join(tmp, level + "-two.png")
            subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts/histology.py"), h5, "-o", png2,
                            "--days", "0", "28"], check=True, capture_output=True)
            with Image.open(png2) as a, Image.open(png3) as b:
                check(a.size == b.size, f"{level}: --days 0 3 28 drew day 0 twice ({b.size}, two panels: {a.size})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("fields, channels, XDMF and ParaView: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
