/*
 * net.h - shared state of kcut-sim's NIC command family (net.c, net_ethtool.c).
 *
 * The NIC commands drive a simnic-style network driver the way the kernel's core and the `ip`/`ethtool`
 * tools would, and record what crosses the wire in both directions: every frame the device transmits and
 * every frame the driver passes up the stack, as (length, CRC-32) pairs in order.  Recorded frames are
 * printed into the transcript by the next NIC command, so frames that move during a core command (`wait`)
 * still appear, in order.
 */
#ifndef KC_SIM_NET_H
#define KC_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/sim.h"

struct net_device;
struct simnic_dev;

struct net_frame_rec {
	uint64_t seq;		/* 1-based position among all frames in this direction */
	uint32_t len;
	uint32_t crc;
};

struct net_log {
	struct net_frame_rec *v;
	size_t n, cap;
	size_t printed;		/* how many are already in the transcript */
	uint64_t total;		/* frames ever recorded (also in bench mode, where v is not kept) */
	uint64_t bytes;
};

struct net_state {
	struct sim *sim;
	struct simnic_dev *dev;		/* the device model (NULL if the scenario has none) */
	struct net_device *nd;		/* the driver's net device (NULL before a successful probe) */
	struct net_log tx;		/* frames the device put on the wire */
	struct net_log rx;		/* frames the driver delivered to the stack */
	bool bench;			/* throughput run: count only, no CRC, no records */
	bool hooked;
};

/* The state, after (re)binding to the current device and net device.  need_nd: print an error and return
 * NULL when there is no net device (probe failed or not run). */
struct net_state *net_get(struct sim *sim, bool need_nd);

/* Print frames recorded since the last flush ("tx 3: len 64 crc32 0x1234abcd"). */
void net_flush_frames(struct net_state *st);

/* Settle, then keep advancing virtual time (in steps of at most step_ns, shorter when the device holds a
 * throttled interrupt) until done(st, arg) or limit_ns has passed.  Returns done's last answer. */
bool net_run_until(struct net_state *st, bool (*done)(struct net_state *st, void *arg), void *arg,
		   uint64_t limit_ns, uint64_t step_ns);

/* If the interface is running, run the machine until its carrier is `on` or limit_ms of virtual time has
 * passed (a reconfiguration that restarts the link waits here, so the link messages land in its output). */
void net_wait_carrier(struct net_state *st, bool on, unsigned int limit_ms);

uint32_t net_crc32(const uint8_t *p, size_t n);
int net_parse_mac(const char *s, uint8_t mac[6]);

/* net_ethtool.c: `ethtool ...` */
int net_cmd_ethtool(struct sim *sim, int argc, char **argv);

#endif
