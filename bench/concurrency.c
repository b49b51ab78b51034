/*
 * concurrency.c -- the concurrency metric: `tlsplug serve --http` against
 * nginx, both driven by real tools, in the same run, round by round.
 *
 * Both servers get the same ECDSA P-256 certificate (the bench's test
 * PKI), one worker, loopback only, no session resumption (tickets and
 * session cache off on both), and h2load restricts the suite for both
 * (TLS_AES_128_GCM_SHA256; ECDHE-ECDSA-AES128-GCM-SHA256 at TLS 1.2 for an
 * engine without TLS 1.3, nginx then held to TLS 1.2 too).  Figures:
 *   new-connections     requests/s with one request per connection (every
 *                       request a full handshake): h2load --h1 -n C -c C,
 *                       repeated until N requests, total / summed h2load
 *                       time;
 *   keep-alive          requests/s over kept-alive connections:
 *                       h2load --h1 -n N -c C;
 *   idle-rss-per-connection  growth of the server's VmRSS while a holder
 *                       (a child of this program: tlsplug client sockets,
 *                       blocking handshakes one after another) keeps K
 *                       established idle TLS connections open, per
 *                       connection.
 * The tlsplug side is "tlsplug", nginx is the "native" side of each result
 * (counterpart "nginx").  Without h2load or nginx the figures are skipped
 * with the reason, never made up.  The programs are looked for in PATH
 * (and the sbin directories); TLSPLUG_BENCH_H2LOAD and TLSPLUG_BENCH_NGINX
 * name them instead (set but empty: not installed).  Every child is bounded in time and
 * killed on every path (and by PR_SET_PDEATHSIG if this program dies).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "bench/driver.h"

#define RUN_LIMIT_MS 120000     /* one h2load run at most */
#define START_LIMIT_MS 20000    /* a server must listen within this */
#define STOP_LIMIT_MS 10000     /* and end within this after SIGTERM */
#define FD_RESERVE 64           /* descriptors kept beside the idle ones */
/* nginx's worker_connections beyond the idle ones: short of room, nginx
 * closes idle keep-alive connections to reuse them ("worker_connections
 * are not enough"), which would empty the idle figure. */
#define NGINX_SPARE 4096

/* snprintf for messages, where a cut-off path is no harm. */
static void say(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* ---- child processes ---------------------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Starts argv[0] with stdin from /dev/null and stdout, stderr into files;
 * the child dies with this process.  Returns its pid or -1. */
static pid_t
spawn(char *const argv[], const char *out, const char *err)
{
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);   /* the parent died before prctl */
	int in = open("/dev/null", O_RDONLY);
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 ||
	    dup2(e, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* Waits for pid at most ms; kills it when its time is up.  Returns its
 * wait status, or -1 when it had to be killed. */
static int
reap(pid_t pid, long ms)
{
	int st;
	long waited = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= ms)
			break;
		sleep_ms(5);
		waited += 5;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* SIGTERM, then SIGKILL if it lingers. */
static void
stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	(void)reap(pid, STOP_LIMIT_MS);
}

/* A program's path: the environment variable env when set (empty: none),
 * else PATH, then the sbin directories (nginx); 0 or -1. */
static int
which(const char *name, const char *env, char *out, size_t size)
{
	const char *path = getenv("PATH"), *e = env != NULL ? getenv(env) : NULL;
	char all[4096];
	char *save = NULL, *dir;

	if (e != NULL) {
		snprintf(out, size, "%s", e);
		return *e != '\0' && access(out, X_OK) == 0 ? 0 : -1;
	}
	snprintf(all, sizeof(all), "%s:/usr/sbin:/sbin:/usr/local/sbin",
	         path != NULL ? path : "/usr/bin:/bin");
	for (dir = strtok_r(all, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		if (*dir == '\0')
			continue;
		snprintf(out, size, "%s/%s", dir, name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* The tlsplug program: beside this one when installed, tools/ in the build
 * tree (this program then runs from bench/.libs), else PATH. */
static int
find_cli(const char *self, char *out, size_t size)
{
	char dir[4096], *slash;
	size_t n;

	snprintf(dir, sizeof(dir), "%s", self);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		n = strlen(dir);
		if (n >= 11 && strcmp(dir + n - 11, "bench/.libs") == 0)
			snprintf(out, size, "%s/../../tools/tlsplug", dir);
		else
			snprintf(out, size, "%s/tlsplug", dir);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return which("tlsplug", NULL, out, size);
}

/* First line of `prog flag`'s stderr that contains key, or "". */
static void
tool_line(const char *prog, const char *flag, const char *key,
          const char *dir, char *out, size_t size)
{
	char outf[4200], errf[4200], line[512];
	char *argv[] = { (char *)prog, (char *)flag, NULL };
	pid_t pid;
	FILE *f;

	out[0] = '\0';
	snprintf(outf, sizeof(outf), "%s/version.out", dir);
	snprintf(errf, sizeof(errf), "%s/version.err", dir);
	pid = spawn(argv, outf, errf);
	if (pid < 0 || reap(pid, 10000) == -1)
		return;
	f = fopen(errf, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, key);

		if (p != NULL) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(out, size, "%s", p);
			break;
		}
	}
	fclose(f);
}

/* VmRSS of pid in bytes, or -1. */
static double
vm_rss(pid_t pid)
{
	char path[64], line[256];
	double kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* ---- the two servers -------------------------------------------------- */

struct setup {
	const struct bench_opts *o;
	const char *dir;               /* scratch directory */
	char cli[4200], h2load[4200], nginx[4200];
	const char *backend;
	int tls12;                     /* the backend has no TLS 1.3 */
	int idle;                      /* connections to hold */
};

struct server {
	pid_t pid;
	int port;
};

/* A free loopback port (closed again: whoever binds it next may race us;
 * the caller retries on "address in use"). */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int
can_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* `tlsplug serve --http` on any free port (it prints the one it got). */
static int
start_tlsplug(const struct setup *s, struct server *sv, char *err)
{
	char cert[4200], key[4200], maxc[32], outf[4200], errf[4200];
	char line[512];
	char *argv[] = { (char *)s->cli, "serve", "--port", "0", "--bind",
	                 "127.0.0.1", "--http", "--backend", (char *)s->backend,
	                 "--cert", cert, "--key", key, "--no-tickets",
	                 "--max-connections", maxc, "--handshake-timeout", "60",
	                 "--idle-timeout", "600", "--quiet", NULL };
	long waited;

	snprintf(cert, sizeof(cert), "%s/ecdsa.pem", s->o->certdir);
	snprintf(key, sizeof(key), "%s/ecdsa.key", s->o->certdir);
	snprintf(maxc, sizeof(maxc), "%d", s->idle + 1024);
	snprintf(outf, sizeof(outf), "%s/serve.out", s->dir);
	/* No status line per client (--quiet: nginx logs none either,
	 * access_log off); the "listening on" line and failures go there. */
	snprintf(errf, sizeof(errf), "%s/serve.err", s->dir);
	sv->port = -1;
	/* The last round's file, and its "listening on" line with a port
	 * now closed, must not be read before the child truncates it. */
	(void)unlink(errf);
	sv->pid = spawn(argv, outf, errf);
	if (sv->pid < 0) {
		say(err, BENCH_ERRLEN, "fork: %s", strerror(errno));
		return -1;
	}
	for (waited = 0; waited < START_LIMIT_MS; waited += 20) {
		FILE *f = fopen(errf, "r");

		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			char *colon, *sp;

			if (strncmp(line, "listening on ", 13) != 0)
				continue;
			sp = strstr(line, " backend=");
			if (sp == NULL)
				continue;
			*sp = '\0';
			colon = strrchr(line, ':');
			if (colon != NULL)
				sv->port = atoi(colon + 1);
			break;
		}
		if (f != NULL)
			fclose(f);
		if (sv->port > 0)
			return 0;
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = -1;
			say(err, BENCH_ERRLEN, "tlsplug serve did not "
			         "start (see its messages in %s)", errf);
			return -1;
		}
		sleep_ms(20);
	}
	stop(sv->pid);
	sv->pid = -1;
	say(err, BENCH_ERRLEN, "tlsplug serve did not listen within "
	         "%d s", START_LIMIT_MS / 1000);
	return -1;
}

/* nginx, one process, its files all in the scratch directory. */
static int
write_nginx_conf(const struct setup *s, int port, const char *conf)
{
	const char *d = s->dir;
	FILE *f = fopen(conf, "w");

	if (f == NULL)
		return -1;
	fprintf(f,
	        "daemon off;\nmaster_process off;\nworker_processes 1;\n"
	        "pid %s/nginx.pid;\nerror_log %s/nginx-error.log warn;\n"
	        "worker_rlimit_nofile %d;\n"
	        "events { worker_connections %d; }\n"
	        "http {\n"
	        "  access_log off;\n"
	        "  client_body_temp_path %s/body;\n"
	        "  proxy_temp_path %s/proxy;\n"
	        "  fastcgi_temp_path %s/fastcgi;\n"
	        "  uwsgi_temp_path %s/uwsgi;\n"
	        "  scgi_temp_path %s/scgi;\n"
	        /* Idle connections stay (tlsplug serve: --idle-timeout
	         * 600), and keep-alive has no request limit (nor has
	         * tlsplug serve). */
	        "  keepalive_timeout 600s;\n"
	        "  client_header_timeout 600s;\n"
	        "  keepalive_requests 100000000;\n"
	        "  server {\n"
	        "    listen 127.0.0.1:%d ssl;\n"
	        "    ssl_certificate %s/ecdsa.pem;\n"
	        "    ssl_certificate_key %s/ecdsa.key;\n"
	        "    ssl_protocols %s;\n"
	        "    ssl_session_cache off;\n"
	        "    ssl_session_tickets off;\n"
	        "    location / { return 200 \"hello\\n\"; }\n"
	        "  }\n"
	        "}\n",
	        d, d, s->idle + NGINX_SPARE + FD_RESERVE, s->idle + NGINX_SPARE,
	        d, d, d, d, d, port, s->o->certdir, s->o->certdir,
	        s->tls12 ? "TLSv1.2" : "TLSv1.2 TLSv1.3");
	return fclose(f) == 0 ? 0 : -1;
}

static int
start_nginx(const struct setup *s, struct server *sv, char *err)
{
	char conf[4200], outf[4200], errf[4200], elog[4200];
	char *argv[] = { (char *)s->nginx, "-p", (char *)s->dir, "-c", conf,
	                 "-e", elog, NULL };
	int tries;
	long waited;

	snprintf(conf, sizeof(conf), "%s/nginx.conf", s->dir);
	snprintf(outf, sizeof(outf), "%s/nginx.out", s->dir);
	snprintf(errf, sizeof(errf), "%s/nginx.err", s->dir);
	snprintf(elog, sizeof(elog), "%s/nginx-error.log", s->dir);
	/* The port may be taken between our probe and nginx's bind. */
	for (tries = 0; tries < 5; tries++) {
		sv->port = free_port();
		if (sv->port < 0 || write_nginx_conf(s, sv->port, conf) != 0) {
			say(err, BENCH_ERRLEN, "nginx config: %s",
			         strerror(errno));
			return -1;
		}
		sv->pid = spawn(argv, outf, errf);
		if (sv->pid < 0) {
			say(err, BENCH_ERRLEN, "fork: %s",
			         strerror(errno));
			return -1;
		}
		for (waited = 0; waited < START_LIMIT_MS; waited += 20) {
			if (can_connect(sv->port))
				return 0;
			if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid)
				break;
			sleep_ms(20);
		}
		stop(sv->pid);
		sv->pid = -1;
	}
	say(err, BENCH_ERRLEN, "nginx did not start (see %s)", elog);
	return -1;
}

/* ---- h2load ------------------------------------------------------------ */

struct h2run {
	double secs;
	long done;
	char tls[128];    /* "TLSv1.3 TLS_AES_128_GCM_SHA256 X25519" */
};

/* Reads h2load's summary; -1 (err set) unless every request succeeded. */
static int
h2load_parse(const char *file, long want, struct h2run *r, char *err)
{
	char line[512], unit[16], proto[32] = "?", cipher[64] = "?";
	char group[48] = "";
	long total = -1, started, done, ok = -1, x2 = -1;
	double v;
	FILE *f = fopen(file, "r");

	r->secs = -1;
	if (f == NULL) {
		say(err, BENCH_ERRLEN, "h2load wrote nothing");
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "finished in %lf%15[a-z]", &v, unit) == 2)
			r->secs = strcmp(unit, "us") == 0 ? v / 1e6 :
			          strcmp(unit, "ms") == 0 ? v / 1e3 :
			          strcmp(unit, "s") == 0 ? v : -1;
		(void)sscanf(line, "requests: %ld total, %ld started, %ld done, "
		             "%ld succeeded", &total, &started, &done, &ok);
		(void)sscanf(line, "status codes: %ld 2xx", &x2);
		(void)sscanf(line, "TLS Protocol: %31s", proto);
		(void)sscanf(line, "Cipher: %63s", cipher);
		if (strncmp(line, "Server Temp Key: ", 17) == 0) {
			/* "X25519 253 bits", "ECDH P-256 256 bits" */
			say(group, sizeof(group), "%s", line + 17);
			group[strcspn(group, "\n")] = '\0';
		}
	}
	fclose(f);
	say(r->tls, sizeof(r->tls), "%s %s%s%s", proto, cipher,
	         group[0] ? " " : "", group);
	if (r->secs <= 0 || ok != want || x2 != want) {
		say(err, BENCH_ERRLEN, "h2load: %ld of %ld requests "
		         "succeeded, %ld with 2xx (see %s)", ok, want, x2, file);
		return -1;
	}
	r->done = ok;
	return 0;
}

/* One h2load --h1 run: n requests over c connections. */
static int
h2load(const struct setup *s, int port, long n, long c, struct h2run *r,
       char *err)
{
	char url[64], ns[24], cs[24], suite[96], outf[4200], errf[4200];
	char *argv[] = { (char *)s->h2load, "--h1", "-t", "1", "-n", ns,
	                 "-c", cs, suite, url, NULL };
	pid_t pid;
	int st;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", port);
	snprintf(ns, sizeof(ns), "%ld", n);
	snprintf(cs, sizeof(cs), "%ld", c);
	snprintf(suite, sizeof(suite), "%s", s->tls12 ?
	         "--ciphers=ECDHE-ECDSA-AES128-GCM-SHA256" :
	         "--tls13-ciphers=TLS_AES_128_GCM_SHA256");
	snprintf(outf, sizeof(outf), "%s/h2load.out", s->dir);
	snprintf(errf, sizeof(errf), "%s/h2load.err", s->dir);
	pid = spawn(argv, outf, errf);
	if (pid < 0) {
		say(err, BENCH_ERRLEN, "fork: %s", strerror(errno));
		return -1;
	}
	st = reap(pid, RUN_LIMIT_MS);
	if (st == -1) {
		say(err, BENCH_ERRLEN, "h2load ran over %d s",
		         RUN_LIMIT_MS / 1000);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		say(err, BENCH_ERRLEN, "h2load failed (status %d, see %s)",
		         st, errf);
		return -1;
	}
	return h2load_parse(outf, n, r, err);
}

/* ---- the idle holder ---------------------------------------------------- */

/* In a child: k blocking client handshakes one after the other, then
 * "held N" on out, then waits until the parent closes `in`.  Never
 * returns. */
static void
hold(const struct bench_native *tp, void *cctx, int port, int k, int in,
     int out)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port) };
	char err[BENCH_ERRLEN] = "", msg[BENCH_ERRLEN + 32], c;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i, held = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < k; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		void *conn;

		if (fd < 0) {
			snprintf(err, sizeof(err), "socket: %s",
			         strerror(errno));
			break;
		}
		/* Closed with a reset when the holder ends: tens of
		 * thousands of TIME_WAIT ports would leave the next runs
		 * none to connect from. */
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
			snprintf(err, sizeof(err), "connect: %s",
			         strerror(errno));
			break;
		}
		conn = tp->fd_new(cctx, 0, fd, err);
		if (conn == NULL || tp->fd_handshake(conn, err) != 0)
			break;
		/* Kept open, never freed: the process ends below. */
		held++;
	}
	if (held == k)
		say(msg, sizeof(msg), "held %d\n", held);
	else
		say(msg, sizeof(msg), "error after %d: %s\n", held, err);
	if (write(out, msg, strlen(msg)) < 0)
		_exit(1);
	while (read(in, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Bytes of server RSS per idle connection while k are held open. */
static int
idle_rss(const struct setup *s, const struct bench_native *tp, void *cctx,
         const struct server *sv, double *per_conn, char *err)
{
	int to_child[2], from_child[2], st;
	double rss0, rss1;
	char buf[BENCH_ERRLEN + 64];
	long limit = 30000 + 20L * s->idle, waited = 0;
	ssize_t n = 0;
	pid_t pid;

	rss0 = vm_rss(sv->pid);
	if (rss0 < 0 || pipe(to_child) != 0)
		goto fail;
	if (pipe(from_child) != 0) {
		close(to_child[0]);
		close(to_child[1]);
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(to_child[1]);
		close(from_child[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		hold(tp, cctx, sv->port, s->idle, to_child[0], from_child[1]);
	}
	close(to_child[0]);
	close(from_child[1]);
	if (pid < 0) {
		close(to_child[1]);
		close(from_child[0]);
		goto fail;
	}
	/* Bounded: 30 s plus 20 ms per connection. */
	while (waited < limit) {
		struct pollfd p = { .fd = from_child[0], .events = POLLIN };
		int r = poll(&p, 1, 100);

		if (r > 0) {
			n = read(from_child[0], buf, sizeof(buf) - 1);
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
		waited += 100;
	}
	buf[n > 0 ? n : 0] = '\0';
	/* Let the server settle (an idle connection gives its buffers back
	 * once it has seen no traffic for a while). */
	if (strncmp(buf, "held ", 5) == 0)
		sleep_ms(1500);
	rss1 = vm_rss(sv->pid);
	close(to_child[1]);   /* the holder ends, its connections with it */
	close(from_child[0]);
	st = reap(pid, 30000);
	(void)st;
	if (strncmp(buf, "held ", 5) != 0) {
		buf[strcspn(buf, "\n")] = '\0';
		say(err, BENCH_ERRLEN, "idle holder: %s",
		         buf[0] ? buf : "no answer in time");
		return -1;
	}
	if (rss1 < 0) {
		say(err, BENCH_ERRLEN, "server gone while connections "
		         "were held");
		return -1;
	}
	*per_conn = (rss1 - rss0) / (double)s->idle;
	return 0;
fail:
	say(err, BENCH_ERRLEN, "idle holder: %s", strerror(errno));
	return -1;
}

/* ---- the metric -------------------------------------------------------- */

enum { R_NEW, R_KEEP, R_IDLE, R_COUNT };

/* Lets the server settle back after the previous phase. */
static void
pause_between(void)
{
	sleep_ms(200);
}

/* One round on one server: the three figures into v[]. */
static int
measure(const struct setup *s, const struct bench_native *tp, void *cctx,
        const struct server *sv, double v[R_COUNT], char tls[128],
        char *err)
{
	const struct bench_opts *o = s->o;
	long total = 0, n, runs;
	double secs = 0;
	struct h2run r;

	/* Bounded: N / C runs. */
	for (runs = 0; total < o->conc_handshakes && runs < 100000; runs++) {
		n = o->conc_handshakes - total < o->conc_clients ?
		    o->conc_handshakes - total : o->conc_clients;
		if (h2load(s, sv->port, n, n, &r, err) != 0)
			return -1;
		total += r.done;
		secs += r.secs;
	}
	v[R_NEW] = (double)total / secs;
	snprintf(tls, 128, "%s", r.tls);
	pause_between();
	if (h2load(s, sv->port, o->conc_requests, o->conc_clients, &r, err)
	    != 0)
		return -1;
	v[R_KEEP] = (double)r.done / r.secs;
	pause_between();
	return idle_rss(s, tp, cctx, sv, &v[R_IDLE], err);
}

/* Raises the descriptor limit to the hard one; returns the soft limit
 * now in force. */
static long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ?
	       1048576 : (long)rl.rlim_cur;
}

void
bench_metric_concurrency(const struct bench_opts *o,
                         const struct bench_certs *certs,
                         const struct tlsplug_backend *b,
                         const struct bench_native *tp,
                         struct bench_backend_run *run)
{
	static const char *const names[R_COUNT] = {
		"new-connections", "keep-alive", "idle-rss-per-connection"
	};
	static const char *const units[R_COUNT] = {
		"req/s", "req/s", "B/conn"
	};
	struct bench_result *res[R_COUNT];
	struct setup s = { .o = o, .backend = run->name };
	char dir[4200], err[BENCH_ERRLEN] = "", skip[BENCH_ERRLEN] = "";
	char nginx_v[128] = "", nginx_ssl[128] = "", note[160] = "";
	char tls[2][128] = { "", "" };
	void *cctx = NULL;
	const char *t = getenv("TMPDIR");
	long nofile;
	int round, k, side;

	s.tls12 = !(tlsplug_backend_caps(b) & TLSPLUG_CAP_TLS1_3);
	s.idle = o->conc_idle;
	snprintf(dir, sizeof(dir), "%s/tlsplug-conc-XXXXXX",
	         t != NULL && *t != '\0' ? t : "/tmp");
	{
		static char labels[R_COUNT][160];

		snprintf(labels[R_NEW], sizeof(labels[R_NEW]),
		         "requests/s, one request per new connection (full "
		         "handshakes), h2load --h1 -n C -c C, C=%d; vs nginx",
		         o->conc_clients);
		snprintf(labels[R_KEEP], sizeof(labels[R_KEEP]),
		         "requests/s over kept-alive connections, h2load --h1 "
		         "-n %d -c %d; vs nginx", o->conc_requests,
		         o->conc_clients);
		snprintf(labels[R_IDLE], sizeof(labels[R_IDLE]),
		         "server RSS growth per established idle TLS "
		         "connection; vs nginx");
		for (k = 0; k < R_COUNT; k++)
			res[k] = bench_result_new(run, BENCH_M_CONCURRENCY,
			    names[k], labels[k], units[k],
			    k == R_IDLE ? BENCH_CMP_RATIO_MAX : BENCH_CMP_HIGHER,
			    1.0, 1);
		for (k = 0; k < R_COUNT; k++)
			res[k]->counterpart = "nginx";
	}

	if (which("h2load", "TLSPLUG_BENCH_H2LOAD", s.h2load,
	          sizeof(s.h2load)) != 0)
		snprintf(skip, sizeof(skip), "h2load not found (Debian: "
		         "nghttp2-client; tools/install-deps installs it)");
	else if (which("nginx", "TLSPLUG_BENCH_NGINX", s.nginx,
	               sizeof(s.nginx)) != 0)
		snprintf(skip, sizeof(skip), "nginx not found (Debian: nginx; "
		         "tools/install-deps installs it)");
	else if (find_cli(o->self, s.cli, sizeof(s.cli)) != 0)
		snprintf(skip, sizeof(skip), "the tlsplug program (for "
		         "tlsplug serve) not found");
	if (skip[0] != '\0') {
		for (k = 0; k < R_COUNT; k++)
			snprintf(res[k]->skipped, sizeof(res[k]->skipped), "%s",
			         skip);
		return;
	}
	if (mkdtemp(dir) == NULL) {
		snprintf(err, sizeof(err), "mkdtemp: %s", strerror(errno));
		goto out;
	}
	s.dir = dir;

	/* Every process of the run inherits the raised limit. */
	nofile = raise_nofile();
	if (s.idle + FD_RESERVE > nofile) {
		s.idle = nofile > 2 * FD_RESERVE ? (int)nofile - FD_RESERVE : 1;
		snprintf(note, sizeof(note), "; idle connections scaled down "
		         "to %d from %d: RLIMIT_NOFILE hard limit %ld",
		         s.idle, o->conc_idle, nofile);
	}
	tool_line(s.nginx, "-v", "nginx/", dir, nginx_v, sizeof(nginx_v));
	tool_line(s.nginx, "-V", "built with", dir, nginx_ssl,
	          sizeof(nginx_ssl));

	/* The holder's client context: the bench's own tlsplug side. */
	cctx = tp->ctx_new(s.tls12 ? BENCH_TLS13_ECDSA : BENCH_TLS13_AES128GCM,
	                   0, certs, err);
	if (cctx == NULL)
		goto out;

	for (round = 0; round < o->conc_rounds; round++) {
		/* Sides interleaved round by round, tlsplug first. */
		for (side = 0; side < 2; side++) {
			struct server sv = { -1, -1 };
			double v[R_COUNT];
			int rc;

			if (!o->json)
				fprintf(stderr, "tlsplug-bench: %s: concurrency "
				        "round %d, %s\n", run->name, round + 1,
				        side == 0 ? "tlsplug serve" : "nginx");
			rc = side == 0 ? start_tlsplug(&s, &sv, err)
			               : start_nginx(&s, &sv, err);
			if (rc == 0)
				rc = measure(&s, tp, cctx, &sv, v, tls[side],
				             err);
			stop(sv.pid);
			if (rc != 0)
				goto out;
			for (k = 0; k < R_COUNT; k++) {
				if (side == 0)
					res[k]->tp[round] = v[k];
				else
					res[k]->nat[round] = v[k];
			}
		}
		for (k = 0; k < R_COUNT; k++)
			res[k]->n = round + 1;
	}
	for (k = 0; k < R_COUNT; k++) {
		if (k == R_IDLE)
			say(res[k]->info, sizeof(res[k]->info),
			         "K=%d held by a tlsplug client; %s; %s%s",
			         s.idle, nginx_v, nginx_ssl, note);
		else if (strcmp(tls[0], tls[1]) == 0)
			say(res[k]->info, sizeof(res[k]->info),
			         "%s on both; %s; %s", tls[0], nginx_v,
			         nginx_ssl);
		else
			say(res[k]->info, sizeof(res[k]->info),
			         "tlsplug: %s, nginx: %s; %s", tls[0], tls[1],
			         nginx_v);
	}
out:
	if (err[0] != '\0')
		for (k = 0; k < R_COUNT; k++)
			snprintf(res[k]->error, sizeof(res[k]->error), "%s", err);
	if (cctx != NULL)
		tp->ctx_free(cctx);
	/* Scratch files only (logs, configs, nginx's temp dirs); kept after
	 * an error, for the messages the error points to. */
	if (s.dir != NULL && err[0] == '\0') {
		char *argv[] = { "/bin/rm", "-rf", dir, NULL };
		pid_t pid = spawn(argv, "/dev/null", "/dev/null");

		if (pid > 0)
			(void)reap(pid, 30000);
	}
}
