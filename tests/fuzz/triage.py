#!/usr/bin/python3
"""Sorts the findings of a fuzzing run: citsim's own, or libhdf5's (tests/fuzz/run.sh).

    triage.py BINARY ARTIFACT...

Replays each artifact and reads the sanitizer report. A finding is libhdf5's own only when the
first frame that is not the sanitizer or fuzzer runtime is inside libhdf5 and no frame of the
report's memory description (allocated by, freed by, located in the stack of) is citsim code: a
buffer citsim sized wrongly and handed to HDF5 is citsim's, a free of a garbage pointer in HDF5's
own structures is not. UndefinedBehaviorSanitizer reports, uncaught exceptions, broken invariants
and leaks (libhdf5's are suppressed, tests/fuzz/lsan.supp) are always citsim's.
A finding that does not fail when replayed alone (the memory limit reached over many inputs in
one process) is listed as flaky. Prints one line per artifact; exits 1 if any finding is citsim's.
"""
import os
import re
import subprocess
import sys

RUNTIME = re.compile(r" in (__asan|__sanitizer|__interceptor|__lsan|__ubsan|fuzzer::|malloc|calloc|realloc|free"
                     r"|memcpy|memmove|memset|strlen|operator new|operator delete|raise|abort|__GI_)"
                     r"|\(/lib/x86_64-linux-gnu/libc\.so|libclang_rt")
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ ")


def classify(binary, artifact):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:symbolize=1:fast_unwind_on_malloc=0",
               LSAN_OPTIONS="suppressions=" + os.path.join(os.path.dirname(__file__), "lsan.supp"))
    run = subprocess.run([binary, "-timeout=10", "-rss_limit_mb=2048", "-malloc_limit_mb=4200", artifact],
                         capture_output=True, text=True, env=env, timeout=300)
    report = run.stdout + run.stderr
    if run.returncode == 0:
        return "flaky", "does not fail when replayed alone (memory grown over many inputs?)"
    error = next((l for l in report.splitlines() if "ERROR:" in l or "runtime error" in l or "terminate" in l), "")
    if "runtime error" in report or "terminate called" in report or "LeakSanitizer" in error:
        return "citsim", error.strip()
    lines = report.splitlines()
    start = next((i for i, l in enumerate(lines) if "ERROR:" in l), 0)
    main, i = [], start + 1
    while i < len(lines) and not FRAME.match(lines[i]):
        i += 1
    while i < len(lines) and FRAME.match(lines[i]):
        main.append(lines[i])
        i += 1
    # The memory the report names: whose is it? The first frame below the runtime of the
    # allocation stack (or the stack frame holding it) tells; citsim's frames further down only
    # say that citsim called HDF5.
    citsim_memory = False
    block = []
    for line in lines[i:] + [""]:
        if FRAME.match(line) or "frame #" in line:
            block.append(line)
            continue
        if block:
            owner = next((f for f in block if not RUNTIME.search(f)), "")
            citsim_memory = citsim_memory or ("libhdf5" not in owner and owner != "")
            block = []
    first = next((f for f in main if not RUNTIME.search(f)), "")
    in_hdf5 = "libhdf5" in first
    if in_hdf5 and not citsim_memory:
        return "libhdf5", error.strip() + " | " + first.strip()[:160]
    return "citsim", error.strip() + " | " + first.strip()[:160]


def main():
    binary, artifacts = sys.argv[1], sys.argv[2:]
    ours = 0
    for a in artifacts:
        kind, why = classify(binary, a)
        ours += kind == "citsim"
        print(f"  {kind:8} {a}: {why}")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
