/*
 * part_int.h - the partitioner's internal data structures, shared by its .c files only.
 *
 * The graph is a plain array of functions and an array of aggregated call edges (one per
 * caller/callee pair); solvers build whatever adjacency they need. Nothing here is public API.
 */
#ifndef KC_PART_INT_H
#define KC_PART_INT_H

#include "partitioner.h"

enum { CTX_PROCESS = 0, CTX_ATOMIC, CTX_IRQ, CTX_SOFTIRQ, CTX_TIMER };
enum { RULE_SLOT = 0, RULE_ARG, RULE_RETURNS, RULE_MACRO, RULE_DETECT_STRUCT, RULE_DETECT_API,
       /* 'kernel' rules (hard kernel pins, rules.c): a is a comma-separated list */
       RULE_K_CALLS, RULE_K_REGISTERED, RULE_K_FIELD, RULE_K_STRUCT,
       /* 'kernel datapath-state SETUP-ENTRIES': shared-state constraints of a split data path (solve.c) */
       RULE_K_DATAPATH,
       /* memory only the kernel can use (rules.c kernel_memory): 'kernel mapped API,...' (what the
        * driver maps for streaming DMA through API) and 'kernel opaque STRUCT.FIELD,...' */
       RULE_K_MAPPED, RULE_K_OPAQUE };

struct kc_part_rule {
	char *family;
	int kind;      /* RULE_* */
	char *a;       /* struct name / api / return type / macro */
	char *b;       /* field (slot rules) */
	int arg;       /* 0-based argument index (arg rules) */
	int ctx;       /* CTX_* */
	char *label;
	char *src;     /* template file and line, for messages */
	int line;
	/* 'kernel' rules only: bit (1 << enum kc_part_devaccess) per device-access mode */
	unsigned unless_da;   /* unless-device-access=MODES: the rule does not pin under these modes */
	unsigned downcall_da; /* downcall-under=MODES ('kernel calls'): under these modes each matched
			       * call site of a user-half function is a register downcall (crossing cost) */
	unsigned dp_synced;   /* 'kernel datapath-state' only, runtime-syncs=KINDS: DP_C_* bits of the
			       * constraints the runtime's synchronization at every crossing satisfies
			       * (they explain, they do not pin) */
};

/* The data-path state constraints (solve.c datapath_state), as bits for runtime-syncs=. */
enum { DP_C_REPLACE = 1, DP_C_WRITE = 2, DP_C_WAIT = 4, DP_C_FREE = 8 };

struct kc_part_templates {
	struct kc_part_rule *rules;
	size_t n, cap;
	char **families;
	size_t nfam;
};

struct kc_part_func {
	char *name;
	long long dbid;     /* func.id, or -1 for hand-built graphs */
	long loc;
	char *file;
	int line, col;
	char *root_rule;    /* non-NULL: a root, for this reason */
	int root_atomic;
	int root_irq;       /* the root's context is irq (an interrupt handler; locks.c) */
	char *kernel_rule;  /* non-NULL: kept in the kernel by a template 'kernel' rule, for this reason */
	double dev_weight;  /* register downcalls it would make from the user half (forward backend) */
	char *dev_detail;   /* how dev_weight was computed, or NULL */
	double imp_weight;  /* downcalls its calls of kernel functions would be from the user half
			     * (imports the user half does not run locally: kc_kapi.h; rules.c) */
	char *imp_detail;   /* how imp_weight was computed, or NULL */
	char *post_detail;  /* its posted kernel calls (kc_kapi_posted) and what they cost, or NULL */
	double post_weight; /* ... their part of imp_weight (with kc_part_load.posted) */
	char **locks;       /* identities of the spinlocks it takes (lock_op, last identifier) */
	char **lock_sites;  /* "API at file:line:col" of the first site of each */
	size_t nlocks;
	/* data-path state facts (rules.c kc_part_datapath_facts, used by solve.c's datapath_state) */
	struct kc_part_fa *fa; /* its field accesses and allocations into fields */
	size_t nfa;
	int entry;          /* 0, DP_SETUP (runs before the data path is live) or DP_LIVE (any other entry) */
	char *entry_what;   /* "registered as STRUCT.FIELD" / "passed to API" / "module_exit" */
	char *irq_site;     /* it requests an IRQ (registration by it through an *irq* API): "API at site" */
	/* replication (replica.c kc_part_replica_facts): 1 when a copy of it may run in each half */
	int repl;
	double repl_down;   /* its user-half copy's downcalls per call (its register reads and those of
			     * the replicable functions it calls; kc_part_edge_cost) */
	char *repl_why;     /* replicable: what it is ("pure register accessor (readl)"); else why not */
};

enum { DP_SETUP = 1, DP_LIVE = 2 };

/* One field fact of a function: 'r' read, 'w' write, 'a' address of a scalar field taken (a callee
 * may write through it), 'n' an allocation stored into the field (the object is replaced), 'f' the
 * field's object freed (kfree(adapter->tx_ring)). */
struct kc_part_fa {
	char *key;  /* "struct.field" */
	char *site; /* "file:line:col" (allocations: "ALLOCATOR at file:line:col") */
	char mode;
};

struct kc_part_edge {
	int from, to;
	double weight;
	int spin;           /* a spinlock is held at (one of) the sites */
	char *lock_site;    /* "file:line:col" of the first such site, or NULL */
	char *locks;        /* the lock expressions held there, or NULL */
};

/* A loop of a graph function (analyzer table loop) with its trip estimate (graph.c load_loops):
 * a call site inside it runs `trips` times per run of the enclosing code. */
struct kc_part_loop {
	long long func, file;  /* func.id, file.id */
	int line, col, end_line, end_col;
	int depth;             /* 1 = outermost */
	int once;              /* do { } while (0) */
	int waits, reads, work; /* a delay call / a register read / a driver call directly in it (not
				 * in a nested loop) */
	int early;             /* a break or return can end it before its bound */
	int cond;              /* it can end on a condition (a break or return, a while/do condition,
				* no bound) */
	double bound;          /* what its bound says (const trips, the field's constant), 0 unknown */
	enum kc_part_loop_class cls;
	double trips;
	char *path;            /* file.path */
};

/* An if-branch in a loop that leaves it (analyzer table loop_exit): a call site in it runs at most
 * once per run of the loops it leaves (those of depth >= leaves that contain it). */
struct kc_part_exit {
	long long func, file;
	int line, col, end_line, end_col;
	int leaves;
};

/* Trip estimate of a loop whose bound is not known (a variable, a macro loop, a field no driver code
 * stores a constant into) and the most a loop that can end early (a break or return: a poll or a
 * search) is assumed to run: the static model's old "x10 per loop level". */
#define KC_PART_LOOP_DEFAULT 10.0
/* Trip estimates of wait and poll loops (enum kc_part_loop_class), from the calibration against
 * the kernel model's measured counts (tests/partitioner/loop_calibrate.py; docs/partitioner.md,
 * "Loop trip counts"): the mean of the 11 wait loops of simnic and simsnd (10 ran once per entry,
 * simsnd_codec_wait 26 times: 3.3), rounded. No poll loop (no delay) runs in the model's drivers:
 * KC_PART_LOOP_DEFAULT, not calibrated. */
#define KC_PART_LOOP_WAIT_TRIPS 3.0
#define KC_PART_LOOP_POLL_TRIPS KC_PART_LOOP_DEFAULT

struct kc_part_graph {
	struct kc_part_func *f;
	size_t nf, capf;
	struct kc_part_edge *e;
	size_t ne, cape;
	char *family;
	char *family_why;
	double duration_s;
	int device_access;  /* enum kc_part_devaccess the graph was loaded for */
	int price_posted;   /* kc_part_load.posted */
	char *dp_rule;      /* the active 'kernel datapath-state' rule: "LABEL (FAMILY template)", or NULL */
	unsigned dp_synced; /* its runtime-syncs= constraints (DP_C_*): they do not pin */
	struct kc_part_loop *loops; /* the graph functions' loops, by func (NULL: no loop facts in the
				     * database: 10^loop_depth, the old estimate) */
	size_t nloops;
	int have_loops;     /* the database has loop facts */
	size_t nrepl;       /* replicable functions (kc_part_replica_down) */
	struct kc_part_exit *exits; /* the graph functions' loop exits, by func (loop_exit) */
	size_t nexits;
};

struct kc_part_result {
	const struct kc_part_graph *g;
	struct kc_part_opts o;
	size_t n;
	unsigned char *side;
	unsigned char *reason;
	char **detail;
	double *move;          /* move cost per function (DBL_MAX for hard ones) */
	double objective;      /* optimum the solver reported */
	struct kc_part_stats st;
	char solver_note[96];  /* st.solver when it needs detail */
	char **dp_note;        /* per function or NULL: a data-path state constraint the runtime's
				* synchronization satisfies (runtime-syncs=), appended to the detail */
	unsigned char *replica; /* per function or NULL: 1 when replicated (replica.c kc_part_replicate) */
	int replicate;          /* replication was asked for (stored as params "replicate") */
	struct kc_part_combo *combo; /* locks.c: the spinlocks both halves take and the verdict on each */
	size_t ncombo;
};

/* locks.c (combolocks, docs/partitioner.md "Combolocks"): a spinlock taken by process-context
 * code and by kernel atomic code, and whether rt's combolock can stand in for it. */
struct kc_part_combo {
	char *lock;     /* lock identity (last identifier) */
	int ok;         /* every kernel-side taker can wait or be deferred */
	int applied;    /* ok and asked for (--combolocks): its process-context holders are not pinned */
	char *verdict;  /* why (appended to its takers' `kcut why` detail) */
};
#define KC_PART_NO_REASON 255 /* solve.c's NO_REASON: no hard constraint (yet) */
/* locks.c: decide each lock's verdict after the atomic closure (and, when r->o.combolocks asks,
 * unpin the process-context holders of the locks that may be combolocks); then, once every hard
 * constraint is in, append the verdicts to the details of the takers kept kernel. Under device
 * access none neither does anything. */
void kc_part_combolocks(struct kc_part_result *r);
void kc_part_combolocks_explain(struct kc_part_result *r);
/* locks.c: lock is a combolock in r (its takers are not pinned by the spinlock rule). */
int kc_part_combolock_applied(const struct kc_part_result *r, const char *lock);
void kc_part_combolocks_free(struct kc_part_result *r);

/* graph.c: index of the function with database id `id`, or -1. */
int kc_part_graph_by_dbid(const struct kc_part_graph *g, long long id);

/* graph.c: how often a call site of function dbid at (file, line, col) with loop_depth enclosing
 * loops runs per run of the function: the product of the trip estimates of the loops containing it,
 * KC_PART_LOOP_DEFAULT for each level the loop facts do not cover (all of them in a database
 * without loop facts), at most 10^6. */
double kc_part_site_trips(const struct kc_part_graph *g, long long dbid, long long file, int line, int col,
			  int loop_depth);

/* rules.c: the first 'kernel calls' rule of generic or g's family that lists api and whose tag
 * (unless-device-access= or downcall-under=) names one of modes (bits 1 << enum kc_part_devaccess),
 * or NULL. The one walker of those rules: the register-downcall pricing (downcall-under for g's mode),
 * replication (accessors the user half may use: unless-device-access), the loop classes (a register
 * read: downcall-under for any mode). */
enum kc_part_calls_tag { KC_PART_TAG_UNLESS, KC_PART_TAG_DOWNCALL };
const struct kc_part_rule *kc_part_calls_rule(const struct kc_part_graph *g, const struct kc_part_templates *t,
					      const char *api, enum kc_part_calls_tag tag, unsigned modes);

/* rules.c: a lock's identity, the last identifier of the lock expression expr[0, len): a pointer
 * into expr, its length in *n (0: none). The spinlock rule (rules.c) and the combolock verdicts
 * (locks.c) name locks by it. */
const char *kc_part_lock_ident(const char *expr, size_t len, size_t *n);

/* rules.c: apply the 'kernel' rules of generic and of g->family (hard kernel pins). */
int kc_part_kernel_rules(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, struct kc_err *err);

/* rules.c: under g->device_access, the register-downcall weight of each function (rules with
 * downcall-under) and the spinlocks each function takes (lock_op). */
int kc_part_device_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, const char *profile,
			 int unseen, struct kc_err *err);

/* rules.c: under forward/mapped with a 'kernel datapath-state' rule, each function's field accesses,
 * allocations into fields, entry kind (setup / live) and IRQ requests (g->dp_rule set). */
int kc_part_datapath_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t,
			   struct kc_err *err);

/* What function i costs in downcalls when it is in the user half: register accesses (device
 * access) plus calls of kernel functions that cross. */
static inline double kc_part_down_weight(const struct kc_part_graph *g, size_t i)
{
	return g->f[i].dev_weight + g->f[i].imp_weight;
}

/* What a call edge costs when its ends are on different sides (before beta): its weight, except
 * a call from the user half into a replicable function (replica.c: under forward or mapped, with
 * replication on) costs what the user half's copy of the callee costs per call instead, its
 * register downcalls (g->f[to].repl_down, at most the crossing it replaces): the cut knows that
 * kc_part_replicate will give the user half a copy (o->replicate). */
static inline double kc_part_edge_cost(const struct kc_part_graph *g, const struct kc_part_opts *o,
				       const struct kc_part_edge *e, int side_from, int side_to)
{
	if (side_from == side_to)
		return 0;
	if (side_from == KC_PART_USER && o->replicate && g->device_access != KC_PART_DEV_NONE && g->f[e->to].repl &&
	    g->f[e->to].repl_down < 1)
		return e->weight * g->f[e->to].repl_down;
	return e->weight;
}

/* replica.c: recompute each replicable function's repl_down (after the facts, and when a
 * hand-built graph changes: kc_part_graph_set_replicable counts them into g->nrepl; _set_dev_weight
 * and _add_call call the _if variant, which does nothing while no function is replicable). */
void kc_part_replica_down(struct kc_part_graph *g);
void kc_part_replica_down_if(struct kc_part_graph *g);

/* rules.c: is item one of the comma-separated words of list (a rule's API list)? */
int kc_part_in_list(const char *list, const char *item);

/* replica.c: which functions may run in both halves (small, reads only what its parameters
 * reach and const globals, writes nothing outside its locals, no lock, no allocation, calls only
 * replicable driver functions and the register accessors g's device-access mode serves). */
int kc_part_replica_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t,
			  struct kc_err *err);

/* solve.c helpers used by store.c */
struct kc_part_result *kc_part_result_alloc(const struct kc_part_graph *g, const struct kc_part_opts *o);
void kc_part_result_finish(struct kc_part_result *r);

#endif /* KC_PART_INT_H */
