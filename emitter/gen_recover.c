/*
 * gen_recover.c - prints the recovery protocol after a user-half restart (docs/emitter.md, "After
 * a restart"; plan_recover.c decides what is re-sent and where its helpers live).
 *
 * The user half holds copies of kernel objects (one per tracker handle); a restarted user half
 * has none, and until an object's fields cross again its fresh copy is zeros, which a downcall
 * could send back over the kernel's master copy (with the first stage's field rules the fault
 * run's `ethtool -S` sent a NULL register window down). The protocol generated here:
 *
 *   - what kernel-half code frees leaves the tracker first (kfree & co. wrapped by the macros of
 *     kcut_frees.h, included after each TU's includes, gen_recover_frees);
 *   - the supervisor's recovery hook (rt/wire.c's kc_wire_recover_hook, registered by rt's
 *     kc_rt_driver_start / kc_rt_linux_driver_start, run after a restarted user half is ready) walks the
 *     tracker and re-sends every live object of a struct type
 *     with recovery helpers: one upcall KCUT_UP_RECOVER per object carrying its handle (the new
 *     user half re-creates its copy under the same handle, so every later crossing finds it) and,
 *     with the kernel's current values, every field the old user half could have held: the in and
 *     out sets of every upcall and the out sets of every downcall. Pointers inside go through the
 *     ordinary marshaling (nested objects by handle with their fields, the private area).
 *
 * The field set is a synthetic crossing function ("recovery", model index m->nf, not counted in
 * m->nf) whose access set is that union: the ordinary helpers encode and decode it.
 * kcut_recover_tu[] maps a tracker type id to the TU carrying its helpers,
 * kcut_recover_enc_<stem> / kcut_recover_dec_<stem>.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/*
 * Printed for each TU half after its other helpers (the recovery helpers follow): kernel half
 * kcut_recover_enc_<stem>, user half kcut_recover_dec_<stem>, each a switch over the tracker type
 * ids of the structs this TU carries recovery helpers for (the plan's pf->rec).
 */
void gen_recover_tu(struct gen *g, struct gen_file *o)
{
	const struct em_pfile *pf = o->pf;
	int enc = pf->half == EM_KERNEL, i, n = 0;
	struct kc_sb b = { 0 };

	kc_sb_addf(&b, "\n/* Recovery after a user-half restart: %s the fields the user half may hold of an object\n"
		       " * whose struct this file carries (docs/emitter.md, \"After a restart\"). 1: done, 0: not\n"
		       " * a type of this file. */\n"
		       "int kcut_recover_%s_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n",
		   enc ? "send" : "receive", enc ? "enc" : "dec", g->m->tus[pf->tu].stem);
	for (i = 0; i < pf->nrec; i++) {
		if (!n++)
			kc_sb_add(&b, "\tstruct kcut_seen s = { 0 };\n\n\tswitch (type) {\n");
		kc_sb_addf(&b, "\tcase %s:\n\t\t%s(x, p, &s, rc);\n\t\treturn 1;\n", gen_type_struct(g, pf->rec[i]),
			   gen_helper(g, o, g->p->rec_fn, pf->rec[i], EM_IN, enc));
	}
	if (n)
		kc_sb_add(&b, "\tdefault:\n\t\treturn 0;\n\t}\n}\n");
	else
		kc_sb_add(&b, "\t(void)x;\n\t(void)type;\n\t(void)p;\n\t(void)rc;\n\treturn 0;\n}\n");
	kc_sb_add(&o->tail, b.s);
	g->stub_lines += 8 + 3 * (unsigned)n;
	kc_sb_free(&b);
}

/*
 * Kernel half of a TU: the main file's text up to its last #include, then kcut_frees.h (rt/linux's,
 * copied into the emitted include/ by gen.c): its macros make the deallocators the kernel-half code
 * calls (kfree & co., free_netdev, the skb frees) forget the object in the tracker first, and the
 * calls that hand an object over to the kernel (netif_receive_skb & co.) forget it before the kernel
 * gets it, so neither a handle of the user half nor the recovery hook reaches freed memory. The
 * list is that header's, one for every driver.
 */
void gen_recover_frees(struct kc_sb *b, const struct em_scan *s)
{
	kc_sb_addn(b, s->text, s->inc_end);
	kc_sb_add(b, "\n/* kcut: what the kernel half frees or hands to the kernel leaves the object tracker first */\n"
		     "#include \"kcut_frees.h\"\n");
}

/* kcut_ids.h: the recovery upcall id and the per-TU functions. */
void gen_recover_ids(const struct gen *g, struct kc_sb *sb)
{
	int i;

	kc_sb_add(sb, "\n/* Recovery after a user-half restart (docs/emitter.md, \"After a restart\"): the\n"
		      " * supervisor's hook re-sends each live tracked object to the new user half through the\n"
		      " * upcall KCUT_UP_RECOVER (one past the driver's upcalls; rt/wire.c). */\n"
		      "#define KCUT_UP_RECOVER KCUT_NR_UPCALLS\n"
		      "int kcut_recover_handler(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res);\n");
	kc_sb_addf(sb, "/* Tracked structs embedded in tracked structs (the wire tables' kcut_embeds). */\n"
		       "#define KCUT_NR_EMBEDS %d\n"
		       "extern struct kc_wire_embed kcut_embeds[];\n",
		   g->p->nembeds);
	gen_layout_ids(g, sb);
	for (i = 0; i < g->m->ntu; i++)
		kc_sb_addf(sb, "int kcut_recover_enc_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc);\n"
			       "int kcut_recover_dec_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc);\n",
			   g->m->tus[i].stem, g->m->tus[i].stem);
	kc_sb_add(sb, "#if defined(KCUT_KERNEL_HALF) && !defined(__KERNEL__)\n"
		      "/* The kernel half frees p (kfree & co., through kcut_frees.h's macros after each TU's\n"
		      " * includes): forget its handle, on both sides. */\n"
		      "#define kcut_recover_free(p) kc_wire_free_hook(kcut_rt, (p))\n"
		      "#endif\n");
	gen_sync_ids(g, sb);
}

/* The TU index + 1 per tracker type (designated initializers), the per-TU functions and the one
 * rt calls (kc_wire_tables.recover_enc / recover_dec). */
static void rec_tables(const struct gen *g, struct kc_sb *b, const char *what)
{
	const struct em_model *m = g->m;
	int i;

	kc_sb_add(b, "static const unsigned char kcut_recover_tu[KCUT_NR_TYPES + 1] = {\n");
	for (i = 0; i < m->ns; i++)
		if (g->p->rec_tu[i])
			kc_sb_addf(b, "\t[%s] = %d,\n", gen_type_struct(g, i), g->p->rec_tu[i]);
	kc_sb_add(b, "\t[KCUT_NR_TYPES] = 0,\n};\n\n");
	kc_sb_addf(b, "static int (*const kcut_recover_%s[])(struct kc_xdr *, uint32_t, void *, int *) = {\n", what);
	for (i = 0; i < m->ntu; i++)
		kc_sb_addf(b, "\tkcut_recover_%s_%s,\n", what, m->tus[i].stem);
	kc_sb_add(b, "\tNULL,\n};\n\n");
	kc_sb_addf(b, "static void kcut_recover_%s_any(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n"
		      "\tif (type < KCUT_NR_TYPES && kcut_recover_tu[type])\n"
		      "\t\tkcut_recover_%s[kcut_recover_tu[type] - 1](x, type, p, rc);\n"
		      "\telse if (!*rc)\n\t\t*rc = KC_RT_EPROTO;\n}\n\n",
		   what, what);
}

/* The driver's tables for rt's wire checks and recovery (kc_rt_opts.wire). */
static void wire_tables(const struct gen *g, struct kc_sb *b, enum em_side half)
{
	const char *what = half == EM_USER ? "dec" : "enc";

	gen_layout_tables(g, b);
	kc_sb_addf(b, "/* The driver's tables for the runtime's pointer checks and recovery (rt/wire.c). */\n"
		      "struct kc_wire_embed kcut_embeds[KCUT_NR_EMBEDS + 1];\n"
		      "const struct kc_wire_tables kcut_wire = {\n"
		      "\t.globals = kcut_globals,\n\t.nglobals = KCUT_NR_GLOBALS,\n"
		      "\t.fnptrs = kcut_fnptr,\n\t.nfnptrs = KCUT_NR_FNPTRS,\n"
		      "\t.type_size = kcut_type_size,\n\t.ntypes = KCUT_NR_TYPES,\n"
		      "\t.embeds = kcut_embeds,\n\t.nembeds = KCUT_NR_EMBEDS,\n"
		      "\t.recover_fn = KCUT_UP_RECOVER,\n\t.recover_has = kcut_recover_tu,\n"
		      "\t.recover_%s = kcut_recover_%s_any,\n",
		   what, what);
	gen_sync_wire(g, b, half); /* synchronization at every crossing (gen_sync.c) */
	gen_layout_wire(g, b);     /* the layout table (gen_layout.c) */
	kc_sb_add(b, "};\n");
}

/*
 * kcut_kernel.c: the recovery encoders (rt's kc_wire_recover_hook calls them); kcut_user.c: the
 * handler of KCUT_UP_RECOVER. Both: the wire tables. Appended to the dispatch file's text before
 * the entry points.
 */
void gen_recover_dispatch(const struct gen *g, struct kc_sb *b, enum em_side half)
{
	kc_sb_add(b, "\n/* ---- recovery after a user-half restart (docs/emitter.md, \"After a restart\") ---- */\n");
	if (half == EM_USER) {
		rec_tables(g, b, "dec");
		kc_sb_add(b, "/* KCUT_UP_RECOVER: the type, the object (its kernel handle: the local copy is created\n"
			     " * with that handle) and the fields the kernel re-sends (rt/wire.c). */\n"
			     "int kcut_recover_handler(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)\n{\n"
			     "\treturn kc_wire_recover_serve(rt, args, res);\n}\n\n");
		gen_sync_tables(g, b, half);
		wire_tables(g, b, half);
		return;
	}
	rec_tables(g, b, "enc");
	gen_sync_tables(g, b, half);
	wire_tables(g, b, half);
}

/*
 * Kernel half of a TU that allocates a net_device followed by the driver's private area
 * (alloc_etherdev() & co.; the model's priv_owner_st / priv_st): in a Linux kernel the allocation
 * is tracked at once with its whole extent, the aligned struct net_device and sizeof_priv bytes
 * (as the handler of a user half's allocation tracks it, gen_stub.c), so that the private area
 * crosses as a part of its net_device and netdev_priv() in the user half finds its copy there.
 * (The kernel model's net_device is not laid out that way.)
 */
void gen_recover_netdev(const struct gen *g, struct kc_sb *b, const struct em_scan *s)
{
	const struct em_model *m = g->m;
	int etherdev, netdev;

	if (m->priv_owner_st < 0 || m->priv_st < 0 || !m->s[m->priv_owner_st].type_id)
		return;
	etherdev = memmem(s->text, s->len, "alloc_etherdev", 14) != NULL;
	netdev = memmem(s->text, s->len, "alloc_netdev", 12) != NULL;
	if (!etherdev && !netdev)
		return;
	kc_sb_addf(b, "#ifdef __KERNEL__\n"
		      "/* kcut: a net_device this half allocates is tracked with its private area (netdev_priv) */\n"
		      "static inline struct net_device *kcut_netdev_note(struct net_device *kcut_d, int kcut_priv)\n{\n"
		      "\tif (kcut_d && kcut_rt && kcut_priv >= 0)\n"
		      "\t\t(void)kc_wire_track_alloc(kcut_rt, kcut_d, %s,\n"
		      "\t\t\t\t\t  ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + (size_t)kcut_priv);\n"
		      "\treturn kcut_d;\n}\n",
		   gen_type_struct(g, m->priv_owner_st));
	if (etherdev)
		kc_sb_add(b, "static inline struct net_device *kcut_alloc_etherdev_mqs(int kcut_priv, unsigned int kcut_tx,\n"
			     "\t\t\t\t\t\t\t  unsigned int kcut_rx)\n{\n"
			     "\treturn kcut_netdev_note(alloc_etherdev_mqs(kcut_priv, kcut_tx, kcut_rx), kcut_priv);\n}\n"
			     "#define alloc_etherdev_mqs(...) kcut_alloc_etherdev_mqs(__VA_ARGS__)\n");
	if (netdev)
		kc_sb_add(b, "static inline struct net_device *kcut_alloc_netdev_mqs(int kcut_priv, const char *kcut_name,\n"
			     "\t\t\t\t\t\t\tunsigned char kcut_nat,\n"
			     "\t\t\t\t\t\t\tvoid (*kcut_setup)(struct net_device *),\n"
			     "\t\t\t\t\t\t\tunsigned int kcut_tx, unsigned int kcut_rx)\n{\n"
			     "\treturn kcut_netdev_note(alloc_netdev_mqs(kcut_priv, kcut_name, kcut_nat, kcut_setup, kcut_tx, kcut_rx),\n"
			     "\t\t\t\tkcut_priv);\n}\n"
			     "#define alloc_netdev_mqs(...) kcut_alloc_netdev_mqs(__VA_ARGS__)\n");
	kc_sb_add(b, "#endif\n");
}

/* The list of "slot=function" entries as a comment's words, wrapped. */
static void guard_list(struct kc_sb *b, char *const *v, int n)
{
	int i, col = 3;

	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		if (col + l > 96) {
			kc_sb_add(b, "\n *");
			col = 2;
		}
		kc_sb_addf(b, " %s", v[i]);
		col += (int)l;
	}
}

/*
 * Kernel half, after the includes: per ops table of the plan's pf->guards, its begin hook. The
 * kernel calls begin before every request on the table (dev_ethtool, ethnl_ops_begin) and
 * complete only after a begin that succeeded: while no user half is connected (rt's
 * kc_rt_user_pid is 0) the request fails with -EAGAIN at once, instead of reaching an op the
 * dead user half serves (one returning void answered nothing, with success). The driver's own
 * begin, when it has one, is called next.
 */
void gen_recover_guards(const struct gen *g, struct kc_sb *b, const struct em_pfile *pf)
{
	int i;

	for (i = 0; i < pf->nguards; i++) {
		const struct em_guard *gd = &pf->guards[i];
		const struct em_func *bf = gd->begin_fn >= 0 ? &g->m->f[gd->begin_fn] : NULL;

		kc_sb_addf(b, "\n/* kcut: requests on %s (struct %s) fail at once while no user half runs: the\n"
			      " * kernel calls its begin before each one. Ops the user half serves:\n *",
			   gd->var, gd->sname);
		guard_list(b, gd->user_ops, gd->nuser);
		if (gd->nkernel) {
			kc_sb_add(b, "\n * Ops the kernel half serves, refused too (begin cannot see which op a request\n"
				     " * will call):\n *");
			guard_list(b, gd->kernel_ops, gd->nkernel);
		}
		kc_sb_add(b, "\n */\n");
		if (bf) {
			/* the driver's own begin, defined further down or in another file */
			if (bf->is_static)
				kc_sb_add(b, "static ");
			gen_decl(b, bf->ret.spelling, bf->name);
			kc_sb_add(b, "(");
			gen_params(b, bf);
			kc_sb_add(b, bf->nparams ? ");\n" : "void);\n");
		}
		kc_sb_addf(b, "static int kcut_guard_%s(struct net_device *kcut_dev)\n{\n"
			      "\tif (!kc_rt_user_pid(kcut_rt))\n\t\treturn -EAGAIN;\n",
			   gd->var);
		if (bf)
			kc_sb_addf(b, "\treturn %s(kcut_dev);\n}\n", bf->name);
		else
			kc_sb_add(b, "\t(void)kcut_dev;\n\treturn 0;\n}\n");
	}
}

/* Text [from, to) of the TU with the guards' hooks in their tables' initializers: the driver's
 * ".begin = X" becomes ".begin = kcut_guard_<var>", or ".begin = kcut_guard_<var>," goes after
 * the initializer's '{' (on the same line: line numbers stay). */
void gen_recover_text(struct kc_sb *b, const struct em_scan *s, const struct em_pfile *pf, size_t from, size_t to)
{
	size_t pos = from;
	int i, first = 1;

	for (;; first = 0) {
		const struct em_guard *next = NULL;
		size_t at = to;

		for (i = 0; i < pf->nguards; i++) {
			size_t o = pf->guards[i].bend ? pf->guards[i].bval : pf->guards[i].init;

			/* (past the first, a hook inserted at pos is done) */
			if ((first ? o >= pos : o > pos) && o < at) {
				at = o;
				next = &pf->guards[i];
			}
		}
		kc_sb_addn(b, s->text + pos, at - pos);
		if (!next)
			return;
		if (next->bend) {
			kc_sb_addf(b, "kcut_guard_%s", next->var);
			pos = next->bend;
		} else {
			kc_sb_addf(b, " .begin = kcut_guard_%s,", next->var);
			pos = at;
		}
	}
}
