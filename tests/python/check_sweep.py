#!/usr/bin/python3
"""`citsim sweep` and `citsim merge` end to end, read with h5py and xarray.

    /usr/bin/python3 tests/python/check_sweep.py <citsim-binary> <source-dir> <with-mpi: ON|OFF>

The 3 x 3 grid of configs/sweeps/needle_density.toml (0d, so runs take milliseconds) is run
serially, on two threads, under `mpirun -n 2` (builds with MPI), as two shards merged (a real
copy and virtual datasets) and as a SLURM array task would run it; every way must give
bit-identical params, outcomes, series and status. Then a 1d sweep is killed with SIGKILL while
it runs and run again until it finishes: it must skip the finished runs and end bit-identical
to an uninterrupted sweep. Also: the file's named dimensions in xarray, a failed run that does
not stop the others, Morris and Sobol designs with their ranked indices, and the error paths.

Each check prints `ok` or `FAIL`; the last line is always `N passed, M failed`.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import xarray as xr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402

CITSIM, SRC, WITH_MPI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3] == "ON"
SPEC = os.path.join(SRC, "configs", "sweeps", "needle_density.toml")
FAST = ["--set", "model.level=0d"]
COMPARED = ["/sweep/params", "/sweep/outcomes", "/sweep/status", "/sweep/run",
            "/sweep/series/firmness_gain", "/sweep/series/collagen_induction",
            "/sweep/series/elastin_change"]

TALLY = Tally()
check = TALLY.check


def citsim(*args, env=None, expect=0, cmd=None):
    p = subprocess.run((cmd or [CITSIM]) + list(args), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env=env)
    if expect is not None and p.returncode != expect:
        check(False, f"citsim {' '.join(args[:3])} ... exits {expect}",
              f"exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def bits(path, dataset):
    with h5py.File(path, "r") as f:
        a = f[dataset][...]
    return a.view(np.uint64) if a.dtype == np.float64 else a


def same_results(a, b):
    """The datasets of two sweep files that must not depend on how the sweep ran."""
    for d in COMPARED:
        x, y = bits(a, d), bits(b, d)
        if x.shape != y.shape or not np.array_equal(x, y):
            return False, d
    return True, ""


def compare(reference, other, how):
    same, where = same_results(reference, other)
    check(same, f"{how}: params, outcomes, series and status bit-identical to serial",
          f"{where} differs")


def main():
    tmp = tempfile.mkdtemp(prefix="citsim_sweep_")
    try:
        run_checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return TALLY.summary()


def run_checks(tmp):
    out = lambda name: os.path.join(tmp, name)  # noqa: E731

    # 1. Serially: the reference, and what the file holds.
    serial = out("serial.h5")
    p = citsim("sweep", SPEC, *FAST, "-o", serial, "-j", "1")
    check(os.path.exists(serial) and not os.path.exists(serial + ".partial"),
          "serial sweep writes the file and removes its work file")
    check("9 ok, 0 failed" in p.stdout, "serial sweep reports 9 ok", p.stdout)
    ds = xr.open_dataset(serial, group="sweep", engine="netcdf4")
    check(dict(ds.sizes) == {"run": 9, "parameter": 2, "outcome": 7, "time": 366},
          "xarray opens /sweep with named dimensions", str(dict(ds.sizes)))
    check(list(ds.parameter.values) == ["needle_length", "density"]
          and list(ds.parameter_units.values) == ["mm", "channels/cm^2"],
          "parameters are named coordinates with units", str(ds.parameter.values))
    check(ds.outcomes.dims == ("run", "outcome") and ds.params.dims == ("run", "parameter"),
          "outcomes (run, outcome) and params (run, parameter)")
    gain = ds.outcomes.sel(outcome="final_firmness_gain").values
    check(np.all(np.isfinite(gain)) and gain[8] > gain[0],
          "outcomes selectable by name; 2 mm at 350/cm^2 firms more than 1 mm at 150/cm^2",
          str(gain))
    check(list(ds.params.sel(run=4).values) == [1.5, 250.0], "grid order: last axis fastest")
    series = xr.open_dataset(serial, group="sweep/series", engine="netcdf4")
    check(series.firmness_gain.dims == ("run", "time")
          and np.allclose(series.firmness_gain.values[:, -1], gain, equal_nan=True),
          "series (run, time) end at the final gain")
    with h5py.File(serial, "r") as f:
        check("needle_length" in f["/sweep/params"].attrs["names"].decode()
              and f.attrs["sweep_spec"].decode().startswith("# A 3 x 3 grid")
              and "level = " in f.attrs["base_config"].decode()
              and f.attrs["base_overrides"].decode() == "model.level=0d",
              "spec, base config and overrides are root attributes")
        check(list(f["/sweep/status"][...]) == [1] * 9 and all(m == b"" for m in f["/sweep/message"][...]),
              "status ok and empty messages")

    # 2. Threads, MPI, shards, SLURM array tasks: the same numbers.
    threaded = out("threaded.h5")
    citsim("sweep", SPEC, *FAST, "-o", threaded, "-j", "2", "-q")
    compare(serial, threaded, "2 threads")
    if WITH_MPI:
        mpi = out("mpi.h5")
        mpirun = shutil.which("mpirun")
        p = citsim("sweep", SPEC, *FAST, "-o", mpi, cmd=[mpirun, "--allow-run-as-root",
                                                          "--oversubscribe", "-n", "2", CITSIM])
        check("2 MPI ranks" in p.stdout, "mpirun -n 2 runs on 2 ranks", p.stdout + p.stderr)
        compare(serial, mpi, "mpirun -n 2")
    else:
        print("skip  mpirun -n 2 (built without MPI)")
    base = out("sharded.h5")
    for i in (1, 0):
        p = citsim("sweep", SPEC, *FAST, "-o", base, "--shard", f"{i}/2")
    check(os.path.exists(out("sharded.shard-0-of-2.h5")) and os.path.exists(out("sharded.shard-1-of-2.h5")),
          "each shard writes its own file")
    check("citsim merge -o" in p.stdout, "a shard says how to merge", p.stdout)
    shards = [out("sharded.shard-0-of-2.h5"), out("sharded.shard-1-of-2.h5")]
    p = citsim("merge", "-o", base, *shards)
    check("merged 2 shard(s), 9 runs (9 ok, 0 failed)" in p.stdout, "merge reports every run", p.stdout)
    compare(serial, base, "two shards merged")
    virtual = out("virtual.h5")
    citsim("merge", "--virtual", "-o", virtual, *shards)
    compare(serial, virtual, "two shards merged as virtual datasets")
    xv = xr.open_dataset(virtual, group="sweep", engine="netcdf4")
    check(np.array_equal(xv.outcomes.values, ds.outcomes.values, equal_nan=True),
          "xarray reads the virtual merge")
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_TASK_COUNT="2", SLURM_ARRAY_TASK_MIN="0",
               SLURM_ARRAY_TASK_MAX="1", SLURM_ARRAY_TASK_STEP="1")
    slurm = out("slurm.h5")
    citsim("sweep", SPEC, *FAST, "-o", slurm, "-q", env=env)
    check(os.path.exists(out("slurm.shard-1-of-2.h5")), "a SLURM array task runs its shard")
    check(np.array_equal(bits(out("slurm.shard-1-of-2.h5"), "/sweep/outcomes"),
                         bits(shards[1], "/sweep/outcomes")), "the array task's shard equals --shard 1/2")
    # Task 1 resubmitted alone (sbatch --array=1): a one-task array. Without CITSIM_SHARDS it is
    # refused and writes nothing (it used to run the whole sweep into slurm_again.h5); with it, it
    # runs shard 1 of 2.
    alone = dict(os.environ, SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_TASK_COUNT="1", SLURM_ARRAY_TASK_MIN="1",
                 SLURM_ARRAY_TASK_MAX="1", SLURM_ARRAY_TASK_STEP="1")
    again = out("slurm_again.h5")
    p = citsim("sweep", SPEC, *FAST, "-o", again, "-q", env=alone, expect=2)
    check("CITSIM_SHARDS" in p.stderr and not [f for f in os.listdir(tmp) if f.startswith("slurm_again")],
          "a task resubmitted alone without CITSIM_SHARDS is refused, nothing written", p.stderr)
    citsim("sweep", SPEC, *FAST, "-o", again, "-q", env=dict(alone, CITSIM_SHARDS="2"))
    check(sorted(f for f in os.listdir(tmp) if f.startswith("slurm_again")) == ["slurm_again.shard-1-of-2.h5"] and
          np.array_equal(bits(out("slurm_again.shard-1-of-2.h5"), "/sweep/outcomes"), bits(shards[1], "/sweep/outcomes")),
          "with CITSIM_SHARDS=2 a task resubmitted alone runs shard 1 of 2, not the whole sweep")
    p = citsim("merge", "-o", out("bad.h5"), shards[0], expect=2)
    check("missing shard(s) 1" in p.stderr and not os.path.exists(out("bad.h5")),
          "merge refuses a missing shard, writes nothing", p.stderr)
    p = citsim("sweep", SPEC, *FAST, "-o", serial)
    check("complete (9 runs); nothing to do" in p.stdout, "a finished sweep is not run again", p.stdout)
    p = citsim("sweep", SPEC, *FAST, "--set", "patient.age=60", "-o", serial, expect=2)
    check("holds another sweep (the --set overrides differ)" in p.stderr, "another sweep's file is refused", p.stderr)

    # 3. Kill at any moment, run again: finished runs are skipped, the result is the same.
    slow = ["--set", "numerics.dz=0.1", "--set", "protocol.end_days=200"]
    reference = out("slow_reference.h5")
    citsim("sweep", SPEC, *slow, "-o", reference, "-j", "2", "-q")
    killed = out("killed.h5")
    kills, resumed_with = 0, []
    for attempt in range(20):
        before = finished_runs(killed + ".partial")
        proc = subprocess.Popen([CITSIM, "sweep", SPEC, *slow, "-o", killed, "-j", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL)
        # kill once a run more has finished than at the start (or at once on odd attempts)
        target = finished_runs(killed + ".partial") + 1
        deadline = time.time() + 60
        while attempt % 2 == 0 and proc.poll() is None and time.time() < deadline:
            if finished_runs(killed + ".partial") >= target:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        stdout, _ = proc.communicate()
        if "already done" in stdout:  # the header is flushed, so it survives the kill
            resumed_with.append((int(stdout.split("already done")[0].rsplit(",", 1)[-1]), before))
        if os.path.exists(killed):
            break
        check(finished_runs(killed + ".partial") >= 0, f"after kill {kills}: the work file opens")
    if not os.path.exists(killed):
        citsim("sweep", SPEC, *slow, "-o", killed, "-j", "2", "-q")
    check(kills >= 2, f"the sweep was killed mid-run ({kills} times)")
    check(len(resumed_with) > 0 and all(said == found > 0 for said, found in resumed_with),
          "a resumed sweep skips exactly the runs its work file holds", str(resumed_with))
    compare(reference, killed, "killed and resumed")

    # 4. A run that fails is recorded; the others go on.
    failing = os.path.join(tmp, "failing.toml")
    with open(failing, "w") as fh:
        fh.write(f'base = "{os.path.join(SRC, "configs", "default.toml")}"\nset = ["model.level=0d"]\n'
                 '[[axis]]\nkey = "sessions"\nvalues = [2, 8]\n[[axis]]\nkey = "interval_days"\nvalues = [20, 60]\n')
    p = citsim("sweep", failing, "-o", out("failing.h5"), expect=4)  # 4: complete, some runs failed
    with h5py.File(out("failing.h5"), "r") as f:
        status, msg = list(f["/sweep/status"][...]), f["/sweep/message"][...]
        outcomes = f["/sweep/outcomes"][...]
    check(status == [1, 1, 1, 2], "the refused combination (8 sessions 60 days apart) fails alone", str(status))
    check(b"must be after the last session" in msg[3] and np.all(np.isnan(outcomes[3])),
          "its message is kept and its outcomes are NaN", str(msg[3]))
    check("1 run(s) failed" in p.stderr, "the failure is reported", p.stderr)
    # The same sweep as two shards: the shard that holds the failure exits 4, and so does their
    # merge (a job script chaining sweep --shard and merge must be able to tell), with the merged
    # file written all the same and the failure listed.
    codes = [citsim("sweep", failing, "-o", out("failing_sh.h5"), "--shard", f"{i}/2", "-q", expect=None).returncode
             for i in range(2)]
    check(sorted(codes) == [0, 4], "the shard holding the failed run exits 4, the other 0", str(codes))
    shards = [out(f"failing_sh.shard-{i}-of-2.h5") for i in range(2)]
    p = citsim("merge", "-o", out("failing_merged.h5"), *shards, expect=4)
    leftovers = [n for n in os.listdir(tmp) if n.startswith("failing_merged.h5.")]
    check(p.returncode == 4 and os.path.exists(out("failing_merged.h5")) and not leftovers,
          "merging shards that hold a failed run exits 4 and still writes the merged file (no temporary left)",
          f"exit {p.returncode}, left: {leftovers}")
    if os.path.exists(out("failing_merged.h5")):
        with h5py.File(out("failing_merged.h5"), "r") as f:
            status, msg = list(f["/sweep/status"][...]), f["/sweep/message"][...]
        check(status == [1, 1, 1, 2] and b"must be after the last session" in msg[3],
              "the merged file is the complete record: status and message of the failed run", str(status))
    check("(3 ok, 1 failed)" in p.stdout and "1 run(s) failed" in p.stderr
          and "failing_merged.h5:/sweep/message" in p.stderr,
          "merge lists the failure: counted in its summary, a warning naming where the messages are",
          p.stdout + p.stderr)

    # 5. Global sensitivity designs.
    gsa = os.path.join(tmp, "gsa.toml")
    with open(gsa, "w") as fh:
        fh.write(f'base = "{os.path.join(SRC, "configs", "default.toml")}"\nset = ["model.level=0d"]\n'
                 'outcomes = ["final_firmness_gain", "peak_erythema"]\n[design]\nkind = "morris"\ntrajectories = 4\n'
                 '[[axis]]\nkey = "needle_length"\nrange = [0.5, 2.5]\n[[axis]]\nkey = "density"\nrange = [100, 400]\n'
                 '[[axis]]\nkey = "k_tx"\nrange = [2e-4, 1e-3]\n')
    p = citsim("sweep", gsa, "-o", out("morris.h5"), "-j", "2")
    check("Morris sensitivity" in p.stdout and "mu*" in p.stdout and "needle_length" in p.stdout,
          "a Morris sweep prints its ranking", p.stdout)
    with h5py.File(out("morris.h5"), "r") as f:
        mu = f["/sweep/sensitivity/mu_star"][...]
        check(mu.shape == (2, 3) and np.all(np.isfinite(mu)) and mu[0, 0] > mu[0, 2],
              "mu* (outcome, parameter): needle length matters more than k_tx for the gain", str(mu))
    p = citsim("sweep", gsa, "-o", out("sobol.h5"), "--sensitivity", "sobol", "-j", "2")
    with h5py.File(out("sobol.h5"), "r") as f:
        st = f["/sweep/sensitivity/ST"][...]
        n = f["/sweep/run"].shape[0]
    check(n == 64 * 5 and st.shape == (2, 3) and np.all(np.isfinite(st)), "--sensitivity sobol runs a Saltelli design",
          f"{n} runs, ST {st}")
    check("Sobol sensitivity" in p.stdout and "ST" in p.stdout, "and prints ST and S1 ranked", p.stdout)

    # 6. Errors: exit 2, the message names the file, key and what is allowed; nothing written.
    bad = os.path.join(tmp, "bad.toml")
    with open(bad, "w") as fh:
        fh.write(f'base = "{os.path.join(SRC, "configs", "default.toml")}"\n[[axis]]\nkey = "needle_lenght"\nvalues = [1.0]\n')
    p = citsim("sweep", bad, "-o", out("never.h5"), expect=2)
    check(f"{bad}:3: key 'axis[0].key' = \"needle_lenght\"" in p.stderr and "did you mean 'needle_length'" in p.stderr
          and not os.path.exists(out("never.h5")) and not os.path.exists(out("never.h5.partial")),
          "a misspelt axis key: exit 2, file, line, key, suggestion; nothing written", p.stderr)
    p = citsim("sweep", SPEC, "--shard", "2/2", expect=2)
    check("--shard" in p.stderr and "0 <= i < N" in p.stderr, "a bad --shard: exit 2", p.stderr)
    p = citsim("merge", "-o", out("x.h5"), SPEC, expect=2)
    check("not a citsim sweep file" in p.stderr or "H5Fopen" in p.stderr, "merging a non-sweep file: exit 2", p.stderr)


def finished_runs(partial):
    """Runs a work file marks finished, read as SWMR readers do (-1 if it does not open)."""
    if not os.path.exists(partial):
        return 0
    try:
        with h5py.File(partial, "r", libver="latest", swmr=True) as f:
            return int(np.count_nonzero(f["/sweep/status"][...]))
    except OSError:
        return -1


if __name__ == "__main__":
    sys.exit(main())
