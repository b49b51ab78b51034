# tests/exports.mk -- libtlsplug exports exactly the TLSPLUG_API functions
# of the installed headers, each versioned by core/libtlsplug.map.
EXPORTS_TESTS = tests/exports.sh
TESTS += $(EXPORTS_TESTS)
dist_check_SCRIPTS += $(EXPORTS_TESTS)
