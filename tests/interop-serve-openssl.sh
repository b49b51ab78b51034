#!/bin/sh
# `openssl s_client` against `tlsplug serve` with each backend: a verified
# handshake, ALPN, SNI choosing the certificate, the server's cipher suite
# order, TLS 1.0 and 1.1 (where the backend declares them), mutual TLS,
# 1 MiB echoed back byte for byte, HTTP requests with bare-LF lines and
# requests sent one byte per record; every serve log must show that the
# backend asked for served every client.
. "${top_srcdir:-.}/tests/interop-lib.sh"
gen_certs
make_data

sc() {
	"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
		-CAfile "$C/ca.pem" -verify_return_error -nocommands "$@"
}

for b in $BACKENDS; do
	start_serve "serve-$b" --backend "$b" --echo \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" --alpn h2,http/1.1 \
		--sni alpha.example.test="$C/alpha.pem,$C/alpha.key" \
		--sni beta.example.test="$C/beta.pem,$C/beta.key" || continue

	for v in 1_2 1_3; do
		n=$b-line-tls$v
		feed "$n" "$tmp/line" "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" -verify_return_error -nocommands -servername localhost \
			-verify_hostname localhost -quiet -no_ign_eof -tls$v
		if [ $v = 1_3 ] && no_v13 "$b"; then
			# A TLS 1.3-only client: refused (checked in the
			# serve log below), nothing echoed.
			[ "$status" -ne 0 ] && [ ! -s "$tmp/$n.out" ] &&
				pass "$n refused" ||
				fail "$n: s_client exited $status" "$tmp/$n.err"
			continue
		fi
		[ "$status" -eq 0 ] && pass "$n" ||
			fail "$n: s_client exited $status" "$tmp/$n.err"
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
	done

	n=$b-big
	feed "$n" "$tmp/big" "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" -verify_return_error -nocommands -servername localhost \
		-verify_hostname localhost -quiet -no_ign_eof
	expect_same "$tmp/$n.out" "$tmp/big" "$n 1 MiB echo"

	n=$b-alpn
	sc -servername localhost -alpn http/1.1,h2 </dev/null \
		>"$tmp/$n.out" 2>"$tmp/$n.err"
	grep -q '^ALPN protocol: h2$' "$tmp/$n.out" && pass "$n" ||
		fail "$n: server did not pick h2" "$tmp/$n.out"

	# RFC 7301 3.2: nothing in common is the fatal alert, which the
	# client reads (not a reset); serve logs NO_SHARED_ALPN (below).
	n=$b-alpn-mismatch
	sc -servername localhost -alpn foo,bar </dev/null \
		>"$tmp/$n.out" 2>"$tmp/$n.err"
	grep -q 'alert no application protocol' "$tmp/$n.err" && pass "$n" ||
		fail "$n: s_client did not get no_application_protocol" \
			"$tmp/$n.err"

	for name in alpha beta localhost; do
		n=$b-sni-$name
		host=$name
		[ $name = localhost ] || host=$name.example.test
		subject=$name
		[ $name = localhost ] && subject=ecdsa
		sc -servername "$host" -verify_hostname "$host" </dev/null \
			>"$tmp/$n.out" 2>"$tmp/$n.err"
		st=$?
		if [ $st -eq 0 ] &&
		   grep -q "^subject=CN *= *tlsplug test $subject\$" "$tmp/$n.out"
		then
			pass "$n"
		else
			fail "$n: s_client $st, wrong or unverified certificate" \
				"$tmp/$n.out" "$tmp/$n.err"
		fi
	done
	# An HTTP request whose lines end in a bare LF (RFC 9112 section 2.2
	# lets a server accept it) is answered, not waited on.
	n=$b-bare-lf
	printf 'GET / HTTP/1.0\n\n' | timeout 30 "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
		-verify_return_error -nocommands -servername localhost -quiet \
		-ign_eof >"$tmp/$n.out" 2>"$tmp/$n.err"
	grep -q '^HTTP/1.1 200 OK' "$tmp/$n.out" &&
	grep -q "^client=.* backend=$b " "$tmp/$n.out" && pass "$n" ||
		fail "$n: no HTTP answer" "$tmp/$n.out" "$tmp/$n.err"

	# One byte per TLS record (tools/soak-client writes the records):
	# the HTTP-or-echo choice waits for the whole method token.
	if command -v python3 >/dev/null 2>&1; then
		rec() {
			timeout 60 python3 "$top_srcdir/tools/soak-client" \
				records "$serve_port" "$C/ca.pem" "$1" \
				>"$tmp/$n.out" 2>"$tmp/$n.err"
		}
		n=$b-records-get
		rec 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
		grep -q "^client=.* backend=$b " "$tmp/$n.out" &&
			pass "$n" || fail "$n: no HTTP answer" "$tmp/$n.out" \
			"$tmp/$n.err"
		n=$b-records-put
		rec 'PUT / HTTP/1.1\nContent-Length: 5\n\nabcde'
		[ "$(tail -c 5 "$tmp/$n.out")" = abcde ] &&
		grep -q '^HTTP/1.1 200 OK' "$tmp/$n.out" && pass "$n" ||
			fail "$n: body not sent back" "$tmp/$n.out" \
			"$tmp/$n.err"
		n=$b-records-echo
		rec 'GETTING there\n'
		printf 'GETTING there\n' >"$tmp/$n.want"
		expect_same "$tmp/$n.out" "$tmp/$n.want" "$n"
	elif [ "${CI:-}" = true ]; then
		fail "python3 is needed for the one-byte-record checks"
	else
		echo "SKIP: $b one-byte records (no python3)"
	fi

	stop_serve
	expect_serve_backend "serve-$b" "$b"
	grep -q "sni=beta.example.test" "$tmp/serve-$b.err" ||
		fail "$b: serve did not log the SNI name" "$tmp/serve-$b.err"
	grep -q '^tlsplug: NO_SHARED_ALPN: client .*the client offers foo,bar' \
		"$tmp/serve-$b.err" && pass "$b: serve logged the ALPN refusal" ||
		fail "$b: serve did not log NO_SHARED_ALPN" "$tmp/serve-$b.err"

	# alpn_mismatch = continue (tlsplug.conf): served without ALPN.
	printf '[default]\nalpn_mismatch = continue\n' >"$tmp/continue.conf"
	TLSPLUG_CONF=$tmp/continue.conf
	export TLSPLUG_CONF
	start_serve "alpn-continue-$b" --backend "$b" \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" --alpn h2
	unset TLSPLUG_CONF
	if [ -n "$serve_port" ]; then
		n=$b-alpn-continue
		sc -servername localhost -alpn foo </dev/null \
			>"$tmp/$n.out" 2>"$tmp/$n.err"
		grep -q '^No ALPN negotiated$' "$tmp/$n.out" &&
		grep -q '^ *Verify return code: 0 ' "$tmp/$n.out" && pass "$n" ||
			fail "$n: not served without ALPN" "$tmp/$n.out" \
				"$tmp/$n.err" "$tmp/alpn-continue-$b.err"
		stop_serve
		grep -q "^client=.* backend=$b .* alpn=none " \
			"$tmp/alpn-continue-$b.err" ||
			fail "$n: serve log has no client without ALPN" \
				"$tmp/alpn-continue-$b.err"
	fi
	if no_v13 "$b"; then
		grep -q '^tlsplug: NO_SHARED_VERSION: client ' \
			"$tmp/serve-$b.err" && pass "$b: TLS 1.3 client refused" ||
			fail "$b: serve did not refuse the TLS 1.3 client" \
				"$tmp/serve-$b.err"
	fi

	# Cipher suite order: the server takes its first suite from an
	# s_client that prefers the other (s_client says which it got).  Both
	# orders of two suites, at TLS 1.2 and 1.3.  A backend without
	# cipher_order may refuse an order it cannot reproduce
	# (UNSUPPORTED), never use another.
	for o in \
	    1.2:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:ECDHE-ECDSA-AES256-GCM-SHA384 \
	    1.2:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256 \
	    1.3:TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_256_GCM_SHA384 \
	    1.3:TLS_AES_256_GCM_SHA384:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256
	do
		# version, first suite (IANA, OpenSSL name), second suite
		set -- $(echo "$o" | tr ':' ' ')
		v=$1 first=$2 ofirst=$3 second=$4 osecond=$5
		n=$b-order-$v-$ofirst
		if ! try_serve "$n" --backend "$b" --echo \
		    --cert "$C/ecdsa.pem" --key "$C/ecdsa.key" \
		    --min-version $v --max-version $v --ciphers "$first,$second"
		then
			if { ! has_cap "$b" cipher_order ||
			     { [ $v = 1.3 ] && no_v13 "$b"; }; } &&
			   grep -q '^tlsplug: UNSUPPORTED: ' "$tmp/$n.err"; then
				pass "$n: refused"
			else
				fail "$n: serve did not start" "$tmp/$n.err"
			fi
			continue
		fi
		if [ $v = 1.2 ]; then
			offer="-tls1_2 -cipher $osecond:$ofirst"
		else
			offer="-tls1_3 -ciphersuites $osecond:$ofirst"
		fi
		sc -servername localhost -brief $offer </dev/null \
			>"$tmp/$n.out" 2>&1
		stop_serve
		if grep -qx "Ciphersuite: $ofirst" "$tmp/$n.out" &&
		   grep -q "^client=.* backend=$b version=TLSv$v cipher=$first " \
		       "$tmp/$n.err"; then
			pass "$n: server picked $ofirst"
		else
			fail "$n: the server did not pick $ofirst" "$tmp/$n.out" \
				"$tmp/$n.err"
		fi
	done

	# TLS 1.0 and 1.1 (s_client needs security level 0 for them):
	# served by a backend that declares them; one that does not refuses
	# the bounds (UNSUPPORTED) and does not start.
	for v in 1.0 1.1; do
		n=$b-tls$v
		if [ $v = 1.0 ]; then flag=-tls1; name=TLSv1; else
			flag=-tls1_1; name=TLSv1.1; fi
		if ! try_serve "$n" --backend "$b" --echo \
		    --cert "$C/rsa.pem" --key "$C/rsa.key" \
		    --min-version $v --max-version $v; then
			if ! has_cap "$b" "tls1_${v#1.}" &&
			   grep -q '^tlsplug: UNSUPPORTED: ' "$tmp/$n.err"; then
				pass "$n refused"
			else
				fail "$n: serve did not start" "$tmp/$n.err"
			fi
			continue
		fi
		has_cap "$b" "tls1_${v#1.}" ||
			fail "$n: serve started without declaring tls1_${v#1.}"
		feed "$n-c" "$tmp/line" "$OPENSSL" s_client \
			-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
			-verify_return_error -nocommands -servername localhost \
			-verify_hostname localhost -quiet -no_ign_eof \
			$flag -cipher DEFAULT@SECLEVEL=0
		stop_serve
		expect_same "$tmp/$n-c.out" "$tmp/line" "$n echo"
		grep -q "^client=.* backend=$b version=$name " "$tmp/$n.err" &&
			pass "$n: served at $name" ||
			fail "$n: not served at $name" "$tmp/$n.err"
	done

	# Mutual TLS.
	start_serve "mtls-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" \
		--cafile "$C/ca.pem" --require-client-cert || continue
	n=$b-mtls
	feed "$n" "$tmp/line" "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" -verify_return_error -nocommands -servername localhost -quiet -no_ign_eof \
		-cert "$C/client.pem" -key "$C/client.key" -cert_chain "$C/int.pem"
	expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
	n=$b-mtls-nocert
	feed "$n" "$tmp/line" "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" -verify_return_error -nocommands -servername localhost -quiet -no_ign_eof
	[ -s "$tmp/$n.out" ] &&
		fail "$n: data echoed without a client certificate" "$tmp/$n.out"
	if ! no_v13 "$b"; then
		# TLS 1.3: the server refuses after the client's Finished,
		# with 1 MiB of the client's data unread; closing must not
		# turn its certificate_required alert into a reset.
		n=$b-mtls-nocert-in-flight
		(cat "$tmp/big"; sleep 2) | timeout -k 5 20 "$OPENSSL" s_client \
			-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
			-nocommands -servername localhost -quiet -no_ign_eof \
			-tls1_3 >"$tmp/$n.out" 2>"$tmp/$n.err"
		grep -q 'alert certificate required' "$tmp/$n.err" &&
			pass "$n" ||
			fail "$n: s_client did not read the server's alert" \
				"$tmp/$n.err"
	fi
	stop_serve
	expect_serve_backend "mtls-$b" "$b"
	if grep -q 'peer="CN=tlsplug test client"' "$tmp/mtls-$b.err" &&
	   grep -q '^tlsplug: PEER_NO_CERT: client ' "$tmp/mtls-$b.err"; then
		pass "$b-mtls server log"
	else
		fail "$b-mtls: serve log lacks the client or the refusal" \
			"$tmp/mtls-$b.err"
	fi
done
finish
