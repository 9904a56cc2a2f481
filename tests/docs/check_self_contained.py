#!/usr/bin/python3
"""The repository is self-contained: nothing a user reads points outside it.

    /usr/bin/python3 tests/docs/check_self_contained.py <source-dir>

Every text file outside tests/, third_party/, build trees and results/ (README.md, docs/, configs/
with the parameter table `citsim params` shows, scripts/ and their help, src/ and include/ with
their messages, the report page, bench/) must not name `../shared` or `MODEL.md`: the model is
stated in docs/model.md. Every `docs/model.md §N` or `§N.M` reference must name a section (a
`## §N` heading) or an item of a numbered list in it.

Each check prints `ok` or `FAIL`; the last line is always `N passed, M failed`.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tally import Tally  # noqa: E402

SKIPPED_DIRS = {".git", "tests", "third_party", "results"}
FORBIDDEN = [(re.compile(r"\.\./shared"), "../shared"), (re.compile(r"\bMODEL\.md\b"), "MODEL.md")]
REFERENCE = re.compile(r"docs/model\.md §(\d+)(?:\.(\d+))?")


def user_files(src):
    """Paths (relative to src) of the text files a user of the clone reads."""
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        dirs[:] = sorted(d for d in dirs if not (rel == "." and (d in SKIPPED_DIRS or d.startswith("build"))))
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    yield os.path.relpath(path, src), fh.read()
            except (UnicodeDecodeError, OSError):
                continue  # images, HDF5 files: nothing to read


def model_sections(text):
    """{N: set of item numbers} of docs/model.md: `## §N` headings and the numbered items under them."""
    sections, current = {}, None
    for line in text.splitlines():
        if m := re.match(r"^## §(\d+)\b", line):
            current = int(m.group(1))
            sections[current] = set()
        elif line.startswith("#"):
            current = None
        elif current is not None and (m := re.match(r"^(\d+)\. ", line)):
            sections[current].add(int(m.group(1)))
    return sections


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = os.path.abspath(sys.argv[1])
    tally = Tally()
    with open(os.path.join(src, "docs", "model.md"), encoding="utf-8") as fh:
        sections = model_sections(fh.read())
    tally.check(set(range(1, 9)) <= set(sections), "docs/model.md states §1 to §8", str(sorted(sections)))

    files = list(user_files(src))
    tally.check(len(files) > 100 and any(p == "README.md" for p, _ in files), f"{len(files)} files read",
                "the walk found too few files")
    for pattern, what in FORBIDDEN:
        hits = [f"{p}:{text.count(chr(10), 0, m.start()) + 1}" for p, text in files for m in pattern.finditer(text)]
        tally.check(not hits, f"no file a user reads names {what}", "\n".join(hits[:20]))
    bad = []
    for p, text in files:
        for m in REFERENCE.finditer(text):
            n, item = int(m.group(1)), m.group(2)
            if n not in sections or (item is not None and int(item) not in sections[n]):
                bad.append(f"{p}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}")
    tally.check(not bad, "every docs/model.md §N(.M) reference names a section or item of docs/model.md",
                "\n".join(bad[:20]))
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
