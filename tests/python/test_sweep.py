"""Sweeps from Python (citsim.sweep, citsim.open_sweep; docs/python.md), run by ctest as python.sweep:

    PYTHONPATH=build/release/python CITSIM_BIN=build/release/citsim /usr/bin/python3 -m pytest tests/python/test_sweep.py

A sweep run from Python is the file `citsim sweep` writes for the same spec, to the bit (wall times
aside); grids get a dimension per axis, other designs and shards keep `run`; specs as dicts, set,
unset and threads; bad specs raise ConfigError with the command's message; nothing stays on disk.
Every sweep here runs the 0D model: milliseconds a run.
"""

import os
import subprocess
import tempfile

import h5py
import numpy as np
import pytest

import citsim

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CITSIM_BIN", os.path.join(SRC, "build", "release", "citsim"))
DEFAULT = os.path.join(SRC, "configs", "default.toml")
NEEDLE_DENSITY = os.path.join(SRC, "configs", "sweeps", "needle_density.toml")
FAST = {"model.level": "0d"}


def cli_sweep(spec, out, *args):
    subprocess.run([BIN, "sweep", str(spec), "-q", "-j", "2", "-o", str(out), *args], check=True,
                   stdin=subprocess.DEVNULL)
    return citsim.open_sweep(out)


def assert_same(a, b, skip_values=("wall_seconds",), skip_attrs=()):
    assert sorted(a.data_vars) == sorted(b.data_vars)
    assert sorted(a.coords) == sorted(b.coords)
    assert dict(a.sizes) == dict(b.sizes)
    for name in list(a.data_vars) + list(a.coords):
        x, y = a[name], b[name]
        assert x.dims == y.dims, name
        assert x.dtype == y.dtype, name
        if name not in skip_values:
            if x.dtype.kind == "O":
                assert list(x.values.ravel()) == list(y.values.ravel()), name
            else:  # to the bit: NaN where NaN, every other value identical
                np.testing.assert_array_equal(x.values, y.values, err_msg=name, strict=True)
        assert x.attrs == y.attrs, name
    assert set(a.attrs) == set(b.attrs)
    for k in set(a.attrs) - set(skip_attrs):
        assert a.attrs[k] == b.attrs[k], k


@pytest.fixture(scope="module")
def grid():
    return citsim.sweep(NEEDLE_DENSITY, set=FAST, threads=2)


def test_a_sweep_equals_the_file_citsim_sweep_writes(grid, tmp_path):
    assert_same(grid, cli_sweep(NEEDLE_DENSITY, tmp_path / "nd.h5", "--set", 'model.level="0d"'))


def test_a_grid_has_a_dimension_per_axis(grid):
    assert dict(grid.sizes) == {"needle_length": 3, "density": 3, "time": 366}
    assert list(grid.needle_length.values) == [1.0, 1.5, 2.0]
    assert list(grid.density.values) == [150.0, 250.0, 350.0]
    assert grid.needle_length.attrs == {"units": "mm", "config_key": "protocol.series.needle.needle_length"}
    assert grid.final_firmness_gain.dims == ("needle_length", "density")
    assert grid.final_firmness_gain.attrs["units"] and grid.final_firmness_gain.attrs["long_name"]
    assert grid.firmness_gain.dims == ("needle_length", "density", "time")
    assert (grid.status == 1).all() and (grid.message == "").all()
    # run i of a grid takes numpy's ij ravel: the last axis fastest
    assert grid.run.sel(needle_length=1.5, density=350).item() == 5
    # longer needles and more channels give more collagen
    gain = grid.final_collagen_induction
    assert (gain.diff("needle_length") > 0).all() and (gain.diff("density") > 0).all()


def test_a_dict_spec_with_set_unset_and_threads(grid):
    spec = {"base": DEFAULT, "design": {"kind": "grid"},
            "axis": [{"key": "needle_length", "values": [1.0, 1.5, 2.0]},
                     {"key": "density", "range": [150, 350], "steps": 3}],
            "series": {"readouts": ["firmness_gain", "collagen_induction", "elastin_change"], "dt": 1}}
    one = citsim.sweep(spec, set=FAST, threads=1)
    assert one.attrs["sweep_spec_path"] == "<sweep spec dict>"
    assert_same(grid, one, skip_attrs=("sweep_spec", "sweep_spec_path"))
    # unset applies before set, as in citsim sweep --unset
    roller = citsim.sweep({**spec, "axis": spec["axis"][:1]}, unset="protocol.series.needle.density",
                          set={**FAST, "protocol.series.needle.device": "roller",
                               "protocol.series.needle.passes": 4})
    assert "unset protocol.series.needle.density" in roller.attrs["base_overrides"]
    assert (roller.status == 1).all()


def test_other_designs_keep_the_run_dimension(tmp_path):
    spec = {"base": DEFAULT, "set": ["model.level=0d"], "outcomes": ["final_firmness_gain", "collagen_induction@180"],
            "design": {"kind": "latin_hypercube", "runs": 6, "seed": 3},
            "axis": [{"key": "age", "range": [30, 70]}, {"key": "k_tx", "range": [0.0005, 0.0015], "scale": "log"}]}
    ds = citsim.sweep(spec, threads=2)
    assert dict(ds.sizes) == {"run": 6, "time": 366}
    assert list(ds.run.values) == list(range(6))
    assert ds.age.dims == ("run",) and ds.k_tx.dims == ("run",)
    assert ds.k_tx.attrs["config_key"] == "model.parameters.k_tx" and ds.k_tx.attrs["units"] == "1/day"
    assert ((ds.age >= 30) & (ds.age <= 70)).all()
    named = citsim.sweep({**spec, "axis": [{**spec["axis"][0], "name": "years"}]})
    assert named.years.attrs["config_key"] == "patient.age"
    assert ds["collagen_induction@180"].dims == ("run",)
    # the same spec from a file, through the command: the same Dataset
    import tomli_w
    path = tmp_path / "lhs.toml"
    path.write_text(tomli_w.dumps(spec))
    assert_same(citsim.sweep(path), cli_sweep(path, tmp_path / "lhs.h5"))


def test_morris_indices_come_with_the_sweep():
    spec = {"base": DEFAULT, "set": ["model.level=0d"], "outcomes": ["final_firmness_gain"],
            "design": {"kind": "morris", "trajectories": 3, "levels": 4},
            "axis": [{"key": "needle_length", "range": [0.5, 2.0]}, {"key": "density", "range": [100, 400]}]}
    ds = citsim.sweep(spec, threads=2)
    assert ds.sizes["run"] == 3 * 3
    assert ds.sensitivity_mu_star.dims == ("outcome", "parameter")
    assert list(ds.parameter.values) == ["needle_length", "density"]
    assert list(ds.outcome.values) == ["final_firmness_gain"]
    assert ds.attrs["sensitivity_method"] == "morris"
    assert (ds.sensitivity_mu_star > 0).all()


def test_failed_runs_are_results_with_their_message():
    spec = {"base": DEFAULT, "set": ["model.level=0d"], "outcomes": ["final_firmness_gain"],
            "axis": [{"key": "sessions", "values": [2, 8]}, {"key": "interval_days", "values": [28, 60]}]}
    ds = citsim.sweep(spec, threads=2)
    assert ds.sessions.attrs["config_key"] == "protocol.series.count"  # named as the spec writes it
    bad = ds.sel(sessions=8, interval_days=60)
    assert bad.status.item() == 2 and bad.message.item() and np.isnan(bad.final_firmness_gain.item())
    assert (ds.status.sel(sessions=2) == 1).all()
    assert ds.attrs["runs_failed"] == 1


def test_a_shard_keeps_the_run_dimension(tmp_path):
    subprocess.run([BIN, "sweep", NEEDLE_DENSITY, "-q", "--set", "model.level=0d", "--shard", "1/2", "-o",
                    str(tmp_path / "nd.h5")], check=True, stdin=subprocess.DEVNULL)
    ds = citsim.open_sweep(tmp_path / "nd.shard-1-of-2.h5")
    assert list(ds.run.values) == [1, 3, 5, 7]
    assert ds.needle_length.dims == ("run",)


def test_a_bad_spec_raises_config_error_with_the_commands_message(tmp_path):
    assert issubclass(citsim.ConfigError, ValueError) and issubclass(citsim.NumericalError, ArithmeticError)
    assert {"ConfigError", "NumericalError", "sweep", "open_sweep"} <= set(citsim.__all__)
    import tomli_w
    for spec, words in [
        ({"base": DEFAULT, "design": {"kind": "gird"}, "axis": [{"key": "age", "values": [30]}]},
         ["design.kind", "gird", "grid"]),
        ({"base": DEFAULT, "axis": [{"key": "no_such_key", "values": [1]}]}, ["no_such_key"]),
        ({"base": DEFAULT, "axis": [{"key": "age", "values": [300]}]}, ["patient.age", "300"]),
    ]:
        path = tmp_path / "bad.toml"
        path.write_text(tomli_w.dumps(spec))
        with pytest.raises(citsim.ConfigError) as e:
            citsim.sweep(path)
        message = str(e.value)
        assert all(w in message for w in words), message
        cli = subprocess.run([BIN, "sweep", str(path), "-q", "-o", str(tmp_path / "bad.h5")], capture_output=True,
                             text=True, stdin=subprocess.DEVNULL)
        assert cli.returncode == 2 and cli.stderr == f"error: {message}\n"
        assert not (tmp_path / "bad.h5").exists()
    with pytest.raises(citsim.ConfigError, match="threads"):
        citsim.sweep(NEEDLE_DENSITY, set=FAST, threads=0)
    with pytest.raises(FileNotFoundError):
        citsim.sweep(tmp_path / "none.toml")
    with pytest.raises(TypeError):
        citsim.sweep(3)


def test_nothing_stays_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    citsim.sweep(NEEDLE_DENSITY, set=FAST, threads=2)
    with pytest.raises(citsim.ConfigError):
        citsim.sweep(NEEDLE_DENSITY, set={"patient.age": 300})
    assert list(tmp_path.iterdir()) == []


def test_open_sweep_refuses_what_is_not_a_sweep(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = 1
    with pytest.raises(ValueError, match="not a citsim sweep file"):
        citsim.open_sweep(path)
