#!/usr/bin/env bash
# CI preparation before the README's test command: the packages the checks need, then the CUDA
# checks that need no GPU (offline ptxas validation of every kernel, the committed-PTX check, and
# the host emulator build). Idempotent; safe to run on a developer machine.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v clang-14 >/dev/null || need+=(clang-14)
command -v g++ >/dev/null || need+=(g++)
command -v dump2dcm >/dev/null || need+=(dcmtk)
[ -x /usr/bin/convert ] || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
  echo "ci-setup: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash scripts/ci-cuda.sh
# The reader fixtures are made by real tools (dcmtk, ImageMagick) and committed; prove they still are.
bash tests/fixtures/readers/make_fixtures.sh >/dev/null
if [ -n "$(git status --porcelain -- tests/fixtures/readers)" ]; then
  git status --short -- tests/fixtures/readers
  echo "ci-setup: tests/fixtures/readers differ from what make_fixtures.sh makes"; exit 1
fi
