#!/usr/bin/env bash
# Installs Postfix and Dovecot from Debian's packages without letting their postinst
# scripts start a system-wide server (no systemd here: they would go through invoke-rc.d).
# Nothing under /etc/postfix or /etc/dovecot is edited; Postfix is preseeded to
# "No configuration" so it does not even write a main.cf there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-managesieved openssl swaks netcat-openbsd curl python3)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  log "packages already installed"
  exit 0
fi
[[ $(id -u) == 0 ]] || die "installing ${missing[*]} needs root"

# policy-rc.d exit 101 = "action forbidden": invoke-rc.d then starts nothing. Only ours
# is removed afterwards; an existing policy is left as it was.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# convospec test/servers/install.sh: no service starts during install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
log "installing ${missing[*]}"
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
if $own_policy; then rm -f "$policy"; trap - EXIT; fi
