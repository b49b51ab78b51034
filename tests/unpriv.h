/*
 * unpriv.h -- runs a part of a test as a user without root's privileges.
 * Permission bits and file ownership mean nothing to root, and CI runs as
 * root: such parts run in a child process that became the user nobody,
 * rather than not at all.  Not root already: the part runs in-process.
 */
#ifndef TLSPLUG_TESTS_UNPRIV_H
#define TLSPLUG_TESTS_UNPRIV_H

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* A part: returns 0, or -1 with a message in msg. */
typedef int (*unpriv_fn)(void *arg, char *msg, size_t len);

/* The user the part runs as when the test runs as root. */
static inline void
unpriv_ids(uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = getpwnam("nobody");

	*uid = pw != NULL ? pw->pw_uid : 65534;
	*gid = pw != NULL ? pw->pw_gid : 65534;
}

/* Runs fn as a user other than root (see above).  Returns 0, or -1 with
 * the reason in msg. */
static inline int
unpriv_run(unpriv_fn fn, void *arg, char *msg, size_t len)
{
	int fds[2], status, rc;
	size_t got = 0;
	ssize_t n;
	uid_t uid;
	gid_t gid;
	pid_t pid;

	msg[0] = '\0';
	if (geteuid() != 0)
		return fn(arg, msg, len);
	unpriv_ids(&uid, &gid);
	if (pipe(fds) != 0) {
		snprintf(msg, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
		    setresuid(uid, uid, uid) != 0 || geteuid() == 0) {
			snprintf(msg, len, "cannot become uid %u: %s",
			         (unsigned)uid, strerror(errno));
			rc = -1;
		} else {
			rc = fn(arg, msg, len);
		}
		if (write(fds[1], msg, strlen(msg)) < 0)
			rc = -1;
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	while (got + 1 < len &&
	       (n = read(fds[0], msg + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	msg[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, len, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (got == 0)
		snprintf(msg, len, "child (uid %u) ended with status 0x%x",
		         (unsigned)uid, (unsigned)status);
	return -1;
}

#endif
