#!/bin/sh
# The peer's identity against real peers, with each backend: `tlsplug
# connect --pin` against openssl s_server and gnutls-serv (the pin the
# openssl program computed matches; another fails with CERT_PIN naming the
# key's hash), `--peer-chain` written as the server sent it (compared with
# the server's own chain file), and openssl s_client and gnutls-cli, with
# and without a client certificate, against `tlsplug serve
# --request-client-cert` (and an untrusted certificate refused).
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog gnutls-serv gnutls-cli
gen_certs

printf 'hello tlsplug\n' >"$tmp/line"
rsa_pin=$(cat "$C/rsa.pin")
other_pin=$(cat "$C/ecdsa.pin")

# Both peers send rsa.pem as it is on disk: the leaf, then the
# intermediate.  s_server -rev answers each line reversed (without it, its
# empty stdin would end the connection at once), gnutls-serv echoes it.
s_srv() {
	start_s_server "$1" -rev -cert "$C/rsa.pem" -key "$C/rsa.key" \
		-cert_chain "$C/int.pem"
}
g_srv() {
	start_gnutls_serv "$1" --echo --x509certfile "$C/rsa.pem" \
		--x509keyfile "$C/rsa.key"
}

# expect_pin_refused NAME: a backend without pinning refused the pins
# (TLSPLUG_ERR_UNSUPPORTED naming them) before any handshake.
expect_pin_refused() {
	expect_category "$1" UNSUPPORTED &&
		expect_err_has "$1" "does not support public-key pins"
}

# expect_request_refused NAME [ARGS...]: serve on $b with --cafile (and
# ARGS) does not start: the backend cannot request a client certificate
# without requiring one (UNSUPPORTED, naming the mode).
expect_request_refused() {
	n=$1
	shift
	if try_serve "$n" --backend "$b" --echo --cert "$C/rsa.pem" \
	    --key "$C/rsa.key" --cafile "$C/ca.pem" "$@"; then
		fail "$n: serve started, asked to request a certificate" \
			"$tmp/$n.err"
		stop_serve
		return
	fi
	wait "$serve_pid" 2>/dev/null
	grep -q '^tlsplug: UNSUPPORTED: .*client certificate mode "request"' \
		"$tmp/$n.err" && pass "$n: the request refused" ||
		fail "$n: not refused as UNSUPPORTED" "$tmp/$n.err"
}

for b in $BACKENDS; do
	# A backend without pinning: the peer chain alone where pins match,
	# and every pin refused (never ignored).
	pinning=yes
	lacks "$b" pinning "the pin checks (its pins are checked to be" \
		"refused instead)" && pinning=no
	for peer in s_srv g_srv; do
		n=$b-$peer-pin-match
		$peer "p-$n" || continue
		cp "$tmp/line" "$tmp/$n.in"
		if [ $pinning = yes ]; then
			set -- --pin "$other_pin,$rsa_pin"
		else
			set --
		fi
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--peer-chain "$tmp/$n.chain" "$@"
		expect_ok "$n" &&
		expect_same "$tmp/$n.chain" "$C/rsa.pem" "$n peer chain" &&
		[ -s "$tmp/$n.out" ] && pass "$n answered" ||
			fail "$n: no answer" "$tmp/$n.out"
		stop_peer

		n=$b-$peer-pin-mismatch
		$peer "p-$n" || continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--pin "$other_pin"
		if [ $pinning = no ]; then
			expect_pin_refused "$n"
		else
			expect_category "$n" CERT_PIN &&
			expect_err_has "$n" "the peer's key is $rsa_pin" &&
			expect_err_has "$n" "$other_pin"
		fi
		stop_peer

		# Validation off: the pin alone decides.
		n=$b-$peer-pin-no-verify
		$peer "p-$n" || continue
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--no-verify --pin "$other_pin"
		if [ $pinning = no ]; then
			expect_pin_refused "$n"
		else
			expect_category "$n" CERT_PIN
		fi
		stop_peer
	done

	# Bad pins: one precise usage error each, before any connection.
	for bad in 'sha256//not*base64' 'sha256//AAAA' \
	    "$rsa_pin,,$other_pin" 'md5//AAAA'; do
		n=$b-bad-pin
		connect "$n" 127.0.0.1:1 --backend "$b" --pin "$bad"
		if [ "$status" -eq 2 ] &&
		   [ "$(grep -c '^tlsplug: connect: bad --pin: ' "$tmp/$n.err")" \
		     -eq 1 ]; then
			pass "$n '$bad'"
		else
			fail "$n '$bad': exit $status" "$tmp/$n.err"
		fi
	done

	# The configuration file's pins for the host: used without --pin,
	# replaced by it.
	mkdir -p "$XDG_CONFIG_HOME/tlsplug"
	printf '[default]\npin = localhost %s\n' "$other_pin" \
		>"$XDG_CONFIG_HOME/tlsplug/tlsplug.conf"
	n=$b-conf-pin
	s_srv "p-$n" || continue
	cp "$tmp/line" "$tmp/$n.in"
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	if [ $pinning = no ]; then
		expect_pin_refused "$n"
	else
		expect_category "$n" CERT_PIN && expect_err_has "$n" "$other_pin"
	fi
	stop_peer
	n=$b-conf-pin-replaced
	s_srv "p-$n" || continue
	cp "$tmp/line" "$tmp/$n.in"
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --pin "$rsa_pin"
	if [ $pinning = no ]; then
		expect_pin_refused "$n"
	else
		expect_ok "$n"
	fi
	stop_peer

	# A backend that cannot request a certificate without requiring
	# one refuses the request, naming it (below), and sits out the
	# checks of optional client certificates.
	optional=yes
	lacks "$b" optional_client_cert "the optional client certificate" \
		"checks (the request is checked to be refused instead)" &&
		optional=no

	# The file's client_cert makes --cafile alone enough for serve.
	printf '[default]\nclient_cert = request\n' \
		>"$XDG_CONFIG_HOME/tlsplug/tlsplug.conf"
	if [ $optional = no ]; then
		expect_request_refused "conf-serve-$b"
	else
	start_serve "conf-serve-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" --cafile "$C/ca.pem" &&
	{
		n=$b-conf-request
		feed "$n" "$tmp/line" "$OPENSSL" s_client \
			-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
			-verify_return_error -nocommands -servername localhost \
			-quiet -no_ign_eof
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
		stop_serve
		grep -q '^client=.* peer=none ' "$tmp/conf-serve-$b.err" ||
			fail "$n: no client line with peer=none" \
				"$tmp/conf-serve-$b.err"
	}
	fi
	rm -f "$XDG_CONFIG_HOME/tlsplug/tlsplug.conf"
	# Without it, --cafile alone is refused (no accidental requests).
	n=$b-cafile-alone
	timeout -k 5 20 "$TLSPLUG" serve --backend "$b" --port 0 \
		--cert "$C/rsa.pem" \
		--key "$C/rsa.key" --cafile "$C/ca.pem" </dev/null \
		>"$tmp/$n.out" 2>"$tmp/$n.err"
	[ $? -eq 2 ] && grep -q -- '--request-client-cert' "$tmp/$n.err" &&
		pass "$n" || fail "$n: not a usage error" "$tmp/$n.err"
	n=$b-request-and-require
	timeout -k 5 20 "$TLSPLUG" serve --backend "$b" --port 0 \
		--cert "$C/rsa.pem" \
		--key "$C/rsa.key" --cafile "$C/ca.pem" --request-client-cert \
		--require-client-cert </dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	[ $? -eq 2 ] && grep -q 'exclude each other' "$tmp/$n.err" &&
		pass "$n" || fail "$n: not a usage error" "$tmp/$n.err"

	# Client certificates requested, not required.
	if [ $optional = no ]; then
		expect_request_refused "serve-$b" --request-client-cert
		continue
	fi
	start_serve "serve-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" --cafile "$C/ca.pem" --request-client-cert ||
		continue
	for who in none cert; do
		set --
		[ $who = cert ] && set -- -cert "$C/client.pem" \
			-key "$C/client.key" -cert_chain "$C/int.pem"
		n=$b-s_client-$who
		feed "$n" "$tmp/line" "$OPENSSL" s_client \
			-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
			-verify_return_error -nocommands -servername localhost \
			-quiet -no_ign_eof "$@"
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"

		set --
		[ $who = cert ] && set -- --x509certfile "$C/client.pem" \
			--x509keyfile "$C/client.key"
		n=$b-gnutls-cli-$who
		feed "$n" "$tmp/line" gnutls-cli -p "$serve_port" \
			--x509cafile "$C/ca.pem" --sni-hostname localhost \
			--verify-hostname localhost --logfile "$tmp/$n.log" \
			"$@" 127.0.0.1
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
	done
	# An untrusted certificate is refused, even though optional.
	n=$b-s_client-untrusted
	feed "$n" "$tmp/line" "$OPENSSL" s_client \
		-connect "127.0.0.1:$serve_port" -CAfile "$C/ca.pem" \
		-nocommands -servername localhost -quiet -no_ign_eof \
		-cert "$C/untrusted.pem" -key "$C/untrusted.key"
	[ -s "$tmp/$n.out" ] &&
		fail "$n: data echoed to an untrusted client" "$tmp/$n.out"
	stop_serve
	expect_serve_backend "serve-$b" "$b"
	log=$tmp/serve-$b.err
	clients=$(grep -c '^client=' "$log")
	none=$(grep -c '^client=.* peer=none ' "$log")
	with=$(grep -c '^client=.* peer="CN=tlsplug test client" ' "$log")
	if [ "$clients" -eq 4 ] && [ "$none" -eq 2 ] && [ "$with" -eq 2 ]; then
		pass "$b: 2 clients without a certificate, 2 with"
	else
		fail "$b: $clients clients, $none peer=none, $with with the" \
			"client's subject (expected 4, 2, 2)" "$log"
	fi
	grep -q '^tlsplug: CERT_UNTRUSTED: client ' "$log" &&
		pass "$b: untrusted client certificate refused" ||
		fail "$b: no CERT_UNTRUSTED for the untrusted client" "$log"
done
finish
