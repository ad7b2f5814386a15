#!/usr/bin/env bash
# Runs the worker's property tests (tests/Vespa.Worker.Tests/Properties) longer than CI does, with
# fresh random inputs each run: CsCheck samples ITERATIONS inputs per property on 2 threads and,
# when one fails, shrinks it and prints it with its seed. Replay a printed seed with SEED=<seed>.
#
#   scripts/property-tests.sh                 # 2000 inputs per property
#   ITERATIONS=20000 scripts/property-tests.sh
#   SEED=<seed from a failure> scripts/property-tests.sh
#
# CI runs the same properties with a fixed seed and 40 inputs each (a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

export VESPA_PROPERTY_ITERATIONS="${ITERATIONS:-2000}"
if [ -n "${SEED:-}" ]; then
  export VESPA_PROPERTY_SEED="$SEED"
fi

dotnet build tests/Vespa.Worker.Tests --configuration Release --nologo -v quiet
dotnet test tests/Vespa.Worker.Tests --configuration Release --no-build --nologo \
  --filter "FullyQualifiedName~Vespa.Worker.Tests.Properties" --logger "console;verbosity=normal"
