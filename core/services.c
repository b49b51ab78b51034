/* core/services.c */
