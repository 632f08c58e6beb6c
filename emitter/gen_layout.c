/*
 * gen_layout.c - prints the layout table the plan chose (plan_layout.c): the entries each TU's
 * kcut_tables_<stem>() fills with sizeof / offsetof as that half was compiled, the names of the
 * entries and the table's place in the wire tables (kcut_layout, rt/linux's connect-time check).
 */
#include "gen_int.h"

static void spell(const struct gen *g, struct kc_sb *b, int st)
{
	const struct em_struct *s = &g->m->s[st];

	kc_sb_addf(b, "%s%s", s->bare ? "" : s->is_union ? "union " : "struct ", s->name);
}

static void entry_name(const struct gen *g, struct kc_sb *b, const struct em_layout *e)
{
	kc_sb_add(b, e->path ? "offsetof(" : "sizeof(");
	spell(g, b, e->st);
	if (e->path)
		kc_sb_addf(b, ", %s", e->path);
	kc_sb_add(b, ")");
}

void gen_layout_tu(const struct gen *g, struct kc_sb *b, const struct em_pfile *pf)
{
	int i;

	for (i = 0; pf && i < pf->nlay; i++) {
		const struct em_layout *e = &g->p->layout[pf->lay[i]];

		kc_sb_addf(b, "\tkcut_layout[%d] = ", pf->lay[i]);
		if (e->path) {
			kc_sb_add(b, "__builtin_offsetof(");
			spell(g, b, e->st);
			kc_sb_addf(b, ", %s);\n", e->path);
		} else {
			kc_sb_add(b, "sizeof(");
			spell(g, b, e->st);
			kc_sb_add(b, ");\n");
		}
	}
}

void gen_layout_ids(const struct gen *g, struct kc_sb *b)
{
	kc_sb_addf(b, "/* The layout table (sizes and offsets of the crossing structs and fields, rt/linux's\n"
		      " * connect-time check): filled by kcut_tables_init. */\n"
		      "#define KCUT_NR_LAYOUT %d\n"
		      "extern uint64_t kcut_layout[];\n",
		   g->p->nlayout);
}

void gen_layout_tables(const struct gen *g, struct kc_sb *b)
{
	int i;

	kc_sb_add(b, "/* The layout table: entry i as this half was compiled (kcut_tables_init), and its name. */\n"
		     "uint64_t kcut_layout[KCUT_NR_LAYOUT + 1];\n"
		     "static const char *const kcut_layout_names[KCUT_NR_LAYOUT + 1] = {\n");
	for (i = 0; i < g->p->nlayout; i++) {
		kc_sb_add(b, "\t\"");
		entry_name(g, b, &g->p->layout[i]);
		kc_sb_add(b, "\",\n");
	}
	kc_sb_add(b, "\tNULL,\n};\n\n");
}

void gen_layout_wire(const struct gen *g, struct kc_sb *b)
{
	(void)g;
	kc_sb_add(b, "\t.layout = kcut_layout,\n\t.layout_names = kcut_layout_names,\n\t.nlayout = KCUT_NR_LAYOUT,\n");
}
