/*
 * x509.h -- what the core reads from X.509 certificates (RFC 5280): the
 * subject, the SubjectPublicKeyInfo and the subjectAltName DNS and IP
 * entries, plus the RFC 4514 text of a Name.  Core-internal (not installed).
 *
 * The reader checks the whole certificate's structure, down to the
 * subjectAltName entries, and refuses what it does not understand (rules in
 * x509.c and der.h); it does not check signatures, dates or any extension
 * but subjectAltName: chain validation is the engine's job.  Nothing is
 * allocated: results point into the caller's DER.
 */
#ifndef TLSPLUG_CORE_X509_H
#define TLSPLUG_CORE_X509_H

#include "internal.h"   /* struct tlsplug_san comes from <tlsplug/backend.h> */
#include "der.h"        /* struct tlsplug__span */

/* What the core reads from one X.509 certificate (RFC 5280): spans into the
 * caller's DER, valid as long as it is. */
struct tlsplug__cert {
	struct tlsplug__span subject;  /* the subject Name, whole TLV */
	struct tlsplug__span spki;     /* SubjectPublicKeyInfo, whole TLV (what SPKI pins hash) */
	struct tlsplug__span san;      /* contents of the subjectAltName GeneralNames SEQUENCE;
	                                  p == NULL when the certificate has no SAN extension */
	size_t nsans;                  /* DNS + IP entries among the GeneralNames */
};

/* Parses one DER certificate.  Returns 0, or -1 with *why set to a static
 * one-line reason ("truncated certificate", "two subjectAltName extensions", ...). */
int tlsplug__cert_parse(const unsigned char *der, size_t len, struct tlsplug__cert *out,
                        const char **why);

/* Fills out[0..max) with the DNS (type TLSPLUG_SAN_DNS, bytes of the IA5String) and
 * IP (TLSPLUG_SAN_IP, 4 or 16 bytes) subjectAltName entries of c, in certificate order,
 * pointing into the DER; returns how many there are in all (may exceed max). */
size_t tlsplug__cert_sans(const struct tlsplug__cert *c, struct tlsplug_san *out, size_t max);

/* RFC 4514 text of a DER Name (e.g. the subject span): "CN=tlsplug test rsa,O=Example".
 * Writes a NUL-terminated, possibly truncated string into buf[size]; returns the full
 * length (like snprintf), or -1 when the Name cannot be read. */
int tlsplug__name_text(struct tlsplug__span name, char *buf, size_t size);

#endif
