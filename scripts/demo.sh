#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, trains the LeNet-5 base
# model on Fashion-MNIST, evaluates it, then compresses it with the recipe that makes it
# over 20x smaller (prune half the filters and units, 4-bit QAT) and evaluates the
# compressed artifact as it loads from disk; ends with a real search under mpirun (3 ranks)
# and prints where its report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
lathe=build/release/launch/lathe
"$lathe" train configs/train/lenet5.yaml
"$lathe" evaluate out/lenet5.h5
"$lathe" compress out/lenet5.h5 configs/recipes/lenet5_prune_q4.yaml -o out/lenet5_prune_q4.h5
"$lathe" evaluate out/lenet5_prune_q4.h5
# The search: NSGA-II over pruning ratios, weight bits and the fine-tune's learning rate,
# 8 evaluations under mpirun with 3 ranks (rank 0 coordinates, two workers), a few minutes
# on 2 cores. Rerunning continues (here: finds it finished); the report is one HTML file.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np 3 \
  "$lathe" search configs/experiments/lenet5_demo.yaml
"$lathe" results out/search/lenet5_demo --csv > out/search/lenet5_demo/results.csv
echo "every evaluation: $(pwd)/out/search/lenet5_demo/results.csv"
echo "report: $(pwd)/out/search/lenet5_demo/report.html"
