dist_man_MANS += doc/tlsplug.1 doc/tlsplug.conf.5
EXTRA_DIST += doc/SESSIONS.md
