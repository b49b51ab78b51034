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
	core/readfile.c \
	core/handles.c \
	core/config.c \
	core/buffer.c core/buffer.h \
	core/services.c \
	core/context.c \
	core/conn.c \
	core/conffile.c core/conffile.h \
	core/loader.c core/loader.h \
	core/registry.c core/registry.h \
	core/choose.c \
	core/backend_info.c \
	core/socket.c core/socket_net.c core/socket_priv.h
core_libtlsplug_core_la_LIBADD = $(LIBS)

lib_LTLIBRARIES += libtlsplug.la
libtlsplug_la_SOURCES =
libtlsplug_la_LIBADD = core/libtlsplug-core.la
libtlsplug_la_LDFLAGS = -version-info $(LIBTLSPLUG_LT_VERSION) \
	-export-symbols-regex '^tlsplug_[a-z]' -no-undefined
