#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the release preset and
# runs every test with ctest. .ci/run calls exactly this, with CI=true. LATHE_SANITIZERS=1
# adds two stages (README, "Tests in CI", has the measured figures and the reasons; CI does
# not set it yet: the fuzz stage finds a crash inside libhdf5, fuzz/unfixed/, and the asan
# stage has not run over the oneDNN engine):
#  1. every fuzz target for FUZZ_SECONDS (CI: 20) from its seeds (scripts/fuzz.sh):
#     measured 4 min 56 s of CPU to build the fuzz preset (about 2.5 min on 2 cores) and
#     1 min 20 s to run; a crash fails CI, and its input, once fixed, goes to
#     fuzz/regressions/;
#  2. the asan preset (ASan + UBSan) built for `lathe` and the unit-test binary (35 CPU
#     minutes, about 18 min on 2 cores), and the suite run under it (about 5 min 40 s,
#     against 3 min 19 s in release) but for the labels mpi, slurm, onnx and layering
#     (the test preset's filter): those start mpirun, SLURM daemons, PyTorch and Node, or
#     compile files, and check those more than Lathe's memory use.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
ctest --preset release -j "$(nproc)"

if [[ "${LATHE_SANITIZERS:-}" == "1" ]]; then
  # A fuzzer's crash fails the run, after the asan stage has run too.
  fuzz_status=0
  FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash scripts/fuzz.sh || fuzz_status=$?
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$(nproc)" --target lathe lathe_tests
  ctest --preset asan -j "$(nproc)"
  exit "$fuzz_status"
fi
