/* core/buffer.c */
