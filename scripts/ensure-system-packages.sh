#!/usr/bin/env bash
# Installs, from Debian's packages, whatever the test suite needs and the machine lacks. Idempotent and quick
# when everything is there. Usage: scripts/ensure-system-packages.sh <need> ...
#   python-wheel  Debian's python3 with setuptools and wheel (builds the Python wheel offline)
#   shell-tools   jq and curl (the tests run the containers' start scripts, which use them)
#   pgbouncer     PgBouncer and openssl (the pooling integration test runs a transaction pooler with TLS)
#   luajit        LuaJIT, what Kong runs (the gateway's API key translation is run in it)
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    python-wheel)
      /usr/bin/python3 -c 'import setuptools, wheel' 2>/dev/null || missing+=(python3 python3-setuptools python3-wheel python3-pip)
      ;;
    shell-tools)
      command -v jq >/dev/null && command -v curl >/dev/null || missing+=(jq curl)
      ;;
    pgbouncer)
      [ -x /usr/sbin/pgbouncer ] && command -v openssl >/dev/null || missing+=(pgbouncer openssl)
      ;;
    luajit)
      command -v luajit >/dev/null || missing+=(luajit)
      ;;
    *)
      echo "ensure-system-packages: unknown need '$need'" >&2
      exit 2
      ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-system-packages: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-system-packages: not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
