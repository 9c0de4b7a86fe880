#!/usr/bin/env bash
# Same-run comparison: PyTorch and Opacity on the GEMM/conv anchors, alternated twice so that load from other
# processes on a shared machine hits both sides alike. Usage: bench/scripts/gemm_conv_vs_torch.sh (repo root).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/Opacity.Bench -c Release -v q -nologo >/dev/null
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) nproc=$(nproc)"
for round in 1 2; do
  echo "## round $round"
  /usr/bin/python3 bench/scripts/torch_gemm_conv.py
  dotnet bench/Opacity.Bench/bin/Release/net10.0/Opacity.Bench.dll quick-gemm-conv
done
