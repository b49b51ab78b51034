/* loader.c -- opens, validates and initialises one plugin (see loader.h). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "conffile.h"
#include "loader.h"
#include "registry.h"

/*
 * Plugin init runs once per loaded object in the whole process: dlopen
 * hands every registry the same object for the same file, and a plugin's
 * global state must not be torn down (fini) while another registry still
 * uses it.  So initialised objects are counted here, by dlopen handle.
 */
struct init_ref {
	void *handle;
	unsigned long refs;
	struct init_ref *next;
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static struct init_ref *init_refs;

/*
 * The size of every shared struct as of each ABI minor: what a plugin that
 * declares that minor provides.  A row per minor; a minor newer than the
 * host knows carries at least everything of the last row.
 */
#define THROUGH(type, member) TLSPLUG_SIZE_THROUGH(struct type, member)
static const struct abi_sizes {
	size_t descriptor;
	size_t context_ops;
	size_t conn_ops;
	size_t info_ops;
} abi_sizes[] = {
	[0] = {
		THROUGH(tlsplug_backend_descriptor, info),
		THROUGH(tlsplug_context_ops, release_slot),
		THROUGH(tlsplug_conn_ops, server_name),
		THROUGH(tlsplug_info_ops, system_trust_source),
	},
	[1] = {
		THROUGH(tlsplug_backend_descriptor, info),
		THROUGH(tlsplug_context_ops, release_slot),
		THROUGH(tlsplug_conn_ops, release_buffers),
		THROUGH(tlsplug_info_ops, sigalgs),
	},
};
#undef THROUGH
_Static_assert(sizeof(abi_sizes) / sizeof(abi_sizes[0]) ==
               TLSPLUG_BACKEND_ABI_MINOR + 1,
               "a row of abi_sizes per ABI minor");

static const struct abi_sizes *
sizes_of(unsigned minor)
{
	return &abi_sizes[minor <= TLSPLUG_BACKEND_ABI_MINOR ? minor :
	                  TLSPLUG_BACKEND_ABI_MINOR];
}

size_t
tlsplug__descriptor_min_size(unsigned minor)
{
	return sizes_of(minor)->descriptor;
}

size_t
tlsplug__conn_ops_size(unsigned minor)
{
	return sizes_of(minor)->conn_ops;
}

/* ---- location safety ------------------------------------------------- */

static int TLSPLUG_PRINTF(3, 4)
say(char *reason, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, size, fmt, ap);
	va_end(ap);
	return TLSPLUG_ERR_PLUGIN;
}

/* Checks owner and write permissions of st (a file or a directory). */
static int
check_stat(const struct stat *st, const char *what, const char *path,
           char *reason, size_t size)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return say(reason, size, "%s %s is owned by uid %lu (not root "
		           "or the current user)", what, path,
		           (unsigned long)st->st_uid);
	if (st->st_mode & S_IWOTH)
		return say(reason, size, "%s %s is world-writable", what, path);
	if (st->st_mode & S_IWGRP)
		return say(reason, size, "%s %s is group-writable", what, path);
	return TLSPLUG_OK;
}

/* Checks directory `dir` (resolved first). */
static int
check_dir(const char *dir, char *reason, size_t size)
{
	char real[PATH_MAX];
	struct stat st;

	if (realpath(dir, real) == NULL) {
		snprintf(reason, size, "cannot resolve directory %s: %s", dir,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	if (stat(real, &st) != 0) {
		snprintf(reason, size, "cannot stat directory %s: %s", real,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	if (!S_ISDIR(st.st_mode))
		return say(reason, size, "%s is not a directory", real);
	return check_stat(&st, "directory", real, reason, size);
}

/* The directory part of path, into buf ("." when there is none). */
static void
dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

int
tlsplug__loader_check_location(const char *path, char **resolved,
                               char *reason, size_t size)
{
	char real[PATH_MAX], dir[PATH_MAX], realdir[PATH_MAX];
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		snprintf(reason, size, "cannot open %s: %s", path,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	/* The directory the name lives in: whoever can write there can
	 * replace the file or the symlink. */
	dir_of(path, dir, sizeof(dir));
	rc = check_dir(dir, reason, size);
	if (rc != TLSPLUG_OK)
		return rc;
	if (realpath(path, real) == NULL) {
		snprintf(reason, size, "cannot resolve %s: %s", path,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	/* What dlopen will map: the final file (no symlink left to follow)
	 * and its own directory.  O_NONBLOCK: never hang on a FIFO. */
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(reason, size, "cannot open %s: %s", real,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	rc = fstat(fd, &st);
	close(fd);
	if (rc != 0) {
		snprintf(reason, size, "cannot stat %s: %s", real,
		         strerror(errno));
		return TLSPLUG_ERR_IO;
	}
	if (!S_ISREG(st.st_mode))
		return say(reason, size, "file %s is not a regular file", real);
	rc = check_stat(&st, "file", real, reason, size);
	if (rc != TLSPLUG_OK)
		return rc;
	dir_of(real, realdir, sizeof(realdir));
	rc = check_dir(realdir, reason, size);
	if (rc != TLSPLUG_OK)
		return rc;
	if (resolved != NULL) {
		*resolved = tlsplug__strdup(real);
		if (*resolved == NULL)
			return TLSPLUG_ERR_NOMEM;
	}
	return TLSPLUG_OK;
}

/* ---- descriptor validation ------------------------------------------ */

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Size of the ELF symbol at addr, or 0 when unknown. */
static size_t
symbol_size(const void *addr)
{
	Dl_info info;
	const ElfW(Sym) *sym = NULL;

	if (dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) == 0 ||
	    sym == NULL)
		return 0;
	return (size_t)sym->st_size;
}

/* Why a plugin has no descriptor symbol: maybe another major's. */
static void
explain_no_symbol(void *h, char *reason, size_t size)
{
	for (unsigned major = 0; major < 10; major++) {
		char sym[32];

		if (major == TLSPLUG_BACKEND_ABI_MAJOR)
			continue;
		snprintf(sym, sizeof(sym), "tlsplug_backend_v%u", major);
		if (dlsym(h, sym) != NULL) {
			say(reason, size, "no symbol %s: the plugin is built "
			    "for ABI major %u, host supports %u",
			    TLSPLUG_BACKEND_SYMBOL, major,
			    TLSPLUG_BACKEND_ABI_MAJOR);
			return;
		}
	}
	say(reason, size, "no symbol %s (not a tlsplug backend plugin)",
	    TLSPLUG_BACKEND_SYMBOL);
}

#define REQUIRE(ptr, label) \
	do { \
		if ((ptr) == NULL) \
			return say(reason, size, "required entry point %s " \
			           "is NULL", label); \
	} while (0)

/* A member required from minor `min` on: checked only in plugins that
 * declare that minor (older ones do not have it). */
#define REQUIRE_SINCE(d, min, ptr, label) \
	do { \
		if ((d)->abi_minor >= (min) && (ptr) == NULL) \
			return say(reason, size, "required entry point %s " \
			           "(ABI %d.%d) is NULL", label, \
			           TLSPLUG_BACKEND_ABI_MAJOR, min); \
	} while (0)

static int
check_context_group(const struct tlsplug_context_ops *ops, const char *group,
                    char *reason, size_t size)
{
	if (ops == NULL)
		return TLSPLUG_OK;
	if (ops->init == NULL)
		return say(reason, size, "required entry point %s->init is "
		           "NULL", group);
	if (ops->fini == NULL)
		return say(reason, size, "required entry point %s->fini is "
		           "NULL", group);
	return TLSPLUG_OK;
}

static int
check_entry_points(const struct tlsplug_backend_descriptor *d, char *reason,
                   size_t size)
{
	const struct tlsplug_conn_ops *c = d->conn;
	int rc;

	REQUIRE(d->init, "init");
	REQUIRE(d->engine_version, "engine_version");
	REQUIRE(d->conn, "conn");
	REQUIRE(c->init, "conn->init");
	REQUIRE(c->fini, "conn->fini");
	REQUIRE(c->handshake, "conn->handshake");
	REQUIRE(c->read, "conn->read");
	REQUIRE(c->write, "conn->write");
	REQUIRE(c->shutdown, "conn->shutdown");
	REQUIRE(c->cipher, "conn->cipher");
	REQUIRE(c->version, "conn->version");
	REQUIRE(c->alpn, "conn->alpn");
	REQUIRE_SINCE(d, 1, c->peer_cert, "conn->peer_cert");
	if (d->client_context == NULL && d->server_context == NULL)
		return say(reason, size, "neither client_context nor "
		           "server_context is set");
	rc = check_context_group(d->client_context, "client_context", reason,
	                         size);
	if (rc == TLSPLUG_OK)
		rc = check_context_group(d->server_context, "server_context",
		                         reason, size);
	if (rc != TLSPLUG_OK)
		return rc;
	/* A capability without its entry points would only fail later. */
	if ((d->caps & TLSPLUG_CAP_SESSIONS) &&
	    (!TLSPLUG_OPS_HAS(d, conn, 1, set_session) ||
	     !TLSPLUG_OPS_HAS(d, conn, 1, resumed)))
		return say(reason, size, "declares capability sessions but "
		           "has no conn->set_session and conn->resumed");
	if ((d->caps & TLSPLUG_CAP_VERIFIED_CHAIN) &&
	    !TLSPLUG_OPS_HAS(d, conn, 1, verified_cert))
		return say(reason, size, "declares capability verified_chain "
		           "but has no conn->verified_cert");
	if ((d->caps & TLSPLUG_CAP_OCSP_CHECK) &&
	    !TLSPLUG_OPS_HAS(d, conn, 1, ocsp_status))
		return say(reason, size, "declares capability ocsp_check but "
		           "has no conn->ocsp_status");
	if ((d->caps & TLSPLUG_CAP_PINNING) &&
	    !TLSPLUG_OPS_HAS(d, info, 1, sha256))
		return say(reason, size, "declares capability pinning but has "
		           "no info->sha256");
	if ((d->caps & TLSPLUG_CAP_EXPORTER) &&
	    !TLSPLUG_OPS_HAS(d, conn, 1, export_keying_material))
		return say(reason, size, "declares capability exporter but "
		           "has no conn->export_keying_material");
	if ((d->caps & TLSPLUG_CAP_GROUPS) &&
	    (!TLSPLUG_OPS_HAS(d, conn, 1, group) ||
	     !TLSPLUG_OPS_HAS(d, info, 1, groups)))
		return say(reason, size, "declares capability groups but has "
		           "no conn->group and info->groups");
	if ((d->caps & TLSPLUG_CAP_SIGALGS) &&
	    !TLSPLUG_OPS_HAS(d, info, 1, sigalgs))
		return say(reason, size, "declares capability sigalgs but has "
		           "no info->sigalgs");
	if ((d->caps & TLSPLUG_CAP_CLIENT) && d->client_context == NULL)
		return say(reason, size, "declares capability client but has "
		           "no client_context");
	if ((d->caps & TLSPLUG_CAP_SERVER) && d->server_context == NULL)
		return say(reason, size, "declares capability server but has "
		           "no server_context");
	return TLSPLUG_OK;
}

/* Copies a plugin's group (its first n bytes) into the host's copy of
 * dst_size bytes, zero-filling the rest; returns the copy, or NULL for a
 * NULL group. */
static void *
copy_group(void *dst, size_t dst_size, const void *src, size_t n)
{
	if (src == NULL)
		return NULL;
	memset(dst, 0, dst_size);
	memcpy(dst, src, n < dst_size ? n : dst_size);
	return dst;
}

/* Points b->desc's groups at copies of the plugin's, each up to the size
 * of the minor it declared: the host never reads a member the plugin was
 * not built with. */
static void
copy_groups(struct tlsplug_backend *b)
{
	struct tlsplug_backend_descriptor *d = &b->desc;
	const struct abi_sizes *n = sizes_of(d->abi_minor);

	d->client_context = copy_group(&b->client_ops, sizeof(b->client_ops),
	                               d->client_context, n->context_ops);
	d->server_context = copy_group(&b->server_ops, sizeof(b->server_ops),
	                               d->server_context, n->context_ops);
	d->conn = copy_group(&b->conn_ops, sizeof(b->conn_ops), d->conn,
	                     n->conn_ops);
	d->info = copy_group(&b->info_ops, sizeof(b->info_ops), d->info,
	                     n->info_ops);
}

/* Reads and checks the descriptor at sym into b->desc. */
static int
read_descriptor(struct tlsplug_registry *r, struct tlsplug_backend *b,
                const void *sym, char *reason, size_t size)
{
	const struct tlsplug_backend_descriptor *raw = sym;
	size_t symsize = symbol_size(sym), need, copy;
	const struct tlsplug_backend *other;
	const char *name, *file;

	if (symsize != 0 && symsize < offsetof(struct
	    tlsplug_backend_descriptor, name))
		return say(reason, size, "symbol %s is only %zu bytes, too "
		           "small for a descriptor", TLSPLUG_BACKEND_SYMBOL,
		           symsize);
	b->abi_major = raw->abi_major;
	b->abi_minor = raw->abi_minor;
	if (raw->abi_major != TLSPLUG_BACKEND_ABI_MAJOR)
		return say(reason, size, "ABI major %u, host supports %u",
		           (unsigned)raw->abi_major, TLSPLUG_BACKEND_ABI_MAJOR);
	need = tlsplug__descriptor_min_size(raw->abi_minor);
	if (raw->struct_size < need)
		return say(reason, size, "struct_size %lu too small for ABI "
		           "%u.%u (needs at least %zu)",
		           (unsigned long)raw->struct_size,
		           (unsigned)raw->abi_major, (unsigned)raw->abi_minor,
		           need);
	if (symsize != 0 && raw->struct_size > symsize)
		return say(reason, size, "struct_size %lu larger than symbol "
		           "%s (%zu bytes)", (unsigned long)raw->struct_size,
		           TLSPLUG_BACKEND_SYMBOL, symsize);
	/* Never read past struct_size; members the host does not know are
	 * simply not copied. */
	copy = raw->struct_size < sizeof(b->desc) ? raw->struct_size
	                                          : sizeof(b->desc);
	memset(&b->desc, 0, sizeof(b->desc));
	memcpy(&b->desc, raw, copy);
	copy_groups(b);
	/* Capability bits named after the plugin's minor mean nothing to it:
	 * features it never heard of are not claimed by it. */
	if (b->desc.abi_minor < 1)
		b->desc.caps &= (TLSPLUG_CAP_TLS1_1 << 1) - 1;

	name = b->desc.name;
	if (name == NULL)
		return say(reason, size, "descriptor has no name");
	if (strnlen(name, TLSPLUG_BACKEND_NAME_MAX) >= TLSPLUG_BACKEND_NAME_MAX)
		return say(reason, size, "backend name longer than %d bytes",
		           TLSPLUG_BACKEND_NAME_MAX - 1);
	if (!tlsplug__backend_name_valid(name, strlen(name)))
		return say(reason, size, "invalid backend name '%s' (allowed: "
		           "a-z 0-9 _ -)", name);
	other = tlsplug__registry_claimant(r, b, name);
	if (other != NULL)
		return say(reason, size, "duplicate backend name '%s' (already "
		           "provided by %s)", name, other->path);
	file = base_name(b->path);
	if (b->file_name == NULL || strcmp(b->file_name, name) != 0)
		return say(reason, size, "backend name '%s' does not match the "
		           "file name %s (expected tlsplug-%s.so)", name, file,
		           name);
	return check_entry_points(&b->desc, reason, size);
}

/* ---- init reference counting ---------------------------------------- */

static int
init_acquire(void *handle, const struct tlsplug_backend_descriptor *d,
             char *reason, size_t size)
{
	struct tlsplug_error e = { .alert = -1, .owner = d->name };
	struct init_ref *ref;
	int rc = TLSPLUG_OK;

	pthread_mutex_lock(&init_lock);
	for (ref = init_refs; ref != NULL; ref = ref->next)
		if (ref->handle == handle)
			break;
	if (ref != NULL) {
		ref->refs++;
		goto out;
	}
	ref = tlsplug__malloc(sizeof(*ref));
	if (ref == NULL) {
		rc = TLSPLUG_ERR_NOMEM;
		goto out;
	}
	rc = d->init(tlsplug__core_services(), &e);
	if (rc != TLSPLUG_OK) {
		say(reason, size, "init failed: %s", e.code != TLSPLUG_OK ?
		    tlsplug_error_message(&e) : tlsplug_strerror(rc));
		tlsplug__free(ref);
		rc = TLSPLUG_ERR_PLUGIN;
		goto out;
	}
	ref->handle = handle;
	ref->refs = 1;
	ref->next = init_refs;
	init_refs = ref;
out:
	pthread_mutex_unlock(&init_lock);
	return rc;
}

static void
init_release(void *handle, const struct tlsplug_backend_descriptor *d)
{
	struct init_ref **pp, *ref;

	pthread_mutex_lock(&init_lock);
	for (pp = &init_refs; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->handle == handle)
			break;
	ref = *pp;
	if (ref != NULL && --ref->refs == 0) {
		*pp = ref->next;
		tlsplug__free(ref);
		if (d->fini != NULL)
			d->fini();
	}
	pthread_mutex_unlock(&init_lock);
}

/* ---- load / unload --------------------------------------------------- */

static int
load(struct tlsplug_registry *r, struct tlsplug_backend *b, char *reason,
     size_t size)
{
	char *real = NULL;
	void *h, *sym;
	int rc;

	rc = tlsplug__loader_check_location(b->path, &real, reason, size);
	if (rc != TLSPLUG_OK)
		return rc;
	dlerror();
	h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	tlsplug__free(real);
	if (h == NULL) {
		const char *msg = dlerror();

		return say(reason, size, "%s", msg != NULL ? msg :
		           "dlopen failed");
	}
	sym = dlsym(h, TLSPLUG_BACKEND_SYMBOL);
	if (sym == NULL) {
		explain_no_symbol(h, reason, size);
		rc = TLSPLUG_ERR_PLUGIN;
	} else {
		rc = read_descriptor(r, b, sym, reason, size);
	}
	if (rc == TLSPLUG_OK)
		rc = init_acquire(h, &b->desc, reason, size);
	if (rc != TLSPLUG_OK) {
		dlclose(h);
		memset(&b->desc, 0, sizeof(b->desc));
		return rc;
	}
	b->dl_handle = h;
	b->inited = true;
	return TLSPLUG_OK;
}

int
tlsplug__loader_load(struct tlsplug_registry *r, struct tlsplug_backend *b)
{
	char reason[TLSPLUG_REASON_MAX];
	char *name, *why;
	int rc;

	if (b->state != TLSPLUG_BACKEND_FOUND || b->loading)
		return TLSPLUG_OK;
	reason[0] = '\0';
	b->loading = true;
	rc = load(r, b, reason, sizeof(reason));
	b->loading = false;
	if (rc == TLSPLUG_ERR_NOMEM)
		return rc;
	if (rc == TLSPLUG_OK) {
		if (strcmp(b->name, b->desc.name) != 0) {
			name = tlsplug__strdup(b->desc.name);
			if (name == NULL) {
				tlsplug__loader_unload(b);
				return TLSPLUG_ERR_NOMEM;
			}
			tlsplug__free(b->name);
			b->name = name;
		}
		b->d = &b->desc;
		b->state = TLSPLUG_BACKEND_OK;
		return TLSPLUG_OK;
	}
	why = tlsplug__strdup(reason[0] != '\0' ? reason : "rejected");
	if (why == NULL)
		return TLSPLUG_ERR_NOMEM;
	b->reject_reason = why;
	b->state = TLSPLUG_BACKEND_REJECTED;
	return TLSPLUG_OK;
}

void
tlsplug__loader_unload(struct tlsplug_backend *b)
{
	if (b == NULL || b->dl_handle == NULL)
		return;
	if (b->inited)
		init_release(b->dl_handle, &b->desc);
	b->inited = false;
	dlclose(b->dl_handle);
	b->dl_handle = NULL;
	b->d = NULL;
}
