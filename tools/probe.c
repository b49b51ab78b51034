/*
 * probe.c -- probing the plugin files for `tlsplug list`.
 *
 * Loading a plugin runs its code (ELF constructors, the descriptor's init),
 * which may crash or hang.  So the loading happens in a child process that
 * reports over a pipe: it announces each file before opening it, so when the
 * child dies or stops answering the parent knows which file did it, records
 * that file as rejected ("crashed while loading (signal 11)", "timed out
 * while loading") and starts a new child that skips it.  Every other plugin
 * is still listed, and tlsplug itself never crashes.
 *
 * Child-to-parent protocol: one record per line, fields separated by tabs;
 * in fields, backslash, tab and newline are escaped as \\, \t, \n, and a
 * NULL string is the field "\N".  Records:
 *   B path                      about to load this file
 *   C                           about to choose the default backend
 *   D index rule source         the default (index into the R records)
 *   E message                   choosing the default failed
 *   R name state reason path abi_major abi_minor engine description
 *     priority caps             one plugin file, in discovery order
 *   P dir                       a plugin directory
 *   M name                      a configured name that was not found
 *   G text                      a config-file diagnostic ("file:line: msg")
 *   W                           loading is over, the report follows
 *   Z                           end of the report
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "probe.h"

/* A file the children must not open again, and why. */
struct skip {
	char *path;
	char *reason;
};

/* What the last child reported, and where it was when it stopped. */
struct listing {
	struct probe_result r;
	int done;                /* the child sent Z */
	char *last_begin;        /* path of the last B record, or NULL */
	int in_choose;           /* the last progress record was C */
};

/* ---- small utilities ------------------------------------------------- */

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n != 0 ? n : 1);

	if (q == NULL) {
		cli_error("out of memory");
		exit(EXIT_TLS_FAILURE);
	}
	return q;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = xrealloc(NULL, strlen(s) + 1);
	strcpy(d, s);
	return d;
}

static void
strv_push(struct probe_strv *sv, const char *s)
{
	sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	sv->v[sv->n++] = xstrdup(s);
}

static void
strv_clear(struct probe_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void
probe_result_clear(struct probe_result *r)
{
	size_t i;

	for (i = 0; i < r->nentries; i++) {
		struct probe_entry *e = &r->entries[i];

		free(e->name);
		free(e->path);
		free(e->reason);
		free(e->engine);
		free(e->description);
	}
	free(r->entries);
	strv_clear(&r->dirs);
	strv_clear(&r->missing);
	strv_clear(&r->diags);
	free(r->source);
	free(r->choose_error);
	memset(r, 0, sizeof(*r));
	r->default_index = -1;
}

static void
listing_clear(struct listing *l)
{
	probe_result_clear(&l->r);
	free(l->last_begin);
	memset(l, 0, sizeof(*l));
	l->r.default_index = -1;
}

/* The file name without directory, "tlsplug-" and ".so": a name for a file
 * whose descriptor was never read. */
static char *
name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name;
	size_t len;

	base = base != NULL ? base + 1 : path;
	if (strncmp(base, "tlsplug-", 8) == 0)
		base += 8;
	name = xstrdup(base);
	len = strlen(name);
	if (len > 3 && strcmp(name + len - 3, ".so") == 0)
		name[len - 3] = '\0';
	return name;
}

/* ---- the child: load, choose, report -------------------------------- */

static void
put_field(FILE *f, const char *s)
{
	fputc('\t', f);
	if (s == NULL) {
		fputs("\\N", f);
		return;
	}
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
put_record(FILE *f, char tag, const char *field)
{
	fputc(tag, f);
	if (field != NULL)
		put_field(f, field);
	fputc('\n', f);
}

static int
is_skipped(const struct skip *skips, size_t nskips, const char *path)
{
	size_t i;

	for (i = 0; i < nskips; i++)
		if (strcmp(skips[i].path, path) == 0)
			return 1;
	return 0;
}

static void
child_report_backend(FILE *f, const struct tlsplug_backend *b)
{
	char num[64];
	unsigned major = 0, minor = 0;
	int ok = tlsplug_backend_state(b) == TLSPLUG_BACKEND_OK;

	fputc('R', f);
	put_field(f, tlsplug_backend_name(b));
	snprintf(num, sizeof(num), "%d", (int)tlsplug_backend_state(b));
	put_field(f, num);
	put_field(f, tlsplug_backend_reject_reason(b));
	put_field(f, tlsplug_backend_path(b));
	/* Known for rejected plugins too when the descriptor was read
	 * (e.g. a wrong major); 0.0 when not. */
	tlsplug_backend_abi_version(b, &major, &minor);
	snprintf(num, sizeof(num), "%u", major);
	put_field(f, num);
	snprintf(num, sizeof(num), "%u", minor);
	put_field(f, num);
	put_field(f, ok ? tlsplug_backend_engine_version(b) : NULL);
	put_field(f, ok ? tlsplug_backend_description(b) : NULL);
	snprintf(num, sizeof(num), "%d", ok ? tlsplug_backend_priority(b) : 0);
	put_field(f, num);
	snprintf(num, sizeof(num), "%" PRIu64,
	         ok ? tlsplug_backend_caps(b) : UINT64_C(0));
	put_field(f, num);
	fputc('\n', f);
}

/* Runs in the child: never returns. */
static void
child_main(int fd, const char *app, const struct skip *skips, size_t nskips,
           int choose)
{
	struct tlsplug_registry *reg;
	const struct tlsplug_backend *def = NULL;
	enum tlsplug_choice_rule rule = TLSPLUG_CHOSEN_BUILTIN;
	const char *source = NULL;
	char num[32];
	size_t i, n;
	FILE *f;

	/* Whatever a plugin prints must not mix with our stdout. */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	f = fdopen(fd, "w");
	if (f == NULL)
		_exit(120);
	reg = cli_registry_new(app);
	if (reg == NULL)
		_exit(121);

	/* Files already known (discovery order); opening one never adds
	 * files, so n stays valid. */
	n = tlsplug_registry_count(reg);
	for (i = 0; i < n; i++) {
		const struct tlsplug_backend *b = tlsplug_registry_get(reg, i);
		const char *path = tlsplug_backend_path(b);

		if (tlsplug_backend_state(b) != TLSPLUG_BACKEND_FOUND ||
		    is_skipped(skips, nskips, path))
			continue;
		put_record(f, 'B', path);
		fflush(f);
		(void)tlsplug_registry_load_file(reg, path, NULL, NULL);
	}
	if (choose) {
		put_record(f, 'C', NULL);
		fflush(f);
		if (tlsplug_registry_choose(reg, NULL, &def, &rule,
		                            &source) != TLSPLUG_OK) {
			const struct tlsplug_error *e =
				tlsplug_registry_error(reg);

			def = NULL;
			put_record(f, 'E', e != NULL ? tlsplug_error_message(e)
			                             : "no backend available");
		}
	}
	for (i = 0; def != NULL && i < tlsplug_registry_count(reg); i++) {
		if (tlsplug_registry_get(reg, i) != def)
			continue;
		fputc('D', f);
		snprintf(num, sizeof(num), "%zu", i);
		put_field(f, num);
		snprintf(num, sizeof(num), "%d", (int)rule);
		put_field(f, num);
		put_field(f, source);
		fputc('\n', f);
		break;
	}
	put_record(f, 'W', NULL);
	fflush(f);
	for (i = 0; i < tlsplug_registry_count(reg); i++)
		child_report_backend(f, tlsplug_registry_get(reg, i));
	for (i = 0; i < tlsplug_registry_dir_count(reg); i++)
		put_record(f, 'P', tlsplug_registry_dir(reg, i));
	for (i = 0; i < tlsplug_registry_missing_count(reg); i++)
		put_record(f, 'M', tlsplug_registry_missing(reg, i));
	for (i = 0; i < tlsplug_registry_diagnostic_count(reg); i++)
		put_record(f, 'G', tlsplug_registry_diagnostic(reg, i));
	put_record(f, 'Z', NULL);
	if (fclose(f) != 0)
		_exit(122);
	tlsplug_registry_free(reg);
	_exit(0);
}

/* ---- the parent: read and parse the child's report ------------------ */

/* Unescapes a field in place; returns NULL for "\N". */
static char *
unescape(char *s)
{
	char *r = s, *w = s;

	if (strcmp(s, "\\N") == 0)
		return NULL;
	while (*r != '\0') {
		if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* Splits a NUL-terminated record of len bytes (the tag, then
 * tab-separated fields) into fv, in place; returns the number of fields. */
static size_t
split_fields(char *line, size_t len, char **fv, size_t max)
{
	char *end = line + len, *start, *p;
	size_t n = 0, i;

	if (len < 2 || line[1] != '\t')
		return 0;
	start = line + 2;
	for (p = start; n < max; p++) {
		if (p < end && *p != '\t')
			continue;
		*p = '\0';
		fv[n++] = start;
		if (p == end)
			break;
		start = p + 1;
	}
	/* Unescaping only shrinks a field, so do it once all are cut. */
	for (i = 0; i < n; i++)
		fv[i] = unescape(fv[i]);
	return n;
}

static unsigned long long
to_ull(const char *s)
{
	return s != NULL ? strtoull(s, NULL, 10) : 0;
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static void
parse_record(struct listing *l, char *line, size_t len)
{
	char *fv[10] = { NULL };
	size_t n = split_fields(line, len, fv, 10);
	struct probe_entry *e;

	switch (line[0]) {
	case 'B':
		if (n >= 1) {
			set_str(&l->last_begin, fv[0]);
			l->in_choose = 0;
		}
		break;
	case 'C':
		l->in_choose = 1;
		break;
	case 'E':
		l->in_choose = 0;
		set_str(&l->r.choose_error, n >= 1 ? fv[0] : NULL);
		break;
	case 'D':
		l->in_choose = 0;
		if (n >= 3) {
			l->r.default_index = (long)to_ull(fv[0]);
			l->r.rule = (int)to_ull(fv[1]);
			set_str(&l->r.source, fv[2]);
		}
		break;
	case 'R':
		if (n < 10 || fv[3] == NULL)
			break;
		l->r.entries = xrealloc(l->r.entries,
		                        (l->r.nentries + 1) *
		                        sizeof(*l->r.entries));
		e = &l->r.entries[l->r.nentries++];
		memset(e, 0, sizeof(*e));
		e->name = fv[0] != NULL ? xstrdup(fv[0])
		                        : name_from_path(fv[3]);
		e->state = (int)to_ull(fv[1]);
		e->reason = xstrdup(fv[2]);
		e->path = xstrdup(fv[3]);
		e->abi_major = (unsigned)to_ull(fv[4]);
		e->abi_minor = (unsigned)to_ull(fv[5]);
		e->engine = xstrdup(fv[6]);
		e->description = xstrdup(fv[7]);
		e->priority = fv[8] != NULL ? atoi(fv[8]) : 0;
		e->caps = (uint64_t)to_ull(fv[9]);
		break;
	case 'P':
		if (n >= 1 && fv[0] != NULL)
			strv_push(&l->r.dirs, fv[0]);
		break;
	case 'M':
		if (n >= 1 && fv[0] != NULL)
			strv_push(&l->r.missing, fv[0]);
		break;
	case 'G':
		if (n >= 1 && fv[0] != NULL)
			strv_push(&l->r.diags, fv[0]);
		break;
	case 'W':
		/* A failure from here on is nobody's fault in particular. */
		set_str(&l->last_begin, NULL);
		l->in_choose = 0;
		break;
	case 'Z':
		l->done = 1;
		break;
	default:
		break;       /* unknown records are ignored */
	}
}

static void
parse_report(struct listing *l, char *buf, size_t len)
{
	char *p = buf, *nl;

	while (p < buf + len) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (nl == NULL)
			break;         /* a partial line from a dying child */
		*nl = '\0';
		if (nl > p)
			parse_record(l, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How one child ended. */
enum child_end { CHILD_DONE, CHILD_DIED, CHILD_TIMEOUT, CHILD_FAILED };

/*
 * Runs one child and parses its report into l.  *why receives a short
 * description when the child did not finish ("signal 11", "exit status
 * 3").  The child is killed if it sends nothing for timeout seconds.
 */
static enum child_end
run_child(const char *app, const struct skip *skips, size_t nskips,
          int choose, unsigned timeout, struct listing *l, char *why,
          size_t whysize)
{
	int fds[2], status = 0, timed_out = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	double deadline;
	pid_t pid;

	why[0] = '\0';
	if (pipe(fds) != 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return CHILD_FAILED;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return CHILD_FAILED;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], app, skips, nskips, choose);
	}
	close(fds[1]);

	deadline = now() + timeout;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		double left = deadline - now();
		ssize_t got;
		int r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whysize, "poll: %s", strerror(errno));
			timed_out = 1;
			break;
		}
		if (r == 0)
			continue;      /* the deadline check above ends it */
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			buf = xrealloc(buf, cap);
		}
		got = read(fds[0], buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;         /* EOF: the child exited or died */
		len += (size_t)got;
		deadline = now() + timeout;   /* progress: restart the clock */
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	listing_clear(l);
	parse_report(l, buf, len);
	free(buf);

	if (timed_out)
		return CHILD_TIMEOUT;
	/* A complete report counts even if the child then died (say, in a
	 * plugin's destructor): it has told us everything. */
	if (l->done)
		return CHILD_DONE;
	if (WIFSIGNALED(status))
		snprintf(why, whysize, "signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(why, whysize, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(why, whysize, "status 0x%x", (unsigned)status);
	return CHILD_DIED;
}

/*
 * Probes every plugin: runs children until one finishes, each new one
 * skipping the files that killed or hung the previous ones (see probe.h).
 */
int
probe_plugins(const char *app, unsigned timeout, struct probe_result *out)
{
	struct listing listing, *l = &listing;
	struct skip *skips = NULL;
	size_t nskips = 0, i, attempt;
	int choose = 1, rc = -1;
	char *choose_failure = NULL;
	char why[128], reason[256];
	enum child_end end;

	memset(l, 0, sizeof(*l));
	l->r.default_index = -1;
	/* Each failed run removes a file or the choice, so this is bounded by
	 * the number of files; the cap only guards against surprises. */
	for (attempt = 0; attempt < 1000; attempt++) {
		end = run_child(app, skips, nskips, choose, timeout, l, why,
		                sizeof(why));
		if (end == CHILD_DONE)
			break;
		if (end == CHILD_FAILED) {
			cli_error("cannot probe the plugins: %s", why);
			goto fail;
		}
		if (l->in_choose) {
			/* Choosing loads plugins too (e.g. all of them for the
			 * built-in order); one of them misbehaved again. */
			free(choose_failure);
			snprintf(reason, sizeof(reason),
			         end == CHILD_TIMEOUT
			         ? "choosing the default backend timed out"
			         : "choosing the default backend crashed (%s)",
			         why);
			choose_failure = xstrdup(reason);
			choose = 0;
			continue;
		}
		if (l->last_begin == NULL ||
		    is_skipped(skips, nskips, l->last_begin)) {
			cli_error("cannot probe the plugins: the probe process "
			          "ended unexpectedly (%s)",
			          end == CHILD_TIMEOUT ? "timed out" : why);
			goto fail;
		}
		if (end == CHILD_TIMEOUT)
			snprintf(reason, sizeof(reason),
			         "timed out while loading (no answer in %u s)",
			         timeout);
		else
			snprintf(reason, sizeof(reason),
			         "crashed while loading (%s)", why);
		skips = xrealloc(skips, (nskips + 1) * sizeof(*skips));
		skips[nskips].path = xstrdup(l->last_begin);
		skips[nskips].reason = xstrdup(reason);
		nskips++;
	}
	if (end != CHILD_DONE) {
		cli_error("cannot probe the plugins: too many failures");
		goto fail;
	}
	if (choose_failure != NULL) {
		free(l->r.choose_error);
		l->r.choose_error = choose_failure;
		choose_failure = NULL;
	}
	/* Files that killed a child are still FOUND in the last report. */
	for (i = 0; i < l->r.nentries; i++) {
		struct probe_entry *e = &l->r.entries[i];
		size_t k;

		for (k = 0; k < nskips; k++) {
			if (strcmp(e->path, skips[k].path) != 0)
				continue;
			e->state = TLSPLUG_BACKEND_REJECTED;
			set_str(&e->reason, skips[k].reason);
		}
	}
	rc = 0;
fail:
	free(choose_failure);
	for (i = 0; i < nskips; i++) {
		free(skips[i].path);
		free(skips[i].reason);
	}
	free(skips);
	if (rc != 0)
		listing_clear(l);
	free(l->last_begin);
	*out = l->r;
	return rc;
}

