/* core/alloc.c */
