/* queue.c -- the native halves' in-memory transport: a growable byte queue
 * that keeps its capacity, as a program calling an engine directly would
 * write it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bench.h"

int
bench_queue_push(struct bench_queue *q, const void *data, size_t len)
{
	if (q->start == q->end)
		q->start = q->end = 0;
	if (q->cap - q->end < len) {
		size_t used = q->end - q->start;

		if (q->start > 0) {
			memmove(q->buf, q->buf + q->start, used);
			q->start = 0;
			q->end = used;
		}
		if (q->cap - q->end < len) {
			size_t cap = q->cap == 0 ? 4096 : q->cap;
			unsigned char *nb;

			while (cap - used < len)
				cap *= 2;
			nb = realloc(q->buf, cap);
			if (nb == NULL)
				return -1;
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->end, data, len);
	q->end += len;
	return 0;
}

size_t
bench_queue_pull(struct bench_queue *q, void *data, size_t len)
{
	size_t n = q->end - q->start;

	if (n > len)
		n = len;
	if (n == 0)
		return 0;
	memcpy(data, q->buf + q->start, n);
	q->start += n;
	return n;
}

void
bench_queue_free(struct bench_queue *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}
