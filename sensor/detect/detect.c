// SPDX-License-Identifier: Apache-2.0
/*
 * The rule engine: one binding (compiled matcher) per workload, one evaluation per event, at
 * most one alert per event (the most specific rule wins, so a memfd exec is R1005 and not also
 * R0001), and a bounded cooldown table that counts repeats instead of re-sending them.
 */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/inet.h>
#include "util/lru.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

#define BIND_BUCKETS 1024
#define COOL_BUCKETS 4096
#define KEY_MAX	     1024

struct binding {
	struct binding *next;
	uint64_t cgroup_id;
	struct vigil_matcher *m;
	char *name, *digest, *signer;
	char *wl_name, *wl_image; /* from the caller (container engine), NULL when unknown */
	/* pod, namespace, pod_uid, container_name, runtime, workload_kind, workload_name */
	char *k8s[7];
	bool has_syscalls;
};

enum {
	K8S_POD,
	K8S_NS,
	K8S_UID,
	K8S_CNAME,
	K8S_RUNTIME,
	K8S_KIND,
	K8S_WNAME,
	K8S_N
};

struct cool {
	struct cool *hnext; /* hash chain */
	struct vigil_lru_node lru;
	uint64_t cgroup_id;
	uint64_t hash;
	int rule;
	uint64_t last_sent_ns;
	uint64_t suppressed; /* repeats since last_sent */
	char key[];
};

struct vigil_detector {
	uint64_t cooldown_ns;
	size_t max_keys;
	bool *disabled; /* by rule index */
	size_t nrules;
	const struct vigil_rule *rules;
	char **k8s_api; /* "ADDR:PORT" */
	size_t nk8s;
	struct binding *bind[BIND_BUCKETS];
	struct cool *cool[COOL_BUCKETS];
	struct vigil_lru lru; /* cooldown keys, head = most recently used */
	size_t ncool;
	struct vigil_detect_stats stats;
};

static const char *const default_k8s_api[] = { "*:6443", "10.96.0.1:443", NULL };

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* FNV-1a 64 */
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int rule_index(const struct vigil_detector *d, const char *id)
{
	for (size_t i = 0; i < d->nrules; i++) {
		if (!strcmp(d->rules[i].id, id))
			return (int)i;
	}
	return -1;
}

struct vigil_detector *vigil_detector__new(const struct vigil_detect_opts *opts)
{
	struct vigil_detector *d = calloc(1, sizeof(*d));
	const char *const *api;

	if (!d)
		return NULL;
	d->rules = vigil_rules__all(&d->nrules);
	d->disabled = calloc(d->nrules, sizeof(*d->disabled));
	if (!d->disabled)
		goto fail;
	d->cooldown_ns = VIGIL_DETECT_DEFAULT_COOLDOWN_NS;
	d->max_keys = 65536;
	if (opts && opts->cooldown_ns)
		d->cooldown_ns = opts->cooldown_ns;
	if (opts && opts->no_cooldown)
		d->cooldown_ns = 0;
	if (opts && opts->max_keys)
		d->max_keys = opts->max_keys;
	if (opts && opts->disabled) {
		for (size_t i = 0; opts->disabled[i]; i++) {
			int r = rule_index(d, opts->disabled[i]);

			if (r < 0) {
				errno = EINVAL;
				goto fail;
			}
			d->disabled[r] = true;
		}
	}
	api = opts && opts->k8s_api ? opts->k8s_api : default_k8s_api;
	for (size_t i = 0; api[i]; i++)
		d->nk8s++;
	d->k8s_api = calloc(d->nk8s + 1, sizeof(*d->k8s_api));
	if (!d->k8s_api)
		goto fail;
	for (size_t i = 0; i < d->nk8s; i++) {
		d->k8s_api[i] = strdup(api[i]);
		if (!d->k8s_api[i])
			goto fail;
	}
	return d;
fail:
	vigil_detector__free(d);
	return NULL;
}

static void binding_free(struct binding *b)
{
	if (!b)
		return;
	vigil_matcher__free(b->m);
	free(b->name);
	free(b->digest);
	free(b->signer);
	free(b->wl_name);
	free(b->wl_image);
	for (int i = 0; i < K8S_N; i++)
		free(b->k8s[i]);
	free(b);
}

void vigil_detector__free(struct vigil_detector *d)
{
	int saved = errno;

	if (!d)
		return;
	for (size_t i = 0; i < BIND_BUCKETS; i++) {
		while (d->bind[i]) {
			struct binding *b = d->bind[i];

			d->bind[i] = b->next;
			binding_free(b);
		}
	}
	while (d->lru.head) {
		struct cool *c = vigil_lru_entry(d->lru.head, struct cool, lru);

		vigil_lru__unlink(&d->lru, &c->lru);
		free(c);
	}
	for (size_t i = 0; d->k8s_api && i < d->nk8s; i++)
		free(d->k8s_api[i]);
	free(d->k8s_api);
	free(d->disabled);
	free(d);
	errno = saved;
}

static struct binding **bind_slot(const struct vigil_detector *d, uint64_t cgroup_id)
{
	struct binding **pp =
		(struct binding **)&d
			->bind[hash_bytes(0xcbf29ce484222325ULL, &cgroup_id, sizeof(cgroup_id)) %
			       BIND_BUCKETS];

	while (*pp && (*pp)->cgroup_id != cgroup_id)
		pp = &(*pp)->next;
	return pp;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int vigil_detector__bind(struct vigil_detector *d, uint64_t cgroup_id,
			 const struct vigil_profile *p, const char *container,
			 const struct vigil_profile_ref *ref)
{
	struct binding *b, **pp;
	char digest[80];
	const char *name = ref ? ref->name : NULL;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->cgroup_id = cgroup_id;
	err = vigil_matcher__new(p, container, &b->m);
	if (err < 0) {
		free(b);
		return err;
	}
	b->has_syscalls = vigil_matcher__has_syscalls(b->m);
	if (!name && vigil_profile__doc_count(p))
		name = vigil_profile__doc_name(p, 0);
	if (ref && ref->digest) {
		b->digest = strdup(ref->digest);
	} else {
		err = vigil_profile_digest(p, digest, sizeof(digest));
		if (err < 0) {
			binding_free(b);
			return err;
		}
		b->digest = strdup(digest);
	}
	b->name = dup_or_empty(name);
	b->signer = dup_or_empty(ref ? ref->signer : NULL);
	if (!b->name || !b->digest || !b->signer) {
		binding_free(b);
		return -ENOMEM;
	}
	pp = bind_slot(d, cgroup_id);
	if (*pp) {
		b->next = (*pp)->next;
		/* what the caller said about the workload outlives a profile change */
		b->wl_name = (*pp)->wl_name;
		b->wl_image = (*pp)->wl_image;
		(*pp)->wl_name = (*pp)->wl_image = NULL;
		memcpy(b->k8s, (*pp)->k8s, sizeof(b->k8s));
		memset((*pp)->k8s, 0, sizeof((*pp)->k8s));
		binding_free(*pp);
	} else {
		d->stats.workloads++;
	}
	*pp = b;
	return 0;
}

static void cool_unlink(struct vigil_detector *d, struct cool *c)
{
	struct cool **pp = &d->cool[c->hash % COOL_BUCKETS];

	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	vigil_lru__unlink(&d->lru, &c->lru);
	d->ncool--;
}

int vigil_detector__unbind(struct vigil_detector *d, uint64_t cgroup_id)
{
	struct binding **pp = bind_slot(d, cgroup_id), *b = *pp;
	struct vigil_lru_node *n, *next;

	if (!b)
		return -ENOENT;
	*pp = b->next;
	binding_free(b);
	d->stats.workloads--;
	for (n = d->lru.head; n; n = next) {
		struct cool *c = vigil_lru_entry(n, struct cool, lru);

		next = n->next;
		if (c->cgroup_id == cgroup_id) {
			cool_unlink(d, c);
			free(c);
		}
	}
	return 0;
}

int vigil_detector__set_workload_info(struct vigil_detector *d, uint64_t cgroup_id,
				      const char *name, const char *image)
{
	struct binding *b = *bind_slot(d, cgroup_id);

	if (!b)
		return -ENOENT;
	if (name) {
		free(b->wl_name);
		b->wl_name = strdup(name);
		if (!b->wl_name)
			return -ENOMEM;
	}
	if (image) {
		free(b->wl_image);
		b->wl_image = strdup(image);
		if (!b->wl_image)
			return -ENOMEM;
	}
	return 0;
}

int vigil_detector__set_k8s_info(struct vigil_detector *d, uint64_t cgroup_id,
				 const struct vigil_workload_k8s *k)
{
	struct binding *b = *bind_slot(d, cgroup_id);
	const char *v[K8S_N] = { k->pod,     k->namespace_,    k->pod_uid,	k->container_name,
				 k->runtime, k->workload_kind, k->workload_name };

	if (!b)
		return -ENOENT;
	for (int i = 0; i < K8S_N; i++) {
		free(b->k8s[i]);
		b->k8s[i] = v[i] && v[i][0] ? strdup(v[i]) : NULL;
		if (v[i] && v[i][0] && !b->k8s[i])
			return -ENOMEM;
	}
	return 0;
}

bool vigil_detector__bound(const struct vigil_detector *d, uint64_t cgroup_id)
{
	return *bind_slot(d, cgroup_id) != NULL;
}

void vigil_detector__stats(const struct vigil_detector *d, struct vigil_detect_stats *ret)
{
	*ret = d->stats;
}

int vigil_detector__syscall_bitmap(const struct vigil_detector *d, uint64_t cgroup_id,
				   const char *(*name_of)(int nr), uint64_t *bitmap, size_t nbits)
{
	const struct binding *b = *bind_slot(d, cgroup_id);

	if (!b)
		return -ENOENT;
	if (!b->has_syscalls)
		return -ENODATA;
	memset(bitmap, 0, (nbits + 63) / 64 * sizeof(uint64_t));
	for (size_t nr = 0; nr < nbits; nr++) {
		const char *name = name_of((int)nr);

		if (name && vigil_matcher__syscall(b->m, name))
			bitmap[nr / 64] |= 1ULL << (nr % 64);
	}
	return 0;
}

/*
 * Cooldown. Returns true when the alert should be sent; *ret_repeats gets how many repeats were
 * counted since the last one sent.
 */
static bool cooldown_pass(struct vigil_detector *d, uint64_t cgroup_id, int rule, const char *key,
			  uint64_t now, uint64_t *ret_repeats)
{
	size_t klen = strlen(key);
	uint64_t h = hash_bytes(
		hash_bytes(hash_bytes(0xcbf29ce484222325ULL, &cgroup_id, sizeof(cgroup_id)), &rule,
			   sizeof(rule)),
		key, klen);
	struct cool *c;

	*ret_repeats = 0;
	for (c = d->cool[h % COOL_BUCKETS]; c; c = c->hnext) {
		if (c->hash == h && c->cgroup_id == cgroup_id && c->rule == rule &&
		    !strcmp(c->key, key))
			break;
	}
	if (c) {
		vigil_lru__touch(&d->lru, &c->lru);
		if (d->cooldown_ns && now >= c->last_sent_ns &&
		    now - c->last_sent_ns < d->cooldown_ns) {
			c->suppressed++;
			d->stats.suppressed++;
			return false;
		}
		/* clock stepped back, or the window is over: send, reporting the repeats */
		*ret_repeats = c->suppressed;
		c->suppressed = 0;
		c->last_sent_ns = now;
		return true;
	}
	if (!d->cooldown_ns)
		return true;
	if (d->ncool >= d->max_keys && d->lru.tail) {
		struct cool *old = vigil_lru_entry(d->lru.tail, struct cool, lru);

		cool_unlink(d, old);
		free(old);
		d->stats.evicted++;
	}
	c = calloc(1, sizeof(*c) + klen + 1);
	if (!c)
		return true; /* better a duplicate alert than a lost one */
	memcpy(c->key, key, klen + 1);
	c->cgroup_id = cgroup_id;
	c->rule = rule;
	c->hash = h;
	c->last_sent_ns = now;
	c->hnext = d->cool[h % COOL_BUCKETS];
	d->cool[h % COOL_BUCKETS] = c;
	vigil_lru__push(&d->lru, &c->lru);
	d->ncool++;
	return true;
}

const char *vigil_format_time_ns(uint64_t realtime_ns, char *buf, size_t size)
{
	time_t sec = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lluZ", date, (unsigned long long)(realtime_ns % 1000000000ULL));
	return buf;
}

/* One alert being raised. */
struct raise {
	struct vigil_detector *d;
	const struct binding *b;
	const struct vigil_event *ev;
	const struct vigil_workload *w;
	vigil_alert_fn emit;
	void *ctx;
};

static const char *k8s_or(const struct binding *b, int i, const char *dflt)
{
	return b && b->k8s[i] ? b->k8s[i] : dflt;
}

static json_t *workload_json(const struct vigil_workload *w, const struct binding *b)
{
	const char *known_name = b ? b->wl_name : NULL, *image = b ? b->wl_image : NULL;
	const char *cid, *cgroup, *name;
	json_t *o;

	if (!w)
		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", "", "name", "",
				 "cgroup", "", "container_id", "", "container_name", "", "pod", "",
				 "namespace", "", "image", "");
	cid = w->container_id ? w->container_id : "";
	cgroup = w->cgroup_path ? w->cgroup_path : "";
	name = known_name ? known_name : (w->name && w->name[0] ? w->name : cgroup);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", cid[0] ? cid : cgroup, "name",
		      name, "cgroup", cgroup, "container_id", cid, "container_name",
		      k8s_or(b, K8S_CNAME, cid[0] ? name : ""), "pod", k8s_or(b, K8S_POD, ""),
		      "namespace", k8s_or(b, K8S_NS, ""), "image", image ? image : "", "runtime",
		      k8s_or(b, K8S_RUNTIME, w->runtime ? w->runtime : ""));
	/* Kubernetes only: the pod's uid and the controller whose profile it shares */
	if (o && b && b->k8s[K8S_UID])
		json_object_set_new(o, "pod_uid", json_string(b->k8s[K8S_UID]));
	if (o && b && b->k8s[K8S_KIND]) {
		json_object_set_new(o, "workload_kind", json_string(b->k8s[K8S_KIND]));
		json_object_set_new(o, "workload_name", json_string(k8s_or(b, K8S_WNAME, "")));
	}
	return o;
}

static json_t *process_json(const struct vigil_process *p)
{
	json_t *args, *o;

	if (!p)
		return json_pack("{s:i,s:i,s:s,s:s,s:[],s:i,s:i}", "pid", 0, "ppid", 0, "comm", "",
				 "exe", "", "args", "uid", 0, "gid", 0);
	args = json_array();
	for (uint32_t i = 0; args && p->argv && i < p->argc; i++)
		json_array_append_new(args, json_string(p->argv[i] ? p->argv[i] : ""));
	o = json_pack("{s:I,s:I,s:s%,s:s,s:o,s:I,s:I}", "pid", (json_int_t)p->pid, "ppid",
		      (json_int_t)p->ppid, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
		      "exe", p->exe ? p->exe : "", "args", args ? args : json_array(), "uid",
		      (json_int_t)p->uid, "gid", (json_int_t)p->gid);
	if (o && p->args_truncated)
		json_object_set_new(o, "args_truncated", json_true());
	if (o && p->cwd)
		json_object_set_new(o, "cwd", json_string(p->cwd));
	return o;
}

static void format_addr(const struct vigil_sockaddr *a, char *buf, size_t size)
{
	if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, buf, (socklen_t)size);
	else if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, buf, (socklen_t)size);
	else if (a->family == AF_UNIX)
		snprintf(buf, size, "%s", a->unix_path ? a->unix_path : "");
	else
		snprintf(buf, size, "%s", "");
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	default:
		return "";
	}
}

static const char *qtype_name(uint16_t qtype, char *buf, size_t size)
{
	static const struct {
		uint16_t t;
		const char *name;
	} names[] = { { 1, "A" },    { 2, "NS" },     { 5, "CNAME" }, { 6, "SOA" },
		      { 12, "PTR" }, { 15, "MX" },    { 16, "TXT" },  { 28, "AAAA" },
		      { 33, "SRV" }, { 65, "HTTPS" }, { 255, "ANY" } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].t == qtype)
			return names[i].name;
	}
	snprintf(buf, size, "%u", qtype);
	return buf;
}

static json_t *clone_flags_json(uint64_t flags)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ 0x00020000, "CLONE_NEWNS" },	 { 0x02000000, "CLONE_NEWCGROUP" },
		{ 0x04000000, "CLONE_NEWUTS" },	 { 0x08000000, "CLONE_NEWIPC" },
		{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
		{ 0x40000000, "CLONE_NEWNET" },	 { 0x00000080, "CLONE_NEWTIME" },
		{ 0x00000200, "CLONE_FILES" },	 { 0x00000400, "CLONE_FS" },
		{ 0x00000800, "CLONE_SYSVSEM" },
	};
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit)
			json_array_append_new(a, json_string(names[i].name));
	}
	return a ? a : json_array();
}

static const char *ptrace_name(int64_t req)
{
	switch (req) {
	case 0:
		return "PTRACE_TRACEME";
	case 1:
		return "PTRACE_PEEKTEXT";
	case 2:
		return "PTRACE_PEEKDATA";
	case 4:
		return "PTRACE_POKETEXT";
	case 5:
		return "PTRACE_POKEDATA";
	case 12:
		return "PTRACE_GETREGS";
	case 13:
		return "PTRACE_SETREGS";
	case 16:
		return "PTRACE_ATTACH";
	case 17:
		return "PTRACE_DETACH";
	case 0x4206:
		return "PTRACE_SEIZE";
	default:
		return "";
	}
}

static json_t *event_json(const struct vigil_event *ev)
{
	const char *type = vigil_event_kind__name(ev->kind);
	json_t *o = json_pack("{s:s}", "type", type ? type : "");
	char addr[INET6_ADDRSTRLEN + 1], num[16];

	if (!o)
		return NULL;
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		json_object_set_new(o, "path", json_string(ev->exec.path ? ev->exec.path : ""));
		json_object_set_new(o, "upper_layer", json_boolean(ev->exec.upper_layer));
		json_object_set_new(o, "memfd", json_boolean(ev->exec.memfd));
		json_object_set_new(o, "dev_shm", json_boolean(ev->exec.dev_shm));
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE: {
		const char *names[VIGIL_OPEN_FLAGS_MAX];
		size_t n = vigil_open_flag_names(ev->open.flags, names, VIGIL_OPEN_FLAGS_MAX);
		json_t *flags = json_array();

		for (size_t i = 0; flags && i < n; i++)
			json_array_append_new(flags, json_string(names[i]));
		json_object_set_new(o, "path", json_string(ev->open.path ? ev->open.path : ""));
		json_object_set_new(o, "flags", flags ? flags : json_array());
		json_object_set_new(o, "ret", json_integer(ev->open.ret));
		break;
	}
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
		json_object_set_new(o, "path", json_string(ev->link.path ? ev->link.path : ""));
		json_object_set_new(o, "target",
				    json_string(ev->link.target ? ev->link.target : ""));
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
		json_object_set_new(o, "proto", json_string(proto_name(ev->net.proto)));
		json_object_set_new(o, "direction",
				    json_string(ev->net.direction == VIGIL_DIR_INBOUND ? "inbound"
						: ev->net.direction == VIGIL_DIR_OUTBOUND
							? "outbound"
							: ""));
		format_addr(&ev->net.remote, addr, sizeof(addr));
		json_object_set_new(o, "addr", json_string(addr));
		json_object_set_new(o, "port", json_integer(ev->net.remote.port));
		format_addr(&ev->net.local, addr, sizeof(addr));
		json_object_set_new(o, "local_addr", json_string(addr));
		json_object_set_new(o, "local_port", json_integer(ev->net.local.port));
		break;
	case VIGIL_EV_DNS:
		json_object_set_new(o, "domain", json_string(ev->dns.name ? ev->dns.name : ""));
		json_object_set_new(o, "qtype",
				    json_string(qtype_name(ev->dns.qtype, num, sizeof(num))));
		break;
	case VIGIL_EV_CAPABILITY:
		json_object_set_new(o, "capability", json_string(ev->cap.name ? ev->cap.name : ""));
		break;
	case VIGIL_EV_SYSCALL:
		json_object_set_new(o, "syscall",
				    json_string(ev->syscall.name ? ev->syscall.name : ""));
		json_object_set_new(o, "nr", json_integer(ev->syscall.nr));
		break;
	case VIGIL_EV_IOURING_OP:
	case VIGIL_EV_IOURING_CREATE:
		json_object_set_new(o, "opcode", json_integer(ev->iouring.opcode));
		json_object_set_new(o, "op",
				    json_string(ev->iouring.opname ? ev->iouring.opname : ""));
		if (ev->iouring.path)
			json_object_set_new(o, "path", json_string(ev->iouring.path));
		break;
	case VIGIL_EV_PTRACE:
		json_object_set_new(o, "request", json_integer(ev->call.arg0));
		json_object_set_new(o, "request_name", json_string(ptrace_name(ev->call.arg0)));
		json_object_set_new(o, "target_pid", json_integer(ev->call.arg1));
		break;
	case VIGIL_EV_UNSHARE:
		json_object_set_new(o, "flags", clone_flags_json((uint64_t)ev->call.arg0));
		break;
	case VIGIL_EV_SETNS:
		json_object_set_new(o, "flags", clone_flags_json((uint64_t)ev->call.arg1));
		break;
	case VIGIL_EV_BPF:
		json_object_set_new(o, "cmd", json_integer(ev->call.arg0));
		json_object_set_new(o, "cmd_name",
				    json_string(ev->call.arg0 == 5 ? "BPF_PROG_LOAD" : ""));
		break;
	case VIGIL_EV_MODULE:
	case VIGIL_EV_MEMFD:
		json_object_set_new(o, "name", json_string(ev->call.str ? ev->call.str : ""));
		break;
	default:
		break;
	}
	if (ev->via_iouring)
		json_object_set_new(o, "via_iouring", json_true());
	return o;
}

static int emit_alert(struct vigil_detector *d, int rule, const struct vigil_workload *w,
		      const struct binding *b, const struct vigil_process *proc, json_t *event,
		      json_t *profile, const char *key, uint64_t time_ns, uint64_t repeats,
		      const char *message, vigil_alert_fn emit, void *ctx)
{
	const struct vigil_rule *r = &d->rules[rule];
	char when[48];
	json_t *a;
	int err;

	a = json_pack("{s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:s,s:I}", "time",
		      vigil_format_time_ns(time_ns, when, sizeof(when)), "rule_id", r->id,
		      "rule_name", r->name, "severity", r->severity, "message", message, "mitre",
		      "tactic", r->tactic, "technique", r->technique, "workload",
		      workload_json(w, b), "process", process_json(proc), "event",
		      event ? event : json_object(), "profile", profile ? profile : json_null(),
		      "key", key ? key : "", "repeats", (json_int_t)repeats);
	if (!a)
		return -ENOMEM;
	d->stats.alerts++;
	err = emit ? emit(a, ctx) : 0;
	json_decref(a);
	return err < 0 ? err : (err > 0 ? -ECANCELED : 1);
}

/* Raises rule `id` for the current event unless disabled, allowed by rulePolicies, or cooling. */
static int raise_ev(struct raise *r, const char *id, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int raise_ev(struct raise *r, const char *id, const char *key, const char *fmt, ...)
{
	struct vigil_detector *d = r->d;
	const struct vigil_event *ev = r->ev;
	int rule = rule_index(d, id);
	char keybuf[KEY_MAX], msg[1024];
	uint64_t repeats, now;
	va_list ap;

	if (rule < 0 || d->disabled[rule])
		return 0;
	if (ev->proc && vigil_matcher__rule_allowed(r->b->m, id, ev->proc->comm))
		return 0;
	vigil_strlcpy(keybuf, key ? key : "", sizeof(keybuf));
	now = ev->time_ns ? ev->time_ns : now_realtime_ns();
	if (!cooldown_pass(d, r->w ? r->w->cgroup_id : 0, rule, keybuf, now, &repeats))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return emit_alert(d, rule, r->w, r->b, ev->proc, event_json(ev),
			  json_pack("{s:s,s:s,s:s}", "name", r->b->name, "digest", r->b->digest,
				    "signer", r->b->signer),
			  keybuf, now, repeats, msg, r->emit, r->ctx);
}

int vigil_detector__raise(struct vigil_detector *d, const char *rule_id,
			  const struct vigil_workload *w, const char *key, const char *reason,
			  const char *message, const struct vigil_profile_ref *ref,
			  vigil_alert_fn emit, void *ctx)
{
	int rule = rule_index(d, rule_id);
	uint64_t now = now_realtime_ns(), repeats;
	json_t *profile = NULL;

	if (rule < 0)
		return -EINVAL;
	if (d->disabled[rule])
		return 0;
	/* the reason is part of the key: a tampered file that becomes unsigned is news */
	char keybuf[KEY_MAX];

	snprintf(keybuf, sizeof(keybuf), "%s%s%s", key ? key : "", reason ? "\x1f" : "",
		 reason ? reason : "");
	if (!cooldown_pass(d, w ? w->cgroup_id : 0, rule, keybuf, now, &repeats))
		return 0;
	if (ref)
		profile = json_pack("{s:s,s:s,s:s}", "name", ref->name ? ref->name : "", "digest",
				    ref->digest ? ref->digest : "", "signer",
				    ref->signer ? ref->signer : "");
	return emit_alert(d, rule, w, w ? *bind_slot(d, w->cgroup_id) : NULL, NULL,
			  json_pack("{s:s,s:s,s:s,s:s}", "type", "profile", "path", key ? key : "",
				    "reason", reason ? reason : "", "detail",
				    message ? message : ""),
			  profile, key, now, repeats, message ? message : "", emit, ctx);
}

/* ---- rules by event kind ------------------------------------------------------------ */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void join_args(const struct vigil_process *p, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; p && p->argv && i < p->argc && off + 1 < size; i++) {
		int n = snprintf(buf + off, size - off, "%s%s", i ? " " : "",
				 p->argv[i] ? p->argv[i] : "");

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static int eval_exec(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_process *p = ev->proc;
	const char *path =
		ev->exec.path && ev->exec.path[0] ? ev->exec.path : (p && p->exe ? p->exe : "");
	const char *argv0 = p && p->argv && p->argc ? p->argv[0] : NULL;
	const char *cwd = p ? p->cwd : NULL;
	enum vigil_match m;
	char args[512];

	m = vigil_matcher__exec(r->b->m, path, p ? (const char *const *)p->argv : NULL,
				p ? p->argc : 0);
	if (ev->exec.memfd || vigil_path_is_memfd_exe(path))
		return raise_ev(r, "R1005", path, "fileless execution: %s", path);
	if (ev->exec.dev_shm || vigil_path_under_dev_shm(path) || vigil_path_under_dev_shm(cwd) ||
	    vigil_path_under_dev_shm(argv0))
		return raise_ev(r, "R1000", path, "process executed from /dev/shm: %s", path);
	if (m == VIGIL_MATCH_NO && ev->exec.upper_layer)
		return raise_ev(r, "R1001", path,
				"drifted process executed: %s is not in the image nor the profile",
				path);
	if (m == VIGIL_MATCH_NO && !strcmp(base_name(path), "kubectl"))
		return raise_ev(r, "R0007", path, "kubectl run: %s", path);
	if (m == VIGIL_MATCH_NO)
		return raise_ev(r, "R0001", path, "unexpected process launched: %s", path);
	if (m == VIGIL_MATCH_ARGS) {
		char key[KEY_MAX];

		join_args(p, args, sizeof(args));
		snprintf(key, sizeof(key), "%s\x1f%s", path, args);
		return raise_ev(r, "R0040", key, "unexpected arguments for %s: %s", path, args);
	}
	return 0;
}

static int eval_open(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *path = ev->open.path;
	enum vigil_open_class cls = vigil_open_class(path);

	if (cls == VIGIL_OPEN_OTHER)
		return 0;
	if (vigil_matcher__open(r->b->m, path, ev->open.flags))
		return 0;
	switch (cls) {
	case VIGIL_OPEN_TOKEN:
		return raise_ev(r, "R0006", path, "service account token access: %s", path);
	case VIGIL_OPEN_ENVIRON:
		return raise_ev(r, "R0008", path, "environment read from procfs: %s", path);
	case VIGIL_OPEN_SENSITIVE:
		return raise_ev(r, "R0010", path, "sensitive file access: %s", path);
	case VIGIL_OPEN_WATCHED:
		/* a failed open touched nothing: only the sensitive classes count attempts */
		if (ev->open.ret < 0)
			return 0;
		return raise_ev(r, "R0002", path, "unexpected file access: %s", path);
	default:
		return 0;
	}
}

/*
 * Syscalls judged by a dedicated rule on what they do, not by R0003 on their first use:
 * one deviation, one alert.
 */
static const char *const dedicated_syscalls[] = {
	"ptrace",
	"unshare",
	"bpf",
	"init_module",
	"finit_module",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"memfd_create",
	"execveat",
	NULL,
};

static int eval_syscall(struct raise *r)
{
	const char *name = r->ev->syscall.name;
	char buf[32];

	if (!r->b->has_syscalls)
		return 0;
	if (!name || !name[0]) {
		snprintf(buf, sizeof(buf), "syscall_%d", r->ev->syscall.nr);
		name = buf;
	}
	for (size_t i = 0; dedicated_syscalls[i]; i++) {
		if (!strcmp(name, dedicated_syscalls[i]))
			return 0;
	}
	if (vigil_matcher__syscall(r->b->m, name))
		return 0;
	return raise_ev(r, "R0003", name, "unexpected syscall: %s", name);
}

static bool cluster_local(const char *name)
{
	return vigil_str_has_suffix(name, ".cluster.local") || vigil_str_has_suffix(name, ".svc") ||
	       !strcmp(name, "localhost") || vigil_str_has_suffix(name, ".in-addr.arpa") ||
	       vigil_str_has_suffix(name, ".ip6.arpa");
}

static bool is_k8s_api(const struct vigil_detector *d, const char *addr, uint16_t port)
{
	char want[INET6_ADDRSTRLEN + 16];

	for (size_t i = 0; i < d->nk8s; i++) {
		const char *colon = strrchr(d->k8s_api[i], ':');
		uint64_t p;

		if (!colon || vigil_parse_u64(colon + 1, &p) || p != port)
			continue;
		snprintf(want, sizeof(want), "%.*s", (int)(colon - d->k8s_api[i]), d->k8s_api[i]);
		if (!strcmp(want, "*") || !strcmp(want, addr))
			return true;
	}
	return false;
}

static int eval_connect(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_sockaddr *ra = &ev->net.remote;
	const char *proto = proto_name(ev->net.proto);
	char addr[INET6_ADDRSTRLEN + 1], key[INET6_ADDRSTRLEN + 32];

	if (ra->family != AF_INET && ra->family != AF_INET6)
		return 0;
	if (ev->net.direction == VIGIL_DIR_INBOUND)
		return 0;
	if (vigil_matcher__neighbor(r->b->m, true, ra->family, ra->addr, ra->port, proto))
		return 0;
	format_addr(ra, addr, sizeof(addr));
	snprintf(key, sizeof(key), "%s/%s:%u", proto, addr, ra->port);
	if (is_k8s_api(r->d, addr, ra->port))
		return raise_ev(r, "R0007", key, "connection to the Kubernetes API server %s:%u",
				addr, ra->port);
	if (ev->net.proto == IPPROTO_TCP && (ra->port == 3333 || ra->port == 45700))
		return raise_ev(r, "R1009", key, "connection to crypto-mining port %s:%u", addr,
				ra->port);
	return raise_ev(r, "R0011", key, "unexpected egress to %s %s:%u", proto, addr, ra->port);
}

static bool is_runc(const char *comm)
{
	return vigil_str_has_prefix(comm, "runc");
}

int vigil_detector__event(struct vigil_detector *d, const struct vigil_event *ev,
			  vigil_alert_fn emit, void *ctx)
{
	struct raise r = { .d = d, .ev = ev, .w = ev->workload, .emit = emit, .ctx = ctx };
	const char *comm = ev->proc ? ev->proc->comm : "";

	if (!ev->workload)
		return 0;
	r.b = *bind_slot(d, ev->workload->cgroup_id);
	if (!r.b)
		return 0;
	d->stats.events++;
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		return eval_exec(&r);
	case VIGIL_EV_OPEN:
		return eval_open(&r);
	case VIGIL_EV_SYSCALL:
		return eval_syscall(&r);
	case VIGIL_EV_CAPABILITY:
		if (!ev->cap.name || vigil_matcher__capability(r.b->m, ev->cap.name))
			return 0;
		return raise_ev(&r, "R0004", ev->cap.name, "unexpected capability: %s",
				ev->cap.name);
	case VIGIL_EV_DNS:
		if (!ev->dns.name || !ev->dns.name[0] || cluster_local(ev->dns.name) ||
		    vigil_matcher__dns(r.b->m, ev->dns.name))
			return 0;
		return raise_ev(&r, "R0005", ev->dns.name, "unexpected DNS name: %s", ev->dns.name);
	case VIGIL_EV_CONNECT:
		return eval_connect(&r);
	case VIGIL_EV_IOURING_OP: {
		const char *op = ev->iouring.opname;
		char buf[32];

		if (!op || !op[0]) {
			snprintf(buf, sizeof(buf), "OP_%d", ev->iouring.opcode);
			op = buf;
		}
		if (vigil_matcher__iouring(r.b->m, op))
			return 0;
		return raise_ev(&r, "R1030", op, "unexpected io_uring operation: %s", op);
	}
	case VIGIL_EV_SYMLINK:
		if (!vigil_path_sensitive_link_target(ev->link.target))
			return 0;
		return raise_ev(&r, "R1010", ev->link.path ? ev->link.path : "", "symlink %s -> %s",
				ev->link.path ? ev->link.path : "", ev->link.target);
	case VIGIL_EV_LINK:
		if (!vigil_path_sensitive_link_target(ev->link.target))
			return 0;
		return raise_ev(&r, "R1012", ev->link.path ? ev->link.path : "",
				"hard link %s -> %s", ev->link.path ? ev->link.path : "",
				ev->link.target);
	case VIGIL_EV_PTRACE:
		if (vigil_matcher__syscall(r.b->m, "ptrace"))
			return 0;
		return raise_ev(&r, "R1015", comm, "ptrace request %lld on pid %lld by %s",
				(long long)ev->call.arg0, (long long)ev->call.arg1, comm);
	case VIGIL_EV_UNSHARE:
		if (is_runc(comm) || vigil_matcher__syscall(r.b->m, "unshare"))
			return 0;
		return raise_ev(&r, "R1006", comm, "unexpected unshare (flags 0x%llx) by %s",
				(unsigned long long)ev->call.arg0, comm);
	case VIGIL_EV_BPF:
		/* 5 = BPF_PROG_LOAD */
		if (ev->call.arg0 != 5 || vigil_matcher__syscall(r.b->m, "bpf"))
			return 0;
		return raise_ev(&r, "R0009", comm, "eBPF program loaded by %s", comm);
	case VIGIL_EV_MODULE:
		return raise_ev(&r, "R1002", ev->call.str ? ev->call.str : "",
				"kernel module load%s%s by %s",
				ev->call.str && ev->call.str[0] ? ": " : "",
				ev->call.str ? ev->call.str : "", comm);
	default:
		return 0;
	}
}
