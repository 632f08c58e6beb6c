/*
 * plan_layout.c - the layout table (issue 15 item 3). The two halves of a split driver are
 * compiled apart (on Linux the user half as a user program, with other flags), and the wire
 * writes every field it carries at that field's offset in each half's own struct. So both halves
 * carry a table of the crossing structs' sizes and the offsets of the fields the marshaling
 * helpers carry (kc_wire_tables.layout): rt/linux compares the user half's table with the
 * kernel half's when the user half connects (KCUT_LX_IOC_TYPES) and refuses a user half built
 * with another layout, naming the struct and field.
 *
 * Decided here: which entries (sorted by struct, then path; deduplicated) and which file fills
 * each one (the files of a TU where the struct is complete: its size goes to kcut_type_size
 * already, or a helper of it dereferences it). gen_layout.c prints.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define EM_LAYOUT_MAX 8192 /* entries; beyond, the table is cut (both halves alike) */

static int anon_name(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* A path offsetof can name: identifiers, dots, constant subscripts. */
static int plain_path(const char *s)
{
	const char *c;

	if (!s || !*s || *s == '.' || *s == '[')
		return 0;
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '.' || *c == '[' || *c == ']'))
			return 0;
	return 1;
}

struct lay_list {
	struct em_layout *v;
	int n;
};

static void add(struct lay_list *l, int st, const char *path)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].st == st && ((!path && !l->v[i].path) || (path && l->v[i].path && !strcmp(path, l->v[i].path))))
			return;
	if (l->n >= EM_LAYOUT_MAX)
		return;
	l->v = kc_xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n].st = st;
	l->v[l->n].path = path ? kc_xstrdup(path) : NULL;
	l->n++;
}

static void add_ops(struct lay_list *l, int st, const struct em_op *ops, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const struct em_op *op = &ops[i];

		/* bit-fields have no offset; the private area behind an object is not a field */
		if (op->kind == EM_OP_PRIV || (op->f && op->f->kind && !strcmp(op->f->kind, "bitfield")))
			continue;
		if (plain_path(op->path))
			add(l, st, op->path);
		for (j = 0; j < op->ncases; j++)
			add_ops(l, st, op->cases[j].ops, op->cases[j].nops);
	}
}

static int by_struct_path(const void *a, const void *b)
{
	const struct em_layout *x = a, *y = b;

	if (x->st != y->st)
		return x->st < y->st ? -1 : 1;
	if (!x->path || !y->path)
		return !y->path - !x->path; /* the size first */
	return strcmp(x->path, y->path);
}

/* Can file pf name struct st completely (its size is printed there, or a helper of it reads it)? */
static int complete_in(const struct em_pfile *pf, int st)
{
	int i;

	for (i = 0; i < pf->nsized; i++)
		if (pf->sized[i] == st)
			return 1;
	for (i = 0; i < pf->nhelp; i++)
		if (pf->help[i].st == st)
			return 1;
	return 0;
}

void em_plan_layout(struct em_plan *p, const struct em_model *m)
{
	struct lay_list l = { NULL, 0 };
	uint8_t *named = kc_xcalloc((size_t)m->ns + 1, 1);
	int i, j, k;

	/* the structs some file can name: sized ones (tracked), and those helpers read */
	for (i = 0; i < p->nfiles; i++) {
		const struct em_pfile *pf = &p->files[i];

		for (j = 0; j < pf->nsized; j++)
			named[pf->sized[j]] = 1;
		for (j = 0; j < pf->nhelp; j++)
			named[pf->help[j].st] = 1;
	}
	for (i = 0; i < m->ns; i++)
		if (named[i] && !anon_name(m->s[i].name))
			add(&l, i, NULL);
	for (i = 0; i < p->nfiles; i++) {
		const struct em_pfile *pf = &p->files[i];

		for (j = 0; j < pf->nhelp; j++)
			if (!anon_name(m->s[pf->help[j].st].name))
				add_ops(&l, pf->help[j].st, pf->help[j].ops, pf->help[j].nops);
	}
	if (l.n > 1)
		qsort(l.v, (size_t)l.n, sizeof(*l.v), by_struct_path);
	p->layout = l.v;
	p->nlayout = l.n;
	/* who fills which entry: both halves' files of every TU where the struct is complete (the
	 * two halves of a TU include the same headers; each half must fill every entry, else a 0
	 * in one of them would look like a layout difference) */
	for (i = 0; i < p->nfiles; i++) {
		struct em_pfile *pf = &p->files[i];
		const struct em_pfile *twin = &p->files[i ^ 1];

		for (k = 0; k < p->nlayout; k++)
			if (complete_in(pf, p->layout[k].st) || complete_in(twin, p->layout[k].st)) {
				pf->lay = kc_xrealloc(pf->lay, (size_t)(pf->nlay + 1) * sizeof(*pf->lay));
				pf->lay[pf->nlay++] = k;
			}
	}
	free(named);
}
