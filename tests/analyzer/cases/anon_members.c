/* Members of anonymous structs/unions belong to the enclosing named struct. */
struct packet {
	int kind;
	union {
		int raw;
		struct {
			short lo;
			short hi;
		};
	};
};

typedef struct {
	int a;
} plain_t;

int get(struct packet *p, plain_t *q)
{
	p->hi = 1;
	return p->raw + q->a;
}

/*
 * check-name: anonymous members and typedef'd anonymous structs
 * check-query: SELECT struct_name, field, mode FROM field_access ORDER BY line, field
 * check-expect
 * packet|hi|write
 * plain_t|a|read
 * packet|raw|read
 * check-expect-end
 */
