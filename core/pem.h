/*
 * pem.h -- PEM text (RFC 7468, with RFC 1421 headers): framing and base64
 * decoding.  Core-internal.
 *
 * One framing routine serves the handles' format check (handles.c, which
 * only frames) and the decoder below, so both agree on what a block is:
 * - a block starts at "-----BEGIN LABEL-----" (anywhere in the text; what
 *   follows on that line is ignored) with a label of 1 to 64 characters,
 *   and ends at a line "-----END LABEL-----" with the same label;
 * - text outside blocks is ignored (RFC 7468 explanatory text);
 * - inside, lines hold base64 characters, spaces and tabs; a line may end
 *   in CRLF; RFC 1421 header lines ("Proc-Type: 4,ENCRYPTED", "DEK-Info:
 *   ...": lines with a ':') may come before the first base64 line where
 *   the caller accepts them;
 * - a block holds at least one base64 character, and a BEGIN line inside a
 *   block means its END line is missing.
 */
#ifndef TLSPLUG_CORE_PEM_H
#define TLSPLUG_CORE_PEM_H

#include <stddef.h>

/* Results of tlsplug__pem_block() and tlsplug__pem_next(). */
#define TLSPLUG__PEM_FOUND 1
#define TLSPLUG__PEM_NONE 0
#define TLSPLUG__PEM_BAD (-2)      /* malformed; not TLSPLUG_ERR_NOMEM (-1) */
#define TLSPLUG__PEM_NOMEM (-3)

/* One block as framed: pointers into the caller's text. */
struct tlsplug__pem_block {
	const char *label;         /* not NUL-terminated */
	size_t label_len;
	const char *body;          /* after the header lines, up to the END
	                              line: base64, blanks and line breaks */
	size_t body_len;
	size_t b64_chars;          /* base64 characters in the body */
	int encrypted;             /* a "Proc-Type: 4,ENCRYPTED" header */
};

/*
 * Frames the next block, whatever its label, in text[0..len) from offset
 * *pos.  headers: 1 to accept RFC 1421 header lines before the base64 (a
 * line with a ':' is invalid base64 otherwise).  Returns
 * TLSPLUG__PEM_FOUND with *b filled and *pos moved past the END line,
 * TLSPLUG__PEM_NONE when no BEGIN line follows, or TLSPLUG__PEM_BAD with
 * *why one of "malformed BEGIN line", "missing END line", "END line does
 * not match BEGIN", "invalid base64 data", "empty PEM block" (*pos
 * unchanged).
 */
int tlsplug__pem_block(const char *text, size_t len, size_t *pos,
                       int headers, struct tlsplug__pem_block *b,
                       const char **why);

/*
 * Finds the next PEM block labelled `label` (e.g. "CERTIFICATE") in
 * text[0..len) from offset *pos, decodes its base64 body (RFC 7468:
 * whitespace and line breaks allowed, '=' padding only at the end) into a
 * new buffer allocated with tlsplug__malloc (caller frees with
 * tlsplug__free), sets *der / *der_len and moves *pos past the block.
 * Returns 1 (found), 0 (no more such blocks), -2 malformed (*why set to a
 * static reason), -3 out of memory (TLSPLUG_ERR_NOMEM is -1, so it cannot
 * serve here).  Blocks with other labels are skipped, but must be well
 * framed too.  Header lines (RFC 1421, as in traditional encrypted keys)
 * are skipped in every block.  The base64 must be a multiple of 4
 * characters with at most two '=' at its end; non-zero bits in the last
 * character before the padding are accepted (as OpenSSL does).  On 0, -2
 * and -3, *pos is unchanged, *der is NULL and *der_len 0.
 */
int tlsplug__pem_next(const char *text, size_t len, size_t *pos, const char *label,
                      unsigned char **der, size_t *der_len, const char **why);

#endif
