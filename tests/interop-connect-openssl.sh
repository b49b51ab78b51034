#!/bin/sh
# `tlsplug connect`, with each backend, against `openssl s_server`: TLS 1.2
# only, TLS 1.3 only, ALPN, client certificates, and servers presenting bad
# certificates (each must fail with its own category).
. "${top_srcdir:-.}/tests/interop-lib.sh"
gen_certs

# s_server -rev answers each line reversed; -cert_chain sends the
# intermediate along with the leaf.
srv() {
	leaf=$1
	shift
	start_s_server "$@" -rev -cert "$C/$leaf.pem" -key "$C/$leaf.key" \
		-cert_chain "$C/int.pem"
}

printf 'hello tlsplug\n' >"$tmp/line"
printf 'gulpslt olleh\n' >"$tmp/line.rev"

for b in $BACKENDS; do
	for v in 1.2 1.3; do
		n=$b-tls$v
		srv ecdsa "s-$n" "-tls1_$(echo $v | cut -c3)" || continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_ok "$n" &&
		expect_err_has "$n" "backend=$b version=TLSv$v cipher=TLS_" &&
		expect_err_has "$n" 'alpn=none peer="CN=tlsplug test ecdsa"' &&
		expect_same "$tmp/$n.out" "$tmp/line.rev" "$n data"
		stop_peer
	done

	# Our bounds against a server that only has the other version.
	n=$b-min13-vs-tls12
	srv ecdsa "s-$n" -tls1_2 || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --min-version TLSv1_3
	[ "$status" -eq 1 ] && pass "$n" ||
		fail "$n: connect exited $status, expected 1" "$tmp/$n.err"
	stop_peer

	n=$b-alpn
	srv ecdsa "s-$n" -alpn h2,http/1.1 || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --alpn h2,http/1.1
	expect_ok "$n" && expect_err_has "$n" " alpn=h2 "
	stop_peer

	n=$b-cipher
	srv ecdsa "s-$n" -tls1_2 || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 --max-version 1.2
	expect_ok "$n" &&
	expect_err_has "$n" " cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 "
	stop_peer

	for v in 2 3; do
		n=$b-clientcert-tls1.$v
		srv ecdsa "s-$n" -tls1_$v -Verify 1 -CAfile "$C/ca.pem" ||
			continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--cert "$C/client.pem" --key "$C/client.key"
		expect_ok "$n" &&
		expect_same "$tmp/$n.out" "$tmp/line.rev" "$n data"
		stop_peer

		# Without one the server refuses us (in TLS 1.3 after our
		# side of the handshake is done: connect must read to see it).
		n=$b-noclientcert-tls1.$v
		srv ecdsa "s-$n" -tls1_$v -Verify 1 -CAfile "$C/ca.pem" ||
			continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" ALERT_RECEIVED
		stop_peer
	done

	for bad in expired:CERT_EXPIRED wronghost:CERT_HOSTNAME \
	           selfsigned:CERT_SELF_SIGNED untrusted:CERT_UNTRUSTED; do
		leaf=${bad%%:*}
		n=$b-$leaf
		srv "$leaf" "s-$n" || continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" "${bad#*:}"
		stop_peer
	done

	# --no-verify accepts the self-signed server.
	n=$b-noverify
	srv selfsigned "s-$n" || continue
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" --no-verify
	expect_ok "$n"
	stop_peer
done
finish
