# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by start.sh and stop.sh
# Shared by start.sh and stop.sh: where the private folder is, and the ports.
# Sourced, not run. Everything the CI servers own lives under $SERVERS_DIR.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVERS_DIR=${CONVOSPEC_SERVERS_DIR:-$REPO/.servers}
# The servers' configuration files need absolute paths.
[[ $SERVERS_DIR == /* ]] || SERVERS_DIR=$PWD/$SERVERS_DIR

# True if unprivileged users (postfix, mail, dovecot) can reach PATH, judged by its nearest
# existing ancestor (a checkout under /root, mode 700, cannot be reached).
reachable() {
  local dir=$1
  while [[ ! -e $dir ]]; do dir=$(dirname "$dir"); done
  runuser -u nobody -- test -x "$dir" 2>/dev/null
}

# Unix-domain socket paths (Postfix's queue/public/, Dovecot's base_dir) are limited to
# 107 bytes, and Dovecot resolves symlinks in base_dir. So a deep folder, or one the
# servers' users cannot reach, is a symlink to a short real folder in /tmp, and the
# servers' configuration names the real one.
if ((${#SERVERS_DIR} > 64)) || ! reachable "$SERVERS_DIR"; then
  SERVERS_PATH=/tmp/convospec-servers-$(printf '%s' "$SERVERS_DIR" | cksum | cut -d' ' -f1)
else
  SERVERS_PATH=$SERVERS_DIR
fi

# Ports from docs/environment.md (the CI column). Listeners bind 127.0.0.1 and 127.0.0.2:
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
SIEVE_PORT=14190
LISTEN_ADDRESSES=(127.0.0.1 127.0.0.2)
ALL_PORTS=("$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$PLAIN_SMTP_PORT" "$LMTP_PORT"
  "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$SIEVE_PORT")

MAIL_DOMAIN=convospec.test
MAIL_SERVERNAME=mail.convospec.test
MAIL_PASS=${MAIL_PASS:-demo-password}
TEST_USERS=(alice bob carol dave)

log() { printf '[servers] %s\n' "$*" >&2; }
die() { printf '[servers] ERROR: %s\n' "$*" >&2; exit 1; }

# The pid in FILE if that process is alive and its command line contains WORD (a stale
# pid file must not make us signal whatever process reuses the number).
live_pid() {
  local file=$1 word=$2 pid
  [[ -f $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$word" || return 1
  printf '%s\n' "$pid"
}

# Stop the Postfix and Dovecot that an earlier start.sh started from $SERVERS_DIR, and
# nothing else: both are found through pid files inside the private folder.
stop_servers() {
  local pid
  if pid=$(live_pid "$SERVERS_PATH/postfix/queue/pid/master.pid" postfix/sbin/master); then
    log "stopping Postfix (pid $pid)"
    # `postfix stop` waits for the master; if the configuration is gone, signal it directly.
    postfix -c "$SERVERS_PATH/postfix/etc" stop </dev/null >&2 || kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid"
  fi
  if pid=$(live_pid "$SERVERS_PATH/dovecot/run/master.pid" "$SERVERS_PATH/dovecot/dovecot.conf"); then
    log "stopping Dovecot (pid $pid)"
    kill -TERM "$pid"
    wait_gone "$pid"
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
