/*
 * buffer.h -- a connection's ciphertext buffer: a growable byte queue.
 *
 * Appends are O(1) amortised; peek/consume work in place.  The storage grows
 * to a high-water mark and is never shrunk, so once a connection has seen
 * its largest burst, appending and consuming do not allocate.  (An idle
 * connection frees an empty buffer with tlsplug__buffer_free(), which
 * leaves it ready for use: conn.c, release_idle().)
 */
#ifndef TLSPLUG_CORE_BUFFER_H
#define TLSPLUG_CORE_BUFFER_H

#include <stddef.h>

struct tlsplug_buffer {
	unsigned char *data;
	size_t cap;    /* bytes allocated */
	size_t head;   /* first unconsumed byte */
	size_t tail;   /* one past the last byte */
};

/* An empty buffer; allocates nothing. */
void tlsplug__buffer_init(struct tlsplug_buffer *b);
/* Releases the storage; b is empty afterwards. */
void tlsplug__buffer_free(struct tlsplug_buffer *b);
/* Bytes waiting in b. */
size_t tlsplug__buffer_len(const struct tlsplug_buffer *b);
/* Bytes b can hold without allocating (includes those already held). */
size_t tlsplug__buffer_capacity(const struct tlsplug_buffer *b);
/* Appends n bytes: TLSPLUG_OK or TLSPLUG_ERR_NOMEM (b unchanged). */
int tlsplug__buffer_append(struct tlsplug_buffer *b, const void *p, size_t n);
/* Space for writing straight into b, e.g. with recv(): returns a pointer
 * to at least `min` (1 if 0) free bytes after the waiting ones and sets
 * *avail to how many there are (all the free space, possibly more than
 * min); NULL and *avail = 0 when out of memory.  Allocates only when b
 * has less than min free bytes, and then just what min needs (or double
 * the old size), never shrinking.  The space is valid until the next call
 * that changes b; tlsplug__buffer_commit() then adds what was written. */
void *tlsplug__buffer_reserve(struct tlsplug_buffer *b, size_t min,
                              size_t *avail);
/* Appends the first n bytes of the space the last reserve returned (n at
 * most *avail). */
void tlsplug__buffer_commit(struct tlsplug_buffer *b, size_t n);
/* Points *p at the waiting bytes (NULL when none); returns their count.
 * Valid until the next append. */
size_t tlsplug__buffer_peek(const struct tlsplug_buffer *b, const void **p);
/* Drops the first n bytes (all of them if n is larger). */
void tlsplug__buffer_consume(struct tlsplug_buffer *b, size_t n);
/* Copies up to n bytes out and consumes them; returns the count. */
size_t tlsplug__buffer_read(struct tlsplug_buffer *b, void *dst, size_t n);

#endif /* TLSPLUG_CORE_BUFFER_H */
