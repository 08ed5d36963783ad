#!/usr/bin/env python3
"""Runs programs with full data and with `tsp run --timing-only` and compares
what both must agree on: exit status, the error message, and every cycle count
and counter of `--stats` (per chip and per link). Only host wall times, the
mode flag, sram_stored_bytes (timing-only stores no SRAM) and the results'
hashes and digest (values) may differ.
docs/timing-only.md.

Usage: timing_only_compare.py --tsp TSP [--tsp-timing TSP2] --work DIR
           [--compiled DIR] [--source DIR] [--links GEN_LINKS.py] [--link-dir DIR]

  --compiled DIR   every *.img there (the suite's compiled programs)
  --source DIR     repo root: assembles firmware/examples/*.tsp and tests/e2e/*.tsp
  --links GEN      writes the link examples (gen_links.py) and mutants of them
  --tsp-timing     the binary for the timing-only runs (a test-only build with a
                   planted difference shows that this check catches it)

A program timing-only refuses (GATHER/SCATTER: their SRAM addresses are data)
is listed as refused, never counted as a match. Exit 1 on any difference,
with each difference located (program, variant, JSON path, both values).
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

# Values (the tensors' hashes and the digest over them) are what timing-only
# does not compute; per-rank costs are host wall times.
IGNORED = {"wall_seconds", "run_wall_seconds", "cycles_per_second", "timing_only", "sram_stored_bytes", "results",
           "digest", "ranks"}
REFUSED = re.compile(r"--timing-only: (GATHER|SCATTER)'s SRAM addresses")


def run(tsp, image, extra, stats, timing):
    cmd = [tsp, "run", str(image), "-q", "--stats", str(stats)] + extra + (["--timing-only"] if timing else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    data = json.loads(stats.read_text()) if stats.exists() else None
    return p.returncode, p.stderr.strip(), data


def diffs(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in IGNORED:
                continue
            if k not in a or k not in b:
                yield f"{path}.{k}: present in only one run"
            else:
                yield from diffs(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} entries with full data, {len(b)} timing-only"
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diffs(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: full data {a!r}, timing-only {b!r}"


def assemble(tsp, src, out):
    p = subprocess.run([tsp, "as", str(src), "-o", str(out)], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"timing_only_compare: cannot assemble {src}: {p.stderr}")
    return pathlib.Path(out)


def link_programs(tsp, gen, work):
    """(image, topology) of each link example, and mutants whose RECV is a cycle late / a window early."""
    out = []
    root = pathlib.Path(gen).resolve().parents[2]
    drift_topo = root / "tests/e2e/links/drift_pm300.topo"
    kinds = [("node8_broadcast", "node8", []), ("node8_allreduce", "node8", []),
             ("dragonfly_3hop", "dragonfly2", []),
             ("drift", str(drift_topo), ["--topology", str(drift_topo), "--cycles", "100000", "--deskew", "64"]),
             ("drift", str(drift_topo), ["--topology", str(drift_topo), "--cycles", "100000", "--deskew", "0"])]
    for n, (kind, topo, args) in enumerate(kinds):
        base = work / f"link{n}_{kind}"
        p = subprocess.run([sys.executable, gen, tsp, kind, f"{base}.tsp", f"{base}.expect"] + args,
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"timing_only_compare: {gen} {kind} failed: {p.stderr}")
        out.append((assemble(tsp, f"{base}.tsp", f"{base}.img"), topo))
        text = pathlib.Path(f"{base}.tsp").read_text()
        late = re.sub(r"\n(    RECV [^\n]*); mark:recv[^\n]*\n", r"\n    NOP 1\n\1\n", text, count=1)
        if late != text:
            pathlib.Path(f"{base}_late.tsp").write_text(late)
            out.append((assemble(tsp, f"{base}_late.tsp", f"{base}_late.img"), topo))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tsp", required=True)
    ap.add_argument("--tsp-timing")
    ap.add_argument("--work", required=True)
    ap.add_argument("--compiled")
    ap.add_argument("--source")
    ap.add_argument("--links")
    a = ap.parse_args()
    tsp_t = a.tsp_timing or a.tsp
    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)

    # (label, image, extra run arguments)
    cases = []
    if a.compiled:
        for img in sorted(pathlib.Path(a.compiled).glob("*.img")):
            cases.append((img.name, img, []))
    if a.source:
        root = pathlib.Path(a.source)
        for src in sorted(root.glob("firmware/examples/*.tsp")):
            img = assemble(a.tsp, src, work / f"{src.stem}.img")
            cases.append((src.name, img, []))
            cases.append((src.name, img, ["--flip-rate", "200000", "--flip-until", "400", "--seed", "5"]))
        # SRAM flips in words the programs read: ECC corrects a single one and fails on a double one,
        # decided by the error pattern alone (docs/timing-only.md).
        mini = work / "mini_add.img"
        for flips in (["MEM.W.0:0:1:5@0"], ["MEM.W.0:0:1:5@0", "MEM.W.0:0:1:130@0"], ["MEM.W.0:0:0:3@0", "MEM.E.1:0:1:7@0"]):
            cases.append(("mini_add.tsp", mini, [arg for f in flips for arg in ("--flip", f)]))
        for src in sorted(root.glob("tests/e2e/timing_only/*.tsp")):  # programs that break a rule
            cases.append((src.name, assemble(a.tsp, src, work / f"{src.stem}.img"), []))
        two = assemble(a.tsp, root / "tests/e2e/two_chips.tsp", work / "two_chips.img")
        cases.append(("two_chips.tsp", two, ["--topology", "pair"]))
        cases.append(("two_chips.tsp", two, ["--topology", "pair", "--flip", "1/MEM.W.0:0:1:5@0"]))
        pair = assemble(a.tsp, root / "tests/e2e/waves/link_pair.tsp", work / "link_pair.img")
        cases.append(("link_pair.tsp", pair, ["--topology", "pair"]))
        cases.append(("link_pair.tsp", pair, ["--topology", "pair", "--link-flip", "0.0:8:3"]))
    if a.links:
        for img, topo in link_programs(a.tsp, a.links, work):
            cases.append((img.name, img, ["--topology", topo]))
            # Random wire errors: FEC corrects or gives up by the error pattern alone; drifting clocks.
            cases.append((img.name, img, ["--topology", topo, "--link-ber", "2e-4", "--seed", "7"]))
            cases.append((img.name, img, ["--topology", topo, "--clock-ppm-spread", "200", "--seed", "3"]))

    same = refused = 0
    errors_compared = 0
    bad = []
    for n, (label, img, extra) in enumerate(cases):
        full = run(a.tsp, img, extra, work / f"{n}.full.json", False)
        timing = run(tsp_t, img, extra, work / f"{n}.timing.json", True)
        where = f"{label} {' '.join(extra)}".strip()
        if timing[0] != 0 and REFUSED.search(timing[1]):
            refused += 1
            print(f"refused by --timing-only: {where}: {timing[1].splitlines()[0]}")
            continue
        found = []
        if full[0] != timing[0]:
            found.append(f"exit status: full data {full[0]}, timing-only {timing[0]}")
        if full[1] != timing[1]:
            found.append(f"error output: full data {full[1]!r}, timing-only {timing[1]!r}")
        if full[2] is None or timing[2] is None:
            found.append("no --stats file from " + ("full data" if full[2] is None else "timing-only"))
        else:
            found += list(diffs(full[2], timing[2], "stats"))
        if found:
            bad.append(where)
            for f in found[:10]:
                print(f"timing_only_compare: DIFFERENT: {where}: {f}")
        else:
            same += 1
            errors_compared += full[0] != 0
    print(f"timing_only_compare: {len(cases)} runs: {same} identical ({errors_compared} of them failing runs with "
          f"identical errors), {refused} refused by --timing-only, {len(bad)} different")
    if not cases:
        sys.exit("timing_only_compare: nothing to compare")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
