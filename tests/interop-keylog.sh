#!/bin/sh
# tshark decrypts a captured `tlsplug connect` <-> `tlsplug serve` session
# with the key log tlsplug wrote, for each backend, TLS 1.2 and 1.3:
# dumpcap captures the loopback traffic (bounded in time and packets),
# serve writes its key log (--keylog), and tshark, given that file, must
# show the application data each client sent; without the file it must
# not (the payload is not in the capture in clear).  Capturing needs root
# (or dumpcap's capabilities): CI runs as root.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog tshark dumpcap
gen_certs

# dumpcap on lo must work here (root, or capabilities).
if ! timeout 10 dumpcap -q -i lo -a duration:1 -c 1 -w "$tmp/probe.pcapng" \
	>/dev/null 2>"$tmp/probe.err"; then
	if [ "${CI:-}" = true ] || [ "$(id -u)" -eq 0 ]; then
		fail "dumpcap cannot capture on lo" "$tmp/probe.err"
		finish
	fi
	echo "SKIP: dumpcap cannot capture on lo as $(id -un)"
	exit 77
fi

# decrypted NAME PORT [KEYLOG]: the application data of every TCP stream
# of $tmp/NAME.pcapng, as tshark's TLS follow shows it.
decrypted() {
	opt=
	[ -n "${3:-}" ] && opt="tls.keylog_file:$3"
	for s in 0 1; do
		if [ -n "$opt" ]; then
			timeout 60 tshark -r "$tmp/$1.pcapng" -o "$opt" \
				-d "tcp.port==$2,tls" -q -z "follow,tls,ascii,$s"
		else
			timeout 60 tshark -r "$tmp/$1.pcapng" \
				-d "tcp.port==$2,tls" -q -z "follow,tls,ascii,$s"
		fi
	done 2>>"$tmp/$1.tshark.err"
}

for b in $BACKENDS; do
	# A backend without key logging refuses it, naming it.
	if lacks "$b" keylog "the capture's decryption (its refusal" \
	    "checked instead)"; then
		n=$b-keylog-refused
		connect "$n" 127.0.0.1:9 --backend "$b" --keylog "$tmp/$n.keys"
		expect_category "$n" UNSUPPORTED &&
			expect_err_has "$n" "key logging"
		continue
	fi
	keys=$tmp/serve-$b.keys
	start_serve "serve-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" --keylog "$keys" ||
		continue
	cap=cap-$b
	# At most 60 s and 400 packets: two short connections need ~40.
	bg "$cap" dumpcap -q -i lo -f "tcp port $serve_port" \
		-a duration:60 -c 400 -w "$tmp/$cap.pcapng"
	cap_pid=$bg_pid
	if ! wait_for "$tmp/$cap.err" "Capturing on"; then
		fail "$b: dumpcap did not start" "$tmp/$cap.err"
		stop_serve
		continue
	fi
	vs="1.2 1.3"
	lacks "$b" tls1_3 "its TLS 1.3 capture" && vs=1.2
	for v in $vs; do
		n=$b-tls$v
		printf 'tlsplug-payload-%s-%s\n' "$b" "$v" >"$tmp/$n.in"
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version "$v" --max-version "$v"
		expect_ok "$n"
		expect_same "$tmp/$n.out" "$tmp/$n.in" "$n echo"
	done
	# Let the last packets reach the file, then end the capture.
	sleep 1
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	stop_serve

	decrypted "$cap" "$serve_port" "$keys" >"$tmp/$cap.plain"
	decrypted "$cap" "$serve_port" >"$tmp/$cap.none"
	for v in $vs; do
		p=tlsplug-payload-$b-$v
		# The client's line and the server's echo of it.
		if [ "$(grep -c "^$p\$" "$tmp/$cap.plain")" -ge 2 ]; then
			pass "$b TLS $v: tshark decrypts with tlsplug's key log"
		else
			fail "$b TLS $v: '$p' not in tshark's decryption" \
				"$tmp/$cap.plain" "$tmp/$cap.tshark.err" "$keys"
		fi
		if grep -q "$p" "$tmp/$cap.none"; then
			fail "$b TLS $v: payload readable without the keys" \
				"$tmp/$cap.none"
		fi
	done
	grep -q '^CLIENT_RANDOM ' "$keys" &&
	{ [ "$vs" = 1.2 ] || grep -q '^CLIENT_TRAFFIC_SECRET_0 ' "$keys"; } ||
		fail "$b: the key log lacks TLS 1.2 or 1.3 secrets" "$keys"
done
finish
