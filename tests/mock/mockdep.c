/* libmockdep: a library tlsplug-missingdep.so links but cannot find at run
 * time (its soname names no file). */
__attribute__((visibility("default"))) int mockdep_answer(void);

int
mockdep_answer(void)
{
	return 42;
}
