bin_PROGRAMS += tools/tlsplug
tools_tlsplug_SOURCES = \
	tools/tlsplug.c tools/commands.h tools/cli_util.c \
	tools/cmd_list.c tools/cmd_info.c tools/cmd_which.c \
	tools/cmd_connect.c tools/cmd_serve.c \
	tools/cmd_check_backend.c tools/cmd_bench.c
tools_tlsplug_LDADD = libtlsplug.la
