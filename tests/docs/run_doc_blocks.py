#!/usr/bin/python3
"""Every command block of README.md and docs/*.md runs as it is written, so a stale path, option,
file name or count fails here.

    /usr/bin/python3 tests/docs/run_doc_blocks.py <citsim-binary> <source-dir> <build-dir> <with-mpi: ON|OFF>

The blocks run in the order a reader meets them (README.md, then docs/*.md by name) in a copy of
the source tree, as on a fresh clone after the README's quick start: `build/release` there is the
build tree under test; HOME is an empty directory whose ~/.local/bin is on PATH (where the
README's install step puts citsim, and which Debian's ~/.profile puts on PATH); PYTHONPATH holds
build/release/python (docs/python.md); plots draw without
a display (MPLBACKEND=Agg); Open MPI may run as root and put more ranks than cores (what the
flags named beside the MPI block of docs/cluster.md do). A ```sh or ```bash block runs in bash
with -e and pipefail. The ```python blocks of a document share one session (later blocks use
the names of earlier ones): they run with /usr/bin/python3 at the last block of each group that
no shell block interrupts.

A block whose first line is `# not run by the doc test: REASON` is left out, its reason printed
(the reader sees it too): installs, builds, SLURM, a window, or minutes of work another test
covers. Blocks that call mpirun are left out when citsim is built without MPI. With
CITSIM_DOC_COMMANDS=skip in the environment (the sanitizer build sets it: its runs take many
times longer) nothing runs and the exit code is 77.

Each block prints `ok` or `FAIL` with its file, line and time; the last line is always
`N passed, M failed`.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tally import Tally  # noqa: E402

SKIP_MARK = re.compile(r"^#\s*not run by the doc test:\s*(\S.*)$")
FENCE = re.compile(r"^```(\w*)\s*$")
SHELL = {"sh", "bash"}
BLOCK_TIMEOUT = 900  # seconds; a block that hangs fails rather than stalling the suite


class Block:
    def __init__(self, doc, line, lang, text):
        self.doc, self.line, self.lang, self.text = doc, line, lang, text
        first = next((s for s in text.splitlines() if s.strip()), "")
        m = SKIP_MARK.match(first.strip())
        self.skip_reason = m.group(1) if m else None

    @property
    def where(self):
        return f"{self.doc}:{self.line}"


def blocks_of(path, name):
    """The ```sh, ```bash and ```python blocks of a Markdown file, in order."""
    out, lang, start, lines = [], None, 0, []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if lang is None:
                m = FENCE.match(line)
                if m:
                    lang, start, lines = m.group(1), number, []
            elif line.startswith("```"):
                if lang in SHELL or lang == "python":
                    out.append(Block(name, start, "sh" if lang in SHELL else "python", "\n".join(lines) + "\n"))
                lang = None
            else:
                lines.append(line)
    return out


def documents(src):
    docs = [("README.md", os.path.join(src, "README.md"))]
    folder = os.path.join(src, "docs")
    docs += [(f"docs/{n}", os.path.join(folder, n)) for n in sorted(os.listdir(folder)) if n.endswith(".md")]
    return docs


def tail(text, n=25):
    return "\n".join(text.strip().splitlines()[-n:])


def run(cmd, clone, env):
    """Runs cmd in the clone, in a process group of its own and with no input (a command reading
    stdin must not eat the block); the whole group is killed if it outlasts BLOCK_TIMEOUT or this
    script is stopped. Returns (exit code or "timeout", stdout, stderr, seconds)."""
    started = time.monotonic()
    p = subprocess.Popen(cmd, cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=BLOCK_TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        kill_group(p.pid)
        out, err = p.communicate()
        rc, err = "timeout", err + f"\n(stopped after {BLOCK_TIMEOUT} s)"
    finally:
        if p.poll() is None:  # stopped by a signal to this script
            kill_group(p.pid)
            p.wait()
    return rc, out, err, time.monotonic() - started


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    citsim, src, build, with_mpi = (os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]),
                                    os.path.abspath(sys.argv[3]), sys.argv[4] == "ON")
    if os.environ.get("CITSIM_DOC_COMMANDS") == "skip":
        print("skip: CITSIM_DOC_COMMANDS=skip (the sanitizer build: the documented runs take many times longer)")
        return 77
    if not os.access(citsim, os.X_OK):
        print(f"FAIL  no citsim binary at {citsim}")
        return 1
    tally = Tally()
    # SIGTERM (ctest's timeout, a batch system) unwinds like Ctrl-C: the block's processes and the
    # temporary tree go.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    tmp = tempfile.mkdtemp(prefix="citsim-doc-")
    try:
        # 1. A clone as after the quick start: the sources, build/release = the build under test.
        clone = os.path.join(tmp, "clone")
        shutil.copytree(src, clone, symlinks=True,
                        ignore=lambda d, names: [n for n in names if d == src and
                                                 (n.startswith("build") or n in (".git", "results"))])
        os.makedirs(os.path.join(clone, "build"))
        os.symlink(build, os.path.join(clone, "build", "release"))
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        # PYTHONPATH: the Python package of the build, as docs/python.md's first step sets it.
        env = dict(os.environ, HOME=home, MPLBACKEND="Agg",
                   PYTHONPATH=os.path.join(clone, "build", "release", "python"),
                   PATH=os.path.join(home, ".local", "bin") + os.pathsep + os.environ.get("PATH", ""),
                   OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
        env.pop("CITSIM", None)  # the scripts' own default (citsim on PATH), as for a reader

        # 2. Every block, in order.
        total = time.monotonic()
        ran = skipped = 0
        for name, path in documents(src):
            blocks = blocks_of(path, name)
            session = []  # the python blocks of this document so far
            for i, b in enumerate(blocks):
                if b.skip_reason:
                    print(f"skip  {b.where}: {b.skip_reason}")
                    skipped += 1
                    continue
                if b.lang == "sh" and re.search(r"^\s*mpirun\b", b.text, re.M) and not with_mpi:
                    print(f"skip  {b.where}: citsim is built without MPI (CITSIM_WITH_MPI=OFF)")
                    skipped += 1
                    continue
                if b.lang == "python":
                    session.append(b)
                    following = blocks[i + 1] if i + 1 < len(blocks) else None
                    if following is not None and following.lang == "python" and not following.skip_reason:
                        continue  # the group runs at its last block
                    rc, out, err, seconds = run(["/usr/bin/python3", "-c", "\n".join(s.text for s in session)],
                                                clone, env)
                    where = b.where if len(session) == 1 else \
                        f"{session[0].where}-{b.line} ({len(session)} python blocks, one session)"
                else:
                    rc, out, err, seconds = run(["bash", "-e", "-o", "pipefail", "-c", b.text], clone, env)
                    where = b.where
                ran += 1
                tally.check(rc == 0, f"{where} ({seconds:.1f} s)",
                            f"exit {rc}\n--- the block\n{b.text.rstrip()}\n--- stdout\n{tail(out)}\n--- stderr\n{tail(err)}")
        print(f"{ran} block(s) run, {skipped} left out, {time.monotonic() - total:.0f} s")
        # A parser that lost the blocks, or skips that crept in, would pass silently.
        tally.check(ran + skipped >= 15 and ran >= 8, f"the documents' command blocks were found ({ran} run)",
                    f"{ran} run, {skipped} left out")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
