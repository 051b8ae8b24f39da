#!/usr/bin/env bash
# Installs Trino for the engine test suite (tests/engines/test_trino_*.py): the server
# tarball and the CLI's executable jar from Maven Central, pinned and checked against
# the SHA-1 sums recorded here (the ones Maven Central publishes beside them), into
# ${ARBOR_CACHE:-$HOME/.cache/arbor}/trino/:
#   trino-server-476/   the unpacked server (its plugin/ folder is never changed:
#                       the tests point plugin.dir at links to the plugins they use)
#   trino-cli-476.jar   the CLI
#   java-home           the JDK the tests start Trino with (Trino 476 needs Java 24+;
#                       the machine's Temurin 25 in /usr/lib/jvm)
# The ~800 MB tarball is removed once unpacked; a stamp file records the pinned set,
# so a second run only compares it and prints nothing.
set -euo pipefail

TRINO_VERSION=476
SERVER_SHA1=c9b38be4017ebd2f7095455aaac772fb40247ebe
CLI_SHA1=c835824e01842036d4e0c071b5e2b7e1d28ba299
MAVEN="${ARBOR_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}"

dir="${ARBOR_CACHE:-$HOME/.cache/arbor}/trino"

. "$(dirname "$0")/lib.sh"  # ensure_debian_packages

# fetch URL SHA1 OUT: downloads URL to OUT unless OUT already has the sum.
fetch() {
  local url="$1" sum="$2" out="$3"
  if [ -f "$out" ] && echo "$sum  $out" | sha1sum -c --status; then return 0; fi
  curl -fsSL --retry 3 -o "$out.part" "$url"
  if ! echo "$sum  $out.part" | sha1sum -c --status; then
    echo "install-trino: checksum mismatch for $url" >&2
    rm -f "$out.part"
    return 1
  fi
  mv "$out.part" "$out"
}

# The newest JDK 24+ in /usr/lib/jvm (Temurin 25 on the project's machines).
find_java_home() {
  local home version
  for home in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    [ -x "$home/bin/java" ] || continue
    version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
              sed -n 's/^ *java.specification.version = //p')
    if [ -n "$version" ] && [ "$version" -ge 24 ] 2>/dev/null; then
      echo "${home%/}"
      return 0
    fi
  done
  echo "install-trino: Trino $TRINO_VERSION needs Java 24 or newer; none in /usr/lib/jvm" >&2
  return 1
}

ensure_debian_packages curl ca-certificates
java_home=$(find_java_home)
stamp="$dir/.installed"
want="trino=$TRINO_VERSION server=$SERVER_SHA1 cli=$CLI_SHA1 java=$java_home"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

echo "install-trino: installing Trino $TRINO_VERSION into $dir"
mkdir -p "$dir"
base="$MAVEN/io/trino"
fetch "$base/trino-cli/$TRINO_VERSION/trino-cli-$TRINO_VERSION-executable.jar" "$CLI_SHA1" \
  "$dir/trino-cli-$TRINO_VERSION.jar"
if [ ! -f "$dir/trino-server-$TRINO_VERSION/.unpacked" ]; then
  tarball="$dir/trino-server-$TRINO_VERSION.tar.gz"
  fetch "$base/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz" "$SERVER_SHA1" \
    "$tarball"
  rm -rf "$dir/trino-server-$TRINO_VERSION"
  tar xzf "$tarball" -C "$dir"
  touch "$dir/trino-server-$TRINO_VERSION/.unpacked"
  rm -f "$tarball"
fi
echo "$java_home" > "$dir/java-home"
echo "$want" > "$stamp"
