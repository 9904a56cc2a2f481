"""The installed Python package (test install.python): `import citsim` from the prefix, not the
build tree, runs a short config and reads its readouts.

    PYTHONPATH=<prefix>/<python dir> /usr/bin/python3 check_python.py <prefix>
"""
import math
import os
import sys

prefix = os.path.realpath(sys.argv[1])
try:
    import numpy  # noqa: F401
    import xarray  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e} (apt-get install python3-numpy python3-xarray)")
    sys.exit(77)

import citsim

where = os.path.realpath(citsim.__file__)
assert where.startswith(prefix + os.sep), f"citsim imported from {where}, not from {prefix}"
assert os.path.realpath(citsim._citsim.__file__).startswith(prefix + os.sep), citsim._citsim.__file__
ds = citsim.run({"protocol": {"end_days": 30, "session": [{"time": 0, "needle_length": 1.5}]},
                 "model": {"level": "0d"}})
r0 = float(ds.R0[-1])
induction = float(ds.collagen_induction[-1])
print(f"citsim {citsim.__version__} from {os.path.dirname(where)}: R0 at day 30 = {r0:.4g} mm, "
      f"collagen induction {induction:+.3g} %")
assert math.isfinite(r0) and r0 > 0, r0
assert math.isfinite(induction) and induction > 0, induction
