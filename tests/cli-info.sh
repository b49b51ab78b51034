#!/bin/sh
# tlsplug info NAME: one backend in detail; unknown names exit 1.
. "$top_srcdir/tests/cli-lib.sh"

plugins=$tmp/plugins
plugin_dir "$plugins" fake badmajor
TLSPLUG_PLUGIN_PATH=$plugins
export TLSPLUG_PLUGIN_PATH

run "$TLSPLUG" info fake
expect_status 0
expect_stdout_line "name:           fake"
expect_stdout_line "path:           $plugins/tlsplug-fake.so"
expect_stdout_line "ABI version:    $abi_version"
expect_stdout_line "engine version: Fake 1.2.3"
expect_stdout_line "system trust:   file /etc/fake/ca.pem"
expect_stdout_line "cipher suites:  2"
expect_stdout_line "  0x1302  TLS_AES_256_GCM_SHA384"
expect_stdout_line "  0x1301  TLS_AES_128_GCM_SHA256"
grep -q '^capabilities:   .*client' "$tmp/out" || fail "no capabilities"
grep -q '^TLS versions:   TLSv1' "$tmp/out" || fail "no TLS versions"

run "$TLSPLUG" info fake --json
expect_status 0
cp "$tmp/out" "$tmp/info.json"
json_check "$tmp/info.json" "
assert d['name'] == 'fake' and d['abi'] == '$abi_version', d
assert d['engine_version'] == 'Fake 1.2.3', d
assert d['system_trust_source'] == 'file /etc/fake/ca.pem', d
assert d['cipher_suites'] == [
    {'id': '0x1302', 'name': 'TLS_AES_256_GCM_SHA384'},
    {'id': '0x1301', 'name': 'TLS_AES_128_GCM_SHA256'}], d['cipher_suites']
assert 'client' in d['capabilities'], d
assert all(v.startswith('TLSv1') for v in d['tls_versions']), d
"

# Not available: exit 1, one line naming it and what is available.
run "$TLSPLUG" info nosuch
expect_status 1
expect_stdout_empty
expect_stderr_one_line
expect_stderr_has "'nosuch'"
expect_stderr_has "available: fake"

# Rejected: the reason is part of the line.
run "$TLSPLUG" info badmajor
expect_status 1
expect_stderr_one_line
expect_stderr_has "'badmajor'"
expect_stderr_has "ABI major"
exit 0
