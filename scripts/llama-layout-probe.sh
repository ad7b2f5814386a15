#!/usr/bin/env bash
# Re-derives the llama.cpp struct layouts and default values that Vespa.Engine's bindings hard-code
# (llama-native.md §2.1): compiles tests/Vespa.Engine.Tests/Native/layout-probe.c with gcc against
# the exact headers of the pinned release, links it to the shipped library by its file name, runs it.
# Compare its output with tests/Vespa.Engine.Tests/Native/StructLayoutTests.cs and
# src/Engine/Native/LlamaAbiGuard.cs. A developer tool, not run in CI.
#
#   scripts/llama-layout-probe.sh [--src DIR] [NATIVE_DIR]
#
#   --src DIR    an existing clone of the release source (skips the download)
#   NATIVE_DIR   folder with libllama.v0.5.0.so (default: <repo>/native/linux-x64; fetched if missing)
#
# The source is node-llama-cpp@3.22.1's llama/gitRelease.bundle (llama.cpp v0.5.0, commit de3ff815),
# fetched with npm pack and cloned into a temporary folder: never read llama.h from another copy.
set -euo pipefail

readonly NLC_VERSION="3.22.1"
readonly LLAMA_VERSION="0.5.0"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
probe_c="${repo_root}/tests/Vespa.Engine.Tests/Native/layout-probe.c"

src=""
native=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --src) src="$2"; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) native="$1" ;;
  esac
  shift
done
native="${native:-${repo_root}/native/linux-x64}"

for tool in gcc git; do
  command -v "$tool" >/dev/null 2>&1 || { echo "llama-layout-probe: $tool is required" >&2; exit 3; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "$src" ]; then
  command -v npm >/dev/null 2>&1 || { echo "llama-layout-probe: npm is required to fetch the source (or pass --src)" >&2; exit 3; }
  echo "llama-layout-probe: fetching node-llama-cpp@${NLC_VERSION} (for llama/gitRelease.bundle)" >&2
  (cd "$work" && npm pack --silent --ignore-scripts "node-llama-cpp@${NLC_VERSION}" >/dev/null)
  tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle
  git clone --quiet "$work/package/llama/gitRelease.bundle" "$work/llamacpp-src" 2>/dev/null
  src="$work/llamacpp-src"
  echo "llama-layout-probe: source at commit $(git -C "$src" rev-parse HEAD)" >&2
fi

if [ ! -f "${native}/libllama.v${LLAMA_VERSION}.so" ]; then
  bash "${script_dir}/fetch-llama-native.sh" "$native"
fi

gcc -std=c11 -O0 -Wall -Wextra -Werror \
  -I "${src}/include" -I "${src}/ggml/include" \
  "$probe_c" -o "$work/layout-probe" \
  -L "$native" "-l:libllama.v${LLAMA_VERSION}.so" "-Wl,-rpath,${native}"

"$work/layout-probe"
