#!/bin/sh
# bench-smoke.sh -- runs tlsplug-bench in its very short mode (--smoke
# --json), directly and through `tlsplug bench`, and checks that every
# metric is produced for every built backend, with native figures and
# ratios, and that naming a backend opened no other plugin.  The
# concurrency metric (tlsplug serve against nginx under h2load) runs with
# tiny sizes: every figure produced with its nginx counterpart, or, when
# h2load or nginx is not installed, every figure skipped with the reason.  No timing
# assertions: the figures of a smoke run mean little, but each must be a
# finite number above 0.
set -eu

: "${top_builddir:?}" "${TLSPLUG_TEST_BACKENDS:?}"
bench=$top_builddir/bench/tlsplug-bench
cli=$top_builddir/tools/tlsplug

if ! command -v python3 >/dev/null 2>&1; then
	echo "bench-smoke: python3 is needed to check the JSON" >&2
	exit 99
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only the plugins of this build, no user or system configuration.
TLSPLUG_PLUGIN_PATH=$(echo "$TLSPLUG_TEST_PLUGIN_PATH" | tr ' ' ':')
XDG_CONFIG_HOME=$work/config
TLSPLUG_CONF=$work/none.conf
: >"$TLSPLUG_CONF"
export TLSPLUG_PLUGIN_PATH XDG_CONFIG_HOME TLSPLUG_CONF
unset TLSPLUG_BACKEND || :

expected=
for so in $TLSPLUG_TEST_BACKENDS; do
	name=$(basename "$so" .so)
	expected="$expected ${name#tlsplug-}"
done

run() {
	# Bounded in time: a hung benchmark fails the test.
	if command -v timeout >/dev/null 2>&1; then
		timeout 300 "$@"
	else
		"$@"
	fi
}

run "$bench" --smoke --json >"$work/all.json"
# Through the CLI, one backend named, one metric.
first=$(echo $expected | cut -d' ' -f1)
run "$cli" bench --smoke --json --backend "$first" --metric startup \
	>"$work/cli.json"
# The concurrency metric alone, every backend, through the CLI.
run "$cli" bench --smoke --json --concurrency >"$work/conc.json"
# Without the tools: skipped, with the reason (one backend is enough).
run env TLSPLUG_BENCH_H2LOAD= "$bench" --smoke --json --concurrency \
	--backend "$first" >"$work/skip.json"
have_tools=yes
command -v h2load >/dev/null 2>&1 || have_tools=no
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin command -v nginx >/dev/null 2>&1 ||
	have_tools=no
[ "$have_tools" = yes ] ||
	echo "note: h2load or nginx missing: the concurrency figures must" \
		"be reported as skipped"
# Usage errors are exit status 2.
for bad in "--metric nosuch" "--concurrency=1,2" "--concurrency=0,1,1,1"; do
	status=0
	"$bench" $bad >/dev/null 2>&1 || status=$?
	if [ "$status" -ne 2 ]; then
		echo "bench-smoke: $bad exited $status, expected 2" >&2
		exit 1
	fi
done

python3 - "$work/all.json" "$work/cli.json" "$work/conc.json" \
	"$work/skip.json" $have_tools $expected <<'EOF'
import json, math, sys

all_path, cli_path, conc_path, skip_path = sys.argv[1:5]
have_tools = sys.argv[5] == "yes"
expected = sys.argv[6:]
cases = {
    "handshake": ["tls1.3-ecdsa-p256", "tls1.2-ecdhe-rsa-aes128gcm"],
    "throughput": ["buffer-aes128gcm", "buffer-chacha20poly1305",
                   "socket-aes128gcm", "socket-chacha20poly1305",
                   "socket-aes128gcm-1k", "socket-chacha20poly1305-1k",
                   "socket-aes128gcm-syscalls",
                   "socket-chacha20poly1305-syscalls",
                   "socket-aes128gcm-1k-syscalls",
                   "socket-chacha20poly1305-1k-syscalls",
                   "socket-aes128gcm-cpu", "socket-chacha20poly1305-cpu",
                   "socket-aes128gcm-1k-cpu",
                   "socket-chacha20poly1305-1k-cpu"],
    "memory": ["rss-per-connection", "heap-client", "heap-server"],
    "startup": ["first-client-context"],
}
targets = {
    "socket-aes128gcm": ">= 1.20", "socket-chacha20poly1305": ">= 1.20",
    "socket-aes128gcm-1k": ">= 1.00", "socket-chacha20poly1305-1k": ">= 1.00",
}
problems = []

def figure(v):
    # Every figure is a rate, a size or a time: a finite number above 0.
    # (0, a negative value or infinity means a measurement went wrong;
    # JSON allows no NaN, but Python's parser takes NaN and Infinity.)
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v > 0)

def check(doc, where, want_metrics, want_backends):
    names = [b["name"] for b in doc["backends"]]
    if sorted(names) != sorted(want_backends):
        problems.append("%s: backends %s, expected %s"
                        % (where, names, want_backends))
    for b in doc["backends"]:
        if not b["native"] or not b["native_engine_version"]:
            problems.append("%s: %s has no native half" % (where, b["name"]))
        got = {(r["metric"], r["case"]): r for r in b["results"]}
        for m in want_metrics:
            for c in cases[m]:
                r = got.get((m, c))
                tag = "%s: %s %s %s" % (where, b["name"], m, c)
                if r is None:
                    problems.append(tag + ": missing")
                    continue
                if r["error"] is not None:
                    problems.append(tag + ": error: " + r["error"])
                for k in ("tlsplug", "native", "ratio"):
                    if not figure(r[k]):
                        problems.append("%s: %s is %r" % (tag, k, r[k]))
                if r["rounds"] < 1 or len(r["tlsplug_rounds"]) != r["rounds"] \
                        or len(r["native_rounds"]) != r["rounds"]:
                    problems.append(tag + ": rounds missing")
                for k in ("tlsplug_rounds", "native_rounds"):
                    for v in r[k]:
                        if not figure(v):
                            problems.append("%s: %s holds %r" % (tag, k, v))
                # The targets the figures are held to (met or not is
                # the run's business, but each must have one).
                want = targets.get(c)
                if m == "memory" and c.startswith("heap-"):
                    want = "<= 0.60" if b["name"] == "openssl" else "<= 1.00"
                if want is not None and r["target"] != want:
                    problems.append("%s: target %r, expected %r"
                                    % (tag, r["target"], want))
                if c.endswith("-syscalls") and r["unit"] != "syscalls/MiB":
                    problems.append(tag + ": unit " + r["unit"])
                if m == "startup" and "opened=0" not in r["info"]:
                    problems.append(tag + ": other plugins opened: "
                                    + r["info"])
        if len(got) != len(b["results"]):
            problems.append("%s: duplicate results" % where)

with open(all_path) as f:
    check(json.load(f), "tlsplug-bench", list(cases), expected)
with open(cli_path) as f:
    check(json.load(f), "tlsplug bench", ["startup"], expected[:1])

# Concurrency: against nginx, or skipped with a reason; never both.
conc_cases = {"new-connections": ">= 1.00", "keep-alive": ">= 1.00",
              "idle-rss-per-connection": "<= 1.00"}
with open(all_path) as f:
    for b in json.load(f)["backends"]:
        if any(r["metric"] == "concurrency" for r in b["results"]):
            problems.append("default run: %s has concurrency results"
                            % b["name"])
with open(skip_path) as f:
    for b in json.load(f)["backends"]:
        for r in b["results"]:
            if not r["skipped"] or "h2load" not in r["skipped"] or \
                    r["tlsplug"] is not None or r["native"] is not None \
                    or r["error"] is not None:
                problems.append("no h2load: %s %s not skipped: %r"
                                % (b["name"], r["case"], r))
with open(conc_path) as f:
    doc = json.load(f)
names = [b["name"] for b in doc["backends"]]
if sorted(names) != sorted(expected):
    problems.append("concurrency: backends %s, expected %s"
                    % (names, expected))
for b in doc["backends"]:
    got = {r["case"]: r for r in b["results"]}
    if any(r["metric"] != "concurrency" for r in b["results"]) or \
            sorted(got) != sorted(conc_cases):
        problems.append("concurrency: %s: results %s"
                        % (b["name"], [(r["metric"], r["case"])
                                       for r in b["results"]]))
        continue
    for c, want in conc_cases.items():
        r = got[c]
        tag = "concurrency: %s %s" % (b["name"], c)
        if r["counterpart"] != "nginx" or r["target"] != want:
            problems.append("%s: counterpart %r, target %r"
                            % (tag, r["counterpart"], r["target"]))
        if r["error"] is not None:
            problems.append(tag + ": error: " + r["error"])
        if not have_tools:
            if not r["skipped"] or r["tlsplug"] is not None \
                    or r["native"] is not None:
                problems.append(tag + ": not reported as skipped")
            continue
        if r["skipped"] is not None:
            problems.append(tag + ": skipped: " + r["skipped"])
        for k in ("tlsplug", "native", "ratio"):
            if not figure(r[k]):
                problems.append("%s: %s is %r" % (tag, k, r[k]))
for p in problems:
    print("bench-smoke: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
