/* A driver that #includes a .c file (like sound/pci/ens1371.c including ens1370.c). */
#define CHIP_1371
#include "tu/included_part.c"

int chip_probe(void)
{
	return common_init() + 1;
}

/*
 * check-name: #included .c file: its functions are driver functions in that file
 * check-query: SELECT name, func.is_driver, substr(fl.path, -15) FROM func JOIN file fl ON fl.id = func.file_id
 *   ORDER BY name
 * check-expect
 * chip_probe|1|ses/include_c.c
 * common_helper|1|included_part.c
 * common_init|1|included_part.c
 * check-expect-end
 *
 * check-query: SELECT count(*) FROM tu
 * check-expect
 * 1
 * check-expect-end
 */
