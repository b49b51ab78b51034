#!/bin/sh
# Out-of-tree plugin: install tlsplug into a scratch DESTDIR, build a plugin
# against the *installed* headers (found through the installed tlsplug.pc),
# and check that the already-built CLI lists it as usable and selects it.
set -eu

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
MAKE=${MAKE:-make}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

if ! command -v "$PKG_CONFIG" >/dev/null 2>&1; then
	echo "SKIP: $PKG_CONFIG not found"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsplug-oot-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
dest=$tmp/dest
plugins=$tmp/plugins
mkdir "$dest" "$plugins"
chmod 0755 "$plugins"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The nested make must not inherit the outer make's command-line
# variables or jobserver.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	$MAKE -s -C "$top_builddir" install DESTDIR="$dest" \
	>"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log" >&2; fail "make install DESTDIR=$dest"; }

pc=$(find "$dest" -name tlsplug.pc | head -n 1)
[ -n "$pc" ] || fail "tlsplug.pc not installed"
# The .pc names the configured prefix; the sysroot moves it under DESTDIR.
# The staged .pc comes first; what it requires (libidn2) comes from the
# system's pkg-config directories.
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") \
	PKG_CONFIG_SYSROOT_DIR="$dest" "$PKG_CONFIG" --cflags tlsplug) ||
	fail "pkg-config --cflags tlsplug"
backenddir=$(PKG_CONFIG_PATH=$(dirname "$pc") \
	"$PKG_CONFIG" --variable=backenddir tlsplug)
[ -n "$backenddir" ] || fail "tlsplug.pc has no backenddir variable"
case $cflags in
*"$dest"*) ;;
*) fail "cflags do not point into the install: $cflags" ;;
esac
[ -n "$(find "$dest" -path '*/include/tlsplug/backend.h')" ] ||
	fail "backend.h not installed"

# Only the installed headers: no -I into the source or build tree.
# shellcheck disable=SC2086
$CC $cflags -std=c11 -Wall -Wextra -Werror -fPIC -shared \
	-o "$plugins/tlsplug-oot.so" "$top_srcdir/tests/out-of-tree/oot.c" ||
	fail "cannot build the plugin against the installed headers"
chmod 0755 "$plugins/tlsplug-oot.so"

# Run the CLI from the build tree against this plugin directory only, with
# no user or system config in the way.
TLSPLUG_PLUGIN_PATH=$plugins
TLSPLUG_CONF=/dev/null
export TLSPLUG_PLUGIN_PATH TLSPLUG_CONF
unset TLSPLUG_BACKEND
cli=$top_builddir/tools/tlsplug

"$cli" list --json >"$tmp/list.json" 2>"$tmp/list.err" ||
	{ cat "$tmp/list.err" >&2; fail "tlsplug list --json"; }
grep -q '"oot"' "$tmp/list.json" ||
	{ cat "$tmp/list.json" >&2; fail "oot not listed"; }
grep -qi '"ok"' "$tmp/list.json" ||
	{ cat "$tmp/list.json" >&2; fail "oot not listed as ok"; }

TLSPLUG_BACKEND=oot "$cli" which >"$tmp/which.out" 2>&1 ||
	{ cat "$tmp/which.out" >&2; fail "TLSPLUG_BACKEND=oot tlsplug which"; }
grep -q 'oot' "$tmp/which.out" ||
	{ cat "$tmp/which.out" >&2; fail "which did not choose oot"; }
grep -q 'TLSPLUG_BACKEND' "$tmp/which.out" ||
	{ cat "$tmp/which.out" >&2; fail "which does not say TLSPLUG_BACKEND"; }
echo "PASS: out-of-tree plugin built against $cflags"
