/*
 * partitioner.h - public API of kcut's partitioner: which driver functions stay in the kernel half.
 *
 * The partitioner reads the analyzer's database (analyzer/schema.sql: func, call, registration),
 * finds the critical roots with per-family templates (partitioner/templates/<family>.tmpl, plus a
 * user directory), derives the hard constraints (roots, atomic-context closure, critical sections),
 * and chooses the kernel half either by propagation (the Microdrivers splitter) or by a weighted
 * s-t minimum cut (igraph max-flow), with Z3's optimizer when a kernel LOC budget is given. The
 * result is stored as a named partition (tables partition, partition_func) that `kcut why`,
 * `kcut graph`, `kcut baseline` / `kcut check` and the emitter read back.
 *
 * Everything is opaque; functions return 0 or a negative KC_E* code with the message in err.
 * docs/partitioner.md explains the template format, the cut construction and the profile formats.
 */
#ifndef KC_PARTITIONER_H
#define KC_PARTITIONER_H

#include <stddef.h>
#include <stdio.h>

#include "analyzer.h"
#include "kc_common.h"

struct kc_part_templates; /* the loaded template rules of every family */
struct kc_part_graph;     /* driver call graph + roots + hard-constraint facts */
struct kc_part_result;    /* one side per function, with reason and explanation */

enum kc_part_mode { KC_PART_PROPAGATE = 0, KC_PART_MINCUT = 1 };
enum kc_part_solver {
	KC_PART_SOLVER_AUTO = 0,
	KC_PART_SOLVER_MAXFLOW,
	KC_PART_SOLVER_Z3,
	KC_PART_SOLVER_BRUTE, /* exhaustive, <= 24 free functions: the tests' reference model */
};
enum kc_part_side { KC_PART_USER = 0, KC_PART_KERNEL = 1 };
enum kc_part_reason {
	KC_PART_R_ROOT = 0,
	KC_PART_R_ATOMIC,
	KC_PART_R_LOCK,
	KC_PART_R_PIN,
	KC_PART_R_PROPAGATE,
	KC_PART_R_CUT,
	KC_PART_R_DEFAULT,
};
enum kc_part_profile_format { KC_PART_PROF_INSTRUMENT = 0, KC_PART_PROF_FTRACE = 1 };
/* How a profile weighs a static call edge it never observed (docs/partitioner.md, "Profiles"). */
enum kc_part_profile_unseen {
	KC_PART_UNSEEN_STATIC = 0, /* keep the static estimate (default: a split run's crossing trace
				    * only sees the edges that crossed) */
	KC_PART_UNSEEN_ZERO = 1,   /* weigh 0 (a profile of the unsplit driver saw every call made) */
};

/* How the user half reaches the device (issue 13; docs/partitioner.md, "Device access"):
 *   none     it cannot: the templates' register/DMA 'kernel' rules pin such code (the old behaviour)
 *   forward  rt forwards its register accesses to the kernel half (downcalls; writes posted): those
 *            rules do not pin, each register access of a user-half function is crossing cost
 *   mapped   the device's regions are mapped into it: those rules do not pin, accesses cost nothing
 * Under forward and mapped a function that takes a spinlock some kernel-half function takes stays
 * in the kernel too (the user half cannot take a kernel spinlock). */
enum kc_part_devaccess { KC_PART_DEV_NONE = 0, KC_PART_DEV_FORWARD = 1, KC_PART_DEV_MAPPED = 2 };
#define KC_PART_DEV_DEFAULT KC_PART_DEV_FORWARD
/* "none", "forward", "mapped" (NULL for another value); parse returns the mode or -1. */
const char *kc_part_devaccess_name(int mode);
int kc_part_devaccess_parse(const char *name);

struct kc_part_pin {
	const char *func; /* function name */
	int side;         /* KC_PART_KERNEL or KC_PART_USER */
};

/* Options of one solve. Initialise with KC_PART_OPTS_INIT. */
struct kc_part_opts {
	int mode;                      /* enum kc_part_mode */
	double alpha;                  /* cost of one kernel LOC */
	double beta;                   /* cost of one unit of crossing-edge weight */
	long budget;                   /* max kernel LOC, or -1 for none (not a cut: Lagrangian/Z3) */
	long max_funcs;                /* max kernel functions, or -1 for none (Z3) */
	int solver;                    /* enum kc_part_solver */
	const struct kc_part_pin *pins;
	size_t n_pins;
	int fault_inject;              /* TEST ONLY: 1 perturbs the max-flow network (self-test) */
	int replicate;                 /* 1: the cut counts on replication (under forward or mapped):
					* a call from a user-half function into a replicable function
					* costs what the user half's copy costs per call (its register
					* downcalls, at most the call's weight), since kc_part_replicate
					* gives the user half that copy; 0 with `--no-replicate` */
	int combolocks;                /* 1 (`--combolocks`, off by default): a spinlock that process-
					* context code and an interrupt handler take may be a combolock
					* (rt/combolock.h), so its process-context holders are not
					* pinned (partitioner/locks.c; forward and mapped only) */
};
#define KC_PART_OPTS_INIT                                                                          \
	{                                                                                          \
		.mode = KC_PART_MINCUT, .alpha = 1.0, .beta = 1.0, .budget = -1, .max_funcs = -1, \
		.solver = KC_PART_SOLVER_AUTO, .pins = NULL, .n_pins = 0, .fault_inject = 0,      \
		.replicate = 1, .combolocks = 0                                                    \
	}

/* Summary numbers of a result. */
struct kc_part_stats {
	size_t kernel_funcs, user_funcs;
	long kernel_loc, user_loc;
	size_t cut_edges;   /* call edges (caller, callee pairs) whose ends are on different sides */
	double cut_weight;  /* their summed weight (static estimate or profile counts) */
	size_t dev_funcs;   /* user-half functions whose register accesses are downcalls (forward) */
	double dev_weight;  /* their summed register-downcall weight (0 unless device access forward) */
	size_t imp_funcs;   /* user-half functions whose calls of kernel functions are downcalls */
	double imp_weight;  /* their summed weight (kc_part_graph_imp_weight) */
	double repl_saved;  /* of cut_weight, what calls from the user half into replicable kernel
			     * functions save: they cost their copies' register downcalls instead
			     * (opts.replicate; kc_part_replicate) */
	double cost;        /* alpha * kernel_loc + beta * (cut_weight - repl_saved + dev_weight + imp_weight) */
	double solve_ms;
	const char *solver; /* "propagate", "maxflow", "z3" or "brute" */
};

/* ---- templates ---- */

/* Load every *.tmpl of the built-in directory (installed share/kcut/templates, else the source
 * tree's partitioner/templates), then of user_dir (may be NULL) and of $KCUT_TEMPLATES. A later
 * file of the same family adds rules. A malformed line fails with "file:line: message". */
int kc_part_templates_load(struct kc_part_templates **out, const char *user_dir, struct kc_err *err);
/* Parse one template text (name is used in messages). For tests and for the loader. */
int kc_part_templates_add_text(struct kc_part_templates *t, const char *name, const char *text,
			       struct kc_err *err);
struct kc_part_templates *kc_part_templates_new(void);
void kc_part_templates_free(struct kc_part_templates *t);
/* Names of the families loaded (i < count), NULL past the end. */
const char *kc_part_templates_family(const struct kc_part_templates *t, size_t i);

/* ---- graph ---- */

/* Build the graph of driver-defined functions from db: call edges between them (weights from the
 * profile named `profile` when not NULL, else static estimates), the roots the templates of
 * `family` (NULL: detected from the registrations) and the generic template select, and the
 * spinlock facts of every call site. */
int kc_part_graph_load(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
		       const char *family, const char *profile, struct kc_err *err);
/* Same, restricted to one module of a whole-tree database (`kcut analyze --module-map`): the
 * functions whose defining TU has tu.module = module, the registrations those TUs stored and the
 * calls of those functions (family detection included). module NULL: every function. A module with
 * no function gives an empty graph (not an error). */
int kc_part_graph_load_module(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
			      const char *family, const char *profile, const char *module, struct kc_err *err);
/* Same, choosing how the profile (when not NULL) weighs the static edges it never observed: unseen
 * is an enum kc_part_profile_unseen (the two functions above use KC_PART_UNSEEN_STATIC). An edge
 * the profile observed always weighs its measured count. Another unseen value is KC_EINVAL. */
int kc_part_graph_load_weighted(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
				const char *family, const char *profile, int unseen, const char *module,
				struct kc_err *err);

/* Everything a graph load can be asked for; initialise with KC_PART_LOAD_INIT. */
struct kc_part_load {
	const char *family;  /* NULL: detected */
	const char *profile; /* NULL: static weights */
	int unseen;          /* enum kc_part_profile_unseen */
	const char *module;  /* NULL: every function */
	int device_access;   /* enum kc_part_devaccess: which 'kernel' rules pin, register-access costs */
	int posted;          /* 1: price posted kernel calls (common/kc_kapi.c kc_kapi_posted) as what they
			      * cost at run time, a share of a queue flush; 0 (default): as downcalls */
};
#define KC_PART_LOAD_INIT                                                                         \
	{                                                                                         \
		.family = NULL, .profile = NULL, .unseen = KC_PART_UNSEEN_STATIC, .module = NULL, \
		.device_access = KC_PART_DEV_DEFAULT, .posted = 0                                 \
	}
/* The general form of the three loads above (they use KC_PART_DEV_DEFAULT). A bad unseen or
 * device_access value is KC_EINVAL. */
int kc_part_graph_load_ex(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
			  const struct kc_part_load *lo, struct kc_err *err);

/* Hand-built graphs (tests, benchmarks). add_func returns the new index (>= 0). */
struct kc_part_graph *kc_part_graph_new(void);
int kc_part_graph_add_func(struct kc_part_graph *g, const char *name, long loc);
void kc_part_graph_add_call(struct kc_part_graph *g, int caller, int callee, double weight, int spin_held);
/* A call made with the lock expressions `locks` held (as the analyzer's call.locks_held) at site. */
void kc_part_graph_add_call_locked(struct kc_part_graph *g, int caller, int callee, double weight, const char *locks,
				   const char *site);
/* atomic: 0 process context, 1 atomic, KC_PART_ROOT_IRQ an interrupt handler (atomic; locks.c may
 * defer its critical section). */
#define KC_PART_ROOT_IRQ 2
void kc_part_graph_add_root(struct kc_part_graph *g, int func, int atomic, const char *rule);
/* Keep func in the kernel half (a hard constraint, reason 'pin'), explained by rule; the first rule
 * given to a function is kept. Loading a graph applies the templates' 'kernel' rules this way. */
void kc_part_graph_add_kernel_rule(struct kc_part_graph *g, int func, const char *rule);
/* Forget every 'kernel' rule of g: the graph of roots alone (kcut stats counts the paper's
 * critical functions, roots plus what they call, on it). */
void kc_part_graph_clear_kernel_rules(struct kc_part_graph *g);
void kc_part_graph_free(struct kc_part_graph *g);
/* Hand-built graphs: the device-access mode (default KC_PART_DEV_DEFAULT), a function's
 * register-downcall weight under forward (detail may be NULL), a spinlock it takes. */
void kc_part_graph_set_device_access(struct kc_part_graph *g, int mode);
void kc_part_graph_set_dev_weight(struct kc_part_graph *g, int func, double weight, const char *detail);
void kc_part_graph_add_lock(struct kc_part_graph *g, int func, const char *lock, const char *site);
int kc_part_graph_device_access(const struct kc_part_graph *g);
/* Register-downcall weight of i under the graph's mode (0 unless forward) and how it was counted. */
double kc_part_graph_dev_weight(const struct kc_part_graph *g, int i, const char **detail);
/* The downcall weight of function i's calls of kernel functions that cross when i is in the user
 * half (imports the user half does not run locally, common/kc_kapi.h; every device-access mode), and
 * how it was computed (or NULL). It costs beta * weight when i is in the user half. */
double kc_part_graph_imp_weight(const struct kc_part_graph *g, int i, const char **detail);
void kc_part_graph_set_imp_weight(struct kc_part_graph *g, int func, double weight, const char *detail);

size_t kc_part_graph_nfuncs(const struct kc_part_graph *g);
size_t kc_part_graph_nedges(const struct kc_part_graph *g);
int kc_part_graph_find(const struct kc_part_graph *g, const char *name); /* index or -1 */
const char *kc_part_graph_name(const struct kc_part_graph *g, int i);
long kc_part_graph_loc(const struct kc_part_graph *g, int i);
/* Definition position (file may be NULL for hand-built graphs). */
void kc_part_graph_pos(const struct kc_part_graph *g, int i, const char **file, int *line, int *col);
/* The rule that made i a root, or NULL; *atomic set to 1 when the root runs in atomic context. */
const char *kc_part_graph_root_rule(const struct kc_part_graph *g, int i, int *atomic);
/* The 'kernel' rule that keeps i in the kernel half, or NULL. */
const char *kc_part_graph_kernel_rule(const struct kc_part_graph *g, int i);
const char *kc_part_graph_family(const struct kc_part_graph *g); /* chosen family ("generic" if none) */
const char *kc_part_graph_family_why(const struct kc_part_graph *g); /* how it was chosen */
double kc_part_graph_duration(const struct kc_part_graph *g); /* profile duration in s, or 0 */
/* Edge i: caller, callee, weight. Returns -1 past the end. */
int kc_part_graph_edge(const struct kc_part_graph *g, size_t i, int *caller, int *callee, double *weight);

/* ---- loops (graph.c; docs/partitioner.md, "Loop trip counts") ---- */

/* What a loop is, for its trip estimate (graph.c load_loops): once (do { } while (0)); wait (it
 * can end on a condition: a break or return, a while/do condition or no bound; calls neither a driver function
 * that does more than read registers
 * nor a register write directly, and a delay or sleep function: msleep, udelay ...); poll (the same with a
 * register or port read directly in it instead of a delay: while (!(readl(..) & DONE))); counted
 * (a constant bound); ring (bounded by a struct field a driver function stores a constant into:
 * ring->count); search (a constant or field bound that a break or return can end early); other
 * (any other bound: a variable, list_for_each_entry, for (;;)). */
enum kc_part_loop_class {
	KC_PART_LOOP_ONCE,
	KC_PART_LOOP_WAIT,
	KC_PART_LOOP_POLL,
	KC_PART_LOOP_COUNTED,
	KC_PART_LOOP_RING,
	KC_PART_LOOP_SEARCH,
	KC_PART_LOOP_OTHER,
};
const char *kc_part_loop_class_name(enum kc_part_loop_class c);

struct kc_part_loop_info {
	const char *func;              /* the function's name */
	const char *file;              /* file.path, or NULL */
	int line, col, depth;
	enum kc_part_loop_class cls;
	double bound;                  /* what its bound says (0: unknown) */
	double trips;                  /* its trip estimate: how often a site in it runs per run of
					* the enclosing code */
};
/* The graph's loops (0 for a database without loop facts); loop i (0-based). -1 past the end. */
size_t kc_part_graph_nloops(const struct kc_part_graph *g);
int kc_part_graph_loop(const struct kc_part_graph *g, size_t i, struct kc_part_loop_info *out);

/* ---- replication (replica.c; docs/partitioner.md, "Replicated functions") ---- */

/* Replication copies functions of at most this many LOC. */
#define KC_PART_REPLICA_MAX_LOC 10
/* 1 when a copy of function i may run in each half (facts of the graph's load: small, reads only
 * what its parameters reach and const globals, writes nothing, no lock, no allocation, calls only
 * replicable driver functions and the register accessors the device-access mode serves); *why
 * (may be NULL) gets what it is, or why not. */
int kc_part_graph_replicable(const struct kc_part_graph *g, int func, const char **why);
/* Hand-built graphs: set those facts (why may be NULL). */
void kc_part_graph_set_replicable(struct kc_part_graph *g, int func, int replicable, const char *why);

/* After a solve (or a load): enable 1 marks as replicated every replicable kernel-half function
 * called from both halves (and the replicable kernel-half functions those call), under device
 * access forward or mapped (none: no function); its side stays kernel, the emitter gives the user
 * half a copy. enable 0: none (`kcut partition --no-replicate`). */
void kc_part_replicate(struct kc_part_result *r, int enable);
int kc_part_result_replicated(const struct kc_part_result *r, int func);
/* The `kcut why` line about replication (replicated, or why a kernel function the user half
 * calls is not), and the summary lines of `kcut partition`. */
void kc_part_replica_why(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int func);
void kc_part_replica_summary(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r);

/* ---- solving ---- */

/* Solve: hard constraints first (a conflicting pin fails with KC_ECONFLICT naming the pin and the
 * constraint), then the mode's choice. */
int kc_part_solve(struct kc_part_result **out, const struct kc_part_graph *g, const struct kc_part_opts *o,
		  struct kc_err *err);
void kc_part_result_free(struct kc_part_result *r);
int kc_part_result_side(const struct kc_part_result *r, int func);
int kc_part_result_reason(const struct kc_part_result *r, int func);
const char *kc_part_result_detail(const struct kc_part_result *r, int func);
void kc_part_result_stats(const struct kc_part_result *r, struct kc_part_stats *out);
/* Change of the objective if func alone moved to the other side (DBL_MAX if a hard constraint
 * forbids it). */
double kc_part_result_move_cost(const struct kc_part_result *r, int func);
/* The optimum the solver itself reported: max-flow value, Z3 objective, brute-force minimum
 * (propagation: the cost of its assignment). The property test compares these. */
double kc_part_result_objective(const struct kc_part_result *r);
/* Objective alpha*kernel LOC + beta*crossing weight of an arbitrary assignment (side[i] 0/1). */
double kc_part_cost(const struct kc_part_graph *g, const struct kc_part_opts *o, const unsigned char *side);
const char *kc_part_reason_name(int reason);

/* ---- storage ---- */

/* 1 when a partition `name` is stored, 0 when not, or a negative error. The commands that store a
 * partition under a name the user chose refuse to replace one without --force (tune: save NAME
 * --force); kc_part_store itself replaces. */
int kc_part_exists(struct kc_db *db, const char *name, struct kc_err *err);
/* Store r as partition `name` (replacing one of that name) with its parameters; family and
 * profile are recorded in params, the replicated functions (kc_part_replicate) in table
 * partition_replica. */
int kc_part_store(struct kc_db *db, const struct kc_part_graph *g, const struct kc_part_opts *o,
		  const char *profile, const struct kc_part_result *r, const char *name, struct kc_err *err);
/* The device-access mode partition `name` (NULL: the newest) was made with (params
 * "device_access"; a partition stored before there was one: none). KC_ENOTFOUND without one. */
int kc_part_stored_device_access(struct kc_db *db, const char *name, int *mode, struct kc_err *err);
/* Load a stored partition onto g (name NULL: the newest). *opts_out gets alpha/beta/budget/mode. */
int kc_part_load(struct kc_part_result **out, struct kc_db *db, const struct kc_part_graph *g,
		 const char *name, struct kc_part_opts *opts_out, char **name_out, char **profile_out,
		 struct kc_err *err);

/* ---- profiles ---- */

/* Measured counts saturate at this value (2^50: sums of many edges stay exact in a double weight)
 * instead of overflowing to negative weights. */
#define KC_PART_PROFILE_COUNT_MAX (1LL << 50)
/* Import a caller->callee count profile into db under `name` (NULL: the file's base name). Names
 * that are not functions of the database are listed in unknown (one per line), not fatal.
 * *n_edges gets the number of edges stored. */
int kc_part_profile_import(struct kc_db *db, const char *path, int format, const char *name,
			   size_t *n_edges, struct kc_sb *unknown, struct kc_err *err);

/* ---- explanation and output ---- */

/* The chain explaining why func is on its side (several lines, each "  - ..."). */
void kc_part_why(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int func);
/* DOT text: two clusters, crossing edges bold with weights. focus >= 0 limits the graph to the
 * functions within depth calls of focus (either direction). */
void kc_part_dot(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r,
		 int focus, int depth);

/* One summary block (kernel/user functions and LOC with percentages, crossing edges, boundary
 * functions, expected crossings per second when the graph carries a profile duration). */
void kc_part_summary(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r,
		     size_t max_boundary);

/* ---- the CI gate (gate.c) ---- */

/* Write the kernel half of r (functions with LOC and definition) as a baseline JSON file. */
int kc_part_baseline_write(const char *path, const struct kc_part_graph *g, const struct kc_part_result *r,
			   const char *partition_name, struct kc_err *err);

enum kc_part_check_format { KC_PART_CHECK_TEXT = 0, KC_PART_CHECK_JSON, KC_PART_CHECK_MARKDOWN, KC_PART_CHECK_SARIF };

/* Compare r against a baseline. max_growth is LOC, or percent of the baseline when is_percent.
 * Writes the report in the format to out; *failed = 1 when the kernel half grew past the
 * threshold or a function newly moved into it. srcroot (may be NULL) makes SARIF URIs relative. */
int kc_part_check(struct kc_sb *out, int *failed, const char *baseline_path, const struct kc_part_graph *g,
		  const struct kc_part_result *r, double max_growth, int is_percent, int format,
		  const char *srcroot, struct kc_err *err);

/* ---- interactive tuning (tune.c) ---- */

/* Run a `kcut tune` session on g starting from opts (pins copied) over in (a terminal: libedit
 * with history and completion; otherwise one command per line). Output goes to stdout. profile
 * is recorded in saved partitions. Returns 0 at quit/EOF. */
int kc_part_tune(struct kc_db *db, const struct kc_part_graph *g, const struct kc_part_opts *opts,
		 const char *profile, FILE *in, int interactive, struct kc_err *err);

#endif /* KC_PARTITIONER_H */
