/*
 * net.c - kcut-sim's NIC scenario commands: bring the interface up and down, send and receive frames,
 * change MTU and multicast filters, pull the cable, arm the simnic device's fault knobs, print counters,
 * and measure throughput.
 *
 * The commands act on the first registered net device as the kernel core would (rtnl_lock(), dev_open(),
 * dev_queue_xmit(), dev_mc_add() ...) and on the simnic device model through its harness interface
 * (devices/simnic/simnic_dev.h).  Everything is recorded deterministically: frames are printed as their
 * length and CRC-32 in the order they crossed the wire, waits are in virtual time.  `throughput` is the
 * exception: it reports packets/s, Mbit/s and CPU time with sim_report(), outside the transcript.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/rtnetlink.h>
#include <linux/socket.h>

#include "harness/net.h"
#include "devices/simnic/simnic_dev.h"

#define NET_ETHERTYPE 0x88B5		/* IEEE local experimental */
#define NET_MS 1000000ULL		/* ns per ms */
#define NET_FRAME_MAX 16384

static const uint8_t net_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static struct net_state net_st;

uint32_t net_crc32(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t c = 0xFFFFFFFFu;
	size_t i;

	if (!table[1]) {
		for (uint32_t k = 0; k < 256; k++) {
			uint32_t v = k;

			for (int b = 0; b < 8; b++)
				v = (v & 1) ? 0xEDB88320u ^ (v >> 1) : v >> 1;
			table[k] = v;
		}
	}
	for (i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xFF)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static void net_log_add(struct net_log *log, bool keep, const uint8_t *frame, size_t len)
{
	log->total++;
	log->bytes += len;
	if (!keep)
		return;
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 256;
		log->v = kc_xrealloc(log->v, log->cap * sizeof(*log->v));
	}
	log->v[log->n].seq = log->total;
	log->v[log->n].len = (uint32_t)len;
	log->v[log->n].crc = net_crc32(frame, len);
	log->n++;
}

/* device thread: a frame left on the wire */
static void net_wire_cb(void *arg, const uint8_t *frame, size_t len)
{
	struct net_state *st = arg;

	net_log_add(&st->tx, !st->bench, frame, len);
}

/* receiving context (softirq): the driver passed a frame up */
static void net_rx_hook(void *arg, struct net_device *dev, const uint8_t *frame, size_t len)
{
	struct net_state *st = arg;

	net_log_add(&st->rx, !st->bench, frame, len);
}

struct net_state *net_get(struct sim *sim, bool need_nd)
{
	struct net_state *st = &net_st;
	struct simnic_dev *dev = sim_device(sim, "simnic");

	st->sim = sim;
	if (dev != st->dev) {
		st->dev = dev;
		if (dev)
			simnic_dev_set_wire(dev, net_wire_cb, st);
	}
	if (!st->hooked) {
		kc_km_net_set_rx_hook(net_rx_hook, st);
		st->hooked = true;
	}
	st->nd = kc_km_netdev_at(0);
	if (need_nd && !st->nd) {
		sim_printf(sim, "error: no net device (was the driver probed?)\n");
		return NULL;
	}
	return st;
}

static void net_flush_log(struct net_state *st, struct net_log *log, const char *dir)
{
	for (; log->printed < log->n; log->printed++)
		sim_printf(st->sim, "%s %llu: len %u crc32 0x%08x\n", dir,
			   (unsigned long long)log->v[log->printed].seq, log->v[log->printed].len,
			   log->v[log->printed].crc);
}

void net_flush_frames(struct net_state *st)
{
	net_flush_log(st, &st->tx, "tx");
	net_flush_log(st, &st->rx, "rx");
}

/* the device holds no throttled interrupt: nothing more happens without outside input */
static bool net_dev_idle(struct net_state *st)
{
	return !st->dev || simnic_dev_next_event_ns(st->dev) == 0;
}

bool net_run_until(struct net_state *st, bool (*done)(struct net_state *st, void *arg), void *arg,
		   uint64_t limit_ns, uint64_t step_ns)
{
	uint64_t start = kc_km_now_ns();

	for (;;) {
		uint64_t step = step_ns;
		bool ok;

		sim_settle(st->sim);
		ok = done(st, arg);
		if (ok && net_dev_idle(st))
			return true;
		if (kc_km_now_ns() - start >= limit_ns)
			return ok;
		if (st->dev) {
			uint64_t ev = simnic_dev_next_event_ns(st->dev);

			if (ev && (ev < step || ok))
				step = ev;
		}
		kc_km_advance(step);
		if (st->dev)
			simnic_dev_service(st->dev);
	}
}

static bool net_always(struct net_state *st, void *arg)
{
	return true;
}

/* Settle and let held (throttled) interrupts go out, so counters and frames are final. */
static void net_quiesce(struct net_state *st)
{
	net_run_until(st, net_always, NULL, 10 * NET_MS, NET_MS / 20);
}

static bool net_carrier_is(struct net_state *st, void *arg)
{
	return netif_carrier_ok(st->nd) == *(bool *)arg;
}

void net_wait_carrier(struct net_state *st, bool on, unsigned int limit_ms)
{
	if (!st->nd || !netif_running(st->nd)) {
		sim_settle(st->sim);
		return;
	}
	net_run_until(st, net_carrier_is, &on, (uint64_t)limit_ms * NET_MS, 4 * NET_MS);
}

/* `up`: open the interface and wait (virtual time, at most 2 s) for the carrier */
static int net_cmd_up(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	bool on = true;
	int rc;

	if (!st)
		return -ENODEV;
	if (argc != 1)
		return SIM_EUSAGE;
	rtnl_lock();
	rc = dev_open(st->nd, NULL);
	rtnl_unlock();
	if (rc) {
		sim_printf(sim, "up: %s: %s\n", st->nd->name, sim_errname(rc));
		return 0;
	}
	net_wait_carrier(st, on, 2000);
	net_flush_frames(st);
	sim_printf(sim, "up: %s carrier %s\n", st->nd->name, netif_carrier_ok(st->nd) ? "on" : "off");
	return 0;
}

/* `down`: close the interface */
static int net_cmd_down(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);

	if (!st)
		return -ENODEV;
	if (argc != 1)
		return SIM_EUSAGE;
	rtnl_lock();
	dev_close(st->nd);
	rtnl_unlock();
	sim_settle(sim);
	net_flush_frames(st);
	sim_printf(sim, "down: %s\n", st->nd->name);
	return 0;
}

/* Fill a test frame: dst, src, our ethertype, then a payload that depends on the sequence number. */
static void net_fill(uint8_t *p, size_t len, const uint8_t *dst, const uint8_t *src, unsigned long seq)
{
	size_t i;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = NET_ETHERTYPE >> 8;
	p[13] = NET_ETHERTYPE & 0xFF;
	for (i = 14; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i * 7);
	if (len >= 18) {
		p[14] = (uint8_t)(seq >> 24);
		p[15] = (uint8_t)(seq >> 16);
		p[16] = (uint8_t)(seq >> 8);
		p[17] = (uint8_t)seq;
	}
}

struct net_wait_count {
	const struct net_log *log;
	uint64_t target;
};

static bool net_count_reached(struct net_state *st, void *arg)
{
	struct net_wait_count *w = arg;

	return w->log->total >= w->target;
}

static bool net_backlog_low(struct net_state *st, void *arg)
{
	return kc_km_netdev_backlog(st->nd) < *(unsigned int *)arg;
}

/* Parse "[bcast|mcast|self|peer|XX:XX:XX:XX:XX:XX]"; returns 0 or -1. */
static int net_parse_dst(struct net_state *st, const char *s, uint8_t mac[6], const uint8_t *self)
{
	if (!strcmp(s, "bcast")) {
		memset(mac, 0xFF, 6);
		return 0;
	}
	if (!strcmp(s, "self")) {
		memcpy(mac, self, 6);
		return 0;
	}
	if (!strcmp(s, "peer")) {
		memcpy(mac, net_peer_mac, 6);
		return 0;
	}
	return net_parse_mac(s, mac);
}

/* Queue n frames of len bytes through dev_queue_xmit(); returns frames the stack accepted. */
static unsigned long net_xmit_frames(struct net_state *st, unsigned long n, unsigned long len,
				     const uint8_t *dst, unsigned long seq0)
{
	unsigned long i, accepted = 0;
	unsigned int low = 64;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		if (kc_km_netdev_backlog(st->nd) >= 512)
			net_run_until(st, net_backlog_low, &low, 1000 * NET_MS, NET_MS / 20);
		skb = netdev_alloc_skb(st->nd, (unsigned int)len);
		if (!skb)
			break;
		net_fill(skb_put(skb, (unsigned int)len), len, dst, st->nd->dev_addr, seq0 + i);
		skb->dev = st->nd;
		skb->protocol = htons(NET_ETHERTYPE);
		if (dev_queue_xmit(skb) == NET_XMIT_SUCCESS)
			accepted++;
	}
	return accepted;
}

/* `send N SIZE [DST]`: transmit N frames; wait (at most 200 ms virtual) for them to reach the wire */
static int net_cmd_send(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	unsigned long n, len, accepted;
	uint8_t dst[6];
	struct net_wait_count w;

	if (!st)
		return -ENODEV;
	if (argc < 3 || argc > 4 || sim_parse_uint(sim, argv[1], 1000000, &n) ||
	    sim_parse_uint(sim, argv[2], NET_FRAME_MAX, &len))
		return SIM_EUSAGE;
	if (len < 14) {
		sim_printf(sim, "send: SIZE must be at least 14 (an Ethernet header)\n");
		return SIM_EUSAGE;
	}
	memcpy(dst, net_peer_mac, 6);
	if (argc == 4 && net_parse_dst(st, argv[3], dst, st->nd->dev_addr)) {
		sim_printf(sim, "send: bad destination '%s'\n", argv[3]);
		return SIM_EUSAGE;
	}
	net_flush_frames(st);
	w.log = &st->tx;
	w.target = st->tx.total + n;
	accepted = net_xmit_frames(st, n, len, dst, st->tx.total);
	net_run_until(st, net_count_reached, &w, 200 * NET_MS, NET_MS / 20);
	net_flush_frames(st);
	if (accepted != n)
		sim_printf(sim, "send: the stack accepted %lu of %lu frames\n", accepted, n);
	if (st->tx.total < w.target)
		sim_printf(sim, "send: %llu of %lu frames reached the wire\n",
			   (unsigned long long)(n - (w.target - st->tx.total)), n);
	return 0;
}

struct net_rx_wait {
	uint64_t target;
};

/* done when everything arrived, or nothing more can arrive without time passing */
static bool net_rx_done(struct net_state *st, void *arg)
{
	struct net_rx_wait *w = arg;

	if (st->rx.total >= w->target)
		return true;
	return simnic_dev_rx_fifo_len(st->dev) == 0 && simnic_dev_next_event_ns(st->dev) == 0;
}

static bool net_fifo_low(struct net_state *st, void *arg)
{
	return simnic_dev_rx_fifo_len(st->dev) < 256;
}

/* Push n frames into the device from the wire side; returns frames the FIFO took. */
static unsigned long net_wire_frames(struct net_state *st, unsigned long n, unsigned long len,
				     const uint8_t *dst, unsigned long seq0)
{
	uint8_t *buf = kc_xmalloc(len);
	unsigned long i, taken = 0;

	for (i = 0; i < n; i++) {
		net_fill(buf, len, dst, net_peer_mac, seq0 + i);
		if (simnic_dev_wire_rx(st->dev, buf, len) == KC_ENOMEM) {
			net_run_until(st, net_fifo_low, NULL, 1000 * NET_MS, NET_MS / 20);
			if (simnic_dev_wire_rx(st->dev, buf, len) == KC_ENOMEM)
				continue;
		}
		taken++;
	}
	free(buf);
	return taken;
}

/* `receive N SIZE [DST]`: frames arrive from the wire (to our own address unless DST says otherwise) */
static int net_cmd_receive(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	unsigned long n, len, before;
	struct net_rx_wait w;
	uint8_t dst[6];

	if (!st)
		return -ENODEV;
	if (!st->dev) {
		sim_printf(sim, "receive: no simnic device\n");
		return -ENODEV;
	}
	if (argc < 3 || argc > 4 || sim_parse_uint(sim, argv[1], 1000000, &n) ||
	    sim_parse_uint(sim, argv[2], NET_FRAME_MAX, &len))
		return SIM_EUSAGE;
	if (len < 14) {
		sim_printf(sim, "receive: SIZE must be at least 14 (an Ethernet header)\n");
		return SIM_EUSAGE;
	}
	memcpy(dst, st->nd->dev_addr, 6);
	if (argc == 4 && net_parse_dst(st, argv[3], dst, st->nd->dev_addr)) {
		sim_printf(sim, "receive: bad destination '%s'\n", argv[3]);
		return SIM_EUSAGE;
	}
	net_flush_frames(st);
	before = (unsigned long)st->rx.total;
	w.target = st->rx.total + n;
	net_wire_frames(st, n, len, dst, st->rx.total);
	net_run_until(st, net_rx_done, &w, 200 * NET_MS, NET_MS / 20);
	net_flush_frames(st);
	if (st->rx.total < w.target)
		sim_printf(sim, "receive: %lu of %lu frames delivered\n",
			   (unsigned long)st->rx.total - before, n);
	return 0;
}

/* `frames`: print frames recorded since the last NIC command (e.g. after a `wait`) */
static int net_cmd_frames(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, false);

	if (argc != 1)
		return SIM_EUSAGE;
	net_quiesce(st);
	net_flush_frames(st);
	sim_printf(sim, "frames: tx %llu rx %llu\n", (unsigned long long)st->tx.total,
		   (unsigned long long)st->rx.total);
	return 0;
}

/* `mtu N` */
static int net_cmd_mtu(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	unsigned long mtu;
	int rc;

	if (!st)
		return -ENODEV;
	if (argc != 2 || sim_parse_uint(sim, argv[1], 65535, &mtu))
		return SIM_EUSAGE;
	rtnl_lock();
	rc = dev_set_mtu(st->nd, (int)mtu);
	rtnl_unlock();
	net_wait_carrier(st, true, 2000);
	net_flush_frames(st);
	if (rc)
		sim_printf(sim, "mtu: %lu: %s\n", mtu, sim_errname(rc));
	else
		sim_printf(sim, "mtu: %u\n", st->nd->mtu);
	return 0;
}

/* `mcast add|del ADDR` */
static int net_cmd_mcast(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	uint8_t mac[6];
	int rc;

	if (!st)
		return -ENODEV;
	if (argc != 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")) || net_parse_mac(argv[2], mac))
		return SIM_EUSAGE;
	if (!(mac[0] & 1)) {
		sim_printf(sim, "mcast: %s is not a multicast address\n", argv[2]);
		return SIM_EUSAGE;
	}
	rtnl_lock();
	rc = !strcmp(argv[1], "add") ? dev_mc_add(st->nd, mac) : dev_mc_del(st->nd, mac);
	rtnl_unlock();
	sim_settle(sim);
	net_flush_frames(st);
	sim_printf(sim, "mcast %s %s: %s\n", argv[1], argv[2], rc ? sim_errname(rc) : "ok");
	return 0;
}

/* `macaddr ADDR`: set the station address (dev_set_mac_address -> ndo_set_mac_address) */
static int net_cmd_macaddr(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	struct sockaddr sa;
	uint8_t mac[6];
	int rc;

	if (!st)
		return -ENODEV;
	if (argc != 2 || net_parse_mac(argv[1], mac))
		return SIM_EUSAGE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = 1;	/* ARPHRD_ETHER */
	memcpy(sa.sa_data, mac, 6);
	rtnl_lock();
	rc = dev_set_mac_address(st->nd, &sa, NULL);
	rtnl_unlock();
	sim_settle(sim);
	sim_printf(sim, "macaddr %s: %s\n", argv[1], rc ? sim_errname(rc) : "ok");
	return 0;
}

/* `promisc on|off` */
static int net_cmd_promisc(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	int rc;

	if (!st)
		return -ENODEV;
	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return SIM_EUSAGE;
	rtnl_lock();
	rc = dev_set_promiscuity(st->nd, !strcmp(argv[1], "on") ? 1 : -1);
	rtnl_unlock();
	sim_settle(sim);
	sim_printf(sim, "promisc %s: %s\n", argv[1], rc ? sim_errname(rc) : "ok");
	return 0;
}

/* `link down|up`: pull or plug the cable; wait (at most 3 s virtual) for the driver to notice */
static int net_cmd_link(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, false);
	bool up;

	if (argc != 2 || (strcmp(argv[1], "up") && strcmp(argv[1], "down")))
		return SIM_EUSAGE;
	if (!st->dev) {
		sim_printf(sim, "link: no simnic device\n");
		return -ENODEV;
	}
	up = !strcmp(argv[1], "up");
	simnic_dev_set_link(st->dev, up);
	net_wait_carrier(st, up, 3000);
	net_flush_frames(st);
	if (st->nd)
		sim_printf(sim, "link: cable %s, %s carrier %s\n", argv[1], st->nd->name,
			   netif_carrier_ok(st->nd) ? "on" : "off");
	else
		sim_printf(sim, "link: cable %s\n", argv[1]);
	return 0;
}

/* `fault eeprom bad|good` | `fault drop-irq N` | `fault rx-crc N` | `fault stuck-tx` */
static int net_cmd_fault(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, false);
	unsigned long n;

	if (!st->dev) {
		sim_printf(sim, "fault: no simnic device\n");
		return -ENODEV;
	}
	if (argc == 3 && !strcmp(argv[1], "eeprom") && (!strcmp(argv[2], "bad") || !strcmp(argv[2], "good"))) {
		simnic_dev_fault_eeprom(st->dev, !strcmp(argv[2], "bad"));
	} else if (argc == 3 && !strcmp(argv[1], "drop-irq")) {
		if (sim_parse_uint(sim, argv[2], 1000000, &n))
			return SIM_EUSAGE;
		simnic_dev_fault_drop_irq(st->dev, (unsigned int)n);
	} else if (argc == 3 && !strcmp(argv[1], "rx-crc")) {
		if (sim_parse_uint(sim, argv[2], 1000000, &n))
			return SIM_EUSAGE;
		simnic_dev_fault_bad_fcs(st->dev, (unsigned int)n);
	} else if (argc == 2 && !strcmp(argv[1], "stuck-tx")) {
		simnic_dev_fault_stuck_tx(st->dev);
	} else {
		return SIM_EUSAGE;
	}
	sim_printf(sim, "fault %s%s%s: armed\n", argv[1], argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
	return 0;
}

/* `loopback-plug on|off`: an external loopback plug in the device's port */
static int net_cmd_loopback(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, false);

	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return SIM_EUSAGE;
	if (!st->dev) {
		sim_printf(sim, "loopback-plug: no simnic device\n");
		return -ENODEV;
	}
	simnic_dev_set_loopback_plug(st->dev, !strcmp(argv[1], "on"));
	sim_printf(sim, "loopback-plug: %s\n", argv[1]);
	return 0;
}

/* `netstats`: the stack's counters (ndo_get_stats64) and the device's own */
static int net_cmd_netstats(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, false);
	struct rtnl_link_stats64 s;
	struct simnic_dev_counters c;

	if (argc != 1)
		return SIM_EUSAGE;
	net_quiesce(st);
	net_flush_frames(st);
	if (st->nd) {
		memset(&s, 0, sizeof(s));
		dev_get_stats(st->nd, &s);
		sim_printf(sim, "netdev %s: rx_packets %llu rx_bytes %llu tx_packets %llu tx_bytes %llu\n",
			   st->nd->name, (unsigned long long)s.rx_packets, (unsigned long long)s.rx_bytes,
			   (unsigned long long)s.tx_packets, (unsigned long long)s.tx_bytes);
		sim_printf(sim, "netdev %s: rx_errors %llu rx_dropped %llu tx_errors %llu tx_dropped %llu "
			   "multicast %llu rx_length_errors %llu\n", st->nd->name,
			   (unsigned long long)s.rx_errors, (unsigned long long)s.rx_dropped,
			   (unsigned long long)s.tx_errors, (unsigned long long)s.tx_dropped,
			   (unsigned long long)s.multicast, (unsigned long long)s.rx_length_errors);
	}
	if (st->dev) {
		simnic_dev_get_counters(st->dev, &c);
		sim_printf(sim, "device: tx_frames %llu tx_bytes %llu rx_frames %llu rx_bytes %llu\n",
			   (unsigned long long)c.tx_frames, (unsigned long long)c.tx_bytes,
			   (unsigned long long)c.rx_frames, (unsigned long long)c.rx_bytes);
		sim_printf(sim, "device: rx_filtered %llu rx_bad_fcs %llu rx_link_down %llu rx_length %llu "
			   "irqs_dropped %llu resets %llu dma_errors %llu\n",
			   (unsigned long long)c.rx_filtered, (unsigned long long)c.rx_bad_fcs,
			   (unsigned long long)c.rx_link_down,
			   (unsigned long long)c.rx_length, (unsigned long long)c.irqs_dropped,
			   (unsigned long long)c.resets, (unsigned long long)c.dma_errors);
	}
	sim_printf(sim, "wire: tx %llu frames %llu bytes, stack rx %llu frames %llu bytes\n",
		   (unsigned long long)st->tx.total, (unsigned long long)st->tx.bytes,
		   (unsigned long long)st->rx.total, (unsigned long long)st->rx.bytes);
	return 0;
}

static double net_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void net_report(struct net_state *st, const char *dir, unsigned long size, uint64_t frames,
		       double wall, double cpu)
{
	double pps = wall > 0 ? (double)frames / wall : 0;

	sim_report(st->sim, "throughput %-2s size %5lu frames %8llu wall %8.3f s cpu %8.3f s  %10.0f pkt/s  "
		   "%9.1f Mbit/s  %6.2f us cpu/pkt\n", dir, size, (unsigned long long)frames, wall, cpu, pps,
		   pps * (double)size * 8 / 1e6, frames ? cpu * 1e6 / (double)frames : 0);
}

/* `throughput SIZE [N]`: time N frames out and N frames in (not part of the transcript) */
static int net_cmd_throughput(struct sim *sim, int argc, char **argv)
{
	struct net_state *st = net_get(sim, true);
	unsigned long size, n = 20000;
	struct net_wait_count w;
	struct net_rx_wait rw;
	double t0, c0;
	uint64_t before;

	if (!st)
		return -ENODEV;
	if (argc < 2 || argc > 3 || sim_parse_uint(sim, argv[1], NET_FRAME_MAX, &size) ||
	    (argc == 3 && sim_parse_uint(sim, argv[2], 100000000, &n)))
		return SIM_EUSAGE;
	if (size < 60) {
		sim_printf(sim, "throughput: SIZE must be at least 60\n");
		return SIM_EUSAGE;
	}
	net_flush_frames(st);
	st->bench = true;

	/* transmit */
	before = st->tx.total;
	w.log = &st->tx;
	w.target = before + n;
	t0 = net_clock(CLOCK_MONOTONIC);
	c0 = net_clock(CLOCK_PROCESS_CPUTIME_ID);
	net_xmit_frames(st, n, size, net_peer_mac, 0);
	net_run_until(st, net_count_reached, &w, 10000 * NET_MS, NET_MS / 20);
	net_report(st, "tx", size, st->tx.total - before, net_clock(CLOCK_MONOTONIC) - t0,
		   net_clock(CLOCK_PROCESS_CPUTIME_ID) - c0);

	/* receive */
	if (st->dev) {
		before = st->rx.total;
		rw.target = before + n;
		t0 = net_clock(CLOCK_MONOTONIC);
		c0 = net_clock(CLOCK_PROCESS_CPUTIME_ID);
		net_wire_frames(st, n, size, st->nd->dev_addr, 0);
		net_run_until(st, net_rx_done, &rw, 10000 * NET_MS, NET_MS / 20);
		net_report(st, "rx", size, st->rx.total - before, net_clock(CLOCK_MONOTONIC) - t0,
			   net_clock(CLOCK_PROCESS_CPUTIME_ID) - c0);
	}
	st->bench = false;
	/* the transcript shows only that it ran, never the numbers */
	sim_printf(sim, "throughput: done\n");
	return 0;
}

static const struct sim_cmd net_cmds[] = {
	{ "up", net_cmd_up, "up", "open the net device (dev_open) and wait for the carrier" },
	{ "down", net_cmd_down, "down", "close the net device (dev_close)" },
	{ "send", net_cmd_send, "send N SIZE [bcast|self|peer|MAC]",
	  "transmit N frames of SIZE bytes; print each frame seen on the wire" },
	{ "receive", net_cmd_receive, "receive N SIZE [bcast|self|peer|MAC]",
	  "N frames arrive from the wire; print each frame the driver passes up" },
	{ "frames", net_cmd_frames, "frames", "print frames recorded since the last NIC command" },
	{ "mtu", net_cmd_mtu, "mtu N", "change the MTU (dev_set_mtu)" },
	{ "mcast", net_cmd_mcast, "mcast add|del ADDR", "join or leave a multicast group (dev_mc_add)" },
	{ "macaddr", net_cmd_macaddr, "macaddr ADDR", "set the station address (dev_set_mac_address)" },
	{ "promisc", net_cmd_promisc, "promisc on|off", "promiscuous mode (dev_set_promiscuity)" },
	{ "link", net_cmd_link, "link down|up", "unplug or plug the cable; wait for the carrier to follow" },
	{ "fault", net_cmd_fault, "fault eeprom bad|good | fault drop-irq N | fault rx-crc N | fault stuck-tx",
	  "arm a simnic fault knob" },
	{ "loopback-plug", net_cmd_loopback, "loopback-plug on|off",
	  "external loopback: transmitted frames come back in" },
	{ "netstats", net_cmd_netstats, "netstats", "print the stack's and the device's counters" },
	{ "throughput", net_cmd_throughput, "throughput SIZE [N]",
	  "measure TX and RX packets/s, Mbit/s and CPU time (reported outside the transcript)" },
	{ "ethtool", net_cmd_ethtool,
	  "ethtool [-i|-g|-G rx N tx N|-S|-t [online|offline]|-e [offset N] [length N]|"
	  "-E magic M offset N value V|-s speed N duplex half|full autoneg on|off|-s msglvl N|-a|"
	  "-A [autoneg on|off] [rx on|off] [tx on|off]|-r|-d]",
	  "call the driver's ethtool operations and print the answers" },
};
SIM_COMMANDS(net_cmds);
