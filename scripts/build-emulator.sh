#!/usr/bin/env bash
# Builds the host emulator, build/native/libopk_emu.so: every kernels/cu/*.cu compiled as C++20
# with OPK_EMULATOR (opk.cuh's host side) plus the runtime kernels/emu/opk_emu.cpp.
# Make-like: does nothing when the library is newer than every source (the emulator tests call this
# script from their OneTimeSetUp, so a stale library is never tested). Prints the library path.
# Env: CXX (default clang++-14, else g++), OPK_EMU_CXXFLAGS (extra flags, e.g. -fsanitize=address).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/build/native/libopk_emu.so"
die() { echo "build-emulator.sh: $*" >&2; exit 1; }

if [[ -z "${CXX:-}" ]]; then
    if command -v clang++-14 >/dev/null; then CXX=clang++-14
    elif command -v g++ >/dev/null; then CXX=g++
    else die "no C++20 compiler: install clang-14 (apt-get install -y clang-14) or g++ >= 11, or set CXX."
    fi
fi
command -v "$CXX" >/dev/null || die "compiler '$CXX' not found."

shopt -s nullglob
sources=("$repo"/kernels/cu/*.cu)
[[ ${#sources[@]} -gt 0 ]] || die "no kernels/cu/*.cu files."
inputs=("${sources[@]}" "$repo/kernels/cu/opk.cuh" "$repo/kernels/emu/opk_emu.cpp" "${BASH_SOURCE[0]}")

if [[ -f "$out" ]]; then
    stale=0
    for f in "${inputs[@]}"; do [[ "$f" -nt "$out" ]] && stale=1; done
    if [[ $stale == 0 ]]; then echo "$out"; exit 0; fi
fi

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
# -x c++ for the .cu files: the host side of opk.cuh is plain C++20. Hidden visibility: only the
# opk_emu_* C API is exported. -ffp-contract=off keeps the host arithmetic unfused and predictable.
# -U_FORTIFY_SOURCE: the fiber scheduler _longjmps between stacks, which glibc's fortified longjmp rejects.
# shellcheck disable=SC2086
"$CXX" -std=c++20 -O2 -fPIC -shared -pthread -DOPK_EMULATOR -fvisibility=hidden -ffp-contract=off \
    -U_FORTIFY_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unknown-pragmas ${OPK_EMU_CXXFLAGS:-} \
    -x c++ "${sources[@]}" -x c++ "$repo/kernels/emu/opk_emu.cpp" -o "$tmp" \
    || { rm -f "$tmp"; die "compiling the emulator with $CXX failed."; }
mv -f "$tmp" "$out"
echo "build-emulator.sh: built $out with $CXX" >&2
echo "$out"
