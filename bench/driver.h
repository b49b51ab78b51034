/* driver.h -- the engine-independent driver of tlsplug-bench: options,
 * results, the measurements (metrics.c) and the report (report.c). */
#ifndef TLSPLUG_BENCH_DRIVER_H
#define TLSPLUG_BENCH_DRIVER_H

#include <stddef.h>

#include "bench/side.h"

#define BENCH_MAX_ROUNDS 101

/* The metrics, as --metric names them. */
enum bench_metric {
	BENCH_M_HANDSHAKE = 0,
	BENCH_M_THROUGHPUT = 1,
	BENCH_M_MEMORY = 2,
	BENCH_M_STARTUP = 3,
	BENCH_M_CONCURRENCY = 4   /* against nginx; only when asked for */
};
#define BENCH_METRIC_COUNT 5
extern const char *const bench_metric_names[BENCH_METRIC_COUNT];

struct bench_opts {
	double duration;          /* seconds per measurement */
	int rounds;
	int connections;          /* memory: pairs */
	int json;
	int smoke;
	unsigned metrics;         /* bit per enum bench_metric */
	const char *cases[16];    /* --case filters (none: every case) */
	int ncases;
	const char *certdir;      /* PEM files for the memory children */
	const char *self;         /* this program, for the children */
	/* concurrency: requests with one per new connection, requests over
	 * kept-alive connections, h2load clients, idle connections held,
	 * rounds */
	int conc_handshakes, conc_requests, conc_clients, conc_idle;
	int conc_rounds;
};

/* How a figure compares with its native counterpart. */
enum bench_cmp {
	BENCH_CMP_HIGHER = 1,   /* rate: ratio tlsplug/native, target >= x */
	BENCH_CMP_LOWER = 2,    /* cost: ratio tlsplug/native, reported */
	BENCH_CMP_BYTES = 3,    /* memory: tlsplug - native <= x bytes */
	BENCH_CMP_RATIO_MAX = 4 /* cost: ratio tlsplug/native, target <= x */
};

/* One figure: the tlsplug side and the native side, round by round. */
struct bench_result {
	const char *metric;       /* bench_metric_names[] */
	const char *name;         /* case id, e.g. "tls1.3-ecdsa-p256" */
	const char *label;        /* for the table */
	const char *unit;
	enum bench_cmp cmp;
	double target;            /* ratio (HIGHER) or bytes (BYTES); 0: none */
	int n;                    /* rounds done */
	double tp[BENCH_MAX_ROUNDS];
	double nat[BENCH_MAX_ROUNDS];
	int has_native;
	char info[384];           /* extra facts ("group=x25519") or "" */
	char error[BENCH_ERRLEN]; /* "" when the figure was measured */
	/* Not measured, and why (a tool missing): not an error. */
	char skipped[BENCH_ERRLEN];
	/* What the "native" figure is, when not the engine called directly
	 * ("nginx"); NULL: the engine. */
	const char *counterpart;
	struct bench_result *next;
};

/* Everything measured for one backend. */
struct bench_backend_run {
	const char *name;
	const char *tlsplug_engine_version;
	const char *native_engine_version;   /* NULL: no native half */
	struct bench_result *results;        /* in order */
	struct bench_result **tail;
};

/* metrics.c: appends the results of one metric for one backend.
 * tp: the tlsplug side; nat: the native half or NULL. */
void bench_run_metric(enum bench_metric m, const struct bench_opts *o,
                      const struct bench_certs *certs,
                      const struct bench_native *tp,
                      const struct bench_native *nat,
                      struct bench_backend_run *run);

/* metrics.c: a new result appended to run (exits when out of memory). */
struct bench_result *bench_result_new(struct bench_backend_run *run,
	enum bench_metric m, const char *name, const char *label,
	const char *unit, enum bench_cmp cmp, double target, int has_native);

/* concurrency.c: `tlsplug serve --http` against nginx under h2load, and
 * memory per idle connection (b: the backend; tp: its tlsplug side). */
struct tlsplug_backend;
void bench_metric_concurrency(const struct bench_opts *o,
                              const struct bench_certs *certs,
                              const struct tlsplug_backend *b,
                              const struct bench_native *tp,
                              struct bench_backend_run *run);

/* Whether case `name` was asked for (no --case: all). */
int bench_case_wanted(const struct bench_opts *o, const char *name);

/* metrics.c: the child modes (run in a fresh process by exec). */
int bench_startup_child(const char *side, const char *backend,
                        const char *t0);
int bench_memory_child(const char *side, const char *backend,
                       const char *count, const char *certdir);

/* syscount.c: counts the transfer and poll system calls made on watched
 * descriptors, by any library of this process. */
void bench_syscount_watch(int fd, int on);
/* The count since the last call (and resets it). */
unsigned long bench_syscount_take(void);

/* report.c */
double bench_median(const double *v, int n);
void bench_report_table(const struct bench_opts *o,
                        struct bench_backend_run *runs, size_t nruns);
void bench_report_json(const struct bench_opts *o, int argc, char **argv,
                       struct bench_backend_run *runs, size_t nruns);
/* Whether a result meets its target: 1 yes, 0 no, -1 no target/native. */
int bench_result_met(const struct bench_result *r);

/* certs.c: writes / reads the test PKI as PEM files in dir. */
int bench_certs_save(const struct bench_certs *c, const char *dir);
int bench_certs_load(struct bench_certs *c, const char *dir);
void bench_certs_free(struct bench_certs *c);
/* Removes the files bench_certs_save wrote, and dir. */
void bench_certs_remove(const char *dir);

#endif /* TLSPLUG_BENCH_DRIVER_H */
