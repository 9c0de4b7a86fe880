#!/usr/bin/env python3
"""PyTorch side of `opacity bench --vs-pytorch`: the anchor workloads (same names, shapes and models as
the engine runs), timed the same way (2 warm-ups, median of N repetitions). Prints one JSON object per
line: {"name", "median_ms", "reps", "peak_rss_mib"}. Run with Debian's /usr/bin/python3 (python3-torch).
With --device cuda[:N] (`opacity bench --device cuda --vs-pytorch` on a GPU machine) the tensors and
models live on that GPU, TF32 is off (our kernels and cuBLAS calls compute in FP32) and each timed run
ends with torch.cuda.synchronize(), as ours ends with a stream synchronisation.

usage: anchor_workloads.py [--threads 2] [--reps 7] [--only NAME] [--device cpu|cuda[:N]]
"""
import argparse, json, resource, statistics, time
import torch, torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--reps", type=int, default=7)
p.add_argument("--only", default=None)
p.add_argument("--device", default="cpu")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
dev = torch.device(args.device)
if dev.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def report(name, fn):
    if args.only and args.only != name:
        return
    for _ in range(2):
        fn(); sync()
    times = []
    for _ in range(args.reps):
        t = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"name": name, "median_ms": statistics.median(times) * 1e3, "reps": args.reps, "peak_rss_mib": rss}), flush=True)


def sgemm():
    a, b = torch.randn(1024, 1024, device=dev), torch.randn(1024, 1024, device=dev)
    return lambda: a @ b


def conv_fwd():
    x, conv = torch.randn(8, 64, 128, 128, device=dev), nn.Conv2d(64, 64, 3, padding=1).to(dev)
    def run():
        with torch.no_grad():
            conv(x)
    return run


def conv_fwdbwd():
    x, conv = torch.randn(8, 64, 128, 128, device=dev, requires_grad=True), nn.Conv2d(64, 64, 3, padding=1).to(dev)
    def run():
        conv.zero_grad(); x.grad = None
        conv(x).sum().backward()
    return run


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.b = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(True),
                               nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))
    def forward(self, x):
        return x + self.b(x)


def generator(ngf=32, blocks=6):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(1, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
    c = ngf
    for _ in range(2):
        layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), nn.InstanceNorm2d(2 * c), nn.ReLU(True)]; c *= 2
    layers += [ResBlock(c) for _ in range(blocks)]
    for _ in range(2):
        layers += [nn.ConvTranspose2d(c, c // 2, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(c // 2), nn.ReLU(True)]; c //= 2
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(c, 2, 7)]  # content + mask logits
    return nn.Sequential(*layers)


def patch_gan(ndf=32):
    return nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), nn.InstanceNorm2d(2 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), nn.InstanceNorm2d(4 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), nn.InstanceNorm2d(8 * ndf), nn.LeakyReLU(0.2, True),
        nn.Conv2d(8 * ndf, 1, 4, 1, 1))


def gan_step():
    G, D = generator().to(dev), patch_gan().to(dev)
    oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    xa, xb = torch.randn(1, 1, 128, 128, device=dev), torch.randn(1, 1, 128, 128, device=dev)
    def run():
        out = G(xa)
        content, mask = torch.tanh(out[:, :1]), torch.sigmoid(out[:, 1:])
        fake = mask * content + (1 - mask) * xa
        oG.zero_grad()
        (((D(fake) - 1) ** 2).mean() + (fake - xa).abs().mean() * 10).backward()
        oG.step()
        oD.zero_grad()
        (((D(xb) - 1) ** 2).mean() + (D(fake.detach()) ** 2).mean()).backward()
        oD.step()
    return run


def translate():
    G = generator(ngf=64, blocks=9).eval().to(dev)
    x = torch.randn(1, 1, 256, 256, device=dev)
    def run():
        with torch.no_grad():
            out = G(x)
            content, mask = torch.tanh(out[:, :1]), torch.sigmoid(out[:, 1:])
            return mask * content + (1 - mask) * x
    return run


for name, make in [("sgemm_1024", sgemm), ("conv3x3_fwd_8x64x128", conv_fwd),
                   ("conv3x3_fwdbwd_8x64x128", conv_fwdbwd), ("gan_step_resnet6_ngf32_128px", gan_step),
                   ("translate_resnet9_ngf64_256px", translate)]:
    if args.only and args.only != name:
        continue
    report(name, make())
