# bench/local.mk -- tlsplug-bench, the benchmark of tlsplug against the
# engines called directly.  The driver (bench/) uses only the public API;
# each engine's native half (bench/native/ENGINE.c) is the only code outside
# plugins/ that includes that engine, built as a convenience library with
# the engine's flags.  Built when at least one engine was found, with the
# native halves of the engines found.
BENCH_NATIVE_LIBS =
BENCH_NATIVE_CPPFLAGS =
BENCH_NATIVE_COMMON_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)

if BUILD_OPENSSL
noinst_LTLIBRARIES += bench/native/libbench-native-openssl.la
bench_native_libbench_native_openssl_la_SOURCES = \
	bench/native/openssl.c bench/bench.h
bench_native_libbench_native_openssl_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
bench_native_libbench_native_openssl_la_CFLAGS = \
	$(AM_CFLAGS) $(OPENSSL_CFLAGS)
bench_native_libbench_native_openssl_la_LIBADD = $(OPENSSL_LIBS)
BENCH_NATIVE_LIBS += bench/native/libbench-native-openssl.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_OPENSSL
bin_PROGRAMS += bench/tlsplug-bench
else
if BUILD_GNUTLS
bin_PROGRAMS += bench/tlsplug-bench
endif
endif

if BUILD_GNUTLS
noinst_LTLIBRARIES += bench/native/libbench-native-gnutls.la
bench_native_libbench_native_gnutls_la_SOURCES = \
	bench/native/gnutls.c bench/bench.h
bench_native_libbench_native_gnutls_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
bench_native_libbench_native_gnutls_la_CFLAGS = \
	$(AM_CFLAGS) $(GNUTLS_CFLAGS)
bench_native_libbench_native_gnutls_la_LIBADD = $(GNUTLS_LIBS)
BENCH_NATIVE_LIBS += bench/native/libbench-native-gnutls.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_GNUTLS
endif

# mbedTLS: only the native half is built here; its plugin
# (plugins/mbedtls) is built against an installed tlsplug.
if BUILD_MBEDTLS
noinst_LTLIBRARIES += bench/native/libbench-native-mbedtls.la
bench_native_libbench_native_mbedtls_la_SOURCES = \
	bench/native/mbedtls.c bench/bench.h
bench_native_libbench_native_mbedtls_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
bench_native_libbench_native_mbedtls_la_CFLAGS = $(AM_CFLAGS)
bench_native_libbench_native_mbedtls_la_LIBADD = $(MBEDTLS_LIBS)
BENCH_NATIVE_LIBS += bench/native/libbench-native-mbedtls.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_MBEDTLS
endif
if BUILD_WOLFSSL
noinst_LTLIBRARIES += bench/native/libbench-native-wolfssl.la
bench_native_libbench_native_wolfssl_la_SOURCES = \
	bench/native/wolfssl.c bench/bench.h
bench_native_libbench_native_wolfssl_la_CPPFLAGS = \
	$(BENCH_NATIVE_COMMON_CPPFLAGS)
bench_native_libbench_native_wolfssl_la_CFLAGS = \
	$(AM_CFLAGS) $(WOLFSSL_CFLAGS)
bench_native_libbench_native_wolfssl_la_LIBADD = $(WOLFSSL_LIBS)
BENCH_NATIVE_LIBS += bench/native/libbench-native-wolfssl.la
BENCH_NATIVE_CPPFLAGS += -DBENCH_HAVE_WOLFSSL
endif

bench_tlsplug_bench_SOURCES = \
	bench/bench.c bench/bench.h bench/driver.h bench/side.h \
	bench/certs.c bench/concurrency.c bench/metrics.c bench/natives.c \
	bench/queue.c \
	bench/report.c bench/syscount.c bench/tlsplug_side.c
# -export-dynamic: syscount.c's read/recv/... must be what the libraries
# call.
bench_tlsplug_bench_LDFLAGS = -export-dynamic
bench_tlsplug_bench_CPPFLAGS = $(BENCH_NATIVE_COMMON_CPPFLAGS) \
	$(BENCH_NATIVE_CPPFLAGS)
bench_tlsplug_bench_LDADD = libtlsplug.la $(BENCH_NATIVE_LIBS)

EXTRA_DIST += bench/native/openssl.c bench/native/gnutls.c \
	bench/native/mbedtls.c \
	bench/native/wolfssl.c \
	doc/PERFORMANCE.md \
	bench/bench.h
