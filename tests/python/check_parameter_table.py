"""A parameter table from `citsim calibrate`, used without a rebuild, end to end.

    /usr/bin/python3 tests/python/check_parameter_table.py <citsim-binary> <source-dir>

1. `citsim validate --set` reaches every scenario (a slower neutrophil removal shows in the
   neutrophil target), and a misspelt key is refused naming --set.
2. `citsim calibrate --free k_12 --set ...` writes a table holding every built-in entry, the free
   one replaced, and says how to use it.
3. `citsim run --set model.parameter_file=TABLE`: the run uses the table (its /parameters hold
   the table's values), records its path and text, and a [model.parameters] value still wins.
4. A sweep refuses to resume its work file, or to be merged, with another parameter table.

Each check prints `ok` or `FAIL`; the last line is always `N passed, M failed`.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402

CITSIM, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SRC, "tests", "calibration", "scenarios")
TALLY = Tally()
check = TALLY.check


def citsim(*args, expect=0, cwd=None):
    p = subprocess.run([CITSIM, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=cwd)
    if expect is not None and p.returncode != expect:
        check(False, f"citsim {' '.join(args[:3])} ... exits {expect}",
              f"exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def metric(stdout, target):
    """The value column of `target` in validate's table."""
    m = re.search(rf"^{target}\s+(\S+)", stdout, re.M)
    return float(m.group(1)) if m else float("nan")


def table_values(text):
    """name -> value of a parameter table's text."""
    values, name = {}, None
    for line in text.splitlines():
        if m := re.match(r"^\[(\w+)\]", line):
            name = m.group(1)
        elif (m := re.match(r"^value\s*=\s*(\S+)", line)) and name:
            values[name] = float(m.group(1))
    return values


def main():
    tmp = tempfile.mkdtemp(prefix="citsim-table-")
    try:
        targets = os.path.join(tmp, "targets.toml")
        with open(targets, "w") as fh:
            fh.write('[[target]]\nid = "neutrophil_resolved"\nscenario = "single_session_0d"\n'
                     'metric = "dermis-mean N at day 4 divided by its peak"\nrange = [0.0, 0.3]\n'
                     'source = "a test"\n')

        # 1. validate --set
        plain = citsim("validate", "--targets", targets, "--scenarios", SCENARIOS, "-q")
        slow = citsim("validate", "--targets", targets, "--scenarios", SCENARIOS, "-q",
                      "--set", "model.parameters.mu_N=0.7", expect=None)
        a, b = metric(plain.stdout, "neutrophil_resolved"), metric(slow.stdout, "neutrophil_resolved")
        check(b > 1.2 * a, "validate --set reaches the scenarios: slower neutrophil removal leaves more at day 4",
              f"{a} vs {b}\n{plain.stdout}\n{slow.stdout}")
        bad = citsim("validate", "--targets", targets, "--scenarios", SCENARIOS, "-q",
                     "--set", "model.parameters.mu_n=0.5", expect=2)
        check("--set" in bad.stderr and "mu_N" in bad.stderr, "validate --set with a misspelt key: exit 2, names --set",
              bad.stderr)

        # 2. calibrate --free k_12 with an override of another parameter
        table = os.path.join(tmp, "mine.toml")
        cal = citsim("calibrate", "--targets", targets, "--scenarios", SCENARIOS, "--free", "k_12:0.05:0.5",
                     "--max-evals", "4", "--set", "model.parameters.mu_N=0.9", "-o", table, "-q", expect=None)
        check(cal.returncode in (0, 1) and os.path.exists(table), "calibrate writes the table", cal.stderr)
        check("model.parameter_file" in cal.stdout, "calibrate says how to use the table", cal.stdout)
        with open(table) as fh:
            written = fh.read()
        builtin = table_values(open(os.path.join(SRC, "configs", "parameters.toml")).read())
        mine = table_values(written)
        check(set(builtin) <= set(mine), "the table holds every built-in entry",
              str(sorted(set(builtin) - set(mine))))
        check(all(mine[k] == v for k, v in builtin.items() if k != "k_12"),
              "entries not fitted keep their built-in values")
        check("fitted in [0.05, 0.5]" in written, "the fitted entry says it was fitted, and in which range")

        # 2b. without -o, calibrate never rewrites the tracked built-in table: it writes
        #     results/parameters.fitted.toml below the working directory (a clone's root).
        clone = os.path.join(tmp, "clone")
        shutil.copytree(os.path.join(SRC, "configs"), os.path.join(clone, "configs"))
        tracked = os.path.join(clone, "configs", "parameters.toml")
        before = open(tracked, "rb").read()
        cal = citsim("calibrate", "--targets", targets, "--scenarios", SCENARIOS, "--free", "k_12:0.05:0.5",
                     "--max-evals", "2", "-q", expect=None, cwd=clone)
        fitted = os.path.join(clone, "results", "parameters.fitted.toml")
        check(cal.returncode in (0, 1) and open(tracked, "rb").read() == before and os.path.exists(fitted)
              and "results/parameters.fitted.toml" in cal.stdout,
              "calibrate without -o writes results/parameters.fitted.toml, configs/parameters.toml untouched",
              cal.stdout + cal.stderr)
        # Values read back as written: the shortest text of each (0.2, never 0.19999999999999998).
        values = re.findall(r"^value = (\S+)$", open(fitted).read(), re.M)
        check(values and all(v == repr(float(v)) for v in values),
              "the table's values are the shortest text that reads back the same",
              str([v for v in values if v != repr(float(v))][:5]))

        # 3. a run with the table
        k12 = 0.4321
        edited = re.sub(r"(\[k_12\]\nvalue = )\S+", rf"\g<1>{k12}", written)
        with open(table, "w") as fh:
            fh.write(edited)
        config = os.path.join(SRC, "configs", "validation", "single_session.toml")
        out = os.path.join(tmp, "run.h5")
        citsim("run", config, "--set", "model.level=0d", "--set", f"model.parameter_file={os.path.basename(table)}",
               "-o", out, "-q", cwd=tmp)
        with h5py.File(out, "r") as f:
            attrs = f.attrs
            used = attrs["parameter_table"].decode() if isinstance(attrs["parameter_table"], bytes) \
                else str(attrs["parameter_table"])
            path = attrs["parameter_file"].decode() if isinstance(attrs["parameter_file"], bytes) \
                else str(attrs["parameter_file"])
            check(float(f["parameters"].attrs["k_12"]) == k12, "the run uses the table's value",
                  str(f["parameters"].attrs["k_12"]))
            check(used == edited, "the output records the table's text")
            check(path == "mine.toml", "the output records the table's path as resolved", path)
        out2 = os.path.join(tmp, "run2.h5")
        citsim("run", config, "--set", "model.level=0d", "--set", f"model.parameter_file={table}",
               "--set", "model.parameters.k_12=0.2", "-o", out2, "-q")
        with h5py.File(out2, "r") as f:
            check(float(f["parameters"].attrs["k_12"]) == 0.2, "a model.parameters value wins over the table")
        default = os.path.join(tmp, "default.h5")
        citsim("run", config, "--set", "model.level=0d", "-o", default, "-q")
        with h5py.File(default, "r") as f:
            check(f.attrs["parameter_table"] == open(os.path.join(SRC, "configs", "parameters.toml")).read()
                  or f.attrs["parameter_table"].decode() == open(os.path.join(SRC, "configs", "parameters.toml")).read(),
                  "without a table the built-in one is recorded")
        missing = citsim("run", config, "--set", "model.parameter_file=none.toml", "-o", os.path.join(tmp, "x.h5"),
                         expect=2, cwd=tmp)
        check("model.parameter_file" in missing.stderr and "none.toml" in missing.stderr
              and not os.path.exists(os.path.join(tmp, "x.h5")),
              "a missing table: exit 2 naming the key and the file, nothing written", missing.stderr)

        # 4. a sweep's parameter table is part of its identity: the same --set, the table edited
        spec = os.path.join(SRC, "configs", "sweeps", "needle_density.toml")
        shard0 = os.path.join(tmp, "s.h5")
        sets = ["--set", "model.level=0d", "--set", f"model.parameter_file={table}"]
        citsim("sweep", spec, *sets, "--shard", "0/2", "-o", shard0, "-q")
        with open(table, "w") as fh:
            fh.write(re.sub(r"(\[k_12\]\nvalue = )\S+", r"\g<1>0.25", edited))
        citsim("sweep", spec, *sets, "--shard", "1/2", "-o", shard0, "-q")
        shards = [os.path.join(tmp, f"s.shard-{i}-of-2.h5") for i in range(2)]
        check(all(os.path.exists(s) for s in shards), "two shards written")
        merged = citsim("merge", "-o", os.path.join(tmp, "merged.h5"), *shards, expect=2)
        check("parameter table differs" in merged.stderr and not os.path.exists(os.path.join(tmp, "merged.h5")),
              "shards run with different parameter tables are not merged", merged.stderr)
        again = citsim("sweep", spec, *sets, "--shard", "0/2", "-o", shard0, expect=2)
        check("parameter table differs" in again.stderr,
              "a finished shard is not taken as done under another parameter table", again.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return TALLY.summary()


if __name__ == "__main__":
    sys.exit(main())
