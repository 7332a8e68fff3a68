// SPDX-License-Identifier: Apache-2.0
/*
 * Node credentials: token files (read, bounded, refused when others can read them) and the
 * one-time enrolment that turns a join token into this node's own token.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/uplink/answer.h"
#include "sensor/uplink/credential.h"
#include "util/fileio.h"
#include "util/strutil.h"

int uplink_token__read(const char *path, char *buf, size_t size, char *why, size_t why_size)
{
	char raw[UPLINK_TOKEN_MAX + 2];
	size_t start = 0, end;
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(why, why_size, "not a regular file");
		return -EINVAL;
	}
	if (sb.st_mode & S_IROTH) {
		close(fd);
		snprintf(why, why_size,
			 "readable by every user (mode %03o): a token is a password; chmod 600 it",
			 (unsigned)(sb.st_mode & 0777));
		return -EPERM;
	}
	n = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		return -errno;
	}
	raw[n] = '\0';
	while (raw[start] && isspace((unsigned char)raw[start]))
		start++;
	end = start;
	while (raw[end] && !isspace((unsigned char)raw[end]))
		end++;
	for (size_t i = end; raw[i]; i++) {
		if (!isspace((unsigned char)raw[i])) {
			explicit_bzero(raw, sizeof(raw));
			snprintf(why, why_size, "expected one token on one line");
			return -EINVAL;
		}
	}
	if (end - start < UPLINK_TOKEN_MIN || end - start >= size ||
	    end - start > UPLINK_TOKEN_MAX) {
		explicit_bzero(raw, sizeof(raw));
		snprintf(why, why_size, "expected a token of %d to %d printable characters",
			 UPLINK_TOKEN_MIN, UPLINK_TOKEN_MAX);
		return -EINVAL;
	}
	for (size_t i = start; i < end; i++) {
		if (!isgraph((unsigned char)raw[i])) {
			explicit_bzero(raw, sizeof(raw));
			snprintf(why, why_size, "the token has a character that is not printable");
			return -EINVAL;
		}
	}
	memcpy(buf, raw + start, end - start);
	buf[end - start] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

int uplink_token__store(const char *path, const char *token)
{
	char line[UPLINK_TOKEN_MAX + 2];
	int len = snprintf(line, sizeof(line), "%s\n", token);
	int e;

	if (len < 0 || (size_t)len >= sizeof(line))
		return -EINVAL;
	e = vigil_write_file_atomic(path, line, (size_t)len, 0600, NULL);
	explicit_bzero(line, sizeof(line));
	return e;
}

int uplink_enroll(struct uplink_client *c, const char *join_token, const char *node, char *buf,
		  size_t size, long *status, char *why, size_t why_size)
{
	struct vigil_buf reply = VIGIL_BUF_INIT;
	json_t *body = json_pack("{s:s}", "node", node);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int e;

	json_decref(body);
	*status = 0;
	if (!text) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	e = uplink_client__post(c, "/api/v1/enroll", join_token, text, strlen(text), status, &reply,
				why, why_size);
	free(text);
	if (e < 0)
		goto out;
	if (*status == 401 || *status == 403) {
		snprintf(why, why_size,
			 "enrolment refused (HTTP %ld): the join token is unknown, used up or "
			 "expired",
			 *status);
		e = -EACCES;
		goto out;
	}
	if (*status == 409) {
		snprintf(why, why_size,
			 "enrolment refused (HTTP 409): node \"%s\" already has a token; revoke it "
			 "on the cockpit ('vigil cockpit token revoke %s') or give this node its "
			 "token_file",
			 node, node);
		e = -EACCES;
		goto out;
	}
	if (*status != 200) {
		snprintf(why, why_size, "enrolment answered HTTP %ld", *status);
		e = *status >= 500 || *status == 408 || *status == 429 ? -EIO : -EACCES;
		goto out;
	}
	e = uplink_answer__token(reply.data, reply.len, buf, size);
	if (e < 0)
		snprintf(why, why_size, "enrolment answered without a usable token");
out:
	if (reply.data)
		explicit_bzero(reply.data, reply.len);
	vigil_buf__release(&reply);
	return e;
}
