/* certs.c -- running the certificate generator and cleaning up after;
 * conf_fail, which every part of the suite uses, lives here so that this
 * file stands alone (tests/check_threads links only it). */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

int
conf_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

int
conf_certs_generate(const char *script, const char *dir, char *why,
                    size_t whylen)
{
	pid_t pid;
	int status;

	if (access(script, R_OK) != 0)
		return conf_fail(why, whylen, "%s: %s", script,
		                 strerror(errno));
	pid = fork();
	if (pid < 0)
		return conf_fail(why, whylen, "fork: %s", strerror(errno));
	if (pid == 0) {
		execl("/bin/sh", "sh", script, dir, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return conf_fail(why, whylen, "waitpid: %s",
			                 strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return conf_fail(why, whylen, "%s %s failed (status %d)",
		                 script, dir, WIFEXITED(status) ?
		                 WEXITSTATUS(status) : -1);
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag,
           struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
conf_certs_remove(const char *dir)
{
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
