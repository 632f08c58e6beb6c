/*
 * sim.h - the kcut-sim harness's extension interface: scenario commands, device types, transcript output.
 *
 * simnic engineer: this is ready to use.
 *
 * kcut-sim runs a scenario script against one driver loaded into the kernel model:
 *
 *     kcut-sim --driver build/.../simsnd.so --device simsnd [--param name=value]... SCRIPT
 *
 * Each script line is a command and its arguments ('#' starts a comment). After every command the harness
 * settles the machine (kc_km_settle()) so the transcript only ever shows quiescent states; the transcript
 * (stdout) is deterministic: it echoes "> command line", then the command's own lines (sim_printf), then
 * the kernel log lines produced meanwhile ("kernel: info: ..."), in the order they happened.
 *
 * Where things go:
 *   - A command family is a file in testdrivers/harness/ (net*.c for the NIC commands, snd.c for sound)
 *     holding a table of struct sim_cmd registered with SIM_COMMANDS(table). Commands of the core (probe,
 *     remove, device, wait, inject, expect-bugs, expect-warnings, params, modinfo, mem, time, echo, help)
 *     are in harness/main.c.
 *   - A device type is a file in testdrivers/devices/ (simnic*.c, simsnd.c, or a folder devices/NAME/ of .c files)
 *     registered with SIM_DEVICE_TYPE(type). Those files are globbed into kcut-sim; no CMake edit needed.
 *     A device model only uses kmodel/kmodel.h (the hardware side); command files may also include the
 *     kernel headers (<linux/netdevice.h>, <linux/ethtool.h>, ...) to call into the driver as the kernel
 *     core would (ethtool ops, dev_open(), dev_queue_xmit(), dev_mc_add(), rtnl_lock() ...).
 *   - A driver is a folder testdrivers/drivers/<name>/ whose CMakeLists.txt calls
 *     kc_add_driver(<name> SOURCES a.c b.c ...), giving <name>.so and <name>_compdb (compile_commands.json
 *     restricted to the driver's files, for `kcut analyze`).
 */
#ifndef KC_SIM_H
#define KC_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmodel/kmodel.h"

struct sim;

/* Return values of sim_cmd.run besides 0 (success) and negative errno values (a failed kernel operation:
 * the harness prints "error: -ENOMEM" style lines and continues): */
#define SIM_EUSAGE 1000		/* bad arguments: harness prints the usage and stops with exit status 2 */

struct sim_cmd {
	const char *name;	/* first word of the script line, e.g. "ethtool" */
	int (*run)(struct sim *sim, int argc, char **argv);	/* argv[0] is the name */
	const char *usage;	/* e.g. "ethtool -G rx N tx N" */
	const char *help;	/* one line */
};

void sim_register_cmds(const struct sim_cmd *cmds, size_t n);
#define SIM_COMMANDS(table)                                                            \
	static void __attribute__((constructor)) sim_register_##table(void)          \
	{                                                                              \
		sim_register_cmds(table, sizeof(table) / sizeof((table)[0]));          \
	}

/* A device type: `--device NAME[,opt=val...]` or the script command `device NAME [opt=val...]`
 * calls create() with the options split into argv; create() makes the model and calls kc_km_pci_add(). */
struct sim_device_type {
	const char *name;
	int (*create)(struct sim *sim, int argc, char **argv, void **out_state);
	void (*destroy)(void *state);	/* unplug (kc_km_pci_del) and free */
	const char *help;
};

void sim_register_device_type(const struct sim_device_type *type);
#define SIM_DEVICE_TYPE(type)                                                          \
	static void __attribute__((constructor)) sim_register_dev_##type(void)        \
	{                                                                              \
		sim_register_device_type(&(type));                                     \
	}

/* The state returned by create() of the first device of type `name` (NULL if none). */
void *sim_device(struct sim *sim, const char *name);

/* Transcript output. Lines must be deterministic: no addresses, timings or thread-dependent order. */
void sim_printf(struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_vprintf(struct sim *sim, const char *fmt, va_list ap);
/* Report a failed expectation: printed as "FAIL: ..." and makes kcut-sim exit 1 at the end. */
void sim_fail(struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Non-transcript output (throughput, CPU time): goes to stderr, or to stdout in --bench mode. */
void sim_report(struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool sim_bench_mode(const struct sim *sim);

/* Settle the machine (done automatically after each command). */
void sim_settle(struct sim *sim);

/* The loaded driver module (NULL before `load`/`probe`). */
struct kc_km_module *sim_module(struct sim *sim);

/* Parse helpers: return 0 or SIM_EUSAGE (after printing what was wrong). */
int sim_parse_uint(struct sim *sim, const char *s, unsigned long max, unsigned long *out);

/* A short name for a negative errno ("-ENOMEM"); unknown values print as "-123". */
const char *sim_errname(int err);

#endif
