/* certs.c -- the test PKI as PEM files, for the child processes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/driver.h"

static const char *const cert_files[5] = {
	"ca.pem", "ecdsa.pem", "ecdsa.key", "rsa.pem", "rsa.key"
};

static char **
cert_slot(struct bench_certs *c, int i)
{
	switch (i) {
	case 0: return &c->ca;
	case 1: return &c->leaf[BENCH_KEY_ECDSA_P256];
	case 2: return &c->key[BENCH_KEY_ECDSA_P256];
	case 3: return &c->leaf[BENCH_KEY_RSA2048];
	default: return &c->key[BENCH_KEY_RSA2048];
	}
}

int
bench_certs_save(const struct bench_certs *c, const char *dir)
{
	char path[4096];
	int i;

	for (i = 0; i < 5; i++) {
		const char *text = *cert_slot((struct bench_certs *)c, i);
		FILE *f;
		int ok;

		snprintf(path, sizeof(path), "%s/%s", dir, cert_files[i]);
		f = fopen(path, "w");
		if (f == NULL)
			return -1;
		ok = fputs(text, f) >= 0;
		if (fclose(f) != 0 || !ok)
			return -1;
	}
	return 0;
}

int
bench_certs_load(struct bench_certs *c, const char *dir)
{
	char path[4096];
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 5; i++) {
		FILE *f;
		long n;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, cert_files[i]);
		f = fopen(path, "r");
		if (f == NULL)
			goto fail;
		if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0 ||
		    (text = malloc((size_t)n + 1)) == NULL) {
			fclose(f);
			goto fail;
		}
		if (fread(text, 1, (size_t)n, f) != (size_t)n) {
			free(text);
			fclose(f);
			goto fail;
		}
		text[n] = '\0';
		fclose(f);
		*cert_slot(c, i) = text;
	}
	return 0;
fail:
	bench_certs_free(c);
	return -1;
}

void
bench_certs_free(struct bench_certs *c)
{
	int i;

	for (i = 0; i < 5; i++) {
		free(*cert_slot(c, i));
		*cert_slot(c, i) = NULL;
	}
}

void
bench_certs_remove(const char *dir)
{
	char path[4096];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, cert_files[i]);
		remove(path);
	}
	remove(dir);
}
