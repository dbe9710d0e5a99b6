#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, trains the LeNet-5 base
# model on Fashion-MNIST, and evaluates it on the test set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
lathe=build/release/launch/lathe
"$lathe" train configs/train/lenet5.yaml
"$lathe" evaluate out/lenet5.h5
