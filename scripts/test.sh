#!/usr/bin/env bash
# Runs the whole test suite (the README's test command; .ci/run calls exactly this) and ends
# with one line "N passed, N failed" summed over every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
dotnet test Vespa.sln --configuration Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Per-project summary lines look like: "Passed!  - Failed:     0, Passed:    42, Skipped:     0, Total:    42, ..."
passed=$(grep -E '^(Passed|Failed)! +- ' "$log" | grep -Eo 'Passed: +[0-9]+' | awk '{s += $2} END {print s + 0}')
failed=$(grep -E '^(Passed|Failed)! +- ' "$log" | grep -Eo 'Failed: +[0-9]+' | awk '{s += $2} END {print s + 0}')
skipped=$(grep -E '^(Passed|Failed)! +- ' "$log" | grep -Eo 'Skipped: +[0-9]+' | awk '{s += $2} END {print s + 0}')

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status (build error or a crashed test host); see the log above." >&2
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
