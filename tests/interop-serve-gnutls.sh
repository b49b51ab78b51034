#!/bin/sh
# `gnutls-cli` against `tlsplug serve` with each backend: a verified
# handshake, ALPN, SNI choosing the certificate, mutual TLS, and 1 MiB
# echoed back byte for byte.
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
	grep -q "sni=alpha.example.test" "$tmp/serve-$b.err" ||
		fail "$b: serve did not log the SNI name" "$tmp/serve-$b.err"

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
