#!/usr/bin/python3
"""A BERT-base encoder written in PyTorch, exported to ONNX with test data.

The encoder of BERT-base (Devlin et al.): `--layers` post-norm layers (BERT-base
has 12) of multi-head self-attention (`--heads` heads over `--dim`, scores
scaled by 1/sqrt(head dim), softmax, no mask: one sequence of `--seq` tokens
fills the batch) and a GELU feed-forward of `--ffn`, each followed by a
residual add and LayerNorm (eps 1e-12). Defaults are BERT-base's (dim 768,
12 heads, ffn 3072, sequence 128); the embeddings are left out, so the input
is the [1, seq, dim] hidden state. Weights are seeded (nothing is
downloaded), the module is in eval mode. The directory has the layout of
ONNX's backend tests: model.onnx and test_data_set_0/input_0.pb, output_0.pb
(PyTorch's own output), so `tsp onnx-test DIR` runs it.

    /usr/bin/python3 scripts/models/bert.py OUT_DIR [--layers 1 --seq 128 ...]

Run with Debian's Python (/usr/bin/python3: python3-torch, python3-onnx).
"""
import argparse
import math
import sys

import torch
import torch.nn as nn

from onnx_export import export_test_dir


class EncoderLayer(nn.Module):
    def __init__(self, dim, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim, eps=1e-12)
        self.up = nn.Linear(dim, ffn)
        self.down = nn.Linear(ffn, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, hd).transpose(1, 2) for z in (q, k, v))
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1) @ v
        x = self.norm1(x + self.out(a.transpose(1, 2).reshape(b, t, d)))
        return self.norm2(x + self.down(nn.functional.gelu(self.up(x))))


class Encoder(nn.Module):
    def __init__(self, layers, dim, heads, ffn):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(dim, heads, ffn) for _ in range(layers))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="directory to write (model.onnx, test_data_set_0/)")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--dim", type=int, default=768)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--ffn", type=int, default=3072)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    if a.dim % a.heads:
        p.error(f"--dim {a.dim} is not a multiple of --heads {a.heads}")
    torch.manual_seed(a.seed)
    model = Encoder(a.layers, a.dim, a.heads, a.ffn).eval()
    export_test_dir(model, [torch.randn(1, a.seq, a.dim)], a.out, ["x"], ["y"],
                    f"BERT encoder, {a.layers} layers, dim {a.dim}, {a.heads} heads, ffn {a.ffn}, sequence {a.seq}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
