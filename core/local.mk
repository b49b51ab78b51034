# libtlsplug: the core.  Sources are first built into a convenience library
# (so unit tests can reach internal functions), then linked into the shared
# library, which exports only the public tlsplug_* API.
noinst_LTLIBRARIES += core/libtlsplug-core.la
core_libtlsplug_core_la_SOURCES = \
	core/internal.h \
	core/abi_layout.c \
	core/alloc.c \
	core/error.c \
	core/version.c \
	core/cipher.c \
	core/hostname.c \
	core/idna.c \
	core/identity.c core/identity.h \
	core/peer.c core/peer.h core/pin.c core/config_ident.c \
	core/readfile.c \
	core/der.c core/der.h \
	core/pem.c core/pem.h \
	core/x509.c core/x509.h \
	core/handles.c \
	core/revocation.c core/revocation.h \
	core/policy.c core/policy.h \
	core/config.c \
	core/buffer.c core/buffer.h \
	core/services.c \
	core/context.c \
	core/conn.c \
	core/session.c core/session.h \
	core/session_cache.c \
	core/session_config.c \
	core/ticket_key.c \
	core/conffile.c core/conffile.h \
	core/loader.c core/loader.h \
	core/registry.c core/registry.h \
	core/choose.c \
	core/backend_info.c \
	core/keylog.c \
	core/exporter.c \
	core/groups.c \
	core/registry_ident.c \
	core/alpn.c \
	core/socket.c core/socket_net.c core/socket_priv.h \
	core/socket_close.c
core_libtlsplug_core_la_CFLAGS = $(AM_CFLAGS) $(IDN2_CFLAGS)
core_libtlsplug_core_la_LIBADD = $(IDN2_LIBS) $(LIBS)

# The version script lists every exported symbol under the node
# TLSPLUG_0.2 and hides the rest; tests/exports.sh checks it against the
# headers and the built library.  The library relinks when it changes.
lib_LTLIBRARIES += libtlsplug.la
libtlsplug_la_SOURCES =
libtlsplug_la_LIBADD = core/libtlsplug-core.la
libtlsplug_la_LDFLAGS = -version-info $(LIBTLSPLUG_LT_VERSION) \
	-Wl,--version-script=$(srcdir)/core/libtlsplug.map -no-undefined
EXTRA_libtlsplug_la_DEPENDENCIES = $(srcdir)/core/libtlsplug.map
EXTRA_DIST += core/libtlsplug.map
