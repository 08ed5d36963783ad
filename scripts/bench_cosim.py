#!/usr/bin/env python3
"""Cost of cosim on compiled programs (a benchmark, not a test: README "Cosim").

    scripts/bench_cosim.py TSP WORKDIR [NAME ...] [--units mem,vxm,mxm,sxm,icu] [--onnx]

Compiles each program of tests/cosim/programs.json (all by default, or the
NAMEs given; --onnx: every passing ONNX node test instead) into WORKDIR, runs
`tsp cosim IMAGE --rtl UNITS` under /usr/bin/time and prints one table row per
program: chip cycles, wall and CPU seconds (user + system), peak RSS, and each
unit's RTL cycles and share of the time (the time inside its adapter). On a
shared machine CPU seconds are the steadier figure. Exits 1 if a cosim fails.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE_DIR = pathlib.Path("/usr/share/libonnx-testdata/data/node")


def programs(names, onnx):
    spec = json.loads((ROOT / "tests/cosim/programs.json").read_text())
    if onnx:
        tests = json.loads((ROOT / spec["onnx"]["node_tests"]).read_text())["tests"]
        return [(t["name"], ["--inputs", str(NODE_DIR / t["name"] / "test_data_set_0")], NODE_DIR / t["name"] / "model.onnx")
                for t in tests if t["expect"] == spec["onnx"]["expect"] and (not names or t["name"] in names)]
    graphs = ROOT / "firmware/examples/graphs"
    return [(p["name"], [], graphs / (p["graph"] + ".txt")) for p in spec["programs"] if not names or p["name"] in names]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsp")
    ap.add_argument("workdir")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--units", default="mem,vxm,mxm,sxm,icu")
    ap.add_argument("--onnx", action="store_true")
    a = ap.parse_args()
    work = pathlib.Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    units = a.units.split(",")
    print("| program | chip cycles | wall s | CPU s | peak RSS MB | " + " | ".join(f"{u} RTL cycles (share)" for u in units) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(units))
    failed = 0
    total_cpu = 0.0
    for name, extra, source in programs(a.names, a.onnx):
        img = work / f"{name}.img"
        subprocess.run([a.tsp, "compile", str(source), *extra, "-o", str(img), "-q"], check=True)
        r = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M", a.tsp, "cosim", str(img), "--rtl", a.units,
                            "--wave-dir", str(work / "waves")], capture_output=True, text=True)
        out = r.stdout + r.stderr
        t = re.search(r"TIME ([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9]+)", out)
        m = re.search(r"matched [0-9]+ instructions, [0-9]+ values, ([0-9]+) cycles", out)
        if r.returncode != 0 or not t or not m:
            print(out, file=sys.stderr)
            print(f"| {name} | cosim failed (exit {r.returncode}) |")
            failed += 1
            continue
        wall, cpu, rss = float(t[1]), float(t[2]) + float(t[3]), int(t[4]) / 1024
        total_cpu += cpu
        cells = []
        for u in units:
            # rate = RTL cycles / seconds in the adapter, so seconds = cycles / rate
            um = re.search(rf"\n  {u} +[0-9]+ instructions.*?, ([0-9]+) RTL cycles; ([0-9.e+]+) RTL cycles/s", out)
            if not um or int(um[1]) == 0:
                cells.append("-")
                continue
            secs = int(um[1]) / float(um[2]) if float(um[2]) else 0.0
            cells.append(f"{int(um[1]):,} ({100 * secs / wall:.0f}%)")
        print(f"| {name} | {int(m[1]):,} | {wall:.2f} | {cpu:.2f} | {rss:,.0f} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nbench_cosim: total CPU {total_cpu:.1f} s; {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
