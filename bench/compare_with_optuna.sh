#!/usr/bin/env bash
# Lathe's NSGA-II against Optuna 3.1's (Debian's python3-optuna) on one experiment, at the
# same number of evaluations, both driving the same evaluator with the same candidate
# seeds: runs `lathe search` under mpirun (2 workers), then bench/optuna_peer.py (2 trials
# at a time), then prints the hypervolume table (bench/compare_fronts.py).
#   bench/compare_with_optuna.sh [EXPERIMENT.yaml] [MAX_ACCURACY_DROP]
set -euo pipefail
cd "$(dirname "$0")/.."
experiment="${1:-configs/experiments/lenet5_joint.yaml}"
max_drop="${2:-0.005}"
lathe=build/release/launch/lathe
work=out/bench/optuna
bash scripts/setup.sh --bench >/dev/null
dpkg-query -W -f='${Status}' python3-optuna 2>/dev/null | grep -q "install ok installed" ||
  apt-get install -y -qq python3-optuna >/dev/null
[[ -x "$lathe" ]] || bash scripts/build.sh release
mkdir -p "$work"
trials=$(sed -n 's/^budget: {evaluations: \([0-9]*\).*/\1/p' "$experiment")
population=$(sed -n 's/^strategy: {name: nsga2, population: \([0-9]*\)}.*/\1/p' "$experiment")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np 3 \
  "$lathe" search "$experiment" --output "$work/lathe"
"$lathe" results "$work/lathe" --json > "$work/lathe.json"
/usr/bin/python3 bench/optuna_peer.py "$experiment" --trials "$trials" --population "$population" \
  --jobs 2 --lathe "$lathe" --constraints "{\"max_accuracy_drop\": $max_drop}" --out "$work/optuna.jsonl"
/usr/bin/python3 bench/compare_fronts.py "$work/lathe.json" "$work/optuna.jsonl" --max-drop "$max_drop"
