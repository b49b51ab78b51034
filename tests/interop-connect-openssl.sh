#!/bin/sh
# `tlsplug connect`, with each backend, against `openssl s_server`: TLS 1.2
# only, TLS 1.3 only (a backend without TLS 1.3 must fail with the version
# category), TLS 1.0 and 1.1 (where the backend declares them),
# the order of the suites the client offers, ALPN, client certificates, SNI
# virtual hosts (the certificate s_server picks by the name sent), and
# servers presenting bad certificates (each must fail with its own
# category).
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
		if [ $v = 1.3 ] && no_v13 "$b"; then
			# A TLS 1.2 engine against a TLS 1.3-only server.
			expect_version_refused "$n"
			stop_peer
			continue
		fi
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

	# TLS 1.0 and 1.1, against an s_server that allows them (security
	# level 0: their handshake signatures use SHA-1/MD5): negotiated by a
	# backend that declares them, refused (UNSUPPORTED) by one that does
	# not.
	for v in 1.0 1.1; do
		n=$b-tls$v
		if [ $v = 1.0 ]; then flag=-tls1; name=TLSv1; else
			flag=-tls1_1; name=TLSv1.1; fi
		srv rsa "s-$n" $flag -cipher DEFAULT@SECLEVEL=0 || continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version $v --max-version $v
		if has_cap "$b" "tls1_${v#1.}"; then
			expect_ok "$n" &&
			expect_err_has "$n" "backend=$b version=$name cipher=TLS_" &&
			expect_same "$tmp/$n.out" "$tmp/line.rev" "$n data"
		else
			expect_category "$n" UNSUPPORTED
		fi
		stop_peer
	done

	# Cipher suite order, seen by the peer: s_server (which follows the
	# client's preference) prints the list the client offered, and the
	# client must have got its first suite.  Both orders of two suites,
	# at TLS 1.2 and 1.3.  A backend without cipher_order may refuse an
	# order it cannot reproduce (UNSUPPORTED), never offer another.
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
		if [ $v = 1.2 ]; then
			srv ecdsa "s-$n" -tls1_2 -cipher "$osecond:$ofirst" ||
				continue
		else
			srv ecdsa "s-$n" -tls1_3 -ciphersuites "$osecond:$ofirst" ||
				continue
		fi
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version $v --max-version $v --ciphers "$first,$second"
		if [ $v = 1.3 ] && no_v13 "$b"; then
			stop_peer
			expect_category "$n" UNSUPPORTED
			continue
		fi
		wait_peer
		if [ "$status" -eq 1 ] && ! has_cap "$b" cipher_order; then
			expect_category "$n" UNSUPPORTED
		elif expect_ok "$n" &&
		     expect_err_has "$n" " cipher=$first "; then
			# (s_server writes that list on stderr; the
			# renegotiation signal is no suite)
			if cat "$tmp/s-$n.out" "$tmp/s-$n.err" |
			   sed 's/:TLS_EMPTY_RENEGOTIATION_INFO_SCSV$//' |
			   grep -qx "Client cipher list: $ofirst:$osecond"; then
				pass "$n: offered $ofirst:$osecond"
			else
				fail "$n: the client did not offer exactly" \
				    "$ofirst:$osecond" "$tmp/s-$n.err"
			fi
		fi
	done

	for v in 2 3; do
		n=$b-clientcert-tls1.$v
		srv ecdsa "s-$n" -tls1_$v -Verify 1 -CAfile "$C/ca.pem" ||
			continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--cert "$C/client.pem" --key "$C/client.key"
		if [ $v = 3 ] && no_v13 "$b"; then
			expect_version_refused "$n"
			stop_peer
			continue
		fi
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

	# SNI virtual hosts: s_server answers alpha.example.test with the
	# alpha certificate and any other name with its default one, so the
	# client must send the name it was given.  s_server sends no chain
	# with -cert2: the client trusts alpha's issuer (int.pem) directly.
	cat "$C/ca.pem" "$C/int.pem" >"$tmp/ca+int.pem"
	for vhost in alpha.example.test:alpha localhost:ecdsa; do
		host=${vhost%%:*}
		n=$b-vhost-$host
		srv ecdsa "s-$n" -servername alpha.example.test \
			-cert2 "$C/alpha.pem" -key2 "$C/alpha.key" || continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$tmp/ca+int.pem" --servername "$host"
		expect_ok "$n" &&
		expect_err_has "$n" "peer=\"CN=tlsplug test ${vhost#*:}\"" &&
		expect_same "$tmp/$n.out" "$tmp/line.rev" "$n data"
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
