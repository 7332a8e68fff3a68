/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The base layer of every sensor hook: the monitored-set check (a few instructions for tasks
 * nobody watches), the record header in per-CPU scratch, de-duplication and the per-workload
 * rate limit on the way to the ring buffer, and string copies into the record.
 * Included after vmlinux.h, the libbpf headers, sensor_abi.h, shared.bpf.h and maps.bpf.h.
 */
#ifndef VIGIL_BPF_RECORD_H
#define VIGIL_BPF_RECORD_H

#define DMASK (VG_DATA_MAX - 1)

/* A data offset the verifier can see is bounded: the AND survives the compiler, which would
 * otherwise drop it after its own range checks. */
static __always_inline __u32 doff(__u32 off)
{
	asm volatile("%[o] &= 8191" : [o] "+r"(off));
	return off;
}

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &what);

	if (v)
		*v += 1;
}

static __always_inline bool want(__u32 kind)
{
	return cfg_kinds & (1ull << kind);
}

/* ---- monitored set ------------------------------------------------------------------- */

/* Cache miss: decide from the watched/excluded maps and the task's cgroup ancestry. */
static __noinline int decide_current(__u64 cg, __u32 gen)
{
	struct vg_vcache val = { .cgroup_id = cg, .gen = gen };
	__u8 v = 2;

	for (int lvl = 0; lvl < 16; lvl++) {
		__u64 anc = bpf_get_current_ancestor_cgroup_id(lvl);

		if (!anc)
			break;
		if (cfg_scope_selected) {
			if (bpf_map_lookup_elem(&watched, &anc)) {
				v = 1;
				break;
			}
		} else if (bpf_map_lookup_elem(&excluded, &anc)) {
			v = 2;
			goto out;
		}
	}
	if (!cfg_scope_selected)
		v = 1;
out:
	val.verdict = v;
	bpf_map_update_elem(&verdict, &cg, &val, BPF_ANY);
	return v == 1;
}

/* The early exit of every hook: the sensor itself and unmonitored cgroups leave here.
 * ret_c: this CPU's cache (may be NULL), for hooks with a fast path of their own. */
static __always_inline bool monitored_c(__u64 *ret_cg, struct vg_cpucache **ret_c)
{
	__u32 zero = 0, gen = verdict_gen;
	struct vg_cpucache *c;
	struct vg_vcache *v;
	__u64 cg = bpf_get_current_cgroup_id();
	bool m;

	*ret_cg = cg;
	/* per-CPU one-entry cache: consecutive syscalls of one task cost an array lookup */
	c = bpf_map_lookup_elem(&vcache, &zero);
	*ret_c = c;
	/* a process that moved itself out of its workload's cgroup is still the workload's
	 * (bpf/cgroup.bpf.c); a global read while nobody did */
	if (moved_any > 0) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		struct vg_wlof *o = bpf_map_lookup_elem(&moved, &tgid);

		if (o) {
			*ret_cg = o->cgroup_id;
			return tgid != cfg_self_tgid;
		}
	}
	if (c && c->v.cgroup_id == cg && c->v.gen == gen) {
		if (c->v.verdict != 1)
			return false;
	} else {
		v = bpf_map_lookup_elem(&verdict, &cg);
		m = v && v->gen == gen ? v->verdict == 1 : decide_current(cg, gen);
		if (c) {
			c->v.cgroup_id = cg;
			c->v.gen = gen;
			c->v.verdict = m ? 1 : 2;
		}
		if (!m)
			return false;
	}
	/* the sensor's own process, checked only where it could be monitored */
	return (bpf_get_current_pid_tgid() >> 32) != cfg_self_tgid;
}

static __always_inline bool monitored(__u64 *ret_cg)
{
	struct vg_cpucache *c;

	return monitored_c(ret_cg, &c);
}

static __always_inline bool monitored_cgid(__u64 cg)
{
	struct vg_vcache *v = bpf_map_lookup_elem(&verdict, &cg);

	if (v && v->gen == verdict_gen)
		return v->verdict == 1;
	if (cfg_scope_selected)
		return bpf_map_lookup_elem(&watched, &cg) != NULL;
	return bpf_map_lookup_elem(&excluded, &cg) == NULL;
}

/* ---- record construction ------------------------------------------------------------- */

static __always_inline struct vg_event *ev_begin(__u32 kind, __u64 cg)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct vg_event *e;

	if (!s)
		return NULL;
	e = (struct vg_event *)s->buf;
	vg_event_init(e, kind, cg);
	return e;
}

/*
 * Per-workload token bucket: a flood from one workload cannot blind the sensor to others.
 * Every CPU of the workload shares the bucket. `now` was read when this CPU began its record,
 * so another CPU may already have moved last_ns past it: such a record adds nothing (an
 * unsigned now - last_ns would wrap around into a full bucket, the limit then never engaging
 * on more than one CPU). One CPU claims each refill by moving last_ns with a compare-and-swap,
 * by exactly the time the tokens it adds stand for (no fraction of a token is lost), and
 * tokens are taken with atomic adds.
 */
static __always_inline bool rate_ok(__u64 cg, __u64 now)
{
	__u64 rate_ = cfg_rate_per_sec, last, delta, next;
	struct vg_rate *r, init = { .last_ns = now, .tokens = (__s64)rate_ - 1 };
	__s64 add;

	if (!rate_)
		return true;
	r = bpf_map_lookup_elem(&rate, &cg);
	if (!r) {
		bpf_map_update_elem(&rate, &cg, &init, BPF_NOEXIST);
		return true;
	}
	last = r->last_ns;
	if (now > last) {
		delta = now - last;
		if (delta >= 1000000000ull) { /* a second or more: a full bucket */
			add = (__s64)rate_;
			next = now;
		} else {
			add = (__s64)(delta * rate_ / 1000000000ull);
			next = last + (__u64)add * 1000000000ull / rate_;
		}
		if (add > 0 && __sync_val_compare_and_swap(&r->last_ns, last, next) == last) {
			__sync_fetch_and_add(&r->tokens, add);
			if (r->tokens > (__s64)rate_)
				r->tokens = (__s64)rate_; /* a racing take is at most one token */
		}
	}
	if (__sync_fetch_and_add(&r->tokens, -1) <= 0) {
		__sync_fetch_and_add(&r->tokens, 1);
		return false;
	}
	return true;
}

/* FNV-style fold of the first 256 bytes of the strings and the kind's numbers. */
/*
 * Who did it, for de-duplication: the executable's inode and the effective uid of the current
 * task. The same deed by another program is news when profiles key entries by
 * executable (byExecutable: runuser reading /etc/passwd does not make the server's read a
 * repeat), and by a setuid program (euid 0 after uid 65534) it is an escalation, never a repeat.
 */
static __always_inline __u64 actor_key(__u32 euid)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 ino = BPF_CORE_READ(t, mm, exe_file, f_inode, i_ino);

	return ino * 0x9e3779b97f4a7c15ull ^ ((__u64)euid << 32);
}

static __always_inline __u32 current_euid(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(t, cred, euid.val);
}

static __always_inline __u64 ev_hash(struct vg_event *e, __u32 off, int nargs)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (int i = 0; i < 32; i++) {
		__u32 at = i * 8;
		__u64 w;

		if (at >= off)
			break;
		w = *(__u64 *)&e->data[doff(at)];
		if (off - at < 8)
			w &= (1ull << ((off - at) * 8)) - 1;
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (int i = 0; i < 6; i++) {
		if (i >= nargs)
			break;
		h = (h ^ (__u64)e->arg[i]) * 0x100000001b3ull;
	}
	h = (h ^ e->sa[1].port ^ ((__u64)e->sa[0].port << 16)) * 0x100000001b3ull;
	h = (h ^ *(__u64 *)&e->sa[1].addr[0] ^ *(__u64 *)&e->sa[1].addr[8]) * 0x100000001b3ull;
	/* who did it is part of a repeat: the same deed by another uid (root after a worker)
	 * is news, never a repeat (docs/DETECTION.md, "Cooldown") */
	h = (h ^ e->uid) * 0x100000001b3ull;
	/* and its program and effective uid (a record made outside the process, pid 0, has none) */
	if (e->pid)
		h = (h ^ actor_key(e->euid)) * 0x100000001b3ull;
	return h;
}

/*
 * Is k a repeat at `now`: sent (or decided, kallow_seen) less than the cooldown ago? Without a
 * cooldown (learn, trace) a key stays a repeat until the LRU evicts it. With one, a repeat
 * after the cooldown reaches the detector again, which then alerts again, as its cooldown says;
 * a set kind (force_dedup) stays quiet for a second at least, even with a cooldown of 0.
 */
static __always_inline bool dedup_repeat(struct vg_dedup_key *k, __u64 now, bool set_kind)
{
	__u64 *sent = bpf_map_lookup_elem(&dedup, k);
	__u64 ttl = cfg_dedup_ttl_ns;

	if (!sent)
		return false;
	if (!ttl)
		return true;
	if (set_kind && ttl < VG_DEDUP_SET_TTL_NS)
		ttl = VG_DEDUP_SET_TTL_NS;
	/* another CPU may have stamped it after `now` was read: still a repeat */
	return now < *sent || now - *sent < ttl;
}

/*
 * Sends the record built in scratch with `off` bytes of string data. nargs: how many of the
 * arg[] numbers are part of the de-duplication key (the rest, e.g. return values, are not).
 * force_dedup: de-duplicate even when the sensor runs without it (first-use style events).
 */
#define VG_KEY_STREAM (~0ull) /* ev_submit_key: never de-duplicated (stream pieces, exits) */
static __always_inline int ev_submit_key(struct vg_event *e, __u32 off, int nargs, bool force_dedup,
					 __u64 key_hash)
{
	struct vg_dedup_key k = {};
	bool dd = cfg_dedup || force_dedup;
	__u64 size;

	/* a zoomed workload reports every repeat (each connection...), first-use events aside */
	if (dd && !force_dedup && bpf_map_lookup_elem(&zoom, &e->cgroup_id))
		dd = false;
	/* what enforcement acted on is always reported: every kill has its alert, and so has a
	 * kill a rail held back (the budget, the switch, a protected process: no entry is left
	 * that would let a later repeat skip the open rules once the rail is gone); and the pieces
	 * of a stream (VG_KEY_STREAM: DNS over TCP), which user space puts back together. A
	 * dry-run deviation is de-duplicated as detection is: its repeats say nothing new */
	if ((e->flags & VG_F_KILLED) ||
	    ((e->flags & VG_F_WOULD_KILL) &&
	     (e->flags & (VG_F_ENF_LIMIT | VG_F_ENF_OFF | VG_F_ENF_SPARED))) ||
	    key_hash == VG_KEY_STREAM)
		dd = false;

	if (dd) {
		k.cgroup_id = e->cgroup_id;
		k.kind = e->kind;
		k.hash = key_hash ? key_hash : ev_hash(e, off, nargs);
		if (dedup_repeat(&k, e->ktime_ns, force_dedup)) {
			count(VG_CNT_DEDUP);
			return 0;
		}
	}
	if (!(e->flags & VG_F_KILLED) && !rate_ok(e->cgroup_id, e->ktime_ns)) {
		count(VG_CNT_DROP_RATELIMIT);
		return 0;
	}
	size = VG_EVENT_HDR_SIZE + (__u64)off;
	if (size > SCRATCH_SIZE)
		return 0;
	e->size = size;
	if (bpf_ringbuf_output(&events, e, size, 0)) {
		count(VG_CNT_DROP_RINGBUF);
		return 0;
	}
	count(VG_CNT_EVENTS);
	if (dd && bpf_map_update_elem(&dedup, &k, &e->ktime_ns, BPF_ANY))
		count(VG_CNT_DROP_TABLE);
	return 0;
}

static __always_inline int ev_submit(struct vg_event *e, __u32 off, int nargs, bool force_dedup)
{
	return ev_submit_key(e, off, nargs, force_dedup, 0);
}

static __always_inline void set_fmt(struct vg_event *e, int idx, __u8 fmt)
{
	e->str_fmt |= fmt << (idx * 2);
}

/* Copies a kernel or user string as string number idx; returns the new data offset. */
static __always_inline __u32 put_str(struct vg_event *e, __u32 off, int idx, const void *src,
				     bool user, __u8 fmt)
{
	long n;

	if (idx >= VG_NSTR || off > VG_DATA_MAX - VG_STR_MAX) {
		e->flags |= VG_F_TRUNC;
		return off;
	}
	if (user)
		n = bpf_probe_read_user_str(&e->data[doff(off)], VG_STR_MAX, src);
	else
		n = bpf_probe_read_kernel_str(&e->data[doff(off)], VG_STR_MAX, src);
	if (n <= 0)
		return off;
	if (n == VG_STR_MAX)
		e->flags |= VG_F_TRUNC;
	e->str_len[idx] = n;
	set_fmt(e, idx, fmt);
	return off + n;
}

/* Bounded bytes from user memory (argv block, DNS payload). */
static __always_inline __u32 put_user_bytes(struct vg_event *e, __u32 off, int idx, const void *src,
					    __u64 len, __u32 max, __u8 fmt)
{
	if (idx >= VG_NSTR || off > VG_DATA_MAX - VG_STR_MAX)
		return off;
	if (len > max) {
		len = max;
		e->flags |= idx == 1 ? VG_F_ARGS_TRUNC : VG_F_TRUNC;
	}
	if (len == 0 || len > VG_STR_MAX)
		return off;
	if (bpf_probe_read_user(&e->data[doff(off)], len, src))
		return off;
	e->str_len[idx] = len;
	set_fmt(e, idx, fmt);
	return off + len;
}

#endif
