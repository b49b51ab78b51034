#!/bin/sh
# A short soak of `tlsplug serve` (tools/soak): good and hostile clients at
# once on each built backend; serve must keep answering the good ones and
# come back to its starting descriptor count and memory afterwards.
exec sh "${top_srcdir:-.}/tools/soak" "${TLSPLUG_SOAK_SECONDS:-20}"
