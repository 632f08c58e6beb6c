/* loop facts: each loop's bound (constant trip count, a struct field, another expression, none),
 * whether it can end early, its extent; constants stored into fields (field_const). The
 * partitioner's cost model reads them (docs/partitioner.md, "Loop trip counts"). */
#include <linux/list.h>
#include <linux/types.h>

#define RING_DEFAULT 256
#define POLL_MAX 1000
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ONCE(x) do { tick(x); } while (0)
#define for_each_item(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

struct ring {
	unsigned int count;
	struct list_head list;
};

struct item {
	struct list_head node;
};

static const int table[12];

void tick(int n);
int ready(void);

void setup(struct ring *r)
{
	r->count = RING_DEFAULT;
}

void walk(struct ring *r, int n)
{
	unsigned int i;
	int j;
	struct list_head *it;

	for (i = 0; i < r->count; i++)
		tick(1);
	for (i = 1; i <= ARRAY_SIZE(table); i++)
		for (j = 0; j < 64; j += 4)
			tick(2);
	for (j = 10; j > 0; j--)
		tick(3);
	for (i = 0; i < POLL_MAX; i++) {
		if (ready())
			break;
		tick(4);
	}
	while (n--)
		tick(5);
	for (;;) {
		if (ready())
			return;
	}
	for_each_item(it, &r->list)
		tick(6);
	ONCE(7);
}

int check(struct ring *r)
{
	unsigned int i, j;

	for (i = 0; i < 8; i++) {
		if (ready()) {
			tick(8);
			return -1;
		}
		for (j = 0; j < r->count; j++) {
			if (ready() > 1) {
				tick(9);
				break;
			}
			if (ready() > 2)
				continue;
			tick(10);
		}
	}
	return 0;
}

/*
 * check-name: loop bounds and constant field stores
 * check-query: SELECT l.kind, l.depth, l.line, l.end_line, l.bound_kind, COALESCE(l.trips, ''),
 *   COALESCE(l.bound_struct || '.' || l.bound_field, ''), COALESCE(l.bound_expr, ''), l.early_exit
 *   FROM loop l ORDER BY l.line, l.depth
 * check-expect
 * for|1|38|39|field||ring.count|r->count|0
 * for|1|40|42|const|12||ARRAY_SIZE(table)|0
 * for|2|41|42|const|16||64|0
 * for|1|43|44|const|10||0|0
 * for|1|45|49|const|1000||POLL_MAX|1
 * while|1|50|51|expr|||n--|0
 * for|1|52|55|none||||1
 * for|1|56|57|expr|||for_each_item|0
 * once|1|58|58|const|1|||0
 * for|1|65|79|const|8||8|1
 * for|2|70|78|field||ring.count|r->count|1
 * check-expect-end
 * check-query: SELECT f.name, e.leaves, e.line, e.end_line FROM loop_exit e JOIN func f ON f.id = e.func_id
 *   ORDER BY e.line
 * check-expect
 * walk|1|47|47
 * walk|1|54|54
 * check|1|66|69
 * check|2|71|74
 * check-expect-end
 * check-query: SELECT f.name, c.struct_name, c.field, c.value, c.line FROM field_const c JOIN func f ON f.id = c.func_id
 * check-expect
 * setup|ring|count|256|29
 * check-expect-end
 */
