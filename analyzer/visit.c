/*
 * visit.c - the per-translation-unit libclang pass: walks one parsed TU and stores its facts.
 *
 * Only declarations located in driver files (under a --driver directory) are entered; kernel headers
 * contribute the types and declarations they give the driver's code, nothing else. Inside a driver
 * function the walk keeps a stack of the enclosing cursors so that each node can be judged by its
 * context: an lvalue with no implicit conversion around it is the target of `=`, `++`, `--` or `&`,
 * a function name that is not a call's callee has its address taken, a call's position decides where
 * an allocation is stored, and so on. libclang 14 exposes no operator kinds, so these judgements are
 * structural (see docs/analyzer.md, "How read/write is decided").
 *
 * Macros: the driver-side position of a node is its file location (a macro body token maps to the
 * invocation, a macro argument token to where it was written); when the identifier written there is
 * not the node's own name and is followed by '(' it is the macro the node came from (INIT_WORK,
 * timer_setup, spin_lock_irqsave, module_param ...).
 *
 * Locks: the set of locks held at each call site is flow-sensitive; statements that change the
 * flow of control are walked child by child (walk_flow), loops and backward gotos re-walked "dry"
 * (nothing stored) until the lock state is stable (docs/analyzer.md, "Locks").
 *
 * Writes go straight to the database through prepared statements; the caller holds the writer lock
 * and the TU's transaction is open (analyze.c).
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1024
#define MAX_HELD 8       /* locks tracked at once per program point (more are dropped) */
#define LOCK_EXPR_MAX 64 /* a lock expression longer than this is truncated */
#define MAX_CTL 32       /* nesting of loops and switches tracked */
#define MAX_LABELS 32    /* goto labels tracked per function */
#define MAX_INLINE 8     /* kernel-header inline functions followed this deep (inline_access) */

enum {
	S_FILE, S_FUNC_REF, S_FUNC_DEF, S_PARAM, S_ADDR_TAKEN, S_CALL, S_ICALL, S_REG, S_GLOBAL_REF,
	S_GLOBAL_DEF, S_GACCESS, S_STRUCT_GET, S_STRUCT_DEL, S_STRUCT_INS, S_FIELD_INS, S_FACCESS,
	S_ALLOC, S_LOCK, S_SHAPE, S_TU_ALIVE, S_SEEN, S_UNSEEN, S_ADDR_EVID, S_IACCESS, S_ALLOC_FIELD, S_PFLOW, S_LOOP, S_FCONST,
	S_LEXIT, S_COUNT
};

static const char *const sql_text[S_COUNT] = {
	[S_FILE] = "INSERT INTO file(path, is_driver) VALUES(?1, ?2) ON CONFLICT(path) DO UPDATE SET "
		   "is_driver = excluded.is_driver RETURNING id",
	[S_FUNC_REF] = "INSERT INTO func(usr, name, is_driver, file_id, line, col, is_static, is_variadic, "
		       "signature, return_type) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
		       "ON CONFLICT(usr) DO UPDATE SET name = excluded.name RETURNING id, is_defined, tu_id",
	[S_FUNC_DEF] = "UPDATE func SET is_defined = 1, is_driver = ?2, file_id = ?3, line = ?4, col = ?5, "
		       "end_line = ?6, loc = ?7, is_static = ?8, is_inline = ?9, is_variadic = ?10, "
		       "signature = ?11, return_type = ?12, macro = ?13, tu_id = ?14 WHERE id = ?1",
	[S_PARAM] = "INSERT OR REPLACE INTO param(func_id, idx, name, type, is_struct_ptr, struct_name) "
		    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_ADDR_TAKEN] = "UPDATE func SET address_taken = 1 WHERE id = ?1 AND address_taken = 0",
	[S_CALL] = "INSERT INTO call(caller_id, callee_id, kind, file_id, line, col, count, loop_depth, "
		   "spin_held, locks_held, macro) VALUES(?1, ?2, 'direct', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_ICALL] = "INSERT INTO icall(caller_id, slot, fn_type, expr, file_id, line, col, count, loop_depth, "
		    "spin_held, locks_held, macro) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[S_REG] = "INSERT INTO registration(func_id, kind, struct_name, field, var, api, arg_idx, macro, "
		  "by_func_id, file_id, line, col, tu_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
		  "?12, ?13)",
	[S_GLOBAL_REF] = "INSERT INTO global(usr, name, type, is_driver, is_static, is_const, file_id, line, "
			 "col) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(usr) DO UPDATE SET "
			 "name = excluded.name RETURNING id",
	[S_GLOBAL_DEF] = "UPDATE global SET is_defined = 1, is_driver = ?2, file_id = ?3, line = ?4, "
			 "col = ?5, type = ?6, is_static = ?7, is_const = ?8 WHERE id = ?1",
	[S_GACCESS] = "INSERT INTO global_access(func_id, global_id, mode, file_id, line, col) "
		      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_STRUCT_GET] = "SELECT id FROM struct WHERE name = ?1 AND module = ?2",
	[S_STRUCT_DEL] = "DELETE FROM struct WHERE name = ?1 AND module = ?2",
	[S_STRUCT_INS] = "INSERT INTO struct(name, kind, size, is_driver, file_id, line, module) "
			 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[S_FIELD_INS] = "INSERT OR IGNORE INTO field(struct_id, idx, name, type, kind, offset_bits, size, "
			"array_count, bit_width, target) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_FACCESS] = "INSERT INTO field_access(func_id, struct_name, field, mode, root_kind, root_idx, "
		      "root_name, path, file_id, line, col, via) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		      "?10, ?11, ?12)",
	[S_ALLOC] = "INSERT INTO alloc(func_id, allocator, size_expr, count_expr, elem_type, store_kind, "
		    "store_struct, store_field, store_var, file_id, line, col, kind) VALUES(?1, ?2, ?3, ?4, ?5, "
		    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[S_LOCK] = "INSERT INTO lock_op(func_id, op, api, lock_kind, lock_expr, irq, file_id, line, col) "
		   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_SHAPE] = "INSERT INTO shape_evidence(struct_name, field, evidence, detail, func_id, file_id, line, "
		    "col) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_TU_ALIVE] = "SELECT 1 FROM tu WHERE id = ?1",
	[S_SEEN] = "INSERT OR IGNORE INTO temp.seen_struct(name) VALUES(?1)",
	[S_UNSEEN] = "DELETE FROM temp.seen_struct WHERE name = ?1",
	[S_ADDR_EVID] = "INSERT OR IGNORE INTO func_addr(func_id, tu_id) VALUES(?1, ?2)",
	[S_ALLOC_FIELD] = "UPDATE alloc SET store_kind = 'field', store_struct = ?2, store_field = ?3 "
			  "WHERE id = ?1 AND store_kind = 'var'",
	[S_PFLOW] = "INSERT INTO ptr_flow(func_id, kind, struct_name, field, callee_id, macro, arg_idx, detail, "
		    "file_id, line, col) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[S_LOOP] = "INSERT INTO loop(func_id, kind, depth, file_id, line, col, end_line, end_col, bound_kind, trips, "
		   "bound_struct, bound_field, bound_expr, early_exit) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		   "?11, ?12, ?13, ?14)",
	[S_FCONST] = "INSERT INTO field_const(func_id, struct_name, field, value, file_id, line, col) "
		     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_LEXIT] = "INSERT INTO loop_exit(func_id, leaves, file_id, line, col, end_line, end_col) "
		    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_IACCESS] = "INSERT INTO inline_access(func_id, inline_name, struct_name, field, mode, path, file_id, "
		      "line, col) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
};

struct fileinfo {
	CXFile f;
	long long id;
	int is_driver;
	const char *buf;
	size_t len;
	unsigned *loc_pre; /* kc_loc_index of buf, built on the first count_loc */
	unsigned loc_nlines;
};

/* A position in a source file (see cursor_pos). */
struct pos {
	struct fileinfo *fi;
	unsigned line, col, off;
};

struct frame {
	CXCursor c;
	enum CXCursorKind k;
	unsigned nchild; /* children visited so far */
	unsigned idx;    /* this node's index among its parent's children */
};

struct held {
	char expr[LOCK_EXPR_MAX];
	int spin; /* a spinlock or rwlock (what call.spin_held reports) */
};

/* The locks held at a program point: every lock held on at least one path reaching it ("maybe
 * held" counts as held), in acquisition order. dead: no path reaches the point (after return,
 * break, continue, goto); a dead set is the identity of ls_merge. */
struct lockset {
	struct held h[MAX_HELD];
	int n;
	int dead;
};

struct site {
	long long callee; /* direct: callee func id */
	char *slot, *fn_type, *expr; /* indirect */
	long long file_id;
	unsigned line, col;
	int count, loop_depth;
	struct lockset ls; /* union of the locksets of every walk through the site */
	char *macro;
};

/* An enclosing loop or switch: where break (and, for loops, continue) states collect. */
struct ctl {
	int is_loop;
	int depth;           /* loop: its depth (fn->loop_depth in its body, as the loop facts count) */
	int lrec;            /* loop: its entry in fn->lrec (loop facts), -1 when not recorded */
	int has_default;     /* switch: a default label was seen */
	struct lockset entry; /* switch: the state on entry (flows to every case label) */
	struct lockset brk, cont;
};

/* A goto label: the states of the gotos that jump to it, and the state it was last passed with. */
struct label {
	CXCursor c;
	struct lockset pend, seen;
	int passed;
};

struct fn {
	long long id;
	CXCursor c;
	CXCursor params[64];
	unsigned nparams;
	int loop_depth;
	int unevaluated;
	/* flow-sensitive lock state (see "Locks" in docs/analyzer.md) */
	struct lockset cur;    /* locks held at the current point of the walk */
	int dry;               /* > 0: re-walk for lock states only: store nothing, widen site locksets */
	int rewalk;            /* a backward goto brought locks to a label already passed */
	struct ctl ctl[MAX_CTL];
	int nctl;
	/* the loops being walked, outermost first (loop facts): can a break or return leave it early
	 * (a goto out of a loop is the error path, kernel style: not counted) */
	struct {
		int exits;
	} lrec[MAX_CTL];
	int nlrec;
	struct label labels[MAX_LABELS];
	int nlabels;
	struct held try_h;     /* the last trylock of the walk, not yet consumed by a condition */
	int have_try, try_was_held, try_true;
	unsigned last_lock_off, last_alloc_off; /* dedupe macro-expanded sites */
	long long last_lock_file, last_alloc_file;
	struct site *sites;
	size_t nsites, capsites;
	/* local function-pointer variables and the functions assigned to them (in source order), so
	 * that `handler = e1000_intr; request_irq(irq, handler, ...)` registers e1000_intr */
	struct {
		CXCursor var, func;
	} fvars[32];
	int nfvars;
	/* locals holding register or DMA memory from an alloc site still stored as 'var' (alloc_event,
	 * local_to_field) */
	struct {
		CXCursor var;
		long long alloc_id;
	} avars[16];
	int navars;
	/* pointer flow (ptr_flow): call arguments that are a local, resolved at the end of the function
	 * against the locals assigned from or stored into a pointer field (links); the parameters
	 * already recorded as dereferenced / indexed / offset (pev: one bit per evidence) */
	struct {
		CXCursor var;
		long long callee;
		char *macro;
		int idx;
		struct pos p;
	} pargs[32];
	int npargs;
	struct {
		CXCursor var;
		char *sname, *fname;
	} links[32];
	int nlinks;
	unsigned char pev[64];
	/* driver tables with offsetof() initializers this function already uses (offsetof_table) */
	CXCursor offtabs[16];
	int noff;
	/* kernel-header inline functions being walked for inline_access (inline_body) */
	int inl;              /* > 0: inside one; only field accesses and nested inline calls count */
	char *inl_name;       /* the outermost one, called by the driver function */
	struct pos inl_pos;   /* its call site */
	CXCursor inl_seen[64]; /* definitions already walked for this function */
	int ninl_seen;
	char **inl_keys;      /* inline_access rows stored for this function (macro-duplicated
			       * arguments, as in Linux's test_bit, would repeat them) */
	size_t ninl_keys;
};

struct vctx {
	struct kc_run *run;
	CXTranslationUnit tu;
	long long tu_id;
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	struct fileinfo *files; /* open-addressed by CXFile pointer */
	size_t nfiles_cap;
	struct frame stack[MAX_DEPTH];
	int depth;
	struct fn *fn;
	const char *topvar; /* name of the VarDecl whose initializer we are in */
	struct kc_err *err;
	int rc;
	char **structs_done; /* struct names written by this TU */
	size_t nstructs, capstructs;
	CXCursor *no_offsetof; /* global definitions whose initializer has no offsetof (offsetof_table) */
	size_t nno_offsetof;
	char *module; /* tu.module (whole-tree database), or NULL */
};

/* ---- small helpers ------------------------------------------------------------------------ */

static char *cxstr(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = kc_xstrdup(c ? c : "");

	clang_disposeString(s);
	return r;
}

/* Record the first database error (with SQLite's message) in the walk; later ones are dropped. */
static int db_fail(struct vctx *v, const char *what)
{
	if (!v->rc)
		v->rc = kc_err_set(v->err, KC_EDB, "%s: %s", what, sqlite3_errmsg(v->db));
	return v->rc;
}

/* One of the TU's prepared statements, reset and with its bindings cleared. */
static sqlite3_stmt *stmt(struct vctx *v, int which)
{
	sqlite3_stmt *s = v->st[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_id(sqlite3_stmt *s, int i, long long id)
{
	if (id > 0)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

/* Run a statement that returns no row. */
static void run_stmt(struct vctx *v, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		db_fail(v, what);
	sqlite3_reset(s);
}

int kc_is_driver_path(const struct kc_run *run, const char *path)
{
	size_t i;

	for (i = 0; i < run->ndrivers; i++)
		if (kc_path_under(path, run->drivers[i]))
			return 1;
	return 0;
}

/* File info for a CXFile (cached per TU): database id, driver membership, contents. */
static struct fileinfo *file_info(struct vctx *v, CXFile f)
{
	size_t h, i;
	struct fileinfo *fi = NULL;
	char *path;
	sqlite3_stmt *s;

	if (!f)
		return NULL;
	h = ((uintptr_t)f >> 4) * 2654435761u;
	for (i = 0; i < v->nfiles_cap; i++) {
		fi = &v->files[(h + i) % v->nfiles_cap];
		if (fi->f == f)
			return fi;
		if (!fi->f)
			break;
	}
	if (i == v->nfiles_cap)
		return NULL; /* table full: cannot happen with the sizes we use */
	fi->f = f;
	path = cxstr(clang_File_tryGetRealPathName(f));
	if (!path[0]) {
		char *n = cxstr(clang_getFileName(f));

		free(path);
		path = kc_path_canon(n);
		free(n);
	}
	fi->is_driver = kc_is_driver_path(v->run, path);
	fi->buf = clang_getFileContents(v->tu, f, &fi->len);
	s = stmt(v, S_FILE);
	bind_text(s, 1, path);
	sqlite3_bind_int(s, 2, fi->is_driver);
	if (sqlite3_step(s) == SQLITE_ROW)
		fi->id = sqlite3_column_int64(s, 0);
	else
		db_fail(v, "storing a file");
	sqlite3_reset(s);
	free(path);
	return fi;
}

/* The file location of a cursor, with its file: where the user wrote it. A token of a macro's body
 * maps to the macro invocation, a token of a macro argument to where the argument was written. */
static struct pos cursor_pos(struct vctx *v, CXCursor c)
{
	struct pos p = { 0 };
	CXFile f = NULL;

	clang_getSpellingLocation(clang_getCursorLocation(c), &f, &p.line, &p.col, &p.off);
	p.fi = file_info(v, f);
	return p;
}

static long long pos_file(const struct pos *p)
{
	return p->fi ? p->fi->id : 0;
}

static void bind_pos(sqlite3_stmt *s, int i, const struct pos *p)
{
	bind_id(s, i, pos_file(p));
	sqlite3_bind_int(s, i + 1, (int)p->line);
	sqlite3_bind_int(s, i + 2, (int)p->col);
}

/* The identifier written at a position, or NULL. */
static char *ident_at(const struct pos *p, int *followed_by_paren)
{
	const char *b, *e, *end;

	*followed_by_paren = 0;
	if (!p->fi || !p->fi->buf || p->off >= p->fi->len)
		return NULL;
	b = p->fi->buf + p->off;
	end = p->fi->buf + p->fi->len;
	if (!(isalpha((unsigned char)*b) || *b == '_'))
		return NULL;
	for (e = b; e < end && (isalnum((unsigned char)*e) || *e == '_'); e++)
		;
	{
		const char *q = e;

		while (q < end && isspace((unsigned char)*q))
			q++;
		*followed_by_paren = q < end && *q == '(';
	}
	{
		char *r = kc_xmalloc((size_t)(e - b) + 1);

		memcpy(r, b, (size_t)(e - b));
		r[e - b] = '\0';
		return r;
	}
}

/* The macro a node at p came from, given the name the node itself would have written there (the
 * callee's name for a call, the function's name for a definition; NULL when it has none). */
static char *macro_at(const struct pos *p, const char *own_name)
{
	int paren;
	char *id = ident_at(p, &paren);

	if (!id)
		return NULL;
	if (!paren || (own_name && !strcmp(id, own_name))) {
		free(id);
		return NULL;
	}
	return id;
}

/* Arguments of the macro or function call written at p ("name(a, b)"): the text of argument n, or
 * NULL. Used for macro-expanded lock and allocation calls, whose arguments are not in the AST as
 * written. */
static char *call_arg_text(const struct pos *p, int n)
{
	const char *s, *end;
	int depth = 0, cur = 0;
	const char *argb = NULL;

	if (!p->fi || !p->fi->buf || p->off >= p->fi->len)
		return NULL;
	s = p->fi->buf + p->off;
	end = p->fi->buf + p->fi->len;
	while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s >= end || *s != '(')
		return NULL;
	argb = ++s;
	for (; s < end; s++) {
		char c = *s;

		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if ((c == ',' && depth == 0) || (c == ')' && depth == 0)) {
			if (cur == n) {
				const char *b = argb, *e = s;
				struct kc_sb sb = { 0 };

				while (b < e && isspace((unsigned char)*b))
					b++;
				while (e > b && isspace((unsigned char)e[-1]))
					e--;
				for (; b < e; b++) {
					if (isspace((unsigned char)*b)) {
						if (sb.len && sb.s[sb.len - 1] != ' ')
							kc_sb_add(&sb, " ");
					} else {
						kc_sb_addn(&sb, b, 1);
					}
				}
				return sb.s ? kc_sb_steal(&sb) : kc_xstrdup("");
			}
			if (c == ')')
				return NULL;
			cur++;
			argb = s + 1;
		} else if (c == '"' || c == '\'') {
			char q = c;

			for (s++; s < end && *s != q; s++)
				if (*s == '\\')
					s++;
		}
	}
	return NULL;
}

struct kids {
	CXCursor c[16];
	unsigned n;
};

/* clang_visitChildren callback collecting up to 16 direct children. */
static enum CXChildVisitResult kids_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct kids *k = d;

	(void)parent;
	if (k->n < KC_ARRAY_SIZE(k->c))
		k->c[k->n] = c;
	k->n++;
	return CXChildVisit_Continue;
}

/* The first (up to 16) direct children of a cursor. */
static struct kids children(CXCursor c)
{
	struct kids k = { .n = 0 };

	clang_visitChildren(c, kids_cb, &k);
	if (k.n > KC_ARRAY_SIZE(k.c))
		k.n = KC_ARRAY_SIZE(k.c);
	return k;
}

/* Implicit conversions (libclang shows them as UnexposedExpr), parentheses and casts. */
static int is_cast_like(CXCursor c)
{
	enum CXCursorKind k = clang_getCursorKind(c);

	return k == CXCursor_UnexposedExpr || k == CXCursor_ParenExpr || k == CXCursor_CStyleCastExpr;
}

/* Strip implicit conversions, parentheses and casts. */
static CXCursor strip(CXCursor c)
{
	while (is_cast_like(c)) {
		struct kids k = children(c);

		if (k.n != 1)
			break;
		c = k.c[0];
	}
	return c;
}

static int type_is_pointer(CXType t)
{
	return clang_getCanonicalType(t).kind == CXType_Pointer;
}

/* Is c an lvalue expression used as such (member, variable, parameter, subscript, *p), i.e.
 * not wrapped in an lvalue-to-rvalue conversion? See docs/analyzer.md, "How read/write is decided". */
static int is_lvalue_form(CXCursor c)
{
	enum CXCursorKind k;

	while (clang_getCursorKind(c) == CXCursor_ParenExpr) {
		struct kids kk = children(c);

		if (kk.n != 1)
			return 0;
		c = kk.c[0];
	}
	k = clang_getCursorKind(c);
	if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr)
		return 1;
	if (k == CXCursor_DeclRefExpr) {
		enum CXCursorKind r = clang_getCursorKind(clang_getCursorReferenced(c));

		return r == CXCursor_VarDecl || r == CXCursor_ParmDecl;
	}
	if (k == CXCursor_UnaryOperator) {
		struct kids kk = children(c);
		CXType ot, rt;

		if (kk.n != 1)
			return 0;
		ot = clang_getCanonicalType(clang_getCursorType(kk.c[0]));
		rt = clang_getCanonicalType(clang_getCursorType(c));
		return ot.kind == CXType_Pointer &&
		       clang_equalTypes(clang_getCanonicalType(clang_getPointeeType(ot)), rt);
	}
	return 0;
}

/* Is the text between the end of a and the start of b, both written in the same file, a lone ","?
 * (The comma operator is the one other binary operator whose left lvalue is not converted.) */
static int comma_between(CXTranslationUnit tu, CXCursor a, CXCursor b)
{
	CXFile fa = NULL, fb = NULL;
	unsigned la, ca, oa, lb, cb, ob;
	const char *buf;
	size_t len, i;

	clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(a)), &fa, &la, &ca, &oa);
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(b)), &fb, &lb, &cb, &ob);
	if (!fa || fa != fb || ob <= oa || ob - oa > 256)
		return 0;
	buf = clang_getFileContents(tu, fa, &len);
	if (!buf || ob > len)
		return 0;
	for (i = oa; i < ob; i++)
		if (buf[i] == '=')
			return 0;
	for (i = oa; i < ob; i++)
		if (buf[i] == ',')
			return 1;
	return 0;
}

/* A BinaryOperator is an assignment iff its left operand is an lvalue not converted to an rvalue
 * (and the operator is not a comma). */
static int binop_is_assign(CXCursor binop)
{
	struct kids k = children(binop);

	return k.n == 2 && is_lvalue_form(k.c[0]) &&
	       !comma_between(clang_Cursor_getTranslationUnit(binop), k.c[0], k.c[1]);
}

/* For a UnaryOperator whose operand is an lvalue used as such: 1 for ++/--, 2 for &, 0 otherwise. */
static int unop_lvalue_kind(CXCursor unop)
{
	struct kids k = children(unop);
	CXType ot, rt;

	if (k.n != 1 || !is_lvalue_form(k.c[0]))
		return 0;
	ot = clang_getCanonicalType(clang_getCursorType(k.c[0]));
	rt = clang_getCanonicalType(clang_getCursorType(unop));
	if (clang_equalTypes(ot, rt))
		return 1;
	if (rt.kind == CXType_Pointer)
		return 2;
	return 0;
}

/* Name for a record declaration: its tag, else the enclosing record's name + "::<anon>", else
 * "anon@file:line". */
static char *record_name(struct vctx *v, CXCursor decl)
{
	char *n = cxstr(clang_getCursorSpelling(decl));
	struct pos p;
	struct kc_sb sb = { 0 };

	if (n[0] && !strstr(n, "(anonymous") && !strstr(n, "(unnamed"))
		return n;
	free(n);
	p = cursor_pos(v, decl);
	{
		CXCursor par = clang_getCursorSemanticParent(decl);
		enum CXCursorKind pk = clang_getCursorKind(par);

		if (pk == CXCursor_StructDecl || pk == CXCursor_UnionDecl) {
			char *pn = record_name(v, par);

			kc_sb_addf(&sb, "%s::<anon@%u>", pn, p.line);
			free(pn);
			return kc_sb_steal(&sb);
		}
	}
	{
		CXFile f = NULL;
		unsigned line, col, off;
		char *fname;
		const char *base;

		clang_getExpansionLocation(clang_getCursorLocation(decl), &f, &line, &col, &off);
		fname = f ? cxstr(clang_getFileName(f)) : kc_xstrdup("?");
		base = strrchr(fname, '/');
		kc_sb_addf(&sb, "anon@%s:%u", base ? base + 1 : fname, line);
		free(fname);
	}
	return kc_sb_steal(&sb);
}

/* Name for a record type as used: typedef name for an anonymous record reached through a typedef. */
static char *type_record_name(struct vctx *v, CXType t)
{
	CXType ct = clang_getCanonicalType(t);
	CXCursor d = clang_getTypeDeclaration(ct);

	char *name;

	if (ct.kind != CXType_Record)
		return NULL;
	name = record_name(v, d);
	if (!strncmp(name, "anon@", 5)) {
		CXType s = t;

		while (s.kind == CXType_Elaborated)
			s = clang_Type_getNamedType(s);
		if (s.kind == CXType_Typedef) {
			free(name);
			return cxstr(clang_getTypedefName(s));
		}
	}
	return name;
}

/* The outermost named record containing a field (anonymous struct/union members belong to it). */
static CXCursor named_record_of_field(CXCursor field)
{
	CXCursor r = clang_getCursorSemanticParent(field);

	while (clang_Cursor_isAnonymousRecordDecl(r)) {
		CXCursor p = clang_getCursorSemanticParent(r);
		enum CXCursorKind k = clang_getCursorKind(p);

		if (k != CXCursor_StructDecl && k != CXCursor_UnionDecl)
			break;
		r = p;
	}
	return r;
}

/* ---- struct definitions ----------------------------------------------------------------- */

struct fields_ctx {
	struct vctx *v;
	long long sid;
	int idx, anon;
};

static void ensure_struct_decl(struct vctx *v, CXCursor decl, const char *name);

/* clang_Type_visitFields callback: store one field of the struct being written (fields_ctx). */
static enum CXVisitorResult field_cb(CXCursor c, CXClientData d)
{
	struct fields_ctx *fc = d;
	struct vctx *v = fc->v;
	CXType t = clang_getCursorType(c);
	CXType ct = clang_getCanonicalType(t);
	char *name = cxstr(clang_getCursorSpelling(c));
	char *type = cxstr(clang_getTypeSpelling(t));
	char *target = NULL;
	const char *kind = "scalar";
	long long size = clang_Type_getSizeOf(t), count = -1, width = -1, off;
	sqlite3_stmt *s;

	if (!name[0]) {
		free(name);
		name = kc_xmalloc(32);
		snprintf(name, 32, "<anon %d>", fc->anon++);
	}
	if (clang_Cursor_isBitField(c)) {
		kind = "bitfield";
		width = clang_getFieldDeclBitWidth(c);
	} else if (ct.kind == CXType_Pointer) {
		CXType pt = clang_getCanonicalType(clang_getPointeeType(ct));

		if (pt.kind == CXType_FunctionProto || pt.kind == CXType_FunctionNoProto) {
			kind = "funcptr";
			target = cxstr(clang_getTypeSpelling(pt));
		} else {
			kind = "pointer";
			target = type_record_name(v, clang_getPointeeType(t));
			if (!target)
				target = cxstr(clang_getTypeSpelling(pt));
		}
	} else if (ct.kind == CXType_ConstantArray || ct.kind == CXType_IncompleteArray) {
		CXType et = clang_getArrayElementType(ct);

		kind = "array";
		count = ct.kind == CXType_ConstantArray ? clang_getArraySize(ct) : 0;
		target = type_record_name(v, et);
		if (!target)
			target = cxstr(clang_getTypeSpelling(et));
	} else if (ct.kind == CXType_Record) {
		CXCursor rd = clang_getTypeDeclaration(ct);

		kind = clang_getCursorKind(rd) == CXCursor_UnionDecl ? "union" : "struct";
		target = type_record_name(v, t);
	} else if (ct.kind == CXType_Enum) {
		kind = "enum";
	}
	off = clang_Cursor_getOffsetOfField(c);
	s = stmt(v, S_FIELD_INS);
	sqlite3_bind_int64(s, 1, fc->sid);
	sqlite3_bind_int(s, 2, fc->idx++);
	bind_text(s, 3, name);
	bind_text(s, 4, type);
	bind_text(s, 5, kind);
	if (off >= 0)
		sqlite3_bind_int64(s, 6, off);
	if (size >= 0)
		sqlite3_bind_int64(s, 7, size);
	if (count >= 0)
		sqlite3_bind_int64(s, 8, count);
	if (width >= 0)
		sqlite3_bind_int64(s, 9, width);
	bind_text(s, 10, target);
	run_stmt(v, s, "storing a field");
	/* an anonymous struct or union member ('outer::<anon@LINE>') and any embedded union are
	 * stored with their fields too: nothing else may name their type, and the emitter needs the
	 * members (a union holding pointers must not cross as raw bytes) */
	if (!v->rc && target && ((!strcmp(kind, "struct") && strstr(target, "::<anon@")) || !strcmp(kind, "union")))
		ensure_struct_decl(v, clang_getTypeDeclaration(ct), target);
	free(name);
	free(type);
	free(target);
	return v->rc ? CXVisit_Break : CXVisit_Continue;
}

/* Has this TU already handled the struct named name? Marks it handled when not. */
static int struct_done(struct vctx *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nstructs; i++)
		if (!strcmp(v->structs_done[i], name))
			return 1;
	if (v->nstructs == v->capstructs) {
		v->capstructs = v->capstructs ? v->capstructs * 2 : 64;
		v->structs_done = kc_xrealloc(v->structs_done, v->capstructs * sizeof(char *));
	}
	v->structs_done[v->nstructs++] = kc_xstrdup(name);
	return 0;
}

/* Store a record type (once per TU; a complete definition replaces what an earlier run stored). */
static void ensure_struct_decl(struct vctx *v, CXCursor decl, const char *name)
{
	CXCursor def = clang_getCursorDefinition(decl);
	int complete = !clang_Cursor_isNull(def);
	CXType t;
	sqlite3_stmt *s;
	long long sid = 0, size;
	int have = 0;
	struct pos p;
	struct fields_ctx fc = { .v = v };
	const char *smod;
	struct kc_sb key = { 0 };

	if (struct_done(v, name))
		return;
	/* whole-tree database: a driver's struct belongs to the TU's module (schema.sql, struct) */
	p = cursor_pos(v, complete ? def : decl);
	smod = v->module && p.fi && p.fi->is_driver ? v->module : "";
	kc_sb_addf(&key, "%s|%s", smod, name);
	/* once per run: the first TU that sees the complete definition (re)writes it */
	s = stmt(v, S_SEEN);
	bind_text(s, 1, key.s);
	run_stmt(v, s, "noting a struct");
	if (sqlite3_changes(v->db) == 0)
		goto out;
	s = stmt(v, S_STRUCT_GET);
	bind_text(s, 1, name);
	bind_text(s, 2, smod);
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (!complete) {
		/* let a later TU that has the definition write it */
		s = stmt(v, S_UNSEEN);
		bind_text(s, 1, key.s);
		run_stmt(v, s, "noting a struct");
		if (have)
			goto out;
	} else if (have) {
		s = stmt(v, S_STRUCT_DEL);
		bind_text(s, 1, name);
		bind_text(s, 2, smod);
		run_stmt(v, s, "replacing a struct");
	}
	if (complete)
		decl = def;
	t = clang_getCursorType(decl);
	p = cursor_pos(v, decl);
	size = clang_Type_getSizeOf(t);
	s = stmt(v, S_STRUCT_INS);
	bind_text(s, 1, name);
	bind_text(s, 2, clang_getCursorKind(decl) == CXCursor_UnionDecl ? "union" : "struct");
	if (complete && size >= 0)
		sqlite3_bind_int64(s, 3, size);
	sqlite3_bind_int(s, 4, p.fi ? p.fi->is_driver : 0);
	bind_id(s, 5, pos_file(&p));
	sqlite3_bind_int(s, 6, (int)p.line);
	bind_text(s, 7, smod);
	if (sqlite3_step(s) == SQLITE_ROW)
		sid = sqlite3_column_int64(s, 0);
	else
		db_fail(v, "storing a struct");
	sqlite3_reset(s);
	if (sid && complete) {
		fc.sid = sid;
		clang_Type_visitFields(t, field_cb, &fc);
	}
out:
	kc_sb_free(&key);
}

/* Store the record type t (through typedefs) and return its name (caller frees), or NULL. */
static char *ensure_struct_type(struct vctx *v, CXType t)
{
	char *name = type_record_name(v, t);

	if (name)
		ensure_struct_decl(v, clang_getTypeDeclaration(clang_getCanonicalType(t)), name);
	return name;
}

/* ---- functions and globals --------------------------------------------------------------- */

/* The key of a function or global: its USR, prefixed with 'M:<module>|' in a TU that belongs to a
 * module (whole-tree database: every module has its own rows, schema.sql). Takes usr, returns the
 * key (caller frees). */
static char *module_usr(struct vctx *v, char *usr)
{
	struct kc_sb sb = { 0 };

	if (!v->module)
		return usr;
	kc_sb_addf(&sb, "M:%s|%s", v->module, usr);
	free(usr);
	return kc_sb_steal(&sb);
}

/* The USR of a declaration, made unique across files for internal linkage (kc_db_internal_key:
 * clang's USR of a static function or variable holds only the file's base name). The path is the
 * definition's file when the TU has the definition, else the first declaration's. */
static char *decl_usr(CXCursor c)
{
	CXCursor canon = clang_getCanonicalCursor(c), def;
	char *usr = cxstr(clang_getCursorUSR(canon)), *path, *key;
	CXFile f = NULL;

	if (clang_getCursorLinkage(canon) != CXLinkage_Internal)
		return usr;
	def = clang_getCursorDefinition(canon);
	if (clang_Cursor_isNull(def))
		def = canon;
	clang_getExpansionLocation(clang_getCursorLocation(def), &f, NULL, NULL, NULL);
	if (!f)
		return usr;
	path = cxstr(clang_File_tryGetRealPathName(f));
	if (!path[0]) {
		char *n = cxstr(clang_getFileName(f));

		free(path);
		path = kc_path_canon(n);
		free(n);
	}
	key = kc_db_internal_key(usr, path);
	free(usr);
	free(path);
	return key;
}

/* Find or create the func row for a function declaration (not its definition). */
static long long func_ref(struct vctx *v, CXCursor c, int *is_defined, long long *owner_tu)
{
	CXCursor canon = clang_getCanonicalCursor(c);
	char *usr = module_usr(v, decl_usr(canon));
	char *name = cxstr(clang_getCursorSpelling(canon));
	CXType ft = clang_getCursorType(canon);
	char *sig = cxstr(clang_getTypeSpelling(clang_getCanonicalType(ft)));
	char *ret = cxstr(clang_getTypeSpelling(clang_getResultType(ft)));
	struct pos p = cursor_pos(v, canon);
	sqlite3_stmt *s = stmt(v, S_FUNC_REF);
	long long id = 0;

	bind_text(s, 1, usr);
	bind_text(s, 2, name);
	sqlite3_bind_int(s, 3, 0);
	bind_pos(s, 4, &p);
	sqlite3_bind_int(s, 7, clang_Cursor_getStorageClass(canon) == CX_SC_Static);
	sqlite3_bind_int(s, 8, clang_isFunctionTypeVariadic(ft) == 1);
	bind_text(s, 9, sig);
	bind_text(s, 10, ret);
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (is_defined)
			*is_defined = sqlite3_column_int(s, 1);
		if (owner_tu)
			*owner_tu = sqlite3_column_int64(s, 2);
	} else {
		db_fail(v, "storing a function");
	}
	sqlite3_reset(s);
	free(usr);
	free(name);
	free(sig);
	free(ret);
	return id;
}

/* Find or create the global row of a variable; defining: c is a file-scope declaration that is a
 * definition or a tentative one (no extern). */
static long long global_ref(struct vctx *v, CXCursor c, int defining)
{
	CXCursor def = clang_getCursorDefinition(c);
	CXCursor d;

	if (clang_Cursor_isNull(def) && defining && clang_Cursor_getStorageClass(c) != CX_SC_Extern)
		def = c;
	d = clang_Cursor_isNull(def) ? clang_getCanonicalCursor(c) : def;
	char *usr = module_usr(v, decl_usr(d));
	char *name = cxstr(clang_getCursorSpelling(d));
	CXType t = clang_getCursorType(d);
	char *type = cxstr(clang_getTypeSpelling(t));
	struct pos p = cursor_pos(v, d);
	sqlite3_stmt *s = stmt(v, S_GLOBAL_REF);
	long long id = 0;

	bind_text(s, 1, usr);
	bind_text(s, 2, name);
	bind_text(s, 3, type);
	sqlite3_bind_int(s, 4, 0);
	sqlite3_bind_int(s, 5, clang_Cursor_getStorageClass(d) == CX_SC_Static);
	sqlite3_bind_int(s, 6, clang_isConstQualifiedType(t));
	bind_pos(s, 7, &p);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else
		db_fail(v, "storing a global");
	sqlite3_reset(s);
	if (id && !clang_Cursor_isNull(def)) {
		s = stmt(v, S_GLOBAL_DEF);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, p.fi ? p.fi->is_driver : 0);
		bind_pos(s, 3, &p);
		bind_text(s, 6, type);
		sqlite3_bind_int(s, 7, clang_Cursor_getStorageClass(d) == CX_SC_Static);
		sqlite3_bind_int(s, 8, clang_isConstQualifiedType(t));
		run_stmt(v, s, "storing a global");
	}
	free(usr);
	free(name);
	free(type);
	return id;
}

/* A variable declared at file scope (global storage, extern or not). */
static int is_global_var(CXCursor var)
{
	enum CXCursorKind pk;

	if (clang_getCursorKind(var) != CXCursor_VarDecl)
		return 0;
	pk = clang_getCursorKind(clang_getCursorSemanticParent(var));
	return pk == CXCursor_TranslationUnit || pk == CXCursor_UnexposedDecl ||
	       pk == CXCursor_LinkageSpec;
}

/* Non-blank, non-comment lines between two lines of a file (inclusive). The file is indexed once
 * per TU (loc.c), so counting every function of a file is linear in its length. */
static int count_loc(struct fileinfo *fi, unsigned first, unsigned last)
{
	if (!fi || !fi->buf)
		return 0;
	if (!fi->loc_pre)
		fi->loc_pre = kc_loc_index(fi->buf, fi->len, &fi->loc_nlines);
	return kc_loc_count(fi->loc_pre, fi->loc_nlines, first, last);
}

/* Store the parameters of the function being defined and remember their cursors (access roots). */
static void store_params(struct vctx *v, struct fn *fn, CXCursor c)
{
	int i, n = clang_Cursor_getNumArguments(c);

	for (i = 0; i < n && i < (int)KC_ARRAY_SIZE(fn->params); i++) {
		CXCursor a = clang_Cursor_getArgument(c, (unsigned)i);
		CXType t = clang_getCursorType(a);
		CXType ct = clang_getCanonicalType(t);
		char *name = cxstr(clang_getCursorSpelling(a));
		char *type = cxstr(clang_getTypeSpelling(t));
		char *sname = NULL;
		sqlite3_stmt *s;

		fn->params[fn->nparams++] = a;
		if (ct.kind == CXType_Pointer)
			sname = ensure_struct_type(v, clang_getPointeeType(t));
		s = stmt(v, S_PARAM);
		sqlite3_bind_int64(s, 1, fn->id);
		sqlite3_bind_int(s, 2, i);
		bind_text(s, 3, name[0] ? name : NULL);
		bind_text(s, 4, type);
		sqlite3_bind_int(s, 5, sname != NULL);
		bind_text(s, 6, sname);
		run_stmt(v, s, "storing a parameter");
		free(name);
		free(type);
		free(sname);
	}
}

/* ---- facts inside functions -------------------------------------------------------------- */

/* Index of the lock named expr in ls, or -1. */
static int ls_find(const struct lockset *ls, const char *expr)
{
	int i;

	for (i = 0; i < ls->n; i++)
		if (!strcmp(ls->h[i].expr, expr))
			return i;
	return -1;
}

/* Add a lock to ls (kept once; dropped when MAX_HELD are already held). */
static void ls_add(struct lockset *ls, const char *expr, int spin)
{
	int i = ls_find(ls, expr);

	if (i >= 0) {
		ls->h[i].spin |= spin;
		return;
	}
	if (ls->n >= MAX_HELD)
		return;
	snprintf(ls->h[ls->n].expr, sizeof(ls->h[0].expr), "%s", expr);
	ls->h[ls->n].spin = spin;
	ls->n++;
}

static void ls_del(struct lockset *ls, int i)
{
	memmove(&ls->h[i], &ls->h[i + 1], (size_t)(ls->n - i - 1) * sizeof(ls->h[0]));
	ls->n--;
}

/* Merge the state of another incoming path into dst: the union (a lock held on either path is
 * "maybe held", reported as held); a dead path contributes nothing. */
static void ls_merge(struct lockset *dst, const struct lockset *src)
{
	int i;

	if (src->dead)
		return;
	if (dst->dead) {
		*dst = *src;
		return;
	}
	for (i = 0; i < src->n; i++)
		ls_add(dst, src->h[i].expr, src->h[i].spin);
}

/* Does a hold a lock b does not (so that merging a into b would change b)? */
static int ls_grows(const struct lockset *a, const struct lockset *b)
{
	int i;

	if (a->dead)
		return 0;
	if (b->dead)
		return 1;
	for (i = 0; i < a->n; i++)
		if (ls_find(b, a->h[i].expr) < 0)
			return 1;
	return 0;
}

static void ls_set_dead(struct lockset *ls)
{
	ls->n = 0;
	ls->dead = 1;
}

/* Text of a lockset for call.locks_held ("a, b" in acquisition order, NULL when empty); *spin
 * tells whether a spinlock or rwlock is among them. */
static char *locks_text(const struct lockset *ls, int *spin)
{
	struct kc_sb sb = { 0 };
	int i;

	*spin = 0;
	for (i = 0; i < ls->n; i++) {
		if (sb.len)
			kc_sb_add(&sb, ", ");
		kc_sb_add(&sb, ls->h[i].expr);
		if (ls->h[i].spin)
			*spin = 1;
	}
	return sb.s ? kc_sb_steal(&sb) : NULL;
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Record one call site in the current function (aggregated: same callee and site -> count++). */
static void add_site(struct vctx *v, long long callee, const char *slot, const char *fn_type,
		     const char *expr, const struct pos *p, const char *macro)
{
	struct fn *fn = v->fn;
	size_t i;
	struct site *st;

	for (i = 0; i < fn->nsites; i++) {
		st = &fn->sites[i];
		if (st->callee == callee && st->line == p->line && st->col == p->col &&
		    st->file_id == pos_file(p) && str_eq(st->slot, slot) && str_eq(st->fn_type, fn_type)) {
			if (!fn->dry)
				st->count++;
			ls_merge(&st->ls, &fn->cur);
			return;
		}
	}
	if (fn->dry)
		return; /* a re-walk only widens the sites the first walk stored */
	if (fn->nsites == fn->capsites) {
		fn->capsites = fn->capsites ? fn->capsites * 2 : 16;
		fn->sites = kc_xrealloc(fn->sites, fn->capsites * sizeof(*fn->sites));
	}
	st = &fn->sites[fn->nsites++];
	memset(st, 0, sizeof(*st));
	st->callee = callee;
	st->slot = slot ? kc_xstrdup(slot) : NULL;
	st->fn_type = fn_type ? kc_xstrdup(fn_type) : NULL;
	st->expr = expr ? kc_xstrdup(expr) : NULL;
	st->file_id = pos_file(p);
	st->line = p->line;
	st->col = p->col;
	st->count = 1;
	st->loop_depth = fn->loop_depth;
	st->ls = fn->cur;
	st->macro = macro ? kc_xstrdup(macro) : NULL;
}

/* Write the aggregated call sites of a finished function: direct ones into call, indirect ones
 * into icall (resolved later by resolve.c); frees the site list. */
static void flush_sites(struct vctx *v, struct fn *fn)
{
	size_t i;

	for (i = 0; i < fn->nsites; i++) {
		struct site *st = &fn->sites[i];
		sqlite3_stmt *s;
		int spin_held;
		char *locks = locks_text(&st->ls, &spin_held);

		if (!v->rc && st->callee) {
			s = stmt(v, S_CALL);
			sqlite3_bind_int64(s, 1, fn->id);
			sqlite3_bind_int64(s, 2, st->callee);
			bind_id(s, 3, st->file_id);
			sqlite3_bind_int(s, 4, (int)st->line);
			sqlite3_bind_int(s, 5, (int)st->col);
			sqlite3_bind_int(s, 6, st->count);
			sqlite3_bind_int(s, 7, st->loop_depth);
			sqlite3_bind_int(s, 8, spin_held);
			bind_text(s, 9, locks);
			bind_text(s, 10, st->macro);
			run_stmt(v, s, "storing a call");
		} else if (!v->rc) {
			s = stmt(v, S_ICALL);
			sqlite3_bind_int64(s, 1, fn->id);
			bind_text(s, 2, st->slot);
			bind_text(s, 3, st->fn_type);
			bind_text(s, 4, st->expr);
			bind_id(s, 5, st->file_id);
			sqlite3_bind_int(s, 6, (int)st->line);
			sqlite3_bind_int(s, 7, (int)st->col);
			sqlite3_bind_int(s, 8, st->count);
			sqlite3_bind_int(s, 9, st->loop_depth);
			sqlite3_bind_int(s, 10, spin_held);
			bind_text(s, 11, locks);
			bind_text(s, 12, st->macro);
			run_stmt(v, s, "storing an indirect call");
		}
		free(st->slot);
		free(st->fn_type);
		free(st->expr);
		free(locks);
		free(st->macro);
	}
	free(fn->sites);
	fn->sites = NULL;
	fn->nsites = fn->capsites = 0;
}

/* Text of an expression rebuilt from the AST (works inside macro expansions, where the source text
 * is the macro's). Good for access paths and lock expressions; other nodes print as "...". */
static void expr_text(struct vctx *v, struct kc_sb *sb, CXCursor c)
{
	enum CXCursorKind k = clang_getCursorKind(c);
	struct kids kk;

	switch (k) {
	case CXCursor_DeclRefExpr:
	case CXCursor_MemberRef: {
		char *n = cxstr(clang_getCursorSpelling(c));

		kc_sb_add(sb, n);
		free(n);
		return;
	}
	case CXCursor_MemberRefExpr: {
		char *n = cxstr(clang_getCursorSpelling(c));

		kk = children(c);
		if (kk.n >= 1) {
			CXCursor base = strip(kk.c[0]);

			if (clang_getCursorKind(base) == CXCursor_UnaryOperator && unop_lvalue_kind(base) == 2) {
				/* (&x)->f is x.f */
				expr_text(v, sb, children(base).c[0]);
				kc_sb_add(sb, ".");
			} else {
				expr_text(v, sb, kk.c[0]);
				kc_sb_add(sb, type_is_pointer(clang_getCursorType(kk.c[0])) ? "->" : ".");
			}
		}
		kc_sb_add(sb, n);
		free(n);
		return;
	}
	case CXCursor_UnexposedExpr:
	case CXCursor_CStyleCastExpr:
		kk = children(c);
		if (kk.n >= 1) {
			expr_text(v, sb, kk.c[kk.n - 1]);
			return;
		}
		break;
	case CXCursor_ParenExpr:
		kk = children(c);
		if (kk.n == 1) {
			int simple = clang_getCursorKind(kk.c[0]) == CXCursor_DeclRefExpr ||
				     clang_getCursorKind(kk.c[0]) == CXCursor_MemberRefExpr;

			if (!simple)
				kc_sb_add(sb, "(");
			expr_text(v, sb, kk.c[0]);
			if (!simple)
				kc_sb_add(sb, ")");
			return;
		}
		break;
	case CXCursor_ArraySubscriptExpr:
		kk = children(c);
		if (kk.n == 2) {
			expr_text(v, sb, kk.c[0]);
			kc_sb_add(sb, "[");
			expr_text(v, sb, kk.c[1]);
			kc_sb_add(sb, "]");
			return;
		}
		break;
	case CXCursor_UnaryOperator:
		kk = children(c);
		if (kk.n == 1) {
			int lk = unop_lvalue_kind(c);

			if (lk == 2)
				kc_sb_add(sb, "&");
			else if (lk == 0 && is_lvalue_form(c))
				kc_sb_add(sb, "*");
			else if (lk == 0)
				kc_sb_add(sb, "?");
			expr_text(v, sb, kk.c[0]);
			if (lk == 1)
				kc_sb_add(sb, "++");
			return;
		}
		break;
	case CXCursor_CallExpr: {
		char *n = cxstr(clang_getCursorSpelling(c));

		kc_sb_addf(sb, "%s(", n);
		free(n);
		{
			int i, na = clang_Cursor_getNumArguments(c);

			for (i = 0; i < na; i++) {
				if (i)
					kc_sb_add(sb, ", ");
				expr_text(v, sb, clang_Cursor_getArgument(c, (unsigned)i));
			}
		}
		kc_sb_add(sb, ")");
		return;
	}
	case CXCursor_IntegerLiteral: {
		CXEvalResult r = clang_Cursor_Evaluate(c);

		if (r) {
			kc_sb_addf(sb, "%lld", clang_EvalResult_getAsLongLong(r));
			clang_EvalResult_dispose(r);
			return;
		}
		break;
	}
	default:
		break;
	}
	kc_sb_add(sb, "...");
}

/* expr_text as a malloc'd string (caller frees). */
static char *expr_str(struct vctx *v, CXCursor c)
{
	struct kc_sb sb = { 0 };

	expr_text(v, &sb, c);
	return kc_sb_steal(&sb);
}

/* Lock APIs: recognised by name (function or macro). */
struct lockapi {
	const char *prefix;
	const char *kind;
};

/* Is name a lock API? Sets op (lock/unlock/trylock), kind (spin, rwlock, mutex, sem, rcu) and
 * irq (irqsave, irq, bh or NULL). Returns 1 when it is. */
static int classify_lock(const char *name, const char **op, const char **kind, const char **irq)
{
	static const struct lockapi kinds[] = {
		{ "raw_spin_", "spin" }, { "spin_", "spin" }, { "read_", "rwlock" }, { "write_", "rwlock" },
		{ "mutex_", "mutex" }, { "down", "sem" }, { "up", "sem" }, { "rcu_read_", "rcu" },
	};
	size_t i;
	const char *rest = NULL;

	*kind = NULL;
	*irq = NULL;
	*op = NULL;
	if (!name)
		return 0;
	for (i = 0; i < KC_ARRAY_SIZE(kinds); i++) {
		if (!strncmp(name, kinds[i].prefix, strlen(kinds[i].prefix))) {
			*kind = kinds[i].kind;
			rest = name + strlen(kinds[i].prefix);
			break;
		}
	}
	if (!*kind)
		return 0;
	if (!strcmp(*kind, "sem")) {
		if (!strcmp(name, "down") || !strcmp(name, "down_interruptible") || !strcmp(name, "down_killable"))
			*op = "lock";
		else if (!strcmp(name, "down_trylock"))
			*op = "trylock";
		else if (!strcmp(name, "up"))
			*op = "unlock";
		return *op != NULL;
	}
	if (!strcmp(*kind, "rcu")) {
		if (!strcmp(rest, "lock") || !strcmp(rest, "lock_bh"))
			*op = "lock";
		else if (!strcmp(rest, "unlock") || !strcmp(rest, "unlock_bh"))
			*op = "unlock";
		return *op != NULL;
	}
	if (!strncmp(rest, "lock", 4))
		*op = "lock";
	else if (!strncmp(rest, "trylock", 7))
		*op = "trylock";
	else if (!strncmp(rest, "unlock", 6))
		*op = "unlock";
	else
		return 0;
	rest += strlen(*op);
	if (!strcmp(*kind, "mutex")) {
		if (rest[0] && strcmp(rest, "_interruptible") && strcmp(rest, "_killable") && strcmp(rest, "_nested"))
			return 0;
		return 1;
	}
	if (!strcmp(rest, "_irqsave") || !strcmp(rest, "_irqrestore"))
		*irq = "irqsave";
	else if (!strcmp(rest, "_irq"))
		*irq = "irq";
	else if (!strcmp(rest, "_bh"))
		*irq = "bh";
	else if (rest[0] && strcmp(rest, "_nested"))
		return 0;
	return 1;
}

/* A call (or macro) api that takes or releases a lock: store the lock_op row once per site and
 * update the lock state at this point of the walk (fn->cur). A trylock takes the lock and is
 * remembered so that the condition testing its result can drop it again on the failure branch
 * (walk_cond); one whose result is not tested by a condition stays held (conservative). */
static void lock_event(struct vctx *v, const char *api, CXCursor call, const struct pos *p, int in_macro)
{
	struct fn *fn = v->fn;
	const char *op, *kind, *irq;
	char *expr = NULL;
	sqlite3_stmt *s;
	int spin;

	if (!classify_lock(api, &op, &kind, &irq))
		return;
	if (fn->last_lock_off == p->off && fn->last_lock_file == pos_file(p) && in_macro)
		return; /* second call of the same macro expansion */
	fn->last_lock_off = p->off;
	fn->last_lock_file = pos_file(p);
	if (in_macro)
		expr = call_arg_text(p, 0);
	else if (clang_Cursor_getNumArguments(call) > 0)
		expr = expr_str(v, clang_Cursor_getArgument(call, 0));
	if (!fn->dry) {
		s = stmt(v, S_LOCK);
		sqlite3_bind_int64(s, 1, fn->id);
		bind_text(s, 2, op);
		bind_text(s, 3, api);
		bind_text(s, 4, kind);
		bind_text(s, 5, expr);
		bind_text(s, 6, irq);
		bind_pos(s, 7, p);
		run_stmt(v, s, "storing a lock operation");
	}
	spin = !strcmp(kind, "spin") || !strcmp(kind, "rwlock");
	if (!strcmp(kind, "rcu")) {
		free(expr);
		return;
	}
	if (!strcmp(op, "unlock")) {
		int i, hit = expr ? ls_find(&fn->cur, expr) : -1;

		if (hit < 0) /* unlock through another expression: the latest lock of its class */
			for (i = fn->cur.n - 1; i >= 0 && hit < 0; i--)
				if (fn->cur.h[i].spin == spin)
					hit = i;
		if (hit >= 0)
			ls_del(&fn->cur, hit);
	} else {
		const char *e = expr ? expr : "?";

		/* a trylock, or a lock that can fail (mutex_lock_interruptible, down_killable ...:
		 * 0 on success) */
		if (!strcmp(op, "trylock") || strstr(api, "_interruptible") || strstr(api, "_killable")) {
			snprintf(fn->try_h.expr, sizeof(fn->try_h.expr), "%s", e);
			fn->try_h.spin = spin;
			fn->try_was_held = ls_find(&fn->cur, fn->try_h.expr) >= 0;
			/* down_trylock and the failing locks return 0 on success */
			fn->try_true = !strcmp(op, "trylock") && strcmp(kind, "sem") != 0;
			fn->have_try = 1;
		}
		ls_add(&fn->cur, e, spin);
	}
	free(expr);
}

/* Allocators: name, argument index of the size, of the element count (-1: none), and the kind of
 * memory (alloc.kind: NULL is 'mem'; 'dma' DMA-coherent memory; 'mmio' register memory). */
struct allocator {
	const char *name;
	int size_arg, count_arg;
	const char *kind;
};

static const struct allocator allocators[] = {
	{ "kmalloc", 0, -1, NULL }, { "kzalloc", 0, -1, NULL }, { "kmalloc_node", 0, -1, NULL },
	{ "kzalloc_node", 0, -1, NULL }, { "kcalloc", 1, 0, NULL }, { "kmalloc_array", 1, 0, NULL },
	{ "kcalloc_node", 1, 0, NULL }, { "kvmalloc", 0, -1, NULL }, { "kvzalloc", 0, -1, NULL },
	{ "kvcalloc", 1, 0, NULL }, { "kvmalloc_array", 1, 0, NULL }, { "vmalloc", 0, -1, NULL },
	{ "vzalloc", 0, -1, NULL }, { "vmalloc_array", 1, 0, NULL }, { "vcalloc", 1, 0, NULL },
	{ "kmem_cache_alloc", -1, -1, NULL }, { "kmem_cache_zalloc", -1, -1, NULL },
	{ "kmemdup", 1, -1, NULL }, { "kstrdup", -1, -1, NULL },
	{ "dma_alloc_coherent", 1, -1, "dma" }, { "dma_alloc_attrs", 1, -1, "dma" },
	{ "dma_zalloc_coherent", 1, -1, "dma" }, { "dmam_alloc_coherent", 1, -1, "dma" },
	{ "dma_pool_alloc", -1, -1, "dma" }, { "dma_pool_zalloc", -1, -1, "dma" },
	{ "pci_alloc_consistent", 1, -1, "dma" }, { "pci_zalloc_consistent", 1, -1, "dma" },
	/* register memory (MMIO / port I/O windows) */
	{ "ioremap", 1, -1, "mmio" }, { "ioremap_nocache", 1, -1, "mmio" },
	{ "ioremap_uc", 1, -1, "mmio" }, { "ioremap_wc", 1, -1, "mmio" },
	{ "ioremap_wt", 1, -1, "mmio" }, { "ioremap_cache", 1, -1, "mmio" },
	{ "ioremap_np", 1, -1, "mmio" }, { "ioport_map", 1, -1, "mmio" },
	{ "of_iomap", -1, -1, "mmio" }, { "pci_ioremap_bar", -1, -1, "mmio" },
	{ "pci_ioremap_wc_bar", -1, -1, "mmio" }, { "pci_iomap", 2, -1, "mmio" },
	{ "pci_iomap_wc", 2, -1, "mmio" }, { "pci_iomap_range", 3, -1, "mmio" },
	{ "pci_iomap_wc_range", 3, -1, "mmio" }, { "pcim_iomap", 2, -1, "mmio" },
	{ "pcim_iomap_table", -1, -1, "mmio" }, { "devm_ioremap", 2, -1, "mmio" },
	{ "devm_ioremap_uc", 2, -1, "mmio" }, { "devm_ioremap_wc", 2, -1, "mmio" },
	{ "devm_ioremap_np", 2, -1, "mmio" }, { "devm_ioremap_resource", -1, -1, "mmio" },
	{ "devm_ioremap_resource_wc", -1, -1, "mmio" },
	{ "devm_platform_ioremap_resource", -1, -1, "mmio" },
	{ "devm_platform_ioremap_resource_byname", -1, -1, "mmio" },
	{ "devm_platform_get_and_ioremap_resource", -1, -1, "mmio" },
	{ "devm_of_iomap", -1, -1, "mmio" }, { "devm_ioport_map", 2, -1, "mmio" },
	{ "devm_kmalloc", 1, -1, NULL }, { "devm_kzalloc", 1, -1, NULL },
	{ "devm_kcalloc", 2, 1, NULL }, { "devm_kmalloc_array", 2, 1, NULL },
	{ "devm_kmemdup", 2, -1, NULL }, { "devm_kstrdup", -1, -1, NULL },
	{ "alloc_etherdev", 0, -1, NULL }, { "alloc_etherdev_mq", 0, -1, NULL },
	{ "alloc_etherdev_mqs", 0, -1, NULL }, { "alloc_netdev", 0, -1, NULL },
	{ "alloc_netdev_mqs", 0, -1, NULL }, { "devm_alloc_etherdev", 1, -1, NULL },
	{ "devm_alloc_etherdev_mqs", 1, -1, NULL }, { "alloc_skb", 0, -1, NULL },
	{ "dev_alloc_skb", 0, -1, NULL }, { "netdev_alloc_skb", 1, -1, NULL },
	{ "__netdev_alloc_skb", 1, -1, NULL }, { "netdev_alloc_skb_ip_align", 1, -1, NULL },
	{ "napi_alloc_skb", 1, -1, NULL }, { "__napi_alloc_skb", 1, -1, NULL },
	{ "alloc_pages", -1, -1, NULL }, { "__get_free_pages", -1, -1, NULL },
	{ "get_zeroed_page", -1, -1, NULL }, { "alloc_page", -1, -1, NULL },
	{ "dev_alloc_page", -1, -1, NULL },
};

/* The allocator table entry for a function or macro name, or NULL. */
static const struct allocator *find_allocator(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < KC_ARRAY_SIZE(allocators); i++)
		if (!strcmp(allocators[i].name, name))
			return &allocators[i];
	return NULL;
}

struct sizeof_find {
	CXType t;
	int found;
};

/* Find the first sizeof(...) below a call and its operand's type. */
static enum CXChildVisitResult sizeof_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct sizeof_find *sf = d;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_UnaryExpr) {
		struct kids k = children(c);

		if (k.n >= 1) {
			CXCursor o = k.c[0];

			if (clang_getCursorKind(o) == CXCursor_ParenExpr) {
				struct kids k2 = children(o);

				if (k2.n == 1)
					o = k2.c[0];
			}
			sf->t = clang_getCursorType(o);
			sf->found = 1;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Recurse;
}

/* Where the value of the node at stack depth d is stored: fills kind and names. */
static const char *store_target(struct vctx *v, int d, char **sname, char **fname, char **var, CXCursor *varc)
{
	int i = d;

	*sname = *fname = *var = NULL;
	*varc = clang_getNullCursor();
	/* through conversions, and through a subscript of the result (pcim_iomap_table(pdev)[BAR]) */
	while (i > 0 && ((is_cast_like(v->stack[i - 1].c) && children(v->stack[i - 1].c).n == 1) ||
			 (v->stack[i - 1].k == CXCursor_ArraySubscriptExpr && v->stack[i].idx == 0)))
		i--;
	if (i == 0)
		return "other";
	{
		struct frame *par = &v->stack[i - 1];

		if (par->k == CXCursor_BinaryOperator && v->stack[i].idx == 1 && binop_is_assign(par->c)) {
			struct kids k = children(par->c);
			CXCursor lhs = k.c[0];

			while (clang_getCursorKind(lhs) == CXCursor_ParenExpr && children(lhs).n == 1)
				lhs = children(lhs).c[0];
			if (clang_getCursorKind(lhs) == CXCursor_MemberRefExpr) {
				CXCursor fd = clang_getCursorReferenced(lhs);

				*sname = record_name(v, named_record_of_field(fd));
				*fname = cxstr(clang_getCursorSpelling(fd));
				return "field";
			}
			if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr) {
				*var = cxstr(clang_getCursorSpelling(lhs));
				*varc = clang_getCursorReferenced(lhs);
				return "var";
			}
			*var = expr_str(v, lhs);
			return "other";
		}
		if (par->k == CXCursor_VarDecl) {
			*var = cxstr(clang_getCursorSpelling(par->c));
			*varc = par->c;
			return "var";
		}
		if (par->k == CXCursor_ReturnStmt)
			return "return";
	}
	return "other";
}

/* Store an allocation site: allocator, size/count text as written, sizeof element type, and where
 * the result goes (store_target). Macro-expanded sites are stored once. */
static void alloc_event(struct vctx *v, const struct allocator *a, const char *api, CXCursor call,
			const struct pos *p, int in_macro)
{
	struct fn *fn = v->fn;
	char *size = NULL, *count = NULL, *elem = NULL, *sname, *fname, *var;
	CXCursor varc;
	const char *kind;
	struct sizeof_find sf = { .found = 0 };
	sqlite3_stmt *s;

	if (in_macro && fn->last_alloc_off == p->off && fn->last_alloc_file == pos_file(p))
		return;
	fn->last_alloc_off = p->off;
	fn->last_alloc_file = pos_file(p);
	if (a->size_arg >= 0)
		size = call_arg_text(p, a->size_arg);
	if (a->count_arg >= 0)
		count = call_arg_text(p, a->count_arg);
	if (!size && !in_macro && a->size_arg >= 0 && clang_Cursor_getNumArguments(call) > a->size_arg)
		size = expr_str(v, clang_Cursor_getArgument(call, (unsigned)a->size_arg));
	if ((!size || strstr(size, "sizeof")) || (count && strstr(count, "sizeof")))
		clang_visitChildren(call, sizeof_cb, &sf);
	if (sf.found) {
		CXType t = sf.t;

		elem = type_record_name(v, t);
		if (elem)
			free(ensure_struct_type(v, t));
		else
			elem = cxstr(clang_getTypeSpelling(t));
	}
	kind = store_target(v, v->depth - 1, &sname, &fname, &var, &varc);
	s = stmt(v, S_ALLOC);
	sqlite3_bind_int64(s, 1, fn->id);
	bind_text(s, 2, api);
	bind_text(s, 3, size);
	bind_text(s, 4, count);
	bind_text(s, 5, elem);
	bind_text(s, 6, kind);
	bind_text(s, 7, sname);
	bind_text(s, 8, fname);
	bind_text(s, 9, var);
	bind_pos(s, 10, p);
	bind_text(s, 13, a->kind ? a->kind : "mem");
	run_stmt(v, s, "storing an allocation");
	/* register or DMA memory held in a local: the field it is stored into next is the holder */
	if (a->kind && !strcmp(kind, "var") && clang_getCursorKind(varc) == CXCursor_VarDecl && !is_global_var(varc) &&
	    fn->navars < (int)KC_ARRAY_SIZE(fn->avars)) {
		fn->avars[fn->navars].var = varc;
		fn->avars[fn->navars].alloc_id = sqlite3_last_insert_rowid(v->db);
		fn->navars++;
	}
	free(size);
	free(count);
	free(elem);
	free(sname);
	free(fname);
	free(var);
}

/* Store one piece of pointer-shape evidence for struct_name.field. */
static void shape(struct vctx *v, const char *sname, const char *field, const char *ev, const char *detail,
		  const struct pos *p)
{
	sqlite3_stmt *s = stmt(v, S_SHAPE);

	bind_text(s, 1, sname);
	bind_text(s, 2, field);
	bind_text(s, 3, ev);
	bind_text(s, 4, detail);
	bind_id(s, 5, v->fn ? v->fn->id : 0);
	bind_pos(s, 6, p);
	run_stmt(v, s, "storing shape evidence");
}

/* ---- pointer flow (ptr_flow): what the partitioner's kernel-only memory rule reads ---- */

static int parent_skip_parens(struct vctx *v, int d, unsigned *child_idx);
static int eval_int(CXCursor c, long long *val);

static void pflow(struct vctx *v, const char *kind, const char *sname, const char *fname, long long callee,
		  const char *macro, int idx, const char *detail, const struct pos *p)
{
	sqlite3_stmt *s = stmt(v, S_PFLOW);

	sqlite3_bind_int64(s, 1, v->fn->id);
	bind_text(s, 2, kind);
	bind_text(s, 3, sname);
	bind_text(s, 4, fname);
	bind_id(s, 5, callee);
	bind_text(s, 6, macro);
	sqlite3_bind_int(s, 7, idx);
	bind_text(s, 8, detail);
	bind_pos(s, 9, p);
	run_stmt(v, s, "storing a pointer flow");
}

/* The pointer an argument is based on: casts, parentheses and `p + n` / `n + p` / `p - n` looked
 * through. */
static CXCursor flow_base(CXCursor e)
{
	int depth;

	for (depth = 0; depth < 8; depth++) {
		struct kids k;

		e = strip(e);
		if (clang_getCursorKind(e) != CXCursor_BinaryOperator || !type_is_pointer(clang_getCursorType(e)) ||
		    binop_is_assign(e))
			break;
		k = children(e);
		if (k.n != 2)
			break;
		e = type_is_pointer(clang_getCursorType(k.c[0])) ? k.c[0] : k.c[1];
	}
	return e;
}

/* The database's struct name of the record a member expression's field belongs to (an unnamed
 * typedef'd struct is named as the base expression's type names it). */
static char *member_struct_name(struct vctx *v, CXCursor member, CXCursor fd)
{
	CXCursor rec = named_record_of_field(fd);
	char *sname = record_name(v, rec);

	if (!strncmp(sname, "anon@", 5)) {
		struct kids bk = children(member);
		CXType bt;
		char *tn;

		if (bk.n >= 1) {
			bt = clang_getCursorType(bk.c[0]);
			if (type_is_pointer(bt))
				bt = clang_getPointeeType(bt);
			tn = type_record_name(v, bt);
			if (tn) {
				free(sname);
				sname = tn;
			}
		}
	}
	return sname;
}

/* A member expression of a pointer field: its struct and field names (1), else 0. */
static int flow_field(struct vctx *v, CXCursor e, char **sname, char **fname)
{
	CXCursor fd;

	if (clang_getCursorKind(e) != CXCursor_MemberRefExpr)
		return 0;
	fd = clang_getCursorReferenced(e);
	if (clang_getCursorKind(fd) != CXCursor_FieldDecl || !type_is_pointer(clang_getCursorType(fd)))
		return 0;
	*sname = member_struct_name(v, e, fd);
	*fname = cxstr(clang_getCursorSpelling(fd));
	return 1;
}

/* A local pointer variable (not a parameter, not a global)? */
static int flow_local(CXCursor var)
{
	return clang_getCursorKind(var) == CXCursor_VarDecl && !is_global_var(var) &&
	       type_is_pointer(clang_getCursorType(var));
}

/* Local var holds (or is stored into) pointer field sname.fname in this function. */
static void flow_link(struct vctx *v, CXCursor var, const char *sname, const char *fname)
{
	struct fn *fn = v->fn;
	int i;

	for (i = 0; i < fn->nlinks; i++)
		if (clang_equalCursors(fn->links[i].var, var) && !strcmp(fn->links[i].sname, sname) &&
		    !strcmp(fn->links[i].fname, fname))
			return;
	if (fn->nlinks >= (int)KC_ARRAY_SIZE(fn->links))
		return;
	fn->links[fn->nlinks].var = var;
	fn->links[fn->nlinks].sname = kc_xstrdup(sname);
	fn->links[fn->nlinks].fname = kc_xstrdup(fname);
	fn->nlinks++;
}

/* The arguments of a direct call to callee that are a pointer field's value (stored now) or a
 * local (resolved against the function's links when its walk ends: flow_finish). */
static void flow_call(struct vctx *v, CXCursor c, long long callee, const char *macro, const struct pos *p)
{
	struct fn *fn = v->fn;
	int i, nargs = clang_Cursor_getNumArguments(c);

	for (i = 0; i < nargs; i++) {
		CXCursor a = flow_base(clang_Cursor_getArgument(c, (unsigned)i));
		char *sn = NULL, *fnm = NULL;

		if (flow_field(v, a, &sn, &fnm)) {
			pflow(v, "arg", sn, fnm, callee, macro, i, NULL, p);
		} else if (clang_getCursorKind(a) == CXCursor_DeclRefExpr && flow_local(clang_getCursorReferenced(a)) &&
			   fn->npargs < (int)KC_ARRAY_SIZE(fn->pargs)) {
			fn->pargs[fn->npargs].var = clang_getCursorReferenced(a);
			fn->pargs[fn->npargs].callee = callee;
			fn->pargs[fn->npargs].macro = macro ? kc_xstrdup(macro) : NULL;
			fn->pargs[fn->npargs].idx = i;
			fn->pargs[fn->npargs].p = *p;
			fn->npargs++;
		}
		free(sn);
		free(fnm);
	}
}

/* End of a function's walk: the local arguments that hold a pointer field's value. */
static void flow_finish(struct vctx *v)
{
	struct fn *fn = v->fn;
	int i, j;

	for (i = 0; i < fn->npargs; i++) {
		for (j = 0; j < fn->nlinks; j++)
			if (clang_equalCursors(fn->pargs[i].var, fn->links[j].var))
				pflow(v, "arg", fn->links[j].sname, fn->links[j].fname, fn->pargs[i].callee,
				      fn->pargs[i].macro, fn->pargs[i].idx, NULL, &fn->pargs[i].p);
		free(fn->pargs[i].macro);
	}
	for (j = 0; j < fn->nlinks; j++) {
		free(fn->links[j].sname);
		free(fn->links[j].fname);
	}
	fn->npargs = fn->nlinks = 0;
}

/* A DeclRefExpr of a local or parameter at stack depth d: `x->f = local` links the local to the
 * field; a pointer parameter to non-struct memory that is dereferenced, indexed or offset is a
 * 'param' row (first site of each evidence). */
static void flow_declref(struct vctx *v, CXCursor c, CXCursor ref, int d)
{
	struct fn *fn = v->fn;
	enum CXCursorKind rk = clang_getCursorKind(ref);
	int up = d, i;
	unsigned uidx = 0;

	if (!fn || fn->inl || fn->unevaluated || fn->dry)
		return;
	if (rk == CXCursor_VarDecl && flow_local(ref)) {
		while (up > 0 && is_cast_like(v->stack[up - 1].c) && children(v->stack[up - 1].c).n == 1)
			up--;
		if (up > 0 && v->stack[up - 1].k == CXCursor_BinaryOperator && v->stack[up].idx == 1 &&
		    binop_is_assign(v->stack[up - 1].c)) {
			CXCursor lhs = strip(children(v->stack[up - 1].c).c[0]);
			char *sn = NULL, *fnm = NULL;

			if (flow_field(v, lhs, &sn, &fnm))
				flow_link(v, ref, sn, fnm);
			free(sn);
			free(fnm);
		}
		return;
	}
	if (rk != CXCursor_ParmDecl || !type_is_pointer(clang_getCursorType(ref)) ||
	    clang_getCanonicalType(clang_getPointeeType(clang_getCanonicalType(clang_getCursorType(ref)))).kind ==
		    CXType_Record)
		return;
	for (i = 0; i < (int)fn->nparams && i < (int)KC_ARRAY_SIZE(fn->pev); i++)
		if (clang_equalCursors(fn->params[i], ref))
			break;
	if (i >= (int)fn->nparams || i >= (int)KC_ARRAY_SIZE(fn->pev))
		return;
	up = parent_skip_parens(v, d, &uidx);
	while (up >= 0 && (v->stack[up].k == CXCursor_UnexposedExpr || v->stack[up].k == CXCursor_ParenExpr ||
			   v->stack[up].k == CXCursor_CStyleCastExpr)) {
		uidx = v->stack[up].idx;
		up--;
	}
	if (up >= 0) {
		struct frame *u = &v->stack[up];
		const char *ev = NULL;
		unsigned bit = 0;
		struct pos p;

		if (u->k == CXCursor_ArraySubscriptExpr && uidx == 0)
			ev = "index", bit = 1;
		else if (u->k == CXCursor_UnaryOperator && is_lvalue_form(u->c))
			ev = "deref", bit = 2;
		else if ((u->k == CXCursor_UnaryOperator && unop_lvalue_kind(u->c) == 1) ||
			 (u->k == CXCursor_CompoundAssignOperator && uidx == 0) ||
			 (u->k == CXCursor_BinaryOperator && !binop_is_assign(u->c) &&
			  type_is_pointer(clang_getCursorType(u->c))))
			ev = "ptr_arith", bit = 4;
		if (!ev || (fn->pev[i] & bit))
			return;
		fn->pev[i] |= (unsigned char)bit;
		p = cursor_pos(v, c);
		pflow(v, "param", NULL, NULL, 0, NULL, i, ev, &p);
	}
}

/* String functions whose pointer arguments are NUL-terminated strings. */
static int is_string_fn(const char *n)
{
	static const char *const fns[] = {
		"strcpy", "strncpy", "strlcpy", "strscpy", "strcat", "strncat", "strlcat", "strlen",
		"strnlen", "strcmp", "strncmp", "strcasecmp", "strchr", "strrchr", "strstr", "sprintf",
		"snprintf", "scnprintf", "kstrdup", "kstrtoul", "kstrtoint", "sscanf", "strsep",
	};
	size_t i;

	for (i = 0; n && i < KC_ARRAY_SIZE(fns); i++)
		if (!strcmp(n, fns[i]))
			return 1;
	return 0;
}

/* Registration of a function passed as an argument to a kernel function. */
static void reg_arg(struct vctx *v, long long fid, const char *api, int idx, const char *macro,
		    const struct pos *p)
{
	sqlite3_stmt *s = stmt(v, S_REG);

	sqlite3_bind_int64(s, 1, fid);
	bind_text(s, 2, "arg");
	bind_text(s, 6, api);
	sqlite3_bind_int(s, 7, idx);
	bind_text(s, 8, macro);
	bind_id(s, 9, v->fn ? v->fn->id : 0);
	bind_pos(s, 10, p);
	sqlite3_bind_int64(s, 13, v->tu_id);
	run_stmt(v, s, "storing a registration");
}

/* Registration of a function stored into struct sname, field field (var: what holds the struct). */
static void reg_slot(struct vctx *v, long long fid, const char *sname, const char *field, const char *var,
		     const char *macro, const struct pos *p)
{
	sqlite3_stmt *s = stmt(v, S_REG);

	sqlite3_bind_int64(s, 1, fid);
	bind_text(s, 2, "slot");
	bind_text(s, 3, sname);
	bind_text(s, 4, field);
	bind_text(s, 5, var);
	bind_text(s, 8, macro);
	bind_id(s, 9, v->fn ? v->fn->id : 0);
	bind_pos(s, 10, p);
	sqlite3_bind_int64(s, 13, v->tu_id);
	run_stmt(v, s, "storing a registration");
}

/* Registration of the module's init or exit function (kind and api 'module_init' / 'module_exit'). */
static void reg_module(struct vctx *v, long long fid, const char *kind, const char *macro, const struct pos *p)
{
	sqlite3_stmt *s = stmt(v, S_REG);

	sqlite3_bind_int64(s, 1, fid);
	bind_text(s, 2, kind);
	bind_text(s, 6, kind);
	bind_text(s, 8, macro);
	bind_id(s, 9, v->fn ? v->fn->id : 0);
	bind_pos(s, 10, p);
	sqlite3_bind_int64(s, 13, v->tu_id);
	run_stmt(v, s, "storing a registration");
}

/* module_init(fn) / module_exit(fn) in a module build expand (Linux and the kernel model alike) to
 * `static inline initcall_t __inittest(void) { return fn; }` (__exittest for exit) next to the
 * init_module / cleanup_module alias: a function value returned by __inittest / __exittest is the
 * module's init / exit function. Stores the registration, with the macro written in the driver
 * (module_init, module_pci_driver ...). Returns 1 when it was one. */
static int module_hook(struct vctx *v, long long fid, const struct pos *p)
{
	char *name, *macro;
	const char *kind = NULL;
	struct pos fp;

	if (!v->fn)
		return 0;
	name = cxstr(clang_getCursorSpelling(v->fn->c));
	if (!strcmp(name, "__inittest"))
		kind = "module_init";
	else if (!strcmp(name, "__exittest"))
		kind = "module_exit";
	if (kind) {
		fp = cursor_pos(v, v->fn->c);
		macro = macro_at(&fp, name);
		reg_module(v, fid, kind, macro, p);
		free(macro);
	}
	free(name);
	return kind != NULL;
}

static enum CXChildVisitResult walk_cb(CXCursor c, CXCursor parent, CXClientData data);

/* The driver function calls callee (at p): when callee is an inline function defined in a kernel
 * header (outside the driver directories, so never walked as a function of its own), walk its body
 * for the field accesses it makes on the driver function's behalf (inline_access), following the
 * inline functions it calls in turn, MAX_INLINE deep. Each definition is walked once per driver
 * function. Nothing else is stored from inline code: calls, locks, allocations, registrations and
 * globals there are the kernel's. The walk continues the ancestor stack above the call (so the
 * read/write judgement is the usual one) and leaves the call's child count as it was. */
static void inline_body(struct vctx *v, CXCursor callee, const struct pos *p, const char *name)
{
	struct fn *fn = v->fn;
	CXCursor def = clang_getCursorDefinition(callee);
	struct pos dp;
	unsigned saved;
	int i, outer = fn->inl == 0;

	if (clang_Cursor_isNull(def) || fn->inl >= MAX_INLINE || v->depth < 1 || !clang_Cursor_isFunctionInlined(def))
		return;
	dp = cursor_pos(v, def);
	if (!dp.fi || dp.fi->is_driver)
		return; /* a driver function: walked as itself */
	for (i = 0; i < fn->ninl_seen; i++)
		if (clang_equalCursors(fn->inl_seen[i], def))
			return;
	if (fn->ninl_seen >= (int)KC_ARRAY_SIZE(fn->inl_seen))
		return;
	fn->inl_seen[fn->ninl_seen++] = def;
	if (outer) {
		fn->inl_name = kc_xstrdup(name);
		fn->inl_pos = *p;
	}
	saved = v->stack[v->depth - 1].nchild;
	fn->inl++;
	clang_visitChildren(def, walk_cb, v);
	fn->inl--;
	v->stack[v->depth - 1].nchild = saved;
	if (outer) {
		free(fn->inl_name);
		fn->inl_name = NULL;
	}
}

/* Is the function declared (first declaration) in a driver file? */
static int decl_in_driver(struct vctx *v, CXCursor f)
{
	struct pos p = cursor_pos(v, clang_getCanonicalCursor(f));

	return p.fi && p.fi->is_driver;
}

/* A CallExpr inside a driver function: the call site (direct, or indirect with its slot and
 * function type), lock and allocation APIs, functions passed to kernel functions, string-function
 * shape evidence. */
static void on_call(struct vctx *v, CXCursor c)
{
	struct pos p;
	CXCursor ref = clang_getCursorReferenced(c);
	int direct = clang_getCursorKind(ref) == CXCursor_FunctionDecl;
	char *name = NULL, *macro = NULL;
	int i, nargs = clang_Cursor_getNumArguments(c);
	const struct allocator *a;
	long long callee_id = 0;

	if (v->fn->inl) {
		/* inside a kernel inline (inline_access): only the inline functions it calls */
		if (direct) {
			name = cxstr(clang_getCursorSpelling(ref));
			inline_body(v, ref, &v->fn->inl_pos, name);
			free(name);
		}
		return;
	}
	p = cursor_pos(v, c);
	if (direct) {
		name = cxstr(clang_getCursorSpelling(ref));
		if (!strncmp(name, "__builtin_", 10)) {
			free(name);
			return;
		}
		macro = macro_at(&p, name);
		callee_id = func_ref(v, ref, NULL, NULL);
		add_site(v, callee_id, NULL, NULL, NULL, &p, macro);
	} else {
		struct kids k = children(c);
		CXCursor callee;
		CXType ft;
		char *slot = NULL, *fty = NULL, *expr = NULL;

		if (k.n < 1)
			return;
		callee = strip(k.c[0]);
		if (clang_getCursorKind(callee) == CXCursor_UnaryOperator && children(callee).n == 1)
			callee = strip(children(callee).c[0]);
		ft = clang_getCanonicalType(clang_getCursorType(k.c[0]));
		if (ft.kind == CXType_Pointer)
			ft = clang_getCanonicalType(clang_getPointeeType(ft));
		fty = cxstr(clang_getTypeSpelling(ft));
		if (clang_getCursorKind(callee) == CXCursor_MemberRefExpr) {
			CXCursor fd = clang_getCursorReferenced(callee);
			char *sn = record_name(v, named_record_of_field(fd));
			char *fnm = cxstr(clang_getCursorSpelling(fd));
			struct kc_sb sb = { 0 };

			kc_sb_addf(&sb, "%s.%s", sn, fnm);
			slot = kc_sb_steal(&sb);
			free(sn);
			free(fnm);
		}
		expr = expr_str(v, callee);
		macro = macro_at(&p, clang_getCursorKind(callee) == CXCursor_DeclRefExpr ? expr : NULL);
		if (macro && clang_getCursorKind(callee) == CXCursor_MemberRefExpr) {
			/* "x->fn(" starts with the root's name, not a macro */
			size_t n = strlen(macro);

			if (!strncmp(expr, macro, n) && (expr[n] == '-' || expr[n] == '.' || expr[n] == '\0')) {
				free(macro);
				macro = NULL;
			}
		}
		add_site(v, 0, slot, fty, expr, &p, macro);
		free(slot);
		free(fty);
		free(expr);
	}
	/* locks and allocations: by macro name first, then by callee name */
	{
		const char *op, *kind, *irq;

		if (macro && classify_lock(macro, &op, &kind, &irq))
			lock_event(v, macro, c, &p, 1);
		else if (name && classify_lock(name, &op, &kind, &irq))
			lock_event(v, name, c, &p, 0);
	}
	if (v->fn->dry)
		goto out; /* a lock-state re-walk: the facts below are already stored */
	if (direct)
		inline_body(v, ref, &p, name);
	if (macro && (a = find_allocator(macro)))
		alloc_event(v, a, macro, c, &p, 1);
	else if (name && (a = find_allocator(name)))
		alloc_event(v, a, name, c, &p, macro != NULL);
	if (direct && callee_id)
		flow_call(v, c, callee_id, macro, &p);
	/* functions passed as arguments; string-function shape evidence */
	for (i = 0; i < nargs; i++) {
		CXCursor arg = strip(clang_Cursor_getArgument(c, (unsigned)i));
		enum CXCursorKind ak = clang_getCursorKind(arg);

		if (ak == CXCursor_UnaryOperator && unop_lvalue_kind(arg) == 2)
			arg = strip(children(arg).c[0]);
		ak = clang_getCursorKind(arg);
		if (ak == CXCursor_DeclRefExpr && direct) {
			CXCursor fr = clang_getCursorReferenced(arg);
			enum CXCursorKind fk = clang_getCursorKind(fr);
			int j;

			if (fk == CXCursor_FunctionDecl && !decl_in_driver(v, ref) && decl_in_driver(v, fr))
				reg_arg(v, func_ref(v, fr, NULL, NULL), name, i, macro, &p);
			else if ((fk == CXCursor_VarDecl || fk == CXCursor_ParmDecl) && !decl_in_driver(v, ref))
				for (j = 0; j < v->fn->nfvars; j++)
					if (clang_equalCursors(v->fn->fvars[j].var, fr))
						reg_arg(v, func_ref(v, v->fn->fvars[j].func, NULL, NULL), name, i,
							macro, &p);
		} else if (ak == CXCursor_MemberRefExpr && (is_string_fn(name) || is_string_fn(macro))) {
			CXType t = clang_getCanonicalType(clang_getCursorType(arg));

			if (t.kind == CXType_Pointer || t.kind == CXType_ConstantArray) {
				CXCursor fd = clang_getCursorReferenced(arg);
				char *sn = record_name(v, named_record_of_field(fd));
				char *fnm = cxstr(clang_getCursorSpelling(fd));

				shape(v, sn, fnm, "string_fn", name, &p);
				free(sn);
				free(fnm);
			}
		}
	}
out:
	free(name);
	free(macro);
}

/* Parent of stack entry d, skipping ParenExprs; sets *child_idx to the index of the path child. */
static int parent_skip_parens(struct vctx *v, int d, unsigned *child_idx)
{
	while (d > 0 && v->stack[d - 1].k == CXCursor_ParenExpr)
		d--;
	if (d == 0)
		return -1;
	*child_idx = v->stack[d].idx;
	return d - 1;
}

/* How the lvalue at stack depth d is used: bit 0 read, bit 1 write, bit 2 address taken. */
static int lvalue_mode(struct vctx *v, int d)
{
	unsigned idx = 0;
	int pd = parent_skip_parens(v, d, &idx);
	struct frame *par;
	CXType t = clang_getCanonicalType(clang_getCursorType(v->stack[d].c));

	if (pd < 0)
		return 1;
	par = &v->stack[pd];
	if (par->k == CXCursor_BinaryOperator && idx == 0 && binop_is_assign(par->c))
		return 2;
	if (par->k == CXCursor_CompoundAssignOperator && idx == 0)
		return 3;
	if (par->k == CXCursor_UnaryOperator) {
		int lk = unop_lvalue_kind(par->c);

		if (lk == 1)
			return 3;
		if (lk == 2)
			return 4;
	}
	if (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray) {
		/* an array decays: its use is the use of the element when subscripted, else its address */
		if (par->k == CXCursor_UnexposedExpr && pd > 0 && v->stack[pd - 1].k == CXCursor_ArraySubscriptExpr &&
		    v->stack[pd].idx == 0)
			return lvalue_mode(v, pd - 1);
		if (par->k == CXCursor_ArraySubscriptExpr && idx == 0)
			return lvalue_mode(v, pd);
		return 4;
	}
	return 1;
}

static const char *const mode_names[] = { "read", "write", "addr" };

/* A MemberRefExpr inside a driver function: one field_access row per mode with the access-path
 * root, the struct definition, and shape evidence from how a pointer field's value is used. */
static void on_member(struct vctx *v, CXCursor c)
{
	int d = v->depth - 1, mode, i;
	unsigned idx = 0;
	int pd = parent_skip_parens(v, d, &idx);
	CXCursor fd = clang_getCursorReferenced(c);
	CXType t = clang_getCanonicalType(clang_getCursorType(c));
	char *sname, *fname, *path, *root_name = NULL;
	const char *root_kind = "other";
	int root_idx = -1;
	struct pos p;
	CXCursor r;
	sqlite3_stmt *s;

	if (clang_getCursorKind(fd) != CXCursor_FieldDecl)
		return;
	/* a subobject reached by '.' is recorded through the outer access */
	if (pd >= 0 && v->stack[pd].k == CXCursor_MemberRefExpr && idx == 0 && t.kind == CXType_Record)
		return;
	p = cursor_pos(v, c);
	/* typedef struct { ... } name_t: named as the base expression's type names it */
	sname = member_struct_name(v, c, fd);
	ensure_struct_decl(v, named_record_of_field(fd), sname);
	fname = cxstr(clang_getCursorSpelling(fd));
	path = expr_str(v, c);
	/* access-path root */
	r = c;
	for (;;) {
		enum CXCursorKind k = clang_getCursorKind(r);
		struct kids kk;

		if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr || is_cast_like(r) ||
		    k == CXCursor_UnaryOperator) {
			kk = children(r);
			if (kk.n < 1)
				break;
			r = kk.c[is_cast_like(r) ? kk.n - 1 : 0];
			continue;
		}
		break;
	}
	switch (clang_getCursorKind(r)) {
	case CXCursor_DeclRefExpr: {
		CXCursor rd = clang_getCursorReferenced(r);

		root_name = cxstr(clang_getCursorSpelling(rd));
		if (clang_getCursorKind(rd) == CXCursor_ParmDecl) {
			root_kind = "param";
			for (i = 0; i < (int)v->fn->nparams; i++)
				if (clang_equalCursors(v->fn->params[i], rd))
					root_idx = i;
		} else if (is_global_var(rd)) {
			root_kind = "global";
		} else if (clang_getCursorKind(rd) == CXCursor_VarDecl) {
			root_kind = "local";
		}
		break;
	}
	case CXCursor_CallExpr:
		root_kind = "call";
		root_name = cxstr(clang_getCursorSpelling(r));
		break;
	default:
		break;
	}
	mode = v->fn->unevaluated ? 0 : lvalue_mode(v, d);
	if (v->fn->inl) {
		/* in a kernel inline the driver function calls: inline_access, at the call site */
		for (i = 0; i < 3; i++) {
			struct kc_sb key = { 0 };
			size_t j;

			if (!(mode & (1 << i)))
				continue;
			kc_sb_addf(&key, "%s|%s|%s|%s|%s", v->fn->inl_name, sname, fname, mode_names[i], path);
			for (j = 0; j < v->fn->ninl_keys; j++)
				if (!strcmp(v->fn->inl_keys[j], key.s))
					break;
			if (j < v->fn->ninl_keys) {
				kc_sb_free(&key);
				continue;
			}
			v->fn->inl_keys = kc_xrealloc(v->fn->inl_keys, (v->fn->ninl_keys + 1) * sizeof(char *));
			v->fn->inl_keys[v->fn->ninl_keys++] = kc_sb_steal(&key);
			s = stmt(v, S_IACCESS);
			sqlite3_bind_int64(s, 1, v->fn->id);
			bind_text(s, 2, v->fn->inl_name);
			bind_text(s, 3, sname);
			bind_text(s, 4, fname);
			bind_text(s, 5, mode_names[i]);
			bind_text(s, 6, path);
			bind_pos(s, 7, &v->fn->inl_pos);
			run_stmt(v, s, "storing an inline field access");
		}
		goto done;
	}
	if (mode == 2 && pd >= 0 && !v->fn->dry) {
		/* a constant stored into the field (ring->count = RING_DEFAULT): field_const, which
		 * gives loops bounded by the field a trip estimate */
		struct kids bk = children(v->stack[pd].c);
		long long val;

		if (bk.n == 2 && eval_int(bk.c[1], &val)) {
			s = stmt(v, S_FCONST);
			sqlite3_bind_int64(s, 1, v->fn->id);
			bind_text(s, 2, sname);
			bind_text(s, 3, fname);
			sqlite3_bind_int64(s, 4, val);
			bind_pos(s, 5, &p);
			run_stmt(v, s, "storing a constant field store");
		}
	}
	for (i = 0; i < 3; i++) {
		if (!(mode & (1 << i)))
			continue;
		s = stmt(v, S_FACCESS);
		sqlite3_bind_int64(s, 1, v->fn->id);
		bind_text(s, 2, sname);
		bind_text(s, 3, fname);
		bind_text(s, 4, mode_names[i]);
		bind_text(s, 5, root_kind);
		if (root_idx >= 0)
			sqlite3_bind_int(s, 6, root_idx);
		bind_text(s, 7, root_name);
		bind_text(s, 8, path);
		bind_pos(s, 9, &p);
		run_stmt(v, s, "storing a field access");
	}
	/* shape evidence for pointer fields */
	if (t.kind == CXType_Record) {
		char *tn = type_record_name(v, clang_getCursorType(c));

		if (tn && !strcmp(tn, "list_head"))
			shape(v, sname, fname, "list_head", NULL, &p);
		free(tn);
	}
	if (t.kind == CXType_Pointer && !v->fn->unevaluated) {
		CXType pt = clang_getCanonicalType(clang_getPointeeType(t));
		char *ptn = type_record_name(v, clang_getPointeeType(t));
		int up = pd;
		unsigned uidx = idx;

		if (ptn && !strcmp(ptn, "list_head"))
			shape(v, sname, fname, "list_head", NULL, &p);
		free(ptn);
		/* climb past the implicit conversions to find how the pointer value is used */
		while (up >= 0 && (v->stack[up].k == CXCursor_UnexposedExpr || v->stack[up].k == CXCursor_ParenExpr ||
				   v->stack[up].k == CXCursor_CStyleCastExpr)) {
			CXType ut = clang_getCanonicalType(clang_getCursorType(v->stack[up].c));

			if (pt.kind == CXType_Void && ut.kind == CXType_Pointer &&
			    clang_getCanonicalType(clang_getPointeeType(ut)).kind != CXType_Void) {
				char *tn = cxstr(clang_getTypeSpelling(ut));

				shape(v, sname, fname, "cast", tn, &p);
				free(tn);
			}
			uidx = v->stack[up].idx;
			up--;
		}
		if (up >= 0 && !v->fn->dry) {
			/* local = x->f, T *local = x->f: the local holds the field's memory (ptr_flow) */
			struct frame *u = &v->stack[up];

			if (u->k == CXCursor_VarDecl && flow_local(u->c)) {
				flow_link(v, u->c, sname, fname);
			} else if (u->k == CXCursor_BinaryOperator && uidx == 1 && binop_is_assign(u->c)) {
				CXCursor lhs = strip(children(u->c).c[0]);

				if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr &&
				    flow_local(clang_getCursorReferenced(lhs)))
					flow_link(v, clang_getCursorReferenced(lhs), sname, fname);
			}
		}
		if (up >= 0) {
			struct frame *u = &v->stack[up];

			if (u->k == CXCursor_ArraySubscriptExpr && uidx == 0) {
				shape(v, sname, fname, "index", NULL, &p);
				shape(v, sname, fname, "deref", NULL, &p);
			} else if (u->k == CXCursor_MemberRefExpr && uidx == 0) {
				shape(v, sname, fname, "deref", NULL, &p);
			} else if (u->k == CXCursor_UnaryOperator && is_lvalue_form(u->c)) {
				shape(v, sname, fname, "deref", NULL, &p);
			} else if (u->k == CXCursor_UnaryOperator && unop_lvalue_kind(u->c) == 1) {
				shape(v, sname, fname, "ptr_arith", NULL, &p);
			} else if (u->k == CXCursor_CompoundAssignOperator && uidx == 0) {
				shape(v, sname, fname, "ptr_arith", NULL, &p);
			} else if (u->k == CXCursor_BinaryOperator && !binop_is_assign(u->c) &&
				   clang_getCanonicalType(clang_getCursorType(u->c)).kind == CXType_Pointer) {
				shape(v, sname, fname, "ptr_arith", NULL, &p);
			} else if (u->k == CXCursor_BinaryOperator && uidx == 1 && binop_is_assign(u->c)) {
				/* p = p->next */
				struct kids kk = children(u->c);
				CXCursor lhs = strip(kk.c[0]);

				if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr && root_name &&
				    !strcmp(root_kind, "local") && clang_getCursorKind(r) == CXCursor_DeclRefExpr &&
				    clang_equalCursors(clang_getCursorReferenced(lhs), clang_getCursorReferenced(r)))
					shape(v, sname, fname, "next_traversal", NULL, &p);
			}
		}
	}
done:
	free(sname);
	free(fname);
	free(path);
	free(root_name);
}

/* The n-th field of a record type (positional initializers). */
struct nth_field {
	unsigned want, seen;
	int found;
	CXCursor field;
};

static enum CXVisitorResult nth_field_cb(CXCursor c, CXClientData d)
{
	struct nth_field *nf = d;

	if (nf->seen++ == nf->want) {
		nf->field = c;
		nf->found = 1;
		return CXVisit_Break;
	}
	return CXVisit_Continue;
}

/* Remember that local variable (or parameter) var now holds function func. */
static void note_fvar(struct vctx *v, CXCursor var, CXCursor func)
{
	struct fn *fn = v->fn;
	enum CXCursorKind k = clang_getCursorKind(var);

	if ((k != CXCursor_VarDecl && k != CXCursor_ParmDecl) || is_global_var(var) ||
	    fn->nfvars >= (int)KC_ARRAY_SIZE(fn->fvars))
		return;
	fn->fvars[fn->nfvars].var = var;
	fn->fvars[fn->nfvars].func = func;
	fn->nfvars++;
}

/* A function name used as a value: address taken, and possibly a slot registration. */
static void on_func_value(struct vctx *v, CXCursor c, CXCursor fdecl)
{
	int d = v->depth - 1, i;
	long long fid = func_ref(v, fdecl, NULL, NULL);
	sqlite3_stmt *s;
	struct pos p = cursor_pos(v, c);
	char *macro = NULL;

	s = stmt(v, S_ADDR_TAKEN);
	sqlite3_bind_int64(s, 1, fid);
	run_stmt(v, s, "marking a function address-taken");
	s = stmt(v, S_ADDR_EVID);
	sqlite3_bind_int64(s, 1, fid);
	sqlite3_bind_int64(s, 2, v->tu_id);
	run_stmt(v, s, "storing address-taken evidence");
	if (module_hook(v, fid, &p))
		return;
	/* climb conversions and '&' */
	i = d;
	while (i > 0) {
		struct frame *par = &v->stack[i - 1];

		if ((is_cast_like(par->c) && children(par->c).n == 1) ||
		    (par->k == CXCursor_UnaryOperator && unop_lvalue_kind(par->c) == 2)) {
			i--;
			continue;
		}
		break;
	}
	if (i == 0)
		return;
	{
		struct frame *par = &v->stack[i - 1];
		struct frame *me = &v->stack[i];

		if (par->k == CXCursor_UnexposedExpr) {
			/* designated initializer: [MemberRef...] value */
			struct kids k = children(par->c);
			int j;

			for (j = (int)k.n - 2; j >= 0; j--) {
				if (clang_getCursorKind(k.c[j]) == CXCursor_MemberRef) {
					CXCursor fd = clang_getCursorReferenced(k.c[j]);
					char *sn = record_name(v, named_record_of_field(fd));
					char *fn = cxstr(clang_getCursorSpelling(fd));
					struct pos pp = cursor_pos(v, par->c);

					macro = macro_at(&pp, NULL); /* DECLARE_TASKLET, DEFINE_TIMER ... */
					ensure_struct_decl(v, named_record_of_field(fd), sn);
					reg_slot(v, fid, sn, fn, v->topvar, macro, &pp);
					free(sn);
					free(fn);
					break;
				}
			}
		} else if (par->k == CXCursor_InitListExpr) {
			CXType rt = clang_getCanonicalType(clang_getCursorType(par->c));

			struct nth_field nf = { .want = me->idx };

			if (rt.kind == CXType_Record) {
				clang_Type_visitFields(rt, nth_field_cb, &nf);
				if (nf.found) {
					CXCursor rec = named_record_of_field(nf.field);
					char *sn = record_name(v, rec);
					char *fn = cxstr(clang_getCursorSpelling(nf.field));

					struct pos pp = cursor_pos(v, par->c);

					macro = macro_at(&pp, NULL);
					ensure_struct_decl(v, rec, sn);
					reg_slot(v, fid, sn, fn, v->topvar, macro, &p);
					free(sn);
					free(fn);
				}
			}
		} else if (par->k == CXCursor_VarDecl && v->fn) {
			note_fvar(v, par->c, fdecl);
		} else if (par->k == CXCursor_BinaryOperator && me->idx == 1 && binop_is_assign(par->c)) {
			struct kids k = children(par->c);
			CXCursor lhs = strip(k.c[0]);

			if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr && v->fn)
				note_fvar(v, clang_getCursorReferenced(lhs), fdecl);

			if (clang_getCursorKind(lhs) == CXCursor_MemberRefExpr) {
				CXCursor fd = clang_getCursorReferenced(lhs);
				char *sn = record_name(v, named_record_of_field(fd));
				char *fn = cxstr(clang_getCursorSpelling(fd));
				struct kids lk = children(lhs);
				char *var = lk.n ? expr_str(v, strip(lk.c[0])) : NULL;

				if (var && var[0] == '&')
					memmove(var, var + 1, strlen(var));
				struct pos pp = cursor_pos(v, par->c);

				macro = macro_at(&pp, NULL);
				if (macro && var && !strncmp(var, macro, strlen(macro))) {
					free(macro);
					macro = NULL;
				}
				ensure_struct_decl(v, named_record_of_field(fd), sn);
				reg_slot(v, fid, sn, fn, var, macro, &pp);
				free(sn);
				free(fn);
				free(var);
			}
		}
	}
	free(macro);
}

/* ---- offsetof tables --------------------------------------------------------------------- */

struct offscan {
	struct vctx *v;
	const char *table;  /* the table's name (root_name) */
	const struct pos *p; /* where the function uses the table */
	char **seen;        /* "struct.field" already stored for this use */
	size_t nseen;
};

/* One offsetof(struct S, a.b[i].c) below a table's initializer (libclang: an UnexposedExpr whose
 * children are the TypeRef of S, a MemberRef per named member and the index expressions): a read of
 * every member on the path, each by the struct that declares it, via 'offsetof'. */
static void offsetof_expr(struct offscan *os, struct kids *k)
{
	struct vctx *v = os->v;
	struct kc_sb path = { 0 };
	char *tn = cxstr(clang_getTypeSpelling(clang_getCursorType(k->c[0])));
	unsigned i;
	int first = 1;

	kc_sb_addf(&path, "offsetof(%s, ", tn);
	free(tn);
	for (i = 1; i < k->n; i++) {
		if (clang_getCursorKind(k->c[i]) == CXCursor_MemberRef) {
			char *n = cxstr(clang_getCursorSpelling(k->c[i]));

			/* an anonymous struct/union member on the path is implicit, as in x.stats.rx_packets */
			if (*n) {
				kc_sb_addf(&path, "%s%s", first ? "" : ".", n);
				first = 0;
			}
			free(n);
		} else {
			kc_sb_add(&path, "[");
			expr_text(v, &path, k->c[i]);
			kc_sb_add(&path, "]");
		}
	}
	kc_sb_add(&path, ")");
	for (i = 1; i < k->n && !v->rc; i++) {
		CXCursor fd, rec;
		char *sname, *fname, *key;
		struct kc_sb kb = { 0 };
		sqlite3_stmt *s;
		size_t j;

		if (clang_getCursorKind(k->c[i]) != CXCursor_MemberRef)
			continue;
		fd = clang_getCursorReferenced(k->c[i]);
		if (clang_getCursorKind(fd) != CXCursor_FieldDecl)
			continue;
		fname = cxstr(clang_getCursorSpelling(fd));
		if (!*fname) {
			free(fname);
			continue; /* the anonymous member itself: its fields are recorded by their outer struct */
		}
		rec = named_record_of_field(fd);
		sname = record_name(v, rec);
		if (!strncmp(sname, "anon@", 5) && clang_equalCursors(clang_getCanonicalCursor(rec),
			clang_getCanonicalCursor(clang_getTypeDeclaration(
				clang_getCanonicalType(clang_getCursorType(k->c[0])))))) {
			/* offsetof(foo_t, x) with typedef struct { ... } foo_t: named as on_member does */
			char *tn = type_record_name(v, clang_getCursorType(k->c[0]));

			if (tn) {
				free(sname);
				sname = tn;
			}
		}
		kc_sb_addf(&kb, "%s.%s", sname, fname);
		key = kc_sb_steal(&kb);
		for (j = 0; j < os->nseen; j++)
			if (!strcmp(os->seen[j], key))
				break;
		if (j < os->nseen) {
			free(key);
		} else {
			os->seen = kc_xrealloc(os->seen, (os->nseen + 1) * sizeof(*os->seen));
			os->seen[os->nseen++] = key;
			ensure_struct_decl(v, rec, sname);
			s = stmt(v, S_FACCESS);
			sqlite3_bind_int64(s, 1, v->fn->id);
			bind_text(s, 2, sname);
			bind_text(s, 3, fname);
			bind_text(s, 4, "read");
			bind_text(s, 5, "global");
			bind_text(s, 7, os->table);
			bind_text(s, 8, path.s);
			bind_pos(s, 9, os->p);
			bind_text(s, 12, "offsetof");
			run_stmt(v, s, "storing a field access");
		}
		free(sname);
		free(fname);
	}
	kc_sb_free(&path);
}

static enum CXChildVisitResult offsetof_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	struct offscan *os = d;

	(void)parent;
	if (os->v->rc)
		return CXChildVisit_Break;
	if (clang_getCursorKind(c) == CXCursor_UnexposedExpr) {
		struct kids k = children(c);

		if (k.n >= 2 && clang_getCursorKind(k.c[0]) == CXCursor_TypeRef &&
		    clang_getCursorKind(k.c[1]) == CXCursor_MemberRef) {
			offsetof_expr(os, &k);
			return CXChildVisit_Continue;
		}
	}
	return CXChildVisit_Recurse;
}

/* The current function uses global var (at p): when var is a table defined in a driver file of this
 * TU whose initializer contains offsetof() expressions, the function may read each field they name
 * through `base + table[i].offset` (ethtool stats tables: e1000_gstrings_stats). Stored once per
 * function and table. A table defined in another TU is not seen (docs/analyzer.md). */
static void offsetof_table(struct vctx *v, CXCursor var, const struct pos *p)
{
	struct fn *fn = v->fn;
	CXCursor def = clang_getCursorDefinition(var);
	struct pos dp;
	struct offscan os = { .v = v, .p = p };
	int i;
	size_t j;

	if (clang_Cursor_isNull(def) || fn->noff >= (int)KC_ARRAY_SIZE(fn->offtabs))
		return;
	for (i = 0; i < fn->noff; i++)
		if (clang_equalCursors(fn->offtabs[i], def))
			return;
	for (j = 0; j < v->nno_offsetof; j++)
		if (clang_equalCursors(v->no_offsetof[j], def))
			return; /* scanned before in this TU: no offsetof (a big table used by many functions) */
	fn->offtabs[fn->noff++] = def;
	dp = cursor_pos(v, def);
	if (!dp.fi || !dp.fi->is_driver)
		return;
	{
		char *name = cxstr(clang_getCursorSpelling(def));

		os.table = name;
		clang_visitChildren(def, offsetof_cb, &os);
		free(name);
	}
	if (!os.nseen) {
		v->no_offsetof = kc_xrealloc(v->no_offsetof, (v->nno_offsetof + 1) * sizeof(CXCursor));
		v->no_offsetof[v->nno_offsetof++] = def;
	}
	for (j = 0; j < os.nseen; j++)
		free(os.seen[j]);
	free(os.seen);
}

/* A use of local var that holds register or DMA memory from an alloc site (fn->avars): when it is
 * the value assigned to a struct field (`tp->mmio_addr = ioaddr;` after `ioaddr = pci_iomap(...)`),
 * that field is where the alloc site's memory is kept: the alloc row becomes a field store (it
 * keeps store_var). The first such store counts. */
static void local_to_field(struct vctx *v, CXCursor var)
{
	struct fn *fn = v->fn;
	int i = v->depth - 1, j;

	for (j = 0; j < fn->navars; j++)
		if (clang_equalCursors(fn->avars[j].var, var))
			break;
	if (j == fn->navars)
		return;
	while (i > 0 && is_cast_like(v->stack[i - 1].c) && children(v->stack[i - 1].c).n == 1)
		i--;
	if (i > 0 && v->stack[i - 1].k == CXCursor_BinaryOperator && v->stack[i].idx == 1 &&
	    binop_is_assign(v->stack[i - 1].c)) {
		CXCursor lhs = strip(children(v->stack[i - 1].c).c[0]);

		if (clang_getCursorKind(lhs) == CXCursor_MemberRefExpr) {
			CXCursor fd = clang_getCursorReferenced(lhs);
			char *sn = record_name(v, named_record_of_field(fd));
			char *fnm = cxstr(clang_getCursorSpelling(fd));
			sqlite3_stmt *s = stmt(v, S_ALLOC_FIELD);

			sqlite3_bind_int64(s, 1, fn->avars[j].alloc_id);
			bind_text(s, 2, sn);
			bind_text(s, 3, fnm);
			run_stmt(v, s, "storing an allocation's field");
			free(sn);
			free(fnm);
			fn->avars[j] = fn->avars[--fn->navars];
		}
	}
}

/* A DeclRefExpr: function names used as values (address taken, registrations) and accesses to
 * global variables. */
static void on_declref(struct vctx *v, CXCursor c)
{
	CXCursor ref = clang_getCursorReferenced(c);
	enum CXCursorKind rk = clang_getCursorKind(ref);
	int d = v->depth - 1;

	if (v->fn && v->fn->inl)
		return; /* kernel inline code: its function values and globals are not the driver's */
	if (rk == CXCursor_VarDecl && v->fn && v->fn->navars && !v->fn->unevaluated)
		local_to_field(v, ref);
	if (rk == CXCursor_VarDecl || rk == CXCursor_ParmDecl)
		flow_declref(v, c, ref, d);
	if (rk == CXCursor_FunctionDecl) {
		/* callee of a call? */
		int i = d;

		while (i > 0 && is_cast_like(v->stack[i - 1].c) && v->stack[i - 1].k != CXCursor_CStyleCastExpr)
			i--;
		if (i > 0 && v->stack[i - 1].k == CXCursor_CallExpr && v->stack[i].idx == 0)
			return;
		on_func_value(v, c, ref);
		return;
	}
	if (rk == CXCursor_VarDecl && is_global_var(ref) && v->fn && !v->fn->unevaluated) {
		long long gid = global_ref(v, ref, 0);
		int mode = lvalue_mode(v, d), i;
		struct pos p = cursor_pos(v, c);

		for (i = 0; i < 3; i++) {
			sqlite3_stmt *s;

			if (!(mode & (1 << i)))
				continue;
			s = stmt(v, S_GACCESS);
			sqlite3_bind_int64(s, 1, v->fn->id);
			sqlite3_bind_int64(s, 2, gid);
			bind_text(s, 3, mode_names[i]);
			bind_pos(s, 4, &p);
			run_stmt(v, s, "storing a global access");
		}
		offsetof_table(v, ref, &p);
	}
}

/* ---- the walk ---------------------------------------------------------------------------- */

/* Walk the children of c with walk_cb (the walk keeps its own ancestor stack). */
static void walk_children(struct vctx *v, CXCursor c)
{
	clang_visitChildren(c, walk_cb, v);
}

/* ---- flow-sensitive lock state over the structured AST -------------------------------------
 *
 * Statements that change the flow of control are walked child by child here (walk_flow) so that
 * fn->cur, the locks held at the current point, follows the paths of the function: both branches
 * of an if start from the condition's state and meet again after it (union: a lock held on either
 * path counts as held); a loop body is walked once for the facts and then again, with fn->dry set
 * (nothing stored, call-site locksets widened), until the state at its head is stable; break,
 * continue, return and goto end their path (dead state), their states flowing to the loop or
 * switch exit, the loop head, nowhere, or the label. See docs/analyzer.md, "Locks". */

static int is_flow_stmt(enum CXCursorKind k)
{
	switch (k) {
	case CXCursor_IfStmt:
	case CXCursor_WhileStmt:
	case CXCursor_ForStmt:
	case CXCursor_DoStmt:
	case CXCursor_SwitchStmt:
	case CXCursor_CaseStmt:
	case CXCursor_DefaultStmt:
	case CXCursor_BreakStmt:
	case CXCursor_ContinueStmt:
	case CXCursor_ReturnStmt:
	case CXCursor_GotoStmt:
	case CXCursor_LabelStmt:
		return 1;
	default:
		return 0;
	}
}

/* Walk one child cursor (through walk_cb, which keeps the ancestor stack). */
static void walk_one(struct vctx *v, CXCursor c)
{
	walk_cb(c, clang_getNullCursor(), v);
}

/* Is c a logical-not ("!e")? libclang 14 has no operator kinds: look at the written token. */
static int is_lnot(struct vctx *v, CXCursor c)
{
	struct pos p;

	if (clang_getCursorKind(c) != CXCursor_UnaryOperator)
		return 0;
	p = cursor_pos(v, c);
	return p.fi && p.fi->buf && p.off < p.fi->len && p.fi->buf[p.off] == '!';
}

/* The value of a constant condition: 1 true, 0 false, -1 not a constant. */
static int const_cond(CXCursor c)
{
	CXEvalResult r;
	int val = -1;

	c = strip(c);
	if (clang_getCursorKind(c) != CXCursor_IntegerLiteral)
		return -1;
	r = clang_Cursor_Evaluate(c);
	if (r && clang_EvalResult_getKind(r) == CXEval_Int)
		val = clang_EvalResult_getAsLongLong(r) != 0;
	if (r)
		clang_EvalResult_dispose(r);
	return val;
}

/* The source text between a BinaryOperator's two operands (where its operator is): *buf and the
 * byte range [*from, *to) of it, at most max bytes; 0 when it cannot be read (operands from
 * different macro arguments or files). libclang 14 has no operator kinds. */
static int op_text(CXCursor binop, unsigned max, const char **buf, unsigned *from, unsigned *to)
{
	struct kids k = children(binop);
	CXFile fa = NULL, fb = NULL;
	unsigned la, ca, oa, lb, cb, ob;
	size_t len;

	if (k.n != 2)
		return 0;
	clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(k.c[0])), &fa, &la, &ca, &oa);
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(k.c[1])), &fb, &lb, &cb, &ob);
	if (!fa || fa != fb || ob <= oa || ob - oa > max)
		return 0;
	*buf = clang_getFileContents(clang_Cursor_getTranslationUnit(binop), fa, &len);
	if (!*buf || ob > len)
		return 0;
	*from = oa;
	*to = ob;
	return 1;
}

/* The logical operator of a BinaryOperator: 1 for '&&', 2 for '||', 0 for anything else (or when
 * the operator's text cannot be read, op_text). */
static int logic_op(CXCursor binop)
{
	const char *buf;
	unsigned i, oa, ob;
	int op = 0;

	if (!op_text(binop, 256, &buf, &oa, &ob))
		return 0;
	for (i = oa; i + 1 < ob; i++) {
		int o = buf[i] == '&' && buf[i + 1] == '&' ? 1 : buf[i] == '|' && buf[i + 1] == '|' ? 2 : 0;

		if (o && op && o != op)
			return 0;
		if (o)
			op = o;
	}
	return op;
}

/* What walk_cond splits: 1 '&&', 2 '||', 3 '!', 4 '?:', 0 a leaf. */
static int cond_shape(struct vctx *v, CXCursor c)
{
	switch (clang_getCursorKind(c)) {
	case CXCursor_BinaryOperator:
		return logic_op(c);
	case CXCursor_UnaryOperator:
		return is_lnot(v, c) && children(c).n == 1 ? 3 : 0;
	case CXCursor_ConditionalOperator:
		return children(c).n == 3 ? 4 : 0;
	default:
		return 0;
	}
}

/* Enter / leave a node without walk_cb (a condition's operators and the parentheses and implicit
 * conversions around them): the ancestor stack stays what walk_cb would have made it. walk_cb
 * does nothing else for these kinds. Returns 0 when the stack is full. */
static int frame_push(struct vctx *v, CXCursor c)
{
	struct frame *fr;

	if (v->depth >= MAX_DEPTH)
		return 0;
	fr = &v->stack[v->depth];
	fr->c = c;
	fr->k = clang_getCursorKind(c);
	fr->nchild = 0;
	fr->idx = v->depth > 0 ? v->stack[v->depth - 1].nchild++ : 0;
	v->depth++;
	return 1;
}

static void walk_cond_leaf(struct vctx *v, CXCursor cond, struct lockset *t, struct lockset *f);

/* Walk a condition; *t and *f get the states on its true and false exits. '&&', '||', '!' and
 * '?:' are split as C evaluates them: A && B is true when both are (B walked from A's true exit)
 * and false when either is; A || B the converse; !A swaps the exits; c ? x : y walks x from c's
 * true exit and y from its false exit. The leaves are walk_cond_leaf's. */
static void walk_cond(struct vctx *v, CXCursor cond, struct lockset *t, struct lockset *f)
{
	struct fn *fn = v->fn;
	CXCursor e = cond;
	struct lockset at, af, bt, bf, ct, cf;
	struct kids kk;
	int shape, pushed = 0;

	/* through parentheses and implicit conversions to the operator, if there is one */
	while ((clang_getCursorKind(e) == CXCursor_ParenExpr || clang_getCursorKind(e) == CXCursor_UnexposedExpr) &&
	       (kk = children(e)).n == 1 && cond_shape(v, strip(kk.c[0])))
		e = kk.c[0];
	shape = cond_shape(v, e);
	if (!shape) {
		walk_cond_leaf(v, cond, t, f);
		return;
	}
	for (e = cond; cond_shape(v, e) == 0; e = children(e).c[0])
		pushed += frame_push(v, e);
	pushed += frame_push(v, e);
	kk = children(e);
	switch (shape) {
	case 1: /* A && B */
		walk_cond(v, kk.c[0], &at, &af);
		fn->cur = at;
		walk_cond(v, kk.c[1], &bt, &bf);
		*t = bt;
		*f = af;
		ls_merge(f, &bf);
		break;
	case 2: /* A || B */
		walk_cond(v, kk.c[0], &at, &af);
		fn->cur = af;
		walk_cond(v, kk.c[1], &bt, &bf);
		*t = at;
		ls_merge(t, &bt);
		*f = bf;
		break;
	case 3: /* !A */
		walk_cond(v, kk.c[0], &at, &af);
		*t = af;
		*f = at;
		break;
	default: /* c ? A : B */
		walk_cond(v, kk.c[0], &ct, &cf);
		fn->cur = ct;
		walk_cond(v, kk.c[1], &at, &af);
		fn->cur = cf;
		walk_cond(v, kk.c[2], &bt, &bf);
		*t = at;
		ls_merge(t, &bt);
		*f = af;
		ls_merge(f, &bf);
		break;
	}
	v->depth -= pushed;
}

/* A condition with no '&&', '||', '!', '?:' at its top. A trylock whose result is the condition
 * (possibly under '!' the caller did not split, parentheses, casts) is held on its success exit
 * only; tested any other way (ret = spin_trylock(l), spin_trylock(l) == 1) it is held on both. */
static void walk_cond_leaf(struct vctx *v, CXCursor cond, struct lockset *t, struct lockset *f)
{
	struct fn *fn = v->fn;
	CXCursor e;
	int neg = 0, j;
	enum CXCursorKind k;

	fn->have_try = 0;
	walk_one(v, cond);
	*t = fn->cur;
	*f = fn->cur;
	if (!fn->have_try)
		return;
	fn->have_try = 0;
	if (fn->try_was_held)
		return;
	e = strip(cond);
	while (is_lnot(v, e) && children(e).n == 1) {
		neg = !neg;
		e = strip(children(e).c[0]);
	}
	k = clang_getCursorKind(e);
	if (k != CXCursor_CallExpr && k != CXCursor_StmtExpr && k != CXCursor_UnexposedExpr)
		return;
	/* the failure exit does not hold the lock */
	{
		struct lockset *fail = (fn->try_true ^ neg) ? f : t;

		j = ls_find(fail, fn->try_h.expr);
		if (j >= 0)
			ls_del(fail, j);
	}
}

/* The innermost enclosing loop (want_loop) or loop-or-switch, or NULL. */
static struct ctl *ctl_find(struct fn *fn, int want_loop)
{
	int i;

	for (i = fn->nctl - 1; i >= 0; i--)
		if (fn->ctl[i].is_loop || !want_loop)
			return &fn->ctl[i];
	return NULL;
}

/* The innermost enclosing switch, or NULL. */
static struct ctl *switch_find(struct fn *fn)
{
	int i;

	for (i = fn->nctl - 1; i >= 0; i--)
		if (!fn->ctl[i].is_loop)
			return &fn->ctl[i];
	return NULL;
}

/* Enter a loop or switch (NULL when nested too deep: its breaks then flow nowhere). */
static struct ctl *ctl_push(struct fn *fn, int is_loop)
{
	struct ctl *x;

	if (fn->nctl >= MAX_CTL)
		return NULL;
	x = &fn->ctl[fn->nctl++];
	memset(x, 0, sizeof(*x));
	x->is_loop = is_loop;
	x->depth = fn->loop_depth;
	x->lrec = -1;
	ls_set_dead(&x->brk);
	ls_set_dead(&x->cont);
	return x;
}

/* The label entry of a LabelStmt cursor (created on first use), or NULL when too many. */
static struct label *label_get(struct fn *fn, CXCursor c)
{
	int i;

	/* a LabelRef's referenced cursor and the walked LabelStmt differ in their parent data:
	 * compare by location */
	for (i = 0; i < fn->nlabels; i++)
		if (clang_equalLocations(clang_getCursorLocation(fn->labels[i].c), clang_getCursorLocation(c)))
			return &fn->labels[i];
	if (fn->nlabels >= MAX_LABELS)
		return NULL;
	memset(&fn->labels[fn->nlabels], 0, sizeof(fn->labels[0]));
	fn->labels[fn->nlabels].c = c;
	ls_set_dead(&fn->labels[fn->nlabels].pend);
	return &fn->labels[fn->nlabels++];
}

static enum CXChildVisitResult last_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	*(CXCursor *)d = c;
	return CXChildVisit_Continue;
}

/* Loop facts: an if-branch in a loop that leaves it (its last statement is a return, a goto, or a
 * break of the innermost loop: kernel style, the error path) runs at most once per run of the
 * loops it leaves, whatever their trip count. Stored as table loop_exit with `leaves`, the depth
 * of the outermost loop it leaves (1 for a return or goto: every enclosing loop). */
static void store_exit(struct vctx *v, CXCursor branch)
{
	struct fn *fn = v->fn;
	CXCursor last = branch;
	CXSourceRange r;
	CXFile f1 = NULL, f2 = NULL;
	unsigned l1, c1, o1, l2, c2, o2;
	struct pos p;
	sqlite3_stmt *s;
	int leaves = 0;

	if (fn->dry || fn->loop_depth <= 0 || v->rc)
		return;
	if (clang_getCursorKind(branch) == CXCursor_CompoundStmt) {
		last = clang_getNullCursor();
		clang_visitChildren(branch, last_cb, &last);
		if (clang_Cursor_isNull(last))
			return;
	}
	switch (clang_getCursorKind(last)) {
	case CXCursor_ReturnStmt:
	case CXCursor_GotoStmt:
		leaves = 1;
		break;
	case CXCursor_BreakStmt: {
		struct ctl *x = ctl_find(fn, 0);

		if (x && x->is_loop)
			leaves = x->depth;
		break;
	}
	default:
		break;
	}
	if (!leaves)
		return;
	r = clang_getCursorExtent(branch);
	clang_getSpellingLocation(clang_getRangeStart(r), &f1, &l1, &c1, &o1);
	clang_getSpellingLocation(clang_getRangeEnd(r), &f2, &l2, &c2, &o2);
	if (!f1 || f1 != f2)
		return; /* spread over files (a macro): not recorded, the loop's estimate stands */
	p = cursor_pos(v, branch);
	p.fi = file_info(v, f1);
	p.line = l1;
	p.col = c1;
	s = stmt(v, S_LEXIT);
	sqlite3_bind_int64(s, 1, fn->id);
	sqlite3_bind_int(s, 2, leaves);
	bind_pos(s, 3, &p);
	sqlite3_bind_int(s, 6, (int)l2);
	sqlite3_bind_int(s, 7, (int)c2);
	run_stmt(v, s, "storing a loop exit");
}

/* A loop: while (cond) body; for (init; cond; inc) body; do body while (cond). The body is walked
 * for the facts with the entry state, then re-walked dry with the entry state widened by the
 * back edge until nothing changes (the locksets only grow and are bounded, so this ends). */
/* The parts of a for statement written in the driver: libclang omits absent parts, so which
 * child is init, cond or inc is decided by where it is written relative to the two ';' of the
 * header. parts[0..2] = child index of init, cond, inc, or -1 when absent. Returns 0 when that
 * cannot be read (a for written inside a macro, a child from elsewhere). */
static int for_parts(struct vctx *v, CXCursor c, const struct kids *kk, int parts[3])
{
	struct pos p = cursor_pos(v, c);
	const char *b;
	size_t i, semi[2] = { 0, 0 }, close = 0, n = 0;
	int depth = 0;
	unsigned j;

	parts[0] = parts[1] = parts[2] = -1;
	if (!p.fi || !p.fi->buf || p.off + 3 > p.fi->len || strncmp(p.fi->buf + p.off, "for", 3))
		return 0;
	b = p.fi->buf;
	for (i = p.off + 3; i < p.fi->len && !close; i++) {
		char ch = b[i];

		if (ch == '/' && i + 1 < p.fi->len && b[i + 1] == '*') {
			const char *e = strstr(b + i + 2, "*/"); /* the buffer is NUL-terminated */

			if (!e)
				return 0;
			i = (size_t)(e - b) + 1;
		} else if (ch == '/' && i + 1 < p.fi->len && b[i + 1] == '/') {
			while (i < p.fi->len && b[i] != '\n')
				i++;
		} else if (ch == '"' || ch == '\'') {
			for (i++; i < p.fi->len && b[i] != ch; i++)
				if (b[i] == '\\')
					i++;
		} else if (ch == '(') {
			depth++;
		} else if (ch == ')') {
			if (--depth == 0)
				close = i;
		} else if (ch == ';' && depth == 1 && n < 2) {
			semi[n++] = i;
		} else if (depth == 0 && !isspace((unsigned char)ch)) {
			return 0;
		}
	}
	if (n != 2 || !close)
		return 0;
	for (j = 0; j + 1 < kk->n; j++) {
		struct pos cp = cursor_pos(v, kk->c[j]);
		int part;

		if (cp.fi != p.fi || cp.off <= p.off || cp.off >= close)
			return 0;
		part = cp.off < semi[0] ? 0 : cp.off < semi[1] ? 1 : 2;
		if (parts[part] >= 0)
			return 0;
		parts[part] = (int)j;
	}
	return 1;
}

/* ---- loop facts (table loop): how often a loop may run, for the partitioner's cost model ---- */

/* The value of an integer constant expression (ARRAY_SIZE(t), RING_SIZE, 4096), 1; else 0. */
static int eval_int(CXCursor c, long long *val)
{
	CXEvalResult r;
	int ok = 0;

	c = strip(c);
	switch (clang_getCursorKind(c)) {
	case CXCursor_IntegerLiteral:
	case CXCursor_BinaryOperator:
	case CXCursor_UnaryExpr:
	case CXCursor_UnaryOperator:
	case CXCursor_DeclRefExpr: /* an enumerator */
	case CXCursor_CharacterLiteral:
		break;
	default:
		return 0;
	}
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr &&
	    clang_getCursorKind(clang_getCursorReferenced(c)) != CXCursor_EnumConstantDecl)
		return 0;
	r = clang_Cursor_Evaluate(c);
	if (r && clang_EvalResult_getKind(r) == CXEval_Int) {
		*val = clang_EvalResult_getAsLongLong(r);
		ok = 1;
	}
	if (r)
		clang_EvalResult_dispose(r);
	return ok;
}

/* The relational operator of a BinaryOperator, read from the text between its operands (op_text):
 * 1 '<', 2 '<=', 3 '>', 4 '>=', 5 '!=', 0 anything else. */
static int rel_op(CXCursor binop)
{
	const char *buf;
	unsigned i, oa, ob;
	int op = 0;

	if (!op_text(binop, 64, &buf, &oa, &ob))
		return 0;
	for (i = oa; i < ob; i++) {
		char ch = buf[i], nx = i + 1 < ob ? buf[i + 1] : 0;

		if (isspace((unsigned char)ch) || ch == ')')
			continue;
		if (op)
			return 0; /* a second operator token */
		if (ch == '<' && nx == '=')
			op = 2, i++;
		else if (ch == '>' && nx == '=')
			op = 4, i++;
		else if (ch == '!' && nx == '=')
			op = 5, i++;
		else if (ch == '<' && nx != '<')
			op = 1;
		else if (ch == '>' && nx != '>')
			op = 3;
		else
			return 0;
	}
	return op;
}

/* The variable a DeclRefExpr (after stripping) names, or a null cursor. */
static CXCursor ref_var(CXCursor c)
{
	c = strip(c);
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
		CXCursor d = clang_getCursorReferenced(c);

		if (clang_getCursorKind(d) == CXCursor_VarDecl || clang_getCursorKind(d) == CXCursor_ParmDecl)
			return d;
	}
	return clang_getNullCursor();
}

/* The constant a for-loop's init part gives its variable var (i = 0; int i = 0), 1; else 0. */
static int init_value(CXCursor init, CXCursor var, long long *val)
{
	struct kids k = children(init);
	unsigned i;

	if (clang_getCursorKind(init) == CXCursor_BinaryOperator && k.n == 2 && binop_is_assign(init))
		return clang_equalCursors(ref_var(k.c[0]), var) && eval_int(k.c[1], val);
	if (clang_getCursorKind(init) == CXCursor_DeclStmt)
		for (i = 0; i < k.n; i++)
			if (clang_equalCursors(k.c[i], var)) {
				struct kids vk = children(k.c[i]);

				return vk.n >= 1 && eval_int(vk.c[vk.n - 1], val);
			}
	return 0;
}

/* The step of a for-loop's increment part: i += K gives K, anything else (i++, --i) 1. */
static long long step_of(CXCursor inc)
{
	struct kids k = children(inc);
	long long v;

	if (clang_getCursorKind(inc) == CXCursor_CompoundAssignOperator && k.n == 2 && eval_int(k.c[1], &v) && v > 0)
		return v;
	return 1;
}

/* The source text of an expression as written (a bound: "n--", "ring->count"), from its extent when
 * it lies in one file, else rebuilt from the AST (expr_str). At most 120 characters. */
static char *src_text(struct vctx *v, CXCursor c)
{
	CXSourceRange r = clang_getCursorExtent(c);
	CXFile f1 = NULL, f2 = NULL;
	unsigned l1, c1, o1, l2, c2, o2;
	const char *buf;
	size_t len;

	clang_getSpellingLocation(clang_getRangeStart(r), &f1, &l1, &c1, &o1);
	clang_getSpellingLocation(clang_getRangeEnd(r), &f2, &l2, &c2, &o2);
	buf = f1 ? clang_getFileContents(v->tu, f1, &len) : NULL;
	if (!buf || f1 != f2 || o2 <= o1 || o2 > len || o2 - o1 > 120)
		return expr_str(v, c);
	{
		char *t = kc_xmalloc(o2 - o1 + 1);
		size_t i, n = 0;

		for (i = o1; i < o2; i++) /* one line: newlines and tabs as spaces */
			t[n++] = buf[i] == '\n' || buf[i] == '\t' ? ' ' : buf[i];
		t[n] = 0;
		return t;
	}
}

struct lbound {
	const char *kind; /* 'const' | 'field' | 'expr' | 'none' */
	long long trips;
	char *sname, *fname, *expr;
};

/* What bounds a for-loop: for (i = A; i < B; i += S) with B a constant gives its trip count
 * (ceil((B - A) / S), A = 0 when not a constant: an upper bound); B a struct field (ring->count)
 * names the field; a decreasing loop (i = A; i > B; i--) needs both constant. */
static void for_bound(struct vctx *v, const struct kids *kk, const int parts[3], struct lbound *b)
{
	CXCursor cond, lhs, rhs, var;
	struct kids ck;
	long long start = 0, end, step;
	int op, have_start;

	if (parts[1] < 0) {
		b->kind = "none";
		return;
	}
	cond = strip(kk->c[parts[1]]);
	b->kind = "expr";
	ck = children(cond);
	op = clang_getCursorKind(cond) == CXCursor_BinaryOperator ? rel_op(cond) : 0;
	if (!op || ck.n != 2) {
		b->expr = src_text(v, kk->c[parts[1]]);
		return;
	}
	lhs = ck.c[0];
	rhs = ck.c[1];
	var = ref_var(lhs);
	if (clang_Cursor_isNull(var) && !clang_Cursor_isNull(ref_var(rhs)) && op != 5) {
		/* B > i is i < B */
		var = ref_var(rhs);
		rhs = lhs;
		op = op == 1 ? 3 : op == 2 ? 4 : op == 3 ? 1 : 2;
	}
	b->expr = src_text(v, rhs);
	if (clang_Cursor_isNull(var))
		return;
	have_start = parts[0] >= 0 && init_value(kk->c[parts[0]], var, &start);
	step = parts[2] >= 0 ? step_of(kk->c[parts[2]]) : 1;
	if (eval_int(rhs, &end)) {
		long long n;

		if (op == 3 || op == 4) {
			if (!have_start)
				return;
			n = start - end + (op == 4);
		} else {
			n = end - (have_start ? start : 0) + (op == 2);
		}
		b->kind = "const";
		b->trips = n <= 0 ? 0 : (n + step - 1) / step;
		return;
	}
	rhs = strip(rhs);
	if ((op == 1 || op == 2 || op == 5) && clang_getCursorKind(rhs) == CXCursor_MemberRefExpr) {
		CXCursor fd = clang_getCursorReferenced(rhs);

		if (clang_getCursorKind(fd) == CXCursor_FieldDecl) {
			b->kind = "field";
			b->sname = member_struct_name(v, rhs, fd);
			b->fname = cxstr(clang_getCursorSpelling(fd));
		}
	}
}

/* Store the loop fact of loop c (kind 'for' / 'while' / 'do', or 'once' for do { } while (0)). */
static void store_loop(struct vctx *v, CXCursor c, const char *kind, struct lbound *b, int exits)
{
	CXSourceRange r = clang_getCursorExtent(c);
	CXFile f1 = NULL, f2 = NULL;
	unsigned l1, c1, o1, l2, c2, o2;
	struct pos p = cursor_pos(v, c);
	sqlite3_stmt *s;

	clang_getSpellingLocation(clang_getRangeStart(r), &f1, &l1, &c1, &o1);
	clang_getSpellingLocation(clang_getRangeEnd(r), &f2, &l2, &c2, &o2);
	if (f1 && f1 == f2 && (l1 < p.line || (l1 == p.line && c1 <= p.col))) {
		p.fi = file_info(v, f1);
		p.line = l1;
		p.col = c1;
	} else {
		l2 = p.line; /* a loop spread over files (a macro): its own position only */
		c2 = p.col;
	}
	s = stmt(v, S_LOOP);
	sqlite3_bind_int64(s, 1, v->fn->id);
	bind_text(s, 2, kind);
	sqlite3_bind_int(s, 3, v->fn->loop_depth);
	bind_pos(s, 4, &p);
	sqlite3_bind_int(s, 7, (int)l2);
	sqlite3_bind_int(s, 8, (int)c2);
	bind_text(s, 9, b->kind);
	if (!strcmp(b->kind, "const"))
		sqlite3_bind_int64(s, 10, b->trips);
	bind_text(s, 11, b->sname);
	bind_text(s, 12, b->fname);
	bind_text(s, 13, b->expr);
	sqlite3_bind_int(s, 14, exits);
	run_stmt(v, s, "storing a loop");
	free(b->sname);
	free(b->fname);
	free(b->expr);
	memset(b, 0, sizeof(*b));
}

static void walk_loop(struct vctx *v, CXCursor c, enum CXCursorKind k)
{
	struct fn *fn = v->fn;
	struct kids kk = children(c);
	struct lockset entry0, head, exitf, back, t, f;
	struct ctl *x;
	struct lbound lb = { 0 };
	int pass, fp[3], *parts = NULL, store = !fn->dry, lr = -1;
	unsigned i;

	if (kk.n == 0 || (k != CXCursor_ForStmt && kk.n != 2)) {
		walk_children(v, c);
		return;
	}
	if (k == CXCursor_ForStmt && kk.n < KC_ARRAY_SIZE(kk.c) && for_parts(v, c, &kk, fp)) {
		parts = fp;
		if (parts[0] >= 0)
			walk_one(v, kk.c[parts[0]]);
	}
	if (fn->nlrec < MAX_CTL) {
		lr = fn->nlrec++;
		fn->lrec[lr].exits = 0;
	}
	entry0 = head = fn->cur;
	if (k == CXCursor_DoStmt && const_cond(kk.c[1]) == 0) {
		/* do { ... } while (0), as macros write it: not a loop */
		x = ctl_push(fn, 1);
		walk_one(v, kk.c[0]);
		if (x) {
			ls_merge(&fn->cur, &x->cont);
			walk_one(v, kk.c[1]);
			ls_merge(&fn->cur, &x->brk);
			fn->nctl--;
		} else {
			walk_one(v, kk.c[1]);
		}
		if (lr >= 0)
			fn->nlrec--;
		if (store && !v->rc) {
			lb.kind = "const";
			lb.trips = 1;
			store_loop(v, c, "once", &lb, 0);
		}
		return;
	}
	for (pass = 0;; pass++) {
		x = ctl_push(fn, 1);
		if (x)
			x->lrec = lr;
		if (pass > 0) {
			fn->dry++;
			fn->last_lock_off = 0;
			fn->last_lock_file = 0;
		}
		fn->cur = head;
		if (k == CXCursor_WhileStmt) {
			walk_cond(v, kk.c[0], &t, &f);
			exitf = f;
			if (const_cond(kk.c[0]) == 1)
				ls_set_dead(&exitf);
			fn->cur = t;
			walk_one(v, kk.c[1]);
			if (x)
				ls_merge(&fn->cur, &x->cont);
			back = fn->cur;
		} else if (k == CXCursor_ForStmt && parts) {
			/* init (walked once, before the loop), cond (split into its exits), body, inc */
			if (parts[1] >= 0) {
				walk_cond(v, kk.c[parts[1]], &t, &f);
				exitf = f;
				if (const_cond(kk.c[parts[1]]) == 1)
					ls_set_dead(&exitf);
				fn->cur = t;
			} else {
				exitf = fn->cur;
				ls_set_dead(&exitf); /* for (init; ; inc) */
			}
			walk_one(v, kk.c[kk.n - 1]);
			if (x)
				ls_merge(&fn->cur, &x->cont);
			if (parts[2] >= 0)
				walk_one(v, kk.c[parts[2]]);
			back = fn->cur;
		} else if (k == CXCursor_ForStmt) {
			/* the parts could not be told apart (a for written by a macro): all are walked
			 * before the body with the loop-head state */
			for (i = 0; i + 1 < kk.n; i++)
				walk_one(v, kk.c[i]);
			exitf = fn->cur;
			if (kk.n == 1) /* for (;;) */
				ls_set_dead(&exitf);
			walk_one(v, kk.c[kk.n - 1]);
			if (x)
				ls_merge(&fn->cur, &x->cont);
			back = fn->cur;
		} else {
			walk_one(v, kk.c[0]);
			if (x)
				ls_merge(&fn->cur, &x->cont);
			walk_cond(v, kk.c[1], &t, &f);
			back = t;
			exitf = f;
			if (const_cond(kk.c[1]) == 1)
				ls_set_dead(&exitf);
		}
		if (pass > 0)
			fn->dry--;
		if (x) {
			ls_merge(&exitf, &x->brk);
			fn->nctl--;
		}
		if (v->rc || !ls_grows(&back, &head) || pass > MAX_HELD + 1)
			break;
		ls_merge(&head, &back);
		ls_merge(&head, &entry0);
	}
	fn->cur = exitf;
	if (store && !v->rc) {
		if (k == CXCursor_ForStmt && parts) {
			for_bound(v, &kk, parts, &lb);
		} else if (k == CXCursor_ForStmt) {
			/* written by a macro (list_for_each_entry, for_each_set_bit): the macro's name */
			struct pos p = cursor_pos(v, c);

			lb.kind = kk.n == 1 ? "none" : "expr";
			lb.expr = macro_at(&p, "for");
		} else {
			CXCursor cond = kk.c[k == CXCursor_WhileStmt ? 0 : 1];

			lb.kind = const_cond(cond) == 1 ? "none" : "expr";
			lb.expr = src_text(v, cond);
		}
		store_loop(v, c, k == CXCursor_ForStmt ? "for" : k == CXCursor_WhileStmt ? "while" : "do", &lb,
			   lr >= 0 ? fn->lrec[lr].exits : 1);
	}
	if (lr >= 0)
		fn->nlrec--;
}

/* A statement that changes the flow of control, child by child (see above). */
static void walk_flow(struct vctx *v, CXCursor c, enum CXCursorKind k)
{
	struct fn *fn = v->fn;
	struct kids kk;
	struct ctl *x;
	struct label *l;
	struct lockset t, f;

	switch (k) {
	case CXCursor_IfStmt:
		kk = children(c);
		if (kk.n != 2 && kk.n != 3) {
			walk_children(v, c);
			return;
		}
		walk_cond(v, kk.c[0], &t, &f);
		fn->cur = t;
		store_exit(v, kk.c[1]);
		walk_one(v, kk.c[1]);
		t = fn->cur;
		fn->cur = f;
		if (kk.n == 3) {
			store_exit(v, kk.c[2]);
			walk_one(v, kk.c[2]);
		}
		ls_merge(&fn->cur, &t);
		return;
	case CXCursor_WhileStmt:
	case CXCursor_ForStmt:
	case CXCursor_DoStmt:
		walk_loop(v, c, k);
		return;
	case CXCursor_SwitchStmt:
		kk = children(c);
		if (kk.n != 2) {
			walk_children(v, c);
			return;
		}
		walk_one(v, kk.c[0]);
		x = ctl_push(fn, 0);
		if (!x) {
			walk_one(v, kk.c[1]);
			return;
		}
		x->entry = fn->cur;
		ls_set_dead(&fn->cur); /* only case labels are reached from the switch */
		walk_one(v, kk.c[1]);
		x = &fn->ctl[fn->nctl - 1];
		ls_merge(&fn->cur, &x->brk);
		if (!x->has_default)
			ls_merge(&fn->cur, &x->entry);
		fn->nctl--;
		return;
	case CXCursor_CaseStmt:
	case CXCursor_DefaultStmt:
		x = switch_find(fn);
		if (x) {
			ls_merge(&fn->cur, &x->entry);
			if (k == CXCursor_DefaultStmt)
				x->has_default = 1;
		}
		walk_children(v, c);
		return;
	case CXCursor_BreakStmt:
	case CXCursor_ContinueStmt:
		x = ctl_find(fn, k == CXCursor_ContinueStmt);
		if (x)
			ls_merge(k == CXCursor_BreakStmt ? &x->brk : &x->cont, &fn->cur);
		if (x && k == CXCursor_BreakStmt && x->is_loop && x->lrec >= 0)
			fn->lrec[x->lrec].exits = 1; /* loop facts: it can end early */
		ls_set_dead(&fn->cur);
		return;
	case CXCursor_ReturnStmt:
		walk_children(v, c);
		ls_set_dead(&fn->cur);
		for (int j = 0; j < fn->nlrec; j++)
			fn->lrec[j].exits = 1;
		return;
	case CXCursor_GotoStmt:
		kk = children(c);
		l = kk.n == 1 ? label_get(fn, clang_getCursorReferenced(kk.c[0])) : NULL;
		if (l) {
			if (l->passed && ls_grows(&fn->cur, &l->seen))
				fn->rewalk = 1; /* a backward goto with new locks */
			ls_merge(&l->pend, &fn->cur);
		}
		ls_set_dead(&fn->cur);
		return;
	case CXCursor_LabelStmt:
		l = label_get(fn, c);
		if (l) {
			ls_merge(&fn->cur, &l->pend);
			l->passed = 1;
			l->seen = fn->cur;
		}
		walk_children(v, c);
		return;
	default:
		walk_children(v, c);
		return;
	}
}

static enum CXChildVisitResult walk_cb(CXCursor c, CXCursor parent, CXClientData data)
{
	struct vctx *v = data;
	enum CXCursorKind k = clang_getCursorKind(c);
	struct frame *fr;
	int loop = 0, uneval = 0;
	const char *saved_var = v->topvar;
	char *var_name = NULL;

	(void)parent;
	if (v->rc)
		return CXChildVisit_Break;
	if (v->depth >= MAX_DEPTH)
		return CXChildVisit_Continue;
	fr = &v->stack[v->depth];
	fr->c = c;
	fr->k = k;
	fr->nchild = 0;
	fr->idx = v->depth > 0 ? v->stack[v->depth - 1].nchild++ : 0;
	v->depth++;

	switch (k) {
	case CXCursor_CallExpr:
		if (v->fn && !v->fn->unevaluated)
			on_call(v, c);
		break;
	case CXCursor_MemberRefExpr:
		if (v->fn && !v->fn->dry)
			on_member(v, c);
		break;
	case CXCursor_DeclRefExpr:
		if (!v->fn || !v->fn->dry)
			on_declref(v, c);
		break;
	case CXCursor_ForStmt:
	case CXCursor_WhileStmt:
	case CXCursor_DoStmt:
		loop = 1;
		break;
	case CXCursor_UnaryExpr:
		uneval = 1;
		break;
	case CXCursor_VarDecl:
		var_name = cxstr(clang_getCursorSpelling(c));
		v->topvar = var_name;
		break;
	default:
		break;
	}
	if (v->fn) {
		v->fn->loop_depth += loop;
		v->fn->unevaluated += uneval;
	}
	if (v->fn && !v->fn->inl && is_flow_stmt(k))
		walk_flow(v, c, k);
	else
		walk_children(v, c);
	if (v->fn) {
		v->fn->loop_depth -= loop;
		v->fn->unevaluated -= uneval;
	}
	v->topvar = saved_var;
	free(var_name);
	v->depth--;
	return v->rc ? CXChildVisit_Break : CXChildVisit_Continue;
}

/* Does TU tu still exist (a function it stored is then really stored)? */
static int tu_alive(struct vctx *v, long long tu)
{
	sqlite3_stmt *s = stmt(v, S_TU_ALIVE);
	int alive;

	sqlite3_bind_int64(s, 1, tu);
	alive = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return alive;
}

/* A function definition in a driver file: store or update its row and parameters, walk its body
 * and write its call sites. A definition another live TU already stored (a header inline seen by
 * several TUs) is skipped: stored once. */
static void on_function_def(struct vctx *v, CXCursor c, struct pos *p)
{
	int is_def = 0;
	long long owner = 0, id = func_ref(v, c, &is_def, &owner);
	struct fn fn;
	CXSourceRange ext = clang_getCursorExtent(c);
	unsigned eline = 0, ecol, eoff;
	CXFile ef = NULL;
	char *name, *macro, *sig, *ret;
	CXType ft = clang_getCursorType(c);
	sqlite3_stmt *s;
	int loc;

	if (!id)
		return;
	/* defined in a header another live TU already stored: stored once */
	if (is_def && owner && owner != v->tu_id && tu_alive(v, owner))
		return;
	clang_getExpansionLocation(clang_getRangeEnd(ext), &ef, &eline, &ecol, &eoff);
	name = cxstr(clang_getCursorSpelling(c));
	macro = macro_at(p, name);
	sig = cxstr(clang_getTypeSpelling(clang_getCanonicalType(ft)));
	ret = cxstr(clang_getTypeSpelling(clang_getResultType(ft)));
	{
		unsigned bline = p->line;
		CXFile bf = NULL;
		unsigned bcol, boff;

		clang_getExpansionLocation(clang_getRangeStart(ext), &bf, &bline, &bcol, &boff);
		if (eline < bline)
			eline = bline;
		loc = count_loc(p->fi, bline, eline);
	}
	s = stmt(v, S_FUNC_DEF);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, p->fi->is_driver);
	bind_pos(s, 3, p);
	sqlite3_bind_int(s, 6, (int)eline);
	sqlite3_bind_int(s, 7, loc);
	sqlite3_bind_int(s, 8, clang_Cursor_getStorageClass(c) == CX_SC_Static);
	sqlite3_bind_int(s, 9, clang_Cursor_isFunctionInlined(c) != 0);
	sqlite3_bind_int(s, 10, clang_isFunctionTypeVariadic(ft) == 1);
	bind_text(s, 11, sig);
	bind_text(s, 12, ret);
	bind_text(s, 13, macro);
	sqlite3_bind_int64(s, 14, v->tu_id);
	run_stmt(v, s, "storing a function definition");
	free(name);
	free(macro);
	free(sig);
	free(ret);
	memset(&fn, 0, sizeof(fn));
	fn.id = id;
	fn.c = c;
	store_params(v, &fn, c);
	v->fn = &fn;
	walk_children(v, c);
	/* a backward goto brought new locks to a label: walk again (lock states only) until stable */
	{
		int pass;

		for (pass = 0; fn.rewalk && pass < MAX_HELD + 2 && !v->rc; pass++) {
			int i;

			fn.rewalk = 0;
			memset(&fn.cur, 0, sizeof(fn.cur));
			fn.nctl = 0;
			fn.have_try = 0;
			fn.last_lock_off = 0;
			fn.last_lock_file = 0;
			for (i = 0; i < fn.nlabels; i++)
				fn.labels[i].passed = 0;
			fn.dry++;
			walk_children(v, c);
			fn.dry--;
		}
	}
	flow_finish(v);
	v->fn = NULL;
	flush_sites(v, &fn);
	while (fn.ninl_keys)
		free(fn.inl_keys[--fn.ninl_keys]);
	free(fn.inl_keys);
}

/* Top-level declarations of the TU: only those located in driver files are entered (functions,
 * globals and their initializers, struct and typedef definitions). */
static enum CXChildVisitResult top_cb(CXCursor c, CXCursor parent, CXClientData data)
{
	struct vctx *v = data;
	enum CXCursorKind k = clang_getCursorKind(c);
	struct pos p;

	(void)parent;
	if (v->rc)
		return CXChildVisit_Break;
	if (k == CXCursor_LinkageSpec || k == CXCursor_UnexposedDecl)
		return CXChildVisit_Recurse;
	if (k != CXCursor_FunctionDecl && k != CXCursor_VarDecl && k != CXCursor_StructDecl &&
	    k != CXCursor_UnionDecl && k != CXCursor_TypedefDecl)
		return CXChildVisit_Continue;
	p = cursor_pos(v, c);
	if (!p.fi || !p.fi->is_driver)
		return CXChildVisit_Continue;
	v->depth = 0;
	switch (k) {
	case CXCursor_FunctionDecl:
		if (clang_isCursorDefinition(c))
			on_function_def(v, c, &p);
		break;
	case CXCursor_VarDecl:
		global_ref(v, c, 1);
		if (clang_isCursorDefinition(c)) {
			char *name = cxstr(clang_getCursorSpelling(c));

			v->topvar = name;
			v->stack[0].c = c;
			v->stack[0].k = k;
			v->stack[0].nchild = 0;
			v->stack[0].idx = 0;
			v->depth = 1;
			walk_children(v, c);
			v->depth = 0;
			v->topvar = NULL;
			free(name);
		}
		break;
	case CXCursor_StructDecl:
	case CXCursor_UnionDecl:
		if (clang_isCursorDefinition(c)) {
			char *n = record_name(v, c);

			if (strncmp(n, "anon@", 5) != 0)
				ensure_struct_decl(v, c, n);
			free(n);
		}
		break;
	case CXCursor_TypedefDecl: {
		CXType ut = clang_getTypedefDeclUnderlyingType(c);

		if (clang_getCanonicalType(ut).kind == CXType_Record) {
			char *n = ensure_struct_type(v, clang_getCursorType(c));

			free(n);
		}
		break;
	}
	default:
		break;
	}
	return v->rc ? CXChildVisit_Break : CXChildVisit_Continue;
}

/* Read the TU's module (tu.module) into v->module (NULL when none). Returns 0 or KC_EDB. */
static int tu_module(struct vctx *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(v->db, "SELECT module FROM tu WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return db_fail(v, "reading the module of a translation unit");
	sqlite3_bind_int64(s, 1, v->tu_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v->module = kc_xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(v, "reading the module of a translation unit");
	return 0;
}

int kc_visit_tu(struct kc_run *run, CXTranslationUnit tu, long long tu_id, struct kc_err *err)
{
	struct vctx *v = kc_xcalloc(1, sizeof(*v));
	int i, rc;
	size_t j;

	v->run = run;
	v->tu = tu;
	v->tu_id = tu_id;
	v->db = kc_db_sqlite(run->db);
	v->err = err;
	v->nfiles_cap = 8192;
	v->files = kc_xcalloc(v->nfiles_cap, sizeof(*v->files));
	if (tu_module(v) < 0)
		goto cleanup;
	for (i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(v->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &v->st[i], NULL) !=
		    SQLITE_OK) {
			kc_err_set(err, KC_EBUG, "kcut: internal error: preparing statement %d: %s", i,
				   sqlite3_errmsg(v->db));
			v->rc = KC_EBUG;
			goto cleanup;
		}
	}
	clang_visitChildren(clang_getTranslationUnitCursor(tu), top_cb, v);
cleanup:
	rc = v->rc;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(v->st[i]);
	for (j = 0; j < v->nstructs; j++)
		free(v->structs_done[j]);
	free(v->structs_done);
	free(v->no_offsetof);
	free(v->module);
	for (j = 0; j < v->nfiles_cap; j++)
		free(v->files[j].loc_pre);
	free(v->files);
	free(v);
	return rc;
}
