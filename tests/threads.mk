# tests/threads.mk -- the thread stress test (check_threads): many
# threads sharing configs, contexts, trust stores, session caches and the
# default registry, on every built backend.  It links the public library,
# as an application does; conformance/certs.c makes its certificates.
# tools/test-all builds it alone under ThreadSanitizer (_build/tsan) and
# runs it with tests/tsan.supp.
if HAVE_CHECK
check_PROGRAMS += tests/check_threads
TESTS += tests/check_threads
tests_check_threads_SOURCES = tests/check_threads.c \
	tests/conf_runner.c tests/conf_runner.h conformance/certs.c
tests_check_threads_CPPFLAGS = $(AM_CPPFLAGS)
tests_check_threads_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_check_threads_LDADD = libtlsplug.la $(CHECK_LIBS) -lpthread
endif
EXTRA_DIST += tests/tsan.supp
