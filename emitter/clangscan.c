/*
 * clangscan.c - re-parse one driver translation unit with libclang, using exactly the arguments the
 * analyzer stored (table tu), to get what the database does not hold: the byte ranges of every
 * function definition in the main file and of its body (the rewriter replaces bodies by range, so
 * everything else in the file survives byte for byte), and the parameter and return types of every
 * function the TU declares (the stubs and handlers are generated from them).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "cxscan.h"
#include "scan.h"

#define EM_PARTS_MAX 8

struct scan_ctx {
	struct em_model *m;
	int tu;
	struct em_scan *s;
	CXFile main;
	char drvdir[4096]; /* the main file's directory, '/'-terminated */
	/* driver .c files the main file #includes (parts[0] is the main file itself) */
	CXFile parts[EM_PARTS_MAX];
	char *ppath[EM_PARTS_MAX];
	unsigned pdir[EM_PARTS_MAX]; /* offset of the #include directive in the main file */
	int nparts;
	size_t base[EM_PARTS_MAX];   /* where each included file starts in the text */
	size_t le[EM_PARTS_MAX];     /* the end of its #include line in the main file ... */
	long shift[EM_PARTS_MAX];    /* ... and how far the main file's text after it moved */
};

/* A file offset of part `part` as an offset in the TU's text (compose). */
static unsigned text_off(const struct scan_ctx *x, int part, unsigned off)
{
	long add = 0;
	int i;

	if (part > 0)
		return (unsigned)(x->base[part] + off);
	for (i = 1; i < x->nparts; i++)
		if (off >= x->le[i])
			add = x->shift[i];
	return (unsigned)((long)off + add);
}

/* Which part of the TU's text file is: 0 the main file, i an included driver .c file, -1
 * neither. */
static int part_of(const struct scan_ctx *x, CXFile file)
{
	int i;

	if (!file)
		return -1;
	for (i = 0; i < x->nparts; i++)
		if (clang_File_isEqual(file, x->parts[i]))
			return i;
	return -1;
}

static char *cx_str(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = kc_xstrdup(c ? c : "");

	clang_disposeString(s);
	return r;
}

/* The database key of a function cursor: its USR, or for a static function the analyzer's
 * kc_db_internal_key (USR + canonical path of the definition's file, analyzer.h). */
static char *func_key(CXCursor c)
{
	CXCursor canon = clang_getCanonicalCursor(c), def;
	char *usr = cx_str(clang_getCursorUSR(canon)), *path, *key;
	CXFile f = NULL;

	if (clang_getCursorLinkage(canon) != CXLinkage_Internal)
		return usr;
	def = clang_getCursorDefinition(canon);
	clang_getExpansionLocation(clang_getCursorLocation(clang_Cursor_isNull(def) ? canon : def), &f, NULL,
				   NULL, NULL);
	if (!f)
		return usr;
	path = cx_str(clang_File_tryGetRealPathName(f));
	if (!path[0]) {
		char *n = cx_str(clang_getFileName(f));

		free(path);
		path = kc_path_canon(n);
		free(n);
	}
	key = kc_db_internal_key(usr, path);
	free(usr);
	free(path);
	return key;
}

static int is_int_kind(enum CXTypeKind k, int *is_signed)
{
	switch (k) {
	case CXType_Bool:
	case CXType_Char_U:
	case CXType_UChar:
	case CXType_UShort:
	case CXType_UInt:
	case CXType_ULong:
	case CXType_ULongLong:
		*is_signed = 0;
		return 1;
	case CXType_Char_S:
	case CXType_SChar:
	case CXType_Short:
	case CXType_Int:
	case CXType_Long:
	case CXType_LongLong:
	case CXType_Enum:
		*is_signed = 1;
		return 1;
	default:
		return 0;
	}
}

/* Struct name as the analyzer stores it: the tag, or the typedef name of an anonymous struct. */
static char *record_name(CXType written_pointee, CXType canon_pointee)
{
	CXCursor d = clang_getTypeDeclaration(canon_pointee);
	char *n = cx_str(clang_getCursorSpelling(d));

	if (*n && !strstr(n, "(anonymous") && !strstr(n, "(unnamed"))
		return n;
	free(n);
	if (written_pointee.kind == CXType_Typedef)
		return cx_str(clang_getTypedefName(written_pointee));
	return cx_str(clang_getTypeSpelling(canon_pointee));
}

/* Fill *out (malloc'd strings, freed by the model) with the marshaling class of type t. */
static void classify(struct em_type *out, CXType t)
{
	CXType ct = clang_getCanonicalType(t);
	int sgn = 0;

	memset(out, 0, sizeof(*out));
	out->spelling = cx_str(clang_getTypeSpelling(t));
	out->size = (int)clang_Type_getSizeOf(ct);
	if (ct.kind == CXType_Void) {
		out->cls = EM_T_VOID;
	} else if (is_int_kind(ct.kind, &sgn)) {
		out->cls = EM_T_INT;
		out->is_signed = sgn;
		out->is_enum = ct.kind == CXType_Enum;
	} else if (ct.kind == CXType_Pointer) {
		CXType wp = clang_getPointeeType(t), pt = clang_getCanonicalType(clang_getPointeeType(ct));

		while (wp.kind == CXType_Typedef && clang_getCanonicalType(wp).kind != CXType_Record)
			wp = clang_getCanonicalType(wp);
		if (pt.kind == CXType_FunctionProto || pt.kind == CXType_FunctionNoProto)
			out->cls = EM_T_FNPTR;
		else if (pt.kind == CXType_Void)
			out->cls = EM_T_VOIDPTR;
		else if (pt.kind == CXType_Char_S || pt.kind == CXType_Char_U) {
			out->cls = EM_T_STRING;
			out->pointee_const = clang_isConstQualifiedType(pt);
		}
		else if (pt.kind == CXType_Record) {
			out->cls = EM_T_PTR_STRUCT;
			out->sname = record_name(wp.kind == CXType_Elaborated ? clang_Type_getNamedType(wp) : wp, pt);
		} else if (pt.kind == CXType_Pointer &&
			   (clang_getCanonicalType(clang_getPointeeType(pt)).kind == CXType_Record ||
			    clang_getCanonicalType(clang_getPointeeType(pt)).kind == CXType_Void)) {
			CXType w = clang_getPointeeType(t);
			CXType ip = clang_getCanonicalType(clang_getPointeeType(pt));
			CXType wi = clang_getPointeeType(w);

			out->cls = EM_T_PTR_PTR;
			out->inner = cx_str(clang_getTypeSpelling(w));
			if (ip.kind == CXType_Record)
				out->sname = record_name(wi.kind == CXType_Elaborated ? clang_Type_getNamedType(wi) : wi, ip);
		} else if (pt.kind == CXType_Pointer && clang_isConstQualifiedType(pt) &&
			   (clang_getCanonicalType(clang_getPointeeType(pt)).kind == CXType_Char_S ||
			    clang_getCanonicalType(clang_getPointeeType(pt)).kind == CXType_Char_U)) {
			/* const char *const names[]: an input array of strings (gen_marshal.c,
			 * gen_strv_*); a non-const char ** may be an out-parameter: not this */
			out->cls = EM_T_STRV;
			out->pointee_const = 1;
		} else if (is_int_kind(pt.kind, &sgn)) {
			CXType w = clang_getPointeeType(t);
			char *sp;

			out->cls = EM_T_PTR_SCALAR;
			out->pointee_const = clang_isConstQualifiedType(w);
			sp = cx_str(clang_getTypeSpelling(w));
			if (!strncmp(sp, "const ", 6))
				memmove(sp, sp + 6, strlen(sp + 6) + 1);
			out->sname = sp;
		} else
			out->cls = EM_T_OTHER;
	} else if ((ct.kind == CXType_IncompleteArray || ct.kind == CXType_ConstantArray) &&
		   clang_getCanonicalType(clang_getArrayElementType(ct)).kind == CXType_Pointer &&
		   strstr(out->spelling, "*const") &&
		   (clang_getCanonicalType(clang_getPointeeType(clang_getArrayElementType(ct))).kind == CXType_Char_S ||
		    clang_getCanonicalType(clang_getPointeeType(clang_getArrayElementType(ct))).kind == CXType_Char_U)) {
		/* a parameter declared `const char *const names[]` (it decays to a pointer;
		 * libclang drops the element's const, the spelling keeps it) */
		out->cls = EM_T_STRV;
		out->pointee_const = 1;
		free(out->spelling);
		out->spelling = kc_xstrdup("const char *const *");
	} else {
		out->cls = EM_T_OTHER;
	}
}

/* Byte offset of loc in its file, after macro expansion. */
static unsigned offset_of(CXSourceLocation loc)
{
	unsigned off = 0;

	clang_getExpansionLocation(loc, NULL, NULL, NULL, &off);
	return off;
}

static enum CXChildVisitResult find_body(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_CompoundStmt) {
		*(CXCursor *)data = c;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Continue;
}

/* Record the parameter names and types and the return type of f from declaration c, once. */
static void record_types(struct em_func *f, CXCursor c)
{
	int i, n = clang_Cursor_getNumArguments(c);

	if (f->have_types || n < 0)
		return;
	f->have_types = 1;
	f->nparams = n;
	f->params = kc_xcalloc((size_t)n + 1, sizeof(*f->params));
	for (i = 0; i < n; i++) {
		CXCursor a = clang_Cursor_getArgument(c, (unsigned)i);

		f->params[i].name = cx_str(clang_getCursorSpelling(a));
		classify(&f->params[i].t, clang_getCursorType(a));
	}
	classify(&f->ret, clang_getCursorResultType(c));
	{
		char *ft = cx_str(clang_getTypeSpelling(clang_getCursorType(c)));

		f->noreturn = strstr(ft, "noreturn") != NULL;
		free(ft);
	}
}

/* Calls-out search state for one header inline function. */
struct out_ctx {
	int depth;
	int found;
	const char *drvdir; /* directory of the driver's main file, with the trailing '/' */
};

static int reaches_kernel(CXCursor fn, int depth, const char *drvdir);

/* 1 if member reference c names a field of a struct declared outside the driver's directory
 * (net_device.state, pci_dev.dev ...): state the kernel owns. */
static int kernel_member(CXCursor c, const char *drvdir)
{
	CXCursor field = clang_getCursorReferenced(c), rec;
	CXFile file;
	char *name;
	int r;

	if (clang_getCursorKind(field) != CXCursor_FieldDecl)
		return 0;
	rec = clang_getCursorSemanticParent(field);
	clang_getSpellingLocation(clang_getCursorLocation(rec), &file, NULL, NULL, NULL);
	if (!file)
		return 0;
	name = cx_str(clang_getFileName(file));
	r = strncmp(name, drvdir, strlen(drvdir)) != 0;
	free(name);
	return r;
}

/* Visitor: does a call in this body reach a function defined outside the TU? */
static enum CXChildVisitResult visit_calls(CXCursor c, CXCursor parent, CXClientData data)
{
	struct out_ctx *o = data;
	CXCursor ref, def;
	char *name;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_MemberRefExpr && kernel_member(c, o->drvdir)) {
		o->found = 1;
		return CXChildVisit_Break;
	}
	if (clang_getCursorKind(c) != CXCursor_CallExpr)
		return CXChildVisit_Recurse;
	ref = clang_getCursorReferenced(c);
	if (clang_getCursorKind(ref) != CXCursor_FunctionDecl)
		return CXChildVisit_Recurse;
	def = clang_getCursorDefinition(ref);
	if (!clang_Cursor_isNull(def)) {
		name = cx_str(clang_getCursorSpelling(ref));
		if (em_local_inline(name)) {
			free(name);
			return CXChildVisit_Recurse; /* runs in the user half (kapi.c): its arguments may call */
		}
		free(name);
		if (reaches_kernel(def, o->depth + 1, o->drvdir))
			o->found = 1;
		return o->found ? CXChildVisit_Break : CXChildVisit_Recurse;
	}
	name = cx_str(clang_getCursorSpelling(ref));
	if (strncmp(name, "__builtin", 9) && !em_local_library(name))
		o->found = 1;
	free(name);
	return o->found ? CXChildVisit_Break : CXChildVisit_Recurse;
}

/* 1 if the body of function definition fn (or of the inline functions it calls, a few levels
 * deep) calls a function that has no body in this TU: a kernel function. */
static int reaches_kernel(CXCursor fn, int depth, const char *drvdir)
{
	struct out_ctx o = { depth, 0, drvdir };

	if (depth > 6)
		return 0;
	clang_visitChildren(fn, visit_calls, &o);
	return o.found;
}

/* Is name an identifier of text (not only a part of a longer one)? */
static int ident_in_text(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strstr(text, name); p; p = strstr(p + 1, name)) {
		int before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		int after = isalnum((unsigned char)p[n]) || p[n] == '_';

		if (!before && !after)
			return 1;
	}
	return 0;
}

/* Integers, enums, bools and (nested) fixed arrays of them, not const at any level: plain data
 * that means the same in both halves (no pointer, no kernel-owned object), so a copy of its
 * bytes can cross (and be written: a const one may live in read-only memory). */
static int scalar_data(CXType t)
{
	int sg;

	t = clang_getCanonicalType(t);
	if (clang_isConstQualifiedType(t))
		return 0;
	if (t.kind == CXType_ConstantArray)
		return scalar_data(clang_getArrayElementType(t));
	return is_int_kind(t.kind, &sg);
}

/* The struct a global is (or its array's elements are), named as the analyzer names structs;
 * NULL when it is none. *dims: its array dimensions. */
static char *global_struct(CXType t, int *dims)
{
	CXType w = t;

	*dims = 0;
	if (w.kind == CXType_Elaborated)
		w = clang_Type_getNamedType(w);
	while (clang_getCanonicalType(w).kind == CXType_ConstantArray) {
		/* the element as written (a typedef of an anonymous struct keeps its name) */
		w = clang_getArrayElementType(w.kind == CXType_ConstantArray ? w : clang_getCanonicalType(w));
		if (w.kind == CXType_Elaborated)
			w = clang_Type_getNamedType(w);
		(*dims)++;
	}
	if (clang_getCanonicalType(w).kind != CXType_Record)
		return NULL;
	return record_name(w, clang_getCanonicalType(w));
}

/* The module object (THIS_MODULE, &__this_module) a header of the TU defines: the driver passes
 * its address to the kernel (snd_card_new(.., THIS_MODULE, ..)), so it is a global of the tables
 * like the main file's own (each half has its own; a pointer to it lands on the peer's). */
static int is_module_object(CXCursor c)
{
	char *name;
	int r;

	if (!clang_isCursorDefinition(c))
		return 0;
	name = cx_str(clang_getCursorSpelling(c));
	r = !strcmp(name, "__this_module");
	free(name);
	return r;
}

/* Top-level cursor visitor: globals and function definitions of the main file, types of every
 * function the model knows (matched by name first, then USR). */
static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
	struct scan_ctx *x = data;
	CXSourceLocation loc = clang_getCursorLocation(c);
	CXFile file;
	char *usr;
	int fi;

	(void)parent;
	/* (a tentative definition, "static int x;", is not a definition for libclang) */
	if (clang_getCursorKind(c) == CXCursor_VarDecl && clang_Cursor_getStorageClass(c) != CX_SC_Extern) {
		CXFile efile;

		/* file-scope variables of the main file, not of incomplete type (no sizeof). One a
		 * macro of the main file defines (SIMNIC_PARAM(TxDescriptors, ..) -> static int
		 * TxDescriptors[], num_TxDescriptors) counts when its name is an identifier of the
		 * text; __COUNTER__-made names (__param_3) are not, and change when anything is
		 * included before */
		int modobj = is_module_object(c);

		clang_getExpansionLocation(loc, &efile, NULL, NULL, NULL);
		if ((part_of(x, efile) >= 0 || modobj) &&
		    clang_getCursorType(c).kind != CXType_IncompleteArray &&
		    clang_Type_getSizeOf(clang_getCursorType(c)) > 0) {
			char *name = cx_str(clang_getCursorSpelling(c));

			int i, dup = 0;

			for (i = 0; i < x->s->nglobals; i++)
				dup |= !strcmp(x->s->globals[i], name);
			if (!dup && (modobj || ident_in_text(x->s->text, name))) {
				x->s->globals = kc_xrealloc(x->s->globals, (x->s->nglobals + 1) * sizeof(*x->s->globals));
				x->s->gscalar = kc_xrealloc(x->s->gscalar, (x->s->nglobals + 1) * sizeof(*x->s->gscalar));
				x->s->gscalar[x->s->nglobals] = scalar_data(clang_getCursorType(c));
				x->s->gconst = kc_xrealloc(x->s->gconst, (x->s->nglobals + 1) * sizeof(*x->s->gconst));
				x->s->gconst[x->s->nglobals] = clang_isConstQualifiedType(clang_getCursorType(c)) != 0;
				x->s->gstruct = kc_xrealloc(x->s->gstruct, (x->s->nglobals + 1) * sizeof(*x->s->gstruct));
				x->s->gdims = kc_xrealloc(x->s->gdims, (x->s->nglobals + 1) * sizeof(*x->s->gdims));
				x->s->gstruct[x->s->nglobals] = global_struct(clang_getCursorType(c),
									      &x->s->gdims[x->s->nglobals]);
				x->s->globals[x->s->nglobals++] = name;
			} else {
				free(name);
			}
		}
		return CXChildVisit_Continue;
	}
	if (clang_getCursorKind(c) != CXCursor_FunctionDecl)
		return CXChildVisit_Continue;
	/* kernel headers declare thousands of functions: compute USRs only for known names */
	usr = cx_str(clang_getCursorSpelling(c));
	if (!em_func_name_known(x->m, usr)) {
		free(usr);
		return CXChildVisit_Continue;
	}
	free(usr);
	usr = func_key(c);
	fi = em_func_by_usr(x->m, usr);
	free(usr);
	if (fi >= 0 && clang_isCursorDefinition(c) && !x->m->f[fi].types_from_def) {
		struct em_func *f = &x->m->f[fi];
		int i;

		/* the definition's parameter names are the ones its body uses */
		for (i = 0; i < f->nparams; i++) {
			free(f->params[i].name);
			free(f->params[i].t.spelling);
			free(f->params[i].t.sname);
			free(f->params[i].t.inner);
		}
		free(f->params);
		free(f->ret.spelling);
		free(f->ret.sname);
		free(f->ret.inner);
		f->params = NULL;
		f->nparams = 0;
		f->have_types = 0;
		record_types(f, c);
		f->types_from_def = 1;
		if (!f->is_defined)
			f->local_def = 1;
	}
	if (fi >= 0 && clang_isCursorDefinition(c) && !x->m->f[fi].is_defined) {
		/* a header inline: remember that this TU has it, and whether it reaches the kernel */
		x->s->inl = kc_xrealloc(x->s->inl, (x->s->ninl + 1) * sizeof(*x->s->inl));
		x->s->inl[x->s->ninl++] = fi;
		/* a name (pci_name, dev_name, netdev_name) lives in the kernel's object: fetch it */
		if (!x->m->f[fi].inl_kernel && !em_local_inline(x->m->f[fi].name) &&
		    (reaches_kernel(c, 0, x->drvdir) || (x->m->f[fi].have_types && x->m->f[fi].ret.cls == EM_T_STRING)))
			x->m->f[fi].inl_kernel = 1;
	}
	clang_getExpansionLocation(loc, &file, NULL, NULL, NULL);
	if (fi >= 0 && !x->m->f[fi].have_types)
		record_types(&x->m->f[fi], c);
	if (fi >= 0 && x->m->f[fi].decl_tu < 0)
		x->m->f[fi].decl_tu = x->tu;
	if (clang_isCursorDefinition(c) && part_of(x, file) >= 0) {
		CXCursor body = clang_getNullCursor();
		CXSourceRange ext = clang_getCursorExtent(c);
		struct em_def *d;
		CXFile sf;

		clang_visitChildren(c, find_body, &body);
		if (clang_Cursor_isNull(body))
			return CXChildVisit_Continue;
		x->s->defs = kc_xrealloc(x->s->defs, (x->s->ndefs + 1) * sizeof(*x->s->defs));
		d = &x->s->defs[x->s->ndefs++];
		d->func = fi;
		d->part = part_of(x, file);
		d->start = text_off(x, d->part, offset_of(clang_getRangeStart(ext)));
		d->body_start = text_off(x, d->part, offset_of(clang_getRangeStart(clang_getCursorExtent(body))));
		d->body_end = text_off(x, d->part, offset_of(clang_getRangeEnd(clang_getCursorExtent(body))));
		clang_getSpellingLocation(loc, &sf, NULL, NULL, NULL);
		if (fi >= 0 && x->m->f[fi].is_driver) {
			em_nullscan_def(&x->m->f[fi], c, body); /* parameter uses (nullscan.c) */
			em_regscan_def(&x->m->f[fi], c, body);  /* register offsets (regscan.c) */
		}
		d->from_macro = !sf || !clang_File_isEqual(sf, file) || d->body_end <= d->body_start ||
				d->body_end > x->s->len || x->s->text[d->body_start] != '{' ||
				x->s->text[d->body_end - 1] != '}';
	}
	return CXChildVisit_Continue;
}

/* Inclusion visitor: the driver .c files the main file #includes directly (in its directory). */
static void find_parts(CXFile inc, CXSourceLocation *stack, unsigned n, CXClientData data)
{
	struct scan_ctx *x = data;
	char *name;
	size_t l;
	CXFile f = NULL;
	unsigned off = 0;

	if (n != 1 || x->nparts >= EM_PARTS_MAX)
		return;
	clang_getSpellingLocation(stack[0], &f, NULL, NULL, &off);
	if (!f || !clang_File_isEqual(f, x->main) || part_of(x, inc) >= 0)
		return;
	name = cx_str(clang_File_tryGetRealPathName(inc));
	if (!name[0]) {
		free(name);
		name = cx_str(clang_getFileName(inc));
	}
	l = strlen(name);
	if (l > 2 && !strcmp(name + l - 2, ".c") && !strncmp(name, x->drvdir, strlen(x->drvdir))) {
		x->parts[x->nparts] = inc;
		x->pdir[x->nparts] = off;
		x->ppath[x->nparts++] = name;
		return;
	}
	free(name);
}

static void add_seg(struct em_scan *s, size_t off, const char *file, unsigned line)
{
	s->segs = kc_xrealloc(s->segs, (size_t)(s->nsegs + 1) * sizeof(*s->segs));
	s->segs[s->nsegs].off = off;
	s->segs[s->nsegs].file = kc_xstrdup(file);
	s->segs[s->nsegs++].line = line;
}

/*
 * The TU's text: the main file with each included driver .c file in place of its #include line
 * (between #line directives, so diagnostics and __LINE__ stay the originals'), the definitions'
 * offsets moved into it. Each half's file is then one self-contained rewrite: the included file's
 * functions get their stubs and traps like the main file's, and its handlers follow the text.
 */
static int compose(struct scan_ctx *x, const char *main_path, struct kc_err *err)
{
	struct em_scan *s = x->s;
	struct kc_sb t = { 0 };
	size_t prev = 0, ls;
	unsigned line = 1;
	int i, rc = 0;

	add_seg(s, 0, main_path, 1);
	if (x->nparts < 2)
		return 0;
	for (i = 1; i < x->nparts; i++) {
		char *ptext = NULL;
		size_t plen = 0, k;

		/* the #include line: from its line start to after its newline */
		ls = x->pdir[i] < s->len ? x->pdir[i] : s->len;
		if (ls < prev) {
			rc = kc_err_set(err, KC_EPARSE, "%s: the #include of %s is not on a line of its own", main_path,
					x->ppath[i]);
			goto cleanup;
		}
		while (ls > prev && s->text[ls - 1] != '\n')
			ls--;
		x->le[i] = ls;
		while (x->le[i] < s->len && s->text[x->le[i]] != '\n')
			x->le[i]++;
		x->le[i] += x->le[i] < s->len;
		rc = kc_read_file(&ptext, &plen, x->ppath[i], err);
		if (rc)
			goto cleanup;
		for (k = prev; k < ls; k++)
			line += s->text[k] == '\n';
		kc_sb_addn(&t, s->text + prev, ls - prev);
		kc_sb_addf(&t, "#line 1 \"%s\"\n", x->ppath[i]);
		x->base[i] = t.len;
		add_seg(s, t.len, x->ppath[i], 1);
		kc_sb_addn(&t, ptext, plen);
		if (!plen || ptext[plen - 1] != '\n')
			kc_sb_add(&t, "\n");
		free(ptext);
		/* the main file goes on after the #include line */
		kc_sb_addf(&t, "#line %u \"%s\"\n", line + 1, main_path);
		add_seg(s, t.len, main_path, line + 1);
		line++;
		x->shift[i] = (long)t.len - (long)x->le[i];
		prev = x->le[i];
	}
	kc_sb_addn(&t, s->text + prev, s->len - prev);
	free(s->text);
	s->len = t.len;
	s->text = kc_sb_steal(&t);
cleanup:
	kc_sb_free(&t);
	return rc;
}

const char *em_scan_line(const struct em_scan *s, size_t off, unsigned *line)
{
	int i, k = 0;
	size_t j;

	if (!s->nsegs) {
		*line = 1;
		return NULL;
	}
	for (i = 1; i < s->nsegs; i++)
		if (s->segs[i].off <= off)
			k = i;
	*line = s->segs[k].line;
	for (j = s->segs[k].off; j < off && j < s->len; j++)
		*line += s->text[j] == '\n';
	return s->segs[k].file;
}

int em_scan_tu(struct em_scan *out, struct em_model *m, const struct em_tu *tu, struct kc_err *err)
{
	CXIndex idx = NULL;
	CXTranslationUnit ctu = NULL;
	struct scan_ctx x;
	enum CXErrorCode ec;
	int rc, i;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	rc = kc_read_file(&out->text, &out->len, tu->file, err);
	if (rc)
		return rc;
	idx = clang_createIndex(0, 0);
	ec = clang_parseTranslationUnit2(idx, tu->file, (const char *const *)tu->args, tu->nargs, NULL, 0,
					 CXTranslationUnit_KeepGoing | CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles, &ctu);
	if (ec != CXError_Success || !ctu) {
		rc = kc_err_set(err, KC_EPARSE, "%s: libclang could not parse this file again (error %d)", tu->file,
				(int)ec);
		goto cleanup;
	}
	x.m = m;
	x.tu = (int)(tu - m->tus);
	x.s = out;
	x.main = clang_getFile(ctu, tu->file);
	snprintf(x.drvdir, sizeof(x.drvdir), "%s", tu->file);
	if (strrchr(x.drvdir, '/'))
		strrchr(x.drvdir, '/')[1] = 0;
	else
		x.drvdir[0] = 0;
	if (!x.main) {
		rc = kc_err_set(err, KC_EPARSE, "%s: main file not found in its own translation unit", tu->file);
		goto cleanup;
	}
	x.parts[0] = x.main;
	x.ppath[0] = NULL;
	x.nparts = 1;
	clang_getInclusions(ctu, find_parts, &x);
	rc = compose(&x, tu->file, err);
	if (rc)
		goto cleanup;
	clang_visitChildren(clang_getTranslationUnitCursor(ctu), visit_top, &x);
	em_strscan_tu(m, ctu); /* string evidence for char-pointer fields (strscan.c) */
	em_shapescan_tu(m, ctu); /* union discriminators (shapescan.c) */
	/* where the user half can rename header inlines: after the last #include line */
	{
		size_t i = 0;

		while (i < out->len) {
			size_t j = i, e;

			while (j < out->len && (out->text[j] == ' ' || out->text[j] == '\t'))
				j++;
			for (e = i; e < out->len && out->text[e] != '\n'; e++)
				;
			if (e < out->len)
				e++;
			if (out->len - j > 8 && !strncmp(out->text + j, "#include", 8))
				out->inc_end = e;
			i = e;
		}
	}
cleanup:
	for (i = 1; i < x.nparts; i++)
		free(x.ppath[i]);
	em_regmacro_done(); /* regscan.c's #defines of this translation unit */
	if (ctu)
		clang_disposeTranslationUnit(ctu);
	if (idx)
		clang_disposeIndex(idx);
	return rc;
}

/* Release what em_scan_tu allocated; *s is zeroed. */
void em_scan_free(struct em_scan *s)
{
	int i;

	free(s->text);
	free(s->defs);
	for (i = 0; i < s->nsegs; i++)
		free(s->segs[i].file);
	free(s->segs);
	for (i = 0; i < s->nglobals; i++)
		free(s->globals[i]);
	free(s->globals);
	free(s->gscalar);
	free(s->gconst);
	for (i = 0; s->gstruct && i < s->nglobals; i++)
		free(s->gstruct[i]);
	free(s->gstruct);
	free(s->gdims);
	free(s->inl);
	memset(s, 0, sizeof(*s));
}

/* The identifier at column col (1-based, bytes) of line `line` of text, if a '(' follows it:
 * a function-like macro's use where the analyzer put a call of its expansion. */
static char *macro_at(const char *text, size_t len, int line, int col)
{
	size_t i = 0, e;
	int l = 1;

	while (i < len && l < line)
		l += text[i++] == '\n';
	if (l != line || col < 1 || i + (size_t)col - 1 >= len)
		return NULL;
	i += (size_t)col - 1;
	for (e = i; e < len && (isalnum((unsigned char)text[e]) || text[e] == '_'); e++)
		;
	if (e == i || (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')))
		return NULL;
	{
		size_t k = e;

		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k >= len || text[k] != '(')
			return NULL;
	}
	{
		char *id = kc_xmalloc(e - i + 1);

		memcpy(id, text + i, e - i);
		id[e - i] = 0;
		return id;
	}
}

/* The macro import for macro (em_init_macro_nth's obj, fn), found or appended to m->f. */
static int macro_import(struct em_model *m, size_t row, const char *macro, const char *obj, const char *fn,
			int tu)
{
	struct em_func *f;
	struct kc_sb sb = { 0 };
	int i;

	for (i = m->nf_db; i < m->nf; i++)
		if (!strcmp(m->f[i].name, macro))
			return i;
	m->f = kc_xrealloc(m->f, ((size_t)m->nf + 1) * sizeof(*m->f));
	f = &m->f[m->nf];
	memset(f, 0, sizeof(*f));
	kc_sb_addf(&sb, "kcut:macro:%s", macro);
	f->usr = kc_sb_steal(&sb);
	f->name = kc_xstrdup(macro);
	kc_sb_addf(&sb, "void (struct %s *, %s)", obj, fn);
	f->signature = kc_sb_steal(&sb);
	f->id = -1;
	f->macro = (int)row + 1; /* its row in kapi.c's table (em_import_busy) */
	f->local_def = f->inl_kernel = f->have_types = 1;
	f->decl_tu = tu;
	f->cross_id = f->fp_id = -1;
	f->nparams = 2;
	f->params = kc_xcalloc(3, sizeof(*f->params));
	f->params[0].name = kc_xstrdup("kcut_obj");
	f->params[0].t.cls = EM_T_PTR_STRUCT;
	f->params[0].t.size = (int)sizeof(void *);
	kc_sb_addf(&sb, "struct %s *", obj);
	f->params[0].t.spelling = kc_sb_steal(&sb);
	f->params[0].t.sname = kc_xstrdup(obj);
	f->params[1].name = kc_xstrdup("kcut_fn");
	f->params[1].t.cls = EM_T_FNPTR;
	f->params[1].t.size = (int)sizeof(void *);
	f->params[1].t.spelling = kc_xstrdup(fn);
	f->ret.cls = EM_T_VOID;
	f->ret.spelling = kc_xstrdup("void");
	return m->nf++;
}

/*
 * Kernel-header macros that initialize a kernel-owned object (INIT_WORK ..., kapi.c
 * em_init_macro_nth) where they expand to inline code: at each call of the expansion's evidence
 * (__init_work) whose location is the macro's name, a driver function calls the macro itself,
 * an import defined in the header (local_def): the plan makes it a downcall from the user half
 * like any header inline that reaches the kernel, and the user half's files rename the macro to
 * its stub. The kernel model's headers define these macros as calls of functions: no evidence,
 * nothing changes there.
 */
static void em_scan_macro_imports(struct em_model *m)
{
	int n0 = m->nc, c, k, t;
	char *path = NULL, *text = NULL;
	size_t len = 0;

	for (c = 0; c < n0; c++) {
		const char *ev, *obj, *fn, *mac;
		char *at;
		int caller = m->c[c].caller, mi = -1;

		if (!m->f[caller].is_driver || !m->f[caller].is_defined || !m->c[c].file)
			continue;
		for (k = 0; (mac = em_init_macro_nth((size_t)k, &ev, &obj, &fn)) != NULL; k++)
			if (!strcmp(m->f[m->c[c].callee].name, ev))
				break;
		if (!mac)
			continue;
		if (!path || strcmp(path, m->c[c].file)) {
			struct kc_err e = { 0 };

			free(path);
			free(text);
			text = NULL;
			len = 0;
			path = kc_xstrdup(m->c[c].file);
			if (kc_read_file(&text, &len, path, &e))
				continue;
		}
		at = text ? macro_at(text, len, m->c[c].line, m->c[c].col) : NULL;
		if (!at)
			continue;
		for (k = 0; (mac = em_init_macro_nth((size_t)k, &ev, &obj, &fn)) != NULL; k++)
			if (!strcmp(mac, at) && !strcmp(m->f[m->c[c].callee].name, ev))
				break;
		free(at);
		if (!mac || em_struct_by_name(m, obj) < 0)
			continue;
		/* the TUs that define the caller rename the macro (the first holds the stub) */
		for (t = 0; t < m->ntu; t++) {
			struct em_scan *s = &m->scans[t];
			int d, j;

			for (d = 0; d < s->ndefs && s->defs[d].func != caller; d++)
				;
			if (d == s->ndefs)
				continue;
			if (mi < 0)
				mi = macro_import(m, (size_t)k, mac, obj, fn, t);
			for (j = 0; j < s->ninl && s->inl[j] != mi; j++)
				;
			if (j == s->ninl) {
				s->inl = kc_xrealloc(s->inl, (s->ninl + 1) * sizeof(*s->inl));
				s->inl[s->ninl++] = mi;
			}
		}
		if (mi < 0)
			continue;
		m->c = kc_xrealloc(m->c, ((size_t)m->nc + 1) * sizeof(*m->c));
		m->c[m->nc] = m->c[c];
		m->c[m->nc].callee = mi;
		m->c[m->nc].locks = m->c[c].locks ? kc_xstrdup(m->c[c].locks) : NULL;
		m->c[m->nc].file = kc_xstrdup(m->c[c].file);
		m->nc++;
	}
	free(path);
	free(text);
}

int em_scan_all(struct em_model *m, struct kc_err *err)
{
	int i, rc;

	m->scans = kc_xcalloc((size_t)m->ntu + 1, sizeof(*m->scans));
	for (i = 0; i < m->ntu; i++) {
		rc = em_scan_tu(&m->scans[i], m, &m->tus[i], err);
		if (rc)
			return rc;
	}
	em_scan_macro_imports(m);
	return 0;
}

void em_scan_all_free(struct em_model *m)
{
	int i;

	if (!m->scans)
		return;
	for (i = 0; i < m->ntu; i++)
		em_scan_free(&m->scans[i]);
	free(m->scans);
	m->scans = NULL;
}
