#!/usr/bin/env bash
# Measures the README run command: seconds from launch until /healthz answers, and the host's memory then.
# Usage: scripts/measure-startup.sh [runs]   (builds first so the build is not counted; a fresh data/ each run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
dotnet build src/ComplianceBot -v q -nologo >/dev/null
for i in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s.%N)
  DataDirectory="$data" dotnet run --no-build --project src/ComplianceBot >/dev/null 2>&1 &
  launcher=$!
  until curl -sf http://localhost:5080/healthz >/dev/null 2>&1; do sleep 0.05; done
  ready=$(date +%s.%N)
  sleep 2  # let startup work (knowledge index, background loading) settle before reading memory
  pid=$(pgrep -f "bin/Debug/net10.0/ComplianceBot" | head -n 1)
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  printf 'run %d: ready in %.2f s, RSS %d MiB\n' "$i" "$(echo "$ready - $start" | bc)" "$((rss_kb / 1024))"
  kill "$pid" "$launcher" 2>/dev/null || true
  wait "$launcher" 2>/dev/null || true
  rm -rf "$data"
done
