# fuzz/local.mk -- libFuzzer targets, built when configured with
# --enable-fuzzing CC=clang (the core is then instrumented too; see
# configure.ac).  tools/fuzz builds and runs them with the seed corpora in
# fuzz/corpus/<target>/ (remade by tools/fuzz-seeds) and the dictionaries
# fuzz/<target>.dict.
FUZZ_ALL_LOCAL =
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
# records their seeds.  Both take the plugins from this build tree (the
# mbedTLS plugin from fuzz/mbedtls/, below), the certificates from
# fuzz/certs/, and export the fixed clock and random stream of fixed.c to
# the engines.
FUZZ_PLUGIN_PATH = $(abs_top_builddir)/plugins/openssl/.libs:$(abs_top_builddir)/plugins/gnutls/.libs:$(abs_top_builddir)/plugins/wolfssl/.libs:$(abs_top_builddir)/fuzz/mbedtls
FUZZ_BE_CPP = $(FUZZ_CPPFLAGS_ALL) \
	-DFUZZ_CERTS_DIR='"$(abs_top_srcdir)/fuzz/certs"' \
	-DFUZZ_PLUGIN_PATH='"$(FUZZ_PLUGIN_PATH)"'
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
# The mbedTLS plugin is never part of this build: an outside author builds
# it with its own Makefile against an installed tlsplug.  A fuzzing build
# makes an instrumented copy in fuzz/mbedtls/ with that same Makefile,
# given this build's compiler and flags (FUZZ_CFLAGS: coverage, ASan,
# UBSan, as the in-tree plugins get) and this source tree's headers in
# place of pkg-config's.  The sanitizer and coverage runtimes are in the
# fuzz programs, so the plugin links with undefined references to them
# (NO_UNDEFINED emptied).  The Makefile's objects do not depend on
# tlsplug's headers: a change to them or to the plugin rebuilds it whole.
if BUILD_MBEDTLS
FUZZ_TARGETS += fuzz/fuzz_mbedtls_client fuzz/fuzz_mbedtls_server
fuzz_fuzz_mbedtls_client_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_mbedtls_client_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"mbedtls"' -DFUZZ_SERVER=0
fuzz_fuzz_mbedtls_client_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_mbedtls_client_LDADD = core/libtlsplug-core.la
fuzz_fuzz_mbedtls_server_SOURCES = $(FUZZ_BE_SRC)
fuzz_fuzz_mbedtls_server_CPPFLAGS = $(FUZZ_BE_CPP) \
	-DFUZZ_BACKEND='"mbedtls"' -DFUZZ_SERVER=1
fuzz_fuzz_mbedtls_server_LDFLAGS = $(FUZZ_BE_LINK)
fuzz_fuzz_mbedtls_server_LDADD = core/libtlsplug-core.la

FUZZ_ALL_LOCAL += fuzz/mbedtls/tlsplug-mbedtls.so
fuzz/mbedtls/tlsplug-mbedtls.so: $(MBEDTLS_PLUGIN_FILES) \
		$(tlsplugginclude_HEADERS)
	@$(MKDIR_P) fuzz/mbedtls
	rm -f fuzz/mbedtls/*.o $@
	$(MAKE) -C fuzz/mbedtls \
		-f $(abs_top_srcdir)/plugins/mbedtls/Makefile \
		CC='$(CC)' CFLAGS='$(FUZZ_CFLAGS) $(CFLAGS)' \
		LDFLAGS='$(FUZZ_LDFLAGS) $(LDFLAGS)' \
		TLSPLUG_CFLAGS='-I$(abs_top_srcdir)/include' \
		MBEDTLS_LIBS='$(MBEDTLS_LIBS)' NO_UNDEFINED=
endif
endif
all-local: $(FUZZ_ALL_LOCAL)
clean-local:
	rm -rf fuzz/mbedtls
EXTRA_DIST += fuzz/fuzz_x509.c fuzz/fuzz_pem.c fuzz/fuzz_x509.dict \
	fuzz/fuzz_pem.dict fuzz/fuzz_session.c fuzz/fuzz_session.dict \
	fuzz/fuzz_conffile.c fuzz/fuzz_conffile.dict fuzz/fuzz_hostname.c \
	fuzz/fuzz_hostname.dict fuzz/fuzz_backend.c fuzz/backend.c \
	fuzz/backend.h fuzz/fixed.c fuzz/fixed.h fuzz/record.c fuzz/certs \
	fuzz/corpus fuzz/README tools/fuzz tools/fuzz-seeds tools/fuzz-record
