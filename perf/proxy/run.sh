#!/usr/bin/env bash
# The secured worker against fixed anchors, every process separate (issue 10, deliver 1): drives the
# shared proxy benchmark harness (run_anchor.sh: fake autoscaler + fake backend + wrk + sse_load, all
# on 127.0.0.1) and collects its tables into one file with the date, the commit and the commands.
#
#   perf/proxy/run.sh [OPTIONS] [-- RUN_ANCHOR_OPTIONS...]
#
# Rows (in this order; the run_anchor target in brackets):
#   part 1  direct [direct], nginx [nginx], stock YARP [yarp], minimal YARP secured worker
#           [yarp-envelope], vespa url scheme [worker-url: url-signed envelopes, the cache hits],
#           the Python PyWorker [pyworker: only when ANCHOR_MIRROR names a bare clone of
#           robballantyne/pyworker, see the harness README]
#   part 2  nginx again, vespa with VESPA_SIGNATURE_SCHEME=legacy [worker: a distinct legacy
#           signature per request, one RSA verification each]
#   part 3  nginx again, vespa with VESPA_UNSECURED=true [worker: the same envelopes, no checks]
# run_anchor.sh runs one worker configuration per invocation, so each part is its own run with its
# own nginx row: compare a vespa row with the nginx row of its part.
#
# Options
#   --aot              run the Native AOT binary (scripts/publish.sh) instead of the JIT build
#   --parts "1 2 3"    which parts to run (default all)
#   --out FILE         output (default perf/results/proxy-anchor.md)
#   --quick            --duration 2 --conc "16" --sse-duration 2 --yarp-warmup 2 --pool 2000 (a smoke run: proves the
#                      set-up, the figures mean nothing)
#   --no-install       do not apt-get missing Debian packages
#   everything else is passed to run_anchor.sh (e.g. --duration 10 --conc "1 16 64" --quiet-gate)
#
# Environment
#   VESPA_BENCH_DIR    the harness (default: ../shared/bench next to the repository, i.e.
#                      /work/shared/bench for a checkout at /work/main; a git worktree looks next to
#                      its main checkout)
#   VESPA_BENCH_WORKER_ENV  extra K=V words for every vespa row (default VESPA_BENCHMARK=constant:1000,
#                      so start-up needs no benchmark run)
#   ANCHOR_MIRROR      bare git clone of robballantyne/pyworker: adds the pyworker-claudius row to part 1
#
# Requirements: Debian 12 packages wrk nginx python3-aiohttp python3-cryptography python3-pycryptodome
# python3-psutil python3-requests (installed here with apt-get when missing) and the .NET 10 SDK.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/../.." && pwd)"
cd "$repo_root"

# ../shared/bench next to the checkout; for a git worktree, next to the main checkout
if [[ -n "${VESPA_BENCH_DIR:-}" ]]; then
  bench_dir=$VESPA_BENCH_DIR
else
  bench_dir="${repo_root}/../shared/bench"
  main_root="$(cd "$(git rev-parse --git-common-dir)/.." && pwd)"
  [[ -d "$bench_dir" || ! -d "${main_root}/../shared/bench" ]] || bench_dir="${main_root}/../shared/bench"
fi
worker_env="${VESPA_BENCH_WORKER_ENV:-VESPA_BENCHMARK=constant:1000}"
out="perf/results/proxy-anchor.md"
parts="1 2 3"
aot=0
install=1
pass=()
invocation="perf/proxy/run.sh $*"

while (($#)); do
  case "$1" in
    --aot) aot=1; shift ;;
    --parts) parts=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) pass+=(--duration 2 --conc "16" --sse-duration 2 --yarp-warmup 2 --pool 2000); shift ;;
    --no-install) install=0; shift ;;
    --) shift; pass+=("$@"); break ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done

log() { printf '[%(%H:%M:%S)T] proxy-bench: %s\n' -1 "$*" >&2; }

[[ -x "$bench_dir/run_anchor.sh" ]] || { echo "no harness at $bench_dir (set VESPA_BENCH_DIR)" >&2; exit 1; }
bench_dir="$(cd "$bench_dir" && pwd)"

# ---------------------------------------------------------------- Debian packages
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
for pair in aiohttp:python3-aiohttp cryptography:python3-cryptography Cryptodome:python3-pycryptodome \
            psutil:python3-psutil requests:python3-requests; do
  /usr/bin/python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
done
if ((${#missing[@]})); then
  ((install)) || { echo "missing Debian packages: ${missing[*]}" >&2; exit 1; }
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# ---------------------------------------------------------------- the worker
if ((aot)); then
  log "publishing the Native AOT worker (scripts/publish.sh --worker-only)"
  scripts/publish.sh --worker-only >&2
  worker_cmd="${repo_root}/artifacts/publish/linux-x64/vespa-worker"
  build_fact="Native AOT (scripts/publish.sh, linux-x64)"
else
  log "building the worker (Release)"
  dotnet build src/Worker/Vespa.Worker.csproj -c Release --nologo -v q >&2
  worker_cmd="dotnet ${repo_root}/src/Worker/bin/Release/net10.0/vespa-worker.dll"
  build_fact="JIT, dotnet build -c Release"
fi

commit=$(git rev-parse --short HEAD)
dirty=""; git diff --quiet HEAD -- src || dirty=" (with uncommitted changes under src/)"
tmp=$(mktemp -d /tmp/vespa-proxy-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- the runs
declare -a commands=()
run_part() {  # run_part N NAME TARGETS WORKER_ENV
  local n=$1 name=$2 targets=$3 env=$4
  local -a cmd=("$bench_dir/run_anchor.sh" --worker "$worker_cmd" --env-prefix VESPA_ --name "$name"
                --worker-env "$env" --targets "$targets" --out "$tmp/part$n.md" "${pass[@]}")
  commands+=("$(printf '%q ' "${cmd[@]}")")
  log "part $n: $targets ($name)"
  "${cmd[@]}"
}

pyworker=""
if [[ -n "${ANCHOR_MIRROR:-}" ]]; then pyworker=",pyworker"; else log "ANCHOR_MIRROR unset: no pyworker row"; fi
for p in $parts; do
  case "$p" in
    1) run_part 1 vespa "direct,nginx,yarp,yarp-envelope,worker-url${pyworker}" "$worker_env" ;;
    2) run_part 2 vespa-legacy "nginx,worker" "$worker_env VESPA_SIGNATURE_SCHEME=legacy" ;;
    3) run_part 3 vespa-unsecured "nginx,worker" "$worker_env VESPA_UNSECURED=true" ;;
    *) echo "unknown part $p" >&2; exit 2 ;;
  esac
done

# ---------------------------------------------------------------- the report
mkdir -p "$(dirname "$out")"
{
  echo "# Proxy benchmark: vespa-worker against nginx, YARP and the PyWorker"
  echo
  echo "Generated by \`perf/proxy/run.sh\` (issue 10, deliver 1) on the shared harness"
  echo "\`$bench_dir/run_anchor.sh\`. Load generator, proxy and fake backend share this machine: compare"
  echo "rows of one part, not figures across parts, runs or machines."
  echo
  echo "- **date (UTC)**: $(date -u '+%Y-%m-%d %H:%M')"
  echo "- **commit**: $commit$dirty"
  echo "- **worker build**: $build_fact"
  echo "- **load average at the end**: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- **command**: \`$invocation\`"
  echo
  echo "Parts: 1 = url-signed envelopes (what vast.ai signs today; the signature cache hits), 2 ="
  echo "\`VESPA_SIGNATURE_SCHEME=legacy\` (a distinct signature per request: one RSA verification each), 3 ="
  echo "\`VESPA_UNSECURED=true\` (same envelopes, no checks)."
  i=0
  for p in $parts; do
    echo
    echo "## Part $p"
    echo
    echo '```bash'
    echo "${commands[$i]}"
    echo '```'
    echo
    # the harness's own file, headings moved one level down
    sed -e 's/^# /### /' -e 's/^## /#### /' "$tmp/part$p.md"
    i=$((i + 1))
  done
} > "$out"
log "wrote $out"
