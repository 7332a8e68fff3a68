// SPDX-License-Identifier: Apache-2.0
/*
 * The sink registry: every kind of sink, listed once, and the parsing of a sink spec
 * ("NAME[:ADDRESS][;key=value...]") against it. Errors name the kinds from the list, and a
 * near miss gets a suggestion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/out/kubescape.h"
#include "sensor/out/sink.h"
#include "util/strutil.h"

/* Every kind of sink, in the order messages list them. */
static const struct vigil_sink_type *const types[] = {
	&vigil_sink_stdout,	  &vigil_sink_file,   &vigil_sink_webhook,
	&vigil_sink_alertmanager, &vigil_sink_syslog,
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct vigil_sink_type *vigil_sink_type__find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

void vigil_alerts__sink_usage(char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NTYPES && o < size; i++) {
		int n = snprintf(buf + o, size - o, "%s%s",
				 !i		  ? ""
				 : i + 1 < NTYPES ? ", "
						  : " or ",
				 types[i]->usage);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static bool in_list(const char *s, const char *const *list);

static bool takes_option(const struct vigil_sink_type *t, const char *key)
{
	return t->options && in_list(key, t->options);
}

/* The kinds that take option key, for a message: "webhook, alertmanager". */
static void kinds_taking(const char *key, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NTYPES && o < size; i++) {
		int n;

		if (!takes_option(types[i], key))
			continue;
		n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", types[i]->name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* header=, cacert= (HTTP sinks) */
static int option_http(struct vigil_sink *s, const char *kv, const char *val,
		       struct vigil_error *err)
{
	const char *colon = strchr(val, ':');
	char *copy;

	if (!strcmp(kv, "header") && (!colon || colon == val || strpbrk(val, "\r\n") ||
				      s->cfg.n_headers >= VIGIL_SINK_HEADERS_MAX))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"sink option header: expected \"Name: value\" "
					"(at most %d headers)",
					VIGIL_SINK_HEADERS_MAX);
	if (!strcmp(kv, "cacert") && (!*val || s->cfg.cacert))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"sink option cacert: expected one PATH");
	copy = strdup(val);
	if (!copy)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	if (!strcmp(kv, "cacert"))
		s->cfg.cacert = copy;
	else
		s->cfg.headers[s->cfg.n_headers++] = copy;
	return 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* One ";key=value" option of a queued sink, checked against what its kind takes. */
static int parse_option(struct vigil_sink *s, char *kv, struct vigil_error *err)
{
	static const char *const keys[] = { "batch",   "wait",	  "retries",  "queue",
					    "timeout", "resolve", "facility", "header",
					    "cacert",  "format",  "names",    NULL };
	char *eq = strchr(kv, '=');
	char which[128];
	uint64_t v = 0;
	const char *val, *hint;

	if (!eq)
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"sink option \"%s\" is not key=value", kv);
	*eq = '\0';
	val = eq + 1;
	if (!in_list(kv, keys)) {
		hint = vigil_suggest(kv, keys);
		return vigil_error__set(err, -EINVAL, "", 0, 0, "unknown sink option \"%s\"%s%s%s",
					kv, hint ? " (did you mean \"" : "", hint ? hint : "",
					hint ? "\"?)" : "");
	}
	if (!takes_option(s->type, kv)) {
		kinds_taking(kv, which, sizeof(which));
		return vigil_error__set(err, -EINVAL, "", 0, 0, "sink option %s is for %s", kv,
					which);
	}
	if (!strcmp(kv, "header") || !strcmp(kv, "cacert"))
		return option_http(s, kv, val, err);
	if (!strcmp(kv, "format")) {
		if (strcmp(val, "vigil") && strcmp(val, "kubescape"))
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"sink option format: expected vigil or kubescape");
		s->cfg.format = strcmp(val, "kubescape") ? VIGIL_SINK_FORMAT_VIGIL
							 : VIGIL_SINK_FORMAT_KUBESCAPE;
		return 0;
	}
	if (!strcmp(kv, "names")) {
		if (strcmp(val, "library") && strcmp(val, "chart"))
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"sink option names: expected library (Kubescape's "
						"rule library) or chart (its Helm chart's rules)");
		s->cfg.ks_names =
			strcmp(val, "chart") ? VIGIL_KS_NAMES_LIBRARY : VIGIL_KS_NAMES_CHART;
		return 0;
	}
	if (!strcmp(kv, "facility")) {
		if (vigil_syslog__facility(val) < 0)
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"bad syslog facility \"%s\" (kern, user, daemon, "
						"auth, authpriv, local0..local7)",
						val);
		s->cfg.facility = vigil_syslog__facility(val);
		return 0;
	}
	if (!strcmp(kv, "wait") || !strcmp(kv, "timeout") || !strcmp(kv, "resolve")) {
		if (vigil_parse_duration(val, &v) < 0 || !v)
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"sink option %s: bad duration \"%s\"", kv, val);
		if (!strcmp(kv, "wait"))
			s->cfg.batch_wait_ns = v;
		else if (!strcmp(kv, "timeout"))
			s->cfg.timeout_ns = v;
		else
			s->cfg.resolve_ns = v;
		return 0;
	}
	/* batch, retries, queue */
	if (vigil_parse_u64(val, &v) < 0 || v > 100000000ull || (v == 0 && strcmp(kv, "retries")))
		return vigil_error__set(err, -EINVAL, "", 0, 0, "sink option %s: bad number \"%s\"",
					kv, val);
	if (!strcmp(kv, "batch"))
		s->cfg.batch_max = (unsigned)v;
	else if (!strcmp(kv, "retries"))
		s->cfg.retry_max = (unsigned)v;
	else
		s->cfg.queue_max = (size_t)v;
	return 0;
}

/* A spec whose kind is unknown, or whose address does not fit its kind. */
static int bad_kind(const char *spec, const char *name, const struct vigil_sink_type *t,
		    struct vigil_error *err)
{
	const char *names[NTYPES + 1];
	const char *hint;
	char all[256];

	if (t && t->addr == VIGIL_SINK_ADDR_NONE)
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"bad sink \"%s\": %s takes no address", spec, t->name);
	if (t)
		return vigil_error__set(err, -EINVAL, "", 0, 0, "bad sink \"%s\": expected %s",
					spec, t->usage);
	for (size_t i = 0; i < NTYPES; i++)
		names[i] = types[i]->name;
	names[NTYPES] = NULL;
	hint = vigil_suggest(name, names);
	vigil_alerts__sink_usage(all, sizeof(all));
	return vigil_error__set(err, -EINVAL, "", 0, 0, "bad sink \"%s\": expected %s%s%s%s", spec,
				all, hint ? " (did you mean \"" : "", hint ? hint : "",
				hint ? "\"?)" : "");
}

int vigil_sink__configure(struct vigil_sink *s, const char *spec, struct vigil_error *err)
{
	char buf[1024], why[256] = "";
	char *addr, *opt, *sep;
	const struct vigil_sink_type *t;
	int ret;

	if (strlen(spec) >= sizeof(buf))
		return vigil_error__set(err, -ENAMETOOLONG, "", 0, 0, "sink spec too long");
	vigil_strlcpy(buf, spec, sizeof(buf));
	/* NAME ends at the first ':' or ';' ("syslog;facility=auth": options, no address) */
	sep = buf + strcspn(buf, ":;");
	addr = *sep == ':' ? sep + 1 : NULL;
	opt = *sep == ';' ? sep + 1 : NULL;
	*sep = '\0';
	t = vigil_sink_type__find(buf);
	if (!t || (t->addr == VIGIL_SINK_ADDR_NONE && (addr || (opt && !t->options))) ||
	    (t->addr == VIGIL_SINK_ADDR_REQUIRED && (!addr || !*addr)))
		return bad_kind(spec, buf, t, err);
	s->type = t;
	if (t->options && addr) {
		/* options follow the address after ';' (rare in URLs; not used by Alertmanager) */
		opt = strchr(addr, ';');
		if (opt)
			*opt++ = '\0';
	}
	while (t->options && opt && *opt) {
		char *next = strchr(opt, ';');

		if (next)
			*next++ = '\0';
		ret = parse_option(s, opt, err);
		if (ret < 0)
			return ret;
		opt = next;
	}
	ret = t->open(s, addr ? addr : "", why, sizeof(why));
	if (ret < 0)
		return vigil_error__set(err, ret, "", 0, 0, "%s: %s", spec, why);
	return 0;
}
