# tests/conformance.mk
