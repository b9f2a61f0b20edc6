#!/usr/bin/env bash
# Publishes the host for a server: framework-dependent and ReadyToRun for one runtime identifier, so a new host starts
# with its code already compiled instead of spending its first seconds in the JIT (knowledge, prompts, settings and the
# MiniLM model are copied beside it). Run it from that folder: `cd <output> && dotnet ComplianceBot.dll`.
# Usage: scripts/publish.sh [rid] [output]     (default linux-x64 into artifacts/publish/<rid>)
set -euo pipefail
cd "$(dirname "$0")/.."
rid=${1:-linux-x64}
out=${2:-artifacts/publish/$rid}
dotnet publish src/ComplianceBot -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out" -nologo
echo "published to $out"
