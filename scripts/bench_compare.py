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
# Lathe's int8 variants with no PyTorch peer of their own are set beside PyTorch's 8-bit
# int8 model (4-bit weights; 8-bit weights with 7-bit activations).
PEER_PHASE = {"infer_int8_w4": "infer_int8", "infer_int8_a7": "infer_int8"}


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


def int8_path(benchmark):
    """How a Lathe int8 row ran: on integer kernels, or (some layers) simulated, and why."""
    label = benchmark.get("label", "")
    layers = int(benchmark.get("integer_layers", 0))
    if " simulated " in label:
        why = label.split(" simulated ", 1)[1].split(" simulated ")[0]
        why = why if len(why) <= 100 else why[:97] + "..."
        if layers == 0:
            return f"simulated (fake quantisers, float kernels): {why}"
        return f"{layers} layers on integer kernels, others simulated: {why}"
    return f"integer kernels, {layers} layers" if layers else ""


def lathe_figures(path):
    figures, notes = {}, {}
    for b in json.load(open(path))["benchmarks"]:
        phase, model = b["name"].split("/")[0], b["name"].split("/")[1]
        key = (model, PHASES.get(phase, phase))
        figures[key] = b["items_per_second"]
        if phase.startswith("infer_int8"):
            notes[key] = int8_path(b)
    return figures, notes


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
        ours, notes = lathe_figures(os.path.join(out_dir, f"lathe_t{threads}.json"))
        peer, version, engines = torch_figures(os.path.join(out_dir, f"torch_t{threads}.jsonl"))
        for key in sorted(set(ours) | set(peer)):
            theirs = peer.get((key[0], PEER_PHASE.get(key[1], key[1])))
            rows.append((key[0], key[1], threads, ours.get(key), theirs, notes.get(key, "")))
    if engines:
        print("PyTorch int8: FX graph-mode PTQ on the "
              + ", ".join(f"{m}: {e}" for m, e in sorted(engines.items())) + " engine")
    print()
    print(f"| model | phase | threads | Lathe img/s | PyTorch {version} img/s | ratio | Lathe's int8 path |")
    print("|---|---|---|---|---|---|---|")
    for model, phase, threads, mine, theirs, note in sorted(rows):
        mine_text = f"{mine:,.0f}" if mine else "not measured"
        theirs_text = f"{theirs:,.0f}" if theirs else "not measured"
        ratio = f"{mine / theirs:.2f}" if mine and theirs else "n/a"
        print(f"| {model} | {phase} | {threads} | {mine_text} | {theirs_text} | {ratio} | {note} |")


if __name__ == "__main__":
    main()
