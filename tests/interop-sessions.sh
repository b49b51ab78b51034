#!/bin/sh
# Session resumption against real peers, on loopback, with each backend:
#   - `tlsplug connect --reconnect` against `openssl s_server` and
#     `gnutls-serv` (tickets on), and against s_server without tickets
#     (TLS 1.2 session IDs): the second status line says resumed=yes;
#   - `openssl s_client -sess_out` then `-sess_in` against `tlsplug serve`:
#     s_client prints "Reused" (TLS 1.2 and 1.3), serve logs resumed=yes;
#   - two `tlsplug serve` processes sharing --ticket-key resume each
#     other's sessions (and a third with another key does not);
#   - curl fetching the same URL twice in one command resumes;
#   - a session of another server, and one offered without its suite,
#     are not resumed by serve, which goes on serving;
#   - `connect --sess-out` then `--sess-in` across processes; corrupt,
#     truncated and foreign session files give one precise error.
. "${top_srcdir:-.}/tests/interop-lib.sh"
need_prog gnutls-serv curl
gen_certs

# The backends with session resumption (tests/check_caps pins which; the
# conformance suite checks that the others refuse session settings).
SBACKENDS=
for b in $BACKENDS; do
	lacks "$b" sessions "every resumption check (the conformance" \
		"suite checks it refuses session settings)" ||
		SBACKENDS="$SBACKENDS $b"
done

# The TLS versions backend $1 resumes in: 1.3 only where it has it.
versions_of() {
	if lacks "$1" tls1_3 "its TLS 1.3 resumption ($2)" >&2; then
		echo 1.2
	else
		echo 1.2 1.3
	fi
}

# The status lines of a connect, one per connection.
lines() {
	grep '^backend=' "$tmp/$1.err"
}

# expect_resumed NAME "no yes": the connect's status lines, in order.
expect_resumed() {
	got=$(lines "$1" | sed -n 's/.* resumed=\([a-z]*\)$/\1/p' | tr '\n' ' ')
	if [ "$got" = "$2 " ]; then
		pass "$1: resumed $2"
	else
		fail "$1: resumed '$got', expected '$2'" "$tmp/$1.err"
	fi
}

# ---- tlsplug connect --reconnect against openssl s_server ------------------
# reconnect_s_server NAME BACKEND S_SERVER-ARGS...: an s_server for two
# connections, and `connect --reconnect` with BACKEND against it.
reconnect_s_server() {
	n=$1
	b=$2
	shift 2
	bg "$n-peer" "$OPENSSL" s_server -accept 127.0.0.1:0 -naccept 2 \
		-rev -cert "$C/rsa.pem" -key "$C/rsa.key" \
		-cert_chain "$C/int.pem" "$@"
	peer_pid=$bg_pid
	if ! wait_for "$tmp/$n-peer.out" '^ACCEPT'; then
		fail "$n: s_server did not start" "$tmp/$n-peer.err"
		return
	fi
	peer_port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		"$tmp/$n-peer.out")
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --reconnect
	expect_ok "$n" && expect_resumed "$n" "no yes"
	stop_peer
}

for b in $SBACKENDS; do
	for v in $(versions_of "$b" "s_server"); do
		reconnect_s_server "$b-s_server-tls$v" "$b" -tls1_${v#*.}
	done
	# TLS 1.2 session IDs: s_server without tickets keeps sessions in
	# its own cache, and the client resumes by ID.
	reconnect_s_server "$b-s_server-tls1.2-session-id" "$b" -tls1_2 \
		-no_ticket
done

# ---- tlsplug connect --reconnect against gnutls-serv ------------------------
for v in 1.2 1.3; do
	start_gnutls_serv "g-tls$v" --echo --x509certfile "$C/rsa.pem" \
		--x509keyfile "$C/rsa.key" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS$v" || continue
	for b in $SBACKENDS; do
		n=$b-gnutls-serv-tls$v
		if [ $v = 1.3 ] && lacks "$b" tls1_3 "$n"; then
			continue
		fi
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost --reconnect
		expect_ok "$n" && expect_resumed "$n" "no yes"
	done
	stop_peer
done

# ---- openssl s_client -sess_out / -sess_in against tlsplug serve -----------
# s_client reads for a second first, so TLS 1.3 tickets arrive.
sc() {
	port=$1
	shift
	(sleep 1) | timeout -k 5 30 "$OPENSSL" s_client \
		-connect "127.0.0.1:$port" -servername localhost \
		-CAfile "$C/ca.pem" -verify_return_error "$@"
}

for b in $SBACKENDS; do
	start_serve "serve-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" || continue
	want=
	for v in $(versions_of "$b" "s_client -sess_in" | tr . _); do
		want="${want}no yes "
		n=$b-s_client-tls$v
		sc "$serve_port" -tls$v -sess_out "$tmp/$n.sess" \
			>"$tmp/$n-1.out" 2>&1
		sc "$serve_port" -tls$v -sess_in "$tmp/$n.sess" \
			>"$tmp/$n-2.out" 2>&1
		if grep -q '^Reused' "$tmp/$n-2.out" &&
		   grep -q '^New' "$tmp/$n-1.out"; then
			pass "$n: s_client reused the session"
		else
			fail "$n: s_client did not reuse the session" \
				"$tmp/$n-1.out" "$tmp/$n-2.out"
		fi
	done

	# curl: the same URL twice in one command, two connections (each
	# request says "Connection: close", so serve answers it and closes;
	# the second connection resumes the first one's session).
	n=$b-curl
	timeout -k 5 60 curl -sS --max-time 30 --cacert "$C/ca.pem" \
		-H "Connection: close" -o /dev/null -o /dev/null \
		"https://localhost:$serve_port/a" \
		"https://localhost:$serve_port/a" \
		>"$tmp/$n.out" 2>"$tmp/$n.err" ||
		fail "$n: curl failed" "$tmp/$n.err"

	stop_serve
	expect_serve_backend "serve-$b" "$b"
	# Client lines in order: the s_client pairs, then curl's two.
	got=$(grep '^client=' "$tmp/serve-$b.err" |
		sed -n 's/.* resumed=\([a-z]*\)$/\1/p' | tr '\n' ' ')
	# curl turns TLS 1.2 tickets off (SSL_OP_NO_TICKET): at TLS 1.2 only
	# a server with a session id cache resumes it (see below).
	if has_cap "$b" tls1_3; then
		want="${want}no yes "
	else
		case $b in
		openssl|wolfssl) want="${want}no yes " ;;
		*)	want="${want}no no "
			note "$b: TLS 1.2 only, no session id cache: curl" \
				"(no TLS 1.2 tickets) is not resumed" ;;
		esac
	fi
	if [ "$got" = "$want" ]; then
		pass "$b: serve logged resumed= for each client ($got)"
	else
		fail "$b: serve logged resumed '$got', expected '$want'" \
			"$tmp/serve-$b.err"
	fi
done

# TLS 1.2 session ids (s_client without tickets): resumed by the servers
# that keep a session cache (GnuTLS and the mbedTLS plugin keep none:
# they resume tickets only).
for b in $SBACKENDS; do
	case $b in openssl|wolfssl) ;; *) continue ;; esac
	start_serve "serve-id-$b" --backend "$b" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" || continue
	n=$b-s_client-tls1_2-session-id
	sc "$serve_port" -tls1_2 -no_ticket -sess_out "$tmp/$n.sess" \
		>"$tmp/$n-1.out" 2>&1
	sc "$serve_port" -tls1_2 -no_ticket -sess_in "$tmp/$n.sess" \
		>"$tmp/$n-2.out" 2>&1
	if grep -q '^Reused' "$tmp/$n-2.out" &&
	   grep -q '^New' "$tmp/$n-1.out"; then
		pass "$n: s_client reused the session id"
	else
		fail "$n: s_client did not reuse the session id" \
			"$tmp/$n-1.out" "$tmp/$n-2.out"
	fi
	stop_serve
done

# ---- a ticket key shared by two serve processes ------------------------------
head -c 64 /dev/urandom >"$tmp/ticket.key"
head -c 64 /dev/urandom >"$tmp/other.key"
chmod 600 "$tmp/ticket.key" "$tmp/other.key"
for b in $SBACKENDS; do
	start_serve "key1-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" --ticket-key "$tmp/ticket.key" || continue
	p1=$serve_port
	s1=$serve_pid
	start_serve "key2-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" --ticket-key "$tmp/ticket.key" || continue
	p2=$serve_port
	s2=$serve_pid
	start_serve "key3-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" --ticket-key "$tmp/other.key" || continue
	p3=$serve_port
	n=$b-shared-key
	sc "$p1" -sess_out "$tmp/$n.sess" >"$tmp/$n-1.out" 2>&1
	sc "$p2" -sess_in "$tmp/$n.sess" >"$tmp/$n-2.out" 2>&1
	sc "$p3" -sess_in "$tmp/$n.sess" >"$tmp/$n-3.out" 2>&1
	if grep -q '^Reused' "$tmp/$n-2.out"; then
		pass "$n: another serve with the same key resumed"
	else
		fail "$n: the same ticket key did not resume" "$tmp/$n-2.out"
	fi
	if grep -q '^New' "$tmp/$n-3.out"; then
		pass "$n: a serve with another key did not"
	else
		fail "$n: another ticket key resumed" "$tmp/$n-3.out"
	fi
	stop_serve
	serve_pid=$s2 serve_name=key2-$b
	stop_serve
	serve_pid=$s1 serve_name=key1-$b
	stop_serve
done

# The same, with the key file named in tlsplug.conf (ticket_key_file) and
# no option: the first backend is enough.
for b in $SBACKENDS; do
	printf '[default]\nticket_key_file = %s\nticket_lifetime = 600\n' \
		"$tmp/ticket.key" >"$tmp/keys.conf"
	TLSPLUG_CONF=$tmp/keys.conf
	export TLSPLUG_CONF
	start_serve "conf1" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" || break
	p1=$serve_port
	s1=$serve_pid
	start_serve "conf2" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" || break
	n=$b-conf-key
	sc "$p1" -sess_out "$tmp/$n.sess" >"$tmp/$n-1.out" 2>&1
	sc "$serve_port" -sess_in "$tmp/$n.sess" >"$tmp/$n-2.out" 2>&1
	grep -q '^Reused' "$tmp/$n-2.out" &&
		pass "$n: ticket_key_file in tlsplug.conf shared the key" ||
		fail "$n: ticket_key_file did not share the key" "$tmp/$n-2.out"
	stop_serve
	serve_pid=$s1 serve_name=conf1
	stop_serve
	# A key file that cannot serve: the config file's line is named.
	chmod 644 "$tmp/ticket.key"
	if try_serve "conf-bad" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key"; then
		fail "$b: serve took a world-readable ticket_key_file" \
			"$tmp/conf-bad.err"
		stop_serve
	elif grep -q "^tlsplug: CONFIG_FILE: $tmp/keys.conf:2: ticket_key_file \
$tmp/ticket.key: others may read" "$tmp/conf-bad.err"; then
		pass "$b: a world-readable ticket_key_file refused (file:line)"
	else
		fail "$b: bad ticket_key_file: wrong error" "$tmp/conf-bad.err"
	fi
	chmod 600 "$tmp/ticket.key"
	unset TLSPLUG_CONF
	break
done

# A key file others may read is refused, naming it.
chmod 644 "$tmp/other.key"
if try_serve "badkey" --echo --cert "$C/rsa.pem" --key "$C/rsa.key" \
	--ticket-key "$tmp/other.key"; then
	fail "serve took a world-readable ticket key" "$tmp/badkey.err"
	stop_serve
elif grep -q "^tlsplug: IO: ticket key file $tmp/other.key: others may read" \
	"$tmp/badkey.err"; then
	pass "world-readable ticket key refused"
else
	fail "world-readable ticket key: wrong error" "$tmp/badkey.err"
fi

# ---- sessions serve never issued, or offered without their suite ------------
# A TLS 1.2 session of openssl s_server (its ticket and session ID mean
# nothing to serve), and serve's own session offered by a client whose
# suite list no longer has the session's suite: never resumed (a full
# handshake, or for the second a refusal: RFC 5246 7.4.1.2 has the client
# offer the session's suite), and serve goes on serving.
bg "foreign-peer" "$OPENSSL" s_server -accept 127.0.0.1:0 -naccept 1 \
	-rev -cert "$C/rsa.pem" -key "$C/rsa.key" -cert_chain "$C/int.pem" \
	-tls1_2
peer_pid=$bg_pid
if wait_for "$tmp/foreign-peer.out" '^ACCEPT'; then
	peer_port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		"$tmp/foreign-peer.out")
	sc "$peer_port" -tls1_2 -sess_out "$tmp/foreign.sess" \
		>"$tmp/foreign.out" 2>&1
fi
stop_peer
[ -s "$tmp/foreign.sess" ] ||
	fail "no session from s_server" "$tmp/foreign.out" "$tmp/foreign-peer.err"
A=ECDHE-RSA-AES128-GCM-SHA256
B=ECDHE-RSA-AES256-GCM-SHA384
for b in $SBACKENDS; do
	[ -s "$tmp/foreign.sess" ] || break
	start_serve "abuse-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" || continue
	n=$b-foreign-session
	sc "$serve_port" -tls1_2 -sess_in "$tmp/foreign.sess" \
		>"$tmp/$n.out" 2>&1
	if grep -q '^New' "$tmp/$n.out" && ! grep -q '^Reused' "$tmp/$n.out"
	then
		pass "$n: another server's session: a full handshake"
	else
		fail "$n: another server's session was not refused" \
			"$tmp/$n.out"
	fi
	n=$b-other-suite
	sc "$serve_port" -tls1_2 -cipher $A -sess_out "$tmp/$n.sess" \
		>"$tmp/$n-1.out" 2>&1
	sc "$serve_port" -tls1_2 -cipher $B -sess_in "$tmp/$n.sess" \
		>"$tmp/$n-2.out" 2>&1
	if ! grep -q "^New, TLSv1.2, Cipher is $A" "$tmp/$n-1.out"; then
		fail "$n: no first session with $A" "$tmp/$n-1.out"
	elif grep -q '^Reused' "$tmp/$n-2.out"; then
		fail "$n: resumed a session of $A for a client offering $B" \
			"$tmp/$n-2.out"
	elif grep -q "^New, TLSv1.2, Cipher is $B" "$tmp/$n-2.out"; then
		pass "$n: a session of $A offered with $B alone: a full" \
			"handshake with $B"
	elif grep -q 'alert illegal parameter' "$tmp/$n-2.out"; then
		# The s_client lines after it describe the session offered.
		pass "$n: a session of $A offered with $B alone: refused" \
			"(illegal_parameter)"
	else
		fail "$n: a session of $A offered with $B alone" \
			"$tmp/$n-2.out"
	fi
	# Still serving.
	n=$b-after-abuse
	sc "$serve_port" -tls1_2 >"$tmp/$n.out" 2>&1
	if grep -q '^New, TLSv1.2' "$tmp/$n.out" &&
	   kill -0 "$serve_pid" 2>/dev/null; then
		pass "$n: serve still serves"
	else
		fail "$n: serve does not serve any more" "$tmp/$n.out" \
			"$tmp/abuse-$b.err"
	fi
	stop_serve
done

# ---- connect --sess-out / --sess-in across processes; bad files --------------
start_serve "serve-files" --echo --cert "$C/rsa.pem" --key "$C/rsa.key" ||
	finish
for b in $SBACKENDS; do
	n=$b-sess-out
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--sess-out "$tmp/$b.sess"
	expect_ok "$n" && expect_resumed "$n" "no"
	n=$b-sess-in
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--sess-in "$tmp/$b.sess" --sess-out "$tmp/$b.sess"
	expect_ok "$n" && expect_resumed "$n" "yes"
	mode=$(stat -c %a "$tmp/$b.sess")
	[ "$mode" = 600 ] && pass "$b: session file 0600" ||
		fail "$b: session file mode $mode"

	# Another server name: refused before the handshake.
	n=$b-sess-other-name
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername 127.0.0.1 \
		--sess-in "$tmp/$b.sess"
	expect_category "$n" INVALID && expect_err_has "$n" \
		"the session is for server localhost, not 127.0.0.1"

	# Truncated and corrupt files: one line, naming the file.
	head -c 40 "$tmp/$b.sess" >"$tmp/$b.trunc"
	n=$b-sess-truncated
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--sess-in "$tmp/$b.trunc"
	expect_category "$n" INVALID &&
	expect_err_has "$n" "session file $tmp/$b.trunc: truncated"
	[ "$(grep -c . "$tmp/$n.err")" -eq 1 ] ||
		fail "$n: more than one line on stderr" "$tmp/$n.err"

	size=$(wc -c <"$tmp/$b.sess")
	cp "$tmp/$b.sess" "$tmp/$b.corrupt"
	# Flip every bit of one byte near the end, so the file always
	# changes (writing a fixed byte left it intact when that byte was
	# already there).
	byte=$(od -An -tu1 -j $((size - 10)) -N1 "$tmp/$b.sess" | tr -d ' ')
	printf "\\$(printf %03o $((255 - byte)))" |
		dd of="$tmp/$b.corrupt" bs=1 seek=$((size - 10)) \
		conv=notrunc 2>/dev/null
	cmp -s "$tmp/$b.sess" "$tmp/$b.corrupt" &&
		fail "$b: the corrupt session file equals the original"
	n=$b-sess-corrupt
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--sess-in "$tmp/$b.corrupt"
	expect_category "$n" INVALID &&
	expect_err_has "$n" "session file $tmp/$b.corrupt: checksum mismatch"

	printf 'not a session\n' >"$tmp/$b.garbage"
	n=$b-sess-garbage
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost \
		--sess-in "$tmp/$b.garbage"
	expect_category "$n" INVALID &&
	expect_err_has "$n" "not a tlsplug session"
done

# A session made by one backend given to another: refused, naming both.
for b in $SBACKENDS; do
	for o in $SBACKENDS; do
		[ "$b" = "$o" ] && continue
		n=$b-sess-from-$o
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--sess-in "$tmp/$o.sess"
		expect_category "$n" INVALID &&
		expect_err_has "$n" "made by backend $o" &&
		expect_err_has "$n" "this connection uses backend $b"
	done
done
stop_serve
finish
