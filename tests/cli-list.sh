#!/bin/sh
# tlsplug list: every plugin, loaded or rejected with a distinct reason;
# plugins that crash or hang while loading are reported, not fatal.
. "$top_srcdir/tests/cli-lib.sh"

broken="badmajor smallsize nosymbol nullentry dupname notelf missingdep initfail"
plugins=$tmp/plugins
# shellcheck disable=SC2086
plugin_dir "$plugins" fake $broken crashinit hanginit
TLSPLUG_PLUGIN_PATH=$plugins
export TLSPLUG_PLUGIN_PATH

# JSON: fake ok and the default (chosen by the environment), every other
# plugin rejected with its own reason, exit 0 all the same.
TLSPLUG_BACKEND=fake run "$TLSPLUG" list --json --timeout 1
expect_status 0
cp "$tmp/out" "$tmp/list.json"
json_check "$tmp/list.json" "
broken = '$broken crashinit hanginit'.split()
plugins = '$plugins'
b = {x['name']: x for x in d['backends']}
assert d['plugin_path'] == [plugins], d['plugin_path']
assert d['default'] == 'fake', d['default']
assert d['default_rule'] == 'TLSPLUG_BACKEND', d['default_rule']
assert d['missing'] == [] and d['diagnostics'] == [], d
f = b['fake']
assert f['state'] == 'ok' and f['reason'] is None, f
assert f['default'] is True and f['abi'] == '$abi_version', f
assert f['path'] == plugins + '/tlsplug-fake.so', f
assert f['engine_version'] == 'Fake 1.2.3', f
assert 'client' in f['capabilities'], f
assert isinstance(f['priority'], int), f
rejected = [x for x in d['backends'] if x['state'] != 'ok']
names = sorted(x['path'].rsplit('/', 1)[1] for x in rejected)
assert names == sorted('tlsplug-%s.so' % n for n in broken), names
reasons = [x['reason'] for x in rejected]
assert all(r for r in reasons), reasons
assert len(set(reasons)) == len(reasons), 'reasons not distinct: %r' % reasons
for x in rejected:
    assert x['state'] == 'rejected' and x['default'] is False, x
    assert x['capabilities'] == [] and x['engine_version'] is None, x
by_file = {x['path'].rsplit('/', 1)[1]: x['reason'] for x in rejected}
assert by_file['tlsplug-crashinit.so'].startswith('crashed while loading ('), by_file
assert by_file['tlsplug-hanginit.so'].startswith('timed out while loading'), by_file
assert 'ABI major' in by_file['tlsplug-badmajor.so'], by_file
assert 'init failed' in by_file['tlsplug-initfail.so'], by_file
assert len(d['backends']) == 1 + len(broken), len(d['backends'])
"

# Text: one line per plugin, '*' on the default, a reason line for each
# rejected one, then the default and the plugin path.
TLSPLUG_BACKEND=fake run "$TLSPLUG" list --timeout 1
expect_status 0
grep -q '^\* fake  *ok  ' "$tmp/out" || fail "no '* fake ok' line"
for name in $broken crashinit hanginit; do
	grep -q "^  $name  *rejected  " "$tmp/out" ||
		fail "no rejected line for $name"
done
[ "$(grep -c '^  *reason: ' "$tmp/out")" -eq 10 ] ||
	fail "expected 10 reason lines"
grep -q '^  *reason: crashed while loading (' "$tmp/out" ||
	fail "crash reason missing"
expect_stdout_line "default: fake (chosen by TLSPLUG_BACKEND)"
expect_stdout_line "plugin path: $plugins"

# Without a choice from the environment, the built-in order has to load
# every plugin, and the crashing one makes that fail: the listing still
# comes, with no default and the reason.
run "$TLSPLUG" list --json --timeout 1
expect_status 0
cp "$tmp/out" "$tmp/crash.json"
json_check "$tmp/crash.json" "
assert d['default'] is None, d['default']
assert 'crashed' in d['default_error'], d['default_error']
assert [x['name'] for x in d['backends'] if x['state'] == 'ok'] == ['fake']
"

# Only well-behaved plugins: the built-in order picks fake.
plugin_dir "$plugins" fake badmajor notelf
run "$TLSPLUG" list
expect_status 0
grep -q '^default: fake (chosen by built-in order: priority -\{0,1\}[0-9][0-9]*)$' \
	"$tmp/out" || fail "built-in default not shown"

# Configured names that no plugin provides are listed as missing.
TLSPLUG_BACKEND="nosuch,fake" run "$TLSPLUG" list --json
expect_status 0
cp "$tmp/out" "$tmp/missing.json"
json_check "$tmp/missing.json" "
assert d['missing'] == ['nosuch'], d['missing']
assert d['default'] == 'fake', d['default']
"
TLSPLUG_BACKEND="nosuch,fake" run "$TLSPLUG" list
expect_stdout_line "not found: nosuch (configured, but no plugin provides it)"

# Config-file diagnostics: on stderr as "tlsplug: FILE:LINE: msg", listed
# in the JSON, and the exit status stays 0.
conf=$tmp/bad.conf
printf '[default]\nbackend = fake\nthis is not valid\n' >"$conf"
TLSPLUG_CONF=$conf run "$TLSPLUG" list --json
expect_status 0
expect_stderr_one_line
grep -q "^tlsplug: $conf:3: " "$tmp/err" || fail "diagnostic not on stderr"
cp "$tmp/out" "$tmp/diag.json"
json_check "$tmp/diag.json" "
assert len(d['diagnostics']) == 1, d['diagnostics']
assert d['diagnostics'][0].startswith('$conf:3: '), d['diagnostics']
assert d['default'] is None and '$conf:3' in d['default_error'], d
"

# A plugin path with nothing in it.
plugin_dir "$tmp/empty"
TLSPLUG_PLUGIN_PATH=$tmp/empty run "$TLSPLUG" list
expect_status 0
expect_stdout_line "no plugins found"
TLSPLUG_PLUGIN_PATH=$tmp/empty run "$TLSPLUG" list --json
expect_status 0
cp "$tmp/out" "$tmp/empty.json"
json_check "$tmp/empty.json" "
assert d['backends'] == [] and d['default'] is None, d
"
exit 0
