#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, trains the LeNet-5 base
# model on Fashion-MNIST, evaluates it, then compresses it with the recipe that makes it
# over 20x smaller (prune half the filters and units, 4-bit QAT) and evaluates the
# compressed artifact as it loads from disk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
lathe=build/release/launch/lathe
"$lathe" train configs/train/lenet5.yaml
"$lathe" evaluate out/lenet5.h5
"$lathe" compress out/lenet5.h5 configs/recipes/lenet5_prune_q4.yaml -o out/lenet5_prune_q4.h5
"$lathe" evaluate out/lenet5_prune_q4.h5
