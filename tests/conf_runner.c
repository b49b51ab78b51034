/* conf_runner.c -- setup shared by check_conformance and check_interop. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "conf_runner.h"

#ifdef __SANITIZE_ADDRESS__
/*
 * The __tls_get_addr interceptor of GCC <= 13's sanitizer runtime can take
 * a dynamic TLS block of a dlopen'ed engine for a glibc 2.19 header and
 * crash LeakSanitizer's tracer at exit (google/sanitizers#1322).  Leak
 * checking works without that interceptor; ASAN_OPTIONS still overrides.
 */
__attribute__((visibility("default"))) const char *
__asan_default_options(void);

__attribute__((visibility("default"))) const char *
__asan_default_options(void)
{
	return "intercept_tls_get_addr=0";
}
#endif

int
conf_runner_setup(struct conf_runner *r)
{
	const char *env = getenv("TLSPLUG_TEST_BACKENDS");
	const char *srcdir = getenv("top_srcdir");
	const char *tmp = getenv("TMPDIR");
	struct tlsplug_error *err = NULL;
	char script[4096], why[1024], *tok, *save = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (env == NULL || strspn(env, " ") == strlen(env)) {
		fprintf(stderr, "no backend was built (TLSPLUG_TEST_BACKENDS "
		        "is empty): skipped\n");
		return 77;
	}
	snprintf(r->list, sizeof(r->list), "%s", env);
	for (tok = strtok_r(r->list, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		if (r->n == CONF_RUNNER_MAX) {
			fprintf(stderr, "too many backends\n");
			return 99;
		}
		r->paths[r->n++] = tok;
	}
	if (tlsplug_registry_new(NULL, &r->reg, &err) != TLSPLUG_OK) {
		fprintf(stderr, "registry: %s\n", tlsplug_error_message(err));
		tlsplug_error_free(err);
		return 99;
	}
	for (i = 0; i < r->n; i++) {
		err = NULL;
		if (tlsplug_registry_load_file(r->reg, r->paths[i],
		    &r->backends[i], &err) != TLSPLUG_OK) {
			snprintf(r->load_error[i], sizeof(r->load_error[i]),
			         "%s", err != NULL ?
			         tlsplug_error_message(err) : "cannot load");
			r->backends[i] = NULL;
			tlsplug_error_free(err);
			continue;
		}
		r->loaded[r->nloaded++] = r->backends[i];
	}
	snprintf(script, sizeof(script), "%s/tools/tlsplug-gen-test-certs",
	         srcdir != NULL ? srcdir : ".");
	snprintf(r->certdir, sizeof(r->certdir), "%s/tlsplug-certs-XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(r->certdir) == NULL) {
		perror(r->certdir);
		r->certdir[0] = '\0';
		return 99;
	}
	if (conf_certs_generate(script, r->certdir, why, sizeof(why)) != 0) {
		fprintf(stderr, "certificates: %s\n", why);
		return 99;
	}
	return 0;
}

void
conf_runner_teardown(struct conf_runner *r)
{
	if (r->certdir[0] != '\0')
		conf_certs_remove(r->certdir);
	tlsplug_registry_free(r->reg);
	r->reg = NULL;
}

const char *
conf_runner_name(const struct conf_runner *r, size_t i)
{
	const char *slash;

	if (r->backends[i] != NULL)
		return tlsplug_backend_name(r->backends[i]);
	slash = strrchr(r->paths[i], '/');
	return slash != NULL ? slash + 1 : r->paths[i];
}
