# bench/local.mk -- tlsplug-bench, the benchmark of tlsplug against the
# engines called directly.  The driver (bench/) uses only the public API;
# each engine's native half (plugins/NAME/bench_native.c) is the only code
# that includes that engine, built as a convenience library with the
# engine's flags.  Built when at least one engine was found, with the
# native halves of the engines found.
BENCH_NATIVE_LIBS =
BENCH_NATIVE_CPPFLAGS =
BENCH_NATIVE_COMMON_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)

if BUILD_OPENSSL
noinst_LTLIBRARIES += plugins/openssl/libbench-native-openssl.la
plugins_openssl_libbench_native_openssl_la_SOURCES = \
	plugins/openssl/bench_native.c bench/bench.h
plugins_openssl_libbench_native_openssl_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
plugins_openssl_libbench_native_openssl_la_CFLAGS = \
	$(AM_CFLAGS) $(OPENSSL_CFLAGS)
plugins_openssl_libbench_native_openssl_la_LIBADD = $(OPENSSL_LIBS)
BENCH_NATIVE_LIBS += plugins/openssl/libbench-native-openssl.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_OPENSSL
bin_PROGRAMS += bench/tlsplug-bench
else
if BUILD_GNUTLS
bin_PROGRAMS += bench/tlsplug-bench
endif
endif

if BUILD_GNUTLS
noinst_LTLIBRARIES += plugins/gnutls/libbench-native-gnutls.la
plugins_gnutls_libbench_native_gnutls_la_SOURCES = \
	plugins/gnutls/bench_native.c bench/bench.h
plugins_gnutls_libbench_native_gnutls_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
plugins_gnutls_libbench_native_gnutls_la_CFLAGS = \
	$(AM_CFLAGS) $(GNUTLS_CFLAGS)
plugins_gnutls_libbench_native_gnutls_la_LIBADD = $(GNUTLS_LIBS)
BENCH_NATIVE_LIBS += plugins/gnutls/libbench-native-gnutls.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_GNUTLS
endif

bench_tlsplug_bench_SOURCES = \
	bench/bench.c bench/bench.h bench/driver.h bench/side.h \
	bench/certs.c bench/metrics.c bench/natives.c bench/queue.c \
	bench/report.c bench/tlsplug_side.c
bench_tlsplug_bench_CPPFLAGS = $(BENCH_NATIVE_COMMON_CPPFLAGS) \
	$(BENCH_NATIVE_CPPFLAGS)
bench_tlsplug_bench_LDADD = libtlsplug.la $(BENCH_NATIVE_LIBS)

EXTRA_DIST += plugins/openssl/bench_native.c plugins/gnutls/bench_native.c \
	doc/PERFORMANCE.md \
	bench/bench.h
