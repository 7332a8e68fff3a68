#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn a DaemonSet's pod spec into `podman run` options, one per line, so a test runs a
container exactly the way the DaemonSet would (host PID, privileged, user, env, the same host
paths at the same places, the same arguments).

  daemonset_run.py MANIFEST CONTAINER [--volume NAME=HOSTPATH]... [--env NAME=VALUE]...

hostPath volumes are mounted from the host as written, unless --volume replaces them (a test
keeps its state in its own directory, not the node's); configMap, secret and emptyDir volumes
must be given with --volume (a file or directory the test wrote). The last lines, after a line
"--", are the container's arguments. Exits 2 with a message on anything it does not know."""
import sys

import yaml


def die(msg):
    print(f"daemonset_run.py: {msg}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) < 2:
        die("usage: daemonset_run.py MANIFEST CONTAINER [--volume NAME=PATH]... [--env K=V]...")
    manifest, cname, rest = argv[0], argv[1], argv[2:]
    repl, extra_env = {}, []
    while rest:
        opt = rest.pop(0)
        if opt not in ("--volume", "--env") or not rest or "=" not in rest[0]:
            die(f"bad option {opt}")
        k, v = rest.pop(0).split("=", 1)
        if opt == "--volume":
            repl[k] = v
        else:
            extra_env.append(f"{k}={v}")
    ds = [d for d in yaml.safe_load_all(open(manifest)) if d and d.get("kind") == "DaemonSet"]
    if len(ds) != 1:
        die(f"{manifest}: expected one DaemonSet, found {len(ds)}")
    spec = ds[0]["spec"]["template"]["spec"]
    conts = [c for c in spec["containers"] if c["name"] == cname]
    if not conts:
        die(f"no container {cname}")
    c = conts[0]
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    out = []
    if spec.get("hostPID"):
        out.append("--pid=host")
    if spec.get("hostNetwork"):
        out.append("--network=host")
    sc = c.get("securityContext", {})
    if sc.get("privileged"):
        out.append("--privileged")
    if "runAsUser" in sc:
        out.append(f"--user={sc['runAsUser']}:{sc.get('runAsGroup', sc['runAsUser'])}")
    # the kubelet gives a cgroup v1 node's containers the host's cgroup namespace
    out.append("--cgroupns=host")
    for e in c.get("env", []):
        if "value" in e:
            out.append(f"--env={e['name']}={e['value']}")
    for e in extra_env:
        out.append(f"--env={e}")
    for m in c.get("volumeMounts", []):
        v = vols.get(m["name"])
        if v is None:
            die(f"volumeMount {m['name']} has no volume")
        src = repl.get(m["name"])
        if src is None:
            if "hostPath" not in v:
                die(f"volume {m['name']} is not a hostPath: give it with --volume")
            src = v["hostPath"]["path"]
        if m.get("subPath") and m["name"] not in repl:
            die(f"subPath mount {m['name']}: give the file with --volume")
        opts = "ro" if m.get("readOnly") else "rw"
        out.append(f"--volume={src}:{m['mountPath']}:{opts}")
    print("\n".join(out))
    print("--")
    print("\n".join(c.get("command", [])[1:] if c.get("command") else c.get("args", [])))


if __name__ == "__main__":
    main(sys.argv[1:])
