#!/bin/sh
# `openssl s_client` against `tlsplug serve` with each backend: a verified
# handshake, ALPN, SNI choosing the certificate, mutual TLS, and 1 MiB
# echoed back byte for byte.
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
	stop_serve
	grep -q "sni=beta.example.test" "$tmp/serve-$b.err" ||
		fail "$b: serve did not log the SNI name" "$tmp/serve-$b.err"

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
	stop_serve
	if grep -q 'peer="CN=tlsplug test client"' "$tmp/mtls-$b.err" &&
	   grep -q '^tlsplug: PEER_NO_CERT: client ' "$tmp/mtls-$b.err"; then
		pass "$b-mtls server log"
	else
		fail "$b-mtls: serve log lacks the client or the refusal" \
			"$tmp/mtls-$b.err"
	fi
done
finish
