#!/usr/bin/env bash
# The API server client. No kube-apiserver can run here: tests/lib/fake_apiserver.py serves,
# over HTTPS with a bearer token, answers written from the API reference's shapes (a PodList,
# then a watch stream). Two containerd pods whose names mislead the name rules (api-0 looks
# like a StatefulSet's, worker-1 too) get their real controllers from the API server: api-0
# from the list (ReplicaSet api-v2), worker-1 from a watch event (Job nightly). The agent
# lists with the node's field selector and the token, watches from the list's
# resourceVersion, and a wrong token is refused (HTTP 401) and reported, not trusted.
. "$(dirname "$0")/../lib/common.sh"
. "$TESTLIB/podman.sh"
. "$TESTLIB/containerd.sh"
requires_podman
requires_containerd
requires_cmd openssl python3
podman_image_busybox
# Namespaces of this run: another run of this test on the machine (its agent sees every
# pod here too) must not share our workloads.
NS=shop-$$
NS2=batch-$$
containerd_start
containerd_image "$BUSYBOX_IMAGE"

k8s_pod api-0 $NS
uid_api=$POD_UID
k8s_pod worker-1 $NS2
uid_worker=$POD_UID

# The server's certificate and the service account's token and CA, as a pod would have them.
sa=$TEST_TMP/serviceaccount
mkdir -p "$sa"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=kubernetes -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TEST_TMP/server.key" -out "$sa/ca.crt" 2>/dev/null || fail "openssl req failed"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$sa/token"

pod_json() { # NAME NAMESPACE UID OWNER_KIND OWNER_NAME RV
	printf '{"metadata":{"name":"%s","namespace":"%s","uid":"%s","resourceVersion":"%s","labels":{"app":"%s"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"%s","name":"%s","uid":"11111111-2222-4333-8444-555555555555","controller":true,"blockOwnerDeletion":true}]},"spec":{"nodeName":"node-a","containers":[{"name":"app","image":"%s"}]},"status":{"phase":"Running"}}' \
		"$1" "$2" "$3" "$6" "$1" "$4" "$5" "$BUSYBOX_IMAGE"
}
printf '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"48213"},"items":[%s]}\n' \
	"$(pod_json api-0 $NS "$uid_api" ReplicaSet api-v2 48100)" >"$TEST_TMP/podlist.json"
{
	printf '{"type":"ADDED","object":%s}\n' "$(pod_json worker-1 $NS2 "$uid_worker" Job nightly 48230)"
	printf '{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48301"}}}\n'
} >"$TEST_TMP/watch.jsonl"
spawn_server apiserver python3 "$TESTLIB/fake_apiserver.py" --cert "$sa/ca.crt" \
	--key "$TEST_TMP/server.key" --token "$sa/token" --podlist "$TEST_TMP/podlist.json" \
	--watch "$TEST_TMP/watch.jsonl" --log "$TEST_TMP/requests.jsonl" --hold 30
port=$SERVER_PORT

state=$TEST_TMP/state
cat >"$TEST_TMP/agent.yaml" <<EOF
state_dir: $state
scope: containers
# pods only: other tests' podman containers on this shared machine are not our business here
include_cgroups: ["/kubepods/*"]
rescan: 10m
learning:
  duration: 2s
sinks: [file:$state/alerts.jsonl]
kubernetes:
  containerd_state: $CONTAINERD_DIR/state # our private containerd's task bundles
  api_server: auto
  api_url: https://127.0.0.1:$port
  service_account_dir: $sa
  node_name: node-a
EOF
spawn agent "$VIGIL" agent --config "$TEST_TMP/agent.yaml"
agent_pid=$SPAWNED_PID
wait_for_line "$TEST_TMP/agent.log" 'api server: 1 pod\(s\) on node node-a' 20
watching() { json_count "$TEST_TMP/requests.jsonl" 'path~watch=1' 'path~resourceVersion=48213' auth=true | grep -qv '^0$'; }
wait_until 20 watching || fail "no watch from the list's resourceVersion: $(cat "$TEST_TMP/requests.jsonl")"
assert_ge "$(json_count "$TEST_TMP/requests.jsonl" 'path~fieldSelector=spec.nodeName%3Dnode-a' auth=true)" 2 "requests for this node's pods"

# api-0: a ReplicaSet's pod, as the list says (the name alone says StatefulSet "api")
k8s_container api-0 app "$BUSYBOX_IMAGE" sh -c 'cat /etc/passwd >/dev/null; exec sleep 600'
wait_for_line "$TEST_TMP/agent.log" "$NS/api-0/app: pod $NS/api-0 \\(uid $uid_api\\), container app, image .*, ReplicaSet api-v2 \\(api-server\\), profile $NS.replicaset-api-v2.app" 60
# worker-1: announced by the watch (the name alone says StatefulSet "worker")
k8s_container worker-1 app "$BUSYBOX_IMAGE" sh -c 'cat /etc/passwd >/dev/null; exec sleep 600'
wait_for_line "$TEST_TMP/agent.log" "$NS2/worker-1/app: .*, Job nightly \\(api-server\\), profile $NS2.job-nightly.app" 60
wait_for_line "$TEST_TMP/agent.log" "$NS/api-0/app: learned -> $state/profiles/$NS.replicaset-api-v2.app.yaml" 120
assert_file_contains "$state/profiles/$NS.replicaset-api-v2.app.yaml" "kubescape.io/workload-kind: ReplicaSet"
stop_pid "$agent_pid"

# A wrong token: refused by the server, reported by the agent, and no pod is taken from it.
mv "$sa/token" "$sa/token.good"
echo wrong-token-0123456789 >"$sa/token"
mkdir -p "$TEST_TMP/state2"
sed "s|state_dir: $state|state_dir: $TEST_TMP/state2|; s|$state/alerts|$TEST_TMP/state2/alerts|" \
	"$TEST_TMP/agent.yaml" >"$TEST_TMP/agent2.yaml"
spawn agent2 "$VIGIL" agent --config "$TEST_TMP/agent2.yaml"
wait_for_line "$TEST_TMP/agent2.log" 'api server: list: HTTP 401 \(token or RBAC' 20
assert_ge "$(json_count "$TEST_TMP/requests.jsonl" auth=false)" 1 "requests with the wrong token"
! grep -q 'api server: 1 pod' "$TEST_TMP/agent2.log" || fail "pods taken with a refused token"
echo "ok: owners from the API server's list (ReplicaSet api-v2) and watch (Job nightly); node field selector, token, watch from the list's resourceVersion; a refused token reported"
