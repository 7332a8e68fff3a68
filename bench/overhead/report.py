#!/usr/bin/env python3
# Turns the raw records of bench/overhead/run (one JSON object a line) into the results file
# (JSON), the Markdown section "overhead" of docs/BENCHMARKS.md and the PNG plot (gnuplot).
import argparse, datetime, json, os, platform, statistics, subprocess, tempfile

WORKLOADS = [
    ("open", "open+close", "ops/s"),
    ("stat", "stat", "ops/s"),
    ("pipe", "pipe write+read 64 B", "ops/s"),
    ("connect", "loopback connect+accept", "ops/s"),
    ("forkexec", "fork+exec+wait /bin/true", "ops/s"),
    ("redis_set", "redis-benchmark SET", "req/s"),
    ("redis_get", "redis-benchmark GET", "req/s"),
    ("build", "tar x + gcc -c", "files/s"),
]
MODE_TITLES = {
    "none": "no sensor",
    "floor": "floor (empty BPF)",
    "learn": "vigil learning",
    "detect": "vigil detecting",
    "bpftrace": "bpftrace",
    "auditd": "auditd",
}
DROPS = ["drop_ringbuf", "drop_ratelimit", "drop_table", "drop_path"]


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=0):
    if x is None:
        return "–"
    return f"{x:,.{nd}f}"


def pct(x):
    return "–" if x is None else f"{x * 100:.1f}%"


def main():
    ap = argparse.ArgumentParser()
    for a in ("raw", "json", "png", "doc", "cmd", "hooks", "sizes", "modes", "load"):
        ap.add_argument("--" + a, default="")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--replot", default="", help="redraw --png from this results file and stop")
    ap.add_argument("--elapsed", type=int, default=0)
    o = ap.parse_args()
    if o.replot:
        res = json.load(open(o.replot))
        plot(res, res["modes"], o.png)
        return
    recs = [json.loads(l) for l in open(o.raw) if l.strip()]
    modes = o.modes.split()
    rates = {}  # (workload, mode) -> {rep: rate}
    cpus = {}  # (workload, mode) -> {rep: CPU ns per operation of the workload's cgroup}
    for r in recs:
        if "workload" in r:
            rates.setdefault((r["workload"], r["mode"]), {})[r["rep"]] = r["rate"]
            if r.get("ops"):
                cpus.setdefault((r["workload"], r["mode"]), {})[r["rep"]] = r["cpu_us"] * 1e3 / r["ops"]

    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "load": o.load},
           "command": o.cmd, "repetitions": o.reps, "sizes": o.sizes, "floor_hooks": o.hooks.split(","),
           "modes": modes, "workloads": {}, "agent": {}, "flood": [], "latency": None}
    for w, title, unit in WORKLOADS:
        ent = {"title": title, "unit": unit, "modes": {}}
        base = rates.get((w, "none"), {})
        for m in modes:
            rr = rates.get((w, m), {})
            if not rr:
                continue
            vals = list(rr.values())
            e = {"median": med(vals), "min": min(vals), "max": max(vals), "runs": [rr[k] for k in sorted(rr)]}
            ratios = [rr[k] / base[k] for k in rr if k in base and base[k] > 0]
            if ratios:
                e["ratio_median"] = med(ratios)
                e["ratio_min"] = min(ratios)
                e["ratio_max"] = max(ratios)
            cc = list(cpus.get((w, m), {}).values())
            if cc:
                e["cpu_ns_per_op"] = med(cc)
                e["cpu_ns_per_op_min"] = min(cc)
                e["cpu_ns_per_op_max"] = max(cc)
            ent["modes"][m] = e
        # CPU added per operation over no sensor, and over the floor, from the medians
        nm = ent["modes"].get("none", {}).get("cpu_ns_per_op")
        fm = ent["modes"].get("floor", {}).get("cpu_ns_per_op")
        for m, e in ent["modes"].items():
            if nm and "cpu_ns_per_op" in e:
                e["extra_cpu_ns_per_op"] = e["cpu_ns_per_op"] - nm
                e["cpu_ratio"] = e["cpu_ns_per_op"] / nm
            if nm and fm and "cpu_ns_per_op" in e and m not in ("none", "floor"):
                floor_ns = fm - nm
                e["floor_extra_cpu_ns_per_op"] = floor_ns
                # below 2% of the operation the floor is inside the noise: no ratio
                if floor_ns > 0.02 * nm:
                    e["over_floor"] = e["extra_cpu_ns_per_op"] / floor_ns
        res["workloads"][w] = ent

    for m in ("learn", "detect"):
        ss = [r for r in recs if r.get("session") and r["mode"] == m]
        if not ss:
            continue
        cpu = sum(s["after"]["cpu_s"] - s["before"]["cpu_s"] for s in ss)
        ev = sum(s["after"].get("events", 0) - s["before"].get("events", 0) for s in ss)
        ded = sum(s["after"].get("dedup", 0) - s["before"].get("dedup", 0) for s in ss)
        secs = sum(s["secs"] for s in ss)
        drops = {d: sum(s["after"].get(d, 0) - s["before"].get(d, 0) for s in ss) for d in DROPS}
        res["agent"][m] = {
            "sessions": len(ss), "workload_secs": secs, "cpu_s": cpu, "events": ev, "dedup": ded,
            "cpu_share": cpu / secs if secs else None,
            "cpu_s_per_million_events": cpu / ev * 1e6 if ev else None,
            "rss_kb_max": max(s["after"]["rss_kb"] for s in ss),
            "hwm_kb_max": max(s["after"]["hwm_kb"] for s in ss),
            "pss_kb_max": max(s["after"].get("pss_kb", 0) for s in ss),
            "private_kb_max": max(s["after"].get("private_kb", 0) for s in ss),
            "bpf_map_rss_kb_max": max(s["after"].get("bpf_map_rss_kb", 0) for s in ss),
            "drops": drops,
            "alerts_max": max(s.get("alerts", 0) for s in ss),
            "alert_rules": sorted({s.get("alert_rules", "") for s in ss if s.get("alert_rules")}),
        }
    for r in recs:
        if r.get("flood"):
            ev = r["after"].get("events", 0) - r["before"].get("events", 0)
            cpu = r["after"]["cpu_s"] - r["before"]["cpu_s"]
            res["flood"].append({
                "target_rate": r["rate"], "procs": r["procs"], "opens": r["ops"], "secs": r["secs"],
                "ringbuf": r.get("ringbuf", "default"),
                "opens_per_s": r["ops"] / r["secs"] if r["secs"] else None,
                "events": ev, "events_per_s": ev / r["secs"] if r["secs"] else None,
                "agent_cpu_s": cpu, "cpu_s_per_million_events": cpu / ev * 1e6 if ev else None,
                "drops": {d: r["after"].get(d, 0) - r["before"].get(d, 0) for d in DROPS},
                "hwm_kb": r["after"]["hwm_kb"]})
        if r.get("progstats"):
            ps = res.setdefault("hook_ns_per_call", {})
            for name, (cnt, ns) in r["after"].items():
                c0, n0 = r["before"].get(name, [0, 0])
                if cnt - c0 > 0:
                    ps.setdefault(name, {})[r["mode"]] = {"calls": cnt - c0, "ns_per_call": (ns - n0) / (cnt - c0)}
        if r.get("latency"):
            res["latency"] = {k: v for k, v in r.items() if k != "latency"}

    with open(o.json, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    plot(res, modes, o.png)
    write_doc(res, modes, o)


def plot(res, modes, png):
    shown = [m for m in modes if m != "none"]
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        with open(data, "w") as f:
            for w, title, _ in WORKLOADS:
                ms = res["workloads"].get(w, {}).get("modes", {})
                if not ms:
                    continue
                cells = []
                for m in shown:
                    r = ms.get(m, {}).get("ratio_median")
                    cells.append("NaN" if r is None else f"{(1 - r) * 100:.2f}")
                for m in shown:
                    r = ms.get(m, {}).get("cpu_ratio")
                    cells.append("NaN" if r is None else f"{(r - 1) * 100:.2f}")
                f.write(f'"{title}" ' + " ".join(cells) + "\n")
        cols = " , ".join(f"'{data}' using {i + 2}:xtic(1) title '{MODE_TITLES.get(m, m)}'"
                          for i, m in enumerate(shown))
        cols2 = " , ".join(f"'{data}' using {i + 2 + len(shown)}:xtic(1) title '{MODE_TITLES.get(m, m)}'"
                           for i, m in enumerate(shown))
        script = f"""
set terminal pngcairo size 1200,1000 font 'sans,10'
set output '{png}'
set multiplot layout 2,1
set title 'Throughput loss against no sensor (median of {res['repetitions']} alternating runs; {res['machine']['cpus']} CPUs, kernel {res['machine']['kernel']})'
set ylabel 'throughput loss (%), lower is better'
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set xtics rotate by -20 scale 0
set yrange [*:*]
plot {cols}
set title 'CPU time added per operation (workload cgroup, median)'
set ylabel 'CPU per operation added (%), lower is better'
plot {cols2}
unset multiplot
"""
        r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if r.returncode != 0:
            print("report: gnuplot: " + r.stderr.strip())


def write_doc(res, modes, o):
    L = []
    mach = res["machine"]
    cpu_model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    L.append("<!-- bench:overhead:begin -->")
    L.append(f"Command: `{o.cmd}` (bench/overhead/run), {o.elapsed} s. Machine: {mach['cpus']} CPUs "
             f"({cpu_model}), kernel {mach['kernel']}, {res['date']}; {o.load}.")
    L.append(f"Repetitions: {o.reps}, modes alternating within each. Sizes: {o.sizes}. "
             f"Results file: docs/bench-overhead.json; plot: docs/bench-overhead.png.")
    L.append("")
    L.append("Throughput, median (min–max) over the repetitions, and the median of the per-repetition ratio "
             "to no sensor:")
    L.append("")
    L.append("| workload | " + " | ".join(MODE_TITLES.get(m, m) for m in modes) + " |")
    L.append("|---|" + "---|" * len(modes))
    for w, title, unit in WORKLOADS:
        ms = res["workloads"].get(w, {}).get("modes", {})
        if not ms:
            continue
        cells = []
        for m in modes:
            e = ms.get(m)
            if not e:
                cells.append("–")
                continue
            c = f"{fmt(e['median'])} ({fmt(e['min'])}–{fmt(e['max'])})"
            if m != "none" and "ratio_median" in e:
                c += f"<br>**{e['ratio_median']:.3f}×**"
            cells.append(c)
        L.append(f"| {title} ({unit}) | " + " | ".join(cells) + " |")
    L.append("")
    L.append("CPU time per operation (all processes of the workload's cgroup, from its `cpu.stat` "
             "usage_usec; in-kernel BPF time is charged to the task making the syscall, the agent's own "
             "CPU is not included: see the agent table), median, the ratio to no sensor, and the cost "
             "over the floor ((c_mode − c_none) / (c_floor − c_none); – where the floor's own cost is "
             "under 2% of an operation):")
    L.append("")
    L.append("| workload | " + " | ".join(MODE_TITLES.get(m, m) for m in modes) + " |")
    L.append("|---|" + "---|" * len(modes))
    for w, title, unit in WORKLOADS:
        ms = res["workloads"].get(w, {}).get("modes", {})
        if not ms:
            continue
        cells = []
        for m in modes:
            e = ms.get(m, {})
            if "cpu_ns_per_op" not in e:
                cells.append("–")
                continue
            c = f"{e['cpu_ns_per_op'] / 1000:,.2f} µs"
            if m != "none" and "cpu_ratio" in e:
                c += f"<br>{e['cpu_ratio']:.3f}×"
            if "over_floor" in e:
                c += f", **{e['over_floor']:.2f}× floor**"
            cells.append(c)
        L.append(f"| {title} | " + " | ".join(cells) + " |")
    L.append("")
    if res["agent"]:
        L.append("The agent during the workloads (all repetitions together; CPU from /proc/PID/stat, "
                 "events and drops from the sensor's per-CPU counters map):")
        L.append("")
        L.append("| agent mode | workload time | agent CPU | CPU share | events | dedup'd in kernel | "
                 "CPU s / M events | VmRSS / VmHWM max | drops ringbuf / ratelimit / table | alerts per session (rules) |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for m, a in res["agent"].items():
            L.append(f"| {m} | {a['workload_secs']:.1f} s | {a['cpu_s']:.2f} s | {pct(a['cpu_share'])} | "
                     f"{a['events']:,} | {a['dedup']:,} | {fmt(a['cpu_s_per_million_events'], 2)} | "
                     f"{a['rss_kb_max'] / 1024:.1f} / {a['hwm_kb_max'] / 1024:.1f} MiB | "
                     f"{a['drops']['drop_ringbuf']:,} / {a['drops']['drop_ratelimit']:,} / {a['drops']['drop_table']:,} | "
                     f"{a['alerts_max']}{' (' + '; '.join(a['alert_rules']) + ')' if a['alert_rules'] else ''} |")
        L.append("")
        for m, a in res["agent"].items():
            if a.get("pss_kb_max"):
                L.append(f"Agent memory ({m}): PSS {a['pss_kb_max'] / 1024:.1f} MiB, private "
                         f"{a['private_kb_max'] / 1024:.1f} MiB, mmapped BPF maps (the ring buffer, counted "
                         f"twice in RSS) {a['bpf_map_rss_kb_max'] / 1024:.1f} MiB of the RSS.")
        L.append("")
    if res["flood"]:
        L.append("Event flood (opens of distinct missing files, which the kernel cannot de-duplicate) "
                 "into the learning agent; the sensor caps each workload at 20,000 events/s, so the load "
                 "comes from several workloads at once:")
        L.append("")
        rbs = any(f["ringbuf"] != "default" for f in res["flood"])
        L.append("| target rate (total) | " + ("ring buffer | " if rbs else "") +
                 "workloads (one process each) | opens/s done | events/s delivered | agent CPU s / M events | "
                 "drops ringbuf / ratelimit / table / path | VmHWM |")
        L.append("|---|---|---|---|---|---|---|" + ("---|" if rbs else ""))
        for f in res["flood"]:
            d = f["drops"]
            L.append(f"| {'max' if not f['target_rate'] else format(f['target_rate'], ',')} | "
                     + (f"{f['ringbuf']} | " if rbs else "") + f"{f['procs']} | "
                     f"{fmt(f['opens_per_s'])} | {fmt(f['events_per_s'])} | "
                     f"{fmt(f['cpu_s_per_million_events'], 2)} | {d['drop_ringbuf']:,} / {d['drop_ratelimit']:,} / "
                     f"{d['drop_table']:,} / {d['drop_path']:,} | {f['hwm_kb'] / 1024:.1f} MiB |")
        L.append("")
    hk = res.get("hook_ns_per_call")
    if hk:
        pm = [m for m in ("floor", "learn", "detect") if any(m in v for v in hk.values())]
        L.append("Kernel time per program run (a separate pass over open, stat, connect and fork+exec with "
                 "`kernel.bpf_stats_enabled=1`; `bpftool prog` run_time_ns / run_cnt; the floor's programs are "
                 "named like the sensor's):")
        L.append("")
        L.append("| program | " + " | ".join(MODE_TITLES[m] + " ns/run (runs)" for m in pm) + " |")
        L.append("|---|" + "---|" * len(pm))
        for name in sorted(hk):
            cells = []
            for m in pm:
                e = hk[name].get(m)
                cells.append("–" if not e else f"{e['ns_per_call']:,.0f} ({e['calls']:,})")
            L.append(f"| `{name}` | " + " | ".join(cells) + " |")
        L.append("")
    lat = res["latency"]
    if lat:
        if lat.get("n"):
            L.append(f"Event-to-alert latency (detect mode, an exec of a path not in the profile until its "
                     f"R0001 line is in the alert file): p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, "
                     f"max {lat['max_ms']:.1f} ms over {lat['n']} probes ({lat['missed']} without an alert "
                     f"within 5 s).")
        else:
            L.append(f"Event-to-alert latency: no alert arrived for any of {lat.get('missed')} probes.")
        L.append("")
    L.append("Targets (issue 7, issue 4):")
    L.append("")
    L.extend(targets(res))
    L.append("")
    L.append(f"Floor hooks (empty programs generated from the sensor's bpf/*.bpf.c): "
             f"{', '.join('`' + h + '`' for h in res['floor_hooks'] if h)}.")
    L.append("<!-- bench:overhead:end -->")
    section = "\n".join(L) + "\n"
    doc = o.doc
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    b, e = "<!-- bench:overhead:begin -->", "<!-- bench:overhead:end -->"
    if b in text and e in text:
        text = text[:text.index(b)] + section.rstrip("\n") + text[text.index(e) + len(e):]
    else:
        text = text.rstrip("\n") + "\n\n## Overhead\n\n" + section
    with open(doc, "w") as f:
        f.write(text)
    print(section)


def targets(res):
    out = []
    wl = res["workloads"]

    def ratio(w, m):
        return wl.get(w, {}).get("modes", {}).get(m, {}).get("ratio_median")

    rs = [ratio("redis_set", "detect"), ratio("redis_get", "detect")]
    rs = [r for r in rs if r is not None]
    if rs:
        loss = 1 - min(rs)
        out.append(f"- redis-benchmark loss in detect mode ≤ 2%: throughput, worst of SET/GET, {-loss * 100:+.1f}% "
                   f"(median of per-repetition ratios) — "
                   + ("met." if loss <= 0.02 else f"missed by {(loss - 0.02) * 100:.1f} points."))
    cr = [wl.get(w, {}).get("modes", {}).get("detect", {}).get("cpu_ratio") for w in ("redis_set", "redis_get")]
    cr = [c for c in cr if c is not None]
    if cr:
        out.append(f"  CPU of redis-server + redis-benchmark per request in detect mode: "
                   f"{(max(cr) - 1) * 100:+.1f}% (worst of SET/GET).")
    e = wl.get("open", {}).get("modes", {}).get("detect", {})
    if "over_floor" in e:
        out.append(f"- open/close overhead in detect mode ≤ 1.5× the floor (CPU per open+close): "
                   f"{e['over_floor']:.2f}× ({e['extra_cpu_ns_per_op']:+,.0f} ns against the floor's "
                   f"{e['floor_extra_cpu_ns_per_op']:+,.0f} ns) — "
                   + ("met." if e["over_floor"] <= 1.5 else f"missed by {e['over_floor'] - 1.5:.2f}×."))
    elif "extra_cpu_ns_per_op" in e:
        out.append(f"- open/close overhead in detect mode ≤ 1.5× the floor: not measurable in this run "
                   f"(the floor is inside the noise; detect adds {e['extra_cpu_ns_per_op']:+,.0f} ns CPU "
                   f"per open+close).")
    r = ratio("forkexec", "detect")
    if r is not None:
        c = wl["forkexec"]["modes"]["detect"].get("cpu_ratio")
        worst = max(1 - r, (c - 1) if c else 0)
        out.append(f"- fork+exec overhead ≤ 5%: throughput {(r - 1) * 100:+.1f}%"
                   + (f", CPU per fork+exec {(c - 1) * 100:+.1f}%" if c else "") + " — "
                   + ("met." if worst <= 0.05 else f"missed by {(worst - 0.05) * 100:.1f} points (worse of the two)."))
    if res["flood"]:
        best = max(res["flood"], key=lambda f: f["events_per_s"] or 0)
        lossless = [f for f in res["flood"] if sum(f["drops"].values()) == 0]
        lb = max((f["events_per_s"] or 0 for f in lossless), default=0)
        out.append(f"- zero drops at 200k events/s: highest lossless rate reached {lb:,.0f} events/s; the "
                   f"flood peaked at {best['events_per_s']:,.0f} events/s delivered — "
                   + ("met." if lb >= 200000 else "not shown by this run (see the reading below)."))
    hw = [a["hwm_kb_max"] for a in res["agent"].values()] + [f["hwm_kb"] for f in res["flood"]]
    if hw:
        m = max(hw) / 1024
        out.append(f"- RSS ≤ 16 MiB: VmHWM {m:.1f} MiB — "
                   + ("met." if m <= 16 else f"missed by {m - 16:.1f} MiB."))
    return out


main()
