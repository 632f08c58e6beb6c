/*
 * plan.h - the third layer of the emitter (model.h explains the layers): every decision about
 * the split driver, computed once from the model and the scans, then only read by the printers
 * (gen*.c get a const struct em_plan). In the order em_plan_build and the emit pipeline run them:
 *
 *	plan_cross.c    which functions cross, in which direction and why; ids; the field sets
 *	                of each crossing (what goes in, what comes back)
 *	plan_shapes.c   pointer shapes (structure, evidence, allocation sites, strings,
 *	                annotations) and what the crossings still need a shape for
 *	plan_check.c    the safety rules (no upcall with a spinlock held or from atomic context,
 *	                no user-half access to DMA-coherent memory); locks both halves take
 *	plan_global.c   driver globals each crossing carries; flag words changed by bit
 *	                operations; nested crossings
 *	plan_recover.c  what the kernel half re-sends to a restarted user half
 *	plan_marshal.c  whether each crossing can be marshaled, per-parameter plans, the
 *	                marshaling helpers as lists of field operations, tracker type ids
 *	plan_files.c    what each generated file holds: which bodies become stubs or traps, the
 *	                handlers, import stubs and helpers appended to it
 *
 * docs/emitter.md states each rule in prose.
 */
#ifndef KC_EMIT_PLAN_H
#define KC_EMIT_PLAN_H

#include "scan.h"

/* Driver globals one crossing carries: global ids with EM_IN | EM_OUT, in id order. */
struct em_gset {
	int n;
	int *gid;
	uint8_t *mode;
};

/*
 * The check of one pointer a receiver decodes (rt's struct kc_wire_ptr, docs/runtime.md "What the
 * user half can and cannot make the kernel half do"): what the receiving code does with it. The
 * kernel half's rt/wire.c checks every pointer the user half sends against it; the user half's
 * copy ignores what only the kernel side checks. Flags as rt's KC_WP_*.
 */
#define EM_WP_BASE 0x01u     /* freed, locked, an irq cookie, work or timer: the object's start */
#define EM_WP_HEAP 0x02u     /* freed by a memory deallocator: an allocation made for the user half */
#define EM_WP_NOGLOBAL 0x04u /* never a driver global (freed, kept as a cookie) */
#define EM_WP_INTERIOR 0x08u /* a declared pointer into an array: anywhere inside its object */
#define EM_WP_OUT 0x20u      /* an out-parameter's value (user side: unknown pointers go as NULL) */
#define EM_WP_TYPEDFREE 0x80u /* freed by a typed deallocator: not an untyped block made for the user half */
#define EM_WP_NONNULL 0x40u  /* kernel side: NULL refused, the kernel function dereferences it */

/* A place the expected struct may sit at: embedded in tracked struct st at byte offset `off` (a
 * C constant expression: __builtin_offsetof(...), plus the private area's start). */
struct em_wat {
	int st;
	char *off;
	int top; /* the struct the offset expression names (complete where it is printed) */
	char *count, *stride; /* an array of such structs at off (&pdev->resource[i]): C expressions
			       * of its element count and size; NULL: one struct */
};

/* A struct the driver embeds in a tracked struct (&adapter->hw for a struct simnic_hw *, the
 * private area behind a net_device): registered once in rt's wire tables (kcut_embeds), by the
 * files where outer and top are complete; rt/wire.c accepts a pointer of type inner there. */
struct em_embed {
	int outer, top; /* struct indexes */
	int inner;      /* tracker type id */
	char *off;
	char *count, *stride; /* an array of inner at off (em_wat), NULL: one */
};

struct em_wire {
	int st;            /* expected struct (its tracker type), -1: any */
	unsigned flags;    /* EM_WP_* */
	int sized;         /* the receiver touches sizeof(*pointer) bytes (else: at least 1) */
	const char *kname; /* st < 0: the kernel object's struct name (mutex, spinlock: not in the model) */
	char *ktype;       /* ... and its type as the parameter spells it (spinlock_t) */
	int ktid;          /* ... and the tracker type id the plan gave it (KCUT_T_K_<type>) */
	struct em_wat *at; /* EM_WP_BASE of an embedded kernel object (a lock in the driver's struct) */
	int nat;
};

/* A parameter of a crossing function. */
struct em_pparam {
	int st;  /* struct T * or struct T **: T's struct index, -1 */
	int in;  /* struct T *: T's fields the callee may read go with it */
	int out; /* struct T *: the fields it may write come back; struct T **: the returned object's */
	int region; /* a pointer into a device region (iounmap's addr): its enum kc_region_kind, 0
		     * (plan_region.c); crosses as (region, offset), wire kind 3 */
	struct em_wire w; /* a pointer parameter (struct T ** / T *: the object's) as the callee decodes it */
	struct em_roff *roffs; /* a register offset (plan_region.c em_plan_regoffs): the accesses the
			   * kernel half checks before the call (kc_rt_region_check, _check_lin) */
	int nroffs;
	int rng;          /* an integer a kernel function indexes with (kapi_range.c): it must lie */
	long long rng_lo, rng_hi; /* ... in [rng_lo, rng_hi] (plan_region.c em_plan_regoffs) */
};

/* One register access an integer parameter P of a downcall reaches (em_pparam.roffs):
 * base->path + scale * P + c, c in [cmin, cmax], width bytes, the integer term scale * P + t,
 * t in [tmin, tmax] (regscan.c's struct em_regarg). scale 1 and all constants 0: `regs + reg`. */
struct em_roff {
	int base;         /* index of the pointer parameter below which ... */
	char *path;       /* ... member "->regs" is the register window (pio: the port base
			   * "->io_base"; base -1 and path NULL: the parameter is the port) */
	int pio;          /* a port I/O access (kc_rt_region_check_port_lin) */
	int width;
	long long scale, cmin, cmax, tmin, tmax;
};

/* What the plan decided for one crossing function (or the recovery pseudo-function). */
struct em_pfunc {
	int marshal;             /* 0 not checked, 1 can cross, -1 cannot (reported) */
	struct em_pparam *params; /* one per parameter */
	int seen;                /* its stub and handler need a set of objects already sent */
	int ret_st;              /* struct T * result: T, -1 */
	int *cand;               /* the returned object's type is one of these structs, which carry */
	int ncand;               /* ... out-fields (the handler picks by tracker type) */
	char *alloc_size;        /* a kernel allocator: its result's size in the handler's locals */
	int untrack;             /* a deallocator: the handler forgets argument 0 before the call */
	const char *busy;        /* a macro import (INIT_WORK): the kernel's test that argument 0 is
				  * queued; the handler refuses to initialize it then (kapi.c) */
	struct em_wire wret;     /* a pointer result as the caller decodes it */
	char *alloc_n, *alloc_each; /* a kernel allocator: element count and size (kc_wire_alloc_check) */
	int intern;              /* a kernel import that may keep the strings it is passed */
	int ret_region;          /* the result points into a device region (dma_alloc_coherent): its
				  * enum kc_region_kind, 0 (plan_region.c) */
	struct em_gset gset;     /* driver globals */
	uint8_t *sent;           /* per global field: EM_IN / EM_OUT when actually marshaled */
	int redo;                /* an upcall of a teardown slot (kapi.c): lost while the user half
				  * is down, the kernel half's stub queues it for the next one
				  * (kc_wire_redo) */
	unsigned redo_ptrs;      /* ... bit j: parameter j is a pointer */
	int posted;              /* a kernel import the user half posts (kc_rt_post_begin): on
				  * common/kc_kapi.c's list, returns and writes back nothing
				  * (plan_cross.c em_plan_posted) */
};

/* One field operation of a marshaling helper (see gen_marshal.c for the C each one becomes). */
enum em_op_kind {
	EM_OP_SCALAR,  /* integer, enum, bitfield: u32 or u64 by the field's size */
	EM_OP_FNPTR,   /* callback stored in the object: its function-pointer id */
	EM_OP_BYTES,   /* fixed array of scalars: its bytes */
	EM_OP_BLOB,    /* embedded object of a type without known fields: its bytes */
	EM_OP_STRUCTS, /* fixed array of structs: each element through the helper of st */
	EM_OP_EMBED,   /* embedded struct: through the helper of st */
	EM_OP_UNION,   /* embedded union with a discriminator: the active member (cases) */
	EM_OP_HANDLES, /* embedded union of handle-only pointers: the first member, as one handle */
	EM_OP_PTR,     /* pointer to struct st: its handle (send), its fields (st's helper, follow) */
	EM_OP_STRING,  /* char pointer holding a string */
	EM_OP_ARRAY,   /* pointer to an array: type blob `type`, length `arg` */
	EM_OP_HANDLE,  /* pointer that crosses as a handle only (opaque, DMA, MMIO): type `type` */
	EM_OP_LIST,    /* singly linked list through the field's shape_arg: elements of st */
	EM_OP_KLIST,   /* struct list_head list (shape `list TYPE.MEMBER`): elements of st */
	EM_OP_PRIV,    /* the private area behind the object (netdev_priv): helper of st */
	EM_OP_REGION,  /* pointer into a device region (MMIO window or DMA-coherent buffer): crosses
			* as (region id, offset), wire kind 3; `type` holds the enum kc_region_kind
			* (plan_region.c, printed by gen_region.c) */
};

struct em_case;

struct em_op {
	enum em_op_kind kind;
	const struct em_field *f;
	char *path;              /* C path of the field below the helper's object p */
	int st;                  /* struct of the helper the operation calls, -1 none */
	int send;                /* EM_OP_PTR: the pointer itself crosses */
	int follow;              /* EM_OP_PTR: the pointed-to object's fields cross (helper st) */
	int type;                /* tracker type id of what crosses (0: none, or not encoded) */
	char *arg;               /* ARRAY: length; UNION: discriminator path; HANDLES: member */
	struct em_wire w;        /* PTR, ARRAY, HANDLE(S), LIST, KLIST: the pointer as the receiver decodes it */
	struct em_case *cases;   /* EM_OP_UNION */
	int ncases;
};

struct em_case {
	char *value;             /* C expression of the discriminator's value */
	struct em_op *ops;       /* the active member's operations */
	int nops;
};

/* One marshaling helper: struct st's fields that crossing fn carries in direction dir (EM_IN
 * with the call, EM_OUT with the result), encoded (enc) or decoded. */
struct em_helper {
	int fn, st, dir, enc;
	struct em_op *ops;
	int nops;
	int built;               /* ops computed (plan_marshal.c works through the list) */
	int undo;                /* a kernel-half decoder of what the user half sent: every write
				  * is logged first (kc_wire_undo), a refused message writes nothing */
	int bounded;             /* a kernel-half helper: a struct it reaches by address arithmetic
				  * (netdev_priv) is sent (encoder) or written (decoder) only if it
				  * lies inside its object */
};

/* How the rewrite treats one function definition of the other half (plan_files.c). */
enum em_item_kind {
	EM_ITEM_STUB,   /* body replaced by a stub: the function crosses */
	EM_ITEM_ABSENT, /* body replaced by a trap: it never runs on this half */
};

struct em_item {
	int def;        /* index in the TU's scan */
	enum em_item_kind kind;
};

/* One half of one driver TU: kernel/<stem>.c or user/<stem>.c. */
struct em_pfile {
	int tu;
	enum em_side half;
	int *renames;           /* user half: header inlines renamed to kcut_dc_<name> (downcalls) */
	int nrenames;
	int wrap_frees;         /* kernel half: kfree & co. untrack first (recovery) */
	unsigned recwin;        /* kernel half, device access none with register offsets to check:
				 * the mapping functions (bit i: em_recwin_fns[i]) whose windows it
				 * records for kc_rt_region_check (plan_region.c, gen_region.c) */
	int lxexport;           /* kernel half, device access forward/mapped: in a Linux module the
				 * BAR mapping and coherent allocation functions export their result
				 * as a device region (rt/linux; gen_region.c) */
	int regio;              /* user half: register accessors and write barriers go to rt's
				 * kc_io_* (device access; plan_region.c, gen_region.c) */
	size_t head_end;        /* the main file's leading comments and #define/#undef lines (its
				 * pr_fmt, DRV_NAME ...) end here: they go before kcut's headers,
				 * as the driver put them before every header */
	size_t start;           /* where the rewrite of the main file's text begins (head_end, or
				 * after the last #include when renames or wrappers go there) */
	struct em_item *items;  /* definitions whose body is replaced, in text order */
	int nitems;
	int *handlers;          /* functions of this half defined here that the peer calls */
	int nhandlers;
	int *imports;           /* kernel imports first declared here: user-half stubs, kernel-half handlers */
	int nimports;
	struct em_helper *help; /* marshaling helpers, in the order they are written */
	int nhelp;
	int nhelp_early;        /* ... the first nhelp_early before the recovery functions */
	int *rec;               /* structs whose recovery helpers this file carries */
	int nrec;
	int *sync;              /* structs whose sync entries this file carries (plan_sync.c) */
	int nsync;
	int *embeds;            /* p->embeds entries this file registers (outer and top complete) */
	int nembeds;
	int *sized;             /* tracked structs complete in this file: their sizes go to rt's
				 * wire tables (kcut_type_size), in struct order */
	int nsized;
	int *lay;               /* entries of p->layout this file fills (its structs are complete
				 * here: plan_layout.c) */
	int nlay;
	uint8_t *no_fnptr;      /* per definition of the TU: 1 when it lives in an init or exit
				 * section (__init/__exit, the functions module_init/module_exit
				 * register): kept out of the function-pointer table, whose pointers
				 * would outlive the section (kbuild's modpost: section mismatch) */
	struct em_guard *guards; /* kernel half: ops tables this TU defines whose requests are refused
				  * while no user half runs (plan_recover.c em_plan_guards) */
	int nguards;
};

/*
 * An ops table (struct ethtool_ops) whose requests the kernel half refuses while no user half
 * runs: some of its ops are user-half functions, and ops returning void cannot report that the
 * user half is gone (ethtool -i answered an empty driver name). The kernel calls the table's
 * begin op before every request (dev_ethtool, ethnl_ops_begin); the kernel half's begin hook
 * kcut_guard_<var> fails the request with -EAGAIN while no user half is connected, else calls the
 * driver's own begin (its complete runs only after a successful begin, as before).
 */
struct em_guard {
	char *var;              /* the table (a const global of the TU) */
	char *sname;            /* its struct: "ethtool_ops" */
	size_t init;            /* text offset just after the initializer's '{' (the hook goes there) */
	size_t bval, bend;      /* the driver's own ".begin = X" value [bval, bend), or 0, 0 */
	int begin_fn;           /* the driver's begin function (model index), -1: none */
	char **user_ops;        /* "slot=function" served by the user half (what makes the guard) */
	int nuser;
	char **kernel_ops;      /* "slot=function" the kernel half serves (refused too: the hook
				 * cannot see which op a request will call) */
	int nkernel;
};

struct em_plan {
	const struct em_model *m;
	char **types;            /* tracker type id -> enum name; [0] none, [1] opaque, [2] DMA */
	int ntypes;
	char **globals;          /* global id -> "<stem>_<name>" */
	int nglobals;
	struct em_pfunc *fn;     /* per function, m->nf + 1: [rec_fn] is the recovery pseudo-function */
	int rec_fn;              /* m->f[rec_fn] (one past m->nf): the recovery set, as a crossing */
	int *rec_tu;             /* per struct: index + 1 of the TU carrying its recovery helpers */
	int sync_fn;             /* m->f[sync_fn] (m->nf + 1): the sync set, as a crossing (plan_sync.c) */
	int *sync_tu;            /* per struct: index + 1 of the TU carrying its sync entry, NULL: none */
	uint8_t *sync_back;      /* per struct: the kernel half sends its objects back with replies */
	struct em_pfile *files;  /* per TU: [2 * tu] kernel half, [2 * tu + 1] user half */
	int nfiles;
	char **local_imports;    /* kernel imports the user half calls locally (interface.txt) */
	int nlocal_imports;
	int *fatal;              /* machine-stopping kernel functions the user half calls (em_fatal):
				  * its kcut_user.c defines them to end the user half */
	int nfatal;
	struct em_embed *embeds; /* structs embedded in tracked structs (plan_marshal.c, em_plan_wire) */
	int nembeds;
	char **locks;            /* locks taken in both halves: "kind expr: fn(half) ..." */
	int nlocks;
	int locks_unreadable;
	char **regions;          /* device access: what the user half reaches, one line each for
				  * interface.txt (plan_region.c) */
	int nregions;
	char **regoffs;          /* register offsets the user half passes: checked (em_pparam.roffs) or
				  * not bounded, one line each for interface.txt (plan_region.c) */
	int nregoffs;
	int nroff;               /* parameters checked as register offsets (kernel half: record the
				  * register windows under device access none too) */
	struct em_layout *layout; /* the layout table both halves carry (plan_layout.c) */
	int nlayout;
};

/* One entry of the layout table: the size of tracked struct st (path NULL) or the offset of
 * the field at C path `path` in it, a field some marshaling helper carries. rt/linux compares
 * the user half's values with the kernel half's when the user half connects. */
struct em_layout {
	int st;
	char *path;
};

/* plan_cross.c: crossings, ids, field sets (needs the scans' types). */
int em_plan_crossings(struct em_model *m, struct kc_err *err);
/* Which kernel imports the user half posts instead of calling (em_pfunc.posted; after em_plan_funcs). */
void em_plan_posted(struct em_plan *p, const struct em_model *m);
/* mark[i] = 1 for every function reachable from `from` by call edges that stay on `side`
 * (EM_NONE: any); mark has m->nf bytes. */
void em_closure(const struct em_model *m, int from, enum em_side side, uint8_t *mark);

/* plan_shapes.c: shapes from structure, evidence, allocation sites, strings and annotations;
 * reports the unknown shapes crossings need when report != 0. Returns how many fields need a
 * shape nobody gave, or a negative error. */
int em_plan_shapes(struct em_model *m, int report, struct kc_err *err);
/* An embedded union holding pointers, without a discriminator annotation (cannot cross). */
int em_union_needs_disc(const struct em_model *m, const struct em_field *f);
/* An array of pointers crossing element by element as handles or region pointers (shape opaque,
 * DMA or MMIO on the array): its element count, else 0. */
int em_handle_array(const struct em_field *f);
/* Does the field set fs touch a data pointer inside struct st (embedded structs/unions)? */
int em_touches_ptr(const struct em_model *m, const uint8_t *fs, int st, int depth);
/* Is member a VALUE=MEMBER case of the union field f? */
int em_union_case(const struct em_field *f, const char *member);
/* The crossing functions whose marshaling needs pointer field fd and cannot have it. */
int em_needed_by(const struct em_model *m, const struct em_field *fd, struct kc_sb *sb);
void em_fields_crossing(const struct em_model *m, int all, struct kc_sb *who);
char *em_propose(const struct em_model *m, const struct em_field *f, struct kc_sb *why);

/* The kernel imports user-half code calls that run locally in the user half (p->local_imports). */
void em_plan_local_imports(struct em_plan *p, const struct em_model *m);

/* plan_check.c: the lock rule, atomic registrations, the DMA rule, variadic crossings: findings
 * go to m->diag, their count to m->findings. 0 or KC_EDB. */
int em_plan_check(struct em_model *m, struct kc_err *err);
/* The locks both halves take (p->locks; p->locks_unreadable when the lock table cannot be read). */
void em_plan_locks(struct em_plan *p, const struct em_model *m);
/* plan_lock.c: KC_EINVAL naming them when the partition made spinlocks combolocks (its parameter
 * "combolocks", kcut partition --combolocks): the emitter does not print combolock calls yet. */
int em_plan_combolocks(const struct em_model *m, struct kc_err *err);

/* plan_region.c (device access, issue 13). Before the crossings: the mode, from the partition's
 * device_access parameter, or (no parameter) forward when user-half code calls a register
 * accessor; the DMA rule (plan_check.c) may still turn an undecided mode to forward. */
int em_plan_device_access(struct em_model *m, struct kc_err *err);
/* A field that crosses as a region pointer: its enum kc_region_kind, else 0. */
int em_region_field(const struct em_model *m, const struct em_field *f);
/* After the per-function plans (before the files): region parameters and results. */
void em_plan_region_funcs(struct em_plan *p, struct em_model *m);
/* The mapping functions a kernel half records the windows of (device access none with
 * register offsets to check): em_pfile.recwin for TU tu. */
extern const char *const em_recwin_fns[];
unsigned em_recwin_mask(const struct em_plan *p, const struct em_model *m, int tu);
/* After the per-function plans: register offsets the kernel half checks (em_pparam.roffs). */
void em_plan_regoffs(struct em_plan *p, struct em_model *m);
/* At the end: p->regions, what interface.txt lists. */
void em_plan_regions(struct em_plan *p, struct em_model *m);
/* "none", "forward", "mapped" */
const char *em_devacc_name(int mode);

/* plan.c: the rest of the plan, after crossings, shapes and checks: globals, flag words, nested
 * crossings, recovery, marshaling, files. Problems found on the way are findings (m). */
int em_plan_build(struct em_plan *p, struct em_model *m, struct kc_err *err);
void em_plan_free(struct em_plan *p);

/* plan_global.c (run by em_plan_build; exported for the unit tests) */
int em_plan_globals(struct em_plan *p, struct em_model *m, struct kc_err *err);
int em_plan_words(struct em_model *m, struct kc_err *err);
void em_plan_nested(struct em_model *m);

/* plan_recover.c */
void em_plan_recover(struct em_plan *p, struct em_model *m);
void em_plan_recover_pick(struct em_plan *p, const struct em_model *m, struct em_pfile *pf);
/* After the files: the ops tables whose requests the kernel half refuses while no user half runs
 * (struct em_guard, into each kernel-half pfile). 0 or KC_EDB. */
int em_plan_guards(struct em_plan *p, struct em_model *m, struct kc_err *err);
void em_plan_guards_free(struct em_pfile *pf);
/* Would marshaling refuse field f (a finding)? */
int em_rec_refused(const struct em_model *m, const struct em_field *f);

/* plan_layout.c: the layout table (after em_plan_wire: the files' sized structs) */
void em_plan_layout(struct em_plan *p, const struct em_model *m);

/* plan_sync.c: synchronization at every crossing (rt/sync.c) */
void em_plan_sync(struct em_plan *p, struct em_model *m);
void em_plan_sync_pick(struct em_plan *p, const struct em_model *m, struct em_pfile *pf);
void em_plan_sync_back(struct em_plan *p, const struct em_model *m);

/* plan_marshal.c */
/* Does struct st carry anything for crossing fn in direction dir? */
int em_plan_nonempty(const struct em_model *m, int fn, int st, int dir);
int em_plan_type(struct em_plan *p, struct em_model *m, int st);
int em_plan_marshalable(struct em_plan *p, struct em_model *m, int fn);
void em_plan_funcs(struct em_plan *p, struct em_model *m);
void em_plan_request(struct em_pfile *pf, int fn, int st, int dir, int enc);
void em_plan_stub_roots(struct em_plan *p, struct em_model *m, struct em_pfile *pf, int fn);
void em_plan_handler_roots(struct em_plan *p, struct em_model *m, struct em_pfile *pf, int fn);
void em_plan_helpers(struct em_plan *p, struct em_model *m, struct em_pfile *pf);
void em_plan_sent(struct em_plan *p, const struct em_model *m);

/* The wire checks of every pointer (after the files: tracker types are numbered, at places need
 * them). */
void em_plan_wire(struct em_plan *p, struct em_model *m);
void em_wire_free(struct em_wire *w);

/* plan_files.c */
int em_plan_files(struct em_plan *p, struct em_model *m, struct kc_err *err);

#endif /* KC_EMIT_PLAN_H */
