/* Second TU of header_inline.c. */
#include "../drv_shared.h"

int second(struct regs *r)
{
	return read_ctrl(r) + 1;
}
