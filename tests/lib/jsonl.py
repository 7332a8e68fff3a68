#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Filters JSON lines (alerts, `vigil trace --json` events) for shell tests.

  jsonl.py filter FILE [COND...]        print the lines matching every COND
  jsonl.py count  FILE [COND...]        print how many lines match
  jsonl.py get    FILE FIELD [COND...]  print FIELD of each matching line (strings raw,
                                        other values as compact JSON; missing: skipped)

FILE is a path or "-" for stdin. FIELD is a dotted path ("process.args.0", "event.port").
COND is FIELD=VALUE (equal), FIELD!=VALUE, FIELD~TEXT (contains), FIELD? (present).
Against a list, = and ~ match when any element matches. Numbers compare by their text,
booleans as true/false. Lines that are not JSON objects are ignored (logs mixed in).
"""
import json
import re
import sys

MISSING = object()
COND_RE = re.compile(r"^([A-Za-z0-9_.\-]+)(!=|=|~|\?)(.*)$", re.S)


def lookup(obj, path):
    for part in path.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return MISSING
    return obj


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    return str(v)


def parse_cond(c):
    m = COND_RE.match(c)
    if not m:
        sys.exit("jsonl.py: bad condition %r (FIELD=VALUE, FIELD!=VALUE, FIELD~TEXT, FIELD?)" % c)
    if m.group(2) == "?" and m.group(3):
        sys.exit("jsonl.py: bad condition %r" % c)
    return m.group(1), m.group(2), m.group(3)


def matches(obj, cond):
    field, op, want = cond
    v = lookup(obj, field)
    if op == "?":
        return v is not MISSING
    if v is MISSING:
        return op == "!="
    vals = v if isinstance(v, list) else [v]
    if op == "=":
        return any(text(x) == want for x in vals) or text(v) == want
    if op == "~":
        return any(want in text(x) for x in vals)
    return text(v) != want and not any(text(x) == want for x in vals)


def records(path):
    f = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")
    with f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield line, obj


def main(argv):
    if len(argv) < 3 or argv[1] not in ("filter", "count", "get"):
        sys.exit(__doc__)
    cmd, path, rest = argv[1], argv[2], argv[3:]
    field = None
    if cmd == "get":
        if not rest:
            sys.exit("jsonl.py get FILE FIELD [COND...]")
        field, rest = rest[0], rest[1:]
    conds = [parse_cond(c) for c in rest]
    n = 0
    out = sys.stdout
    for line, obj in records(path):
        if not all(matches(obj, c) for c in conds):
            continue
        n += 1
        if cmd == "filter":
            out.write(line + "\n")
        elif cmd == "get":
            v = lookup(obj, field)
            if v is not MISSING:
                out.write(text(v) + "\n")
    if cmd == "count":
        out.write("%d\n" % n)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(0)
    except OSError as e:
        sys.exit("jsonl.py: %s" % e)
