#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the release preset and
# runs every test with ctest. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
ctest --preset release -j "$(nproc)"
