#!/usr/bin/env bash
# The whole real-GPU check in one device call (GPU.md: one long call, not many short ones). Runs on
# the lent machine, in the repository root, over .gpu/opacity-gpu.tar.xz from scripts/publish-gpu.sh
# (self-contained: the machine has no .NET SDK). Writes at most 8 files under $OUT:
#   env.txt              nvidia-smi, driver, the CUDA libraries the loader sees
#   selftest.txt         `opacity selftest --device cuda` (cuDNN convolutions, then OPACITY_CUDNN=0: the hand kernels): every op vs the
#   selftest.json        CPU float64 reference, then the kernel timings; selftest-hand.json the hand-kernel run
#   checks.txt           the NUnit Cuda tests (tests/Opacity.Kernels.Tests, Opacity.Nn.Tests and Opacity.Gan.Tests, category
#                        Cuda: kernels, modules and Adam, training on the device) and a compute-sanitizer memcheck over a selftest
#   translate.txt        end to end: a small translator trained here on CPU, then `opacity translate` on cpu and on
#                        cuda over the same images, outputs compared pixel by pixel (16-bit PNGs)
#   torch.txt            bench/scripts/torch_cuda_kernels.py: PyTorch's time for each selftest timing row; then
#                        `opacity bench --device cuda --vs-pytorch`: the anchor workloads (GAN step, translate,
#                        conv, sgemm) in our engine and in PyTorch on the same GPU, and the per-op device time
#                        (`--profile`) of the GAN step and the conv forward+backward
#   bench.txt            the CUDA BenchmarkDotNet suite (--filter '*Cuda*' --job short --inProcess); OPACITY_BENCH_KERNELS=a,b
#                        (name prefixes) times only those kernel cases
#   demo.txt             GPU_CHECK_DEMO=1 only (last, it is the longest): `opacity demo --device cuda` at its defaults, its
#                        progress and the report (compare with a CPU demo of the same seed); demo-metrics.json beside it
# GPU_CHECK_TORCH=0 skips torch.txt, GPU_CHECK_HAND=0 the hand-convolution selftest, GPU_CHECK_BENCH=0 BenchmarkDotNet.
# Each step has its own timeout so that one hang leaves the rest; the whole takes ~3-4 min on an H200,
# ~1 min with GPU_CHECK_BENCH=0 (no BenchmarkDotNet suite).
# Usage (device tool): run carry=[".gpu"] command="bash scripts/gpu-check.sh" timeout_s=480
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${OUT:?gpu-check.sh: OUT is not set (run it through the device tool)}"
t0=$(date +%s)
stamp() { echo "[gpu-check t+$(( $(date +%s) - t0 ))s] $*"; }
bin=.gpu/bin
mkdir -p $bin && tar xJf .gpu/opacity-gpu.tar.xz -C $bin || { echo "gpu-check.sh: cannot unpack .gpu/opacity-gpu.tar.xz (run scripts/publish-gpu.sh)"; exit 1; }
stamp unpacked

{ nvidia-smi; nvidia-smi -L; uname -a; echo "cpus: $(nproc)"; ldconfig -p | grep -E 'libcuda\.|cublas|cudnn'
  ls -d /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib 2>/dev/null; command -v compute-sanitizer python3; } > $OUT/env.txt 2>&1

s=$OUT/selftest.txt
{ stamp selftest; timeout 80 $bin/opacity selftest --device cuda --json $OUT/selftest.json; echo "selftest rc=$?"
  if [[ "${GPU_CHECK_HAND:-1}" != "0" ]]; then
  stamp "selftest OPACITY_CUDNN=0"; OPACITY_CUDNN=0 timeout 60 $bin/opacity selftest --device cuda --json $OUT/selftest-hand.json
  echo "selftest hand conv rc=$?"; fi; } > $s 2>&1
stamp selftests done

c=$OUT/checks.txt
{ stamp "NUnit Cuda tests"; timeout 90 $bin/Opacity.Kernels.Tests --filter "TestCategory=Cuda" --no-ansi --no-progress --output Detailed
  echo "cuda tests rc=$?"
  for suite in Nn Gan; do
      stamp "NUnit Cuda tests, $suite"; timeout 120 $bin/Opacity.$suite.Tests --filter "TestCategory=Cuda" --no-ansi --no-progress --output Detailed
      echo "cuda tests $suite rc=$?"
  done
  stamp memcheck; sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
  timeout 100 $sanitizer --tool memcheck --error-exitcode 3 $bin/opacity selftest --device cuda --no-timing | tail -n 4
  echo "memcheck rc=${PIPESTATUS[0]}"; } > $c 2>&1
stamp checks done

x=$OUT/translate.txt
{ stamp synth; timeout 30 $bin/opacity synth --out /tmp/gc/syn --count 40 --size 64 --seed 9 > /dev/null; echo "synth rc=$?"
  stamp "train 40 steps (cpu)"; timeout 90 $bin/opacity train --data /tmp/gc/syn --out /tmp/gc/model --steps 40 --size 64 --ablation mask \
      --ngf 16 --ndf 16 --blocks 3 --sample-every 1000 > /dev/null; echo "train rc=$?"
  for d in cpu cuda; do
      stamp "translate on $d"; timeout 60 $bin/opacity translate /tmp/gc/syn/train/opacity /tmp/gc/syn/test/opacity \
          --model /tmp/gc/model/checkpoint.safetensors --out /tmp/gc/$d --device $d; echo "translate $d rc=$?"
  done
  python3 - <<'PY'
import glob, os
import numpy as np
from PIL import Image
names = sorted(os.path.basename(f) for f in glob.glob('/tmp/gc/cpu/*.png'))
worst = {}
for name in names:
    other = '/tmp/gc/cuda/' + name
    if not os.path.exists(other):
        print('missing on cuda:', name); continue
    a = np.asarray(Image.open('/tmp/gc/cpu/' + name)).astype(np.int64)
    b = np.asarray(Image.open(other)).astype(np.int64)
    kind = name.rsplit('_', 1)[1]
    worst[kind] = max(worst.get(kind, 0), int(np.abs(a - b).max()))
print(f'{len(names)} cpu outputs; worst max |cpu - cuda| per output kind: {worst} (clear: 16-bit, mask: 8-bit)')
PY
} > $x 2>&1
stamp translate done

t=$OUT/torch.txt
if [[ "${GPU_CHECK_TORCH:-1}" == "0" ]]; then echo "skipped (GPU_CHECK_TORCH=0)" > $t; else
{ timeout 60 python3 bench/scripts/torch_cuda_kernels.py; echo "torch kernels rc=$?"
  stamp "anchors on cuda, ours and PyTorch"
  timeout 150 $bin/opacity bench --device cuda --vs-pytorch --python python3 --reps 10 --json /tmp/gc/anchors.json; echo "anchors rc=$?"
  cat /tmp/gc/anchors.json
  for w in gan_step_resnet6_ngf32_128px conv3x3_fwdbwd_8x64x128; do
      stamp "per-op device time of $w"; timeout 60 $bin/opacity bench --device cuda --only $w --profile --reps 3
  done; } > $t 2>&1; fi
stamp torch done

b=$OUT/bench.txt
if [[ "${GPU_CHECK_BENCH:-1}" == "0" ]]; then echo "skipped (GPU_CHECK_BENCH=0)" > $b; else
timeout 220 $bin/Opacity.Bench --job short --inProcess --filter '*Cuda*' --artifacts /tmp/gc/bdn > $b.log 2>&1; echo "bench rc=$?" > $b
cat /tmp/gc/bdn/results/*-report-github.md >> $b 2>/dev/null || tail -n 40 $b.log >> $b
grep -E "cudnn forward choice|cuDNN unavailable|no CUDA device" $b.log | sort -u >> $b
rm -f $b.log; fi
stamp bench done
if [[ "${GPU_CHECK_DEMO:-0}" == "1" ]]; then
d=$OUT/demo.txt
{ stamp "demo --device cuda"; timeout "${GPU_CHECK_DEMO_S:-300}" $bin/opacity demo --device cuda --out /tmp/gc/demo; echo "demo rc=$?"
  cat /tmp/gc/demo/report.md; } > $d 2>&1
cp /tmp/gc/demo/metrics.json $OUT/demo-metrics.json 2>/dev/null
stamp demo done; fi
tail -n 3 $s; grep -A 12 "workload" $t | head -n 12; grep -E "rc=|Test run summary|total:|failed:|succeeded:|skipped:|ERROR SUMMARY" $c; tail -n 2 $x; cat $b | tail -n 20
[[ -f ${d:-/nonexistent} ]] && grep -E "rc=|step [0-9]+/|done in|validation" $d | tail -n 16; exit 0
