// SPDX-License-Identifier: Apache-2.0
/*
 * syslog transport: RFC 5424 messages, one per datagram, over UDP (RFC 5426) or a local
 * datagram socket (/dev/log). The socket is connected, so an absent receiver shows up as an
 * error on a later send (ECONNREFUSED) and the message is retried like any failed delivery.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sensor/out/sink.h"
#include "util/buf.h"
#include "util/strutil.h"

/* RFC 5426 says receivers SHOULD take 2048 octets and may take more; stay well under 64 KiB. */
#define SYSLOG_MAX 8192
/* "vigil@32473": 32473 is the example Private Enterprise Number (RFC 5612); Vigil has none. */
#define SD_ID "vigil@32473"

struct syslog_priv {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int fd;
	char buf[SYSLOG_MAX + 1];
};

static const struct {
	const char *name;
	int code;
} facilities[] = {
	{ "kern", 0 },	  { "user", 1 },      { "mail", 2 },	{ "daemon", 3 },  { "auth", 4 },
	{ "syslog", 5 },  { "authpriv", 10 }, { "local0", 16 }, { "local1", 17 }, { "local2", 18 },
	{ "local3", 19 }, { "local4", 20 },   { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
};

int vigil_syslog__facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].code;
	return -EINVAL;
}

int vigil_syslog__severity(int sev)
{
	if (sev >= 9)
		return 2; /* critical */
	if (sev >= 7)
		return 3; /* error */
	if (sev >= 4)
		return 4; /* warning */
	return 5;	  /* notice */
}

static const char *str_at(const json_t *o, const char *obj, const char *key)
{
	const json_t *v =
		obj ? json_object_get(json_object_get(o, obj), key) : json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A header field (HOSTNAME, MSGID): printable US-ASCII without spaces, "-" when empty. */
static void header_field(struct vigil_buf *b, const char *s, size_t max)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n < max; i++)
		if (s[i] > 32 && s[i] < 127) {
			vigil_buf__append(b, &s[i], 1);
			n++;
		}
	if (!n)
		vigil_buf__puts(b, "-");
}

/* SD-PARAM: name="value" with ", \ and ] escaped (RFC 5424 §6.3.3); control bytes dropped. */
static void sd_param(struct vigil_buf *b, const char *name, const char *value)
{
	size_t i;

	if (!value || !*value)
		return;
	vigil_buf__printf(b, " %s=\"", name);
	for (i = 0; i < 512 && value[i]; i++) {
		char c = value[i];

		if ((unsigned char)c < 32 || c == 127)
			continue;
		if (c == '"' || c == '\\' || c == ']')
			vigil_buf__append(b, "\\", 1);
		vigil_buf__append(b, &c, 1);
	}
	vigil_buf__puts(b, "\"");
}

/*
 * Free text in MSG, up to what fits: control bytes (a newline would split the message for
 * line-based collectors) become spaces.
 */
static void plain_text(struct vigil_buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = (unsigned char)s[i] < 32 || s[i] == 127 ? ' ' : s[i];

		if (vigil_buf__append(b, &c, 1) < 0)
			break;
	}
}

/* TIMESTAMP: RFC 5424 allows at most 6 fraction digits; the alert's time, else now. */
static void timestamp(struct vigil_buf *b, const char *t)
{
	struct timespec ts;
	struct tm tm;
	const char *dot = strchr(t, '.');

	if (strlen(t) >= 20 && t[4] == '-' && t[10] == 'T' && t[19] == '.' && dot == t + 19 &&
	    strlen(t) <= 30 && t[strlen(t) - 1] == 'Z') {
		size_t frac = strlen(t) - 21;

		vigil_buf__append(b, t, 20);
		vigil_buf__append(b, t + 20, frac > 6 ? 6 : frac);
		vigil_buf__puts(b, "Z");
		return;
	}
	if (strlen(t) == 20 && t[4] == '-' && t[10] == 'T' && t[19] == 'Z') {
		vigil_buf__puts(b, t); /* no fraction */
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	vigil_buf__printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
			  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			  ts.tv_nsec / 1000);
}

size_t vigil_syslog__format(const struct vigil_alert_msg *m, int facility, char *buf, size_t size)
{
	const json_t *a = m->json;
	const json_t *sev = json_object_get(a, "severity");
	const json_t *pid = json_object_get(json_object_get(a, "process"), "pid");
	int vsev = json_is_integer(sev) ? (int)json_integer_value(sev) : 0;
	struct vigil_buf b = VIGIL_BUF_INIT;
	char num[32];
	char *text;
	size_t len;

	b.max = SYSLOG_MAX;
	vigil_buf__printf(&b, "<%d>1 ", facility * 8 + vigil_syslog__severity(vsev));
	timestamp(&b, str_at(a, NULL, "time"));
	vigil_buf__puts(&b, " ");
	header_field(&b, str_at(a, NULL, "node"), 255);
	vigil_buf__printf(&b, " vigil %d ", (int)getpid());
	header_field(&b, str_at(a, NULL, "rule_id"), 32);
	vigil_buf__puts(&b, " [" SD_ID);
	sd_param(&b, "alert_id", str_at(a, NULL, "alert_id"));
	sd_param(&b, "rule_id", str_at(a, NULL, "rule_id"));
	snprintf(num, sizeof(num), "%d", vsev);
	sd_param(&b, "severity", num);
	sd_param(&b, "workload", str_at(a, "workload", "name"));
	sd_param(&b, "container_id", str_at(a, "workload", "container_id"));
	sd_param(&b, "pod", str_at(a, "workload", "pod"));
	sd_param(&b, "namespace", str_at(a, "workload", "namespace"));
	sd_param(&b, "comm", str_at(a, "process", "comm"));
	if (json_is_integer(pid)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(pid));
		sd_param(&b, "pid", num);
	}
	vigil_buf__puts(&b, "] ");
	/* MSG: the whole record as ASCII JSON when it fits, else the rule name and message. */
	text = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!text || vigil_buf__puts(&b, text) < 0) { /* the buffer is unchanged on failure */
		plain_text(&b, str_at(a, NULL, "rule_name"));
		vigil_buf__puts(&b, ": ");
		plain_text(&b, str_at(a, NULL, "message"));
	}
	free(text);
	len = b.len < size ? b.len : (size ? size - 1 : 0);
	if (size) {
		memcpy(buf, b.data ? b.data : "", len);
		buf[len] = '\0';
	}
	vigil_buf__release(&b);
	return len;
}

static enum vigil_deliver syslog_deliver(struct vigil_sink *s, struct vigil_alert_msg *const *msgs,
					 size_t n, char *err, size_t err_size)
{
	struct syslog_priv *p = s->priv;
	size_t len;

	if (p->fd < 0) {
		p->fd = socket(p->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&p->addr, p->addr_len) < 0) {
			snprintf(err, err_size, "connect: %s", strerror(errno));
			if (p->fd >= 0)
				close(p->fd);
			p->fd = -1;
			return VIGIL_DELIVER_RETRY;
		}
	}
	len = vigil_syslog__format(msgs[0], s->cfg.facility, p->buf, sizeof(p->buf));
	if (send(p->fd, p->buf, len, MSG_NOSIGNAL) < 0) {
		snprintf(err, err_size, "send: %s", strerror(errno));
		/* A fresh socket next time: the peer (e.g. a restarted syslogd) may have changed. */
		close(p->fd);
		p->fd = -1;
		return VIGIL_DELIVER_RETRY;
	}
	return VIGIL_DELIVER_OK;
}

static void syslog_destroy(void *priv)
{
	struct syslog_priv *p = priv;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

static const struct vigil_transport syslog_transport = {
	.single = true,
	.deliver = syslog_deliver,
	.destroy = syslog_destroy,
};

int vigil_sink_syslog__init(struct vigil_sink *s, const char *addr, char *err, size_t err_size)
{
	struct syslog_priv *p = calloc(1, sizeof(*p));
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	char host[256] = "127.0.0.1", port[16] = "514";
	const char *colon;
	int rc;

	if (!p)
		return -ENOMEM;
	p->fd = -1;
	if (vigil_str_has_prefix(addr, "unix:")) {
		struct sockaddr_un *un = (struct sockaddr_un *)&p->addr;

		if (!addr[5] || strlen(addr + 5) >= sizeof(un->sun_path)) {
			snprintf(err, err_size, "bad unix socket path");
			free(p);
			return -EINVAL;
		}
		un->sun_family = AF_UNIX;
		vigil_strlcpy(un->sun_path, addr + 5, sizeof(un->sun_path));
		p->addr_len = sizeof(*un);
		goto done;
	}
	if (*addr) {
		if (addr[0] == '[') { /* [v6]:port */
			const char *close_br = strchr(addr, ']');

			if (!close_br || close_br[1] != ':' ||
			    (size_t)(close_br - addr - 1) >= sizeof(host)) {
				snprintf(err, err_size, "expected syslog:[ADDR]:PORT");
				free(p);
				return -EINVAL;
			}
			memcpy(host, addr + 1, (size_t)(close_br - addr - 1));
			host[close_br - addr - 1] = '\0';
			colon = close_br + 1;
		} else {
			colon = strrchr(addr, ':');
			if (!colon || (size_t)(colon - addr) >= sizeof(host) || colon == addr) {
				snprintf(err, err_size, "expected syslog:HOST:PORT");
				free(p);
				return -EINVAL;
			}
			memcpy(host, addr, (size_t)(colon - addr));
			host[colon - addr] = '\0';
		}
		vigil_strlcpy(port, colon + 1, sizeof(port));
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc || !res) {
		snprintf(err, err_size, "cannot resolve %s port %s: %s", host, port,
			 gai_strerror(rc));
		free(p);
		return -EINVAL;
	}
	memcpy(&p->addr, res->ai_addr, res->ai_addrlen);
	p->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
done:
	s->tp = &syslog_transport;
	s->priv = p;
	return 0;
}

static const char *const syslog_options[] = { "batch",	 "wait",     "retries", "queue", "timeout",
					      "resolve", "facility", "names",	NULL };

/* syslog[:HOST:PORT|:[V6]:PORT|:unix:PATH]: RFC 5424 messages, one per datagram. */
const struct vigil_sink_type vigil_sink_syslog = {
	.name = "syslog",
	.usage = "syslog[:HOST:PORT|:unix:PATH]",
	.addr = VIGIL_SINK_ADDR_OPTIONAL,
	.queued = true,
	.options = syslog_options,
	.open = vigil_sink_syslog__init,
};
