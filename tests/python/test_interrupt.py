"""Ctrl-C in Python (docs/python.md, "Ctrl-C"), run by ctest as python.interrupt:

    PYTHONPATH=build/release/python /usr/bin/python3 -m pytest tests/python/test_interrupt.py

A long citsim.run, citsim.sweep or citsim.validate in a child interpreter gets SIGINT a second after
it started: it stops within a few seconds with KeyboardInterrupt, leaves no temporary file, and the
package works again afterwards in the same process.
"""

import os
import signal
import subprocess
import threading
import time

import pytest

import citsim

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(SRC, "configs", "default.toml")

CHILD = r"""
import os, signal, sys, time
import citsim

# Python raises KeyboardInterrupt only where SIGINT has its default action at start-up; a shell that
# started the tests in the background may have left it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
src, what = sys.argv[1], sys.argv[2]
default = os.path.join(src, "configs", "default.toml")
work = {
    # minutes each: a 2D course, a 1D sweep of nine courses on one thread, every calibration target
    "run": lambda: citsim.run(default, set={"model.level": "2d"}, threads=1),
    "sweep": lambda: citsim.sweep(os.path.join(src, "configs", "sweeps", "needle_density.toml"), threads=1),
    "validate": lambda: citsim.validate(),
}[what]
print("ready", flush=True)
try:
    work()
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    ds = citsim.run(default, set={"model.level": "0d", "protocol.series.count": 1, "protocol.end_days": 30})
    print("and again", ds.time.values[-1], flush=True)
    sys.exit(42)
print("finished without interruption", flush=True)
"""


@pytest.mark.parametrize("what", ["run", "sweep", "validate"])
def test_ctrl_c_stops_the_work_and_raises_keyboard_interrupt(what, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    child = subprocess.Popen(["/usr/bin/python3", "-c", CHILD, SRC, what], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    try:
        assert child.stdout.readline() == "ready\n"
        time.sleep(1.0)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 42, out + err
    assert out.startswith("KeyboardInterrupt\nand again 30.0"), out + err
    assert stopped < 5.0, f"{what} took {stopped:.1f} s to stop"
    assert list(tmp.iterdir()) == [], "a temporary file was left behind"


def test_work_from_another_thread_runs_to_its_end():
    # Python delivers signals to its main thread only: there the work just runs (and releases the GIL).
    results = []
    worker = threading.Thread(target=lambda: results.append(
        citsim.run(DEFAULT, set={"model.level": "0d", "protocol.series.count": 1, "protocol.end_days": 30})))
    worker.start()
    worker.join(timeout=60)
    assert len(results) == 1 and results[0].time.values[-1] == 30.0
