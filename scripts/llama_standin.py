#!/usr/bin/env python3
"""Writes the stand-in for one Llama-2-70B decode token on a multi-chip map
(docs/distributed.md "A Llama-2-70B-shaped token"), until the system compiler
(issue 14) places real models: a benchmark input, not a test.

Each node of the topology (8 chips) holds one decoder layer, tensor-parallel
8 ways; the nodes form a pipeline in an order where consecutive nodes share a
link. Per chip, in the node's turn:
  1. its layer share's MatMuls, compiled by `tsp compile` (int8, weights
     generated on read): x[1,8192] . Wqkv[8192,1280] (8 of 64 query heads,
     1 of 8 kv heads, 128 each), a[1,1024] . Wo[1024,8192],
     h[1,8192] . Wgate, Wup[8192,3584], m[1,3584] . Wdown[3584,8192]
     (1/8 of SwiGLU 28672), in chunks a tensor of the compiler can hold;
     107 M int8 weights per chip;
  2. two all-reduces of 8192 i32 over the node's links, each a reduce-scatter
     and an all-gather step: every chip sends 13 vectors (4 KiB) on each of
     its 7 links to the node's other chips and writes what it receives;
  3. one chip hands the activation (26 vectors, 8192 int8) to a chip of the
     next node, whose turn starts when it has landed.
What the stand-in leaves out (so its values mean nothing): attention over the
KV cache and the elementwise ops (small next to the weights), the adds of the
reductions (the received vectors are stored, not summed), the next node reading
the activation it was sent, and FP16 weights (int8 here: half the bytes the
published system streams). Its cycles and its simulation cost are the point.

Usage: scripts/llama_standin.py TSP OUT.img [--topology racks8] [--nodes N]
Prints the node order, the cycles of each phase and the predicted token.
"""
import argparse
import collections
import json
import pathlib
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "firmware/examples"))
import gen_links  # noqa: E402  (the multi-chip program planner)

LANES = 320
MAX_ELEMENTS = 1 << 24  # the compiler's largest tensor
SHARE = [("qkv", 8192, 1280), ("o", 1024, 8192), ("g", 8192, 3584), ("u", 8192, 3584), ("d", 3584, 8192)]
REDUCE_VECTORS = 13     # 8192 i32 / 8 chips = 4 KiB per link per step
HANDOFF_VECTORS = 26    # 8192 int8
BUFFER = 7000           # SRAM addresses from here on are the collectives' (the share stays below)


def share_graph():
    """The layer share as a graph program: weights split into chunks the generator can produce (widths a
    multiple of the lanes, or one vector) and a tensor can hold."""
    lines = ["config tsp1"]
    outs, seed = [], 1
    for name, k, n in SHARE:
        lines.append(f"input {name}_x : i8[1, {k}] random {seed}")
        seed += 1
        widest = MAX_ELEMENTS // k // LANES * LANES
        j = 0
        while n:
            c = min(widest, n // LANES * LANES) if n >= LANES else n
            lines += [f"const {name}_w{j} : i8[{k}, {c}] random {seed}", f"{name}{j} = matmul {name}_x {name}_w{j}"]
            outs.append(f"{name}{j}")
            seed, n, j = seed + 1, n - c, j + 1
    return "\n".join(lines + ["output " + " ".join(outs)]) + "\n"


# -- images (docs/image-format.md) ----------------------------------------------
def read_sections(path):
    b = pathlib.Path(path).read_bytes()
    hs, n = struct.unpack_from("<I", b, 12)[0], struct.unpack_from("<I", b, 28)[0]
    at, out = hs, []
    for _ in range(n):
        kind, chip, size = struct.unpack_from("<IIQ", b, at)
        out.append((kind, chip, b[at + 16:at + 16 + size]))
        at += 16 + (size + 7) // 8 * 8
    return b[:hs], out


def queue_words(payload):
    q, _flags, count = struct.unpack_from("<HHI", payload, 0)
    return q, list(struct.unpack_from(f"<{count}Q", payload, 8))


class Isa:
    def __init__(self, tsp):
        ops = gen_links.tsp_json(tsp, "isa", "--json")
        self.op = {o["mnemonic"]: o for o in ops}

    def field(self, word, mnemonic, name):
        f = next(f for f in self.op[mnemonic]["fields"] if f["name"] == name)
        return (word >> f["lsb"]) & ((1 << f["width"]) - 1)

    def opcode(self, word):
        return word >> 56

    def occupancy(self, word):
        if self.opcode(word) == self.op["NOP"]["opcode"]:
            return self.field(word, "NOP", "cycles")
        if self.opcode(word) == self.op["REPEAT"]["opcode"]:
            return self.field(word, "REPEAT", "count") * self.field(word, "REPEAT", "interval")
        return 1

    def nops(self, cycles):
        out = []
        while cycles > 0:
            n = min(cycles, (1 << 32) - 1)
            out.append(self.op["NOP"]["opcode"] << 56 | n)
            cycles -= n
        return out


def merge(isa, comm, share, start, where):
    """One queue's words: the collectives' (`comm`, timed from cycle 0 by NOPs) with the share's (`share`:
    words and cycles, or None) from cycle `start`; no collective may fall inside the share."""
    timed, now = [], 0
    for w in comm:
        if isa.opcode(w) != isa.op["NOP"]["opcode"]:
            timed.append((now, w))
        now += isa.occupancy(w)
    out, now = [], 0

    def place(t, ws, cycles):
        nonlocal now
        assert t >= now, f"{where}: an instruction at cycle {t} falls inside the share (busy until {now})"
        out.extend(isa.nops(t - now) + ws)
        now = t + cycles

    for t, w in timed:
        if share and t >= start:
            place(start, share[0], share[1])
            share = None
        place(t, [w], isa.occupancy(w))
    if share:
        place(start, share[0], share[1])
    return out


def section(kind, chip, payload):
    pad = (-len(payload)) % 8
    return struct.pack("<IIQ", kind, chip, len(payload)) + payload + b"\0" * pad


# -- the plan -------------------------------------------------------------------
def node_path(p, node_of, nodes):
    """An order of the nodes in which consecutive ones share a link (depth-first, lowest first)."""
    adj = collections.defaultdict(set)
    for (a, _), (b, _, _) in p.peer.items():
        if node_of[a] != node_of[b]:
            adj[node_of[a]].add(node_of[b])
    sys.setrecursionlimit(10000)
    path, seen = [], set()

    def visit(n):
        path.append(n)
        seen.add(n)
        if len(path) == nodes:
            return True
        for m in sorted(adj[n]):
            if m < nodes and m not in seen and visit(m):
                return True
        path.pop()
        seen.discard(n)
        return False

    if not visit(0):
        sys.exit(f"no order of the first {nodes} nodes links each to the next")
    return path


def all_to_node(p, links, chips, start, vectors, src_addr, dst_addr):
    """Every chip sends `vectors` vectors on each link to another chip of `chips` and writes what it receives;
    returns the cycle after the last write. `links[c]`: [(port, other chip)] sorted by port."""
    end = 0
    inside = set(chips)

    def lanes(c):  # the chip's ports to the others, numbered per edge: each its RECV stream and slice
        n, out = collections.Counter(), {}
        for q, o in links[c]:
            if o in inside:
                e = p.pos[f"C2C.{q}"]
                out[q] = n[e]
                n[e] += 1
        return out

    for c in chips:
        mine = lanes(c)
        edges = sorted({p.pos[f"C2C.{q}"] for q in mine})
        src = {e: ("MEM.W.20" if e == 0 else "MEM.E.20") for e in edges}
        s0 = start + max(p.lat["READ"] + abs(e - p.pos[src[e]]) for e in edges)
        for q, slot in sorted(mine.items()):
            e = p.pos[f"C2C.{q}"]
            side = "W" if e == 0 else "E"
            other, oport, hop = p.peer[(c, q)]
            olane = lanes(other)[oport]
            oside = "W" if p.pos[f"C2C.{oport}"] == 0 else "E"
            for i in range(vectors):
                s = s0 + i * p.frame
                if slot == 0:  # one READ per edge feeds every SEND there
                    p.read_to(c, src[e], src_addr + i, 0, e, s)
                p.send(c, q, gen_links.Value(0, side, e, s))
                v = p.recv(other, oport, s + hop, 1 + olane)
                end = max(end, p.write(other, f"MEM.{oside}.{olane}", dst_addr + i, v) + 1)
    return end


def handoff(p, a, b, start, vectors, src_addr, dst_addr):
    port = p.port_to(a, b)
    e = p.pos[f"C2C.{port}"]
    side = "W" if e == 0 else "E"
    src = "MEM.W.20" if e == 0 else "MEM.E.20"
    s0 = start + p.lat["READ"] + abs(e - p.pos[src])
    other, oport, hop = p.peer[(a, port)]
    oe = p.pos[f"C2C.{oport}"]
    end = 0
    for i in range(vectors):
        s = s0 + i * p.frame
        p.read_to(a, src, src_addr + i, 0, e, s)
        p.send(a, port, gen_links.Value(0, side, e, s))
        v = p.recv(b, oport, s + hop, 1)
        end = max(end, p.write(b, f"MEM.{'W' if oe == 0 else 'E'}.8", dst_addr + i, v) + 1)
    return end


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tsp")
    ap.add_argument("out")
    ap.add_argument("--topology", default="racks8")
    ap.add_argument("--nodes", type=int, help="nodes in the pipeline (default: all)")
    ap.add_argument("--seed", type=int, default=11, help="of the generated weights (each chip adds its number)")
    a = ap.parse_args()
    isa = Isa(a.tsp)
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        (d / "share.txt").write_text(share_graph())
        subprocess.run([a.tsp, "compile", d / "share.txt", "-o", d / "share.img", "--generated-weights",
                        str(a.seed), "-q"], check=True)
        _, share = read_sections(d / "share.img")
        topo = gen_links.tsp_json(a.tsp, "topo", a.topology, "--config", "tsp1", "--json")
        chips = topo["chips"]
        node_of = [c["node"] for c in topo["chip"]]
        nodes = a.nodes or max(node_of) + 1
        p = gen_links.Program(a.tsp, "tsp1", a.topology, chips)
        compute = {}  # queue -> (words, cycles)
        for kind, _, payload in share:
            if kind == 2:
                q, words = queue_words(payload)
                compute[q] = (words, sum(isa.occupancy(w) for w in words))
        subprocess.run([a.tsp, "run", d / "share.img", "--timing-only", "-q", "--stats", d / "s.json"], check=True)
        share_cycles = json.loads((d / "s.json").read_text())["cycles"]
        order = node_path(p, node_of, nodes)
        links = collections.defaultdict(list)
        for (c, q), (o, _, _) in sorted(p.peer.items()):
            links[c].append((q, o))
        members = collections.defaultdict(list)
        for c in range(chips):
            members[node_of[c]].append(c)
        start = {}  # chip -> cycle its share starts
        t = 0
        phases = []
        data = [gen_links.lcg_bytes(7 + i, p.lanes) for i in range(HANDOFF_VECTORS)]
        for k, n in enumerate(order):
            for c in members[n]:
                start[c] = t
                for slc in ("MEM.W.20", "MEM.E.20"):
                    p.data(c, slc, BUFFER, data)
            t_compute = t + share_cycles
            t1 = all_to_node(p, links, members[n], t_compute, REDUCE_VECTORS, BUFFER, BUFFER + 100)        # reduce-scatter
            t2 = all_to_node(p, links, members[n], t1, REDUCE_VECTORS, BUFFER, BUFFER + 200)               # all-gather
            t3 = all_to_node(p, links, members[n], t2, REDUCE_VECTORS, BUFFER, BUFFER + 100)               # second all-reduce
            t4 = all_to_node(p, links, members[n], t3, REDUCE_VECTORS, BUFFER, BUFFER + 200)
            t5 = t4
            if k + 1 < len(order):
                nxt = members[order[k + 1]]
                src, dst = next((x, y) for x in members[n] for _, y in links[x] if y in nxt)
                t5 = handoff(p, src, dst, t4, HANDOFF_VECTORS, BUFFER, BUFFER + 300)
            phases.append((n, t, t_compute - t, t4 - t_compute, t5 - t4))
            t = t5 + 4
        predicted = p.predicted()
        # The collectives as an image: their words go after each chip's share.
        (d / "comm.tsp").write_text(p.text("llama stand-in collectives"))
        subprocess.run([a.tsp, "as", d / "comm.tsp", "-o", d / "comm.img"], check=True)
        header, comm = read_sections(d / "comm.img")
    per_chip = collections.defaultdict(lambda: {"q": {}, "sram": [], "gen": []})
    for kind, chip, payload in comm:
        if kind == 2:
            q, words = queue_words(payload)
            per_chip[chip]["q"][q] = words
        elif kind == 3:
            per_chip[chip]["sram"].append(payload)
    share_sram = [pl for kind, _, pl in share if kind == 3 and any(pl[16:])]  # all-zero segments: SRAM reads zero
    share_gen = [pl for kind, _, pl in share if kind == 5]
    out = [section(1, 0, next(pl for kind, _, pl in comm if kind == 1))]  # its .predict is the token's
    for c in range(chips):
        mine = per_chip[c]["q"]
        queues = sorted(set(mine) | (set(compute) if c in start else set()))
        for q in queues:
            words = merge(isa, mine.get(q, []), compute.get(q) if c in start else None, start.get(c, 0),
                          f"chip {c} queue {q}")
            out.append(section(2, c, struct.pack("<HHI", q, 0, len(words)) + struct.pack(f"<{len(words)}Q", *words)))
        if c in start:
            for pl in share_sram:
                out.append(section(3, c, pl))
        for pl in per_chip[c]["sram"]:
            out.append(section(3, c, pl))
        if c in start:
            for pl in share_gen:
                g = bytearray(pl)
                seed = struct.unpack_from("<Q", g, 16)[0]
                struct.pack_into("<Q", g, 16, seed + c)  # each chip its own weights
                out.append(section(5, c, bytes(g)))
    body = b"".join(out)
    img = bytearray(header) + body
    struct.pack_into("<Q", img, 16, len(img))
    struct.pack_into("<I", img, 28, len(out))
    struct.pack_into("<I", img, 24, 0)
    struct.pack_into("<I", img, 24, zlib.crc32(bytes(img)) & 0xFFFFFFFF)
    pathlib.Path(a.out).write_bytes(img)
    n0, _, c0, r0, h0 = phases[0]
    print(f"{a.out}: {len(order)} nodes x 8 chips of {a.topology}, {len(img) / 2**20:.1f} MiB; per node: share "
          f"{c0} cycles, all-reduces {r0}, hand-off {h0}; predicted token {predicted} cycles "
          f"({predicted / 900:.1f} us at 900 MHz, {predicted / 900 / len(order):.1f} us per layer)")
    print("node order:", " ".join(str(n) for n in order))


if __name__ == "__main__":
    main()
