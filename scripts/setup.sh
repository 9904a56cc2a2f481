#!/usr/bin/env bash
# Install the Debian packages citsim needs (scripts/debian-packages.txt), only those missing.
# Idempotent: with everything present it returns at once without touching apt.
#   scripts/setup.sh [EXTRA_LIST ...]   also the packages of further lists (e.g. bench/packages.txt)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mapfile -t wanted < <(cat "$here/debian-packages.txt" "$@" | sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^\s*$/d')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Every tool the suite calls must come from a listed package: say which one is missing, here
# rather than deep inside a test.
[ ${#missing[@]} -eq 0 ] && exec bash "$here/check-tools.sh" -q

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
bash "$here/check-tools.sh" -q
