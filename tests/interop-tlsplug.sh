#!/bin/sh
# `tlsplug connect` against `tlsplug serve`, every client backend against
# every server backend: the README's exchange, ALPN, SNI, mutual TLS,
# several clients at once (overlapping in time), 1 MiB echoed, IPv6, the
# clean stop on SIGTERM, and the command-line errors (exit 2); every serve
# log must show that the backend asked for served every client.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog python3
gen_certs
make_data

# barrier PREFIX N: waits (20 s at most) until each of PREFIX-0.err ..
# PREFIX-(N-1).err holds a connect's status line, printed once its
# handshake is done; then creates PREFIX.overlap.
barrier() {
	t=0
	while [ $t -lt 200 ]; do
		k=0
		while [ $k -lt "$2" ] &&
		      grep -q '^backend=' "$1-$k.err" 2>/dev/null; do
			k=$((k + 1))
		done
		if [ $k -eq "$2" ]; then
			: >"$1.overlap"
			return 0
		fi
		sleep 0.1
		t=$((t + 1))
	done
	return 1
}

for sb in $BACKENDS; do
	start_serve "serve-$sb" --backend "$sb" --echo \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" --alpn h2,http/1.1 \
		--sni beta.example.test="$C/beta.pem,$C/beta.key" \
		--sni '*.example.test'="$C/wildcard.pem,$C/wildcard.key" ||
		continue
	for cb in $BACKENDS; do
		n=$cb-to-$sb
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
			--cafile "$C/ca.pem" --servername localhost --alpn h2
		# The highest version both declare.
		v=$(pair_version "$cb" "$sb")
		[ "$v" = 1.3 ] || note "$n$(v12_note "$cb" "$sb")"
		expect_ok "$n" &&
		expect_err_has "$n" "backend=$cb version=TLSv$v cipher=TLS_" &&
		expect_err_has "$n" ' alpn=h2 peer="CN=tlsplug test ecdsa"' &&
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"

		n=$cb-to-$sb-big
		cp "$tmp/big" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
			--cafile "$C/ca.pem" --servername localhost \
			--max-version 1.2
		expect_ok "$n" && expect_err_has "$n" " version=TLSv1.2 " &&
		expect_same "$tmp/$n.out" "$tmp/big" "$n 1 MiB echo"

		for sni in beta:beta other:wildcard; do
			n=$cb-to-$sb-sni-${sni%%:*}
			connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
				--cafile "$C/ca.pem" \
				--servername "${sni%%:*}.example.test"
			expect_ok "$n" && expect_err_has "$n" \
				"peer=\"CN=tlsplug test ${sni#*:}\""
		done
	done

	# Several clients at once, overlapping in time: no client sends its
	# line before all four have finished their handshake.  A server that
	# served one client at a time would keep the others from finishing
	# theirs, and the barrier would give up after 20 s.
	i=0
	pids=
	rm -f "$tmp/multi-$sb.overlap"
	while [ $i -lt 4 ]; do
		(barrier "$tmp/multi-$sb" 4; cat "$tmp/line") |
			timeout -k 30 60 "$TLSPLUG" connect "127.0.0.1:$serve_port" \
			--cafile "$C/ca.pem" --servername localhost \
			>"$tmp/multi-$sb-$i.out" 2>"$tmp/multi-$sb-$i.err" &
		pids="$pids $!"
		i=$((i + 1))
	done
	i=0
	for p in $pids; do
		wait "$p" || fail "$sb: concurrent client $i failed" \
			"$tmp/multi-$sb-$i.err"
		expect_same "$tmp/multi-$sb-$i.out" "$tmp/line" \
			"$sb concurrent client $i"
		i=$((i + 1))
	done
	if [ -f "$tmp/multi-$sb.overlap" ]; then
		pass "$sb: 4 clients connected at the same time"
	else
		fail "$sb: the 4 clients were never connected at the same time" \
			"$tmp/multi-$sb-0.err" "$tmp/serve-$sb.err"
	fi
	stop_serve
	expect_serve_backend "serve-$sb" "$sb"

	# Mutual TLS.
	start_serve "mtls-$sb" --backend "$sb" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" --cafile "$C/ca.pem" --require-client-cert ||
		continue
	for cb in $BACKENDS; do
		n=$cb-to-$sb-mtls
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
			--cafile "$C/ca.pem" --servername localhost \
			--cert "$C/client.pem" --key "$C/client.key"
		expect_ok "$n" && expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
		n=$cb-to-$sb-mtls-nocert
		connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
			--cafile "$C/ca.pem" --servername localhost
		expect_category "$n" ALERT_RECEIVED
	done
	stop_serve
	expect_serve_backend "mtls-$sb" "$sb"
done

# An encrypted server key: the right password works, a wrong one is
# BAD_PASSWORD.
for sb in $BACKENDS; do
	start_serve "enc-$sb" --backend "$sb" --echo --cert "$C/ecdsa.pem" \
		--key "$C/ecdsa-enc.key" --pass secret || continue
	n=enc-$sb-client
	cp "$tmp/line" "$tmp/$n.in"
	connect "$n" "127.0.0.1:$serve_port" --cafile "$C/ca.pem" \
		--servername localhost
	expect_ok "$n" && expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
	stop_serve
	expect_serve_backend "enc-$sb" "$sb"
	n=enc-wrong-$sb
	timeout -k 30 30 "$TLSPLUG" serve --port 0 --backend "$sb" --cert "$C/ecdsa.pem" \
		--key "$C/ecdsa-enc.key" --pass wrong >"$tmp/$n.out" 2>"$tmp/$n.err"
	status=$?
	expect_category "$n" BAD_PASSWORD
done

# IPv6 loopback.  Whether the machine has it is decided by the machine (a
# plain socket bound to ::1), never by whether serve managed: where a plain
# socket can bind ::1, serve must too.
b=${BACKENDS# }
b=${b%% *}
if python3 -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("::1", 0))' 2>"$tmp/ipv6-probe.err"; then
	if start_serve serve6 --bind ::1 --backend "$b" --echo \
		--cert "$C/ecdsa.pem" --key "$C/ecdsa.key"; then
		n=ipv6
		cp "$tmp/line" "$tmp/$n.in"
		connect "$n" "[::1]:$serve_port" --cafile "$C/ca.pem" \
			--servername localhost
		expect_ok "$n" &&
		expect_same "$tmp/$n.out" "$tmp/line" "$n echo"
		stop_serve
		grep -q '^listening on \[::1\]:' "$tmp/serve6.err" ||
			fail "serve6: not listening on [::1]" "$tmp/serve6.err"
		expect_serve_backend serve6 "$b"
	fi
else
	echo "note: this machine has no IPv6 loopback (a plain socket" \
		"cannot bind ::1: $(tail -n 1 "$tmp/ipv6-probe.err"))"
fi

# Command-line errors: exit 2, one "tlsplug:" line.
usage() {
	n=$1
	shift
	timeout -k 30 30 "$TLSPLUG" "$@" </dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/$n.err")" -eq 1 ] &&
	   grep -q '^tlsplug: ' "$tmp/$n.err"; then
		pass "usage: $n"
	else
		fail "usage: $n: exit $st" "$tmp/$n.err"
	fi
}
usage no-target connect
usage bad-target connect localhost
usage bad-v6 connect ::1:443
usage bad-version connect 127.0.0.1:1 --min-version 1.7
usage bad-cipher connect 127.0.0.1:1 --ciphers TLS_NOPE
usage key-without-cert connect 127.0.0.1:1 --key k
usage serve-no-port serve --cert a --key b
usage serve-no-cert serve --port 0
usage serve-bad-sni serve --port 0 --cert a --key b --sni foo
usage serve-cafile-alone serve --port 0 --cert a --key b --cafile c

# A backend that does not exist: exit 1 with the category.
n=no-backend
connect "$n" 127.0.0.1:1 --backend nosuchbackend
expect_category "$n" NOT_FOUND
# Nothing listening: an I/O error.
n=refused
connect "$n" 127.0.0.1:1 --cafile "$C/ca.pem"
expect_category "$n" IO
finish
