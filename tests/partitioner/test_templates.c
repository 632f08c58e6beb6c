/*
 * test_templates.c - the template format: good rules, every kind of malformed line (reported as
 * file:line), the built-in families, and a user directory adding a family without recompiling.
 */
#include <string.h>
#include <sys/stat.h>

#include "kc_test.h"
#include "part_fixture.h"

static void test_parse_errors(void)
{
	static const struct {
		const char *text, *expect;
	} bad[] = {
		{ "root slot a.b atomic x\n", "x.tmpl:1: rule before any 'family NAME' line" },
		{ "family f\nroot slot ab atomic x\n", "x.tmpl:2: slot rule needs STRUCT.FIELD" },
		{ "family f\nroot arg api zz irq x\n", "x.tmpl:2: bad argument index 'zz'" },
		{ "family f\n\n# c\nroot returns int sometimes x\n", "x.tmpl:4: expected a context" },
		{ "family f\nroot slot a.b irq\n", "x.tmpl:2: root rule without a label" },
		{ "family f\nroot bogus a irq x\n", "x.tmpl:2: unknown root kind 'bogus'" },
		{ "family f\nwhatever\n", "x.tmpl:2: unknown keyword 'whatever'" },
		{ "family f\ndetect thing x\n", "x.tmpl:2: expected 'detect struct NAME'" },
		{ "family\n", "x.tmpl:1: 'family' takes exactly one name" },
		/* the 'kernel' rules (partitioner/rules.c, tested further in test_rules.c) */
		{ "family f\nkernel calls\n",
		  "x.tmpl:2: expected 'kernel calls|registered|field|struct|datapath-state|mapped|opaque LIST LABEL'" },
		{ "family f\nkernel opaque sk_buff x\n", "x.tmpl:2: 'kernel opaque' lists STRUCT.FIELD items; got 'sk_buff'" },
		{ "family f\nkernel opaque sk_buff.data,a.b.c x\n",
		  "x.tmpl:2: 'kernel opaque' lists STRUCT.FIELD items; got 'sk_buff.data,a.b.c'" },
		{ "family f\nkernel calls readl\n", "x.tmpl:2: kernel rule without a label" },
		{ "family f\nkernel touches readl x\n", "x.tmpl:2: unknown kernel rule kind 'touches'" },
		{ "family f\nkernel field mmio,heap x\n", "x.tmpl:2: memory kinds are mmio, dma, mem; got 'mmio,heap'" },
		{ "family f\nkernel calls readl,,writel x\n", "x.tmpl:2: empty item in the list 'readl,,writel'" },
		{ "kernel calls readl x\n", "x.tmpl:1: rule before any 'family NAME' line" },
		/* runtime-syncs= (issue 13: constraints rt/sync.c satisfies) */
		{ "family f\nkernel datapath-state module_init runtime-syncs=write,bogus x\n",
		  "x.tmpl:2: 'runtime-syncs=write,bogus': data-path constraints are write, replace, free, wait" },
		{ "family f\nkernel datapath-state module_init runtime-syncs= x\n",
		  "x.tmpl:2: 'runtime-syncs=': data-path constraints are" },
		{ "family f\nkernel calls readl runtime-syncs=write x\n",
		  "x.tmpl:2: runtime-syncs applies to 'kernel datapath-state' rules only" },
	};
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(bad); i++) {
		struct kc_part_templates *t = kc_part_templates_new();
		struct kc_err err = { 0 };

		KC_CHECK_EQ_INT(kc_part_templates_add_text(t, "x.tmpl", bad[i].text, &err), KC_EPARSE);
		if (strncmp(err.msg, bad[i].expect, strlen(bad[i].expect)))
			fprintf(stderr, "case %zu: got '%s'\n", i, err.msg);
		KC_CHECK(!strncmp(err.msg, bad[i].expect, strlen(bad[i].expect)));
		kc_part_templates_free(t);
	}
}

static void test_good_text(void)
{
	struct kc_part_templates *t = kc_part_templates_new();
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_part_templates_add_text(t, "y.tmpl",
						  "family foo   # comment\n"
						  "detect struct foo_ops\n"
						  "root slot foo_ops.go atomic \"the go slot\"\n"
						  "root arg foo_register 1 process registered foo\n"
						  "family bar\nroot macro DECLARE_BAR timer bar timer\n",
						  &err), 0);
	KC_CHECK_EQ_STR(kc_part_templates_family(t, 0), "foo");
	KC_CHECK_EQ_STR(kc_part_templates_family(t, 1), "bar");
	KC_CHECK(kc_part_templates_family(t, 2) == NULL);
	kc_part_templates_free(t);
}

static void test_builtin_families(void)
{
	static const char *const want[] = { "block", "generic", "input", "net", "scsi", "sound", "usb" };
	struct kc_part_templates *t = builtin_templates();
	size_t i, j;

	KC_REQUIRE(t != NULL);
	for (i = 0; i < KC_ARRAY_SIZE(want); i++) {
		int found = 0;

		for (j = 0; kc_part_templates_family(t, j); j++)
			found |= !strcmp(kc_part_templates_family(t, j), want[i]);
		if (!found)
			fprintf(stderr, "missing family %s\n", want[i]);
		KC_CHECK(found);
	}
	kc_part_templates_free(t);
}

/* A user family dropped into a directory ($KCUT_TEMPLATES or --templates) is picked up, detected
 * and makes roots. */
static void test_user_dir(void)
{
	char dir[256], path[512], dbp[512];
	struct kc_part_templates *t = NULL;
	struct kc_part_graph *g = NULL;
	struct kc_db *db;
	struct kc_err err = { 0 };
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/kcut-tmpl-%d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/gizmo.tmpl", dir);
	f = fopen(path, "w");
	KC_REQUIRE(f != NULL);
	fputs("family gizmo\ndetect struct snd_pcm_ops\ndetect struct gizmo_ops\ndetect api snd_card_new\n"
	      "detect api timer_setup\nroot slot snd_pcm_ops.hw_params irq gizmo hw_params\n", f);
	fclose(f);
	setenv("KCUT_TEMPLATES", dir, 1);
	KC_CHECK_EQ_INT(kc_part_templates_load(&t, NULL, &err), 0);
	unsetenv("KCUT_TEMPLATES");
	KC_REQUIRE(t != NULL);
	db = fixture_db("simsnd.sql", dbp, sizeof(dbp));
	KC_REQUIRE(db != NULL);
	/* gizmo matches 4 registrations (3 snd_pcm_ops slots + timer_setup), sound only 3 */
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, db, t, NULL, NULL, &err), 0);
	KC_REQUIRE(g != NULL);
	KC_CHECK_EQ_STR(kc_part_graph_family(g), "gizmo");
	KC_CHECK_EQ_STR(kc_part_graph_root_rule(g, kc_part_graph_find(g, "ss_hw_params"), NULL),
			"gizmo hw_params (gizmo template)");
	kc_part_graph_free(g);
	kc_part_templates_free(t);
	/* the same through the explicit directory argument; a bad file fails with its position */
	f = fopen(path, "a");
	fputs("root slot broken irq oops\n", f);
	fclose(f);
	t = NULL;
	KC_CHECK_EQ_INT(kc_part_templates_load(&t, dir, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "gizmo.tmpl:7: slot rule needs STRUCT.FIELD") != NULL);
	KC_CHECK(t == NULL);
	KC_CHECK_EQ_INT(kc_part_templates_load(&t, "/nonexistent/kcut", &err), KC_EIO);
	kc_db_close(db);
	unlink(dbp);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	KC_RUN(test_parse_errors);
	KC_RUN(test_good_text);
	KC_RUN(test_builtin_families);
	KC_RUN(test_user_dir);
	return kc_test_done();
}
