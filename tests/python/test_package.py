"""The Python package `citsim` (python/citsim, docs/python.md), run by ctest as python.package:

    PYTHONPATH=build/release/python CITSIM_BIN=build/release/citsim /usr/bin/python3 -m pytest tests/python/test_package.py

A run in memory is the run `citsim run` writes: every variable, coordinate and attribute equal to
the file's, read back with open_run. Configs as dicts, `set`, threads, the error messages, the
parameter table and the targets.
"""

import os
import subprocess
import tomllib

import numpy as np
import pytest
import xarray as xr

import citsim

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CITSIM_BIN", os.path.join(SRC, "build", "release", "citsim"))
DEFAULT = os.path.join(SRC, "configs", "default.toml")
# Two sessions over 60 days on 0.1 mm cells: a second of CPU, every kind of variable.
SHORT = {"protocol.series.count": 2, "protocol.end_days": 60, "numerics.dz": 0.1}


def cli_run(config, out, sets):
    args = [BIN, "run", config, "-q", "-o", str(out)]
    for key, value in sets.items():  # as citsim.run passes them (strings quoted), so /config matches
        args += ["--set", f'{key}="{value}"' if isinstance(value, str) else f"{key}={value}"]
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL)
    return citsim.open_run(out)


def assert_same(a, b, skip_attrs=("created",)):
    assert sorted(a.data_vars) == sorted(b.data_vars)
    assert sorted(a.coords) == sorted(b.coords)
    for name in list(a.data_vars) + list(a.coords):
        x, y = a[name], b[name]
        assert x.dims == y.dims, name
        if x.dtype.kind == "O":
            assert list(x.values.ravel()) == list(y.values.ravel()), name
        else:
            np.testing.assert_array_equal(x.values, y.values, err_msg=name)
        assert x.attrs == y.attrs, name
    keys = set(a.attrs) | set(b.attrs)
    for k in keys - set(skip_attrs):
        va, vb = a.attrs.get(k), b.attrs.get(k)
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=k)
        else:
            assert va == vb, k


@pytest.fixture(scope="module")
def short_run():
    return citsim.run(DEFAULT, set=SHORT)


def test_run_equals_the_file_citsim_run_writes(short_run, tmp_path):
    from_file = cli_run(DEFAULT, tmp_path / "short.h5", SHORT)
    assert_same(short_run, from_file)


def test_the_dataset_names_the_readouts_and_stacks_the_layers(short_run):
    ds = short_run
    for name in ("R0", "R7", "firmness_gain", "collagen_induction", "erythema"):
        assert ds[name].dims == ("time",)
        assert ds[name].attrs["units"]
    assert list(ds.layer.values) == ["papillary", "reticular", "hypodermis", "dermis"]
    assert ds.C1.dims == ("layer", "time") and ds.C1.attrs["units"] == "mg/cm^3"
    assert ds.C1.attrs["long_name"].startswith("layer mean")
    assert ds.profiles_C1.dims == ("profile_time", "z")
    assert ds.sessions_time.dims == ("session",) and list(ds.sessions_time.values) == [0.0, 28.0]
    assert ds.tissue_S_rest.dims == ("z",)
    assert ds.parameters.sel(parameter="k_tx") > 0 and ds.parameters_units.sel(parameter="k_tx") == "1/day"
    assert ds.attrs["model_level"] == "1d" and ds.time.values[-1] == 60.0
    # firmness gain is the percent fall of R0 from its pre-treatment value
    r0 = ds.attrs["pre_treatment_R0"]
    np.testing.assert_allclose(ds.firmness_gain, 100 * (r0 - ds.R0) / r0, rtol=1e-12)


def test_a_config_dict_gives_the_same_run(short_run):
    with open(DEFAULT, "rb") as f:
        config = tomllib.load(f)
    ds = citsim.run(config, set=SHORT)
    assert_same(short_run, ds, skip_attrs=("created", "config", "config_path"))


def test_set_and_threads(short_run):
    older = citsim.run(DEFAULT, set={**SHORT, "patient.age": 70, "model.parameters.k_tx": 0.0005})
    assert older.attrs["config"] != short_run.attrs["config"]
    assert not np.array_equal(older.R0.values, short_run.R0.values)
    # same config, any thread count: the same numbers
    one, two = (citsim.run(DEFAULT, set=SHORT, threads=n) for n in (1, 2))
    np.testing.assert_array_equal(one.C1.values, two.C1.values)
    np.testing.assert_array_equal(one.C1.values, short_run.C1.values)
    # strings and booleans pass as TOML values
    roller = citsim.run(DEFAULT, set={**SHORT, "protocol.series.needle.device": "roller",
                                      "protocol.series.needle.needle_length": 0.5,
                                      "protocol.series.needle.density": 200, "patient.smoker": True})
    assert list(roller.sessions_device.values) == ["roller", "roller"]
    # unset removes a key the config gives: the roller's passes instead of the pen's density
    passes = citsim.run(DEFAULT, unset="protocol.series.needle.density",
                        set={**SHORT, "protocol.series.needle.device": "roller",
                             "protocol.series.needle.needle_length": 0.5, "protocol.series.needle.passes": 4})
    assert list(passes.sessions_passes.values) == [4, 4]
    with pytest.raises(ValueError, match="cannot unset it"):
        citsim.run(DEFAULT, set=SHORT, unset=["patient.no_such_key"])


def test_bad_input_names_the_key_the_value_and_the_rule():
    with pytest.raises(ValueError) as e:
        citsim.run(DEFAULT, set={**SHORT, "patient.age": 300})
    assert "patient.age" in str(e.value) and "300" in str(e.value)
    with pytest.raises(citsim.ConfigError) as e:
        citsim.run(DEFAULT, set={**SHORT, "model.parameters.no_such_thing": 1})
    assert "no_such_thing" in str(e.value)
    with pytest.raises(ValueError) as e:
        citsim.run({"patient": {"age": "forty"}})
    assert "<config dict>" in str(e.value) and "patient.age" in str(e.value)
    with pytest.raises(ValueError) as e:
        citsim.run(DEFAULT, set=SHORT, threads=0)
    assert "threads" in str(e.value)
    with pytest.raises(ValueError):
        citsim.run(DEFAULT, set={"patient.age": float("nan")})
    with pytest.raises(TypeError):
        citsim.run(42)
    with pytest.raises(FileNotFoundError):
        citsim.run(os.path.join(SRC, "no", "such.toml"))


def test_open_run_refuses_what_is_not_a_run(tmp_path):
    import h5py
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = 1
    with pytest.raises(ValueError, match="not a citsim run"):
        citsim.open_run(path)


def test_a_2d_run_has_its_fields_and_channels(tmp_path):
    sets = {"model.level": "2d", "seed": 4, "numerics.dx": 0.2, "numerics.dz": 0.1, "protocol.series.count": 1,
            "protocol.end_days": 5, "output.profile_dt": 5}
    ds = citsim.run(DEFAULT, set=sets)
    assert ds.fields_C1.dims == ("profile_time", "x", "z")
    assert ds.channels_x.dims == ("channel",) and ds.channels_x.size > 0
    assert_same(ds, cli_run(DEFAULT, tmp_path / "two.h5", sets))


def test_the_dataset_saves_as_netcdf(short_run, tmp_path):
    path = tmp_path / "saved.nc"
    short_run.to_netcdf(path)
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back.firmness_gain.values, short_run.firmness_gain.values)
    back.close()


def test_params_is_the_table_citsim_params_prints():
    table = citsim.params()
    printed = subprocess.run([BIN, "params"], check=True, capture_output=True, text=True).stdout.splitlines()[1:]
    assert len(table) == len(printed)
    assert list(table.index) == [line.split()[0] for line in printed]
    k_tx = table.loc["k_tx"]
    assert k_tx.unit == "1/day" and k_tx["min"] <= k_tx.value <= k_tx["max"]
    assert ((table.value >= table["min"]) & (table.value <= table["max"])).all()


def test_validate_evaluates_the_targets_of_a_file(tmp_path):
    with open(os.path.join(SRC, "configs", "validation", "targets.toml"), "rb") as f:
        targets = [t for t in tomllib.load(f)["target"] if t["id"] in ("neutrophil_peak", "erythema_resolves")]
    import tomli_w
    path = tmp_path / "targets.toml"
    path.write_text(tomli_w.dumps({"target": targets}))
    table = citsim.validate(path, scenarios=os.path.join(SRC, "configs", "validation"))
    assert list(table.index) == ["neutrophil_peak", "erythema_resolves"]
    assert table["pass"].all()
    assert ((table.value >= table.lo) & (table.value <= table.hi)).all()
    printed = subprocess.run([BIN, "validate", "--targets", str(path), "--scenarios",
                              os.path.join(SRC, "configs", "validation")],
                             check=True, capture_output=True, text=True).stdout
    for target, row in table.iterrows():
        line = next(l for l in printed.splitlines() if l.startswith(target + " "))
        assert float(line.split()[1]) == pytest.approx(row.value, rel=1e-3)


def test_calibrate_fits_as_the_cli_does_and_writes_a_table_runs_accept(tmp_path):
    # Twin targets: the 0D scenario's own metrics with narrow intervals, fitted from a start moved
    # off them; the fit, its table and the CLI's agree.
    scenarios = os.path.join(SRC, "tests", "calibration", "scenarios")
    targets = tmp_path / "targets.toml"
    import tomli_w
    rows = []
    for kind, lo, hi in (("neutrophil_resolved", 0.0, 0.5), ("m1_before_m2", 0.5, 6.0)):
        rows.append({"id": kind, "scenario": "single_session_0d", "metric": kind, "range": [lo, hi],
                     "source": "test"})
    targets.write_text(tomli_w.dumps({"target": rows}))
    out = tmp_path / "fit.toml"
    fit = citsim.calibrate(targets, scenarios=scenarios, free=["k_12:0.05:0.5"], max_evals=6,
                           set={"model.parameters.k_12": 0.45}, threads=2, output=out)
    assert list(fit.parameters.index) == ["k_12"]
    row = fit.parameters.loc["k_12"]
    assert row.start == 0.45 and 0.05 <= row.fitted <= 0.5 and row.unit == "1/day"
    assert fit.loss <= fit.start_loss and 1 <= fit.evaluations <= 7
    assert list(fit.targets.index) == ["neutrophil_resolved", "m1_before_m2"]
    # The same fit from the command line, one thread: the same value to the bit (its table).
    cli_out = tmp_path / "cli.toml"
    subprocess.run([BIN, "calibrate", "--targets", str(targets), "--scenarios", scenarios, "--free",
                    "k_12:0.05:0.5", "--max-evals", "6", "--set", "model.parameters.k_12=0.45", "-j", "1",
                    "-q", "-o", str(cli_out)], check=True, capture_output=True)
    with open(out, "rb") as f:
        table = tomllib.load(f)
    with open(cli_out, "rb") as f:
        cli_table = tomllib.load(f)
    assert table["k_12"]["value"] == cli_table["k_12"]["value"] == row.fitted
    # A run accepts the table.
    ds = citsim.run(os.path.join(scenarios, "single_session_0d.toml"), set={"model.parameter_file": str(out)})
    assert float(ds.parameters.sel(parameter="k_12")) == row.fitted
    with pytest.raises(ValueError, match="no_such"):
        citsim.calibrate(targets, scenarios=scenarios, free=["no_such"], max_evals=1)


def test_run_with_bands_equals_the_cli_file(tmp_path):
    # A 0D course with bands over a three-member ensemble: the Dataset holds the file's /bands,
    # to the bit, and the quantiles are ordered.
    ensemble = tmp_path / "ensemble.toml"
    ensemble.write_text('method = "test"\nparameters = ["sigma_T", "k_12"]\n'
                        '[[member]]\nweight = 1.0\nvalues = [12.0, 0.15]\n'
                        '[[member]]\nweight = 2.0\nvalues = [15.0, 0.2]\n'
                        '[[member]]\nweight = 1.0\nvalues = [18.0, 0.25]\n')
    sets = {"model.level": "0d", "protocol.series.count": 2, "protocol.end_days": 120}
    ds = citsim.run(DEFAULT, set=sets, bands=True, ensemble=ensemble, threads=2)
    out = tmp_path / "run.h5"
    subprocess.run([BIN, "run", DEFAULT, "-q", "-o", str(out), "--bands", "--ensemble", str(ensemble),
                    "--set", 'model.level="0d"', "--set", "protocol.series.count=2",
                    "--set", "protocol.end_days=120"], check=True)
    f = citsim.open_run(out)
    assert list(ds["quantile"].values) == [0.05, 0.25, 0.5, 0.75, 0.95]
    for name in ("firmness_gain", "collagen_induction", "R0"):
        band = ds[f"bands_{name}"]
        assert band.dims == ("quantile", "time")
        assert np.array_equal(band.values, f[f"bands_{name}"].values)
        assert (np.diff(band.values, axis=0) >= 0).all()
        assert ds[f"bands_end_values_{name}"].dims == ("member",)
    assert float(ds.bands_weight.sum()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="needs ensemble"):
        citsim.run(DEFAULT, set=sets, bands=True)
