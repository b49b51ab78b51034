/* tlsplug-future.so: a descriptor from a newer ABI minor than the host
 * knows, with members appended.  The host must accept it and never touch
 * the members it does not know. */
#include "mock.h"

static void
future_must_not_be_called(void)
{
	abort();
}

struct future_descriptor {
	struct tlsplug_backend_descriptor base;
	/* "minor 1" members unknown to a minor-0 host */
	void (*newer_entry)(void);
	const char *newer_text;
};

TLSPLUG_BACKEND_EXPORT const struct future_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.base = {
		.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
		.abi_minor = TLSPLUG_BACKEND_ABI_MINOR + 1,
		.struct_size = sizeof(struct future_descriptor),
		MOCK_DESCRIPTOR_BASE,
		.name = "future",
		.priority = 1,
		.caps = MOCK_CAPS,
		.client_context = &mock_context,
		.server_context = &mock_context,
	},
	.newer_entry = future_must_not_be_called,
	.newer_text = "ignored by older hosts",
};
