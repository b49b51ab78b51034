#!/bin/sh
# `gnutls-cli` against `tlsplug serve` with each backend: a verified
# handshake, ALPN, SNI choosing the certificate, TLS 1.0 and 1.1 (where the
# backend declares them), mutual TLS, and 1 MiB echoed back byte for byte;
# every serve log must show that the backend asked for served every client.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog gnutls-cli
gen_certs
make_data

# gnutls-cli NAME HOST ARGS...: informational messages go to NAME.log,
# so stdout holds only the data.
gcli() {
	gname=$1
	ghost=$2
	shift 2
	feed "$gname" "$tmp/$gname.in" gnutls-cli -p "$serve_port" \
		--x509cafile "$C/ca.pem" --sni-hostname "$ghost" \
		--verify-hostname "$ghost" --logfile "$tmp/$gname.log" \
		"$@" 127.0.0.1
}

for b in $BACKENDS; do
	start_serve "serve-$b" --backend "$b" --echo \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" --alpn h2,http/1.1 \
		--sni alpha.example.test="$C/alpha.pem,$C/alpha.key" \
		--sni beta.example.test="$C/beta.pem,$C/beta.key" || continue

	for v in 1.2 1.3; do
		n=$b-line-tls$v
		cp "$tmp/line" "$tmp/$n.in"
		gcli "$n" localhost --priority "NORMAL:-VERS-ALL:+VERS-TLS$v"
		if [ $v = 1.3 ] && no_v13 "$b"; then
			# A TLS 1.3-only client: refused, nothing echoed.
			[ "$status" -ne 0 ] && [ ! -s "$tmp/$n.out" ] &&
				pass "$n refused" ||
				fail "$n: gnutls-cli exited $status" \
					"$tmp/$n.log" "$tmp/$n.err"
			continue
		fi
		[ "$status" -eq 0 ] && pass "$n" ||
			fail "$n: gnutls-cli exited $status" "$tmp/$n.log" \
				"$tmp/$n.err"
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
		grep -q "(TLS$v-" "$tmp/$n.log" ||
			fail "$n: not TLS $v" "$tmp/$n.log"
	done

	n=$b-big
	cp "$tmp/big" "$tmp/$n.in"
	gcli "$n" localhost
	expect_same "$tmp/$n.out" "$tmp/big" "$n 1 MiB echo"

	n=$b-alpn
	cp "$tmp/line" "$tmp/$n.in"
	gcli "$n" localhost --alpn http/1.1 --alpn h2
	grep -q 'Application protocol: h2' "$tmp/$n.log" && pass "$n" ||
		fail "$n: server did not pick h2" "$tmp/$n.log"

	# RFC 7301 3.2: nothing in common is the fatal alert (120), which
	# gnutls-cli reads (not a reset).
	n=$b-alpn-mismatch
	cp "$tmp/line" "$tmp/$n.in"
	gcli "$n" localhost --alpn foo
	[ "$status" -ne 0 ] && grep -q 'Received alert \[120\]' "$tmp/$n.err" \
		"$tmp/$n.log" && pass "$n" ||
		fail "$n: gnutls-cli did not get no_application_protocol" \
			"$tmp/$n.err" "$tmp/$n.log"

	for name in alpha beta; do
		n=$b-sni-$name
		cp "$tmp/line" "$tmp/$n.in"
		gcli "$n" "$name.example.test"
		if [ "$status" -eq 0 ] &&
		   grep -q "subject .CN=tlsplug test $name'" "$tmp/$n.log"; then
			pass "$n"
		else
			fail "$n: wrong or unverified certificate" "$tmp/$n.log"
		fi
	done
	stop_serve
	expect_serve_backend "serve-$b" "$b"
	grep -q "sni=alpha.example.test" "$tmp/serve-$b.err" ||
		fail "$b: serve did not log the SNI name" "$tmp/serve-$b.err"

	# TLS 1.0 and 1.1, with a gnutls-cli that allows them: served by a
	# backend that declares them; one that does not refuses the bounds
	# (UNSUPPORTED) and does not start.
	for v in 1.0 1.1; do
		n=$b-tls$v
		name=TLSv$v
		[ $v = 1.0 ] && name=TLSv1
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
		cp "$tmp/line" "$tmp/$n-c.in"
		gcli "$n-c" localhost --priority "NORMAL:-VERS-ALL:+VERS-TLS$v"
		stop_serve
		expect_same "$tmp/$n-c.out" "$tmp/line" "$n echo"
		grep -q "(TLS$v-" "$tmp/$n-c.log" ||
			fail "$n: gnutls-cli did not see TLS $v" "$tmp/$n-c.log"
		grep -q "^client=.* backend=$b version=$name " "$tmp/$n.err" &&
			pass "$n: served at $name" ||
			fail "$n: not served at $name" "$tmp/$n.err"
	done

	start_serve "mtls-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" \
		--cafile "$C/ca.pem" --require-client-cert || continue
	n=$b-mtls
	cp "$tmp/line" "$tmp/$n.in"
	gcli "$n" localhost --x509certfile "$C/client.pem" \
		--x509keyfile "$C/client.key"
	expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
	n=$b-mtls-nocert
	cp "$tmp/line" "$tmp/$n.in"
	gcli "$n" localhost
	[ "$status" -ne 0 ] && pass "$n refused" ||
		fail "$n: accepted without a client certificate" "$tmp/$n.log"
	if ! no_v13 "$b"; then
		# TLS 1.3: refused after the client's Finished with 1 MiB of
		# its data unread: gnutls-cli reads the alert, not a reset.
		n=$b-mtls-nocert-in-flight
		(cat "$tmp/big"; sleep 2) | timeout -k 5 20 gnutls-cli \
			-p "$serve_port" --x509cafile "$C/ca.pem" \
			--sni-hostname localhost --verify-hostname localhost \
			127.0.0.1 >"$tmp/$n.out" 2>"$tmp/$n.err"
		grep -q 'Received alert \[116\]' "$tmp/$n.err" "$tmp/$n.out" &&
			pass "$n" ||
			fail "$n: gnutls-cli did not read the server's alert" \
				"$tmp/$n.err" "$tmp/$n.out"
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
