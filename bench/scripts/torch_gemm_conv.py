"""PyTorch side of the same-run GEMM/conv comparison (run with /usr/bin/python3: Debian python3-torch 1.13).
2 threads, 2 warm-ups, median of 7; prints name, median ms, GFLOP/s (the format of QuickAnchors.cs)."""
import statistics, time, torch, torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)

def row(name, fn, flops):
    for _ in range(2):
        fn()
    ts = []
    for _ in range(7):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    m = statistics.median(ts)
    print(f"{name} (torch)\t{m * 1e3:.2f} ms\t{flops / m / 1e9:.1f} GFLOP/s", flush=True)

a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
row("sgemm_1024", lambda: a @ b, 2 * 1024 ** 3)
x = torch.randn(8, 64, 128, 128, requires_grad=True)
conv = nn.Conv2d(64, 64, 3, padding=1)
fl = 2 * 8 * 64 * 64 * 9 * 128 * 128
with torch.no_grad():
    row("conv3x3_fwd_8x64x128", lambda: conv(x), fl)
def fwdbwd():
    conv.zero_grad(); x.grad = None
    conv(x).sum().backward()
row("conv3x3_fwdbwd_8x64x128", fwdbwd, 3 * fl)
