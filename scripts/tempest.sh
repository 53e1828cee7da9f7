#!/bin/bash
# Run tempest's network API tests (Debian's python3-tempest) against a fresh `vnet api`.
# Debian's tempest 33 sleeps 10 s before every subnet delete (hard-coded in subnets_client, no
# setting or variable turns it off), so runs are bounded by those sleeps: several workers overlap
# them, each worker with its own accounts (tempest locks one account per worker).
#
# Usage: scripts/tempest.sh [--subset | --smoke | --full | --regex REGEX] [--concurrency N] [--workdir DIR]
#   --subset      the subset CI runs (test/e2e/tempest-subset.test.ts): networks, subnets (IPv4 and
#                 IPv6), ports, routers, security groups, floating IPs, admin and negative tests
#   --smoke       tempest.api.network's smoke tests (the default)
#   --full        all of tempest.api.network, then a passed/failed/skipped table per module
#   --regex RE    the tests whose ids match RE
#   --exclude-regex RE  leave out the tests whose ids match RE (--subset sets its own)
#   --concurrency N   tempest workers (default 4; accounts are made for N; --subset places its
#                     classes on 4 workers itself)
#   --workdir DIR     where the tempest workspace, config and logs go (default: a temporary dir)
# The old positional form `scripts/tempest.sh [REGEX] [WORKDIR]` still works.
# Needs: apt-get install -y --no-install-recommends python3-tempest; dist/ built (npm run build).
# Prints tempest's result lines and summary (plus the table with --full); exits with tempest's
# status, or 2 when it cannot start (tempest missing, dist/ missing, vnet api not starting).
set -u
# All in one function, so bash reads the whole file before running: editing it mid-run is safe.
main() {
SMOKE='^tempest\.api\.network\..*\[.*\bsmoke\b.*\]'
FULL='^tempest\.api\.network\.'
# CI's subset, chosen for coverage per subnet created (each costs a 10 s sleep at its delete):
# whole classes, since a class's setup and cleanup (its subnets) are paid once however many of its
# tests run. IPv4 and IPv6 networks and subnets, ports (IPv4), routers (IPv4 and IPv6, admin gateway
# and SNAT), security groups (IPv4 and IPv6), floating IPs, the admin external-network tests, the
# negative tests of networks, routers and floating IPs (Neutron's 400/404/409), extensions, versions.
SUBSET='^tempest\.api\.network\.(test_networks\.(NetworksTest|NetworksIpV6Test)\.|test_ports\.PortsTestJSON\.|test_routers\.RoutersTest\.|test_security_groups\.(SecGroupTest|SecGroupIPv6Test)\.|test_floating_ips\.FloatingIPTestJSON\.|admin\.test_routers\.RoutersAdminTest\.|admin\.test_external_network_extension\.|test_networks_negative\.|test_routers_negative\.(RoutersNegativeTest|RoutersNegativeIpV6Test)\.|test_floating_ips_negative\.|test_extensions\.|test_versions\.)'
# Tests of those classes that vnet fails on purpose (docs/openstack-api.md, "Where vnet differs"),
# left out so that CI stays green and catches regressions; drop one from here if it comes to pass
# (and raise the count in test/e2e/tempest-subset.test.ts):
#   test_create_router_set_gateway_with_fixed_ip: a gateway port with a chosen external address (ports on external networks are refused)
#   test_create_router_setting_project_id: creates a project through Keystone (POST /v3/projects; projects are fixed)
SUBSET_EXCLUDE='\.(test_create_router_set_gateway_with_fixed_ip|test_create_router_setting_project_id)\b'
# The subset's classes on 4 workers so that the longest (PortsTestJSON, ~200 s with its subnet
# deletes) runs alone and the others share: about 4 minutes in all, where stestr's own partition
# (no timings in a fresh workspace) put two long classes on one worker (~6 minutes).
SUBSET_WORKERS='- worker: ["\\.test_ports\\.PortsTestJSON\\."]
- worker: ["\\.test_routers\\.RoutersTest\\.", "\\.test_security_groups\\."]
- worker: ["\\.test_networks\\.NetworksTest\\.", "\\.test_floating_ips", "\\.admin\\.test_external_network_extension\\.", "\\.test_extensions\\.", "\\.test_versions\\."]
- worker: ["\\.test_networks\\.NetworksIpV6Test\\.", "\\.admin\\.test_routers\\.", "\\.test_networks_negative\\.", "\\.test_routers_negative\\."]'
REGEX=$SMOKE
WORKERS=
EXCLUDE=
WORK=
CONCURRENCY=4
TABLE=0
positional=()
while (($#)); do
  case $1 in
    --subset) REGEX=$SUBSET; EXCLUDE=$SUBSET_EXCLUDE; WORKERS=$SUBSET_WORKERS; CONCURRENCY=4 ;;
    --smoke) REGEX=$SMOKE ;;
    --full) REGEX=$FULL; TABLE=1 ;;
    --regex) REGEX=${2:?--regex needs a regular expression}; shift ;;
    --exclude-regex) EXCLUDE=${2:?--exclude-regex needs a regular expression}; shift ;;
    --concurrency) CONCURRENCY=${2:?--concurrency needs a number}; shift ;;
    --workdir) WORK=${2:?--workdir needs a directory}; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "tempest.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
((${#positional[@]} >= 1)) && REGEX=${positional[0]}
((${#positional[@]} >= 2)) && WORK=${positional[1]}
((${#positional[@]} > 2)) && { echo "tempest.sh: too many arguments (see --help)" >&2; exit 2; }
[[ $CONCURRENCY =~ ^[1-9][0-9]?$ ]] || { echo "tempest.sh: --concurrency expects a number from 1 to 99, got '$CONCURRENCY'" >&2; exit 2; }
WORK=${WORK:-$(mktemp -d /tmp/vnet-tempest-XXXXXX)}
HERE=$(cd "$(dirname "$0")/.." && pwd)
command -v tempest >/dev/null || { echo "tempest.sh: tempest is not installed (apt-get install -y --no-install-recommends python3-tempest)" >&2; exit 2; }
[ -f "$HERE/dist/vnet.cjs" ] || { echo "tempest.sh: dist/vnet.cjs is missing (npm run build)" >&2; exit 2; }
mkdir -p "$WORK" || exit 2
WORK=$(cd "$WORK" && pwd)
cat > "$WORK/start.yaml" <<'YAML'
version: 1
name: tempest
external_networks:
  public: { cidr: 172.24.4.0/24 }
YAML
# Accounts for N workers: tests take a primary and often an alt project, admin tests an admin, and
# tempest locks each account to one worker at a time. vnet api knows the same users (--users).
{
  echo 'users:'
  for i in $(seq 1 "$CONCURRENCY"); do
    echo "  - { name: admin$i, password: admin$i, project: admin, role: admin }"
    echo "  - { name: demo$i, password: demo$i, project: demo$i }"
    echo "  - { name: alt$i, password: alt$i, project: alt$i }"
  done
} > "$WORK/users.yaml"
node "$HERE/dist/vnet.cjs" api "$WORK/start.yaml" --port 0 --users "$WORK/users.yaml" > "$WORK/api.log" 2>&1 &
API=$!
trap 'kill $API 2>/dev/null' EXIT
URL=
for _ in $(seq 1 100); do URL=$(sed -n 's/.* on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$WORK/api.log" | head -1); [ -n "$URL" ] && break; kill -0 $API 2>/dev/null || break; sleep 0.2; done
[ -n "$URL" ] || { echo "tempest.sh: vnet api did not start:" >&2; cat "$WORK/api.log" >&2; exit 2; }
# The external network's ID and the extensions vnet advertises, as admin.
read -r PUBLIC EXTENSIONS < <(/usr/bin/python3 - "$URL" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin1", "password": "admin1", "domain": {"name": "Default"}}}},
                 "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
req = urllib.request.Request(url + "/v3/auth/tokens", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
token = urllib.request.urlopen(req).headers["X-Subject-Token"]
get = lambda path: json.load(urllib.request.urlopen(urllib.request.Request(url + path, headers={"X-Auth-Token": token})))
print(get("/network/v2.0/networks?name=public")["networks"][0]["id"], ",".join(e["alias"] for e in get("/network/v2.0/extensions")["extensions"]))
PY
)
[ -n "${EXTENSIONS:-}" ] || { echo "tempest.sh: could not read the public network and extensions from vnet api ($WORK/api.log)" >&2; exit 2; }
cd "$WORK" || exit 2
# Its own workspace registry, so that runs never clash over the name in ~/.tempest.
[ -d ws ] || tempest init --workspace-path "$WORK/workspaces.yaml" ws >/dev/null || exit 2
# Discover tests under tempest/api/network only: the default path loads every tempest module and
# plugin (neutron-tempest-plugin's too) in the lister and in each worker, for tests never run here.
PKG=$(/usr/bin/python3 -c 'import os, tempest; print(os.path.dirname(tempest.__file__))') || exit 2
printf '[DEFAULT]\ntest_path=%s/api/network\ntop_dir=%s\ngroup_regex=([^\\.]*\\.)*\n' "$PKG" "$(dirname "$PKG")" > ws/.stestr.conf
{
  for i in $(seq 1 "$CONCURRENCY"); do
    printf -- '- {username: demo%s, project_name: demo%s, password: demo%s, domain_name: Default}\n' "$i" "$i" "$i"
    printf -- '- {username: alt%s, project_name: alt%s, password: alt%s, domain_name: Default}\n' "$i" "$i" "$i"
    printf -- '- {username: admin%s, project_name: admin, password: admin%s, domain_name: Default, types: [admin]}\n' "$i" "$i"
  done
} > ws/etc/accounts.yaml
cat > ws/etc/tempest.conf <<CONF
[DEFAULT]
log_file = $WORK/tempest.log
[oslo_concurrency]
lock_path = $WORK/ws/tempest_lock
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
START=$(date +%s)
if [ -n "$WORKERS" ]; then
  printf '%s\n' "$WORKERS" > "$WORK/workers.yaml"
  set -- --worker-file "$WORK/workers.yaml"
else
  set -- --concurrency "$CONCURRENCY"
fi
tempest run "$@" --regex "$REGEX" ${EXCLUDE:+--exclude-regex "$EXCLUDE"} > "$WORK/run.log" 2>&1
STATUS=$?
# One line per test ({worker} id [time] ... ok|FAILED|SKIPPED), then tempest's totals.
grep -E '^(\{|Totals|=+$|Ran:| - (Passed|Failed|Skipped|Expected|Unexpected)|Sum of execute)' "$WORK/run.log"
if ((TABLE)); then
  /usr/bin/python3 - "$WORK/run.log" <<'PY'
import re, sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"^\{\d+\} (?:setUpClass \()?(tempest\.api\.network\.[\w.]+?)\.(?:\w+)(?:\))?(?:\[[^\]]*\])?(?: \[[\d.]+s\])? \.\.\. (ok|FAILED|SKIPPED)", line)
    if not m:
        continue
    module = m.group(1).replace("tempest.api.network.", "")
    module = re.sub(r"\.[A-Z]\w*$", "", module)  # the class, when the id names one
    r = rows.setdefault(module, {"ok": 0, "FAILED": 0, "SKIPPED": 0})
    r[m.group(2)] += 1
print(f"\n{'module':<40} {'passed':>6} {'failed':>6} {'skipped':>7}")
tot = {"ok": 0, "FAILED": 0, "SKIPPED": 0}
for mod in sorted(rows):
    r = rows[mod]
    print(f"{mod:<40} {r['ok']:>6} {r['FAILED']:>6} {r['SKIPPED']:>7}")
    for k in tot: tot[k] += r[k]
print(f"{'total':<40} {tot['ok']:>6} {tot['FAILED']:>6} {tot['SKIPPED']:>7}")
PY
fi
echo "tempest.sh: $(( $(date +%s) - START )) s, $CONCURRENCY workers; workspace $WORK (run.log, ws/tempest.log, api.log)"
exit "$STATUS"
}
main "$@"
