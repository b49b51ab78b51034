# tests/interop.mk -- the socket wrapper and `tlsplug connect` / `serve`
# against each other and against real peers (openssl, gnutls-serv,
# gnutls-cli, curl), on loopback, every run bounded in time.
if HAVE_CHECK
check_PROGRAMS += tests/check_socket
TESTS += tests/check_socket
tests_check_socket_SOURCES = tests/check_socket.c \
	tests/socket_testlib.c tests/socket_testlib.h
tests_check_socket_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_check_socket_LDADD = libtlsplug.la $(CHECK_LIBS) -lpthread
check_PROGRAMS += tests/check_close
TESTS += tests/check_close
tests_check_close_SOURCES = tests/check_close.c \
	tests/socket_testlib.c tests/socket_testlib.h
tests_check_close_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_check_close_LDADD = libtlsplug.la $(CHECK_LIBS) -lpthread
endif

INTEROP_TESTS = \
	tests/interop-tlsplug.sh \
	tests/interop-connect-openssl.sh \
	tests/interop-connect-gnutls.sh \
	tests/interop-serve-openssl.sh \
	tests/interop-serve-gnutls.sh \
	tests/interop-serve-curl.sh \
	tests/interop-serve-limits.sh \
	tests/interop-keys.sh \
	tests/interop-keylog.sh \
	tests/interop-sessions.sh \
	tests/interop-ocsp.sh \
	tests/interop-policy.sh
TESTS += $(INTEROP_TESTS)
dist_check_SCRIPTS += $(INTEROP_TESTS)
EXTRA_DIST += tests/interop-lib.sh

# A short soak of `tlsplug serve` with good and hostile clients at once
# (tools/soak; TLSPLUG_SOAK_SECONDS, default 20, across the backends).
TESTS += tests/soak.sh
dist_check_SCRIPTS += tests/soak.sh
EXTRA_DIST += tools/soak tools/soak-client
