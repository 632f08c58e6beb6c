/*
 * rt_posted_test.c - posted kernel calls (rt/kcut_rt.h "Posted kernel calls"), the kernel side: a
 * register batch holding KC_REGIO_CALL operations, as a hostile user half could forge it, served
 * by rt/region.c through the endpoint's own downcall handlers. A fake "kfree" handler checks its
 * handle against the tracker as a generated handler does (kc_objt_lookup, kc_wire_fault on a bad
 * one). Checked: calls and register writes performed in the order sent; a forged handle, a stale
 * handle and a double free (two posted frees of one object in one batch) refused, the batch
 * stopped there (what came before performed, nothing after), nothing served twice; an unknown
 * function id, arguments above KC_POST_ARGS_MAX, a width or offset on a call, and a batch of more
 * than KC_REGIO_MAX_OPS operations refused before anything is performed; a batch of calls only
 * served by an endpoint without register accessors. Through the channel, with a real user half
 * (rt_posted_user): posted calls wait for the next flush (the upcall's reply, a downcall, a
 * barrier, a full queue), each served once and in order, and a double free posted by the user half
 * kills it (the protocol's rule for a stale handle) and the runtime restarts it.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "rt_internal.h"
#include "rt_posted_fns.h"
#include "rt_region_up.h"

#define T_OBJ 7u /* the tracker type of the fake objects */

static uint32_t order[64]; /* what was performed: 0x1000 | object index (free), 0x2000 | n (log),
			    * 0x3000 | register value (write) */
static uint32_t norder;
static _Atomic uint32_t nlogs; /* log calls served (all of them) */
static int freed[16];
static uint8_t objs[16][32];

static void note(uint32_t v)
{
	if (norder < 64)
		order[norder++] = v;
}

/* kfree(obj): the handle must name a live object of type T_OBJ (the generated handler's
 * kc_wire_get_ptr check); the object leaves the tracker before it is freed. */
static int k_free(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_u64(a);
	void *p = NULL;
	int rc;

	(void)r;
	if (kc_xdr_dec_done(a))
		return kc_wire_fault(rt, KC_RT_EPROTO, "k_free");
	rc = kc_objt_lookup(kc_rt_objt(rt), &p, h, T_OBJ, 0, 1);
	if (rc)
		return kc_wire_fault(rt, rc, "k_free");
	kc_objt_untrack(kc_rt_objt(rt), p);
	freed[(uint8_t(*)[32])p - objs]++;
	note(0x1000u | (uint32_t)((uint8_t(*)[32])p - objs));
	return 0;
}

/* a log line: a string; writes a result the batch must drop */
static int k_log(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	char buf[64];

	(void)rt;
	if (kc_xdr_get_string(a, buf, sizeof(buf)) || kc_xdr_dec_done(a))
		return KC_RT_EPROTO;
	note(0x2000u | (uint32_t)strlen(buf));
	atomic_fetch_add(&nlogs, 1);
	kc_xdr_put_u32(r, 0xdeadbeefu);
	return 0;
}

static int k_count(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_RT_EPROTO;
	kc_xdr_put_u32(r, norder);
	return 0;
}

static const struct kc_rt_fn kfns[K_NFNS] = {
	[K_FREE] = { "kfree", k_free },
	[K_LOG] = { "netdev_info", k_log },
	[K_COUNT] = { "k_count", k_count },
};

static uint8_t regs[4096];

static uint64_t fake_read(const struct kc_region_desc *d, uint64_t off, unsigned size)
{
	(void)d;
	(void)size;
	return regs[off];
}

static void fake_write(const struct kc_region_desc *d, uint64_t off, unsigned size, uint64_t val)
{
	(void)d;
	(void)size;
	regs[off] = (uint8_t)val;
	note(0x3000u | (uint32_t)val);
}

static const struct kc_rt_io_ops fake_io = { .read = fake_read, .write = fake_write };

static struct kc_rt *kernel(int with_io)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;

	o.fns = kfns;
	o.nfns = K_NFNS;
	o.io = with_io ? &fake_io : NULL;
	if (kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, &err))
		fprintf(stderr, "setup: %s\n", err.msg);
	return rt;
}

/* ---- building batches as a (hostile) user half would ---- */

static struct {
	uint8_t buf[65536];
	struct kc_xdr x;
} b;

static void begin(uint32_t n)
{
	kc_xdr_init_enc(&b.x, b.buf, sizeof(b.buf));
	kc_xdr_put_u32(&b.x, n);
}

static void call_op(uint32_t fn, const void *args, size_t len, uint32_t width, uint64_t off)
{
	kc_xdr_put_u32(&b.x, KC_REGIO_CALL);
	kc_xdr_put_u32(&b.x, fn);
	kc_xdr_put_u64(&b.x, off);
	kc_xdr_put_u32(&b.x, width);
	kc_xdr_put_opaque(&b.x, args, len);
}

static void post_free(uint64_t h)
{
	uint8_t a[8];
	struct kc_xdr x;

	kc_xdr_init_enc(&x, a, sizeof(a));
	kc_xdr_put_u64(&x, h);
	call_op(K_FREE, a, 8, 0, 0);
}

static void post_log(const char *s)
{
	uint8_t a[128];
	struct kc_xdr x;

	kc_xdr_init_enc(&x, a, sizeof(a));
	kc_xdr_put_string(&x, s);
	call_op(K_LOG, a, kc_xdr_pos(&x), 0, 0);
}

static void write_op(uint32_t id, uint64_t off, uint64_t val)
{
	kc_xdr_put_u32(&b.x, KC_REGIO_WRITE);
	kc_xdr_put_u32(&b.x, id);
	kc_xdr_put_u64(&b.x, off);
	kc_xdr_put_u32(&b.x, 1);
	kc_xdr_put_u64(&b.x, val);
}

static size_t reslen;

static int serve(struct kc_rt *rt)
{
	static uint8_t rbuf[65536];
	struct kc_xdr a, r;
	int rc;

	kc_xdr_init_dec(&a, b.buf, kc_xdr_pos(&b.x));
	kc_xdr_init_enc(&r, rbuf, sizeof(rbuf));
	rc = kc_region__handler(KC_RT_FN_REGIO)(rt, &a, &r);
	reslen = kc_xdr_pos(&r);
	return rc;
}

static uint64_t track(struct kc_rt *rt, int i)
{
	uint64_t h = 0;

	KC_CHECK_EQ_INT(kc_objt_track(kc_rt_objt(rt), &h, objs[i], T_OBJ, sizeof(objs[i]), 1), 0);
	return h;
}

static void reset(void)
{
	norder = 0;
	atomic_store(&nlogs, 0);
	memset(freed, 0, sizeof(freed));
}

static void test_order_and_refusals(void)
{
	struct kc_rt *rt = kernel(1);
	struct kc_region_desc d = { .kind = KC_REGION_MMIO, .kaddr = regs, .base = 0xfe000000u,
				    .size = sizeof(regs) };
	uint64_t h0, h1, h2, h3;
	uint32_t mmio = 0;

	KC_REQUIRE(rt != NULL);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &mmio, &d), 0);
	h0 = track(rt, 0);
	h1 = track(rt, 1);
	h2 = track(rt, 2);
	h3 = track(rt, 3);

	/* one order: write, free, log, write, free; the log's result is dropped (no reads: empty reply) */
	reset();
	begin(5);
	write_op(mmio, 0, 1);
	post_free(h0);
	post_log("eth0: link up");
	write_op(mmio, 1, 2);
	post_free(h1);
	KC_CHECK_EQ_INT(serve(rt), 0);
	KC_CHECK_EQ_INT(reslen, 0);
	KC_CHECK_EQ_INT(norder, 5);
	KC_CHECK(order[0] == 0x3001u && order[1] == 0x1000u && order[2] == (0x2000u | 13) &&
		 order[3] == 0x3002u && order[4] == 0x1001u);

	/* stale handle: object 0 was freed by the batch above; the write before is performed, the
	 * free refused, the write after not performed */
	reset();
	begin(3);
	write_op(mmio, 2, 3);
	post_free(h0);
	write_op(mmio, 3, 4);
	KC_CHECK(serve(rt) != 0);
	KC_CHECK_EQ_INT(norder, 1);
	KC_CHECK(order[0] == 0x3003u);
	KC_CHECK_EQ_INT(regs[3], 0);

	/* double free through two posted frees of one object in one batch: served once */
	reset();
	begin(3);
	post_free(h2);
	post_free(h2);
	post_log("never");
	KC_CHECK(serve(rt) != 0);
	KC_CHECK_EQ_INT(freed[2], 1);
	KC_CHECK_EQ_INT(norder, 1);

	/* forged handles: another generation, a neighbouring index, made up */
	reset();
	begin(1);
	post_free(h3 + (1ull << 32));
	KC_CHECK(serve(rt) != 0);
	begin(1);
	post_free(h3 + 1);
	KC_CHECK(serve(rt) != 0);
	begin(1);
	post_free(0x5a5a5a5a7ffffff0ull);
	KC_CHECK(serve(rt) != 0);
	KC_CHECK_EQ_INT(norder, 0);
	KC_CHECK_EQ_INT(freed[3], 0); /* object 3 is still live ... */
	begin(1);
	post_free(h3);
	KC_CHECK_EQ_INT(serve(rt), 0); /* ... and its real handle still frees it, once */
	KC_CHECK_EQ_INT(freed[3], 1);

	/* refused before anything is performed (pass 1): an unknown function id, arguments above
	 * KC_POST_ARGS_MAX, a width or an offset on a call, trailing garbage in the arguments of a
	 * call (the handler's own check: performed up to there) */
	{
		static uint8_t big[KC_POST_ARGS_MAX + 8];

		reset();
		begin(2);
		write_op(mmio, 4, 5);
		call_op(K_NFNS, NULL, 0, 0, 0);
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		begin(2);
		write_op(mmio, 4, 5);
		call_op(0xfffffff1u, NULL, 0, 0, 0); /* REGIO itself: not a downcall */
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		begin(2);
		write_op(mmio, 4, 5);
		call_op(K_LOG, big, sizeof(big), 0, 0);
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		begin(2);
		write_op(mmio, 4, 5);
		call_op(K_LOG, big, 8, 4, 0);
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		begin(2);
		write_op(mmio, 4, 5);
		call_op(K_LOG, big, 8, 0, 8);
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		KC_CHECK_EQ_INT(norder, 0);
		KC_CHECK_EQ_INT(regs[4], 0);
	}

	/* oversize batch: more than KC_REGIO_MAX_OPS operations, or the byte total above
	 * KC_REGIO_MAX_BYTES: nothing performed */
	{
		uint32_t i;
		static uint8_t args[KC_POST_ARGS_MAX];

		reset();
		begin(KC_REGIO_MAX_OPS + 1);
		for (i = 0; i < KC_REGIO_MAX_OPS + 1; i++)
			post_log("x");
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		begin(KC_REGIO_MAX_BYTES / KC_POST_ARGS_MAX + 1);
		for (i = 0; i < KC_REGIO_MAX_BYTES / KC_POST_ARGS_MAX + 1; i++)
			call_op(K_LOG, args, sizeof(args), 0, 0);
		KC_CHECK_EQ_INT(serve(rt), KC_RT_EPROTO);
		KC_CHECK_EQ_INT(norder, 0);
	}
	kc_rt__free(rt);
}

/* an endpoint that forwards no register access still serves posted calls; a register operation
 * in the same batch is refused (KC_EUNSUPP) before anything is performed */
static void test_calls_without_io(void)
{
	struct kc_rt *rt = kernel(0);

	KC_REQUIRE(rt != NULL);
	reset();
	begin(2);
	post_log("a");
	post_log("bc");
	KC_CHECK_EQ_INT(serve(rt), 0);
	KC_CHECK_EQ_INT(norder, 2);
	reset();
	begin(2);
	post_log("a");
	write_op(1u << KC_REGION_IDX_BITS | 1u, 0, 1);
	KC_CHECK_EQ_INT(serve(rt), KC_EUNSUPP);
	KC_CHECK_EQ_INT(norder, 0);
	kc_rt__free(rt);
}

/* ---- through the channel, with rt_posted_user ---- */

static void test_through_channel(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;
	uint32_t in[2], out[3] = { 0 };
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	uint64_t h;
	int rc;

	o.fns = kfns;
	o.nfns = K_NFNS;
	o.peer_names = rt_posted_user_names;
	o.npeer = U_NFNS;
	o.user_path = KC_RT_POSTED_USER;
	o.stop_grace_ms = 10000;
	unsetenv("KCUT_IO_NO_POSTING");
	KC_REQUIRE(kc_rt_kernel_start(&rt, &o, &err) == 0);
	KC_REQUIRE(kc_rt_wait_ready(rt, 10000) == 0);
	/* mode 0: nothing crosses inside the handler; the reply takes the 10 calls along */
	reset();
	in[0] = 10, in[1] = 0;
	KC_CHECK_EQ_INT(rt_up(rt, U_POST, in, 2, out, 3), 0);
	KC_CHECK_EQ_INT(out[1], 0); /* no batch while the handler ran */
	KC_CHECK_EQ_INT(out[2], 10);
	KC_CHECK_EQ_INT(norder, 10); /* all served once the upcall returned, once each */
	/* mode 1: a downcall sends them first: the kernel function sees them done */
	reset();
	in[1] = 1;
	KC_CHECK_EQ_INT(rt_up(rt, U_POST, in, 2, out, 3), 0);
	KC_CHECK_EQ_INT(out[0], 10);
	KC_CHECK_EQ_INT(out[1], 1);
	KC_CHECK_EQ_INT(norder, 10);
	/* a full queue: 300 calls go as 256 + 44 */
	reset();
	in[0] = 300, in[1] = 2;
	KC_CHECK_EQ_INT(rt_up(rt, U_POST, in, 2, out, 3), 0);
	KC_CHECK_EQ_INT(out[1], 2);
	KC_CHECK_EQ_INT(atomic_load(&nlogs), 300);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 1);

	/* a double free posted by the user half: served once, then the stale handle is a protocol
	 * fault: the user half is killed and restarted */
	reset();
	h = track(rt, 5);
	rc = kc_rt_call_begin(&c, &ca, rt, U_FREE2);
	KC_REQUIRE(rc == 0);
	kc_xdr_put_u64(ca, h);
	rc = kc_rt_call_invoke(c, &cr);
	rc = kc_rt_call_end(c, rc);
	KC_CHECK(rc != 0); /* the upcall did not complete: its user half died */
	KC_CHECK_EQ_INT(freed[5], 1);
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 10000), 0);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 2);
	/* the new incarnation posts as before */
	reset();
	in[0] = 3, in[1] = 0;
	KC_CHECK_EQ_INT(rt_up(rt, U_POST, in, 2, out, 3), 0);
	KC_CHECK_EQ_INT(norder, 3);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);

	/* without posting ($KCUT_IO_NO_POSTING=1): each call crosses alone, inside the handler */
	setenv("KCUT_IO_NO_POSTING", "1", 1);
	KC_REQUIRE(kc_rt_kernel_start(&rt, &o, &err) == 0);
	reset();
	in[0] = 10, in[1] = 0;
	KC_CHECK_EQ_INT(rt_up(rt, U_POST, in, 2, out, 3), 0);
	KC_CHECK_EQ_INT(out[1], 10);
	KC_CHECK_EQ_INT(norder, 10);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
	unsetenv("KCUT_IO_NO_POSTING");
}

int main(void)
{
	KC_RUN(test_order_and_refusals);
	KC_RUN(test_calls_without_io);
	KC_RUN(test_through_channel);
	return kc_test_done();
}
