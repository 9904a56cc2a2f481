"""A sweep file (docs/cluster.md, "The file") as an xarray.Dataset: `open_sweep` reads it, and
`citsim.sweep` reads the file its run wrote, so both give the same Dataset.

A whole grid sweep gets one dimension per axis, named as the file names the axis (/sweep/parameter:
the last part of the key as the spec writes it, `needle_length`, `density`, `k_tx`, or the axis's
`name`; the spec keeps them distinct), the axis values as coordinates (attributes: units and the
config key the axis sets). Any other design, and a shard, keeps the `run` dimension, each axis a
coordinate over it. Outcomes are variables (units and long_name from the file), a kept readout is
a variable over the axes (or `run`) and `time`, named by the readout (`series_<readout>` if an
outcome has that name); `status`, `message` and `wall_seconds` as in the file; Morris and Sobol
indices as `sensitivity_<index>` over (outcome, parameter).
"""

import numpy as np
import xarray as xr

from ._hdf5_values import SCALE_ATTRS as _SCALE_ATTRS, attr_value as _attr_value, text as _text


def _attrs(obj):
    return {k: _attr_value(v) for k, v in obj.attrs.items() if k not in _SCALE_ATTRS}


def _strings(dataset):
    return [_text(x) for x in dataset[()]]


def _grid_axes(params):
    """The values of each axis if `params` (runs x axes) is their full grid in numpy's `ij` ravel
    order (the last axis fastest), else None (repeated values, a partial sweep)."""
    values = [np.array(list(dict.fromkeys(params[:, k].tolist()))) for k in range(params.shape[1])]
    if not values or int(np.prod([len(v) for v in values])) != params.shape[0]:
        return None
    mesh = np.stack([m.ravel() for m in np.meshgrid(*values, indexing="ij")], axis=-1)
    return values if np.array_equal(mesh, params) else None


def sweep_dataset(f, path):
    """The Dataset of the open h5py.File `f` (named `path` in messages)."""
    if "sweep_spec" not in f.attrs or "sweep/status" not in f:
        raise ValueError(f"{path}: not a citsim sweep file (no sweep_spec attribute or /sweep/status)")
    g = f["sweep"]
    root = _attrs(f)
    run = g["run"][()]
    keys = _strings(g["parameter_key"])
    units = _strings(g["parameter_units"])
    names = _strings(g["parameter"])
    params = g["params"][()]
    outcome_names = _strings(g["outcome"])
    outcome_units = _strings(g["outcome_units"])
    outcome_long = _strings(g["outcome_long_name"])

    whole = root.get("shard_count", 1) == 1 and np.array_equal(run, np.arange(root.get("total_runs", -1)))
    axes = _grid_axes(params) if root.get("design") == "grid" and whole else None
    coords = {}
    if axes is not None:
        dims = tuple(names)
        shape = tuple(len(v) for v in axes)
        for name, key, unit, values in zip(names, keys, units, axes):
            coords[name] = xr.Variable((name,), values, attrs=_axis_attrs(key, unit))
        coords["run"] = xr.Variable(dims, run.reshape(shape), attrs=_attrs(g["run"]))
    else:
        dims, shape = ("run",), (len(run),)
        coords["run"] = xr.Variable(dims, run, attrs=_attrs(g["run"]))
        for k, (name, key, unit) in enumerate(zip(names, keys, units)):
            coords[name] = xr.Variable(dims, params[:, k], attrs=_axis_attrs(key, unit))
    coords["time"] = xr.Variable(("time",), g["time"][()], attrs=_attrs(g["time"]))

    data_vars = {}
    outcomes = g["outcomes"][()]
    for j, name in enumerate(outcome_names):
        attrs = {"units": outcome_units[j], "long_name": outcome_long[j]}
        data_vars[name] = xr.Variable(dims, outcomes[:, j].reshape(shape), attrs=attrs)
    for readout in g["series"]:
        d = g["series"][readout]
        name = readout if readout not in data_vars else f"series_{readout}"
        data_vars[name] = xr.Variable(dims + ("time",), d[()].reshape(shape + (-1,)), attrs=_attrs(d))
    for name in ("status", "message", "wall_seconds"):
        d = g[name]
        values = d[()]
        if values.dtype.kind in "SO":
            values = np.array([_text(x) for x in values], dtype=object)
        data_vars[name] = xr.Variable(dims, values.reshape(shape), attrs=_attrs(d))

    if "sensitivity" in g:
        s = g["sensitivity"]
        coords["outcome"] = xr.Variable(("outcome",), np.array(outcome_names, dtype=object),
                                        attrs=_attrs(g["outcome"]))
        coords["parameter"] = xr.Variable(("parameter",), np.array(names, dtype=object),
                                          attrs={"long_name": "swept parameter"})
        for index in s:
            d = s[index]
            over = ("outcome", "parameter")[:d.ndim]
            data_vars[f"sensitivity_{index}"] = xr.Variable(over, d[()], attrs=_attrs(d))
        root.update({f"sensitivity_{k}": v for k, v in _attrs(s).items()})

    return xr.Dataset(data_vars=data_vars, coords=coords, attrs=root)


def _axis_attrs(key, unit):
    """The unit (when known) and the config key an axis sets; plots label the axis by its name."""
    attrs = {"units": unit} if unit else {}
    attrs["config_key"] = key
    return attrs
