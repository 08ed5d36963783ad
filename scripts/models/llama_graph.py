#!/usr/bin/env python3
"""Writes a Llama decoder (one decode step) as a graph program (docs/compiler.md
"The text format") at any size, Llama-2-70B's included: the same ops and
shapes as scripts/models/llama.py's ONNX export under `--f16-matmul`, so the
system compiler partitions it the same way (heads, Megatron pairs, stages),
but with no weights to export: every constant is `random SEED`. It is for
compiling and timing at sizes PyTorch cannot export here (70B parameters are
280 GB as f32); its values are not PyTorch's.

Per layer i: x (f32 [1, 1, dim]) -> RMSNorm -> q, k, v (f16 weights, f32
sums) -> heads -> RoPE (rotate-half by slices and a concat; cos and sin are
inputs) -> the KV cache with this token appended (`present_k.<i>`,
`present_v.<i>` [1, kv, cache+1, head_dim], outputs) -> grouped heads
expanded -> softmax(q k^T / sqrt(head_dim)) v -> wo -> residual -> RMSNorm ->
SwiGLU (w1, w3, w2) -> residual. Then the final RMSNorm and the LM head
(`logits`). The token's embedding row is the input `x`.

`--ffn-int8`: the SwiGLU's weights int8 (W8A8, as the layer builder's,
docs/compiler.md "Layers"): each MatMul's f32 input row is quantised per
token, s = max|x| / 127, xq = i8(x / s); the int8 MatMul sums into i32, and
y = f32(acc) * ws * s with a per-column f32 scale ws. 82% of a 70B layer's
weights are the FFN's: with them at one byte a Llama-2-70B layer's share
fits a node of 8 chips (its f16 share, 229 MB a chip, does not).

    scripts/models/llama_graph.py OUT.txt [--dim 8192 --layers 80 --heads 64 --kv-heads 8
                                           --ffn 28672 --vocab 32000 --cache 8]
"""
import argparse
import math
import sys


def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--dim", type=int, default=8192)
    p.add_argument("--layers", type=int, default=80)
    p.add_argument("--heads", type=int, default=64)
    p.add_argument("--kv-heads", type=int, default=8)
    p.add_argument("--ffn", type=int, default=28672)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--cache", type=int, default=8, help="tokens already in the KV cache")
    p.add_argument("--config", default="tsp1")
    p.add_argument("--ffn-int8", action="store_true", help="SwiGLU weights int8 with activations quantised per token")
    p.add_argument("--no-head", action="store_true",
                   help="the layers only: output the last layer's activation, no final norm or LM head")
    a = p.parse_args(argv)
    if a.dim % a.heads or (a.dim // a.heads) % 2 or a.heads % a.kv_heads:
        p.error(f"dim {a.dim} must split into {a.heads} heads of an even size, and heads into {a.kv_heads} kv heads")
    return a


class Writer:
    def __init__(self):
        self.lines, self.seed = [], 0

    def random(self):
        self.seed += 1
        return self.seed

    def __call__(self, line):
        self.lines.append(line)


def rope(w, x, hd, name):
    """x * cos + rotate_half(x) * sin over the last axis of [1, heads, 1, hd]."""
    h = hd // 2
    w(f"{name}.c = mul {x} cos")
    w(f"{name}.hi = slice {x} axes 3 starts {h} ends {hd}")
    w(f"{name}.neg = neg {name}.hi")
    w(f"{name}.lo = slice {x} axes 3 starts 0 ends {h}")
    w(f"{name}.rot = concat {name}.neg {name}.lo axis 3")
    w(f"{name}.s = mul {name}.rot sin")
    w(f"{name}.r = add {name}.c {name}.s")
    return f"{name}.r"


def rmsnorm(w, x, dim, name, f16=True):
    """x's RMSNorm (f32), or with `f16` its f16 cast, as the MatMuls after it take."""
    w(f"const {name}.g : f32[{dim}] random {w.random()}")
    w(f"{name} = rmsnorm {x} {name}.g epsilon 1e-5")
    if not f16:
        return name
    w(f"{name}.h = cast f16 {name}")
    return f"{name}.h"


def linear(w, x, k, n, name):
    w(f"const {name}.w : f16[{k}, {n}] random {w.random()}")
    w(f"{name} = matmul {x} {name}.w")
    return name


def quantised(w, x, name):
    """x's row quantised per token: (int8 row, f32 scale [.., 1]); 1/max from rsqrt squared."""
    w(f"const {name}.m1 : f32[1] = -1")
    w(f"const {name}.tiny : f32[1] = 1e-30")
    w(f"const {name}.c127 : f32[1] = 127")
    w(f"const {name}.c1_127 : f32[1] = {1 / 127!r}")
    w(f"{name}.neg = mul {x} {name}.m1")
    w(f"{name}.abs = max {x} {name}.neg")
    w(f"{name}.amax = reducemax {name}.abs axes -1")
    w(f"{name}.amaxc = max {name}.amax {name}.tiny")
    w(f"{name}.rs = rsqrt {name}.amaxc")
    w(f"{name}.r = mul {name}.rs {name}.rs")
    w(f"{name}.inv = mul {name}.r {name}.c127")
    w(f"{name}.xs = mul {x} {name}.inv")
    w(f"{name}.q = cast i8 {name}.xs")
    w(f"{name}.s = mul {name}.amaxc {name}.c1_127")
    return f"{name}.q", f"{name}.s"


def linear_int8(w, xq, s, k, n, name):
    """y = f32(xq . W) * ws * s: int8 weights with a per-column scale."""
    w(f"const {name}.w : i8[{k}, {n}] random {w.random()}")
    w(f"const {name}.ws : f32[{n}] random {w.random()}")
    w(f"{name}.acc = matmul {xq} {name}.w")
    w(f"{name}.f = cast f32 {name}.acc")
    w(f"{name}.fs = mul {name}.f {name}.ws")
    w(f"{name} = mul {name}.fs {s}")
    return name


def layer(w, a, i, x):
    hd, H, KV, T = a.dim // a.heads, a.heads, a.kv_heads, a.cache
    L = f"l{i}"
    w(f"input past_k.{i} : f32[1, {KV}, {T}, {hd}] random {w.random()}")
    w(f"input past_v.{i} : f32[1, {KV}, {T}, {hd}] random {w.random()}")
    n = rmsnorm(w, x, a.dim, f"{L}.attn_norm")
    heads = {}
    for part, count in (("q", H), ("k", KV), ("v", KV)):
        y = linear(w, n, a.dim, count * hd, f"{L}.w{part}")
        w(f"{L}.{part}h = reshape {y} shape 1 1 {count} {hd}")
        w(f"{L}.{part}t = transpose {L}.{part}h [0, 2, 1, 3]")
        heads[part] = f"{L}.{part}t"
    q = rope(w, heads["q"], hd, f"{L}.q")
    k = rope(w, heads["k"], hd, f"{L}.k")
    w(f"present_k.{i} = concat past_k.{i} {k} axis 2")
    w(f"present_v.{i} = concat past_v.{i} {heads['v']} axis 2")
    kv = {"k": f"present_k.{i}", "v": f"present_v.{i}"}
    if H != KV:  # each kv head serves H / KV query heads, expanded as the ONNX export does
        g = H // KV
        w(f"const {L}.ones : f32[1, 1, {g}, 1, 1] = {' '.join(['1'] * g)}")
        for part in ("k", "v"):
            w(f"{L}.{part}5 = reshape {kv[part]} shape 1 {KV} 1 {T + 1} {hd}")
            w(f"{L}.{part}e = sel {L}.ones {L}.{part}5 {L}.{part}5")
            w(f"{L}.{part}x = reshape {L}.{part}e shape 1 {H} {T + 1} {hd}")
            kv[part] = f"{L}.{part}x"
    w(f"{L}.kT = transpose {kv['k']} [0, 1, 3, 2]")
    w(f"{L}.qf = cast f16 {q}")
    w(f"{L}.kf = cast f16 {L}.kT")
    w(f"{L}.scores = matmul {L}.qf {L}.kf")
    w(f"const {L}.scale : f32[1] = {1 / math.sqrt(hd)!r}")
    w(f"{L}.scaled = mul {L}.scores {L}.scale")
    w(f"{L}.p = softmax {L}.scaled axis 3")
    w(f"{L}.pf = cast f16 {L}.p")
    w(f"{L}.vf = cast f16 {kv['v']}")
    w(f"{L}.o = matmul {L}.pf {L}.vf")
    w(f"{L}.ot = transpose {L}.o [0, 2, 1, 3]")
    w(f"{L}.om = reshape {L}.ot shape 1 1 {a.dim}")
    w(f"{L}.oh = cast f16 {L}.om")
    att = linear(w, f"{L}.oh", a.dim, a.dim, f"{L}.wo")
    w(f"{L}.h = add {x} {att}")
    if a.ffn_int8:
        hq, hs = quantised(w, rmsnorm(w, f"{L}.h", a.dim, f"{L}.mlp_norm", f16=False), f"{L}.hn")
        g = linear_int8(w, hq, hs, a.dim, a.ffn, f"{L}.w1")
        u = linear_int8(w, hq, hs, a.dim, a.ffn, f"{L}.w3")
        w(f"{L}.gs = silu {g}")
        w(f"{L}.m = mul {L}.gs {u}")
        mq, ms = quantised(w, f"{L}.m", f"{L}.act")
        d = linear_int8(w, mq, ms, a.ffn, a.dim, f"{L}.w2")
    else:
        n2 = rmsnorm(w, f"{L}.h", a.dim, f"{L}.mlp_norm")
        g = linear(w, n2, a.dim, a.ffn, f"{L}.w1")
        u = linear(w, n2, a.dim, a.ffn, f"{L}.w3")
        w(f"{L}.gs = silu {g}")
        w(f"{L}.m = mul {L}.gs {u}")
        w(f"{L}.mh = cast f16 {L}.m")
        d = linear(w, f"{L}.mh", a.ffn, a.dim, f"{L}.w2")
    w(f"{L}.y = add {L}.h {d}")
    return f"{L}.y"


def main(argv):
    a = arguments(argv)
    hd = a.dim // a.heads
    w = Writer()
    w(f"# Llama decoder, one decode step: dim {a.dim}, {a.layers} layers, {a.heads} heads ({a.kv_heads} kv) "
      f"of {hd}, ffn {a.ffn}, vocab {a.vocab}, {a.cache} tokens cached (scripts/models/llama_graph.py)")
    w(f"config {a.config}")
    w(f"input x : f32[1, 1, {a.dim}] random {w.random()}")
    w(f"input cos : f32[1, 1, 1, {hd}] random {w.random()}")
    w(f"input sin : f32[1, 1, 1, {hd}] random {w.random()}")
    x = "x"
    for i in range(a.layers):
        x = layer(w, a, i, x)
    if a.no_head:
        head = x
    else:
        n = rmsnorm(w, x, a.dim, "norm")
        linear(w, n, a.dim, a.vocab, "logits")
        head = "logits"
    w(f"output {head} " + " ".join(f"present_k.{i} present_v.{i}" for i in range(a.layers)))
    with open(a.out, "w") as f:
        f.write("\n".join(w.lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
