#!/usr/bin/env bash
# Installs what the DuckDB extension (clients/duckdb/) is built and tested with, pinned
# to the DuckDB release in clients/duckdb/DUCKDB_VERSION and cached outside the source
# tree in ${ARBOR_CACHE:-$HOME/.cache/arbor}/duckdb/<version>/:
#   include/   the C++ headers of that release, from the PyPI source distribution
#              (src/include of its bundled DuckDB; no DuckDB build of our own)
#   third_party/{fmt,re2,fast_float}  the bundled libraries those headers include
#   venv/      Debian's python3 (with its system packages, for python3-thrift) and the
#              same release's binary wheel, which the tests load the extension into
# A second run only compares a stamp file and prints nothing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="$(cat "$here/../clients/duckdb/DUCKDB_VERSION")"
dir="${ARBOR_CACHE:-$HOME/.cache/arbor}/duckdb/$version"
stamp="$dir/.installed"
# Bump the suffix when the set of extracted files changes.
want="duckdb==$version headers+fmt,re2,fast_float"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

. "$here/lib.sh"  # ensure_debian_packages
ensure_debian_packages python3-venv python3-pip python3-thrift

echo "install-duckdb: installing DuckDB $version headers and wheel into $dir"
mkdir -p "$dir"
rm -rf "$dir/include" "$dir/third_party" "$dir/venv" "$dir/src"
/usr/bin/python3 -m venv --system-site-packages "$dir/venv"
pip="$dir/venv/bin/pip"
"$pip" install -q --disable-pip-version-check "duckdb==$version"
# The sdist, without building it: its build dependencies come as wheels, duckdb
# itself only as source (--no-binary duckdb).
"$pip" download -q --disable-pip-version-check --no-deps --no-binary duckdb \
  -d "$dir/sdist" "duckdb==$version"
mkdir -p "$dir/src"
# DuckDB's headers, and the three bundled libraries they include.
tp="duckdb-$version/external/duckdb/third_party"
tar xzf "$dir/sdist/duckdb-$version.tar.gz" -C "$dir/src" \
  "duckdb-$version/external/duckdb/src/include" "$tp/fmt/include" "$tp/re2" "$tp/fast_float"
mv "$dir/src/duckdb-$version/external/duckdb/src/include" "$dir/include"
mkdir -p "$dir/third_party"
mv "$dir/src/$tp/fmt/include" "$dir/third_party/fmt"
mv "$dir/src/$tp/re2" "$dir/third_party/re2"
mv "$dir/src/$tp/fast_float" "$dir/third_party/fast_float"
rm -rf "$dir/src"
installed="$("$dir/venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
if [ "$installed" != "$version" ]; then
  echo "install-duckdb: wheel reports DuckDB $installed, expected $version" >&2
  exit 1
fi
echo "$want" > "$stamp"
