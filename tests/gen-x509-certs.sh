#!/bin/sh
# gen-x509-certs.sh -- certificates for the certificate reader's tests
# (tests/check_x509.c) and the fuzzing seeds (tools/fuzz-seeds), made
# afresh into DIR with the openssl program ($OPENSSL_BIN, else openssl).
#
# For each certificate NAME, DIR gets NAME.der, and NAME.san when it has a
# subjectAltName: the openssl -addext value it was made with, which the test
# reads its expected DNS and IP entries from.  The subjects cover what the
# RFC 4514 printer must handle: UTF-8, BMPString, TeletexString, multi-valued
# RDNs, characters that need escaping, attribute types beyond CN.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: gen-x509-certs.sh DIR" >&2
	exit 2
fi
dir=$1
ossl=${OPENSSL_BIN:-openssl}
mkdir -p "$dir"
cd "$dir"

# A config without default extensions, so a certificate holds only what
# -addext gives it; string_mask picks the string types of the subject.
conf() {	# conf FILE MASK
	cat >"$1" <<EOF
[req]
distinguished_name = dn
string_mask = $2
prompt = no
[dn]
[dir_sect]
C = DE
O = Directory Name
CN = dir entry
EOF
}
conf utf8.cnf utf8only
conf pkix.cnf pkix
conf default.cnf default

"$ossl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
"$ossl" genpkey -algorithm ED25519 -out ed25519.key
"$ossl" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out rsa.key 2>/dev/null

# cert NAME KEY CONF SUBJECT [SAN] [-addext ...]: a self-signed v3
# certificate.
cert() {
	name=$1 key=$2 cnf=$3 subj=$4
	shift 4
	san=
	if [ $# -gt 0 ]; then
		san=$1
		shift
	fi
	if [ -n "$san" ]; then
		printf '%s\n' "$san" >"$name.san"
		set -- -addext "subjectAltName=$san" "$@"
	fi
	"$ossl" req -x509 -config "$cnf" -key "$key" -utf8 -multivalue-rdn \
		-subj "$subj" -days 30 -sha256 -outform DER -out "$name.der" \
		"$@"
}

cert nosan ec.key utf8.cnf "/CN=no san/O=Example"
cert dns ec.key utf8.cnf "/CN=dns/O=Example" \
	"DNS:a.example.test,DNS:*.b.example.test"
cert ip ec.key utf8.cnf "/CN=ip" \
	"IP:127.0.0.1,IP:::1,IP:192.0.2.7,IP:2001:db8::5"
many=
i=0
while [ $i -lt 40 ]; do
	many="${many}DNS:n$i.example.test,"
	i=$((i + 1))
done
cert many ec.key utf8.cnf "/CN=many" "${many}IP:10.0.0.1,IP:fe80::1,IP:10.0.0.2"
cert mixed ec.key utf8.cnf "/CN=mixed" \
	"otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.test,email:a@example.test,DNS:x.example.test,URI:https://example.test/p,IP:10.1.2.3,RID:1.2.3.4,dirName:dir_sect,DNS:y.example.test"
cert critical ec.key utf8.cnf "/CN=critical" "critical,DNS:crit.example.test"
cert sanfirst ec.key utf8.cnf "/CN=san first" "DNS:first.example.test" \
	-addext "basicConstraints=critical,CA:FALSE" \
	-addext "keyUsage=critical,digitalSignature" \
	-addext "extendedKeyUsage=serverAuth,clientAuth" \
	-addext "subjectKeyIdentifier=hash" \
	-addext "certificatePolicies=2.23.140.1.2.1"
"$ossl" req -x509 -config utf8.cnf -key ec.key -subj "/CN=san last" \
	-days 30 -outform DER -out sanlast.der \
	-addext "basicConstraints=critical,CA:FALSE" \
	-addext "keyUsage=critical,digitalSignature" \
	-addext "subjectKeyIdentifier=hash" \
	-addext "subjectAltName=DNS:last.example.test,IP:192.0.2.1"
printf '%s\n' "DNS:last.example.test,IP:192.0.2.1" >sanlast.san
cert rsa rsa.key utf8.cnf "/CN=tlsplug test rsa/O=Example" "DNS:rsa.example.test"
cert ed25519 ed25519.key utf8.cnf "/CN=ed25519" "DNS:ed.example.test"

# Subjects.
cert utf8 ec.key utf8.cnf "/CN=Grüße 日本 😀/O=Ünïcödé/C=DE"
cert bmp ec.key pkix.cnf "/CN=Grüße 日本/O=plain/OU=é"
cert t61 ec.key default.cnf "/CN=café/O=Zürich"
cert multirdn ec.key utf8.cnf "/CN=multi+UID=42/O=Example+OU=Unit/C=US"
cert escape ec.key utf8.cnf \
	"/CN=a,b\\+c\"d\\\\e<f>g;h=i/O= lead#/OU=#hash/L=trail /ST=$(printf 'c\001t\177l')/title=\\ "
cert attrs ec.key utf8.cnf "/DC=test/DC=example/CN=x/emailAddress=a@example.test/serialNumber=123/street=Main St 1/SN=Doe/GN=Jane/title=Dr/postalCode=12345/L=Town/ST=State"
cert empty ec.key utf8.cnf "/"

# A v1 certificate (no extensions at all).
"$ossl" req -new -config utf8.cnf -key ec.key -subj "/CN=v1 cert/O=Example" \
	-out v1.csr
"$ossl" x509 -req -in v1.csr -key ec.key -days 30 -outform DER \
	-out v1.der 2>/dev/null

rm -f ./*.cnf ./*.csr ./*.key
