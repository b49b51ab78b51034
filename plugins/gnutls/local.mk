if BUILD_GNUTLS
backend_LTLIBRARIES += plugins/gnutls/tlsplug-gnutls.la
plugins_gnutls_tlsplug_gnutls_la_SOURCES = \
	plugins/gnutls/plugin.h \
	plugins/gnutls/gnutls.c \
	plugins/gnutls/context.c \
	plugins/gnutls/priority.c \
	plugins/gnutls/load.c \
	plugins/gnutls/hello.c \
	plugins/gnutls/verify.c \
	plugins/gnutls/conn.c \
	plugins/gnutls/keys.c \
	plugins/gnutls/groups.c \
	plugins/gnutls/session.c \
	plugins/gnutls/revocation.c \
	plugins/gnutls/policy.c \
	plugins/gnutls/fuzzing.c
plugins_gnutls_tlsplug_gnutls_la_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS)
plugins_gnutls_tlsplug_gnutls_la_LIBADD = $(GNUTLS_LIBS)
plugins_gnutls_tlsplug_gnutls_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^tlsplug_backend_v[0-9]+$$'
endif
EXTRA_DIST += plugins/gnutls/plugin.h plugins/gnutls/gnutls.c \
	plugins/gnutls/context.c plugins/gnutls/priority.c \
	plugins/gnutls/load.c plugins/gnutls/hello.c \
	plugins/gnutls/verify.c plugins/gnutls/conn.c \
	plugins/gnutls/keys.c plugins/gnutls/groups.c \
	plugins/gnutls/session.c \
	plugins/gnutls/revocation.c plugins/gnutls/policy.c \
	plugins/gnutls/fuzzing.c
if BUILD_GNUTLS
TEST_PLUGIN_PATH += $(abs_top_builddir)/plugins/gnutls/.libs
TEST_BACKENDS += $(abs_top_builddir)/plugins/gnutls/.libs/tlsplug-gnutls.so
endif
