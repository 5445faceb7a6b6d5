#!/usr/bin/env bash
# Stops the Postfix and Dovecot that test/servers/start.sh started (found through the pid
# files in its private folder); anything else, a system Postfix included, is left alone.
# The folder stays for its logs; the next start.sh empties it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stop_servers
log "stopped"
