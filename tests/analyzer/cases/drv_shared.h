/* A driver header with a static inline used by two TUs (header_inline.c, tu/header_user.c). */
#ifndef DRV_SHARED_H
#define DRV_SHARED_H
struct regs {
	int ctrl;
};

static inline int read_ctrl(struct regs *r)
{
	return r->ctrl;
}
#endif
