/* check_loader.c -- opening and validating plugins (core/loader.c) with
 * the mock plugins of tests/mock/. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tlsplug/backend.h>

#include "internal.h"
#include "registry.h"
#include "registry_testlib.h"
#include "ck_run.h"
#include "unpriv.h"

/* A registry over one fresh directory holding the listed mocks. */
static struct tlsplug_registry *
registry_with(const char *const *mocks, char **dirp)
{
	char *dir = rt_tmpdir();

	rt_clean_env();
	rt_add_mocks(dir, mocks);
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
	if (dirp != NULL)
		*dirp = dir;
	else
		free(dir);
	return rt_registry(NULL, NULL);
}

/* The reason the registry gives for mock `name` after loading it. */
static const char *
reason_of(struct tlsplug_registry *r, const char *name)
{
	const struct tlsplug_backend *b;

	tlsplug_registry_load_all(r);
	b = rt_record(r, name);
	ck_assert_msg(b != NULL, "no record for %s", name);
	ck_assert_msg(tlsplug_backend_state(b) == TLSPLUG_BACKEND_REJECTED,
	              "%s not rejected", name);
	ck_assert_ptr_nonnull(tlsplug_backend_reject_reason(b));
	ck_assert_ptr_null(b->d);
	return tlsplug_backend_reject_reason(b);
}

/* Each broken mock alone in its directory, with its exact reason ("%s" in
 * `reason` stands for the directory). */
static const struct {
	const char *mock;
	const char *reason;
} rejects[] = {
	{ "badmajor", "ABI major 2, host supports 1" },
	{ "nosymbol", "no symbol tlsplug_backend_v1 (not a tlsplug backend "
	  "plugin)" },
	{ "nextmajor", "no symbol tlsplug_backend_v1: the plugin is built for "
	  "ABI major 2, host supports 1" },
	{ "tiny", "symbol tlsplug_backend_v1 is only 4 bytes, too small for a "
	  "descriptor" },
	{ "nullentry", "required entry point conn->read is NULL" },
	{ "noctx", "neither client_context nor server_context is set" },
	{ "badname", "invalid backend name 'Bad!' (allowed: a-z 0-9 _ -)" },
	{ "dupname", "backend name 'fake' does not match the file name "
	  "tlsplug-dupname.so (expected tlsplug-fake.so)" },
	{ "initfail", "init failed: initfail: engine self-test failed" },
	/* A member a later minor made required, in a plugin declaring that
	 * minor. */
	{ "nopeercert", "required entry point conn->peer_cert (ABI 1.1) is "
	  "NULL" },
};

START_TEST(test_reject_reason)
{
	const char *mocks[] = { rejects[_i].mock, NULL };
	struct tlsplug_registry *r = registry_with(mocks, NULL);

	ck_assert_str_eq(reason_of(r, rejects[_i].mock), rejects[_i].reason);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_reject_small_struct_size)
{
	const char *mocks[] = { "smallsize", NULL };
	struct tlsplug_registry *r = registry_with(mocks, NULL);
	char *want = rt_fmt("struct_size %zu too small for ABI 1.0 (needs at "
	                    "least %zu)",
	                    offsetof(struct tlsplug_backend_descriptor, conn),
	                    offsetof(struct tlsplug_backend_descriptor, info) +
	                    sizeof(void *));
	const struct tlsplug_backend *b;

	ck_assert_str_eq(reason_of(r, "smallsize"), want);
	b = rt_record(r, "smallsize");
	/* The version read is kept for listing. */
	unsigned major, minor;
	tlsplug_backend_abi_version(b, &major, &minor);
	ck_assert_uint_eq(major, 1);
	ck_assert_uint_eq(minor, 0);
	free(want);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_reject_duplicate_name)
{
	const char *mocks[] = { "dupname", "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *want = rt_fmt("duplicate backend name 'fake' (already provided "
	                    "by %s/tlsplug-fake.so)", dir);

	ck_assert_str_eq(reason_of(r, "dupname"), want);
	ck_assert_int_eq(tlsplug_backend_state(rt_record(r, "fake")),
	                 TLSPLUG_BACKEND_OK);
	free(want);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_reject_not_elf)
{
	const char *mocks[] = { "notelf", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *prefix = rt_fmt("%s/tlsplug-notelf.so: ", dir);
	const char *why = reason_of(r, "notelf");

	/* The dynamic loader's own message, naming the file. */
	ck_assert_msg(strncmp(why, prefix, strlen(prefix)) == 0, "%s", why);
	ck_assert_ptr_nonnull(strstr(why, "invalid ELF header"));
	free(prefix);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_reject_missing_dependency)
{
	const char *mocks[] = { "missingdep", NULL };
	struct tlsplug_registry *r = registry_with(mocks, NULL);

	ck_assert_str_eq(reason_of(r, "missingdep"),
	                 "libtlsplug-mock-absent.so.0: cannot open shared "
	                 "object file: No such file or directory");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_fake_is_usable)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	const struct tlsplug_backend *b = tlsplug_registry_find(r, "fake");
	char *path = rt_fmt("%s/tlsplug-fake.so", dir);
	uint16_t ids[4] = { 0 };
	unsigned major = 9, minor = 9;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(tlsplug_backend_state(b), TLSPLUG_BACKEND_OK);
	ck_assert_ptr_null(tlsplug_backend_reject_reason(b));
	ck_assert_str_eq(tlsplug_backend_name(b), "fake");
	ck_assert_str_eq(tlsplug_backend_path(b), path);
	ck_assert_str_eq(tlsplug_backend_description(b),
	                 "Fake backend for tests");
	ck_assert_str_eq(tlsplug_backend_engine_version(b), "Fake 1.2.3");
	tlsplug_backend_abi_version(b, &major, &minor);
	ck_assert_uint_eq(major, TLSPLUG_BACKEND_ABI_MAJOR);
	ck_assert_uint_eq(minor, TLSPLUG_BACKEND_ABI_MINOR);
	ck_assert_int_eq(tlsplug_backend_priority(b), 10);
	ck_assert(tlsplug_backend_caps(b) ==
	          (TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | TLSPLUG_CAP_ALPN |
	           TLSPLUG_CAP_TLS1_2 | TLSPLUG_CAP_TLS1_3));
	ck_assert_uint_eq(tlsplug_backend_cipher_suites(b, ids, 1), 2);
	ck_assert_uint_eq(ids[0], TLSPLUG_CS_TLS_AES_256_GCM_SHA384);
	ck_assert_uint_eq(ids[1], 0);   /* at most max filled */
	ck_assert_uint_eq(tlsplug_backend_cipher_suites(b, NULL, 0), 2);
	ck_assert_str_eq(tlsplug_backend_system_trust_source(b),
	                 "file /etc/fake/ca.pem");
	ck_assert_ptr_eq(b->d, &b->desc);
	ck_assert_ptr_null(tlsplug_registry_error(r));
	free(path);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_newer_minor_accepted)
{
	const char *mocks[] = { "future", NULL };
	struct tlsplug_registry *r = registry_with(mocks, NULL);
	const struct tlsplug_backend *b = tlsplug_registry_find(r, "future");
	unsigned major, minor;

	ck_assert_msg(b != NULL, "%s",
	              tlsplug_error_message(tlsplug_registry_error(r)));
	tlsplug_backend_abi_version(b, &major, &minor);
	ck_assert_uint_eq(major, 1);
	ck_assert_uint_eq(minor, TLSPLUG_BACKEND_ABI_MINOR + 1);
	/* Members the host does not know stay with the plugin; optional
	 * members the host knows are as the plugin set them. */
	ck_assert_ptr_null(b->d->info);
	ck_assert_ptr_null(tlsplug_backend_system_trust_source(b));
	ck_assert_str_eq(tlsplug_backend_engine_version(b), "mock 1.0");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_all_mocks_crash_free)
{
	struct tlsplug_registry *r;
	char *dir = rt_tmpdir();
	size_t ok = 0;

	rt_clean_env();
	for (size_t i = 0; i < rt_nall_mocks; i++)
		free(rt_add_mock(dir, rt_all_mocks[i]));
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
	r = rt_registry(NULL, NULL);
	ck_assert_uint_eq(tlsplug_registry_count(r), rt_nall_mocks);
	/* Found but not opened until asked. */
	for (size_t i = 0; i < rt_nall_mocks; i++)
		ck_assert_int_eq(tlsplug_backend_state(tlsplug_registry_get(r,
		                 i)), TLSPLUG_BACKEND_FOUND);
	tlsplug_registry_load_all(r);
	for (size_t i = 0; i < tlsplug_registry_count(r); i++) {
		const struct tlsplug_backend *b = tlsplug_registry_get(r, i);
		const char *why = tlsplug_backend_reject_reason(b);

		if (tlsplug_backend_state(b) == TLSPLUG_BACKEND_OK) {
			ck_assert_ptr_null(why);
			ok++;
			continue;
		}
		ck_assert_int_eq(tlsplug_backend_state(b),
		                 TLSPLUG_BACKEND_REJECTED);
		ck_assert_ptr_nonnull(why);
		ck_assert_uint_gt(strlen(why), 0);
		ck_assert_ptr_null(strchr(why, '\n'));
	}
	/* fake, other, twin, future, legacy */
	ck_assert_uint_eq(ok, 5);
	ck_assert_int_eq(tlsplug_backend_state(rt_record(r, "future")),
	                 TLSPLUG_BACKEND_OK);
	/* Discovery order is sorted by file name. */
	ck_assert_str_eq(tlsplug_backend_name(tlsplug_registry_get(r, 0)),
	                 "badmajor");
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_world_writable_directory)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *want = rt_fmt("directory %s is world-writable", dir);

	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_ptr_null(tlsplug_registry_find(r, "fake"));
	ck_assert_str_eq(reason_of(r, "fake"), want);
	free(want);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_group_writable_directory)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *want = rt_fmt("directory %s is group-writable", dir);

	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_str_eq(reason_of(r, "fake"), want);
	free(want);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_group_writable_file)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *path = rt_fmt("%s/tlsplug-fake.so", dir);
	char *want = rt_fmt("file %s is group-writable", path);

	ck_assert_int_eq(chmod(path, 0775), 0);
	ck_assert_str_eq(reason_of(r, "fake"), want);
	free(want);
	free(path);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_world_writable_file)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *path = rt_fmt("%s/tlsplug-fake.so", dir);
	char *want = rt_fmt("file %s is world-writable", path);

	ck_assert_int_eq(chmod(path, 0757), 0);
	ck_assert_str_eq(reason_of(r, "fake"), want);
	free(want);
	free(path);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

/* Only root can give a file away; the test is added to the suite only
 * when running as root (as CI does). */
START_TEST(test_foreign_owner)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *path = rt_fmt("%s/tlsplug-fake.so", dir);
	char *want = rt_fmt("file %s is owned by uid 65534 (not root or the "
	                    "current user)", path);

	ck_assert_int_eq(chown(path, 65534, (gid_t)-1), 0);
	ck_assert_str_eq(reason_of(r, "fake"), want);
	free(want);
	free(path);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

/*
 * Ownership as a user other than root sees it (tests/unpriv.h: as root,
 * in a child that became nobody): a plugin owned by that user or by root
 * loads, one owned by anyone else is refused.  Running as root, the files
 * are given away first; otherwise only the user's own file can be made.
 */
struct owners {
	char *dir;
	int gave_away;             /* other and future have other owners */
	unsigned stranger;         /* owner of future */
};

/* The state of mock `name` (and the reason) in a registry over dir. */
static int
owners_state(struct tlsplug_registry *r, const char *name, const char **why)
{
	const struct tlsplug_backend *b = rt_record(r, name);

	*why = b != NULL ? tlsplug_backend_reject_reason(b) : "no record";
	return b != NULL ? (int)tlsplug_backend_state(b) : -1;
}

static int
owners_as_user(void *arg, char *msg, size_t len)
{
	struct owners *o = arg;
	struct tlsplug_registry *r = NULL;
	struct tlsplug_error *err = NULL;
	const char *why;
	char *want;
	int rc = -1;

	if (tlsplug__registry_new_ex(NULL, NULL, &r, &err) != TLSPLUG_OK) {
		snprintf(msg, len, "registry: %s", tlsplug_error_message(err));
		tlsplug_error_free(err);
		return -1;
	}
	tlsplug_registry_load_all(r);
	if (owners_state(r, "fake", &why) != TLSPLUG_BACKEND_OK) {
		snprintf(msg, len, "uid %u: own plugin refused: %s",
		         (unsigned)geteuid(), why != NULL ? why : "?");
		goto out;
	}
	if (!o->gave_away) {
		rc = 0;
		goto out;
	}
	if (owners_state(r, "other", &why) != TLSPLUG_BACKEND_OK) {
		snprintf(msg, len, "uid %u: root's plugin refused: %s",
		         (unsigned)geteuid(), why != NULL ? why : "?");
		goto out;
	}
	want = rt_fmt("file %s/tlsplug-future.so is owned by uid %u (not root "
	              "or the current user)", o->dir, o->stranger);
	if (owners_state(r, "future", &why) != TLSPLUG_BACKEND_REJECTED ||
	    why == NULL || strcmp(why, want) != 0)
		snprintf(msg, len, "uid %u: plugin of uid %u: \"%s\", "
		         "expected \"%s\"", (unsigned)geteuid(), o->stranger,
		         why != NULL ? why : "accepted", want);
	else
		rc = 0;
	free(want);
out:
	tlsplug_registry_free(r);
	return rc;
}

START_TEST(test_owner_current_user)
{
	const char *mocks[] = { "fake", "other", "future", NULL };
	struct owners o = { NULL, 0, 0 };
	char templ[] = "/tmp/tlsplug-owners-XXXXXX", msg[1024], *f;
	uid_t uid;
	gid_t gid;
	int rc;

	/* Under /tmp, not the tests' private TMPDIR: nobody must enter. */
	ck_assert_ptr_nonnull(mkdtemp(templ));
	ck_assert_int_eq(chmod(templ, 0755), 0);
	o.dir = templ;
	rt_clean_env();
	rt_add_mocks(templ, mocks);
	setenv("TLSPLUG_PLUGIN_PATH", templ, 1);
	if (geteuid() == 0) {
		unpriv_ids(&uid, &gid);
		o.gave_away = 1;
		o.stranger = (unsigned)uid - 1;
		f = rt_fmt("%s/tlsplug-fake.so", templ);
		ck_assert_int_eq(chown(f, uid, gid), 0);
		free(f);
		f = rt_fmt("%s/tlsplug-future.so", templ);
		ck_assert_int_eq(chown(f, (uid_t)o.stranger, gid), 0);
		free(f);
	}
	rc = unpriv_run(owners_as_user, &o, msg, sizeof(msg));
	for (size_t i = 0; mocks[i] != NULL; i++) {
		f = rt_fmt("%s/tlsplug-%s.so", templ, mocks[i]);
		unlink(f);
		free(f);
	}
	rmdir(templ);
	ck_assert_msg(rc == 0, "%s", msg);
}
END_TEST

START_TEST(test_symlink_target_checked)
{
	char *plugdir = rt_tmpdir(), *store = rt_tmpdir();
	char *target, *link = rt_fmt("%s/tlsplug-fake.so", plugdir), *want;
	struct tlsplug_registry *r;
	const struct tlsplug_backend *b;

	rt_clean_env();
	/* Distribution layout: the plugin directory holds a symlink. */
	target = rt_add_mock(store, "fake");
	ck_assert_int_eq(symlink(target, link), 0);
	setenv("TLSPLUG_PLUGIN_PATH", plugdir, 1);
	r = rt_registry(NULL, NULL);
	b = tlsplug_registry_find(r, "fake");
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(tlsplug_backend_path(b), link);
	tlsplug_registry_free(r);

	/* What is dlopened is checked: the target's directory. */
	ck_assert_int_eq(chmod(store, 0777), 0);
	r = rt_registry(NULL, NULL);
	want = rt_fmt("directory %s is world-writable", store);
	ck_assert_str_eq(reason_of(r, "fake"), want);
	tlsplug_registry_free(r);
	free(want);
	free(target);
	free(link);
	free(plugdir);
	free(store);
}
END_TEST

START_TEST(test_not_regular_file)
{
	char *dir = rt_tmpdir();
	char *sub = rt_subdir(dir, "tlsplug-adir.so");
	char *want = rt_fmt("file %s is not a regular file", sub);
	struct tlsplug_registry *r;

	rt_clean_env();
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
	r = rt_registry(NULL, NULL);
	ck_assert_str_eq(reason_of(r, "adir"), want);
	tlsplug_registry_free(r);
	free(want);
	free(sub);
	free(dir);
}
END_TEST

START_TEST(test_load_file)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *elsewhere = rt_tmpdir();
	char *other = rt_add_mock(elsewhere, "other");
	char *bad = rt_add_mock(elsewhere, "badmajor");
	char *fake = rt_fmt("%s/tlsplug-fake.so", dir);
	char *absent = rt_fmt("%s/tlsplug-absent.so", elsewhere);
	char *want;
	const struct tlsplug_backend *b = NULL;
	struct tlsplug_error *err = NULL;

	ck_assert_uint_eq(tlsplug_registry_count(r), 1);
	/* A file outside the plugin path. */
	ck_assert_int_eq(tlsplug_registry_load_file(r, other, &b, &err),
	                 TLSPLUG_OK);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(tlsplug_backend_name(b), "other");
	ck_assert_uint_eq(tlsplug_registry_count(r), 2);
	ck_assert_ptr_eq(tlsplug_registry_find(r, "other"), b);
	/* A file already listed is the same record. */
	ck_assert_int_eq(tlsplug_registry_load_file(r, fake, &b, NULL),
	                 TLSPLUG_OK);
	ck_assert_ptr_eq(b, tlsplug_registry_get(r, 0));
	ck_assert_uint_eq(tlsplug_registry_count(r), 2);
	/* Rejected: PLUGIN, naming the file and the reason. */
	ck_assert_int_eq(tlsplug_registry_load_file(r, bad, &b, &err),
	                 TLSPLUG_ERR_PLUGIN);
	ck_assert_ptr_null(b);
	want = rt_fmt("%s: ABI major 2, host supports 1", bad);
	ck_assert_str_eq(tlsplug_error_message(err), want);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_registry_error(r)),
	                 want);
	tlsplug_error_free(err);
	free(want);
	ck_assert_uint_eq(tlsplug_registry_count(r), 3);
	/* Missing: IO, nothing added. */
	err = NULL;
	ck_assert_int_eq(tlsplug_registry_load_file(r, absent, &b, &err),
	                 TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(err), absent));
	tlsplug_error_free(err);
	ck_assert_uint_eq(tlsplug_registry_count(r), 3);
	free(absent);
	free(fake);
	free(bad);
	free(other);
	free(elsewhere);
	free(dir);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_load_file_unsafe)
{
	char *dir = rt_tmpdir();
	char *path = rt_add_mock(dir, "fake");
	char *want = rt_fmt("%s: directory %s is world-writable", path, dir);
	struct tlsplug_registry *r;
	struct tlsplug_error *err = NULL;

	rt_clean_env();
	setenv("TLSPLUG_PLUGIN_PATH", "/nonexistent", 1);
	r = rt_registry(NULL, NULL);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(tlsplug_registry_load_file(r, path, NULL, &err),
	                 TLSPLUG_ERR_PLUGIN);
	ck_assert_str_eq(tlsplug_error_message(err), want);
	tlsplug_error_free(err);
	tlsplug_registry_free(r);
	free(want);
	free(path);
	free(dir);
}
END_TEST

static size_t
count_lines(const char *path, const char *line)
{
	FILE *f = fopen(path, "r");
	char buf[64];
	size_t n = 0;

	if (f == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strncmp(buf, line, strlen(line)) == 0)
			n++;
	fclose(f);
	return n;
}

START_TEST(test_init_once_fini_last)
{
	const char *mocks[] = { "fake", NULL };
	char *dir;
	struct tlsplug_registry *r1 = registry_with(mocks, &dir), *r2;
	char *log = rt_fmt("%s/log", dir);

	setenv("TLSPLUG_MOCK_LOG", log, 1);
	r2 = rt_registry(NULL, NULL);
	ck_assert_ptr_nonnull(tlsplug_registry_find(r1, "fake"));
	ck_assert_ptr_nonnull(tlsplug_registry_find(r2, "fake"));
	ck_assert_ptr_nonnull(tlsplug_registry_find(r1, "fake"));
	/* One loaded object, one init, however many registries. */
	ck_assert_uint_eq(count_lines(log, "init"), 1);
	tlsplug_registry_free(r1);
	ck_assert_uint_eq(count_lines(log, "fini"), 0);
	/* r2 still works after r1 is gone. */
	ck_assert_str_eq(tlsplug_backend_engine_version(
	                 tlsplug_registry_find(r2, "fake")), "Fake 1.2.3");
	tlsplug_registry_free(r2);
	ck_assert_uint_eq(count_lines(log, "fini"), 1);
	free(log);
	free(dir);
}
END_TEST

START_TEST(test_same_name_in_two_directories)
{
	char *a = rt_tmpdir(), *b = rt_tmpdir();
	char *pa = rt_add_mock(a, "fake"), *pb = rt_add_mock(b, "fake");
	char *path = rt_fmt("%s:%s", a, b);
	char *want = rt_fmt("duplicate backend name 'fake' (already provided "
	                    "by %s)", pa);
	struct tlsplug_registry *r;
	const struct tlsplug_backend *found;

	rt_clean_env();
	setenv("TLSPLUG_PLUGIN_PATH", path, 1);
	r = rt_registry(NULL, NULL);
	ck_assert_uint_eq(tlsplug_registry_count(r), 2);
	/* The first directory wins, like PATH. */
	found = tlsplug_registry_find(r, "fake");
	ck_assert_str_eq(tlsplug_backend_path(found), pa);
	tlsplug_registry_load_all(r);
	ck_assert_str_eq(tlsplug_backend_reject_reason(
	                 tlsplug_registry_get(r, 1)), want);

	/* Unless the first one is unusable. */
	tlsplug_registry_free(r);
	ck_assert_int_eq(chmod(pa, 0666), 0);
	r = rt_registry(NULL, NULL);
	found = tlsplug_registry_find(r, "fake");
	ck_assert_ptr_nonnull(found);
	ck_assert_str_eq(tlsplug_backend_path(found), pb);
	tlsplug_registry_free(r);
	free(want);
	free(path);
	free(pa);
	free(pb);
	free(a);
	free(b);
}
END_TEST

static void *
find_fake(void *arg)
{
	return (void *)tlsplug_registry_find(arg, "fake");
}

START_TEST(test_concurrent_lazy_load)
{
	const char *mocks[] = { "fake", "twin", NULL };
	char *dir;
	struct tlsplug_registry *r = registry_with(mocks, &dir);
	char *log = rt_fmt("%s/log", dir);
	pthread_t t[8];
	void *got[8];

	setenv("TLSPLUG_MOCK_LOG", log, 1);
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, find_fake, r), 0);
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_join(t[i], &got[i]), 0);
	for (size_t i = 0; i < 8; i++) {
		ck_assert_ptr_nonnull(got[i]);
		ck_assert_ptr_eq(got[i], got[0]);
	}
	ck_assert_uint_eq(count_lines(log, "init"), 1);
	tlsplug_registry_free(r);
	free(log);
	free(dir);
}
END_TEST

START_TEST(test_out_of_memory)
{
	const char *mocks[] = { "fake", "badmajor", "other", NULL };
	char *dir = rt_tmpdir();
	unsigned long n;

	rt_clean_env();
	rt_add_mocks(dir, mocks);
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
	/* Fail each allocation in turn: creation fails cleanly, or loading
	 * leaves records FOUND; never a crash or a leak. */
	for (n = 1; n < 400; n++) {
		struct tlsplug_registry *r = NULL;
		int rc;

		tlsplug__alloc_fail_at(n);
		rc = tlsplug__registry_new_ex(NULL, NULL, &r, NULL);
		if (rc == TLSPLUG_OK) {
			tlsplug_registry_load_all(r);
			tlsplug_registry_find(r, "fake");
		}
		tlsplug__alloc_fail_at(0);
		if (rc != TLSPLUG_OK) {
			ck_assert_int_eq(rc, TLSPLUG_ERR_NOMEM);
			ck_assert_ptr_null(r);
			continue;
		}
		tlsplug_registry_load_all(r);
		ck_assert_ptr_nonnull(tlsplug_registry_find(r, "fake"));
		tlsplug_registry_free(r);
		if (n > 200)
			break;
	}
	free(dir);
}
END_TEST

static Suite *
loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("validation");

	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_loop_test(tc, test_reject_reason, 0,
	                    sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, test_reject_small_struct_size);
	tcase_add_test(tc, test_reject_duplicate_name);
	tcase_add_test(tc, test_reject_not_elf);
	tcase_add_test(tc, test_reject_missing_dependency);
	tcase_add_test(tc, test_fake_is_usable);
	tcase_add_test(tc, test_newer_minor_accepted);
	tcase_add_test(tc, test_all_mocks_crash_free);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_init_once_fini_last);
	tcase_add_test(tc, test_same_name_in_two_directories);
	tcase_add_test(tc, test_concurrent_lazy_load);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("location");
	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_test(tc, test_world_writable_directory);
	tcase_add_test(tc, test_group_writable_directory);
	tcase_add_test(tc, test_group_writable_file);
	tcase_add_test(tc, test_world_writable_file);
	if (geteuid() == 0)
		tcase_add_test(tc, test_foreign_owner);
	tcase_add_test(tc, test_owner_current_user);
	tcase_add_test(tc, test_symlink_target_checked);
	tcase_add_test(tc, test_not_regular_file);
	tcase_add_test(tc, test_load_file_unsafe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
