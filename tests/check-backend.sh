#!/bin/sh
# `tlsplug check-backend`: the conformance suite through the CLI against
# every built plugin -- one PASS line per case and an "N passed, 0 failed"
# total, exit 0 -- plus --filter, --certs, failing cases (exit 1), and a
# plugin that cannot be loaded.
. "$top_srcdir/tests/cli-lib.sh"

[ -n "${TLSPLUG_TEST_BACKENDS:-}" ] || {
	echo "no backend was built: skipped" >&2
	exit 77
}
TLSPLUG_GEN_CERTS=$top_srcdir/tools/tlsplug-gen-test-certs
export TLSPLUG_GEN_CERTS

total_is() {	# total_is REGEX: the last line of stdout matches
	tail -n 1 "$tmp/out" | grep -qx -- "$1" ||
		fail "last line should match '$1'"
}

for so in $TLSPLUG_TEST_BACKENDS; do
	run "$TLSPLUG" check-backend "$so"
	expect_status 0
	total_is '[1-9][0-9]* passed, 0 failed'
	n=$(tail -n 1 "$tmp/out" | cut -d ' ' -f 1)
	[ "$(grep -c '^PASS [a-z0-9_]*$' "$tmp/out")" -eq "$n" ] ||
		fail "$so: expected $n PASS lines"
	[ "$(wc -l <"$tmp/out")" -eq $((n + 1)) ] ||
		fail "$so: lines other than the cases and the total"
done
set -- $TLSPLUG_TEST_BACKENDS
so=$1

# Certificates made once and given with --certs; --filter picks cases.
sh "$TLSPLUG_GEN_CERTS" "$tmp/certs" || fail "cannot generate certificates"
run "$TLSPLUG" check-backend "$so" --certs "$tmp/certs" --filter alpn_
expect_status 0
expect_stdout_line "PASS alpn_no_overlap"
grep -v '^PASS alpn_' "$tmp/out" | grep -qx '[1-9] passed, 0 failed' ||
	fail "--filter alpn_ ran other cases"

# Without its certificates every case fails, with a reason, and exit 1.
mkdir "$tmp/empty"
run "$TLSPLUG" check-backend "$so" --certs "$tmp/empty" --filter tls13
expect_status 1
grep -q '^FAIL tls13: .*ca\.pem' "$tmp/out" || fail "no FAIL line naming ca.pem"
total_is '0 passed, [1-9][0-9]* failed'

# Usage errors.
run "$TLSPLUG" check-backend "$so" --filter no-such-case
expect_status 2
expect_stderr_one_line
run "$TLSPLUG" check-backend
expect_status 2
expect_stderr_one_line

# A plugin that cannot be loaded.
run "$TLSPLUG" check-backend "$tmp/tlsplug-missing.so"
expect_status 1
expect_stdout_empty
expect_stderr_one_line
expect_stderr_has "tlsplug-missing.so"
