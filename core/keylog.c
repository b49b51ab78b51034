/*
 * keylog.c -- key logging in the NSS key log format, the same for every
 * engine: the plugin hands each secret to core->keylog, the core formats
 * the line and delivers it to the config's callback, the config's file and
 * the file SSLKEYLOGFILE names.
 *
 * The files are opened when a context is created and kept by it, so a file
 * that cannot be opened is reported once (tlsplug_context_keylog_error),
 * not at every handshake, and the context works without it.  A line is one
 * write(2) on a descriptor opened with O_APPEND: lines from several
 * threads or processes sharing a file never interleave.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define LABEL_MAX 64
#define RANDOM_LEN 32
#define SECRET_MAX 64
/* "LABEL RANDOM SECRET\n" and a NUL. */
#define LINE_MAX_LEN (LABEL_MAX + 1 + 2 * RANDOM_LEN + 1 + 2 * SECRET_MAX + 2)

struct tlsplug__keylog {
	tlsplug_keylog_cb cb;
	void *data;
	int fd[2];           /* the config's file, SSLKEYLOGFILE; -1: none */
};

/* Opens one key log file for appending; -1 (and the first failure in
 * warn) when it cannot be opened. */
static int
open_one(const char *path, const char *what, struct tlsplug_error *warn)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: a FIFO without a reader must not hang context
	 * creation; it is cleared again for the writes. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
	          O_NONBLOCK, 0600);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		err = errno != 0 ? errno : EISDIR;
		close(fd);
		goto fail;
	}
	(void)fcntl(fd, F_SETFL, O_APPEND);
	return fd;
fail:
	if (warn->code == TLSPLUG_OK)
		tlsplug__error_set(warn, TLSPLUG_ERR_IO,
		    "%s %s: cannot open: %s (key logging to it is off)", what,
		    path, strerror(err));
	return -1;
}

/* 1 when descriptors a and b are the same file. */
static int
same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* SSLKEYLOGFILE, NULL when unset or empty. */
static const char *
keylog_env(void)
{
	const char *env = secure_getenv("SSLKEYLOGFILE");

	return env != NULL && *env != '\0' ? env : NULL;
}

int
tlsplug__keylog_wanted(const struct tlsplug_config *config, int has_cap)
{
	void *data;

	/* Without the capability the config's settings were refused
	 * already, and the environment variable is ignored. */
	if (!has_cap)
		return 0;
	return tlsplug__config_keylog_cb(config, &data) != NULL ||
	       tlsplug_config_keylog_file(config) != NULL ||
	       keylog_env() != NULL;
}

void
tlsplug__keylog_open(const struct tlsplug_config *config, int has_cap,
                     struct tlsplug__keylog **out, struct tlsplug_error *warn)
{
	struct tlsplug__keylog *k;
	const char *path, *env;
	void *data;
	tlsplug_keylog_cb cb;

	*out = NULL;
	if (!tlsplug__keylog_wanted(config, has_cap))
		return;
	cb = tlsplug__config_keylog_cb(config, &data);
	path = tlsplug_config_keylog_file(config);
	env = keylog_env();
	k = tlsplug__calloc(1, sizeof(*k));
	if (k == NULL)
		return;
	k->cb = cb;
	k->data = data;
	k->fd[0] = path != NULL ? open_one(path, "key log file", warn) : -1;
	k->fd[1] = env != NULL ? open_one(env, "SSLKEYLOGFILE", warn) : -1;
	if (k->fd[0] >= 0 && k->fd[1] >= 0 && same_file(k->fd[0], k->fd[1])) {
		close(k->fd[1]);
		k->fd[1] = -1;
	}
	if (k->cb == NULL && k->fd[0] < 0 && k->fd[1] < 0) {
		tlsplug__free(k);
		return;
	}
	*out = k;
}

void
tlsplug__keylog_close(struct tlsplug__keylog *k)
{
	if (k == NULL)
		return;
	for (int i = 0; i < 2; i++)
		if (k->fd[i] >= 0)
			close(k->fd[i]);
	tlsplug__free(k);
}

static char *
hex(char *p, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*p++ = digits[b[i] >> 4];
		*p++ = digits[b[i] & 15];
	}
	return p;
}

/* 1 when label is an NSS key log label: 1 to LABEL_MAX of [A-Z0-9_]. */
static int
label_ok(const char *label)
{
	size_t n = 0;

	for (; label[n] != '\0'; n++)
		if (n >= LABEL_MAX ||
		    !((label[n] >= 'A' && label[n] <= 'Z') ||
		      (label[n] >= '0' && label[n] <= '9') || label[n] == '_'))
			return 0;
	return n > 0;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	/* One write: O_APPEND keeps the line whole.  A short write (disk
	 * full) is not retried, so no other line lands inside this one. */
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
}

void
tlsplug__keylog_secret(struct tlsplug_conn *conn, const char *label,
                       const unsigned char *client_random,
                       size_t random_len, const unsigned char *secret,
                       size_t secret_len)
{
	struct tlsplug__keylog *k;
	char line[LINE_MAX_LEN], *p;
	size_t n;

	if (conn == NULL)
		return;
	k = tlsplug__context_keylog(tlsplug_conn_context(conn));
	if (k == NULL || label == NULL || client_random == NULL ||
	    secret == NULL || random_len != RANDOM_LEN || secret_len == 0 ||
	    secret_len > SECRET_MAX || !label_ok(label))
		return;
	n = strlen(label);
	memcpy(line, label, n);
	p = line + n;
	*p++ = ' ';
	p = hex(p, client_random, random_len);
	*p++ = ' ';
	p = hex(p, secret, secret_len);
	if (k->cb != NULL) {
		*p = '\0';
		k->cb(conn, line, k->data);
	}
	*p++ = '\n';
	for (int i = 0; i < 2; i++)
		if (k->fd[i] >= 0)
			write_all(k->fd[i], line, (size_t)(p - line));
}
