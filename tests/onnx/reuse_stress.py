#!/usr/bin/python3
"""Every `pass` entry of node_tests.json again under `tsp onnx-test
--sram-reuse always` (each tensor at the lowest SRAM address free over its
lifetime, docs/compiler.md "SRAM reuse"): cycles as predicted, outputs
bit-equal to the host reference and within ONNX's tolerance. Prints what it
ran and what failed; exits 1 on any failure.

  reuse_stress.py TSP NODE_TESTS.json NODE_DIR
"""
import concurrent.futures
import json
import subprocess
import sys


def main():
    tsp, listing, node_dir = sys.argv[1:4]
    names = [t["name"] for t in json.load(open(listing))["tests"] if t["expect"] == "pass"]

    def run(name):
        p = subprocess.run([tsp, "onnx-test", f"{node_dir}/{name}", "--sram-reuse", "always"],
                           capture_output=True, text=True)
        return name, p.returncode, (p.stdout + p.stderr).strip().splitlines()[-1:] or [""]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        bad = [(n, rc, last[0]) for n, rc, last in pool.map(run, names) if rc != 0]
    for n, rc, last in bad:
        print(f"FAIL {n} (exit {rc}): {last}")
    print(f"sram-reuse always: {len(names) - len(bad)} of {len(names)} node tests pass, {len(bad)} fail")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
