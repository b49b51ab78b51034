# examples/: small programs for users, built by `make` but not installed.
noinst_PROGRAMS += examples/loopback
examples_loopback_SOURCES = examples/loopback.c
examples_loopback_LDADD = libtlsplug.la

# An event-loop HTTPS server on the public socket API (Linux: epoll), and
# its test: curl, openssl s_client and tlsplug connect drive it on every
# built backend.
noinst_PROGRAMS += examples/evserver
examples_evserver_SOURCES = examples/evserver.c
examples_evserver_LDADD = libtlsplug.la
TESTS += tests/example-evserver.sh
dist_check_SCRIPTS += tests/example-evserver.sh
