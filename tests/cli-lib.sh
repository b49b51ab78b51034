# cli-lib.sh -- shared setup for the tlsplug CLI tests (sourced, not run).
#
# Needs top_builddir and top_srcdir (absolute, exported by the test
# environment).  Gives:
#   $TLSPLUG                  the built tools/tlsplug
#   $tmp                      a scratch directory, removed at exit
#   run CMD...                runs CMD; sets $status, $tmp/out, $tmp/err
#   fail MESSAGE              prints MESSAGE and the last output, exits 1
#   expect_status N           the last run exited with N
#   expect_stdout_line TEXT   stdout has a line equal to TEXT
#   expect_stdout_empty
#   expect_stderr_one_line    stderr is exactly one line starting "tlsplug:"
#   expect_stderr_has TEXT    stderr contains TEXT
#   plugin_dir NAME...        makes $tmp/NAME-dir... (see below)
#   json_check FILE PYTHON    validates FILE with json.tool, then runs
#                             PYTHON with `d` bound to the parsed object
set -eu

: "${top_builddir:?top_builddir must be set (run through make check)}"
: "${top_srcdir:?top_srcdir must be set (run through make check)}"
# The ABI version the mock plugins are built with (the current header's).
abi_version="$(sed -n 's/^#define TLSPLUG_BACKEND_ABI_MAJOR //p' \
	"$top_srcdir/include/tlsplug/backend.h").$(sed -n \
	's/^#define TLSPLUG_BACKEND_ABI_MINOR //p' \
	"$top_srcdir/include/tlsplug/backend.h")"

TLSPLUG=$top_builddir/tools/tlsplug
[ -x "$TLSPLUG" ] || { echo "missing $TLSPLUG" >&2; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsplug-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Nothing from the caller's environment or home may steer the choice.
unset TLSPLUG_BACKEND TLSPLUG_PLUGIN_PATH TLSPLUG_CONF
XDG_CONFIG_HOME=$tmp/xdg
HOME=$tmp/home
export XDG_CONFIG_HOME HOME
mkdir "$XDG_CONFIG_HOME" "$HOME"

status=0

run() {
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
}

fail() {
	{
		echo "FAIL: $*"
		echo "--- exit status: $status"
		echo "--- stdout:"
		cat "$tmp/out" 2>/dev/null || :
		echo "--- stderr:"
		cat "$tmp/err" 2>/dev/null || :
	} >&2
	exit 1
}

expect_status() {
	[ "$status" -eq "$1" ] || fail "expected exit status $1"
}

expect_stdout_line() {
	grep -qxF -- "$1" "$tmp/out" || fail "stdout lacks the line '$1'"
}

expect_stdout_empty() {
	[ ! -s "$tmp/out" ] || fail "stdout should be empty"
}

expect_stderr_one_line() {
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "stderr should be one line"
	head -n 1 "$tmp/err" | grep -q '^tlsplug: ' ||
		fail "stderr should start with 'tlsplug: '"
}

expect_stderr_has() {
	grep -qF -- "$1" "$tmp/err" || fail "stderr lacks '$1'"
}

# The test plugins, by name: the registry's mock plugins, this
# directory's misbehaving ones, and notelf (a text file).
plugin_file() {
	case $1 in
	crashinit|hanginit)
		echo "$top_builddir/tests/cli/.libs/tlsplug-$1.so" ;;
	*)
		echo "$top_builddir/tests/mock/.libs/tlsplug-$1.so" ;;
	esac
}

# plugin_dir DIR NAME...: a fresh plugin directory holding copies of the
# named test plugins (copies, so owner and modes pass the loader's safety
# checks whatever the build tree's are).
plugin_dir() {
	dir=$1
	shift
	rm -rf "$dir"
	mkdir -m 755 "$dir"
	for name in "$@"; do
		if [ "$name" = notelf ]; then
			cp "$top_srcdir/tests/mock/notelf.txt" \
				"$dir/tlsplug-notelf.so"
		else
			src=$(plugin_file "$name")
			[ -f "$src" ] || { echo "missing test plugin $src" >&2; exit 99; }
			cp "$src" "$dir/"
		fi
		chmod 644 "$dir/tlsplug-$name.so"
	done
}

json_check() {
	command -v python3 >/dev/null 2>&1 || {
		echo "python3 is needed to check JSON output" >&2
		exit 77
	}
	python3 -m json.tool "$1" >/dev/null || fail "$1 is not valid JSON"
	python3 - "$1" "$2" <<'PYEOF' || fail "JSON check failed: $2"
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PYEOF
}
