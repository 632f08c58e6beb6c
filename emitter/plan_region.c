/*
 * plan_region.c - device access (issue 13; docs/emitter.md, "Device access"): whether the user
 * half may reach the device through rt's device regions, and what that means for the split:
 *
 *   - the mode: the partition's "device_access" parameter (kcut partition --device-access
 *     none|forward|mapped); a partition without it (made before the parameter existed, or by
 *     `kcut partition --no-kernel-rules`) gets forward when user-half code calls a register
 *     accessor or (plan_check.c) uses DMA-coherent memory or a register window, else none, so a
 *     split that never needed the device is emitted as before;
 *   - register accessors called by user-half code (readl, writeb, ioread32, inb, memcpy_toio
 *     ...) are not downcalls: the user half calls rt's kc_io_* (forwarded and posted, or plain
 *     accesses to a mapping), and write barriers flush the posted writes (pf->regio);
 *   - pointers into regions cross as (region, offset): fields whose value comes from
 *     dma_alloc_coherent or ioremap & co. (EM_OP_REGION, em_region_field), and the results and
 *     parameters of the kernel functions that hand such pointers out or take them back
 *     (dma_alloc_coherent, pci_ioremap_bar, iounmap, dma_free_coherent: em_pparam.region,
 *     em_pfunc.ret_region);
 *   - interface.txt lists all of it (p->regions).
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const char *mode_name(int mode)
{
	return mode == EM_DA_MAPPED ? "mapped" : mode == EM_DA_FORWARD ? "forward" : "none";
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

int em_plan_device_access(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	char *val = NULL;
	int rc, i;

	free(m->devacc_why);
	m->devacc_why = NULL;
	m->devacc = EM_DA_NONE;
	m->devacc_auto = 0;
	if (sqlite3_prepare_v2(db, "SELECT CASE WHEN json_valid(params) THEN json_extract(params, '$.device_access') END "
				   "FROM partition WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading the partition's parameters: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, m->part_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		val = kc_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading the partition's parameters: %s", sqlite3_errmsg(db));
	if (val) {
		struct kc_sb why = { 0 };

		if (!strcmp(val, "none"))
			m->devacc = EM_DA_NONE;
		else if (!strcmp(val, "forward"))
			m->devacc = EM_DA_FORWARD;
		else if (!strcmp(val, "mapped"))
			m->devacc = EM_DA_MAPPED;
		else {
			rc = kc_err_set(err, KC_EINVAL,
					"partition %s: device_access is '%s'; expected none, forward or mapped", m->part_name,
					val);
			free(val);
			return rc;
		}
		kc_sb_addf(&why, "partition parameter device_access=%s", val);
		m->devacc_why = kc_sb_steal(&why);
		free(val);
		return 0;
	}
	/* No parameter: forward when user-half code calls a register accessor (the first such call
	 * names the reason; the DMA rule may decide it later, plan_check.c). */
	m->devacc_auto = 1;
	for (i = 0; i < m->nc; i++) {
		const struct em_call *c = &m->c[i];
		struct kc_sb why = { 0 };

		if (m->f[c->caller].side != EM_USER || !em_regio(m->f[c->callee].name))
			continue;
		kc_sb_addf(&why, "no device_access parameter; user-half %s calls %s (%s:%d)", m->f[c->caller].name,
			   m->f[c->callee].name, base_name(c->file), c->line);
		m->devacc = EM_DA_FORWARD;
		m->devacc_why = kc_sb_steal(&why);
		break;
	}
	return 0;
}

int em_region_field(const struct em_model *m, const struct em_field *f)
{
	if (m->devacc == EM_DA_NONE || (strcmp(f->kind, "pointer") && !em_handle_array(f)))
		return 0;
	if (f->shape == EM_S_DMA)
		return EM_R_DMA;
	if (f->shape == EM_S_MMIO)
		return EM_R_MMIO;
	return 0;
}

static const char *kind_name(int kind)
{
	return kind == EM_R_DMA ? "DMA" : kind == EM_R_PIO ? "PIO" : "MMIO";
}

static void add_line(struct em_plan *p, struct kc_sb *sb)
{
	p->regions = kc_xrealloc(p->regions, (size_t)(p->nregions + 1) * sizeof(*p->regions));
	p->regions[p->nregions++] = kc_sb_steal(sb);
}

/* Is a pointer of class cls something a region pointer can be? */
static int pointer_class(enum em_tclass cls)
{
	return cls == EM_T_VOIDPTR || cls == EM_T_PTR_SCALAR || cls == EM_T_PTR_STRUCT;
}

void em_plan_region_funcs(struct em_plan *p, struct em_model *m)
{
	int i;

	if (m->devacc == EM_DA_NONE)
		return;
	/* kernel functions called from the user half that hand out or take back region pointers */
	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		struct em_pfunc *q = &p->fn[i];
		int ret, param, pkind;

		if (!f->down || f->is_defined || !q->params || !em_region_api(f->name, &ret, &param, &pkind))
			continue;
		if (ret && pointer_class(f->ret.cls)) {
			/* a region, not an object: no fields come back with it */
			q->ret_region = ret;
			q->ret_st = -1;
			q->ncand = 0;
		}
		if (param >= 0 && param < f->nparams && f->params[param].t.cls == EM_T_VOIDPTR)
			q->params[param].region = pkind;
	}
}

void em_plan_regions(struct em_plan *p, struct em_model *m)
{
	struct kc_sb sb = { 0 };
	uint8_t *sent;
	int i, j, k;

	if (m->devacc == EM_DA_NONE)
		return;
	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		const struct em_pfunc *q = &p->fn[i];

		if (!f->down || f->is_defined || !q->params)
			continue;
		if (q->ret_region) {
			kc_sb_addf(&sb, "%-5s result of %s()", kind_name(q->ret_region), f->name);
			add_line(p, &sb);
		}
		for (j = 0; j < f->nparams; j++)
			if (q->params[j].region) {
				kc_sb_addf(&sb, "%-5s argument %s of %s()", kind_name(q->params[j].region),
					   f->params[j].name && *f->params[j].name ? f->params[j].name : "?", f->name);
				add_line(p, &sb);
			}
	}
	/* fields that cross as region pointers */
	sent = kc_xcalloc((size_t)m->ngf + 1, 1);
	for (i = 0; i < m->nf; i++)
		for (j = 0; p->fn[i].sent && j < m->ngf; j++)
			sent[j] |= p->fn[i].sent[j];
	for (j = 0; j < m->ngf; j++) {
		const struct em_field *f = m->gf[j];
		int kind = em_region_field(m, f);
		const char *src = f->shape_src ? f->shape_src : "";
		const char *at = strstr(src, " at ");

		if (!kind || !sent[j])
			continue;
		/* "dma_alloc_coherent at /path/file.c:785" -> "dma_alloc_coherent at file.c:785" */
		if (at)
			kc_sb_addf(&sb, "%-5s %s.%s (%.*s at %s)", kind_name(kind), m->s[f->st].name, f->name,
				   (int)(at - src), src, base_name(at + 4));
		else
			kc_sb_addf(&sb, "%-5s %s.%s (%s)", kind_name(kind), m->s[f->st].name, f->name, src);
		add_line(p, &sb);
	}
	free(sent);
	/* register accessors user-half code calls, each with its callers */
	for (k = 0;; k++) {
		const char *io, *name = em_regio_nth((size_t)k, &io);
		int n = 0;

		if (!name)
			break;
		for (i = 0; i < m->nf; i++) {
			int c;

			if (m->f[i].side != EM_USER && !m->f[i].replica)
				continue;
			for (c = 0; c < m->nc; c++)
				if (m->c[c].caller == i && !strcmp(m->f[m->c[c].callee].name, name))
					break;
			if (c == m->nc)
				continue;
			if (!n++)
				kc_sb_addf(&sb, "%-5s %s -> %s:", "regs", name, io);
			kc_sb_addf(&sb, " %s", m->f[i].name);
		}
		if (n)
			add_line(p, &sb);
	}
	kc_sb_free(&sb);
}

/*
 * Register offsets (issue 14): a downcall the kernel half serves with a driver function that adds
 * an integer parameter to a register window (simsnd_read(chip, reg): readl(chip->regs + reg);
 * e1000_rar_set(hw, addr, index): writel(v, hw->hw_addr + E1000_RA + ((index << 1) << 2)))
 * would let the user half touch anything past the window. regscan.c found the affine form of
 * each register address in the parameter (scale, constant range, term; struct em_regarg); a base
 * member whose shape is MMIO (an ioremap/pci_iomap result) makes the parameter a register offset,
 * also through driver functions it is passed on to with the member's object (F(chip, reg) calling
 * simsnd_read(chip, reg)). The handler checks each access with rt's kc_rt_region_check (`regs +
 * reg`) or kc_rt_region_check_lin (the others) before the call (gen_region.c): inside the window
 * the member points into. What is not affine (a division, a call, a parameter the body assigns)
 * and port I/O (no port range is checked yet) are not bounded: interface.txt says so and why.
 */
struct roff {
	int param, base;
	const char *path;
	int width;
	int exact, pio;
	long long scale, cmin, cmax, tmin, tmax;
	const struct em_regarg *src; /* the fact it comes from */
};

struct roffs {
	struct roff *r;
	int n;
};

static int same_roff(const struct roff *a, const struct roff *b)
{
	return a->param == b->param && a->base == b->base && a->exact == b->exact && a->pio == b->pio &&
	       a->width == b->width && a->scale == b->scale && a->cmin == b->cmin && a->cmax == b->cmax &&
	       a->tmin == b->tmin && a->tmax == b->tmax && !strcmp(a->path ? a->path : "", b->path ? b->path : "") &&
	       (a->exact || !strcmp(a->src->why ? a->src->why : "", b->src->why ? b->src->why : ""));
}

static int roff_add(struct roffs *l, const struct roff *r)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (same_roff(&l->r[i], r))
			return 0;
	l->r = kc_xrealloc(l->r, (size_t)(l->n + 1) * sizeof(*l->r));
	l->r[l->n++] = *r;
	return 1;
}

/* Is the member a fact names a register window? */
static int window(const struct em_model *m, const struct em_regarg *a)
{
	const struct em_field *f;

	if (!a->sname || !a->fname)
		return 0;
	f = em_field_by_name(m, em_struct_by_name(m, a->sname), a->fname);
	return f && f->shape == EM_S_MMIO;
}

/* Function fi's argument position arg is its parameter j (nullscan.c's passes), -1. */
static int passed_as(const struct em_func *f, const char *callee, int arg)
{
	int i;

	for (i = 0; i < f->npass; i++)
		if (f->pass[i].arg == arg && !strcmp(f->pass[i].callee, callee))
			return f->pass[i].param;
	return -1;
}

static void add_regoff_line(struct em_plan *p, struct kc_sb *sb)
{
	p->regoffs = kc_xrealloc(p->regoffs, (size_t)(p->nregoffs + 1) * sizeof(*p->regoffs));
	p->regoffs[p->nregoffs++] = kc_sb_steal(sb);
}

/* "+ 0x40", "+ 0x40..0x5400" */
static void const_range(struct kc_sb *sb, long long lo, long long hi)
{
	if (!lo && !hi)
		return;
	kc_sb_addf(sb, " %s 0x%llx", lo < 0 ? "-" : "+", (unsigned long long)(lo < 0 ? -lo : lo));
	if (hi != lo)
		kc_sb_addf(sb, "..%s0x%llx", hi < 0 ? "-" : "", (unsigned long long)(hi < 0 ? -hi : hi));
}

void em_plan_regoffs(struct em_plan *p, struct em_model *m)
{
	struct roffs *all = kc_xcalloc((size_t)m->nf + 1, sizeof(*all));
	struct kc_sb sb = { 0 };
	int i, j, k, round, changed;

	/* the facts of each body */
	for (i = 0; i < m->nf; i++)
		for (j = 0; j < m->f[i].nregarg; j++) {
			const struct em_regarg *a = &m->f[i].regarg[j];
			struct roff r = { a->param, a->base, a->path, a->width, a->exact, a->pio,
					  a->scale, a->cmin, a->cmax, a->tmin, a->tmax, a };

			if (a->base < 0 || a->pio || window(m, a))
				roff_add(&all[i], &r);
		}
	/* through driver functions: F passes its parameters on as G's offset and base (G among
	 * the few functions with facts) */
	for (round = 0, changed = 1; changed && round < 8; round++) {
		int *with = kc_xcalloc((size_t)m->nf + 1, sizeof(*with)), nwith = 0;

		for (j = 0; j < m->nf; j++)
			if (all[j].n && m->f[j].is_driver && m->f[j].is_defined)
				with[nwith++] = j;
		changed = 0;
		for (i = 0; nwith && i < m->nf; i++) {
			const struct em_func *f = &m->f[i];

			for (k = 0; k < f->npass; k++) {
				int g = -1, a, w;

				for (w = 0; w < nwith; w++)
					if (with[w] != i && !strcmp(m->f[with[w]].name, f->pass[k].callee)) {
						g = with[w];
						break;
					}
				if (g < 0)
					continue;
				for (a = 0; a < all[g].n; a++) {
					struct roff r = all[g].r[a];
					int pb;

					if (r.param != f->pass[k].arg || r.base < 0)
						continue;
					pb = passed_as(f, m->f[g].name, r.base);
					if (pb < 0)
						continue;
					r.param = f->pass[k].param;
					r.base = pb;
					changed |= roff_add(&all[i], &r);
				}
			}
		}
		free(with);
	}
	/* the kernel half's handlers of downcalls: check the exact ones, list the others */
	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		struct em_pfunc *q = &p->fn[i];

		if (f->down && !f->is_defined && q->params)
			/* a kernel function that indexes with an integer parameter unchecked */
			for (j = 0; j < f->nparams; j++)
				if (f->params[j].t.cls == EM_T_INT &&
				    em_int_range(f->name, j, &q->params[j].rng_lo, &q->params[j].rng_hi)) {
					q->params[j].rng = 1;
					kc_sb_addf(&sb, "checked: %s() parameter %s: an index, %lld..%lld", f->name,
						   f->params[j].name && *f->params[j].name ? f->params[j].name : "?",
						   q->params[j].rng_lo, q->params[j].rng_hi);
					add_regoff_line(p, &sb);
				}
		if (!f->down || !f->is_defined || !q->params)
			continue;
		for (j = 0; j < all[i].n; j++) {
			const struct roff *r = &all[i].r[j];
			const char *pn;
			struct em_pparam *pp;
			struct em_roff *o;

			if (r->param < 0 || r->param >= f->nparams || r->base >= f->nparams)
				continue;
			pp = &q->params[r->param];
			pn = f->params[r->param].name ? f->params[r->param].name : "?";
			if (r->exact && f->params[r->param].t.cls == EM_T_INT &&
			    ((r->base >= 0 && f->params[r->base].t.cls == EM_T_PTR_STRUCT && r->path) ||
			     (r->pio && r->base < 0))) {
				if (!pp->nroffs)
					p->nroff++;
				pp->roffs = kc_xrealloc(pp->roffs, (size_t)(pp->nroffs + 1) * sizeof(*pp->roffs));
				o = &pp->roffs[pp->nroffs++];
				o->base = r->base;
				o->pio = r->pio;
				o->path = r->path && r->base >= 0 ? kc_xstrdup(r->path) : NULL;
				o->width = r->width;
				o->scale = r->scale;
				o->cmin = r->cmin;
				o->cmax = r->cmax;
				o->tmin = r->tmin;
				o->tmax = r->tmax;
				continue;
			}
			kc_sb_addf(&sb, "not bounded: %s() parameter %s: register address arithmetic at %s:%u: %s "
					"(the kernel half passes it unchecked)",
				   f->name, pn, base_name(r->src->file), r->src->line,
				   !r->exact ? r->src->why :
				   f->params[r->param].t.cls != EM_T_INT ? "the parameter is no plain integer" :
									   "the base is no member of a parameter's struct");
			add_regoff_line(p, &sb);
		}
		for (j = 0; j < f->nparams; j++) {
			const struct em_pparam *pp = &q->params[j];
			const char *pn = f->params[j].name ? f->params[j].name : "?";

			for (k = 0; k < pp->nroffs; k++) {
				const struct em_roff *o = &pp->roffs[k];
				const char *bn = o->base < 0 ? "" : f->params[o->base].name ? f->params[o->base].name : "?";

				if (o->pio) {
					kc_sb_addf(&sb, "checked: %s() parameter %s: port %s%s%s", f->name, pn,
						   o->base >= 0 ? bn : "number ", o->path ? o->path : "", o->base >= 0 ? " + " : "");
					if (o->scale != 1)
						kc_sb_addf(&sb, "%lld * ", o->scale);
					kc_sb_add(&sb, pn);
					const_range(&sb, o->cmin, o->cmax);
					kc_sb_addf(&sb, ", %d-byte accesses, inside a port range the kernel half requested",
						   o->width);
				} else if (o->scale == 1 && !o->cmin && !o->cmax && !o->tmin && !o->tmax) {
					kc_sb_addf(&sb, "checked: %s() parameter %s: offset into %s%s, %d-byte accesses",
						   f->name, pn, bn, o->path, o->width);
				} else {
					kc_sb_addf(&sb, "checked: %s() parameter %s: register address %s%s + ", f->name, pn,
						   bn, o->path);
					if (o->scale != 1)
						kc_sb_addf(&sb, "%lld * ", o->scale);
					kc_sb_add(&sb, pn);
					const_range(&sb, o->cmin, o->cmax);
					kc_sb_addf(&sb, ", %d-byte accesses", o->width);
				}
				add_regoff_line(p, &sb);
			}
		}
	}
	for (i = 0; i < m->nf; i++)
		free(all[i].r);
	free(all);
	kc_sb_free(&sb);
}

/* The mapping functions whose results a kernel half under device access none records (bit i of
 * em_pfile.recwin: em_recwin_fns[i]; gen_region.c prints the wrappers in this order). */
const char *const em_recwin_fns[] = { "pci_iomap",	     "pci_ioremap_bar",	  "ioremap",	      "pci_iounmap",
				      "iounmap",	     "pci_iomap_range",	  "pcim_iomap",	      "pcim_iomap_regions",
				      "pcim_iounmap",	     "devm_ioremap",	  "devm_ioremap_uc",  "devm_ioremap_wc",
				      "devm_iounmap",	     "ioport_map",	  "ioport_unmap",     "devm_ioremap_resource",
				      /* port ranges (16..): recorded for kc_rt_region_check_port */
				      "pci_request_regions", "pci_request_selected_regions", "pci_request_region",
				      "request_region",	     "pci_release_regions", "pci_release_selected_regions",
				      "pci_release_region",  "release_region",	  NULL };

unsigned em_recwin_mask(const struct em_plan *p, const struct em_model *m, int tu)
{
	const struct em_scan *s = &m->scans[tu];
	unsigned mask = 0;
	int d, c, k;

	if (m->devacc != EM_DA_NONE || !p->nroff)
		return 0;
	/* the windows that offsets are checked against must be known: the mapping functions the
	 * functions defined in this file call */
	for (d = 0; d < s->ndefs; d++)
		for (c = 0; s->defs[d].func >= 0 && c < m->nc; c++)
			if (m->c[c].caller == s->defs[d].func)
				for (k = 0; em_recwin_fns[k]; k++)
					if (!strcmp(m->f[m->c[c].callee].name, em_recwin_fns[k]))
						mask |= 1u << k;
	/* and the mapping functions the user half calls whose kernel-half handlers this file holds
	 * (a user-half probe: simnic_probe's pci_ioremap_bar is a downcall, its handler served here) */
	for (d = 0; d < m->nf; d++)
		if (m->f[d].down && !m->f[d].is_defined && m->f[d].decl_tu == tu)
			for (k = 0; em_recwin_fns[k]; k++)
				if (!strcmp(m->f[d].name, em_recwin_fns[k]))
					mask |= 1u << k;
	return mask;
}

/* The mode's name for interface.txt and the generated code's comments. */
const char *em_devacc_name(int mode)
{
	return mode_name(mode);
}
