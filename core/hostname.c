/* core/hostname.c */
