#!/usr/bin/env bash
# Configures and builds Lathe with a CMake preset (default: release) into build/<preset>.
#   scripts/build.sh [release|debug|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
