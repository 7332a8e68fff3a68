// SPDX-License-Identifier: Apache-2.0
/*
 * A profile document as Kubescape's Go types see it. Kubescape decodes a profile into typed
 * structs (kubescape/storage pkg/apis/softwarecomposition/v1beta1) and encodes them again with
 * encoding/json: fields it does not know (Vigil's iouring) are gone, every field without
 * `omitempty` is written with its zero value ("", false, null), fields with `omitempty` and a
 * zero value are left out. Storage keeps objects gob-encoded, which also turns an empty list
 * into a missing one (served as null) and a pointer to 0 into nil.
 *
 * Two uses: the k8sstormcenter fork signs a hash of the decoded object (kshash.c), and
 * `profile fmt --served` writes what storage will serve, so a Vigil signature made over that
 * form survives a round trip through storage.
 *
 * The schema below is the Go types' JSON shape (field order, omitempty, pointer or value),
 * checked against storage's v1beta1 types; the projection walks the document's output tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/outtree.h"
#include "profile/served.h"

enum sk {
	SK_STR = 1,
	SK_BOOL,
	SK_INT,
	SK_PTR_INT,    /* *int32: null when absent */
	SK_LIST,       /* []T */
	SK_MAP_STR,    /* map[string]string */
	SK_MAP,	       /* map[string]T */
	SK_STRUCT,     /* T (never "empty" for omitempty) */
	SK_PTR_STRUCT, /* *T: null when absent */
	SK_RAW,	       /* json.RawMessage: kept as written */
};

#define F_OMIT	 1u /* `json:",omitempty"` */
#define F_INLINE 2u /* an embedded struct whose fields sit in the parent (`json:",inline"`) */

struct sfield;

struct stype {
	enum sk kind;
	const struct stype *elem;    /* SK_LIST, SK_MAP */
	const struct sfield *fields; /* SK_STRUCT, SK_PTR_STRUCT; NULL-key terminated */
};

struct sfield {
	const char *key;
	const struct stype *type;
	unsigned flags;
};

static const struct stype t_str = { SK_STR, NULL, NULL };
static const struct stype t_bool = { SK_BOOL, NULL, NULL };
static const struct stype t_int = { SK_INT, NULL, NULL };
static const struct stype t_ptr_int = { SK_PTR_INT, NULL, NULL };
static const struct stype t_raw = { SK_RAW, NULL, NULL };
static const struct stype t_strs = { SK_LIST, &t_str, NULL };
static const struct stype t_map_str = { SK_MAP_STR, NULL, NULL };

/* metav1.LabelSelector */
static const struct sfield f_lsr[] = {
	{ "key", &t_str, 0 },
	{ "operator", &t_str, 0 },
	{ "values", &t_strs, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_lsr = { SK_STRUCT, NULL, f_lsr };
static const struct stype t_lsrs = { SK_LIST, &t_lsr, NULL };
static const struct sfield f_selector[] = {
	{ "matchLabels", &t_map_str, F_OMIT },
	{ "matchExpressions", &t_lsrs, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_selector = { SK_STRUCT, NULL, f_selector };
static const struct stype t_ptr_selector = { SK_PTR_STRUCT, NULL, f_selector };

/* ExecCalls, OpenCalls, HTTPEndpoint, RulePolicy */
static const struct sfield f_exec[] = {
	{ "path", &t_str, F_OMIT },  { "args", &t_strs, F_OMIT },
	{ "envs", &t_strs, F_OMIT }, { "argsRequired", &t_bool, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_exec = { SK_STRUCT, NULL, f_exec };
static const struct stype t_execs = { SK_LIST, &t_exec, NULL };
static const struct sfield f_open[] = {
	{ "path", &t_str, 0 },
	{ "flags", &t_strs, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_open = { SK_STRUCT, NULL, f_open };
static const struct stype t_opens = { SK_LIST, &t_open, NULL };
static const struct sfield f_endpoint[] = {
	{ "endpoint", &t_str, F_OMIT },	 { "methods", &t_strs, F_OMIT }, { "internal", &t_bool, 0 },
	{ "direction", &t_str, F_OMIT }, { "headers", &t_raw, F_OMIT },	 { NULL, NULL, 0 },
};
static const struct stype t_endpoint = { SK_STRUCT, NULL, f_endpoint };
static const struct stype t_endpoints = { SK_LIST, &t_endpoint, NULL };
static const struct sfield f_rule_policy[] = {
	{ "processAllowed", &t_strs, F_OMIT },
	{ "containerAllowed", &t_bool, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_rule_policy = { SK_STRUCT, NULL, f_rule_policy };
static const struct stype t_rule_policies = { SK_MAP, &t_rule_policy, NULL };

/* SingleSeccompProfile and its spec (seccomp.Action/Operator are strings) */
static const struct sfield f_sc_arg[] = {
	{ "index", &t_int, 0 }, { "value", &t_int, F_OMIT }, { "valueTwo", &t_int, F_OMIT },
	{ "op", &t_str, 0 },	{ NULL, NULL, 0 },
};
static const struct stype t_sc_args = { SK_LIST,
					&(const struct stype){ SK_PTR_STRUCT, NULL, f_sc_arg },
					NULL };
static const struct sfield f_sc_syscall[] = {
	{ "names", &t_strs, 0 },	{ "action", &t_str, 0 }, { "errnoRet", &t_int, F_OMIT },
	{ "args", &t_sc_args, F_OMIT }, { NULL, NULL, 0 },
};
static const struct stype t_sc_syscalls = {
	SK_LIST, &(const struct stype){ SK_PTR_STRUCT, NULL, f_sc_syscall }, NULL
};
static const struct sfield f_sc_spec[] = {
	{ "disabled", &t_bool, F_OMIT }, /* SpecBase, inline */
	{ "baseProfileName", &t_str, F_OMIT },	{ "defaultAction", &t_str, 0 },
	{ "architectures", &t_strs, F_OMIT },	{ "listenerPath", &t_str, F_OMIT },
	{ "listenerMetadata", &t_str, F_OMIT }, { "syscalls", &t_sc_syscalls, F_OMIT },
	{ "flags", &t_strs, F_OMIT },		{ NULL, NULL, 0 },
};
static const struct sfield f_seccomp[] = {
	{ "name", &t_str, F_OMIT },
	{ "path", &t_str, F_OMIT },
	{ "spec", &(const struct stype){ SK_STRUCT, NULL, f_sc_spec }, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_seccomp = { SK_STRUCT, NULL, f_seccomp };

/* IdentifiedCallStack (CallStackNode is recursive) */
static const struct sfield f_frame[] = {
	{ "fileID", &t_str, 0 },
	{ "lineno", &t_str, 0 },
	{ "frameType", &t_int, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_cs_node;
static const struct stype t_cs_nodes = { SK_LIST, &t_cs_node, NULL };
static const struct sfield f_cs_node[] = {
	{ "children", &t_cs_nodes, 0 },
	{ "frame", &(const struct stype){ SK_STRUCT, NULL, f_frame }, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_cs_node = { SK_STRUCT, NULL, f_cs_node };
static const struct sfield f_callstack[] = {
	{ "root", &t_cs_node, 0 },
	{ NULL, NULL, 0 },
};
static const struct sfield f_ics[] = {
	{ "callID", &t_str, 0 },
	{ "callStack", &(const struct stype){ SK_STRUCT, NULL, f_callstack }, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_icss = { SK_LIST, &(const struct stype){ SK_STRUCT, NULL, f_ics },
				     NULL };

/* NetworkNeighbor */
static const struct sfield f_port[] = {
	{ "name", &t_str, 0 },
	{ "protocol", &t_str, 0 },
	{ "port", &t_ptr_int, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_ports = { SK_LIST, &(const struct stype){ SK_STRUCT, NULL, f_port },
				      NULL };
static const struct sfield f_neighbor[] = {
	{ "identifier", &t_str, 0 },
	{ "type", &t_str, 0 },
	{ "dns", &t_str, 0 },
	{ "dnsNames", &t_strs, 0 },
	{ "ports", &t_ports, 0 },
	{ "podSelector", &t_ptr_selector, 0 },
	{ "namespaceSelector", &t_ptr_selector, 0 },
	{ "ipAddress", &t_str, 0 },
	{ "ipAddresses", &t_strs, F_OMIT },
	{ NULL, NULL, 0 },
};
static const struct stype t_neighbors = { SK_LIST,
					  &(const struct stype){ SK_STRUCT, NULL, f_neighbor },
					  NULL };

/* ApplicationProfileContainer; the grouped ContainerProfile's sections add the neighbors */
#define AP_CONTAINER_FIELDS                                                                 \
	{ "capabilities", &t_strs, 0 }, { "execs", &t_execs, 0 }, { "opens", &t_opens, 0 }, \
		{ "syscalls", &t_strs, 0 }, { "seccompProfile", &t_seccomp, F_OMIT },       \
		{ "endpoints", &t_endpoints, 0 }, { "imageID", &t_str, 0 },                 \
		{ "imageTag", &t_str, 0 }, { "rulePolicies", &t_rule_policies, 0 },         \
	{                                                                                   \
		"identifiedCallStacks", &t_icss, 0                                          \
	}

static const struct sfield f_ap_container[] = {
	{ "name", &t_str, F_OMIT },
	AP_CONTAINER_FIELDS,
	{ NULL, NULL, 0 },
};
static const struct stype t_ap_containers = {
	SK_LIST, &(const struct stype){ SK_STRUCT, NULL, f_ap_container }, NULL
};
static const struct sfield f_ap_spec[] = {
	{ "architectures", &t_strs, 0 },
	{ "containers", &t_ap_containers, F_OMIT },
	{ "initContainers", &t_ap_containers, F_OMIT },
	{ "ephemeralContainers", &t_ap_containers, F_OMIT },
	{ NULL, NULL, 0 },
};

static const struct sfield f_nn_container[] = {
	{ "name", &t_str, 0 },
	{ "ingress", &t_neighbors, 0 },
	{ "egress", &t_neighbors, 0 },
	{ NULL, NULL, 0 },
};
static const struct stype t_nn_containers = {
	SK_LIST, &(const struct stype){ SK_STRUCT, NULL, f_nn_container }, NULL
};
static const struct sfield f_nn_spec[] = {
	{ "", &t_selector, F_INLINE },
	{ "containers", &t_nn_containers, 0 },
	{ "initContainers", &t_nn_containers, 0 },
	{ "ephemeralContainers", &t_nn_containers, 0 },
	{ NULL, NULL, 0 },
};

/*
 * ContainerProfileSpec. The grouped sections (storage v0.0.303) are assumed `omitempty`, so a
 * flat document's JSON is unchanged by them: node-agent tells the two forms apart by whether
 * the lists are empty.
 */
static const struct sfield f_cp_section[] = {
	{ "name", &t_str, F_OMIT },    AP_CONTAINER_FIELDS, { "ingress", &t_neighbors, 0 },
	{ "egress", &t_neighbors, 0 }, { NULL, NULL, 0 },
};
static const struct stype t_cp_sections = { SK_LIST,
					    &(const struct stype){ SK_STRUCT, NULL, f_cp_section },
					    NULL };
static const struct sfield f_cp_spec[] = {
	{ "architectures", &t_strs, 0 },
	AP_CONTAINER_FIELDS,
	{ "", &t_selector, F_INLINE },
	{ "ingress", &t_neighbors, 0 },
	{ "egress", &t_neighbors, 0 },
	{ "containers", &t_cp_sections, F_OMIT },
	{ "initContainers", &t_cp_sections, F_OMIT },
	{ "ephemeralContainers", &t_cp_sections, F_OMIT },
	{ NULL, NULL, 0 },
};

/* ---- projection ---- */

struct proj {
	enum prof_served_mode mode;
	bool fill_policies; /* the fork's ApplicationProfile adapter: nil rulePolicies -> {} */
	char *why;	    /* first type mismatch, for the caller */
	size_t why_size;
};

static struct prof_node *child(struct prof_node *parent, const char *key)
{
	struct prof_node *n;

	if (prof_grow((void **)&parent->items, &parent->cap, parent->n, sizeof(*parent->items)))
		return NULL;
	n = &parent->items[parent->n];
	memset(n, 0, sizeof(*n));
	if (key && !(n->key = strdup(key)))
		return NULL;
	parent->n++;
	return n;
}

static int set_scalar(struct prof_node *n, enum prof_scalar_type t, const char *text, size_t len)
{
	n->type = PROF_NODE_SCALAR;
	n->stype = t;
	n->value = malloc(len + 1);
	if (!n->value)
		return -ENOMEM;
	memcpy(n->value, text, len);
	n->value[len] = '\0';
	n->len = len;
	return 0;
}

static const struct prof_node *get(const struct prof_node *m, const char *key)
{
	for (size_t i = 0; m && m->type == PROF_NODE_MAP && i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return &m->items[i];
	return NULL;
}

static bool is_null(const struct prof_node *n)
{
	return !n || (n->type == PROF_NODE_SCALAR && n->stype == PROF_SCALAR_NULL);
}

static int mismatch(struct proj *pj, const char *what)
{
	if (pj->why && pj->why_size && !pj->why[0]) {
		size_t l = strlen(what);

		if (l >= pj->why_size)
			l = pj->why_size - 1;
		memcpy(pj->why, what, l);
		pj->why[l] = '\0';
	}
	return -EINVAL;
}

static int project(struct proj *pj, const struct stype *t, const struct prof_node *in,
		   struct prof_node *out, bool *empty);

static int project_fields(struct proj *pj, const struct sfield *f, const struct prof_node *in,
			  struct prof_node *out)
{
	int r;

	if (in && !is_null(in) && in->type != PROF_NODE_MAP)
		return mismatch(pj, "a mapping was expected");
	for (; f->key; f++) {
		struct prof_node v = { 0 }, *c;
		bool empty = false;

		if (f->flags & F_INLINE) {
			/* the embedded struct's fields are read from and written to this level */
			if ((r = project_fields(pj, f->type->fields, in, out)))
				return r;
			continue;
		}
		r = project(pj, f->type, is_null(in) ? NULL : get(in, f->key), &v, &empty);
		if (!r && pj->fill_policies && f->type == &t_rule_policies &&
		    v.type == PROF_NODE_SCALAR) {
			/* node-agent's adapter makes a nil map empty before hashing */
			prof_node_release(&v);
			memset(&v, 0, sizeof(v));
			v.type = PROF_NODE_MAP;
			empty = true;
		}
		if (r) {
			prof_node_release(&v);
			return r;
		}
		if ((f->flags & F_OMIT) && empty && f->type->kind != SK_STRUCT) {
			prof_node_release(&v);
			continue;
		}
		c = child(out, f->key);
		if (!c) {
			prof_node_release(&v);
			return -ENOMEM;
		}
		v.key = c->key;
		*c = v;
	}
	return 0;
}

static int null_node(struct prof_node *out, bool *empty)
{
	*empty = true;
	return set_scalar(out, PROF_SCALAR_NULL, "null", 4);
}

static int project_list(struct proj *pj, const struct stype *t, const struct prof_node *in,
			struct prof_node *out, bool *empty)
{
	int r;

	if (is_null(in) || (in->type == PROF_NODE_SEQ && !in->n && pj->mode == PROF_SERVED_STORED))
		return null_node(out, empty); /* nil slice (gob drops an empty one) */
	if (in->type != PROF_NODE_SEQ)
		return mismatch(pj, "a list was expected");
	out->type = PROF_NODE_SEQ;
	*empty = !in->n;
	for (size_t i = 0; i < in->n; i++) {
		struct prof_node *c = child(out, NULL);
		bool e;

		if (!c)
			return -ENOMEM;
		if ((r = project(pj, t->elem, &in->items[i], c, &e)))
			return r;
	}
	return 0;
}

static int project_map(struct proj *pj, const struct stype *t, const struct prof_node *in,
		       struct prof_node *out, bool *empty)
{
	int r;

	if (is_null(in))
		return null_node(out, empty);
	if (in->type != PROF_NODE_MAP)
		return mismatch(pj, "a mapping was expected");
	out->type = PROF_NODE_MAP;
	*empty = !in->n;
	for (size_t i = 0; i < in->n; i++) {
		struct prof_node *c = child(out, in->items[i].key);
		bool e;

		if (!c)
			return -ENOMEM;
		if (t->kind == SK_MAP_STR) {
			const struct prof_node *v = &in->items[i];

			if (is_null(v))
				r = set_scalar(c, PROF_SCALAR_STR, "", 0);
			else if (v->type != PROF_NODE_SCALAR || v->stype != PROF_SCALAR_STR)
				r = mismatch(pj, "a string was expected");
			else
				r = set_scalar(c, PROF_SCALAR_STR, v->value, v->len);
		} else {
			r = project(pj, t->elem, &in->items[i], c, &e);
		}
		if (r)
			return r;
	}
	return 0;
}

static int project(struct proj *pj, const struct stype *t, const struct prof_node *in,
		   struct prof_node *out, bool *empty)
{
	bool present = !is_null(in);

	*empty = false;
	switch (t->kind) {
	case SK_STR:
		if (present && (in->type != PROF_NODE_SCALAR || in->stype != PROF_SCALAR_STR))
			return mismatch(pj, "a string was expected");
		*empty = !present || !in->len;
		return present ? set_scalar(out, PROF_SCALAR_STR, in->value, in->len)
			       : set_scalar(out, PROF_SCALAR_STR, "", 0);
	case SK_BOOL:
		if (present && (in->type != PROF_NODE_SCALAR || in->stype != PROF_SCALAR_BOOL))
			return mismatch(pj, "true or false was expected");
		*empty = !present || !(in->value[0] == 't' || in->value[0] == 'T');
		return set_scalar(out, PROF_SCALAR_BOOL, *empty ? "false" : "true", *empty ? 5 : 4);
	case SK_INT:
	case SK_PTR_INT: {
		bool zero;

		if (present && (in->type != PROF_NODE_SCALAR || in->stype != PROF_SCALAR_INT))
			return mismatch(pj, "an integer was expected");
		zero = !present ||
		       strspn(in->value + (in->value[0] == '-' || in->value[0] == '+'), "0") ==
			       strlen(in->value + (in->value[0] == '-' || in->value[0] == '+'));
		if (t->kind == SK_PTR_INT && (!present || (zero && pj->mode == PROF_SERVED_STORED)))
			return null_node(out, empty); /* nil pointer; gob drops a pointer to 0 */
		*empty = zero;
		return zero ? set_scalar(out, PROF_SCALAR_INT, "0", 1)
			    : set_scalar(out, PROF_SCALAR_INT, in->value, in->len);
	}
	case SK_LIST:
		return project_list(pj, t, in, out, empty);
	case SK_MAP_STR:
	case SK_MAP:
		return project_map(pj, t, in, out, empty);
	case SK_STRUCT:
	case SK_PTR_STRUCT:
		if (t->kind == SK_PTR_STRUCT && !present)
			return null_node(out, empty);
		out->type = PROF_NODE_MAP;
		return project_fields(pj, t->fields, in, out);
	case SK_RAW: {
		struct prof_node *c;

		*empty = !in;
		if (!in)
			return set_scalar(out, PROF_SCALAR_NULL, "null", 4);
		c = prof_node_clone(in);
		if (!c)
			return -ENOMEM;
		*out = *c;
		free(out->key);
		out->key = NULL;
		free(c);
		return 0;
	}
	}
	return -EINVAL;
}

int prof_served_spec(const struct prof_doc *d, enum prof_served_mode mode, bool fill_policies,
		     struct prof_node **ret, char *why, size_t why_size)
{
	struct proj pj = { mode, fill_policies, why, why_size };
	const struct sfield *fields = d->kind == VIGIL_KIND_APPLICATION_PROFILE	   ? f_ap_spec
				      : d->kind == VIGIL_KIND_NETWORK_NEIGHBORHOOD ? f_nn_spec
										   : f_cp_spec;
	struct prof_node *tree, *out;
	int r;

	if (why_size)
		why[0] = '\0';
	tree = prof_doc_tree(d, true);
	if (!tree)
		return -ENOMEM;
	out = calloc(1, sizeof(*out));
	if (!out) {
		prof_node_free(tree);
		return -ENOMEM;
	}
	out->type = PROF_NODE_MAP;
	r = project_fields(&pj, fields, get(tree, "spec"), out);
	prof_node_free(tree);
	if (r) {
		prof_node_free(out);
		return r;
	}
	*ret = out;
	return 0;
}
