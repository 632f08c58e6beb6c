/* module_param generates __check_<name>: stored as a driver function with func.macro set. */
#include <linux/module.h>

static int debug = 1;
module_param(debug, int, 0);

int get_debug(void)
{
	return debug;
}

/*
 * check-name: macro-generated functions
 * check-query: SELECT name, is_driver, macro FROM func WHERE is_defined ORDER BY name
 * check-expect
 * __check_debug|1|module_param
 * get_debug|1|
 * check-expect-end
 */
