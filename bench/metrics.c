/*
 * metrics.c -- the measurements.  Each figure is taken through tlsplug and
 * through the native half in the same process, interleaved round by round
 * (A B, then B A, ...), so drift in machine load hits both sides alike.
 * Memory and start-up are measured in fresh child processes (this program,
 * re-executed in a child mode), so neither side inherits the other's heap
 * or loaded libraries.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "bench/driver.h"

const char *const bench_metric_names[BENCH_METRIC_COUNT] = {
	"handshake", "throughput", "memory", "startup", "concurrency"
};

/* Plaintext source for bulk transfers. */
static unsigned char bench_src[BENCH_CHUNK];

int
bench_case_wanted(const struct bench_opts *o, const char *name)
{
	int i;

	if (o->ncases == 0)
		return 1;
	for (i = 0; i < o->ncases; i++)
		if (strcmp(o->cases[i], name) == 0)
			return 1;
	return 0;
}

struct bench_result *
bench_result_new(struct bench_backend_run *run, enum bench_metric m,
           const char *name, const char *label, const char *unit,
           enum bench_cmp cmp, double target, int has_native)
{
	struct bench_result *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fprintf(stderr, "tlsplug-bench: out of memory\n");
		exit(1);
	}
	r->metric = bench_metric_names[m];
	r->name = name;
	r->label = label;
	r->unit = unit;
	r->cmp = cmp;
	r->target = target;
	r->has_native = has_native;
	*run->tail = r;
	run->tail = &r->next;
	return r;
}

/* Notes on r that the engine ran a TLS 1.3 case at TLS 1.2 (bench.h). */
static void
note_tls12(struct bench_result *r, const struct bench_native *nat)
{
	size_t n = strlen(r->info);

	if (nat == NULL || !nat->tls12_only)
		return;
	snprintf(r->info + n, sizeof(r->info) - n, "%sat TLS 1.2 (no TLS 1.3)",
	         n > 0 ? ", " : "");
}

static double
seconds_since(uint64_t t0)
{
	return (double)(bench_now_ns() - t0) / 1e9;
}

/* ---- contexts for both sides ------------------------------------------ */

struct sides {
	const struct bench_native *s[2];   /* 0: tlsplug, 1: native or NULL */
	void *cctx[2], *sctx[2];
	int n;                             /* 1 or 2 */
};

static void
sides_free(struct sides *sd)
{
	int i;

	for (i = 0; i < sd->n; i++) {
		if (sd->cctx[i] != NULL)
			sd->s[i]->ctx_free(sd->cctx[i]);
		if (sd->sctx[i] != NULL)
			sd->s[i]->ctx_free(sd->sctx[i]);
		sd->cctx[i] = sd->sctx[i] = NULL;
	}
}

static int
sides_init(struct sides *sd, const struct bench_native *tp,
           const struct bench_native *nat, enum bench_profile p,
           const struct bench_certs *certs, char *err)
{
	int i;

	memset(sd, 0, sizeof(*sd));
	sd->s[0] = tp;
	sd->s[1] = nat;
	sd->n = nat != NULL ? 2 : 1;
	for (i = 0; i < sd->n; i++) {
		sd->cctx[i] = sd->s[i]->ctx_new(p, 0, certs, err);
		if (sd->cctx[i] == NULL)
			goto fail;
		sd->sctx[i] = sd->s[i]->ctx_new(p, 1, certs, err);
		if (sd->sctx[i] == NULL)
			goto fail;
	}
	return 0;
fail:
	sides_free(sd);
	return -1;
}

/* Side order for round r: A B, then B A, and so on. */
static int
side_at(const struct sides *sd, int r, int k)
{
	if (sd->n == 1)
		return 0;
	return (r & 1) ? 1 - k : k;
}

static void
store(struct bench_result *r, int round, int side, double v)
{
	if (side == 0)
		r->tp[round] = v;
	else
		r->nat[round] = v;
}

/* ---- 1. handshakes -------------------------------------------------------- */

static int
one_handshake(const struct bench_native *s, void *cctx, void *sctx,
              const char **group, char *err)
{
	void *p = s->pair_new(cctx, sctx, err);
	int rc;

	if (p == NULL)
		return -1;
	rc = s->pair_handshake(p, err);
	if (rc == 0 && group != NULL && s->pair_group != NULL)
		*group = s->pair_group(p);
	s->pair_free(p, 3);
	return rc;
}

/*
 * A handshake resuming *sess (the first one, with *sess NULL, is full),
 * keeping the connection's new session in *sess for the next: TLS 1.3
 * tickets are used once, as clients use them.  A handshake that should
 * have resumed and did not is an error, so the figure is what it says.
 */
static int
one_resumed(const struct bench_native *s, void *cctx, void *sctx,
            void **sess, char *err)
{
	void *p = s->pair_new(cctx, sctx, err);
	int rc = 0;

	if (p == NULL)
		return -1;
	if (*sess != NULL)
		rc = s->pair_set_session(p, *sess, err);
	if (rc == 0)
		rc = s->pair_handshake(p, err);
	if (rc == 0 && *sess != NULL && !s->pair_resumed(p)) {
		snprintf(err, BENCH_ERRLEN, "%s: the handshake did not resume",
		         s->name);
		rc = -1;
	}
	if (rc == 0)
		rc = s->pair_get_session(p, sess, err);
	s->pair_free(p, 3);
	return rc;
}

static int
handshake_rate(const struct bench_native *s, void *cctx, void *sctx,
               int resumed, double duration, double *out, char *err)
{
	uint64_t t0, end;
	void *sess = NULL;
	long n = 0;
	int rc = 0;

	/* The session to start from is made outside the timing. */
	if (resumed && one_resumed(s, cctx, sctx, &sess, err) != 0) {
		s->session_free(sess);
		return -1;
	}
	t0 = bench_now_ns();
	end = t0 + (uint64_t)(duration * 1e9);
	do {
		rc = resumed ? one_resumed(s, cctx, sctx, &sess, err) :
		    one_handshake(s, cctx, sctx, NULL, err);
		if (rc != 0)
			break;
		n++;
	} while (bench_now_ns() < end);
	if (resumed)
		s->session_free(sess);
	if (rc != 0)
		return -1;
	*out = (double)n / seconds_since(t0);
	return 0;
}

static void
metric_handshake(const struct bench_opts *o, const struct bench_certs *certs,
                 const struct bench_native *tp, const struct bench_native *nat,
                 struct bench_backend_run *run)
{
	static const struct {
		enum bench_profile p;
		const char *name, *label;
		int resumed;
	} cases[] = {
		{ BENCH_TLS13_ECDSA, "tls1.3-ecdsa-p256",
		  "full handshake TLS 1.3, ECDSA P-256", 0 },
		{ BENCH_TLS12_RSA, "tls1.2-ecdhe-rsa-aes128gcm",
		  "full handshake TLS 1.2 ECDHE-RSA-AES128-GCM, RSA-2048", 0 },
		{ BENCH_TLS13_ECDSA, "tls1.3-resumed",
		  "resumed handshake TLS 1.3 (ticket, PSK-DHE), ECDSA P-256",
		  1 },
		{ BENCH_TLS12_RSA, "tls1.2-resumed",
		  "resumed handshake TLS 1.2 (ticket), RSA-2048", 1 },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct bench_result *r;
		const char *group = NULL;
		struct sides sd;
		int round, k, i;

		if (!bench_case_wanted(o, cases[c].name))
			continue;
		/* A backend without sessions (no TLSPLUG_CAP_SESSIONS, or a
		 * native half without session hooks) has no resumed figure. */
		if (cases[c].resumed &&
		    (tp->pair_get_session == NULL ||
		     (nat != NULL && nat->pair_get_session == NULL)))
			continue;
		r = bench_result_new(run, BENCH_M_HANDSHAKE,
		    cases[c].name, cases[c].label, "handshakes/s",
		    BENCH_CMP_HIGHER, 0.97, nat != NULL);

		if (sides_init(&sd, tp, nat, cases[c].p, certs, r->error) != 0)
			continue;
		/* Warm-up (first-use costs), and the native group. */
		for (i = 0; i < sd.n; i++)
			if (one_handshake(sd.s[i], sd.cctx[i], sd.sctx[i],
			                  i == 1 ? &group : NULL, r->error) != 0)
				goto done;
		if (group != NULL)
			snprintf(r->info, sizeof(r->info), "group=%s", group);
		if (cases[c].p != BENCH_TLS12_RSA)
			note_tls12(r, nat);
		for (round = 0; round < o->rounds; round++) {
			for (k = 0; k < sd.n; k++) {
				double v;

				i = side_at(&sd, round, k);
				if (handshake_rate(sd.s[i], sd.cctx[i], sd.sctx[i],
				    cases[c].resumed, o->duration, &v,
				    r->error) != 0)
					goto done;
				store(r, round, i, v);
			}
			r->n = round + 1;
		}
done:
		sides_free(&sd);
	}
}

/* ---- 2. throughput ------------------------------------------------------ */

static int
transfer_secs(const struct bench_native *s, void *pair, size_t total,
              double *secs, char *err)
{
	uint64_t t0 = bench_now_ns();

	if (s->pair_transfer(pair, bench_src, total, err) != 0)
		return -1;
	*secs = seconds_since(t0);
	return 0;
}

/* Socket transfer: the server end reads on its own thread. */
struct sock_server {
	const struct bench_native *s;
	void *ctx;
	int fd;
	size_t total;
	uint64_t t_end;
	uint64_t cpu_ns;     /* this thread's CPU time reading */
	int rc;
	char err[BENCH_ERRLEN];
};

/* The calling thread's CPU time (user + system), in nanoseconds. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
sock_server_main(void *arg)
{
	static __thread unsigned char buf[BENCH_CHUNK];
	struct sock_server *sv = arg;
	void *c = sv->s->fd_new(sv->ctx, 1, sv->fd, sv->err);
	size_t got = 0;
	long n;

	sv->rc = -1;
	if (c == NULL)
		goto out;
	if (sv->s->fd_handshake(c, sv->err) != 0)
		goto out;
	sv->cpu_ns = thread_cpu_ns();
	while (got < sv->total) {
		n = sv->s->fd_read(c, buf, sizeof(buf), sv->err);
		if (n <= 0) {
			if (n == 0)
				snprintf(sv->err, BENCH_ERRLEN, "early EOF");
			goto out;
		}
		got += (size_t)n;
	}
	sv->t_end = bench_now_ns();
	sv->cpu_ns = thread_cpu_ns() - sv->cpu_ns;
	sv->rc = 0;
out:
	if (sv->rc != 0)
		shutdown(sv->fd, SHUT_RDWR);   /* unblock the client */
	sv->s->fd_free(c);
	if (sv->s->thread_end != NULL)
		sv->s->thread_end();
	return NULL;
}

static void
sock_watchdog(int sig)
{
	static const char msg[] =
	    "tlsplug-bench: socket transfer stuck for 120 s, giving up\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/*
 * One socket transfer of total bytes in chunk-byte writes: *secs from the
 * client's first write to the server's last byte, *calls the transfer and
 * poll system calls both ends made on the pair (handshakes included), and
 * *cpu the CPU time (user + system) both threads spent writing and
 * reading, in seconds -- the figure least disturbed by other load.
 */
static int
socket_secs(const struct bench_native *s, void *cctx, void *sctx,
            size_t total, size_t chunk, double *secs, unsigned long *calls,
            double *cpu, char *err)
{
	uint64_t cpu0 = 0;
	struct sock_server sv;
	pthread_t th;
	uint64_t t0 = 0;
	void *c = NULL;
	size_t sent;
	int fds[2], rc = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
		snprintf(err, BENCH_ERRLEN, "socketpair: %s", strerror(errno));
		return -1;
	}
	bench_syscount_watch(fds[0], 1);
	bench_syscount_watch(fds[1], 1);
	(void)bench_syscount_take();
	memset(&sv, 0, sizeof(sv));
	sv.s = s;
	sv.ctx = sctx;
	sv.fd = fds[1];
	sv.total = total;
	signal(SIGALRM, sock_watchdog);
	alarm(120);
	if (pthread_create(&th, NULL, sock_server_main, &sv) != 0) {
		snprintf(err, BENCH_ERRLEN, "pthread_create failed");
		goto close;
	}
	c = s->fd_new(cctx, 0, fds[0], err);
	if (c == NULL || s->fd_handshake(c, err) != 0) {
		shutdown(fds[0], SHUT_RDWR);
		goto join;
	}
	t0 = bench_now_ns();
	cpu0 = thread_cpu_ns();
	for (sent = 0; sent < total; sent += chunk) {
		size_t len = total - sent < chunk ? total - sent : chunk;

		if (s->fd_write(c, bench_src, len, err) != 0) {
			shutdown(fds[0], SHUT_RDWR);
			goto join;
		}
	}
	rc = 0;
	cpu0 = thread_cpu_ns() - cpu0;
join:
	pthread_join(th, NULL);
	if (rc == 0 && sv.rc != 0) {
		snprintf(err, BENCH_ERRLEN, "server: %.200s", sv.err);
		rc = -1;
	}
	if (rc == 0) {
		*secs = (double)(sv.t_end - t0) / 1e9;
		*cpu = (double)(cpu0 + sv.cpu_ns) / 1e9;
	}
	if (c != NULL)
		s->fd_free(c);
	*calls = bench_syscount_take();
close:
	bench_syscount_watch(fds[0], 0);
	bench_syscount_watch(fds[1], 0);
	alarm(0);
	close(fds[0]);
	close(fds[1]);
	return rc;
}

static void
metric_throughput(const struct bench_opts *o, const struct bench_certs *certs,
                  const struct bench_native *tp,
                  const struct bench_native *nat,
                  struct bench_backend_run *run)
{
	static const struct {
		enum bench_profile p;
		int sock;
		size_t chunk;
		double target;
		const char *name, *label, *calls_name, *cpu_name;
	} cases[] = {
		{ BENCH_TLS13_AES128GCM, 0, BENCH_CHUNK, 0.98, "buffer-aes128gcm",
		  "bulk TLS 1.3 AES-128-GCM, buffer API, 16 KiB writes", NULL,
		  NULL },
		{ BENCH_TLS13_CHACHA20, 0, BENCH_CHUNK, 0.98,
		  "buffer-chacha20poly1305",
		  "bulk TLS 1.3 ChaCha20-Poly1305, buffer API, 16 KiB writes",
		  NULL, NULL },
		/* The socket wrapper batches records into system calls (one
		 * recv per batch, one sendmsg per send): it should beat the
		 * engine on its own descriptor. */
		{ BENCH_TLS13_AES128GCM, 1, BENCH_CHUNK, 1.2, "socket-aes128gcm",
		  "bulk TLS 1.3 AES-128-GCM, socketpair, 16 KiB writes",
		  "socket-aes128gcm-syscalls", "socket-aes128gcm-cpu" },
		{ BENCH_TLS13_CHACHA20, 1, BENCH_CHUNK, 1.2,
		  "socket-chacha20poly1305",
		  "bulk TLS 1.3 ChaCha20-Poly1305, socketpair, 16 KiB writes",
		  "socket-chacha20poly1305-syscalls",
		  "socket-chacha20poly1305-cpu" },
		{ BENCH_TLS13_AES128GCM, 1, 1024, 1.0, "socket-aes128gcm-1k",
		  "bulk TLS 1.3 AES-128-GCM, socketpair, 1 KiB writes",
		  "socket-aes128gcm-1k-syscalls", "socket-aes128gcm-1k-cpu" },
		{ BENCH_TLS13_CHACHA20, 1, 1024, 1.0,
		  "socket-chacha20poly1305-1k",
		  "bulk TLS 1.3 ChaCha20-Poly1305, socketpair, 1 KiB writes",
		  "socket-chacha20poly1305-1k-syscalls",
		  "socket-chacha20poly1305-1k-cpu" },
	};
	size_t c;

	memset(bench_src, 0x5a, sizeof(bench_src));
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct bench_result *r, *rc_calls = NULL, *rc_cpu = NULL;
		void *pairs[2] = { NULL, NULL };
		struct sides sd;
		size_t total = 0, chunk = cases[c].chunk;
		size_t calib = o->smoke ? 256 * 1024 : 16 * 1024 * 1024;
		unsigned long calls;
		double secs, cpu;
		int round, k, i, ref;

		if (!bench_case_wanted(o, cases[c].name))
			continue;
		/* Small writes move fewer bytes per second: calibrate on less. */
		if (chunk < BENCH_CHUNK)
			calib /= 4;
		r = bench_result_new(run, BENCH_M_THROUGHPUT, cases[c].name,
		    cases[c].label, "MB/s", BENCH_CMP_HIGHER, cases[c].target,
		    nat != NULL);
		if (cases[c].calls_name != NULL)
			rc_calls = bench_result_new(run, BENCH_M_THROUGHPUT,
			    cases[c].calls_name,
			    "transfer and poll system calls on the socket pair, "
			    "both ends, per MiB", "syscalls/MiB",
			    BENCH_CMP_LOWER, 0, nat != NULL);
		if (cases[c].cpu_name != NULL)
			rc_cpu = bench_result_new(run, BENCH_M_THROUGHPUT,
			    cases[c].cpu_name,
			    "CPU time (user + system) of both ends, per MiB",
			    "CPU ms/MiB", BENCH_CMP_LOWER, 0, nat != NULL);

		if (sides_init(&sd, tp, nat, cases[c].p, certs, r->error) != 0)
			goto fail;
		for (i = 0; i < sd.n && !cases[c].sock; i++) {
			pairs[i] = sd.s[i]->pair_new(sd.cctx[i], sd.sctx[i],
			                             r->error);
			if (pairs[i] == NULL ||
			    sd.s[i]->pair_handshake(pairs[i], r->error) != 0)
				goto done;
		}
		/* Calibrate on the reference (native) side, warming both: the
		 * same byte count then runs about `duration` per round. */
		ref = sd.n - 1;
		for (i = 0; i < sd.n; i++) {
			int rc = cases[c].sock
			    ? socket_secs(sd.s[i], sd.cctx[i], sd.sctx[i], calib,
			                  chunk, &secs, &calls, &cpu, r->error)
			    : transfer_secs(sd.s[i], pairs[i], calib, &secs,
			                    r->error);

			if (rc != 0)
				goto done;
			if (i == ref)
				total = (size_t)((double)calib / secs * o->duration);
		}
		total = (total / chunk + 1) * chunk;
		snprintf(r->info, sizeof(r->info), "bytes/round=%zu", total);
		note_tls12(r, nat);
		if (rc_calls != NULL) {
			snprintf(rc_calls->info, sizeof(rc_calls->info),
			         "bytes/round=%zu", total);
			note_tls12(rc_calls, nat);
		}
		if (rc_cpu != NULL) {
			snprintf(rc_cpu->info, sizeof(rc_cpu->info),
			         "bytes/round=%zu", total);
			note_tls12(rc_cpu, nat);
		}
		for (round = 0; round < o->rounds; round++) {
			for (k = 0; k < sd.n; k++) {
				int rc;

				i = side_at(&sd, round, k);
				rc = cases[c].sock
				    ? socket_secs(sd.s[i], sd.cctx[i], sd.sctx[i],
				                  total, chunk, &secs, &calls,
				                  &cpu, r->error)
				    : transfer_secs(sd.s[i], pairs[i], total,
				                    &secs, r->error);
				if (rc != 0)
					goto done;
				store(r, round, i, (double)total / 1e6 / secs);
				if (rc_calls != NULL)
					store(rc_calls, round, i, (double)calls /
					      ((double)total / 1048576.0));
				if (rc_cpu != NULL)
					store(rc_cpu, round, i, cpu * 1e3 /
					      ((double)total / 1048576.0));
			}
			r->n = round + 1;
			if (rc_calls != NULL)
				rc_calls->n = round + 1;
			if (rc_cpu != NULL)
				rc_cpu->n = round + 1;
		}
done:
		for (i = 0; i < sd.n; i++)
			if (pairs[i] != NULL)
				sd.s[i]->pair_free(pairs[i], 3);
		sides_free(&sd);
fail:
		if (rc_calls != NULL && r->error[0] != '\0')
			snprintf(rc_calls->error, BENCH_ERRLEN, "%s", r->error);
		if (rc_cpu != NULL && r->error[0] != '\0')
			snprintf(rc_cpu->error, BENCH_ERRLEN, "%s", r->error);
	}
}

/* ---- child processes ---------------------------------------------------- */

/*
 * Runs this program with args (args[0] unused) and collects its stdout.
 * When stamp is not NULL it is a slot in args that receives the monotonic
 * time taken in the child just before exec.
 */
static int
run_child(const struct bench_opts *o, char **args, char **stamp, char *out,
          size_t outlen, char *err)
{
	char stampbuf[32];
	size_t used = 0;
	ssize_t n;
	pid_t pid;
	int p[2], status;

	if (pipe(p) != 0) {
		snprintf(err, BENCH_ERRLEN, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, BENCH_ERRLEN, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		args[0] = (char *)o->self;
		if (stamp != NULL) {
			snprintf(stampbuf, sizeof(stampbuf), "%" PRIu64,
			         bench_now_ns());
			*stamp = stampbuf;
		}
		execv(o->self, args);
		_exit(127);
	}
	close(p[1]);
	while (used + 1 < outlen &&
	       (n = read(p[0], out + used, outlen - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		used += (size_t)n;
	}
	out[used] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl = strchr(out, '\n');

		if (nl != NULL)
			*nl = '\0';
		snprintf(err, BENCH_ERRLEN, "child %s failed (status %d): %.160s",
		         args[1], status, out);
		return -1;
	}
	return 0;
}

/* ---- 3. memory ---------------------------------------------------------- */

static double
rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/* Under AddressSanitizer malloc is ASan's and mallinfo2() sees nothing;
 * ASan then provides this (a weak reference: NULL otherwise). */
extern size_t __sanitizer_get_current_allocated_bytes(void)
	__attribute__((weak));

static double
heap_bytes(void)
{
	struct mallinfo2 mi;

	if (__sanitizer_get_current_allocated_bytes != NULL)
		return (double)__sanitizer_get_current_allocated_bytes();
	mi = mallinfo2();
	return (double)mi.uordblks + (double)mi.hblkhd;
}

/* Resolves a child's side name to a table ("tlsplug" or "native"). */
static const struct bench_native *
child_side(const char *side, const char *backend, char *err)
{
	const struct bench_native *s;

	if (strcmp(side, "native") == 0) {
		s = bench_native_find(backend);
		if (s == NULL)
			snprintf(err, BENCH_ERRLEN, "no native half for %s",
			         backend);
		return s;
	}
	if (strcmp(side, "tlsplug") == 0) {
		struct tlsplug_registry *r = tlsplug_registry_default();
		const struct tlsplug_backend *b;

		b = r != NULL ? tlsplug_registry_find(r, backend) : NULL;
		if (b == NULL) {
			snprintf(err, BENCH_ERRLEN, "backend %s not found",
			         backend);
			return NULL;
		}
		return bench_tlsplug_side(b, backend);
	}
	snprintf(err, BENCH_ERRLEN, "unknown side %s", side);
	return NULL;
}

int
bench_memory_child(const char *side, const char *backend, const char *count,
                   const char *certdir)
{
	char err[BENCH_ERRLEN] = "";
	const struct bench_native *s = child_side(side, backend, err);
	struct bench_certs certs;
	void *cctx = NULL, *sctx = NULL, **pairs = NULL;
	double rss0, rss1, heap0, heap1, heap2;
	long n = strtol(count, NULL, 10), i, made = 0;
	int rc = 1;

	if (s == NULL)
		goto out;
	if (n <= 0 || bench_certs_load(&certs, certdir) != 0) {
		snprintf(err, BENCH_ERRLEN, "bad count or certificate dir");
		goto out;
	}
	pairs = calloc((size_t)n, sizeof(*pairs));
	cctx = s->ctx_new(BENCH_TLS13_ECDSA, 0, &certs, err);
	sctx = cctx != NULL ? s->ctx_new(BENCH_TLS13_ECDSA, 1, &certs, err)
	                    : NULL;
	if (pairs == NULL || sctx == NULL)
		goto done;
	/* One connection first, so one-time engine allocations (tables
	 * built on first use) are not counted per connection. */
	if (one_handshake(s, cctx, sctx, NULL, err) != 0)
		goto done;
	rss0 = rss_bytes();
	heap0 = heap_bytes();
	for (i = 0; i < n; i++) {
		pairs[i] = s->pair_new(cctx, sctx, err);
		if (pairs[i] == NULL)
			goto done;
		made++;
		if (s->pair_handshake(pairs[i], err) != 0)
			goto done;
	}
	rss1 = rss_bytes();
	heap1 = heap_bytes();
	for (i = 0; i < n; i++)
		s->pair_free(pairs[i], 1);
	heap2 = heap_bytes();
	printf("rss=%.1f heap_client=%.1f heap_server=%.1f\n",
	       (rss1 - rss0) / (2.0 * (double)n), (heap1 - heap2) / (double)n,
	       (heap2 - heap0) / (double)n);
	for (i = 0; i < n; i++)
		s->pair_free(pairs[i], 2);
	made = 0;
	rc = 0;
done:
	for (i = 0; i < made; i++)
		s->pair_free(pairs[i], 3);
	free(pairs);
	if (cctx != NULL)
		s->ctx_free(cctx);
	if (sctx != NULL)
		s->ctx_free(sctx);
	bench_certs_free(&certs);
out:
	if (rc != 0)
		printf("error: %s\n", err);
	return rc;
}

static void
metric_memory(const struct bench_opts *o, const struct bench_native *nat,
              const char *backend, struct bench_backend_run *run)
{
	static const char *const names[3] = {
		"rss-per-connection", "heap-client", "heap-server"
	};
	static const char *const labels[3] = {
		"RSS growth per idle TLS 1.3 connection (pairs / 2)",
		"heap per idle client connection",
		"heap per idle server connection"
	};
	struct bench_result *r[3];
	char count[32], out[512], err[BENCH_ERRLEN] = "";
	int nsides = nat != NULL ? 2 : 1, round, k, j;

	/* Heap: an idle connection gives back what it does not need, so it
	 * should cost less than the engine's default; OpenSSL's record
	 * buffers are most of its connection (see doc/PERFORMANCE.md). */
	double heap_target = strcmp(backend, "openssl") == 0 ? 0.6 : 1.0;

	r[0] = bench_result_new(run, BENCH_M_MEMORY, names[0], labels[0], "bytes",
	                  BENCH_CMP_BYTES, 1024, nat != NULL);
	for (j = 1; j < 3; j++)
		r[j] = bench_result_new(run, BENCH_M_MEMORY, names[j], labels[j],
		                  "bytes", BENCH_CMP_RATIO_MAX, heap_target,
		                  nat != NULL);
	snprintf(r[0]->info, sizeof(r[0]->info), "connection pairs=%d",
	         o->connections);
	note_tls12(r[0], nat);
	snprintf(count, sizeof(count), "%d", o->connections);
	for (round = 0; round < o->rounds; round++) {
		for (k = 0; k < nsides; k++) {
			int i = nsides == 1 ? 0 : ((round & 1) ? 1 - k : k);
			char *args[] = { NULL, "--memory-child",
			    i == 0 ? "tlsplug" : "native", (char *)backend,
			    count, (char *)o->certdir, NULL };
			double v[3];

			if (run_child(o, args, NULL, out, sizeof(out), err) != 0 ||
			    sscanf(out, "rss=%lf heap_client=%lf heap_server=%lf",
			           &v[0], &v[1], &v[2]) != 3) {
				for (j = 0; j < 3; j++)
					snprintf(r[j]->error, BENCH_ERRLEN, "%.200s",
					         err[0] != '\0' ? err : out);
				return;
			}
			for (j = 0; j < 3; j++)
				store(r[j], round, i, v[j]);
		}
		for (j = 0; j < 3; j++)
			r[j]->n = round + 1;
	}
}

/* ---- 4. start-up ---------------------------------------------------------- */

int
bench_startup_child(const char *side, const char *backend, const char *t0s)
{
	char err[BENCH_ERRLEN] = "";
	uint64_t t0 = strtoull(t0s, NULL, 10), t1;
	const struct bench_native *s;
	int others = 0, found = 0;
	size_t i, n;

	if (strcmp(side, "tlsplug") == 0)
		s = bench_tlsplug_side(NULL, backend);
	else
		s = child_side(side, backend, err);
	if (s == NULL || s->startup_client_ctx(err) != 0) {
		printf("error: %s\n", err);
		return 1;
	}
	t1 = bench_now_ns();
	if (strcmp(side, "tlsplug") == 0) {
		struct tlsplug_registry *r = tlsplug_registry_default();

		n = tlsplug_registry_count(r);
		for (i = 0; i < n; i++) {
			const struct tlsplug_backend *b = tlsplug_registry_get(r, i);

			if (strcmp(tlsplug_backend_name(b), backend) == 0)
				continue;
			found++;
			if (tlsplug_backend_state(b) != TLSPLUG_BACKEND_FOUND)
				others++;
		}
	}
	printf("ns=%" PRIu64 " others_opened=%d others_found=%d\n", t1 - t0,
	       others, found);
	return 0;
}

static void
metric_startup(const struct bench_opts *o, const struct bench_native *nat,
               const char *backend, struct bench_backend_run *run)
{
	struct bench_result *r = bench_result_new(run, BENCH_M_STARTUP,
	    "first-client-context",
	    "exec to first client context (discovery, dlopen, init)", "ms",
	    BENCH_CMP_LOWER, 0, nat != NULL);
	char out[512];
	int nsides = nat != NULL ? 2 : 1, round, k;
	int others_max = 0, found = 0;

	for (round = 0; round < o->rounds; round++) {
		for (k = 0; k < nsides; k++) {
			int i = nsides == 1 ? 0 : ((round & 1) ? 1 - k : k);
			char *args[] = { NULL, "--startup-child",
			    i == 0 ? "tlsplug" : "native", (char *)backend,
			    NULL, NULL };
			unsigned long long ns;
			int others, f;

			if (run_child(o, args, &args[4], out, sizeof(out),
			              r->error) != 0)
				return;
			if (sscanf(out, "ns=%llu others_opened=%d others_found=%d",
			           &ns, &others, &f) != 3) {
				snprintf(r->error, BENCH_ERRLEN,
				         "unexpected child output: %.200s", out);
				return;
			}
			if (i == 0) {
				if (others > others_max)
					others_max = others;
				found = f;
			}
			store(r, round, i, (double)ns / 1e6);
		}
		r->n = round + 1;
	}
	snprintf(r->info, sizeof(r->info),
	         "other plugins found=%d opened=%d", found, others_max);
	if (others_max > 0)
		snprintf(r->error, BENCH_ERRLEN,
		         "naming %s opened %d other plugin(s)", backend,
		         others_max);
}

void
bench_run_metric(enum bench_metric m, const struct bench_opts *o,
                 const struct bench_certs *certs,
                 const struct bench_native *tp,
                 const struct bench_native *nat,
                 struct bench_backend_run *run)
{
	switch (m) {
	case BENCH_M_HANDSHAKE:
		metric_handshake(o, certs, tp, nat, run);
		break;
	case BENCH_M_THROUGHPUT:
		metric_throughput(o, certs, tp, nat, run);
		break;
	case BENCH_M_MEMORY:
		metric_memory(o, nat, run->name, run);
		break;
	case BENCH_M_STARTUP:
		metric_startup(o, nat, run->name, run);
		break;
	case BENCH_M_CONCURRENCY:
		/* Needs the backend itself: bench.c calls
		 * bench_metric_concurrency(). */
		break;
	}
}
