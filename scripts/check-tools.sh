#!/usr/bin/env bash
# Check that every tool the build and the test suite call is present (scripts/required-tools.txt),
# and that the Debian package providing it is one scripts/setup.sh installs. One line per missing
# tool, naming its package; exit 1 if any is missing or unlisted, 0 otherwise.
#   scripts/check-tools.sh            check all
#   scripts/check-tools.sh -q         print nothing when all is well
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
quiet=0
[ "${1-}" = -q ] && quiet=1
table="$here/required-tools.txt"
listed="$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^\s*$/d' "$here/debian-packages.txt")"

missing=() unlisted=() n=0
while read -r tool package _; do
  [ -z "$tool" ] && continue
  n=$((n + 1))
  grep -qxF "$package" <<<"$listed" || unlisted+=("$tool: its package $package is not in scripts/debian-packages.txt")
  case "$tool" in
    python:*)
      /usr/bin/python3 -c "import ${tool#python:}" >/dev/null 2>&1 ;;
    /*)
      [ -x "$tool" ] ;;
    *)
      command -v "$tool" >/dev/null 2>&1 ;;
  esac || missing+=("$tool (Debian package $package)")
done < <(sed -e 's/#.*//' -e '/^\s*$/d' "$table")

if [ ${#unlisted[@]} -gt 0 ] || [ ${#missing[@]} -gt 0 ]; then
  for u in "${unlisted[@]}"; do echo "check-tools: $u" >&2; done
  for m in "${missing[@]}"; do echo "check-tools: missing $m" >&2; done
  [ ${#missing[@]} -gt 0 ] && echo "check-tools: run scripts/setup.sh to install the missing packages" >&2
  exit 1
fi
[ $quiet -eq 1 ] || echo "check-tools: all $n tools of scripts/required-tools.txt present"
exit 0
