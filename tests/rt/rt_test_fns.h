/*
 * rt_test_fns.h - the function ids the runtime tests and benchmark share between the kernel half
 * (the test program) and the user half (rt_user_test): what generated code would emit.
 */
#ifndef RT_TEST_FNS_H
#define RT_TEST_FNS_H

/* User-half functions (upcalls). */
enum {
	U_NULL,      /* no arguments, no results */
	U_ECHO,      /* (u32 a, u32 tag) -> (u32 a + 1, u32 tag) */
	U_SLEEP,     /* (u32 ms) -> () */
	U_NEST,      /* (u32 d) -> (u32 K_NEST(d) + 1) */
	U_SEGV,      /* () -> dies of SIGSEGV */
	U_HANG,      /* () -> K_NOTE(), then never returns */
	U_GARBAGE,   /* () -> a reply with a garbage header */
	U_FORGE,     /* (handle h) -> (handle forged from h) */
	U_OVERSIZE,  /* () -> (u32 length 1 << 30, no bytes) */
	U_DOWNTHREAD,/* (u32 a, u32 b) -> (u32 K_ADD(a, b) called from a fresh user thread) */
	U_OBJ,       /* (handle h, u32 size) -> (handle h, u32 fresh); writes 0x5a into the copy */
	U_SHORT,     /* () -> (u32), but the kernel stub expects two words */
	U_OBJCOUNT,  /* () -> (u32 objects in the user half's tracker) */
	U_BLOB,      /* (opaque b) -> (opaque b with every byte + 1) */
	U_BADLEN,    /* () -> a reply whose slot length is larger than the slot */
	U_KEEPARGS,  /* (opaque b, u32 d) -> (u32 sum of b's bytes read after K_BLOB(2000 bytes) and
		      * K_NEST(d), u32 K_NEST(d)) */
	U_BULKSUM,   /* (buf ref) -> (u32 sum of its bytes, u32 length), read in place */
	U_BULKDOWN,  /* (u32 n) -> (u32 K_BULKSUM of a user buffer of n bytes, byte i = i * 3) */
	U_BULKFORGE, /* () -> (a buf ref of another region) */
	U_SLOWCHAIN, /* (u32 n, u32 ms) -> (u32 sum): n times { sleep ms; K_ADD(1, 1) } */
	U_DOWNMEET,  /* (u32 n) -> (u32 how many of n fresh user threads got 1 from K_MEET(n)) */
	U_ADOPT,     /* (u32 size) -> (handle h, u32 fresh1, u32 fresh2, u32 intact): a local object
		      * of size bytes (0x33) adopted as h, sent twice with K_IMPORT; intact: still 0x33 */
	U_BULKSCRIBBLE, /* (buf ref) -> writes into the (read-only) kernel buffer: dies */
	U_DOUBLESLOT, /* (u32 ms) -> (u32 K_SLOW(ms)) called from a fresh user thread whose chain is
		       * pushed on the down ring twice (one slot queued twice: one CALL, two pops) */
	U_SLEEPIN,   /* (u32 ms) -> (): K_NOTE(), then sleeps ms (the kernel half knows the call
		      * is in the user half once K_NOTE ran) */
	U_PINRACE,   /* (handle h, u32 n) -> (u32 ok, i32 rc): a fresh user thread calls K_PINUSE(h)
		      * until a call fails (rc: its code) or n succeeded (ok) */
	U_NFNS
};

/* Kernel-half functions (downcalls). */
enum {
	K_NEST,      /* (u32 d) -> (u32 (d > 1 ? U_NEST(d - 1) : 0) + 100) */
	K_ADD,       /* (u32 a, u32 b) -> (u32 a + b) */
	K_BLOB,      /* (opaque b) -> (opaque b) */
	K_BULKSUM,   /* (buf ref) -> (u32 sum of its bytes), copied out by the kernel half */
	K_MEET,      /* (u32 n) -> (u32 1 when n callers were inside at once within 3 s, else 0) */
	K_IMPORT,    /* (handle h, u32 size) -> (u32 fresh): the kernel's copy of adopted h (type 5);
		      * writes 0x77 into its byte 0 */
	K_SLOW,      /* (u32 ms) -> (u32 runs): sleeps ms; counts its runs and how many run at once */
	K_NOTE,      /* () -> (): counts its calls (k_notes); waits while the test holds k_gate shut */
	K_PINUSE,    /* (handle h) -> (u32 sum): looks h up (type K_PIN_TYPE) as a decoder does, then
		      * writes and reads the object for k_pin_us microseconds, as a kernel function
		      * given it would */
	K_NFNS
};

static const char *const rt_test_user_names[U_NFNS] = {
	"u_null", "u_echo", "u_sleep", "u_nest", "u_segv", "u_hang", "u_garbage", "u_forge",
	"u_oversize", "u_downthread", "u_obj", "u_short", "u_objcount", "u_blob", "u_badlen", "u_keepargs", "u_bulksum",
	"u_bulkdown", "u_bulkforge", "u_slowchain", "u_downmeet",
	"u_adopt", "u_bulkscribble", "u_doubleslot", "u_sleepin", "u_pinrace",
};
static const char *const rt_test_kernel_names[K_NFNS] = { "k_nest", "k_add", "k_blob", "k_bulksum",
							   "k_meet", "k_import", "k_slow",
							   "k_note", "k_pinuse" };

#endif
