# The plugin host: config file parser, loader and backend selection tests,
# the mock plugins they load, and the out-of-tree plugin test.

# Mock plugins (tests/mock/): built for `make check` only.  -rpath /nowhere
# makes libtool build real shared objects that are never installed.  The
# tests copy the .libs/tlsplug-NAME.so files they need into fresh
# directories.
MOCK_LDFLAGS = -module -avoid-version -rpath /nowhere -shared -no-undefined
MOCK_EXPORT = -export-symbols-regex '^tlsplug_backend_v[0-9]+$$'

check_LTLIBRARIES += \
	tests/mock/tlsplug-fake.la \
	tests/mock/tlsplug-other.la \
	tests/mock/tlsplug-twin.la \
	tests/mock/tlsplug-future.la \
	tests/mock/tlsplug-badmajor.la \
	tests/mock/tlsplug-smallsize.la \
	tests/mock/tlsplug-nosymbol.la \
	tests/mock/tlsplug-nextmajor.la \
	tests/mock/tlsplug-tiny.la \
	tests/mock/tlsplug-nullentry.la \
	tests/mock/tlsplug-noctx.la \
	tests/mock/tlsplug-badname.la \
	tests/mock/tlsplug-dupname.la \
	tests/mock/tlsplug-initfail.la \
	tests/mock/tlsplug-missingdep.la \
	tests/mock/tlsplug-nopeercert.la \
	tests/mock/tlsplug-legacy.la

tests_mock_tlsplug_fake_la_SOURCES = tests/mock/fake.c
tests_mock_tlsplug_fake_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_other_la_SOURCES = tests/mock/other.c
tests_mock_tlsplug_other_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_twin_la_SOURCES = tests/mock/twin.c
tests_mock_tlsplug_twin_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_future_la_SOURCES = tests/mock/future.c
tests_mock_tlsplug_future_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_badmajor_la_SOURCES = tests/mock/badmajor.c
tests_mock_tlsplug_badmajor_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_smallsize_la_SOURCES = tests/mock/smallsize.c
tests_mock_tlsplug_smallsize_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
# Exports only a function, no descriptor.
tests_mock_tlsplug_nosymbol_la_SOURCES = tests/mock/nosymbol.c
tests_mock_tlsplug_nosymbol_la_LDFLAGS = $(MOCK_LDFLAGS)
tests_mock_tlsplug_nextmajor_la_SOURCES = tests/mock/nextmajor.c
tests_mock_tlsplug_nextmajor_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_tiny_la_SOURCES = tests/mock/tiny.c
tests_mock_tlsplug_tiny_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_nullentry_la_SOURCES = tests/mock/nullentry.c
tests_mock_tlsplug_nullentry_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_noctx_la_SOURCES = tests/mock/noctx.c
tests_mock_tlsplug_noctx_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_badname_la_SOURCES = tests/mock/badname.c
tests_mock_tlsplug_badname_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_dupname_la_SOURCES = tests/mock/dupname.c
tests_mock_tlsplug_dupname_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_initfail_la_SOURCES = tests/mock/initfail.c
tests_mock_tlsplug_initfail_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
tests_mock_tlsplug_nopeercert_la_SOURCES = tests/mock/nopeercert.c
tests_mock_tlsplug_nopeercert_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT)
# A plugin written for ABI 1.0: the null-cipher engine built against the
# frozen 1.0 headers (tests/abi-1.0 comes before include/), exporting its
# counters for tests/check_legacy.
tests_mock_tlsplug_legacy_la_SOURCES = tests/mock/legacy.c
tests_mock_tlsplug_legacy_la_CPPFLAGS = -I$(top_srcdir)/tests/abi-1.0 \
	-I$(top_builddir)
tests_mock_tlsplug_legacy_la_LDFLAGS = $(MOCK_LDFLAGS) \
	-export-symbols-regex '^(tlsplug_backend_v[0-9]+|nullcipher_stats)$$'
EXTRA_DIST += tests/mock/nullcipher.c tests/mock/mockcert.h \
	tests/abi-1.0/README tests/abi-1.0/tlsplug/backend.h \
	tests/abi-1.0/tlsplug/tlsplug.h tests/abi-1.0/tlsplug/socket.h \
	tests/abi-1.0/tlsplug/cipher_suites.h
# Links a helper library whose soname (libtlsplug-mock-absent.so.0) names
# no file anywhere, so dlopen fails on the missing dependency whatever the
# rpath says.  Built without libtool, which would name it after its file.
tests_mock_tlsplug_missingdep_la_SOURCES = tests/mock/missingdep.c
# (Given to the linker directly: libtool drops plain .so files from a
# module's LIBADD.)
tests_mock_tlsplug_missingdep_la_LDFLAGS = $(MOCK_LDFLAGS) $(MOCK_EXPORT) \
	-Wl,tests/mock/libmockdep.so
tests_mock_tlsplug_missingdep_la_DEPENDENCIES = tests/mock/libmockdep.so
tests/mock/libmockdep.so: $(srcdir)/tests/mock/mockdep.c
	$(AM_V_CCLD)$(MKDIR_P) tests/mock && \
	$(CC) -shared -fPIC -Wl,-soname,libtlsplug-mock-absent.so.0 \
		-o $@ $(srcdir)/tests/mock/mockdep.c
CLEANFILES += tests/mock/libmockdep.so
EXTRA_DIST += tests/mock/mockdep.c

# Shared by the mocks; a text file the tests copy to tlsplug-notelf.so.
EXTRA_DIST += tests/mock/mock.h
EXTRA_DIST += tests/mock/notelf.txt

if HAVE_CHECK
check_PROGRAMS += tests/check_conffile tests/check_loader tests/check_select \
	tests/check_legacy
TESTS += tests/check_conffile tests/check_loader tests/check_select \
	tests/check_legacy
endif

REGISTRY_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
REGISTRY_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
REGISTRY_TEST_LDADD = core/libtlsplug-core.la $(CHECK_LIBS)

tests_check_conffile_SOURCES = tests/check_conffile.c
tests_check_conffile_CPPFLAGS = $(REGISTRY_TEST_CPPFLAGS)
tests_check_conffile_CFLAGS = $(REGISTRY_TEST_CFLAGS)
tests_check_conffile_LDADD = $(REGISTRY_TEST_LDADD)

tests_check_loader_SOURCES = tests/check_loader.c \
	tests/registry_testlib.c tests/registry_testlib.h
tests_check_loader_CPPFLAGS = $(REGISTRY_TEST_CPPFLAGS)
tests_check_loader_CFLAGS = $(REGISTRY_TEST_CFLAGS)
tests_check_loader_LDADD = $(REGISTRY_TEST_LDADD)

tests_check_legacy_SOURCES = tests/check_legacy.c \
	tests/registry_testlib.c tests/registry_testlib.h \
	tests/conn_testlib.c tests/conn_testlib.h
tests_check_legacy_CPPFLAGS = $(REGISTRY_TEST_CPPFLAGS)
tests_check_legacy_CFLAGS = $(REGISTRY_TEST_CFLAGS)
tests_check_legacy_LDADD = $(REGISTRY_TEST_LDADD)

tests_check_select_SOURCES = tests/check_select.c \
	tests/registry_testlib.c tests/registry_testlib.h
tests_check_select_CPPFLAGS = $(REGISTRY_TEST_CPPFLAGS)
tests_check_select_CFLAGS = $(REGISTRY_TEST_CFLAGS)
tests_check_select_LDADD = $(REGISTRY_TEST_LDADD)

# Out-of-tree plugin: installs into a scratch DESTDIR, builds a plugin
# against the installed headers (found with pkg-config) and checks that the
# CLI lists and selects it.
TESTS += tests/out-of-tree.sh
dist_check_SCRIPTS += tests/out-of-tree.sh
EXTRA_DIST += tests/out-of-tree/oot.c
AM_TESTS_ENVIRONMENT += \
	CC='$(CC)'; export CC; \
	MAKE='$(MAKE)'; export MAKE; \
	PKG_CONFIG='$(PKG_CONFIG)'; export PKG_CONFIG;
