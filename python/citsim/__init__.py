"""citsim from Python: run a config or a sweep and get an xarray.Dataset; read their files the same way.

    import citsim
    ds = citsim.run("configs/default.toml", set={"patient.age": 60})
    ds.firmness_gain.plot()                      # readouts are variables over time
    ds.C1.sel(layer="dermis").plot()             # layer means over (layer, time)
    sw = citsim.sweep("configs/sweeps/needle_density.toml", set={"model.level": "0d"})
    sw.final_firmness_gain.plot()                # outcomes over (needle_length, density)
    citsim.params()                              # the parameter table (pandas DataFrame)
    citsim.validate()                            # every calibration target against the model
    fit = citsim.calibrate(free=["mu_M", "k_12"])  # fit parameters to the targets

`run` returns what `citsim run` writes to its HDF5 file, built from the same contents (no file is
written), and `open_run(path)` reads such a file into the same Dataset; `sweep` runs a spec as
`citsim sweep` does and `open_sweep(path)` reads that command's file into the same Dataset.
docs/python.md gives the mapping from the files' paths to the Datasets' names. Ctrl-C stops a
run, a sweep, a validation or a calibration within a split step and raises KeyboardInterrupt.
"""

import math
import os
import tempfile

import numpy as np
import xarray as xr

from . import _citsim
from ._citsim import ConfigError, IoError, NumericalError  # noqa: F401  (part of the API)
from ._hdf5_values import SCALE_ATTRS as _SCALE_ATTRS, attr_value as _attr_value, text as _text
from ._sweep import sweep_dataset as _sweep_dataset

__version__ = _citsim.__version__
__all__ = ["run", "open_run", "sweep", "open_sweep", "params", "validate", "ConfigError", "NumericalError",
           "IoError"]

# Where the configs shipped with citsim are (configs/validation for validate()): the source tree
# of the build, or CITSIM_DATA_DIR.
_DATA_DIR = os.environ.get("CITSIM_DATA_DIR", _citsim.data_dir)


def _toml_value(value, key):
    """A Python value as the TOML text of --set (numbers, booleans, strings, lists of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"set: key '{key}' = {value}: must be a finite number")
        return repr(float(value))
    if isinstance(value, str):
        import tomli_w
        return tomli_w.dumps({"v": value})[len("v = "):].strip()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    raise TypeError(f"set: key '{key}' = {value!r}: give a number, a bool, a string or a list of them")


def _overrides(set, unset=None):
    """--unset (first, in order) and --set as the library takes them."""
    if isinstance(unset, str):
        unset = [unset]
    edits = [f"unset {key}" for key in (unset or [])]
    if set is None:
        return edits
    if not isinstance(set, dict):
        raise TypeError("set must be a dict of dotted keys, e.g. {'patient.age': 60}")
    return edits + [f"{key}={_toml_value(value, key)}" for key, value in set.items()]


def _config_source(config, what="config"):
    """(path, text, name) for _citsim: a path to a TOML file, or a dict in the TOML layout."""
    if isinstance(config, dict):
        import tomli_w
        return None, tomli_w.dumps(config), f"<{what} dict>"
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such {what} file")
        return path, None, ""
    raise TypeError(f"{what} must be a path to a TOML file or a dict in the TOML layout")


def run(config, set=None, threads=None, unset=None, bands=False, ensemble=None):
    """Run a config (a path, or a dict in the TOML layout of configs/default.toml) and return the
    run as an xarray.Dataset, in memory. `set` is a dict of dotted keys as `citsim run --set`
    takes them ({"model.parameters.k_tx": 0.001}); `unset` a key or a list of keys the config
    gives, removed first (`--unset`); `threads` as `-j`. With `bands=True` and `ensemble` (an
    ensemble file, docs/uncertainty.md) the config also runs once per member, as `citsim run
    --bands --ensemble` does: `bands_<readout>` over (quantile, time), `bands_end_values_<readout>`
    over member. Bad input raises ValueError (citsim.ConfigError) naming the key, the value and
    what is allowed."""
    if bands and ensemble is None:
        raise ValueError("bands=True needs ensemble=PATH, a parameter ensemble file (docs/uncertainty.md)")
    if ensemble is not None and not bands:
        raise ValueError("ensemble= is for bands=True")
    path, text, name = _config_source(config)
    contents = _citsim.run(path, text, name, _overrides(set, unset), threads,
                           os.fspath(ensemble) if bands else None)
    return _dataset(contents)


def open_run(path):
    """Read a file written by `citsim run` into the Dataset `run` returns."""
    import h5py
    with h5py.File(path, "r") as f:
        if "time" not in f or "readouts" not in f:
            raise ValueError(f"{path}: not a citsim run file (no /time or /readouts)")
        return _dataset(_contents_of_file(f))


def sweep(spec, set=None, threads=None, unset=None):
    """Run a sweep spec (a path, or a dict in the TOML layout of configs/sweeps/*.toml) as `citsim
    sweep` does and return its file as an xarray.Dataset (the layout `open_sweep` describes).
    `set` and `unset` change the base config of every run (`--set`, `--unset`); `threads` as `-j`
    (default: all cores; results do not depend on it). A dict's `base` is relative to the working
    directory, a file's to the file. The runs go to a temporary file, which is read and removed:
    nothing stays on disk. Bad specs raise citsim.ConfigError naming the key, the value and what is
    allowed; a run that fails is a result (`status` 2, its `message`), not an exception."""
    path, text, name = _config_source(spec, "sweep spec")
    with tempfile.TemporaryDirectory(prefix="citsim-sweep-") as tmp:
        out = os.path.join(tmp, "sweep.h5")
        _citsim.sweep(path, text, name, _overrides(set, unset), threads, out)
        return open_sweep(out)


def open_sweep(path):
    """Read a file written by `citsim sweep` (or `citsim merge`, or a shard) into a Dataset: a
    whole grid over one dimension per axis, any other design over `run`; outcomes, the kept
    readouts over time, status and message as variables (docs/python.md)."""
    import h5py
    with h5py.File(path, "r") as f:
        return _sweep_dataset(f, os.fspath(path))


def params():
    """The parameter table as a pandas DataFrame indexed by name: value (the built-in fitted value
    where there is one), unit, group, allowed min and max, the model's default and the source."""
    import pandas as pd
    return pd.DataFrame(_citsim.params()).set_index("name")


def validate(targets=None, scenarios=None, set=None):
    """Evaluate every calibration target (default: configs/validation/targets.toml of citsim) and
    return a pandas DataFrame, a row a target: value, interval, pass, note and source. Takes the
    scenario runs of `citsim validate` (about a minute)."""
    import pandas as pd
    if targets is None:
        targets = os.path.join(_DATA_DIR, "configs", "validation", "targets.toml")
    targets = os.fspath(targets)
    if scenarios is None:
        scenarios = os.path.dirname(os.path.abspath(targets))
    return pd.DataFrame(_citsim.validate(targets, os.fspath(scenarios), _overrides(set))).set_index("target")


def calibrate(targets=None, scenarios=None, free=None, max_evals=300, starts=1, seed=1, set=None,
              unset=None, threads=None, output=None):
    """Fit free parameters to calibration targets as `citsim calibrate` does (NLopt BOBYQA within
    each parameter's range) and return the fit: `.parameters` (a DataFrame indexed by parameter:
    start, fitted, unit, lo, hi, log_scale), `.targets` (value, interval and pass at the fit),
    `.loss`, `.start_loss`, `.evaluations`. `free` is a list of "NAME" or "NAME:LO:HI" as --free
    takes them (default: the calibrated set of docs/model.md §3); `set`/`unset` change every
    scenario; `threads` as `-j` (the fit does not depend on it); `output` a path to write the
    parameter table to (use it with model.parameter_file). Ctrl-C stops it within a split step."""
    import types
    import pandas as pd
    if targets is None:
        targets = os.path.join(_DATA_DIR, "configs", "validation", "targets.toml")
    targets = os.fspath(targets)
    if scenarios is None:
        scenarios = os.path.dirname(os.path.abspath(targets))
    if isinstance(free, str):
        free = [free]
    fit = _citsim.calibrate(targets, os.fspath(scenarios), list(free or []), int(max_evals), int(starts),
                            int(seed), _overrides(set, unset), threads,
                            None if output is None else os.fspath(output))
    return types.SimpleNamespace(
        parameters=pd.DataFrame(fit["parameters"]).set_index("parameter"),
        targets=pd.DataFrame(fit["targets"]).set_index("target"),
        loss=fit["loss"], start_loss=fit["start_loss"], evaluations=fit["evaluations"])


# ------------------------------------------------------------------------------------------------
# File contents -> Dataset. The contents are (dimensions, datasets, group attributes) with HDF5
# paths, from _citsim.run or from a file; one mapping serves both.

def _contents_of_file(f):
    import h5py
    dims, sets, groups = [], [], {}

    def attrs_of(obj):
        return {k: _attr_value(v) for k, v in obj.attrs.items() if k not in _SCALE_ATTRS}

    def visit(name, obj):
        path = "/" + name
        if isinstance(obj, h5py.Group):
            if len(obj.attrs):
                groups[path] = attrs_of(obj)
            for key in obj.keys():  # creation order where the file tracks it (layers in depth order)
                visit(f"{name}/{key}", obj[key])
            return
        if _text(obj.attrs.get("CLASS", b"")) == "DIMENSION_SCALE":
            dims.append((path, obj[()], attrs_of(obj)))
            return
        dim_paths = [f[ref[0]].name for ref in obj.attrs["DIMENSION_LIST"]] if "DIMENSION_LIST" in obj.attrs else []
        values = obj[()]
        if values.dtype.kind in "SO":
            values = [_text(x) for x in values.ravel()]
        else:
            values = values.ravel()
        sets.append((path, dim_paths, values, attrs_of(obj)))

    for key in f.keys():
        visit(key, f[key])
    groups["/"] = attrs_of(f)
    return {"dimensions": dims, "datasets": sets, "groups": groups}


def _leaf(path):
    return path.rstrip("/").rsplit("/", 1)[-1]


def _variable_name(path):
    """/readouts/R0 -> R0; /layers/<layer>/<var> -> <var> (stacked over `layer`); any other
    /group/name -> group_name (/tissue/v -> tissue_v, /sessions/time -> sessions_time)."""
    parts = path.strip("/").split("/")
    if parts[0] == "readouts" and len(parts) == 2:
        return parts[1]
    return "_".join(parts)


def _dataset(contents):
    coords, sizes = {}, {}
    for path, values, attrs in contents["dimensions"]:
        name = _leaf(path)
        coords[name] = xr.Variable((name,), np.asarray(values, dtype=float), attrs=dict(attrs))
        sizes[path] = len(values)

    data_vars, layers = {}, {}
    for path, dim_paths, values, attrs in contents["datasets"]:
        shape = tuple(sizes[d] for d in dim_paths)
        dims = tuple(_leaf(d) for d in dim_paths)
        if isinstance(values, list):
            array = np.array(values, dtype=object).reshape(shape)
        else:
            array = np.asarray(values).reshape(shape)
        parts = path.strip("/").split("/")
        if parts[0] == "layers" and len(parts) == 3:
            layers.setdefault(parts[2], {})[parts[1]] = (dims, array, dict(attrs))
            continue
        data_vars[_variable_name(path)] = xr.Variable(dims, array, attrs=dict(attrs))

    # Layer means: one variable per quantity over (layer, time), layers in file order.
    layer_names = []
    for per_layer in layers.values():
        for name in per_layer:
            if name not in layer_names:
                layer_names.append(name)
    for var, per_layer in layers.items():
        first, (dims, _, attrs) = next(iter(per_layer.items()))
        attrs = dict(attrs)
        if attrs.get("long_name", "").startswith(first + " "):  # "dermis mean ..." -> "layer mean ..."
            attrs["long_name"] = "layer" + attrs["long_name"][len(first):]
        stacked = np.stack([per_layer[n][1] for n in layer_names])
        data_vars[var] = xr.Variable(("layer",) + dims, stacked, attrs=attrs)
    if layer_names:
        coords["layer"] = xr.Variable(("layer",), np.array(layer_names, dtype=object),
                                      attrs={"long_name": "layer the mean is taken over"})

    groups = contents["groups"]
    # /parameters: every parameter as an attribute, its unit in /parameters/units.
    parameters = groups.get("/parameters", {})
    units = groups.get("/parameters/units", {})
    array_valued = {n: v for n, v in parameters.items() if np.ndim(v) > 0}  # p_C, p_E, k_t3 over z
    parameters = {n: v for n, v in parameters.items() if n not in array_valued}
    if parameters:
        names = list(parameters)
        coords["parameter"] = xr.Variable(("parameter",), np.array(names, dtype=object),
                                          attrs={"long_name": "model parameter"})
        data_vars["parameters"] = xr.Variable(
            ("parameter",), np.array([float(parameters[n]) for n in names]),
            attrs={"long_name": "value of each model parameter (the /parameters attributes of the file)"})
        data_vars["parameters_units"] = xr.Variable(
            ("parameter",), np.array([units.get(n, "") for n in names], dtype=object),
            attrs={"long_name": "unit of each parameter (/parameters/units)"})

    ds = xr.Dataset(data_vars=data_vars, coords=coords, attrs=dict(groups.get("/", {})))
    ds.attrs.update({f"parameters_{n}": np.asarray(v, dtype=float) for n, v in array_valued.items()})
    for path, attrs in groups.items():
        if path not in ("/", "/parameters", "/parameters/units"):
            ds.attrs.update({f"{_variable_name(path)}_{k}": v for k, v in attrs.items()})
    return ds
