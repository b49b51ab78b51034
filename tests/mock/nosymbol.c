/* tlsplug-nosymbol.so: a shared object without any descriptor symbol. */
#include "mock.h"

__attribute__((visibility("default"))) int tlsplug_mock_nosymbol(void);

int
tlsplug_mock_nosymbol(void)
{
	return 42;
}
