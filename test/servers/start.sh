#!/usr/bin/env bash
# Starts convospec's CI mail servers: Postfix (SMTP MX, submission, implicit TLS, plain)
# and Dovecot (IMAP, IMAPS, POP3, POP3S, LMTP, ManageSieve) on loopback high ports,
# everything under a private folder ($CONVOSPEC_SERVERS_DIR, default <repo>/.servers).
# Installs the Debian packages first if they are missing. Safe to re-run: it stops what it
# started before.
#
# Prints progress on stderr and, on success, the path of the env file on stdout:
#   . "$(bash test/servers/start.sh)"     # exports MAIL_HOST, ports, MAIL_CA, ...
# Stop with test/servers/stop.sh. Never edits /etc/postfix or /etc/dovecot.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

[[ $(id -u) == 0 ]] || die "start.sh runs as root (Postfix and Dovecot drop privileges themselves)"
bash "$here/install.sh"

# Configuration files name everything through $SERVERS_PATH (see lib.sh).
PF=$SERVERS_PATH/postfix
DV=$SERVERS_PATH/dovecot
MAIL=$SERVERS_PATH/mail
TLS=$SERVERS_PATH/tls
MARKER=$SERVERS_PATH/.convospec-servers
VMAIL_UID=$(id -u mail)
VMAIL_GID=$(id -g mail)

stop_servers

# On any failure from here on, show what the servers said.
dump_logs() {
  local f
  for f in "$SERVERS_PATH/start.log" "$PF/postfix.log" "$DV/dovecot.log"; do
    [[ -f $f ]] && { printf '[servers] --- last lines of %s\n' "$f" >&2; tail -n 40 "$f" >&2; }
  done
  return 0
}
trap 'dump_logs' ERR

# Start from an empty folder each time, but only delete a folder that this script made.
if [[ -e $SERVERS_PATH ]]; then
  if [[ -f $MARKER ]]; then
    rm -rf "$SERVERS_PATH"
  elif [[ -n $(ls -A "$SERVERS_PATH") ]]; then
    die "$SERVERS_PATH exists, is not empty and was not made by start.sh: choose another CONVOSPEC_SERVERS_DIR"
  fi
fi
mkdir -p "$SERVERS_PATH"
chmod 755 "$SERVERS_PATH"
touch "$MARKER"
if [[ $SERVERS_PATH != "$SERVERS_DIR" ]]; then
  [[ -L $SERVERS_DIR ]] && rm "$SERVERS_DIR"
  [[ -d $SERVERS_DIR ]] && { rmdir "$SERVERS_DIR" 2>/dev/null || die "$SERVERS_DIR must be empty or absent"; }
  mkdir -p "$(dirname "$SERVERS_DIR")"
  ln -s "$SERVERS_PATH" "$SERVERS_DIR"
fi
# The servers' unprivileged users (postfix, mail, dovecot) must reach into the folder.
runuser -u nobody -- test -x "$SERVERS_PATH" ||
  die "$SERVERS_DIR is not reachable by unprivileged users (a parent folder lacks o+x): set CONVOSPEC_SERVERS_DIR to a folder such as /var/tmp/convospec-servers"

for port in "${ALL_PORTS[@]}"; do
  for addr in "${LISTEN_ADDRESSES[@]}"; do
    if timeout 1 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null; then
      die "$addr:$port is already in use by a process that start.sh did not start"
    fi
  done
done

log "certificates in $TLS"
bash "$here/certs.sh" "$TLS"

RUN=$DV/run
mkdir -p "$RUN" "$DV/state"
SASL_SOCKET=$RUN/auth-postfix

# Fill a template's @NAME@ placeholders.
render() {
  sed -e "s|@PF@|$PF|g" -e "s|@DV@|$DV|g" -e "s|@RUN@|$RUN|g" -e "s|@MAIL@|$MAIL|g" \
    -e "s|@TLS@|$TLS|g" -e "s|@SASL_SOCKET@|$SASL_SOCKET|g" \
    -e "s|@DOMAIN@|$MAIL_DOMAIN|g" -e "s|@SERVERNAME@|$MAIL_SERVERNAME|g" \
    -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@VMAIL_GID@|$VMAIL_GID|g" \
    -e "s|@SMTP_PORT@|$SMTP_PORT|g" -e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" \
    -e "s|@SMTPS_PORT@|$SMTPS_PORT|g" -e "s|@PLAIN_SMTP_PORT@|$PLAIN_SMTP_PORT|g" \
    -e "s|@LMTP_PORT@|$LMTP_PORT|g" -e "s|@IMAP_PORT@|$IMAP_PORT|g" -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" \
    -e "s|@POP3_PORT@|$POP3_PORT|g" -e "s|@POP3S_PORT@|$POP3S_PORT|g" -e "s|@SIEVE_PORT@|$SIEVE_PORT|g" \
    "$here/templates/$1"
}

# Mailboxes: one Maildir per test user, shared by Postfix's virtual(8) and Dovecot.
mkdir -p "$MAIL"
hash=$(openssl passwd -6 "$MAIL_PASS")
: >"$DV/users"
mkdir -p "$PF/etc"
: >"$PF/etc/vmailbox"
for user in "${TEST_USERS[@]}"; do
  home=$MAIL/$MAIL_DOMAIN/$user
  printf '%s@%s:{SHA512-CRYPT}%s:%s:%s::%s::\n' "$user" "$MAIL_DOMAIN" "$hash" "$VMAIL_UID" "$VMAIL_GID" "$home" >>"$DV/users"
  printf '%s@%s %s/%s/Maildir/\n' "$user" "$MAIL_DOMAIN" "$MAIL_DOMAIN" "$user" >>"$PF/etc/vmailbox"
done
chown -R "$VMAIL_UID:$VMAIL_GID" "$MAIL"
chmod 640 "$DV/users"
chgrp dovecot "$DV/users"

log "Postfix in $PF"
mkdir -p "$PF/queue"
# post-install creates the queue subfolders when Postfix starts; data_directory is ours.
install -d -o postfix -g postfix -m 700 "$PF/data"
render postfix-main.cf >"$PF/etc/main.cf"
render postfix-master.cf >"$PF/etc/master.cf"
postmap -c "$PF/etc" "hash:$PF/etc/vmailbox"
log "Dovecot in $DV"
render dovecot.conf >"$DV/dovecot.conf"


# The daemons must not keep the caller's stdout/stderr open: `$(start.sh)` would never end.
postfix -c "$PF/etc" check </dev/null >>"$SERVERS_PATH/start.log" 2>&1
postfix -c "$PF/etc" start </dev/null >>"$SERVERS_PATH/start.log" 2>&1
dovecot -c "$DV/dovecot.conf" </dev/null >>"$SERVERS_PATH/start.log" 2>&1

# Wait (at most 30 s) until every listener answers on both addresses.
log "waiting for ports ${ALL_PORTS[*]} on ${LISTEN_ADDRESSES[*]}"
deadline=$((SECONDS + 30))
for port in "${ALL_PORTS[@]}"; do
  for addr in "${LISTEN_ADDRESSES[@]}"; do
    until timeout 1 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        dump_logs
        die "$addr:$port did not answer within 30 s"
      fi
      sleep 0.2
    done
  done
done

cat >"$SERVERS_DIR/env" <<ENV
# Written by test/servers/start.sh: the CI servers' coordinates for specs/.
export MAIL_HOST=127.0.0.1
export MAIL_HOST2=127.0.0.2
export MAIL_SERVERNAME=$MAIL_SERVERNAME
export MAIL_CA=$SERVERS_DIR/tls/ca.crt
export MAIL_OTHER_CA=$SERVERS_DIR/tls/other-ca.crt
export SMTP_PORT=$SMTP_PORT
export SUBMISSION_PORT=$SUBMISSION_PORT
export SMTPS_PORT=$SMTPS_PORT
export PLAIN_SMTP_PORT=$PLAIN_SMTP_PORT
export LMTP_PORT=$LMTP_PORT
export IMAP_PORT=$IMAP_PORT
export IMAPS_PORT=$IMAPS_PORT
export POP3_PORT=$POP3_PORT
export POP3S_PORT=$POP3S_PORT
export SIEVE_PORT=$SIEVE_PORT
export MAIL_USER=alice@$MAIL_DOMAIN
export MAIL_USER2=bob@$MAIL_DOMAIN
export MAIL_PASS=$MAIL_PASS
export MAIL_DOMAIN=$MAIL_DOMAIN
export MAIL_FROM=sender@example.net
ENV
log "ready; logs: $PF/postfix.log $DV/dovecot.log"
printf '%s\n' "$SERVERS_DIR/env"
