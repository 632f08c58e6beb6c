/*
 * gen_dispatch.c - prints the two dispatch files (kernel/kcut_kernel.c, user/kcut_user.c: the
 * endpoint, the table of functions each half serves, the function-pointer and global tables, the
 * entry points) and include/kcut_ids.h (the ids the plan assigned, shared by both halves).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* The user half's definitions of the machine-stopping kernel functions it calls (p->fatal):
 * BUG() in the user half ends the user half, which the kernel half restarts (fuzz finding 2). */
static void gen_fatal_defs(const struct gen *g, struct kc_sb *b)
{
	int k, j;

	for (k = 0; k < g->p->nfatal; k++) {
		const struct em_func *f = &g->m->f[g->p->fatal[k]];
		char nb[24];

		kc_sb_addf(b, "\n#ifndef __KERNEL__\n/* %s in the user half: ends the user half (restarted by the kernel half); it\n"
			      " * never crosses. */\n", f->name);
		gen_decl(b, f->ret.cls == EM_T_VOID ? "void" : f->ret.spelling, f->name);
		kc_sb_add(b, "(");
		for (j = 0; j < f->nparams; j++) {
			snprintf(nb, sizeof(nb), "kcut_p%d", j);
			kc_sb_add(b, j ? ", " : "");
			gen_decl(b, f->params[j].t.spelling, nb);
		}
		kc_sb_addf(b, "%s)\n{\n", f->is_variadic ? (f->nparams ? ", ..." : "...") : (f->nparams ? "" : "void"));
		for (j = 0; j < f->nparams; j++)
			kc_sb_addf(b, "\t(void)kcut_p%d;\n", j);
		kc_sb_addf(b, "\tkcut_log(\"kcut: the user half called %s: it ends\\n\");\n\tabort();\n}\n#endif\n",
			   f->name);
	}
}

/* kcut_kernel.c / kcut_user.c: the endpoint, the dispatch table, the function-pointer and global
 * tables, and the entry points (kcut_kernel_start, the user half's main). No driver header is
 * included: the import stubs and handlers live in the TU that declares each import. */
char *gen_dispatch(struct gen *g, enum em_side half)
{
	const struct em_model *m = g->m;
	struct gen_file o;
	int up = half == EM_USER, i, k;
	char what[256];
	char *r;

	gen_file_init(g, &o, NULL);
	kc_sb_addf(&o.text, "/* The %s half's endpoint, set up before any crossing. */\nstruct kc_rt *kcut_rt;\n"
			    "kcut_fn_t kcut_fnptr[KCUT_NR_FNPTRS + 1];\n"
			    "struct kc_wire_global kcut_globals[KCUT_NR_GLOBALS + 1];\n"
			    "unsigned char kcut_global_ro[KCUT_NR_GLOBALS + 1];\n"
			    "size_t kcut_type_size[KCUT_NR_TYPES + 1];\n\n",
		   gen_half_name(half));
	kc_sb_addf(&o.text, "/* Functions this half serves, indexed by %s id. */\nconst struct kc_rt_fn kcut_%s_fns[] = {\n",
		   up ? "upcall" : "downcall", gen_half_name(half));
	for (k = 0; k < (up ? m->nup : m->ndown); k++)
		for (i = 0; i < m->nf; i++) {
			const struct em_func *f = &m->f[i];

			if ((up ? f->up : f->down) && f->cross_id == k)
				kc_sb_addf(&o.text, "\t[%s%s] = { \"%s\", kcut_handler_%s },\n", up ? "KCUT_UP_" : "KCUT_DOWN_",
					   f->idname, f->name, f->idname);
		}
	if (up)
		kc_sb_add(&o.text, "\t[KCUT_UP_RECOVER] = { \"kcut_recover\", kcut_recover_handler },\n");
	kc_sb_addf(&o.text, "\t{ NULL, NULL },\n};\nconst unsigned int kcut_%s_nfns = %s;\n\n", gen_half_name(half),
		   up ? "KCUT_NR_UPCALLS" : "KCUT_NR_DOWNCALLS");
	kc_sb_addf(&o.text, "/* Names of the functions the peer serves (for the crossing trace). */\n"
			    "const char *const kcut_%s_peer_names[] = {\n",
		   gen_half_name(half));
	for (k = 0; k < (up ? m->ndown : m->nup); k++)
		for (i = 0; i < m->nf; i++)
			if ((up ? m->f[i].down : m->f[i].up) && m->f[i].cross_id == k)
				kc_sb_addf(&o.text, "\t\"%s\",\n", m->f[i].name);
	if (!up)
		kc_sb_add(&o.text, "\t\"kcut_recover\",\n"); /* KCUT_UP_RECOVER */
	kc_sb_add(&o.text, "\tNULL,\n};\n\n");
	kc_sb_add(&o.text, "/* Fill kcut_fnptr[] and kcut_globals[] with this half's function or variable of\n"
			   " * every id. Call once before the first crossing. */\nvoid kcut_tables_init(void)\n{\n");
	for (i = 0; i < m->ntu; i++)
		kc_sb_addf(&o.text, "\tkcut_tables_%s();\n", m->tus[i].stem);
	kc_sb_add(&o.text, "}\n");
	gen_recover_dispatch(g, &o.text, half);
	if (!up) {
		/* the description rt starts and stops the kernel half from (kcut_rt.h, struct
		 * kc_rt_driver; rt/driver.c in the kernel model, kcut_rt.ko in Linux) */
		kc_sb_add(&o.text, "\n");
		gen_region_kernel_include(g, &o.text); /* device access (gen_region.c) */
		kc_sb_addf(&o.text, "/* The kernel half as rt starts and stops it (kcut_rt.h, struct kc_rt_driver). */\n"
				    "const struct kc_rt_driver kcut_driver = {\n"
				    "\t.name = \"%s\",\n\t.rt = &kcut_rt,\n"
				    "\t.fns = kcut_kernel_fns,\n\t.nfns = KCUT_NR_DOWNCALLS,\n"
				    "\t.peer_names = kcut_kernel_peer_names,\n\t.npeer = KCUT_NR_UPCALLS + 1,\n"
				    "\t.wire = &kcut_wire,\n\t.tables_init = kcut_tables_init,\n",
			   m->part_name);
		gen_region_kernel_driver(g, &o.text); /* device access (gen_region.c) */
		kc_sb_add(&o.text, "};\n\n#ifndef __KERNEL__\n"
				   "/* The host starts the user half (the program at user_path) before the driver's init\n"
				   " * function and stops it after its exit function (rt/driver.c). */\n"
				   "int kcut_kernel_start(const char *user_path, int trace, struct kc_err *err)\n{\n"
				   "\treturn kc_rt_driver_start(&kcut_driver, user_path, trace, err);\n}\n\n"
				   "void kcut_kernel_stop(void)\n{\n\tkc_rt_driver_stop(&kcut_driver);\n}\n#else\n");
		kc_sb_addf(&o.text, "#include <linux/module.h>\n\n"
				    "/* How long kcut_rt.ko waits for the user half before the driver's init function and, with\n"
				    " * none connected, before its exit function (KCUT_MODULE_INIT / _EXIT, kcut_ids.h). */\n"
				    "unsigned int kcut_wait_ms = 30000;\nmodule_param(kcut_wait_ms, uint, 0444);\n"
				    "MODULE_PARM_DESC(kcut_wait_ms, \"how long the driver's init waits for its user half to open /dev/kcut-%s\");\n"
				    "#endif\n",
			   m->part_name);
	} else {
		gen_fatal_defs(g, &o.text);
		kc_sb_add(&o.text, "\n#if !defined(KCUT_NO_MAIN) && !defined(__KERNEL__)\n/* The user-half program: attach to the channel and serve. */\n"
				   "int main(void)\n{\n"
				   "\tstruct kc_rt_opts opts = KC_RT_OPTS_INIT;\n\tstruct kc_err err = { 0 };\n\n"
				   "\topts.fns = kcut_user_fns;\n\topts.nfns = KCUT_NR_UPCALLS + 1;\n"
				   "\topts.peer_names = kcut_user_peer_names;\n\topts.npeer = KCUT_NR_DOWNCALLS;\n"
				   "\topts.wire = &kcut_wire;\n");
		gen_region_user_opts(g, &o.text); /* device access (gen_region.c) */
		kc_sb_add(&o.text, "\tkcut_tables_init();\n"
				   "\tif (kc_rt_user_open(&kcut_rt, &opts, &err)) {\n"
				   "\t\tfprintf(stderr, \"kcut user half: %s\\n\", err.msg);\n\t\treturn 2;\n\t}\n"
				   "\treturn kc_rt_user_run(kcut_rt) ? 1 : 0;\n}\n#endif\n");
	}
	snprintf(what, sizeof(what), "%s-half dispatch of partition %s", gen_half_name(half), m->part_name);
	r = gen_assemble(&o, half, what);
	gen_file_free(&o);
	return r;
}

/* include/kcut_ids.h: the id enums, the tables and the handler declarations (malloc'd text). */
char *gen_ids(const struct gen *g)
{
	const struct em_model *m = g->m;
	const struct em_plan *p = g->p;
	struct kc_sb sb = { 0 };
	int i, k;

	kc_sb_addf(&sb, GEN_BANNER "/* Function and object-type ids of partition %s, shared by both halves. */\n"
			   "#ifndef KCUT_IDS_H\n#define KCUT_IDS_H\n\n#ifdef __KERNEL__\n#include \"kcut_rt_shim.h\"\n#else\n"
			   "#include \"kcut_rt.h\"\n#endif\n\n",
		   m->part_name);
	kc_sb_add(&sb, "/* Upcalls: kernel half -> user half (served by kcut_user_fns). */\nenum kcut_upcall {\n");
	for (k = 0; k < m->nup; k++)
		for (i = 0; i < m->nf; i++)
			if (m->f[i].up && m->f[i].cross_id == k)
				kc_sb_addf(&sb, "\tKCUT_UP_%s = %d,\n", m->f[i].idname, k);
	kc_sb_addf(&sb, "\tKCUT_NR_UPCALLS = %d\n};\n\n", m->nup);
	kc_sb_add(&sb, "/* Downcalls: user half -> kernel half (served by kcut_kernel_fns). */\nenum kcut_downcall {\n");
	for (k = 0; k < m->ndown; k++)
		for (i = 0; i < m->nf; i++)
			if (m->f[i].down && m->f[i].cross_id == k)
				kc_sb_addf(&sb, "\tKCUT_DOWN_%s = %d,\n", m->f[i].idname, k);
	kc_sb_addf(&sb, "\tKCUT_NR_DOWNCALLS = %d\n};\n\n", m->ndown);
	kc_sb_add(&sb, "/* Function-pointer ids: each half maps an id to its own function of that name. */\n"
		       "enum kcut_fnptr_id {\n");
	for (k = 0; k < m->nfp; k++)
		for (i = 0; i < m->nf; i++)
			if (m->f[i].fp_id == k)
				kc_sb_addf(&sb, "\tKCUT_FP_%s = %d,\n", m->f[i].idname, k);
	kc_sb_addf(&sb, "\tKCUT_NR_FNPTRS = %d\n};\n\n", m->nfp);
	kc_sb_add(&sb, "/* Driver globals: a pointer into one crosses as (id, offset) and lands on the\n"
		       " * other half's variable of the same name. */\nenum kcut_global_id {\n");
	for (i = 0; i < p->nglobals; i++)
		kc_sb_addf(&sb, "\tKCUT_G_%s = %d,\n", p->globals[i], i);
	kc_sb_addf(&sb, "\tKCUT_NR_GLOBALS = %d\n};\n\n", p->nglobals);
	kc_sb_add(&sb, "/* Object types known to the tracker. */\nenum kcut_type {\n");
	for (i = 1; i < p->ntypes; i++)
		kc_sb_addf(&sb, "\t%s = %d,\n", p->types[i], i);
	kc_sb_addf(&sb, "\tKCUT_NR_TYPES = %d\n};\n\n", p->ntypes);
	kc_sb_add(&sb, "typedef kc_wire_fn kcut_fn_t;\n\n"
		       "extern struct kc_rt *kcut_rt;\n"
		       "extern kcut_fn_t kcut_fnptr[];\n"
		       "extern struct kc_wire_global kcut_globals[];\n"
		       "extern unsigned char kcut_global_ro[]; /* 1: a const global (kcut_seen) */\n"
		       "extern size_t kcut_type_size[];\n"
		       "extern const struct kc_wire_tables kcut_wire;\n"
		       "extern const struct kc_rt_fn kcut_kernel_fns[];\nextern const unsigned int kcut_kernel_nfns;\n"
		       "extern const struct kc_rt_fn kcut_user_fns[];\nextern const unsigned int kcut_user_nfns;\n"
		       "extern const char *const kcut_kernel_peer_names[];\n"
		       "extern const char *const kcut_user_peer_names[];\n\n"
		       "void kcut_tables_init(void);\n"
		       "/* The kernel half's description (kcut_kernel.c): rt starts and stops it (kcut_rt.h). */\n"
		       "extern const struct kc_rt_driver kcut_driver;\n"
		       "#ifndef __KERNEL__\n"
		       "int kcut_kernel_start(const char *user_path, int trace, struct kc_err *err);\n"
		       "void kcut_kernel_stop(void);\n"
		       "#elif defined(MODULE)\n"
		       "/* In a Linux module the kernel half's files map module_init / module_exit here (after their\n"
		       " * includes, with kcut_rt_linux.h): kcut_rt.ko makes the endpoint and waits up to kcut_wait_ms\n"
		       " * (the module's parameter, kcut_kernel.c) for the user half before the driver's init function\n"
		       " * runs, waits for one before its exit function and removes the endpoint after it\n"
		       " * (linux/module.h's definitions otherwise). */\n"
		       "extern unsigned int kcut_wait_ms;\n"
		       "#define KCUT_MODULE_INIT(initfn) \\\n"
		       "\tstatic int __init kcut_module_init(void) \\\n"
		       "\t{ \\\n\t\tint kcut_rc = kc_rt_linux_driver_start(&kcut_driver, THIS_MODULE, kcut_wait_ms); \\\n\t\t\\\n"
		       "\t\tif (!kcut_rc) \\\n\t\t\tkcut_rc = initfn(); \\\n"
		       "\t\tif (kcut_rc && kcut_rt) \\\n\t\t\tkc_rt_linux_driver_stop(&kcut_driver); \\\n\t\treturn kcut_rc; \\\n\t} \\\n"
		       "\tstatic inline initcall_t __maybe_unused __inittest(void) \\\n\t{ return initfn; } \\\n"
		       "\tint init_module(void) __copy(kcut_module_init) __attribute__((alias(\"kcut_module_init\"))); \\\n"
		       "\t___ADDRESSABLE(init_module, __initdata);\n"
		       "#define KCUT_MODULE_EXIT(exitfn) \\\n"
		       "\tstatic void __exit kcut_module_exit(void) \\\n\t{ \\\n\t\tkc_rt_linux_driver_before_exit(&kcut_driver, kcut_wait_ms); \\\n"
		       "\t\texitfn(); \\\n\t\tkc_rt_linux_driver_stop(&kcut_driver); \\\n\t} \\\n"
		       "\tstatic inline exitcall_t __maybe_unused __exittest(void) \\\n\t{ return exitfn; } \\\n"
		       "\tvoid cleanup_module(void) __copy(kcut_module_exit) __attribute__((alias(\"kcut_module_exit\"))); \\\n"
		       "\t___ADDRESSABLE(cleanup_module, __exitdata);\n"
		       "#endif\n");
	for (i = 0; i < m->ntu; i++)
		kc_sb_addf(&sb, "void kcut_tables_%s(void);\n", m->tus[i].stem);
	kc_sb_add(&sb, "\n");
	for (i = 0; i < m->nf; i++)
		if (m->f[i].up || m->f[i].down)
			kc_sb_addf(&sb, "int kcut_handler_%s(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res);\n",
				   m->f[i].idname);
	gen_recover_ids(g, &sb);
	kc_sb_add(&sb, "\n#endif /* KCUT_IDS_H */\n");
	return kc_sb_steal(&sb);
}
