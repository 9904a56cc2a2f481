"""The pass/fail tally every Python check script prints.

One line per check (`ok    what` or `FAIL  what` with the detail below it); `summary()` prints the
last line, `N passed, M failed`, which the CTest wrappers read, and returns the exit code.
"""


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, what, detail=""):
        """Count one check; returns the condition so callers can stop early."""
        if condition:
            self.passed += 1
            print(f"ok    {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {what}" + (f"\n      {detail}" if detail else ""), flush=True)
        return bool(condition)

    def summary(self):
        """Print `N passed, M failed`; 0 if nothing failed, else 1."""
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1
