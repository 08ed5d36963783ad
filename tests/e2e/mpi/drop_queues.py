#!/usr/bin/env python3
"""Writes a copy of a generated multi-chip program with every queue of one chip removed (its tensors stay):
the chip ends in cycle 0, and the frames sent to it land on a finished chip (an error in the receiver).

Usage: drop_queues.py IN.tsp CHIP OUT.tsp"""
import sys


def main(src, chip, dst):
    lines = open(src).read().split("\n")
    out, inside = [], False
    for line in lines:
        if line.startswith(".chip "):
            inside = line.split()[1] == chip
        if inside and not (line.startswith(".chip") or line.startswith(".tensor") or line.startswith(".sram")
                           or line.startswith(".hex") or not line.strip()):
            continue
        out.append(line)
    if out == lines:
        sys.exit(f"drop_queues: chip {chip} has no queue in {src}")
    open(dst, "w").write("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
