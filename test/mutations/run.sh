#!/usr/bin/env bash
# Mutation check for the real-server suite: breaks convospec on purpose, one way at a time,
# and shows that `specs/` (run against the CI Postfix and Dovecot) notices each break.
# Run by hand, as root (the servers need it), from anywhere:
#
#   bash test/mutations/run.sh            # every mutation
#   bash test/mutations/run.sh --list     # names only
#   bash test/mutations/run.sh smtp-dash-final pre-tls-buffer-kept
#
# Each mutation names the exact source text it changes, not its file, so files and folders
# may move without breaking it. It is applied to a COPY of the repository in a temporary
# folder (node_modules symlinked, never the working tree), built there, and run with
# `convospec run specs/ --env-file <servers>/env`. A mutation is "caught" when the run
# fails (exit 1), "MISSED" when it passes; an unmodified copy is run first and must pass.
# The servers are started with test/servers/start.sh if they are not running, and then
# stopped again at the end. Exit status: 0 if every mutation was caught.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../servers/lib.sh"

# name | exact text to replace (must occur once in all of src/, whatever file holds it, so
# files and folders may move) | replacement | what it breaks
MUTATIONS=(
  "smtp-dash-final|if (separator === HYPHEN) return NEED_LINE;|if (separator === -2) return NEED_LINE;|an SMTP \"250-\" line is taken as the reply's last line"
  "imap-literals-ignored|return found ? { count: Number(found[1]), synchronising: found[2] === '' } : undefined;|return found ? undefined : undefined;|IMAP {n} literals are not recognised, in replies or in commands"
  "data-dot-stuffing-off|return dotStuff ? lines.map((l) => (l.startsWith('.') ? '.' + l : l)) : lines;|return dotStuff ? lines.map((l) => l) : lines;|DATA bodies are sent without dot-stuffing"
  "pop3-dot-unstuffing-off|reply.line(raw, raw[0] === DOT ? raw.subarray(1) : raw);|reply.line(raw, raw);|POP3 multi-line bodies are not dot-unstuffed"
  "pre-tls-buffer-kept|this.reader.discard();|void this.reader;|bytes received before STARTTLS/STLS are read after the handshake"
  "managesieve-literals-ignored|const found = LITERAL_AT_END.exec(text);|const found = LITERAL_AT_END.exec('');|ManageSieve {n} literals are not recognised, in replies or in commands"
)

names() { local m; for m in "${MUTATIONS[@]}"; do printf '%s\n' "${m%%|*}"; done; }

if [[ ${1:-} == --list ]]; then names; exit 0; fi
selected=("$@")
if ((${#selected[@]} == 0)); then mapfile -t selected < <(names); fi
for want in "${selected[@]}"; do
  names | grep -qx -- "$want" || die "unknown mutation: $want (see --list)"
done

work=$(mktemp -d /tmp/convospec-mutations.XXXXXX)
started_servers=false
cleanup() {
  rm -rf "$work"
  if $started_servers; then bash "$here/../servers/stop.sh" || true; fi
}
trap cleanup EXIT

env_file=$SERVERS_DIR/env
if ! [[ -f $env_file ]] || ! live_pid "$SERVERS_PATH/postfix/queue/pid/master.pid" postfix/sbin/master >/dev/null; then
  log "servers are not running: starting them"
  env_file=$(bash "$here/../servers/start.sh")
  started_servers=true
fi

# A fresh copy of the repository in $1, with the mutation (if any) applied.
copy_repo() {
  local dest=$1
  mkdir -p "$dest"
  tar -C "$REPO" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./.servers \
    --exclude=./coverage --exclude=./reports -cf - . | tar -C "$dest" -xf -
  ln -s "$REPO/node_modules" "$dest/node_modules"
}

# In the copy $1, replace the one occurrence of FROM under src/ by TO; fail if it is not
# there exactly once (the code itself changed, and the mutation needs updating).
apply() {
  local dir=$1 from=$2 to=$3 files count
  mapfile -t files < <(grep -rlF --include='*.ts' -- "$from" "$dir/src" || true)
  count=0
  ((${#files[@]} == 0)) || count=$(cat "${files[@]}" | grep -cF -- "$from" || true)
  [[ $count == 1 ]] || { log "mutation text found $count times under src/ (expected once): update test/mutations/run.sh"; return 1; }
  log "  in ${files[0]#"$dir/"}"
  FROM=$from TO=$to perl -0777 -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "${files[0]}"
}

# Build the copy in $1 and run specs/; prints the failed tests; returns the run's exit code.
build_and_run() {
  local dir=$1 rc=0
  (cd "$dir" && node node_modules/rolldown/bin/cli.mjs -c rolldown.config.mjs >"$dir/build.log" 2>&1) || true
  [[ -f $dir/dist/cli/main.js ]] || { log "build failed: see $dir/build.log"; cat "$dir/build.log" >&2; return 99; }
  (cd "$dir" && timeout 900 node -- dist/cli/main.js run specs/ --env-file "$env_file" --no-color >"$dir/run.log" 2>&1) || rc=$?
  grep -E '^  ✗ ' "$dir/run.log" | sed 's/^  ✗ /      /' || true
  tail -n 1 "$dir/run.log" | sed 's/^/    /'
  return "$rc"
}

log "baseline: unmodified copy"
copy_repo "$work/baseline"
if build_and_run "$work/baseline"; then
  log "baseline passes"
else
  sed -n '/^✗/,/^$/p' "$work/baseline/run.log" >&2
  die "the unmodified copy does not pass specs/: fix that first (see above)"
fi

declare -A verdict
for mutation in "${MUTATIONS[@]}"; do
  IFS='|' read -r name from to what <<<"$mutation"
  [[ " ${selected[*]} " == *" $name "* ]] || continue
  log "mutation $name: $what"
  dir=$work/$name
  copy_repo "$dir"
  if ! apply "$dir" "$from" "$to"; then verdict[$name]="NOT APPLIED"; continue; fi
  rc=0
  build_and_run "$dir" || rc=$?
  case $rc in
    0) verdict[$name]=MISSED ;;
    1) verdict[$name]=caught ;;
    *) verdict[$name]="error (exit $rc)" ;;
  esac
  rm -rf "$dir"
done

printf '\n%-26s %s\n' mutation result
status=0
for name in "${selected[@]}"; do
  printf '%-26s %s\n' "$name" "${verdict[$name]}"
  [[ ${verdict[$name]} == caught ]] || status=1
done
exit "$status"
