bin_PROGRAMS += tools/tlsplug
tools_tlsplug_SOURCES = \
	tools/tlsplug.c tools/commands.h tools/cli_util.c \
	tools/cmd_list.c tools/probe.c tools/probe.h \
	tools/cmd_info.c tools/cmd_which.c \
	tools/cmd_connect.c tools/cmd_serve.c \
	tools/tlsopts.c tools/tlsopts.h tools/serve_sni.c tools/serve_sni.h \
	tools/keyopts.c tools/keyopts.h \
	tools/revopts.c tools/revopts.h \
	tools/policy_print.c tools/policy_print.h \
	tools/serve_http.c tools/serve_http.h \
	tools/serve_loop.c tools/serve_loop.h \
	tools/identopts.c tools/identopts.h \
	tools/cmd_check_backend.c tools/cmd_bench.c
tools_tlsplug_LDADD = conformance/libtlsplug-conformance.la \
	libtlsplug.la
# check-backend runs the installed certificate generator.
tools_tlsplug_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTLSPLUG_GEN_CERTS='"$(pkglibexecdir)/tlsplug-gen-test-certs"'
EXTRA_DIST += tools/quickstart
