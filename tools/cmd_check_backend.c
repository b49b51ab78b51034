/*
 * cmd_check_backend.c -- `tlsplug check-backend PATH.so`: runs the
 * conformance suite (conformance/) against one plugin, client and
 * server both on it, and prints one line per case and a total.
 *
 * Each case runs in a child process with a time limit, so a plugin that
 * crashes or hangs fails that case and the run goes on.  Certificates are
 * generated into a temporary directory by tlsplug-gen-test-certs (its
 * installed path, or $TLSPLUG_GEN_CERTS) unless --certs names a directory
 * already holding them.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "../conformance/conformance.h"

#ifndef TLSPLUG_GEN_CERTS
#define TLSPLUG_GEN_CERTS "tlsplug-gen-test-certs"
#endif

/* Seconds a case may take (the slowest takes well under one). */
#define CASE_TIMEOUT 120

static void
check_usage(FILE *f)
{
	fputs("usage: tlsplug check-backend PATH.so [--certs DIR] "
	      "[--filter SUBSTR]\n"
	      "\n"
	      "Runs the conformance suite against the plugin PATH.so (client "
	      "and server\n"
	      "both on it) and prints \"PASS name\" or \"FAIL name: reason\" "
	      "per case, then\n"
	      "\"N passed, N failed\".\n"
	      "\n"
	      "  --certs DIR      use the test certificates in DIR (made by "
	      "tlsplug-gen-test-certs)\n"
	      "                   instead of generating them into a "
	      "temporary directory\n"
	      "  --filter SUBSTR  run only the cases whose name contains "
	      "SUBSTR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "Environment: TLSPLUG_GEN_CERTS, the generator script to run "
	      "(default\n"
	      TLSPLUG_GEN_CERTS ").\n"
	      "\n"
	      "Exit status: 0 when every case passed, 1 when one failed or "
	      "the plugin\n"
	      "cannot be loaded, 2 on usage errors.\n", f);
}

/* Runs one case in a child; fills why on failure.  Returns 0 or -1. */
static int
run_isolated(const struct conf_case *c, const struct conf_env *env,
             char *why, size_t whylen)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return conf_fail(why, whylen, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return conf_fail(why, whylen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		char buf[1024] = "";
		int rc;

		close(fds[0]);
		alarm(CASE_TIMEOUT);
		rc = c->run(env, buf, sizeof(buf));
		if (rc != 0 && buf[0] == '\0')
			snprintf(buf, sizeof(buf), "failed without a reason");
		if (rc != 0 && write(fds[1], buf, strlen(buf)) < 0)
			_exit(2);
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	why[0] = '\0';
	while (got + 1 < whylen) {
		n = read(fds[0], why + got, whylen - got - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	why[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return conf_fail(why, whylen, "waitpid: %s",
			                 strerror(errno));
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			return conf_fail(why, whylen, "timed out after %d s",
			                 CASE_TIMEOUT);
		return conf_fail(why, whylen, "crashed (signal %d, %s)",
		                 WTERMSIG(status), strsignal(WTERMSIG(status)));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (why[0] == '\0')
		snprintf(why, whylen, "exited with status %d",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}

static int
run_suite(const struct tlsplug_backend *b, const char *certdir,
          const char *filter)
{
	const struct tlsplug_backend *all[1] = { b };
	struct conf_env env = { b, b, all, 1, certdir };
	unsigned passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < conf_case_count; i++) {
		const struct conf_case *c = &conf_cases[i];
		char why[1024];

		if (filter != NULL && strstr(c->name, filter) == NULL)
			continue;
		if (run_isolated(c, &env, why, sizeof(why)) == 0) {
			printf("PASS %s\n", c->name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", c->name, why);
			failed++;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : EXIT_TLS_FAILURE;
}

int
cmd_check_backend(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "certs", required_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *certs = NULL, *filter = NULL, *path, *script, *tmp;
	const struct tlsplug_backend *b = NULL;
	struct tlsplug_registry *reg;
	struct tlsplug_error *err = NULL;
	char tmpdir[4096], why[1024];
	int c, rc;
	size_t i;

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'c':
			certs = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("check-backend", "missing PATH.so");
	if (optind + 1 < argc)
		return cli_usage_error("check-backend",
		                       "unexpected argument '%s'",
		                       argv[optind + 1]);
	path = argv[optind];
	if (filter != NULL) {
		for (i = 0; i < conf_case_count; i++)
			if (strstr(conf_cases[i].name, filter) != NULL)
				break;
		if (i == conf_case_count)
			return cli_usage_error("check-backend", "no case "
			                       "matches '%s'", filter);
	}

	reg = cli_registry_new(NULL);
	if (reg == NULL)
		return EXIT_TLS_FAILURE;
	if (tlsplug_registry_load_file(reg, path, &b, &err) != TLSPLUG_OK) {
		cli_error("%s: %s", path, err != NULL ?
		          tlsplug_error_message(err) : "cannot load");
		tlsplug_error_free(err);
		tlsplug_registry_free(reg);
		return EXIT_TLS_FAILURE;
	}

	if (certs == NULL) {
		script = secure_getenv("TLSPLUG_GEN_CERTS");
		if (script == NULL || script[0] == '\0')
			script = TLSPLUG_GEN_CERTS;
		tmp = secure_getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/tlsplug-certs-XXXXXX",
		         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		if (mkdtemp(tmpdir) == NULL) {
			cli_error("%s: %s", tmpdir, strerror(errno));
			tlsplug_registry_free(reg);
			return EXIT_TLS_FAILURE;
		}
		if (conf_certs_generate(script, tmpdir, why, sizeof(why)) !=
		    0) {
			cli_error("cannot generate test certificates: %s", why);
			conf_certs_remove(tmpdir);
			tlsplug_registry_free(reg);
			return EXIT_TLS_FAILURE;
		}
	}
	rc = run_suite(b, certs != NULL ? certs : tmpdir, filter);
	if (certs == NULL)
		conf_certs_remove(tmpdir);
	tlsplug_registry_free(reg);
	return rc;
}
