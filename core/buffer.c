/* buffer.c -- growable byte queue for ciphertext (see buffer.h). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buffer.h"
#include "internal.h"

/* First allocation.  Small: a handshake flight is a few hundred bytes to a
 * few KiB, and an idle connection should not hold two 18 KiB blocks.  Bulk
 * transfers double it to their high-water mark within the first records,
 * and it stays there (no shrinking), so steady-state I/O does not
 * allocate. */
#define BUFFER_MIN_CAP 4096

void
tlsplug__buffer_init(struct tlsplug_buffer *b)
{
	b->data = NULL;
	b->cap = 0;
	b->head = 0;
	b->tail = 0;
}

void
tlsplug__buffer_free(struct tlsplug_buffer *b)
{
	tlsplug__free(b->data);
	tlsplug__buffer_init(b);
}

size_t
tlsplug__buffer_len(const struct tlsplug_buffer *b)
{
	return b->tail - b->head;
}

size_t
tlsplug__buffer_capacity(const struct tlsplug_buffer *b)
{
	return b->cap;
}

/* Moves the waiting bytes to the front. */
static void
compact(struct tlsplug_buffer *b)
{
	size_t len = b->tail - b->head;

	if (b->head == 0)
		return;
	if (len > 0)
		memmove(b->data, b->data + b->head, len);
	b->head = 0;
	b->tail = len;
}

/* Makes room for n more bytes after the tail: TLSPLUG_OK or
 * TLSPLUG_ERR_NOMEM (b unchanged).  Appends grow to twice what they need
 * (amortised O(1)); a reserve says how much it wants, so it gets that
 * (at least double the old size, still geometric). */
static int
make_room(struct tlsplug_buffer *b, size_t n, bool reserve)
{
	size_t len = b->tail - b->head;
	size_t need, cap;
	unsigned char *data;

	if (n <= b->cap - b->tail)
		return TLSPLUG_OK;
	/* Compact only when it moves no more bytes than were consumed since
	 * the storage was last laid out: that keeps appends O(1)
	 * amortised. */
	if (n <= b->cap - len && b->head >= len) {
		compact(b);
		return TLSPLUG_OK;
	}
	if (n > SIZE_MAX - len)
		return TLSPLUG_ERR_NOMEM;
	need = len + n;
	if (reserve) {
		cap = b->cap <= SIZE_MAX / 2 ? 2 * b->cap : need;
		if (cap < BUFFER_MIN_CAP)
			cap = BUFFER_MIN_CAP;
		if (cap < need)
			cap = need;
	} else {
		cap = b->cap < BUFFER_MIN_CAP ? BUFFER_MIN_CAP : b->cap;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if (cap < 2 * need && need <= SIZE_MAX / 2)
			cap = 2 * need;
	}
	/* Fresh block + copy of the live bytes only (realloc would also copy
	 * the consumed part). */
	data = tlsplug__malloc(cap);
	if (data == NULL)
		return TLSPLUG_ERR_NOMEM;
	if (len > 0)
		memcpy(data, b->data + b->head, len);
	tlsplug__free(b->data);
	b->data = data;
	b->cap = cap;
	b->head = 0;
	b->tail = len;
	return TLSPLUG_OK;
}

int
tlsplug__buffer_append(struct tlsplug_buffer *b, const void *p, size_t n)
{
	if (n == 0)
		return TLSPLUG_OK;
	if (make_room(b, n, false) != TLSPLUG_OK)
		return TLSPLUG_ERR_NOMEM;
	memcpy(b->data + b->tail, p, n);
	b->tail += n;
	return TLSPLUG_OK;
}

void *
tlsplug__buffer_reserve(struct tlsplug_buffer *b, size_t min, size_t *avail)
{
	*avail = 0;
	if (min == 0)
		min = 1;
	if (make_room(b, min, true) != TLSPLUG_OK)
		return NULL;
	*avail = b->cap - b->tail;
	return b->data + b->tail;
}

void
tlsplug__buffer_commit(struct tlsplug_buffer *b, size_t n)
{
	if (n > b->cap - b->tail)
		n = b->cap - b->tail;
	b->tail += n;
}

size_t
tlsplug__buffer_peek(const struct tlsplug_buffer *b, const void **p)
{
	size_t len = b->tail - b->head;

	if (p != NULL)
		*p = len > 0 ? b->data + b->head : NULL;
	return len;
}

void
tlsplug__buffer_consume(struct tlsplug_buffer *b, size_t n)
{
	if (n >= b->tail - b->head) {
		/* Empty: start over at the front, no copy needed. */
		b->head = 0;
		b->tail = 0;
		return;
	}
	b->head += n;
}

size_t
tlsplug__buffer_read(struct tlsplug_buffer *b, void *dst, size_t n)
{
	size_t len = b->tail - b->head;

	if (n > len)
		n = len;
	if (n > 0)
		memcpy(dst, b->data + b->head, n);
	tlsplug__buffer_consume(b, n);
	return n;
}
