#!/usr/bin/python3
"""A Llama decoder in PyTorch, exported to ONNX as one decode step, with test data.

The architecture as users write it (no transformers package in Debian):
token embedding, per layer RMSNorm -> grouped-query attention with rotary
position embeddings (rotate_half by torch.cat) and a KV cache (torch.cat),
residual, RMSNorm -> SwiGLU MLP, residual; final RMSNorm and the LM head.
Weights are seeded random numbers (nothing is downloaded); every size is an
argument.

The export is ONE decode step (opset 17): inputs `input_ids` [1, 1] and
`position_ids` [1, 1] (int64) and per layer the cache `past_k.<i>`,
`past_v.<i>` [1, kv_heads, P, head_dim] (P symbolic: it grows); outputs
`logits` [1, 1, vocab] and per layer `present_k.<i>`, `present_v.<i>` [1,
kv_heads, P + 1, head_dim] (the cache with this token appended).

The directory it writes has the layout of ONNX's backend tests
(libonnx-testdata): model.onnx and test_data_set_<s>/input_K.pb, output_K.pb,
one data set per decode step. The outputs are PyTorch's own. Step 0's cache
is PyTorch's after `--cache` prompt tokens (decoded one at a time); step s
feeds the cache PyTorch produced at step s-1. So `tsp onnx-test DIR` runs it.

    /usr/bin/python3 scripts/models/llama.py OUT_DIR [--dim 64 --layers 2 ...]

Run with Debian's Python (/usr/bin/python3: python3-torch, python3-onnx).
"""
import argparse
import collections
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = a.heads, a.kv_heads, a.dim // a.heads
        self.wq = nn.Linear(a.dim, a.heads * self.head_dim, bias=False)
        self.wk = nn.Linear(a.dim, a.kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(a.dim, a.kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(a.heads * self.head_dim, a.dim, bias=False)

    def forward(self, x, cos, sin, past_k, past_v):
        b, t, _ = x.shape  # one token: t = 1
        q = self.wq(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.wk(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.wv(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat((past_k, k), dim=2)  # the cache with this token appended
        v = torch.cat((past_v, v), dim=2)
        groups = self.heads // self.kv_heads  # grouped-query attention: each kv head serves `groups` q heads
        kr = k[:, :, None].expand(b, self.kv_heads, groups, k.shape[2], self.head_dim).reshape(
            b, self.heads, k.shape[2], self.head_dim)
        vr = v[:, :, None].expand(b, self.kv_heads, groups, v.shape[2], self.head_dim).reshape(
            b, self.heads, v.shape[2], self.head_dim)
        scores = torch.matmul(q, kr.transpose(2, 3)) / math.sqrt(self.head_dim)
        p = F.softmax(scores, dim=-1)
        o = torch.matmul(p, vr).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return self.wo(o), k, v


class MLP(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.w1 = nn.Linear(a.dim, a.ffn, bias=False)
        self.w3 = nn.Linear(a.dim, a.ffn, bias=False)
        self.w2 = nn.Linear(a.ffn, a.dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.attn_norm, self.mlp_norm = RMSNorm(a.dim, a.eps), RMSNorm(a.dim, a.eps)
        self.attn, self.mlp = Attention(a), MLP(a)

    def forward(self, x, cos, sin, past_k, past_v):
        h, k, v = self.attn(self.attn_norm(x), cos, sin, past_k, past_v)
        x = x + h
        return x + self.mlp(self.mlp_norm(x)), k, v


class Llama(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embed = nn.Embedding(a.vocab, a.dim)
        self.layers = nn.ModuleList(Block(a) for _ in range(a.layers))
        self.norm = RMSNorm(a.dim, a.eps)
        self.head = nn.Linear(a.dim, a.vocab, bias=False)
        hd = a.dim // a.heads
        inv = 1.0 / (a.rope_theta ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(a.max_positions).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)  # [positions, head_dim]
        self.register_buffer("cos_table", ang.cos(), persistent=False)
        self.register_buffer("sin_table", ang.sin(), persistent=False)

    def forward(self, input_ids, position_ids, *cache):
        x = self.embed(input_ids)
        cos = self.cos_table[position_ids][:, None]  # [1, 1, 1, head_dim]: broadcast over heads
        sin = self.sin_table[position_ids][:, None]
        present = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, cache[2 * i], cache[2 * i + 1])
            present += [k, v]
        return (self.head(self.norm(x)), *present)


def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="directory to write (model.onnx, test_data_set_<s>/)")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--ffn", type=int, default=176)
    p.add_argument("--vocab", type=int, default=256)
    p.add_argument("--cache", type=int, default=8, help="tokens in the cache before the first exported step")
    p.add_argument("--steps", type=int, default=3, help="decode steps (data sets), the cache growing by one each")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--eps", type=float, default=1e-5)
    p.add_argument("--rope-theta", type=float, default=10000.0)
    a = p.parse_args(argv)
    if a.dim % a.heads or (a.dim // a.heads) % 2 or a.heads % a.kv_heads:
        p.error(f"dim {a.dim} must split into {a.heads} heads of an even size, and heads into {a.kv_heads} kv heads")
    if a.cache < 1 or a.steps < 1:
        p.error("--cache and --steps must be at least 1")
    a.max_positions = a.cache + a.steps
    return a


def save(arrays, names, d, kind):
    for i, (arr, name) in enumerate(zip(arrays, names)):
        with open(os.path.join(d, f"{kind}_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, name).SerializeToString())


def main(argv):
    a = arguments(argv)
    torch.manual_seed(a.seed)
    model = Llama(a).eval()
    hd = a.dim // a.heads
    cache_names = [f"past_{kv}.{i}" for i in range(a.layers) for kv in ("k", "v")]
    present_names = [f"present_{kv}.{i}" for i in range(a.layers) for kv in ("k", "v")]
    in_names = ["input_ids", "position_ids"] + cache_names
    out_names = ["logits"] + present_names
    tokens = torch.randint(0, a.vocab, (a.cache + a.steps,), generator=torch.Generator().manual_seed(a.seed + 1))
    os.makedirs(a.out, exist_ok=True)
    with torch.no_grad():
        # The prompt, one token at a time from an empty cache (PyTorch only).
        cache = [torch.zeros(1, a.kv_heads, 0, hd) for _ in range(2 * a.layers)]
        for pos in range(a.cache):
            outs = model(tokens[pos].view(1, 1), torch.tensor([[pos]]), *cache)
            cache = list(outs[1:])
        steps = []
        for s in range(a.steps):
            pos = a.cache + s
            inputs = (tokens[pos].view(1, 1), torch.tensor([[pos]]), *cache)
            outs = model(*inputs)
            steps.append((inputs, outs))
            cache = list(outs[1:])  # step s + 1 feeds the cache PyTorch produced here
        # The export traces step 0; the trace must not have frozen the cache
        # length into constants: traced anew the same way, it must reproduce
        # every step (whose caches are longer) exactly.
        traced = torch.jit.trace(model, steps[0][0], check_trace=False)
        for s, (inputs, outs) in enumerate(steps):
            where = f"llama.py: error: the traced model (what the export records) at step {s} (cache {a.cache + s})"
            try:
                got = traced(*inputs)
            except RuntimeError as e:
                sys.exit(f"{where} fails: {[ln for ln in str(e).splitlines() if ln.strip()][-1].strip()}")
            if not all(torch.equal(g, w) for g, w in zip(got, outs)):
                sys.exit(f"{where} differs from PyTorch")
        path = os.path.join(a.out, "model.onnx")
        dynamic = {n: {2: "past"} for n in cache_names}
        dynamic.update({n: {2: "past_plus_1"} for n in present_names})
        torch.onnx.export(model, steps[0][0], path, opset_version=17, input_names=in_names, output_names=out_names,
                          dynamic_axes=dynamic, do_constant_folding=True)
    for s, (inputs, outs) in enumerate(steps):
        d = os.path.join(a.out, f"test_data_set_{s}")
        os.makedirs(d, exist_ok=True)
        save([t.numpy() for t in inputs], in_names, d, "input")
        save([t.numpy() for t in outs], out_names, d, "output")
    m = onnx.load(path)
    onnx.checker.check_model(m)
    census = collections.Counter(n.op_type for n in m.graph.node)
    params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
    print(f"{path}: opset 17, {len(m.graph.node)} nodes, {params} parameters; "
          f"dim {a.dim}, {a.layers} layers, {a.heads} heads ({a.kv_heads} kv), ffn {a.ffn}, vocab {a.vocab}; "
          f"{a.steps} decode steps from a cache of {a.cache}")
    print("op census: " + ", ".join(f"{op} {n}" for op, n in sorted(census.items(), key=lambda x: (-x[1], x[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
