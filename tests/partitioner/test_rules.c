/*
 * test_rules.c - the templates' 'kernel' rules (partitioner/rules.c) on a hand-made database
 * (fixtures/rules.sql): each rule kind marks exactly the functions it should, with its evidence;
 * storing or freeing a register pointer is not a use; the solver keeps marked functions in the
 * kernel half (reason pin) and refuses a user pin on one. (Malformed kernel rules: test_templates.c.)
 */
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

static const char *const rules_text =
	"family generic\n"
	"kernel calls readl,writel            MMIO register access\n"
	"kernel calls dma_alloc_coherent      DMA-coherent memory\n"
	"kernel field mmio,dma                uses register / DMA memory\n"
	"kernel struct dma                    descriptor ring\n"
	"kernel registered module_init,module_exit  module entry point\n";

static struct kc_part_graph *load(struct kc_db **db, char *dbp, size_t n, const char *text)
{
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	struct kc_part_templates *t = kc_part_templates_new();
	struct kc_part_graph *g = NULL;
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_part_templates_add_text(t, "k.tmpl", text, &err), 0);
	lo.family = "generic";
	lo.device_access = KC_PART_DEV_NONE; /* the register/DMA rules pin only under none */
	*db = fixture_db("rules.sql", dbp, n);
	if (*db && kc_part_graph_load_ex(&g, *db, t, &lo, &err) < 0)
		fprintf(stderr, "load: %s\n", err.msg);
	kc_part_templates_free(t);
	return g;
}

static const char *rule_of(const struct kc_part_graph *g, const char *fn)
{
	return kc_part_graph_kernel_rule(g, kc_part_graph_find(g, fn));
}

/* rule_of(fn) contains a (and b, when not NULL) */
static int has(const struct kc_part_graph *g, const char *fn, const char *a, const char *b)
{
	const char *r = rule_of(g, fn);

	if (!r || !strstr(r, a) || (b && !strstr(r, b))) {
		fprintf(stderr, "%s: kernel rule '%s', wanted '%s' and '%s'\n", fn, r ? r : "(none)", a, b ? b : "");
		return 0;
	}
	return 1;
}

static void test_marks(void)
{
	char dbp[512];
	struct kc_db *db = NULL;
	struct kc_part_graph *g = load(&db, dbp, sizeof(dbp), rules_text);

	KC_REQUIRE(g != NULL);
	/* calls: directly, and through a macro named in the list */
	KC_CHECK(has(g, "rn_read_reg", "calls readl at /src/rn/rn.c:12:9", "MMIO register access (generic template)"));
	KC_CHECK(rule_of(g, "rn_pio") && !strstr(rule_of(g, "rn_pio"), "ioread32")); /* not in this list ... */
	KC_CHECK(has(g, "rn_pio", "calls readl at /src/rn/rn.c:202:9", NULL)); /* ... its callee readl is */
	KC_CHECK(has(g, "rn_setup_ring", "calls dma_alloc_coherent", "DMA-coherent memory"));
	/* registered */
	KC_CHECK(has(g, "rn_init", "registered as module_init at /src/rn/rn.c:183:13", "module entry point"));
	KC_CHECK(has(g, "rn_exit", "registered as module_exit", NULL));
	/* field: a cast of ring->desc is a use; probe's store and remove's iounmap(hw->hw_addr) are not */
	KC_CHECK(has(g, "rn_tx_desc_peek", "converts to a typed pointer rn_ring.desc (dma memory from dma_alloc_coherent)",
		     "/src/rn/rn.c:192:30"));
	KC_CHECK(rule_of(g, "rn_probe") == NULL);
	KC_CHECK(rule_of(g, "rn_remove") == NULL);
	/* struct: the ring itself, the descriptor laid over its DMA memory, the buffer_info entries
	 * allocated into it (not sk_buff: not a driver struct) */
	KC_CHECK(has(g, "rn_ring_space", "reads rn_ring.count (struct rn_ring: it holds dma memory", "descriptor ring"));
	KC_CHECK(has(g, "rn_fill_desc", "writes rn_desc.addr (struct rn_desc: it is laid over rn_ring.desc", NULL));
	KC_CHECK(has(g, "rn_unmap_buf", "reads rn_buffer.dma (struct rn_buffer: allocated into rn_ring.buffer_info",
		     NULL));
	KC_CHECK(rule_of(g, "rn_get_drvinfo") == NULL);
	KC_CHECK(rule_of(g, "rn_skb_len") == NULL);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* A call made through a macro matches the macro's name (ioread32 expanding to readl). */
static void test_macro(void)
{
	char dbp[512];
	struct kc_db *db = NULL;
	struct kc_part_graph *g = load(&db, dbp, sizeof(dbp), "family generic\nkernel calls ioread32 io accessor\n");

	KC_REQUIRE(g != NULL);
	KC_CHECK(has(g, "rn_pio", "calls ioread32 at /src/rn/rn.c:202:9: io accessor", NULL));
	KC_CHECK(rule_of(g, "rn_read_reg") == NULL); /* calls readl itself, not the macro */
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* Without the rules nothing is marked (the marks come from the rules, not the fixture). */
static void test_no_rules(void)
{
	char dbp[512];
	struct kc_db *db = NULL;
	struct kc_part_graph *g = load(&db, dbp, sizeof(dbp), "family generic\n");
	size_t i;

	KC_REQUIRE(g != NULL);
	for (i = 0; i < kc_part_graph_nfuncs(g); i++)
		KC_CHECK(kc_part_graph_kernel_rule(g, (int)i) == NULL);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* The solver: marked functions are kernel with reason pin (even when the cut would rather move
 * them), their detail names the rule; a user pin on one is a conflict naming the rule. */
static void test_solve(void)
{
	char dbp[512];
	struct kc_db *db = NULL;
	struct kc_part_graph *g = load(&db, dbp, sizeof(dbp), rules_text);
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_part_pin pin = { "rn_ring_space", KC_PART_USER };
	struct kc_err err = { 0 };
	int v;

	KC_REQUIRE(g != NULL);
	o.alpha = 1000; /* every LOC very expensive: only hard constraints keep a function in the kernel */
	KC_CHECK_EQ_INT(kc_part_solve(&r, g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	v = kc_part_graph_find(g, "rn_ring_space");
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(kc_part_result_reason(r, v), KC_PART_R_PIN);
	KC_CHECK(strstr(kc_part_result_detail(r, v), "kernel rule: reads rn_ring.count") != NULL);
	v = kc_part_graph_find(g, "rn_get_drvinfo");
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_USER);
	v = kc_part_graph_find(g, "rn_probe");
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_USER);
	kc_part_result_free(r);
	r = NULL;
	o.pins = &pin;
	o.n_pins = 1;
	KC_CHECK_EQ_INT(kc_part_solve(&r, g, &o, &err), KC_ECONFLICT);
	KC_CHECK(strstr(err.msg, "pin rn_ring_space=user contradicts a kernel rule: reads rn_ring.count") != NULL);
	KC_CHECK(r == NULL);
	/* propagation: a kernel rule seeds it like a kernel pin (rn_get_drvinfo -> rn_ring_space is
	 * upward, so drvinfo stays user; rn_probe -> rn_read_reg likewise) */
	o.pins = NULL;
	o.n_pins = 0;
	o.mode = KC_PART_PROPAGATE;
	o.alpha = 1;
	KC_CHECK_EQ_INT(kc_part_solve(&r, g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, kc_part_graph_find(g, "rn_get_drvinfo")), KC_PART_USER);
	KC_CHECK_EQ_INT(kc_part_result_reason(r, kc_part_graph_find(g, "rn_init")), KC_PART_R_PIN);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* The built-in generic template carries the kernel rules (they apply to every family). */
static void test_builtin(void)
{
	char dbp[512];
	struct kc_part_templates *t = builtin_templates();
	struct kc_part_graph *g = NULL;
	struct kc_db *db = fixture_db("rules.sql", dbp, sizeof(dbp));
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	struct kc_err err = { 0 };

	lo.device_access = KC_PART_DEV_NONE; /* the register/DMA rules pin only under none */
	KC_REQUIRE(t != NULL && db != NULL);
	KC_CHECK_EQ_INT(kc_part_graph_load_ex(&g, db, t, &lo, &err), 0);
	KC_REQUIRE(g != NULL);
	KC_CHECK(has(g, "rn_pio", "MMIO register read", "(generic template)"));
	KC_CHECK(has(g, "rn_init", "registered as module_init", NULL));
	KC_CHECK(has(g, "rn_unmap_buf", "rn_buffer.dma", NULL));
	KC_CHECK(rule_of(g, "rn_remove") == NULL);
	kc_part_graph_free(g);
	kc_part_templates_free(t);
	kc_db_close(db);
	unlink(dbp);
}

/* Memory only the kernel can use: what the driver maps for streaming DMA ('kernel mapped') and
 * listed fields ('kernel opaque'). Marked: the functions that look through such memory, through the
 * field (rn_lb_fill, rn_skb_peek) or through a pointer parameter it is passed in (rn_lb_check);
 * not: the function that only passes it on (rn_lb_run), the mapping itself (rn_map_rx), a parameter
 * the memory is not passed in (rn_lb_other), memory that is not the kernel's (rn_lb_name). */
static void test_kernel_memory(void)
{
	char dbp[512];
	struct kc_db *db = NULL;
	struct kc_part_graph *g = load(&db, dbp, sizeof(dbp),
				       "family generic\n"
				       "kernel mapped dma_map_single,dma_map_page  streamed buffer\n"
				       "kernel opaque sk_buff.data  the kernel's packet buffer\n");
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };

	KC_REQUIRE(g != NULL);
	KC_CHECK(has(g, "rn_lb_fill",
		     "indexes rn_buffer.data (rn_map_rx maps it for streaming DMA: dma_map_single at /src/rn/rn.c:222:14; "
		     "the user half has only a handle to that memory) at /src/rn/rn.c:232:9",
		     "streamed buffer (generic template)"));
	KC_CHECK(has(g, "rn_lb_check",
		     "computes an address in its parameter 1 (data) at /src/rn/rn.c:267:8, in which rn_lb_run passes "
		     "rn_buffer.data at /src/rn/rn.c:250:10 (rn_map_rx maps it",
		     "streamed buffer (generic template)"));
	KC_CHECK(has(g, "rn_skb_peek", "indexes sk_buff.data (the kernel's packet buffer; the user half has only a handle",
		     "/src/rn/rn.c:297:9"));
	KC_CHECK(rule_of(g, "rn_lb_run") == NULL);
	KC_CHECK(rule_of(g, "rn_map_rx") == NULL);
	KC_CHECK(rule_of(g, "rn_lb_other") == NULL);
	KC_CHECK(rule_of(g, "rn_lb_name") == NULL);
	/* the solver keeps them kernel (pin), and not their callers: rn_lb_run stays user when its LOC
	 * outweighs the crossings */
	o.alpha = 1000;
	KC_CHECK_EQ_INT(kc_part_solve(&r, g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_reason(r, kc_part_graph_find(g, "rn_lb_check")), KC_PART_R_PIN);
	KC_CHECK(strstr(kc_part_result_detail(r, kc_part_graph_find(g, "rn_lb_check")),
			"kernel rule: computes an address in its parameter 1 (data)") != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, kc_part_graph_find(g, "rn_lb_run")), KC_PART_USER);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
	/* 'kernel mapped' with an API the driver does not call marks nothing */
	g = load(&db, dbp, sizeof(dbp), "family generic\nkernel mapped pci_map_single  streamed buffer\n");
	KC_REQUIRE(g != NULL);
	KC_CHECK(rule_of(g, "rn_lb_fill") == NULL);
	KC_CHECK(rule_of(g, "rn_lb_check") == NULL);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

int main(void)
{
	KC_RUN(test_marks);
	KC_RUN(test_macro);
	KC_RUN(test_no_rules);
	KC_RUN(test_solve);
	KC_RUN(test_builtin);
	KC_RUN(test_kernel_memory);
	return kc_test_done();
}
