#!/usr/bin/env bash
# Cold start of the host, N times: launch on a fresh data folder (Development, no channels), poll /healthz every 50 ms,
# print the milliseconds to the first "Healthy", to the first log line and to "Now listening", and the CPU the host had
# used by then (user + system, all threads: on two cores, what a start costs rather than how it overlaps). Build it first:
#   dotnet build -c Release src/ComplianceBot && bench/cold-start.sh [runs=5] [path/to/ComplianceBot.dll]
# (a ReadyToRun publish: scripts/publish.sh, then bench/cold-start.sh 5 artifacts/publish/linux-x64/ComplianceBot.dll)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dll=$(realpath "${2:-src/ComplianceBot/bin/Release/net10.0/ComplianceBot.dll}")
port=${PORT:-5997}
for run in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  log=$(mktemp)
  start=$(date +%s%N)
  DataDirectory=$data ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:$port \
    dotnet "$dll" --contentRoot "$PWD" 2>&1 | while IFS= read -r line; do echo "$(( ($(date +%s%N) - start) / 1000000 )) $line"; done > "$log" &
  healthy=timeout cpu=?
  for _ in $(seq 1 1200); do
    if curl -s "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '^Healthy'; then
      healthy=$(( ($(date +%s%N) - start) / 1000000 ))
      cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$(pgrep -f "$dll --contentRoot" | head -1)/stat")
      break
    fi
    sleep 0.05
  done
  echo "run $run: healthy ${healthy} ms (CPU ${cpu} ms); first log $(head -1 "$log" | cut -d' ' -f1) ms; listening $(grep -m1 'Now listening' "$log" | cut -d' ' -f1) ms"
  pkill -f "$dll --contentRoot" ; sleep 1
  [ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG.$run" # KEEP_LOG=/tmp/start keeps each run's log as /tmp/start.<run>
  rm -rf "$data" "$log"
done
