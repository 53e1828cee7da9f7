#!/bin/bash
# Run tempest's network API tests (Debian's python3-tempest, neutron-tempest-plugin) against
# `vnet api`. Not part of CI: Debian's tempest sleeps 10 s before each subnet delete, so even the
# smoke subset takes minutes. Usage: scripts/tempest.sh [REGEX] [WORKDIR]
#   REGEX    the tests to run (default: the smoke tests of tempest.api.network)
#   WORKDIR  where the tempest workspace, the config and the logs go (default: a temporary dir)
# Needs: apt-get install -y python3-tempest neutron-tempest-plugin; dist/ built (npm run build).
# Prints tempest's summary (passed/failed/skipped) and exits with tempest's status.
set -u
REGEX=${1:-'^tempest\.api\.network\..*\[.*\bsmoke\b.*\]'}
WORK=${2:-$(mktemp -d /tmp/vnet-tempest-XXXXXX)}
HERE=$(cd "$(dirname "$0")/.." && pwd)
command -v tempest >/dev/null || { echo "tempest.sh: tempest is not installed (apt-get install -y python3-tempest neutron-tempest-plugin)" >&2; exit 2; }
[ -f "$HERE/dist/vnet.cjs" ] || { echo "tempest.sh: dist/vnet.cjs is missing (npm run build)" >&2; exit 2; }
mkdir -p "$WORK"
cat > "$WORK/start.yaml" <<'YAML'
version: 1
name: tempest
external_networks:
  public: { cidr: 172.24.4.0/24 }
YAML
node "$HERE/dist/vnet.cjs" api "$WORK/start.yaml" --port 0 > "$WORK/api.log" 2>&1 &
API=$!
trap 'kill $API 2>/dev/null' EXIT
URL=
for _ in $(seq 1 100); do URL=$(sed -n 's/.* on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$WORK/api.log" | head -1); [ -n "$URL" ] && break; sleep 0.2; done
[ -n "$URL" ] || { echo "tempest.sh: vnet api did not start:" >&2; cat "$WORK/api.log" >&2; exit 2; }
# The external network's ID, as admin.
PUBLIC=$(/usr/bin/python3 - "$URL" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "password": "admin", "domain": {"name": "Default"}}}},
                 "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
req = urllib.request.Request(url + "/v3/auth/tokens", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
token = urllib.request.urlopen(req).headers["X-Subject-Token"]
nets = json.load(urllib.request.urlopen(urllib.request.Request(url + "/network/v2.0/networks?name=public", headers={"X-Auth-Token": token})))
print(nets["networks"][0]["id"])
PY
)
EXTENSIONS=$(/usr/bin/python3 - "$URL" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "password": "admin", "domain": {"name": "Default"}}}},
                 "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
req = urllib.request.Request(url + "/v3/auth/tokens", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
token = urllib.request.urlopen(req).headers["X-Subject-Token"]
ext = json.load(urllib.request.urlopen(urllib.request.Request(url + "/network/v2.0/extensions", headers={"X-Auth-Token": token})))
print(",".join(e["alias"] for e in ext["extensions"]))
PY
)
cd "$WORK" || exit 2
[ -d ws ] || tempest init ws >/dev/null
cat > ws/etc/accounts.yaml <<'YAML'
- username: demo
  project_name: demo
  password: demo
  domain_name: Default
- username: demo2
  project_name: demo2
  password: demo2
  domain_name: Default
- username: admin
  project_name: admin
  password: admin
  domain_name: Default
  types: [admin]
YAML
cat > ws/etc/tempest.conf <<CONF
[DEFAULT]
log_file = $WORK/tempest.log
[auth]
use_dynamic_credentials = False
test_accounts_file = $WORK/ws/etc/accounts.yaml
default_credentials_domain_name = Default
admin_domain_name = Default
[identity]
uri_v3 = $URL/v3
auth_version = v3
region = RegionOne
v3_endpoint_type = public
[identity-feature-enabled]
api_v2 = False
[network]
public_network_id = $PUBLIC
floating_network_name = public
project_network_cidr = 10.100.0.0/16
project_network_mask_bits = 28
project_network_v6_cidr = 2001:db8::/48
project_network_v6_mask_bits = 64
endpoint_type = public
[network-feature-enabled]
api_extensions = $EXTENSIONS
ipv6 = True
ipv6_subnet_attributes = True
[service_available]
neutron = True
nova = False
glance = False
cinder = False
swift = False
[validation]
run_validation = False
CONF
cd ws || exit 2
tempest run --concurrency 1 --regex "$REGEX" 2>&1 | tee "$WORK/run.log" | grep -E '^(\{|Totals|=+|Ran:| - (Passed|Failed|Skipped|Expected|Unexpected))' 
STATUS=${PIPESTATUS[0]}
echo "tempest.sh: workspace $WORK (run.log, tempest.log, api.log)"
exit "$STATUS"
