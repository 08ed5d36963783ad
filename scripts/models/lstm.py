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
import sys

import torch
import torch.nn as nn

from onnx_export import export_test_dir


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
    export_test_dir(model, [torch.randn(a.steps, 1, a.inputs)], a.out, ["x"], ["y", "h", "c"],
                    f"LSTM {a.inputs}/{a.hidden}, {a.steps} steps, batch 1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
