#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the release preset and
# runs every test with ctest. .ci/run calls exactly this, with CI=true. Two more stages
# (README, "Tests in CI", has their measured times):
#  1. fuzz: every fuzz target from its seeds, reproducibly (scripts/fuzz.sh: a fixed -seed
#     and a fixed number of inputs per target, so it runs the same inputs every time); a
#     crash fails the run, and its input, once fixed, goes to fuzz/regressions/, which
#     ctest reads. Runs in CI (CI=true) and with LATHE_SANITIZERS=1.
#  2. asan: the asan preset (ASan + UBSan) built for `lathe` and the unit-test binary,
#     and the suite run under it but for the labels mpi, slurm, onnx and layering (the
#     test preset's filter): those start mpirun, SLURM daemons, PyTorch and Node, or
#     compile files, and check those more than Lathe's memory use. Runs in CI (CI=true)
#     and with LATHE_SANITIZERS=1.
# LATHE_SANITIZERS=0 skips both, in CI too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
ctest --preset release -j "$(nproc)"

sanitizers="${LATHE_SANITIZERS:-}"
[[ "$sanitizers" == "0" ]] && exit 0
# A fuzzer's crash fails the run, after the asan stage has run too.
[[ "$sanitizers" == "1" || "${CI:-}" == "true" ]] || exit 0
fuzz_status=0
bash scripts/fuzz.sh || fuzz_status=$?
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)" --target lathe lathe_tests
ctest --preset asan -j "$(nproc)"
exit "$fuzz_status"
