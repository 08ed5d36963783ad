#!/usr/bin/env python3
"""Benchmark (not a test): the system compiler (`tsp compile --topology`,
docs/compiler.md "Systems") on Llama layers written by
scripts/models/llama_graph.py, from a dim-2560 layer to a Llama-2-70B-shaped
one: the predicted cycles (microseconds at 900 MHz), the first stage's
achieved/bound, compile time (the compiler's own and the process's) and
peak memory. With --run each image also runs on the model (every chip held
to its prediction) with its weights generated on read. Prints a Markdown
table.

Usage: scripts/bench_system.py TSP WORKDIR [--run] [--only NAME]
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRAPH = ROOT / "scripts" / "models" / "llama_graph.py"

# name: llama_graph.py arguments, topology[, tsp compile's own flags]
CASES = [
    ("Llama dim 2560, 20 heads (4 kv), ffn 2560", ["--dim", "2560", "--layers", "1", "--heads", "20", "--kv-heads", "4",
                                                  "--ffn", "2560", "--vocab", "320"], "node8"),
    ("Llama-2-7B-shaped layer, f16", ["--dim", "4096", "--layers", "1", "--heads", "32", "--kv-heads", "32", "--ffn",
                                      "11008", "--no-head"], "node8"),
    ("Llama-2-70B-shaped layer, f16 attention, int8 SwiGLU", ["--layers", "1", "--ffn-int8", "--no-head"], "node8"),
    ("four dim-2560 layers", ["--dim", "2560", "--layers", "4", "--heads", "20", "--kv-heads", "4", "--ffn", "2560",
                              "--vocab", "320"], "racks8"),
    # The 576-chip map: a layer a node (72 of the 80; the placement cannot yet pack 1.11 layers a node), its
    # weights generated (as bytes they would be 84 GB).
    ("72 Llama-2-70B-shaped layers, a layer a node", ["--layers", "72", "--ffn-int8", "--no-head"], "racks8",
     ["--stages", "72", "--generated-weights", "7"]),
    # Llama-2-7B whole (docs/compiler.md "Against the published system figures"): f16 on 16 nodes, and the
    # smallest map that holds it, SwiGLU int8 on 8 nodes.
    ("32 Llama-2-7B-shaped layers, f16, 2 a node", ["--dim", "4096", "--layers", "32", "--heads", "32", "--kv-heads",
                                                    "32", "--ffn", "11008", "--no-head"], "racks8",
     ["--stages", "16", "--generated-weights", "7"]),
    ("32 Llama-2-7B-shaped layers, SwiGLU int8, 4 a node", ["--dim", "4096", "--layers", "32", "--heads", "32",
                                                            "--kv-heads", "32", "--ffn", "11008", "--ffn-int8",
                                                            "--no-head"], "racks8",
     ["--stages", "8", "--generated-weights", "7"]),
]


def run_measured(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)  # the child's own peak RSS
    rc = os.waitstatus_to_exitcode(status)
    if rc:
        sys.exit(f"bench_system: {' '.join(map(str, cmd))} exited {rc}: {err.strip()[-400:]}")
    return out, time.monotonic() - t0, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tsp")
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("--run", action="store_true", help="also run each image (weights generated on read)")
    ap.add_argument("--only", help="the cases whose name contains this")
    a = ap.parse_args()
    a.workdir.mkdir(parents=True, exist_ok=True)
    print("| layer | topology | cycles | us | achieved/bound | compile (compiler) s | process s | peak RSS MiB |"
          + (" run s | run RSS MiB |" if a.run else ""))
    print("|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if a.run else ""))
    for name, args, topology, *flags in CASES:
        if a.only and a.only not in name:
            continue
        stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        graph = a.workdir / f"{stem}.txt"
        subprocess.run([sys.executable, GRAPH, graph, *args], check=True)
        image = a.workdir / f"{stem}.img"
        cmd = [a.tsp, "compile", graph, "--topology", topology, "-o", image, *(flags[0] if flags else [])]
        if a.run and "--generated-weights" not in cmd:
            cmd += ["--generated-weights", "7"]
        out, wall, rss = run_measured(cmd)
        m = re.search(r"predicted (\d+) cycles = ([0-9.]+) us .*compiled in ([0-9.]+) s", out)
        ab = re.search(r"achieved/bound ([0-9.]+)", out)
        if not m:
            sys.exit(f"bench_system: {name}: no prediction in the output:\n{out[-600:]}")
        row = (f"| {name} | {topology} | {int(m.group(1)):,} | {float(m.group(2)):.1f} | "
               f"{ab.group(1) if ab else '-'} | {float(m.group(3)):.1f} | {wall:.1f} | {rss:,.0f} |")
        if a.run:
            _, run_wall, run_rss = run_measured([a.tsp, "run", image, "--topology", topology, "-q"])
            row += f" {run_wall:.1f} | {run_rss:,.0f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
