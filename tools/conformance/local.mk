# The backend conformance suite and the interop matrix: compiled once,
# linked into the CLI (tlsplug check-backend) and the Check runners
# (tests/conformance.mk).
noinst_LTLIBRARIES += tools/conformance/libtlsplug-conformance.la
tools_conformance_libtlsplug_conformance_la_SOURCES = \
	tools/conformance/conformance.h \
	tools/conformance/util.c \
	tools/conformance/pump.c \
	tools/conformance/scenario.c \
	tools/conformance/certs.c \
	tools/conformance/cases_handshake.c \
	tools/conformance/cases_verify.c \
	tools/conformance/cases_keys.c \
	tools/conformance/cases_sni.c \
	tools/conformance/cases_data.c \
	tools/conformance/table.c

# Makes the certificates the suite needs; installed so that an installed
# `tlsplug check-backend` finds it.
dist_pkglibexec_SCRIPTS = tools/tlsplug-gen-test-certs
