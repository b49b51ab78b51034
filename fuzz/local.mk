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
endif
EXTRA_DIST += fuzz/fuzz_x509.c fuzz/fuzz_pem.c fuzz/fuzz_x509.dict \
	fuzz/fuzz_pem.dict fuzz/fuzz_session.c fuzz/fuzz_session.dict \
	fuzz/fuzz_conffile.c fuzz/fuzz_conffile.dict fuzz/fuzz_hostname.c \
	fuzz/fuzz_hostname.dict fuzz/corpus tools/fuzz tools/fuzz-seeds
