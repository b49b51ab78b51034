/*
 * registry_testlib.h -- helpers shared by the registry tests: temporary
 * plugin directories holding copies of the mock plugins, files, and a
 * clean environment.
 */
#ifndef TLSPLUG_TESTS_REGISTRY_TESTLIB_H
#define TLSPLUG_TESTS_REGISTRY_TESTLIB_H

#include <stddef.h>

#include <tlsplug/tlsplug.h>

/* Every mock plugin tests/mock/ builds (tlsplug-NAME.so), and notelf
 * (a text file). */
extern const char *const rt_all_mocks[];
extern const size_t rt_nall_mocks;

/* Unsets TLSPLUG_BACKEND, TLSPLUG_PLUGIN_PATH, XDG_CONFIG_HOME and
 * TLSPLUG_MOCK_LOG, and points TLSPLUG_CONF at /dev/null, so no file of
 * the machine or the user takes part. */
void rt_clean_env(void);

/* Unchecked fixture (runs in the test runner, not the forked test):
 * makes a base directory and points TMPDIR at it; the teardown removes it
 * with everything the tests left, even after a failed test. */
void rt_base_setup(void);
void rt_base_teardown(void);

/* A new empty directory (mode 0700) under TMPDIR, resolved (no
 * symlinks); free() it. */
char *rt_tmpdir(void);
/* A new directory `name` inside dir; free() the path. */
char *rt_subdir(const char *dir, const char *name);

/* Copies mock NAME into dir as tlsplug-NAME.so (mode 0755); returns the
 * new path (free() it). */
char *rt_add_mock(const char *dir, const char *name);
/* Copies the mocks in the NULL-terminated list. */
void rt_add_mocks(const char *dir, const char *const *names);
/* Writes text to dir/name; returns the path (free() it). */
char *rt_write(const char *dir, const char *name, const char *text);
/* printf into a new string (free() it). */
char *rt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A registry as tlsplug_registry_new() makes, with the system config
 * file at sysconf (NULL: none).  Fails the test on error. */
struct tlsplug_registry *rt_registry(const char *app, const char *sysconf);
/* The record whose path ends in /tlsplug-NAME.so, or NULL. */
const struct tlsplug_backend *rt_record(const struct tlsplug_registry *r,
                                        const char *name);

#endif /* TLSPLUG_TESTS_REGISTRY_TESTLIB_H */
