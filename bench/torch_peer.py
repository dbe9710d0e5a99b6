#!/usr/bin/python3
"""PyTorch's training and inference images/s on Lathe's two benchmark models, LeNet-5 and
vgg_small (configs/models/*.yaml, built here layer for layer), on Fashion-MNIST-shaped
input: the peer that scripts/bench.sh (CPU) and bench/gpu/run_gpu_bench.sh (GPU) measure
beside `lathe_bench`.

The same work per iteration as bench/engine_throughput.cpp: training is one SGD step
(momentum 0.9, no weight decay: forward, cross-entropy, backward, update), inference one
forward under no_grad in eval mode. On a GPU every iteration ends with
torch.cuda.synchronize(), as Lathe's iterations end with Backend::synchronize(), so
queued work is never counted as done. cudnn.benchmark is on unless --deterministic
(then cudnn.deterministic, as Lathe's LATHE_BENCH_DETERMINISTIC=1).

  /usr/bin/python3 bench/torch_peer.py [--device cuda|cpu] [--batch 128] [--seconds 5]
      [--threads 2] [--deterministic] [--int8]

--int8 (CPU) adds phase "infer_int8": each model quantised to 8 bits by FX graph-mode
post-training quantisation (per-channel weights, calibrated on 8 random batches), on the
quantised engine this build has, preferring 'x86', then 'onednn', then 'fbgemm' (Debian's
1.13 has onednn); the engine is in the JSON line.

Prints one JSON line per model and phase:
  {"model": "lenet5", "phase": "train", "images_per_s": ..., "batch": 128,
   "device": "cuda", "gpu": "NVIDIA H100 ...", "torch": "2.x"}
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def vgg_small():
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2),
                         *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
                         *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, 10))


def int8_engine():
    for engine in ("x86", "onednn", "fbgemm"):
        if engine in torch.backends.quantized.supported_engines:
            return engine
    raise SystemExit("torch_peer.py: this PyTorch has no x86/onednn/fbgemm quantised engine "
                     f"(it has {torch.backends.quantized.supported_engines})")


def quantise_int8(model, x, engine):
    """FX graph-mode PTQ: conv + batchnorm + ReLU fused, int8 kernels from `engine`."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    model.eval()
    prepared = prepare_fx(model, get_default_qconfig_mapping(engine), example_inputs=(x,))
    with torch.no_grad():
        for _ in range(8):
            prepared(torch.randn_like(x))
    return convert_fx(prepared)


def measure(step, batch, seconds, sync):
    for _ in range(10):  # warm-up: cuDNN's algorithm search, allocator, clocks
        step()
        sync()
    images, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        sync()
        images += batch
    return images / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (device cpu)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--int8", action="store_true", help="also int8 inference (CPU)")
    args = parser.parse_args()
    if args.int8 and args.device != "cpu":
        raise SystemExit("torch_peer.py: --int8 is for --device cpu")

    device = torch.device(args.device)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("torch_peer.py: this PyTorch sees no GPU "
                             f"(torch {torch.__version__}, CUDA build {torch.version.cuda})")
        torch.backends.cudnn.benchmark = not args.deterministic
        torch.backends.cudnn.deterministic = args.deterministic
        # Full float32 math, as Lathe's backend: no TF32 in convolutions or matmuls.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        sync = torch.cuda.synchronize
        gpu = torch.cuda.get_device_name(device)
    else:
        torch.set_num_threads(args.threads)
        sync = lambda: None  # noqa: E731
        gpu = ""
    torch.manual_seed(0)
    x = torch.randn(args.batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    for name, make in (("lenet5", lenet5), ("vgg_small", vgg_small)):
        model = make().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def train_step():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            optimizer.step()

        model.train()
        train = measure(train_step, args.batch, args.seconds, sync)
        model.eval()
        with torch.no_grad():
            infer = measure(lambda: model(x), args.batch, args.seconds, sync)
        phases = [("train", train, ""), ("infer", infer, "")]
        if args.int8:
            engine = int8_engine()
            quantised = quantise_int8(model, x, engine)
            with torch.no_grad():
                phases.append(("infer_int8", measure(lambda: quantised(x), args.batch,
                                                     args.seconds, sync), engine))
        for phase, value, engine in phases:
            print(json.dumps({"model": name, "phase": phase, "images_per_s": round(value, 1),
                              "batch": args.batch, "threads": args.threads,
                              "device": args.device, "gpu": gpu,
                              "deterministic": args.deterministic, "int8_engine": engine,
                              "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
