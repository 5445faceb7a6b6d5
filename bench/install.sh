#!/usr/bin/env bash
# Installs what the benchmark compares against, from Debian, if missing: Postfix (for
# smtp-sink and smtp-source), swaks, and GNU time (peak RSS). Postfix is preseeded to
# "No configuration" and a policy-rc.d keeps its postinst from starting any service.
set -euo pipefail

PACKAGES=(postfix swaks time)
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0
[[ $(id -u) == 0 ]] || { echo "bench: installing ${missing[*]} needs root (or install them yourself)" >&2; exit 1; }

# exit 101 = "action forbidden": invoke-rc.d starts nothing. Only our own policy is removed.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# convospec bench/install.sh: no service starts during install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "bench: installing ${missing[*]}" >&2
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
