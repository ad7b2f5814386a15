#!/usr/bin/env bash
# Fetches the pinned llama.cpp v0.5.0 native libraries that Vespa.Engine binds to.
#
#   scripts/fetch-llama-native.sh [--cuda] [--cuda-fallback] [DEST]
#
# The libraries are node-llama-cpp's prebuilt binaries, shipped in the npm packages
# @node-llama-cpp/linux-x64[-cuda[-ext]]@3.22.1 (docs: /work/shared/docs/llama-native.md §1.3, §8, §11).
# The tarball is fetched with `npm pack` into a temporary directory (no node_modules, no install
# scripts), its sha512 is checked against the integrity pinned below, and only the files the C API
# needs are copied into DEST:
#
#   CPU  (default)   DEST = <repo>/native/linux-x64
#                    libllama.v0.5.0.so libggml.v0.5.0.so libggml-base.so libggml-cpu-*.so
#   --cuda           DEST = <repo>/native/linux-x64-cuda
#                    libllama.cuda.v0.5.0.so libggml.cuda.v0.5.0.so libggml-base.so libggml-cpu-*.so
#                    libggml-cuda.so (CUDA 13; needs libcudart/libcublas 13 from the image)
#   --cuda-fallback  also DEST/fallback/libggml-cuda.so from the -cuda-ext package (CUDA 12 build);
#                    implies --cuda
#
# plus LICENSE.node-llama-cpp (MIT). A marker file (DEST/.llama-native) records the package and its
# integrity, so a second run is a no-op. A lock (flock on DEST.lock) keeps parallel builds from
# racing. On any failure DEST is left as it was: files are staged next to DEST and moved in only
# after the hash check, and the marker is written last.
#
# The build (src/Engine/Vespa.Engine.csproj), CI and the Dockerfile all call this script. The files
# are never committed (/native/ is in .gitignore).
#
# Exit codes: 0 ok, 2 usage, 3 npm missing, 4 download failed, 5 integrity mismatch,
#             6 unexpected package content, 7 no sha512 tool.
set -euo pipefail

readonly NLC_VERSION="3.22.1"
readonly LLAMA_VERSION="0.5.0"

readonly CPU_PACKAGE="@node-llama-cpp/linux-x64"
readonly CPU_INTEGRITY="sha512-5uCCDNqWCNfaAm8aR/Uzxbo4HBpKgNF91kCHPepKhgMgV2OAmatoefbOlMihsqCiH2Od35E/eUHQCFbfRBJuOg=="
# From `npm view @node-llama-cpp/linux-x64-cuda@3.22.1 dist.integrity` (2026-11-23).
readonly CUDA_PACKAGE="@node-llama-cpp/linux-x64-cuda"
readonly CUDA_INTEGRITY="sha512-8rQCjyNNLZJUFit+YpjwlC4hwkKgOMIkB2wuycKBf8NU2O3ySKbiWZQ8aw9ku2nUTXjSnUIrE6KB88itduTBuA=="
# From `npm view @node-llama-cpp/linux-x64-cuda-ext@3.22.1 dist.integrity` (2026-11-23).
readonly CUDA_EXT_PACKAGE="@node-llama-cpp/linux-x64-cuda-ext"
readonly CUDA_EXT_INTEGRITY="sha512-4e5ajkiM2aR2WAdB/N/ACk4weEhHvOAIrzxZPsIX0xDFW5+6hhShuy1/vs88SK9NGdgAco9IyE28eYS0H1efpA=="

readonly MARKER_NAME=".llama-native"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"

log() { printf 'fetch-llama-native: %s\n' "$*" >&2; }
die() {
  local code="$1"
  shift
  printf 'fetch-llama-native: ERROR: %s\n' "$*" >&2
  exit "$code"
}

usage() {
  cat >&2 <<EOF
usage: scripts/fetch-llama-native.sh [--cuda] [--cuda-fallback] [DEST]

Fetches llama.cpp v${LLAMA_VERSION} (npm ${CPU_PACKAGE}@${NLC_VERSION}, or the -cuda package with
--cuda) into DEST (default: <repo>/native/linux-x64, or <repo>/native/linux-x64-cuda with --cuda).
EOF
}

cuda=0
cuda_fallback=0
dest=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --cuda) cuda=1 ;;
    --cuda-fallback) cuda=1; cuda_fallback=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage; die 2 "unknown option: $1" ;;
    *)
      [ -z "$dest" ] || { usage; die 2 "only one DEST may be given"; }
      dest="$1"
      ;;
  esac
  shift
done

if [ -z "$dest" ]; then
  if [ "$cuda" -eq 1 ]; then dest="${repo_root}/native/linux-x64-cuda"; else dest="${repo_root}/native/linux-x64"; fi
fi

# base64 of the binary sha512 digest of a file, as in npm's "sha512-<base64>" integrity strings.
sha512_base64() {
  local file="$1"
  if command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha512 -binary "$file" | base64 -w0
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode(), end="")' "$file"
  else
    die 7 "neither openssl nor python3 is available to check the package's sha512"
  fi
}

# True when DEST already holds this package (marker matches and the main library is present).
is_current() {
  local target="$1" marker_text="$2" main_lib="$3"
  [ -f "${target}/${MARKER_NAME}" ] && [ -f "${target}/${main_lib}" ] \
    && [ "$(cat "${target}/${MARKER_NAME}")" = "$marker_text" ]
}

# fetch_package PACKAGE INTEGRITY TARGET BINS_SUBDIR MAIN_LIB FILE_GLOB...
fetch_package() {
  local package="$1" integrity="$2" target="$3" bins="$4" main_lib="$5"
  shift 5
  local spec="${package}@${NLC_VERSION}"
  local marker_text
  marker_text="$(printf 'package=%s\nllama.cpp=v%s\nintegrity=%s' "$spec" "$LLAMA_VERSION" "$integrity")"

  if is_current "$target" "$marker_text" "$main_lib"; then
    log "${spec} is already in ${target}"
    return 0
  fi

  command -v npm >/dev/null 2>&1 \
    || die 3 "npm is not installed, so ${spec} cannot be fetched. Install Node.js/npm and run scripts/fetch-llama-native.sh, or copy the libraries into ${target}. Without them the in-process engine is off (the worker still runs with an external backend)."

  local parent
  parent="$(dirname "$target")"
  mkdir -p "$parent"

  # Serialize parallel builds: the second one waits, then finds the marker and returns.
  local lock="${target}.lock"
  exec {lock_fd}>"$lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 900 "$lock_fd" || die 4 "timed out waiting for the lock ${lock}"
  fi
  if is_current "$target" "$marker_text" "$main_lib"; then
    log "${spec} is already in ${target} (fetched by a parallel run)"
    exec {lock_fd}>&-
    return 0
  fi

  # Everything is staged on DEST's file system, so the final moves are renames.
  work="$(mktemp -d "${parent}/.llama-native-fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT

  log "downloading ${spec} with npm pack"
  # Bounded, so that a build without network gives up instead of hanging (the CUDA packages are 140-180 MB).
  local timeout_ms=180000
  case "$package" in *cuda*) timeout_ms=1200000 ;; esac
  if ! (cd "$work" && npm pack --silent --ignore-scripts --fetch-retries=2 --fetch-timeout="$timeout_ms" "$spec" \
    >"${work}/npm-pack.out" 2>"${work}/npm-pack.err"); then
    cat "${work}/npm-pack.err" >&2 || true
    die 4 "npm pack ${spec} failed (no network or no registry access?)"
  fi
  local tarball
  tarball="$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)"
  [ -n "$tarball" ] || die 4 "npm pack ${spec} produced no tarball"

  local actual
  actual="sha512-$(sha512_base64 "$tarball")"
  if [ "$actual" != "$integrity" ]; then
    die 5 "integrity mismatch for ${spec}: expected ${integrity}, got ${actual}. Nothing was installed."
  fi
  log "integrity ok (${integrity:0:24}...)"

  mkdir "${work}/x" "${work}/stage"
  tar -xzf "$tarball" -C "${work}/x"
  local src="${work}/x/package/${bins}"
  [ -d "$src" ] || die 6 "${spec} has no ${bins}/ folder"

  local pattern matched file
  for pattern in "$@"; do
    matched=0
    for file in "${src}"/${pattern}; do
      [ -f "$file" ] || continue
      cp "$file" "${work}/stage/"
      matched=1
    done
    [ "$matched" -eq 1 ] || die 6 "${spec} has no ${bins}/${pattern} (package content: $(find "$src" -maxdepth 1 -type f -printf '%f ' | sort))"
  done
  if [ -f "${work}/x/package/LICENSE" ]; then
    cp "${work}/x/package/LICENSE" "${work}/stage/LICENSE.node-llama-cpp"
  fi
  printf '%s\n' "$marker_text" >"${work}/stage/${MARKER_NAME}.new"

  # Move into place; the marker goes last, so an interrupted run is redone next time.
  mkdir -p "$target"
  rm -f "${target}/${MARKER_NAME}"
  for file in "${work}/stage"/*; do
    mv -f "$file" "${target}/"
  done
  mv -f "${work}/stage/${MARKER_NAME}.new" "${target}/${MARKER_NAME}"

  rm -rf "$work"
  trap - EXIT
  exec {lock_fd}>&-
  log "installed ${spec} into ${target}"
}

if [ "$cuda" -eq 1 ]; then
  fetch_package "$CUDA_PACKAGE" "$CUDA_INTEGRITY" "$dest" "bins/linux-x64-cuda" \
    "libllama.cuda.v${LLAMA_VERSION}.so" \
    "libllama.cuda.v${LLAMA_VERSION}.so" "libggml.cuda.v${LLAMA_VERSION}.so" "libggml-base.so" \
    "libggml-cpu-*.so" "libggml-cuda.so"
  if [ "$cuda_fallback" -eq 1 ]; then
    fetch_package "$CUDA_EXT_PACKAGE" "$CUDA_EXT_INTEGRITY" "${dest}/fallback" "bins/linux-x64-cuda/fallback" \
      "libggml-cuda.so" "libggml-cuda.so"
  fi
else
  fetch_package "$CPU_PACKAGE" "$CPU_INTEGRITY" "$dest" "bins/linux-x64" \
    "libllama.v${LLAMA_VERSION}.so" \
    "libllama.v${LLAMA_VERSION}.so" "libggml.v${LLAMA_VERSION}.so" "libggml-base.so" "libggml-cpu-*.so"
fi
