#!/usr/bin/env bash
# The test command of the README: builds the solution and runs every NUnit project, then prints one
# closing line "N passed, N failed, N skipped" summed over the projects. Exit code non-zero on any
# failure. Needs only the .NET SDK; the CUDA checks (ptxas, host emulator) run when scripts/ci-cuda.sh
# has prepared them (CI does; see .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
# A build error must fail the run: `dotnet test --no-build` would otherwise run whatever stale test
# binaries an earlier build left (a local checkout) and report them as passing.
dotnet build Opacity.Native.sln -c Release -nologo -v q > "$log" 2>&1
build=$?
if [ "$build" -ne 0 ]; then
    grep -E ' error ' "$log" | sort -u | head -n 20
    echo "dotnet build exited with $build: no tests were run"
    rm -f "$log"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
tail -n 3 "$log"
dotnet test Opacity.Native.sln -c Release --no-build -nologo -v q 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per test project.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
projects=$(grep -cE '^(Passed|Failed)!' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $status (build or test-host failure)"; fi
if [ "$projects" -eq 0 ]; then echo "no test project ran"; failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
