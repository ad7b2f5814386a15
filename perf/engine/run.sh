#!/usr/bin/env bash
# Tokens per second through Vespa's engine (LlamaEngine + InferenceScheduler, perf/EngineBench)
# versus a small C program doing the same work straight on llama.cpp (perf/engine/native_bench.c),
# over the same shipped libllama.v0.5.0.so and the same generated models, single stream and with
# 2/4/8 concurrent requests. Writes a markdown table with the .NET/C ratios.
#
#   perf/engine/run.sh [OUTPUT.md]        (default perf/results/engine-vs-native.md)
#
# Environment (defaults in brackets):
#   MODELS       which demo models, in order                        [tiny medium]
#   LEVELS       concurrent requests (N)                            [1 2 4 8]
#   R_TINY       rounds (C/.NET pairs) per N, tiny model            [7]
#   R_MEDIUM     rounds (C/.NET pairs) per N, medium model          [5]
#   PASSES       measured passes per process; its median is its result  [3]
#   G_TINY       tokens per request, tiny model                     [256]
#   G_MEDIUM     tokens per request, medium model                   [64]
#   T_TINY       ggml threads, tiny model                           [1]
#   T_MEDIUM     ggml threads, medium model                         [2]
#   WARMUP_MS    warm-up passes run for at least this long          [500]
#   QUIET_WAIT_S before each run, wait up to this long for other processes to use < 0.3 cores  [20]
#   RETRIES      a run during which other processes used >= 0.3 cores is repeated up to this often  [2]
#   PATIENCE_S   total seconds spent waiting and repeating runs, after which neither happens  [300]
#   LLAMA_SRC    an existing clone of llama.cpp v0.5.0 (skips the npm pack + clone of the headers)
#
# Besides the load average, every run records how many cores other processes kept busy while it ran
# (machine busy time from /proc/stat minus the run's own CPU time, over its wall time): on a shared
# machine that is what tells a clean figure from a disturbed one. ggml's threads spin at barriers,
# so even a fraction of a core taken by someone else costs a lot once threads = cores.
#
# Everything it builds or downloads goes to perf/results/tmp/engine/ (gitignored): the llama.cpp
# v0.5.0 source (headers only are used; cloned from the git bundle in the npm package
# node-llama-cpp@3.22.1), the native_bench binary and the generated models.
set -euo pipefail

readonly LLAMA_COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6"  # llama.cpp v0.5.0 (llama-native.md §1.2)
readonly NLC_PACKAGE="node-llama-cpp@3.22.1"
readonly LIB="libllama.v0.5.0.so"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/../.." && pwd)"
cd "$repo_root"

output="${1:-perf/results/engine-vs-native.md}"
models="${MODELS:-tiny medium}"
levels="${LEVELS:-1 2 4 8}"
passes="${PASSES:-3}"
retries="${RETRIES:-2}"
quiet_wait_s="${QUIET_WAIT_S:-20}"
patience_s="${PATIENCE_S:-300}"
warmup_ms="${WARMUP_MS:-500}"
work="${repo_root}/perf/results/tmp/engine"
native_dir="${repo_root}/native/linux-x64"
started_s=$(date +%s)

log() { printf 'engine-bench: %s\n' "$*" >&2; }
# CPU seconds the whole machine spent busy (user+nice+system+irq+softirq+steal), from /proc/stat.
machine_busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# Sets REPLY to the CPU seconds used so far by this shell's finished children (bash's `times`, second
# line). `times` must run in this shell, not in a $(...) subshell, whose child times start at zero.
children_cpu_s() {
  times >"${work}/.times"
  REPLY="$(tail -1 "${work}/.times" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%.2f\n", t }')"
}
# Cores kept busy by other processes during the last 0.5 s.
others_now() {
  local b0 b1
  b0="$(machine_busy_s)"; sleep 0.5; b1="$(machine_busy_s)"
  awk -v a="$b0" -v b="$b1" 'BEGIN { v = (b - a) / 0.5; printf "%.2f\n", v < 0 ? 0 : v }'
}
busy_threshold=0.3
is_busy() { awk -v o="$1" -v t="$busy_threshold" 'BEGIN { exit !(o >= t) }'; }
# Waits (up to quiet_wait_s) until other processes use less than busy_threshold cores.
wait_quiet() {
  local start=$SECONDS
  while [ $((SECONDS - start)) -lt "$quiet_wait_s" ] && has_patience && is_busy "$(others_now)"; do :; done
  waited_total=$((waited_total + SECONDS - start))
  spent_s=$((spent_s + SECONDS - start))
}
has_patience() { [ "$spent_s" -lt "$patience_s" ]; }
waited_total=0
spent_s=0
die() { printf 'engine-bench: ERROR: %s\n' "$*" >&2; exit 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p "$work"

# 1. The shipped libraries (the same script the build runs).
if [ ! -f "${native_dir}/${LIB}" ]; then
  bash scripts/fetch-llama-native.sh "$native_dir" || die "no ${LIB} in ${native_dir}"
fi

# 2. The exact v0.5.0 headers, cached.
src="${LLAMA_SRC:-${work}/llamacpp-src}"
if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null || true)" != "$LLAMA_COMMIT" ]; then
  [ -z "${LLAMA_SRC:-}" ] || die "LLAMA_SRC=${LLAMA_SRC} is not llama.cpp ${LLAMA_COMMIT}"
  log "fetching the llama.cpp v0.5.0 headers (npm pack ${NLC_PACKAGE}, git clone of its bundle)"
  tmp="$(mktemp -d "${work}/.src.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent --ignore-scripts "$NLC_PACKAGE" >/dev/null)
  tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle
  git clone -q "$tmp/package/llama/gitRelease.bundle" "$tmp/llamacpp-src"
  [ "$(git -C "$tmp/llamacpp-src" rev-parse HEAD)" = "$LLAMA_COMMIT" ] || die "the bundle is not llama.cpp ${LLAMA_COMMIT}"
  rm -rf "$src"
  mv "$tmp/llamacpp-src" "$src"
  rm -rf "$tmp"
  trap - EXIT
fi

# 3. Build both.
log "building native_bench (gcc) and perf/EngineBench (dotnet build -c Release)"
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
  -I"${src}/include" -I"${src}/ggml/include" \
  perf/engine/native_bench.c -o "${work}/native_bench" \
  -L"$native_dir" "-l:${LIB}" -l:libggml.v0.5.0.so -Wl,-rpath,"$native_dir"
dotnet build perf/EngineBench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
engine_bench="${repo_root}/perf/EngineBench/bin/Release/net10.0/Vespa.Perf.EngineBench"
[ -x "$engine_bench" ] || die "no ${engine_bench} after the build"

# 4. The models, generated once.
declare -A model_path threads_of tokens_of rounds_of
for m in $models; do
  case "$m" in
    tiny) threads_of[$m]="${T_TINY:-1}"; tokens_of[$m]="${G_TINY:-256}"; rounds_of[$m]="${R_TINY:-7}" ;;
    medium) threads_of[$m]="${T_MEDIUM:-2}"; tokens_of[$m]="${G_MEDIUM:-64}"; rounds_of[$m]="${R_MEDIUM:-5}" ;;
    *) die "unknown model '${m}' (tiny or medium)" ;;
  esac
  model_path[$m]="$("$engine_bench" generate "$m" "${work}/models")"
done

# 5. C and .NET alternately (the order flips every round), R_<MODEL> pairs per (model, N).
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rows=()
raw=()
mismatches=0
for m in $models; do
  t="${threads_of[$m]}"
  g="${tokens_of[$m]}"
  rounds="${rounds_of[$m]}"
  for n in $levels; do
    load_before="$(loadavg)"
    repeated=0
    c_values=()
    d_values=()
    c_all=()
    d_all=()
    others=()
    hashes_ok=yes
    for ((r = 1; r <= rounds; r++)); do
      if ((r % 2)); then order="c dotnet"; else order="dotnet c"; fi
      for impl in $order; do
        for ((attempt = 0; ; attempt++)); do
          wait_quiet
          busy0="$(machine_busy_s)"; children_cpu_s; own0="$REPLY"; wall0="$(date +%s.%N)"
          if [ "$impl" = c ]; then
            cmd=("${work}/native_bench" "${model_path[$m]}" "$n" "$g" "$t" "$native_dir" "$warmup_ms" "$passes")
          else
            cmd=("$engine_bench" run "${model_path[$m]}" "$n" "$g" "$t" "$native_dir" "$warmup_ms" "$passes")
          fi
          if ! line="$("${cmd[@]}" 2>"${work}/stderr.log" | grep '^RESULT ')"; then
            tail -20 "${work}/stderr.log" >&2
            die "${cmd[*]} failed (its stderr is above)"
          fi
          children_cpu_s; own1="$REPLY"; busy1="$(machine_busy_s)"; wall1="$(date +%s.%N)"
          other="$(awk -v b0="$busy0" -v b1="$busy1" -v o0="$own0" -v o1="$own1" -v w0="$wall0" -v w1="$wall1" \
            'BEGIN { v = ((b1 - b0) - (o1 - o0)) / (w1 - w0); printf "%.2f\n", v < 0 ? 0 : v }')"
          own="$(awk -v o0="$own0" -v o1="$own1" -v w0="$wall0" -v w1="$wall1" 'BEGIN { printf "%.2f\n", (o1 - o0) / (w1 - w0) }')"
          line="${line} own_cores=${own} others_cores=${other}"
          log "$line"
          if [ "$attempt" -lt "$retries" ] && has_patience && is_busy "$other"; then
            spent_s=$((spent_s + $(awk -v w0="$wall0" -v w1="$wall1" 'BEGIN { printf "%d", w1 - w0 + 0.5 }')))
            log "other processes used ${other} cores during that run: repeating it"
            raw+=("${line} discarded=disturbed")
            repeated=$((repeated + 1))
            continue
          fi
          break
        done
        others+=("$other")
        raw+=("$line")
        # A run that stayed disturbed after its repeats is kept out of the median (unless all were).
        value="$(field "$line" tok_s)"
        if [ "$impl" = c ]; then
          c_all+=("$value"); c_line="$line"
          is_busy "$other" || c_values+=("$value")
        else
          d_all+=("$value"); d_line="$line"
          is_busy "$other" || d_values+=("$value")
        fi
      done
      if [ "$(field "$c_line" hash)" != "$(field "$d_line" hash)" ] \
        || [ "$(field "$c_line" prompt_tokens)" != "$(field "$d_line" prompt_tokens)" ]; then
        hashes_ok=no
        mismatches=$((mismatches + 1))
      fi
    done
    clean="${#c_values[@]} / ${#d_values[@]}"
    [ "${#c_values[@]}" -gt 0 ] || c_values=("${c_all[@]}")
    [ "${#d_values[@]}" -gt 0 ] || d_values=("${d_all[@]}")
    c_med="$(printf '%s\n' "${c_values[@]}" | median)"
    d_med="$(printf '%s\n' "${d_values[@]}" | median)"
    ratio="$(awk -v d="$d_med" -v c="$c_med" 'BEGIN { printf "%.2f", d / c }')"
    c_range="$(printf '%s\n' "${c_values[@]}" | sort -g | sed -n '1p;$p' | paste -sd'-' | sed 's/-/ – /')"
    d_range="$(printf '%s\n' "${d_values[@]}" | sort -g | sed -n '1p;$p' | paste -sd'-' | sed 's/-/ – /')"
    others_max="$(printf '%s\n' "${others[@]}" | sort -g | tail -1)"
    others_med="$(printf '%s\n' "${others[@]}" | median)"
    rows+=("| ${m} | ${n} | ${t} | ${g} | ${c_med} | ${d_med} | **${ratio}** | ${c_range} | ${d_range} | ${hashes_ok} | ${rounds} | ${clean} | ${repeated} | ${others_med} / ${others_max} | ${load_before} |")
    log "${m} N=${n}: C ${c_med} tok/s, .NET ${d_med} tok/s, ratio ${ratio} (load ${load_before})"
  done
done
load_after="$(loadavg)"
elapsed=$(($(date +%s) - started_s))

# 6. The report.
mkdir -p "$(dirname "$output")"
{
  echo "# Engine throughput: Vespa (.NET) versus a native C loop"
  echo
  echo "Generated by \`perf/engine/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') in ${elapsed} s."
  echo
  echo "- Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; $(. /etc/os-release && echo "$PRETTY_NAME")."
  echo "- llama.cpp v0.5.0 as shipped in \`@node-llama-cpp/linux-x64@3.22.1\` (\`${LIB}\`, the same files for both);"
  echo "  C: $(gcc --version | head -1), \`-O2\`; .NET: SDK $(dotnet --version), Release, the runtime settings of vespa-worker (src/RuntimeDefaults.props: server GC, no concurrent GC, TieredPGO off, thread-pool spin limit 0)."
  echo "- Models (generated by \`Vespa.Engine.Models.DemoModel\`): $(for m in $models; do printf '%s `%s` (%s MB); ' "$m" "$(basename "${model_path[$m]}")" "$(awk -v b="$(stat -c %s "${model_path[$m]}")" 'BEGIN { printf "%.1f", b / 1e6 }')"; done | sed 's/; $//')."
  echo "- Each cell: *rounds* rounds, each round one C process and one .NET process (the order flips every round). Every"
  echo "  process warms up with passes of the same shape for at least ${warmup_ms} ms, then measures ${passes} passes and reports the"
  echo "  median one. The table gives the median over the clean rounds (see below), and the min – max of those."
  echo "- *load avg before*: the load average (1, 5, 15 min) before each cell (after the run: ${load_after}); the benchmark's own"
  echo "  runs add up to their thread count to it. *others' cores*: how many cores other processes kept busy during each run"
  echo "  (machine busy time from /proc/stat minus the run's own CPU time, over its wall time), median and max over the cell's"
  echo "  runs. On 2 cores, anything above ~0.2 disturbs the figures (ggml's threads spin at barriers). Before each run the"
  echo "  script waits (up to ${quiet_wait_s} s) for others to use < ${busy_threshold} cores, and repeats a run during which they used more"
  echo "  (up to ${retries} times; *runs repeated*). A run still disturbed after that is left out of the median (*clean C / .NET*:"
  echo "  the runs kept; when none is clean, all are used). It waited ${waited_total} s in all, and ${spent_s} s waiting and"
  echo "  repeating runs (no more of either after ${patience_s} s)."
  echo "- *same output*: C and .NET tokenized the prompt into the same number of tokens and generated the same text for the first"
  echo "  request (FNV-1a of its ASCII characters: the random demo models emit invalid UTF-8, which .NET turns into U+FFFD) in"
  echo "  every round. Both sides also check that every request got exactly G tokens."
  echo
  echo "| model | N | threads | G | C tok/s | .NET tok/s | .NET / C | C min – max | .NET min – max | same output | rounds | clean C / .NET | runs repeated | others' cores (median / max) | load avg before |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "**Tokens per second** (the same definition on both sides): N requests with the same prompt start together; all N prompts"
  echo "are prefilled in one \`llama_decode\`, after which one \`llama_decode\` per step advances every sequence by one token (greedy,"
  echo "EOS ignored) until each has G tokens. The generation window opens when the first generated token of the batch is"
  echo "available to the caller (C: right after the prefill decode and the first sample; .NET: when the first event of any"
  echo "request's output channel is read) and closes when the last token is (C: the last sample; .NET: the last request's final"
  echo "event is read). tok/s = tokens generated inside the window / window length = N × (G − 1) / window: each sequence's first"
  echo "token comes from the prefill step and is not counted. Prefill, model load and process start are excluded."
  echo
  echo "<details><summary>Raw result lines</summary>"
  echo
  echo "One line per process (\`tok_s\`: its median pass; \`own_cores\`: its CPU time over its wall time, start-up and warm-up"
  echo "included; \`others_cores\`: see above; \`discarded=disturbed\`: repeated because others were busy)."
  echo
  echo '```'
  printf '%s\n' "${raw[@]}"
  echo '```'
  echo
  echo "</details>"
} >"$output"
log "wrote ${output} in ${elapsed} s (load average now ${load_after})"
[ "$mismatches" -eq 0 ] || { log "WARNING: ${mismatches} rounds where C and .NET output differed"; exit 3; }
