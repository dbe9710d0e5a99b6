#!/usr/bin/env bash
# Measures the CPU engine's training and inference images/s on lenet5 and vgg_small
# beside PyTorch (Debian's python3-torch) in the same run, and prints the ratios.
#   scripts/bench.sh [--threads 2] [--batch 128] [--seconds 5]
# Writes out/bench/lathe.json, out/bench/torch.jsonl and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=2 batch=128 seconds=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh --bench
bash scripts/build.sh release
mkdir -p out/bench
LATHE_BENCH_THREADS=$threads LATHE_BENCH_BATCH=$batch OMP_NUM_THREADS=$threads \
  build/release/bench/lathe_bench --benchmark_format=json --benchmark_min_time="$seconds" \
  > out/bench/lathe.json
/usr/bin/python3 bench/torch_peer.py --device cpu --threads "$threads" --batch "$batch" \
  --seconds "$seconds" > out/bench/torch.jsonl
/usr/bin/python3 scripts/bench_compare.py out/bench/lathe.json out/bench/torch.jsonl
