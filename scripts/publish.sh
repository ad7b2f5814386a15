#!/usr/bin/env bash
# Publishes the shipped artifacts as Native AOT executables for linux-x64 (issue 10): vespa-worker and
# vespa-client, each one self-contained binary (no .NET runtime needed where it runs). Any trim or AOT
# warning fails the publish (warnings are errors), so the binaries never rely on code the compiler
# had to guess about.
#
#   scripts/publish.sh [--out DIR] [--worker-only] [--client-only] [-- EXTRA_DOTNET_PUBLISH_ARGS...]
#
#   --out DIR        where the binaries go (default artifacts/publish/linux-x64): DIR/vespa-worker
#                    (with DIR/native/ when the llama.cpp libraries are available) and DIR/client/vespa-client
#   --worker-only    publish the worker only (what the Deploy test and perf/proxy/run.sh --aot need)
#   --client-only    publish the client only
#   everything after -- goes to both dotnet publish calls (e.g. --no-restore -p:VespaSkipNativeFetch=true)
#
# Needs the .NET 10 SDK, clang and zlib1g-dev (the native linker step); Debian: apt-get install clang
# zlib1g-dev. The ILCompiler packages come from NuGet on the first run. Prints each binary's size and
# the publish wall time.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cd "$repo_root"

out="artifacts/publish/linux-x64"
worker=1
client=1
extra=()
while (($#)); do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --worker-only) client=0; shift ;;
    --client-only) worker=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "publish.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v dotnet >/dev/null || { echo "publish.sh: dotnet (the .NET 10 SDK) is missing" >&2; exit 1; }
# Native AOT links with clang; Debian's clang-NN packages without the 'clang' alternative work too.
linker=()
if ! command -v clang >/dev/null; then
  versioned=$(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -1 || true)
  [[ -n "$versioned" ]] || { echo "publish.sh: clang is missing (Native AOT links with it: apt-get install clang zlib1g-dev)" >&2; exit 1; }
  linker=(-p:CppCompilerAndLinker="$versioned")
fi

# Warnings are errors for the compiler, the trimmer (IL2xxx) and the AOT compiler (IL3xxx) alike.
common=(-c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true
        -p:ILLinkTreatWarningsAsErrors=true -p:IlcTreatWarningsAsErrors=true
        -p:SuppressTrimAnalysisWarnings=false -p:SatelliteResourceLanguages=en --nologo "${linker[@]}")

publish() {  # publish PROJECT DIR
  local project=$1 dir=$2 started log
  started=$(date +%s.%N)
  log=$(mktemp)
  if ! dotnet publish "$project" "${common[@]}" -o "$dir" "${extra[@]}" 2>&1 | tee "$log"; then
    rm -f "$log"; echo "publish.sh: publishing $project failed" >&2; exit 1
  fi
  # Belt and braces: a trim/AOT warning that reached the log as a warning still fails the script.
  if grep -E 'warning (IL[0-9]{4}|CS[0-9]{4})' "$log" >&2; then
    rm -f "$log"; echo "publish.sh: $project published with warnings (see above)" >&2; exit 1
  fi
  rm -f "$log"
  # Only the executable (and its .dbg symbols) ship: the referenced projects' .pdb/.xml files are build leftovers.
  rm -f "$dir"/*.pdb "$dir"/*.xml "$dir"/*.staticwebassets.endpoints.json
  printf 'publish.sh: %s in %.0f s\n' "$project" "$(echo "$(date +%s.%N) - $started" | bc)" >&2
}

if ((worker)); then
  publish src/Worker/Vespa.Worker.csproj "$out"
  ls -l "$out/vespa-worker" >&2
fi
if ((client)); then
  publish src/Client/Vespa.Client.csproj "$out/client"
  ls -l "$out/client/vespa-client" >&2
fi
