#!/bin/sh
# Same-run FID comparison on one machine: numpy/scipy (fid_compare.py) then `opacity fid-kid` on the same
# .npy features, ROUNDS times alternating. Usage (from the repo root):
#   bench/scipy/fid_compare.sh [N] [D] [ROUNDS]          (default 5000 2048 2)
# numpy/scipy use whatever BLAS/LAPACK the loader finds. Debian's default here is the netlib reference BLAS;
# for an optimised baseline, unpack OpenBLAS without installing it and point the loader at it:
#   apt-get download libopenblas0-pthread && dpkg-deb -x libopenblas0-pthread_*.deb /tmp/openblas
#   LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread bench/scipy/fid_compare.sh
set -e
N=${1:-5000}
D=${2:-2048}
ROUNDS=${3:-2}
OUT=${TMPDIR:-/tmp}/opacity-fid-compare
dotnet build src/Apps -c Release -v q -nologo >/dev/null
/usr/bin/python3 -c "import numpy, scipy; print('numpy', numpy.__version__, 'scipy', scipy.__version__, 'blas', sorted(set(l.split()[-1] for l in open('/proc/self/maps') if 'libblas' in l or 'openblas' in l)))"
for r in $(seq "$ROUNDS"); do
  echo "== round $r: numpy/scipy"
  /usr/bin/python3 bench/scipy/fid_compare.py "$OUT" "$N" "$D"
  echo "== round $r: opacity fid-kid (KID skipped)"
  LD_LIBRARY_PATH= dotnet src/Apps/bin/Release/net10.0/opacity.dll fid-kid --real "$OUT/real.npy" --fake "$OUT/fake.npy" --kid-subsets 0 --json | tr -d '\n '
  echo
  uptime
done
