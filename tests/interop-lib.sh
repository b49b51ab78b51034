# interop-lib.sh -- shared setup for the real-peer tests (sourced, not run).
#
# Needs top_builddir, top_srcdir, TLSPLUG_TEST_BACKENDS and
# TLSPLUG_TEST_PLUGIN_PATH (exported by the test environment).  Gives:
#   $TLSPLUG $OPENSSL     the built tools/tlsplug, the openssl program
#   $BACKENDS             names of the built backends ("openssl gnutls")
#   $tmp                  scratch directory, removed at exit, with every
#                         background peer killed
#   $C                    certificates from tools/tlsplug-gen-test-certs
#                         (after gen_certs)
#   need_prog P...        a missing program is a skip (77), or a failure
#                         under CI=true
#   fail MSG [FILE...]    records a failure, shows the files; goes on
#   finish                exits 1 if anything failed, else 0
#   bg NAME CMD...        runs CMD in the background (bounded by timeout),
#                         stdout/stderr in $tmp/NAME.out/.err; sets $bg_pid
#   wait_for FILE REGEX   waits (10 s at most) for a line matching REGEX
#   start_serve NAME ARGS...      tlsplug serve --port 0 ARGS; sets
#                                 $serve_pid and $serve_port
#   try_serve NAME ARGS...        the same, but returns 1 without recording
#                                 a failure when serve does not start (it
#                                 may have refused the settings on purpose)
#   stop_serve            SIGTERM to the last serve; fails unless it exits 0
#   expect_serve_backend NAME B   serve NAME ran on backend B: its listening
#                                 line and every client line say so
#   has_cap B CAP         backend B declares capability CAP (tlsplug info;
#                         tests/check_caps pins what each engine declares)
#   no_v13 B              B does not declare tls1_3 (mbedTLS 2.28): the
#                         TLS 1.3 checks then expect the refusal
#   lacks B CAP WHAT...   B does not declare CAP: prints "note: B lacks
#                         CAP: skipped WHAT" and returns 0; else 1.
#                         Every check a backend sits out goes through it
#                         (or note), so the log says what did not run
#   note MSG              prints "note: MSG"
#   pair_version A B      the highest version both declare: 1.3, or 1.2
#                         when either lacks tls1_3
#   v12_note A B          for a pair run at TLS 1.2 for want of tls1_3,
#                         " at TLS 1.2 (X lacks tls1_3)", else nothing: for
#                         notes and pass lines
#   expect_version_refused NAME   the connect exited 1 with the version
#                         category: NO_SHARED_VERSION, or the peer's
#                         protocol_version alert
#   start_s_server NAME ARGS...   openssl s_server (one connection);
#                                 sets $peer_pid, $peer_port
#   start_gnutls_serv NAME ARGS...  gnutls-serv; sets $peer_pid, $peer_port
#   stop_peer             kills the last s_server/gnutls-serv
#   wait_peer             lets the last s_server end by itself (its output
#                         complete), then stop_peer
#   connect NAME ARGS...  tlsplug connect, stdin from $tmp/NAME.in if it
#                         exists; sets $status, $tmp/NAME.out/.err
#   expect_ok NAME        the connect exited 0
#   expect_category NAME CAT   it exited 1 with "tlsplug: CAT: " on stderr
#   expect_err_has NAME TEXT   its stderr contains TEXT
#   expect_same FILE1 FILE2 WHAT  byte-for-byte equal
set -u

: "${top_builddir:?top_builddir must be set (run through make check)}"
: "${top_srcdir:?top_srcdir must be set (run through make check)}"

TLSPLUG=$top_builddir/tools/tlsplug
[ -x "$TLSPLUG" ] || { echo "missing $TLSPLUG" >&2; exit 99; }
OPENSSL=${OPENSSL_BIN:-openssl}
[ -n "$OPENSSL" ] || OPENSSL=openssl

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsplug-interop.XXXXXX")
bg_pids=
cleanup() {
	for p in $bg_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $bg_pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Nothing from the caller's environment may steer the backend choice.
unset TLSPLUG_BACKEND TLSPLUG_CONF
XDG_CONFIG_HOME=$tmp/xdg
HOME=$tmp/home
mkdir "$XDG_CONFIG_HOME" "$HOME"
TLSPLUG_PLUGIN_PATH=$(echo ${TLSPLUG_TEST_PLUGIN_PATH:-} | tr ' ' ':')
export XDG_CONFIG_HOME HOME TLSPLUG_PLUGIN_PATH

missing() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (CI=true: the peer programs must be installed)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

need_prog() {
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || missing "$p not installed"
	done
}

BACKENDS=
for so in ${TLSPLUG_TEST_BACKENDS:-}; do
	b=${so##*/tlsplug-}
	BACKENDS="$BACKENDS ${b%.so}"
done
[ -n "$BACKENDS" ] || missing "no backend plugin was built"
need_prog timeout "$OPENSSL"

failures=0
fail() {
	msg=$1
	shift
	echo "FAIL: $msg"
	for f in "$@"; do
		[ -f "$f" ] || continue
		echo "--- $f:"
		head -c 4000 "$f"
		echo
	done
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}

gen_certs() {
	C=$tmp/certs
	sh "$top_srcdir/tools/tlsplug-gen-test-certs" "$C" >"$tmp/gen.log" 2>&1 ||
		{ cat "$tmp/gen.log"; echo "FAIL: cannot make certificates"; exit 1; }
}

bg() {
	bg_name=$1
	shift
	# --foreground: a TERM sent to timeout reaches CMD once, not again
	# through the process group (a second signal while a sanitizer's leak
	# check has CMD stopped can hang it).  -k: that leak check may take
	# seconds, so the KILL that follows a TERM comes late.
	timeout --foreground -k 60 300 "$@" </dev/null >"$tmp/$bg_name.out" \
		2>"$tmp/$bg_name.err" &
	bg_pid=$!
	bg_pids="$bg_pids $bg_pid"
}

wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		# the process may have died already
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

try_serve() {
	serve_name=$1
	shift
	bg "$serve_name" "$TLSPLUG" serve --port 0 "$@"
	serve_pid=$bg_pid
	serve_port=
	i=0
	until grep -q '^listening on ' "$tmp/$serve_name.err" 2>/dev/null; do
		# Refused settings end serve at once: no need to wait.
		kill -0 "$serve_pid" 2>/dev/null || return 1
		[ $i -lt 100 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
	serve_port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\) backend=.*/\1/p' \
		"$tmp/$serve_name.err")
}

start_serve() {
	try_serve "$@" && return 0
	fail "tlsplug serve $* did not start" "$tmp/$serve_name.err"
	return 1
}

expect_serve_backend() {
	if ! grep -q "^listening on .* backend=$2\$" "$tmp/$1.err"; then
		fail "serve $1: not listening on backend $2" "$tmp/$1.err"
		return 1
	fi
	if ! grep -q '^client=' "$tmp/$1.err"; then
		fail "serve $1: no client was served" "$tmp/$1.err"
		return 1
	fi
	if grep '^client=' "$tmp/$1.err" | grep -qv "^client=[^ ]* backend=$2 "
	then
		fail "serve $1: a client was served by another backend than $2" \
			"$tmp/$1.err"
		return 1
	fi
	pass "serve $1 ran on $2"
}

# The capability names of each backend, read once per script from
# `tlsplug info` (so a plugin that gains a capability is tested for it
# at once: nothing here names a backend).
has_cap() {
	if [ ! -f "$tmp/caps-$1" ]; then
		"$TLSPLUG" info "$1" 2>/dev/null |
			sed -n 's/^capabilities: *//p' | tr ' ' '\n' \
			>"$tmp/caps-$1"
		[ -s "$tmp/caps-$1" ] || {
			rm -f "$tmp/caps-$1"
			fail "tlsplug info $1: no capabilities"
			return 1
		}
	fi
	grep -qx "$2" "$tmp/caps-$1"
}

no_v13() {
	! has_cap "$1" tls1_3
}

note() {
	echo "note: $*"
}

lacks() {
	has_cap "$1" "$2" && return 1
	lacks_b=$1
	lacks_cap=$2
	shift 2
	note "$lacks_b lacks $lacks_cap: skipped $*"
	return 0
}

pair_version() {
	if has_cap "$1" tls1_3 && has_cap "$2" tls1_3; then
		echo 1.3
	else
		echo 1.2
	fi
}

v12_note() {
	if no_v13 "$1"; then
		echo " at TLS 1.2 ($1 lacks tls1_3)"
	elif no_v13 "$2"; then
		echo " at TLS 1.2 ($2 lacks tls1_3)"
	fi
}

expect_version_refused() {
	if [ "$status" -eq 1 ] &&
	   grep '^tlsplug: ' "$tmp/$1.err" | head -n 1 |
	   grep -q -e '^tlsplug: NO_SHARED_VERSION: ' \
	        -e '^tlsplug: ALERT_RECEIVED: .*protocol_version'; then
		pass "$1 (no shared version)"
		return 0
	fi
	fail "$1: expected exit 1 with NO_SHARED_VERSION or a" \
		"protocol_version alert, got $status" "$tmp/$1.err"
	return 1
}

stop_serve() {
	kill -TERM "$serve_pid" 2>/dev/null
	i=0
	while kill -0 "$serve_pid" 2>/dev/null && [ $i -lt 500 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$serve_pid" 2>/dev/null; then
		fail "serve ($serve_name) still running 50 s after SIGTERM" \
			"$tmp/$serve_name.err"
		kill -KILL "$serve_pid" 2>/dev/null
	fi
	wait "$serve_pid"
	st=$?
	[ $st -eq 0 ] ||
		fail "serve ($serve_name) exited $st after SIGTERM" \
			"$tmp/$serve_name.err"
}

start_s_server() {
	peer_name=$1
	shift
	bg "$peer_name" "$OPENSSL" s_server -accept 127.0.0.1:0 -naccept 1 "$@"
	peer_pid=$bg_pid
	peer_port=
	if ! wait_for "$tmp/$peer_name.out" '^ACCEPT'; then
		fail "openssl s_server $* did not start" "$tmp/$peer_name.out" \
			"$tmp/$peer_name.err"
		return 1
	fi
	peer_port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		"$tmp/$peer_name.out")
}

# gnutls-serv cannot pick a free port or say which one it got: try ports
# from a range derived from our pid until one binds.
start_gnutls_serv() {
	peer_name=$1
	shift
	try=0
	while [ $try -lt 20 ]; do
		peer_port=$((20000 + ($$ % 2000) * 20 + try))
		bg "$peer_name" gnutls-serv -p "$peer_port" "$@"
		peer_pid=$bg_pid
		if wait_for "$tmp/$peer_name.err" 'IPv4 .*port [0-9]*\.\.\.[a-z]'; then
			if grep -q "IPv4 .*port $peer_port\.\.\.done" "$tmp/$peer_name.err"; then
				return 0
			fi
		fi
		kill "$peer_pid" 2>/dev/null
		wait "$peer_pid" 2>/dev/null
		try=$((try + 1))
	done
	fail "gnutls-serv $* did not start" "$tmp/$peer_name.out" \
		"$tmp/$peer_name.err"
	return 1
}

stop_peer() {
	kill "$peer_pid" 2>/dev/null
	wait "$peer_pid" 2>/dev/null
	:
}

# An s_server that served its one connection ends by itself, and only then
# has all of its output written: waits for that (10 s at most).
wait_peer() {
	i=0
	while kill -0 "$peer_pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_peer
}

connect() {
	conn_name=$1
	shift
	if [ -f "$tmp/$conn_name.in" ]; then
		timeout -k 30 60 "$TLSPLUG" connect "$@" <"$tmp/$conn_name.in" \
			>"$tmp/$conn_name.out" 2>"$tmp/$conn_name.err"
	else
		timeout -k 30 60 "$TLSPLUG" connect "$@" </dev/null \
			>"$tmp/$conn_name.out" 2>"$tmp/$conn_name.err"
	fi
	status=$?
}

expect_ok() {
	if [ "$status" -ne 0 ]; then
		fail "$1: connect exited $status, expected 0" "$tmp/$1.err"
		return 1
	fi
	pass "$1"
}

expect_category() {
	if [ "$status" -ne 1 ] ||
	   ! grep '^tlsplug: ' "$tmp/$1.err" | head -n 1 |
	     grep -q "^tlsplug: $2: "; then
		fail "$1: expected exit 1 and 'tlsplug: $2: ...', got $status" \
			"$tmp/$1.err"
		return 1
	fi
	pass "$1 ($2)"
}

expect_err_has() {
	grep -qF -- "$2" "$tmp/$1.err" ||
		{ fail "$1: stderr lacks '$2'" "$tmp/$1.err"; return 1; }
}

expect_same() {
	cmp -s "$1" "$2" ||
		{ fail "$3: data differs ($(wc -c <"$1") vs $(wc -c <"$2") bytes)"; return 1; }
	pass "$3"
}

# feed NAME INPUT CMD...: runs CMD with stdin from a pipe that stays open
# until CMD's stdout holds as many bytes as INPUT (20 s at most), so a
# client that quits at end of input still gets all the echo first.  Sets
# $status; output in $tmp/NAME.out/.err.
feed() {
	feed_name=$1
	feed_in=$2
	shift 2
	rm -f "$tmp/$feed_name.fifo"
	mkfifo "$tmp/$feed_name.fifo"
	# The child opens the fifo before its output file, so the output
	# file may not exist yet when the loop below first looks at it:
	# made here, the loop never mistakes "not yet opened" for "done".
	: >"$tmp/$feed_name.out"
	timeout -k 30 60 "$@" <"$tmp/$feed_name.fifo" >"$tmp/$feed_name.out" \
		2>"$tmp/$feed_name.err" &
	feed_pid=$!
	exec 3>"$tmp/$feed_name.fifo"
	cat "$feed_in" >&3
	want=$(wc -c <"$feed_in")
	i=0
	while [ $i -lt 200 ] &&
	      [ "$(wc -c <"$tmp/$feed_name.out" 2>/dev/null || echo 0)" -lt "$want" ]; do
		kill -0 "$feed_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	exec 3>&-
	wait "$feed_pid"
	status=$?
}

# Makes $tmp/big: 1 MiB of random bytes, and $tmp/line.
make_data() {
	head -c 1048576 /dev/urandom >"$tmp/big"
	printf 'hello over tls\n' >"$tmp/line"
}

# Each backend's capabilities, read now in this shell: a backend whose
# `tlsplug info` fails is a failure, never a backend without features.
for b in $BACKENDS; do
	has_cap "$b" client || :
done
