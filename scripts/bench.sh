#!/usr/bin/env bash
# Measures the CPU engine's training and inference images/s on lenet5 and vgg_small
# beside PyTorch (Debian's python3-torch, bench/torch_peer.py: float and FX int8) in the
# same run, at 1 and 2 threads, and prints the table with the ratios, the CPU model and
# its instruction sets. The int8 rows: Lathe's quantised artifacts on its integer path
# (infer_int8; infer_int8_w4 with 4-bit weights; infer_int8_a7 with 7-bit activations)
# beside PyTorch's FX int8 models (the variants beside its 8-bit one).
#   scripts/bench.sh [--threads "1 2"] [--batch 128] [--seconds 5] [--build DIR]
# --build DIR uses an already configured build tree (only lathe_bench is built there)
# instead of building the release preset. Writes out/bench/lathe_t<N>.json,
# out/bench/torch_t<N>.jsonl and out/bench/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="1 2" batch=128 seconds=5 build=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "bench.sh: unknown option $1 (expected --threads, --batch, --seconds, --build)" >&2
       exit 2 ;;
  esac
done
bash scripts/setup.sh --bench
if [[ -z "$build" ]]; then
  bash scripts/build.sh release
  build=build/release
else
  [[ -f "$build/CMakeCache.txt" ]] || { echo "bench.sh: $build is not a configured build tree" >&2; exit 2; }
  cmake --build "$build" --target lathe_bench -j "$(nproc)"
fi
mkdir -p out/bench
for n in $threads; do
  LATHE_BENCH_THREADS=$n LATHE_BENCH_BATCH=$batch OMP_NUM_THREADS=$n \
    "$build/bench/lathe_bench" --benchmark_format=json --benchmark_min_time="$seconds" \
    > "out/bench/lathe_t$n.json"
  /usr/bin/python3 bench/torch_peer.py --device cpu --threads "$n" --batch "$batch" \
    --seconds "$seconds" --int8 > "out/bench/torch_t$n.jsonl"
done
# shellcheck disable=SC2086  # one argument per thread count
/usr/bin/python3 scripts/bench_compare.py out/bench $threads | tee out/bench/table.md
