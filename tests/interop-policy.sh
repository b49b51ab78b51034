#!/bin/sh
# The system policy with the real command and engines.  The system config
# file is $(sysconfdir)/tlsplug.conf: the script runs in a private mount
# namespace (directly as root, else in a user namespace) with a scratch
# directory mounted over $(sysconfdir), so it never touches the machine's.
# Shows: `tlsplug which` / `info` print the policy in force (and none);
# connect and serve refuse what goes below it, naming the file and line;
# defaults are raised and honoured by every backend against a peer; a typo
# in the policy and a [policy] in the user's file are precise errors; and
# each plugin starts from its engine's own system configuration (OpenSSL's
# MinProtocol in openssl.cnf, GnuTLS's @SYSTEM priority).
if [ -z "${TLSPLUG_POLICY_NS:-}" ]; then
	TLSPLUG_POLICY_NS=1
	export TLSPLUG_POLICY_NS
	if [ "$(id -u)" -eq 0 ]; then
		unshare -m --propagation private sh "$0" "$@"
	else
		unshare -r -m --propagation private sh "$0" "$@"
	fi
	st=$?
	[ $st -eq 0 ] || [ $st -eq 1 ] ||
		echo "FAIL: no private mount namespace (unshare exited $st)"
	exit $st
fi
. "${top_srcdir:-.}/tests/interop-lib.sh"
gen_certs

etc=${TLSPLUG_TEST_SYSCONFDIR:?TLSPLUG_TEST_SYSCONFDIR must be set}
mkdir -p "$tmp/etc" "$tmp/xdg"
# A prefix that has no etc/ yet (make distcheck's _inst before install):
# make the empty directory to mount over.
[ -d "$etc" ] || mkdir -p "$etc" 2>/dev/null || true
if [ ! -d "$etc" ] || ! mount --bind "$tmp/etc" "$etc"; then
	echo "FAIL: cannot mount a scratch directory over $etc"
	exit 1
fi
XDG_CONFIG_HOME=$tmp/xdg
export XDG_CONFIG_HOME
unset TLSPLUG_CONF TLSPLUG_BACKEND
conf=$etc/tlsplug.conf

# --- which / info, no policy ------------------------------------------
"$TLSPLUG" which >"$tmp/which0.out" 2>"$tmp/which0.err"
grep -qx 'policy:         none' "$tmp/which0.out" &&
	pass "which: no policy" ||
	fail "which without a policy" "$tmp/which0.out" "$tmp/which0.err"

cat >"$conf" <<'POL'
# the system policy
[policy]
min_version = 1.3
ciphers = TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256
groups = x25519, secp256r1
min_rsa_bits = 3072
POL

"$TLSPLUG" which >"$tmp/which.out" 2>"$tmp/which.err"
if grep -qx "policy:         $conf" "$tmp/which.out" &&
   grep -qx '  min_version   TLSv1.3 (line 3)' "$tmp/which.out" &&
   grep -qx '  groups        x25519, secp256r1 (line 5)' "$tmp/which.out" &&
   grep -qx '  min_rsa_bits  3072 (line 6)' "$tmp/which.out"; then
	pass "which shows the policy"
else
	fail "which does not show the policy" "$tmp/which.out" "$tmp/which.err"
fi
for b in $BACKENDS; do
	"$TLSPLUG" info "$b" --json >"$tmp/info-$b.json" 2>"$tmp/info-$b.err"
	grep -q '"policy": {"file": ".*tlsplug.conf", "min_version": {"value": "TLSv1.3", "line": 3}' \
		"$tmp/info-$b.json" && pass "info $b --json shows the policy" ||
		fail "info $b: no policy" "$tmp/info-$b.json"
done

for b in $BACKENDS; do
	# Below the floor: refused, naming the file and line.
	n=$b-min12
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
		--min-version 1.2
	expect_category "$n" POLICY &&
	expect_err_has "$n" "lowest version TLSv1.2 is below the system policy's min_version TLSv1.3 ($conf:3)"
	n=$b-cipher
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
		--ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	expect_category "$n" POLICY &&
	expect_err_has "$n" "($conf:4)"
	if lacks "$b" tls1_3 "the TLS 1.3 policy's other checks (a TLS" \
	    "1.2 policy's below instead)"; then
		# Nothing this policy allows is within its reach: serve and
		# connect are refused, naming the policy, never let through.
		n=$b-serve-v13-only
		if try_serve "$n" --backend "$b" --cert "$C/ecdsa.pem" \
		    --key "$C/ecdsa.key"; then
			fail "$n: serve started under a TLS 1.3-only policy" \
				"$tmp/$n.err"
			stop_serve
		else
			wait "$serve_pid" 2>/dev/null
			grep -q "^tlsplug: POLICY: .*($conf:[0-9]*)" \
				"$tmp/$n.err" && pass "$n: refused" ||
				fail "$n: not refused by the policy" \
					"$tmp/$n.err"
		fi
		n=$b-connect-v13-only
		start_s_server "s-$n" -rev -cert "$C/ecdsa.pem" \
			-key "$C/ecdsa.key" -cert_chain "$C/int.pem" || continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" POLICY && expect_err_has "$n" "($conf:"
		stop_peer
		continue
	fi
	n=$b-serve-rsa
	if try_serve "$n" --backend "$b" --cert "$C/rsa.pem" \
	    --key "$C/rsa.key"; then
		fail "$n: serve started with a 2048-bit RSA key" "$tmp/$n.err"
		stop_serve
	else
		wait "$serve_pid" 2>/dev/null
		grep -q "^tlsplug: POLICY: .*2048-bit RSA key, below the system policy's min_rsa_bits 3072 ($conf:6)" \
			"$tmp/$n.err" && pass "$n" ||
			fail "$n: not refused by the policy" "$tmp/$n.err"
	fi

	# Defaults raised, and honoured: against s_server (no policy)
	# offering TLS 1.2 only the handshake fails; with 1.3, it is 1.3.
	n=$b-raised-vs-tls12
	start_s_server "s-$n" -rev -tls1_2 -cert "$C/ecdsa.pem" \
		-key "$C/ecdsa.key" -cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	[ "$status" -eq 1 ] && pass "$n: refused a TLS 1.2 server" ||
		fail "$n: connect exited $status" "$tmp/$n.err"
	stop_peer
	n=$b-raised-vs-tls13
	start_s_server "s-$n" -rev -cert "$C/ecdsa.pem" -key "$C/ecdsa.key" \
		-cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	expect_ok "$n" && expect_err_has "$n" "version=TLSv1.3 cipher=TLS_AES_"
	stop_peer
	# A peer's RSA key below the floor.
	n=$b-peer-rsa
	start_s_server "s-$n" -rev -cert "$C/rsa.pem" -key "$C/rsa.key" \
		-cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	expect_category "$n" POLICY && expect_err_has "$n" "2048-bit RSA key"
	stop_peer
done

# --- a TLS 1.2 policy, for the backends without TLS 1.3 ----------------
# The same floor checks as above at TLS 1.2: the policy's suites are the
# raised default (its lowest version is tlsplug's own), and its groups
# line is there only for a backend that sets groups (one without is
# refused under any groups policy: tests/check_policy).
for b in $BACKENDS; do
	has_cap "$b" tls1_3 && continue
	cat >"$conf" <<'POL'
# a TLS 1.2 system policy
[policy]
min_version = 1.2
ciphers = TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
min_rsa_bits = 3072
POL
	lacks "$b" groups "the groups line of the TLS 1.2 policy" ||
		printf 'groups = x25519, secp256r1\n' >>"$conf"
	n=$b-v12-min11
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
		--min-version 1.1
	expect_category "$n" POLICY &&
	expect_err_has "$n" "lowest version TLSv1.1 is below the system policy's min_version TLSv1.2 ($conf:3)"
	n=$b-v12-cipher
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
		--ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	expect_category "$n" POLICY && expect_err_has "$n" "($conf:4)"
	n=$b-v12-serve-rsa
	if try_serve "$n" --backend "$b" --cert "$C/rsa.pem" \
	    --key "$C/rsa.key"; then
		fail "$n: serve started with a 2048-bit RSA key" "$tmp/$n.err"
		stop_serve
	else
		wait "$serve_pid" 2>/dev/null
		grep -q "^tlsplug: POLICY: .*2048-bit RSA key, below the system policy's min_rsa_bits 3072 ($conf:5)" \
			"$tmp/$n.err" && pass "$n" ||
			fail "$n: not refused by the policy" "$tmp/$n.err"
	fi
	# Defaults raised, and honoured: against an s_server (no policy)
	# offering only a suite outside the policy the handshake fails;
	# offering its defaults, one of the policy's suites is used.
	n=$b-v12-raised-vs-other-suite
	start_s_server "s-$n" -rev -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
		-cert "$C/ecdsa.pem" -key "$C/ecdsa.key" \
		-cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	[ "$status" -eq 1 ] && pass "$n: refused a suite outside the policy" ||
		fail "$n: connect exited $status" "$tmp/$n.err"
	stop_peer
	n=$b-v12-raised
	start_s_server "s-$n" -rev -cert "$C/ecdsa.pem" -key "$C/ecdsa.key" \
		-cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	expect_ok "$n" && expect_err_has "$n" \
		"version=TLSv1.2 cipher=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 "
	stop_peer
	# A peer's RSA key below the floor.
	n=$b-v12-peer-rsa
	start_s_server "s-$n" -rev -cert "$C/rsa.pem" -key "$C/rsa.key" \
		-cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	expect_category "$n" POLICY && expect_err_has "$n" "2048-bit RSA key"
	stop_peer
done
rm -f "$conf"

# --- the DH floor: s_server's TLS 1.2 DHE group is 2048 bits ----------
# A backend without dh_floor cannot hold its engine to the floor: the
# core leaves it no finite-field DH suite, and refuses the one asked for.
printf '[policy]\nmin_dh_bits = 3072\n' >"$conf"
for b in $BACKENDS; do
	lacks "$b" dh_floor "the engine's own DH floor (the core's" \
		"refusal of DHE suites checked instead)"
	for floor in 3072 none; do
		n=$b-dhe-floor-$floor
		if [ $floor = none ]; then rm -f "$conf"; fi
		start_s_server "s-$n" -rev -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 \
			-cert "$C/rsa.pem" -key "$C/rsa.key" \
			-cert_chain "$C/int.pem" || continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--max-version 1.2 \
			--ciphers TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
		if [ $floor = none ]; then
			expect_ok "$n" &&
			expect_err_has "$n" "cipher=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
		elif ! has_cap "$b" dh_floor; then
			expect_category "$n" POLICY &&
			expect_err_has "$n" "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 uses finite-field Diffie-Hellman, and backend $b cannot hold it to the system policy's min_dh_bits 3072 ($conf:2)"
		else
			[ "$status" -eq 1 ] &&
				pass "$n: a 2048-bit DHE group refused" ||
				fail "$n: connect exited $status" "$tmp/$n.err"
		fi
		stop_peer
		printf '[policy]\nmin_dh_bits = 3072\n' >"$conf"
	done
done
rm -f "$conf"

# --- bad policy lines, and [policy] outside the system file -------------
printf '[policy]\nmin_version = 1.3\nmin_verison = 1.2\n' >"$conf"
"$TLSPLUG" which >"$tmp/typo.out" 2>"$tmp/typo.err"
st=$?
[ $st -eq 1 ] && grep -q "^tlsplug: $conf:3: unknown policy key 'min_verison'" \
	"$tmp/typo.err" && pass "a typo in the policy: file and line" ||
	fail "policy typo: exit $st" "$tmp/typo.err"
for b in $BACKENDS; do
	n=$b-typo
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem"
	expect_category "$n" POLICY &&
	expect_err_has "$n" "$conf:3: unknown policy key 'min_verison'"
done
rm -f "$conf"
mkdir -p "$tmp/xdg/tlsplug"
printf '[default]\nbackend = openssl\n[policy]\nmin_version = 1.0\n' \
	>"$tmp/xdg/tlsplug/tlsplug.conf"
"$TLSPLUG" which >"$tmp/user.out" 2>"$tmp/user.err"
grep -q "tlsplug.conf:3: \[policy\] is honoured only in the system config file" \
	"$tmp/user.err" && pass "[policy] in the user's file is refused" ||
	fail "[policy] in the user's file" "$tmp/user.out" "$tmp/user.err"
rm -f "$tmp/xdg/tlsplug/tlsplug.conf"

# --- each engine's own system configuration ---------------------------
for b in $BACKENDS; do
	case $b in
	openssl)
		cat >"$tmp/openssl.cnf" <<'CNF'
openssl_conf = conf
[conf]
ssl_conf = ssl
[ssl]
system_default = sys
[sys]
MinProtocol = TLSv1.3
CNF
		sysenv="OPENSSL_CONF=$tmp/openssl.cnf" ;;
	gnutls)
		printf '[priorities]\nSYSTEM = NORMAL:-VERS-ALL:+VERS-TLS1.3\n' \
			>"$tmp/gnutls.cfg"
		sysenv="GNUTLS_SYSTEM_PRIORITY_FILE=$tmp/gnutls.cfg" ;;
	*)
		continue ;;
	esac
	# The engine's system setting alone forbids TLS 1.2: asking for
	# it against a 1.2-only server does not get it.
	n=$b-engine-system
	start_s_server "s-$n" -rev -tls1_2 -cert "$C/ecdsa.pem" \
		-key "$C/ecdsa.key" -cert_chain "$C/int.pem" || continue
	env "$sysenv" "$TLSPLUG" connect "127.0.0.1:$peer_port" \
		--backend "$b" --cafile "$C/ca.pem" --servername localhost \
		--max-version 1.2 </dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	st=$?
	# GnuTLS refuses the bounds at once (the versions @SYSTEM allows
	# are known); OpenSSL finds no version to offer.
	if [ $st -eq 1 ] &&
	   grep -Eq '^tlsplug: (UNSUPPORTED: .*@SYSTEM|NO_SHARED_VERSION: .*no protocols available)' \
	       "$tmp/$n.err"; then
		pass "$n: $sysenv keeps TLS 1.2 off"
	else
		fail "$n: connect exited $st under $sysenv" "$tmp/$n.err"
	fi
	stop_peer
	# ... and without it, the same connect works.
	n=$b-engine-default
	start_s_server "s-$n" -rev -tls1_2 -cert "$C/ecdsa.pem" \
		-key "$C/ecdsa.key" -cert_chain "$C/int.pem" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --max-version 1.2
	expect_ok "$n" && expect_err_has "$n" "version=TLSv1.2"
	stop_peer
done
finish
