#!/bin/sh
# `tlsplug connect`, with each backend, against `gnutls-serv --echo`: TLS
# 1.2 only, TLS 1.3 only, TLS 1.0 and 1.1 (where the backend declares
# them), ALPN, client certificates, and servers presenting bad
# certificates (each must fail with its own category).
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog gnutls-serv
gen_certs

# gnutls-serv sends the whole chain of the certificate file.  It serves
# many clients, so each configuration is started once for every backend.
srv() {
	leaf=$1
	name=$2
	shift 2
	start_gnutls_serv "$name" --echo --x509certfile "$C/$leaf.pem" \
		--x509keyfile "$C/$leaf.key" "$@"
}

printf 'hello tlsplug\nsecond line\n' >"$tmp/lines"
tls12='NORMAL:-VERS-ALL:+VERS-TLS1.2'
tls13='NORMAL:-VERS-ALL:+VERS-TLS1.3'

for v in 1.2 1.3; do
	if [ $v = 1.2 ]; then prio=$tls12; else prio=$tls13; fi
	srv ecdsa "g-tls$v" --priority "$prio" || continue
	for b in $BACKENDS; do
		n=$b-tls$v
		cp "$tmp/lines" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		if [ $v = 1.3 ] && no_v13 "$b"; then
			# A TLS 1.2 engine against a TLS 1.3-only gnutls-serv,
			# which answers with handshake_failure (as it does
			# every client held to TLS 1.2).
			expect_category "$n" ALERT_RECEIVED
			continue
		fi
		expect_ok "$n" &&
		expect_err_has "$n" "backend=$b version=TLSv$v cipher=TLS_" &&
		expect_err_has "$n" 'peer="CN=tlsplug test ecdsa"' &&
		expect_same "$tmp/$n.out" "$tmp/lines" "$n data"
	done
	stop_peer
done

# TLS 1.0 and 1.1, against a gnutls-serv that allows them: a backend that
# declares them negotiates them; one that does not refuses the bounds
# (UNSUPPORTED) before it connects.
for v in 1.0 1.1; do
	srv rsa "g-tls$v" --priority "NORMAL:-VERS-ALL:+VERS-TLS$v" || continue
	name=TLSv$v
	[ $v = 1.0 ] && name=TLSv1
	for b in $BACKENDS; do
		n=$b-tls$v
		cp "$tmp/lines" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version $v --max-version $v
		if has_cap "$b" "tls1_${v#1.}"; then
			expect_ok "$n" &&
			expect_err_has "$n" "backend=$b version=$name cipher=TLS_" &&
			expect_same "$tmp/$n.out" "$tmp/lines" "$n data"
		else
			expect_category "$n" UNSUPPORTED
		fi
	done
	stop_peer
done

srv ecdsa g-alpn --alpn h2 --alpn http/1.1 || :
for b in $BACKENDS; do
	[ -n "$peer_port" ] || break
	n=$b-alpn
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --alpn h2,http/1.1
	expect_ok "$n" && expect_err_has "$n" " alpn=h2 "
done
stop_peer

for v in 1.2 1.3; do
	if [ $v = 1.2 ]; then prio=$tls12; else prio=$tls13; fi
	srv ecdsa "g-clientcert-$v" --priority "$prio" \
		--require-client-cert --x509cafile "$C/ca.pem" || continue
	for b in $BACKENDS; do
		n=$b-clientcert-tls$v
		cp "$tmp/lines" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--cert "$C/client.pem" --key "$C/client.key"
		if [ $v = 1.3 ] && no_v13 "$b"; then
			expect_category "$n" ALERT_RECEIVED
			continue
		fi
		expect_ok "$n" &&
		expect_same "$tmp/$n.out" "$tmp/lines" "$n data"

		n=$b-noclientcert-tls$v
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" ALERT_RECEIVED
	done
	stop_peer
done

for bad in expired:CERT_EXPIRED wronghost:CERT_HOSTNAME \
           selfsigned:CERT_SELF_SIGNED untrusted:CERT_UNTRUSTED; do
	leaf=${bad%%:*}
	srv "$leaf" "g-$leaf" || continue
	for b in $BACKENDS; do
		n=$b-$leaf
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" "${bad#*:}"
	done
	stop_peer
done
finish
