# tests/cli.mk -- tests of the tlsplug command: shell scripts that run the
# built tools/tlsplug and check its output and exit status.  They use the
# test plugins of tests/mock/ and two of their own (tests/cli/misbehave.c):
# tlsplug-crashinit.so, whose init crashes, and tlsplug-hanginit.so, whose
# init hangs, to show that `tlsplug list` survives both.

CLI_PLUGIN_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

check_LTLIBRARIES += tests/cli/tlsplug-crashinit.la tests/cli/tlsplug-hanginit.la
tests_cli_tlsplug_crashinit_la_SOURCES = tests/cli/misbehave.c
tests_cli_tlsplug_crashinit_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMISBEHAVE_NAME='"crashinit"' -DMISBEHAVE_CRASH
tests_cli_tlsplug_crashinit_la_LDFLAGS = $(CLI_PLUGIN_LDFLAGS)
tests_cli_tlsplug_hanginit_la_SOURCES = tests/cli/misbehave.c
tests_cli_tlsplug_hanginit_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMISBEHAVE_NAME='"hanginit"' -DMISBEHAVE_HANG
tests_cli_tlsplug_hanginit_la_LDFLAGS = $(CLI_PLUGIN_LDFLAGS)

CLI_TESTS = \
	tests/cli-errors.sh \
	tests/cli-which.sh \
	tests/cli-list.sh \
	tests/cli-info.sh
TESTS += $(CLI_TESTS)
dist_check_SCRIPTS += $(CLI_TESTS)
EXTRA_DIST += tests/cli-lib.sh
