#!/usr/bin/env bash
# Installs what the cloud metastore tests (tests/cloud/: the DuckDB extension's glue and
# dataproc providers) need: a venv with moto's Glue server, boto3 to load it, pyarrow to
# write the Parquet data files, and cryptography (moto's own dependency) for the
# stand-in service-account key. Pinned, cached in ${ARBOR_CACHE:-$HOME/.cache/arbor}/cloud/,
# rebuilt only when the pinned set changes (a stamp file records it). Prints nothing
# when everything is present. The Rust crates of clients/duckdb/cloud come through cargo
# (pinned by its Cargo.lock, cached in ~/.cargo) when CMake builds it.
set -euo pipefail

MOTO_VERSION=5.2.6
BOTO3_VERSION=1.44.18
PYARROW_VERSION=26.0.1

dir="${ARBOR_CACHE:-$HOME/.cache/arbor}/cloud"
want="moto[server,glue]==$MOTO_VERSION boto3==$BOTO3_VERSION pyarrow==$PYARROW_VERSION"
stamp="$dir/.installed"

. "$(dirname "$0")/lib.sh"  # ensure_debian_packages
ensure_debian_packages python3-venv

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "install-cloud-test: installing into $dir ($want)"
rm -rf "$dir"
mkdir -p "$dir"
/usr/bin/python3 -m venv "$dir/venv"
# shellcheck disable=SC2086 # $want is a list of requirements
"$dir/venv/bin/pip" install -q --disable-pip-version-check $want
echo "$want" > "$stamp"
