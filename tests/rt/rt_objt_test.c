/*
 * rt_objt_test.c - the object tracker: handles, interior pointers into objects and arrays,
 * release (kfree hook), stale handles, forged handles, wrong types, size overflow, and the user
 * side's copy-on-first-sight. A brute-force model cross-checks interior lookups.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "kcut_rt.h"

struct dev {
	int a;
	char name[20];
	long stats[4];
};

static void test_track_and_lookup(void)
{
	struct kc_objt *t;
	struct {
		char before[8];
		struct dev d;
	} box;
	struct dev *dp = &box.d;
	uint64_t h, h2;
	void *p;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h, dp, 7, sizeof(*dp), 1), 0);
	KC_CHECK(h != 0);
	/* the handle is not the address */
	KC_CHECK(h != (uint64_t)(uintptr_t)dp);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h2, dp, 7, sizeof(*dp), 1), 0);
	KC_CHECK(h2 == h);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 7, 0, sizeof(*dp)), 0);
	KC_CHECK(p == dp);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 7, offsetof(struct dev, stats), sizeof(dp->stats)), 0);
	KC_CHECK(p == dp->stats);
	KC_CHECK_EQ_INT(kc_objt_count(t), 1);
	/* the same address as another type, or with another size */
	KC_CHECK_EQ_INT(kc_objt_track(t, &h2, dp, 8, sizeof(*dp), 1), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h2, dp, 7, sizeof(*dp) / 2, 1), KC_RT_ERANGE);
	/* overlapping another tracked object */
	KC_CHECK_EQ_INT(kc_objt_track(t, &h2, (char *)dp + 4, 7, 8, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h2, box.before + 4, 7, 8, 1), KC_RT_ERANGE);
	kc_objt_free(t);
}

static void test_interior_pointers_and_arrays(void)
{
	struct kc_objt *t;
	struct {
		char before[8];
		struct dev arr[10];
	} box;
	struct dev *arr = box.arr;
	uint64_t h, hi;
	size_t off, size, esz;
	void *p;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_REQUIRE(kc_objt_track(t, &h, arr, 2, sizeof(arr[0]), 10) == 0);
	KC_CHECK_EQ_INT(kc_objt_handle_of(t, &hi, &off, &arr[3].stats[2]), 0);
	KC_CHECK(hi == h);
	KC_CHECK_EQ_INT(off, 3 * sizeof(arr[0]) + offsetof(struct dev, stats) + 2 * sizeof(long));
	KC_CHECK_EQ_INT(kc_objt_size(t, &size, &esz, h, 2), 0);
	KC_CHECK_EQ_INT(size, sizeof(box.arr));
	KC_CHECK_EQ_INT(esz, sizeof(arr[0]));
	KC_CHECK_EQ_INT(off / esz, 3);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 2, off, sizeof(long)), 0);
	KC_CHECK(p == &arr[3].stats[2]);
	/* one past the end and outside */
	KC_CHECK_EQ_INT(kc_objt_handle_of(t, &hi, &off, (char *)arr + sizeof(box.arr)), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_objt_handle_of(t, &hi, &off, box.before + 7), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_objt_handle_of(t, &hi, &off, NULL), KC_ENOTFOUND);
	kc_objt_free(t);
}

/* Many objects: every byte of every object maps back to it, and gaps map to nothing (checked
 * against a brute-force scan). */
static void test_against_model(void)
{
	struct kc_objt *t;
	static char pool[4096];
	struct { size_t at, len; uint64_t h; } o[64];
	size_t i, k, at = 0, bad = 0;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	srand(7);
	for (i = 0; i < 64; i++) {
		at += (size_t)(rand() % 8);
		o[i].at = at;
		o[i].len = 1 + (size_t)(rand() % 50);
		at += o[i].len;
		KC_REQUIRE(at < sizeof(pool));
		KC_REQUIRE(kc_objt_track(t, &o[i].h, pool + o[i].at, 1, o[i].len, 1) == 0);
	}
	/* release every third one */
	for (i = 0; i < 64; i += 3)
		kc_objt_untrack(t, pool + o[i].at);
	for (k = 0; k < at + 8; k++) {
		uint64_t h = 0, want = 0;
		size_t off = 0, want_off = 0;
		int rc;

		for (i = 0; i < 64; i++)
			if (i % 3 && k >= o[i].at && k < o[i].at + o[i].len) {
				want = o[i].h;
				want_off = k - o[i].at;
			}
		rc = kc_objt_handle_of(t, &h, &off, pool + k);
		if (want ? rc != 0 || h != want || off != want_off : rc != KC_ENOTFOUND)
			bad++;
	}
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(kc_objt_count(t), 64 - 22);
	kc_objt_free(t);
}

static void test_release_and_stale(void)
{
	struct kc_objt *t;
	int a, b;
	uint64_t ha, hb, ha2;
	void *p;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_REQUIRE(kc_objt_track(t, &ha, &a, 1, sizeof(a), 1) == 0);
	kc_objt_untrack(t, &a); /* the kfree hook */
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ha, 1, 0, 4), KC_RT_ESTALE);
	KC_CHECK(p == NULL);
	/* the entry is reused for b, the old handle stays stale */
	KC_REQUIRE(kc_objt_track(t, &hb, &b, 1, sizeof(b), 1) == 0);
	KC_CHECK(hb != ha);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ha, 1, 0, 4), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, hb, 1, 0, 4), 0);
	KC_CHECK(p == &b);
	KC_CHECK_EQ_INT(kc_objt_release(t, hb), 0);
	KC_CHECK_EQ_INT(kc_objt_release(t, hb), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_objt_count(t), 0);
	/* tracking a again gives a new handle */
	KC_REQUIRE(kc_objt_track(t, &ha2, &a, 1, sizeof(a), 1) == 0);
	KC_CHECK(ha2 != ha);
	kc_objt_untrack(t, &b); /* untracked pointer: no-op */
	kc_objt_free(t);
}

static void test_forged_wrong_type_overflow(void)
{
	struct kc_objt *t;
	char buf[100];
	uint64_t h;
	void *p;
	int i, accepted = 0;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_REQUIRE(kc_objt_track(t, &h, buf, 5, sizeof(buf), 1) == 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, 0, 5, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h + 1, 5, 0, 1), KC_RT_EPROTO); /* no such index */
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, (uint64_t)(uintptr_t)buf, 5, 0, 1), KC_RT_EPROTO);
	/* an address with bit 31 set looks like an adopted handle: still forged */
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ((uint64_t)(uintptr_t)buf) | 0x80000000ull, 5, 0, 1),
			KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ((uint64_t)(uintptr_t)buf) & ~0x80000000ull, 5, 0, 1),
			KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h ^ (0x5555ull << 40), 5, 0, 1), KC_RT_EPROTO);
	/* random handles never validate */
	srand(3);
	for (i = 0; i < 100000; i++) {
		uint64_t f = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 2) ^ (uint64_t)rand();

		if (f != h && kc_objt_lookup(t, &p, f, 5, 0, 1) == 0)
			accepted++;
	}
	KC_CHECK_EQ_INT(accepted, 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 6, 0, 1), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 5, 0, 101), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 5, 100, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 5, 100, 0), 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 5, 50, SIZE_MAX), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 5, SIZE_MAX, 2), KC_RT_ERANGE);
	/* size overflow when tracking */
	KC_CHECK_EQ_INT(kc_objt_track(t, &h, buf + 1, 5, SIZE_MAX / 2, 3), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h, (void *)(UINTPTR_MAX - 8), 5, 16, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h, buf, 5, 0, 1), KC_EINVAL);
	kc_objt_free(t);
}

static void test_user_side_import(void)
{
	struct kc_objt *t;
	uint64_t h = 0x1234000000000005ull, h2;
	size_t off;
	void *p, *q;
	int fresh;

	KC_REQUIRE(kc_objt_new(&t, 1, NULL) == 0);
	KC_CHECK_EQ_INT(kc_objt_import(t, &p, &fresh, h, 9, 64), 0);
	KC_CHECK(p != NULL && fresh == 1);
	KC_CHECK_EQ_INT(((char *)p)[63], 0);
	KC_CHECK_EQ_INT(kc_objt_import(t, &q, &fresh, h, 9, 64), 0);
	KC_CHECK(q == p && fresh == 0);
	KC_CHECK_EQ_INT(kc_objt_import(t, &q, &fresh, h, 8, 64), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_objt_import(t, &q, &fresh, h, 9, 65), KC_RT_ERANGE);
	/* the user side sends the kernel's handle back for interior pointers of its copy */
	KC_CHECK_EQ_INT(kc_objt_handle_of(t, &h2, &off, (char *)p + 10), 0);
	KC_CHECK(h2 == h);
	KC_CHECK_EQ_INT(off, 10);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &q, h, 9, 10, 54), 0);
	KC_CHECK(q == (char *)p + 10);
	KC_CHECK_EQ_INT(kc_objt_import(t, &q, &fresh, 0, 9, 64), KC_EINVAL);
	/* release frees the copy (ASan would report a leak otherwise) */
	KC_CHECK_EQ_INT(kc_objt_release(t, h), 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &q, h, 9, 0, 1), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_objt_import(t, &q, &fresh, h, 9, 64), 0);
	KC_CHECK(fresh == 1);
	kc_objt_free(t); /* frees the live copy */
}

static int n_zalloc, n_free;
static void *count_zalloc(size_t n)
{
	n_zalloc++;
	return calloc(1, n);
}
static void count_free(void *p)
{
	n_free++;
	free(p);
}

/* kc_objt_query: type, size and element size of any live handle, without knowing the type. */
static void test_query(void)
{
	struct kc_objt *t;
	struct dev arr[3];
	uint64_t h;
	uint32_t ty;
	size_t size, esz;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_CHECK_EQ_INT(kc_objt_track(t, &h, arr, 11, sizeof(arr[0]), 3), 0);
	KC_CHECK_EQ_INT(kc_objt_query(t, &ty, &size, &esz, h), 0);
	KC_CHECK_EQ_INT(ty, 11);
	KC_CHECK_EQ_INT(size, sizeof(arr));
	KC_CHECK_EQ_INT(esz, sizeof(arr[0]));
	KC_CHECK_EQ_INT(kc_objt_query(t, &ty, &size, NULL, h), 0);
	KC_CHECK_EQ_INT(kc_objt_query(t, &ty, &size, &esz, h + 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_query(t, &ty, &size, &esz, 0), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_release(t, h), 0);
	KC_CHECK_EQ_INT(kc_objt_query(t, &ty, &size, &esz, h), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(ty, 0);
	KC_CHECK_EQ_INT(size, 0);
	kc_objt_free(t);
}

/* kc_objt_adopt: a user-half allocation gets a user-minted handle; the kernel side makes its own
 * copy on first sight and never touches the user's memory; lifetimes stay separate. */
static void test_adopt(void)
{
	struct kc_objt *u, *k;
	struct dev kd;
	uint64_t h, h2, hk;
	size_t off, size, esz;
	uint32_t ty;
	void *p, *q;
	int fresh;
	char *obj = calloc(1, 48), *obj2 = calloc(1, 16);

	KC_REQUIRE(obj && obj2);
	memset(obj, 0x5a, 48);
	KC_REQUIRE(kc_objt_new(&u, 1, NULL) == 0);
	KC_REQUIRE(kc_objt_new(&k, 0, NULL) == 0);
	KC_CHECK_EQ_INT(kc_objt_track(k, &hk, &kd, 3, sizeof(kd), 1), 0);
	KC_CHECK(!kc_objt_is_adopted(hk));

	/* user side */
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h, obj, 3, 48), 0);
	KC_CHECK(h != 0 && kc_objt_is_adopted(h));
	KC_CHECK(h != (uint64_t)(uintptr_t)obj);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj, 3, 48), 0);
	KC_CHECK(h2 == h);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj, 4, 48), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj + 8, 3, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj, 3, 0), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj2, 3, KC_OBJT_ADOPT_MAX_SIZE + 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_adopt(k, &h2, obj2, 3, 16), KC_EINVAL); /* kernel side: never */
	KC_CHECK_EQ_INT(kc_objt_handle_of(u, &h2, &off, obj + 10), 0);
	KC_CHECK(h2 == h);
	KC_CHECK_EQ_INT(off, 10);
	KC_CHECK_EQ_INT(kc_objt_query(u, &ty, &size, &esz, h), 0);
	KC_CHECK_EQ_INT(ty, 3);
	KC_CHECK_EQ_INT(size, 48);
	KC_CHECK_EQ_INT(kc_objt_lookup(u, &q, h, 3, 0, 48), 0);
	KC_CHECK(q == obj);
	/* a second adoption gets another handle */
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h2, obj2, 3, 16), 0);
	KC_CHECK(h2 != h && kc_objt_is_adopted(h2));

	/* kernel side: unknown until imported (as forged: the kernel never saw it); the copy is
	 * the kernel's own, zeroed */
	KC_CHECK_EQ_INT(kc_objt_lookup(k, &q, h, 3, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_query(k, &ty, &size, &esz, h), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, hk, 3, sizeof(kd)), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, h, 3, KC_OBJT_ADOPT_MAX_SIZE + 1),
			KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, h, 3, 48), 0);
	KC_CHECK(fresh == 1 && p != NULL && p != (void *)obj);
	KC_CHECK_EQ_INT(((char *)p)[0], 0);
	KC_CHECK_EQ_INT(((char *)p)[47], 0);
	KC_CHECK_EQ_INT(kc_objt_import(k, &q, &fresh, h, 3, 48), 0);
	KC_CHECK(q == p && fresh == 0);
	KC_CHECK_EQ_INT(kc_objt_import(k, &q, &fresh, h, 3, 49), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_import(k, &q, &fresh, h, 4, 48), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_objt_lookup(k, &q, h, 3, 40, 8), 0);
	KC_CHECK(q == (char *)p + 40);
	KC_CHECK_EQ_INT(kc_objt_lookup(k, &q, h, 3, 41, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_objt_query(k, &ty, &size, &esz, h), 0);
	KC_CHECK_EQ_INT(ty, 3);
	KC_CHECK_EQ_INT(size, 48);
	/* kernel pointers into the copy go back out as the same handle */
	KC_CHECK_EQ_INT(kc_objt_handle_of(k, &h2, &off, (char *)p + 5), 0);
	KC_CHECK(h2 == h);
	KC_CHECK_EQ_INT(off, 5);
	/* the kernel's own objects are unaffected */
	KC_CHECK_EQ_INT(kc_objt_lookup(k, &q, hk, 3, 0, sizeof(kd)), 0);
	KC_CHECK(q == &kd);
	KC_CHECK_EQ_INT(kc_objt_count(k), 2);

	/* the kernel frees its copy (kfree hook untracks, the caller frees); the user half is
	 * then told to release: it forgets the handle and leaves its memory alone */
	kc_objt_untrack(k, p);
	free(p);
	KC_CHECK_EQ_INT(kc_objt_lookup(k, &q, h, 3, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_release(u, h), 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(u, &q, h, 3, 0, 1), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(((unsigned char *)obj)[47], 0x5a); /* still ours (ASan: not freed) */
	/* the user half frees its object itself (untrack: no free) */
	kc_objt_untrack(u, obj2);
	KC_CHECK_EQ_INT(kc_objt_count(u), 0);
	free(obj2);

	/* copies the kernel tracker still holds are freed by release / kc_objt_free with the
	 * tracker's allocator; objects the user tracker borrows are never freed by it */
	kc_objt_set_alloc(k, count_zalloc, count_free);
	KC_CHECK_EQ_INT(kc_objt_adopt(u, &h, obj, 3, 48), 0);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, h, 3, 48), 0);
	KC_CHECK_EQ_INT(kc_objt_import(k, &q, &fresh, h ^ 0x100000000ull, 3, 8), 0);
	KC_CHECK(fresh == 1);
	KC_CHECK_EQ_INT(kc_objt_release(k, h), 0);
	KC_CHECK_EQ_INT(n_zalloc, 2);
	KC_CHECK_EQ_INT(n_free, 1);
	kc_objt_free(k);
	KC_CHECK_EQ_INT(n_free, 2);
	kc_objt_free(u);
	obj[0] = 1; /* ASan: still live */
	free(obj);
}

/* A user half cannot make the kernel half allocate without bound. */
static void test_adopt_limits(void)
{
	struct kc_objt *k;
	uint32_t i;
	void *p;
	int fresh, rc = 0;

	KC_REQUIRE(kc_objt_new(&k, 0, NULL) == 0);
	for (i = 0; i < KC_OBJT_ADOPT_MAX_OBJS && !rc; i++)
		rc = kc_objt_import(k, &p, &fresh, ((uint64_t)7 << 32) | KC_OBJT_ADOPTED | (i + 1), 1, 1);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK_EQ_INT(kc_objt_count(k), KC_OBJT_ADOPT_MAX_OBJS);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, ((uint64_t)8 << 32) | KC_OBJT_ADOPTED | 1, 1, 1),
			KC_ENOMEM);
	/* releasing one makes room again */
	KC_CHECK_EQ_INT(kc_objt_release(k, ((uint64_t)7 << 32) | KC_OBJT_ADOPTED | 1), 0);
	KC_CHECK_EQ_INT(kc_objt_import(k, &p, &fresh, ((uint64_t)8 << 32) | KC_OBJT_ADOPTED | 1, 1, 1),
			0);
	kc_objt_free(k);
}

/* Issue 14: a kernel object is untracked and an adopted copy takes its table entry; the handle
 * "same index, next generation" was never issued and must not find the copy (it did: the index
 * path only compared the generation). fuzz_objt found it; tests/fuzz/objt/regress-alias-after-
 * untrack is its input. */
static void test_alias_after_untrack(void)
{
	struct kc_objt *t;
	static char obj[32];
	uint64_t h, ha, forged;
	struct kc_objt_info in;
	void *p, *copy;
	int fresh;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_REQUIRE(kc_objt_track(t, &h, obj, 1, sizeof(obj), 1) == 0);
	kc_objt_untrack(t, obj);
	ha = (0x1234ull << 32) | KC_OBJT_ADOPTED | 5;
	KC_REQUIRE(kc_objt_import(t, &copy, &fresh, ha, 1, 16) == 0);
	KC_CHECK(fresh);
	forged = h + (1ull << 32); /* same index, next generation */
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, forged, 1, 0, 1), KC_RT_EPROTO);
	KC_CHECK(p == NULL);
	KC_CHECK_EQ_INT(kc_objt_info(t, &in, forged), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_release(t, forged), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h, 1, 0, 1), KC_RT_ESTALE);
	/* the copy answers to its own handle only, and is marked as heap (the tracker made it) */
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ha, 1, 0, 16), 0);
	KC_CHECK(p == copy);
	KC_CHECK_EQ_INT(kc_objt_info(t, &in, ha), 0);
	KC_CHECK(in.flags & KC_OBJT_F_HEAP);
	KC_CHECK(in.ptr == copy);
	kc_objt_free(t);
}

struct visit {
	size_t n, bytes;
	int stop_at;
};

static int visit_count(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct visit *v = arg;

	(void)h;
	v->n++;
	v->bytes += o->size;
	return v->stop_at && (int)v->n == v->stop_at ? 7 : 0;
}

static void test_foreach_and_flags(void)
{
	struct kc_objt *t;
	static long objs[10][4];
	struct visit v = { 0, 0, 0 };
	struct kc_objt_info in;
	uint64_t h[10];
	int i;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	KC_CHECK_EQ_INT(kc_objt_foreach(t, visit_count, &v), 0);
	KC_CHECK_EQ_INT(v.n, 0);
	for (i = 0; i < 10; i++)
		KC_REQUIRE(kc_objt_track(t, &h[i], objs[i], (uint32_t)i, sizeof(long), 4) == 0);
	kc_objt_untrack(t, objs[3]);
	KC_CHECK_EQ_INT(kc_objt_foreach(t, visit_count, &v), 0);
	KC_CHECK_EQ_INT(v.n, 9);
	KC_CHECK_EQ_INT(v.bytes, 9 * sizeof(objs[0]));
	v = (struct visit){ 0, 0, 4 };
	KC_CHECK_EQ_INT(kc_objt_foreach(t, visit_count, &v), 7);
	KC_CHECK_EQ_INT(v.n, 4);
	/* flags */
	KC_CHECK_EQ_INT(kc_objt_info(t, &in, h[5]), 0);
	KC_CHECK_EQ_INT(in.flags, 0);
	KC_CHECK(in.ptr == objs[5] && in.type == 5 && in.size == sizeof(objs[5]) && in.elem_size == sizeof(long));
	KC_CHECK_EQ_INT(kc_objt_set_flags(t, h[5], KC_OBJT_F_HEAP), 0);
	KC_CHECK_EQ_INT(kc_objt_info(t, &in, h[5]), 0);
	KC_CHECK_EQ_INT(in.flags, KC_OBJT_F_HEAP);
	KC_CHECK_EQ_INT(kc_objt_set_flags(t, h[3], KC_OBJT_F_HEAP), KC_RT_ESTALE);
	/* a new object in the released entry starts without flags */
	kc_objt_untrack(t, objs[5]);
	KC_REQUIRE(kc_objt_track(t, &h[5], objs[5], 5, sizeof(long), 4) == 0);
	KC_CHECK_EQ_INT(kc_objt_info(t, &in, h[5]), 0);
	KC_CHECK_EQ_INT(in.flags, 0);
	kc_objt_free(t);
}

/* The trees under churn: thousands of random tracks and untracks (both trees: user side,
 * imports and adoptions), checked after every step against a model for a random probe and
 * fully every 500 steps. */
static void test_churn(void)
{
	enum { N = 400, SZ = 24 };
	static char pool[N * SZ];
	uint64_t h[N] = { 0 };
	int lens[N] = { 0 };
	struct kc_objt *t;
	size_t bad = 0, live = 0;
	int i, step;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	srand(11);
	for (step = 0; step < 20000; step++) {
		int k = rand() % N, len = 1 + rand() % SZ;
		uint64_t hh;
		size_t off;
		int rc;

		if (h[k]) {
			kc_objt_untrack(t, pool + k * SZ);
			h[k] = 0;
			live--;
		} else {
			rc = kc_objt_track(t, &h[k], pool + k * SZ, 1, (size_t)len, 1);
			lens[k] = len;
			if (rc)
				bad++;
			else
				live++;
		}
		k = rand() % (N * SZ);
		rc = kc_objt_handle_of(t, &hh, &off, pool + k);
		if (h[k / SZ] && k % SZ < lens[k / SZ] ? rc || hh != h[k / SZ] || off != (size_t)(k % SZ)
						      : rc != KC_ENOTFOUND)
			bad++;
		if (step % 500 == 0)
			for (i = 0; i < N; i++) {
				void *p;

				if (h[i] && (kc_objt_lookup(t, &p, h[i], 1, 0, 1) || p != pool + i * SZ))
					bad++;
			}
	}
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(kc_objt_count(t), live);
	kc_objt_free(t);
	/* the by-handle tree: user side, imports of random handles, half released again */
	KC_REQUIRE(kc_objt_new(&t, 1, NULL) == 0);
	for (step = 0; step < 5000; step++) {
		uint64_t k = ((uint64_t)(rand() % 64) << 32) | (uint64_t)(1 + rand() % 64);
		void *p, *q;
		int fresh;

		if (kc_objt_import(t, &p, &fresh, k, 2, 8) != 0)
			bad++;
		else if (kc_objt_import(t, &q, &fresh, k, 2, 8) != 0 || q != p || fresh)
			bad++;
		if (rand() % 2)
			kc_objt_release(t, k);
	}
	KC_CHECK_EQ_INT(bad, 0);
	kc_objt_free(t);
}

/* Memory the kernel frees on the driver's behalf (kc_objt_untrack_range): every object inside or
 * overlapping the freed range goes, objects outside stay, handles come back in batches. */
static void test_untrack_range(void)
{
	struct kc_objt *t;
	static unsigned char block[4096], other[64];
	uint64_t h[40], got[16], ho;
	size_t n, total = 0;
	void *p;
	int i;

	KC_REQUIRE(kc_objt_new(&t, 0, NULL) == 0);
	for (i = 0; i < 40; i++) /* 40 objects of 32 bytes, 100 bytes apart, inside block */
		KC_CHECK_EQ_INT(kc_objt_track(t, &h[i], block + 100 * i, 3, 32, 1), 0);
	KC_CHECK_EQ_INT(kc_objt_track(t, &ho, other, 3, sizeof(other), 1), 0);
	/* a range that overlaps objects 2 and 3 only partly: both go */
	n = kc_objt_untrack_range(t, block + 220, 90, got, 16);
	KC_CHECK_EQ_INT((int)n, 2);
	KC_CHECK((got[0] == h[2] && got[1] == h[3]) || (got[0] == h[3] && got[1] == h[2]));
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h[2], 3, 0, 1), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, h[4], 3, 0, 1), 0);
	/* size 0: the object holding that byte */
	KC_CHECK_EQ_INT((int)kc_objt_untrack_range(t, block + 410, 0, got, 16), 1);
	KC_CHECK(got[0] == h[4]);
	/* a range between objects: nothing */
	KC_CHECK_EQ_INT((int)kc_objt_untrack_range(t, block + 40, 50, got, 16), 0);
	/* the whole block, 16 at a time: the 37 left, never `other` */
	do {
		n = kc_objt_untrack_range(t, block, sizeof(block), got, 16);
		total += n;
	} while (n == 16);
	KC_CHECK_EQ_INT((int)total, 37);
	KC_CHECK_EQ_INT((int)kc_objt_count(t), 1);
	KC_CHECK_EQ_INT(kc_objt_lookup(t, &p, ho, 3, 0, sizeof(other)), 0);
	KC_CHECK_EQ_INT((int)kc_objt_untrack_range(t, NULL, 10, got, 16), 0);
	kc_objt_free(t);
}

int main(void)
{
	KC_RUN(test_track_and_lookup);
	KC_RUN(test_interior_pointers_and_arrays);
	KC_RUN(test_against_model);
	KC_RUN(test_release_and_stale);
	KC_RUN(test_forged_wrong_type_overflow);
	KC_RUN(test_user_side_import);
	KC_RUN(test_query);
	KC_RUN(test_adopt);
	KC_RUN(test_adopt_limits);
	KC_RUN(test_alias_after_untrack);
	KC_RUN(test_foreach_and_flags);
	KC_RUN(test_churn);
	KC_RUN(test_untrack_range);
	return kc_test_done();
}
