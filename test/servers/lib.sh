# Shared by start.sh and stop.sh: where the private folder is, and the ports.
# Sourced, not run. Everything the CI servers own lives under $SERVERS_DIR.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVERS_DIR=${CONVOSPEC_SERVERS_DIR:-$REPO/.servers}

# Ports from docs/HELPERS.md (the CI column). Listeners bind 127.0.0.1 and 127.0.0.2:
# Dovecot treats a client whose address equals the listener's as secured, so only the
# second address shows the real pre-TLS behaviour (LOGINDISABLED, plaintext refused).
SMTP_PORT=10025
SUBMISSION_PORT=10587
SMTPS_PORT=10465
PLAIN_SMTP_PORT=10026
LMTP_PORT=10024
IMAP_PORT=10143
IMAPS_PORT=10993
POP3_PORT=10110
POP3S_PORT=10995
LISTEN_ADDRESSES=(127.0.0.1 127.0.0.2)
ALL_PORTS=("$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$PLAIN_SMTP_PORT" "$LMTP_PORT"
  "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT")

MAIL_DOMAIN=convospec.test
MAIL_SERVERNAME=mail.convospec.test
MAIL_PASS=${MAIL_PASS:-demo-password}
TEST_USERS=(alice bob carol dave)

log() { printf '[servers] %s\n' "$*" >&2; }
die() { printf '[servers] ERROR: %s\n' "$*" >&2; exit 1; }

# Stop the Postfix and Dovecot that an earlier start.sh started from $SERVERS_DIR,
# and nothing else: both are found through pid files inside the private folder.
stop_servers() {
  local pidfile pid
  if [[ -f $SERVERS_DIR/postfix/etc/main.cf ]]; then
    pidfile=$SERVERS_DIR/postfix/queue/pid/master.pid
    if [[ -f $pidfile ]] && kill -0 "$(tr -d ' ' <"$pidfile")" 2>/dev/null; then
      log "stopping Postfix (pid $(tr -d ' ' <"$pidfile"))"
      postfix -c "$SERVERS_DIR/postfix/etc" stop </dev/null >&2 || true
    fi
  fi
  pidfile=$SERVERS_DIR/dovecot/run/master.pid
  if [[ -f $pidfile ]]; then
    pid=$(<"$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping Dovecot (pid $pid)"
      kill -TERM "$pid"
      wait_gone "$pid"
    fi
    rm -f "$pidfile"
  fi
}

# Bounded wait for a process to exit (10 s).
wait_gone() {
  local pid=$1 i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid still running after 10 s"
  return 1
}
