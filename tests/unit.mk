# tests/unit.mk -- Check unit tests of the core's objects.  They link the
# core's convenience library, so they can reach internal functions.
if HAVE_CHECK
UNIT_TESTS = \
	tests/check_error \
	tests/check_cipher \
	tests/check_hostname \
	tests/check_buffer \
	tests/check_handles \
	tests/check_config \
	tests/check_conn \
	tests/check_keylog \
	tests/check_exporter \
	tests/check_x509 \
	tests/check_session \
	tests/check_policy
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = core/libtlsplug-core.la $(CHECK_LIBS)

tests_check_error_SOURCES = tests/check_error.c
tests_check_error_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_error_CFLAGS = $(UNIT_CFLAGS)
tests_check_error_LDADD = $(UNIT_LDADD)

tests_check_cipher_SOURCES = tests/check_cipher.c
tests_check_cipher_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_cipher_CFLAGS = $(UNIT_CFLAGS)
tests_check_cipher_LDADD = $(UNIT_LDADD)

tests_check_hostname_SOURCES = tests/check_hostname.c
tests_check_hostname_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_hostname_CFLAGS = $(UNIT_CFLAGS)
tests_check_hostname_LDADD = $(UNIT_LDADD)

tests_check_buffer_SOURCES = tests/check_buffer.c
tests_check_buffer_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_buffer_CFLAGS = $(UNIT_CFLAGS)
tests_check_buffer_LDADD = $(UNIT_LDADD)

tests_check_handles_SOURCES = tests/check_handles.c
tests_check_handles_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_handles_CFLAGS = $(UNIT_CFLAGS)
tests_check_handles_LDADD = $(UNIT_LDADD)

tests_check_session_SOURCES = tests/check_session.c
tests_check_session_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_session_CFLAGS = $(UNIT_CFLAGS) -pthread
tests_check_session_LDADD = $(UNIT_LDADD) -lpthread

tests_check_config_SOURCES = tests/check_config.c
tests_check_config_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_config_CFLAGS = $(UNIT_CFLAGS)
tests_check_config_LDADD = $(UNIT_LDADD)

tests_check_conn_SOURCES = tests/check_conn.c \
	tests/conn_testlib.c tests/conn_testlib.h
tests_check_conn_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_conn_CFLAGS = $(UNIT_CFLAGS)
tests_check_conn_LDADD = $(UNIT_LDADD)
tests_check_keylog_SOURCES = tests/check_keylog.c \
	tests/conn_testlib.c tests/conn_testlib.h
tests_check_keylog_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_keylog_CFLAGS = $(UNIT_CFLAGS)
tests_check_keylog_LDADD = $(UNIT_LDADD)

tests_check_exporter_SOURCES = tests/check_exporter.c \
	tests/conn_testlib.c tests/conn_testlib.h
tests_check_exporter_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_exporter_CFLAGS = $(UNIT_CFLAGS)
tests_check_exporter_LDADD = $(UNIT_LDADD)

tests_check_x509_SOURCES = tests/check_x509.c
tests_check_x509_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_x509_CFLAGS = $(UNIT_CFLAGS)
tests_check_x509_LDADD = $(UNIT_LDADD)
tests_check_policy_SOURCES = tests/check_policy.c
tests_check_policy_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_policy_CFLAGS = $(UNIT_CFLAGS)
tests_check_policy_LDADD = $(UNIT_LDADD)
endif
# Certificates for check_x509 (and the fuzzing seeds).
EXTRA_DIST += tests/gen-x509-certs.sh

# Configured with --disable-unit-tests: every Check program above (and in
# the other fragments) is left out.  make check says so twice: a skipped
# test in its summary, and a banner at the end.
if !HAVE_CHECK
TESTS += tests/unit-tests-disabled.sh
check-local: check-TESTS
	@echo "======================================================================"
	@echo "WARNING: the unit tests are DISABLED (configure --disable-unit-tests)."
	@echo "No Check program was built or run: this make check tested only part"
	@echo "of tlsplug.  Install Check (tools/install-deps) and configure again."
	@echo "======================================================================"
endif
dist_check_SCRIPTS += tests/unit-tests-disabled.sh
