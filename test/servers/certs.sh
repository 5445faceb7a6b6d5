#!/usr/bin/env bash
# Makes the CI servers' certificates with openssl, fresh at every start:
#   ca.crt/.key                 the test CA (MAIL_CA)
#   server.crt/.key             mail.convospec.test, localhost, 127.0.0.1, 127.0.0.2, by the test CA
#   other-ca.crt/.key           a second CA that no spec trusts by default (MAIL_OTHER_CA)
#   unknown-ca-server.crt/.key  unknown-ca.convospec.test by the other CA: Dovecot serves it to a
#                               client that asks for that name (SNI), for the "unknown CA" specs
# Usage: certs.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

make_ca() { # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$1.key" -out "$1.crt" \
    -subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_leaf() { # name ca subject altNames
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=$4" >"$1.ext"
  openssl x509 -req -sha256 -days 825 -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 8)" \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

make_ca ca "/O=convospec CI/CN=convospec test CA"
make_leaf server ca "/O=convospec CI/CN=mail.convospec.test" \
  "DNS:mail.convospec.test,DNS:localhost,IP:127.0.0.1,IP:127.0.0.2"
make_ca other-ca "/O=convospec elsewhere/CN=convospec unknown CA"
make_leaf unknown-ca-server other-ca "/O=convospec elsewhere/CN=unknown-ca.convospec.test" \
  "DNS:unknown-ca.convospec.test"
# Certificates are public; the keys stay readable by root only (both servers read them as root).
chmod 644 ./*.crt
