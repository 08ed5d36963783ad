"""The shared tail of the model scripts: export a module to ONNX (opset 17)
as an ONNX backend-test directory (model.onnx, test_data_set_0/input_K.pb and
output_K.pb, PyTorch's own outputs) and print the model's op census, which
the tests look for."""
import collections
import math
import os

import onnx
import torch
from onnx import numpy_helper


def export_test_dir(model, inputs, out, input_names, output_names, what):
    """Exports `model` on `inputs` into `out`; `what` ends the summary line."""
    with torch.no_grad():
        outputs = model(*inputs)
    if not isinstance(outputs, tuple):
        outputs = (outputs,)
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    path = os.path.join(out, "model.onnx")
    torch.onnx.export(model, tuple(inputs), path, opset_version=17, input_names=input_names,
                      output_names=output_names)
    tensors = [(f"input_{k}", t) for k, t in enumerate(inputs)] + [(f"output_{k}", t) for k, t in enumerate(outputs)]
    for name, t in tensors:
        with open(os.path.join(out, "test_data_set_0", name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(t.numpy()).SerializeToString())
    m = onnx.load(path)
    params = sum(math.prod(i.dims) for i in m.graph.initializer)
    census = collections.Counter(n.op_type for n in m.graph.node)
    print(f"{path}: opset 17, {len(m.graph.node)} nodes, {params} parameters; {what}")
    print("op census: " + ", ".join(f"{op} {n}" for op, n in sorted(census.items(), key=lambda x: (-x[1], x[0]))))
