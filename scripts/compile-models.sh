#!/usr/bin/env bash
# Compiles each provider's EF model into Data/CompiledModels/<provider> (`dotnet ef dbcontext optimize`): the host starts
# from these instead of building the model from OnModelCreating (1.2 s of a cold start). Run it after any change to the
# entities or OnModelCreating (scripts/add-migration.sh does); CompiledModelTests fail until it has been run.
# Usage: scripts/compile-models.sh [--no-build] [provider...]   (default: Sqlite SqlServer Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
build=true
if [ "${1:-}" = "--no-build" ]; then
  build=false
  shift
fi
if [ $# -eq 0 ]; then
  set -- Sqlite SqlServer Postgres
fi
dotnet tool restore >/dev/null
if $build; then
  dotnet build src/ComplianceBot >/dev/null
fi
for provider in "$@"; do
  rm -rf "src/ComplianceBot/Data/CompiledModels/${provider}"
  dotnet ef dbcontext optimize --project src/ComplianceBot --no-build --context "${provider}ComplianceDbContext" \
    --output-dir "Data/CompiledModels/${provider}" --namespace "ComplianceBot.Data.CompiledModels.${provider}"
done
