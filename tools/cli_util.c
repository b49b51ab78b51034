/* cli_util.c -- helpers shared by the CLI's commands. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tlsplug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tlsplug: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'tlsplug %s --help')\n", cmd);
	return EXIT_USAGE;
}

int
cli_getopt(int argc, char **argv, const char *shortopts,
           const struct option *longopts)
{
	char opts[256];
	const char *cmd = argc > 0 && argv[0] != NULL ? argv[0] : "tlsplug";
	const char *bad;
	int c;

	/* ':' first: getopt reports a missing argument as ':' and prints
	 * nothing itself (opterr = 0), so every message starts "tlsplug:". */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	bad = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	if (c == ':') {
		cli_usage_error(cmd, "option '%s' needs an argument", bad);
	} else if (optopt != 0 && bad[0] == '-' && bad[1] != '-') {
		cli_usage_error(cmd, "unknown option '-%c'", optopt);
	} else {
		cli_usage_error(cmd, "unknown option '%s'", bad);
	}
	return '?';
}

void
cli_getopt_reset(void)
{
	optind = 0;   /* glibc: 0 re-initialises getopt's internal state */
}

int
cli_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (text == NULL || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
cli_json_string(FILE *f, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (n > 1) {
			fwrite(p, 1, n, f);
		} else if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p == '\r') {
			fputs("\\r", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Writes the names of the bits set in caps: as JSON strings when json,
 * else as text separated by sep. */
static void
caps_write(FILE *f, uint64_t caps, const char *sep, int json)
{
	char buf[16];
	const char *name;
	int first = 1;
	unsigned i;

	for (i = 0; i < 64; i++) {
		uint64_t bit = UINT64_C(1) << i;

		if ((caps & bit) == 0)
			continue;
		name = tlsplug_capability_name(bit);
		if (name == NULL) {
			snprintf(buf, sizeof(buf), "bit-%u", i);
			name = buf;
		}
		if (!first)
			fputs(sep, f);
		if (json)
			cli_json_string(f, name);
		else
			fputs(name, f);
		first = 0;
	}
}

void
cli_print_caps(FILE *f, uint64_t caps, const char *sep)
{
	if (caps == 0) {
		fputs("-", f);
		return;
	}
	caps_write(f, caps, sep, 0);
}

void
cli_json_caps(FILE *f, uint64_t caps)
{
	fputc('[', f);
	caps_write(f, caps, ", ", 1);
	fputc(']', f);
}

/* TLS versions in capability order, oldest first. */
static const struct {
	uint64_t cap;
	enum tlsplug_version version;
} cap_versions[] = {
	{ TLSPLUG_CAP_TLS1_0, TLSPLUG_VERSION_TLSv1 },
	{ TLSPLUG_CAP_TLS1_1, TLSPLUG_VERSION_TLSv1_1 },
	{ TLSPLUG_CAP_TLS1_2, TLSPLUG_VERSION_TLSv1_2 },
	{ TLSPLUG_CAP_TLS1_3, TLSPLUG_VERSION_TLSv1_3 },
};

void
cli_print_tls_versions(FILE *f, uint64_t caps, const char *sep)
{
	size_t i;
	int first = 1;

	for (i = 0; i < sizeof(cap_versions) / sizeof(cap_versions[0]); i++) {
		if ((caps & cap_versions[i].cap) == 0)
			continue;
		if (!first)
			fputs(sep, f);
		fputs(tlsplug_version_name(cap_versions[i].version), f);
		first = 0;
	}
	if (first)
		fputs("-", f);
}

void
cli_json_tls_versions(FILE *f, uint64_t caps)
{
	size_t i;
	int first = 1;

	fputc('[', f);
	for (i = 0; i < sizeof(cap_versions) / sizeof(cap_versions[0]); i++) {
		if ((caps & cap_versions[i].cap) == 0)
			continue;
		if (!first)
			fputs(", ", f);
		cli_json_string(f,
		                tlsplug_version_name(cap_versions[i].version));
		first = 0;
	}
	fputc(']', f);
}

const char *
cli_rule_name(enum tlsplug_choice_rule rule)
{
	switch (rule) {
	case TLSPLUG_CHOSEN_EXPLICIT:
		return "explicit";
	case TLSPLUG_CHOSEN_ENVIRONMENT:
		return "environment";
	case TLSPLUG_CHOSEN_USER_CONFIG:
		return "user-config";
	case TLSPLUG_CHOSEN_SYSTEM_CONFIG:
		return "system-config";
	case TLSPLUG_CHOSEN_BUILTIN:
		return "built-in";
	}
	return "unknown";
}

struct tlsplug_registry *
cli_registry_new(const char *app_name)
{
	struct tlsplug_registry *reg = NULL;
	struct tlsplug_error *err = NULL;

	if (tlsplug_registry_new(app_name, &reg, &err) != TLSPLUG_OK) {
		cli_error("%s", err != NULL ? tlsplug_error_message(err) :
		          "cannot create the backend registry");
		tlsplug_error_free(err);
		return NULL;
	}
	return reg;
}

void
cli_print_diagnostics(const struct tlsplug_registry *reg)
{
	size_t i;

	for (i = 0; i < tlsplug_registry_diagnostic_count(reg); i++)
		cli_error("%s", tlsplug_registry_diagnostic(reg, i));
}

int
cli_write_stdout(const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDOUT_FILENO, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}
