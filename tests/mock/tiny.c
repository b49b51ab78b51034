/* tlsplug-tiny.so: the descriptor symbol is a 4-byte object. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const uint32_t TLSPLUG_BACKEND_DESCRIPTOR = 1;
