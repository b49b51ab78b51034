# tests/identity.mk -- the core's identity settings (pins, verify callback,
# client-certificate mode) and the real-peer tests of --pin, --peer-chain
# and --request-client-cert.
if HAVE_CHECK
check_PROGRAMS += tests/check_identity
TESTS += tests/check_identity
tests_check_identity_SOURCES = tests/check_identity.c
tests_check_identity_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_identity_CFLAGS = $(UNIT_CFLAGS)
tests_check_identity_LDADD = $(UNIT_LDADD)
endif

TESTS += tests/interop-identity.sh
dist_check_SCRIPTS += tests/interop-identity.sh
