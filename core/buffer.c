/* buffer.c -- growable byte queue for ciphertext (see buffer.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buffer.h"
#include "internal.h"

/* First allocation: one maximal TLS record plus header room. */
#define BUFFER_MIN_CAP (16384 + 2048)

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

int
tlsplug__buffer_append(struct tlsplug_buffer *b, const void *p, size_t n)
{
	size_t len = b->tail - b->head;

	if (n == 0)
		return TLSPLUG_OK;
	if (n > b->cap - b->tail) {
		/* Compact only when it moves no more bytes than were consumed
		 * since the storage was last laid out: that keeps appends
		 * O(1) amortised. */
		if (n <= b->cap - len && b->head >= len) {
			compact(b);
		} else {
			size_t need, cap;
			unsigned char *data;

			if (n > SIZE_MAX - len)
				return TLSPLUG_ERR_NOMEM;
			need = len + n;
			cap = b->cap < BUFFER_MIN_CAP ? BUFFER_MIN_CAP : b->cap;
			while (cap < need)
				cap = cap > SIZE_MAX / 2 ? need : cap * 2;
			if (cap < 2 * need && need <= SIZE_MAX / 2)
				cap = 2 * need;
			/* Fresh block + copy of the live bytes only (realloc
			 * would also copy the consumed part). */
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
		}
	}
	memcpy(b->data + b->tail, p, n);
	b->tail += n;
	return TLSPLUG_OK;
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
