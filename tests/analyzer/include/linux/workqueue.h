#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H
#include <linux/types.h>
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	long data;
	struct list_head entry;
	work_func_t func;
};
struct delayed_work {
	struct work_struct work;
	int cpu;
};
void __init_work(struct work_struct *work, int onstack);
/* as in Linux: the function is stored by an assignment inside the macro */
#define __INIT_WORK(_work, _func, _onstack)           \
	do {                                          \
		__init_work((_work), _onstack);       \
		(_work)->data = 0;                    \
		INIT_LIST_HEAD(&(_work)->entry);      \
		(_work)->func = (_func);              \
	} while (0)
#define INIT_WORK(_work, _func) __INIT_WORK((_work), (_func), 0)
#define INIT_DELAYED_WORK(_work, _func) __INIT_WORK(&(_work)->work, (_func), 0)
bool schedule_work(struct work_struct *work);
#endif
