#!/usr/bin/env python3
"""Checks `tsp run --wave` on firmware/examples/mini_add.tsp by reading the FST
back with Debian's fst2vcd. Every expected value is worked out by hand from the
example's comments, docs/timing.md and isa.toml, never taken from a run:

  READ  latency 2, touches SRAM at issue + 0   (opcode 0x10)
  WRITE latency 0, touches SRAM at issue + 1   (opcode 0x11)
  ADD   latency 2                              (opcode 0x21)
  mini: 900 MHz, so cycle c starts at floor(c * 10^6 / 900) ps; 12 cycles.

--shift N moves every expected cycle by N: with N = +-1 the check must fail,
which is what a recorder writing each change one cycle late/early would do
(CTest runs that as a planted-bug test with WILL_FAIL).
"""
import argparse
import os
import subprocess
import sys

from vcd_read import read_vcd

CLOCK_MHZ = 900
CYCLES = 12  # mini_add.tsp: .predict 12
IDLE_TEXT = "-"


def ps(cycle):
    return cycle * 1_000_000 // CLOCK_MHZ


class Wave:
    def __init__(self, vcd_text, shift):
        self.waves = read_vcd(vcd_text)
        self.shift = shift
        self.errors = []

    def at(self, name, cycle):
        """The value of `name` during `cycle` (the last change at or before its start)."""
        value = None
        for t, v in self.waves[name]:
            if t <= ps(cycle):
                value = v
        return value

    def expect(self, name, cycle, want, why):
        cycle += self.shift
        got = self.at(name, cycle)
        if got != want:
            shown = lambda v: hex(v) if isinstance(v, int) else repr(v)
            self.errors.append(f"{name} in cycle {cycle}: expected {shown(want)}, got {shown(got)} ({why})")


def mini_add_expectations(w, window):
    """Expected values of the whole run; those outside `window` must be idle."""
    lo, hi = window
    q = "chip0.{}.{}.{}.{}"
    vxm = lambda sig: q.format("centre", "VXM", "VXM_0", sig)
    mem = lambda side, n, sig: q.format("west" if side == "W" else "east", "MEM", f"MEM_{side}_{n}", sig)
    # (signal, cycle, value when the cycle is in the window, idle value, why)
    cases = [
        (vxm("instr"), 4, "ADD.f16 S4.W, S0.E, S2.W", IDLE_TEXT, "VXM.0 has .at 4"),
        (vxm("instr"), 3, IDLE_TEXT, IDLE_TEXT, "idle before its issue (NOP 4 was at 0)"),
        (vxm("instr"), 5, IDLE_TEXT, IDLE_TEXT, "idle the cycle after"),
        (vxm("instr"), 0, "NOP 4", IDLE_TEXT, "`.at 4` is a NOP 4 at cycle 0"),
        (vxm("opcode"), 4, 0x21, "z", "ADD is 0x21"),
        (vxm("index"), 4, 1, "z", "the ADD is the queue's second instruction"),
        (vxm("index"), 5, "z", "z", "idle"),
        (vxm("streams_w"), 6, 0b11 << 4, 0, "ADD at 4 + latency 2 puts S4.W and S5.W"),
        (vxm("streams_w"), 5, 0, 0, "nothing put yet"),
        (vxm("streams_w"), 7, 0, 0, "back to idle"),
        (mem("W", 1, "sram_rd_addr"), 0, 0, "z", "READ 0 at 0 reads the array at issue"),
        (mem("W", 1, "sram_rd_addr"), 1, "z", "z", "one cycle only"),
        (mem("W", 1, "streams_e"), 2, 1 << 1, 0, "READ at 0 + latency 2 puts S1.E"),
        (mem("W", 0, "streams_e"), 3, 1 << 0, 0, ".at 1 READ + 2 puts S0.E"),
        (mem("E", 1, "streams_w"), 2, 1 << 3, 0, "READ at 0 + 2 puts S3.W"),
        (mem("W", 2, "instr"), 9, "WRITE 0x0, S4.W", IDLE_TEXT, "MEM.W.2 has .at 9"),
        (mem("W", 2, "sram_wr_addr"), 10, 0, "z", "WRITE at 9 writes the array at issue + 1"),
        (mem("W", 2, "sram_wr_addr"), 9, "z", "z", "not at issue"),
        (mem("W", 2, "sram_wr_addr"), 11, "z", "z", "one cycle only"),
        (mem("W", 3, "sram_wr_addr"), 11, 0, "z", "WRITE at 10 writes at 11, the last cycle"),
    ]
    for name, cycle, value, idle, why in cases:
        # Before the window the file holds nothing; after it, the idle values of its end.
        w.expect(name, cycle, None if cycle < lo else value if cycle <= hi else idle, why)


def check_time_base(w, window):
    """`cycle` counts every cycle of the window, each at its own start time, and nothing else."""
    lo, hi = window
    cycles = w.waves["chip0.cycle"]
    want = [(ps(c), c) for c in range(lo, hi + 1)]
    if cycles != want:
        w.errors.append(f"chip0.cycle: expected {want}, got {cycles}")
    times = sorted({t for changes in w.waves.values() for t, _ in changes})
    if times[0] != ps(lo) or times[-1] != ps(hi + 1):
        w.errors.append(f"times span {times[0]}..{times[-1]} ps, expected {ps(lo)}..{ps(hi + 1)}")


def check_gtkw(w, gtkw, fst):
    text = open(gtkw).read()
    needs = [f'[dumpfile] "{os.path.abspath(fst)}"', "@800200\n-west\n@800200\n-MEM\n", "@800200\n-centre\n",
             "@800200\n-VXM\n", "@800200\n-east\n", "@1000200\n-MEM\n", "@1000200\n-west\n"]
    for need in needs:
        if need not in text:
            w.errors.append(f"{gtkw}: missing {need!r}")
    # The display flags in force for a signal: the last @ line before it (GTKWave: 22 hex, 820 ASCII text).
    flags, shown = None, {}
    for line in text.splitlines():
        if line.startswith("@"):
            flags = line[1:]
        elif " chip0." in line:
            shown[line.split()[-1]] = flags
    for name, want in [("chip0.centre.VXM.VXM_0.instr", "820"), ("chip0.west.MEM.MEM_W_2.sram_wr_addr[9:0]", "22")]:
        if shown.get(name) != want:
            w.errors.append(f"{gtkw}: {name} shown with @{shown.get(name)}, expected @{want}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tsp", required=True)
    ap.add_argument("--image", required=True, help="mini_add assembled")
    ap.add_argument("--out", required=True, help="directory for the wave")
    ap.add_argument("--window", nargs=2, type=int, help="FROM TO passed as --from/--to")
    ap.add_argument("--shift", type=int, default=0)
    a = ap.parse_args()

    window = tuple(a.window) if a.window else (0, CYCLES - 1)
    name = "mini_add_{}_{}".format(*window) if a.window else "mini_add"
    fst = os.path.join(a.out, name + ".fst")
    cmd = [a.tsp, "run", a.image, "--wave", fst]
    if a.window:
        cmd += ["--from", str(window[0]), "--to", str(window[1])]
    run = subprocess.run(cmd, capture_output=True, text=True)
    print(run.stdout, run.stderr)
    if run.returncode != 0:
        sys.exit(f"check_wave: {' '.join(cmd)} exited {run.returncode}")
    w = Wave(subprocess.run(["fst2vcd", fst], capture_output=True, text=True, check=True).stdout, a.shift)
    mini_add_expectations(w, window)
    check_time_base(w, window)
    check_gtkw(w, os.path.splitext(fst)[0] + ".gtkw", fst)
    for e in w.errors:
        print("check_wave: error:", e)
    if w.errors:
        sys.exit(f"check_wave: {len(w.errors)} mismatches; reproduce: {' '.join(cmd)} && fst2vcd {fst}")
    print(f"check_wave: {fst} matches every expectation (cycles {window[0]}..{window[1]})")


if __name__ == "__main__":
    main()
