/* core/cipher.c */
