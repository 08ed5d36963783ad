#!/bin/sh
# The functional coverage check on one unit's regression seeds, from a given
# generator (tests/cosim/CMakeLists.txt): GEN SEED INSTRUCTIONS IMAGE writes
# each seed's program, `tsp run --coverage` counts its bins, and
# `tsp coverage --require-all --units UNIT` checks them; its exit code is the
# script's (2: a program could not be made or run).
# Usage: coverage_gap.sh TSP EXCLUSIONS DIR UNIT INSTRUCTIONS "SEEDS" GEN...
set -u
tsp=$1 exclusions=$2 dir=$3 unit=$4 instructions=$5 seeds=$6
shift 6
rm -rf "$dir" && mkdir -p "$dir" || exit 2
for s in $seeds; do
  "$@" "$s" "$instructions" "$dir/seed_$s.img" || exit 2
  "$tsp" run "$dir/seed_$s.img" -q --coverage "$dir/seed_$s.json" || exit 2
done
exec "$tsp" coverage "$dir" --exclusions "$exclusions" --require-all --units "$unit"
