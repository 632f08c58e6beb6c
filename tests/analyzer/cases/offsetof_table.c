/* A stats table initialized with offsetof(): every function that uses the table (outside sizeof)
 * reads each field it names, including both steps of a nested path (field_access.via = 'offsetof');
 * an anonymous union on the path is implicit; a typedef'd anonymous struct is named by its typedef. */
#include <linux/stddef.h>
#include <linux/types.h>

struct hw_stats {
	u64 crcerrs;
	u64 mpc;
};

struct dev_stats {
	unsigned long rx_errors;
	unsigned long rx_dropped;
};

struct my_netdev {
	int mtu;
	struct dev_stats stats;
};

struct dev_stats2 {
	union {
		unsigned long tx_errors;
		long __tx_errors;
	};
};

typedef struct {
	u32 polls;
} poll_stats_t;

struct my_adapter {
	struct hw_stats stats;
	struct dev_stats2 stats2;
	poll_stats_t pstats;
	u32 restart_queue;
	u32 ring_count[4];
};

enum { NETDEV_STATS, ADAPTER_STATS };

struct my_stat {
	char name[32];
	int type;
	int sizeof_stat;
	int stat_offset;
};

#define MY_STAT(m) ADAPTER_STATS, sizeof(((struct my_adapter *)0)->m), offsetof(struct my_adapter, m)
#define MY_NETDEV_STAT(m) NETDEV_STATS, sizeof(((struct my_netdev *)0)->m), offsetof(struct my_netdev, m)

static const struct my_stat my_gstrings_stats[] = {
	{ "rx_crc_errors", MY_STAT(stats.crcerrs) },
	{ "rx_missed", MY_STAT(stats.mpc) },
	{ "tx_restart_queue", MY_STAT(restart_queue) },
	{ "ring1", MY_STAT(ring_count[1]) },
	{ "rx_errors", MY_NETDEV_STAT(stats.rx_errors) },
	{ "rx_dropped", .type = NETDEV_STATS, .stat_offset = offsetof(struct my_netdev, stats.rx_dropped) },
	{ "tx_errors", MY_STAT(stats2.tx_errors) },
	{ "polls", ADAPTER_STATS, 4, offsetof(poll_stats_t, polls) },
};

/* uses the table: reads every field it names */
void get_stats(struct my_netdev *netdev, struct my_adapter *adapter, u64 *data)
{
	const struct my_stat *stat = my_gstrings_stats;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(my_gstrings_stats); i++, stat++) {
		char *p = stat->type == NETDEV_STATS ? (char *)netdev : (char *)adapter;

		data[i] = *(u64 *)(p + stat->stat_offset);
	}
}

/* only the table's size (unevaluated): no field read */
int get_count(void)
{
	return ARRAY_SIZE(my_gstrings_stats);
}

/* does not use the table */
int get_mtu(struct my_netdev *netdev)
{
	return netdev->mtu;
}

/*
 * check-name: fields named by offsetof in a table are read by the table's users
 * check-query: SELECT f.name, a.struct_name, a.field, a.mode, a.root_kind, a.root_name, a.path, a.line
 *   FROM field_access a JOIN func f ON f.id = a.func_id WHERE a.via = 'offsetof' ORDER BY f.name, a.id
 * check-expect
 * get_stats|my_adapter|stats|read|global|my_gstrings_stats|offsetof(struct my_adapter, stats.crcerrs)|67
 * get_stats|hw_stats|crcerrs|read|global|my_gstrings_stats|offsetof(struct my_adapter, stats.crcerrs)|67
 * get_stats|hw_stats|mpc|read|global|my_gstrings_stats|offsetof(struct my_adapter, stats.mpc)|67
 * get_stats|my_adapter|restart_queue|read|global|my_gstrings_stats|offsetof(struct my_adapter, restart_queue)|67
 * get_stats|my_adapter|ring_count|read|global|my_gstrings_stats|offsetof(struct my_adapter, ring_count[1])|67
 * get_stats|my_netdev|stats|read|global|my_gstrings_stats|offsetof(struct my_netdev, stats.rx_errors)|67
 * get_stats|dev_stats|rx_errors|read|global|my_gstrings_stats|offsetof(struct my_netdev, stats.rx_errors)|67
 * get_stats|dev_stats|rx_dropped|read|global|my_gstrings_stats|offsetof(struct my_netdev, stats.rx_dropped)|67
 * get_stats|my_adapter|stats2|read|global|my_gstrings_stats|offsetof(struct my_adapter, stats2.tx_errors)|67
 * get_stats|dev_stats2|tx_errors|read|global|my_gstrings_stats|offsetof(struct my_adapter, stats2.tx_errors)|67
 * get_stats|poll_stats_t|polls|read|global|my_gstrings_stats|offsetof(poll_stats_t, polls)|67
 * check-expect-end
 * check-query: SELECT f.name, a.struct_name, a.field, a.mode FROM field_access a JOIN func f ON f.id = a.func_id
 *   WHERE a.via IS NULL ORDER BY f.name, a.id
 * check-expect
 * get_mtu|my_netdev|mtu|read
 * get_stats|my_stat|type|read
 * get_stats|my_stat|stat_offset|read
 * check-expect-end
 */
