/*
 * ticket_key.c -- ticket master key files (format in doc/SESSIONS.md):
 * TLSPLUG_TICKET_KEY_SIZE raw bytes, or as many bytes in hex digits with
 * an optional final newline (what `openssl rand -hex 64` writes).  A file
 * that others may read or write is refused: whoever holds the key can
 * decrypt every ticket, and so every resumed session.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "session.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
tlsplug__ticket_key_parse(const unsigned char *data, size_t len,
                          unsigned char *key)
{
	const size_t n = TLSPLUG_TICKET_KEY_SIZE;

	if (len == n) {
		memcpy(key, data, n);
		return NULL;
	}
	if (len == 2 * n + 1 && data[2 * n] == '\n')
		len--;
	if (len != 2 * n)
		return "not a ticket key (64 bytes, or 128 hex digits)";
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(data[2 * i]), lo = hexval(data[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return "not a ticket key (a character that is not a "
			       "hex digit)";
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return NULL;
}

int
tlsplug__ticket_key_read(const char *path, const char *where,
                         unsigned char *key, struct tlsplug_error *e)
{
	unsigned char buf[2 * TLSPLUG_TICKET_KEY_SIZE + 2];
	const char *why;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, err;

	if (where == NULL)
		where = "ticket key file";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_IO, "%s %s: %s",
		                          where, path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		err = errno;
		close(fd);
		return tlsplug__error_set(e, TLSPLUG_ERR_IO, "%s %s: %s",
		                          where, path, strerror(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "%s %s: not a regular file", where, path);
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		close(fd);
		return tlsplug__error_set(e, TLSPLUG_ERR_IO, "%s %s: others "
		    "may read or write it (mode %03o); the key must stay "
		    "private (chmod o-rw)", where, path,
		    (unsigned)(st.st_mode & 0777));
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			close(fd);
			memset(buf, 0, sizeof(buf));
			return tlsplug__error_set(e, TLSPLUG_ERR_IO,
			    "%s %s: %s", where, path, strerror(err));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	why = tlsplug__ticket_key_parse(buf, len, key);
	memset(buf, 0, sizeof(buf));
	if (why != NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID, "%s %s: %s",
		                          where, path, why);
	return TLSPLUG_OK;
}
