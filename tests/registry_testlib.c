/* registry_testlib.c -- see registry_testlib.h. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"
#include "registry_testlib.h"

const char *const rt_all_mocks[] = {
	"fake", "other", "twin", "future", "badmajor", "smallsize",
	"nosymbol", "nextmajor", "tiny", "nullentry", "noctx", "badname",
	"dupname", "initfail", "missingdep", "nopeercert", "legacy",
	"notelf",
};
const size_t rt_nall_mocks = sizeof(rt_all_mocks) / sizeof(rt_all_mocks[0]);

static char *base_dir;
static char *saved_tmpdir;     /* TMPDIR before rt_base_setup */

char *
rt_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

void
rt_clean_env(void)
{
	unsetenv("TLSPLUG_BACKEND");
	unsetenv("TLSPLUG_PLUGIN_PATH");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("TLSPLUG_MOCK_LOG");
	setenv("TLSPLUG_CONF", "/dev/null", 1);
}

char *
rt_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *templ, real[PATH_MAX];

	templ = rt_fmt("%s/tlsplug-test-XXXXXX",
	               base != NULL && base[0] == '/' ? base : "/tmp");
	ck_assert_msg(mkdtemp(templ) != NULL, "mkdtemp: %s", strerror(errno));
	ck_assert_ptr_nonnull(realpath(templ, real));
	free(templ);
	return strdup(real);
}

char *
rt_subdir(const char *dir, const char *name)
{
	char *path = rt_fmt("%s/%s", dir, name);

	ck_assert_msg(mkdir(path, 0700) == 0, "mkdir %s: %s", path,
	              strerror(errno));
	return path;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP || flag == FTW_D)
		chmod(path, 0700);
	remove(path);
	return 0;
}

void
rt_base_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char *templ;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	saved_tmpdir = strdup(tmp);
	templ = malloc(strlen(tmp) + sizeof("/tlsplug-tests-XXXXXX"));
	if (templ == NULL)
		abort();
	sprintf(templ, "%s/tlsplug-tests-XXXXXX", tmp);
	if (mkdtemp(templ) == NULL) {
		perror("mkdtemp");
		abort();
	}
	base_dir = templ;
	setenv("TMPDIR", base_dir, 1);
}

void
rt_base_teardown(void)
{
	if (base_dir == NULL)
		return;
	chmod(base_dir, 0700);
	nftw(base_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(base_dir);
	base_dir = NULL;
	if (saved_tmpdir != NULL)
		setenv("TMPDIR", saved_tmpdir, 1);
	free(saved_tmpdir);
	saved_tmpdir = NULL;
}

static void
copy_file(const char *src, const char *dst)
{
	char buf[8192];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	ck_assert_msg(in >= 0, "open %s: %s (were the mocks built?)", src,
	              strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(out >= 0, "create %s: %s", dst, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
	close(in);
	close(out);
	/* Explicit mode: a umask of 002 would make it group-writable. */
	ck_assert_int_eq(chmod(dst, 0755), 0);
}

char *
rt_add_mock(const char *dir, const char *name)
{
	const char *top = getenv("top_builddir");
	const char *srctop = getenv("top_srcdir");
	char *src, *dst;

	ck_assert_msg(top != NULL && srctop != NULL,
	              "top_builddir and top_srcdir must be set (make check)");
	if (strcmp(name, "notelf") == 0)
		src = rt_fmt("%s/tests/mock/notelf.txt", srctop);
	else
		src = rt_fmt("%s/tests/mock/.libs/tlsplug-%s.so", top, name);
	dst = rt_fmt("%s/tlsplug-%s.so", dir, name);
	copy_file(src, dst);
	free(src);
	return dst;
}

void
rt_add_mocks(const char *dir, const char *const *names)
{
	for (; *names != NULL; names++)
		free(rt_add_mock(dir, *names));
}

char *
rt_write(const char *dir, const char *name, const char *text)
{
	char *path = rt_fmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "create %s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

struct tlsplug_registry *
rt_registry(const char *app, const char *sysconf)
{
	struct tlsplug_registry *r = NULL;
	struct tlsplug_error *err = NULL;
	int rc = tlsplug__registry_new_ex(app, sysconf, &r, &err);

	ck_assert_msg(rc == TLSPLUG_OK, "registry_new: %s",
	              tlsplug_error_message(err));
	ck_assert_ptr_nonnull(r);
	return r;
}

const struct tlsplug_backend *
rt_record(const struct tlsplug_registry *r, const char *name)
{
	char *suffix = rt_fmt("/tlsplug-%s.so", name);
	size_t slen = strlen(suffix);
	const struct tlsplug_backend *found = NULL;

	for (size_t i = 0; i < tlsplug_registry_count(r) && !found; i++) {
		const struct tlsplug_backend *b = tlsplug_registry_get(r, i);
		const char *path = tlsplug_backend_path(b);
		size_t plen = strlen(path);

		if (plen >= slen && strcmp(path + plen - slen, suffix) == 0)
			found = b;
	}
	free(suffix);
	return found;
}
