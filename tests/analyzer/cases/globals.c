/* Globals and which functions read / write / take the address of them. */
static int counter;
int shared_flag;
static const int limit = 10;
extern int kernel_var;

static void bump(int *p)
{
	(*p)++;
}

void work(void)
{
	counter++;
	shared_flag = limit;
	if (kernel_var)
		bump(&counter);
	counter += shared_flag;
}

/*
 * check-name: global reads and writes
 * check-query: SELECT f.name, g.name, a.mode, a.line FROM global_access a JOIN func f ON f.id = a.func_id
 *   JOIN global g ON g.id = a.global_id ORDER BY a.line, g.name, a.mode
 * check-expect
 * work|counter|read|14
 * work|counter|write|14
 * work|limit|read|15
 * work|shared_flag|write|15
 * work|kernel_var|read|16
 * work|counter|addr|17
 * work|counter|read|18
 * work|counter|write|18
 * work|shared_flag|read|18
 * check-expect-end
 *
 * check-query: SELECT name, type, is_driver, is_static, is_const, is_defined FROM global ORDER BY name
 * check-expect
 * counter|int|1|1|0|1
 * kernel_var|int|0|0|0|0
 * limit|const int|1|1|1|1
 * shared_flag|int|1|0|0|1
 * check-expect-end
 */
