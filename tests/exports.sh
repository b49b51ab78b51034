#!/bin/sh
# exports.sh -- the library exports exactly the public API, versioned.
#
# Three lists must agree:
#   declared  every TLSPLUG_API name in include/tlsplug/*.h
#   mapped    every name in core/libtlsplug.map, with its version node
#   exported  every dynamic symbol the built libtlsplug.so defines, with
#             its version (objdump -T)
# Fails when a declared name is not mapped or not exported with its node's
# version (as the default version, name@@NODE), when the library exports
# anything the map does not list (or unversioned, or under another
# version), and when the map lists a name no header declares.
set -eu
LC_ALL=C
export LC_ALL

: "${top_builddir:?top_builddir must be set (run through make check)}"
: "${top_srcdir:?top_srcdir must be set (run through make check)}"
objdump=${OBJDUMP:-objdump}
map=$top_srcdir/core/libtlsplug.map
la=$top_builddir/libtlsplug.la

if ! command -v "$objdump" >/dev/null 2>&1; then
	echo "exports: $objdump not found (binutils)" >&2
	exit 99
fi
[ -f "$la" ] || { echo "exports: $la not built" >&2; exit 99; }
# The shared object libtool made (dlname='libtlsplug.so.N').
dlname=$(sed -n "s/^dlname='\(.*\)'\$/\1/p" "$la")
lib=$top_builddir/.libs/$dlname
if [ -z "$dlname" ] || [ ! -f "$lib" ]; then
	echo "exports: no shared library named in $la" >&2
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsplug-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Prints the name of every TLSPLUG_API declaration in the C headers given.
# Comments, string and character literals and preprocessor lines (with
# their continuations) go first; what is left is cut into statements at
# ; { and }, so that a declaration may span lines.  In a statement that
# has the word TLSPLUG_API, the name is the identifier before the first
# "(" (a function) or the last identifier (an object).  Anything else is
# reported, so that the test cannot silently miss a declaration.
cat >"$tmp/decls.awk" <<'EOF'
function statement(   t, head) {
	t = stmt
	stmt = ""
	gsub(/[ \t]+/, " ", t)
	if (t !~ /(^| )TLSPLUG_API( |$)/)
		return
	head = t
	if (index(head, "(") > 0)
		head = substr(head, 1, index(head, "(") - 1)
	else
		sub(/ *(\[|=).*$/, "", head)
	sub(/ +$/, "", head)
	if (match(head, /[A-Za-z_][A-Za-z0-9_]*$/) == 0 ||
	    substr(head, RSTART) == "TLSPLUG_API") {
		printf "%s: cannot read the declaration \"%s\"\n",
		    FILENAME, t > "/dev/stderr"
		bad = 1
		return
	}
	print substr(head, RSTART)
}
FNR == 1 { state = "code"; cont = 0; stmt = "" }
{
	line = $0
	if (state == "code" && (cont || line ~ /^[ \t]*#/)) {
		cont = line ~ /\\$/
		next
	}
	out = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		c2 = substr(line, i, 2)
		if (state == "comment") {
			if (c2 == "*/") {
				state = "code"
				out = out " "
				i++
			}
			continue
		}
		if (state == "string" || state == "char") {
			if (c == "\\")
				i++
			else if ((state == "string" && c == "\"") ||
			         (state == "char" && c == "'")) {
				state = "code"
				out = out " \"\" "
			}
			continue
		}
		if (c2 == "/*") {
			state = "comment"
			i++
		} else if (c2 == "//") {
			break
		} else if (c == "\"") {
			state = "string"
		} else if (c == "'") {
			state = "char"
		} else if (c == ";" || c == "{" || c == "}") {
			stmt = stmt " " out
			out = ""
			statement()
		} else {
			out = out c
		}
	}
	stmt = stmt " " out
}
END {
	if (state != "code") {
		print "unterminated comment or literal" > "/dev/stderr"
		bad = 1
	}
	exit bad
}
EOF

# Prints "name node" for every name of a version script, and "*local* node"
# for a "local: *;" (the wildcard that hides everything else).
cat >"$tmp/map.awk" <<'EOF'
{ text = text $0 "\n" }
END {
	# Comments out.
	while ((i = index(text, "/*")) > 0) {
		rest = substr(text, i + 2)
		j = index(rest, "*/")
		if (j == 0) {
			print "unterminated comment" > "/dev/stderr"
			exit 1
		}
		text = substr(text, 1, i - 1) " " substr(rest, j + 2)
	}
	gsub(/[{};:]/, " & ", text)
	n = split(text, tok, /[ \t\n]+/)
	node = ""
	depth = 0
	scope = ""
	for (k = 1; k <= n; k++) {
		t = tok[k]
		if (t == "")
			continue
		if (depth == 0) {
			if (t == "{") {
				if (node == "") {
					print "anonymous version node" \
					    > "/dev/stderr"
					exit 1
				}
				depth = 1
				scope = "global"
			} else if (t == ";") {
				node = ""
			} else if (t == "}") {
				print "unbalanced }" > "/dev/stderr"
				exit 1
			} else {
				# A node name, or after } its parent's.
				node = t
			}
			continue
		}
		if (t == "}") {
			depth = 0
			continue
		}
		if ((t == "global" || t == "local") && tok[k + 1] == ":") {
			scope = t
			k++
			continue
		}
		if (t == ";")
			continue
		if (scope == "local") {
			if (t == "*")
				print "*local*", node
			else
				print "local name " t " (only " \
				    "\"local: *;\" is expected)" > "/dev/stderr"
			continue
		}
		print t, node
	}
}
EOF

# The parser must find what a tricky header declares: declarations over
# several lines, comments and strings that mention TLSPLUG_API, macros,
# structs, function pointers, an object.  A parser that misses these
# would let missing exports through.
cat >"$tmp/fixture.h" <<'EOF'
#define TLSPLUG_API __attribute__((visibility("default")))
#define NOT_A_DECL(x) \
	TLSPLUG_API int macro_body(void);
/* TLSPLUG_API int in_a_comment(void); */
// TLSPLUG_API int in_a_line_comment(void);
static const char *s = "TLSPLUG_API int in_a_string(void);";
struct st { int (*member)(int); char c; };
typedef int (*fn_type)(char *buf, size_t size);
TLSPLUG_API int one_line(void);
TLSPLUG_API const struct st *
two_lines(const char *a,
          fn_type b);
TLSPLUG_API struct st *three_lines(
	struct st *x, /* a ; in a comment { */
	int y);
TLSPLUG_API void with_attribute(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
TLSPLUG_API extern const int an_object[4];
enum e { A = ';', B = 2 };
TLSPLUG_API int after_enum(enum e v);
EOF
printf '%s\n' one_line two_lines three_lines with_attribute an_object \
	after_enum >"$tmp/fixture.want"
awk -f "$tmp/decls.awk" "$tmp/fixture.h" >"$tmp/fixture.got" ||
	{ echo "exports: the header parser failed on its fixture" >&2; exit 1; }
if ! cmp -s "$tmp/fixture.want" "$tmp/fixture.got"; then
	echo "exports: the header parser misreads its fixture:" >&2
	diff "$tmp/fixture.want" "$tmp/fixture.got" >&2 || :
	exit 1
fi

# The three lists.
awk -f "$tmp/decls.awk" "$top_srcdir"/include/tlsplug/*.h |
	sort >"$tmp/declared.all" ||
	{ echo "exports: cannot read the headers" >&2; exit 1; }
if ! awk -f "$tmp/map.awk" "$map" >"$tmp/map.all" 2>"$tmp/map.err" ||
    [ -s "$tmp/map.err" ]; then
	echo "exports: cannot read $map:" >&2
	cat "$tmp/map.err" >&2
	exit 1
fi
"$objdump" -T "$lib" >"$tmp/objdump" ||
	{ echo "exports: $objdump -T $lib failed" >&2; exit 1; }
# Defined dynamic symbols: "ADDR FLAGS SECTION SIZE VERSION NAME"; the
# version is in parentheses when it is not the default one (name@NODE),
# "Base" when the symbol has none.  A node's own definition shows as an
# *ABS* symbol named like the node.
awk '/^[0-9a-f]+ / && $0 !~ /\*UND\*/ { print $NF, $(NF - 1) }' \
	"$tmp/objdump" | sort >"$tmp/exported.all"

status=0
# problem MESSAGE [NAMES]: reports a failure (NAMES: one a line).
problem() {
	if [ $# -gt 1 ]; then
		echo "exports: $1 $(echo "$2" | tr '\n' ' ')" >&2
	else
		echo "exports: $1" >&2
	fi
	status=1
}

[ -s "$tmp/declared.all" ] || problem "no TLSPLUG_API declaration found"
sort -u "$tmp/declared.all" >"$tmp/declared"
[ "$(wc -l <"$tmp/declared")" -eq "$(wc -l <"$tmp/declared.all")" ] ||
	problem "declared twice:" "$(uniq -d "$tmp/declared.all")"

grep -v '^\*local\* ' "$tmp/map.all" | sort >"$tmp/mapped"
cut -d' ' -f2 "$tmp/map.all" | sort -u >"$tmp/nodes"
while read -r node; do
	echo "$node" | grep -Eqx 'TLSPLUG_[0-9]+\.[0-9]+' ||
		problem "version node '$node' is not named TLSPLUG_MAJOR.MINOR"
done <"$tmp/nodes"
grep -q '^\*local\* ' "$tmp/map.all" ||
	problem "$map has no 'local: *;': everything would be exported"
dups=$(cut -d' ' -f1 "$tmp/mapped" | sort | uniq -d)
[ -z "$dups" ] || problem "listed twice in the map:" "$dups"

# Declared but not in the map, and in the map but not declared.
cut -d' ' -f1 "$tmp/mapped" | sort -u >"$tmp/mapped.names"
missing=$(comm -23 "$tmp/declared" "$tmp/mapped.names")
[ -z "$missing" ] ||
	problem "declared TLSPLUG_API but not in the map:" "$missing"
stray=$(comm -13 "$tmp/declared" "$tmp/mapped.names")
[ -z "$stray" ] || problem "in the map but declared by no header:" "$stray"

# The library against the map: the same (name, version) pairs, and
# nothing else but the nodes' own definitions.
awk '$1 != $2' "$tmp/exported.all" >"$tmp/exported.syms"
awk '$1 == $2' "$tmp/exported.all" | cut -d' ' -f1 >"$tmp/exported.nodes"
for node in $(comm -13 "$tmp/nodes" "$tmp/exported.nodes"); do
	problem "the library defines version $node, which the map has not"
done
for node in $(comm -23 "$tmp/nodes" "$tmp/exported.nodes"); do
	problem "the library lacks version node $node (no map at link?)"
done
# "name version" as the linker writes it: name@@NODE (the default
# version), name@NODE (hidden: objdump puts it in parentheses), or name
# alone (Base: unversioned).
# shellcheck disable=SC2016  # an awk program
symver='{ v = $2
	if (v == "Base") print $1
	else if (v ~ /^\(/) { gsub(/[()]/, "", v); print $1 "@" v }
	else print $1 "@@" v }'
notexp=$(comm -23 "$tmp/mapped" "$tmp/exported.syms" | awk "$symver")
[ -z "$notexp" ] ||
	problem "not exported by $lib as the map says:" "$notexp"
extra=$(comm -13 "$tmp/mapped" "$tmp/exported.syms" | awk "$symver")
[ -z "$extra" ] ||
	problem "exported by $lib but not so in the map:" "$extra"

if [ "$status" -eq 0 ]; then
	echo "exports: $(wc -l <"$tmp/declared") functions declared, mapped" \
		"and exported as $(tr '\n' ' ' <"$tmp/nodes")by $dlname"
fi
exit "$status"
