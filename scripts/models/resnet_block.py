#!/usr/bin/python3
"""A bottleneck block of torchvision's ResNet-50, exported to ONNX with test data.

torchvision.models.resnet50(weights=None), seeded (nothing is downloaded), in
eval mode; the block is `--layer`'s block `--block` (default layer1[1]: 256 ->
64 -> 64 -> 256 channels, 1x1, 3x3 and 1x1 convolutions with BatchNorm and
ReLU, and the identity shortcut). The exporter folds each BatchNorm into its
convolution. The input is [1, C, S, S] with S = `--size` (ResNet-50 runs
layer1 at 56; see docs/compiler.md "Convolution" for what fits today). The
directory has the layout of ONNX's backend tests: model.onnx and
test_data_set_0/input_0.pb, output_0.pb (PyTorch's own output), so
`tsp onnx-test DIR` runs it.

    /usr/bin/python3 scripts/models/resnet_block.py OUT_DIR [--layer layer1 --block 1 --size 7]

Run with Debian's Python (/usr/bin/python3: python3-torch, python3-torchvision, python3-onnx).
"""
import argparse
import sys

import torch
import torchvision

from onnx_export import export_test_dir


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="directory to write (model.onnx, test_data_set_0/)")
    p.add_argument("--layer", default="layer1", choices=["layer1", "layer2", "layer3", "layer4"])
    p.add_argument("--block", type=int, default=1)
    p.add_argument("--size", type=int, default=7, help="spatial size of the input")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    block = getattr(torchvision.models.resnet50(weights=None).eval(), a.layer)[a.block]
    x = torch.randn(1, block.conv1.in_channels, a.size, a.size)
    export_test_dir(block, [x], a.out, ["x"], ["y"], f"resnet50 {a.layer}[{a.block}], input {list(x.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
