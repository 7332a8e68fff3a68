#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""t2005-compare.py ALERTS EVENTS [TRACE]: every alert's event, process and workload equal those
of the traced event that raised it (same kind and time); every alerting kind is covered (every
kind sensor/detect/eval.c judges); values that have names are spelled by name. TRACE (`vigil
trace --json` of the same workload, another run): every alert's event has the fields of a traced
event of its kind, each of the same JSON type, and the traced values are spelled by name too."""
import json
import os
import re
import sys

alerts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
by_key = {}
for e in events:
    by_key.setdefault((e["kind"], e["time"]), []).append(e)

# every kind a rule alerts on, and the rule this workload makes it raise
WANT = {"exec": "R0001", "open": "R0010", "capability": "R0004", "dns": "R0005",
        "connect": "R0011", "iouring_op": "R1030", "symlink": "R1010", "link": "R1012",
        "ptrace": "R1015", "unshare": "R1006", "bpf": "R0009", "module": "R1002",
        "syscall": "R0003", "send": "R0011", "socket": "V1001", "rename": "R0010",
        "mmap_exec": "R1001", "cgroup_move": "V1104", "netns_connect": "R2001",
        "setns": "V1105", "setid": "V1106", "erase": "V1107", "http": "V1108",
        "accept": "V1109"}
traced = [json.loads(l) for l in open(sys.argv[3]) if l.strip()] if len(sys.argv) > 3 else None
seen, bad = {}, []

# every kind the detector judges (the cases of sensor/detect/eval.c, whose enum names are the
# kinds' names in capitals) must be compared here: a kind that starts to alert fails this test
# until its event is in the workload and in WANT
EVAL_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../sensor/detect/eval.c")
judged = {k.lower() for k in re.findall(r"case VIGIL_EV_(\w+):", open(EVAL_C).read())}
if not judged:
    bad.append("no kind found judged in %s" % EVAL_C)
for kind in sorted(judged - set(WANT)):
    bad.append("%s: judged in sensor/detect/eval.c but not compared (add it to WANT and its "
               "event to the workload)" % kind)
for a in alerts:
    kind = a["event"]["type"]
    cands = by_key.get((kind, a["time"]), [])
    if not cands:
        bad.append("%s %s: no %s event at %s in the trace" % (a["rule_id"], a["message"], kind,
                                                               a["time"]))
        continue
    if not any(e["event"] == a["event"] and e["process"] == a["process"] and
               e["workload"] == a["workload"] for e in cands):
        e = cands[0]
        for part in ("event", "process", "workload"):
            if e[part] != a[part]:
                bad.append("%s %s: %s differs\n  trace: %s\n  alert: %s" % (
                    a["rule_id"], kind, part, json.dumps(e[part], sort_keys=True),
                    json.dumps(a[part], sort_keys=True)))
        continue
    seen.setdefault(kind, set()).add(a["rule_id"])
for kind, rule in sorted(WANT.items()):
    if rule not in seen.get(kind, set()):
        bad.append("no %s alert compared for a %s event (compared: %s)" %
                   (rule, kind, sorted((k, sorted(v)) for k, v in seen.items())))


def events_of(kind):
    return [a["event"] for a in alerts if a["event"]["type"] == kind]


# names, not numbers, for the values that have them
CHECKS = [
    ("open", lambda e: "O_RDONLY" in e["flags"]),
    ("dns", lambda e: e["qtype"] == "A" and e["domain"] == "vigil-spelling.example.org"),
    ("unshare", lambda e: "CLONE_NEWUTS" in e["flags"]),
    ("ptrace", lambda e: e["request_name"] == "PTRACE_ATTACH"),
    ("bpf", lambda e: e["cmd_name"] == "BPF_PROG_LOAD"),
    ("connect", lambda e: e["proto"] == "TCP" and e["addr"] == "127.0.0.1"),
    ("send", lambda e: e["proto"] == "UDP" and e["call"] == "sendto" and e["port"] == 9),
    ("capability", lambda e: e["capability"] == "CAP_NET_RAW"),
    ("socket", lambda e: e["family"] == "AF_PACKET" and e["sock_type"] == "SOCK_RAW"),
    ("setns", lambda e: "CLONE_NEWNS" in e.get("host", []) and "CLONE_NEWNS" in e["joined"]),
    ("setid", lambda e: e["bits"] == ["S_ISUID"] and e["call"] in ("fchmodat", "fchmodat2")),
    ("erase", lambda e: e["call"] in ("unlink", "unlinkat")),
    ("http", lambda e: e["method"] == "GET" and e["path"] == "/spelling" and
     e["direction"] in ("outbound", "inbound") and e["proto"] == "TCP"),
    ("accept", lambda e: e["proto"] == "TCP" and e["direction"] == "inbound"),
]
for kind, ok in CHECKS:
    if not any(ok(e) for e in events_of(kind)):
        bad.append("%s: no alert spells it by name: %s" % (kind, events_of(kind)[:2]))


# the other run, under `vigil trace --json`: its values (ports, times, inodes) differ, its
# spelling must not
def shape(event):
    return sorted((k, type(v).__name__) for k, v in event.items())


if traced is not None:
    shapes = {}
    for e in traced:
        shapes.setdefault(e["kind"], set()).add(json.dumps(shape(e["event"])))
    for a in alerts:
        kind = a["event"]["type"]
        if json.dumps(shape(a["event"])) not in shapes.get(kind, set()):
            bad.append("%s %s: no traced %s event has its fields\n  alert: %s\n  trace: %s" % (
                a["rule_id"], kind, kind, shape(a["event"]),
                sorted(shapes.get(kind, set()))[:3]))
    for kind, ok in CHECKS:
        if not any(ok(e["event"]) for e in traced if e["kind"] == kind):
            bad.append("%s: no traced event spells it by name: %s" % (
                kind, [e["event"] for e in traced if e["kind"] == kind][:2]))
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("compared %d alerts over %d kinds" % (len(alerts), len(seen)))
