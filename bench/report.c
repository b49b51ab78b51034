/* report.c -- medians, the human table and the --json document. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "bench/driver.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_median(const double *v, int n)
{
	double s[BENCH_MAX_ROUNDS];

	if (n <= 0)
		return 0;
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static int
has_figures(const struct bench_result *r)
{
	return r->n > 0 && r->error[0] == '\0';
}

static int
has_ratio(const struct bench_result *r)
{
	return has_figures(r) && r->has_native &&
	    bench_median(r->nat, r->n) != 0;
}

static double
ratio(const struct bench_result *r)
{
	return bench_median(r->tp, r->n) / bench_median(r->nat, r->n);
}

static double
paired_ratio(const struct bench_result *r)
{
	double q[BENCH_MAX_ROUNDS];
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->nat[i] != 0)
			q[n++] = r->tp[i] / r->nat[i];
	return bench_median(q, n);
}

int
bench_result_met(const struct bench_result *r)
{
	if (!has_ratio(r) || r->target == 0)
		return -1;
	if (r->cmp == BENCH_CMP_HIGHER)
		return ratio(r) >= r->target;
	if (r->cmp == BENCH_CMP_BYTES)
		return bench_median(r->tp, r->n) - bench_median(r->nat, r->n) <=
		    r->target;
	if (r->cmp == BENCH_CMP_RATIO_MAX)
		return ratio(r) <= r->target;
	return -1;
}

static void
target_text(const struct bench_result *r, char *buf, size_t size)
{
	if (r->target == 0)
		snprintf(buf, size, "-");
	else if (r->cmp == BENCH_CMP_HIGHER)
		snprintf(buf, size, ">= %.2f", r->target);
	else if (r->cmp == BENCH_CMP_RATIO_MAX)
		snprintf(buf, size, "<= %.2f", r->target);
	else
		snprintf(buf, size, "<= native+%.0f B", r->target);
}

/* ---- machine description ------------------------------------------------ */

static void
read_field(const char *path, const char *key, char *out, size_t size)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");

	snprintf(out, size, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v;

		if (strncmp(line, key, klen) != 0)
			continue;
		v = line + klen;
		while (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' ||
		       *v == '"')
			v++;
		v[strcspn(v, "\"\n")] = '\0';
		snprintf(out, size, "%s", v);
		break;
	}
	fclose(f);
}

struct machine {
	long nproc;
	char cpu[160];
	char mem[64];
	char os[160];
	char load[64];
};

static void
machine_read(struct machine *m)
{
	FILE *f;

	m->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	read_field("/proc/cpuinfo", "model name", m->cpu, sizeof(m->cpu));
	read_field("/proc/meminfo", "MemTotal", m->mem, sizeof(m->mem));
	read_field("/etc/os-release", "PRETTY_NAME", m->os, sizeof(m->os));
	snprintf(m->load, sizeof(m->load), "unknown");
	f = fopen("/proc/loadavg", "r");
	if (f != NULL) {
		double a, b, c;

		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
			snprintf(m->load, sizeof(m->load), "%.2f %.2f %.2f",
			         a, b, c);
		fclose(f);
	}
}

/* ---- table ---------------------------------------------------------------- */

void
bench_report_table(const struct bench_opts *o, struct bench_backend_run *runs,
                   size_t nruns)
{
	struct machine m;
	size_t i;

	machine_read(&m);
	printf("tlsplug-bench (tlsplug %s): %d round(s), %.2f s per "
	       "measurement, median shown; %d connection pairs\n",
	       tlsplug_lib_version(), o->rounds, o->duration,
	       o->connections);
	printf("machine: %ld CPU(s), %s, %s memory, %s; load %s\n", m.nproc,
	       m.cpu, m.mem, m.os, m.load);
	for (i = 0; i < nruns; i++) {
		struct bench_backend_run *run = &runs[i];
		const struct bench_result *r;

		printf("\nbackend %s: %s; native: %s\n", run->name,
		       run->tlsplug_engine_version,
		       run->native_engine_version != NULL
		           ? run->native_engine_version : "no native half");
		printf("%-10s %-26s %-13s %12s %12s %7s  %s\n", "metric",
		       "case", "unit", "tlsplug", "native", "ratio", "target");
		for (r = run->results; r != NULL; r = r->next) {
			char tgt[40], tpv[24] = "-", natv[24] = "-", rat[16] = "-";
			int met = bench_result_met(r);

			if (has_figures(r))
				snprintf(tpv, sizeof(tpv), "%.1f",
				         bench_median(r->tp, r->n));
			if (has_figures(r) && r->has_native)
				snprintf(natv, sizeof(natv), "%.1f",
				         bench_median(r->nat, r->n));
			if (has_ratio(r))
				snprintf(rat, sizeof(rat), "%.3f", ratio(r));
			target_text(r, tgt, sizeof(tgt));
			printf("%-10s %-26s %-13s %12s %12s %7s  %s%s\n",
			       r->metric, r->name, r->unit, tpv, natv, rat, tgt,
			       met == 1 ? " met" : met == 0 ? " NOT MET" : "");
			if (r->info[0] != '\0')
				printf("%-10s   (%s)\n", "", r->info);
			if (r->counterpart != NULL)
				printf("%-10s   (native column: %s)\n", "",
				       r->counterpart);
			if (r->skipped[0] != '\0')
				printf("%-10s   skipped: %s\n", "", r->skipped);
			if (r->error[0] != '\0')
				printf("%-10s   error: %s\n", "", r->error);
		}
	}
}

/* ---- JSON ------------------------------------------------------------------- */

static void
json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_num(double v)
{
	printf("%.6g", v);
}

static void
json_rounds(const double *v, int n)
{
	int i;

	putchar('[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			printf(", ");
		json_num(v[i]);
	}
	putchar(']');
}

static void
json_result(const struct bench_result *r)
{
	char tgt[40];
	int met = bench_result_met(r);

	target_text(r, tgt, sizeof(tgt));
	printf("        {\"metric\": ");
	json_str(r->metric);
	printf(", \"case\": ");
	json_str(r->name);
	printf(", \"description\": ");
	json_str(r->label);
	printf(", \"unit\": ");
	json_str(r->unit);
	printf(", \"better\": \"%s\"",
	       r->cmp == BENCH_CMP_HIGHER ? "higher" : "lower");
	printf(",\n         \"tlsplug\": ");
	if (has_figures(r))
		json_num(bench_median(r->tp, r->n));
	else
		printf("null");
	printf(", \"native\": ");
	if (has_figures(r) && r->has_native)
		json_num(bench_median(r->nat, r->n));
	else
		printf("null");
	printf(", \"ratio\": ");
	if (has_ratio(r))
		json_num(ratio(r));
	else
		printf("null");
	if (r->cmp == BENCH_CMP_BYTES || r->cmp == BENCH_CMP_LOWER ||
	    r->cmp == BENCH_CMP_RATIO_MAX) {
		printf(", \"difference\": ");
		if (has_figures(r) && r->has_native)
			json_num(bench_median(r->tp, r->n) -
			         bench_median(r->nat, r->n));
		else
			printf("null");
	}
	/* Median of the per-round ratios: each round's two sides ran back to
	 * back, so this is the figure least disturbed by load drift. */
	printf(", \"paired_ratio\": ");
	if (has_ratio(r))
		json_num(paired_ratio(r));
	else
		printf("null");
	printf(", \"target\": ");
	json_str(tgt);
	printf(", \"met\": %s", met == 1 ? "true" : met == 0 ? "false" : "null");
	printf(",\n         \"rounds\": %d, \"tlsplug_rounds\": ", r->n);
	json_rounds(r->tp, r->error[0] == '\0' ? r->n : 0);
	printf(", \"native_rounds\": ");
	json_rounds(r->nat, r->has_native && r->error[0] == '\0' ? r->n : 0);
	printf(", \"info\": ");
	json_str(r->info);
	/* What "native" is: the engine called directly, or a server such
	 * as nginx. */
	printf(", \"counterpart\": ");
	json_str(r->counterpart != NULL ? r->counterpart : "engine");
	printf(", \"skipped\": ");
	if (r->skipped[0] != '\0')
		json_str(r->skipped);
	else
		printf("null");
	printf(", \"error\": ");
	if (r->error[0] != '\0')
		json_str(r->error);
	else
		printf("null");
	printf("}");
}

void
bench_report_json(const struct bench_opts *o, int argc, char **argv,
                  struct bench_backend_run *runs, size_t nruns)
{
	struct machine m;
	size_t i;
	int a;

	machine_read(&m);
	printf("{\n  \"tlsplug_version\": ");
	json_str(tlsplug_lib_version());
	printf(",\n  \"command\": [");
	for (a = 0; a < argc; a++) {
		if (a > 0)
			printf(", ");
		json_str(argv[a]);
	}
	printf("],\n  \"options\": {\"duration\": ");
	json_num(o->duration);
	printf(", \"rounds\": %d, \"connections\": %d, \"smoke\": %s},\n",
	       o->rounds, o->connections, o->smoke ? "true" : "false");
	printf("  \"machine\": {\"nproc\": %ld, \"cpu\": ", m.nproc);
	json_str(m.cpu);
	printf(", \"memory\": ");
	json_str(m.mem);
	printf(", \"os\": ");
	json_str(m.os);
	printf(", \"loadavg_at_end\": ");
	json_str(m.load);
	printf("},\n  \"backends\": [");
	for (i = 0; i < nruns; i++) {
		const struct bench_result *r;

		printf("%s\n    {\"name\": ", i > 0 ? "," : "");
		json_str(runs[i].name);
		printf(", \"engine_version\": ");
		json_str(runs[i].tlsplug_engine_version);
		printf(", \"native\": %s, \"native_engine_version\": ",
		       runs[i].native_engine_version != NULL ? "true" : "false");
		if (runs[i].native_engine_version != NULL)
			json_str(runs[i].native_engine_version);
		else
			printf("null");
		printf(",\n      \"results\": [");
		for (r = runs[i].results; r != NULL; r = r->next) {
			printf("%s\n", r == runs[i].results ? "" : ",");
			json_result(r);
		}
		printf("\n      ]}");
	}
	printf("\n  ]\n}\n");
}
