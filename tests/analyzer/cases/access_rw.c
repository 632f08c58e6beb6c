/* Field access modes: =, compound assignment, ++/--, &x->f passed to a function, reads. */
struct stats {
	int packets;
	int bytes;
	int errors;
	int drops;
	int seen;
	int arr[4];
};

void take(int *p);

int update(struct stats *s, int len)
{
	s->packets++;
	s->bytes += len;
	--s->errors;
	s->drops = 0;
	take(&s->seen);
	s->arr[1] = len;
	return s->arr[2] + s->packets;
}

/*
 * check-name: read/write/addr of fields
 * check-query: SELECT field, mode, line FROM field_access ORDER BY line, field, mode
 * check-expect
 * packets|read|15
 * packets|write|15
 * bytes|read|16
 * bytes|write|16
 * errors|read|17
 * errors|write|17
 * drops|write|18
 * seen|addr|19
 * arr|write|20
 * arr|read|21
 * packets|read|21
 * check-expect-end
 */
