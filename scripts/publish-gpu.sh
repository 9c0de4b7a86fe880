#!/usr/bin/env bash
# Publishes the CLI for a lent GPU machine (which has the NVIDIA driver and CUDA libraries but no
# .NET SDK, see GPU.md): a self-contained single-file linux-x64 `opacity` in .gpu/ (git-ignored),
# checks that everything carried stays under 60 MiB (the device tool carries at most 64 MiB), and
# prints the exact `run` command line: library paths, nvidia-smi, the self-test with JSON, a
# compute-sanitizer memcheck over a short self-test, and the CUDA BenchmarkDotNet suites
# (--job short --inProcess --filter '*Cuda*'), everything under $OUT.
# Usage: scripts/publish-gpu.sh            (then pass carry: [".gpu"] and the printed command to `run`)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/.gpu"
limit_mib=60
die() { echo "publish-gpu.sh: $*" >&2; exit 1; }

command -v dotnet >/dev/null || die "dotnet not found; install the .NET 10 SDK."
rm -rf "$out"
mkdir -p "$out"

echo "publish-gpu.sh: publishing src/Apps (opacity) ..." >&2
# IL3000: src/Apps/Bench/SideBySide.cs reads Assembly.Location only when run through the `dotnet` host;
# a single-file app is its own host, so the empty Location is never used there.
dotnet publish "$repo/src/Apps/Opacity.Cli.csproj" -c Release -r linux-x64 --self-contained \
    -p:WarningsNotAsErrors=IL3000 -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
    -o "$out/cli" >&2 || die "dotnet publish of the CLI failed."

echo "publish-gpu.sh: publishing bench/Opacity.Bench ..." >&2
dotnet publish "$repo/bench/Opacity.Bench/Opacity.Bench.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
    -o "$out/bench" >&2 || die "dotnet publish of the benchmarks failed."

for part in cli bench; do
    bytes=$(du -sb "$out/$part" | cut -f1)
    mib=$(( (bytes + 1048575) / 1048576 ))
    (( mib <= limit_mib )) || die ".gpu/$part is $mib MiB, over the $limit_mib MiB limit (the device tool carries at most 64 MiB)."
    echo "publish-gpu.sh: .gpu/$part is $mib MiB (limit $limit_mib MiB)" >&2
done

cat <<'CMD'
(1) run carry=[".gpu/cli"] timeout_s=600 command:
(ldconfig -p | grep -E 'cuda|cublas|cudnn'; ls -d /usr/local/lib/python3*/*-packages/nvidia/*/lib /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib 2>/dev/null; nvidia-smi) > $OUT/env.txt 2>&1; .gpu/cli/opacity selftest --device cuda --json $OUT/selftest.json > $OUT/selftest.txt 2>&1; echo "selftest rc=$?" >> $OUT/selftest.txt; OPACITY_CUDNN=1 .gpu/cli/opacity selftest --device cuda --no-timing --json $OUT/selftest-cudnn.json > $OUT/selftest-cudnn.txt 2>&1; echo "selftest cudnn rc=$?" >> $OUT/selftest-cudnn.txt; compute-sanitizer --tool memcheck --error-exitcode 3 .gpu/cli/opacity selftest --device cuda --no-timing > $OUT/memcheck.txt 2>&1; echo "memcheck rc=$?" >> $OUT/memcheck.txt; tail -5 $OUT/selftest.txt $OUT/selftest-cudnn.txt $OUT/memcheck.txt

(2) run carry=[".gpu/bench"] timeout_s=600 command:
nvidia-smi -L > $OUT/gpu.txt; timeout 560 .gpu/bench/Opacity.Bench --job short --inProcess --filter '*Cuda*' --artifacts /tmp/bdn > $OUT/bench.txt 2>&1; echo "bench rc=$?" >> $OUT/bench.txt; cp /tmp/bdn/results/*-report-github.md $OUT/ 2>/dev/null; tail -30 $OUT/bench.txt
CMD
