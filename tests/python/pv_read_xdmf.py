"""Run by pvpython: open an XDMF file in ParaView and print, as JSON, every point array at the
requested times (argv: file.xmf time...). check_fields.py compares them with what h5py reads."""
import json
import sys

from paraview import servermanager
from paraview.simple import XDMFReader
from vtk.numpy_interface import dataset_adapter as dsa

path = sys.argv[1]
times = [float(t) for t in sys.argv[2:]]
reader = XDMFReader(FileNames=[path])
reader.UpdatePipelineInformation()
out = {"timesteps": list(reader.TimestepValues), "fields": {}}
for t in times:
    reader.UpdatePipeline(t)
    data = servermanager.Fetch(reader)
    if data.IsA("vtkMultiBlockDataSet"):
        data = data.GetBlock(0)
    wrapped = dsa.WrapDataObject(data)
    out["dimensions"] = list(data.GetDimensions())
    out["fields"][repr(t)] = {name: [float(v) for v in wrapped.PointData[name].ravel()]
                              for name in wrapped.PointData.keys()}
print("JSON:" + json.dumps(out))
