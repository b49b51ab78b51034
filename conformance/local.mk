# The backend conformance suite and the interop matrix: compiled once,
# linked into the CLI (tlsplug check-backend) and the Check runners
# (tests/conformance.mk).
noinst_LTLIBRARIES += conformance/libtlsplug-conformance.la
conformance_libtlsplug_conformance_la_SOURCES = \
	conformance/conformance.h \
	conformance/util.c \
	conformance/pump.c \
	conformance/scenario.c \
	conformance/certs.c \
	conformance/child.c \
	conformance/cases_handshake.c \
	conformance/cases_verify.c \
	conformance/cases_keys.c \
	conformance/cases_sni.c \
	conformance/cases_data.c \
	conformance/cases_order.c \
	conformance/cases_secrets.c \
	conformance/cases_groups.c \
	conformance/cases_identity.c \
	conformance/cases_session.c \
	conformance/cases_session_abuse.c \
	conformance/session.h \
	conformance/wire.c \
	conformance/wire.h \
	conformance/cases_revocation.c \
	conformance/table.c

# Makes the certificates the suite needs; installed so that an installed
# `tlsplug check-backend` finds it.
dist_pkglibexec_SCRIPTS = tools/tlsplug-gen-test-certs
