#!/usr/bin/env bash
# Soak test: the real worker (Release build) under 10 minutes (or $1 seconds) of mixed traffic on loopback: signed
# JSON and SSE requests, clients that leave mid-stream and while the backend works, forged signatures, bodies over
# the limit (declared and streamed), bodies declared but never sent, malformed and unsigned requests. Samples the
# worker's RSS, GC committed memory, open descriptors and threads every second; writes perf/results/soak.csv and
# perf/results/soak.md (date, commit, this command). Flat is the goal. Stops by itself.
#
#   perf/soak/run.sh            # 600 s of traffic
#   perf/soak/run.sh 120        # a shorter run
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-600}"
out="${SOAK_OUT:-perf/results}"
dotnet build -c Release --nologo -v quiet src/Worker/Vespa.Worker.csproj
dotnet build -c Release --nologo -v quiet perf/soak/Vespa.Perf.Soak.csproj
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+local changes in src')"
# Bounded even if something hangs: the traffic time, start-up, idle sampling and the stop.
timeout --kill-after=10 $((seconds + 300)) \
  dotnet perf/soak/bin/Release/net10.0/Vespa.Perf.Soak.dll \
  "$seconds" src/Worker/bin/Release/net10.0/vespa-worker.dll "$out" "perf/soak/run.sh${*:+ $*}" "$commit"
