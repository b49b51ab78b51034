#!/bin/sh
# `tlsplug serve`'s time-outs, connection limit and clean closing, with
# each backend: a client that stalls in its handshake is closed after
# --handshake-timeout; an established silent one after --idle-timeout (with
# close_notify, so tlsplug connect ends cleanly); at --max-connections a
# new client waits in the backlog until a slot frees, then is served; a
# client refused in its handshake gets the server's alert rather than a
# reset; bad values of the new options are usage errors.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog python3
gen_certs

# stall N SECONDS: opens N connections that send the start of a
# ClientHello and nothing more; prints, for each, after how many seconds
# the server closed it ("open" if it did not within SECONDS), after a
# line "connected" once all are connected.
stall() {
	python3 - "$serve_port" "$1" "$2" <<'EOF'
import select, socket, sys, time
port, n, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
start = time.monotonic()
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(bytes([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]))
    socks.append(s)
print("connected", flush=True)
closed = {}
while len(closed) < n and time.monotonic() - start < limit:
    r, _, _ = select.select([s for s in socks if s not in closed], [], [],
                            0.1)
    for s in r:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            closed[s] = time.monotonic() - start
for s in socks:
    print("%.1f" % closed[s] if s in closed else "open")
EOF
}

for b in $BACKENDS; do
	common="--backend $b --echo --cert $C/ecdsa.pem --key $C/ecdsa.key"

	# Handshake time-out: closed after about 2 s, not at once, not
	# never.
	n=$b-handshake-timeout
	start_serve "$n" $common --handshake-timeout 2 || continue
	stall 3 20 | grep -v '^connected$' >"$tmp/$n.times"
	if [ "$(grep -c . "$tmp/$n.times")" -eq 3 ] &&
	   awk '$1 == "open" || $1 < 1.5 || $1 > 12 { bad = 1 }
	        END { exit bad }' "$tmp/$n.times"; then
		pass "$n"
	else
		fail "$n: stalled clients closed at" "$tmp/$n.times"
	fi
	stop_serve
	[ "$(grep -c '^tlsplug: TIMEOUT: client .*: no handshake after 2000 ms$' \
	    "$tmp/$n.err")" -eq 3 ] && pass "$n: logged" ||
		fail "$n: three TIMEOUT lines expected" "$tmp/$n.err"

	# Idle time-out: serve closes with close_notify, so connect (whose
	# stdin stays open) ends with 0 after about a second.
	n=$b-idle-timeout
	start_serve "$n" $common --idle-timeout 1 || continue
	# stdin: a FIFO this shell holds open, so it never ends.
	rm -f "$tmp/$n.fifo"
	mkfifo "$tmp/$n.fifo"
	exec 4<>"$tmp/$n.fifo"
	t0=$(date +%s)
	timeout 25 "$TLSPLUG" connect "127.0.0.1:$serve_port" \
		--cafile "$C/ca.pem" --servername localhost \
		<"$tmp/$n.fifo" >"$tmp/$n.out" 2>"$tmp/$n.cerr"
	status=$?
	t1=$(date +%s)
	exec 4>&-
	stop_serve
	if [ "$status" -eq 0 ] && [ $((t1 - t0)) -lt 20 ]; then
		pass "$n"
	else
		fail "$n: connect exited $status after $((t1 - t0)) s" \
			"$tmp/$n.cerr" "$tmp/$n.err"
	fi
	grep -q '^tlsplug: TIMEOUT: client .*: idle after 1000 ms$' \
		"$tmp/$n.err" && pass "$n: logged" ||
		fail "$n: no idle TIMEOUT line" "$tmp/$n.err"

	# Connection limit: two stalled clients fill it; a third, real one
	# waits in the backlog and is served once the first two time out.
	n=$b-max-connections
	start_serve "$n" $common --max-connections 2 \
		--handshake-timeout 3 || continue
	stall 2 20 >"$tmp/$n.times" &
	stall_pid=$!
	wait_for "$tmp/$n.times" '^connected$' ||
		fail "$n: the stalled clients did not connect" "$tmp/$n.times"
	printf 'after the limit\n' >"$tmp/$n-conn.in"
	connect "$n-conn" "127.0.0.1:$serve_port" --cafile "$C/ca.pem" \
		--servername localhost
	wait "$stall_pid"
	stop_serve
	expect_ok "$n-conn"
	grep -qx 'after the limit' "$tmp/$n-conn.out" ||
		fail "$n: no echo" "$tmp/$n-conn.out"
	# Its client line comes after a time-out: it was not accepted
	# while the limit was reached.
	to=$(grep -n '^tlsplug: TIMEOUT' "$tmp/$n.err" | head -n 1 | cut -d: -f1)
	cl=$(grep -n '^client=' "$tmp/$n.err" | head -n 1 | cut -d: -f1)
	if [ -n "$to" ] && [ -n "$cl" ] && [ "$cl" -gt "$to" ]; then
		pass "$n: the third client waited for a free slot"
	else
		fail "$n: order of the log lines" "$tmp/$n.err"
	fi

	# A refused handshake: the client gets the server's alert (flushed
	# before the connection is closed), not a reset or an EOF.
	if ! no_v13 "$b"; then
		n=$b-alert
		start_serve "$n" $common --min-version 1.3 || continue
		connect "$n-conn" "127.0.0.1:$serve_port" --cafile "$C/ca.pem" \
			--servername localhost --max-version 1.2
		stop_serve
		expect_version_refused "$n-conn"
	fi
done

# Usage errors of the new options.
for bad in "--handshake-timeout 0" "--handshake-timeout x" \
    "--idle-timeout -1" "--max-connections 0" \
    "--max-connections 99999999"; do
	"$TLSPLUG" serve --port 0 --cert "$C/ecdsa.pem" --key "$C/ecdsa.key" \
		$bad >/dev/null 2>"$tmp/usage.err"
	st=$?
	[ $st -eq 2 ] && grep -q "^tlsplug: serve: bad ${bad%% *} " \
	    "$tmp/usage.err" && pass "usage: $bad" ||
		fail "usage: $bad: exit $st" "$tmp/usage.err"
done
finish
