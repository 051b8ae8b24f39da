#!/usr/bin/env bash
# Runs one engine test module with the engine column's venv from
# deploy/install-engines.sh. Usage: run.sh COLUMN TEST_FILE [pytest args...]
# ctest calls it (tests/engines/CMakeLists.txt) with ARBORD, ARBOR_CLI, ARBOR_GEN_PY set.
set -euo pipefail
column="$1"; shift
dir="${ARBOR_CACHE:-$HOME/.cache/arbor}/engines/$column"
if [ ! -x "$dir/venv/bin/python" ]; then
  echo "engine column $column is not installed: run deploy/install-engines.sh $column" >&2
  exit 1
fi
# A column without an Iceberg runtime (no jars/) runs the Hive-table modules only.
if [ -d "$dir/jars" ]; then export ARBOR_ENGINE_JARS="$dir/jars"; fi
# Trino's server, CLI and JDK (deploy/install-trino.sh) for the trino column.
export ARBOR_TRINO_DIR="${ARBOR_CACHE:-$HOME/.cache/arbor}/trino"
export PYTHONDONTWRITEBYTECODE=1
# Spark binds its driver to this address instead of guessing a non-loopback one.
export SPARK_LOCAL_IP=127.0.0.1
cd "$(dirname "$0")"
exec "$dir/venv/bin/python" -m pytest -p no:cacheprovider -q -rfEs "$@"
