/* core/version.c */
