#!/usr/bin/env bash
# The image (make image) and the DaemonSet: the image builds offline from this machine, runs as
# an unprivileged user by default, has no shell, and serves the cockpit as that user; the agent
# runs from it exactly as deploy/kubernetes/vigil-agent.yaml runs it (host PID, privileged, root,
# the same host paths mounted at the same places, the same arguments: taken from the manifest),
# and detects a deviation in a podman container started after it.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
requires_podman
requires_progs
requires_cmd python3 curl
podman_image_progs

REPO=$(cd "$(dirname "$0")/../.." && pwd)
image=localhost/vigil-e2e
# 1. Built into the test store (podman reads CONTAINERS_STORAGE_CONF), nothing pulled.
"$REPO/scripts/image.sh" "$VIGIL" e2e "$image" >"$TEST_TMP/image.log" 2>&1 ||
	fail "scripts/image.sh failed: $(cat "$TEST_TMP/image.log")"
log "$(cat "$TEST_TMP/image.log")"
on_exit podman_cmd rmi -f "$image:e2e" "$image:latest"
assert_eq "65532:65532" "$(podman_cmd image inspect -f '{{.Config.User}}' "$image:e2e")" "image user"
size=$(podman_cmd image inspect -f '{{.Size}}' "$image:e2e")
[ "$size" -lt $((64 << 20)) ] || fail "image is $size bytes (expected under 64 MiB)"
if podman_cmd run --rm --network none --entrypoint /bin/sh "$image:e2e" -c true 2>/dev/null; then
	fail "the image has a shell"
fi
assert_contains "$(podman_cmd run --rm --network none "$image:e2e" version)" "vigil " "vigil version"

# 2. The cockpit from the image: unprivileged, read-only root, token from a file.
port=$(free_port)
mkdir -p "$TEST_TMP/cockpit" "$TEST_TMP/cockpit-data"
chown 65532:65532 "$TEST_TMP/cockpit-data"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TEST_TMP/cockpit/token"
chmod 0644 "$TEST_TMP/cockpit/token"
PODMAN_OPTS=(--network host --read-only -v "$TEST_TMP/cockpit-data:/var/lib/vigil-cockpit"
	-v "$TEST_TMP/cockpit:/etc/vigil/cockpit:ro")
podman_start cockpit "$image:e2e" cockpit --listen "127.0.0.1:$port" \
	--store sqlite:/var/lib/vigil-cockpit/evidence.db --token-file /etc/vigil/cockpit/token
wait_for_http_auth() { curl -fsS -H "Authorization: Bearer $(cat "$TEST_TMP/cockpit/token")" \
	"http://127.0.0.1:$port/api/v1/health" >"$TEST_TMP/health.json" 2>/dev/null; }
wait_until 20 wait_for_http_auth || fail "cockpit from the image did not answer: $(podman_cmd logs "$PODMAN_NAME" 2>&1 | tail -3)"
assert_file_contains "$TEST_TMP/health.json" '"status"'
cpid=$(podman_pid "$PODMAN_ID")
assert_eq 65532 "$(awk '/^Uid:/ { print $2 }' "/proc/$cpid/status")" "cockpit uid"
# without the token, health answers probes with its status only: no version, store or counts
code=$(curl -s -o "$TEST_TMP/health-anon.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/health")
assert_eq 200 "$code" "health without the token"
assert_eq '{"status":"ok"}' "$(tr -d ' \n' <"$TEST_TMP/health-anon.json")" "health without the token"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/nodes")
assert_eq 401 "$code" "nodes without the token"

# 3. The agent as the DaemonSet runs it. Its state goes to the test's directory, its ConfigMap
#    and Secrets are files the test writes; every other mount is the manifest's hostPath.
state=$TEST_TMP/state
mkdir -p "$state" "$TEST_TMP/trust" "$TEST_TMP/cluster-profiles"
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: /var/lib/vigil
scope: containers
rescan: 300ms
learning:
  duration: 3s
cooldown: 0s
sinks: [stdout, file:/var/lib/vigil/alerts.jsonl]
kubernetes:
  host_root: /proc/1/root
  profiles_dir: /etc/vigil/cluster-profiles
  api_server: off
EOF
mapfile -t ds < <(python3 "$TESTLIB/daemonset_run.py" "$REPO/deploy/kubernetes/vigil-agent.yaml" agent \
	--volume "config=$TEST_TMP/agent.yaml" --volume "trust=$TEST_TMP/trust" \
	--volume "cluster-profiles=$TEST_TMP/cluster-profiles" --volume "state=$state" \
	--env VIGIL_NODE_NAME=e2e-node) || fail "cannot read the DaemonSet"
opts=() args=() sep=0
for a in "${ds[@]}"; do
	if [ "$a" = -- ]; then sep=1; elif [ $sep = 0 ]; then opts+=("$a"); else args+=("$a"); fi
done
log "DaemonSet as podman: ${opts[*]} ... ${args[*]}"
assert_contains "${opts[*]}" "--pid=host" "host PID"
assert_contains "${opts[*]}" "--privileged" "privileged"
PODMAN_OPTS=(--network none "${opts[@]}")
podman_start agent "$image:e2e" "${args[@]}"
agent_id=$PODMAN_ID
agent_started() { podman_cmd logs "$agent_id" 2>&1 | grep -q 'agent: started'; }
wait_until 30 agent_started || fail "agent from the image did not start: $(podman_cmd logs "$agent_id" 2>&1 | tail -5)"

# 4. A container started after the agent: learned, then a deviation is an alert.
PODMAN_OPTS=()
podman_start app "$PROGS_IMAGE" sh -c 'while :; do cat /etc/hostname >/dev/null; sleep 0.2; done'
app=$PODMAN_ID
detecting() { python3 - "$state/status.json" "$app" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
sys.exit(0 if any(w["container_id"] == sys.argv[2] and w["state"] == "detecting" for w in s["workloads"]) else 1)
PY
}
wait_until 40 detecting || fail "the container was not learned: $(podman_cmd logs "$agent_id" 2>&1 | tail -5)"
podman_cmd exec "$app" /progs/syscall_set >/dev/null
alerted() { [ "$(json_count "$state/alerts.jsonl" rule_id=R0001 workload.container_id="$app" process.exe=/progs/syscall_set)" -ge 1 ]; }
wait_until 20 alerted || fail "no R0001 for the deviation: $(tail -3 "$state/alerts.jsonl" 2>/dev/null)"
# the agent does not watch itself
assert_eq 0 "$(json_count "$state/alerts.jsonl" workload.container_id="$agent_id")" "alerts about the agent's own container"
echo "ok: image $(numfmt --to=iec "$size"), cockpit as uid 65532, agent from the image (DaemonSet flags) alerted R0001 on $app"
