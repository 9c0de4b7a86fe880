#!/usr/bin/env bash
# Compiles every kernels/cu/*.cu to PTX (sm_80, PTX ISA 7.0) with clang-14's NVPTX back end, no
# CUDA SDK: -nocudainc/-nocudalib, keywords from kernels/cu/opk.cuh, math from libdevice.10.bc
# (fetched by scripts/cuda-tools.sh) linked as builtin bitcode so no .extern call survives.
# The output, kernels/ptx/*.ptx, is committed and embedded in Opacity.Kernels; scripts/check-ptx.sh
# verifies that it is exactly what this script produces from the .cu files.
# Usage: scripts/build-ptx.sh [OUT_DIR]     (default: kernels/ptx)
# Env:   CLANG (default clang-14; the committed PTX is pinned to Debian's clang 14.0.6)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/kernels/ptx}"
clang="${CLANG:-clang-14}"
die() { echo "build-ptx.sh: $*" >&2; exit 1; }

command -v "$clang" >/dev/null || die "$clang not found; install it with: apt-get install -y clang-14"
tools="${OPK_TOOLS_DIR:-$repo/.tools/cuda}"
libdevice="$tools/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc"
[[ -f "$libdevice" ]] || die "libdevice not found at $libdevice; run scripts/cuda-tools.sh first."

mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$repo/kernels/cu"   # relative source names keep the PTX free of machine-specific paths
shopt -s nullglob
sources=(*.cu)
[[ ${#sources[@]} -gt 0 ]] || die "no .cu files in kernels/cu."
for src in "${sources[@]}"; do
    name="${src%.cu}"
    "$clang" -x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_80 -O3 -std=c++17 \
        -Xclang -target-feature -Xclang +ptx70 \
        -Xclang -mlink-builtin-bitcode -Xclang "$libdevice" \
        -Wall -Werror -S "$src" -o "$out/$name.ptx" \
        || die "clang failed on kernels/cu/$src."
    echo "build-ptx.sh: kernels/cu/$src -> $out/$name.ptx" >&2
done
