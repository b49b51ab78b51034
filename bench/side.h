/* side.h -- the two sides of a comparison, behind one table
 * (struct bench_native): the tlsplug side and the native halves. */
#ifndef TLSPLUG_BENCH_SIDE_H
#define TLSPLUG_BENCH_SIDE_H

#include "bench/bench.h"

struct tlsplug_backend;

/* The tlsplug side, working on backend b (whose name is name; b may be NULL
 * for the start-up child, which finds it by name itself).  One backend at
 * a time: a later call switches the table to another backend. */
const struct bench_native *bench_tlsplug_side(const struct tlsplug_backend *b,
                                              const char *name);

#endif /* TLSPLUG_BENCH_SIDE_H */
