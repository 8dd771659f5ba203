#!/bin/sh
# certdeck deploy hook: check nginx's configuration with the new files, then reload it.
#
#   certdeck deploy add example.com files --dir /etc/nginx/certs/example.com --stop-on-failure
#   certdeck deploy add example.com command --timeout 30s -- /usr/share/certdeck/hooks/reload-nginx.sh
#   certdeck deploy add example.com verify --host example.com --host www.example.com
#
# A failed config test exits non-zero before the reload, so the running nginx keeps serving the old certificate
# and certdeck reports this target as failed with nginx's own message. Override the binary with NGINX=/path.
set -eu
NGINX="${NGINX:-nginx}"
echo "testing nginx configuration for ${CERTDECK_CERT_NAME:-?} (${CERTDECK_DOMAINS:-})"
"$NGINX" -t
"$NGINX" -s reload
echo "nginx reloaded"
