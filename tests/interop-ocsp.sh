#!/bin/sh
# Revocation with real tools, on every backend: OCSP responses made with
# `openssl ocsp` (good, revoked; tools/tlsplug-gen-test-certs), stapled by
# `tlsplug serve --ocsp-staple` and seen by `openssl s_client -status`;
# `tlsplug connect --require-ocsp / --ocsp-check` against
# `openssl s_server -status_file`
# (good accepted, revoked and missing rejected); `tlsplug connect --crl`
# against s_server presenting revoked and good chains; and the staple file
# replaced while serve runs.
. "${top_srcdir:-.}/tests/interop-lib.sh"
gen_certs

# s_server -rev answers lines (without it, it ends at the end of its
# stdin, before any client comes).
srv() {	# srv NAME LEAF [S_SERVER OPTION...]
	sname=$1 leaf=$2
	shift 2
	start_s_server "$sname" -rev -cert "$C/$leaf.pem" \
		-key "$C/$leaf.key" -cert_chain "$C/int.pem" "$@"
}

status_of() {	# the OCSP status s_client printed in FILE
	sed -n 's/^ *Cert Status: *//p' "$1" | head -n 1
}

# Client OCSP checks (TLSPLUG_CAP_OCSP_CHECK) of backend $1.
ocsp_client() {
	b=$1
	# --- tlsplug connect against openssl s_server -status_file --------
	for v in 1.2 1.3; do
		if [ $v = 1.3 ] && lacks "$b" tls1_3 "$b-require-*-tls1.3"; then
			continue
		fi
		t="-tls1_$(echo $v | cut -c3)"
		n=$b-require-good-tls$v
		srv "s-$n" ecdsa "$t" -status_file "$C/ecdsa.ocsp" || continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost --require-ocsp
		expect_ok "$n" && expect_err_has "$n" " ocsp=good"
		stop_peer

		n=$b-require-revoked-tls$v
		srv "s-$n" revoked "$t" -status_file "$C/revoked.ocsp" ||
			continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost --require-ocsp
		expect_category "$n" CERT_REVOKED &&
		expect_err_has "$n" "backend=$b ocsp=revoked"
		stop_peer

		n=$b-require-missing-tls$v
		srv "s-$n" ecdsa "$t" || continue
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost --require-ocsp
		expect_category "$n" CERT_INVALID &&
		expect_err_has "$n" "no OCSP response"
		stop_peer
	done

	n=$b-check-missing
	srv "s-$n" ecdsa || return
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --ocsp-check
	expect_ok "$n" && expect_err_has "$n" " ocsp=none"
	stop_peer

	n=$b-check-other-cert
	srv "s-$n" ecdsa -status_file "$C/rsa.ocsp" || return
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --ocsp-check
	expect_category "$n" CERT_INVALID &&
	expect_err_has "$n" "another certificate"
	stop_peer

	n=$b-check-expired
	srv "s-$n" ecdsa -status_file "$C/ecdsa-expired.ocsp" || return
	connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --ocsp-check
	expect_category "$n" CERT_INVALID && expect_err_has "$n" "expired"
	stop_peer
}

# Client CRL checks (TLSPLUG_CAP_CRL) of backend $1.
crl_client() {
	b=$1
	# --- tlsplug connect --crl against s_server -------------------------
	for c in revoked:int.crl.pem:CERT_REVOKED revint:crls.pem:CERT_REVOKED \
	         revoked:int.crl.der:CERT_REVOKED ecdsa:crls.pem:ok; do
		set -- $(echo "$c" | tr ':' ' ')
		leaf=$1 crl=$2 want=$3
		n=$b-crl-$leaf-$crl
		if [ "$leaf" = revint ]; then
			start_s_server "s-$n" -rev -cert "$C/revint.pem" \
				-cert_chain "$C/int2.pem" \
				-key "$C/revint.key" || continue
		else
			srv "s-$n" "$leaf" || continue
		fi
		connect "$n" "127.0.0.1:$peer_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost --crl "$C/$crl"
		if [ "$want" = ok ]; then expect_ok "$n"
		else expect_category "$n" "$want"; fi
		stop_peer
	done
	n=$b-crl-bad
	connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
		--crl "$C/bad.crl"
	expect_category "$n" INVALID && expect_err_has "$n" "bad.crl"
}

# Server stapling (TLSPLUG_CAP_OCSP_STAPLE) of backend $1.
staple_server() {
	b=$1
	# --- openssl s_client -status against tlsplug serve --ocsp-staple ---
	cp "$C/ecdsa.ocsp" "$tmp/staple-$b.ocsp"
	start_serve "serve-$b" --backend "$b" --echo --cert "$C/ecdsa.pem" \
		--key "$C/ecdsa.key" --ocsp-staple "$tmp/staple-$b.ocsp" ||
		return
	for v in 1_2 1_3; do
		n=$b-s_client-status-tls$v
		if [ $v = 1_3 ] && lacks "$b" tls1_3 "$n"; then
			continue
		fi
		"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
			-CAfile "$C/ca.pem" -verify_return_error -nocommands \
			-servername localhost -status -tls$v </dev/null \
			>"$tmp/$n.out" 2>"$tmp/$n.err"
		if [ "$(status_of "$tmp/$n.out")" = good ] &&
		   grep -q 'OCSP Response Status: successful' "$tmp/$n.out"
		then
			pass "$n: s_client sees the good staple"
		else
			fail "$n: no good staple seen" "$tmp/$n.out" \
				"$tmp/$n.err"
		fi
	done
	# Without -status no staple is sent.
	n=$b-s_client-no-status
	"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
		-CAfile "$C/ca.pem" -nocommands -servername localhost \
		</dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	grep -q 'OCSP response' "$tmp/$n.out" &&
		fail "$n: a staple was sent unasked" "$tmp/$n.out" ||
		pass "$n"
	# Our own client (when it checks staples), then a new response in
	# place of the file: served from the next handshake on, without a
	# restart.
	if has_cap "$b" ocsp_check; then
		n=$b-self-good
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--require-ocsp
		expect_ok "$n" && expect_err_has "$n" " ocsp=good"
	fi
	sleep 1.1
	cp "$C/rsa.ocsp" "$tmp/staple-$b.new" &&
		mv "$tmp/staple-$b.new" "$tmp/staple-$b.ocsp"
	n=$b-s_client-reloaded
	"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
		-CAfile "$C/ca.pem" -nocommands -servername localhost -status \
		</dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	# s_client prints the response; rsa.pem's serial is in it now.
	rsa_serial=$("$OPENSSL" x509 -in "$C/rsa.pem" -noout -serial |
		sed 's/^serial=//')
	grep -q "Serial Number: $rsa_serial" "$tmp/$n.out" &&
		pass "$n: the replaced staple file is served" ||
		fail "$n: still the old staple" "$tmp/$n.out"
	stop_serve
	expect_serve_backend "serve-$b" "$b"

	start_serve "serve-revoked-$b" --backend "$b" --echo \
		--cert "$C/revoked.pem" --key "$C/revoked.key" \
		--ocsp-staple "$C/revoked.ocsp" || return
	n=$b-s_client-revoked
	"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
		-CAfile "$C/ca.pem" -nocommands -servername localhost -status \
		</dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	[ "$(status_of "$tmp/$n.out")" = revoked ] &&
		pass "$n: s_client sees the revoked staple" ||
		fail "$n: no revoked staple seen" "$tmp/$n.out"
	stop_serve

	n=$b-serve-bad-staple
	try_serve "$n" --backend "$b" --cert "$C/ecdsa.pem" \
		--key "$C/ecdsa.key" --ocsp-staple "$C/int.crl.der"
	wait "$serve_pid" 2>/dev/null
	grep -q '^tlsplug: INVALID: --ocsp-staple: OCSP staple .*int.crl.der' \
		"$tmp/$n.err" && pass "$n" ||
		fail "$n: serve did not refuse a CRL as staple" "$tmp/$n.err"
}

# Each part runs on the backends that declare its capability; one without
# it refuses the option, naming it.
for b in $BACKENDS; do
	if has_cap "$b" ocsp_check; then
		ocsp_client "$b"
	else
		n=$b-refuses-ocsp-check
		connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
			--require-ocsp
		expect_category "$n" UNSUPPORTED &&
		expect_err_has "$n" "OCSP check"
	fi
	if has_cap "$b" crl; then
		crl_client "$b"
	else
		n=$b-refuses-crl
		connect "$n" "127.0.0.1:1" --backend "$b" --cafile "$C/ca.pem" \
			--crl "$C/crls.pem"
		expect_category "$n" UNSUPPORTED && expect_err_has "$n" "CRL"
	fi
	if has_cap "$b" ocsp_staple; then
		staple_server "$b"
	else
		n=$b-refuses-ocsp-staple
		if try_serve "$n" --backend "$b" --cert "$C/ecdsa.pem" \
		        --key "$C/ecdsa.key" --ocsp-staple "$C/ecdsa.ocsp"; then
			stop_serve
			fail "$n: serve started with a staple it cannot send" \
				"$tmp/$n.err"
		else
			wait "$serve_pid" 2>/dev/null
			grep -q '^tlsplug: UNSUPPORTED: .*OCSP stapling' \
				"$tmp/$n.err" && pass "$n" ||
				fail "$n: no refusal naming OCSP stapling" \
				"$tmp/$n.err"
		fi
	fi
done
finish
