#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang 14 with AddressSanitizer and
# UBSan) and runs each for a bounded time on a working copy of its seed corpus
# (fuzz/corpus/<target>/ stays as it is). A crash, a hang (-timeout) or a runaway
# allocation (-rss_limit_mb) is saved under build/fuzz/crashes/<target>/ and fails the
# script; once fixed, copy the input to fuzz/regressions/<target>/, where ctest's
# FuzzRegression test reads it on every run.
#   scripts/fuzz.sh                       every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh fuzz_idx fuzz_checkpoint
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(fuzz_config fuzz_recipe fuzz_idx fuzz_hdf5_data fuzz_checkpoint)
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  work="build/fuzz/corpus/$target"
  crashes="build/fuzz/crashes/$target"
  log="build/fuzz/$target.log"
  mkdir -p "$work" "$crashes"
  # libhdf5 1.10 leaks on its error paths, and on a damaged file asks malloc for absurd
  # sizes and handles the NULL itself: for the HDF5 targets, leaks are not reported and
  # such a malloc returns NULL as it does outside ASan.
  options="detect_leaks=1"
  if [[ "$target" == fuzz_hdf5_data || "$target" == fuzz_checkpoint ]]; then
    options="detect_leaks=0:allocator_may_return_null=1"
  fi
  # New inputs go to the first folder (the working copy); the seeds are read from the second.
  if ASAN_OPTIONS="$options" build/fuzz/fuzz/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz.sh: $target: no crash in ${seconds} s (${runs:-?} inputs)"
  else
    echo "fuzz.sh: $target: FOUND A CRASH, input in $crashes/ (log: $log):" >&2
    grep -m 5 -E "ERROR|SUMMARY|terminate|uncaught" "$log" >&2 || tail -n 20 "$log" >&2
    status=1
  fi
done
exit "$status"
