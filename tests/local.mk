# Each test area keeps its own fragment.
# The plugins are loaded from the build tree, and tlsplug refuses plugins
# whose file or directory is group-writable (as a umask of 002 makes them).
# Check's run filters are cleared: a CK_RUN_CASE left in the environment
# would make the Check programs run a part of their tests (or none).  A
# filter is asked for on purpose, for one command, as
#   make check TESTS=tests/check_conformance TLSPLUG_CK_RUN_CASE=openssl
# (TLSPLUG_CK_RUN_SUITE likewise); tools/test-all never passes one.
AM_TESTS_ENVIRONMENT = \
	chmod go-w $(TEST_PLUGIN_PATH) $(TEST_BACKENDS) 2>/dev/null; \
	chmod go-w $(EXTRA_TEST_PLUGIN_PATH) $(EXTRA_TEST_BACKENDS) 2>/dev/null; \
	unset CK_RUN_SUITE CK_RUN_CASE CK_EXCLUDE_SUITE CK_EXCLUDE_CASE \
		CK_INCLUDE_TAGS CK_EXCLUDE_TAGS; \
	if test -n '$(TLSPLUG_CK_RUN_SUITE)'; then \
		CK_RUN_SUITE='$(TLSPLUG_CK_RUN_SUITE)'; export CK_RUN_SUITE; \
		echo "note: only Check suite $$CK_RUN_SUITE (TLSPLUG_CK_RUN_SUITE)" >&2; \
	fi; \
	if test -n '$(TLSPLUG_CK_RUN_CASE)'; then \
		CK_RUN_CASE='$(TLSPLUG_CK_RUN_CASE)'; export CK_RUN_CASE; \
		echo "note: only Check case $$CK_RUN_CASE (TLSPLUG_CK_RUN_CASE)" >&2; \
	fi; \
	LC_ALL=C; export LC_ALL; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	TLSPLUG_TEST_BACKENDS='$(TEST_BACKENDS) $(EXTRA_TEST_BACKENDS)'; export TLSPLUG_TEST_BACKENDS; \
	TLSPLUG_TEST_PLUGIN_PATH='$(TEST_PLUGIN_PATH) $(EXTRA_TEST_PLUGIN_PATH)'; export TLSPLUG_TEST_PLUGIN_PATH; \
	OPENSSL_BIN='$(OPENSSL_BIN)'; export OPENSSL_BIN; \
	TLSPLUG_TEST_SYSCONFDIR='$(sysconfdir)'; export TLSPLUG_TEST_SYSCONFDIR; \
	OBJDUMP='$(OBJDUMP)'; export OBJDUMP; \
	ASAN_OPTIONS="$${ASAN_OPTIONS:+$$ASAN_OPTIONS:}intercept_tls_get_addr=0"; \
	export ASAN_OPTIONS;
# intercept_tls_get_addr=0: with engines dlopen()ed, LeakSanitizer in GCC 12
# can crash or hang at exit on their thread-local storage (a known sanitizer
# runtime bug); leak checking itself still works.
EXTRA_DIST += tests/ck_run.h tests/unpriv.h
include $(srcdir)/tests/unit.mk
include $(srcdir)/tests/exports.mk
include $(srcdir)/tests/registry.mk
include $(srcdir)/tests/cli.mk
include $(srcdir)/tests/conformance.mk
include $(srcdir)/tests/bench.mk
include $(srcdir)/tests/interop.mk
include $(srcdir)/tests/robust.mk
include $(srcdir)/tests/identity.mk
include $(srcdir)/tests/threads.mk
