#!/usr/bin/env bash
# Device memory over a long training run on the GPU (issue 3's "no growth over 1000 steps"): phantoms,
# a CDAM classifier and then `opacity train --device cuda` of the full method for 1000 steps, while
# nvidia-smi samples the process's device memory every 0.5 s. Prints the samples' summary: the caching
# allocator should reach its high-water mark in the first steps and stay there.
# Runs on the lent machine over .gpu/opacity-gpu.tar.xz (scripts/publish-gpu.sh); writes $OUT/train-memory.txt.
# Usage (device tool): run carry=[".gpu"] command="bash scripts/gpu-train-memory.sh" timeout_s=300
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${OUT:?gpu-train-memory.sh: OUT is not set (run it through the device tool)}"
bin=.gpu/bin
[[ -x $bin/opacity ]] || { mkdir -p $bin && tar xJf .gpu/opacity-gpu.tar.xz -C $bin; } || exit 1
m=$OUT/train-memory.txt
{ $bin/opacity synth --out /tmp/gm/syn --count 200 --size 64 --seed 3 > /dev/null && echo "synth ok"
  $bin/opacity train-classifier --data /tmp/gm/syn --out /tmp/gm/cls.safetensors --size 64 --steps 100 --device cuda | tail -n 1
  $bin/opacity train --data /tmp/gm/syn --out /tmp/gm/run --steps 1000 --size 64 --ablation full --mask-prior cam \
      --classifier /tmp/gm/cls.safetensors --device cuda --sample-every 500 --checkpoint-every 500 > /tmp/gm/train.log 2>&1 &
  pid=$!
  : > /tmp/gm/mem.csv
  while kill -0 $pid 2>/dev/null; do
      nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits | awk -v p=$pid -v t=$SECONDS '$1+0==p {print t "," $2+0}' >> /tmp/gm/mem.csv
      sleep 0.5
  done
  wait $pid; echo "train rc=$?"; tail -n 2 /tmp/gm/train.log
  python3 - <<'PY'
rows = [tuple(map(float, l.split(','))) for l in open('/tmp/gm/mem.csv') if l.strip()]
if not rows: print('no memory samples (process not seen by nvidia-smi)'); raise SystemExit
mib = [r[1] for r in rows]; n = len(mib)
q = lambda a, b: mib[int(a * (n - 1)):int(b * (n - 1)) + 1]
print(f'{n} samples over {rows[-1][0] - rows[0][0]:.0f} s; device MiB: first {mib[0]:.0f}, max {max(mib):.0f}')
for a, b in [(0, .1), (.1, .5), (.5, .9), (.9, 1)]:
    s = q(a, b); print(f'  {int(a*100):3d}-{int(b*100):3d} % of the run: min {min(s):.0f} max {max(s):.0f} MiB')
PY
} > $m 2>&1
cat $m
