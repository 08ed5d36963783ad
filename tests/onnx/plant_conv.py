#!/usr/bin/python3
"""Plants a wrong padding or stride in the first Conv of an exported ONNX test
directory, or a wrong running mean in its first BatchNormalization, keeping
PyTorch's expected outputs, so that `tsp onnx-test` on the copy must fail:
the PyTorch comparison catches a convolution that pads or strides
differently, and a BatchNormalization folded into the Conv's weights still
counts (tests/onnx/CMakeLists.txt).

  plant_conv.py SRC_DIR DST_DIR pads|strides|bn_mean
"""
import shutil
import sys

import onnx
from onnx import numpy_helper


def plant_bn_mean(m, dst):
    bn = next(n for n in m.graph.node if n.op_type == "BatchNormalization")
    init = next(t for t in m.graph.initializer if t.name == bn.input[3])
    mean = numpy_helper.to_array(init).copy()
    # Every channel, by far more than the tolerance once scaled by its a: a
    # ReLU after it may hide the channels the shift takes below zero.
    mean += 0.5
    init.CopyFrom(numpy_helper.from_array(mean, init.name))
    onnx.save(m, f"{dst}/model.onnx")
    print(f"plant_conv: {bn.name or bn.output[0]}: input_mean + 0.5 on all {mean.size} channels")
    return 0


def main():
    src, dst, what = sys.argv[1:4]
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    m = onnx.load(f"{src}/model.onnx")
    if what == "bn_mean":
        return plant_bn_mean(m, dst)
    conv = next(n for n in m.graph.node if n.op_type == "Conv")
    attr = next(a for a in conv.attribute if a.name == what)
    before = list(attr.ints)
    # pads 1 -> 2 on the leading sides (the output grows by one row and column, cut back
    # by the trailing pads 0); strides 2 -> 1 on the last axis only.
    new = [2, 2, 0, 0] if what == "pads" else before[:-1] + [1]
    if new == before:
        sys.exit(f"plant_conv: {what} is already {before}")
    del attr.ints[:]
    attr.ints.extend(new)
    onnx.save(m, f"{dst}/model.onnx")
    print(f"plant_conv: {conv.name or conv.output[0]}: {what} {before} -> {new}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
