#!/usr/bin/env bash
# Installs what the Hive test suite (tests/hive/) needs, pinned and cached outside
# the source tree in ${ARBOR_CACHE:-$HOME/.cache/arbor}:
#   m2/                Maven repository (-Dmaven.repo.local) holding Hive 4's
#                      metastore client jar and its dependencies
#   hive/client.classpath   the resolved classpath of tests/hive/client/pom.xml;
#                      the tests compile and run with javac/java from it, offline
#   hive/apache-hive-metastore-4.0.1-bin/   Hive's standalone metastore server
#                      (the reference HMS of the differential tests), from Maven
#                      Central's hive-standalone-metastore-server bin tarball
#   hive/reference-hadoop.classpath   the Hadoop jars that server needs
#                      (tests/hive/reference/pom.xml)
#   hive/client-suite.classpath   Hive's metastore client API tests (the `tests`
#                      jar of hive-standalone-metastore-server) and JUnit 4
#                      (tests/hive/suite/pom.xml)
# and Debian's PostgreSQL 15 (the reference HMS's database; the tests run initdb).
# A stamp file records the pinned set, so a second run does nothing and prints
# nothing. Needs a JDK 17 and Maven (installed from Debian when missing).
set -euo pipefail

HIVE_VERSION=4.0.1  # hive-standalone-metastore-common; must match tests/hive/client/pom.xml

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${ARBOR_CACHE:-$HOME/.cache/arbor}"
dir="$cache/hive"
m2="$cache/m2"

. "$(dirname "$0")/lib.sh"  # ensure_debian_packages

# Maven, quiet unless it fails (then its log is printed).
quiet_mvn() {
  mkdir -p "$dir"
  if ! mvn -q -B -Dmaven.repo.local="$m2" "$@" > "$dir/mvn.log" 2>&1; then
    cat "$dir/mvn.log" >&2
    return 1
  fi
}

install_client() {
  local pom="$root/tests/hive/client/pom.xml"
  local stamp="$dir/.client-installed"
  local want
  want="hive=$HIVE_VERSION pom=$(sha256sum "$pom" | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dir/client.classpath" ]; then
    return 0
  fi
  echo "install-hive: resolving the Hive $HIVE_VERSION metastore client into $m2"
  mkdir -p "$dir" "$m2"
  quiet_mvn -f "$pom" dependency:build-classpath \
    -Dmdep.outputFile="$dir/client.classpath.tmp"
  mv "$dir/client.classpath.tmp" "$dir/client.classpath"
  echo "$want" > "$stamp"
}

# The reference server: the bin tarball unpacked, plus Hadoop's jars.
install_reference() {
  local pom="$root/tests/hive/reference/pom.xml"
  local stamp="$dir/.reference-installed"
  local want
  want="hive=$HIVE_VERSION pom=$(sha256sum "$pom" | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "install-hive: installing the reference Hive $HIVE_VERSION metastore into $dir"
  mkdir -p "$dir" "$m2"
  local artifact="org.apache.hive:hive-standalone-metastore-server:$HIVE_VERSION:tar.gz:bin"
  quiet_mvn dependency:get \
    -Dartifact="$artifact" -Dtransitive=false
  rm -rf "$dir/apache-hive-metastore-$HIVE_VERSION-bin"
  tar xzf "$m2/org/apache/hive/hive-standalone-metastore-server/$HIVE_VERSION/hive-standalone-metastore-server-$HIVE_VERSION-bin.tar.gz" \
    -C "$dir"
  quiet_mvn -f "$pom" dependency:build-classpath \
    -Dmdep.outputFile="$dir/reference-hadoop.classpath.tmp"
  mv "$dir/reference-hadoop.classpath.tmp" "$dir/reference-hadoop.classpath"
  echo "$want" > "$stamp"
}

# Hive's client API tests; they run on the reference server's classpath.
install_client_suite() {
  local pom="$root/tests/hive/suite/pom.xml"
  local stamp="$dir/.client-suite-installed"
  local want
  want="hive=$HIVE_VERSION pom=$(sha256sum "$pom" | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dir/client-suite.classpath" ]; then
    return 0
  fi
  echo "install-hive: resolving Hive $HIVE_VERSION's metastore client API tests into $m2"
  quiet_mvn -f "$pom" dependency:build-classpath \
    -Dmdep.outputFile="$dir/client-suite.classpath.tmp"
  mv "$dir/client-suite.classpath.tmp" "$dir/client-suite.classpath"
  echo "$want" > "$stamp"
}

ensure_debian_packages openjdk-17-jdk-headless maven postgresql-15
install_client
install_reference
install_client_suite
