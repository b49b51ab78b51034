/* core/handles.c */
