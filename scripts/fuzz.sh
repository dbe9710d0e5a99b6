#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang 14 with AddressSanitizer and
# UBSan) and runs each from its seed corpus (fuzz/corpus/<target>/ stays as it is). A
# crash, a hang (-timeout) or a runaway allocation (-malloc_limit_mb) is saved under
# build/fuzz/crashes/<target>/ and fails the script; once fixed, copy the input to
# fuzz/regressions/<target>/, where ctest's FuzzRegression tests read it on every run.
#   scripts/fuzz.sh                       the reproducible run (for CI): the same inputs every time
#   FUZZ_SECONDS=600 scripts/fuzz.sh      exploring: each target for that long, from its
#   FUZZ_SECONDS=600 scripts/fuzz.sh fuzz_idx fuzz_checkpoint   seeds and what earlier
#                                         explorations found (build/fuzz/corpus/<target>/)
# The CI run starts each target from its seeds alone, with a fixed -seed and a fixed
# number of inputs (-runs, below: about 30 s per target on one core of a loaded 2-core
# machine), so it executes the same inputs every time: it fails only when a change of
# the code makes a reader crash on one of them, and fails again on every rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  # All five, in CI too: fuzz_checkpoint's reproducible run, left out while it stopped at
  # finds inside libhdf5 (fuzz/unfixed/README.md, "Fixed since"), passes since the object
  # header walk (framework/io/object_header_walk.h).
  targets=(fuzz_config fuzz_recipe fuzz_idx fuzz_hdf5_data fuzz_checkpoint)
fi
# Inputs per target in the CI run (README, "Tests in CI", has the measured times).
declare -A ci_runs=([fuzz_config]=16000 [fuzz_recipe]=45000 [fuzz_idx]=2400
                    [fuzz_hdf5_data]=8000 [fuzz_checkpoint]=8000)
ci_seed=1

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  crashes="build/fuzz/crashes/$target"
  log="build/fuzz/$target.log"
  if [[ -n "${FUZZ_SECONDS:-}" ]]; then
    work="build/fuzz/corpus/$target"
    limits=(-max_total_time="$FUZZ_SECONDS")
    what="in ${FUZZ_SECONDS} s"
  else
    # A fresh working folder: inputs earlier runs found would change what this one runs.
    work="build/fuzz/ci-corpus/$target"
    rm -rf "$work"
    limits=(-seed="$ci_seed" -runs="${ci_runs[$target]}")
    what="in ${ci_runs[$target]} inputs (-seed=$ci_seed)"
  fi
  mkdir -p "$work" "$crashes"
  # libhdf5 1.10 leaks on its error paths, and on a damaged file asks malloc for absurd
  # sizes and handles the NULL itself: for the HDF5 targets, leaks are not reported and
  # such a malloc returns NULL as it does outside ASan.
  options="detect_leaks=1"
  if [[ "$target" == fuzz_hdf5_data || "$target" == fuzz_checkpoint ]]; then
    options="detect_leaks=0:allocator_may_return_null=1"
  fi
  started=$SECONDS
  # New inputs go to the first folder (the working copy); the seeds are read from the second.
  # One allocation over 2 GiB is a runaway (-malloc_limit_mb: checked at the call, so the
  # same on every run); the process's whole memory (-rss_limit_mb, sampled once a second)
  # only stops a leak, with room above the 1.8 GiB that libhdf5 allocates for one damaged
  # string length (fuzz/unfixed/README.md, "Fixed since").
  if ASAN_OPTIONS="$options" build/fuzz/fuzz/"$target" "${limits[@]}" -timeout=30 -malloc_limit_mb=2048 -rss_limit_mb=4096 \
       -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "fuzz/corpus/$target" \
       >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz.sh: $target: no crash $what (${runs:-?} inputs, $((SECONDS - started)) s)"
  else
    echo "fuzz.sh: $target: FOUND A CRASH $what, input in $crashes/ (log: $log):" >&2
    grep -m 5 -E "ERROR|SUMMARY|terminate|uncaught" "$log" >&2 || tail -n 20 "$log" >&2
    status=1
  fi
done
exit "$status"
