if BUILD_OPENSSL
backend_LTLIBRARIES += plugins/openssl/tlsplug-openssl.la
plugins_openssl_tlsplug_openssl_la_SOURCES = \
	plugins/openssl/plugin.h \
	plugins/openssl/openssl.c \
	plugins/openssl/context.c \
	plugins/openssl/ciphers.c \
	plugins/openssl/load.c \
	plugins/openssl/hello.c \
	plugins/openssl/verify.c \
	plugins/openssl/conn.c \
	plugins/openssl/keys.c \
	plugins/openssl/groups.c \
	plugins/openssl/session.c \
	plugins/openssl/revocation.c \
	plugins/openssl/policy.c \
	plugins/openssl/fuzzing.c
plugins_openssl_tlsplug_openssl_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
plugins_openssl_tlsplug_openssl_la_LIBADD = $(OPENSSL_LIBS)
plugins_openssl_tlsplug_openssl_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^tlsplug_backend_v[0-9]+$$'
endif
EXTRA_DIST += plugins/openssl/plugin.h plugins/openssl/openssl.c \
	plugins/openssl/context.c plugins/openssl/ciphers.c \
	plugins/openssl/load.c plugins/openssl/hello.c \
	plugins/openssl/verify.c plugins/openssl/conn.c \
	plugins/openssl/keys.c plugins/openssl/groups.c \
	plugins/openssl/session.c \
	plugins/openssl/revocation.c plugins/openssl/policy.c \
	plugins/openssl/fuzzing.c
if BUILD_OPENSSL
TEST_PLUGIN_PATH += $(abs_top_builddir)/plugins/openssl/.libs
TEST_BACKENDS += $(abs_top_builddir)/plugins/openssl/.libs/tlsplug-openssl.so
endif
