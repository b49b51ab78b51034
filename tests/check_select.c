/* check_select.c -- choosing a backend (core/choose.c): precedence,
 * sources, lists, errors, laziness. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tlsplug/backend.h>

#include "internal.h"
#include "registry.h"
#include "registry_testlib.h"
#include "ck_run.h"

static char *dir;       /* plugin directory: fake(10) other(5) twin(10) */
static char *confdir;   /* config files */

/* Runs in each (forked) test: a plugin directory, a clean environment. */
static void
setup(void)
{
	static const char *const mocks[] = {
		"badmajor", "fake", "other", "twin", NULL
	};

	rt_clean_env();
	dir = rt_tmpdir();
	confdir = rt_tmpdir();
	rt_add_mocks(dir, mocks);
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
}

static void
teardown(void)
{
	free(dir);
	free(confdir);
}

/* Chooses and checks backend name, rule and source. */
static void
expect_choice(struct tlsplug_registry *r, const char *name, const char *want,
              enum tlsplug_choice_rule want_rule, const char *want_source)
{
	const struct tlsplug_backend *b = NULL;
	enum tlsplug_choice_rule rule = 0;
	const char *source = NULL;
	int rc = tlsplug_registry_choose(r, name, &b, &rule, &source);

	ck_assert_msg(rc == TLSPLUG_OK, "choose: %s",
	              tlsplug_error_message(tlsplug_registry_error(r)));
	ck_assert_str_eq(tlsplug_backend_name(b), want);
	ck_assert_int_eq(rule, want_rule);
	ck_assert_str_eq(source, want_source);
}

/* Chooses, expecting failure with code and exact message. */
static void
expect_failure(struct tlsplug_registry *r, const char *name, int code,
               const char *message)
{
	const struct tlsplug_backend *b = (void *)1;
	const char *source = (void *)1;

	ck_assert_int_eq(tlsplug_registry_choose(r, name, &b, NULL, &source),
	                 code);
	ck_assert_ptr_null(b);
	ck_assert_ptr_null(source);
	ck_assert_int_eq(tlsplug_error_code(tlsplug_registry_error(r)), code);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_registry_error(r)),
	                 message);
}

/* Writes the user's config file (TLSPLUG_CONF) and returns its path. */
static char *
user_conf(const char *text)
{
	char *path = rt_write(confdir, "user.conf", text);

	setenv("TLSPLUG_CONF", path, 1);
	return path;
}

static char *
system_conf(const char *text)
{
	return rt_write(confdir, "system.conf", text);
}

static void
assert_state(struct tlsplug_registry *r, const char *name,
             enum tlsplug_backend_state state)
{
	ck_assert_msg(tlsplug_backend_state(rt_record(r, name)) == state,
	              "%s: state %d", name,
	              tlsplug_backend_state(rt_record(r, name)));
}

START_TEST(test_explicit_wins)
{
	char *sys = system_conf("[default]\nbackend = other\n");
	struct tlsplug_registry *r;

	free(user_conf("[default]\nbackend = twin\n"));
	setenv("TLSPLUG_BACKEND", "other", 1);
	r = rt_registry(NULL, sys);
	expect_choice(r, "fake", "fake", TLSPLUG_CHOSEN_EXPLICIT, "explicit");
	/* A list works explicitly too. */
	expect_choice(r, "nosuch,twin", "twin", TLSPLUG_CHOSEN_EXPLICIT,
	              "explicit");
	tlsplug_registry_free(r);
	free(sys);
}
END_TEST

START_TEST(test_environment_beats_config)
{
	char *sys = system_conf("[default]\nbackend = twin\n");
	struct tlsplug_registry *r;

	free(user_conf("[default]\nbackend = twin\n"));
	setenv("TLSPLUG_BACKEND", "other", 1);
	r = rt_registry(NULL, sys);
	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_ENVIRONMENT,
	              "TLSPLUG_BACKEND");
	tlsplug_registry_free(r);
	free(sys);
}
END_TEST

START_TEST(test_environment_list)
{
	struct tlsplug_registry *r;

	setenv("TLSPLUG_BACKEND", " nosuch , twin,fake ", 1);
	r = rt_registry(NULL, NULL);
	expect_choice(r, NULL, "twin", TLSPLUG_CHOSEN_ENVIRONMENT,
	              "TLSPLUG_BACKEND");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_user_config_beats_system)
{
	char *sys = system_conf("[default]\nbackend = other\n");
	char *user = user_conf("# mine\n[default]\nbackend = twin, fake\n");
	char *source = rt_fmt("%s:3", user);
	struct tlsplug_registry *r = rt_registry(NULL, sys);

	expect_choice(r, NULL, "twin", TLSPLUG_CHOSEN_USER_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	free(user);
	free(sys);
}
END_TEST

START_TEST(test_system_config)
{
	char *sys = system_conf("[default]\n\nbackend = other\n");
	char *source = rt_fmt("%s:3", sys);
	struct tlsplug_registry *r;

	/* The user's file exists but sets no backend. */
	free(user_conf("[default]\nplugin_path = /nonexistent\n"));
	r = rt_registry(NULL, sys);
	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_SYSTEM_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	free(sys);
}
END_TEST

START_TEST(test_xdg_config_home)
{
	char *xdg = rt_subdir(confdir, "xdg");
	char *sub = rt_subdir(xdg, "tlsplug");
	char *path = rt_write(sub, "tlsplug.conf",
	                      "[default]\nbackend = other\n");
	char *source = rt_fmt("%s:2", path);
	struct tlsplug_registry *r;

	unsetenv("TLSPLUG_CONF");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", "/nonexistent", 1);
	r = rt_registry(NULL, NULL);
	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_USER_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	free(path);
	free(sub);
	free(xdg);
}
END_TEST

START_TEST(test_home_config)
{
	char *home = rt_subdir(confdir, "home");
	char *dot = rt_subdir(home, ".config");
	char *sub = rt_subdir(dot, "tlsplug");
	char *path = rt_write(sub, "tlsplug.conf",
	                      "[default]\nbackend = twin\n");
	char *source = rt_fmt("%s:2", path);
	struct tlsplug_registry *r;

	unsetenv("TLSPLUG_CONF");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", home, 1);
	r = rt_registry(NULL, NULL);
	expect_choice(r, NULL, "twin", TLSPLUG_CHOSEN_USER_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	free(path);
	free(sub);
	free(dot);
	free(home);
}
END_TEST

START_TEST(test_app_section)
{
	char *user = user_conf("[default]\nbackend = fake\n"
	                       "[myapp]\nbackend = other\n");
	char *source = rt_fmt("%s:4", user);
	struct tlsplug_registry *r = rt_registry("myapp", NULL);

	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_USER_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	source = rt_fmt("%s:2", user);
	r = rt_registry("another", NULL);
	expect_choice(r, NULL, "fake", TLSPLUG_CHOSEN_USER_CONFIG, source);
	tlsplug_registry_free(r);
	free(source);
	free(user);
}
END_TEST

START_TEST(test_builtin_order)
{
	struct tlsplug_registry *r = rt_registry(NULL, NULL);

	/* fake and twin both have priority 10: the name breaks the tie. */
	expect_choice(r, NULL, "fake", TLSPLUG_CHOSEN_BUILTIN,
	              "built-in order");
	/* It needed every plugin opened. */
	assert_state(r, "badmajor", TLSPLUG_BACKEND_REJECTED);
	assert_state(r, "other", TLSPLUG_BACKEND_OK);
	assert_state(r, "twin", TLSPLUG_BACKEND_OK);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_builtin_priority_not_discovery_order)
{
	char *a = rt_tmpdir(), *b = rt_tmpdir();
	char *path = rt_fmt("%s:%s", a, b);
	struct tlsplug_registry *r;

	free(rt_add_mock(a, "other"));
	free(rt_add_mock(a, "twin"));
	free(rt_add_mock(b, "fake"));
	setenv("TLSPLUG_PLUGIN_PATH", path, 1);
	r = rt_registry(NULL, NULL);
	/* twin is found first, fake has the same priority and wins by
	 * name; other (5) never. */
	expect_choice(r, NULL, "fake", TLSPLUG_CHOSEN_BUILTIN,
	              "built-in order");
	tlsplug_registry_free(r);

	setenv("TLSPLUG_PLUGIN_PATH", a, 1);
	r = rt_registry(NULL, NULL);
	expect_choice(r, NULL, "twin", TLSPLUG_CHOSEN_BUILTIN,
	              "built-in order");
	tlsplug_registry_free(r);
	free(path);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_not_found_is_an_error)
{
	struct tlsplug_registry *r;

	/* No fallback to config or built-in order. */
	free(user_conf("[default]\nbackend = fake\n"));
	setenv("TLSPLUG_BACKEND", "nosuch", 1);
	r = rt_registry(NULL, NULL);
	expect_failure(r, NULL, TLSPLUG_ERR_NOT_FOUND,
	               "backend 'nosuch' is not available (TLSPLUG_BACKEND); "
	               "available: fake, other, twin");
	expect_failure(r, "gone", TLSPLUG_ERR_NOT_FOUND,
	               "backend 'gone' is not available; "
	               "available: fake, other, twin");
	tlsplug_registry_free(r);

	setenv("TLSPLUG_BACKEND", "x, y", 1);
	r = rt_registry(NULL, NULL);
	expect_failure(r, NULL, TLSPLUG_ERR_NOT_FOUND,
	               "none of the backends 'x, y' is available "
	               "(TLSPLUG_BACKEND); available: fake, other, twin");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_rejected_name_says_why)
{
	struct tlsplug_registry *r;

	setenv("TLSPLUG_BACKEND", "badmajor", 1);
	r = rt_registry(NULL, NULL);
	expect_failure(r, NULL, TLSPLUG_ERR_NOT_FOUND,
	               "backend 'badmajor' is not available (TLSPLUG_BACKEND): "
	               "rejected: ABI major 2, host supports 1; "
	               "available: fake, other, twin");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_config_name_not_found)
{
	char *user = user_conf("[default]\nbackend = nosuch\n");
	char *want = rt_fmt("backend 'nosuch' is not available (%s:2); "
	                    "available: fake, other, twin", user);
	char *sys = system_conf("[default]\nbackend = fake\n");
	struct tlsplug_registry *r = rt_registry(NULL, sys);

	/* The user's file does not fall back to the system's. */
	expect_failure(r, NULL, TLSPLUG_ERR_NOT_FOUND, want);
	tlsplug_registry_free(r);
	free(sys);
	free(want);
	free(user);
}
END_TEST

START_TEST(test_naming_opens_one_plugin)
{
	struct tlsplug_registry *r;

	setenv("TLSPLUG_BACKEND", "other", 1);
	r = rt_registry(NULL, NULL);
	assert_state(r, "fake", TLSPLUG_BACKEND_FOUND);
	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_ENVIRONMENT,
	              "TLSPLUG_BACKEND");
	assert_state(r, "other", TLSPLUG_BACKEND_OK);
	assert_state(r, "fake", TLSPLUG_BACKEND_FOUND);
	assert_state(r, "twin", TLSPLUG_BACKEND_FOUND);
	assert_state(r, "badmajor", TLSPLUG_BACKEND_FOUND);

	expect_choice(r, "twin", "twin", TLSPLUG_CHOSEN_EXPLICIT, "explicit");
	assert_state(r, "fake", TLSPLUG_BACKEND_FOUND);
	assert_state(r, "badmajor", TLSPLUG_BACKEND_FOUND);
	ck_assert_ptr_nonnull(tlsplug_registry_find(r, "fake"));
	assert_state(r, "badmajor", TLSPLUG_BACKEND_FOUND);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_config_diagnostics_fail_choice)
{
	char *user = user_conf("[default]\nbackend = fake\ncolour = blue\n");
	char *want = rt_fmt("%s:3: unknown key 'colour'", user);
	struct tlsplug_registry *r = rt_registry(NULL, NULL);

	ck_assert_uint_eq(tlsplug_registry_diagnostic_count(r), 1);
	ck_assert_str_eq(tlsplug_registry_diagnostic(r, 0), want);
	ck_assert_ptr_null(tlsplug_registry_diagnostic(r, 1));
	expect_failure(r, NULL, TLSPLUG_ERR_CONFIG_FILE, want);
	/* Choices that do not depend on config files still work. */
	expect_choice(r, "twin", "twin", TLSPLUG_CHOSEN_EXPLICIT, "explicit");
	tlsplug_registry_free(r);
	setenv("TLSPLUG_BACKEND", "other", 1);
	r = rt_registry(NULL, NULL);
	expect_choice(r, NULL, "other", TLSPLUG_CHOSEN_ENVIRONMENT,
	              "TLSPLUG_BACKEND");
	tlsplug_registry_free(r);
	free(want);
	free(user);
}
END_TEST

START_TEST(test_system_diagnostics_come_first)
{
	char *sys = system_conf("[default\n");
	char *user = user_conf("[default]\nbogus\n");
	char *first = rt_fmt("%s:1: unterminated section header", sys);
	char *second = rt_fmt("%s:2: expected 'key = value' or '[section]'",
	                      user);
	char *want = rt_fmt("%s (and 1 more problems)", first);
	struct tlsplug_registry *r = rt_registry(NULL, sys);

	ck_assert_uint_eq(tlsplug_registry_diagnostic_count(r), 2);
	ck_assert_str_eq(tlsplug_registry_diagnostic(r, 0), first);
	ck_assert_str_eq(tlsplug_registry_diagnostic(r, 1), second);
	expect_failure(r, NULL, TLSPLUG_ERR_CONFIG_FILE, want);
	tlsplug_registry_free(r);
	free(want);
	free(second);
	free(first);
	free(user);
	free(sys);
}
END_TEST

START_TEST(test_tlsplug_conf_missing_file)
{
	char *path = rt_fmt("%s/absent.conf", confdir);
	char *want = rt_fmt("%s: cannot read: No such file or directory",
	                    path);
	struct tlsplug_registry *r;

	setenv("TLSPLUG_CONF", path, 1);
	r = rt_registry(NULL, NULL);
	expect_failure(r, NULL, TLSPLUG_ERR_CONFIG_FILE, want);
	tlsplug_registry_free(r);
	free(want);
	free(path);
}
END_TEST

START_TEST(test_plugin_path)
{
	char *extra = rt_tmpdir(), *more = rt_tmpdir();
	char *text = rt_fmt("[default]\nplugin_path = %s\n", extra);
	char *systext = rt_fmt("[default]\nplugin_path = %s:%s\n", more, dir);
	char *sys = system_conf(systext);
	char *user = user_conf(text);
	char *envpath = rt_fmt("%s::%s", dir, dir);
	struct tlsplug_registry *r;

	/* TLSPLUG_PLUGIN_PATH replaces the built-in directory; config files
	 * add theirs (system, then user), without duplicates. */
	setenv("TLSPLUG_PLUGIN_PATH", envpath, 1);
	r = rt_registry(NULL, sys);
	ck_assert_uint_eq(tlsplug_registry_dir_count(r), 3);
	ck_assert_str_eq(tlsplug_registry_dir(r, 0), dir);
	ck_assert_str_eq(tlsplug_registry_dir(r, 1), more);
	ck_assert_str_eq(tlsplug_registry_dir(r, 2), extra);
	ck_assert_ptr_null(tlsplug_registry_dir(r, 3));
	tlsplug_registry_free(r);

	/* A plugin only in a config-added directory is found. */
	free(rt_add_mock(extra, "future"));
	r = rt_registry(NULL, sys);
	ck_assert_ptr_nonnull(tlsplug_registry_find(r, "future"));
	tlsplug_registry_free(r);

	unsetenv("TLSPLUG_PLUGIN_PATH");
	r = rt_registry(NULL, NULL);
	ck_assert_str_eq(tlsplug_registry_dir(r, 0), TLSPLUG_BACKENDDIR);
	ck_assert_str_eq(tlsplug_registry_dir(r, 1), extra);
	tlsplug_registry_free(r);
	free(envpath);
	free(user);
	free(sys);
	free(systext);
	free(text);
	free(more);
	free(extra);
}
END_TEST

START_TEST(test_missing_names)
{
	char *sys = system_conf("[default]\nbackend = gone, fake\n");
	struct tlsplug_registry *r;

	free(user_conf("[default]\nbackend = lost, nosuch\n"));
	setenv("TLSPLUG_BACKEND", "nosuch, other, badmajor", 1);
	r = rt_registry(NULL, sys);
	ck_assert_uint_eq(tlsplug_registry_missing_count(r), 4);
	ck_assert_str_eq(tlsplug_registry_missing(r, 0), "nosuch");
	ck_assert_str_eq(tlsplug_registry_missing(r, 1), "badmajor");
	ck_assert_str_eq(tlsplug_registry_missing(r, 2), "lost");
	ck_assert_str_eq(tlsplug_registry_missing(r, 3), "gone");
	ck_assert_ptr_null(tlsplug_registry_missing(r, 4));
	tlsplug_registry_free(r);
	free(sys);
}
END_TEST

START_TEST(test_find)
{
	struct tlsplug_registry *r = rt_registry(NULL, NULL);

	ck_assert_ptr_null(tlsplug_registry_error(r));
	ck_assert_ptr_null(tlsplug_registry_find(r, "nosuch"));
	ck_assert_int_eq(tlsplug_error_code(tlsplug_registry_error(r)),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_ptr_null(tlsplug_registry_find(r, "Bad Name"));
	ck_assert_ptr_nonnull(tlsplug_registry_find(r, "fake"));
	ck_assert_ptr_null(tlsplug_registry_error(r));
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_nothing_usable)
{
	char *empty = rt_tmpdir();
	char *want = rt_fmt("no usable backend plugin found in %s:/nonexistent "
	                    "(1 rejected)", empty);
	struct tlsplug_registry *r;
	char *path = rt_fmt("%s:/nonexistent", empty);

	free(rt_add_mock(empty, "nosymbol"));
	setenv("TLSPLUG_PLUGIN_PATH", path, 1);
	r = rt_registry(NULL, NULL);
	expect_failure(r, NULL, TLSPLUG_ERR_PLUGIN, want);
	tlsplug_registry_free(r);
	free(path);
	free(want);
	free(empty);
}
END_TEST

START_TEST(test_default_registry_and_app_name)
{
	char *user = user_conf("[default]\nbackend = fake\n"
	                       "[myprog]\nbackend = twin\n");
	struct tlsplug_registry *r;
	const struct tlsplug_backend *b = NULL;

	ck_assert_int_eq(tlsplug_set_app_name("other-name"), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_set_app_name("myprog"), TLSPLUG_OK);
	r = tlsplug_registry_default();
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(tlsplug_registry_default(), r);
	ck_assert_int_eq(tlsplug_set_app_name("late"), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_registry_choose(r, NULL, &b, NULL, NULL),
	                 TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_backend_name(b), "twin");
	free(user);
}
END_TEST

START_TEST(test_capability_names)
{
	const char *seen[64] = { 0 };
	size_t n = 0;

	for (uint64_t bit = 1; bit != 0 && bit <= TLSPLUG_CAP_LAST;
	     bit <<= 1) {
		const char *name = tlsplug_capability_name(bit);

		ck_assert_msg(name != NULL, "no name for bit %#llx",
		              (unsigned long long)bit);
		for (size_t i = 0; i < n; i++)
			ck_assert_str_ne(seen[i], name);
		seen[n++] = name;
	}
	ck_assert_str_eq(tlsplug_capability_name(TLSPLUG_CAP_CLIENT), "client");
	ck_assert_str_eq(tlsplug_capability_name(TLSPLUG_CAP_SNI_CALLBACK),
	                 "sni_callback");
	ck_assert_str_eq(tlsplug_capability_name(TLSPLUG_CAP_TLS1_3), "tls1_3");
	ck_assert_ptr_null(tlsplug_capability_name(0));
	ck_assert_ptr_null(tlsplug_capability_name(TLSPLUG_CAP_CLIENT |
	                                           TLSPLUG_CAP_SERVER));
	ck_assert_ptr_null(tlsplug_capability_name(TLSPLUG_CAP_LAST << 1));
}
END_TEST

START_TEST(test_null_safety)
{
	unsigned major = 7, minor = 7;

	tlsplug_registry_free(NULL);
	tlsplug_registry_load_all(NULL);
	ck_assert_uint_eq(tlsplug_registry_count(NULL), 0);
	ck_assert_ptr_null(tlsplug_registry_get(NULL, 0));
	ck_assert_ptr_null(tlsplug_registry_find(NULL, "fake"));
	ck_assert_ptr_null(tlsplug_registry_error(NULL));
	ck_assert_uint_eq(tlsplug_registry_missing_count(NULL), 0);
	ck_assert_ptr_null(tlsplug_backend_name(NULL));
	ck_assert_ptr_null(tlsplug_backend_engine_version(NULL));
	ck_assert_uint_eq(tlsplug_backend_caps(NULL), 0);
	tlsplug_backend_abi_version(NULL, &major, &minor);
	ck_assert_uint_eq(major, 0);
	ck_assert_int_eq(tlsplug_registry_choose(NULL, NULL, NULL, NULL, NULL),
	                 TLSPLUG_ERR_INVALID);
}
END_TEST

static Suite *
select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("precedence");

	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_explicit_wins);
	tcase_add_test(tc, test_environment_beats_config);
	tcase_add_test(tc, test_environment_list);
	tcase_add_test(tc, test_user_config_beats_system);
	tcase_add_test(tc, test_system_config);
	tcase_add_test(tc, test_xdg_config_home);
	tcase_add_test(tc, test_home_config);
	tcase_add_test(tc, test_app_section);
	tcase_add_test(tc, test_builtin_order);
	tcase_add_test(tc, test_builtin_priority_not_discovery_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_not_found_is_an_error);
	tcase_add_test(tc, test_rejected_name_says_why);
	tcase_add_test(tc, test_config_name_not_found);
	tcase_add_test(tc, test_config_diagnostics_fail_choice);
	tcase_add_test(tc, test_system_diagnostics_come_first);
	tcase_add_test(tc, test_tlsplug_conf_missing_file);
	tcase_add_test(tc, test_nothing_usable);
	suite_add_tcase(s, tc);

	tc = tcase_create("registry");
	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_naming_opens_one_plugin);
	tcase_add_test(tc, test_plugin_path);
	tcase_add_test(tc, test_missing_names);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_default_registry_and_app_name);
	tcase_add_test(tc, test_capability_names);
	tcase_add_test(tc, test_null_safety);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(select_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
