/* check_hostname.c -- RFC 9525 server identity checks. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ck_run.h"

#define DNS(s) { TLSPLUG_SAN_DNS, (const unsigned char *)(s), sizeof(s) - 1 }

static const unsigned char ip4_a[4] = { 192, 0, 2, 1 };
static const unsigned char ip4_b[4] = { 127, 0, 0, 1 };
static unsigned char ip6_a[16];   /* 2001:db8::1, filled in main */

/* One host name against a single DNS SAN. */
static const struct {
	const char *host;
	const char *san;
	int match;
} dns_cases[] = {
	/* exact, case-blind, trailing dot on either side */
	{ "example.com", "example.com", 1 },
	{ "www.example.com", "www.example.com", 1 },
	{ "WWW.Example.COM", "www.example.com", 1 },
	{ "www.example.com", "WWW.EXAMPLE.COM", 1 },
	{ "www.example.com.", "www.example.com", 1 },
	{ "www.example.com", "www.example.com.", 1 },
	{ "www.example.com", "example.com", 0 },
	{ "example.com", "www.example.com", 0 },
	{ "www.example.com", "www.example.org", 0 },
	{ "www.example.co", "www.example.com", 0 },
	{ "www.example.com..", "www.example.com", 0 },
	{ "", "example.com", 0 },
	{ ".", "example.com", 0 },
	{ "a..example.com", "a..example.com", 0 },
	/* wildcard: only the whole left-most label, exactly one label */
	{ "www.example.com", "*.example.com", 1 },
	{ "WWW.EXAMPLE.COM", "*.Example.Com", 1 },
	{ "www.example.com.", "*.example.com", 1 },
	{ "example.com", "*.example.com", 0 },
	{ "a.b.example.com", "*.example.com", 0 },
	{ ".example.com", "*.example.com", 0 },
	{ "www.example.com", "www.*.com", 0 },
	{ "www.example.com", "*.*.com", 0 },
	{ "www.example.com", "**.example.com", 0 },
	{ "www.example.com", "*", 0 },
	{ "example.com", "*.com", 0 },       /* too few labels after it */
	{ "com", "*.", 0 },
	{ "foo.example.com", "f*.example.com", 0 },   /* partial wildcard */
	{ "foo.example.com", "*o.example.com", 0 },
	{ "foo.example.com", "f*o.example.com", 0 },
	{ "www.example.com", "*example.com", 0 },
	{ "www.example.com", "www.example.*", 0 },
	/* the host itself never carries a wildcard */
	{ "*.example.com", "*.example.com", 0 },
	{ "*.example.com", "www.example.com", 0 },
	/* IDNA: A-labels compare as ASCII; U-labels never match */
	{ "xn--bcher-kva.example", "xn--bcher-kva.example", 1 },
	{ "XN--BCHER-KVA.example", "xn--bcher-kva.example", 1 },
	{ "www.xn--bcher-kva.example", "*.xn--bcher-kva.example", 1 },
	{ "b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example", 0 },
	/* IP literals never match DNS entries, wildcard or not */
	{ "192.0.2.1", "192.0.2.1", 0 },
	{ "192.0.2.1", "*.0.2.1", 0 },
	{ "192.0.2.1.", "*.0.2.1", 0 },
	{ "::1", "::1", 0 },
};

START_TEST(test_dns_table)
{
	for (size_t i = 0; i < sizeof(dns_cases) / sizeof(dns_cases[0]); i++) {
		struct tlsplug_san san = {
			TLSPLUG_SAN_DNS,
			(const unsigned char *)dns_cases[i].san,
			strlen(dns_cases[i].san),
		};

		ck_assert_msg(tlsplug__match_hostname(dns_cases[i].host, &san,
		                                      1) == dns_cases[i].match,
		              "host '%s' san '%s': expected %d",
		              dns_cases[i].host, dns_cases[i].san,
		              dns_cases[i].match);
	}
}
END_TEST

START_TEST(test_several_sans)
{
	const struct tlsplug_san sans[] = {
		DNS("a.example.com"),
		DNS("*.b.example.com"),
		{ TLSPLUG_SAN_IP, ip4_a, 4 },
		DNS("c.example.org"),
	};

	ck_assert_int_eq(tlsplug__match_hostname("a.example.com", sans, 4), 1);
	ck_assert_int_eq(tlsplug__match_hostname("x.b.example.com", sans, 4),
	                 1);
	ck_assert_int_eq(tlsplug__match_hostname("c.example.org", sans, 4), 1);
	ck_assert_int_eq(tlsplug__match_hostname("192.0.2.1", sans, 4), 1);
	ck_assert_int_eq(tlsplug__match_hostname("b.example.com", sans, 4), 0);
	ck_assert_int_eq(tlsplug__match_hostname("d.example.com", sans, 4), 0);
	ck_assert_int_eq(tlsplug__match_hostname("a.example.com", sans, 0), 0);
	ck_assert_int_eq(tlsplug__match_hostname("a.example.com", NULL, 0), 0);
	ck_assert_int_eq(tlsplug__match_hostname(NULL, sans, 4), 0);
	ck_assert_int_eq(tlsplug__match_hostname("a.example.com", NULL, 3), 0);
}
END_TEST

START_TEST(test_ip_only_against_ip_sans)
{
	const struct tlsplug_san ip_sans[] = {
		{ TLSPLUG_SAN_IP, ip4_a, 4 },
		{ TLSPLUG_SAN_IP, ip6_a, 16 },
	};
	const struct tlsplug_san dns_sans[] = {
		DNS("192.0.2.1"),
		DNS("2001:db8::1"),
		DNS("localhost"),
	};
	const struct tlsplug_san loop[] = { { TLSPLUG_SAN_IP, ip4_b, 4 } };

	ck_assert_int_eq(tlsplug__match_hostname("192.0.2.1", ip_sans, 2), 1);
	ck_assert_int_eq(tlsplug__match_hostname("2001:db8::1", ip_sans, 2), 1);
	ck_assert_int_eq(tlsplug__match_hostname("2001:DB8:0::1", ip_sans, 2),
	                 1);
	ck_assert_int_eq(tlsplug__match_hostname("[2001:db8::1]", ip_sans, 2),
	                 1);
	ck_assert_int_eq(tlsplug__match_hostname("192.0.2.2", ip_sans, 2), 0);
	ck_assert_int_eq(tlsplug__match_hostname("2001:db8::2", ip_sans, 2), 0);
	/* An IPv4 SAN never matches the IPv4-mapped IPv6 form. */
	ck_assert_int_eq(tlsplug__match_hostname("::ffff:192.0.2.1", ip_sans,
	                                         1), 0);
	/* IP literals are not compared with DNS entries. */
	ck_assert_int_eq(tlsplug__match_hostname("192.0.2.1", dns_sans, 3), 0);
	ck_assert_int_eq(tlsplug__match_hostname("2001:db8::1", dns_sans, 3),
	                 0);
	/* ...and names are not compared with IP entries. */
	ck_assert_int_eq(tlsplug__match_hostname("localhost", loop, 1), 0);
	ck_assert_int_eq(tlsplug__match_hostname("127.0.0.1", loop, 1), 1);
	/* A malformed IP SAN length never matches. */
	{
		const struct tlsplug_san bad = { TLSPLUG_SAN_IP, ip6_a, 4 };

		ck_assert_int_eq(tlsplug__match_hostname("192.0.2.1", &bad, 1),
		                 0);
	}
	ck_assert_int_eq(tlsplug__match_hostname("[192.0.2.1]", ip_sans, 2), 0);
}
END_TEST

/* The interface carries no subject CN at all: a certificate whose only name
 * is its CN has no SANs, and nothing matches. */
START_TEST(test_cn_never_used)
{
	ck_assert_int_eq(tlsplug__match_hostname("www.example.com", NULL, 0),
	                 0);
	ck_assert_int_eq(tlsplug__match_hostname("localhost", NULL, 0), 0);
}
END_TEST

START_TEST(test_embedded_nul_in_san)
{
	const struct tlsplug_san sans[] = {
		{ TLSPLUG_SAN_DNS,
		  (const unsigned char *)"www.example.com\0.evil.org", 25 },
	};

	ck_assert_int_eq(tlsplug__match_hostname("www.example.com", sans, 1),
	                 0);
	ck_assert_int_eq(tlsplug__match_hostname("www.example.com.evil.org",
	                                         sans, 1), 0);
}
END_TEST

START_TEST(test_services_entry)
{
	const struct tlsplug_core *core = tlsplug__core_services();
	const struct tlsplug_san san = DNS("*.example.net");

	ck_assert_int_eq(core->match_hostname("a.example.net", &san, 1), 1);
	ck_assert_int_eq(core->match_hostname("example.net", &san, 1), 0);
}
END_TEST

START_TEST(test_overlong_host)
{
	char host[400];
	struct tlsplug_san san;

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (size_t i = 60; i < sizeof(host) - 1; i += 61)
		host[i] = '.';
	san.type = TLSPLUG_SAN_DNS;
	san.data = (const unsigned char *)host;
	san.len = strlen(host);
	ck_assert_int_eq(tlsplug__match_hostname(host, &san, 1), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hostname");
	TCase *tc = tcase_create("rfc9525");
	SRunner *sr;
	int failed;

	if (inet_pton(AF_INET6, "2001:db8::1", ip6_a) != 1)
		return 99;
	tcase_add_test(tc, test_dns_table);
	tcase_add_test(tc, test_several_sans);
	tcase_add_test(tc, test_ip_only_against_ip_sans);
	tcase_add_test(tc, test_cn_never_used);
	tcase_add_test(tc, test_embedded_nul_in_san);
	tcase_add_test(tc, test_services_entry);
	tcase_add_test(tc, test_overlong_host);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
