/* Access-path roots: parameter index, local, global, call; nested paths through embedded structs. */
#include <linux/types.h>

struct hw {
	u8 *hw_addr;
	int mac_type;
};

struct adapter {
	struct hw hw;
	struct adapter *next;
	int msg_enable;
};

struct adapter *get_adapter(void);
struct adapter global_adapter;

int probe(int unused, struct adapter *adapter)
{
	struct adapter *local = adapter->next;

	adapter->hw.hw_addr = NULL;
	local->msg_enable = 1;
	global_adapter.hw.mac_type = 2;
	return get_adapter()->msg_enable;
}

/*
 * check-name: access-path roots
 * check-query: SELECT struct_name, field, mode, root_kind, root_idx, root_name, path FROM field_access
 *   ORDER BY line, col
 * check-expect
 * adapter|next|read|param|1|adapter|adapter->next
 * hw|hw_addr|write|param|1|adapter|adapter->hw.hw_addr
 * adapter|msg_enable|write|local||local|local->msg_enable
 * hw|mac_type|write|global||global_adapter|global_adapter.hw.mac_type
 * adapter|msg_enable|read|call||get_adapter|get_adapter()->msg_enable
 * check-expect-end
 */
