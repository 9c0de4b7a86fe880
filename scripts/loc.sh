#!/usr/bin/env bash
# Lines of code per project (tinygrad's sz.py idea, STYLE.md G13): non-blank, non-comment lines of the
# tracked sources, so a change that grows the core shows up in review (a folder counts its subfolders too).
# Usage: bash scripts/loc.sh
cd "$(dirname "$0")/.."
count() { git ls-files "$@" | xargs -r grep -hvE '^\s*(//|/\*|\*|$)' | wc -l; }
printf '%-28s %8s\n' project lines
for p in src/Kernels/Cpu/Reference src/Kernels/Cpu src/Kernels/Cuda src/Tensor src/Nn src/Gan src/Apps bench tests; do
  printf '%-28s %8d\n' "$p" "$(count "$p/*.cs" "$p/**/*.cs")"
done
printf '%-28s %8d\n' "kernels/cu" "$(count 'kernels/cu/*.cu' 'kernels/cu/*.cuh' 'kernels/emu/*')"
