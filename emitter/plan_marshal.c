/*
 * plan_marshal.c - how each crossing is marshaled (docs/emitter.md, "Stubs", "Field-sensitive
 * marshaling", "Shapes"): whether a crossing function's signature can cross at all, what each
 * parameter carries, the objects a result brings back, and the marshaling helpers: for one
 * crossing and one struct type, the list of field operations that encode the fields the callee
 * side may read (direction "in") or write ("out") and decode them on the other side. Nested
 * structs (embedded or behind pointers) get helpers of their own, requested in the file's list
 * (struct em_pfile), so every generated file holds exactly the helpers it uses. Fields that
 * cannot cross are reported here, once. The tracker type ids are numbered in the order this
 * walk first needs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Anonymous structs and unions are stored as 'outer::<anon@LINE>'. */
static int is_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

static int is_scalar_kind(const char *k)
{
	return !strcmp(k, "scalar") || !strcmp(k, "enum") || !strcmp(k, "bitfield");
}

/* Append name with every character that cannot be in a C identifier replaced by '_'. */
static void add_ident(struct kc_sb *sb, const char *name)
{
	for (; *name; name++) {
		char c = *name;

		kc_sb_addn(sb, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? name : "_", 1);
	}
}

static int type_add(struct em_plan *p, char *name)
{
	p->types = kc_xrealloc(p->types, (size_t)(p->ntypes + 1) * sizeof(*p->types));
	p->types[p->ntypes] = name;
	return p->ntypes++;
}

/* The tracker type id of struct st (KCUT_T_<struct>), numbered when first needed. */
int em_plan_type(struct em_plan *p, struct em_model *m, int st)
{
	struct em_struct *s = &m->s[st];

	if (!s->type_id) {
		struct kc_sb sb = { 0 };

		kc_sb_add(&sb, "KCUT_T_");
		add_ident(&sb, s->name);
		s->type_id = type_add(p, kc_sb_steal(&sb));
	}
	return s->type_id;
}

/* The tracker type of the array a pointer field f points to (KCUT_T_<struct>__<field>). */
static int type_blob(struct em_plan *p, const struct em_model *m, const struct em_field *f)
{
	struct kc_sb sb = { 0 };
	int i;

	kc_sb_add(&sb, "KCUT_T_");
	add_ident(&sb, m->s[f->st].name);
	kc_sb_addf(&sb, "__%s", f->name);
	for (i = 1; i < p->ntypes; i++)
		if (!strcmp(p->types[i], sb.s)) {
			kc_sb_free(&sb);
			return i;
		}
	return type_add(p, kc_sb_steal(&sb));
}

/* Does struct st carry anything for crossing fn in direction dir (EM_IN / EM_OUT)? */
static int nonempty(const struct em_model *m, int fn, int st, int dir, uint8_t *visiting)
{
	const uint8_t *fs = m->f[fn].fset;
	const struct em_struct *s = &m->s[st];
	int i, r = 0;

	if (visiting[st])
		return 0;
	visiting[st] = 1;
	for (i = 0; i < s->nfields && !r; i++) {
		const struct em_field *f = &s->fields[i];

		if (!strcmp(f->kind, "array") && f->target_st >= 0 && !strchr(f->type, '*'))
			r = nonempty(m, fn, f->target_st, dir, visiting);
		else if (is_scalar_kind(f->kind) || !strcmp(f->kind, "array") || !strcmp(f->kind, "funcptr"))
			r = fs[f->gidx] & dir;
		else if (!strcmp(f->kind, "struct") && f->shape == EM_S_LIST && f->list_st >= 0)
			r = (fs[f->gidx] & dir) || (fs[f->gidx] && nonempty(m, fn, f->list_st, dir, visiting));
		else if (!strcmp(f->kind, "struct") && f->list_link)
			r = 0;
		else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union"))
			r = f->target_st >= 0 ? nonempty(m, fn, f->target_st, dir, visiting) : (fs[f->gidx] & dir);
		else if (!strcmp(f->kind, "pointer"))
			r = (fs[f->gidx] & dir) ||
			    (fs[f->gidx] && (f->shape == EM_S_STRUCT || f->shape == EM_S_LIST) &&
			     nonempty(m, fn, f->target_st, dir, visiting));
	}
	visiting[st] = 0;
	if (!r && st == m->priv_owner_st && m->priv_st >= 0 && m->priv_st != st)
		r = nonempty(m, fn, m->priv_st, dir, visiting);
	return r;
}

int em_plan_nonempty(const struct em_model *m, int fn, int st, int dir)
{
	uint8_t *visiting = kc_xcalloc((size_t)m->ns + 1, 1);
	int r = nonempty(m, fn, st, dir, visiting);

	free(visiting);
	return r;
}

/* Check every parameter and the return type of fn can cross; report what cannot (once). */
int em_plan_marshalable(struct em_plan *p, struct em_model *m, int fn)
{
	struct em_func *f = &m->f[fn];
	struct em_pfunc *pf = &p->fn[fn];
	int i, ok = 1;

	if (pf->marshal)
		return pf->marshal > 0;
	pf->marshal = -1;
	if (!f->have_types) {
		em_finding(m, f->file, f->line, f->col, "%s must cross (%s) but no translation unit declares it",
			   f->name, f->why ? f->why : "");
		return 0;
	}
	for (i = 0; i < f->nparams; i++)
		if (f->params[i].t.cls == EM_T_OTHER) {
			em_finding(m, f->file, f->line, f->col,
				   "cannot marshal parameter %d '%s' of %s: type '%s' is not supported", i + 1,
				   f->params[i].name, f->name, f->params[i].t.spelling);
			ok = 0;
		}
	if (f->ret.cls == EM_T_OTHER || f->ret.cls == EM_T_PTR_SCALAR || f->ret.cls == EM_T_STRV ||
	    (f->ret.cls == EM_T_FNPTR && strstr(f->ret.spelling, "(*"))) {
		em_finding(m, f->file, f->line, f->col, "cannot marshal the return type '%s' of %s", f->ret.spelling,
			   f->name);
		ok = 0;
	}
	pf->marshal = ok ? 1 : -1;
	return ok;
}

/* Is struct st complete in the TU that holds fn's stub and handler? Yes when a driver function of
 * that file accesses one of its fields (the generated code names its fields). */
static int complete_in_tu(const struct em_model *m, int fn, int st)
{
	const struct em_func *f = &m->f[fn];
	const char *file = f->is_defined ? f->file : (f->decl_tu >= 0 && f->decl_tu < m->ntu ? m->tus[f->decl_tu].file : NULL);
	int i;

	if (!file)
		return 0;
	for (i = 0; i < m->na; i++)
		if (m->gf[m->a[i].gfield]->st == st && m->f[m->a[i].func].file &&
		    !strcmp(m->f[m->a[i].func].file, file))
			return 1;
	return 0;
}

/*
 * Objects returned by a crossing (a `struct T *` or `void *` result: pci_get_drvdata() giving the
 * snd_card, alloc_etherdev() the net_device) come with the fields of T the crossing's out-set has:
 * after the pointer, a type word (the returned object's tracker type, 0: no fields follow) and
 * T's out-fields. For a void * result the candidates are every struct with out-fields, chosen at
 * run time by the type the object is tracked with (kc_wire_type_at). At most 64.
 */
static void ret_candidates(const struct em_model *m, int fn, struct em_pfunc *pf)
{
	const struct em_func *f = &m->f[fn];
	int st;

	if (!f->fset)
		return;
	pf->cand = kc_xcalloc(64, sizeof(*pf->cand));
	if (f->ret.cls == EM_T_PTR_STRUCT) {
		st = em_struct_by_name(m, f->ret.sname);
		if (st >= 0 && !is_anon(m->s[st].name) && !em_kernel_owned(m->s[st].name) &&
		    em_plan_nonempty(m, fn, st, EM_OUT))
			pf->cand[pf->ncand++] = st;
		return;
	}
	if (f->ret.cls != EM_T_VOIDPTR)
		return;
	for (st = 0; st < m->ns && pf->ncand < 64; st++)
		if (!is_anon(m->s[st].name) && !m->s[st].is_union && !em_kernel_owned(m->s[st].name) &&
		    complete_in_tu(m, fn, st) && em_plan_nonempty(m, fn, st, EM_OUT))
			pf->cand[pf->ncand++] = st;
}

/* The size expression of a kernel allocator's result in terms of its handler's locals (kcut_pN). */
static char *alloc_size(const struct em_func *f)
{
	struct kc_sb sb = { 0 };
	int count, size;

	if (!em_allocator(f->name, &count, &size) || size >= f->nparams || count >= f->nparams)
		return NULL;
	if (count == -2)
		kc_sb_addf(&sb, "ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + (size_t)kcut_p%d", size);
	else if (count >= 0)
		kc_sb_addf(&sb, "(size_t)kcut_p%d * (size_t)kcut_p%d", count, size);
	else
		kc_sb_addf(&sb, "(size_t)kcut_p%d", size);
	return kc_sb_steal(&sb);
}

/* A kernel allocator's element count and element size in its handler's locals, for the bound
 * the kernel half checks before it allocates for the user half (kc_wire_alloc_check). */
static void alloc_parts(const struct em_func *f, char **n, char **each)
{
	struct kc_sb a = { 0 }, b = { 0 };
	int count, size, q1, q2;

	*n = *each = NULL;
	if (!em_allocator(f->name, &count, &size) || size >= f->nparams || count >= f->nparams)
		return;
	if (count >= 0)
		kc_sb_addf(&a, "(size_t)kcut_p%d", count);
	else
		kc_sb_add(&a, "1");
	if (count == -2)
		/* sizeof_priv is an int: a negative one is ~4 GiB here (refused), never a wrap-around */
		kc_sb_addf(&b, "ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + (size_t)(unsigned int)kcut_p%d", size);
	else
		kc_sb_addf(&b, "(size_t)kcut_p%d", size);
	if (em_allocator_queues(f->name, &q1, &q2) && q1 < f->nparams && q2 < f->nparams)
		/* the queues the allocator makes count against the bound too (fuzz finding 3: an
		 * 85 GB kcalloc of queues) */
		kc_sb_addf(&b, " + ((size_t)kcut_p%d + (size_t)kcut_p%d) * KC_WIRE_QUEUE_COST", q1, q2);
	*n = kc_sb_steal(&a);
	*each = kc_sb_steal(&b);
}

/* Memory deallocators: what they free must be an allocation a kernel allocator made for the user
 * half (other deallocators free objects of their own type: socket buffers, cards, net devices). */
static int memory_free(const char *name)
{
	return !strcmp(name, "kfree") || !strcmp(name, "kvfree") || !strcmp(name, "vfree") ||
	       !strcmp(name, "kfree_sensitive");
}

/* Kernel imports that keep a pointer parameter as a cookie (the irq handler's dev_id): its index,
 * else -1. The kernel compares it and passes it back; it must be an object's start, never a
 * driver global (free_irq with another cookie frees someone else's handler). */
static int cookie_param(const struct em_func *f)
{
	static const struct {
		const char *name;
		int param;
	} cookies[] = {
		{ "request_irq", 4 },	  { "request_threaded_irq", 5 }, { "devm_request_irq", 5 },
		{ "free_irq", 1 },	  { "devm_free_irq", 2 },	  { "request_any_context_irq", 4 },
		{ "devm_request_threaded_irq", 6 },
	};
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(cookies); i++)
		if (!strcmp(f->name, cookies[i].name) && cookies[i].param < f->nparams &&
		    f->params[cookies[i].param].t.cls == EM_T_VOIDPTR)
			return cookies[i].param;
	return -1;
}

/* ---- parameters that must not be NULL (issue 14) ---- */

/* The first function named name (m->f is sorted by name), else -1. */
static int func_by_name(const struct em_model *m, const char *name)
{
	int lo = 0, hi = m->nf - 1, found = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(m->f[mid].name, name);

		if (!c)
			found = mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return found;
}

/*
 * Which pointer parameters each function dereferences, so that its handler in the kernel half
 * refuses NULL from the user half (KC_WP_NONNULL; rt/wire.c answers KC_RT_ENULL and restarts the
 * user half) instead of oopsing the kernel:
 * - a kernel function: every struct pointer parameter but those the kernel tests for NULL
 *   (kapi.c, em_null_ok: kfree(NULL), printk with a NULL device, optional parents);
 * - a driver function (nullscan.c's facts of its body): a parameter it dereferences (`p->`, `*p`,
 *   `p[`) or passes whole to a function that must not get NULL there (followed through driver
 *   functions to a fixed point), unless the body ever tests it for NULL or assigns to it (then
 *   NULL may be what it expects: the facts err on the side of letting NULL through).
 */
static void plan_nonnull(struct em_model *m)
{
	int i, j, k, changed;

	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		if (f->nparams <= 0 || (f->is_defined && !f->pnull))
			continue;
		f->nonnull = kc_xcalloc((size_t)f->nparams, 1);
		if (f->is_defined)
			continue;
		/* a kernel function, or a header inline the kernel half runs for the user half (pci_name) */
		/* ... and a buffer of elements the count says (print_hex_dump's buf: NULL is refused
		 * when the count is not 0, kc_wire_get_array; eth_hw_addr_set's 6 bytes) */
		/* ... and an out-pointer to one element (pci_read_config_word's val: the kernel stores
		 * through it; issue 14) */
		for (j = 0; j < f->nparams; j++)
			f->nonnull[j] = (f->params[j].t.cls == EM_T_PTR_STRUCT ||
					 (f->params[j].t.cls == EM_T_PTR_SCALAR &&
					  (f->params[j].t.count_param || em_sized_param(f->name, j))) ||
					 (f->params[j].t.cls == EM_T_PTR_SCALAR && !f->word_op &&
					  !f->params[j].t.pointee_const) ||
					 em_str_deref(f->name, j)) &&
					!em_null_ok(f->name, j, f->params[j].t.sname);
	}
	do {
		changed = 0;
		for (i = 0; i < m->nf; i++) {
			struct em_func *f = &m->f[i];

			if (!f->nonnull || !f->is_defined)
				continue;
			for (j = 0; j < f->nparams && j < f->npnull; j++) {
				if (f->nonnull[j] || (f->pnull[j] & (EM_PN_TESTED | EM_PN_ASSIGNED)))
					continue;
				if (f->pnull[j] & EM_PN_DEREF) {
					f->nonnull[j] = 1;
					changed = 1;
					continue;
				}
				for (k = 0; k < f->npass; k++) {
					int g = f->pass[k].param == j ? func_by_name(m, f->pass[k].callee) : -1;

					if (g >= 0 && m->f[g].nonnull && f->pass[k].arg < m->f[g].nparams &&
					    m->f[g].nonnull[f->pass[k].arg]) {
						f->nonnull[j] = 1;
						changed = 1;
						break;
					}
				}
			}
		}
	} while (changed);
}

/* How the callee of fn decodes pointer parameter j (struct em_wire; at places: em_plan_wire). */
static void param_wire(const struct em_model *m, const struct em_func *f, const struct em_pfunc *pf, int j,
		       struct em_wire *w)
{
	const struct em_type *t = &f->params[j].t;
	int import = f->down && !f->is_defined;

	w->st = -1;
	if ((t->cls == EM_T_PTR_STRUCT || t->cls == EM_T_PTR_PTR) && pf->params[j].st >= 0 &&
	    !is_anon(m->s[pf->params[j].st].name)) {
		w->st = pf->params[j].st;
		w->sized = 1;
	}
	if (t->cls == EM_T_PTR_PTR)
		w->flags |= EM_WP_OUT; /* often an out-parameter only: its value may be garbage */
	if (f->down && f->nonnull && f->nonnull[j] &&
	    (t->cls == EM_T_PTR_STRUCT || t->cls == EM_T_VOIDPTR || t->cls == EM_T_PTR_SCALAR ||
	     t->cls == EM_T_STRING))
		w->flags |= EM_WP_NONNULL; /* the kernel half refuses NULL (plan_nonnull) */
	if (!import)
		return;
	if (t->cls == EM_T_PTR_STRUCT && t->sname && em_kernel_owned(t->sname)) {
		/* a lock, work item, timer ...: its start, where the driver embeds it (`at` places) */
		w->flags |= EM_WP_BASE;
		w->sized = 1;
		if (w->st < 0) {
			const char *sp = t->spelling;
			size_t n;

			if (!strncmp(sp, "const ", 6))
				sp += 6;
			n = strlen(sp);
			while (n && (sp[n - 1] == '*' || sp[n - 1] == ' '))
				n--;
			w->kname = t->sname;
			w->ktype = kc_xstrdup(sp);
			w->ktype[n] = 0; /* "struct mutex", "spinlock_t" */
		}
	}
	if (j == 0 && pf->untrack) {
		w->flags |= EM_WP_BASE | EM_WP_NOGLOBAL;
		if (memory_free(f->name))
			w->flags |= EM_WP_HEAP;
		else if (t->cls == EM_T_PTR_STRUCT)
			w->flags |= EM_WP_TYPEDFREE; /* free_netdev: not of a kmalloc'd block */
	}
	if (j == cookie_param(f))
		w->flags |= EM_WP_BASE | EM_WP_NOGLOBAL;
}

/*
 * A teardown callback the kernel calls once and never again (kapi.c, em_teardown_slot: a stream's
 * close and hw_free) that the user half serves: when the upcall fails because the user half is down
 * or died, the kernel half's stub queues it (rt's kc_wire_redo) and the recovery hook runs it for the
 * next user half, so the driver's state does not keep a stream open for ever (hostile_simsnd, the
 * fault matrix's "play: -EBUSY"). Its arguments are kept as values: at most KC_WIRE_REDO_ARGS (4),
 * pointers and integers only.
 */
static void plan_redo(const struct em_func *f, struct em_pfunc *pf)
{
	int j;

	if (!f->up || !f->why || strncmp(f->why, "registered: ", 12) || !em_teardown_slot(f->why + 12) ||
	    f->nparams > 4)
		return;
	for (j = 0; j < f->nparams; j++) {
		enum em_tclass c = f->params[j].t.cls;

		if (c == EM_T_PTR_STRUCT || c == EM_T_VOIDPTR)
			pf->redo_ptrs |= 1u << j;
		else if (c != EM_T_INT)
			return;
	}
	pf->redo = 1;
}

/* The per-function plan of every crossing function: what each parameter carries, the returned
 * objects, the allocator and deallocator rules of kernel imports. */
void em_plan_funcs(struct em_plan *p, struct em_model *m)
{
	int i, j;

	plan_nonnull(m);
	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		struct em_pfunc *pf = &p->fn[i];

		if (!f->up && !f->down)
			continue;
		pf->params = kc_xcalloc((size_t)f->nparams + 1, sizeof(*pf->params));
		pf->ret_st = f->ret.cls == EM_T_PTR_STRUCT ? em_struct_by_name(m, f->ret.sname) : -1;
		for (j = 0; j < f->nparams; j++) {
			const struct em_type *t = &f->params[j].t;
			struct em_pparam *pp = &pf->params[j];

			pp->st = -1;
			if (t->cls == EM_T_PTR_STRUCT) {
				pp->st = em_struct_by_name(m, t->sname);
				if (pp->st >= 0) {
					pp->in = em_plan_nonempty(m, i, pp->st, EM_IN);
					pp->out = em_plan_nonempty(m, i, pp->st, EM_OUT);
				}
			} else if (t->cls == EM_T_PTR_PTR && t->sname) {
				pp->st = em_struct_by_name(m, t->sname);
				pp->out = pp->st >= 0 && em_plan_nonempty(m, i, pp->st, EM_OUT);
			}
			if ((t->cls == EM_T_PTR_STRUCT && (pp->in || pp->out)) || (t->cls == EM_T_PTR_PTR && pp->out))
				pf->seen = 1;
		}
		ret_candidates(m, i, pf);
		if (f->down && !f->is_defined) {
			pf->alloc_size = alloc_size(f);
			alloc_parts(f, &pf->alloc_n, &pf->alloc_each);
		}
		pf->untrack = !f->is_defined && em_deallocator(f->name) && f->nparams > 0 &&
			      (f->params[0].t.cls == EM_T_PTR_STRUCT || f->params[0].t.cls == EM_T_VOIDPTR);
		pf->busy = em_import_busy(f); /* INIT_WORK & co., INIT_LIST_HEAD (kapi.c) */
		for (j = 0; j < f->nparams; j++)
			param_wire(m, f, pf, j, &pf->params[j].w);
		pf->wret.st = -1;
		if (pf->ret_st >= 0 && !is_anon(m->s[pf->ret_st].name)) {
			pf->wret.st = pf->ret_st;
			pf->wret.sized = 1;
		}
		/* a kernel import may keep the pointer (request_irq's name): a string sent by value
		 * lives on in rt's interned strings (kc_wire_keep_str), not in the handler's frame */
		pf->intern = !f->is_defined && !f->fmt_fwd;
		plan_redo(f, pf);
	}
}

/* Request the helper (fn, st, dir, enc) in file pf (once). */
void em_plan_request(struct em_pfile *pf, int fn, int st, int dir, int enc)
{
	struct em_helper *h;
	int i;

	for (i = 0; i < pf->nhelp; i++)
		if (pf->help[i].fn == fn && pf->help[i].st == st && pf->help[i].dir == dir && pf->help[i].enc == enc)
			return;
	pf->help = kc_xrealloc(pf->help, (size_t)(pf->nhelp + 1) * sizeof(*pf->help));
	h = &pf->help[pf->nhelp++];
	memset(h, 0, sizeof(*h));
	h->fn = fn;
	h->st = st;
	h->dir = dir;
	h->enc = enc;
	/* the kernel half decodes what the user half sent all or nothing (fuzz finding 1) */
	h->undo = !enc && pf->half == EM_KERNEL;
	/* ... and sends nothing past an object's end (fuzz finding 5), nor writes past it (a
	 * private area behind what is not a net_device with one: issue 14, the 10-million run) */
	h->bounded = pf->half == EM_KERNEL;
}

/* What a stub of fn (in file pf) sends and receives: the types and helpers it names, in the
 * order it names them (gen_stub.c). */
void em_plan_stub_roots(struct em_plan *p, struct em_model *m, struct em_pfile *pf, int fn)
{
	const struct em_func *f = &m->f[fn];
	const struct em_pfunc *q = &p->fn[fn];
	int i;

	for (i = 0; i < f->nparams; i++) {
		const struct em_pparam *pp = &q->params[i];

		if (pp->st < 0)
			continue;
		em_plan_type(p, m, pp->st);
		if (f->params[i].t.cls == EM_T_PTR_STRUCT && pp->in)
			em_plan_request(pf, fn, pp->st, EM_IN, 1);
	}
	for (i = 0; i < q->ncand; i++) {
		em_plan_type(p, m, q->cand[i]);
		em_plan_request(pf, fn, q->cand[i], EM_OUT, 0);
	}
	for (i = 0; i < f->nparams; i++)
		if (q->params[i].st >= 0 && q->params[i].out)
			em_plan_request(pf, fn, q->params[i].st, EM_OUT, 0);
}

/* The same for a handler of fn (gen_stub.c, gen_handler). */
void em_plan_handler_roots(struct em_plan *p, struct em_model *m, struct em_pfile *pf, int fn)
{
	const struct em_func *f = &m->f[fn];
	const struct em_pfunc *q = &p->fn[fn];
	int i;

	for (i = 0; i < f->nparams; i++)
		if (f->params[i].t.cls == EM_T_PTR_STRUCT && q->params[i].st >= 0 && q->params[i].in)
			em_plan_request(pf, fn, q->params[i].st, EM_IN, 0);
	if (q->ret_st >= 0)
		em_plan_type(p, m, q->ret_st);
	for (i = 0; i < q->ncand; i++) {
		em_plan_type(p, m, q->cand[i]);
		em_plan_request(pf, fn, q->cand[i], EM_OUT, 1);
	}
	for (i = 0; i < f->nparams; i++) {
		const struct em_pparam *pp = &q->params[i];

		if (pp->st < 0)
			continue;
		if (f->params[i].t.cls == EM_T_PTR_PTR)
			em_plan_type(p, m, pp->st);
		if (pp->out)
			em_plan_request(pf, fn, pp->st, EM_OUT, 1);
	}
}

/* ---- the field operations of one helper ---- */

struct walk {
	struct em_plan *p;
	struct em_model *m;
	struct em_pfile *pf;
	int fn, dir, enc;
};

static struct em_op *op_add(struct em_op **v, int *n, enum em_op_kind kind, const struct em_field *f, const char *path)
{
	struct em_op *op;

	*v = kc_xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	op = &(*v)[(*n)++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->f = f;
	op->path = kc_xstrdup(path);
	op->st = -1;
	op->w.st = -1;
	return op;
}

/* Report that field f cannot be marshaled for the crossing (unknown shapes were reported already). */
static void field_problem(struct walk *w, const struct em_field *f, const char *what)
{
	const struct em_struct *s = &w->m->s[f->st];

	if (f->shape == EM_S_UNKNOWN && !strcmp(f->kind, "pointer"))
		return; /* reported once by em_plan_shapes */
	em_finding(w->m, s->file, s->line, 1, "cannot marshal %s.%s (%s) for %s: %s", s->name, f->name, f->type,
		   w->m->f[w->fn].name, what);
}

/* A union whose members are all pointers sent as handles only (opaque, DMA, MMIO). */
static int handle_only_union(const struct em_model *m, int st)
{
	int i;

	for (i = 0; i < m->s[st].nfields; i++) {
		const struct em_field *f = &m->s[st].fields[i];

		if (strcmp(f->kind, "pointer") ||
		    (f->shape != EM_S_OPAQUE && f->shape != EM_S_DMA && f->shape != EM_S_MMIO))
			return 0;
	}
	return m->s[st].nfields > 0;
}

/* Does the pointer field f (shape array) point to elements that hold pointers: a struct or
 * union containing one (recursively through embedded structs), or a pointer itself (`char **`)? */
static int array_holds_ptr(const struct em_model *m, const struct em_field *f)
{
	const char *star = strchr(f->type, '*');

	if (f->target_st >= 0 && m->s[f->target_st].has_ptr)
		return 1;
	return star && strchr(star + 1, '*') != NULL;
}

/* Request the helper of st for this walk's crossing and direction; returns st. */
static int walk_helper(struct walk *w, int st)
{
	em_plan_request(w->pf, w->fn, st, w->dir, w->enc);
	return st;
}

static int walk_nonempty(const struct walk *w, int st)
{
	return em_plan_nonempty(w->m, w->fn, st, w->dir);
}

static void field_ops(struct walk *w, struct em_op **v, int *n, const struct em_field *f, const char *prefix);

/*
 * An embedded union with a discriminator (annotation "S.u union DISC VALUE=MEMBER ..."): the
 * sender puts the discriminator's value, then only the active member, field by field; the
 * receiver switches on the value it received, not on its own copy of DISC (which this crossing
 * may not send). A value without a case sends nothing more. nm is the C path of the union.
 */
static void union_ops(struct walk *w, struct em_op **v, int *n, const struct em_field *f, const char *nm)
{
	const char *arg = f->shape_arg, *p;
	char disc[600], val[256], mem[256], sub[600];
	size_t dl = strcspn(arg, " ");
	struct em_op *op;
	int nprefix = (int)(strlen(nm) - strlen(f->name));

	/* the discriminator lives beside the union: same prefix as the union itself */
	int at = *n;

	snprintf(disc, sizeof(disc), "%.*s%.*s", nprefix, nm, (int)dl, arg);
	op_add(v, n, EM_OP_UNION, f, nm)->arg = kc_xstrdup(disc);
	for (p = strchr(arg, ' '); p; p = strchr(p + 1, ' ')) {
		const char *eq = strchr(p + 1, '=');
		const struct em_field *mf;
		struct em_case *c;
		struct em_op *ops = NULL;
		int nops = 0;

		snprintf(val, sizeof(val), "%.*s", (int)(eq - (p + 1)), p + 1);
		snprintf(mem, sizeof(mem), "%.*s", (int)strcspn(eq + 1, " "), eq + 1);
		mf = em_field_by_name(w->m, f->target_st, mem);
		if (!mf)
			continue; /* checked when the annotation was read */
		snprintf(sub, sizeof(sub), "%s.", nm);
		field_ops(w, &ops, &nops, mf, sub);
		op = &(*v)[at];
		op->cases = kc_xrealloc(op->cases, (size_t)(op->ncases + 1) * sizeof(*op->cases));
		c = &op->cases[op->ncases++];
		c->value = kc_xstrdup(val);
		c->ops = ops;
		c->nops = nops;
	}
}

/* A pointer of field f (or an element of it, path nm) that crosses as a handle only: with device
 * access, a DMA or MMIO one as (region, offset) (plan_region.c). */
static void handle_op(const struct em_model *m, struct em_op **v, int *n, const struct em_field *f, const char *nm)
{
	if (em_region_field(m, f))
		op_add(v, n, EM_OP_REGION, f, nm)->type = em_region_field(m, f);
	else
		op_add(v, n, EM_OP_HANDLE, f, nm)->type = f->shape == EM_S_OPAQUE ? 1 : 2;
}

/* One field of a helper: append its operations to *v. */
static void field_ops(struct walk *w, struct em_op **v, int *n, const struct em_field *f, const char *prefix)
{
	struct em_model *m = w->m;
	int acc = m->f[w->fn].fset[f->gidx];
	int send = acc & w->dir;
	struct em_op *op;
	char nm[512];

	snprintf(nm, sizeof(nm), "%s%s", prefix, f->name);
	if (w->fn == w->p->sync_fn && w->p->sync_tu &&
	    ((f->list_link || f->shape == EM_S_LIST || f->shape == EM_S_UNION) ||
	     (f->target_st >= 0 && m->s[f->target_st].is_union && strcmp(f->kind, "pointer"))))
		return; /* synchronization at every crossing (plan_sync.c): lists and unions are left
			 * to the crossing calls' own marshaling */
	if (is_scalar_kind(f->kind)) {
		if (send)
			op_add(v, n, EM_OP_SCALAR, f, nm);
	} else if (!strcmp(f->kind, "funcptr")) {
		/* a callback the driver stores in an object (card->private_free = snd_simsnd_free):
		 * its function-pointer id, so each half holds its own function of that name */
		if (send)
			op_add(v, n, EM_OP_FNPTR, f, nm);
	} else if (!strcmp(f->kind, "array")) {
		if (!send)
			return;
		if (f->target_st >= 0 && !strchr(f->type, '*') && !is_anon(m->s[f->target_st].name) &&
		    !m->s[f->target_st].is_union) {
			/* array of structs: element by element, each with the struct's own fields */
			if (walk_nonempty(w, f->target_st))
				op_add(v, n, EM_OP_STRUCTS, f, nm)->st = walk_helper(w, f->target_st);
			return;
		}
		if (em_handle_array(f)) {
			/* pointers into DMA-coherent buffers or register windows, opaque handles
			 * (plan_shapes.c): element by element, each as such a pointer field */
			int j;

			for (j = 0; j < em_handle_array(f); j++) {
				char el[sizeof(nm) + 16];

				snprintf(el, sizeof(el), "%s[%d]", nm, j);
				handle_op(m, v, n, f, el);
			}
			return;
		}
		if (strchr(f->type, '*') || (f->target_st >= 0 && m->s[f->target_st].has_ptr)) {
			field_problem(w, f, strchr(f->type, '*') ?
						    "an array of pointers crosses only when each element is a handle: "
						    "inferred when every store into it points into one DMA-coherent buffer "
						    "or register window, else annotate it opaque" :
						    "arrays holding pointers are not marshaled yet");
			return;
		}
		if (strstr(f->type, "[]")) {
			/* flexible array member: its length is not in the type */
			fprintf(m->diag, "%s:%d:1: warning: %s.%s (%s) is a flexible array member: not marshaled\n",
				m->s[f->st].file ? m->s[f->st].file : "?", m->s[f->st].line, m->s[f->st].name, f->name,
				f->type);
			return;
		}
		op_add(v, n, EM_OP_BYTES, f, nm);
	} else if (!strcmp(f->kind, "struct") && (f->list_link || (f->shape == EM_S_LIST && f->list_st >= 0))) {
		/* a kernel list (list TYPE.MEMBER) or an element's linkage, rebuilt by the list */
		if (f->shape == EM_S_LIST && acc && (send || walk_nonempty(w, f->list_st))) {
			int h = walk_nonempty(w, f->list_st) ? walk_helper(w, f->list_st) : -1;

			op = op_add(v, n, EM_OP_KLIST, f, nm);
			op->st = h;
			op->w.st = f->list_st;
			op->w.sized = 1;
			if (w->enc)
				op->type = em_plan_type(w->p, m, f->list_st);
		}
	} else if ((!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) && em_kernel_owned(f->type)) {
		/* a timer, work item, lock ... embedded in a driver object: the kernel's copy is the
		 * only real one (the user half passes its address down, never its contents) */
		return;
	} else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) {
		const struct em_struct *t = f->target_st >= 0 ? &m->s[f->target_st] : NULL;

		if (!t) {
			/* a type the database has no fields for: its bytes are the value */
			if (send)
				op_add(v, n, EM_OP_BLOB, f, nm);
			return;
		}
		/* field by field: sending the whole embedded struct would overwrite fields the other
		 * side owns (statistics counted by the interrupt handler ...) */
		if (!walk_nonempty(w, f->target_st))
			return;
		if (t->is_union && f->shape == EM_S_UNION && f->shape_arg) {
			union_ops(w, v, n, f, nm);
			return;
		}
		if (t->is_union && (handle_only_union(m, f->target_st) || f->shape == EM_S_OPAQUE)) {
			/* every member is a pointer sent as a handle: the members alias one pointer,
			 * send it once through the first member */
			int j, any = 0;

			for (j = 0; j < t->nfields; j++)
				any |= m->f[w->fn].fset[t->fields[j].gidx] & w->dir;
			if (any)
				op_add(v, n, EM_OP_HANDLES, f, nm)->arg = kc_xstrdup(t->fields[0].name);
			return;
		}
		if (em_union_needs_disc(m, f) && em_touches_ptr(m, m->f[w->fn].fset, f->target_st, 0)) {
			field_problem(w, f, "a union holding pointers needs a discriminator");
			return;
		}
		if (is_anon(t->name)) {
			/* an anonymous struct has no name to declare a helper with: inline it; an
			 * unnamed member ('<anon N>': `union { u64 a; atomic64_t b; };`) adds nothing
			 * to the path: its members are the outer struct's */
			char sub[sizeof(nm) + 2];
			int j;

			if (f->name[0] == '<')
				snprintf(sub, sizeof(sub), "%s", prefix);
			else
				snprintf(sub, sizeof(sub), "%s.", nm);
			for (j = 0; j < t->nfields; j++)
				field_ops(w, v, n, &t->fields[j], sub);
			return;
		}
		if (f->name[0] == '<') {
			field_problem(w, f, "an unnamed member of a named type has no C path");
			return;
		}
		op_add(v, n, EM_OP_EMBED, f, nm)->st = walk_helper(w, f->target_st);
	} else if (!strcmp(f->kind, "pointer")) {
		if (f->list_link)
			return; /* rebuilt by the list's receiver */
		switch (f->shape) {
		case EM_S_STRUCT: {
			int follow;

			if (is_anon(m->s[f->target_st].name)) {
				if (acc)
					field_problem(w, f, "pointers to anonymous structs are not marshaled yet");
				break;
			}
			/* (a deallocator's read bits were dropped with its out-set: what the freed
			 * object points to still gets the user half's updates, snd_card_free(card)
			 * runs card->private_free on the chip) */
			follow = (acc || (!m->f[w->fn].is_defined && em_deallocator(m->f[w->fn].name))) &&
				 walk_nonempty(w, f->target_st);
			if (w->fn == w->p->sync_fn && w->p->sync_tu)
				follow = 0; /* a changed object is synchronized on its own (plan_sync.c) */
			if (!send && !follow)
				break;
			op = op_add(v, n, EM_OP_PTR, f, nm);
			op->send = send != 0;
			op->follow = follow;
			op->w.st = f->target_st;
			op->w.sized = 1;
			if (send && w->enc)
				op->type = em_plan_type(w->p, m, f->target_st);
			if (follow)
				op->st = walk_helper(w, f->target_st);
			break;
		}
		case EM_S_STRING:
			/* by value (or, from the user half, as a pointer into an object both halves
			 * have); the receiver keeps an equal string it already points to */
			if (send)
				op_add(v, n, EM_OP_STRING, f, nm);
			break;
		case EM_S_ARRAY:
			if (!send)
				break;
			if (array_holds_ptr(m, f)) {
				/* copied as bytes, the elements' pointers would cross as raw addresses:
				 * only handles may cross (reported once, by the encoder) */
				if (w->enc)
					field_problem(w, f,
						      "an array whose elements hold pointers would cross as raw "
						      "bytes (addresses, not handles); not marshaled: keep its "
						      "users in one half or make the field opaque");
				break;
			}
			op = op_add(v, n, EM_OP_ARRAY, f, nm);
			op->w.flags = EM_WP_INTERIOR; /* a declared pointer into an array */
			if (w->enc) {
				struct kc_sb len = { 0 };

				op->type = type_blob(w->p, m, f);
				if (f->shape_arg)
					kc_sb_addf(&len, "(size_t)p->%s", f->shape_arg);
				else
					kc_sb_addf(&len, "(size_t)%ld", f->len_const);
				op->arg = kc_sb_steal(&len);
			}
			break;
		case EM_S_OPAQUE:
		case EM_S_DMA:
		case EM_S_MMIO:
			if (send)
				handle_op(m, v, n, f, nm);
			break;
		case EM_S_LIST:
			if (acc && (send || walk_nonempty(w, f->target_st))) {
				int h = walk_nonempty(w, f->target_st) ? walk_helper(w, f->target_st) : -1;

				op = op_add(v, n, EM_OP_LIST, f, nm);
				op->st = h;
				op->w.st = f->target_st;
				op->w.sized = 1;
				if (w->enc)
					op->type = em_plan_type(w->p, m, f->target_st);
			}
			break;
		case EM_S_UNION:
			if (acc)
				field_problem(w, f, "a union shape on a pointer field is not generated (only embedded unions)");
			break;
		case EM_S_FNPTR:
		case EM_S_PRIV:
		case EM_S_UNKNOWN:
			break;
		}
	}
}

/* Compute the operations of every helper of pf not built yet, in list order (the helpers they
 * request are appended and built in turn). */
void em_plan_helpers(struct em_plan *p, struct em_model *m, struct em_pfile *pf)
{
	int i, j;

	for (i = 0; i < pf->nhelp; i++) {
		struct walk w = { p, m, pf, pf->help[i].fn, pf->help[i].dir, pf->help[i].enc };
		const struct em_struct *s = &m->s[pf->help[i].st];
		struct em_op *ops = NULL;
		int nops = 0, st = pf->help[i].st;

		if (pf->help[i].built)
			continue;
		pf->help[i].built = 1;
		for (j = 0; j < s->nfields; j++)
			field_ops(&w, &ops, &nops, &s->fields[j], "");
		if (st == m->priv_owner_st && m->priv_st >= 0 && m->priv_st != st && walk_nonempty(&w, m->priv_st))
			/* the driver's private area behind the net_device (netdev_priv()) */
			op_add(&ops, &nops, EM_OP_PRIV, NULL, "")->st = walk_helper(&w, m->priv_st);
		pf->help[i].ops = ops; /* pf->help may have moved */
		pf->help[i].nops = nops;
	}
}

/* ---- what interface.txt lists: the fields a crossing actually marshals ---- */

static void mark_sent(const struct em_model *m, int fn, int st, int dir, uint8_t *mark, uint8_t *visiting)
{
	const uint8_t *fs = m->f[fn].fset;
	const struct em_struct *s = &m->s[st];
	int i;

	if (visiting[st])
		return;
	visiting[st] = 1;
	for (i = 0; i < s->nfields; i++) {
		const struct em_field *f = &s->fields[i];

		if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union") ||
		    (!strcmp(f->kind, "array") && f->target_st >= 0 && !strchr(f->type, '*'))) {
			if (f->target_st >= 0)
				mark_sent(m, fn, f->target_st, dir, mark, visiting);
			else if (fs[f->gidx] & dir)
				mark[f->gidx] |= (uint8_t)dir;
		} else if (!strcmp(f->kind, "pointer")) {
			if ((fs[f->gidx] & dir) && f->shape != EM_S_FNPTR && f->shape != EM_S_UNKNOWN)
				mark[f->gidx] |= (uint8_t)dir;
			if (fs[f->gidx] && f->shape == EM_S_STRUCT)
				mark_sent(m, fn, f->target_st, dir, mark, visiting);
		} else if (fs[f->gidx] & dir) {
			mark[f->gidx] |= (uint8_t)dir; /* scalars, arrays, callbacks (as ids) */
		}
	}
	visiting[st] = 0;
}

/* p->fn[].sent of every crossing function: the fields its arguments, results and returned
 * objects carry. */
void em_plan_sent(struct em_plan *p, const struct em_model *m)
{
	uint8_t *visiting = kc_xcalloc((size_t)m->ns + 1, 1);
	int i, j, st;

	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		uint8_t *one;

		if (!f->up && !f->down)
			continue;
		one = p->fn[i].sent = kc_xcalloc((size_t)m->ngf + 1, 1);
		for (j = 0; j < f->nparams; j++)
			if (f->params[j].t.cls == EM_T_PTR_STRUCT && (st = em_struct_by_name(m, f->params[j].t.sname)) >= 0) {
				mark_sent(m, i, st, EM_IN, one, visiting);
				mark_sent(m, i, st, EM_OUT, one, visiting);
			} else if (f->params[j].t.cls == EM_T_PTR_PTR && f->params[j].t.sname &&
				   (st = em_struct_by_name(m, f->params[j].t.sname)) >= 0) {
				mark_sent(m, i, st, EM_OUT, one, visiting); /* the object it returns */
			}
		/* the object a pointer result points to */
		for (j = 0; j < p->fn[i].ncand; j++)
			mark_sent(m, i, p->fn[i].cand[j], EM_OUT, one, visiting);
	}
	free(visiting);
}

/* ---- the wire checks' `at` places ---- */

static void wat_add_n(struct em_wire *w, int st, char *off, int top, char *count, char *stride)
{
	int i;

	for (i = 0; i < w->nat; i++)
		if (w->at[i].st == st && !strcmp(w->at[i].off, off)) {
			free(off);
			free(count);
			free(stride);
			return;
		}
	w->at = kc_xrealloc(w->at, (size_t)(w->nat + 1) * sizeof(*w->at));
	w->at[w->nat].st = st;
	w->at[w->nat].top = top;
	w->at[w->nat].count = count;
	w->at[w->nat].stride = stride;
	w->at[w->nat++].off = off;
}

static void wat_add(struct em_wire *w, int st, char *off, int top)
{
	wat_add_n(w, st, off, top, NULL, NULL);
}

/* Is embedded field f the object w expects (struct w->st, or the kernel struct w->kname)? */
static int embeds(const struct em_field *f, const struct em_wire *w)
{
	if (w->st >= 0)
		return f->target_st == w->st;
	return (w->kname && f->target && !strcmp(f->target, w->kname)) || (w->ktype && !strcmp(f->type, w->ktype));
}

/* Where w's object sits embedded in struct cur (through embedded named structs, at most 4 deep),
 * cur being top itself or embedded in it at C path prefix: each place added to w as (owner,
 * base + the offset of the path in top). */
static void embed_places(const struct em_model *m, int top, int cur, const char *prefix, int depth, int owner,
			 const char *base, struct em_wire *w)
{
	const struct em_struct *s = &m->s[cur];
	int i;

	for (i = 0; i < s->nfields && depth < 4; i++) {
		const struct em_field *f = &s->fields[i];
		char path[512];

		if (!strcmp(f->kind, "array") && f->name[0] != '<' && f->target_st >= 0 && !strchr(f->type, '*') &&
		    f->array_count > 0 && embeds(f, w)) {
			/* an array of the expected structs (pci_dev.resource[]): every element's start */
			struct kc_sb sb = { 0 }, cnt = { 0 }, str = { 0 };

			kc_sb_addf(&sb, "%s__builtin_offsetof(struct %s, %s%s)", base, m->s[top].name, prefix, f->name);
			kc_sb_addf(&str, "sizeof(((struct %s *)0)->%s%s[0])", m->s[top].name, prefix, f->name);
			kc_sb_addf(&cnt, "sizeof(((struct %s *)0)->%s%s) / %s", m->s[top].name, prefix, f->name, str.s);
			wat_add_n(w, owner, kc_sb_steal(&sb), top, kc_sb_steal(&cnt), kc_sb_steal(&str));
			continue;
		}
		if (strcmp(f->kind, "struct"))
			continue;
		if (f->name[0] == '<')
			snprintf(path, sizeof(path), "%s", prefix); /* unnamed member: its fields are cur's */
		else
			snprintf(path, sizeof(path), "%s%s", prefix, f->name);
		if (f->name[0] != '<' && embeds(f, w)) {
			struct kc_sb sb = { 0 };

			kc_sb_addf(&sb, "%s__builtin_offsetof(struct %s, %s)", base, m->s[top].name, path);
			wat_add(w, owner, kc_sb_steal(&sb), top);
		} else if (f->target_st >= 0 && !em_kernel_owned(m->s[f->target_st].name) &&
			   !m->s[f->target_st].is_union) {
			char sub[520];

			snprintf(sub, sizeof(sub), "%s%s", path, f->name[0] != '<' ? "." : "");
			embed_places(m, top, f->target_st, sub, depth + 1, owner, base, w);
		}
	}
}

/* Is struct st complete in file `file` (a driver function there accesses one of its fields)? */
static int complete_in_file(const struct em_model *m, const char *file, int st)
{
	int i;

	for (i = 0; file && i < m->na; i++)
		if (m->gf[m->a[i].gfield]->st == st && m->f[m->a[i].func].file &&
		    !strcmp(m->f[m->a[i].func].file, file))
			return 1;
	return 0;
}

/* The places of an object the receiver expects where a driver embeds it (&pci->dev for a
 * struct device *, a lock in the driver's struct): every tracked struct (complete in `file`,
 * unless NULL) that embeds it, and the private area behind a net_device. */
static void wire_places(const struct em_model *m, const char *file, struct em_wire *w)
{
	int u;

	if (w->st < 0 && !w->kname && !w->ktype)
		return;
	if (w->st >= 0 && w->st == m->priv_st && m->priv_owner_st >= 0 && m->s[m->priv_owner_st].type_id &&
	    (!file || complete_in_file(m, file, m->priv_owner_st)))
		/* netdev_priv(): the private area itself, behind its net_device */
		wat_add(w, m->priv_owner_st, kc_xstrdup("ALIGN(sizeof(struct net_device), NETDEV_ALIGN)"),
			m->priv_owner_st);
	for (u = 0; u < m->ns; u++) {
		const struct em_struct *s = &m->s[u];

		if (!s->type_id || is_anon(s->name) || s->is_union || em_kernel_owned(s->name) || u == w->st ||
		    (file && !complete_in_file(m, file, u)))
			continue;
		embed_places(m, u, u, "", 0, u, "", w);
		if (u == m->priv_st && m->priv_owner_st >= 0 && m->s[m->priv_owner_st].type_id &&
		    (!file || complete_in_file(m, file, m->priv_owner_st)))
			/* the private area of a net_device: tracked as a part of it (alloc_etherdev) */
			embed_places(m, u, u, "", 0, m->priv_owner_st, "ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + ",
				     w);
	}
}

/* Mark the tracked structs whose size file pf can name: those its helpers dereference and those
 * its stubs and handlers take by pointer (they print sizeof of them already). */
static void mark_fn_sized(const struct em_plan *p, const struct em_model *m, int fn, uint8_t *mark)
{
	const struct em_pfunc *q = &p->fn[fn];
	int j;

	if (!q->params)
		return;
	for (j = 0; j < m->f[fn].nparams; j++)
		if (m->f[fn].params[j].t.cls == EM_T_PTR_STRUCT && q->params[j].st >= 0)
			mark[q->params[j].st] = 1;
}

static void file_sized(const struct em_plan *p, const struct em_model *m, struct em_pfile *pf)
{
	uint8_t *mark = kc_xcalloc((size_t)m->ns + 1, 1);
	const struct em_scan *sc = &m->scans[pf->tu];
	int i;

	for (i = 0; i < pf->nhelp; i++)
		mark[pf->help[i].st] = 1;
	for (i = 0; i < pf->nhandlers; i++)
		mark_fn_sized(p, m, pf->handlers[i], mark);
	for (i = 0; i < pf->nimports; i++)
		mark_fn_sized(p, m, pf->imports[i], mark);
	for (i = 0; i < pf->nitems; i++)
		if (pf->items[i].kind == EM_ITEM_STUB && sc->defs[pf->items[i].def].func >= 0)
			mark_fn_sized(p, m, sc->defs[pf->items[i].def].func, mark);
	for (i = 0; i < m->ns; i++)
		if (mark[i] && m->s[i].type_id && !is_anon(m->s[i].name)) {
			pf->sized = kc_xrealloc(pf->sized, (size_t)(pf->nsized + 1) * sizeof(*pf->sized));
			pf->sized[pf->nsized++] = i;
		}
	free(mark);
}

/* Most embedded places the wire tables register. */
#define EM_EMBED_MAX 1024

/* Register the places w's object is embedded at (tracker type tid) in p->embeds. */
static void embeds_of(struct em_plan *p, const struct em_model *m, struct em_wire *w, int tid)
{
	struct em_wire tmp = *w;
	int i;

	tmp.at = NULL;
	tmp.nat = 0;
	tmp.ktype = w->ktype;
	wire_places(m, NULL, &tmp);
	for (i = 0; i < tmp.nat && p->nembeds < EM_EMBED_MAX; i++) {
		struct em_embed *e;

		p->embeds = kc_xrealloc(p->embeds, (size_t)(p->nembeds + 1) * sizeof(*p->embeds));
		e = &p->embeds[p->nembeds++];
		e->outer = tmp.at[i].st;
		e->inner = tid;
		e->top = tmp.at[i].top;
		e->off = tmp.at[i].off;
		e->count = tmp.at[i].count;
		e->stride = tmp.at[i].stride;
		tmp.at[i].off = tmp.at[i].count = tmp.at[i].stride = NULL;
	}
	for (i = 0; i < tmp.nat; i++) {
		free(tmp.at[i].off);
		free(tmp.at[i].count);
		free(tmp.at[i].stride);
	}
	free(tmp.at);
}

void em_plan_wire(struct em_plan *p, struct em_model *m)
{
	int i, j, t;

	for (i = 0; i < p->nfiles; i++)
		file_sized(p, m, &p->files[i]);
	/* a kernel object outside the model passed by address (a mutex in the driver's struct): a
	 * tracker type of its own (KCUT_T_K_<type>), for the places the driver embeds it */
	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];

		if ((!f->up && !f->down) || !p->fn[i].params)
			continue;
		for (j = 0; j < f->nparams; j++) {
			struct em_wire *w = &p->fn[i].params[j].w;
			struct kc_sb sb = { 0 };

			if (!w->ktype)
				continue;
			kc_sb_add(&sb, "KCUT_T_K_");
			add_ident(&sb, w->kname ? w->kname : w->ktype);
			for (t = 1; t < p->ntypes && strcmp(p->types[t], sb.s); t++)
				;
			if (t == p->ntypes) {
				w->ktid = type_add(p, kc_sb_steal(&sb));
				/* its places: once, in the wire tables */
				embeds_of(p, m, w, w->ktid);
			} else {
				w->ktid = t;
				kc_sb_free(&sb);
			}
		}
	}
	/* tracked structs embedded in tracked structs: once, in the wire tables */
	for (t = 0; t < m->ns; t++) {
		struct em_wire w = { 0 };

		if (!m->s[t].type_id || is_anon(m->s[t].name) || m->s[t].is_union)
			continue;
		w.st = t;
		embeds_of(p, m, &w, m->s[t].type_id);
	}
	for (i = 0; i < p->nfiles; i++) {
		struct em_pfile *pf = &p->files[i];
		const char *file = m->tus[pf->tu].file;

		for (j = 0; j < p->nembeds; j++)
			if (complete_in_file(m, file, p->embeds[j].top) && complete_in_file(m, file, p->embeds[j].outer)) {
				pf->embeds = kc_xrealloc(pf->embeds, (size_t)(pf->nembeds + 1) * sizeof(*pf->embeds));
				pf->embeds[pf->nembeds++] = j;
			}
	}
}

void em_wire_free(struct em_wire *w)
{
	int i;

	for (i = 0; i < w->nat; i++) {
		free(w->at[i].off);
		free(w->at[i].count);
		free(w->at[i].stride);
	}
	free(w->at);
	free(w->ktype);
	w->ktype = NULL;
	w->at = NULL;
	w->nat = 0;
}
