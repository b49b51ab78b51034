if BUILD_WOLFSSL
backend_LTLIBRARIES += plugins/wolfssl/tlsplug-wolfssl.la
plugins_wolfssl_tlsplug_wolfssl_la_SOURCES = \
	plugins/wolfssl/plugin.h \
	plugins/wolfssl/wolfssl.c \
	plugins/wolfssl/context.c \
	plugins/wolfssl/ciphers.c \
	plugins/wolfssl/load.c \
	plugins/wolfssl/hello.c \
	plugins/wolfssl/verify.c \
	plugins/wolfssl/groups.c \
	plugins/wolfssl/keys.c \
	plugins/wolfssl/conn.c \
	plugins/wolfssl/session.c \
	plugins/wolfssl/sesscache.c \
	plugins/wolfssl/revocation.c
plugins_wolfssl_tlsplug_wolfssl_la_CFLAGS = $(AM_CFLAGS) $(WOLFSSL_CFLAGS)
plugins_wolfssl_tlsplug_wolfssl_la_LIBADD = $(WOLFSSL_LIBS)
plugins_wolfssl_tlsplug_wolfssl_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^tlsplug_backend_v[0-9]+$$'
endif
EXTRA_DIST += plugins/wolfssl/plugin.h plugins/wolfssl/wolfssl.c \
	plugins/wolfssl/context.c plugins/wolfssl/ciphers.c \
	plugins/wolfssl/load.c plugins/wolfssl/hello.c \
	plugins/wolfssl/verify.c plugins/wolfssl/groups.c \
	plugins/wolfssl/keys.c plugins/wolfssl/conn.c \
	plugins/wolfssl/session.c plugins/wolfssl/sesscache.c \
	plugins/wolfssl/revocation.c
if BUILD_WOLFSSL
TEST_PLUGIN_PATH += $(abs_top_builddir)/plugins/wolfssl/.libs
TEST_BACKENDS += $(abs_top_builddir)/plugins/wolfssl/.libs/tlsplug-wolfssl.so
endif
