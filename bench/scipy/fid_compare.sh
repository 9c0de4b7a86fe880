#!/bin/sh
# Same-run FID comparison on one machine: numpy/scipy (fid_compare.py) then `opacity fid-kid` on the same
# .npy features. Usage: bench/scipy/fid_compare.sh [N] [D]   (default 5000 2048; run from the repo root)
set -e
N=${1:-5000}
D=${2:-2048}
OUT=${TMPDIR:-/tmp}/opacity-fid-compare
dotnet build src/Apps -c Release -v q -nologo >/dev/null
echo "== numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)'), scipy $(/usr/bin/python3 -c 'import scipy; print(scipy.__version__)')"
/usr/bin/python3 bench/scipy/fid_compare.py "$OUT" "$N" "$D"
echo "== opacity fid-kid (KID skipped)"
for i in 1 2; do
  dotnet src/Apps/bin/Release/net10.0/opacity.dll fid-kid --real "$OUT/real.npy" --fake "$OUT/fake.npy" --kid-subsets 0 --json \
    | tr -d '\n ' ; echo
done
uptime
