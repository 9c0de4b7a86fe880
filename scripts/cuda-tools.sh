#!/usr/bin/env bash
# Fetches the offline CUDA tools (ptxas, cuobjdump, nvdisasm, libdevice.10.bc) into .tools/cuda.
#
# Source: Debian bookworm's non-free `nvidia-cuda-toolkit` package (CUDA 11.8). The .deb is
# downloaded and unpacked with dpkg -x; nothing is installed and the system's apt configuration is
# untouched (a private sources file and lists folder in a temp dir). Its ~2.8 GB of dependencies are
# not needed: ptxas/cuobjdump/nvdisasm are static binaries, libdevice is a bitcode file.
#
# Idempotent: if the tools are already there (and ptxas runs), it does nothing.
# Usage: scripts/cuda-tools.sh            -> prints the tools folder (TOOLS_DIR) on its last line
# Env:   OPK_TOOLS_DIR overrides the destination (default <repo>/.tools/cuda).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${OPK_TOOLS_DIR:-$repo/.tools/cuda}"
ptxas="$dest/usr/bin/ptxas"
libdevice="$dest/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc"

die() { echo "cuda-tools.sh: $*" >&2; exit 1; }

if [[ -x "$ptxas" && -f "$libdevice" ]] && "$ptxas" --version >/dev/null 2>&1; then
    echo "cuda-tools.sh: tools already present in $dest" >&2
    echo "$dest"
    exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found; this recipe needs a Debian/Ubuntu-style system."
command -v dpkg >/dev/null || die "dpkg not found; it is needed to unpack the .deb."
src=/etc/apt/sources.list.d/debian.sources
[[ -f "$src" ]] || die "$src not found; the recipe reuses the machine's first Debian source (deb822 format)."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"

# The machine's own first Debian source, with the component switched to non-free (same mirror).
awk 'BEGIN{RS="";ORS="\n\n"} NR==1' "$src" \
    | sed -e 's/^Components:.*/Components: non-free/' -e 's/^Suites:.*/Suites: bookworm/' > "$work/nf.sources"
grep -q '^URIs:' "$work/nf.sources" || die "could not derive a non-free source from $src."

o=(-oDir::Etc::SourceList=/dev/null "-oDir::Etc::SourceParts=$work" "-oDir::State::Lists=$work/lists"
   "-oDir::Cache::Archives=$work/archives" -oDebug::NoLocking=1 -oAPT::Sandbox::User=root -qq)
echo "cuda-tools.sh: fetching the non-free package index" >&2
apt-get "${o[@]}" update || die "apt-get update on the non-free source failed (network or mirror)."
echo "cuda-tools.sh: downloading nvidia-cuda-toolkit (about 84 MB)" >&2
(cd "$work" && apt-get "${o[@]}" download nvidia-cuda-toolkit) \
    || die "could not download nvidia-cuda-toolkit from the non-free component."
deb=("$work"/nvidia-cuda-toolkit_*.deb)
[[ -f "${deb[0]}" ]] || die "download reported success but no nvidia-cuda-toolkit_*.deb is in $work."

# Unpack into a staging folder and move it into place, so an interrupted run leaves no half tree.
stage="$dest.partial"
rm -rf "$stage"
mkdir -p "$stage"
dpkg -x "${deb[0]}" "$stage"
[[ -x "$stage/usr/bin/ptxas" ]] || die "the package has no usr/bin/ptxas (layout changed?)."
[[ -f "$stage/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc" ]] || die "the package has no libdevice.10.bc."
basename "${deb[0]}" > "$stage/PACKAGE"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$stage" "$dest"

"$ptxas" --version >/dev/null || die "ptxas was unpacked but does not run."
echo "cuda-tools.sh: $(head -c 200 "$dest/PACKAGE") unpacked into $dest" >&2
echo "$dest"
