#!/usr/bin/env bash
# One-command check that the embedded engine really runs on a CUDA GPU (issue 10, Deliver 7).
#
#   scripts/gpu-check.sh [--cuda12]
#
# 1. Finds a CUDA device first (nvidia-smi lists a GPU, libcuda.so.1 is loadable) and otherwise FAILS at
#    once with "no CUDA device" (exit 3): passing on a machine without a GPU would prove nothing.
# 2. Fetches the CUDA build of the pinned llama.cpp (npm @node-llama-cpp/linux-x64-cuda@3.22.1, sha512-checked,
#    scripts/fetch-llama-native.sh --cuda; with --cuda12 also the CUDA 12 fallback for older drivers) into
#    native/linux-x64-cuda. That is the only download; the npm packages are pinned. A second run reuses it.
# 3. Builds the worker and generates the medium demo model (104M parameters, F16; deterministic, offline).
# 4. Starts the worker (unsecured, on loopback) with every layer offloaded (VESPA_GPU_LAYERS=-1) and
#    asserts from llama.cpp's own log that the CUDA backend found the GPU ("found N CUDA devices", the
#    device in the worker's "devices:" line) and that the layers went to it ("offloaded N/N layers to GPU").
# 5. Prints generated tokens/s through the worker's OpenAI API for 1 and 8 parallel streams, on the GPU and
#    then with the same libraries on the CPU (CUDA_VISIBLE_DEVICES= and VESPA_GPU_LAYERS=0), and the
#    vespa_gpu_* metrics (NVML) from the GPU worker's /metrics.
#
# Needs: an NVIDIA driver, the CUDA 13 runtime libraries (libcudart.so.13, libcublas.so.13; CUDA 12 ones
# with --cuda12) where the loader finds them (an nvidia/cuda:*-runtime image, or LD_LIBRARY_PATH), the .NET
# SDK, npm (first run only), curl. Takes about 2-4 minutes (most of it the first download and build).
#
# Environment: GPU_CHECK_PORT (worker port, 3917), GPU_CHECK_TOKENS (tokens per request, 128),
# GPU_CHECK_WORK (work folder, <repo>/perf/results/tmp/gpu-check).
#
# Exit codes: 0 all checks passed, 1 a check failed, 2 usage, 3 no CUDA device.
set -euo pipefail

fail() {
  printf 'gpu-check: FAIL: %s\n' "$*" >&2
  exit 1
}

# --- 1. A CUDA device, before anything slow. Builtins only (no PATH lookups besides nvidia-smi itself), so
# this answers in milliseconds on a CPU machine.
no_cuda_device() {
  local devices="none"
  if compgen -G '/dev/nvidia[0-9]*' >/dev/null; then devices="present"; fi
  printf 'gpu-check: FAIL: no CUDA device: %s (/dev/nvidia*: %s). This check needs an NVIDIA GPU with its driver; it never passes on a CPU machine.\n' "$1" "$devices" >&2
  exit 3
}

cuda12=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --cuda12) cuda12=1 ;;
    -h | --help) sed -n '2,27p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) printf 'gpu-check: unknown argument: %s (usage: scripts/gpu-check.sh [--cuda12])\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v nvidia-smi >/dev/null 2>&1; then
  no_cuda_device "nvidia-smi not found (no NVIDIA driver)"
fi
if ! gpus="$(nvidia-smi -L 2>&1)" || [[ "$gpus" != *"GPU "* ]]; then
  no_cuda_device "nvidia-smi lists no GPU: ${gpus//$'\n'/ }"
fi
libcuda_found=0
for dir in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 /usr/lib/wsl/lib ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do
  if [ -e "${dir}/libcuda.so.1" ]; then libcuda_found=1; break; fi
done
# (grep without -q reads all of ldconfig's output: under pipefail, an early exit could fail the pipeline.)
if [ "$libcuda_found" -eq 0 ] && ! { command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep 'libcuda\.so\.1' >/dev/null; }; then
  no_cuda_device "libcuda.so.1 (the driver's CUDA library) not found"
fi
printf 'gpu-check: CUDA device(s):\n%s\n' "$gpus"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cd "$repo_root"
port="${GPU_CHECK_PORT:-3917}"
tokens="${GPU_CHECK_TOKENS:-128}"
work="${GPU_CHECK_WORK:-${repo_root}/perf/results/tmp/gpu-check}"
native_dir="${repo_root}/native/linux-x64-cuda"
mkdir -p "$work"
command -v curl >/dev/null 2>&1 || fail "curl is needed"
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (dotnet) is needed"

# --- 2. The CUDA libraries (pinned npm package, sha512-checked; a no-op when already there).
fetch_args=(--cuda)
if [ "$cuda12" -eq 1 ]; then fetch_args=(--cuda-fallback); fi
bash scripts/fetch-llama-native.sh "${fetch_args[@]}" "$native_dir" || fail "could not fetch the CUDA libraries (scripts/fetch-llama-native.sh ${fetch_args[*]})"

# --- 3. The worker and the medium demo model.
printf 'gpu-check: building the worker and the model generator\n'
dotnet build src/Worker -c Release -p:VespaSkipNativeFetch=true -o "${work}/worker" -v quiet -nologo >"${work}/build.log" 2>&1 \
  || { tail -30 "${work}/build.log" >&2; fail "the worker did not build (${work}/build.log)"; }
dotnet build perf/EngineBench -c Release -p:VespaSkipNativeFetch=true -o "${work}/bench" -v quiet -nologo >>"${work}/build.log" 2>&1 \
  || { tail -30 "${work}/build.log" >&2; fail "the model generator did not build (${work}/build.log)"; }
model="$(dotnet "${work}/bench/Vespa.Perf.EngineBench.dll" generate medium "${work}/models")" || fail "could not generate the medium demo model"
printf 'gpu-check: model %s\n' "$model"

worker_pid=""
stop_worker() {
  if [ -n "$worker_pid" ]; then
    kill "$worker_pid" 2>/dev/null || true
    wait "$worker_pid" 2>/dev/null || true
    worker_pid=""
  fi
}
trap stop_worker EXIT

# start_worker LOG [ENV=VALUE...]: starts the worker on the model and waits until the engine answers.
start_worker() {
  local log="$1"
  shift
  env VESPA_MODEL="$model" VESPA_NATIVE_DIR="$native_dir" VESPA_HOST=127.0.0.1 VESPA_WORKER_PORT="$port" VESPA_WORKER_HTTP_PORT=off \
    VESPA_UNSECURED=true VESPA_PARALLEL=8 VESPA_CONTEXT_SIZE=4096 VESPA_LOG_LEVEL=DEBUG VESPA_NVML_INTERVAL=1 \
    VESPA_BENCHMARK_RUNS=1 VESPA_BENCHMARK_CONCURRENCY=1 VESPA_BENCHMARK_MAX_TOKENS=8 VESPA_BENCHMARK_CACHE_FILE="${log}.benchmark" \
    GGML_NO_BACKTRACE=1 "$@" dotnet "${work}/worker/vespa-worker.dll" >"$log" 2>&1 &
  worker_pid=$!
  rm -f "${log}.benchmark"
  local waited=0
  # Ready = the engine answers and the worker's own start-up benchmark is over (it must not overlap the timing).
  until curl -fs "http://127.0.0.1:${port}/metrics" 2>/dev/null | grep '^vespa_worker_ready 1' >/dev/null; do
    if ! kill -0 "$worker_pid" 2>/dev/null; then
      tail -40 "$log" >&2
      fail "the worker exited during start ($log)"
    fi
    waited=$((waited + 1))
    [ "$waited" -le 240 ] || { tail -40 "$log" >&2; fail "the engine was not ready within 120 s ($log)"; }
    sleep 0.5
  done
}

# tokens_per_second N: N concurrent chat completions of $tokens tokens each (ignore_eos), generated
# tokens (from usage) over the wall time of the whole batch.
tokens_per_second() {
  local n="$1" i start end total=0 body pid
  local -a pids=()
  body="{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story about the sea.\"}],\"max_tokens\":${tokens},\"ignore_eos\":true,\"temperature\":0}"
  rm -f "${work}"/resp.*
  start="$(date +%s.%N)"
  for ((i = 0; i < n; i++)); do
    curl -fs "http://127.0.0.1:${port}/v1/chat/completions" -H 'Content-Type: application/json' -d "$body" >"${work}/resp.${i}" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || fail "a request failed (curl exit $?)"
  done
  end="$(date +%s.%N)"
  for ((i = 0; i < n; i++)); do
    local count
    count="$(grep -o '"completion_tokens":[0-9]*' "${work}/resp.${i}" | grep -o '[0-9]*$' || true)"
    [ -n "$count" ] || fail "request $i of $n returned no usage: $(head -c 300 "${work}/resp.${i}")"
    total=$((total + count))
  done
  awk -v t="$total" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", t / (b - a) }'
}

measure() {
  tokens_per_second 1 >/dev/null # warm-up (CUDA kernels, caches)
  REPLY_1="$(tokens_per_second 1)"
  REPLY_8="$(tokens_per_second 8)"
}

# --- 4. GPU: every layer offloaded, and llama.cpp says so.
gpu_log="${work}/worker-gpu.log"
start_worker "$gpu_log" VESPA_GPU_LAYERS=-1
grep -Eq "found [1-9][0-9]* CUDA devices" "$gpu_log" \
  || { grep -iE "cuda|devices|failed to load" "$gpu_log" | tail -20 >&2; fail "the CUDA backend did not register (no 'found N CUDA devices' in $gpu_log; are libcudart/libcublas 13 on the loader path? try --cuda12 for CUDA 12)"; }
grep -Eq "devices: .*CUDA" "$gpu_log" || fail "the engine lists no CUDA device ($gpu_log)"
offload="$(grep -Eo "offloaded [0-9]+/[0-9]+ layers to GPU" "$gpu_log" | tail -1 || true)"
[ -n "$offload" ] || fail "llama.cpp did not report offloading layers to the GPU ($gpu_log)"
read -r done_layers all_layers < <(sed -E 's|offloaded ([0-9]+)/([0-9]+).*|\1 \2|' <<<"$offload")
[ "$done_layers" -gt 0 ] && [ "$done_layers" -eq "$all_layers" ] || fail "only ${offload} ($gpu_log)"
printf 'gpu-check: OK: CUDA backend registered; %s\n' "$offload"
measure
gpu_1="$REPLY_1"
gpu_8="$REPLY_8"
sleep 2 # one more NVML sample after the load
metrics="$(curl -fs "http://127.0.0.1:${port}/metrics" | grep '^vespa_gpu_' || true)"
stop_worker

# --- 5. CPU, same libraries, no device visible.
cpu_log="${work}/worker-cpu.log"
start_worker "$cpu_log" VESPA_GPU_LAYERS=0 CUDA_VISIBLE_DEVICES=
measure
cpu_1="$REPLY_1"
cpu_8="$REPLY_8"
stop_worker

printf '\ngpu-check: medium demo model (104M params, F16), %s tokens per request, tokens/s through the worker\n' "$tokens"
printf '| streams | GPU tok/s | CPU tok/s | GPU / CPU |\n|---:|---:|---:|---:|\n'
for n in 1 8; do
  g="gpu_${n}"
  c="cpu_${n}"
  awk -v n="$n" -v g="${!g}" -v c="${!c}" 'BEGIN { printf "| %d | %.1f | %.1f | %.1fx |\n", n, g, c, (c > 0 ? g / c : 0) }'
done
printf '\ngpu-check: vespa_gpu_* metrics from the GPU worker:\n'
if [ -n "$metrics" ]; then
  printf '%s\n' "$metrics"
else
  printf '(none: NVML not found; see the "NVML" line in %s)\n' "$gpu_log"
fi
printf '\ngpu-check: PASS\n'
