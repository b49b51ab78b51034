#!/bin/sh
# Key logging, exporters and groups through `tlsplug connect` and `tlsplug
# serve`, for every client backend x server backend pair, TLS 1.2 and 1.3:
#   - exporter= on the client's status line equals the server's for the
#     same connection, and `openssl s_client -keymatexport` against serve
#     gets the same bytes serve reports;
#   - --groups: the one group both ends allow is negotiated, and both
#     status lines say group=NAME; --sigalgs restricts what is accepted;
#   - --keylog: both ends' files hold the same lines (each once), and
#     SSLKEYLOGFILE works for connect too;
#   - default groups from tlsplug.conf (skipped where the engine lacks
#     them, refused naming file:line when none is left, --groups wins);
#   - bad input: an unknown group name (usage error naming it), a
#     post-quantum group on an engine without it (refused naming it, or
#     negotiated where the engine has it), a key log path that cannot be
#     opened (one warning, the connection works).
. "${top_srcdir:-.}/tests/interop-lib.sh"
gen_certs

LABEL=EXPERIMENTAL-tlsplug-interop

# The value of key $2 in the last line of file $1 that starts with $3.
field() {
	grep "^$3" "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Waits until serve has logged $1 client lines (10 s at most).
wait_clients() {
	i=0
	while [ "$(grep -c '^client=' "$tmp/$serve_name.err")" -lt "$1" ] &&
	      [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# --keylog FILE where backend $1 logs keys (tests/check_caps pins which
# do; one that does not refuses the option, checked below), else nothing.
keylog_opt() {
	has_cap "$1" keylog && echo "--keylog $2"
}
# --groups $2 where backend $1 sets groups, else nothing (one without
# refuses the option: checked below).
groups_opt() {
	has_cap "$1" groups && echo "--groups $2"
}

for sb in $BACKENDS; do
	rm -f "$tmp/serve-$sb.keys" "$tmp/client-$sb.keys"
	# An RSA chain: in TLS 1.2 the client's groups also restrict the
	# curve of an ECDSA server certificate (RFC 8422).
	start_serve "serve-$sb" --backend "$sb" --echo \
		--cert "$C/rsa.pem" --key "$C/rsa.key" \
		--exporter "$LABEL:48" $(groups_opt "$sb" secp384r1,x25519) \
		$(keylog_opt "$sb" "$tmp/serve-$sb.keys") || continue
	served=0
	# The clients that log keys, per version this server speaks: the
	# key log comparison below counts their connections.
	nb12=0
	nb13=0
	for cb in $BACKENDS; do
		for v in 1.2 1.3; do
			n=$cb-to-$sb-tls$v
			if [ $v = 1.3 ] && [ "$(pair_version "$cb" "$sb")" != 1.3 ]
			then
				note "skipped $n: the pair runs$(v12_note \
					"$cb" "$sb")"
				continue
			fi
			printf 'ping\n' >"$tmp/$n.in"
			connect "$n" "127.0.0.1:$serve_port" --backend "$cb" \
				--cafile "$C/ca.pem" --servername localhost \
				--min-version "$v" --max-version "$v" \
				--exporter "$LABEL:48" \
				$(groups_opt "$cb" secp384r1) \
				$(keylog_opt "$cb" "$tmp/client-$sb.keys")
			expect_ok "$n" || continue
			served=$((served + 1))
			if has_cap "$cb" keylog; then
				[ $v = 1.2 ] && nb12=$((nb12 + 1))
				[ $v = 1.3 ] && nb13=$((nb13 + 1))
			fi
			wait_clients "$served"
			ce=$(field "$tmp/$n.err" exporter backend=)
			se=$(field "$tmp/serve-$sb.err" exporter client=)
			# An end without exporters says exporter=error
			# (tlsplug_conn_export_keying_material: UNSUPPORTED).
			for end in "$cb:$ce" "$sb:$se"; do
				has_cap "${end%%:*}" exporter && continue
				[ "${end#*:}" = error ] &&
					pass "$n: ${end%%:*} has no exporter" ||
					fail "$n: ${end%%:*} has no exporter," \
						"yet exporter=${end#*:}" \
						"$tmp/$n.err" "$tmp/serve-$sb.err"
			done
			if lacks "$cb" exporter "$n exporter agreement" ||
			   lacks "$sb" exporter "$n exporter agreement"; then
				:
			elif [ ${#ce} -eq 96 ] && [ "$ce" = "$se" ]; then
				pass "$n exporter agrees"
			else
				fail "$n: exporter client '$ce' server '$se'" \
					"$tmp/$n.err" "$tmp/serve-$sb.err"
			fi
			if lacks "$cb" groups "$n group" ||
			   lacks "$sb" groups "$n group"; then
				continue
			fi
			cg=$(field "$tmp/$n.err" group backend=)
			sg=$(field "$tmp/serve-$sb.err" group client=)
			if [ "$cg" = secp384r1 ] && [ "$sg" = secp384r1 ]; then
				pass "$n group"
			else
				fail "$n: group client '$cg' server '$sg'" \
					"$tmp/$n.err" "$tmp/serve-$sb.err"
			fi
		done
	done

	# openssl s_client's exporter (RFC 5705, no context) against serve.
	for v in 1_2 1_3; do
		n=openssl-to-$sb-tls$v
		if lacks "$sb" exporter "$n"; then
			continue
		fi
		if [ $v = 1_3 ] && lacks "$sb" tls1_3 "$n"; then
			continue
		fi
		"$OPENSSL" s_client -connect "127.0.0.1:$serve_port" \
			-CAfile "$C/ca.pem" -verify_return_error -servername \
			localhost -tls$v -keymatexport "$LABEL" \
			-keymatexportlen 48 </dev/null >"$tmp/$n.out" \
			2>"$tmp/$n.err"
		served=$((served + 1))
		wait_clients "$served"
		oe=$(sed -n 's/^ *Keying material: *//p' "$tmp/$n.out" |
			tr 'A-F' 'a-f')
		se=$(field "$tmp/serve-$sb.err" exporter client=)
		if [ ${#oe} -eq 96 ] && [ "$oe" = "$se" ]; then
			pass "$n: s_client -keymatexport agrees"
		else
			fail "$n: s_client '$oe' serve '$se'" "$tmp/$n.out" \
				"$tmp/serve-$sb.err"
		fi
	done
	stop_serve
	expect_serve_backend "serve-$sb" "$sb"

	# Both ends logged the same secrets, each once (the server also
	# logged the s_client connections: more lines, never fewer): the
	# clients that log keys, against a server that does.
	lacks "$sb" keylog "the key log comparison of serve-$sb" && continue
	touch "$tmp/client-$sb.keys"
	sort "$tmp/client-$sb.keys" >"$tmp/c.sorted"
	sort "$tmp/serve-$sb.keys" >"$tmp/s.sorted"
	missing_lines=$(comm -23 "$tmp/c.sorted" "$tmp/s.sorted" | wc -l)
	dups=$(sort "$tmp/serve-$sb.keys" | uniq -d | wc -l)
	c13=$(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' "$tmp/client-$sb.keys")
	c12=$(grep -c '^CLIENT_RANDOM ' "$tmp/client-$sb.keys")
	if [ "$missing_lines" -eq 0 ] && [ "$dups" -eq 0 ] &&
	   [ "$c13" -eq "$nb13" ] && [ "$c12" -eq "$nb12" ]; then
		pass "$sb: both ends logged the same keys, each once"
	else
		fail "$sb: key logs: $missing_lines client lines missing on \
the server, $dups duplicates, $c13 TLS 1.3 and $c12 TLS 1.2 connections \
logged (want $nb13 and $nb12)" "$tmp/client-$sb.keys" "$tmp/serve-$sb.keys"
	fi
done

# A backend without groups or signature algorithms refuses each option,
# naming the setting (one without exporters: exporter=error, above).
for b in $BACKENDS; do
	for o in "groups --groups secp384r1" \
	    "sigalgs --sigalgs ecdsa_secp256r1_sha256"; do
		set -- $o
		cap=$1
		shift
		has_cap "$b" "$cap" && continue
		n=$b-$cap-refused
		connect "$n" 127.0.0.1:9 --backend "$b" "$@"
		expect_category "$n" UNSUPPORTED &&
			expect_err_has "$n" "($cap)"
	done
done

for b in $BACKENDS; do
	# --sigalgs: an ECDSA server refused by a client accepting RSA-PSS
	# only, accepted by one taking ECDSA.
	start_serve "sig-$b" --backend "$b" --echo --cert "$C/ecdsa.pem" \
		--key "$C/ecdsa.key" || continue
	# (TLS 1.3, or 1.2 on a backend without it: the signature_algorithms
	# extension binds the server's handshake signature in both.)
	# An RSA algorithm the engine lists (RSA-PSS, or PKCS#1 v1.5 where
	# it has no PSS), for the list that leaves the ECDSA key unusable.
	v=$(pair_version "$b" "$b")
	rsa_alg=rsa_pss_rsae_sha256
	"$TLSPLUG" info "$b" | grep -q " $rsa_alg\$" || rsa_alg=rsa_pkcs1_sha256
	if ! lacks "$b" sigalgs "$b-sigalgs-*"; then
		n=$b-sigalgs-ecdsa
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version $v --max-version $v \
			--sigalgs ecdsa_secp256r1_sha256,$rsa_alg
		expect_ok "$n" && expect_err_has "$n" " version=TLSv$v "
		n=$b-sigalgs-none
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--min-version $v --max-version $v \
			--sigalgs $rsa_alg
		[ "$status" -eq 1 ] && pass "$n (refused)$(v12_note "$b" "$b")" ||
			fail "$n: exit $status, want 1" "$tmp/$n.err"
	fi

	# SSLKEYLOGFILE names the file for connect too; a backend without
	# key logging leaves it alone (the variable is a debugging aid, not
	# a setting to refuse) and still connects.
	n=$b-sslkeylogfile
	SSLKEYLOGFILE=$tmp/env-$b.keys
	export SSLKEYLOGFILE
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	unset SSLKEYLOGFILE
	touch "$tmp/env-$b.keys"
	if has_cap "$b" keylog; then
		want=1
	else
		want=0
	fi
	# The line one connection logs: TLS 1.3's traffic secret, or TLS
	# 1.2's master secret.
	line=CLIENT_TRAFFIC_SECRET_0
	[ "$v" = 1.3 ] || line=CLIENT_RANDOM
	expect_ok "$n" &&
	[ "$(grep -c "^$line " "$tmp/env-$b.keys")" -eq "$want" ] &&
		pass "$n wrote $want set(s) of keys" ||
		fail "$n: SSLKEYLOGFILE does not hold $want set(s) of keys" \
			"$tmp/env-$b.keys"

	if ! has_cap "$b" keylog; then
		# A backend without key logging refuses --keylog, naming it.
		n=$b-keylog-refused
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--keylog "$tmp/$n.keys"
		expect_category "$n" UNSUPPORTED &&
			expect_err_has "$n" "key logging"
	else
		# A key log file that cannot be opened: one warning, naming
		# it.
		n=$b-keylog-unopenable
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--keylog "$tmp/no/such/dir/keys"
		if expect_ok "$n" &&
		   [ "$(grep -c '^tlsplug: warning: ' "$tmp/$n.err")" -eq 1 ]
		then
			expect_err_has "$n" "$tmp/no/such/dir/keys: cannot open"
		else
			fail "$n: want exit 0 and one warning" "$tmp/$n.err"
		fi
	fi
	stop_serve

	# Post-quantum hybrid: refused naming it where the engine lacks it
	# (a backend without groups refuses --groups itself: checked above).
	n=$b-pq
	if lacks "$b" groups "$n"; then
		:
	elif "$TLSPLUG" info "$b" | grep -q ' X25519MLKEM768$'; then
		start_serve "pq-$b" --backend "$b" --echo \
			--cert "$C/ecdsa.pem" --key "$C/ecdsa.key" \
			--groups X25519MLKEM768 || continue
		connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
			--cafile "$C/ca.pem" --servername localhost \
			--groups X25519MLKEM768
		expect_ok "$n" && expect_err_has "$n" "group=X25519MLKEM768"
		stop_serve
	else
		connect "$n" 127.0.0.1:9 --backend "$b" --groups X25519MLKEM768
		expect_category "$n" UNSUPPORTED &&
			expect_err_has "$n" X25519MLKEM768
	fi
done

# Default groups from the configuration file (tlsplug.conf `groups`): a
# group the engine lacks is skipped, a list of only such groups is
# refused naming the file and line, an explicit --groups wins.
printf '[default]\ngroups = X25519MLKEM768, secp384r1\n' >"$tmp/groups.conf"
printf '[default]\ngroups = X25519MLKEM768\n' >"$tmp/pq.conf"
for b in $BACKENDS; do
	start_serve "conf-$b" --backend "$b" --echo --cert "$C/rsa.pem" \
		--key "$C/rsa.key" || continue
	TLSPLUG_CONF=$tmp/groups.conf
	export TLSPLUG_CONF
	if lacks "$b" groups "$b-conf-groups-* (the file's groups)"; then
		# It keeps its engine's defaults (core/groups.c): the file
		# neither breaks nor steers its connections.
		for f in groups pq; do
			TLSPLUG_CONF=$tmp/$f.conf
			n=$b-conf-$f-ignored
			connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
				--cafile "$C/ca.pem" --servername localhost
			expect_ok "$n"
		done
		unset TLSPLUG_CONF
		stop_serve
		continue
	fi
	pq=no
	"$TLSPLUG" info "$b" | grep -q ' X25519MLKEM768$' && pq=yes
	n=$b-conf-groups
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	want=secp384r1
	[ $pq = yes ] && want=X25519MLKEM768
	expect_ok "$n" && expect_err_has "$n" " group=$want "
	n=$b-conf-groups-overridden
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost --groups x25519
	expect_ok "$n" && expect_err_has "$n" " group=x25519 "
	TLSPLUG_CONF=$tmp/pq.conf
	n=$b-conf-groups-none-usable
	connect "$n" "127.0.0.1:$serve_port" --backend "$b" \
		--cafile "$C/ca.pem" --servername localhost
	if [ $pq = no ]; then
		expect_category "$n" UNSUPPORTED &&
			expect_err_has "$n" "groups ($tmp/pq.conf:2)"
	else
		expect_ok "$n"
	fi
	unset TLSPLUG_CONF
	stop_serve
done

# An unknown group name: a usage error naming it.
n=unknown-group
connect "$n" 127.0.0.1:9 --groups x25519,x25591
if [ "$status" -eq 2 ]; then
	expect_err_has "$n" "unknown group 'x25591'"
else
	fail "$n: exit $status, want 2" "$tmp/$n.err"
fi
finish
