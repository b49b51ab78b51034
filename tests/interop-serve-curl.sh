#!/bin/sh
# curl against `tlsplug serve --http` (and --echo) with each backend: a verified
# handshake at each version, ALPN, SNI choosing the certificate, mutual
# TLS, and a 1 MiB body sent back byte for byte.  The server's answer to a
# request without a body is its status line for the connection.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog curl
gen_certs
make_data

# cu NAME HOST ARGS...: fetches https://HOST:PORT/ (HOST resolved to
# 127.0.0.1) into $tmp/NAME.out.
cu() {
	cname=$1
	chost=$2
	shift 2
	timeout -k 5 60 curl -sS --max-time 30 --cacert "$C/ca.pem" \
		--resolve "$chost:$serve_port:127.0.0.1" "$@" \
		-o "$tmp/$cname.out" "https://$chost:$serve_port/" \
		2>"$tmp/$cname.err"
	status=$?
}

expect_body_has() {
	if [ "$status" -ne 0 ]; then
		fail "$1: curl exited $status" "$tmp/$1.err"
	elif grep -qF -- "$2" "$tmp/$1.out"; then
		pass "$1"
	else
		fail "$1: answer lacks '$2'" "$tmp/$1.out"
	fi
}

for b in $BACKENDS; do
	start_serve "serve-$b" --backend "$b" --http \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" --alpn h2,http/1.1 \
		--sni alpha.example.test="$C/alpha.pem,$C/alpha.key" \
		--sni beta.example.test="$C/beta.pem,$C/beta.key" || continue

	n=$b-tls1.2
	cu "$n" localhost --http1.1 --tlsv1.2 --tls-max 1.2
	expect_body_has "$n" "backend=$b version=TLSv1.2 "
	n=$b-tls1.3
	cu "$n" localhost --http1.1 --tlsv1.3
	if no_v13 "$b"; then
		# curl asking for TLS 1.3 at least: refused.
		[ "$status" -ne 0 ] && pass "$n refused" ||
			fail "$n: curl got an answer over TLS 1.2" "$tmp/$n.out"
	else
		expect_body_has "$n" "backend=$b version=TLSv1.3 "
	fi

	# curl offers h2 only with --http2; with --http1.1 it offers
	# http/1.1 alone, and the server must pick that.
	n=$b-alpn
	cu "$n" localhost --http1.1
	expect_body_has "$n" " alpn=http/1.1 "

	for name in alpha beta; do
		n=$b-sni-$name
		cu "$n" "$name.example.test" --http1.1
		expect_body_has "$n" " sni=$name.example.test"
	done

	n=$b-big
	cu "$n" localhost --http1.1 --data-binary "@$tmp/big"
	[ "$status" -eq 0 ] ||
		fail "$n: curl exited $status" "$tmp/$n.err"
	expect_same "$tmp/$n.out" "$tmp/big" "$n 1 MiB body back"
	stop_serve
	expect_serve_backend "serve-$b" "$b"

	# The same echo server that line-based clients use answers curl too.
	start_serve "echo-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" || continue
	n=$b-echo
	cu "$n" localhost --http1.1 --data-binary "@$tmp/big"
	[ "$status" -eq 0 ] ||
		fail "$n: curl exited $status" "$tmp/$n.err"
	expect_same "$tmp/$n.out" "$tmp/big" "$n: --echo server answers curl"
	stop_serve
	expect_serve_backend "echo-$b" "$b"

	start_serve "mtls-$b" --backend "$b" --http \
		--cert "$C/rsa.pem" --key "$C/rsa.key" \
		--cafile "$C/ca.pem" --require-client-cert || continue
	n=$b-mtls
	cu "$n" localhost --http1.1 --cert "$C/client.pem" --key "$C/client.key"
	expect_body_has "$n" 'peer="CN=tlsplug test client"'
	n=$b-mtls-nocert
	cu "$n" localhost --http1.1
	[ "$status" -ne 0 ] && pass "$n refused" ||
		fail "$n: accepted without a client certificate" "$tmp/$n.out"
	stop_serve
	expect_serve_backend "mtls-$b" "$b"

	# --quiet: the answers are the same (two requests on one kept-alive
	# connection), but no status line per client is printed.
	start_serve "quiet-$b" --backend "$b" --http --quiet \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" || continue
	n=$b-quiet
	cu "$n" localhost --http1.1 -o "$tmp/$n-2.out" \
		"https://localhost:$serve_port/again"
	expect_body_has "$n" "backend=$b version="
	if grep -qF "backend=$b version=" "$tmp/$n-2.out"; then
		pass "$n: second answer"
	else
		fail "$n: the second answer lacks the status" "$tmp/$n-2.out"
	fi
	stop_serve
	if grep -q '^client=' "$tmp/quiet-$b.err"; then
		fail "$n: --quiet printed a status line" "$tmp/quiet-$b.err"
	elif ! grep -q "^listening on .* backend=$b\$" "$tmp/quiet-$b.err"
	then
		fail "$n: no listening line" "$tmp/quiet-$b.err"
	else
		pass "$n: no status line, listening line kept"
	fi
done
finish
