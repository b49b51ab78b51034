bin_PROGRAMS += tools/tlsplug
tools_tlsplug_SOURCES = tools/tlsplug.c
tools_tlsplug_LDADD = libtlsplug.la
