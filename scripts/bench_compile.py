#!/usr/bin/python3
"""Benchmark (not a test): compile time and peak memory of `tsp compile` on
the PyTorch models of the validation (docs/compiler.md "Validation against
the published figures"), each exported by its script in scripts/models/ and
compiled for tsp1 (no run). A user compiles these many times a day: the
issue's target for ResNet-50 is under 60 s and 4 GiB. Prints a Markdown
table: model, chip ops, predicted cycles, compile wall seconds (the
compiler's own figure and the process's), peak RSS.

Usage: scripts/bench_compile.py TSP WORKDIR [--runs N]
Run with Debian's Python (/usr/bin/python3: python3-torch, python3-onnx).
"""
import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODELS = ROOT / "scripts" / "models"

# name: script, its arguments, extra `tsp compile` flags
CASES = [
    ("lstm 1024/1024, 4 steps", "lstm.py", ["--inputs", "1024", "--hidden", "1024", "--steps", "4"], []),
    ("lstm 1024/1024, 4 steps, f16 products", "lstm.py", ["--inputs", "1024", "--hidden", "1024", "--steps", "4"],
     ["--f16-matmul"]),
    ("BERT-base layer", "bert.py", ["--layers", "1"], []),
    ("BERT-base layer, f16 products", "bert.py", ["--layers", "1"], ["--f16-matmul"]),
    ("ResNet-50 layer1[1] at 28x28", "resnet_block.py", ["--size", "28"], []),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tsp")
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print("| model | chip ops | predicted cycles | compile (compiler) s | process wall s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, script, args, flags in CASES:
        out = a.workdir / re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if not (out / "model.onnx").exists():
            subprocess.run([sys.executable, MODELS / script, out, *args], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        walls, own, rss, first = [], [], [], ""
        for _ in range(a.runs):
            t0 = time.monotonic()
            p = subprocess.Popen([a.tsp, "compile", out / "model.onnx", "--inputs", out / "test_data_set_0", *flags],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            text, err = p.stdout.read(), p.stderr.read()  # stderr is a line or two
            _, status, usage = os.wait4(p.pid, 0)  # the child's own peak RSS
            walls.append(time.monotonic() - t0)
            rc = os.waitstatus_to_exitcode(status)
            if rc:
                sys.exit(f"bench_compile: {name}: tsp compile exited {rc}: {err.strip()[-300:]}")
            m = re.search(r"\((\d+) chip ops\) on \w+: predicted (\d+) cycles.*compiled in ([0-9.]+) s", text)
            first = first or m
            own.append(float(m.group(3)))
            rss.append(usage.ru_maxrss / 1024)
        print(f"| {name} | {int(first.group(1)):,} | {int(first.group(2)):,} | {statistics.median(own):.2f} | "
              f"{statistics.median(walls):.2f} | {max(rss):,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
