#!/usr/bin/env python3
"""Checks the link and clock signals of `tsp run --topology pair --wave` on
tests/e2e/waves/link_pair.tsp by reading the FST back with fst2vcd. Every
expected value is worked out from the program's comments, `tsp info --json`
and `tsp topo pair --json`, never taken from a run:

  SENDs on chip 0 at 20, 25, 30: a frame is on the wire c2c_frame_cycles (5);
  it lands half a receive window before the hop (isagen: the default cable's
  arrival), i.e. in cycle send + hop - window / 2 of the receiver; chip 1's
  RDESKEW 400 issued in its cycle 600 ends where the HAC has counted 1000
  cycles; HAC epoch k falls on the chip's first own cycle at or after k x
  hac_period root cycles. Chip k's cycle c starts at floor(c x 10^6 / f_k) ps,
  f_k = 900 MHz x (1 + ppm_k / 10^6) (at 0 ppm: the integer c x 10^6 / 900).

Modes: plain; flip (--link-flip 0.0:25:17: frame 1 is corrected); window
(--from 200 --to 240: the frames sent before the window are in flight at its
start); ppm (--clock-ppm-spread 1000, the chips' ppm read from --stats).
--shift N moves every expected cycle by N: the check must then fail.
"""
import argparse
import json
import math
import os
import subprocess
import sys

from vcd_read import read_vcd

SENDS = [20, 25, 30]
LINK = "links.link0_c0p0_c1p0"


class Clock:
    """One chip's cycle start times, as the recorder's time base is documented."""

    def __init__(self, ppm=0.0, root_ppm=0.0):
        self.ppm, self.root_ppm = ppm, root_ppm

    def ps(self, c):
        if self.ppm == 0:
            return c * 1_000_000 // 900
        return math.floor(c * 1e6 / (900 * (1 + self.ppm * 1e-6)))

    def period(self):
        return 1e6 / (900 * (1 + self.ppm * 1e-6))

    def own_cycle_at(self, root_cycles):  # docs/links.md: the first own cycle the HAC has counted root_cycles by
        ratio = (1 + self.root_ppm * 1e-6) / (1 + self.ppm * 1e-6)
        return max(0, math.ceil(root_cycles / ratio - 1e-9))


class Wave:
    def __init__(self, waves, shift):
        self.waves, self.shift, self.errors = waves, shift, []

    def at(self, name, t):
        value = None
        for when, v in self.waves.get(name, []):
            if when <= t:
                value = v
        return value

    def expect(self, name, clock, cycle, want, why):
        cycle += self.shift
        got = self.at(name, clock.ps(cycle))
        if got != want:
            self.errors.append(f"{name} in cycle {cycle} ({clock.ps(cycle)} ps): expected {want!r}, got {got!r} ({why})")

    def expect_changes(self, name, want, why):
        got = self.waves.get(name)
        if got != want:
            self.errors.append(f"{name}: expected changes {want}, got {got} ({why})")


def tsp_json(tsp, *args):
    return json.loads(subprocess.run([tsp, *args, "--json"], capture_output=True, text=True, check=True).stdout)


def signed(v, bits=32):
    return v - (1 << bits) if isinstance(v, int) and v >> (bits - 1) else v


def check_link(w, tx, rx, land, fecs, window=None):
    """a_to_b of the pair's link: frames k sent at SENDS[k] (tx clock), landing in land[k] (rx clock)."""
    lo, hi = window or (0, 10**9)
    sig = lambda s: f"{LINK}.a_to_b.{s}"
    for k, s in enumerate(SENDS):
        if lo <= s <= hi:
            w.expect(sig("frame"), tx, s, f"frame {k} SEND S0.W", "SEND's text and frame number while it serialises")
            w.expect(sig("frame"), tx, s + 4, f"frame {k} SEND S0.W", "5 cycles on the wire")
        if lo <= land[k] <= hi:
            w.expect(sig("landed"), rx, land[k], 1, "a one-cycle pulse where the frame lands")
            w.expect(sig("landed"), rx, land[k] + 1, 0, "one cycle only")
            w.expect(sig("landed"), rx, land[k] - 1, 0, "not before")
            w.expect(sig("fec"), rx, land[k], fecs[k], "the decoder's verdict at landing")
            w.expect(sig("fec"), rx, land[k] + 1, "-", "one cycle only")
            w.expect(sig("bit_errors"), rx, land[k], 1 if fecs[k] != "clean" else 0, "bits the wire flipped")
            w.expect(sig("bit_errors"), rx, land[k] + 1, "z", "z between landings")
    if window is None:
        w.expect(sig("frame"), tx, SENDS[0] - 1, "-", "nothing on the wire before the first SEND")
        w.expect(sig("frame"), tx, SENDS[-1] + 5, "-", "the last frame has left the serialiser")
        for c, n in [(SENDS[0] - 1, 0), (SENDS[0], 1), (SENDS[1], 2), (SENDS[2], 3), (land[0] - 1, 3), (land[0], 2),
                     (land[1], 1), (land[2], 0)]:
            w.expect(sig("in_flight"), tx if c <= SENDS[2] else rx, c, n, "frames between SEND and landing")
        w.expect_changes(f"{LINK}.b_to_a.in_flight", [(0, 0)], "nothing sent from chip 1")
        w.expect_changes(f"{LINK}.b_to_a.frame", [(0, "-")], "nothing sent from chip 1")


def check_clock(w, chip, clock, end, drift_end=None, drift=0):
    """hac_epoch pulses on the chip's own edges; drift and sac around the RDESKEW's end."""
    base = f"chip{chip}.clock"
    want, k = [], 0
    while (c := clock.own_cycle_at(k * 256)) < end:
        want += [(clock.ps(c + w.shift), 1), (clock.ps(c + 1 + w.shift), 0)]
        k += 1
    w.expect_changes(f"{base}.hac_epoch", want, "a pulse at each HAC epoch, on the chip's own edges")
    if drift_end is not None:
        w.expect(f"{base}.drift", clock, drift_end - 1, 0, "no correction before the RDESKEW ends")
        got = signed(w.at(f"{base}.drift", clock.ps(drift_end + w.shift)))
        if got != drift:
            w.errors.append(f"{base}.drift from cycle {drift_end}: expected {drift}, got {got}")
        w.expect(f"{base}.sac", clock, drift_end, drift_end - drift, "the schedule's cycle: own less the drift")
        w.expect(f"{base}.cycle", clock, drift_end, drift_end, "the chip's own counter")


def landing(tx, rx, send, hop, window, fixed, frame_cycles):
    """The receiver's cycle capturing a frame: SEND time + (frame + fixed) sender cycles + the copper's 15 ns."""
    if tx.ppm == 0 and rx.ppm == 0:
        return send + hop - window // 2
    arrive = round(send * tx.period()) + round((frame_cycles + fixed) * tx.period() + 15000)
    x = arrive / rx.period()
    return round(x) if abs(x - round(x)) * rx.period() <= 4 else math.ceil(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tsp", required=True)
    ap.add_argument("--image", required=True, help="link_pair.tsp assembled")
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["plain", "flip", "window", "ppm"], default="plain")
    ap.add_argument("--shift", type=int, default=0)
    a = ap.parse_args()

    info = tsp_json(a.tsp, "info", "--config", "mini")
    hop = tsp_json(a.tsp, "topo", "pair", "--config", "mini")["cables"][0]["hop_cycles"]
    win, fixed, frame = info["c2c_receive_window_cycles"], info["c2c_fixed_cycles"], info["c2c_frame_cycles"]
    assert frame == 5 and info["hac_period_cycles"] == 256 and hop == 216, "link_pair.tsp assumes these"
    os.makedirs(a.out, exist_ok=True)
    fst = os.path.join(a.out, f"link_{a.mode}.fst")
    stats = os.path.join(a.out, f"link_{a.mode}.json")
    cmd = [a.tsp, "run", a.image, "--topology", "pair", "--wave", fst, "--stats", stats]
    cmd += {"plain": [], "flip": ["--link-flip", "0.0:25:17"], "window": ["--from", "200", "--to", "240"],
            "ppm": ["--clock-ppm-spread", "1000", "--seed", "3"]}[a.mode]
    run = subprocess.run(cmd, capture_output=True, text=True)
    print(run.stdout, run.stderr)
    if run.returncode != 0:
        sys.exit(f"check_link_wave: {' '.join(cmd)} exited {run.returncode}")
    chips = json.load(open(stats))["chips"]
    ppm = [c["clock_ppm"] for c in chips] if a.mode == "ppm" else [0.0, 0.0]
    if a.mode == "ppm" and abs(ppm[0] - ppm[1]) < 500:
        sys.exit(f"check_link_wave: seed 3 should spread the clocks far apart, got {ppm}")
    clocks = [Clock(p, ppm[0]) for p in ppm]  # the pair's HAC root is chip 0
    w = Wave(read_vcd(subprocess.run(["fst2vcd", fst], capture_output=True, text=True, check=True).stdout), a.shift)

    land = [landing(clocks[0], clocks[1], s, hop, win, fixed, frame) for s in SENDS]
    fecs = ["corrected 1" if a.mode == "flip" and s == 25 else "clean" for s in SENDS]
    check_link(w, clocks[0], clocks[1], land, fecs, (200, 240) if a.mode == "window" else None)
    if a.mode == "window":
        w.expect(f"{LINK}.a_to_b.in_flight", clocks[1], 200, 3, "sent before the window, in flight at its start")
        w.expect(f"{LINK}.a_to_b.frame", clocks[0], 200, "-", "")
    else:
        end = min(c["cycles"] for c in chips)
        for chip in (0, 1):
            rd = clocks[1].own_cycle_at(1000) if chip == 1 else None  # RDESKEW 400 in cycle 600, no drift before
            check_clock(w, chip, clocks[chip], end, rd, (rd - 1000) if rd is not None else 0)
            w.expect(f"chip{chip}.cycle", clocks[chip], 1000, 1000, "each chip's cycle at its own time")
    gtkw = open(os.path.splitext(fst)[0] + ".gtkw").read()
    for need in ["@800200\n-link0_c0p0_c1p0\n", "@800200\n-a_to_b\n", "@c00200\n-b_to_a\n", "@1401200\n-b_to_a\n",
                 "@800200\n-chip1 clock\n", "@c00200\n-chip0 west\n", "+{clock hac_epoch} chip1.clock.hac_epoch\n"]:
        if need not in gtkw:
            w.errors.append(f"gtkw: missing {need!r}")
    for e in w.errors:
        print("check_link_wave: error:", e)
    if w.errors:
        sys.exit(f"check_link_wave: {len(w.errors)} mismatches; reproduce: {' '.join(cmd)} && fst2vcd {fst}")
    print(f"check_link_wave: {fst} matches every expectation ({a.mode}; ppm {ppm}; landings {land})")


if __name__ == "__main__":
    main()
