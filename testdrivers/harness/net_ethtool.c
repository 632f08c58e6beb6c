/*
 * net_ethtool.c - kcut-sim's `ethtool` command: the driver's ethtool operations, called the way the
 * kernel's ethtool ioctl handler calls them (under rtnl_lock(), with the buffers it would allocate), and
 * the answers printed the way the ethtool tool prints them, so a transcript reads like an ethtool session.
 *
 *   ethtool                    link settings and link state (get_link_ksettings, get_link)
 *   ethtool -i                 get_drvinfo
 *   ethtool -g / -G rx N tx N  get_ringparam / set_ringparam
 *   ethtool -S                 get_sset_count, get_strings, get_ethtool_stats
 *   ethtool -t [offline|online] self_test
 *   ethtool -e [offset N] [length N] / -E magic M offset N value V   get_eeprom / set_eeprom
 *   ethtool -s speed N duplex half|full autoneg on|off / -s msglvl N   set_link_ksettings / set_msglevel
 *   ethtool -a / -A ...        get_pauseparam / set_pauseparam
 *   ethtool -r                 nway_reset
 *   ethtool -d                 get_regs
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netdevice.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "harness/net.h"

/* A buffer the ethtool core hands a driver's operation, from the kernel's allocator and freed with
 * kfree as Linux's ethtool_get_eeprom & co. do: a split driver's kernel half then forgets it when
 * the command frees it (the kernel model's free hook), so nothing the user half sends later can
 * name it (issue 14: a synchronization message wrote into a freed ethtool_eeprom). */
static void *net_tmp(size_t n, size_t size)
{
	void *p = kcalloc(n, size, GFP_KERNEL);

	if (!p) {
		fprintf(stderr, "kcut-sim: out of memory\n");
		abort();
	}
	return p;
}

static const struct ethtool_ops *net_ops(struct net_state *st)
{
	return st->nd->ethtool_ops;
}

#define NET_NEED_OP(st, op)                                                            \
	do {                                                                           \
		if (!net_ops(st) || !net_ops(st)->op) {                                \
			sim_printf((st)->sim, "ethtool: operation not supported\n");   \
			return 0;                                                      \
		}                                                                      \
	} while (0)

static void net_print_rc(struct net_state *st, const char *what, int rc)
{
	if (rc)
		sim_printf(st->sim, "ethtool %s: %s\n", what, sim_errname(rc));
	else
		sim_printf(st->sim, "ethtool %s: ok\n", what);
}

/* Parse "key value" pairs after the option; returns the value of key or -1 when absent, -2 when bad. */
static long net_kv(struct sim *sim, int argc, char **argv, int first, const char *key, unsigned long max)
{
	int i;
	unsigned long v;

	for (i = first; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], key))
			continue;
		if (sim_parse_uint(sim, argv[i + 1], max, &v))
			return -2;
		return (long)v;
	}
	return -1;
}

/* on|off value of key: 1, 0, -1 absent, -2 bad */
static int net_kv_bool(int argc, char **argv, int first, const char *key)
{
	int i;

	for (i = first; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], key))
			continue;
		if (!strcmp(argv[i + 1], "on"))
			return 1;
		if (!strcmp(argv[i + 1], "off"))
			return 0;
		return -2;
	}
	return -1;
}

/* every key in argv[first..] must be one of keys (NULL-terminated), with a value */
static bool net_keys_ok(int argc, char **argv, int first, const char *const *keys)
{
	int i, k;

	if ((argc - first) % 2)
		return false;
	for (i = first; i < argc; i += 2) {
		for (k = 0; keys[k]; k++)
			if (!strcmp(argv[i], keys[k]))
				break;
		if (!keys[k])
			return false;
	}
	return true;
}

static int net_settings(struct net_state *st)
{
	struct ethtool_link_ksettings ks;
	u32 link = 0;
	int rc;

	NET_NEED_OP(st, get_link_ksettings);
	memset(&ks, 0, sizeof(ks));
	rtnl_lock();
	rc = net_ops(st)->get_link_ksettings(st->nd, &ks);
	if (!rc && net_ops(st)->get_link)
		link = net_ops(st)->get_link(st->nd);
	rtnl_unlock();
	if (rc) {
		net_print_rc(st, "get_link_ksettings", rc);
		return 0;
	}
	sim_printf(st->sim, "Settings for %s:\n", st->nd->name);
	if (ks.base.speed == (u32)SPEED_UNKNOWN)
		sim_printf(st->sim, "\tSpeed: Unknown!\n");
	else
		sim_printf(st->sim, "\tSpeed: %uMb/s\n", ks.base.speed);
	sim_printf(st->sim, "\tDuplex: %s\n", ks.base.duplex == DUPLEX_FULL ? "Full" :
		   ks.base.duplex == DUPLEX_HALF ? "Half" : "Unknown! (255)");
	sim_printf(st->sim, "\tAuto-negotiation: %s\n", ks.base.autoneg == AUTONEG_ENABLE ? "on" : "off");
	sim_printf(st->sim, "\tLink detected: %s\n", link ? "yes" : "no");
	return 0;
}

static int net_drvinfo(struct net_state *st)
{
	struct ethtool_drvinfo info;

	NET_NEED_OP(st, get_drvinfo);
	memset(&info, 0, sizeof(info));
	rtnl_lock();
	net_ops(st)->get_drvinfo(st->nd, &info);
	if (!info.n_stats && net_ops(st)->get_sset_count)
		info.n_stats = (u32)net_ops(st)->get_sset_count(st->nd, ETH_SS_STATS);
	if (!info.regdump_len && net_ops(st)->get_regs_len)
		info.regdump_len = (u32)net_ops(st)->get_regs_len(st->nd);
	if (!info.eedump_len && net_ops(st)->get_eeprom_len)
		info.eedump_len = (u32)net_ops(st)->get_eeprom_len(st->nd);
	rtnl_unlock();
	sim_printf(st->sim, "driver: %s\n", info.driver);
	sim_printf(st->sim, "version: %s\n", info.version);
	sim_printf(st->sim, "firmware-version: %s\n", info.fw_version);
	sim_printf(st->sim, "bus-info: %s\n", info.bus_info);
	sim_printf(st->sim, "supports-statistics: %s\n", info.n_stats ? "yes" : "no");
	sim_printf(st->sim, "supports-test: %s\n", net_ops(st)->self_test ? "yes" : "no");
	sim_printf(st->sim, "supports-eeprom-access: %s\n", info.eedump_len ? "yes" : "no");
	sim_printf(st->sim, "supports-register-dump: %s\n", info.regdump_len ? "yes" : "no");
	return 0;
}

static int net_get_ring(struct net_state *st)
{
	struct ethtool_ringparam r;
	struct kernel_ethtool_ringparam kr;

	NET_NEED_OP(st, get_ringparam);
	memset(&r, 0, sizeof(r));
	memset(&kr, 0, sizeof(kr));
	rtnl_lock();
	net_ops(st)->get_ringparam(st->nd, &r, &kr, NULL);
	rtnl_unlock();
	sim_printf(st->sim, "Ring parameters for %s:\n", st->nd->name);
	sim_printf(st->sim, "Pre-set maximums:\nRX:\t\t%u\nTX:\t\t%u\n", r.rx_max_pending, r.tx_max_pending);
	sim_printf(st->sim, "Current hardware settings:\nRX:\t\t%u\nTX:\t\t%u\n", r.rx_pending, r.tx_pending);
	return 0;
}

static int net_set_ring(struct net_state *st, int argc, char **argv)
{
	static const char *const keys[] = { "rx", "tx", NULL };
	struct ethtool_ringparam r;
	struct kernel_ethtool_ringparam kr;
	long rx, tx;
	int rc;

	NET_NEED_OP(st, get_ringparam);
	NET_NEED_OP(st, set_ringparam);
	if (!net_keys_ok(argc, argv, 2, keys) || argc < 4)
		return SIM_EUSAGE;
	rx = net_kv(st->sim, argc, argv, 2, "rx", 1u << 20);
	tx = net_kv(st->sim, argc, argv, 2, "tx", 1u << 20);
	if (rx == -2 || tx == -2)
		return SIM_EUSAGE;
	memset(&r, 0, sizeof(r));
	memset(&kr, 0, sizeof(kr));
	rtnl_lock();
	net_ops(st)->get_ringparam(st->nd, &r, &kr, NULL);
	if (rx >= 0)
		r.rx_pending = (u32)rx;
	if (tx >= 0)
		r.tx_pending = (u32)tx;
	rc = net_ops(st)->set_ringparam(st->nd, &r, &kr, NULL);
	rtnl_unlock();
	net_wait_carrier(st, true, 3000);
	net_print_rc(st, "-G", rc);
	return 0;
}

static int net_stats(struct net_state *st)
{
	int n, i;
	u8 *names;
	struct ethtool_stats *es;

	NET_NEED_OP(st, get_sset_count);
	NET_NEED_OP(st, get_strings);
	NET_NEED_OP(st, get_ethtool_stats);
	rtnl_lock();
	n = net_ops(st)->get_sset_count(st->nd, ETH_SS_STATS);
	if (n <= 0) {
		rtnl_unlock();
		sim_printf(st->sim, "no stats available\n");
		return 0;
	}
	names = net_tmp((size_t)n, ETH_GSTRING_LEN);
	es = net_tmp(1, sizeof(*es) + (size_t)n * sizeof(u64));
	es->n_stats = (u32)n;
	net_ops(st)->get_strings(st->nd, ETH_SS_STATS, names);
	net_ops(st)->get_ethtool_stats(st->nd, es, es->data);
	rtnl_unlock();
	sim_printf(st->sim, "NIC statistics:\n");
	for (i = 0; i < n; i++)
		sim_printf(st->sim, "     %.*s: %llu\n", ETH_GSTRING_LEN, (char *)names + i * ETH_GSTRING_LEN,
			   (unsigned long long)es->data[i]);
	kfree(names);
	kfree(es);
	return 0;
}

static int net_selftest(struct net_state *st, int argc, char **argv)
{
	bool offline = true;
	struct ethtool_test *t;
	u8 *names;
	int n, i;

	NET_NEED_OP(st, self_test);
	NET_NEED_OP(st, get_sset_count);
	if (argc == 3 && !strcmp(argv[2], "online"))
		offline = false;
	else if (argc == 3 && strcmp(argv[2], "offline"))
		return SIM_EUSAGE;
	else if (argc > 3)
		return SIM_EUSAGE;
	rtnl_lock();
	n = net_ops(st)->get_sset_count(st->nd, ETH_SS_TEST);
	if (n <= 0) {
		rtnl_unlock();
		sim_printf(st->sim, "ethtool -t: no tests\n");
		return 0;
	}
	names = net_tmp((size_t)n, ETH_GSTRING_LEN);
	t = net_tmp(1, sizeof(*t) + (size_t)n * sizeof(u64));
	t->flags = offline ? ETH_TEST_FL_OFFLINE : 0;
	t->len = (u32)n;
	net_ops(st)->get_strings(st->nd, ETH_SS_TEST, names);
	net_ops(st)->self_test(st->nd, t, t->data);
	rtnl_unlock();
	net_wait_carrier(st, true, 3000);
	net_flush_frames(st);
	sim_printf(st->sim, "The test result is %s\n", (t->flags & ETH_TEST_FL_FAILED) ? "FAIL" : "PASS");
	sim_printf(st->sim, "The test extra info:\n");
	for (i = 0; i < n; i++)
		sim_printf(st->sim, "%.*s\t %llu\n", ETH_GSTRING_LEN, (char *)names + i * ETH_GSTRING_LEN,
			   (unsigned long long)t->data[i]);
	kfree(names);
	kfree(t);
	return 0;
}

static int net_get_eeprom(struct net_state *st, int argc, char **argv)
{
	static const char *const keys[] = { "offset", "length", NULL };
	struct ethtool_eeprom *ee;
	long off, len;
	int total, rc;
	u32 i;

	NET_NEED_OP(st, get_eeprom_len);
	NET_NEED_OP(st, get_eeprom);
	if (!net_keys_ok(argc, argv, 2, keys))
		return SIM_EUSAGE;
	off = net_kv(st->sim, argc, argv, 2, "offset", 1u << 20);
	len = net_kv(st->sim, argc, argv, 2, "length", 1u << 20);
	if (off == -2 || len == -2)
		return SIM_EUSAGE;
	rtnl_lock();
	total = net_ops(st)->get_eeprom_len(st->nd);
	if (off < 0)
		off = 0;
	if (len < 0)
		len = total - off;
	if (off + len > total || len <= 0) {
		rtnl_unlock();
		sim_printf(st->sim, "ethtool -e: offset & length out of bounds (EEPROM is %d bytes)\n", total);
		return 0;
	}
	ee = net_tmp(1, sizeof(*ee) + (size_t)len);
	ee->offset = (u32)off;
	ee->len = (u32)len;
	rc = net_ops(st)->get_eeprom(st->nd, ee, ee->data);
	rtnl_unlock();
	if (rc) {
		net_print_rc(st, "-e", rc);
	} else {
		sim_printf(st->sim, "Offset\t\tValues\n------\t\t------");
		for (i = 0; i < ee->len; i++) {
			if (i % 16 == 0)
				sim_printf(st->sim, "\n0x%04x:\t\t", ee->offset + i);
			sim_printf(st->sim, "%02x ", ee->data[i]);
		}
		sim_printf(st->sim, "\n");
		sim_printf(st->sim, "magic: 0x%08x\n", ee->magic);
	}
	kfree(ee);
	return 0;
}

static int net_set_eeprom(struct net_state *st, int argc, char **argv)
{
	static const char *const keys[] = { "magic", "offset", "value", NULL };
	struct ethtool_eeprom *ee;
	long magic, off, val;
	int rc;

	NET_NEED_OP(st, set_eeprom);
	if (!net_keys_ok(argc, argv, 2, keys))
		return SIM_EUSAGE;
	magic = net_kv(st->sim, argc, argv, 2, "magic", 0xFFFFFFFFul);
	off = net_kv(st->sim, argc, argv, 2, "offset", 1u << 20);
	val = net_kv(st->sim, argc, argv, 2, "value", 0xFF);
	if (magic < 0 || off < 0 || val < 0)
		return SIM_EUSAGE;
	ee = net_tmp(1, sizeof(*ee) + 1);
	ee->magic = (u32)magic;
	ee->offset = (u32)off;
	ee->len = 1;
	ee->data[0] = (u8)val;
	rtnl_lock();
	rc = net_ops(st)->set_eeprom(st->nd, ee, ee->data);
	rtnl_unlock();
	kfree(ee);
	net_print_rc(st, "-E", rc);
	return 0;
}

static int net_set_settings(struct net_state *st, int argc, char **argv)
{
	static const char *const keys[] = { "speed", "duplex", "autoneg", "msglvl", NULL };
	struct ethtool_link_ksettings ks;
	long speed, msglvl;
	int an, i, rc;
	int duplex = -1;

	if (!net_keys_ok(argc, argv, 2, keys) || argc < 4)
		return SIM_EUSAGE;
	msglvl = net_kv(st->sim, argc, argv, 2, "msglvl", 0xFFFFFFFFul);
	if (msglvl == -2)
		return SIM_EUSAGE;
	if (msglvl >= 0) {
		NET_NEED_OP(st, set_msglevel);
		rtnl_lock();
		net_ops(st)->set_msglevel(st->nd, (u32)msglvl);
		rtnl_unlock();
		sim_printf(st->sim, "ethtool -s msglvl: 0x%lx\n", msglvl);
		if (argc == 4)
			return 0;
	}
	speed = net_kv(st->sim, argc, argv, 2, "speed", 100000);
	an = net_kv_bool(argc, argv, 2, "autoneg");
	for (i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], "duplex"))
			duplex = !strcmp(argv[i + 1], "full") ? DUPLEX_FULL :
				 !strcmp(argv[i + 1], "half") ? DUPLEX_HALF : -2;
	if (speed == -2 || an == -2 || duplex == -2)
		return SIM_EUSAGE;
	NET_NEED_OP(st, get_link_ksettings);
	NET_NEED_OP(st, set_link_ksettings);
	memset(&ks, 0, sizeof(ks));
	rtnl_lock();
	rc = net_ops(st)->get_link_ksettings(st->nd, &ks);
	if (!rc) {
		if (speed >= 0)
			ks.base.speed = (u32)speed;
		if (duplex >= 0)
			ks.base.duplex = (u8)duplex;
		if (an >= 0)
			ks.base.autoneg = an ? AUTONEG_ENABLE : AUTONEG_DISABLE;
		else if (speed >= 0 || duplex >= 0)
			ks.base.autoneg = AUTONEG_DISABLE;
		ks.base.eth_tp_mdix_ctrl = 0;
		rc = net_ops(st)->set_link_ksettings(st->nd, &ks);
	}
	rtnl_unlock();
	net_wait_carrier(st, true, 3000);
	net_print_rc(st, "-s", rc);
	return 0;
}

static int net_get_pause(struct net_state *st)
{
	struct ethtool_pauseparam p;

	NET_NEED_OP(st, get_pauseparam);
	memset(&p, 0, sizeof(p));
	rtnl_lock();
	net_ops(st)->get_pauseparam(st->nd, &p);
	rtnl_unlock();
	sim_printf(st->sim, "Pause parameters for %s:\n", st->nd->name);
	sim_printf(st->sim, "Autonegotiate:\t%s\nRX:\t\t%s\nTX:\t\t%s\n", p.autoneg ? "on" : "off",
		   p.rx_pause ? "on" : "off", p.tx_pause ? "on" : "off");
	return 0;
}

static int net_set_pause(struct net_state *st, int argc, char **argv)
{
	static const char *const keys[] = { "autoneg", "rx", "tx", NULL };
	struct ethtool_pauseparam p;
	int an, rx, tx, rc;

	NET_NEED_OP(st, get_pauseparam);
	NET_NEED_OP(st, set_pauseparam);
	if (!net_keys_ok(argc, argv, 2, keys) || argc < 4)
		return SIM_EUSAGE;
	an = net_kv_bool(argc, argv, 2, "autoneg");
	rx = net_kv_bool(argc, argv, 2, "rx");
	tx = net_kv_bool(argc, argv, 2, "tx");
	if (an == -2 || rx == -2 || tx == -2)
		return SIM_EUSAGE;
	memset(&p, 0, sizeof(p));
	rtnl_lock();
	net_ops(st)->get_pauseparam(st->nd, &p);
	if (an >= 0)
		p.autoneg = (u32)an;
	if (rx >= 0)
		p.rx_pause = (u32)rx;
	if (tx >= 0)
		p.tx_pause = (u32)tx;
	rc = net_ops(st)->set_pauseparam(st->nd, &p);
	rtnl_unlock();
	net_wait_carrier(st, true, 3000);
	net_print_rc(st, "-A", rc);
	return 0;
}

static int net_nway(struct net_state *st)
{
	int rc;

	NET_NEED_OP(st, nway_reset);
	rtnl_lock();
	rc = net_ops(st)->nway_reset(st->nd);
	rtnl_unlock();
	net_wait_carrier(st, true, 3000);
	net_print_rc(st, "-r", rc);
	return 0;
}

static int net_regs(struct net_state *st)
{
	struct ethtool_regs *regs;
	int len, i;
	u32 *w;

	NET_NEED_OP(st, get_regs_len);
	NET_NEED_OP(st, get_regs);
	rtnl_lock();
	len = net_ops(st)->get_regs_len(st->nd);
	if (len <= 0) {
		rtnl_unlock();
		sim_printf(st->sim, "ethtool -d: no registers\n");
		return 0;
	}
	regs = net_tmp(1, sizeof(*regs) + (size_t)len + 4);
	regs->len = (u32)len;
	net_ops(st)->get_regs(st->nd, regs, regs->data);
	rtnl_unlock();
	sim_printf(st->sim, "register dump version 0x%08x, %d bytes\n", regs->version, len);
	w = (u32 *)(void *)regs->data;
	for (i = 0; i < len / 4; i++)
		sim_printf(st->sim, "%s0x%08x%s", i % 4 ? " " : "", w[i], i % 4 == 3 || i == len / 4 - 1 ? "\n" : "");
	kfree(regs);
	return 0;
}

static int net_dispatch(struct net_state *st, int argc, char **argv);

/* As Linux's dev_ethtool: the table's begin before the request (a negative errno fails it) and
 * complete after it. (Linux holds rtnl_lock from begin to complete; here begin, the request and
 * complete each take it.) */
int net_cmd_ethtool(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	const struct ethtool_ops *ops;
	int rc;

	if (!st)
		return -ENODEV;
	net_flush_frames(st);
	ops = net_ops(st);
	if (ops && ops->begin) {
		rtnl_lock();
		rc = ops->begin(st->nd);
		rtnl_unlock();
		if (rc < 0) {
			sim_printf(sim, "ethtool %s: %s\n", argc > 1 ? argv[1] : "", sim_errname(rc));
			return 0;
		}
	}
	rc = net_dispatch(st, argc, argv);
	if (ops && ops->complete) {
		rtnl_lock();
		ops->complete(st->nd);
		rtnl_unlock();
	}
	return rc;
}

static int net_dispatch(struct net_state *st, int argc, char **argv)
{
	const char *opt;

	if (argc == 1)
		return net_settings(st);
	opt = argv[1];
	if (!strcmp(opt, "-i") && argc == 2)
		return net_drvinfo(st);
	if (!strcmp(opt, "-g") && argc == 2)
		return net_get_ring(st);
	if (!strcmp(opt, "-G"))
		return net_set_ring(st, argc, argv);
	if (!strcmp(opt, "-S") && argc == 2)
		return net_stats(st);
	if (!strcmp(opt, "-t"))
		return net_selftest(st, argc, argv);
	if (!strcmp(opt, "-e"))
		return net_get_eeprom(st, argc, argv);
	if (!strcmp(opt, "-E"))
		return net_set_eeprom(st, argc, argv);
	if (!strcmp(opt, "-s"))
		return net_set_settings(st, argc, argv);
	if (!strcmp(opt, "-a") && argc == 2)
		return net_get_pause(st);
	if (!strcmp(opt, "-A"))
		return net_set_pause(st, argc, argv);
	if (!strcmp(opt, "-r") && argc == 2)
		return net_nway(st);
	if (!strcmp(opt, "-d") && argc == 2)
		return net_regs(st);
	return SIM_EUSAGE;
}
