#!/usr/bin/python3
"""Plants a wrong padding or stride in the first Conv of an exported ONNX test
directory, keeping PyTorch's expected outputs, so that `tsp onnx-test` on the
copy must fail: the PyTorch comparison catches a convolution that pads or
strides differently (tests/onnx/CMakeLists.txt).

  plant_conv.py SRC_DIR DST_DIR pads|strides
"""
import shutil
import sys

import onnx


def main():
    src, dst, what = sys.argv[1:4]
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    m = onnx.load(f"{src}/model.onnx")
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
