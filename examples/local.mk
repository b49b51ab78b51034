# examples/: small programs for users, built by `make` but not installed.
noinst_PROGRAMS += examples/loopback
examples_loopback_SOURCES = examples/loopback.c
examples_loopback_LDADD = libtlsplug.la
