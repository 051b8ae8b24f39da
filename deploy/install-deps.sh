#!/usr/bin/env bash
# Installs the Debian packages Arbor builds, tests and runs with.
# Idempotent and non-interactive: when every package is present it only runs dpkg-query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libthrift-dev thrift-compiler python3-thrift
  librocksdb-dev
  libboost-dev
  libspdlog-dev libfmt-dev
  libprotobuf-dev protobuf-compiler
  libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 curl iproute2
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
