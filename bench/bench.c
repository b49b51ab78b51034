/*
 * bench.c -- tlsplug-bench: measures what tlsplug costs over calling an
 * engine directly.  For every backend, every figure is taken through
 * tlsplug and through the same engine linked into this program, in the
 * same run, interleaved, several rounds, median reported.
 *
 * usage: tlsplug-bench [--backend NAME]... [--metric NAME]...
 *                      [--duration SECONDS] [--rounds N]
 *                      [--connections N] [--json] [--smoke]
 *                      [--concurrency[=N,R,C,K]]
 * Exit: 0 when every figure was measured, 1 when one failed, 2 on usage
 * errors.  Targets not met do not change the exit status.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "bench/driver.h"

#define MAX_BACKENDS 16

static void
usage(FILE *f)
{
	fprintf(f,
"usage: tlsplug-bench [OPTION]...\n"
"Measures tlsplug against the same TLS engine called directly: handshakes/s,\n"
"bulk throughput (buffer API and socket wrapper), memory per idle connection,\n"
"start-up time.  Each figure: tlsplug, native, ratio (median of the rounds).\n"
"\n"
"  --backend NAME     measure this backend (repeatable; default: every\n"
"                     usable backend found)\n"
"  --metric NAME      handshake, throughput, memory, startup or concurrency\n"
"                     (repeatable; default: all but concurrency)\n"
"  --duration SECS    time per measurement (default 1.0)\n"
"  --rounds N         rounds per figure, sides interleaved (default 5)\n"
"  --connections N    connection pairs for the memory figure (default 2000)\n"
"  --case NAME        only this case of a metric, e.g. buffer-aes128gcm\n"
"                     (repeatable; for profiling)\n"
"  --concurrency[=N,R,C,K]\n"
"                     tlsplug serve --http against nginx (same certificate,\n"
"                     suite, one worker), driven by h2load --h1: requests/s\n"
"                     with N requests each on a new connection, requests/s\n"
"                     for R requests over C kept-alive connections, server\n"
"                     RSS per connection with K idle TLS connections held\n"
"                     (default 400,5000,25,1000; 3 rounds, or --rounds).\n"
"                     Alone it selects only this metric.  Needs h2load and\n"
"                     nginx, else the figures are reported as skipped\n"
"  --json             machine-readable output\n"
"  --smoke            a very short run that only checks every figure is\n"
"                     produced (0.01 s, 1 round, 200 pairs; concurrency:\n"
"                     20,200,4,200)\n"
"  --help             this text\n"
"\n"
"Plugins are found as by every tlsplug program (TLSPLUG_PLUGIN_PATH, config\n"
"files, the built-in directory).  See doc/PERFORMANCE.md.\n");
}

static int
parse_positive(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0))
		return -1;
	*out = v;
	return 0;
}

static char tmpdir[PATH_MAX];

static void
remove_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		bench_certs_remove(tmpdir);
}

static int
make_certs(struct bench_certs *certs, struct bench_opts *o)
{
	char err[BENCH_ERRLEN] = "no native half can generate certificates";
	const char *t = getenv("TMPDIR");
	size_t i;

	for (i = 0; bench_natives[i] != NULL; i++)
		if (bench_natives[i]->gen_certs != NULL &&
		    bench_natives[i]->gen_certs(certs, err) == 0)
			break;
	if (bench_natives[i] == NULL) {
		fprintf(stderr, "tlsplug-bench: test certificates: %s\n", err);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/tlsplug-bench-XXXXXX",
	         t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		perror("tlsplug-bench: mkdtemp");
		return -1;
	}
	atexit(remove_tmpdir);
	if (bench_certs_save(certs, tmpdir) != 0) {
		perror("tlsplug-bench: writing test certificates");
		return -1;
	}
	o->certdir = tmpdir;
	return 0;
}

/* The backends to measure: those named, or every usable one found. */
static size_t
pick_backends(struct tlsplug_registry *reg, const char **names, size_t nnames,
              const struct tlsplug_backend **out)
{
	size_t i, n = 0;

	if (nnames > 0) {
		for (i = 0; i < nnames; i++) {
			out[n] = tlsplug_registry_find(reg, names[i]);
			if (out[n] == NULL) {
				const struct tlsplug_error *e =
				    tlsplug_registry_error(reg);

				fprintf(stderr, "tlsplug-bench: backend %s: %s\n",
				        names[i], e != NULL ?
				        tlsplug_error_message(e) : "not found");
				return (size_t)-1;
			}
			n++;
		}
		return n;
	}
	tlsplug_registry_load_all(reg);
	for (i = 0; i < tlsplug_registry_count(reg) && n < MAX_BACKENDS; i++) {
		const struct tlsplug_backend *b = tlsplug_registry_get(reg, i);

		if (tlsplug_backend_state(b) == TLSPLUG_BACKEND_OK)
			out[n++] = b;
	}
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "metric", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "connections", required_argument, NULL, 'c' },
		{ "case", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "smoke", no_argument, NULL, 's' },
		{ "concurrency", optional_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench_opts o = { .duration = 1.0, .rounds = 5,
	                        .connections = 2000 };
	const char *names[MAX_BACKENDS];
	const struct tlsplug_backend *backends[MAX_BACKENDS];
	struct bench_backend_run runs[MAX_BACKENDS];
	struct bench_certs certs;
	struct tlsplug_registry *reg;
	size_t nnames = 0, nb, i;
	int set_duration = 0, set_rounds = 0, set_conns = 0, opt, failed = 0;
	int concurrency = 0, set_conc = 0;
	char extra;
	char self[PATH_MAX];
	ssize_t len;
	double v;

	/* Child modes: run in a fresh process by the measurements. */
	if (argc == 5 && strcmp(argv[1], "--startup-child") == 0)
		return bench_startup_child(argv[2], argv[3], argv[4]);
	if (argc == 6 && strcmp(argv[1], "--memory-child") == 0)
		return bench_memory_child(argv[2], argv[3], argv[4], argv[5]);

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (nnames == MAX_BACKENDS) {
				fprintf(stderr, "tlsplug-bench: too many "
				        "--backend options\n");
				return 2;
			}
			names[nnames++] = optarg;
			break;
		case 'm':
			for (i = 0; i < BENCH_METRIC_COUNT; i++)
				if (strcmp(optarg, bench_metric_names[i]) == 0)
					break;
			if (i == BENCH_METRIC_COUNT) {
				fprintf(stderr, "tlsplug-bench: unknown metric "
				        "'%s' (handshake, throughput, memory, "
				        "startup, concurrency)\n", optarg);
				return 2;
			}
			o.metrics |= 1u << i;
			break;
		case 'd':
			if (parse_positive(optarg, &o.duration) != 0) {
				fprintf(stderr, "tlsplug-bench: bad --duration "
				        "'%s'\n", optarg);
				return 2;
			}
			set_duration = 1;
			break;
		case 'r':
			if (parse_positive(optarg, &v) != 0 ||
			    v > BENCH_MAX_ROUNDS || v != (int)v) {
				fprintf(stderr, "tlsplug-bench: bad --rounds '%s' "
				        "(1..%d)\n", optarg, BENCH_MAX_ROUNDS);
				return 2;
			}
			o.rounds = (int)v;
			set_rounds = 1;
			break;
		case 'c':
			if (parse_positive(optarg, &v) != 0 || v > 1000000 ||
			    v != (int)v) {
				fprintf(stderr, "tlsplug-bench: bad --connections "
				        "'%s'\n", optarg);
				return 2;
			}
			o.connections = (int)v;
			set_conns = 1;
			break;
		case 'k':
			if (o.ncases == (int)(sizeof(o.cases) / sizeof(o.cases[0]))) {
				fprintf(stderr, "tlsplug-bench: too many --case "
				        "options\n");
				return 2;
			}
			o.cases[o.ncases++] = optarg;
			break;
		case 'C':
			concurrency = 1;
			if (optarg != NULL) {
				if (sscanf(optarg, "%d,%d,%d,%d%c",
				           &o.conc_handshakes, &o.conc_requests,
				           &o.conc_clients, &o.conc_idle,
				           &extra) != 4 ||
				    o.conc_handshakes < 1 ||
				    o.conc_requests < 1 || o.conc_clients < 1 ||
				    o.conc_idle < 1 || o.conc_clients > 10000 ||
				    o.conc_handshakes > 10000000 ||
				    o.conc_requests > 100000000 ||
				    o.conc_idle > 1000000) {
					fprintf(stderr, "tlsplug-bench: bad "
					        "--concurrency '%s' (N,R,C,K: "
					        "positive counts)\n", optarg);
					return 2;
				}
				set_conc = 1;
			}
			break;
		case 'j':
			o.json = 1;
			break;
		case 's':
			o.smoke = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlsplug-bench: unexpected argument '%s'\n",
		        argv[optind]);
		return 2;
	}
	if (!set_conc) {
		o.conc_handshakes = o.smoke ? 20 : 400;
		o.conc_requests = o.smoke ? 200 : 5000;
		o.conc_clients = o.smoke ? 4 : 25;
		o.conc_idle = o.smoke ? 200 : 1000;
	}
	o.conc_rounds = set_rounds ? o.rounds : o.smoke ? 1 : 3;
	if (o.smoke) {
		if (!set_duration)
			o.duration = 0.01;
		if (!set_rounds)
			o.rounds = 1;
		if (!set_conns)
			o.connections = 200;
	}
	if (concurrency)
		o.metrics |= 1u << BENCH_M_CONCURRENCY;
	/* Default: every metric but concurrency (it needs nginx and h2load,
	 * and takes longer). */
	if (o.metrics == 0)
		o.metrics = ((1u << BENCH_METRIC_COUNT) - 1) &
		            ~(1u << BENCH_M_CONCURRENCY);

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		perror("tlsplug-bench: /proc/self/exe");
		return 1;
	}
	self[len] = '\0';
	o.self = self;

	reg = tlsplug_registry_default();
	if (reg == NULL) {
		fprintf(stderr, "tlsplug-bench: out of memory\n");
		return 1;
	}
	nb = pick_backends(reg, names, nnames, backends);
	if (nb == (size_t)-1)
		return 1;
	if (nb == 0) {
		fprintf(stderr, "tlsplug-bench: no usable backend found "
		        "(see tlsplug list)\n");
		return 1;
	}
	if (make_certs(&certs, &o) != 0)
		return 1;

	for (i = 0; i < nb; i++) {
		const char *name = tlsplug_backend_name(backends[i]);
		const struct bench_native *nat = bench_native_find(name);
		const struct bench_native *tp;
		unsigned m;

		runs[i].name = name;
		runs[i].results = NULL;
		runs[i].tail = &runs[i].results;
		runs[i].tlsplug_engine_version =
		    tlsplug_backend_engine_version(backends[i]);
		runs[i].native_engine_version =
		    nat != NULL ? nat->engine_version() : NULL;
		for (m = 0; m < BENCH_METRIC_COUNT; m++) {
			if (!(o.metrics & (1u << m)))
				continue;
			if (!o.json)
				fprintf(stderr, "tlsplug-bench: %s: %s...\n", name,
				        bench_metric_names[m]);
			/* The table serves one backend at a time. */
			tp = bench_tlsplug_side(backends[i], name);
			if (m == BENCH_M_CONCURRENCY)
				bench_metric_concurrency(&o, &certs, backends[i],
				                         tp, &runs[i]);
			else
				bench_run_metric((enum bench_metric)m, &o,
				                 &certs, tp, nat, &runs[i]);
		}
	}
	if (o.json)
		bench_report_json(&o, argc, argv, runs, nb);
	else
		bench_report_table(&o, runs, nb);
	for (i = 0; i < nb; i++) {
		struct bench_result *r = runs[i].results, *next;

		for (; r != NULL; r = next) {
			next = r->next;
			if (r->error[0] != '\0') {
				fprintf(stderr, "tlsplug-bench: %s %s %s: %s\n",
				        runs[i].name, r->metric, r->name, r->error);
				failed = 1;
			}
			free(r);
		}
	}
	bench_certs_free(&certs);
	return failed;
}
