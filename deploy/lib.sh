# Shared by the deploy/install-*.sh scripts: source it, do not run it.

# ensure_debian_packages NAME...: installs the named Debian packages that are not
# installed yet; does nothing (beyond dpkg-query) when all are present. The caller's
# name prefixes the one line it prints.
ensure_debian_packages() {
  local missing=() p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "$(basename "$0" .sh): installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
