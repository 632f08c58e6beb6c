/* Positional initializer of a struct with many fields: the function lands in the right slot. */
struct big {
	int f0;
	int f1;
	int f2;
	int f3;
	int f4;
	int f5;
	int f6;
	int f7;
	int f8;
	int f9;
	int f10;
	int f11;
	int f12;
	int f13;
	int f14;
	int f15;
	int f16;
	int f17;
	void (*late)(void);
	int tail;
};

static void late_fn(void)
{
}

struct big big_one = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, late_fn, 7 };

/*
 * check-name: positional initializer beyond the 16th field
 * check-query: SELECT f.name, r.struct_name, r.field, r.var, r.by_func_id FROM registration r
 *   JOIN func f ON f.id = r.func_id
 * check-expect
 * late_fn|big|late|big_one|
 * check-expect-end
 */
