/*
 * model.h - the first layer of the emitter: the program database loaded into flat arrays
 * (model.c), the annotation file (annot.c) and what kcut knows about kernel APIs by name
 * (kapi.c). Nothing here decides anything about the split; the layers above are
 *
 *	model.h  facts            model.c, annot.c, kapi.c
 *	scan.h   facts from the driver sources, one libclang parse per TU (clangscan.c, strscan.c)
 *	plan.h   every decision: what crosses, ids, field sets, shapes, globals, recovery, the
 *	         marshaling helpers each generated file holds (plan_*.c)
 *	gen_int.h  the printers (gen*.c): they read a const plan and print it
 *
 * Each layer includes only the ones above it in this list.
 *
 * A few members of these structs are decisions that the plan stores beside the facts they are
 * about (marked "plan:"): only plan_*.c writes them, the printers only read them.
 */
#ifndef KC_EMIT_MODEL_H
#define KC_EMIT_MODEL_H

#include <stdint.h>
#include <stdio.h>

#include "emitter.h"

enum em_side { EM_NONE = 0, EM_KERNEL = 1, EM_USER = 2 };

/* Access bits in per-field sets. */
enum { EM_IN = 1, EM_OUT = 2 };

/* Class of a parameter or return type, from libclang's canonical type. */
enum em_tclass {
	EM_T_VOID,
	EM_T_INT,        /* integer, enum, bool: size, is_signed */
	EM_T_PTR_STRUCT, /* pointer to struct/union sname */
	EM_T_STRING,     /* char * / const char * */
	EM_T_FNPTR,      /* pointer to function */
	EM_T_VOIDPTR,    /* void * */
	EM_T_PTR_SCALAR, /* pointer to one integer (in/out by value): sname = pointee spelling */
	EM_T_PTR_PTR,    /* struct T ** / void ** out-parameter: sname = T (or NULL), inner = "struct T *" */
	EM_T_STRV,       /* array of strings (const char *const names[]) */
	EM_T_OTHER,      /* anything else: struct by value, float, pointer to scalar ... */
};

struct em_type {
	enum em_tclass cls;
	int size;
	int is_signed;
	char *spelling; /* as written (typedef names kept), usable in declarations and casts */
	char *sname;    /* EM_T_PTR_STRUCT: struct name as in table struct */
	int pointee_const;
	int is_enum;
	char *inner;
	/* plan (plan_shapes.c, from annotations): */
	int count;      /* EM_T_PTR_SCALAR parameter: elements, from an annotation "func.param array N"
			 * (0: one) */
	int count_param; /* ... or "func.param array OTHERPARAM": index of the count parameter + 1 */
	char *count_expr; /* ... or "func.param array (C expression of the other parameters)" */
};

struct em_param {
	char *name;
	struct em_type t;
	/* plan (plan_shapes.c em_plan_extents): how the count was found ("loop `i < words` at
	 * FILE:LINE"), or, when nothing decides it for a pointer the body indexes, what was seen
	 * (undecided = 1) and the proposed annotation shape ("array words") or NULL */
	char *ext_src;
	int undecided;
	char *ext_prop;
};

struct em_func {
	int64_t id;
	char *usr, *name, *file, *signature;
	int line, col;
	int is_defined, is_driver, is_static, is_variadic, address_taken;
	enum em_side side;
	char *reason;        /* partition_func.reason */
	int replica;         /* side EM_KERNEL, replicated (partition_replica): the user half runs its
			      * own copy and its callers there call it locally */
	/* From libclang (clangscan.c); have_types = 0 until some TU declared it. */
	int have_types;
	int decl_tu;         /* index of the first TU that declared it (import stubs go there) */
	int types_from_def;  /* parameter names come from the definition, not a prototype */
	int noreturn;        /* declared __attribute__((noreturn)) */
	int local_def;       /* "import" that some TU defines (a header inline): runs locally */
	int inl_kernel;      /* header inline that calls a function defined outside the TU (the
			      * kernel), or whose result is a string the kernel owns */
	int macro;           /* not in the database: a kernel-header macro that initializes a
			      * kernel-owned object (INIT_WORK), found by the scan where its Linux
			      * expansion is inline code (clangscan.c em_scan_macro_imports): its
			      * row in kapi.c's table + 1 (em_init_macro_nth), 0 for the others */
	int nparams;
	struct em_param *params;
	struct em_type ret;
	/* plan (plan_cross.c): */
	int word_op;         /* atomic bit operation (set_bit, test_and_set_bit ...): from the user half a
			      * downcall on the kernel's copy of the word (plan_global.c) */
	int fmt_fwd;         /* printf-like variadic import called from the user half: the user half
			      * formats the message (vscnprintf) and sends it down as one string */
	int up;              /* 1: kernel -> user (served by the user half) */
	int down;            /* 1: user -> kernel (served by the kernel half) */
	int cross_id;        /* index in its id space, -1 if not crossing */
	int fp_id;           /* function-pointer id, -1 if none */
	char *idname;        /* name used in ids (name, or name__stem for clashing statics) */
	uint8_t *fset;       /* per global field index: EM_IN | EM_OUT (crossing functions only) */
	char *why;           /* why it crosses: "slot net_device_ops.ndo_open", "called by drv_open" */
	/* scan (nullscan.c), a driver function's body: per parameter EM_PN_* bits, and the calls
	 * it passes a parameter to as a whole argument */
	unsigned char *pnull;
	int npnull;
	struct em_pass *pass;
	int npass;
	/* scan (regscan.c), a driver function's body: integer parameters in the address of a
	 * register accessor (simsnd_read: readl(chip->regs + reg)) */
	struct em_regarg *regarg;
	int nregarg;
	int regscanned;
	/* plan (plan_marshal.c, em_plan_nonnull): parameter j must not be NULL (the function
	 * dereferences it): nonnull[j], nparams entries, NULL when none */
	unsigned char *nonnull;
};

/* A parameter's uses in a driver function's body (nullscan.c). */
enum { EM_PN_DEREF = 1, EM_PN_TESTED = 2, EM_PN_ASSIGNED = 4 };
struct em_pass {
	int param;    /* the parameter ... */
	char *callee; /* ... is argument arg of a call of callee (a name: function or macro) */
	int arg;
};

/* An integer parameter in the address of a register accessor (regscan.c). */
struct em_regarg {
	int param;           /* the parameter (an integer) ... */
	int base;            /* ... is added to a pointer member reached from this pointer parameter,
			      * -1 when none was seen */
	char *path;          /* ... at this C path below it ("->regs", "->hw.hw_addr") */
	char *sname, *fname; /* ... the member's struct and name */
	int width;           /* bytes the accessor reads or writes */
	int exact;           /* 1: the address is affine in the parameter (below); 0: other arithmetic */
	/* exact: the access is at member + scale * param + c, c a constant in [cmin, cmax] bytes
	 * (`regs + reg`: 1, 0, 0; e1000's E1000_WRITE_REG_ARRAY(hw, RA, (index << 1) + 1, v): 8 and
	 * E1000_RA + 4 or E1000_82542_RA + 4, the register chosen by a condition), through the
	 * integer term scale * param + t, t in [tmin, tmax], the code adds to a pointer */
	long long scale, cmin, cmax, tmin, tmax;
	int pio;             /* a port accessor (inb/outl ...): member is an integer port base */
	char *why;           /* !exact: why the arithmetic is not bounded (for interface.txt) */
	char *file;          /* where (the accessor's call) */
	unsigned line;
};

struct em_call {
	int caller, callee; /* func indexes */
	int spin_held;
	char *locks, *file;
	int line, col;
};

/* At most this many VALUE=MEMBER cases in a union annotation. */
#define EM_UNION_MAXCASES 32

/* Shapes of pointer fields. */
enum em_shape {
	EM_S_UNKNOWN = 0,
	EM_S_STRUCT,  /* pointer to a struct in the struct table */
	EM_S_ARRAY,   /* array; len_field (a field of the same struct) or len_const */
	EM_S_STRING,
	EM_S_OPAQUE,  /* handle only */
	EM_S_DMA,     /* DMA-coherent: handle only, user-half dereference is an error; on an
		       * array of pointers (kind "array"): every element is such a pointer */
	EM_S_MMIO,    /* ioremap'ed registers: handle only, user-half access is an error (on an
		       * array of pointers: every element) */
	EM_S_LIST,    /* singly linked list of target structs through the field shape_arg */
	EM_S_UNION,   /* embedded union with discriminator: shape_arg "DISC VALUE=MEMBER ..." */
	EM_S_FNPTR,   /* function pointer: never copied */
	EM_S_PRIV,    /* annotation "STRUCT.netdev_priv priv TYPE": the object is followed by a
		       * driver-private TYPE (alloc_etherdev), marshaled with it */
};

struct em_field {
	char *name, *type, *kind, *target;
	int size, array_count;
	int st;             /* owning struct index */
	int gidx;           /* global field index */
	int target_st;      /* pointer / embedded: struct index of target, -1 (plan_shapes.c sets
			     * it for a void * whose casts name a struct) */
	int str_lit, str_nonlit, str_fmt; /* char-pointer fields: string evidence (strscan.c) */
	char *disc_name;    /* embedded union: the field D of `switch (x->D)` statements whose cases */
	char **disc_ev;     /* ... reach members of this union through x: "VALUE=MEMBER" (shapescan.c) */
	int disc_nev, disc_conflict; /* ... and whether two switches named different fields */
	int arr_n, arr_other; /* pointer member: stores of a static array's address / of anything else */
	long arr_len;       /* ... the arrays' length (shapescan.c) */
	char *arr_name;     /* ... the first such array */
	int dmamap_n;       /* pointer member: streaming-DMA mappings of what it points to (shapescan.c) */
	char *dmamap_at;    /* ... the first: "dma_map_single_attrs at FILE:LINE in FUNC" */
	int elem_n, elem_other; /* array of pointers: stores of a pointer into the memory of pointer
			     * member elem_into - 1 (a global field index; `a[i] = &x->buf[k]`, `x->buf + k`),
			     * of anything else (shapescan.c) */
	int elem_into;
	char *elem_at;      /* ... the first such store: "FILE:LINE" */
	/* plan (plan_shapes.c): */
	enum em_shape shape;
	char *shape_arg;    /* array length field / list next / union discriminator */
	long len_const;
	char *shape_src;    /* where the shape came from ("alloc hw.c:13", "annotation", ...) */
	int list_link;      /* the NEXT field of a `list NEXT` shape, or the list_head member of
			     * a `list TYPE.MEMBER` element: never sent, the receiver rebuilds it
			     * from the order of the list's elements */
	int list_st;        /* embedded struct list_head with shape `list TYPE.MEMBER`: TYPE, else -1 */
};

/* Longest list (shape `list NEXT`) a crossing sends; a longer one fails the crossing. */
#define EM_LIST_MAX 256

struct em_struct {
	char *name;
	char *file;
	int line;
	int is_union;
	int size;
	int nfields;
	struct em_field *fields;
	int has_ptr;        /* contains pointers (recursively through embedded structs) */
	int is_driver;      /* declared in a driver file (else a kernel type) */
	int bare;           /* a field's type spells it without "struct " (a typedef of that name:
			     * the analyzer names anonymous structs by their typedef, atomic_t) */
	int type_id;        /* plan (plan_marshal.c): tracker type id, 0 = none */
};

struct em_access {
	int func;
	int gfield;
	int mode; /* EM_IN (read/addr) | EM_OUT (write/addr) */
};

struct em_tu {
	int64_t id;
	char *file;      /* main file, absolute */
	char *dir;
	char **args;
	int nargs;
	char *stem;      /* file name without .c, made C-identifier safe */
};

/* An annotation line. */
struct em_annot {
	char *field;     /* struct.field */
	enum em_shape shape;
	char *arg;
	int line;
	char *lib;       /* shape library: "FILE:LINE" of the entry (NULL: the user's annotation file) */
	char *note;      /* shape library: the entry's evidence comment */
};

struct em_byid {
	int64_t id;
	int idx;
};

struct em_scan;

/*
 * Evidence for the extent of a pointer parameter (shapescan.c; plan_shapes.c em_plan_extents turns
 * it into em_type count / count_param: docs/emitter.md "Parameter extents").
 */
enum em_ext_kind {
	EM_EXT_LOOP,    /* P[v] with `v < N` in the function, N an integer parameter (n = N's index) */
	EM_EXT_CONST,   /* P[k] with k a constant (n = largest k + 1) */
	EM_EXT_CALL,    /* P passed on as argument cpos of callee */
	EM_EXT_UNKNOWN, /* P[e] with e neither, or pointer arithmetic on P */
};

struct em_ext {
	int func, param;     /* model function, parameter index */
	enum em_ext_kind kind;
	int n;
	int esize;           /* bytes of one element of P (void: 1) */
	char *callee;        /* EM_EXT_CALL: its name, the argument position, the element bytes of */
	int cpos, csize;     /* ... the callee's parameter there (0: not known) */
	int argp[8];         /* ... per callee argument: index + 1 of the integer parameter of func passed
			      * there as it is, 0 */
	char *file;          /* where (first such use) */
	unsigned line, col;
};

struct em_model {
	struct kc_db *db;
	struct em_byid *byid; /* func ids sorted, for lookups */
	int *byusr;           /* func indexes sorted by USR */
	int64_t part_id;
	char *part_name;
	struct em_func *f;
	int nf;
	int nf_db;            /* the functions of the database: f[0 .. nf_db) sorted by name, with
			       * the id and USR indexes; macro imports (em_func.macro) follow */
	struct em_call *c;
	int nc;
	struct em_struct *s;
	int ns;
	struct em_field **gf; /* global field index -> field */
	int ngf;
	struct em_access *a;
	int na;
	struct em_tu *tus;
	int ntu;
	struct em_scan *scans; /* one per TU once scanned (scan.h: em_scan_all, em_scan_all_free) */
	struct em_ext *ext;   /* parameter extent evidence (shapescan.c) */
	int next;
	struct em_annot *ann; /* the shape library's entries (lib set) first, then the user's file */
	int nann;
	char *annot_path;
	int no_infer;         /* only the shape rules kcut had before the kernel-type inference
			       * (plan_shapes.c step 4b): `kcut annotate --no-inference`, for comparing */
	int priv_owner_st;    /* plan: struct followed by a private area (net_device), -1 */
	int priv_st;          /* plan: the private area's struct (simnic_adapter), -1 */
	int nup, ndown, nfp;  /* plan: number of upcall, downcall and function-pointer ids */
	int devacc;           /* plan (plan_region.c): enum em_devacc, how the user half reaches
			       * the device */
	int devacc_auto;      /* plan: the partition has no device_access parameter (kcut decided) */
	char *devacc_why;     /* plan: why (the parameter, or the user-half code that needs it) */
	FILE *diag;
	unsigned findings;
	uint64_t *seen;       /* hashes of the findings printed */
};

/* model.c */
int em_model_load(struct em_model *m, struct kc_db *db, const char *partition, struct kc_err *err);
void em_model_free(struct em_model *m);
int em_func_by_usr(const struct em_model *m, const char *usr);
int em_func_by_id(const struct em_model *m, int64_t id);
int em_func_name_known(const struct em_model *m, const char *name);
int em_struct_by_name(const struct em_model *m, const char *name);
struct em_field *em_field_by_name(const struct em_model *m, int st, const char *name);
/* printf to m->diag as a finding at file:line:col, counts it (each message once). */
void em_finding(struct em_model *m, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* annot.c */
int em_annot_load(struct em_model *m, const char *path, int must_exist, struct kc_err *err);
/* The kernel shape library (emitter/shapes/NAME.shapes, installed with kcut), then the .shapes files
 * of extra_dir (NULL: none; it wins over the library). Call before em_annot_load: the user's
 * annotations win over both. */
int em_shapes_load(struct em_model *m, const char *extra_dir, int no_builtin, struct kc_err *err);
const char *em_shapes_builtin_dir(void);
int em_shape_parse(enum em_shape *out, const char *word);
const char *em_shape_name(enum em_shape s);

/* kapi.c: kernel functions and types kcut knows by name */
int em_local_library(const char *name); /* memcpy, strscpy ...: never a downcall */
int em_link_assert(const char *name);   /* __bad_udelay ...: never called, never a downcall */
int em_deallocator(const char *name);   /* kfree, free_netdev ...: frees its first argument */
int em_word_op(const char *name);       /* set_bit, test_and_set_bit ...: a bit operation on a word */
int em_kernel_owned(const char *type);
/* A header inline that only computes from its argument's fields (resource_size): runs in the user
 * half, never a downcall. */
int em_local_inline(const char *name);
/* The i-th kernel-header macro that initializes a kernel-owned object with a driver function
 * (INIT_WORK ...), NULL past the end: evidence, the inline function its Linux expansion calls
 * (__init_work); obj, the object's struct; fn, the function parameter's type. */
const char *em_init_macro_nth(size_t i, const char **evidence, const char **obj, const char **fn);
/* The kernel half's test that a kernel import's object (argument 0) is in use, when the user
 * half may not initialize it then: a macro import's (work_pending ...), INIT_LIST_HEAD's
 * (kc_list_head_busy); else NULL. */
const char *em_import_busy(const struct em_func *f);
int em_null_ok(const char *name, int j, const char *sname); /* kfree(NULL) ...: NULL accepted */
int em_teardown_slot(const char *slot); /* snd_pcm_ops.close ...: called once, never retried */
/* print_hex_dump's buf ...: a kernel function's buffer parameter j sized by another parameter
 * (its index + 1) or by a constant count (-count), 0 when j is none */
int em_sized_param(const char *name, int j);
/* strlen, strscpy, memcpy ...: they dereference pointer parameter j (NULL oopses) */
int em_str_deref(const char *name, int j);
/* A kernel allocator: which parameter gives the element count (-1: one element, -2: a
 * net_device followed by a private area) and which the size. 1 when name is one. */
int em_fatal(const char *name);
int em_allocator(const char *name, int *count, int *size);
int em_allocator_queues(const char *name, int *q1, int *q2);

/* kapi_range.c: parameter j of kernel function name is an index the kernel does not bound itself
 * (snd_pcm_set_ops' direction): 1 and its range [lo, hi], else 0. */
int em_int_range(const char *name, int j, long long *lo, long long *hi);

/* Device access (issue 13, plan_region.c): how the user half reaches registers and DMA memory. */
enum em_devacc { EM_DA_NONE = 0, EM_DA_FORWARD = 1, EM_DA_MAPPED = 2 };
/* Region kinds, numbered as rt's enum kc_region_kind. */
enum em_region_kind { EM_R_MMIO = 1, EM_R_PIO = 2, EM_R_DMA = 3 };
/* A register accessor (readl, writeb, ioread32, inb, memcpy_toio ...): the name of rt's kc_io_*
 * function the user half calls instead, else NULL. */
const char *em_regio(const char *name);
/* The i-th accessor (NULL past the last) and its kc_io_* function. */
const char *em_regio_nth(size_t i, const char **io);
/* Barriers that flush the user half's posted register writes (wmb, mb ...), NULL-terminated. */
extern const char *const em_regio_barriers[];
/* A kernel function whose result or one parameter is a pointer into a device region
 * (dma_alloc_coherent's result, iounmap's argument): 1 with *ret the result's region kind (0
 * none), *param the parameter's index (-1 none) and *pkind its kind. */
int em_region_api(const char *name, int *ret, int *param, int *pkind);

#endif /* KC_EMIT_MODEL_H */
