/*
 * main.c - kcut-sim: load a driver into the kernel model, run a scenario script, print a transcript.
 *
 *     kcut-sim [--driver PATH] [--device NAME[,opt=val...]]... [--param name=value]... [--bench]
 *              [--profile FILE] [--panic-on-bug] [--log-stderr] [--user-half PATH]
 *              [--mmio-log FILE] SCRIPT|-
 *
 * --user-half PATH runs a driver split by `kcut emit`: --driver is then the kernel half built as a
 * module (it defines kcut_kernel_start/kcut_kernel_stop), and PATH is the user-half program, which the
 * runtime's supervisor spawns (and restarts when it dies) before the module is loaded. As rmmod of a
 * real split driver, `remove` stops the user half and unloads the kernel half (the harness's own
 * reference, held for the runtime, is dropped too: split.c), so the next load starts both fresh, with
 * fresh statics, like an unsplit driver. With $KCUT_TRACE set the harness writes the runtime's
 * crossing trace, summed over the loads, to that file.
 *
 * --mmio-log FILE writes every register access that reaches a device (MMIO and ports, the driver's
 * own or, split, the user half's forwarded ones), in order: "R|W device barN 0xOFF WIDTH 0xVALUE"
 * (kc_km_set_mmio_log). Split and unsplit runs of a scenario must write the same file.
 *
 * --profile FILE writes caller->callee call counts of an instrumented driver (NAME_prof.so) in kcut's
 * instrument profile format when the script ends.
 *
 * The transcript (stdout) echoes each script line as "> line", then what the command printed, then the
 * kernel log lines ("kernel: LEVEL: text") in the order things happened, and ends with a summary. Nothing
 * in it depends on addresses, wall-clock time or thread timing, so two runs print the same bytes. Exit
 * status: 0 clean; 1 a FAIL line, or BUG/WARNING reports beyond those declared with `expect-bugs`;
 * 2 usage or load errors.
 *
 * This file holds the command registry and the core commands (probe, remove, device, wait, inject,
 * expect-bugs, params, modinfo, mem, echo, help); command families live in their own files (snd.c, net*.c)
 * and register themselves with SIM_COMMANDS().
 */
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include "harness/sim.h"
#include "harness/split.h"

#define SIM_MAX_ARGS 64

struct sim_dev_inst {
	const struct sim_device_type *type;
	void *state;
	struct sim_dev_inst *next;
};

struct sim {
	const char *driver_path;
	const char *profile_path;
	const char *user_half;
	struct sim_split *split;	/* a split driver's runtime and user half, while loaded */
	struct sim_trace *trace;	/* $KCUT_TRACE: crossing traces of the loads so far */
	struct kc_km_module *mod;
	bool mod_inited;
	bool bench;
	struct sim_dev_inst *devs;
	unsigned int fails;
	unsigned int expected_bugs;
	unsigned int expected_warns;
	unsigned int lineno;
	const char *script;
	char **params;
	size_t nparams;
};

static const struct sim_cmd **cmds;
static size_t ncmds;
static const struct sim_device_type **dtypes;
static size_t ndtypes;

void sim_register_cmds(const struct sim_cmd *c, size_t n)
{
	const struct sim_cmd **nc = realloc(cmds, (ncmds + n) * sizeof(*nc));

	if (!nc)
		abort();
	cmds = nc;
	for (size_t i = 0; i < n; i++)
		cmds[ncmds++] = &c[i];
}

void sim_register_device_type(const struct sim_device_type *type)
{
	const struct sim_device_type **nd = realloc(dtypes, (ndtypes + 1) * sizeof(*nd));

	if (!nd)
		abort();
	dtypes = nd;
	dtypes[ndtypes++] = type;
}

static const struct sim_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ncmds; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

void *sim_device(struct sim *sim, const char *name)
{
	for (struct sim_dev_inst *d = sim->devs; d; d = d->next)
		if (!strcmp(d->type->name, name))
			return d->state;
	return NULL;
}

void sim_vprintf(struct sim *sim, const char *fmt, va_list ap)
{
	(void)sim;
	vfprintf(stdout, fmt, ap);
}

void sim_printf(struct sim *sim, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_vprintf(sim, fmt, ap);
	va_end(ap);
}

void sim_fail(struct sim *sim, const char *fmt, ...)
{
	va_list ap;

	sim->fails++;
	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void sim_report(struct sim *sim, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(sim->bench ? stdout : stderr, fmt, ap);
	va_end(ap);
}

bool sim_bench_mode(const struct sim *sim)
{
	return sim->bench;
}

void sim_settle(struct sim *sim)
{
	(void)sim;
	kc_km_settle();
}

struct kc_km_module *sim_module(struct sim *sim)
{
	return sim->mod;
}

int sim_parse_uint(struct sim *sim, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!s || !*s || *s == '-') {
		sim_printf(sim, "error: '%s' is not a number\n", s ? s : "");
		return SIM_EUSAGE;
	}
	v = strtoul(s, &end, 0);
	if (*end || errno) {
		sim_printf(sim, "error: '%s' is not a number\n", s);
		return SIM_EUSAGE;
	}
	if (v > max) {
		sim_printf(sim, "error: %lu is larger than %lu\n", v, max);
		return SIM_EUSAGE;
	}
	*out = v;
	return 0;
}

const char *sim_errname(int err)
{
	static const struct {
		int e;
		const char *n;
	} tab[] = {
		{ -EPERM, "-EPERM" }, { -ENOENT, "-ENOENT" }, { -EINTR, "-EINTR" }, { -EIO, "-EIO" },
		{ -ENXIO, "-ENXIO" }, { -EAGAIN, "-EAGAIN" }, { -ENOMEM, "-ENOMEM" }, { -EFAULT, "-EFAULT" },
		{ -EBUSY, "-EBUSY" }, { -EEXIST, "-EEXIST" }, { -ENODEV, "-ENODEV" }, { -EINVAL, "-EINVAL" },
		{ -ENOSPC, "-ENOSPC" }, { -EPIPE, "-EPIPE" }, { -ERANGE, "-ERANGE" }, { -ENOSYS, "-ENOSYS" },
		{ -ENODATA, "-ENODATA" }, { -ETIME, "-ETIME" }, { -EBADFD, "-EBADFD" },
		{ -EOPNOTSUPP, "-EOPNOTSUPP" }, { -EADDRNOTAVAIL, "-EADDRNOTAVAIL" }, { -ENETDOWN, "-ENETDOWN" },
		{ -ENOBUFS, "-ENOBUFS" }, { -ETIMEDOUT, "-ETIMEDOUT" }, { -EALREADY, "-EALREADY" },
		{ -EINPROGRESS, "-EINPROGRESS" }, { -524, "-ENOTSUPP" }, { 0, "0" },
	};
	static char buf[32];

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].e == err)
			return tab[i].n;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void log_sink(void *arg, const char *line)
{
	(void)arg;
	fputs("kernel: ", stdout);
	fputs(line, stdout);
	fputc('\n', stdout);
}

/* ---- core commands ---- */

/*
 * The kernel model tells a split driver's kernel half of every free (kc_km_set_free_hook ->
 * the runtime's kc_wire_freed, looked up in the loaded kernel half): what the model's cores
 * free on the driver's behalf (a PCM runtime at close, a card, a net_device) leaves the object
 * tracker before the memory goes, so the recovery after a user-half restart never re-sends it.
 */
static void (*split_freed)(void *rt, const void *p, size_t size);
/* ... and of every allocation (kc_km_set_alloc_hook -> kc_wire_alloced): a new object at a freed
 * one's address is not taken for the freed one a live object may still point to */
static void (*split_alloced)(void *rt, const void *p, size_t size);

static void split_free_hook(void *arg, const void *p, size_t size)
{
	void *rt = __atomic_load_n((void **)arg, __ATOMIC_ACQUIRE);

	if (rt)
		split_freed(rt, p, size);
}

static void split_alloc_hook(void *arg, const void *p, size_t size)
{
	void *rt = __atomic_load_n((void **)arg, __ATOMIC_ACQUIRE);

	if (rt)
		split_alloced(rt, p, size);
}

/*
 * Start a split driver's runtime and user half (--user-half) for the next load of the kernel half,
 * unless they run already. Returns 0, or prints why to stderr and returns -1.
 */
static int start_split(struct sim *sim)
{
	void **rt;

	if (!sim->user_half || sim->split)
		return 0;
	if (!sim->driver_path) {
		fprintf(stderr, "kcut-sim: --user-half needs --driver (the kernel half)\n");
		return -1;
	}
	if (sim_split_start(&sim->split, sim->driver_path, sim->user_half, sim->trace != NULL))
		return -1;
	rt = sim_split_sym(sim->split, "kcut_rt");
	*(void **)&split_freed = sim_split_sym(sim->split, "kc_wire_freed");
	*(void **)&split_alloced = sim_split_sym(sim->split, "kc_wire_alloced");
	if (rt && split_alloced)
		kc_km_set_alloc_hook(split_alloc_hook, rt);
	if (rt && split_freed)
		kc_km_set_free_hook(split_free_hook, rt);
	else
		fprintf(stderr, "kcut-sim: %s has no kcut_rt / kc_wire_freed: objects the kernel frees stay "
			"tracked by its runtime\n", sim->driver_path);
	return 0;
}

/*
 * Stop a split driver's user half and runtime and drop the harness's reference on the kernel half
 * (rmmod's part for split drivers; the kernel model's reference goes in unload_module). The load's
 * crossing trace is added to the run's, and $KCUT_TRACE is rewritten with the sum.
 */
static void stop_split(struct sim *sim)
{
	const char *path = getenv("KCUT_TRACE");
	FILE *f;

	if (!sim->split)
		return;
	kc_km_set_free_hook(NULL, NULL);
	kc_km_set_alloc_hook(NULL, NULL);
	sim_split_stop(sim->split, sim->trace);
	sim->split = NULL;
	if (!sim->trace || !path)
		return;
	f = fopen(path, "w");
	if (!f || sim_trace_write(sim->trace, f))
		fprintf(stderr, "kcut-sim: cannot write the crossing trace %s\n", path);
	if (f)
		fclose(f);
}

/* insmod's first half: dlopen the driver if it is not loaded (after `remove` it was unloaded, so its
 * static variables start fresh, as with rmmod/insmod); for a split driver, start its runtime and a
 * new user half first. Errors are printed; returns 0 or SIM_EUSAGE. */
static int ensure_loaded(struct sim *sim)
{
	struct kc_err err = { 0 };

	if (sim->mod)
		return 0;
	if (!sim->driver_path) {
		sim_printf(sim, "error: no driver given (use --driver)\n");
		return SIM_EUSAGE;
	}
	if (start_split(sim))
		return SIM_EUSAGE;
	if (kc_km_module_load(&sim->mod, sim->driver_path, &err)) {
		sim_printf(sim, "error: %s\n", err.msg);
		stop_split(sim);
		return SIM_EUSAGE;
	}
	return 0;
}

/*
 * rmmod's second half (after module exit, if it was initialised): stop a split driver's user half,
 * write the profile (if asked) for the module about to be unloaded, then unload it. Afterwards the
 * object must be gone from the process (else its statics would survive into the next load): if
 * something still keeps it mapped, say so on stderr.
 */
static void unload_module(struct sim *sim)
{
	struct kc_err err = { 0 };
	void *h;

	stop_split(sim);
	if (!sim->mod)
		return;
	if (sim->profile_path && kc_km_profile_active() && kc_km_profile_write(sim->profile_path, &err))
		fprintf(stderr, "kcut-sim: %s\n", err.msg);
	kc_km_module_unload(sim->mod);
	sim->mod = NULL;
	h = dlopen(sim->driver_path, RTLD_NOW | RTLD_NOLOAD);
	if (h) {
		fprintf(stderr, "kcut-sim: warning: %s is still loaded after unload; its statics will not "
				"start fresh\n", sim->driver_path);
		dlclose(h);
	}
}

static int cmd_probe(struct sim *sim, int argc, char **argv)
{
	struct kc_err err = { 0 };
	int ret, rc;

	rc = ensure_loaded(sim);
	if (rc)
		return rc;
	if (sim->mod_inited) {
		sim_printf(sim, "probe: %s is already loaded\n", kc_km_module_name(sim->mod));
		return 0;
	}
	for (size_t i = 0; i < sim->nparams; i++)
		if (kc_km_module_param(sim->mod, sim->params[i], &err)) {
			sim_printf(sim, "error: %s\n", err.msg);
			return SIM_EUSAGE;
		}
	for (int i = 1; i < argc; i++)
		if (kc_km_module_param(sim->mod, argv[i], &err)) {
			sim_printf(sim, "probe: %s\n", err.msg);
			return -EINVAL;
		}
	kc_km_module_init(sim->mod, &ret, &err);
	if (ret) {
		sim_printf(sim, "probe: init_module of %s failed: %s\n", kc_km_module_name(sim->mod),
			   sim_errname(ret));
		return 0;
	}
	sim->mod_inited = true;
	sim_printf(sim, "probe: %s loaded\n", kc_km_module_name(sim->mod));
	return 0;
}

static int cmd_remove(struct sim *sim, int argc, char **argv)
{
	size_t allocs, bytes, dma, skbs;
	char name[64];

	(void)argc;
	(void)argv;
	if (!sim->mod || !sim->mod_inited) {
		sim_printf(sim, "remove: no module loaded\n");
		return 0;
	}
	snprintf(name, sizeof(name), "%s", kc_km_module_name(sim->mod));
	kc_km_module_exit(sim->mod);
	sim->mod_inited = false;
	unload_module(sim);
	kc_km_mem_stats(&allocs, &bytes, &dma, &skbs);
	sim_printf(sim, "remove: %s unloaded; live: %zu allocations, %zu bytes, %zu DMA buffers, %zu skbs\n",
		   name, allocs, bytes, dma, skbs);
	return 0;
}

static int add_device(struct sim *sim, const char *spec_in)
{
	char *spec = strdup(spec_in);
	char *argv[SIM_MAX_ARGS];
	int argc = 0;
	char *save = NULL;
	const struct sim_device_type *t = NULL;
	struct sim_dev_inst *inst, **pp;
	int rc;

	if (!spec)
		return -ENOMEM;
	for (char *tok = strtok_r(spec, ",", &save); tok && argc < SIM_MAX_ARGS; tok = strtok_r(NULL, ",", &save))
		argv[argc++] = tok;
	if (!argc) {
		free(spec);
		return SIM_EUSAGE;
	}
	for (size_t i = 0; i < ndtypes; i++)
		if (!strcmp(dtypes[i]->name, argv[0]))
			t = dtypes[i];
	if (!t) {
		fprintf(stderr, "kcut-sim: unknown device type '%s' (known:", argv[0]);
		for (size_t i = 0; i < ndtypes; i++)
			fprintf(stderr, " %s", dtypes[i]->name);
		fprintf(stderr, ")\n");
		free(spec);
		return SIM_EUSAGE;
	}
	inst = calloc(1, sizeof(*inst));
	if (!inst) {
		free(spec);
		return -ENOMEM;
	}
	inst->type = t;
	rc = t->create(sim, argc, argv, &inst->state);
	free(spec);
	if (rc) {
		free(inst);
		return rc;
	}
	for (pp = &sim->devs; *pp; pp = &(*pp)->next)
		;
	*pp = inst;
	return 0;
}

static int cmd_device(struct sim *sim, int argc, char **argv)
{
	char spec[512];
	size_t n = 0;

	if (argc < 2)
		return SIM_EUSAGE;
	for (int i = 1; i < argc && n < sizeof(spec); i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s%s", i > 1 ? "," : "", argv[i]);
	sim_printf(sim, "device: plugging in %s\n", spec);
	return add_device(sim, spec);
}

static int cmd_wait(struct sim *sim, int argc, char **argv)
{
	unsigned long ms;

	if (argc != 2 || sim_parse_uint(sim, argv[1], 3600000, &ms))
		return SIM_EUSAGE;
	kc_km_advance((uint64_t)ms * 1000000ULL);
	sim_printf(sim, "wait: %lu ms\n", ms);
	return 0;
}

static int cmd_inject(struct sim *sim, int argc, char **argv)
{
	unsigned long n;

	if (argc != 3 || sim_parse_uint(sim, argv[2], 1000000, &n) || n == 0)
		return SIM_EUSAGE;
	if (kc_km_inject_fail(argv[1], (unsigned int)n)) {
		sim_printf(sim, "error: unknown fault point '%s'\n", argv[1]);
		return SIM_EUSAGE;
	}
	sim_printf(sim, "inject: call %lu of %s will fail\n", n, argv[1]);
	return 0;
}

static int cmd_expect_bugs(struct sim *sim, int argc, char **argv)
{
	unsigned long n;
	unsigned int have = kc_km_bug_count();

	if (argc != 2 || sim_parse_uint(sim, argv[1], 1000000, &n))
		return SIM_EUSAGE;
	if (have != n)
		sim_fail(sim, "expected %lu BUG report(s) so far, the kernel logged %u", n, have);
	else
		sim_printf(sim, "expect-bugs: %u BUG report(s), as expected\n", have);
	sim->expected_bugs = (unsigned int)n;
	return 0;
}

static int cmd_expect_warnings(struct sim *sim, int argc, char **argv)
{
	unsigned long n;
	unsigned int have = kc_km_warn_count();

	if (argc != 2 || sim_parse_uint(sim, argv[1], 1000000, &n))
		return SIM_EUSAGE;
	if (have != n)
		sim_fail(sim, "expected %lu WARNING(s) so far, the kernel logged %u", n, have);
	else
		sim_printf(sim, "expect-warnings: %u WARNING(s), as expected\n", have);
	sim->expected_warns = (unsigned int)n;
	return 0;
}

static int cmd_params(struct sim *sim, int argc, char **argv)
{
	const char *name, *desc;
	char value[256];

	(void)argc;
	(void)argv;
	if (ensure_loaded(sim))
		return SIM_EUSAGE;
	for (unsigned int i = 0; kc_km_module_param_get(sim->mod, i, &name, &desc, value, sizeof(value)); i++)
		sim_printf(sim, "param %s = %s%s%s\n", name, value, desc ? "  # " : "", desc ? desc : "");
	return 0;
}

static int cmd_modinfo(struct sim *sim, int argc, char **argv)
{
	static const char *const tags[] = { "description", "author", "license", "version" };

	(void)argc;
	(void)argv;
	if (ensure_loaded(sim))
		return SIM_EUSAGE;
	sim_printf(sim, "name: %s\n", kc_km_module_name(sim->mod));
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *v = kc_km_module_info(sim->mod, tags[i]);

		if (v)
			sim_printf(sim, "%s: %s\n", tags[i], v);
	}
	return 0;
}

static int cmd_mem(struct sim *sim, int argc, char **argv)
{
	size_t allocs, bytes, dma, skbs;

	(void)argc;
	(void)argv;
	kc_km_mem_stats(&allocs, &bytes, &dma, &skbs);
	sim_printf(sim, "mem: %zu allocations, %zu bytes, %zu DMA buffers, %zu skbs\n", allocs, bytes, dma, skbs);
	return 0;
}

static int cmd_echo(struct sim *sim, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sim_printf(sim, "%s%s", i > 1 ? " " : "", argv[i]);
	sim_printf(sim, "\n");
	return 0;
}

static int cmd_time(struct sim *sim, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sim_printf(sim, "time: %llu us\n", (unsigned long long)(kc_km_now_ns() / 1000));
	return 0;
}

static int cmd_help(struct sim *sim, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < ncmds; i++)
		sim_printf(sim, "  %-28s %s\n", cmds[i]->usage ? cmds[i]->usage : cmds[i]->name,
			   cmds[i]->help ? cmds[i]->help : "");
	return 0;
}

/*
 * Fault injection for scripts/fault-matrix.sh (user-half signal / recovered / status): a signal
 * sent to the user half now or from a timer thread after a delay (so that it lands in the middle
 * of a traffic command), and wall-clock times from the moment it was sent. These subcommands
 * print times: they are for the fault matrix, not for golden transcripts.
 */
static struct {
	pthread_mutex_t lock;
	int pending;		/* a timer thread has not sent it yet */
	int sig, pid;
	unsigned incarnation;	/* of the user half the signal went to */
	double t_sched, t_sent;	/* CLOCK_MONOTONIC seconds */
	unsigned delay_ms;
} inj = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *inj_thread(void *arg)
{
	(void)arg;
	usleep(inj.delay_ms * 1000u);
	pthread_mutex_lock(&inj.lock);
	if (inj.pending) {
		kill(inj.pid, inj.sig);
		inj.t_sent = mono_s();
		inj.pending = 0;
	}
	pthread_mutex_unlock(&inj.lock);
	return NULL;
}

static const struct {
	const char *name;
	int sig;
} inj_sigs[] = { { "KILL", SIGKILL }, { "SEGV", SIGSEGV }, { "STOP", SIGSTOP }, { "CONT", SIGCONT },
		 { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 } };

/*
 * user-half kill|wait (split drivers only): SIGKILL the user-half process and return once the
 * runtime has noticed (calls then fail until the supervisor restarts it), or wait until a user
 * half is running again. Prints only what does not depend on timing.
 * user-half signal SIG [after MS]: send SIG (KILL SEGV STOP CONT USR1 USR2) to the user half, now or
 * after MS ms from a timer thread; user-half recovered [MS]: wait (up to MS, default 30000) until
 * a later incarnation than the signalled one is ready and print the time since the signal;
 * user-half status: when the signal was sent and the current incarnation (timings).
 */
static int cmd_user_half(struct sim *sim, int argc, char **argv)
{
	int (*pid_of)(const void *);
	int (*wait_ready)(void *, unsigned);
	unsigned (*incarnation)(const void *);
	void **rt;
	int pid, i;

	if (argc < 2 || (strcmp(argv[1], "kill") && strcmp(argv[1], "wait") && strcmp(argv[1], "signal") &&
			 strcmp(argv[1], "recovered") && strcmp(argv[1], "status")) ||
	    (argc != 2 && strcmp(argv[1], "signal") && strcmp(argv[1], "recovered"))) {
		sim_printf(sim, "usage: user-half kill|wait|signal SIG [after MS]|recovered [MS]|status\n");
		return SIM_EUSAGE;
	}
	rt = sim_split_sym(sim->split, "kcut_rt");
	*(void **)&pid_of = sim_split_sym(sim->split, "kc_rt_user_pid");
	*(void **)&wait_ready = sim_split_sym(sim->split, "kc_rt_wait_ready");
	*(void **)&incarnation = sim_split_sym(sim->split, "kc_rt_incarnation");
	if (!rt || !*rt || !pid_of || !wait_ready || !incarnation) {
		sim_printf(sim, "error: user-half: no split driver loaded (--user-half; `probe` after `remove`)\n");
		return SIM_EUSAGE;
	}
	if (!strcmp(argv[1], "signal")) {
		unsigned long ms = 0;
		int sig = 0;
		pthread_t t;

		for (i = 0; i < (int)(sizeof(inj_sigs) / sizeof(inj_sigs[0])); i++)
			if (argc > 2 && !strcmp(argv[2], inj_sigs[i].name))
				sig = inj_sigs[i].sig;
		if (!sig || (argc != 3 && argc != 5) ||
		    (argc == 5 && (strcmp(argv[3], "after") || sim_parse_uint(sim, argv[4], 60000, &ms)))) {
			sim_printf(sim, "usage: user-half signal KILL|SEGV|STOP|CONT|USR1|USR2 [after MS]\n");
			return SIM_EUSAGE;
		}
		pid = pid_of(*rt);
		if (pid <= 0) {
			sim_printf(sim, "user-half: FAIL: no user-half process to signal\n");
			sim->fails++;
			return 0;
		}
		pthread_mutex_lock(&inj.lock);
		inj.sig = sig;
		inj.pid = pid;
		inj.incarnation = incarnation(*rt);
		inj.t_sched = mono_s();
		inj.t_sent = 0;
		inj.delay_ms = (unsigned)ms;
		inj.pending = 1;
		if (!ms) {
			kill(pid, sig);
			inj.t_sent = mono_s();
			inj.pending = 0;
		}
		pthread_mutex_unlock(&inj.lock);
		if (ms && pthread_create(&t, NULL, inj_thread, NULL) == 0)
			pthread_detach(t);
		sim_printf(sim, "user-half: signal %s %s\n", argv[2], ms ? "scheduled" : "sent");
		return 0;
	}
	if (!strcmp(argv[1], "recovered")) {
		unsigned long ms = 30000;
		double t_end;

		if (argc == 3 && sim_parse_uint(sim, argv[2], 600000, &ms))
			return SIM_EUSAGE;
		t_end = mono_s() + (double)ms / 1000.0;
		for (;;) {
			double now = mono_s(), sent;
			unsigned inc = incarnation(*rt);

			pthread_mutex_lock(&inj.lock);
			sent = inj.pending ? 0 : inj.t_sent;
			pthread_mutex_unlock(&inj.lock);
			if (sent && inc > inj.incarnation && !wait_ready(*rt, 0)) {
				sim_printf(sim, "user-half: recovered in %.1f ms (incarnation %u)\n",
					   (mono_s() - sent) * 1000.0, inc);
				return 0;
			}
			if (now >= t_end) {
				sim_printf(sim, "user-half: FAIL: not restarted within %lu ms of the signal\n", ms);
				sim->fails++;
				return 0;
			}
			usleep(1000);
		}
	}
	if (!strcmp(argv[1], "status")) {
		double now = mono_s();

		pthread_mutex_lock(&inj.lock);
		if (inj.pending || !inj.t_sent)
			sim_printf(sim, "user-half: status: signal not sent yet (%.1f ms after scheduling)\n",
				   (now - inj.t_sched) * 1000.0);
		else
			sim_printf(sim, "user-half: status: signal sent %.1f ms after scheduling, %.1f ms ago; "
				   "incarnation %u\n", (inj.t_sent - inj.t_sched) * 1000.0, (now - inj.t_sent) * 1000.0,
				   incarnation(*rt));
		pthread_mutex_unlock(&inj.lock);
		return 0;
	}
	if (!strcmp(argv[1], "wait")) {
		if (wait_ready(*rt, 10000)) {
			sim_printf(sim, "user-half: FAIL: not running again after 10 s\n");
			sim->fails++;
			return 0;
		}
		sim_printf(sim, "user-half: running\n");
		return 0;
	}
	pid = pid_of(*rt);
	if (pid <= 0 || kill(pid, SIGKILL)) {
		sim_printf(sim, "user-half: FAIL: no user-half process to kill\n");
		sim->fails++;
		return 0;
	}
	for (i = 0; i < 2000 && pid_of(*rt) == pid; i++)
		usleep(1000);
	sim_printf(sim, "user-half: killed\n");
	return 0;
}

static const struct sim_cmd core_cmds[] = {
	{ "user-half", cmd_user_half, "user-half kill|wait|signal|recovered|status",
	  "split driver: SIGKILL the user-half process / wait until the supervisor restarted it; fault matrix: "
	  "signal SIG [after MS], recovered [MS], status (print times)" },
	{ "probe", cmd_probe, "probe [param=value...]", "run the module's init (binds matching devices)" },
	{ "remove", cmd_remove, "remove",
	  "module exit (unbinds devices), stop a split driver's user half, unload, report live memory" },
	{ "device", cmd_device, "device TYPE [opt=val...]", "plug in another simulated device" },
	{ "wait", cmd_wait, "wait MS", "let MS milliseconds of virtual time pass" },
	{ "inject", cmd_inject, "inject POINT N", "make the Nth next call of POINT fail (kmalloc, dma_alloc, ...)" },
	{ "expect-bugs", cmd_expect_bugs, "expect-bugs N", "check that exactly N BUG reports happened so far" },
	{ "expect-warnings", cmd_expect_warnings, "expect-warnings N", "check the WARNING count so far" },
	{ "params", cmd_params, "params", "list module parameters and their values" },
	{ "modinfo", cmd_modinfo, "modinfo", "print MODULE_* information" },
	{ "mem", cmd_mem, "mem", "print live kernel allocations" },
	{ "echo", cmd_echo, "echo TEXT", "print TEXT" },
	{ "time", cmd_time, "time", "print the virtual time" },
	{ "help", cmd_help, "help", "list commands" },
};
SIM_COMMANDS(core_cmds)

/* ---- script runner ---- */

static int split_line(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	while (*p && argc < SIM_MAX_ARGS - 1) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {	/* "quoted argument" (mixer control names have spaces) */
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (*p)
			*p++ = 0;
	}
	argv[argc] = NULL;
	return argc;
}

static int run_script(struct sim *sim, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		char *argv[SIM_MAX_ARGS];
		char echo[1024];
		const struct sim_cmd *c;
		int argc, rc;

		sim->lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		snprintf(echo, sizeof(echo), "%s", line);
		argc = split_line(line, argv);
		if (!argc)
			continue;
		c = find_cmd(argv[0]);
		if (!c) {
			fprintf(stderr, "%s:%u: unknown command '%s' (try 'help')\n", sim->script, sim->lineno,
				argv[0]);
			status = 2;
			break;
		}
		printf("> %s\n", echo);
		rc = c->run(sim, argc, argv);
		kc_km_settle();
		fflush(stdout);
		if (rc == SIM_EUSAGE) {
			fprintf(stderr, "%s:%u: usage: %s\n", sim->script, sim->lineno, c->usage ? c->usage : c->name);
			status = 2;
			break;
		}
		if (rc < 0)
			printf("error: %s: %s\n", argv[0], sim_errname(rc));
	}
	free(line);
	return status;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: kcut-sim [--driver PATH] [--device TYPE[,opt=val...]]... [--param name=value]...\n"
		    "                [--profile FILE] [--bench] [--panic-on-bug] [--log-stderr]\n"
		    "                [--user-half PATH] [--mmio-log FILE] SCRIPT|-\n"
		    "Runs a scenario script against a driver in the user-space kernel model and prints a\n"
		    "deterministic transcript. Script commands: `help`. Exit: 0 clean, 1 FAIL/BUG, 2 usage.\n");
}

int main(int argc, char **argv)
{
	struct sim sim = { 0 };
	struct kc_km_config cfg = { 0 };
	struct kc_err err = { 0 };
	const char **devspecs = calloc((size_t)argc, sizeof(char *));
	size_t ndev = 0;
	FILE *f, *mmio_log = NULL;
	const char *mmio_log_path = NULL;
	int status = 2;
	struct rusage ru0, ru1;

	sim.params = calloc((size_t)argc, sizeof(char *));
	status = 2;
	if (!devspecs || !sim.params)
		goto out;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (!strcmp(a, "--driver") && i + 1 < argc) {
			sim.driver_path = argv[++i];
		} else if (!strcmp(a, "--device") && i + 1 < argc) {
			devspecs[ndev++] = argv[++i];
		} else if (!strcmp(a, "--param") && i + 1 < argc) {
			sim.params[sim.nparams++] = argv[++i];
		} else if (!strcmp(a, "--profile") && i + 1 < argc) {
			sim.profile_path = argv[++i];
		} else if (!strcmp(a, "--user-half") && i + 1 < argc) {
			sim.user_half = argv[++i];
		} else if (!strcmp(a, "--mmio-log") && i + 1 < argc) {
			mmio_log_path = argv[++i];
		} else if (!strcmp(a, "--bench")) {
			sim.bench = true;
		} else if (!strcmp(a, "--panic-on-bug")) {
			cfg.panic_on_bug = true;
		} else if (!strcmp(a, "--log-stderr")) {
			cfg.log_to_stderr = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kcut-sim: unknown option '%s'\n", a);
			usage(stderr);
			goto out;
		} else if (!sim.script) {
			sim.script = a;
		} else {
			usage(stderr);
			goto out;
		}
	}
	if (!sim.script) {
		usage(stderr);
		goto out;
	}
	f = strcmp(sim.script, "-") ? fopen(sim.script, "r") : stdin;
	if (!f) {
		fprintf(stderr, "kcut-sim: cannot open %s: %s\n", sim.script, strerror(errno));
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru0);
	if (kc_km_init(&cfg, &err)) {
		fprintf(stderr, "kcut-sim: %s\n", err.msg);
		goto out;
	}
	kc_km_set_log(log_sink, &sim);
	if (mmio_log_path) {
		mmio_log = fopen(mmio_log_path, "w");
		if (!mmio_log) {
			fprintf(stderr, "kcut-sim: cannot write %s: %s\n", mmio_log_path, strerror(errno));
			goto out;
		}
		kc_km_set_mmio_log(mmio_log);
	}
	for (size_t i = 0; i < ndev; i++) {
		int rc = add_device(&sim, devspecs[i]);

		if (rc) {
			fprintf(stderr, "kcut-sim: cannot create device '%s': %s\n", devspecs[i], sim_errname(rc));
			goto out;
		}
	}
	if (sim.user_half && getenv("KCUT_TRACE") && !(sim.trace = sim_trace_new()))
		goto out;
	if (sim.user_half && start_split(&sim))
		goto out;
	if (sim.driver_path && kc_km_module_load(&sim.mod, sim.driver_path, &err)) {
		fprintf(stderr, "kcut-sim: %s\n", err.msg);
		goto out;
	}
	status = run_script(&sim, f);
	if (f != stdin)
		fclose(f);
	if (sim.mod && sim.mod_inited) {
		printf("> (end of script: remove)\n");
		cmd_remove(&sim, 0, NULL);
	}
	unload_module(&sim);
	for (struct sim_dev_inst *d = sim.devs, *n; d; d = n) {
		n = d->next;
		if (d->type->destroy)
			d->type->destroy(d->state);
		free(d);
	}
	if (sim.profile_path && !kc_km_profile_active())
		fprintf(stderr, "kcut-sim: --profile: the driver is not instrumented (use NAME_prof.so)\n");
	printf("summary: %u BUG report(s) (%u expected), %u WARNING(s) (%u expected), %u FAIL(s)\n",
	       kc_km_bug_count(), sim.expected_bugs, kc_km_warn_count(), sim.expected_warns, sim.fails);
	fflush(stdout);
	getrusage(RUSAGE_SELF, &ru1);
	sim_report(&sim, "cpu: %.3f s user, %.3f s system\n",
		   (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
			   (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6,
		   (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
			   (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6);
	kc_km_shutdown();
	if (!status && (sim.fails || kc_km_bug_count() > sim.expected_bugs ||
			kc_km_warn_count() > sim.expected_warns))
		status = 1;
out:
	stop_split(&sim);
	if (mmio_log) {
		kc_km_set_mmio_log(NULL);
		if (fclose(mmio_log) != 0 && !status) {
			fprintf(stderr, "kcut-sim: cannot write %s: %s\n", mmio_log_path, strerror(errno));
			status = 2;
		}
	}
	sim_trace_free(sim.trace);
	free(devspecs);
	free(sim.params);
	free(cmds);
	free(dtypes);
	return status;
}
