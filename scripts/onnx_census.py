#!/usr/bin/python3
"""Census of the ONNX test models in Debian's libonnx-testdata: runs
`tsp onnx-test` on every directory of node/, pytorch-converted/,
pytorch-operator/ and simple/ (with a timeout each) and tabulates pass,
fail, timeout and cannot-compile (exit 2) by the op or reason the message
names. A script run by hand (it takes minutes), not a CI test.

  scripts/onnx_census.py [--tsp build/release/tb/tsp] [--jobs 2] [--timeout 60]
                         [--json out.json] [--markdown]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]


def reason(stderr, stdout):
    """The op (or the kind of problem) an exit-2 message names."""
    text = stderr + stdout
    m = re.search(r"node '[^']*' \(([A-Za-z0-9_]+)\): (.*)", text)
    if m:
        op, why = m.group(1), m.group(2)
        if why.startswith("unsupported op"):
            return op, "op not imported"
        return op, why.strip()[:140]
    m = re.search(r"error: (.*)", text)
    return "(model)", (m.group(1).strip()[:140] if m else text.strip()[-140:])


def run_one(tsp, path, timeout):
    try:
        p = subprocess.run([tsp, "onnx-test", path], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"path": path, "outcome": "timeout", "op": "-", "why": f"over {timeout} s"}
    if p.returncode == 0:
        return {"path": path, "outcome": "pass", "op": "-", "why": ""}
    if p.returncode == 1:
        m = re.search(r"FAIL: (.*)", p.stdout)
        return {"path": path, "outcome": "fail", "op": "-", "why": (m.group(1) if m else p.stdout)[:200]}
    if p.returncode == 2:
        op, why = reason(p.stderr, p.stdout)
        return {"path": path, "outcome": "unsupported", "op": op, "why": why}
    return {"path": path, "outcome": "crash", "op": "-", "why": f"exit {p.returncode}: {p.stderr[-200:]}"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tsp", default="build/release/tb/tsp")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--json", help="write every directory's outcome here")
    ap.add_argument("--markdown", action="store_true", help="print the unsupported table as Markdown")
    a = ap.parse_args()
    dirs = [os.path.join(ROOT, s, d) for s in SUITES if os.path.isdir(os.path.join(ROOT, s))
            for d in sorted(os.listdir(os.path.join(ROOT, s))) if os.path.isdir(os.path.join(ROOT, s, d))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(lambda d: run_one(a.tsp, d, a.timeout), dirs))
    by_suite = collections.defaultdict(collections.Counter)
    for r in results:
        by_suite[r["path"].split("/")[-2]][r["outcome"]] += 1
    total = collections.Counter(r["outcome"] for r in results)
    print(f"{len(results)} models: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    for s in SUITES:
        print(f"  {s}: " + ", ".join(f"{k} {v}" for k, v in sorted(by_suite[s].items())))
    ops = collections.defaultdict(list)
    for r in results:
        if r["outcome"] == "unsupported":
            ops[r["op"]].append(r)
    rows = sorted(ops.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if a.markdown:
        print("\n| op | models | most common reason |\n|---|---|---|")
    else:
        print("\nunsupported, by op:")
    for op, rs in rows:
        why = collections.Counter(r["why"] for r in rs).most_common(1)[0][0]
        if a.markdown:
            print(f"| {op} | {len(rs)} | {why.replace('|', '/')} |")
        else:
            print(f"  {op:24s} {len(rs):4d}  {why}")
    others = [r for r in results if r["outcome"] in ("fail", "timeout", "crash")]
    if others:
        print("\nfail / timeout / crash:")
        for r in others:
            print(f"  {r['outcome']:8s} {r['path'].split('/', 5)[-1]}: {r['why'][:160]}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
