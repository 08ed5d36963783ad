#!/usr/bin/python3
"""torch.nn.LSTM at batch 1, exported to ONNX with test data.

One `torch.nn.LSTM(--inputs, --hidden)` layer over `--steps` time steps of
batch 1 (the TSP paper's LSTM figures are 512/512 and 1024/1024), weights
seeded (nothing is downloaded), f32. The export is one ONNX LSTM node; its
outputs are the sequence Y, the final h and c. The directory has the layout
of ONNX's backend tests: model.onnx and test_data_set_0/input_0.pb,
output_K.pb (PyTorch's own outputs), so `tsp onnx-test DIR` runs it.

    /usr/bin/python3 scripts/models/lstm.py OUT_DIR [--inputs 512 --hidden 512 --steps 4]

Run with Debian's Python (/usr/bin/python3: python3-torch, python3-onnx).
"""
import argparse
import collections
import math
import os
import sys

import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper


class Lstm(nn.Module):
    def __init__(self, inputs, hidden):
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        return y, h, c


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="directory to write (model.onnx, test_data_set_0/)")
    p.add_argument("--inputs", type=int, default=512)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    model = Lstm(a.inputs, a.hidden).eval()
    x = torch.randn(a.steps, 1, a.inputs)
    with torch.no_grad():
        outs = model(x)
    os.makedirs(os.path.join(a.out, "test_data_set_0"), exist_ok=True)
    path = os.path.join(a.out, "model.onnx")
    torch.onnx.export(model, (x,), path, opset_version=17, input_names=["x"], output_names=["y", "h", "c"])
    for name, t in [("input_0", x)] + [(f"output_{k}", o) for k, o in enumerate(outs)]:
        with open(os.path.join(a.out, "test_data_set_0", name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(t.numpy()).SerializeToString())
    m = onnx.load(path)
    params = sum(math.prod(i.dims) for i in m.graph.initializer)
    census = collections.Counter(n.op_type for n in m.graph.node)
    print(f"{path}: opset 17, {len(m.graph.node)} nodes, {params} parameters; LSTM {a.inputs}/{a.hidden}, "
          f"{a.steps} steps, batch 1")
    print("op census: " + ", ".join(f"{op} {n}" for op, n in sorted(census.items(), key=lambda x: (-x[1], x[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
