/* check_buffer.c -- the ciphertext byte queue. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "internal.h"
#include "ck_run.h"

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

START_TEST(test_empty)
{
	struct tlsplug_buffer b;
	const void *p = (const void *)1;
	unsigned char x;

	tlsplug__buffer_init(&b);
	ck_assert_uint_eq(tlsplug__buffer_len(&b), 0);
	ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), 0);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(tlsplug__buffer_read(&b, &x, 1), 0);
	tlsplug__buffer_consume(&b, 10);
	ck_assert_int_eq(tlsplug__buffer_append(&b, NULL, 0), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__buffer_capacity(&b), 0);
	tlsplug__buffer_free(&b);
	tlsplug__buffer_free(&b);
}
END_TEST

START_TEST(test_peek_consume_order)
{
	struct tlsplug_buffer b;
	const void *p;
	unsigned char out[8];

	tlsplug__buffer_init(&b);
	ck_assert_int_eq(tlsplug__buffer_append(&b, "hello", 5), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__buffer_append(&b, " world", 6), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), 11);
	ck_assert_int_eq(memcmp(p, "hello world", 11), 0);
	tlsplug__buffer_consume(&b, 6);
	ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), 5);
	ck_assert_int_eq(memcmp(p, "world", 5), 0);
	ck_assert_uint_eq(tlsplug__buffer_read(&b, out, 3), 3);
	ck_assert_int_eq(memcmp(out, "wor", 3), 0);
	ck_assert_uint_eq(tlsplug__buffer_read(&b, out, sizeof(out)), 2);
	ck_assert_int_eq(memcmp(out, "ld", 2), 0);
	ck_assert_uint_eq(tlsplug__buffer_len(&b), 0);
	/* Consuming more than is there empties it. */
	tlsplug__buffer_append(&b, "abc", 3);
	tlsplug__buffer_consume(&b, 100);
	ck_assert_uint_eq(tlsplug__buffer_len(&b), 0);
	tlsplug__buffer_free(&b);
}
END_TEST

/* A queue that never empties completely forces compaction; the bytes must
 * come out in order and the storage must stop growing. */
START_TEST(test_compaction)
{
	struct tlsplug_buffer b;
	unsigned char in[1000], out[1000];
	size_t cap_after_warmup = 0;
	unsigned long wseq = 0, rseq = 0;

	tlsplug__buffer_init(&b);
	for (int round = 0; round < 2000; round++) {
		size_t n = 100 + (size_t)(round * 37) % 900;
		size_t m;

		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(wseq++ % 251);
		ck_assert_int_eq(tlsplug__buffer_append(&b, in, n), TLSPLUG_OK);
		/* Read a little less than was written, until we hold ~5000. */
		m = tlsplug__buffer_len(&b) > 5000 ? n + 50 : n / 2;
		m = tlsplug__buffer_read(&b, out, m > sizeof(out) ?
		                         sizeof(out) : m);
		/* One check per round: a million ck_asserts took seconds,
		 * and the test's time limit is 4. */
		for (size_t i = 0; i < m; i++)
			if (out[i] != (unsigned char)(rseq++ % 251))
				ck_abort_msg("round %d: byte %zu is %u, "
				             "expected %u", round, i, out[i],
				             (unsigned)((rseq - 1) % 251));
		if (round == 500)
			cap_after_warmup = tlsplug__buffer_capacity(&b);
	}
	ck_assert_uint_gt(cap_after_warmup, 0);
	ck_assert_uint_eq(tlsplug__buffer_capacity(&b), cap_after_warmup);
	tlsplug__buffer_free(&b);
}
END_TEST

START_TEST(test_large)
{
	struct tlsplug_buffer b;
	size_t total = 4u * 1024 * 1024, chunk = 65536;
	unsigned char *src = malloc(total), *dst = malloc(total);
	const void *p;

	ck_assert_ptr_nonnull(src);
	ck_assert_ptr_nonnull(dst);
	fill(src, total, 3);
	tlsplug__buffer_init(&b);
	for (size_t off = 0; off < total; off += chunk)
		ck_assert_int_eq(tlsplug__buffer_append(&b, src + off, chunk),
		                 TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), total);
	ck_assert_int_eq(memcmp(p, src, total), 0);
	ck_assert_uint_eq(tlsplug__buffer_read(&b, dst, total), total);
	ck_assert_int_eq(memcmp(dst, src, total), 0);
	/* One big append too. */
	ck_assert_int_eq(tlsplug__buffer_append(&b, src, total), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__buffer_read(&b, dst, total), total);
	ck_assert_int_eq(memcmp(dst, src, total), 0);
	tlsplug__buffer_free(&b);
	free(src);
	free(dst);
}
END_TEST

/* After the high-water mark, append/peek/consume never allocate: with every
 * allocation set to fail, the steady-state traffic still succeeds. */
START_TEST(test_no_allocation_in_steady_state)
{
	struct tlsplug_buffer b;
	unsigned char rec[16384 + 29], out[16384 + 29];
	const void *p;

	fill(rec, sizeof(rec), 9);
	tlsplug__buffer_init(&b);
	/* Warm up: a couple of full records, then drain. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(tlsplug__buffer_append(&b, rec, sizeof(rec)),
		                 TLSPLUG_OK);
	tlsplug__buffer_consume(&b, (size_t)-1);

	tlsplug__alloc_fail_at(1);
	for (int round = 0; round < 1000; round++) {
		size_t n = 1 + (size_t)(round * 131) % sizeof(rec);

		ck_assert_int_eq(tlsplug__buffer_append(&b, rec, n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug__buffer_append(&b, rec, n / 2),
		                 TLSPLUG_OK);
		ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), n + n / 2);
		ck_assert_int_eq(memcmp(p, rec, n), 0);
		tlsplug__buffer_consume(&b, n);
		ck_assert_uint_eq(tlsplug__buffer_read(&b, out, sizeof(out)),
		                  n / 2);
	}
	/* The injected failure is still armed: nothing allocated. */
	ck_assert_ptr_null(tlsplug__malloc(1));
	tlsplug__alloc_fail_at(0);
	tlsplug__buffer_free(&b);
}
END_TEST

START_TEST(test_append_failure_leaves_buffer_intact)
{
	struct tlsplug_buffer b;
	unsigned char big[100000];
	const void *p;

	fill(big, sizeof(big), 1);
	tlsplug__buffer_init(&b);
	ck_assert_int_eq(tlsplug__buffer_append(&b, "keep", 4), TLSPLUG_OK);
	tlsplug__alloc_fail_at(1);
	ck_assert_int_eq(tlsplug__buffer_append(&b, big, sizeof(big)),
	                 TLSPLUG_ERR_NOMEM);
	tlsplug__alloc_fail_at(0);
	ck_assert_uint_eq(tlsplug__buffer_peek(&b, &p), 4);
	ck_assert_int_eq(memcmp(p, "keep", 4), 0);
	ck_assert_int_eq(tlsplug__buffer_append(&b, big, sizeof(big)),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__buffer_len(&b), 4 + sizeof(big));
	tlsplug__buffer_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buffer");
	TCase *tc = tcase_create("queue");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_peek_consume_order);
	tcase_add_test(tc, test_compaction);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_no_allocation_in_steady_state);
	tcase_add_test(tc, test_append_failure_leaves_buffer_intact);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
