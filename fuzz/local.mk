# fuzz/local.mk -- libFuzzer targets, built when configured with
# --enable-fuzzing CC=clang (the core is then instrumented too; see
# configure.ac).  tools/fuzz builds and runs them with the seed corpora in
# fuzz/corpus/<target>/ (remade by tools/fuzz-seeds) and the dictionaries
# fuzz/<target>.dict.
if ENABLE_FUZZING
FUZZ_TARGETS = fuzz/fuzz_x509 fuzz/fuzz_pem fuzz/fuzz_session \
	fuzz/fuzz_conffile fuzz/fuzz_hostname
noinst_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_CPPFLAGS_ALL = $(AM_CPPFLAGS) -I$(top_srcdir)/core
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer

fuzz_fuzz_x509_SOURCES = fuzz/fuzz_x509.c
fuzz_fuzz_x509_CPPFLAGS = $(FUZZ_CPPFLAGS_ALL)
fuzz_fuzz_x509_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_x509_LDADD = core/libtlsplug-core.la

fuzz_fuzz_pem_SOURCES = fuzz/fuzz_pem.c
fuzz_fuzz_pem_CPPFLAGS = $(FUZZ_CPPFLAGS_ALL)
fuzz_fuzz_pem_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_pem_LDADD = core/libtlsplug-core.la

fuzz_fuzz_session_SOURCES = fuzz/fuzz_session.c
fuzz_fuzz_session_CPPFLAGS = $(FUZZ_CPPFLAGS_ALL)
fuzz_fuzz_session_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_session_LDADD = core/libtlsplug-core.la

fuzz_fuzz_conffile_SOURCES = fuzz/fuzz_conffile.c
fuzz_fuzz_conffile_CPPFLAGS = $(FUZZ_CPPFLAGS_ALL)
fuzz_fuzz_conffile_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_conffile_LDADD = core/libtlsplug-core.la

fuzz_fuzz_hostname_SOURCES = fuzz/fuzz_hostname.c
fuzz_fuzz_hostname_CPPFLAGS = $(FUZZ_CPPFLAGS_ALL)
fuzz_fuzz_hostname_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_hostname_LDADD = core/libtlsplug-core.la

# Backend targets: network bytes into one engine's client or server
# (fuzz_backend.c, built once per engine and role), and fuzz-record, which
# records their seeds.  Both take the plugins from this build tree, the
# certificates from fuzz/certs/, and export the fixed clock and random
# stream of fixed.c to the engines.
FUZZ_BE_CPP = $(FUZZ_CPPFLAGS_ALL) \
	-DFUZZ_CERTS_DIR='"$(abs_top_srcdir)/fuzz/certs"' \
	-DFUZZ_PLUGIN_PATH='"$(abs_top_builddir)/plugins/openssl/.libs:$(abs_top_builddir)/plugins/gnutls/.libs:$(abs_top_builddir)/plugins/wolfssl/.libs"'
FUZZ_EXPORT_FIXED = -Wl,--export-dynamic-symbol=time \
	-Wl,--export-dynamic-symbol=tlsplug_fuzz_random \
	-Wl,--export-dynamic-symbol=wc_GenerateSeed \
	-Wl,--export-dynamic-symbol=getrandom \
	-Wl,--export-dynamic-symbol=tlsplug_fuzz_gettime
FUZZ_BE_SRC = fuzz/fuzz_backend.c fuzz/backend.c fuzz/backend.h \
	fuzz/fixed.c fuzz/fixed.h
FUZZ_BE_LINK = $(FUZZ_LINK_FLAGS) $(FUZZ_EXPORT_FIXED)

noinst_PROGRAMS += fuzz/fuzz-record
fuzz_fuzz_record_SOURCES = fuzz/record.c fuzz/backend.c fuzz/backend.h \
	fuzz/fixed.c fuzz/fixed.h
fuzz_fuzz_record_CPPFLAGS = $(FUZZ_BE_CPP)
fuzz_fuzz_record_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_EXPORT_FIXED)
fuzz_fuzz_record_LDADD = core/libtlsplug-core.la

if BUILD_OPENSSL
FUZZ_TARGETS += fuzz/fuzz_openssl_client fuzz/fuzz_openssl_server
fuzz_fuzz_openssl_client_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_openssl_client_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"openssl"' -DFUZZ_SERVER=0
fuzz_fuzz_openssl_client_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_openssl_client_LDADD = core/libtlsplug-core.la
fuzz_fuzz_openssl_server_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_openssl_server_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"openssl"' -DFUZZ_SERVER=1
fuzz_fuzz_openssl_server_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_openssl_server_LDADD = core/libtlsplug-core.la
endif
if BUILD_GNUTLS
FUZZ_TARGETS += fuzz/fuzz_gnutls_client fuzz/fuzz_gnutls_server
fuzz_fuzz_gnutls_client_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_gnutls_client_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"gnutls"' -DFUZZ_SERVER=0
fuzz_fuzz_gnutls_client_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_gnutls_client_LDADD = core/libtlsplug-core.la
fuzz_fuzz_gnutls_server_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_gnutls_server_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"gnutls"' -DFUZZ_SERVER=1
fuzz_fuzz_gnutls_server_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_gnutls_server_LDADD = core/libtlsplug-core.la
endif
if BUILD_WOLFSSL
FUZZ_TARGETS += fuzz/fuzz_wolfssl_client fuzz/fuzz_wolfssl_server
fuzz_fuzz_wolfssl_client_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_wolfssl_client_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"wolfssl"' -DFUZZ_SERVER=0
fuzz_fuzz_wolfssl_client_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_wolfssl_client_LDADD = core/libtlsplug-core.la
fuzz_fuzz_wolfssl_server_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_wolfssl_server_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"wolfssl"' -DFUZZ_SERVER=1
fuzz_fuzz_wolfssl_server_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_wolfssl_server_LDADD = core/libtlsplug-core.la
endif
endif
EXTRA_DIST += fuzz/fuzz_x509.c fuzz/fuzz_pem.c fuzz/fuzz_x509.dict \
	fuzz/fuzz_pem.dict fuzz/fuzz_session.c fuzz/fuzz_session.dict \
	fuzz/fuzz_conffile.c fuzz/fuzz_conffile.dict fuzz/fuzz_hostname.c \
	fuzz/fuzz_hostname.dict fuzz/fuzz_backend.c fuzz/backend.c \
	fuzz/backend.h fuzz/fixed.c fuzz/fixed.h fuzz/record.c fuzz/certs \
	fuzz/corpus fuzz/README tools/fuzz tools/fuzz-seeds tools/fuzz-record
