#!/usr/bin/env python3
"""Rank-count identity and rank failures of `tsp run` under mpirun (docs/distributed.md).

identity: runs IMAGE once in one process (no mpirun) and under `mpirun -n R` for
each R of --ranks, every time with the same `tsp run` arguments; passes only if
every run prints a digest, all digests are equal, the exit codes are equal, and
the whole output is equal once the lines that say how it was simulated (wall
time, ranks, mpirun's banners) are left out. --plant R:--OPT=VALUE gives --OPT another
value in the run with R ranks only (or runs --plant-image there): the test that plants a
difference must see this checker fail. --compare-fixed: each R-rank run is made
again with --fixed-windows; both must be identical, and the default (growing)
windows must number fewer than the fixed ones.

fails: runs `mpirun -n R tsp run ...`; passes only if it ends non-zero within
--within seconds and its output matches --message (a regular expression).

Usage:
  check_ranks.py identity --mpirun M --tsp T --image I --ranks 2,4 [--partition P]
                 [--waves DIR --fst2vcd F] [--plant R:--OPT=VALUE|--plant-image R:IMG] [--compare-fixed] -- ARGS
  check_ranks.py fails --mpirun M --tsp T --image I --ranks R --within S --message RE -- ARGS
"""
import argparse
import os
import re
import subprocess
import sys
import time

# Lines that say how the run was simulated, not what it computed.
HOW = re.compile(r"^\s*(speed|ranks)\s|^\s+rank \d+: |^tsp run: \(chip \d+ ran on rank|^$")
BANNER = re.compile(r"^-{20,}$")  # mpirun's own messages sit between two of these


# mpirun refuses to start as root (CI is root) without these; set here too so a
# run by hand behaves as under CTest (tests/e2e/mpi.cmake sets the same).
for _name in ("OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"):
    os.environ.setdefault(_name, "1")


def mpirun(args, ranks):
    return [args.mpirun, "-n", str(ranks), "--oversubscribe"]


def run(cmd, timeout):
    """Exit code, output (stdout, then stderr: mpirun interleaves them in no fixed order), seconds."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


def normalise(out):
    lines, banner = [], False
    for line in out.splitlines():
        if BANNER.match(line):
            banner = not banner
            continue
        if banner or HOW.search(line):
            continue
        line = re.sub(r"^(  chip \d+) \(rank \d+\)$", r"\1", line)
        # The wave lines name each run's own files, and an FST's size depends on its date.
        line = re.sub(r"\S*/r\d+\.(fst|gtkw)\b", r"WAVE.\1", line)
        lines.append(re.sub(r"\(\d+ bytes", "(N bytes", line))
    return lines


def wave_text(args, ranks):
    """The wave of the run with `ranks` ranks as VCD text, without the date fst2vcd prints."""
    vcd = subprocess.run([args.fst2vcd, os.path.join(args.waves, f"r{ranks}.fst")], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=True).stdout
    return re.sub(r"\$date.*?\$end", "", vcd, count=1, flags=re.S)


def windows(out):
    """Windows summed over the ranks ("rank 0: 8 chips, 27 windows (26 grown), ...")."""
    return sum(int(n) for n in re.findall(r"^\s+rank \d+: \d+ chips, (\d+) windows", out, re.M))


def identity(args, extra):
    plants = {}
    for p in args.plant or []:
        r, more = p.split(":", 1)  # R:--opt=VALUE replaces --opt's value in the arguments of the R-rank run
        plants[int(r)] = more.split("=", 1)
    plant_images = dict((int(p.split(":", 1)[0]), p.split(":", 1)[1]) for p in args.plant_image or [])
    runs = []
    for r in [1] + [int(x) for x in args.ranks.split(",")]:
        image = plant_images.get(r, args.image)
        spread = [] if r == 1 or not args.partition else ["--partition", args.partition]
        these = list(extra)
        if r in plants:
            opt, value = plants[r]
            these[these.index(opt) + 1] = value
        if args.waves:
            these += ["--wave", os.path.join(args.waves, f"r{r}.fst")]
        cmd = ([] if r == 1 else mpirun(args, r)) + [args.tsp, "run", image, "--digest"] + these + spread
        rc, out, secs = run(cmd, args.timeout)
        digest = re.search(r"^tsp run: digest ([0-9a-f]{16})$", out, re.M)
        if not digest:
            print(f"check_ranks: FAIL: {r} rank(s) printed no digest (exit {rc}):\n{out}")
            return 1
        runs.append((r, rc, digest.group(1), normalise(out), wave_text(args, r) if args.waves else ""))
        print(f"check_ranks: {r} rank(s): exit {rc}, digest {digest.group(1)}, {secs:.1f} s")
        if args.compare_fixed and r > 1:
            grown = windows(out)
            rc, out, secs = run(cmd + ["--fixed-windows"], args.timeout)
            fixed = windows(out)
            digest = re.search(r"^tsp run: digest ([0-9a-f]{16})$", out, re.M)
            runs.append((f"{r} (fixed windows)", rc, digest.group(1) if digest else "none", normalise(out), ""))
            print(f"check_ranks: {r} ranks with fixed windows: exit {rc}, {secs:.1f} s; windows over the ranks: "
                  f"{grown} growing, {fixed} fixed")
            if not fixed:
                print(f"check_ranks: FAIL: the {r}-rank run printed no window counts (not with -q)")
                return 1
            if not grown < fixed:
                print(f"check_ranks: FAIL: with {r} ranks the windows did not grow: {grown} windows, "
                      f"{fixed} with --fixed-windows")
                return 1
    base = runs[0]
    bad = 0
    for r, rc, digest, lines, wave in runs[1:]:
        if rc != base[1]:
            print(f"check_ranks: FAIL: exit {rc} with {r} ranks, {base[1]} in one process")
            bad += 1
        if digest != base[2]:
            print(f"check_ranks: FAIL: digest {digest} with {r} ranks, {base[2]} in one process")
            bad += 1
        if lines != base[3]:
            diff = [f"  1: {a!r}\n  {r}: {b!r}" for a, b in zip(base[3], lines) if a != b][:5]
            print(f"check_ranks: FAIL: output with {r} ranks differs from one process "
                  f"({len(lines)} against {len(base[3])} lines):\n" + "\n".join(diff))
            bad += 1
        if wave != base[4]:
            diff = [f"  1: {a!r}\n  {r}: {b!r}" for a, b in zip(base[4].splitlines(), wave.splitlines()) if a != b][:5]
            print(f"check_ranks: FAIL: the wave with {r} ranks differs from one process's "
                  f"({len(wave)} against {len(base[4])} bytes of VCD):\n" + "\n".join(diff))
            bad += 1
    if bad:
        return 1
    waves = f", waves of {len(base[4])} bytes of VCD" if args.waves else ""
    print(f"check_ranks: identical for 1, {args.ranks} ranks: digest {base[2]}, exit {base[1]}, "
          f"{len(base[3])} lines{waves}")
    return 0


def fails(args, extra):
    r = int(args.ranks)
    cmd = mpirun(args, r) + [args.tsp, "run", args.image] + extra
    try:
        rc, out, secs = run(cmd, args.within)
    except subprocess.TimeoutExpired:
        print(f"check_ranks: FAIL: {r} ranks still running after {args.within} s (a hang)")
        return 1
    print(out)
    if rc == 0:
        print(f"check_ranks: FAIL: exit 0 after {secs:.1f} s; a failing rank must fail the job")
        return 1
    if not re.search(args.message, out, re.M):
        print(f"check_ranks: FAIL: exit {rc} but no line matches {args.message!r}")
        return 1
    print(f"check_ranks: every rank ended, exit {rc} after {secs:.1f} s, message found")
    return 0


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["identity", "fails"])
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--tsp", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--ranks", required=True)
    ap.add_argument("--partition", help="the ranks' --partition (not for the one-process run)")
    ap.add_argument("--waves", help="a directory: every run writes its wave there, and the waves must be equal")
    ap.add_argument("--fst2vcd", default="fst2vcd")
    ap.add_argument("--plant", action="append")
    ap.add_argument("--plant-image", action="append")
    ap.add_argument("--compare-fixed", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--within", type=float, default=120)
    ap.add_argument("--message", default="")
    args = ap.parse_args(argv)
    if args.compare_fixed and args.waves:
        ap.error("--compare-fixed compares outputs, not waves: use one or the other")
    return identity(args, extra) if args.mode == "identity" else fails(args, extra)


if __name__ == "__main__":
    sys.exit(main())
