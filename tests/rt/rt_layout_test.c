/*
 * rt_layout_test.c - the connect-time layout check (rt/layout.c, built unchanged into kcut_rt.ko,
 * which compares the Linux user half's layout table with the kernel half's): equal tables pass;
 * a differing size or offset, a shorter or longer table, and a kernel half without a table are
 * refused, naming the first entry that differs.
 */
#include <string.h>

#include "kc_test.h"
#include "kcut_rt.h"

static const char *const names[] = { "sizeof(struct a)", "offsetof(struct a, x)", "offsetof(struct a, y.z)",
				     "sizeof(struct b)", NULL };
static const uint64_t kern[] = { 64, 8, 24, 16 };
static const struct kc_wire_tables tab = { .layout = kern, .layout_names = names, .nlayout = 4 };

static void test_equal(void)
{
	uint64_t user[4];
	uint32_t first = 99;
	char msg[256];

	memcpy(user, kern, sizeof(user));
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 4, &first, msg, sizeof(msg)), 0);
	KC_CHECK_EQ_INT(first, 0);
	KC_CHECK_EQ_STR(msg, "");
	/* no table on either side */
	KC_CHECK_EQ_INT(kc_layout_cmp(&(struct kc_wire_tables){ 0 }, NULL, 0, &first, msg, sizeof(msg)), 0);
}

static void test_offset_differs(void)
{
	uint64_t user[4];
	uint32_t first = 99;
	char msg[256];

	memcpy(user, kern, sizeof(user));
	user[2] = 32;
	user[3] = 17; /* only the first difference is named */
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 4, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK_EQ_INT(first, 2);
	KC_CHECK(strstr(msg, "offsetof(struct a, y.z) is 24 in the kernel half, 32 in the user half") != NULL);
	/* the size of the first struct */
	memcpy(user, kern, sizeof(user));
	user[0] = 72;
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 4, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK_EQ_INT(first, 0);
	KC_CHECK(strstr(msg, "sizeof(struct a) is 64 in the kernel half, 72 in the user half") != NULL);
	/* a short message buffer truncates, no message buffer still answers */
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 4, &first, msg, 8), KC_EINVAL);
	KC_CHECK_EQ_INT((int)strlen(msg), 7);
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 4, &first, NULL, 0), KC_EINVAL);
}

static void test_counts_differ(void)
{
	uint64_t user[5];
	uint32_t first = 99;
	char msg[256];

	memcpy(user, kern, sizeof(kern));
	user[4] = 1;
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 5, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK_EQ_INT(first, 4);
	KC_CHECK(strstr(msg, "has 4 entries, the user half's 5") != NULL);
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 3, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK_EQ_INT(first, 3);
	KC_CHECK(strstr(msg, "has 4 entries, the user half's 3") != NULL);
	KC_CHECK_EQ_INT(kc_layout_cmp(&tab, user, 0, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK_EQ_INT(first, 0);
	/* a kernel half without a table refuses a user half with one */
	KC_CHECK_EQ_INT(kc_layout_cmp(&(struct kc_wire_tables){ 0 }, user, 4, &first, msg, sizeof(msg)), KC_EINVAL);
	KC_CHECK(strstr(msg, "has 0 entries, the user half's 4") != NULL);
	KC_CHECK_EQ_INT(kc_layout_cmp(NULL, user, 4, &first, msg, sizeof(msg)), KC_EINVAL);
}

int main(void)
{
	KC_RUN(test_equal);
	KC_RUN(test_offset_differs);
	KC_RUN(test_counts_differ);
	return kc_test_done();
}
