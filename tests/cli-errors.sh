#!/bin/sh
# The tlsplug command line: usage errors exit 2 with one "tlsplug:" line,
# --help and --version exit 0.
. "$top_srcdir/tests/cli-lib.sh"

# No arguments: usage on stderr, exit 2.
run "$TLSPLUG"
expect_status 2
expect_stdout_empty
grep -q '^usage: tlsplug' "$tmp/err" || fail "no usage on stderr"

# Unknown command.
run "$TLSPLUG" frobnicate
expect_status 2
expect_stdout_empty
expect_stderr_one_line
[ "$(cat "$tmp/err")" = "tlsplug: unknown command 'frobnicate' (try 'tlsplug --help')" ] ||
	fail "wrong message for an unknown command"

# Unknown global option.
run "$TLSPLUG" --frobnicate
expect_status 2
expect_stderr_one_line

# Unknown options, missing and extra arguments of each command.
for args in "list --bogus" "list extra" "list --timeout" "list --timeout 0" \
    "list --timeout x" "which --bogus" "which extra" "info" \
    "info a b" "info --bogus fake" "info --app" "help nosuch" \
    "help list which"; do
	# shellcheck disable=SC2086  # word splitting wanted
	run "$TLSPLUG" $args
	expect_status 2
	expect_stdout_empty
	expect_stderr_one_line
done
run "$TLSPLUG" list --bogus
[ "$(cat "$tmp/err")" = "tlsplug: list: unknown option '--bogus' (try 'tlsplug list --help')" ] ||
	fail "wrong message for an unknown option"

# --help, globally and per command, on stdout, exit 0.
for args in "--help" "-h" "help" "list --help" "which --help" "info --help" \
    "help list" "help which" "help info"; do
	# shellcheck disable=SC2086
	run "$TLSPLUG" $args
	expect_status 0
	grep -q '^usage: tlsplug' "$tmp/out" || fail "no usage for '$args'"
	[ ! -s "$tmp/err" ] || fail "stderr not empty for '$args'"
done
run "$TLSPLUG" list --help
grep -q -- '--json' "$tmp/out" || fail "list --help does not mention --json"

# --version: the command's and the library's versions.
run "$TLSPLUG" --version
expect_status 0
head -n 1 "$tmp/out" | grep -qx 'tlsplug [0-9][0-9.]*' ||
	fail "first line of --version is not 'tlsplug VERSION'"
grep -q '^libtlsplug [0-9]' "$tmp/out" || fail "--version lacks the library"
# One package: the command, the library it runs with and the man pages
# carry the same version.
version=$(sed -n '1s/^tlsplug //p' "$tmp/out")
grep -qx "libtlsplug $version, backend ABI [0-9]*\.[0-9]*" "$tmp/out" ||
	fail "--version: the library's version differs from the command's"
for page in tlsplug.1 tlsplug.conf.5; do
	grep -q "^\.TH .* \"tlsplug $version\" " "$top_srcdir/doc/$page" ||
		fail "doc/$page does not say tlsplug $version in its .TH line"
done
exit 0
