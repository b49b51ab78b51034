/* core/registry.c */
