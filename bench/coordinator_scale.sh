#!/usr/bin/env bash
# How the search coordinator scales (docs/benchmarks.md): parallel efficiency at 2 to 64
# workers for candidates that sleep 1 s (20 per worker, asynchronous mode, random
# strategy: every worker busy, no repeated recipes), then 10,000 one-second candidates on
# 16 workers (the ideal is 625 s). Ranks sleep, so this runs oversubscribed on a laptop.
#   bench/coordinator_scale.sh [ladder|ten-thousand|all]     (default: ladder)
# Prints one JSON line per run (bench/coordinator_overhead.cpp) with the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${LATHE_COORDINATOR_BENCH:-build/release/bench/lathe_coordinator_bench}
[[ -x "$bench" ]] || bash scripts/build.sh release
what=${1:-ladder}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() {  # ranks evaluations
  echo "# $(date -u +%FT%TZ) ranks $1, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np "$1" \
    "$bench" "$2" 0 asynchronous 1000 1000 random
}
if [[ "$what" == ladder || "$what" == all ]]; then
  for workers in 2 4 8 16 32 64; do run $((workers + 1)) $((20 * workers)); done
fi
if [[ "$what" == ten-thousand || "$what" == all ]]; then
  run 17 10000
fi
