#!/usr/bin/env bash
# Installs the real query engines the engine test suite (tests/engines/) drives against
# arbord: PySpark with its bundled Hive 2.3.9 metastore client, the Iceberg Spark runtime
# jar, and PyIceberg. Everything is pinned to exact versions and cached outside the
# source tree, in ${ARBOR_CACHE:-$HOME/.cache/arbor}/engines/<column>/, so a second run
# only checks a stamp file per column. Prints nothing when everything is present.
#
# Usage: deploy/install-engines.sh [column...]   (default: every column)
#   spark35   pyspark 3.5, iceberg-spark-runtime-3.5_2.12, pyiceberg[hive,pyarrow]
#             (+ pyiceberg-core, which PyIceberg's day/hour transforms need)
#   spark41   pyspark 4.1 (Java 17; the newest 4.x line Iceberg ships a Spark
#             runtime for), iceberg-spark-runtime-4.1_2.13
#   spark43   pyspark 4.3, the newest 4.x (Java 17), without Iceberg (no runtime
#             for it yet): the Hive-table and branch modules only
#   trino     a venv with pytest for the Trino modules, and Trino 476's server and
#             CLI (deploy/install-trino.sh, cached in .../arbor/trino/)
set -euo pipefail

PYSPARK35_VERSION=3.5.9
PYSPARK41_VERSION=4.1.4
PYSPARK43_VERSION=4.3.0
PYICEBERG_VERSION=0.12.0
ICEBERG_VERSION=1.12.0
PYTEST_VERSION=9.2.0
THRIFT_VERSION=0.25.0
PYARROW_VERSION=26.0.1

cache_root="${ARBOR_CACHE:-$HOME/.cache/arbor}/engines"
columns=("$@")
[ ${#columns[@]} -gt 0 ] || columns=(spark35 spark41 spark43 trino)

. "$(dirname "$0")/lib.sh"  # ensure_debian_packages

# copy_jar GROUP:ARTIFACT:VERSION DIR: fetches one jar (no dependencies) from Maven Central.
copy_jar() {
  local artifact="$1" dir="$2"
  mkdir -p "$dir"
  if ! mvn -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$dir" \
    -Dmdep.useBaseVersion=true > "$dir/mvn.log" 2>&1; then
    cat "$dir/mvn.log" >&2
    return 1
  fi
}

# install_column NAME JAR_ARTIFACT PIP_REQUIREMENT...: a venv and one jar (none when
# JAR_ARTIFACT is "-") in $cache_root/NAME, rebuilt only when the pinned set changes
# (a stamp file records it).
install_column() {
  local name="$1" jar="$2"
  shift 2
  local dir="$cache_root/$name"
  local stamp="$dir/.installed"
  local want="$* $jar"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "install-engines: installing $name into $dir ($want)"
  rm -rf "$dir"
  mkdir -p "$dir"
  # Debian's python3 (3.11): within the range pyspark 3.5 and 4.1 support.
  /usr/bin/python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install -q --disable-pip-version-check wheel
  "$dir/venv/bin/pip" install -q --disable-pip-version-check "$@"
  if [ "$jar" != "-" ]; then copy_jar "$jar" "$dir/jars"; fi
  echo "$want" > "$stamp"
}

install_spark35() {
  install_column spark35 "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:$ICEBERG_VERSION" \
    "pyspark==$PYSPARK35_VERSION" \
    "pyiceberg[hive,pyarrow,pyiceberg-core]==$PYICEBERG_VERSION" \
    "pyarrow==$PYARROW_VERSION" "pytest==$PYTEST_VERSION" "thrift==$THRIFT_VERSION"
}

install_spark41() {
  install_column spark41 "org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:$ICEBERG_VERSION" \
    "pyspark==$PYSPARK41_VERSION" "pytest==$PYTEST_VERSION" "thrift==$THRIFT_VERSION"
}

install_spark43() {
  install_column spark43 - \
    "pyspark==$PYSPARK43_VERSION" "pytest==$PYTEST_VERSION" "thrift==$THRIFT_VERSION"
}

install_trino() {
  install_column trino - "pytest==$PYTEST_VERSION" "thrift==$THRIFT_VERSION"
  "$(dirname "$0")/install-trino.sh"
}

ensure_debian_packages openjdk-17-jre-headless maven python3-venv
for c in "${columns[@]}"; do
  case "$c" in
    spark35) install_spark35 ;;
    spark41) install_spark41 ;;
    spark43) install_spark43 ;;
    trino) install_trino ;;
    *) echo "install-engines: unknown column $c" >&2; exit 2 ;;
  esac
done
