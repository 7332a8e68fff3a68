# SPDX-License-Identifier: Apache-2.0
"""The scenario suite's judge (tests/e2e/t2500-scenarios.sh).

  t2500-scenarios.py TABLE GROUP ALERTS

TABLE has one technique a line: GROUP|ID|TACTIC|ATT&CK|EXPECT|WHAT. The group's attacks ran in
one `vigil watch`, in table order, each followed by a fence: `/bin/echo fence ID`, an exec the
profile knows with arguments it does not, so R0040 with those arguments closes each technique's
share of the alerts (events are judged in the order they happened). EXPECT lists what must be
among a technique's alerts: RULE or RULE{FIELD=VALUE,FIELD~TEXT}; A/B means either. Rows of
group "gap" are known misses: they run, and what they raised is printed, not judged.
Prints one line per technique; exit status 1 when an expectation failed or a fence is missing.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import jsonl  # noqa: E402

ITEM_RE = re.compile(r"^([RV][0-9]{4})(?:\{(.*)\})?$")


def load_table(path, group):
    rows = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        g, tid, tactic, attack, expect, what = [f.strip() for f in line.split("|", 5)]
        if g == group or (group == "D" and g == "gap"):
            rows.append((g, tid, tactic, attack, expect, what))
    return rows


def is_fence(a, tid=None):
    args = jsonl.lookup(a, "process.args")
    if a.get("rule_id") != "R0040" or not isinstance(args, list) or len(args) != 3:
        return False
    return args[1] == "fence" and (tid is None or args[2] == tid)


def alternatives(item):
    """item split at each / outside braces (paths inside them keep theirs)."""
    alts, depth, cur = [], 0, ""
    for ch in item:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "/" and depth == 0:
            alts.append(cur)
            cur = ""
        else:
            cur += ch
    return alts + [cur]


def satisfied(alerts, item):
    for alt in alternatives(item):
        m = ITEM_RE.match(alt)
        if not m:
            sys.exit("t2500: bad expectation %r" % item)
        conds = [jsonl.parse_cond(c) for c in m.group(2).split(",")] if m.group(2) else []
        for a in alerts:
            if a.get("rule_id") == m.group(1) and all(jsonl.matches(a, c) for c in conds):
                return True
    return False


def main():
    table, group, path = sys.argv[1:4]
    rows = load_table(table, group)
    alerts = []
    for line in open(path, encoding="utf-8"):
        try:
            a = json.loads(line)
        except ValueError:
            continue
        if isinstance(a, dict):
            alerts.append(a)
    # split at the fences, in order
    shares, cur = {}, []
    for a in alerts:
        if is_fence(a):
            shares[a["process"]["args"][2]] = cur
            cur = []
        else:
            cur.append(a)
    failed = 0
    for g, tid, tactic, attack, expect, what in rows:
        if tid not in shares:
            print("FAIL  %-22s no fence: the run did not reach it, or its fence was lost" % tid)
            failed += 1
            continue
        got = shares[tid]
        rules = " ".join(sorted({a["rule_id"] for a in got})) or "-"
        if g == "gap":
            print("gap   %-22s %-11s raised: %s (wanted: %s)" % (tid, attack, rules, expect))
            continue
        missing = [i for i in expect.split() if not satisfied(got, i)]
        if missing:
            failed += 1
            print("FAIL  %-22s %-11s missing %s; raised: %s" % (tid, attack, " ".join(missing),
                                                                rules))
            for a in got:
                print("        %s %s" % (a.get("rule_id"), a.get("message", "")[:200]))
        else:
            print("ok    %-22s %-11s %s" % (tid, attack, rules))
    if cur:
        print("note: %d alert(s) after the last fence: %s" % (
            len(cur), " ".join(a.get("rule_id", "?") for a in cur)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
