#!/usr/bin/python3
"""Prints Lathe's images/s beside PyTorch's from one bench.sh run, with the ratios.

usage: bench_compare.py LATHE.json TORCH.jsonl
"""
import json
import sys


def main():
    lathe = json.load(open(sys.argv[1]))
    ours = {}
    for b in lathe["benchmarks"]:
        phase, model = b["name"].split("/")[0], b["name"].split("/")[1]
        ours[(model, "train" if phase == "train_step" else "infer")] = b["items_per_second"]
    torch = {}
    for line in open(sys.argv[2]):
        r = json.loads(line)
        torch[(r["model"], r["phase"])] = r["images_per_s"]
        version = r["torch"]
    print(f"| model | phase | Lathe img/s | PyTorch {version} img/s | ratio |")
    print("|---|---|---|---|---|")
    for key in sorted(ours):
        mine, peer = ours[key], torch.get(key)
        ratio = f"{mine / peer:.2f}" if peer else "n/a"
        print(f"| {key[0]} | {key[1]} | {mine:,.0f} | {peer:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
