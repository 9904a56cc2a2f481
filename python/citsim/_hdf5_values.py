"""HDF5 values as Python ones, for the run and sweep readers: strings decoded, numpy scalars
unwrapped, and the attributes that belong to HDF5's dimension scales rather than to the data."""

import numpy as np

# Attributes the dimension-scale API writes (hdf5_hl); the Datasets carry their meaning as dims.
SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"}


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def attr_value(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.dtype.kind in "SO":
        return [text(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v
