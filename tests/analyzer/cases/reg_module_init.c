/* module_init / module_exit (written directly and through module_driver) are registrations of kind
 * 'module_init' / 'module_exit'; a function returned by another function is not. */
#include <linux/module.h>

struct my_driver {
	int id;
};

static struct my_driver drv;

int my_register(struct my_driver *d);
void my_unregister(struct my_driver *d);

static int my_init(void)
{
	return my_register(&drv);
}

static void my_exit(void)
{
	my_unregister(&drv);
}

typedef int (*getter_t)(void);

getter_t not_init(void)
{
	return my_init;
}

module_init(my_init);
module_exit(my_exit);

/*
 * check-name: module_init / module_exit registrations
 * check-query: SELECT f.name, r.kind, r.api, r.arg_idx, r.macro, b.name, r.line FROM registration r
 *   JOIN func f ON f.id = r.func_id JOIN func b ON b.id = r.by_func_id ORDER BY r.line, f.name
 * check-expect
 * my_init|module_init|module_init||module_init|__inittest|31
 * my_exit|module_exit|module_exit||module_exit|__exittest|32
 * check-expect-end
 * check-query: SELECT name, is_driver, macro FROM func WHERE is_defined ORDER BY name
 * check-expect
 * __exittest|1|module_exit
 * __inittest|1|module_init
 * my_exit|1|
 * my_init|1|
 * not_init|1|
 * check-expect-end
 */
