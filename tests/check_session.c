/*
 * check_session.c -- the core's session object: serialised form (round
 * trip, every truncation, every flipped bit, foreign formats), the client
 * cache (keys, single use, expiry, eviction), ticket key files, and the
 * session settings of configs and config files.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "ck_run.h"
#include "conffile.h"
#include "registry.h"
#include "internal.h"
#include "session.h"

static const unsigned char engine_bytes[] = "engine session bytes \x01\x02";

static struct tlsplug_session *
sample(const char *name, bool single_use, uint32_t lifetime, uint64_t now)
{
	struct tlsplug_session *s = tlsplug__session_new("openssl", name,
	    engine_bytes, sizeof(engine_bytes), lifetime, single_use,
	    TLSPLUG_VERSION_TLSv1_3, UINT64_C(0x1122334455667788), now);

	ck_assert_ptr_nonnull(s);
	return s;
}

static unsigned char *
serialise(const struct tlsplug_session *s, size_t *len)
{
	unsigned char *buf;

	ck_assert_int_eq(tlsplug_session_serialize(s, NULL, 0, len),
	                 TLSPLUG_ERR_INVALID);
	buf = malloc(*len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(tlsplug_session_serialize(s, buf, *len - 1, len),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_session_serialize(s, buf, *len, len),
	                 TLSPLUG_OK);
	return buf;
}

START_TEST(test_crc32)
{
	/* The standard check value of CRC-32/IEEE. */
	ck_assert_uint_eq(tlsplug__crc32("123456789", 9), 0xCBF43926u);
	ck_assert_uint_eq(tlsplug__crc32("", 0), 0);
}
END_TEST

START_TEST(test_round_trip)
{
	struct tlsplug_session *s = sample("www.example.com", true, 300, 1000);
	struct tlsplug_session *t = NULL;
	struct tlsplug_error *err = NULL;
	unsigned char *buf, *again;
	size_t len, len2;

	buf = serialise(s, &len);
	ck_assert_mem_eq(buf, "TLSPSESS\x01\x07openssl", 17);
	ck_assert_int_eq(tlsplug_session_deserialize(buf, len, &t, &err),
	                 TLSPLUG_OK);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(tlsplug_session_backend(t), "openssl");
	ck_assert_str_eq(tlsplug_session_server_name(t), "www.example.com");
	ck_assert_int_eq(tlsplug_session_version(t), TLSPLUG_VERSION_TLSv1_3);
	ck_assert_uint_eq(tlsplug_session_expires(t), 1300);
	ck_assert(t->single_use);
	ck_assert_uint_eq(t->config_hash, UINT64_C(0x1122334455667788));
	ck_assert_uint_eq(t->len, sizeof(engine_bytes));
	ck_assert_mem_eq(t->data, engine_bytes, sizeof(engine_bytes));
	again = serialise(t, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(buf, again, len);
	free(buf);
	free(again);
	tlsplug_session_unref(s);
	tlsplug_session_unref(t);

	/* No server name. */
	s = sample(NULL, false, 0, 5);
	buf = serialise(s, &len);
	ck_assert_int_eq(tlsplug_session_deserialize(buf, len, &t, NULL),
	                 TLSPLUG_OK);
	ck_assert_ptr_null(tlsplug_session_server_name(t));
	ck_assert_uint_eq(tlsplug_session_expires(t), 0);
	ck_assert(!t->single_use);
	free(buf);
	tlsplug_session_unref(s);
	tlsplug_session_unref(t);
}
END_TEST

static void
expect_refused(const unsigned char *buf, size_t len, const char *words)
{
	struct tlsplug_session *t = (void *)1;
	struct tlsplug_error *err = NULL;

	ck_assert_int_eq(tlsplug_session_deserialize(buf, len, &t, &err),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(err);
	if (words != NULL)
		ck_assert_msg(strstr(tlsplug_error_message(err), words) != NULL,
		              "'%s' not in '%s'", words,
		              tlsplug_error_message(err));
	tlsplug_error_free(err);
}

START_TEST(test_every_truncation_refused)
{
	struct tlsplug_session *s = sample("a.example", true, 60, 1);
	unsigned char *buf;
	size_t len;

	buf = serialise(s, &len);
	for (size_t n = 0; n < len; n++)
		expect_refused(buf, n, n < 8 ? "not a tlsplug session" :
		               "truncated");
	free(buf);
	tlsplug_session_unref(s);
}
END_TEST

START_TEST(test_every_bit_flip_refused)
{
	struct tlsplug_session *s = sample("b.example", false, 60, 1);
	unsigned char *buf;
	size_t len;

	buf = serialise(s, &len);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1u << bit);
			expect_refused(buf, len, NULL);
			buf[i] ^= (unsigned char)(1u << bit);
		}
	free(buf);
	tlsplug_session_unref(s);
}
END_TEST

START_TEST(test_precise_errors)
{
	struct tlsplug_session *s = sample("c.example", false, 60, 1);
	unsigned char *buf, *longer;
	size_t len;
	uint32_t crc;

	buf = serialise(s, &len);
	/* A later format: named. */
	buf[8] = 2;
	expect_refused(buf, len, "session format 2 is not supported");
	buf[8] = 1;
	/* Corrupt engine bytes: the checksum. */
	buf[len - 6] ^= 0x40;
	expect_refused(buf, len, "checksum mismatch");
	buf[len - 6] ^= 0x40;
	/* Trailing bytes. */
	longer = malloc(len + 3);
	ck_assert_ptr_nonnull(longer);
	memcpy(longer, buf, len);
	memset(longer + len, 0, 3);
	expect_refused(longer, len + 3, "3 unexpected bytes");
	/* A bad backend name, with a valid checksum. */
	buf[10] = 'O';
	crc = tlsplug__crc32(buf, len - 4);
	buf[len - 4] = (unsigned char)(crc >> 24);
	buf[len - 3] = (unsigned char)(crc >> 16);
	buf[len - 2] = (unsigned char)(crc >> 8);
	buf[len - 1] = (unsigned char)crc;
	expect_refused(buf, len, "bad backend name");
	expect_refused((const unsigned char *)"PK\x03\x04zip", 7,
	               "not a tlsplug session");
	ck_assert_int_eq(tlsplug_session_deserialize(NULL, 3, &s, NULL),
	                 TLSPLUG_ERR_MISUSE);
	free(buf);
	free(longer);
	tlsplug_session_unref(s);
}
END_TEST

START_TEST(test_files)
{
	char dir[] = "/tmp/check_session.XXXXXX", path[128];
	struct tlsplug_session *s = sample("f.example", false, 60, 1), *t;
	struct tlsplug_error *err = NULL;
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sess", dir);
	ck_assert_int_eq(tlsplug_session_to_file(s, path, &err), TLSPLUG_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(tlsplug_session_from_file(path, &t, &err), TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_session_server_name(t), "f.example");
	tlsplug_session_unref(t);
	/* Truncated file: refused, the file named. */
	ck_assert_int_eq(truncate(path, 30), 0);
	ck_assert_int_eq(tlsplug_session_from_file(path, &t, &err),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(err), path));
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(err), "truncated"));
	tlsplug_error_free(err);
	err = NULL;
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "garbage\n", 8), 8);
	close(fd);
	ck_assert_int_eq(tlsplug_session_from_file(path, &t, &err),
	                 TLSPLUG_ERR_INVALID);
	tlsplug_error_free(err);
	err = NULL;
	unlink(path);
	ck_assert_int_eq(tlsplug_session_from_file(path, &t, &err),
	                 TLSPLUG_ERR_IO);
	tlsplug_error_free(err);
	rmdir(dir);
	tlsplug_session_unref(s);
}
END_TEST

START_TEST(test_cache)
{
	struct tlsplug__sess_cache *c = tlsplug__sess_cache_new(2);
	struct tlsplug_session *a1 = sample("a", true, 100, 1000);
	struct tlsplug_session *a2 = sample("a", true, 100, 1001);
	struct tlsplug_session *b = sample("b", false, 100, 1000);
	struct tlsplug_session *cc = sample("c", false, 0, 1000);
	struct tlsplug_session *t;
	char *ka = tlsplug__sess_cache_key("a", "127.0.0.1:443");
	char *ka6 = tlsplug__sess_cache_key("a", "[::1]:443");
	char *kb = tlsplug__sess_cache_key("b", NULL);
	char *kc = tlsplug__sess_cache_key("c", NULL);

	ck_assert_ptr_null(tlsplug__sess_cache_new(0));
	ck_assert_ptr_null(tlsplug__sess_cache_key(NULL, "x"));
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tlsplug__sess_cache_put(c, ka, a1), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__sess_cache_put(c, ka, a2), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__sess_cache_put(c, kb, b), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug__sess_cache_count(c), 3);
	/* Another address for the same name: nothing. */
	ck_assert_ptr_null(tlsplug__sess_cache_take(c, ka6, 1002));
	/* Single use: newest first, each once. */
	t = tlsplug__sess_cache_take(c, ka, 1002);
	ck_assert_ptr_eq(t, a2);
	tlsplug_session_unref(t);
	t = tlsplug__sess_cache_take(c, ka, 1002);
	ck_assert_ptr_eq(t, a1);
	tlsplug_session_unref(t);
	ck_assert_ptr_null(tlsplug__sess_cache_take(c, ka, 1002));
	/* Reusable: stays. */
	t = tlsplug__sess_cache_take(c, kb, 1002);
	ck_assert_ptr_eq(t, b);
	tlsplug_session_unref(t);
	t = tlsplug__sess_cache_take(c, kb, 1002);
	ck_assert_ptr_eq(t, b);
	tlsplug_session_unref(t);
	/* Expired: dropped. */
	ck_assert_ptr_null(tlsplug__sess_cache_take(c, kb, 1100));
	/* Eviction: a (empty, older) and b: c evicts the least recent. */
	ck_assert_int_eq(tlsplug__sess_cache_put(c, kb, b), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__sess_cache_put(c, ka, a1), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__sess_cache_put(c, kc, cc), TLSPLUG_OK);
	ck_assert_ptr_null(tlsplug__sess_cache_take(c, kb, 1002));
	t = tlsplug__sess_cache_take(c, kc, 999999);   /* no lifetime */
	ck_assert_ptr_eq(t, cc);
	tlsplug_session_unref(t);
	tlsplug__sess_cache_free(c);
	tlsplug__sess_cache_free(NULL);
	tlsplug__free(ka);
	tlsplug__free(ka6);
	tlsplug__free(kb);
	tlsplug__free(kc);
	tlsplug_session_unref(a1);
	tlsplug_session_unref(a2);
	tlsplug_session_unref(b);
	tlsplug_session_unref(cc);
}
END_TEST

/* Threads putting and taking on one cache at once: every session taken is
 * whole (its name matches its key), nothing is lost or freed twice (ASan,
 * valgrind and TSan see the rest). */
struct cache_worker {
	struct tlsplug__sess_cache *c;
	int id;
	int taken;
	int bad;
};

static void *
cache_worker_main(void *arg)
{
	struct cache_worker *w = arg;
	char name[32], *key;

	for (int i = 0; i < 2000; i++) {
		struct tlsplug_session *s, *t;

		snprintf(name, sizeof(name), "h%d.example", (w->id + i) % 7);
		key = tlsplug__sess_cache_key(name, NULL);
		s = tlsplug__session_new("openssl", name, engine_bytes,
		    sizeof(engine_bytes), 0, (i & 1) != 0,
		    TLSPLUG_VERSION_TLSv1_3, 1, 1);
		if (key == NULL || s == NULL) {
			w->bad++;
		} else {
			if (tlsplug__sess_cache_put(w->c, key, s) != TLSPLUG_OK)
				w->bad++;
			t = tlsplug__sess_cache_take(w->c, key, 2);
			if (t != NULL) {
				w->taken++;
				if (strcmp(tlsplug_session_server_name(t),
				           name) != 0)
					w->bad++;
			}
			tlsplug_session_unref(t);
		}
		tlsplug_session_unref(s);
		tlsplug__free(key);
	}
	return NULL;
}

START_TEST(test_cache_threads)
{
	struct tlsplug__sess_cache *c = tlsplug__sess_cache_new(5);
	struct cache_worker w[4];
	pthread_t th[4];

	ck_assert_ptr_nonnull(c);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct cache_worker){ .c = c, .id = i };
		ck_assert_int_eq(pthread_create(&th[i], NULL, cache_worker_main,
		                                &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(w[i].bad, 0);
		ck_assert_int_gt(w[i].taken, 0);
	}
	/* At most 5 names, at most 4 sessions each. */
	ck_assert_uint_le(tlsplug__sess_cache_count(c), 20);
	tlsplug__sess_cache_free(c);
}
END_TEST

START_TEST(test_ticket_key_files)
{
	char dir[] = "/tmp/check_session.XXXXXX", path[128];
	unsigned char key[TLSPLUG_TICKET_KEY_SIZE];
	unsigned char raw[TLSPLUG_TICKET_KEY_SIZE];
	char hex[2 * TLSPLUG_TICKET_KEY_SIZE + 2];
	struct tlsplug_error e = { .alert = -1 };
	struct tlsplug_config_builder *b;
	FILE *f;

	for (size_t i = 0; i < sizeof(raw); i++) {
		raw[i] = (unsigned char)(i * 7 + 3);
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	}
	strcat(hex, "\n");
	ck_assert_ptr_null(tlsplug__ticket_key_parse(raw, 64, key));
	ck_assert_mem_eq(key, raw, 64);
	memset(key, 0, sizeof(key));
	ck_assert_ptr_null(tlsplug__ticket_key_parse((unsigned char *)hex,
	                                             129, key));
	ck_assert_mem_eq(key, raw, 64);
	ck_assert_ptr_null(tlsplug__ticket_key_parse((unsigned char *)hex,
	                                             128, key));
	ck_assert_ptr_nonnull(tlsplug__ticket_key_parse(raw, 63, key));
	hex[5] = 'g';
	ck_assert_ptr_nonnull(tlsplug__ticket_key_parse((unsigned char *)hex,
	                                                129, key));

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(raw, 1, 64, f), 64);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(tlsplug__ticket_key_read(path, NULL, key, &e),
	                 TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.message, "others may read"));
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(tlsplug__ticket_key_read(path, NULL, key, &e),
	                 TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key_file(b, path),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key_file(b,
	                 "/nonexistent/key"), TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "/nonexistent/key"));
	tlsplug_config_builder_free(b);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_config_settings)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c1, *c2, *c3;
	const struct tlsplug_bconfig *v;
	unsigned char key[TLSPLUG_TICKET_KEY_SIZE];

	memset(key, 0x5a, sizeof(key));
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c1), TLSPLUG_OK);
	v = tlsplug__config_bview(c1);
	ck_assert_int_eq(v->session_tickets, 1);
	ck_assert_uint_eq(v->ticket_lifetime, 7200);
	ck_assert_ptr_null(v->ticket_key);
	ck_assert_int_eq(tlsplug__config_bview(tlsplug_config_default())
	                 ->session_tickets, 1);
	ck_assert(tlsplug_config_equal(c1, tlsplug_config_default()));

	ck_assert_int_eq(tlsplug_config_builder_set_ticket_lifetime(b, 0),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_lifetime(b, 604801),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key(b, key, 32),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_session_cache(b, 2000000),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_lifetime(NULL, 5),
	                 TLSPLUG_ERR_MISUSE);

	ck_assert_int_eq(tlsplug_config_builder_set_ticket_lifetime(b, 60),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key(b, key, 64),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c2), TLSPLUG_OK);
	v = tlsplug__config_bview(c2);
	ck_assert_uint_eq(v->ticket_lifetime, 60);
	ck_assert_uint_eq(v->ticket_key_len, 64);
	ck_assert_mem_eq(v->ticket_key, key, 64);
	ck_assert(!tlsplug_config_equal(c1, c2));
	key[0] ^= 1;
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key(b, key, 64),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c3), TLSPLUG_OK);
	ck_assert(!tlsplug_config_equal(c2, c3));
	tlsplug_config_unref(c3);
	ck_assert_int_eq(tlsplug_config_builder_set_ticket_key(b, NULL, 0),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_session_tickets(b, 0),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_session_cache(b, 0),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c3), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__config_bview(c3)->session_tickets, 0);
	ck_assert_ptr_null(tlsplug__config_bview(c3)->ticket_key);
	ck_assert_int_eq(tlsplug__config_sess(c3)->cache, 0);
	tlsplug_config_unref(c1);
	tlsplug_config_unref(c2);
	tlsplug_config_unref(c3);
	/* An edited copy holds its own key. */
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_conffile_keys)
{
	static const char text[] =
	    "[default]\n"
	    "session_cache = off\n"
	    "ticket_lifetime = 3600\n"
	    "ticket_key_file = /etc/tlsplug/ticket.key\n"
	    "[app]\n"
	    "session_cache = 12\n"
	    "[other]\n"
	    "ticket_lifetime = 0\n"
	    "session_cache = maybe\n"
	    "ticket_key_file = relative\n";
	struct tlsplug__conf c = { 0 };

	ck_assert_int_eq(tlsplug__conf_parse(text, sizeof(text) - 1, "t.conf",
	                                     "app", &c), TLSPLUG_OK);
	ck_assert_str_eq(c.session_cache.value, "12");
	ck_assert_str_eq(c.session_cache.source, "t.conf:6");
	ck_assert_str_eq(c.ticket_lifetime.value, "3600");
	ck_assert_str_eq(c.ticket_key_file.value, "/etc/tlsplug/ticket.key");
	ck_assert_uint_eq(c.ndiags, 3);
	ck_assert_ptr_nonnull(strstr(c.diags[0], "t.conf:8: ticket_lifetime"));
	ck_assert_ptr_nonnull(strstr(c.diags[1], "t.conf:9: session_cache"));
	ck_assert_ptr_nonnull(strstr(c.diags[2], "t.conf:10: ticket_key_file"));
	tlsplug__conf_clear(&c);
	ck_assert_int_eq(tlsplug__conf_session_cache("on", 2),
	                 TLSPLUG_SESSION_CACHE_DEFAULT);
	ck_assert_int_eq(tlsplug__conf_session_cache("off", 3), 0);
	ck_assert_int_eq(tlsplug__conf_session_cache("1000001", 7), -1);
	ck_assert_int_eq(tlsplug__conf_ticket_lifetime("604800", 6), 604800);
	ck_assert_int_eq(tlsplug__conf_ticket_lifetime("604801", 6), -1);
}
END_TEST

/* The client cache a context gets, with a system config file holding
 * `text` (the user's file is made absent), on the first engine under
 * test: -1 when no engine was built, else the cache's presence. */
static int
client_cache_with_conf(const char *text, const char *dir)
{
	const char *list = getenv("TLSPLUG_TEST_BACKENDS");
	char path[256], so[1024];
	struct tlsplug_registry *r = NULL;
	const struct tlsplug_backend *b = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_config_builder *cb;
	struct tlsplug_config *cfg = NULL;
	int has;
	FILE *f;

	if (list == NULL || list[0] == '\0')
		return -1;
	snprintf(so, sizeof(so), "%s", list);
	so[strcspn(so, " ")] = '\0';
	snprintf(path, sizeof(path), "%s/system.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(tlsplug__registry_new_ex(NULL, path, &r, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_registry_load_file(r, so, &b, NULL),
	                 TLSPLUG_OK);
	/* Validation off: no trust store to load (slow under sanitizers);
	 * the cache does not depend on it. */
	ck_assert_ptr_nonnull(cb = tlsplug_config_builder_new());
	ck_assert_int_eq(tlsplug_config_builder_set_insecure_no_validation(
	                 cb, 1), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(cb, &cfg), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_CLIENT, cfg, &ctx,
	                 NULL), TLSPLUG_OK);
	has = tlsplug__context_sess(ctx)->cache != NULL;
	tlsplug_context_unref(ctx);
	tlsplug_config_unref(cfg);
	tlsplug_config_builder_free(cb);
	tlsplug_registry_free(r);
	unlink(path);
	return has;
}

START_TEST(test_conffile_client_cache)
{
	char dir[] = "/tmp/check_session.XXXXXX";
	struct tlsplug_config_builder *b;
	struct tlsplug_config *c;
	int on;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("TLSPLUG_CONF");
	on = client_cache_with_conf("", dir);
	if (on >= 0) {
		ck_assert_int_eq(on, 1);   /* on by default */
		ck_assert_int_eq(client_cache_with_conf(
		    "[default]\nsession_cache = off\n", dir), 0);
		ck_assert_int_eq(client_cache_with_conf(
		    "[default]\nsession_cache = 3\n", dir), 1);
	}
	/* An explicit setting beats the file (checked on the config). */
	b = tlsplug_config_builder_new();
	ck_assert_int_eq(tlsplug_config_builder_set_session_cache(b, 5),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__config_sess(c)->cache, 5);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
	rmdir(dir);
}
END_TEST

START_TEST(test_allocation_failures)
{
	struct tlsplug_session *s = sample("n.example", false, 0, 1), *t;
	unsigned char *buf;
	size_t len;
	int ok = 0;

	buf = serialise(s, &len);
	for (unsigned long nth = 1; nth < 10; nth++) {
		int rc;

		t = NULL;
		tlsplug__alloc_fail_at(nth);
		rc = tlsplug_session_deserialize(buf, len, &t, NULL);
		tlsplug__alloc_fail_at(0);
		ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_ERR_NOMEM);
		ck_assert(rc == TLSPLUG_OK ? t != NULL : t == NULL);
		ok += rc == TLSPLUG_OK;
		tlsplug_session_unref(t);
	}
	ck_assert_int_gt(ok, 0);
	free(buf);
	tlsplug_session_unref(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("session");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_crc32);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_every_truncation_refused);
	tcase_add_test(tc, test_every_bit_flip_refused);
	tcase_add_test(tc, test_precise_errors);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_cache_threads);
	tcase_add_test(tc, test_ticket_key_files);
	tcase_add_test(tc, test_config_settings);
	tcase_add_test(tc, test_conffile_keys);
	tcase_add_test(tc, test_conffile_client_cache);
	/* Plugins loaded and contexts made: slow under sanitizers. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
