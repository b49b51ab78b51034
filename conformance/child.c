/*
 * child.c -- parts of a case that need a process of their own: one whose
 * system trust store holds an extra anchor (a private mount namespace), and
 * one that runs as an unprivileged user.  The child runs the function and
 * reports back through a pipe; the caller's process is never changed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

/* The system CA bundles of the common distributions: Debian and its
 * descendants, Fedora and RHEL (three names), openSUSE, Alpine. */
static const char *const bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/pki/tls/cert.pem",
	"/etc/ssl/ca-bundle.pem",
	"/etc/ssl/cert.pem",
};
#define NBUNDLES (sizeof(bundles) / sizeof(bundles[0]))

/* What a child does before it runs the function. */
enum setup { SETUP_ANCHOR, SETUP_UNPRIVILEGED };

struct child_setup {
	enum setup how;
	const char *anchor;        /* SETUP_ANCHOR: PEM file to add */
	const char *dir;           /* SETUP_ANCHOR: where the bundle goes */
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Appends file `from` to the open descriptor fd. */
static int
append_file(int fd, const char *from)
{
	char buf[8192];
	ssize_t n;
	int in = open(from, O_RDONLY);

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(fd, buf, (size_t)n) != 0) {
			close(in);
			return -1;
		}
	}
	close(in);
	/* A bundle whose last line lacks its newline must not glue the
	 * next BEGIN line to it. */
	return write_all(fd, "\n", 1);
}

/* Writes "0 id 1" to a /proc/self map file. */
static int
write_map(const char *file, unsigned id)
{
	char line[64];
	int fd = open(file, O_WRONLY), rc;

	if (fd < 0)
		return -1;
	snprintf(line, sizeof(line), "0 %u 1\n", id);
	rc = write_all(fd, line, strlen(line));
	close(fd);
	return rc;
}

/* A mount namespace of our own: directly with the privilege for it, else
 * inside a new user namespace (unprivileged, where the kernel allows). */
static int
own_mount_namespace(char *why, size_t whylen)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	int e, fd;

	if (unshare(CLONE_NEWNS) != 0) {
		e = errno;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
			return conf_fail(why, whylen, "cannot make a private "
			    "mount namespace to add an anchor to the system "
			    "store: %s; in a user namespace: %s (needs root, "
			    "or unprivileged user namespaces)", strerror(e),
			    strerror(errno));
		/* (Older kernels have no setgroups file.) */
		fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd >= 0) {
			(void)write_all(fd, "deny", 4);
			close(fd);
		}
		if (write_map("/proc/self/uid_map", (unsigned)uid) != 0 ||
		    write_map("/proc/self/gid_map", (unsigned)gid) != 0)
			return conf_fail(why, whylen, "user namespace id maps: "
			                 "%s", strerror(errno));
	}
	/* Nothing mounted here may reach the rest of the machine.  (The
	 * kernel ignores the source and type of these two kinds of mount;
	 * "none" rather than NULL keeps valgrind quiet.) */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
		return conf_fail(why, whylen, "making mounts private: %s",
		                 strerror(errno));
	return 0;
}

/*
 * Puts a bundle made of each system bundle's certificates plus the anchor
 * over every system bundle there is (bind mounts in a private mount
 * namespace: the files themselves are not touched).
 */
static int
add_system_anchor(const struct child_setup *cs, char *why, size_t whylen)
{
	char real[NBUNDLES][PATH_MAX], bundle[PATH_MAX];
	size_t n = 0, i, j;
	int fd;

	for (i = 0; i < NBUNDLES; i++) {
		if (realpath(bundles[i], real[n]) == NULL)
			continue;
		for (j = 0; j < n && strcmp(real[j], real[n]) != 0; j++)
			;
		if (j == n)
			n++;
	}
	if (n == 0)
		return conf_fail(why, whylen, "no system CA bundle at the "
		                 "known places (%s, ...)", bundles[0]);
	if (own_mount_namespace(why, whylen) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(bundle, sizeof(bundle), "%s/system-bundle-%zu.pem",
		         cs->dir, i);
		fd = open(bundle, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || append_file(fd, real[i]) != 0 ||
		    append_file(fd, cs->anchor) != 0) {
			if (fd >= 0)
				close(fd);
			return conf_fail(why, whylen, "cannot write %s: %s",
			                 bundle, strerror(errno));
		}
		close(fd);
		if (mount(bundle, real[i], "none", MS_BIND, NULL) != 0)
			return conf_fail(why, whylen, "bind mount over %s: %s",
			                 real[i], strerror(errno));
	}
	return 0;
}

/* Becomes the user nobody (65534 where it has no entry). */
static int
drop_privileges(char *why, size_t whylen)
{
	const struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw != NULL ? pw->pw_uid : 65534;
	gid_t gid = pw != NULL ? pw->pw_gid : 65534;

	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		return conf_fail(why, whylen, "cannot become uid %u: %s",
		                 (unsigned)uid, strerror(errno));
	if (geteuid() == 0 || getegid() == 0)
		return conf_fail(why, whylen, "still root after setresuid");
	return 0;
}

/* Runs fn in a child prepared as cs says.  Returns fn's result, with why
 * as the child left it. */
static int
in_child(const struct child_setup *cs, conf_child_fn fn, void *arg,
         char *why, size_t whylen)
{
	int fds[2], status, rc;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return conf_fail(why, whylen, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return conf_fail(why, whylen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		why[0] = '\0';
		if (cs->how == SETUP_ANCHOR)
			rc = add_system_anchor(cs, why, whylen);
		else
			rc = drop_privileges(why, whylen);
		if (rc == 0)
			rc = fn(arg, why, whylen);
		(void)write_all(fds[1], why, strlen(why));
		close(fds[1]);
		/* Not exit(): the parent's atexit handlers are not ours. */
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	why[0] = '\0';
	while (got + 1 < whylen &&
	       (n = read(fds[0], why + got, whylen - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	why[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return conf_fail(why, whylen, "waitpid: %s",
			                 strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && got > 0)
		return -1;
	if (WIFSIGNALED(status))
		return conf_fail(why, whylen, "child killed by signal %d",
		                 WTERMSIG(status));
	return conf_fail(why, whylen, "child exited %d%s%s",
	                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	                 got > 0 ? ": " : "", got > 0 ? why : "");
}

int
conf_with_system_anchor(const struct conf_env *env, const char *anchor,
                        conf_child_fn fn, void *arg, char *why,
                        size_t whylen)
{
	struct child_setup cs = { SETUP_ANCHOR, NULL, env->certdir };
	char path[PATH_MAX];

	conf_path(env, anchor, path);
	cs.anchor = path;
	return in_child(&cs, fn, arg, why, whylen);
}

int
conf_unprivileged(conf_child_fn fn, void *arg, char *why, size_t whylen)
{
	struct child_setup cs = { SETUP_UNPRIVILEGED, NULL, NULL };

	if (geteuid() != 0)
		return fn(arg, why, whylen);
	return in_child(&cs, fn, arg, why, whylen);
}
