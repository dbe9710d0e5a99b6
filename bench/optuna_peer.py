#!/usr/bin/env python3
"""Optuna 3.1's NSGA-II driving Lathe's evaluator over an experiment's space, for the
hypervolume comparison of bench/compare_with_optuna.sh.

Each trial is one `lathe search EXPERIMENT --point JSON --id N`: the same recipe space,
the same evaluator and the same per-candidate seed (from the experiment seed and the id)
as `lathe search`. Optuna gets the experiment's constraints as its constraints_func (the
violation the way Lathe measures it), its objectives with their directions and the same
population size. Writes one JSON line per trial to --out.

usage: optuna_peer.py EXPERIMENT.yaml --trials 60 --population 12 --seed 1 --jobs 2 \
           --lathe build/release/launch/lathe --out optuna_trials.jsonl
"""
import argparse
import json
import subprocess
import sys
import threading

import optuna


def lathe_json(lathe, *arguments):
    done = subprocess.run([lathe, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"optuna_peer: {' '.join(arguments[:3])} failed: {done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def suggest(trial, dimension):
    name, kind = dimension["name"], dimension["kind"]
    if kind == "categorical":
        return trial.suggest_categorical(name, dimension["choices"])
    if kind == "integer":
        return trial.suggest_int(name, int(dimension["low"]), int(dimension["high"]))
    return trial.suggest_float(name, dimension["low"], dimension["high"], log=kind == "log_real")


def violation(record, base, constraints):
    """Lathe's measure: each limit's overshoot relative to the limit, accuracy in points."""
    m = record["metrics"]
    if m["status"] != "ok":
        return 1e6
    amount = 0.0
    drop_limit = constraints.get("max_accuracy_drop", -1.0)
    if drop_limit >= 0:
        amount += max(0.0, 100.0 * (base["validation_accuracy"] - m["validation_accuracy"] - drop_limit))
    size_limit = constraints.get("max_size_bytes", 0)
    if size_limit > 0:
        amount += max(0.0, m["size_bytes"] / size_limit - 1.0)
    if m["size_bytes"] >= base["size_bytes"]:
        amount += (m["size_bytes"] + 1.0) / base["size_bytes"] - 1.0
    return amount


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--population", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lathe", default="build/release/launch/lathe")
    parser.add_argument("--constraints", default="{}", help="the experiment's constraints as JSON")
    parser.add_argument("--objectives", default='[["size_bytes", "minimize"], ["validation_accuracy", "maximize"]]')
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    dimensions = lathe_json(args.lathe, "search", args.experiment, "--dimensions")
    constraints = json.loads(args.constraints)
    objectives = json.loads(args.objectives)
    lock = threading.Lock()
    out = open(args.out, "w")

    def objective(trial):
        point = {d["name"]: suggest(trial, d) for d in dimensions}
        answer = lathe_json(args.lathe, "search", args.experiment, "--point", json.dumps(point),
                            "--id", str(trial.number))
        record, base = answer["record"], answer["base"]
        trial.set_user_attr("constraint", [violation(record, base, constraints)])
        with lock:
            out.write(json.dumps({"trial": trial.number, "base": base, "record": record}) + "\n")
            out.flush()
        m = record["metrics"]
        if m["status"] != "ok":
            # The worst values: a failed candidate must not look good to the sampler.
            return tuple(float("inf") if goal == "minimize" else float("-inf") for _, goal in objectives)
        return tuple(float(m[name]) for name, _ in objectives)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=args.population, seed=args.seed,
                                            constraints_func=lambda t: t.user_attrs["constraint"])
    study = optuna.create_study(directions=[goal for _, goal in objectives], sampler=sampler)
    study.optimize(objective, n_trials=args.trials, n_jobs=args.jobs)
    out.close()


if __name__ == "__main__":
    main()
