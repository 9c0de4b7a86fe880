#!/usr/bin/env python3
"""PyTorch's side of `opacity selftest --device cuda`'s kernel timings, for a lent GPU machine.

The same 13 cases as src/Apps/SelfTest/KernelTimings.cs, with the same sizes (n = 2^22 floats,
256 x 256 planes, a 2048^3 matmul, a 3x3 64-channel convolution on 64 x 64) and the same work
counts (bytes a kernel must read and write, or 2 flops per multiply-add), so the two tables divide
row by row. Float32 throughout with TF32 off on both sides (our kernels and cuBLAS call compute in
plain FP32). Each case, as in KernelTimings: one warm-up, then K launches timed by the wall clock
from a synchronised start to one synchronisation after them (host overhead included on both sides).

Usage: python3 bench/scripts/torch_cuda_kernels.py [--launches K] [--json FILE]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--launches", type=int, default=20)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("torch_cuda_kernels.py: no CUDA device visible to PyTorch.")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    dev = torch.device("cuda")
    n, hw, mm = 1 << 22, 256, 2048
    b = 4.0 * n
    g = torch.Generator(device=dev).manual_seed(5)

    def vec(k):
        return torch.randn(k, device=dev, generator=g)

    planes = lambda: vec(n).reshape(n // (hw * hw), 1, hw, hw)
    cases = [
        ("copy d2d", lambda: [vec(n)], lambda t: t[0].clone(), 2 * b, "GB/s"),
        ("add", lambda: [vec(n), vec(n)], lambda t: t[0] + t[1], 3 * b, "GB/s"),
        ("add broadcast", lambda: [vec(n), vec(1)], lambda t: t[0] + t[1], 2 * b, "GB/s"),
        ("exp", lambda: [vec(n)], lambda t: torch.exp(t[0]), 2 * b, "GB/s"),
        ("relu", lambda: [vec(n)], lambda t: torch.relu(t[0]), 2 * b, "GB/s"),
        ("sum rows", lambda: [vec(n).reshape(n // 256, 256)], lambda t: t[0].sum(1), b, "GB/s"),
        ("softmax", lambda: [vec(n).reshape(n // 64, 64)], lambda t: torch.softmax(t[0], 1), 2 * b, "GB/s"),
        ("instance norm", lambda: [planes()], lambda t: F.instance_norm(t[0]), 3 * b, "GB/s"),
        ("reflection pad 3", lambda: [planes()], lambda t: F.pad(t[0], (3, 3, 3, 3), mode="reflect"), 2 * b, "GB/s"),
        ("upsample bilinear x2", lambda: [vec(n // 4).reshape(n // (hw * hw), 1, hw // 2, hw // 2)],
         lambda t: F.interpolate(t[0], size=(hw, hw), mode="bilinear", align_corners=False), 1.25 * b, "GB/s"),
        ("avg pool 2", lambda: [planes()], lambda t: F.avg_pool2d(t[0], 2), 1.25 * b, "GB/s"),
        (f"matmul {mm}^3", lambda: [vec(mm * mm).reshape(mm, mm), vec(mm * mm).reshape(mm, mm)],
         lambda t: t[0] @ t[1], 2.0 * mm ** 3, "GFLOP/s"),
        ("conv 3x3 64ch", lambda: [vec(64 * 64 * 64).reshape(1, 64, 64, 64), vec(64 * 64 * 9).reshape(64, 64, 3, 3)],
         lambda t: F.conv2d(t[0], t[1], padding=1), 2.0 * 64 * 64 * 9 * 64 * 64, "GFLOP/s"),
    ]
    rows = []
    with torch.no_grad():
        for name, make, run, work, unit in cases:
            t = make()
            run(t)
            torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(args.launches):
                run(t)
            torch.cuda.synchronize()
            ms = (time.perf_counter() - start) * 1e3 / args.launches
            rows.append({"name": name, "ms": ms, "rate": work / (ms * 1e6), "unit": unit})
    print(f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}, "
          f"{args.launches} launches per case, TF32 off")
    print(f"{'case':24s} {'ms':>10s} {'rate':>10s}")
    for r in rows:
        print(f"{r['name']:24s} {r['ms']:10.4f} {r['rate']:10.1f} {r['unit']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
