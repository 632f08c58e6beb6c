/*
 * linux/workqueue.h - kernel model: work items and delayed work. Each workqueue has its own worker task
 * (process context: work may sleep); system_wq is created when the model starts. Work items on one queue
 * run in order.
 */
#ifndef _KC_LINUX_WORKQUEUE_H
#define _KC_LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/bitops.h>
#include <linux/timer.h>

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	unsigned long data;	/* bit 0: pending */
	struct list_head entry;
	work_func_t func;
	struct workqueue_struct *__kc_wq;
	const char *__kc_name;
};

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
};

void __kc_init_work(struct work_struct *work, work_func_t func, const char *name);
void __kc_init_delayed_work(struct delayed_work *dwork, work_func_t func, const char *name);
#define INIT_WORK(_work, _func) __kc_init_work(_work, _func, #_func)
#define INIT_DELAYED_WORK(_work, _func) __kc_init_delayed_work(_work, _func, #_func)
#define DECLARE_WORK(n, f) struct work_struct n = { .data = 0, .entry = LIST_HEAD_INIT((n).entry), .func = (f), \
	.__kc_wq = NULL, .__kc_name = #f }

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

#define work_pending(work) test_bit(0, &(work)->data)
#define delayed_work_pending(w) work_pending(&(w)->work)

extern struct workqueue_struct *system_wq;

#define WQ_UNBOUND (1 << 1)
#define WQ_FREEZABLE (1 << 2)
#define WQ_MEM_RECLAIM (1 << 3)
#define WQ_HIGHPRI (1 << 4)

__printf(1, 4) struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active,
							 ...);
#define alloc_ordered_workqueue(fmt, flags, args...) alloc_workqueue(fmt, WQ_UNBOUND | (flags), 1, ##args)
#define create_singlethread_workqueue(name) alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM, name)
#define create_workqueue(name) alloc_workqueue("%s", WQ_MEM_RECLAIM, 1, (name))
void destroy_workqueue(struct workqueue_struct *wq);

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay);
bool schedule_work(struct work_struct *work);
bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
bool cancel_work_sync(struct work_struct *work);
bool cancel_work(struct work_struct *work);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);
bool flush_work(struct work_struct *work);
bool flush_delayed_work(struct delayed_work *dwork);
void flush_workqueue(struct workqueue_struct *wq);
void flush_scheduled_work(void);

#endif
