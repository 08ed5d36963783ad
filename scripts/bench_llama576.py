#!/usr/bin/env python3
"""Benchmark (not a test): the Llama-2-70B-shaped token on racks8's 576 chips
(scripts/llama_standin.py, docs/distributed.md "A Llama-2-70B-shaped token")
against the distributed simulator's goals: full data within 10 minutes and
16 GiB, timing-only at least 20x faster than full data, 2-rank efficiency of
at least 70%. Runs are back to back; nothing else should run meanwhile (a
paused or starved fuzz campaign reports a false timeout: docs/testing.md).
Prints a Markdown table and the ratios.

Usage: scripts/bench_llama576.py TSP WORKDIR [--timing-runs N] [--full-runs N]
                                 [--no-ranks] [--topology racks8]

Two ranks deal each node's chips alternately (--partition 0,1,0,1,...): a
pipeline of one token keeps one node busy at a time, so contiguous blocks
would leave a rank idle.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(cmd, stats):
    """Wall seconds, peak RSS (MiB) and the stats JSON of one run. The RSS is
    wait4's for the child: its own peak, or for mpirun its largest rank's."""
    t0 = time.monotonic()
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"bench_llama576: {' '.join(map(str, cmd))} exited {p.returncode}: {err.strip()[-400:]}")
    return wall, usage.ru_maxrss / 1024, json.loads(pathlib.Path(stats).read_text())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tsp")
    ap.add_argument("workdir", type=pathlib.Path)
    ap.add_argument("--topology", default="racks8")
    ap.add_argument("--timing-runs", type=int, default=3)
    ap.add_argument("--full-runs", type=int, default=1)
    ap.add_argument("--no-ranks", action="store_true", help="skip the 2-rank runs (no mpirun)")
    a = ap.parse_args()
    tsp = str(pathlib.Path(a.tsp).resolve())
    a.workdir.mkdir(parents=True, exist_ok=True)
    image = a.workdir / "llama576.img"
    if not image.exists():
        subprocess.run([sys.executable, ROOT / "scripts" / "llama_standin.py", tsp, image, "--topology", a.topology],
                       check=True, stdout=subprocess.DEVNULL)
    chips = json.loads(subprocess.run([tsp, "topo", a.topology, "--config", "tsp1", "--json"], check=True,
                                      capture_output=True, text=True).stdout)["chips"]  # a count
    partition = a.workdir / "alternate2.txt"
    partition.write_text(",".join(str(c % 2) for c in range(chips)) + "\n")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.environ.update(env)

    rows, walls = [], {}
    plans = [("timing-only", 1, a.timing_runs, ["--timing-only"]), ("full data", 1, a.full_runs, [])]
    if not a.no_ranks:
        plans += [("timing-only", 2, a.timing_runs, ["--timing-only"]), ("full data", 2, a.full_runs, [])]
    for mode, ranks, n, extra in plans:
        for k in range(n):
            stats = a.workdir / f"stats-{mode.replace(' ', '-')}-{ranks}-{k}.json"
            cmd = [tsp, "run", image, "--topology", a.topology, "--digest", "--stats", stats, *extra]
            if ranks > 1:
                cmd = ["mpirun", "-n", str(ranks), *cmd, "--partition", partition]
            wall, rss, st = run(cmd, stats)
            walls.setdefault((mode, ranks), []).append(wall)
            rows.append(f"| {mode} | {ranks} | {wall:.2f} | {st['run_wall_seconds']:.2f} | {rss:,.0f} | "
                        f"{st['cycles']:,} | `{st['digest']}` |")
            print(rows[-1], flush=True)
    print("\n| mode | ranks | process wall s | run wall s | peak RSS MiB (per process) | cycles | digest |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    med = {k: statistics.median(v) for k, v in walls.items()}
    if ("full data", 1) in med and ("timing-only", 1) in med:
        full, timing = med[("full data", 1)], med[("timing-only", 1)]
        print(f"\ntiming-only {full / timing:.1f}x faster than full data (medians {timing:.2f} s and {full:.2f} s; "
              f"goal 20x)")
    for mode in ("full data", "timing-only"):
        if (mode, 2) in med:
            print(f"{mode}: 2-rank efficiency {med[(mode, 1)] / (2 * med[(mode, 2)]):.0%} (goal 70%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
