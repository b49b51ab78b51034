dist_man_MANS += doc/tlsplug.1 doc/tlsplug.conf.5
EXTRA_DIST += doc/SESSIONS.md
# The plugin author's guide is installed with the documentation.
dist_doc_DATA += doc/WRITING-A-BACKEND.md
