/* core/conn.c */
