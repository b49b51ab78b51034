/* core/conffile.c */
