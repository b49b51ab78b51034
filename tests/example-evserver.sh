#!/bin/sh
# The event-loop example server (examples/evserver) on each backend: curl
# sends two requests over one kept-alive connection, openssl s_client and
# tlsplug connect one each, a client that never starts its handshake is
# dropped at the handshake time-out, and SIGTERM ends the server with
# status 0.  Every run is bounded in time.  EVSERVER_VALGRIND=1 runs the
# server under valgrind (memcheck; leaks are errors).
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog curl python3
gen_certs
EVSERVER=$top_builddir/examples/evserver
[ -x "$EVSERVER" ] || { echo "missing $EVSERVER" >&2; exit 99; }
set --
if [ "${EVSERVER_VALGRIND:-}" = 1 ]; then
	need_prog valgrind
	# libtool's wrapper script runs the real program under valgrind.
	set -- "$top_builddir/libtool" --mode=execute valgrind -q \
		--leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=9
fi
printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
	>"$tmp/request"

for b in $BACKENDS; do
	name=evserver-$b
	bg "$name" "$@" "$EVSERVER" -b "$b" -t 2 "$C/ecdsa.pem" "$C/ecdsa.key"
	pid=$bg_pid
	# 60 s at most (valgrind starts slowly).
	i=0
	until grep -q '^listening on ' "$tmp/$name.err" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q '^listening on ' "$tmp/$name.err"; then
		fail "$name did not start" "$tmp/$name.err"
		kill "$pid" 2>/dev/null
		continue
	fi
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) backend=.*/\1/p' \
		"$tmp/$name.err")
	grep -q "^listening on .* backend=$b\$" "$tmp/$name.err" ||
		fail "$name: not on backend $b" "$tmp/$name.err"

	# curl: two requests, the second over the same connection.
	url=https://localhost:$port/
	timeout -k 5 60 curl -sS -v --http1.1 --max-time 30 \
		--cacert "$C/ca.pem" --resolve "localhost:$port:127.0.0.1" \
		"$url" "$url" >"$tmp/$name-curl.out" 2>"$tmp/$name-curl.err"
	st=$?
	if [ $st -ne 0 ]; then
		fail "$name: curl exited $st" "$tmp/$name-curl.err"
	elif [ "$(cat "$tmp/$name-curl.out")" != "$(printf 'hello\nhello')" ]
	then
		fail "$name: curl got another answer" "$tmp/$name-curl.out"
	elif ! grep -qi 're-us' "$tmp/$name-curl.err"; then
		fail "$name: curl did not keep the connection" \
			"$tmp/$name-curl.err"
	else
		pass "$name: curl, two requests on one connection"
	fi

	# openssl s_client, verifying the server; Connection: close makes
	# the server answer and end the connection.
	timeout -k 5 30 "$OPENSSL" s_client -connect "127.0.0.1:$port" \
		-servername localhost -CAfile "$C/ca.pem" -verify_return_error \
		-quiet -ign_eof <"$tmp/request" >"$tmp/$name-ossl.out" \
		2>"$tmp/$name-ossl.err"
	if grep -q '^hello' "$tmp/$name-ossl.out" &&
	   grep -q '^Connection: close' "$tmp/$name-ossl.out"; then
		pass "$name: openssl s_client"
	else
		fail "$name: openssl s_client got no answer" \
			"$tmp/$name-ossl.out" "$tmp/$name-ossl.err"
	fi

	# tlsplug connect, the same backend on both ends.
	cp "$tmp/request" "$tmp/$name-conn.in"
	connect "$name-conn" "localhost:$port" --backend "$b" \
		--cafile "$C/ca.pem" --timeout 20
	if [ "$status" -eq 0 ] && grep -q '^hello' "$tmp/$name-conn.out"; then
		pass "$name: tlsplug connect"
	else
		fail "$name: tlsplug connect exited $status" \
			"$tmp/$name-conn.out" "$tmp/$name-conn.err"
	fi

	# A client that connects and sends nothing is dropped once the
	# handshake time-out (2 s) is over: the server closes, the client
	# reads EOF.  Bounded at 20 s; the time itself is not asserted.
	if timeout -k 5 30 python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
try:
    data = s.recv(100)
except (socket.timeout, ConnectionResetError) as e:
    sys.exit(0 if isinstance(e, ConnectionResetError) else 1)
sys.exit(0 if data == b"" else 1)
PY
	then
		pass "$name: silent client dropped at the handshake time-out"
	else
		fail "$name: a silent client was not dropped within 20 s"
	fi

	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "$name: still running 30 s after SIGTERM" "$tmp/$name.err"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	st=$?
	if [ $st -eq 0 ]; then
		pass "$name: SIGTERM, exit 0"
	else
		fail "$name: exited $st after SIGTERM" "$tmp/$name.err"
	fi
done
finish
