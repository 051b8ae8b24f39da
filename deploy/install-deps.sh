#!/usr/bin/env bash
# Installs the Debian packages Arbor builds, tests and runs with.
# Idempotent and non-interactive: when every package is present it only runs dpkg-query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libthrift-dev thrift-compiler python3-thrift
  librocksdb-dev
  libpq-dev postgresql-15
  libboost-dev
  libspdlog-dev libfmt-dev
  libprotobuf-dev protobuf-compiler
  libssl-dev zlib1g-dev
  libsasl2-dev libsasl2-modules libsasl2-modules-gssapi-mit krb5-kdc krb5-admin-server krb5-user
  python3-pure-sasl python3-kerberos
  python3-numpy  # DuckDB's Python UDFs need it (tests/duckdb/test_write_races.py)
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 curl iproute2
  clang-19 libclang-rt-19-dev
)

. "$(dirname "$0")/lib.sh"
ensure_debian_packages "${packages[@]}"
