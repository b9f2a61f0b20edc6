#!/usr/bin/env bash
# Adds a migration for both providers (SQLite and SQL Server), keeping the two sets in step.
# Usage: scripts/add-migration.sh <Name>     (before the first release: scripts/add-migration.sh --reset Initial)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--reset" ]; then
  shift
  rm -rf src/ComplianceBot/Data/Migrations
fi
name=${1:?usage: scripts/add-migration.sh [--reset] <MigrationName>}
dotnet tool restore >/dev/null
for provider in Sqlite SqlServer; do
  dotnet ef migrations add "$name" --project src/ComplianceBot \
    --context "${provider}ComplianceDbContext" --output-dir "Data/Migrations/${provider}"
done
