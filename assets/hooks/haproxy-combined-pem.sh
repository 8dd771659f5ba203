#!/bin/sh
# certdeck deploy hook: HAProxy wants certificate, chain and key in one PEM file. Writes it atomically (temp file in
# the same directory, then rename) with mode 0600, then reloads HAProxy.
#
#   certdeck deploy add example.com command -- /usr/share/certdeck/hooks/haproxy-combined-pem.sh /etc/haproxy/certs
#
# $1: directory for <cert name>.pem. RELOAD: command to reload (default: systemctl reload haproxy).
set -eu
dir="${1:?usage: haproxy-combined-pem.sh DIR}"
out="$dir/$CERTDECK_CERT_NAME.pem"
tmp="$(mktemp "$dir/.$CERTDECK_CERT_NAME.pem.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
chmod 600 "$tmp"
cat "$CERTDECK_FULLCHAIN_PATH" "$CERTDECK_KEY_PATH" > "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "wrote $out"
${RELOAD:-systemctl reload haproxy}
