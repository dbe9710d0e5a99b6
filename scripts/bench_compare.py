#!/usr/bin/python3
"""Prints Lathe's images/s beside PyTorch's from one bench.sh run, with the ratios, for
each thread count, after the machine's CPU model and instruction sets.

usage: bench_compare.py OUT_DIR THREADS...
reads OUT_DIR/lathe_t<N>.json (lathe_bench --benchmark_format=json) and
OUT_DIR/torch_t<N>.jsonl (bench/torch_peer.py) for each thread count N.
"""
import json
import os
import sys

# The instruction sets that decide which kernels oneDNN and OpenBLAS run.
FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8",
         "amx_bf16")
PHASES = {"train_step": "train", "infer": "infer", "infer_int8": "infer_int8"}


def cpu_line():
    model, flags = "unknown CPU", set()
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    present = [f for f in FLAGS if f in flags]
    return f"CPU: {model}, {os.cpu_count()} cores; instruction sets: {', '.join(present) or 'none of ' + ', '.join(FLAGS)}"


def lathe_figures(path):
    figures = {}
    for b in json.load(open(path))["benchmarks"]:
        phase, model = b["name"].split("/")[0], b["name"].split("/")[1]
        figures[(model, PHASES.get(phase, phase))] = b["items_per_second"]
    return figures


def torch_figures(path):
    figures, version, engines = {}, "?", {}
    for line in open(path):
        r = json.loads(line)
        figures[(r["model"], r["phase"])] = r["images_per_s"]
        version = r["torch"]
        if r.get("int8_engine"):
            engines[r["model"]] = r["int8_engine"]
    return figures, version, engines


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out_dir, thread_counts = sys.argv[1], sys.argv[2:]
    print(cpu_line())
    rows, version, engines = [], "?", {}
    for threads in thread_counts:
        ours = lathe_figures(os.path.join(out_dir, f"lathe_t{threads}.json"))
        peer, version, engines = torch_figures(os.path.join(out_dir, f"torch_t{threads}.jsonl"))
        for key in sorted(set(ours) | set(peer)):
            rows.append((key[0], key[1], threads, ours.get(key), peer.get(key)))
    if engines:
        print("PyTorch int8: FX graph-mode PTQ on the "
              + ", ".join(f"{m}: {e}" for m, e in sorted(engines.items())) + " engine")
    print()
    print(f"| model | phase | threads | Lathe img/s | PyTorch {version} img/s | ratio |")
    print("|---|---|---|---|---|---|")
    for model, phase, threads, mine, theirs in sorted(rows):
        mine_text = f"{mine:,.0f}" if mine else "not measured"
        theirs_text = f"{theirs:,.0f}" if theirs else "not measured"
        ratio = f"{mine / theirs:.2f}" if mine and theirs else "n/a"
        print(f"| {model} | {phase} | {threads} | {mine_text} | {theirs_text} | {ratio} |")


if __name__ == "__main__":
    main()
