#!/usr/bin/env bash
# Adds a migration for every provider (SQLite, SQL Server, PostgreSQL), keeping the three sets in step, and compiles
# each provider's model again (Data/CompiledModels: the host starts from those instead of building the model).
# Usage: scripts/add-migration.sh <Name>     (before the first release: scripts/add-migration.sh --reset Initial)
#        scripts/add-migration.sh --provider Postgres <Name>   (one provider only: to bring a new provider up to date)
set -euo pipefail
cd "$(dirname "$0")/.."
providers=(Sqlite SqlServer Postgres)
if [ "${1:-}" = "--reset" ]; then
  shift
  rm -rf src/ComplianceBot/Data/Migrations
fi
if [ "${1:-}" = "--provider" ]; then
  providers=("${2:?usage: scripts/add-migration.sh --provider <Sqlite|SqlServer|Postgres> <MigrationName>}")
  shift 2
fi
name=${1:?usage: scripts/add-migration.sh [--reset] [--provider P] <MigrationName>}
dotnet tool restore >/dev/null
dotnet build src/ComplianceBot >/dev/null
for provider in "${providers[@]}"; do
  dotnet ef migrations add "$name" --project src/ComplianceBot --no-build \
    --context "${provider}ComplianceDbContext" --output-dir "Data/Migrations/${provider}"
done
scripts/compile-models.sh --no-build "${providers[@]}"
