#!/bin/sh
# tlsplug which: the chosen backend and the rule that chose it.
. "$top_srcdir/tests/cli-lib.sh"

plugins=$tmp/plugins
plugin_dir "$plugins" fake badmajor
TLSPLUG_PLUGIN_PATH=$plugins
export TLSPLUG_PLUGIN_PATH

# Built-in order: the only usable plugin, with its priority.
run "$TLSPLUG" which
expect_status 0
grep -qx 'fake (chosen by built-in order: priority -\{0,1\}[0-9][0-9]*)' \
	"$tmp/out" || fail "built-in choice not reported"

# The environment variable.
TLSPLUG_BACKEND=fake run "$TLSPLUG" which
expect_status 0
expect_stdout_line "fake (chosen by TLSPLUG_BACKEND)"
[ ! -s "$tmp/err" ] || fail "stderr not empty"

TLSPLUG_BACKEND=fake run "$TLSPLUG" which --json
expect_status 0
cp "$tmp/out" "$tmp/which.json"
json_check "$tmp/which.json" '
assert d["backend"] == "fake", d
assert d["rule"] == "environment", d
assert d["source"] == "TLSPLUG_BACKEND", d
assert d["path"].endswith("/tlsplug-fake.so"), d
'

# A preference list: the first available name wins.
TLSPLUG_BACKEND="nosuch, fake" run "$TLSPLUG" which
expect_status 0
expect_stdout_line "fake (chosen by TLSPLUG_BACKEND)"

# A single name that is not available: exit 1, one line, no fallback.
TLSPLUG_BACKEND=nosuch run "$TLSPLUG" which
expect_status 1
expect_stdout_empty
expect_stderr_one_line
expect_stderr_has "'nosuch'"
expect_stderr_has "TLSPLUG_BACKEND"
expect_stderr_has "available: fake"

# A rejected plugin named explicitly: the reason is given.
TLSPLUG_BACKEND=badmajor run "$TLSPLUG" which
expect_status 1
expect_stderr_one_line
expect_stderr_has "'badmajor'"
expect_stderr_has "rejected"

# A config file (TLSPLUG_CONF) chooses: its path and line are cited.
conf=$tmp/choose.conf
printf '# tlsplug test\n[default]\nbackend = fake\n' >"$conf"
TLSPLUG_CONF=$conf run "$TLSPLUG" which
expect_status 0
expect_stdout_line "fake (chosen by $conf:3)"

TLSPLUG_CONF=$conf run "$TLSPLUG" which --json
cp "$tmp/out" "$tmp/conf.json"
json_check "$tmp/conf.json" '
assert d["rule"] == "user-config", d
assert d["source"].endswith("/choose.conf:3"), d
'

# The user's file in XDG_CONFIG_HOME works the same way.
mkdir -p "$XDG_CONFIG_HOME/tlsplug"
printf '[default]\n\n; comment\nbackend = fake\n' \
	>"$XDG_CONFIG_HOME/tlsplug/tlsplug.conf"
run "$TLSPLUG" which
expect_status 0
expect_stdout_line "fake (chosen by $XDG_CONFIG_HOME/tlsplug/tlsplug.conf:4)"
rm -r "$XDG_CONFIG_HOME/tlsplug"

# The environment wins over the file.
printf '[default]\nbackend = nosuch\n' >"$conf"
TLSPLUG_CONF=$conf TLSPLUG_BACKEND=fake run "$TLSPLUG" which
expect_status 0
expect_stdout_line "fake (chosen by TLSPLUG_BACKEND)"

# A name in the file that is not available: the file:line is cited.
TLSPLUG_CONF=$conf run "$TLSPLUG" which
expect_status 1
expect_stderr_one_line
expect_stderr_has "'nosuch'"
expect_stderr_has "$conf:2"
expect_stderr_has "available: fake"

# Per-application sections (--app).
printf '[default]\nbackend = nosuch\n[myapp]\nbackend = fake\n' >"$conf"
TLSPLUG_CONF=$conf run "$TLSPLUG" which --app myapp
expect_status 0
expect_stdout_line "fake (chosen by $conf:4)"
TLSPLUG_CONF=$conf run "$TLSPLUG" which --app otherapp
expect_status 1
expect_stderr_has "$conf:2"

# A malformed line: an error naming the file and the line.
printf '[default]\nbackend fake\n' >"$conf"
TLSPLUG_CONF=$conf run "$TLSPLUG" which
expect_status 1
expect_stdout_empty
expect_stderr_one_line
grep -q "^tlsplug: $conf:2: " "$tmp/err" || fail "file:line not named"

# An unknown key, also with file:line.
printf '[default]\nbackend = fake\nbackned = fake\n' >"$conf"
TLSPLUG_CONF=$conf run "$TLSPLUG" which
expect_status 1
expect_stderr_one_line
grep -q "^tlsplug: $conf:3: .*backned" "$tmp/err" || fail "unknown key not named"

# TLSPLUG_CONF naming a missing file is an error too.
TLSPLUG_CONF=$tmp/nonexistent.conf run "$TLSPLUG" which
expect_status 1
expect_stderr_one_line
expect_stderr_has "$tmp/nonexistent.conf"

# No usable plugin at all.
plugin_dir "$tmp/empty"
TLSPLUG_PLUGIN_PATH=$tmp/empty run "$TLSPLUG" which
expect_status 1
expect_stdout_empty
expect_stderr_one_line
exit 0
