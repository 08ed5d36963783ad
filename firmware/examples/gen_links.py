#!/usr/bin/env python3
"""Writes hand-scheduled multi-chip programs over chip-to-chip links, and the
results they must produce.

Usage: gen_links.py TSP KIND OUT.tsp OUT.expect [--topology T --cycles N --period P --deskew D]
       gen_links.py --check-frames STATS.json OUT.expect.frames

KIND:
  node8_broadcast  mini, node8: chip 0 sends one vector on its 7 ports in one
                   cycle; every other chip RECVs it and WRITEs it to SRAM
  node8_allreduce  mini, node8: ring all-reduce (reduce-scatter, then
                   all-gather) of 8 vectors per chip with int8 wrapping ADD
  dragonfly_3hop   tsp1, dragonfly2: a tensor crosses local, global, local
                   links, forwarded RECV -> SEND by the two chips between
  exchange         tsp1, any topology (--topology, default racks8: 576 chips):
                   every chip sends --vectors vectors on every linked port
                   while receiving as many on each and writing them to
                   SRAM; all links busy both ways at once (the distributed
                   run's benchmark, docs/distributed.md)
  drift            mini, two chips whose clocks run apart (a topology file):
                   a vector each way every P cycles, RDESKEW D before each
                   exchange (--deskew 0: none, which must fail)

Every number of the machine comes from `tsp info --json`, `tsp isa --json` and
`tsp topo --json` (positions, latencies, frame cycles, hop cycles of each
link); issue cycles and the predicted length follow docs/timing.md and
docs/links.md. The expected tensors come from the plain Python below (copies
and a wrapping byte sum), independent of the C++ model. Instructions that the
mutant tests change carry a `; mark:NAME` comment.
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import tempfile


def lcg_bytes(seed, n):
    out, x = [], seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((x >> 16) & 0xFF)
    return out


def tsp_json(tsp, *args):
    return json.loads(subprocess.check_output([tsp, *args]))


def isa_table_config(config):
    """The configuration's derived numbers as firmware/isa/isagen.py computes them from isa.toml (the frame's
    cycles on the wire and the receive window, which `tsp info --json` does not print)."""
    here = pathlib.Path(__file__).resolve().parent.parent / "isa"
    sys.path.insert(0, str(here))
    import isagen
    return next(c for c in isagen.load(here / "isa.toml")["configs"] if c["name"] == config)


LINK_NAME = re.compile(r"link\d+: (\d+)\.(\d+) - (\d+)\.(\d+)$")


def topology_links(tsp, config, topology, topo_json):
    """[((chip, port), (chip, port), hop cycles)] of every link of the topology, as the model wires it.

    `tsp topo --json` gives per-cable hop cycles but no link list; `tsp run --stats` of a program that issues
    nothing, run on the topology, lists every link with its ports, cable and hop."""
    if isinstance(topo_json.get("links"), list):
        return [((l["a"]["chip"], l["a"]["port"]), (l["b"]["chip"], l["b"]["port"]), l["hop_cycles"])
                for l in topo_json["links"]]
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        (d / "empty.tsp").write_text(f".config {config}\n.chips {topo_json['chips']}\n")
        subprocess.check_call([tsp, "as", d / "empty.tsp", "-o", d / "empty.img"])
        subprocess.check_call([tsp, "run", d / "empty.img", "--topology", topology, "--stats", d / "s.json", "-q"])
        stats = json.loads((d / "s.json").read_text())
    hops = {c["cable"]: c["hop_cycles"] for c in topo_json["cables"]}
    out = []
    for l in stats["links"]:
        a, pa, b, pb = map(int, LINK_NAME.match(l["name"]).groups())
        assert l["hop_cycles"] == hops[l["cable"]], f"{l['name']}: hop {l['hop_cycles']} against tsp topo's"
        out.append(((a, pa), (b, pb), l["hop_cycles"]))
    return out


# A value on a stream: put at position `pos` in cycle `t`, flowing in `dir`
# ('E' to higher positions, 'W' to lower) one position per cycle.
Value = collections.namedtuple("Value", "stream dir pos t")


def at(v, q):
    """The cycle the value passes position q (docs/timing.md, Streams)."""
    d = q - v.pos if v.dir == "E" else v.pos - q
    assert d >= 0, f"{v} never reaches position {q}"
    return v.t + d


def sref(v):
    return f"S{v.stream}.{v.dir}"


class Chip:
    def __init__(self):
        self.queues = {}        # name -> [(cycle, text, occupancy, kind)]; kind: None or "sync"
        self.sram = []          # (slice, address, bytes)
        self.tensors = []       # .tensor lines
        self.last = 0           # latest t + latency + 1 of a unit instruction


class Program:
    def __init__(self, tsp, config, topology, chips):
        self.tsp, self.config, self.topology = tsp, config, topology
        self.cfg = tsp_json(tsp, "info", "--config", config, "--json")
        self.lat = {o["mnemonic"]: o["latency"] for o in tsp_json(tsp, "isa", "--json")}
        self.pos = {q["name"]: q["position"] for q in self.cfg["queue_table"]}
        self.lanes = self.cfg["lanes"]
        derived = self.cfg if "c2c_frame_cycles" in self.cfg else isa_table_config(config)
        self.frame = derived["c2c_frame_cycles"]
        self.window = derived["c2c_receive_window_cycles"]
        self.vxm = self.pos["VXM.0"]
        self.chips = [Chip() for _ in range(chips)]
        self.expect = []
        self.frames = collections.Counter()   # (chip, port) -> frames sent
        self.topo = tsp_json(tsp, "topo", topology, "--config", config, "--json")
        assert self.topo["chips"] == chips, f"{topology} has {self.topo['chips']} chips, the program {chips}"
        self.peer = {}    # (chip, port) -> (chip, port, hop cycles)
        for (a, pa), (b, pb), hop in topology_links(tsp, config, topology, self.topo):
            self.peer[(a, pa)] = (b, pb, hop)
            self.peer[(b, pb)] = (a, pa, hop)

    def port_to(self, chip, other):
        ports = [p for (c, p), (o, _, _) in self.peer.items() if c == chip and o == other]
        assert len(ports) == 1, f"chip {chip} has {len(ports)} links to chip {other}"
        return ports[0]

    def inward(self, port):
        """The stream direction that leaves a C2C queue's edge into the chip."""
        return "E" if self.pos[f"C2C.{port}"] == 0 else "W"

    # -- issuing --------------------------------------------------------------
    def issue(self, chip, queue, t, text, op, occupancy=1, kind=None):
        # Instructions may be planned out of order; text() sorts each queue and checks for overlaps.
        assert t >= 0, f"chip {chip} {queue}: {text} at {t} < 0"
        self.chips[chip].queues.setdefault(queue, []).append((t, text, occupancy, kind))
        c = self.chips[chip]
        c.last = max(c.last, t + self.lat[op] + 1 if op else 0, t + occupancy)

    def read(self, chip, slc, addr, t, stream, dir):
        self.issue(chip, slc, t, f"READ {addr}, S{stream}.{dir}", "READ")
        return Value(stream, dir, self.pos[slc], t + self.lat["READ"])

    def read_to(self, chip, slc, addr, stream, q, t_at):
        """READ so that the vector passes position q in cycle t_at."""
        p = self.pos[slc]
        dir = "E" if q >= p else "W"
        return self.read(chip, slc, addr, t_at - self.lat["READ"] - abs(q - p), stream, dir)

    def write(self, chip, slc, addr, v, mark=None):
        t = at(v, self.pos[slc])
        self.issue(chip, slc, t, f"WRITE {addr}, {sref(v)}" + (f" ; mark:{mark}" if mark else ""), "WRITE")
        return t

    def send(self, chip, port, v, mark=None):
        s = at(v, self.pos[f"C2C.{port}"])
        prev = [t for t, text, _, _ in self.chips[chip].queues.get(f"C2C.{port}", []) if text.startswith("SEND")]
        assert all(abs(s - t) >= self.frame for t in prev), f"chip {chip} port {port}: SEND at {s}: link busy"
        self.issue(chip, f"C2C.{port}", s, f"SEND {sref(v)}" + (f" ; mark:{mark}" if mark else ""), "SEND")
        self.frames[(chip, port)] += 1
        return s

    def recv(self, chip, port, r, stream, mark=None, dir=None):
        dir = dir or self.inward(port)
        # The mutant tests read the receive window from the mark: a RECV that early misses its frame.
        note = f" ; mark:{mark} window:{self.window}" if mark else ""
        self.issue(chip, f"C2C.{port}", r, f"RECV S{stream}.{dir}{note}", "RECV")
        return Value(stream, dir, self.pos[f"C2C.{port}"], r + self.lat["RECV"])

    def arrival(self, chip, port, s):
        """The RECV cycle of a frame sent in cycle s from (chip, port): exact clocks."""
        other, oport, hop = self.peer[(chip, port)]
        return other, oport, s + hop

    def add(self, chip, alu, a, b, stream, dir, mark=None):
        t = at(a, self.vxm)
        assert at(b, self.vxm) == t, f"ADD operands meet the VXM at {t} and {at(b, self.vxm)}"
        self.issue(chip, f"VXM.{alu}", t, f"ADD.i8 S{stream}.{dir}, {sref(a)}, {sref(b)}" +
                   (f" ; mark:{mark}" if mark else ""), "ADD")
        return Value(stream, dir, self.vxm, t + self.lat["ADD"])

    def sync(self, chip, queue, t, release):
        """SYNC in cycle t, released by a NOTIFY in cycle `release`: the next instruction issues at release + 1."""
        assert release > t
        self.issue(chip, queue, t, "SYNC", "SYNC", release + 1 - t, kind="sync")

    # -- data -------------------------------------------------------------------
    def data(self, chip, slc, addr, vectors):
        self.chips[chip].sram.append((slc, addr, [b for v in vectors for b in v]))

    def result(self, chip, name, slc, addr, vectors):
        n = len(vectors)
        self.chips[chip].tensors.append(f".tensor {name}, {slc}, {addr}, {n}, u8, [{n}, {self.lanes}]")
        flat = [b for v in vectors for b in v]
        self.expect.append(f"{name} (u8, [{n}, {self.lanes}]) = [{', '.join(str(b) for b in flat)}]")

    # -- output -----------------------------------------------------------------
    def check_queues(self):
        for k, c in enumerate(self.chips):
            for name, q in c.queues.items():
                q.sort(key=lambda i: i[0])
                for (t0, x0, o0, _), (t1, x1, _, _) in zip(q, q[1:]):
                    assert t1 >= t0 + o0, f"chip {k} {name}: `{x1}` at {t1} overlaps `{x0}` at {t0}"

    def chip_cycles(self, c):
        ends = [q[-1][0] + q[-1][2] for q in c.queues.values()]
        return max([c.last] + ends) + self.cfg["superlanes"] - 1

    def predicted(self):
        self.check_queues()  # once for all chips: hundreds of chips make it count
        return max(self.chip_cycles(c) for c in self.chips)

    def text(self, title):
        self.check_queues()
        out = [f"; GENERATED by firmware/examples/gen_links.py: {title}", f".config {self.config}",
               f".chips {len(self.chips)}", f".predict {self.predicted()}"]
        for k, c in enumerate(self.chips):
            out += ["", f".chip {k}"] + c.tensors
            for slc, addr, values in c.sram:
                out.append(f".sram {slc}, {addr}")
                for i in range(0, len(values), 32):
                    out.append(".hex " + " ".join(f"{v:02x}" for v in values[i:i + 32]))
            for name, instrs in sorted(c.queues.items(), key=lambda q: (self.pos[q[0]], q[0])):
                out += [f".queue {name}"]
                free, synced = 0, False
                for t, text, occ, kind in instrs:
                    if t > free:
                        # After a SYNC `.at` is an error: the release cycle is known here, so pad with NOP.
                        out.append(f"    NOP {t - free}" if synced else f".at {t}")
                    out.append(f"    {text}")
                    free = t + occ
                    synced = synced or kind == "sync"
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
def node8_broadcast(tsp):
    p = Program(tsp, "mini", "node8", 8)
    src = "MEM.W.0"
    x = lcg_bytes(4242, p.lanes)
    p.data(0, src, 0, [x])
    p.result(0, "c0_x", src, 0, [x])
    ports = [p.port_to(0, j) for j in range(1, 8)]
    # One READ per edge direction, timed so that both copies reach their edge in cycle s.
    edges = sorted({p.pos[f"C2C.{q}"] for q in ports})
    s = max(p.lat["READ"] + abs(e - p.pos[src]) for e in edges)
    at_edge = {e: p.read_to(0, src, 0, i, e, s) for i, e in enumerate(edges)}
    for j in range(1, 8):
        port = p.port_to(0, j)
        assert p.send(0, port, at_edge[p.pos[f"C2C.{port}"]]) == s
        other, oport, r = p.arrival(0, port, s)
        v = p.recv(other, oport, r, 0, mark="recv" if j == 1 else None)
        p.write(other, "MEM.E.3", 0, v)
        p.result(other, f"c{other}_x", "MEM.E.3", 0, [x])
    return p, "node8 broadcast (chip 0 to chips 1..7 in one cycle)"


def node8_allreduce(tsp):
    """Ring all-reduce over chips 0..7 (chip i sends to chip i+1 mod 8), 8 chunks of one vector.

    Reduce-scatter step k = 0..6: chip j sends chunk (j - k) mod 8 (its own at k = 0, else the sum it made
    at step k - 1) and adds the chunk (j - 1 - k) it receives to its own; after step 6 chip j holds chunk
    (j + 1) fully reduced. All-gather step k = 0..6: chip j sends chunk (j + 1 - k) (its reduced one at k = 0,
    else the one it received at step k - 1, RECV straight to SEND) and stores the one it receives.
    Everything is as soon as possible: the received partial sum goes from RECV to the VXM, meets the local
    chunk READ to arrive in the same cycle, and the sum streams to the SEND edge; no SRAM round trip.
    """
    n = 8
    p = Program(tsp, "mini", "node8", n)
    local_slice, sum_slice = {}, {}
    mine = [[lcg_bytes(100 * j + c + 1, p.lanes) for c in range(n)] for j in range(n)]
    total = [[sum(mine[j][c][l] for j in range(n)) % 256 for l in range(p.lanes)] for c in range(n)]
    out_port = [p.port_to(j, (j + 1) % n) for j in range(n)]
    for j in range(n):
        # Local chunks on the hemisphere away from the send edge, results on the send edge's side.
        west = p.pos[f"C2C.{out_port[j]}"] < p.vxm
        local_slice[j] = "MEM.E.1" if west else "MEM.W.1"
        sum_slice[j] = "MEM.W.3" if west else "MEM.E.3"
        p.data(j, local_slice[j], 0, mine[j])
    # Step 0 of the reduce-scatter: every chip sends its own chunk j as early as it can.
    sends = {}   # chip -> (value at its send edge, the cycle it passes there): what it sends next
    for j in range(n):
        e = p.pos[f"C2C.{out_port[j]}"]
        sends[j] = p.read_to(j, local_slice[j], j, 3, e, p.lat["READ"] + abs(e - p.pos[local_slice[j]]))
    for k in range(n - 1):
        nxt = {}
        for j in range(n):
            s = p.send(j, out_port[j], sends[j], mark="send_rs" if (j, k) == (0, 0) else None)
            to, oport, r = p.arrival(j, out_port[j], s)
            part = p.recv(to, oport, r, 0, mark="recv" if (to, k) == (1, 2) else None)
            c = (to - 1 - k) % n
            loc = p.read_to(to, local_slice[to], c, 1, p.vxm, at(part, p.vxm))
            edge_dir = "E" if p.pos[f"C2C.{out_port[to]}"] > p.vxm else "W"
            nxt[to] = p.add(to, 0, part, loc, 2, edge_dir, mark="add" if (to, k) == (3, 6) else None)
            if k == n - 2:
                assert c == (to + 1) % n
                p.write(to, sum_slice[to], c, nxt[to])
        sends = nxt
    for k in range(n - 1):
        nxt = {}
        for j in range(n):
            s = p.send(j, out_port[j], sends[j])
            to, oport, r = p.arrival(j, out_port[j], s)
            c = (j + 1 - k) % n
            got = p.recv(to, oport, r, 0, dir=p.inward(oport))
            if k < n - 2:
                # Forwarded straight on: inward from one edge passes the other edge (and every slice).
                nxt[to] = got
            p.write(to, sum_slice[to], c, got)
        sends = nxt
    for j in range(n):
        p.result(j, f"c{j}_sum", sum_slice[j], 0, total)
    return p, "node8 ring all-reduce of 8 int8 vectors per chip"


def bfs(peer, chips, a):
    dist, prev, todo = {a: 0}, {}, collections.deque([a])
    while todo:
        c = todo.popleft()
        for (x, port), (o, _, _) in sorted(peer.items()):
            if x == c and o not in dist:
                dist[o], prev[o] = dist[c] + 1, (c, port)
                todo.append(o)
    return dist, prev


def dragonfly_3hop(tsp, topology="dragonfly2", vectors=8):
    chips = tsp_json(tsp, "topo", topology, "--config", "tsp1", "--json")["chips"]
    p = Program(tsp, "tsp1", topology, chips)
    node = [c["node"] for c in p.topo["chip"]]
    # The first chip of node 0 with a chip three hops away, and the first such chip.
    for a in range(chips):
        if node[a] != 0:
            continue
        dist, prev = bfs(p.peer, chips, a)
        far = [b for b in range(chips) if dist.get(b) == 3]
        if far:
            break
    assert far, f"{topology}: no chip of node 0 is 3 hops from another"
    b = far[0]
    path = [b]
    while path[-1] != a:
        path.append(prev[path[-1]][0])
    path.reverse()
    kinds = ["global" if node[x] != node[y] else "local" for x, y in zip(path, path[1:])]
    tensor = [lcg_bytes(777 + i, p.lanes) for i in range(vectors)]
    src = "MEM.W.5"
    p.data(a, src, 0, tensor)
    p.result(a, f"c{a}_t", src, 0, tensor)
    port0 = p.port_to(a, path[1])
    e = p.pos[f"C2C.{port0}"]
    s0 = p.lat["READ"] + abs(e - p.pos[src])
    for i in range(vectors):
        v = p.read_to(a, src, i, 0, e, s0 + i * p.frame)
        for h, (x, y) in enumerate(zip(path, path[1:])):
            s = p.send(x, p.port_to(x, y), v)
            to, oport, r = p.arrival(x, p.port_to(x, y), s)
            assert to == y
            v = p.recv(y, oport, r, h, mark="recv" if (h, i) == (2, 0) else None)
        p.write(b, "MEM.E.7", i, v)
    p.result(b, f"c{b}_t", "MEM.E.7", 0, tensor)
    p.path = path
    return p, f"{vectors} vectors from chip {a} to chip {b} over {' -> '.join(map(str, path))} ({', '.join(kinds)})"


def exchange(tsp, topology, vectors):
    """Every chip sends `vectors` vectors on each of its linked ports and writes what each port receives."""
    chips = tsp_json(tsp, "topo", topology, "--config", "tsp1", "--json")["chips"]
    p = Program(tsp, "tsp1", topology, chips)
    data = [lcg_bytes(99 + i, p.lanes) for i in range(8)]
    ports = collections.defaultdict(list)  # chip -> linked ports
    for (c, port) in sorted(p.peer):
        ports[c].append(port)
    edges = sorted({p.pos[f"C2C.{q}"] for c in ports for q in ports[c]})
    src = {e: ("MEM.W.20" if e == 0 else "MEM.E.20") for e in edges}
    s0 = max(p.lat["READ"] + abs(e - p.pos[src[e]]) for e in edges)
    for c in range(chips):
        for e in edges:
            p.data(c, src[e], 0, data)
        for i in range(vectors):
            s = s0 + i * p.frame
            for e in edges:
                if any(p.pos[f"C2C.{q}"] == e for q in ports[c]):
                    p.read_to(c, src[e], i % 8, 0, e, s)
            for q in ports[c]:
                e = p.pos[f"C2C.{q}"]
                v = Value(0, "W" if e == 0 else "E", e, s)
                assert p.send(c, q, v) == s
    # Receptions: each port RECVs on a stream of its own and writes to a slice of its own.
    for c in range(chips):
        lane = {}
        n = collections.Counter()
        for q in ports[c]:
            e = p.pos[f"C2C.{q}"]
            lane[q] = n[e]
            n[e] += 1
        for q in ports[c]:
            e = p.pos[f"C2C.{q}"]
            other, oport, hop = p.peer[(c, q)]
            side = "W" if e == 0 else "E"
            slc = f"MEM.{side}.{lane[q]}"
            for i in range(vectors):
                v = p.recv(c, q, s0 + i * p.frame + hop, 1 + lane[q])
                p.write(c, slc, i, v)
            if c == 0:
                p.result(c, f"c{c}_p{q}", slc, 0, [data[i % 8] for i in range(vectors)])
    return p, f"{chips} chips each send {vectors} vectors on every linked port and store what they receive"


def drift(tsp, topology, cycles, period, deskew):
    """Two chips whose clocks run apart exchange a vector each way every `period` cycles.

    Exchange k in schedule time (the HAC root's cycles): the C2C queue of each chip runs RDESKEW `deskew`
    from t_k = k * period and NOTIFYs at t_k + deskew; the two MEM queues it works with park on SYNC before
    and follow the release. Then: READ vector k to reach the west edge, SEND, RECV the other chip's vector
    a hop later, WRITE it at address k. Without RDESKEW (deskew = 0) there is no SYNC/NOTIFY either, and the
    drift (docs/links.md) moves a frame out of its RECV's receive window after a while: that run must fail.
    """
    p = Program(tsp, "mini", topology, 2)
    port = {c: p.port_to(c, 1 - c) for c in (0, 1)}
    rd, wr = "MEM.W.0", "MEM.W.3"
    n = cycles // period + 1
    vecs = {c: [lcg_bytes(31 * c + k + 1, p.lanes) for k in range(n)] for c in (0, 1)}
    for c in (0, 1):
        p.data(c, rd, 0, vecs[c])
    for k in range(n):
        t = k * period
        t_read = t
        if deskew:
            release = t + deskew
            for c in (0, 1):
                q = f"C2C.{port[c]}"
                p.issue(c, q, t, f"RDESKEW {deskew}", "RDESKEW", deskew, kind="sync")
                p.issue(c, q, release, "NOTIFY", "NOTIFY")
                # The MEM queues park right after their previous work (or at 0) and resume at release + 1.
                for m in (rd, wr):
                    prev = p.chips[c].queues.get(m, [])
                    p.sync(c, m, max([i[0] + i[2] for i in prev] + [0]), release)
            t_read = release + 1
        for c in (0, 1):
            e = p.pos[f"C2C.{port[c]}"]
            v = p.read(c, rd, k, t_read, 0, "E" if e > p.pos[rd] else "W")
            s = p.send(c, port[c], v)
            other, oport, r = p.arrival(c, port[c], s)
            got = p.recv(other, oport, r, 1, mark="recv" if (k, c) == (1, 0) else None)
            p.write(other, wr, k, got)
    for c in (0, 1):
        p.result(c, f"c{c}_got", wr, 0, vecs[1 - c])
    mode = f"RDESKEW {deskew} before each" if deskew else "no RDESKEW"
    return p, f"two chips exchange a vector every {period} cycles, {n} exchanges, {mode}"


def check_frames(stats_file, plan_file):
    """Compares the frames per link of `tsp run --stats` with the generator's plan; exit 1 when they differ."""
    with open(stats_file) as f:
        stats = json.load(f)
    with open(plan_file) as f:
        plan = json.load(f)
    got = {}
    for link in stats["links"]:
        a, pa, b, pb = LINK_NAME.match(link["name"]).groups()
        for port, counters in ((f"{a}.{pa}", link["from_a"]), (f"{b}.{pb}", link["from_b"])):
            if counters["frames"]:
                got[port] = counters["frames"]
    bad = {k: (plan.get(k, 0), got.get(k, 0)) for k in set(plan) | set(got) if plan.get(k, 0) != got.get(k, 0)}
    for k, (want, have) in sorted(bad.items()):
        print(f"port {k}: planned {want} frames, --stats says {have}")
    print(f"{sum(got.values())} frames on {len(got)} ports, {'as planned' if not bad else 'NOT as planned'}")
    return 1 if bad else 0


KINDS = {"node8_broadcast": node8_broadcast, "node8_allreduce": node8_allreduce, "dragonfly_3hop": dragonfly_3hop}


def main(argv):
    if len(argv) == 4 and argv[1] == "--check-frames":
        return check_frames(argv[2], argv[3])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tsp")
    ap.add_argument("kind", choices=sorted(KINDS) + ["drift", "exchange"])
    ap.add_argument("out_tsp")
    ap.add_argument("out_expect")
    ap.add_argument("--topology", help="drift: the two-chip topology file; exchange: any (default racks8)")
    ap.add_argument("--vectors", type=int, default=32, help="exchange: vectors per port")
    ap.add_argument("--cycles", type=int, default=10 ** 6, help="drift: run at least this long")
    ap.add_argument("--period", type=int, default=20000, help="drift: cycles between exchanges")
    ap.add_argument("--deskew", type=int, default=0, help="drift: RDESKEW count (0: none, no SYNC/NOTIFY)")
    a = ap.parse_args(argv[1:])
    if a.kind == "drift":
        p, title = drift(a.tsp, a.topology, a.cycles, a.period, a.deskew)
    elif a.kind == "exchange":
        p, title = exchange(a.tsp, a.topology or "racks8", a.vectors)
    else:
        p, title = KINDS[a.kind](a.tsp)
    with open(a.out_tsp, "w") as f:
        f.write(p.text(title))
    with open(a.out_expect, "w") as f:
        f.write("\n".join(p.expect) + "\n")
    frames = ", ".join(f"{c}.{q}:{n}" for (c, q), n in sorted(p.frames.items()))
    print(f"{a.out_tsp}: {title}; predicted {p.predicted()} cycles; {sum(p.frames.values())} frames ({frames})")
    with open(a.out_expect + ".frames", "w") as f:
        json.dump({f"{c}.{q}": n for (c, q), n in sorted(p.frames.items())}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
