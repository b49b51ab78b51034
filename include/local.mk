tlspluggincludedir = $(includedir)/tlsplug
tlsplugginclude_HEADERS = \
	include/tlsplug/tlsplug.h \
	include/tlsplug/backend.h \
	include/tlsplug/cipher_suites.h \
	include/tlsplug/socket.h
