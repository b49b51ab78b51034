if BUILD_OPENSSL
backend_LTLIBRARIES += plugins/openssl/tlsplug-openssl.la
plugins_openssl_tlsplug_openssl_la_SOURCES = \
	plugins/openssl/ossl.h \
	plugins/openssl/openssl.c \
	plugins/openssl/ossl_ctx.c \
	plugins/openssl/ossl_load.c \
	plugins/openssl/ossl_sni.c \
	plugins/openssl/ossl_verify.c \
	plugins/openssl/ossl_conn.c
plugins_openssl_tlsplug_openssl_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
plugins_openssl_tlsplug_openssl_la_LIBADD = $(OPENSSL_LIBS)
plugins_openssl_tlsplug_openssl_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^tlsplug_backend_v[0-9]+$$'
endif
EXTRA_DIST += plugins/openssl/ossl.h plugins/openssl/openssl.c \
	plugins/openssl/ossl_ctx.c plugins/openssl/ossl_load.c \
	plugins/openssl/ossl_sni.c plugins/openssl/ossl_verify.c \
	plugins/openssl/ossl_conn.c
if BUILD_OPENSSL
TEST_PLUGIN_PATH += $(abs_top_builddir)/plugins/openssl/.libs
TEST_BACKENDS += $(abs_top_builddir)/plugins/openssl/.libs/tlsplug-openssl.so
endif
