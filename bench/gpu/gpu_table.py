#!/usr/bin/python3
"""The markdown table of one bench/gpu/run_gpu_bench.sh run: Lathe's images/s beside
PyTorch's, with the ratio Lathe / PyTorch (target >= 0.9, docs/benchmarks.md).

usage: gpu_table.py LATHE.json [TORCH.jsonl]
With no TORCH.jsonl (or an empty one: PyTorch missing on the machine), Lathe's figures
alone, and a line saying so.
"""
import json
import os
import sys

TARGET = 0.9


def lathe_figures(path):
    report = json.load(open(path))
    figures = {}
    for bench in report["benchmarks"]:
        phase, model = bench["name"].split("/")[0], bench["name"].split("/")[1]
        figures[(model, "train" if phase == "train_step" else "infer")] = bench["items_per_second"]
    return figures, report.get("context", {})


def torch_figures(path):
    figures, about = {}, {}
    if path and os.path.exists(path):
        for line in open(path):
            if line.strip():
                record = json.loads(line)
                figures[(record["model"], record["phase"])] = record["images_per_s"]
                about = record
    return figures, about


def main():
    ours, _ = lathe_figures(sys.argv[1])
    peer, about = torch_figures(sys.argv[2] if len(sys.argv) > 2 else None)
    if peer:
        print(f"GPU: {about.get('gpu', '?')}; PyTorch {about.get('torch', '?')}, "
              f"batch {about.get('batch', '?')}\n")
        print("| model | phase | Lathe img/s | PyTorch img/s | Lathe / PyTorch | target >= 0.9 |")
        print("|---|---|---|---|---|---|")
    else:
        print("PyTorch was not measured (not installed, or it sees no GPU): Lathe alone.\n")
        print("| model | phase | Lathe img/s |")
        print("|---|---|---|")
    for key in sorted(ours):
        mine = ours[key]
        if not peer:
            print(f"| {key[0]} | {key[1]} | {mine:,.0f} |")
            continue
        theirs = peer.get(key)
        if theirs:
            ratio = mine / theirs
            verdict = "met" if ratio >= TARGET else "missed"
            print(f"| {key[0]} | {key[1]} | {mine:,.0f} | {theirs:,.0f} | **{ratio:.2f}** | {verdict} |")
        else:
            print(f"| {key[0]} | {key[1]} | {mine:,.0f} | n/a | n/a | |")


if __name__ == "__main__":
    main()
