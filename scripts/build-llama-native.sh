#!/usr/bin/env bash
# Builds llama.cpp v0.5.0 -- the exact source the pinned npm libraries were built from -- for THIS machine
# (-DGGML_NATIVE=ON: every instruction set the CPU has, instead of the npm package's generic variants), so
# that the worker can load it instead of the npm build (issue 10: the engine against llama-server on the same
# libraries).
#
#   scripts/build-llama-native.sh [DEST]          (default <repo>/native/linux-x64-native)
#   VESPA_NATIVE_DIR=<DEST> dotnet run --project src/Worker
#
# Source (llama-native.md §1.2): the npm package node-llama-cpp@3.22.1 ships llama/gitRelease.bundle, a git
# bundle of llama.cpp v0.5.0 (one squashed commit de3ff815…) and the one patch its binaries were built with
# (llama/patches/PR-22566.diff, model-loader internals only). The tarball is fetched with `npm pack` (no
# install scripts), its sha512 is checked against the integrity pinned below, the bundle is cloned, the
# commit is checked, and the patch is applied. LLAMA_SRC=<clone> builds an existing clone as it is instead
# (it must be at that commit).
#
# Build: cmake (Ninja when installed), Release, shared libraries, -DGGML_NATIVE=ON, only the llama and ggml
# libraries (no tools, tests, server), RPATH $ORIGIN. GGML_NATIVE rules out GGML_BACKEND_DL (cmake refuses
# the pair), so unlike the npm build the CPU backend is linked in (libggml.so needs libggml-cpu.so) and
# registers itself; the engine's ggml_backend_load_all_from_path then finds nothing more to load, which is fine. Every other flag is llama.cpp's default
# (e.g. OpenMP when the compiler has it), the same as a plain llama-server build from this source.
# CMAKE_ARGS adds flags (e.g. "-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90" for a CUDA build, or
# "-DGGML_OPENMP=OFF" to match the npm build's threading). JOBS sets the parallel jobs (nproc).
#
# DEST receives libllama.so, libggml.so, libggml-base.so, libggml-cpu.so (and libggml-cuda.so for CUDA)
# with their versioned names, LICENSE.llama.cpp and a marker (.llama-native-build) recording the commit,
# flags, compiler and CPU. Files are staged next to DEST and moved in only when the build succeeded.
# Takes about 10 minutes on 2 cores; nothing here runs in the tests.
#
# Exit codes: 0 ok, 2 usage, 3 a tool is missing, 4 download failed, 5 integrity or commit mismatch,
#             6 build failed.
set -euo pipefail

readonly NLC_PACKAGE="node-llama-cpp@3.22.1"
readonly NLC_TARBALL="node-llama-cpp-3.22.1.tgz"
# `npm view node-llama-cpp@3.22.1 dist.integrity` (2026-12-02), checked against the downloaded file.
readonly NLC_INTEGRITY="sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw=="
readonly LLAMA_COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6" # llama.cpp v0.5.0, squashed
readonly PATCH="PR-22566.diff"
readonly MARKER_NAME=".llama-native-build"

log() { printf 'build-llama-native: %s\n' "$*" >&2; }
die() {
  local code="$1"
  shift
  printf 'build-llama-native: ERROR: %s\n' "$*" >&2
  exit "$code"
}

dest=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -h | --help) sed -n '2,31p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die 2 "unknown option: $1 (usage: scripts/build-llama-native.sh [DEST])" ;;
    *)
      [ -z "$dest" ] || die 2 "only one DEST may be given"
      dest="$1"
      ;;
  esac
  shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
dest="${dest:-${repo_root}/native/linux-x64-native}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

for tool in git cmake c++ sha512sum base64; do
  command -v "$tool" >/dev/null 2>&1 || die 3 "$tool is needed (Debian: apt-get install git cmake g++ coreutils)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/build-llama-native.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- The pinned source.
if [ -n "${LLAMA_SRC:-}" ]; then
  src="$LLAMA_SRC"
  [ -d "$src/.git" ] || die 5 "LLAMA_SRC=$src is not a git clone"
  patch_file=""
else
  command -v npm >/dev/null 2>&1 || die 3 "npm is needed to fetch ${NLC_PACKAGE} (or set LLAMA_SRC to a clone of llama.cpp v0.5.0)"
  log "fetching ${NLC_PACKAGE} (the llama.cpp v0.5.0 source bundle)"
  (cd "$work" && npm pack --silent "$NLC_PACKAGE" >/dev/null) || die 4 "npm pack ${NLC_PACKAGE} failed"
  expected_hex="$(printf '%s' "${NLC_INTEGRITY#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
  actual_hex="$(sha512sum "${work}/${NLC_TARBALL}" | cut -d' ' -f1)"
  [ "$expected_hex" = "$actual_hex" ] || die 5 "${NLC_TARBALL}: sha512 ${actual_hex} is not the pinned ${expected_hex}"
  tar -xzf "${work}/${NLC_TARBALL}" -C "$work" package/llama/gitRelease.bundle "package/llama/patches/${PATCH}" package/LICENSE \
    || die 5 "${NLC_TARBALL} lacks llama/gitRelease.bundle or the patch"
  src="${work}/llama.cpp"
  git clone --quiet "${work}/package/llama/gitRelease.bundle" "$src" 2>/dev/null || die 5 "could not clone the source bundle"
  patch_file="${work}/package/llama/patches/${PATCH}"
fi
commit="$(git -C "$src" rev-parse HEAD)"
[ "$commit" = "$LLAMA_COMMIT" ] || die 5 "the source is at ${commit}, not llama.cpp v0.5.0 (${LLAMA_COMMIT})"
if [ -n "$patch_file" ]; then
  git -C "$src" apply "$patch_file" || die 5 "could not apply ${PATCH}"
fi

# --- Configure and build the libraries only.
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
# shellcheck disable=SC2206 # CMAKE_ARGS is a list of flags, split on purpose
extra=(${CMAKE_ARGS:-})
flags=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF
  -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON
  "${extra[@]}"
)
log "configuring: ${flags[*]}"
cmake -S "$src" -B "${work}/build" "${generator[@]}" "${flags[@]}" >"${work}/configure.log" 2>&1 \
  || { tail -40 "${work}/configure.log" >&2; die 6 "cmake configure failed"; }
log "building with ${jobs} jobs (about 10 minutes on 2 cores)"
started=$SECONDS
cmake --build "${work}/build" --parallel "$jobs" >"${work}/build.log" 2>&1 \
  || { tail -40 "${work}/build.log" >&2; die 6 "the build failed"; }
log "built in $((SECONDS - started)) s"

# --- Stage next to DEST, then move in.
bin="${work}/build/bin"
for lib in libllama.so libggml.so libggml-base.so libggml-cpu.so; do
  [ -e "${bin}/${lib}" ] || die 6 "the build produced no ${lib} in ${bin}"
done
mkdir -p "$(dirname "$dest")"
stage="$(mktemp -d "${dest}.staging.XXXXXX")"
cp -P "$bin"/lib*.so* "$stage"/
cp "${src}/LICENSE" "${stage}/LICENSE.llama.cpp"
{
  printf 'llama.cpp %s (v0.5.0%s)\n' "$commit" "${patch_file:+ + ${PATCH}}"
  printf 'cmake %s\n' "${flags[*]}"
  printf 'compiler %s\n' "$(c++ --version | head -1)"
  printf 'cpu %s\n' "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
  printf 'built %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"${stage}/${MARKER_NAME}"
rm -rf "${dest}.old"
if [ -d "$dest" ]; then mv "$dest" "${dest}.old"; fi
mv "$stage" "$dest"
rm -rf "${dest}.old"
log "done: ${dest} (use it with VESPA_NATIVE_DIR=${dest})"
ls -l "$dest" >&2
