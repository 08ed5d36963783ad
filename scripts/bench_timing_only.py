#!/usr/bin/env python3
"""Benchmark (not a test): wall time and peak memory of full-data runs against
--timing-only runs, on the largest programs at hand (README, "Full data,
generated weights and timing-only"). Prints a Markdown table.

Usage: scripts/bench_timing_only.py TSP WORKDIR [--chips N]

Programs: the tsp1 decoder layer (tsp1_decoder.txt) with its weights carried as
bytes and generated on read; the same layer on each of N chips of a node8
system (one image of N copies of the chip program; the chips start together
on one HAC epoch and run side by side); the largest link example (dragonfly_3hop).
"""
import argparse
import json
import pathlib
import resource
import struct
import subprocess
import sys
import time
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def replicate(src, dst, chips):
    """An image of `chips` copies of chip 0 of `src` (docs/image-format.md: manifest chip count, chip fields)."""
    b = bytearray(pathlib.Path(src).read_bytes())
    hs = struct.unpack_from("<I", b, 12)[0]
    n = struct.unpack_from("<I", b, 28)[0]
    at, sections = hs, []
    for _ in range(n):
        kind, chip, size = struct.unpack_from("<IIQ", b, at)
        end = at + 16 + (size + 7) // 8 * 8
        sections.append((kind, bytearray(b[at:end])))
        at = end
    kind, man = sections[0]
    cfg_len = struct.unpack_from("<I", man, 16)[0]
    struct.pack_into("<I", man, 16 + 4 + cfg_len, chips)
    out = [man]
    chip_secs = [s for k, s in sections[1:] if k in (2, 3, 5)]
    for c in range(chips):
        for s in chip_secs:
            s = bytearray(s)
            struct.pack_into("<I", s, 4, c)
            out.append(s)
    body = b"".join(out)
    img = bytearray(b[:hs]) + body
    struct.pack_into("<Q", img, 16, len(img))
    struct.pack_into("<I", img, 28, len(out))
    struct.pack_into("<I", img, 24, 0)
    struct.pack_into("<I", img, 24, zlib.crc32(bytes(img)) & 0xFFFFFFFF)
    pathlib.Path(dst).write_bytes(img)


def measure(tsp, image, extra, stats):
    cmd = [tsp, "run", str(image), "-q", "--stats", str(stats)] + extra
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, err = p.communicate()
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err}")
    s = json.loads(pathlib.Path(stats).read_text())
    return wall, s["wall_seconds"], s["cycles"], sum(c.get("sram_stored_bytes", 0) for c in s["chips"])


def peak_kib(tsp, image, extra):
    p = subprocess.run(["/usr/bin/time", "-f", "%M", tsp, "run", str(image), "-q"] + extra,
                       capture_output=True, text=True)
    return int(p.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsp")
    ap.add_argument("work")
    ap.add_argument("--chips", type=int, default=8)
    a = ap.parse_args()
    w = pathlib.Path(a.work)
    w.mkdir(parents=True, exist_ok=True)
    g = ROOT / "firmware/examples/graphs/tsp1_decoder.txt"
    subprocess.run([a.tsp, "compile", g, "-o", w / "dec_bytes.img", "--generated-weights", "7", "--weights-as-bytes",
                    "-q"], check=True)
    subprocess.run([a.tsp, "compile", g, "-o", w / "dec_gen.img", "--generated-weights", "7", "-q"], check=True)
    replicate(w / "dec_gen.img", w / "dec_gen_node8.img", a.chips)
    gen = ROOT / "firmware/examples/gen_links.py"
    subprocess.run([sys.executable, gen, a.tsp, "dragonfly_3hop", w / "df.tsp", w / "df.expect"], check=True,
                   capture_output=True)
    subprocess.run([a.tsp, "as", w / "df.tsp", "-o", w / "df.img"], check=True)
    progs = [("tsp1 decoder layer, weights as bytes", w / "dec_bytes.img", []),
             ("tsp1 decoder layer, generated weights", w / "dec_gen.img", []),
             (f"tsp1 decoder layer on {a.chips} chips (node8), generated weights", w / "dec_gen_node8.img",
              ["--topology", "node8"]),
             ("dragonfly_3hop (16 chips, links)", w / "df.img", ["--topology", "dragonfly2"])]
    print("| program | image | mode | process wall s | simulation wall s | peak RSS MiB | SRAM stored MiB | speed-up (process / simulation) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, img, extra in progs:
        size = img.stat().st_size / 2**20
        full = measure(a.tsp, img, extra, w / "full.json")
        fk = peak_kib(a.tsp, img, extra)
        tonly = measure(a.tsp, img, extra + ["--timing-only"], w / "t.json")
        tk = peak_kib(a.tsp, img, extra + ["--timing-only"])
        assert full[2] == tonly[2], (name, full[2], tonly[2])
        print(f"| {name} | {size:.1f} MiB | full data | {full[0]:.2f} | {full[1]:.3f} | {fk / 1024:.0f} | "
              f"{full[3] / 2**20:.1f} | |")
        print(f"| | | timing-only | {tonly[0]:.2f} | {tonly[1]:.3f} | {tk / 1024:.0f} | {tonly[3] / 2**20:.1f} | "
              f"{full[0] / tonly[0]:.1f}x / {full[1] / tonly[1]:.1f}x |")


if __name__ == "__main__":
    main()
