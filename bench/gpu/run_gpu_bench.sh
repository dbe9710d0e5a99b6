#!/usr/bin/env bash
# Training and inference images/s of Lathe's CUDA backend on lenet5 and vgg_small,
# measured beside PyTorch on the same GPU in the same run, as a markdown table with the
# ratio Lathe / PyTorch (target >= 0.9, docs/benchmarks.md).
#
#   bench/gpu/run_gpu_bench.sh [--batch 128] [--seconds 5] [--deterministic]
#                              [--build build/release] [--python /usr/bin/python3]
#
# Needs, on the GPU machine (no network or apt needed there):
#   - a release build with the CUDA backend, made beforehand on that machine:
#       cmake --preset release -DLATHE_WITH_CUDA=ON && cmake --build --preset release
#     (the build's lathe_bench is bench/engine_throughput.cpp, run with
#     LATHE_BENCH_DEVICE=cuda);
#   - optionally a Python with a CUDA build of PyTorch (--python, default
#     /usr/bin/python3). Without one, Lathe's figures are recorded alone and the table
#     says so.
# Writes out/bench/gpu/{lathe.json,torch.jsonl,table.md} and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
batch=128 seconds=5 deterministic=0 build=build/release python=/usr/bin/python3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --batch) batch="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --deterministic) deterministic=1; shift ;;
    --build) build="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    *) echo "run_gpu_bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bench="$build/bench/lathe_bench"
if [[ ! -x "$bench" ]]; then
  echo "run_gpu_bench.sh: $bench not found: build with -DLATHE_WITH_CUDA=ON first (see the header)" >&2
  exit 2
fi
out=out/bench/gpu
mkdir -p "$out"
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

LATHE_BENCH_DEVICE=cuda LATHE_BENCH_BATCH=$batch LATHE_BENCH_DETERMINISTIC=$deterministic \
  "$bench" --benchmark_format=json --benchmark_min_time="$seconds" > "$out/lathe.json"

: > "$out/torch.jsonl"
if "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2> /dev/null; then
  peer_flags=(--device cuda --batch "$batch" --seconds "$seconds")
  [[ $deterministic == 1 ]] && peer_flags+=(--deterministic)
  "$python" bench/torch_peer.py "${peer_flags[@]}" > "$out/torch.jsonl"
else
  echo "run_gpu_bench.sh: $python has no PyTorch that sees a GPU: recording Lathe alone" >&2
fi
"$python" bench/gpu/gpu_table.py "$out/lathe.json" "$out/torch.jsonl" | tee "$out/table.md"
