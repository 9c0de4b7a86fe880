#!/usr/bin/env bash
# CI step for the CUDA backend, run before `dotnet test` (no GPU and no CUDA SDK needed):
#   1. scripts/cuda-tools.sh      ptxas/cuobjdump/nvdisasm/libdevice from Debian non-free into .tools/cuda
#   2. scripts/check-ptx.sh       committed kernels/ptx == clang-14 build of kernels/cu; ptxas sm_80 + sm_90;
#                                 no .extern; no spills; REGISTERS.md up to date
#   3. scripts/build-emulator.sh  build/native/libopk_emu.so for the emulator tests
# Needs: bash, apt-get + dpkg (Debian/Ubuntu with network access to the Debian mirror), clang-14
# (`apt-get install -y clang-14`), and a C++20 compiler for the emulator (clang++-14 or g++ >= 11).
# Then: dotnet test tests/Opacity.Kernels.Tests -c Release
#       (Category "Cuda" tests report Ignored without a GPU; the emulator tests must pass).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
step() { echo; echo "== ci-cuda.sh: $* =="; }
fail() { echo "ci-cuda.sh: FAILED at: $*" >&2; exit 1; }

for tool in clang-14 apt-get dpkg; do
    command -v "$tool" >/dev/null || fail "prerequisite '$tool' is missing (install clang-14 with: apt-get install -y clang-14)."
done

step "1/3 fetch the offline CUDA tools"
"$repo/scripts/cuda-tools.sh" >/dev/null || fail "scripts/cuda-tools.sh"

step "2/3 check the committed PTX"
"$repo/scripts/check-ptx.sh" || fail "scripts/check-ptx.sh (see the reason above)"

step "3/3 build the host emulator"
"$repo/scripts/build-emulator.sh" >/dev/null || fail "scripts/build-emulator.sh"

echo
echo "ci-cuda.sh: OK. Next: dotnet test tests/Opacity.Kernels.Tests -c Release"
