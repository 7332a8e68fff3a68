#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""How many entries of a sensor's map NAME (netns_wl or netns_own) name cgroup id ID.

    netns_entries.py PID NAME ID

PID is the process holding the sensor (vigil trace, vigil agent): its maps are found through
its descriptors, so another sensor on the machine is never read. netns_wl: entries whose value
is ID (namespaces noted for it); netns_own: entries whose key is ID (its index). Needs bpftool.
"""
import json
import os
import subprocess
import sys


def bpftool(*args):
    return json.loads(subprocess.check_output(["bpftool", "-j"] + list(args)))


def main():
    pid, name, cg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ids = set()
    for fd in os.listdir("/proc/%s/fdinfo" % pid):
        try:
            with open("/proc/%s/fdinfo/%s" % (pid, fd)) as f:
                for line in f:
                    if line.startswith("map_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass  # closed meanwhile
    for i in sorted(ids):
        if bpftool("map", "show", "id", str(i)).get("name") != name:
            continue
        n = 0
        for e in bpftool("map", "dump", "id", str(i)):
            f = e.get("formatted", e)
            if (name == "netns_wl" and f.get("value") == cg) or \
                    (name == "netns_own" and f.get("key") == cg):
                n += 1
        print(n)
        return 0
    sys.exit("pid %s holds no map %s" % (pid, name))


if __name__ == "__main__":
    sys.exit(main())
