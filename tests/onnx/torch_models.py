#!/usr/bin/python3
"""PyTorch modules exported to ONNX (opset 17) as ONNX backend test
directories: OUT/<name>/model.onnx and OUT/<name>/test_data_set_0/
{input,output}_K.pb, PyTorch's own outputs being the expected ones (the
independent oracle). Seeded; nothing is downloaded. Run with Debian's
/usr/bin/python3 (python3-torch, python3-onnx).

  torch_models.py OUT
"""
import math
import os
import sys
import warnings

import torch
import torch.nn as nn
from onnx import numpy_helper

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "models"))
from lstm import Lstm  # noqa: E402  (scripts/models/lstm.py: the same module the validation runs)


class DecoderBits(nn.Module):
    """The shape arithmetic and elementwise ops of a Llama-style decoder
    export: RMSNorm (Pow, ReduceMean, Add, Sqrt, Div), a view computed from
    x.shape, a causal mask from Range/Unsqueeze/Greater/Where over the
    sequence length, scores / sqrt(d), softmax, negation, clamping."""

    def __init__(self, d=320, t=8):
        super().__init__()
        self.w = nn.Parameter(torch.randn(d))
        self.k = nn.Parameter(torch.randn(d, t))
        self.eps = 1e-6

    def forward(self, x):
        t = x.shape[0]
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w
        h = h.view(t, -1)
        pos = torch.arange(t)
        mask = torch.where(pos[None, :] > pos[:, None], torch.tensor(-1e4), torch.tensor(0.0))
        s = h @ self.k / math.sqrt(h.shape[-1]) + mask
        p = torch.softmax(s, dim=-1)
        return torch.clamp(-p * 3.0, min=-2.0, max=2.0)


class GeluErf(nn.Module):
    """GELU as the exact erf form (Div, Erf, Add, Mul), and a reciprocal."""

    def forward(self, x):
        return nn.functional.gelu(x) + 1.0 / (x * x + 1.0)


class Pools(nn.Module):
    """What a CNN exports around its convolutions: BatchNormalization with
    running statistics (eval mode), MaxPool with padding and stride (ResNet's
    stem), AvgPool with ceil_mode and count_include_pad=False (per-position
    divisors), and adaptive pooling to 1 x 1 (GlobalAveragePool; the max
    form exports as a MaxPool over the whole plane)."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(3)
        with torch.no_grad():
            self.bn.weight.copy_(torch.randn(3))
            self.bn.bias.copy_(torch.randn(3))
            self.bn.running_mean.copy_(torch.randn(3))
            self.bn.running_var.copy_(torch.rand(3) + 0.5)

    def forward(self, x):
        m = nn.functional.max_pool2d(self.bn(x), 3, stride=2, padding=1)
        a = nn.functional.avg_pool2d(m, 2, stride=2, ceil_mode=True, count_include_pad=False)
        return a, nn.functional.adaptive_avg_pool2d(m, 1), nn.functional.adaptive_max_pool2d(x, 1)


class Convs(nn.Module):
    """Convolutions as CNNs export them: a strided, padded 3x3 stem with bias
    (MXM over 3 channels), BatchNorm and ReLU, a depthwise 3x3 (groups = 8,
    per-channel weights on the VXM) and a pointwise 1x1 with bias (MXM over 8)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        with torch.no_grad():
            self.bn.running_mean.copy_(torch.randn(8) * 0.1)
            self.bn.running_var.copy_(torch.rand(8) + 0.5)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.pw = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        return self.pw(self.dw(torch.relu(self.bn(self.stem(x)))))


class MlpBn(nn.Module):
    """Linear, BatchNorm1d (eval mode: the exporter keeps it as a node after
    the Gemm, or the MatMul of a Linear without bias; the importer folds it
    into the weights), ReLU, Linear."""

    def __init__(self, bias=True):
        super().__init__()
        self.fc1 = nn.Linear(64, 32, bias=bias)
        self.bn = nn.BatchNorm1d(32)
        with torch.no_grad():
            self.bn.weight.copy_(torch.randn(32))
            self.bn.bias.copy_(torch.randn(32))
            self.bn.running_mean.copy_(torch.randn(32) * 0.1)
            self.bn.running_var.copy_(torch.rand(32) + 0.5)
        self.fc2 = nn.Linear(32, 8)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


# name: module, inputs, dynamic axes (kept symbolic in the export, so that its
# shape arithmetic stays in the graph for the importer to fold)
MODELS = {
    "torch_decoder_bits": (DecoderBits, lambda: [torch.randn(8, 320)], {"in0": {0: "T"}}),
    "torch_gelu_erf": (GeluErf, lambda: [torch.randn(4, 96) * 3], {}),
    "torch_pools": (Pools, lambda: [torch.randn(2, 3, 13, 13)], {}),
    "torch_convs": (Convs, lambda: [torch.randn(1, 3, 16, 16)], {}),
    # torch.nn.LSTM as PyTorch exports it (one ONNX LSTM node, gates reordered
    # to ONNX's, both biases), with the final hidden and cell state.
    "torch_lstm": (lambda: Lstm(48, 64), lambda: [torch.randn(5, 1, 48)], {}),
    # The same convolutions with the BatchNormalization kept as a node (the
    # exporter folds it in eval mode): the importer folds it into the stem.
    "torch_convs_bn": (Convs, lambda: [torch.randn(1, 3, 16, 16)], {}),
    "torch_mlp_bn": (MlpBn, lambda: [torch.randn(4, 64)], {}),
    "torch_mlp_matmul_bn": (lambda: MlpBn(bias=False), lambda: [torch.randn(4, 64)], {}),
}
# Export options beyond the defaults, per model.
EXPORT_OPTIONS = {
    "torch_convs_bn": {"training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False},
}


def write(path, tensors, prefix):
    for k, t in enumerate(tensors):
        with open(os.path.join(path, f"{prefix}_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(t.detach().numpy()).SerializeToString())


def main():
    out = sys.argv[1]
    for name, (cls, inputs, dynamic) in MODELS.items():
        torch.manual_seed(1)
        m = cls().eval()
        ins = inputs()
        d = os.path.join(out, name)
        os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
        torch.onnx.export(m, tuple(ins), os.path.join(d, "model.onnx"), opset_version=17,
                          input_names=[f"in{k}" for k in range(len(ins))], dynamic_axes=dynamic,
                          **EXPORT_OPTIONS.get(name, {}))
        outs = m(*ins)
        write(os.path.join(d, "test_data_set_0"), ins, "input")
        write(os.path.join(d, "test_data_set_0"), outs if isinstance(outs, tuple) else [outs], "output")
    return 0


if __name__ == "__main__":
    sys.exit(main())
