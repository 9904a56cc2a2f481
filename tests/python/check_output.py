#!/usr/bin/python3
"""The HDF5 output contract of `citsim run`, read with the tools researchers use.

    /usr/bin/python3 tests/python/check_output.py <citsim-binary> <source-dir>

Runs citsim on configs/default.toml (1d and 0d, 150 days, all six sessions), twice for
reproducibility, with an older smoking patient (effective parameters), and an untreated config
(zero sessions), then checks every file with h5py and xarray (engine netcdf4): names, shapes,
dimension scales, units and long names, root attributes, parameters, record times, and the
physics a wrong writer or recorder would break (right-continuous outputs at sessions,
pre-treatment reference values, non-negative finite species).

Stops at the first failed check with a message naming it; the last line is always
`N passed, M failed`. Standard library + h5py, numpy, xarray only.
"""

import datetime as _dt
import math
import os
import subprocess
import sys
import tempfile
import tomllib

import h5py
import numpy as np
import xarray as xr

SPECIES = ["D", "B", "N", "M1", "M2", "Cp", "Ca", "T", "F", "Mf", "C3", "C1", "Cx", "E", "P"]
LAYERS = ["papillary", "reticular", "hypodermis", "dermis"]
READOUTS = ["R0", "R2", "R5", "R6", "R7", "firmness_gain", "erythema", "tensile_strength",
            "collagen_induction", "elastin_change", "scar_index"]
SESSION_COLUMNS = ["time", "needle_length", "device", "density", "d_eff", "d_derm",
                   "reached_plexus"]
ROOT_ATTRIBUTES = ["citsim_version", "model_level", "seed", "created", "config",
                   "pre_treatment_R0"]
STRING_DATASETS = {"/sessions/device", "/sessions/sterility"}
INTEGER_DATASETS = {"/sessions/reached_plexus", "/sessions/passes"}
SAMPLE_PARAMETERS = ["lambda_M", "delta_Cp", "sigma_T", "k_tx", "xi", "eta_pen", "D_T"]
DERIVED_PARAMETERS = ["p_C", "p_E", "k_t3"]
TIME_EPS = 1e-9  # record times closer than this are one time [day]


class Failure(Exception):
    pass


class Checks:
    """Counts passed checks; the first failure raises."""

    def __init__(self):
        self.passed = 0
        self.context = ""

    def ok(self, condition, what, detail=""):
        if not condition:
            where = f"[{self.context}] " if self.context else ""
            raise Failure(where + what + (f"\n      {detail}" if detail else ""))
        self.passed += 1


C = Checks()


# ---------------------------------------------------------------------------------------------
# Helpers

def text(value):
    """An HDF5 string attribute as str (h5py gives fixed-length strings as bytes)."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8")
    return str(value)


def close(a, b, rtol=1e-12, atol=0.0):
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                            rtol=rtol, atol=atol))


def worst(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return f"shapes {a.shape} vs {b.shape}"
    if a.size == 0:
        return "empty"
    i = int(np.argmax(np.abs(a - b)))
    return f"largest difference at index {i}: {a.flat[i]!r} vs {b.flat[i]!r}"


def sort_unique(values):
    out = []
    for x in sorted(values):
        if out and abs(x - out[-1]) <= TIME_EPS * max(1.0, abs(x)):
            continue
        out.append(x)
    return out


def multiples(start, step, end):
    out = []
    k = 0
    while True:
        x = start + k * step
        if x > end + TIME_EPS:
            return out
        out.append(min(x, end))
        k += 1


def expected_times(output, sessions, end):
    """Record and profile times as docs/model.md §2 and run.hpp define them."""
    profile = multiples(0.0, output["profile_dt"], end) + list(sessions) + [end]
    profile = sort_unique(profile)
    record = list(profile) + multiples(0.0, output["dt"], end)
    for s in sessions:
        record += multiples(s, output["dense_dt"], min(end, s + output["dense_days"]))
    return np.array(sort_unique(record)), np.array(profile)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def toml_text(table, prefix=""):
    """A small TOML writer for tables of scalars (enough for the sections used here)."""
    lines = []
    subtables = []
    for k, v in table.items():
        if isinstance(v, dict):
            subtables.append((k, v))
        else:
            lines.append(f"{k} = {toml_value(v)}")
    for k, v in subtables:
        name = f"{prefix}.{k}" if prefix else k
        lines.append(f"\n[{name}]")
        lines.append(toml_text(v, name))
    return "\n".join(lines)


def run_citsim(binary, config, out, sets, what, extra=()):
    cmd = [binary, "run", config, "-o", out, "-q", *extra]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    C.ok(p.returncode == 0, f"citsim run ({what}) exits 0",
         f"exit {p.returncode}: {' '.join(cmd)}\n      {p.stderr.strip()}")
    C.ok(p.stdout == "", f"citsim run -q ({what}) prints nothing on stdout", repr(p.stdout[:200]))
    C.ok(os.path.isfile(out), f"citsim run ({what}) writes {out}")
    return out


def parameter_table(binary):
    """name -> (default, unit) from `citsim params`."""
    p = subprocess.run([binary, "params"], capture_output=True, text=True, timeout=60)
    C.ok(p.returncode == 0, "citsim params exits 0", p.stderr)
    table = {}
    for line in p.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3:
            table[parts[0]] = (float(parts[1]), parts[2])
    C.ok(len(table) > 50, "citsim params lists the parameters", f"{len(table)} rows")
    return table


def version_of(binary):
    p = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    C.ok(p.returncode == 0 and p.stdout.startswith("citsim "), "citsim --version", p.stdout)
    return p.stdout.split()[1]


def all_datasets(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out["/" + name] = obj

    f.visititems(visit)
    return out


def is_scale(ds):
    return bool(h5py.h5ds.is_scale(ds.id))


def is_string(ds):
    return h5py.check_string_dtype(ds.dtype) is not None


def expected_dims(path):
    """The dimension names a dataset must carry, by where it lives (None: any)."""
    parts = path.strip("/").split("/")
    if path in ("/time", "/z", "/profile_time"):
        return (parts[0],)
    if parts[0] in ("layers", "readouts"):
        return ("time",)
    if parts[0] == "profiles":
        return ("profile_time", "z")
    if parts[0] == "tissue":
        return ("z",)
    if parts[0] == "sessions":
        return ("session",)
    return None


def overlap_weights(z, top, bottom):
    """Layer-mean weights of cells with centres z (uniform grid), as grid.cpp defines them."""
    if len(z) == 1:
        return np.array([1.0])
    dz = z[1] - z[0]
    lo = np.maximum(z - dz / 2, top)
    hi = np.minimum(z + dz / 2, bottom)
    w = np.maximum(0.0, hi - lo)
    return w / w.sum()


# ---------------------------------------------------------------------------------------------
# The contract, for any run's file

def check_contract(path, spec, params_table, version):
    """Everything the issue promises, checked on one file. `spec` says what run made it."""
    C.context = spec["name"]
    f = h5py.File(path, "r")
    datasets = all_datasets(f)
    sessions = spec["sessions"]
    end = spec["end"]
    n_sessions = len(sessions)

    # --- dimension scales
    for name, units in (("time", "day"), ("z", "mm"), ("profile_time", "day")):
        C.ok(name in f and isinstance(f[name], h5py.Dataset), f"/{name} exists")
        C.ok(f[name].ndim == 1, f"/{name} is 1-D")
        C.ok(is_scale(f[name]), f"/{name} is an HDF5 dimension scale")
        C.ok(text(f[name].attrs.get("units", b"")) == units, f"/{name} units = {units}",
             repr(f[name].attrs.get("units")))
    C.ok("sessions/session" in f and is_scale(f["sessions/session"]),
         "/sessions/session is a dimension scale")
    time = f["time"][:]
    z = f["z"][:]
    ptime = f["profile_time"][:]
    nt, nz, npt = len(time), len(z), len(ptime)

    # --- record times
    t_expect, p_expect = expected_times(spec["output"], sessions, end)
    C.ok(np.all(np.diff(time) > 0), "/time is strictly increasing")
    C.ok(time[0] == 0.0 and abs(time[-1] - end) <= TIME_EPS, f"/time runs from 0 to {end}",
         f"{time[0]} .. {time[-1]}")
    C.ok(nt == len(t_expect) and close(time, t_expect, 0, TIME_EPS),
         "/time = every output.dt, every dense_dt for dense_days after each session, "
         "the profile times and the end",
         f"{nt} times vs {len(t_expect)} expected; " +
         (worst(time, t_expect) if nt == len(t_expect) else
          f"extra {sorted(set(np.round(time, 9)) - set(np.round(t_expect, 9)))[:5]}, "
          f"missing {sorted(set(np.round(t_expect, 9)) - set(np.round(time, 9)))[:5]}"))
    C.ok(npt == len(p_expect) and close(ptime, p_expect, 0, TIME_EPS),
         "/profile_time = every profile_dt, each session and the end",
         f"{ptime} vs {p_expect}")
    C.ok(all(np.min(np.abs(time - t)) <= TIME_EPS for t in ptime),
         "every profile time is a record time")
    for s in sessions:
        C.ok(np.min(np.abs(time - s)) <= TIME_EPS, f"session day {s} is a record time")

    # --- depth
    params = f["parameters"].attrs
    if spec["level"] == "1d":
        n_cells = max(1, int(round(params["z_bottom"] / spec["dz"])))
        C.ok(nz == n_cells, f"/z has round(z_bottom/dz) = {n_cells} cells", f"{nz}")
        C.ok(close(z, (np.arange(nz) + 0.5) * params["z_bottom"] / n_cells, 1e-12, 1e-12),
             "/z holds the cell centres")
    else:
        C.ok(nz == 1, "0d: /z has one point", f"{nz}")
        C.ok(close(z[0], 0.5 * (params["z_papillary"] + params["z_reticular"])),
             "0d: /z is the reticular mid-depth", f"{z}")

    # --- every dataset: units, long name, shape, attached scales
    sizes = {"time": nt, "z": nz, "profile_time": npt, "session": n_sessions}
    for p, ds in sorted(datasets.items()):
        long_name = text(ds.attrs.get("long_name", b""))
        C.ok(long_name != "", f"{p} has a long_name")
        if p in STRING_DATASETS:
            # The type must not depend on the number of rows: readers decode these as text.
            dt = h5py.check_string_dtype(ds.dtype)
            C.ok(dt is not None and dt.length is None,
                 f"{p} is a variable-length string dataset ({n_sessions} rows)",
                 f"dtype is {ds.dtype}" + (
                     "; with zero sessions the empty text column is written as float64 "
                     "(src/io/hdf5_file.cpp infers a dataset's type from which of numbers, "
                     "integers, strings is non-empty)" if n_sessions == 0 else ""))
        if p in INTEGER_DATASETS:
            C.ok(np.issubdtype(ds.dtype, np.integer),
                 f"{p} is an integer dataset ({n_sessions} rows)", f"dtype is {ds.dtype}")
        if not is_string(ds):
            C.ok(text(ds.attrs.get("units", b"")) != "", f"{p} has units")
        elif "units" not in ds.attrs:
            # Contract wording: "every dataset carries units". Text columns carry none: noted.
            spec.setdefault("notes", set()).add(p)
        if is_scale(ds):
            continue
        names = []
        for axis in range(ds.ndim):
            C.ok(len(ds.dims[axis]) == 1, f"{p} axis {axis} has one dimension scale attached",
                 f"{len(ds.dims[axis])} attached")
            names.append(ds.dims[axis][0].name.rsplit("/", 1)[-1])
        want = expected_dims(p)
        if want is not None:
            C.ok(tuple(names) == want, f"{p} has dimensions {want}", f"got {tuple(names)}")
            C.ok(ds.shape == tuple(sizes[d] for d in want), f"{p} has shape of {want}",
                 f"{ds.shape}")

    # --- the promised names
    for layer in LAYERS:
        for s in SPECIES + ["collagen_synthesis", "type3_share"]:
            C.ok(f"/layers/{layer}/{s}" in datasets, f"/layers/{layer}/{s} exists")
    for r in READOUTS:
        C.ok(f"/readouts/{r}" in datasets, f"/readouts/{r} exists")
    for s in SPECIES:
        C.ok(f"/profiles/{s}" in datasets, f"/profiles/{s} exists")
    for col in SESSION_COLUMNS + [f"phi_{l}" for l in LAYERS] + [f"phi_ch_{l}" for l in LAYERS]:
        C.ok(f"/sessions/{col}" in datasets, f"/sessions/{col} exists")

    # --- values
    for layer in LAYERS:
        g = f["layers"][layer]
        for s in SPECIES + ["collagen_synthesis"]:
            a = g[s][:]
            C.ok(np.all(np.isfinite(a)) and np.all(a >= 0), f"/layers/{layer}/{s} finite, >= 0",
                 f"min {np.min(a)}")
        a = g["type3_share"][:]
        C.ok(np.all(np.isfinite(a)) and np.all((a >= 0) & (a <= 1)),
             f"/layers/{layer}/type3_share in [0, 1]")
    for s in SPECIES:
        a = f["profiles"][s][:]
        C.ok(np.all(np.isfinite(a)) and np.all(a >= 0), f"/profiles/{s} finite, >= 0",
             f"min {np.min(a)}")
    for r in READOUTS:
        C.ok(np.all(np.isfinite(f["readouts"][r][:])), f"/readouts/{r} finite")
    ery = f["readouts/erythema"][:]
    C.ok(np.all((ery >= 0) & (ery <= 1)), "erythema in [0, 1]")
    C.ok(np.all(f["readouts/R0"][:] > 0), "R0 > 0")
    C.ok(np.all(f["readouts/tensile_strength"][:] > 0), "tensile_strength > 0")
    scar = f["readouts/scar_index"][:]
    C.ok(np.all(scar >= 0) and np.all(np.diff(scar) >= 0), "scar_index >= 0 and non-decreasing")

    # layer means and profiles agree at the profile times (same state, same times)
    idx = [int(np.argmin(np.abs(time - t))) for t in ptime]
    bounds = {"papillary": (0.0, params["z_papillary"]),
              "reticular": (params["z_papillary"], params["z_reticular"]),
              "hypodermis": (params["z_reticular"], params["z_bottom"]),
              "dermis": (0.0, params["z_reticular"])}
    for layer in LAYERS:
        w = overlap_weights(z, *bounds[layer])
        for s in ("D", "Cp", "F", "C1", "E"):
            prof = f["profiles"][s][:]
            mean = prof @ w
            series = f["layers"][layer][s][:][idx]
            C.ok(close(series, mean, 1e-9, 1e-12 * max(1.0, np.max(np.abs(mean)))),
                 f"/layers/{layer}/{s} at the profile times = depth mean of /profiles/{s}",
                 worst(series, mean))

    # --- root attributes
    attrs = f.attrs
    for a in ROOT_ATTRIBUTES:
        C.ok(a in attrs, f"root attribute {a}")
    C.ok(text(attrs["citsim_version"]) == version, "citsim_version matches --version",
         f"{text(attrs['citsim_version'])} vs {version}")
    C.ok(text(attrs["model_level"]) == spec["level"], f"model_level = {spec['level']}",
         text(attrs["model_level"]))
    C.ok(isinstance(attrs["seed"], (int, np.integer)) and int(attrs["seed"]) == spec["seed"],
         f"seed = {spec['seed']} (an integer)", repr(attrs["seed"]))
    created = text(attrs["created"])
    try:
        stamp = _dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=_dt.timezone.utc)
        age = abs((_dt.datetime.now(_dt.timezone.utc) - stamp).total_seconds())
    except ValueError:
        age = math.inf
    C.ok(age < 3600, "created is a UTC ISO 8601 time of this run", created)
    config = text(attrs["config"])
    C.ok(config.startswith(spec["config_text"]), "config holds the full TOML text",
         config[:120])
    if spec["sets"]:
        tail = config[len(spec["config_text"]):]
        C.ok("# --set overrides" in tail, "config records the --set overrides", tail)
        positions = [tail.find(f"# {s}\n") for s in spec["sets"]]
        C.ok(all(p >= 0 for p in positions) and positions == sorted(positions),
             "config has one '# key=value' line per --set, in order", tail)
    else:
        C.ok(config == spec["config_text"], "config is the TOML text when there is no --set")
    C.ok(text(attrs.get("config_path", b"")) == spec["config_path"], "config_path",
         text(attrs.get("config_path", b"")))
    r0_before = float(attrs["pre_treatment_R0"])
    C.ok(math.isfinite(r0_before) and r0_before > 0, "pre_treatment_R0 > 0")

    # --- parameters
    C.ok("parameters" in f and isinstance(f["parameters"], h5py.Group), "/parameters group")
    for name in SAMPLE_PARAMETERS + DERIVED_PARAMETERS:
        C.ok(name in params, f"/parameters@{name}")
    units = f["parameters/units"].attrs
    for name, (default, unit) in params_table.items():
        C.ok(name in params, f"/parameters@{name} (every parameter of `citsim params`)")
        want = spec.get("parameter_values", {}).get(name, default)
        C.ok(close(params[name], want, 2e-6, 1e-300), f"/parameters@{name} = base value {want}",
             repr(params[name]))
        C.ok(text(units.get(name, b"")) == unit, f"/parameters/units@{name} = {unit}",
             repr(units.get(name)))
    for name in params:
        if name.endswith("_effective"):
            base = name[: -len("_effective")]
            C.ok(base in params_table, f"/parameters@{name} names a parameter")
            C.ok(params[name] != params[base], f"/parameters@{name} differs from the base value")
    for name, value in spec.get("effective", {}).items():
        C.ok(f"{name}_effective" in params, f"/parameters@{name}_effective present")
        C.ok(value(params[name], params[f"{name}_effective"]),
             f"/parameters@{name}_effective is right",
             f"base {params[name]}, effective {params[f'{name}_effective']}")
    for name in spec.get("not_effective", []):
        C.ok(f"{name}_effective" not in params, f"no /parameters@{name}_effective")
    for name in DERIVED_PARAMETERS:
        a = np.atleast_1d(params[name])
        C.ok(a.shape == (nz,), f"/parameters@{name} has one value per depth", f"{a.shape}")
        C.ok(np.all(np.isfinite(a)) and np.all(a >= 0) and np.max(a) > 0,
             f"/parameters@{name} finite, >= 0, not all 0")
        C.ok(np.array_equal(a, f["tissue"][name][:]), f"/parameters@{name} = /tissue/{name}")
    f.close()

    # --- xarray / netCDF: named dimensions without help
    root = xr.open_dataset(path, engine="netcdf4")
    C.ok(dict(root.sizes) == {"time": nt, "z": nz, "profile_time": npt},
         "xarray root: dims time, z, profile_time", f"{dict(root.sizes)}")
    for name, values in (("time", time), ("z", z), ("profile_time", ptime)):
        C.ok(name in root.coords and np.array_equal(root[name].values, values),
             f"xarray root: coordinate {name}")
    C.ok(root["time"].attrs.get("units") == "day", "xarray root: time units day")
    C.ok(root.attrs.get("model_level") == spec["level"], "xarray root: attributes")

    dermis = xr.open_dataset(path, engine="netcdf4", group="layers/dermis")
    for s in SPECIES + ["collagen_synthesis", "type3_share"]:
        C.ok(s in dermis and dermis[s].dims == ("time",), f"xarray layers/dermis/{s} over time")
    C.ok(dermis.sizes["time"] == nt, "xarray layers/dermis: time has the root's length")
    C.ok(dermis["C1"].attrs.get("units") == "mg/cm^3", "xarray layers/dermis/C1 units")
    # the documented one-liner: coordinate values come from the root
    with_time = dermis.assign_coords(time=root["time"])
    C.ok(np.array_equal(with_time["time"].values, time) and
         float(with_time["C1"].sel(time=end).values) == float(dermis["C1"].values[-1]),
         "xarray: assign_coords(time=root.time) gives subgroups time values")

    readouts = xr.open_dataset(path, engine="netcdf4", group="readouts")
    for r in READOUTS:
        C.ok(r in readouts and readouts[r].dims == ("time",), f"xarray readouts/{r} over time")
    C.ok(readouts["R0"].attrs.get("units") == "mm", "xarray readouts/R0 units mm")

    profiles = xr.open_dataset(path, engine="netcdf4", group="profiles")
    for s in SPECIES:
        C.ok(s in profiles and profiles[s].dims == ("profile_time", "z"),
             f"xarray profiles/{s} over (profile_time, z)")
    C.ok(dict(profiles.sizes) == {"profile_time": npt, "z": nz}, "xarray profiles sizes")

    sess = xr.open_dataset(path, engine="netcdf4", group="sessions")
    C.ok(dict(sess.sizes) == {"session": n_sessions}, f"xarray sessions: {n_sessions} rows",
         f"{dict(sess.sizes)}")
    for col in SESSION_COLUMNS:
        C.ok(col in sess and sess[col].dims == ("session",), f"xarray sessions/{col} by session")
    C.ok(np.array_equal(sess["session"].values, np.arange(1, n_sessions + 1)),
         "xarray sessions: session numbers 1..n")
    if n_sessions:
        C.ok([str(x) for x in sess["device"].values] == [spec["device"]] * n_sessions,
             "xarray sessions/device reads as text")
    for ds in (root, dermis, readouts, profiles, sess):
        ds.close()

    # --- sessions (last: the table every treated and untreated file must hold alike)
    f = h5py.File(path, "r")
    datasets = all_datasets(f)
    s = f["sessions"]
    C.ok(np.array_equal(s["session"][:], np.arange(1, n_sessions + 1)),
         "/sessions/session numbers 1..n")
    C.ok(close(s["time"][:], sessions), "/sessions/time are the session days",
         f"{s['time'][:]} vs {sessions}")
    if n_sessions:
        eta = params_table["eta_pen"][0]
        length = s["needle_length"][:]
        d_eff = s["d_eff"][:]
        C.ok(close(length, spec["needle_length"]), "/sessions/needle_length as configured")
        C.ok(close(s["density"][:], spec["density"]), "/sessions/density as configured")
        C.ok(eta == 0.7 and close(d_eff, 0.7 * length), "/sessions/d_eff = 0.7 needle_length (pen)",
             worst(d_eff, 0.7 * length))
        d_derm = np.clip(d_eff - f["parameters"].attrs["epidermis"], 0.0,
                         f["parameters"].attrs["z_bottom"])
        C.ok(close(s["d_derm"][:], d_derm), "/sessions/d_derm = d_eff - epidermis")
        plexus = s["reached_plexus"][:]
        want = (s["d_derm"][:] > f["parameters"].attrs["z_subpapillary"]).astype(int)
        C.ok(set(plexus.tolist()) <= {0, 1} and np.array_equal(plexus, want),
             "/sessions/reached_plexus = 1 where d_derm > z_subpapillary (the plexus)",
             f"{plexus} vs {want}")
        for layer in LAYERS:
            phi = s[f"phi_{layer}"][:]
            phi_ch = s[f"phi_ch_{layer}"][:]
            C.ok(np.all((phi >= 0) & (phi <= 1)) and np.all(phi_ch <= phi + 1e-15)
                 and np.all(phi_ch >= 0), f"/sessions/phi_{layer}, phi_ch_{layer}: 0 <= ch <= phi <= 1")
        C.ok(close(s["phi_dermis"][:], s["phi_dermis"][0]) and s["phi_dermis"][0] > 0,
             "/sessions/phi_dermis > 0 for the identical default sessions")
    for p, ds in sorted(datasets.items()):
        if p.startswith("/sessions/"):
            C.ok(ds.shape == (n_sessions,), f"{p} has one row per session", f"{ds.shape}")
    if n_sessions:
        C.ok([x.decode() if isinstance(x, bytes) else x for x in s["device"][:]]
             == [spec["device"]] * n_sessions, "/sessions/device values")
    for p, ds in sorted(datasets.items()):
        if is_string(ds):
            C.ok(h5py.check_string_dtype(ds.dtype).length is None,
                 f"{p}: string datasets are variable-length")
    f.close()
    C.context = ""


# ---------------------------------------------------------------------------------------------
# Physics the recorder must get right

def check_treated(path, untreated_path, spec):
    """Right-continuous outputs at sessions; readouts relative to the pre-treatment state."""
    C.context = spec["name"] + ", treated"
    f = h5py.File(path, "r")
    u = h5py.File(untreated_path, "r")
    time = f["time"][:]
    sessions = spec["sessions"]
    C.ok(len(sessions) == 6 and list(f["sessions/time"][:]) == [0, 28, 56, 84, 112, 140],
         "6 sessions at days 0, 28, ..., 140 within end_days 150")
    ro = f["readouts"]
    der = f["layers/dermis"]
    rest = {s: u["layers/dermis"][s][0] for s in SPECIES}

    # pre-treatment = the state just before session 1 (day 0): the untreated resting state
    r0_before = float(f.attrs["pre_treatment_R0"])
    C.ok(close(r0_before, u["readouts/R0"][0], 1e-12),
         "pre_treatment_R0 = R0 of the untreated skin at day 0 (state before the first jump)",
         f"{r0_before} vs {u['readouts/R0'][0]}")
    R0 = ro["R0"][:]
    gain = 100.0 * (r0_before - R0) / r0_before
    C.ok(close(ro["firmness_gain"][:], gain, 1e-9, 1e-9),
         "firmness_gain = 100 (R0_before - R0) / R0_before", worst(ro["firmness_gain"][:], gain))
    c_rest = rest["C3"] + rest["C1"] + rest["Cx"]
    c_now = der["C3"][:] + der["C1"][:] + der["Cx"][:]
    induction = 100.0 * (c_now - c_rest) / c_rest
    C.ok(close(ro["collagen_induction"][:], induction, 1e-9, 1e-9),
         "collagen_induction = percent change of dermal C3+C1+Cx from pre-treatment",
         worst(ro["collagen_induction"][:], induction))
    elastin = 100.0 * (der["E"][:] - rest["E"]) / rest["E"]
    C.ok(close(ro["elastin_change"][:], elastin, 1e-9, 1e-9),
         "elastin_change = percent change of dermal E from pre-treatment",
         worst(ro["elastin_change"][:], elastin))

    # day 0 shows the state after session 1's jump
    ery = ro["erythema"][:]
    C.ok(ery[0] > 0 and ery[0] > u["readouts/erythema"][0] + 0.01,
         "erythema at day 0 > 0: the record at a session's time is after its jump",
         f"treated {ery[0]}, untreated {u['readouts/erythema'][0]}")
    C.ok(der["D"][0] > rest["D"] + 1e-6 and der["Cp"][0] > rest["Cp"] + 1e-6,
         "dermal debris and cytokines at day 0 are above rest (post-jump)",
         f"D {der['D'][0]} vs {rest['D']}, Cp {der['Cp'][0]} vs {rest['Cp']}")
    C.ok(ro["tensile_strength"][0] < 1.0, "tensile_strength at day 0 < 1 (injured)",
         f"{ro['tensile_strength'][0]}")
    C.ok(ro["scar_index"][0] == 0.0, "scar_index at day 0 = 0")
    D = der["D"][:]
    Cp = der["Cp"][:]
    for ts in sessions[1:]:
        k = int(np.argmin(np.abs(time - ts)))
        C.ok(D[k] > 2 * D[k - 1] and Cp[k] > Cp[k - 1] and ery[k] > ery[k - 1],
             f"session day {ts}: the record at its time is after the jump",
             f"D {D[k - 1]} -> {D[k]}, Cp {Cp[k - 1]} -> {Cp[k]}, erythema {ery[k - 1]} -> {ery[k]}")
    pt = f["profile_time"][:]
    for ts in sessions:
        k = int(np.argmin(np.abs(pt - ts)))
        prof = f["profiles/D"][k]
        C.ok(np.max(prof) > 1e-3, f"profile at session day {ts} shows the debris of its jump",
             f"max D {np.max(prof)}")
    C.ok(ro["collagen_induction"][-1] > 0, "collagen_induction at the end > 0",
         f"{ro['collagen_induction'][-1]}")
    C.ok(ro["firmness_gain"][-1] > 0, "firmness_gain at the end > 0 (firmer)",
         f"{ro['firmness_gain'][-1]}")
    if spec["level"] == "0d":
        for layer in LAYERS:
            for s in SPECIES:
                C.ok(np.array_equal(f["layers"][layer][s][:], der[s][:]),
                     f"0d: /layers/{layer}/{s} = the one point")
    f.close()
    u.close()
    C.context = ""


def check_untreated(path, spec):
    C.context = spec["name"] + ", untreated"
    f = h5py.File(path, "r")
    C.ok(f["sessions/session"].shape == (0,), "no sessions: a zero-length session dimension")
    ro = f["readouts"]
    C.ok(np.all(ro["firmness_gain"][:] == 0.0), "firmness_gain is 0 before any session",
         f"max |x| {np.max(np.abs(ro['firmness_gain'][:]))}")
    C.ok(np.all(ro["collagen_induction"][:] == 0.0) and np.all(ro["elastin_change"][:] == 0.0),
         "collagen_induction, elastin_change are 0 without sessions")
    C.ok(np.all(ro["scar_index"][:] == 0.0), "scar_index is 0 without sessions")
    C.ok(np.all(ro["tensile_strength"][:] == 1.0), "tensile_strength is 1 without sessions")
    C.ok(float(f.attrs["pre_treatment_R0"]) == ro["R0"][0],
         "pre_treatment_R0 = R0 of the untreated state")
    C.ok(np.all(ro["erythema"][:] < 1e-6), "no erythema without sessions",
         f"max {np.max(ro['erythema'][:])}")
    der = f["layers/dermis"]
    for s in ("F", "C3", "C1", "Cx", "E"):
        a = der[s][:]
        C.ok(np.max(np.abs(a - a[0])) <= 1e-9 * max(1.0, abs(a[0])),
             f"untreated, no aging drift: dermal {s} stays at rest", f"range {np.ptp(a)}")
    f.close()
    C.context = ""


def check_identical(path_a, path_b):
    """The same config twice: every dataset bit-identical, every attribute equal but `created`."""
    C.context = "reproducibility"
    a = h5py.File(path_a, "r")
    b = h5py.File(path_b, "r")
    names_a, names_b = [], []
    a.visit(names_a.append)
    b.visit(names_b.append)
    C.ok(names_a == names_b, "both files hold the same objects in the same order")
    da, db = all_datasets(a), all_datasets(b)
    for p in da:
        x, y = da[p], db[p]
        C.ok(x.dtype == y.dtype and x.shape == y.shape, f"{p}: same type and shape")
        if is_string(x):
            same = list(x[:]) == list(y[:])
        else:
            same = x[()].tobytes() == y[()].tobytes()
        C.ok(same, f"{p}: bit-identical in two runs of the same config")
    for name in [""] + names_a:
        oa = a[name] if name else a
        ob = b[name] if name else b
        for key in oa.attrs:
            if (name == "" and key == "created") or key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                continue
            C.ok(key in ob.attrs and np.array_equal(np.asarray(oa.attrs[key]),
                                                   np.asarray(ob.attrs[key])),
                 f"/{name}@{key}: equal in two runs")
    a.close()
    b.close()
    C.context = ""


# ---------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} <citsim-binary> <source-dir>", file=sys.stderr)
        return 2
    binary = os.path.abspath(argv[1])
    source = os.path.abspath(argv[2])
    default = os.path.join(source, "configs", "default.toml")
    notes = set()
    try:
        with open(default, "rb") as fh:
            default_bytes = fh.read()
        default_text = default_bytes.decode("utf-8")
        cfg = tomllib.loads(default_text)
        output = {"dt": 1.0, "dense_dt": 0.05, "dense_days": 5.0, "profile_dt": 7.0}
        output.update({k: float(v) for k, v in cfg.get("output", {}).items() if k in output})
        dz = float(cfg.get("numerics", {}).get("dz", 0.025))
        seed = int(cfg.get("seed", 1))
        needle = cfg["protocol"]["series"]["needle"]
        C.ok(needle["device"] == "pen" and cfg["protocol"]["series"]["count"] == 6,
             "configs/default.toml: six pen sessions")
        params_table = parameter_table(binary)
        version = version_of(binary)

        with tempfile.TemporaryDirectory(prefix="citsim_check_output_") as tmp:
            common = {"output": output, "dz": dz, "config_path": default,
                      "config_text": default_text, "device": "pen",
                      "needle_length": float(needle["needle_length"]),
                      "density": float(needle["density"])}
            sessions = [28.0 * k for k in range(6)]

            # 1d, all six sessions, 150 days; a non-default seed checks the attribute
            sets_1d = ["protocol.end_days=150", "seed=7"]
            treated = run_citsim(binary, default, os.path.join(tmp, "run.h5"), sets_1d, "1d")
            # again, on one thread: results must not depend on the thread count either
            again = run_citsim(binary, default, os.path.join(tmp, "run_again.h5"), sets_1d,
                               "1d, again with -j 1", extra=["-j", "1"])
            sets_0d = ["protocol.end_days=150", "model.level=0d"]
            zero_d = run_citsim(binary, default, os.path.join(tmp, "run_0d.h5"), sets_0d, "0d")
            sets_old = sets_0d + ["patient.age=60", "patient.smoker=true"]
            older = run_citsim(binary, default, os.path.join(tmp, "run_old_smoker.h5"), sets_old,
                               "0d, age 60, smoker")

            # the same patient, tissue and numerics, no sessions
            untreated_cfg = {k: v for k, v in cfg.items() if k != "protocol"}
            untreated_cfg["protocol"] = {"end_days": 30}
            untreated_text = toml_text(untreated_cfg) + "\n"
            untreated_toml = os.path.join(tmp, "untreated.toml")
            with open(untreated_toml, "w", encoding="utf-8") as fh:
                fh.write(untreated_text)
            untreated = run_citsim(binary, untreated_toml, os.path.join(tmp, "untreated.h5"), [],
                                   "untreated")
            untreated_0d = run_citsim(binary, untreated_toml,
                                      os.path.join(tmp, "untreated_0d.h5"), ["model.level=0d"],
                                      "untreated, 0d")

            leftovers = [n for n in os.listdir(tmp) if ".tmp-" in n]
            C.ok(not leftovers, "no temporary files left after the runs", str(leftovers))

            spec_1d = dict(common, name="1d", level="1d", sessions=sessions, end=150.0, seed=7,
                           sets=sets_1d, not_effective=["lambda_M", "sigma_T", "k_tx"])
            spec_0d = dict(common, name="0d", level="0d", sessions=sessions, end=150.0,
                           seed=seed, sets=sets_0d)
            smoker_sigma = params_table["smoker_sigma"][0]
            spec_old = dict(spec_0d, name="0d age 60 smoker", sets=sets_old, effective={
                # smoking (x smoker_sigma) and age 60 (older fibroblasts respond less)
                "sigma_T": lambda base, eff: 0 < eff < base * smoker_sigma,
                # age 60: the collagen homeostasis falls by age_C_slope per year past age_ref
                "C_reticular": lambda base, eff: abs(eff - base * (1 - 0.006 * 20)) < 1e-9 * base})
            spec_un = dict(common, name="untreated 1d", level="1d", sessions=[], end=30.0,
                           seed=seed, sets=[], config_path=untreated_toml,
                           config_text=untreated_text)
            spec_un0 = dict(spec_un, name="untreated 0d", level="0d", sets=["model.level=0d"])

            check_contract(treated, spec_1d, params_table, version)
            check_treated(treated, untreated, spec_1d)
            check_contract(zero_d, spec_0d, params_table, version)
            check_treated(zero_d, untreated_0d, spec_0d)
            check_contract(older, spec_old, params_table, version)
            check_identical(treated, again)
            check_untreated(untreated, spec_un)
            check_untreated(untreated_0d, spec_un0)
            check_contract(untreated, spec_un, params_table, version)
            check_contract(untreated_0d, spec_un0, params_table, version)
            for spec in (spec_1d, spec_0d, spec_old, spec_un, spec_un0):
                notes |= spec.get("notes", set())
    except (OSError, subprocess.SubprocessError) as e:
        print(f"FAIL: cannot run citsim or read its output: {e}")
        print(f"{C.passed} passed, 1 failed")
        return 1
    except Failure as e:
        print(f"FAIL: {e}")
        print(f"{C.passed} passed, 1 failed")
        return 1
    if notes:
        print("note: string datasets without a units attribute: " + ", ".join(sorted(notes)))
    print(f"{C.passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
