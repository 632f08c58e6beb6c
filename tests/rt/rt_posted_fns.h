/*
 * rt_posted_fns.h - what rt_posted_test (kernel half) and rt_posted_user (its user half) share:
 * function ids and names.
 */
#ifndef RT_POSTED_FNS_H
#define RT_POSTED_FNS_H

/* Kernel-half functions (downcalls; posted ones are served through the same handlers). */
enum {
	K_FREE,  /* (u64 handle): frees a fake object; a bad handle is a protocol fault (kc_wire_fault) */
	K_LOG,   /* (string): records a log line */
	K_COUNT, /* () -> (u32 operations performed so far): a plain downcall */
	K_NFNS
};

/* User-half functions (upcalls). */
enum {
	U_POST,  /* (u32 n, u32 mode) -> (u32 seen, u32 batches, u32 calls): posts n K_LOG calls, then
		  * mode 0: nothing (the reply flushes), 1: downcall K_COUNT (seen: what it returned),
		  * 2: kc_io_flush; batches / calls: kc_io_get_stats deltas */
	U_FREE2, /* (u64 handle) -> (): posts K_FREE of the handle twice (a double free) */
	U_NFNS
};

static const char *const rt_posted_kernel_names[K_NFNS] = { "kfree", "netdev_info", "k_count" };
static const char *const rt_posted_user_names[U_NFNS] = { "u_post", "u_free2" };

#endif
