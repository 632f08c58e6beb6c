/*
 * test_emit_unit.c - unit tests of the emitter's parts that need no database: the annotation
 * file parser (good lines, each kind of bad line with its line number), declarator spelling for
 * generated code, the plan's field-set walk that decides which structs a crossing marshals and
 * the nested-crossing rule, on hand-built models. The whole pipeline is tested by run_emit.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_int.h"
#include "kc_test.h"

static char *write_tmp(const char *text)
{
	char *path = kc_xstrdup("/tmp/kcut-annot-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static void test_annot_good(void)
{
	struct em_model m;
	struct kc_err err = { 0 };
	char *p = write_tmp("# comment\n\nring.buf array count\nad.name string # trailing\n"
			    "ad.priv opaque\nreq.u union kind\nad.list list next\nring.lut array 16\n"
			    "rxb::<anon@136>.page opaque\n");

	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), 0);
	KC_REQUIRE(m.nann == 7);
	KC_CHECK_EQ_STR(m.ann[0].field, "ring.buf");
	KC_CHECK_EQ_INT(m.ann[0].shape, EM_S_ARRAY);
	KC_CHECK_EQ_STR(m.ann[0].arg, "count");
	KC_CHECK_EQ_INT(m.ann[0].line, 3);
	KC_CHECK_EQ_INT(m.ann[1].shape, EM_S_STRING);
	KC_CHECK(m.ann[1].arg == NULL);
	KC_CHECK_EQ_INT(m.ann[2].shape, EM_S_OPAQUE);
	KC_CHECK_EQ_INT(m.ann[3].shape, EM_S_UNION);
	KC_CHECK_EQ_INT(m.ann[4].shape, EM_S_LIST);
	KC_CHECK_EQ_STR(m.ann[5].arg, "16");
	KC_CHECK_EQ_STR(m.ann[6].field, "rxb::<anon@136>.page"); /* an anonymous member's struct */
	em_model_free(&m);
	unlink(p);
	free(p);
}

/* Second-stage forms: a parameter's length as "(C expression)", the private area of a net_device. */
static void test_annot_param_forms(void)
{
	struct em_model m;
	struct kc_err err = { 0 };
	char *p = write_tmp("fn.data array (eeprom->len)\nfn.buf array ((set==1?4:8)*32)\n"
			    "net_device.netdev_priv priv my_adapter\n");

	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), 0);
	KC_REQUIRE(m.nann == 3);
	KC_CHECK_EQ_INT(m.ann[0].shape, EM_S_ARRAY);
	KC_CHECK_EQ_STR(m.ann[0].arg, "(eeprom->len)");
	KC_CHECK_EQ_STR(m.ann[1].arg, "((set==1?4:8)*32)");
	KC_CHECK_EQ_INT(m.ann[2].shape, EM_S_PRIV);
	KC_CHECK_EQ_STR(m.ann[2].arg, "my_adapter");
	em_model_free(&m);
	unlink(p);
	free(p);
}

static void check_bad(const char *line, const char *want)
{
	struct em_model m;
	struct kc_err err = { 0 };
	struct kc_sb sb = { 0 };
	char *p;

	kc_sb_addf(&sb, "ok.field opaque\n%s\n", line);
	p = write_tmp(sb.s);
	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), KC_EINVAL);
	if (!strstr(err.msg, want) || !strstr(err.msg, ":2: "))
		fprintf(stderr, "line '%s': message '%s' lacks '%s' or the line number\n", line, err.msg, want);
	KC_CHECK(strstr(err.msg, want) != NULL);
	KC_CHECK(strstr(err.msg, ":2: ") != NULL);
	em_model_free(&m);
	unlink(p);
	free(p);
	kc_sb_free(&sb);
}

static void test_annot_bad(void)
{
	check_bad("ringbuf array count", "is not struct.field");
	check_bad("ring.buf", "missing shape");
	check_bad("ring.buf vector", "unknown shape");
	check_bad("ring.buf array", "needs an argument");
	check_bad("ring.buf string 4", "takes no argument");
	check_bad("ring.buf array n-1", "must be a field name or a number");
	check_bad("ring.buf array count extra", "too many words");
	check_bad("ring.buf string (len)", "takes no argument");
	check_bad("ring.buf opaque (len)", "takes no argument");
	check_bad("ad.netdev_priv priv", "needs an argument");
	check_bad("9ring.buf opaque", "does not start with a struct name");
}

/* The default file beside the driver may be missing (no annotations); a file the user named
 * (--annotations) may not. */
static void test_annot_missing_file_is_empty(void)
{
	struct em_model m;
	struct kc_err err = { 0 };

	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, "/nonexistent/kcut.annotations", 0, &err), 0);
	KC_CHECK_EQ_INT(m.nann, 0);
	em_model_free(&m);
	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, "/nonexistent/kcut.annotations", 1, &err), KC_EIO);
	KC_CHECK(strstr(err.msg, "/nonexistent/kcut.annotations") != NULL);
	em_model_free(&m);
}

/* Issue 14: an annotation's count expression is pasted into the generated kernel half; only the
 * strict grammar gets through (no statements, calls, assignments, casts, strings), and lengths
 * are never cut down. */
static void test_annot_strict(void)
{
	struct em_model m;
	struct kc_err err = { 0 };
	char *p = write_tmp("fn.a array (n*4+hdr->len/2-1)\nfn.b array (x.y.z)\nfn.c array 65536\n"
			    "fn.d array ((a<=b)?(c!=d):e>=f)\n");

	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), 0);
	KC_REQUIRE(m.nann == 4);
	KC_CHECK_EQ_STR(m.ann[0].arg, "(n*4+hdr->len/2-1)");
	KC_CHECK_EQ_STR(m.ann[2].arg, "65536");
	em_model_free(&m);
	unlink(p);
	free(p);
	check_bad("fn.data array (eeprom->len);}int(evil)", "count expression");
	check_bad("fn.data array (len)+(x)", "count expression");
	check_bad("fn.data array (f(x))", "count expression");
	check_bad("fn.data array (x=1)", "count expression");
	check_bad("fn.data array (x,y)", "count expression");
	check_bad("fn.data array ((int)x)", "count expression");
	check_bad("fn.data array (x[1])", "count expression");
	check_bad("fn.data array (\"s\")", "count expression");
	check_bad("fn.data array (x++)", "count expression");
	check_bad("fn.data array (--x)", "count expression");
	check_bad("fn.data array (x/0)", "division by 0");
	check_bad("fn.data array (010)", "octal");
	check_bad("fn.data array (0x10)", "count expression");
	check_bad("fn.data array (99999999999999999999)", "too large");
	check_bad("fn.data array ((((((((((((((((((x))))))))))))))))))", "too deep");
	check_bad("fn.data array (x->)", "member name");
	check_bad("fn.data array (a?b)", "':'");
	check_bad("fn.data array ()", "count expression");
	check_bad("ring.buf array 0", "not in 1..65536");
	check_bad("ring.buf array 65537", "not in 1..65536");
	check_bad("ring.buf array 99999999999999999999999", "not in 1..65536");
	check_bad("ring.next list 5", "takes a name");
	check_bad("u.x union kind 99999999999=a", "must be a number or an identifier");
	check_bad("a);b.c opaque", "does not start with a struct name");
	check_bad("a::<anon@x>.c opaque", "does not start with a struct name");
}

/* The same field annotated twice: the same way is fine (kept once), differently an error naming
 * both lines. */
static void test_annot_duplicates(void)
{
	struct em_model m;
	struct kc_err err = { 0 };
	char *p = write_tmp("ring.buf array count\nad.name string\nring.buf array count\n");

	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), 0);
	KC_CHECK_EQ_INT(m.nann, 2);
	em_model_free(&m);
	unlink(p);
	free(p);
	check_bad("ok.field string", "annotated differently at line 1");
	p = write_tmp("ring.buf array count\nring.buf array 16\n");
	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), KC_EINVAL);
	KC_CHECK(strstr(err.msg, ":2: ring.buf is annotated differently at line 1") != NULL);
	em_model_free(&m);
	unlink(p);
	free(p);
}

static void test_annot_append(void)
{
	struct kc_err err = { 0 };
	struct em_model m;
	char *p = write_tmp("");

	KC_CHECK_EQ_INT(kc_emit_annot_append(p, "ring.buf", "array count", &err), 0);
	KC_CHECK_EQ_INT(kc_emit_annot_append(p, "ring.buf", "array", &err), KC_EINVAL);
	KC_CHECK(strstr(err.msg, "needs an argument") != NULL);
	memset(&m, 0, sizeof(m));
	KC_CHECK_EQ_INT(em_annot_load(&m, p, 1, &err), 0);
	KC_CHECK_EQ_INT(m.nann, 1); /* the rejected line was not written */
	em_model_free(&m);
	unlink(p);
	free(p);
}

static void check_decl(const char *spelling, const char *name, const char *want)
{
	struct kc_sb sb = { 0 };

	gen_decl(&sb, spelling, name);
	KC_CHECK_EQ_STR(sb.s, want);
	kc_sb_free(&sb);
}

static void test_decl(void)
{
	check_decl("int", "x", "int x");
	check_decl("struct net_device *", "dev", "struct net_device *dev");
	check_decl("enum irqreturn (*)(int, void *)", "handler", "enum irqreturn (*handler)(int, void *)");
	check_decl("irq_handler_t", "h", "irq_handler_t h");
}

/* A model with struct outer { int a; struct inner *in; struct emb e; }, inner { int c; },
 * emb { int d; }, and one crossing function whose field set is given. */
static void build(struct em_model *m, struct em_field **fa, uint8_t in_c, uint8_t out_d, uint8_t ptr)
{
	static const char *names[3] = { "outer", "inner", "emb" };
	int i;

	memset(m, 0, sizeof(*m));
	m->ns = 3;
	m->s = kc_xcalloc(3, sizeof(*m->s));
	for (i = 0; i < 3; i++)
		m->s[i].name = kc_xstrdup(names[i]);
	m->s[0].nfields = 3;
	m->s[0].fields = kc_xcalloc(3, sizeof(struct em_field));
	m->s[1].nfields = 1;
	m->s[1].fields = kc_xcalloc(1, sizeof(struct em_field));
	m->s[2].nfields = 1;
	m->s[2].fields = kc_xcalloc(1, sizeof(struct em_field));
	m->ngf = 5;
	m->gf = kc_xcalloc(5, sizeof(*m->gf));
	{
		struct { int st, idx; const char *name, *kind; int target; enum em_shape shape; } d[5] = {
			{ 0, 0, "a", "scalar", -1, EM_S_UNKNOWN },
			{ 0, 1, "in", "pointer", 1, EM_S_STRUCT },
			{ 0, 2, "e", "struct", 2, EM_S_UNKNOWN },
			{ 1, 0, "c", "scalar", -1, EM_S_UNKNOWN },
			{ 2, 0, "d", "scalar", -1, EM_S_UNKNOWN },
		};

		for (i = 0; i < 5; i++) {
			struct em_field *f = &m->s[d[i].st].fields[d[i].idx];

			f->name = kc_xstrdup(d[i].name);
			f->kind = kc_xstrdup(d[i].kind);
			f->type = kc_xstrdup("t");
			f->st = d[i].st;
			f->gidx = i;
			f->target_st = d[i].target;
			f->shape = d[i].shape;
			m->gf[i] = f;
			fa[i] = f;
		}
	}
	m->nf = 1;
	m->f = kc_xcalloc(1, sizeof(*m->f));
	m->f[0].name = kc_xstrdup("fn");
	m->f[0].fset = kc_xcalloc(5, 1);
	m->f[0].fset[1] = ptr;
	m->f[0].fset[3] = in_c;
	m->f[0].fset[4] = out_d;
}

static void test_nonempty(void)
{
	struct em_model m;
	struct em_field *fa[5];

	/* inner.c is read through outer.in: outer carries something in, nothing out */
	build(&m, fa, EM_IN, 0, EM_IN);
	KC_CHECK(em_plan_nonempty(&m, 0, 0, EM_IN));
	KC_CHECK(!em_plan_nonempty(&m, 0, 0, EM_OUT));
	/* the pointer is never followed: inner's fields alone do not make outer carry them */
	m.f[0].fset[1] = 0;
	KC_CHECK(!em_plan_nonempty(&m, 0, 0, EM_IN));
	/* a write into the embedded struct: outer carries it out */
	m.f[0].fset[4] = EM_OUT;
	KC_CHECK(em_plan_nonempty(&m, 0, 0, EM_OUT));
	KC_CHECK(em_plan_nonempty(&m, 0, 2, EM_OUT));
	KC_CHECK(!em_plan_nonempty(&m, 0, 1, EM_OUT));
	em_model_free(&m);
}

/*
 * The nested-crossing rule (plan_global.c): cfg (user) writes adapter.speed and calls reset
 * (kernel), which calls back phy (user) reading speed, adapter.count and list_head.next.
 * reset's in-set must take speed (the user writes it), not count (no user-half write: the user
 * copy is not newer) and never list_head.next (list linkage); nothing goes to its out-set.
 */
static void test_nested(void)
{
	struct em_model m;
	const char *sn[2] = { "adapter", "list_head" };
	const char *fn[3] = { "cfg", "reset", "phy" };
	const enum em_side side[3] = { EM_USER, EM_KERNEL, EM_USER };
	int i;

	memset(&m, 0, sizeof(m));
	m.ns = 2;
	m.s = kc_xcalloc(2, sizeof(*m.s));
	for (i = 0; i < 2; i++)
		m.s[i].name = kc_xstrdup(sn[i]);
	m.s[0].nfields = 2;
	m.s[0].fields = kc_xcalloc(2, sizeof(struct em_field));
	m.s[1].nfields = 1;
	m.s[1].fields = kc_xcalloc(1, sizeof(struct em_field));
	m.ngf = 3;
	m.gf = kc_xcalloc(3, sizeof(*m.gf));
	m.gf[0] = &m.s[0].fields[0];
	m.gf[1] = &m.s[0].fields[1];
	m.gf[2] = &m.s[1].fields[0];
	for (i = 0; i < 3; i++) {
		m.gf[i]->name = kc_xstrdup(i == 0 ? "speed" : i == 1 ? "count" : "next");
		m.gf[i]->kind = kc_xstrdup("scalar");
		m.gf[i]->type = kc_xstrdup("t");
		m.gf[i]->st = i < 2 ? 0 : 1;
		m.gf[i]->gidx = i;
		m.gf[i]->target_st = -1;
	}
	m.nf = 3;
	m.f = kc_xcalloc(3, sizeof(*m.f));
	for (i = 0; i < 3; i++) {
		m.f[i].name = kc_xstrdup(fn[i]);
		m.f[i].side = side[i];
		m.f[i].is_defined = m.f[i].is_driver = 1;
		m.f[i].fset = kc_xcalloc(3, 1);
	}
	m.f[1].down = 1; /* reset: called by cfg */
	m.f[2].up = 1;   /* phy: called by reset */
	m.f[2].fset[0] = m.f[2].fset[1] = m.f[2].fset[2] = EM_IN;
	m.nc = 2;
	m.c = kc_xcalloc(2, sizeof(*m.c));
	m.c[0].caller = 0;
	m.c[0].callee = 1;
	m.c[1].caller = 1;
	m.c[1].callee = 2;
	/* cfg writes speed and next (a list_add somewhere in the user half) */
	m.na = 2;
	m.a = kc_xcalloc(2, sizeof(*m.a));
	m.a[0].func = 0;
	m.a[0].gfield = 0;
	m.a[0].mode = EM_OUT;
	m.a[1].func = 0;
	m.a[1].gfield = 2;
	m.a[1].mode = EM_OUT;
	em_plan_nested(&m);
	KC_CHECK(m.f[1].fset[0] == EM_IN);
	KC_CHECK(m.f[1].fset[1] == 0);
	KC_CHECK(m.f[1].fset[2] == 0);
	/* phy itself is unchanged; cfg does not cross */
	KC_CHECK(m.f[2].fset[0] == EM_IN && m.f[2].fset[2] == EM_IN);
	KC_CHECK(m.f[0].fset[0] == 0);
	em_model_free(&m);
}

int main(void)
{
	KC_RUN(test_annot_good);
	KC_RUN(test_annot_bad);
	KC_RUN(test_annot_param_forms);
	KC_RUN(test_annot_missing_file_is_empty);
	KC_RUN(test_annot_strict);
	KC_RUN(test_annot_duplicates);
	KC_RUN(test_annot_append);
	KC_RUN(test_decl);
	KC_RUN(test_nonempty);
	KC_RUN(test_nested);
	return kc_test_done();
}
