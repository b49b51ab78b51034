/*
 * revopts.c -- the revocation options of connect and serve (revopts.h).
 */
#include "config.h"

#include <stdio.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "revopts.h"
#include "tlsopts.h"

int
revopts_add_crl(struct revopts *r, const char *cmd, const char *file)
{
	if (r->ncrls == REVOPTS_MAX_CRLS)
		return cli_usage_error(cmd, "more than %d --crl files",
		                       REVOPTS_MAX_CRLS);
	r->crls[r->ncrls++] = file;
	return 0;
}

int
revopts_apply(const struct revopts *r, struct tlsplug_config_builder *b)
{
	struct tlsplug_error *err = NULL;
	int rc;

	for (size_t i = 0; i < r->ncrls; i++) {
		struct tlsplug_crl *crl = NULL;

		rc = tlsplug_crl_from_file(r->crls[i], &crl, &err);
		if (rc != TLSPLUG_OK) {
			rc = tlsopts_fail("--crl", rc, err);
			tlsplug_error_free(err);
			return rc;
		}
		rc = tlsplug_config_builder_add_crl(b, crl);
		tlsplug_crl_unref(crl);
		if (rc != TLSPLUG_OK)
			return tlsopts_fail("--crl", rc,
			                    tlsplug_config_builder_error(b));
	}
	if (r->require_ocsp || r->ocsp_check) {
		rc = tlsplug_config_builder_set_ocsp_mode(b, r->require_ocsp ?
		    TLSPLUG_OCSP_REQUIRE : TLSPLUG_OCSP_CHECK);
		if (rc != TLSPLUG_OK)
			return tlsopts_fail(NULL, rc,
			                    tlsplug_config_builder_error(b));
	}
	if (r->ocsp_staple != NULL) {
		rc = tlsplug_config_builder_set_ocsp_staple_file(b,
		                                                 r->ocsp_staple);
		if (rc != TLSPLUG_OK)
			return tlsopts_fail("--ocsp-staple", rc,
			                    tlsplug_config_builder_error(b));
	}
	return 0;
}

int
revopts_shows_ocsp(const struct revopts *r)
{
	return r->ocsp_check || r->require_ocsp;
}

void
revopts_print(FILE *f, const struct revopts *r,
              const struct tlsplug_conn *conn)
{
	const char *name;

	if (!revopts_shows_ocsp(r))
		return;
	name = tlsplug_ocsp_status_name(tlsplug_conn_ocsp_status(conn));
	fprintf(f, " ocsp=%s", name != NULL ? name : "none");
}
