#!/usr/bin/env bash
# Builds what a lent GPU machine runs (it has the NVIDIA driver and CUDA libraries but no .NET SDK,
# see GPU.md): self-contained linux-x64 publishes of the CLI (opacity), the benchmarks
# (Opacity.Bench) and the Kernels, Nn and Gan test suites each as its own executable (StandaloneTests=true: NUnit's
# Microsoft.Testing.Platform runner, so the Cuda tests run without `dotnet test`), into one folder
# (they share one runtime), packed as .gpu/opacity-gpu.tar.xz (git-ignored; ~35 MB, the device tool
# carries at most 64 MiB). Then prints the one device call that runs scripts/gpu-check.sh.
# Usage: scripts/publish-gpu.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/.gpu"
stage="$out/stage"
limit_mib=56
die() { echo "publish-gpu.sh: $*" >&2; exit 1; }

command -v dotnet >/dev/null || die "dotnet not found; install the .NET 10 SDK."
command -v xz >/dev/null || die "xz not found (apt-get install -y xz-utils)."
rm -rf "$out"
mkdir -p "$stage"

publish() {   # project, extra properties...
    local project=$1; shift
    echo "publish-gpu.sh: publishing $project ..." >&2
    dotnet publish "$repo/$project" -c Release -r linux-x64 --self-contained -p:DebugType=none "$@" -o "$stage" >&2 \
        || die "dotnet publish of $project failed."
}
publish src/Apps/Opacity.Cli.csproj
publish bench/Opacity.Bench/Opacity.Bench.csproj
publish tests/Opacity.Kernels.Tests/Opacity.Kernels.Tests.csproj -p:StandaloneTests=true
publish tests/Opacity.Nn.Tests/Opacity.Nn.Tests.csproj -p:StandaloneTests=true
publish tests/Opacity.Gan.Tests/Opacity.Gan.Tests.csproj -p:StandaloneTests=true

echo "publish-gpu.sh: packing .gpu/opacity-gpu.tar.xz ..." >&2
tar cJf "$out/opacity-gpu.tar.xz" -C "$stage" . || die "tar failed."
rm -rf "$stage"
bytes=$(stat -c %s "$out/opacity-gpu.tar.xz")
mib=$(( (bytes + 1048575) / 1048576 ))
(( mib <= limit_mib )) || die ".gpu/opacity-gpu.tar.xz is $mib MiB, over the $limit_mib MiB budget (the device tool carries at most 64 MiB with the repo)."
echo "publish-gpu.sh: .gpu/opacity-gpu.tar.xz is $mib MiB (limit $limit_mib MiB)" >&2

cat <<'CMD'
run carry=[".gpu"] timeout_s=480 command:
bash scripts/gpu-check.sh
CMD
