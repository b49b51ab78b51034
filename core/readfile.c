/* readfile.c -- reads a whole (small) file into memory, for the core's
 * certificate, key, trust-store and configuration files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int
tlsplug__read_file(const char *path, size_t max, unsigned char **data,
                   size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return EISDIR;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap == 0 ? 8192 : cap * 2;
			unsigned char *nbuf;

			if (cap >= max) {
				rc = EFBIG;
				break;
			}
			/* +1: room for the terminating NUL. */
			nbuf = tlsplug__realloc(buf, ncap + 1);
			if (nbuf == NULL) {
				rc = ENOMEM;
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc == 0 && n > max)
		rc = EFBIG;
	if (rc != 0) {
		tlsplug__free(buf);
		return rc;
	}
	if (buf == NULL) {
		buf = tlsplug__malloc(1);
		if (buf == NULL)
			return ENOMEM;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
