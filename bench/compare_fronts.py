#!/usr/bin/env python3
"""Hypervolume of Lathe's front and of Optuna's on the same experiment, at the same number
of evaluations: prints one markdown table row per tool and the ratio.

Objectives as the search sees them: stored size relative to the base (minimised) and
validation accuracy (maximised). Only feasible evaluations count (status ok, within the
accuracy limit, smaller than the base: Lathe's hard constraints, checked here the same
way for both tools). Reference point: the base's size and the lowest accuracy the limit
allows, so the hypervolume is the area a front claims inside the feasible box.

usage: compare_fronts.py LATHE_RESULTS.json OPTUNA_TRIALS.jsonl --max-drop 0.005
"""
import argparse
import json


def feasible_points(records, base, max_drop):
    points = []
    for r in records:
        m = r["metrics"]
        if m["status"] != "ok" or m["size_bytes"] >= base["size_bytes"]:
            continue
        if base["validation_accuracy"] - m["validation_accuracy"] > max_drop:
            continue
        points.append((m["size_bytes"] / base["size_bytes"], m["validation_accuracy"]))
    return points


def hypervolume(points, reference_size, reference_accuracy):
    """Area dominated by `points` (size minimised, accuracy maximised) up to the reference."""
    front = []
    for size, accuracy in sorted(points, key=lambda p: (p[0], -p[1])):
        if size < reference_size and accuracy > reference_accuracy and (not front or accuracy > front[-1][1]):
            front.append((size, accuracy))
    area = 0.0
    for i, (size, accuracy) in enumerate(front):
        next_size = front[i + 1][0] if i + 1 < len(front) else reference_size
        area += (next_size - size) * (accuracy - reference_accuracy)
    return area, front


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lathe_results")
    parser.add_argument("optuna_trials")
    parser.add_argument("--max-drop", type=float, required=True)
    args = parser.parse_args()
    lathe = json.load(open(args.lathe_results))
    base = lathe["base"]
    optuna = [json.loads(line) for line in open(args.optuna_trials) if line.strip()]
    reference_accuracy = base["validation_accuracy"] - args.max_drop
    rows = []
    for tool, records in (("Lathe (nsga2)", lathe["evaluations"]), ("Optuna 3.1 NSGAIISampler", [t["record"] for t in optuna])):
        points = feasible_points(records, base, args.max_drop)
        volume, front = hypervolume(points, 1.0, reference_accuracy)
        smallest = min((p[0] for p in points), default=float("nan"))
        rows.append((tool, len(records), len(points), len(front), volume, 1.0 / smallest if points else float("nan")))
    print("| tool | evaluations | feasible | front | hypervolume | best compression within the limit |")
    print("|---|---|---|---|---|---|")
    for tool, evaluations, feasible, front, volume, best in rows:
        print(f"| {tool} | {evaluations} | {feasible} | {front} | {volume:.6f} | {best:.1f}x |")
    if rows[1][4] > 0:
        print(f"\nhypervolume ratio Lathe / Optuna: {rows[0][4] / rows[1][4]:.3f}")


if __name__ == "__main__":
    main()
