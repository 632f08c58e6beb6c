/*
 * cmd_partitioner.c - `kcut roots`, `partition`, `profile`, `why`, `tune`, `graph`, `baseline`,
 * `check`: option parsing and printing around the partitioner module (partitioner/partitioner.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "kcut.h"
#include "partitioner.h"

/* The default --device-access, for the help texts. */
#define DEVACC_DEFAULT "forward"
_Static_assert(KC_PART_DEV_DEFAULT == KC_PART_DEV_FORWARD, "DEVACC_DEFAULT names KC_PART_DEV_DEFAULT");

/* Options shared by the commands that load the graph. */
struct common {
	const char *db_path, *family, *templates, *profile, *partition;
	const char *module; /* --module: one module of a whole-tree database (kcut analyze --module-map) */
	struct kc_db *db;
	struct kc_part_templates *t;
	struct kc_part_graph *g;
	struct kc_part_result *r;  /* a stored partition, when loaded */
	struct kc_part_opts ro;    /* its parameters */
	char *rname, *rprofile;
	int unseen; /* --profile-unseen: enum kc_part_profile_unseen (default static) */
	int unseen_given;
	int devacc; /* --device-access: enum kc_part_devaccess (default KC_PART_DEV_DEFAULT) */
	int devacc_given;
	int posted; /* --price-posted: posted kernel calls cost a share of a queue flush, not a downcall */
	int readonly; /* the command only reads the database (roots, why, graph, baseline, check) */
};

static void common_free(struct common *c)
{
	kc_part_result_free(c->r);
	kc_part_graph_free(c->g);
	kc_part_templates_free(c->t);
	if (c->db)
		kc_db_close(c->db);
	free(c->rname);
	free(c->rprofile);
}

static int open_db(struct common *c, struct kc_err *err)
{
	int rc;

	if (c->db)
		return 0;
	if (access(kc_cli_db_path(c->db_path), F_OK) != 0)
		return kc_err_set(err, KC_EIO, "%s: no such database (run kcut analyze first, or pass --db)",
				  kc_cli_db_path(c->db_path));
	rc = kc_db_open(&c->db, kc_cli_db_path(c->db_path), c->readonly ? KC_DB_READONLY : 0, err);
	if (rc == 0)
		kc_cli_warn_incomplete(c->db);
	return rc;
}

static int open_graph(struct common *c, const char *profile, struct kc_err *err)
{
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	int rc;

	rc = open_db(c, err);
	if (rc < 0)
		return rc;
	if (!c->t) {
		rc = kc_part_templates_load(&c->t, c->templates, err);
		if (rc < 0)
			return rc;
	}
	kc_part_graph_free(c->g);
	c->g = NULL;
	lo.family = c->family;
	lo.profile = profile;
	lo.unseen = c->unseen;
	lo.module = c->module;
	lo.device_access = c->devacc;
	lo.posted = c->posted;
	rc = kc_part_graph_load_ex(&c->g, c->db, c->t, &lo, err);
	if (rc == 0 && c->module && kc_part_graph_nfuncs(c->g) == 0)
		return kc_err_set(err, KC_EINVAL, "%s: no driver function belongs to module '%s' (tu.module)",
				  kc_cli_db_path(c->db_path), c->module);
	if (rc == 0 && kc_part_graph_nfuncs(c->g) == 0)
		fprintf(stderr, "kcut: note: %s holds no driver-defined functions (was kcut analyze run with --driver?)\n",
			kc_cli_db_path(c->db_path));
	return rc;
}

/* Graph + stored partition (c->partition or the newest), with the profile and the device-access
 * mode it was made with (a --device-access that differs from the stored one is an error). */
static int open_stored(struct common *c, struct kc_err *err)
{
	int rc = open_db(c, err), mode = KC_PART_DEV_NONE;

	if (rc == 0)
		rc = kc_part_stored_device_access(c->db, c->partition, &mode, err);
	if (rc == 0 && c->devacc_given && mode != c->devacc)
		return kc_err_set(err, KC_ECONFLICT, "partition %s%s%s was made with --device-access %s, not %s "
				  "(re-run kcut partition --device-access %s to get one)",
				  c->partition ? "'" : "", c->partition ? c->partition : "(the newest)",
				  c->partition ? "'" : "", kc_part_devaccess_name(mode), kc_part_devaccess_name(c->devacc),
				  kc_part_devaccess_name(c->devacc));
	c->devacc = mode;
	if (rc == 0)
		rc = open_graph(c, NULL, err);

	if (rc == 0)
		rc = kc_part_load(&c->r, c->db, c->g, c->partition, &c->ro, &c->rname, &c->rprofile, err);
	if (rc == 0 && c->rprofile) {
		kc_part_result_free(c->r);
		c->r = NULL;
		free(c->rname);
		c->rname = NULL;
		rc = open_graph(c, c->rprofile, err);
		free(c->rprofile);
		c->rprofile = NULL;
		if (rc == 0)
			rc = kc_part_load(&c->r, c->db, c->g, c->partition, &c->ro, &c->rname, &c->rprofile, err);
	}
	return rc;
}

enum { O_DB = 1000, O_FAMILY, O_TEMPLATES, O_PROFILE, O_PARTITION, O_MODE, O_ALPHA, O_BETA, O_PIN, O_BUDGET,
       O_SOLVER, O_NAME, O_FOCUS, O_DEPTH, O_FORMAT, O_BASELINE, O_MAXG, O_SRCROOT, O_MAXF, O_NORULES,
       O_UNSEEN, O_MODULE, O_DEVACC, O_FORCE, O_NOREPL, O_COMBO, O_POSTED };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, O_DB },
	{ "family", required_argument, NULL, O_FAMILY },
	{ "templates", required_argument, NULL, O_TEMPLATES },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "profile-unseen", required_argument, NULL, O_UNSEEN },
	{ "partition", required_argument, NULL, O_PARTITION },
	{ "mode", required_argument, NULL, O_MODE },
	{ "alpha", required_argument, NULL, O_ALPHA },
	{ "beta", required_argument, NULL, O_BETA },
	{ "pin", required_argument, NULL, O_PIN },
	{ "budget", required_argument, NULL, O_BUDGET },
	{ "max-kernel-funcs", required_argument, NULL, O_MAXF },
	{ "no-kernel-rules", no_argument, NULL, O_NORULES },
	{ "module", required_argument, NULL, O_MODULE },
	{ "device-access", required_argument, NULL, O_DEVACC },
	{ "solver", required_argument, NULL, O_SOLVER },
	{ "name", required_argument, NULL, O_NAME },
	{ "focus", required_argument, NULL, O_FOCUS },
	{ "depth", required_argument, NULL, O_DEPTH },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "max-growth", required_argument, NULL, O_MAXG },
	{ "srcroot", required_argument, NULL, O_SRCROOT },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, O_FORCE },
	{ "no-replicate", no_argument, NULL, O_NOREPL },
	{ "combolocks", no_argument, NULL, O_COMBO },
	{ "price-posted", no_argument, NULL, O_POSTED },
	{ NULL, 0, NULL, 0 },
};

/* All partitioner commands accept the same option table; each rejects what it does not use. */
struct args {
	struct common c;
	struct kc_part_opts o;
	struct kc_part_pin *pins;
	size_t npins;
	const char *name, *focus, *format, *baseline, *output, *maxg, *srcroot;
	int depth;
	int no_rules; /* --no-kernel-rules: roots and hard constraints only (the paper's partition) */
	int force;    /* --force: partition --name replaces a stored partition of that name */
	int no_repl;  /* --no-replicate: no function runs in both halves (partitioner/replica.c) */
	char **pos;
	int npos;
};

/* The values an enum-valued option takes, by name; a table ends with a NULL name. */
struct opt_name {
	const char *name;
	int value;
};

static const struct opt_name mode_names[] = {
	{ "propagate", KC_PART_PROPAGATE }, { "mincut", KC_PART_MINCUT }, { NULL, 0 }
};
static const struct opt_name solver_names[] = {
	{ "auto", KC_PART_SOLVER_AUTO }, { "maxflow", KC_PART_SOLVER_MAXFLOW },
	{ "z3", KC_PART_SOLVER_Z3 }, { NULL, 0 }
};
static const struct opt_name prof_names[] = {
	{ "instrument", KC_PART_PROF_INSTRUMENT }, { "ftrace", KC_PART_PROF_FTRACE }, { NULL, 0 }
};
static const struct opt_name unseen_names[] = {
	{ "static", KC_PART_UNSEEN_STATIC }, { "zero", KC_PART_UNSEEN_ZERO }, { NULL, 0 }
};
static const struct opt_name devacc_names[] = {
	{ "none", KC_PART_DEV_NONE }, { "forward", KC_PART_DEV_FORWARD }, { "mapped", KC_PART_DEV_MAPPED }, { NULL, 0 }
};
static const struct opt_name check_names[] = {
	{ "text", KC_PART_CHECK_TEXT }, { "json", KC_PART_CHECK_JSON },
	{ "markdown", KC_PART_CHECK_MARKDOWN }, { "sarif", KC_PART_CHECK_SARIF }, { NULL, 0 }
};

/* Look `arg` up in table `t` into *out. On a miss, tells the user which names `opt` of command
 * `cmd` takes ("--mode is propagate or mincut, not 'x'") and returns -1. */
static int pick_name(int *out, const char *cmd, const char *opt, const char *arg,
		     const struct opt_name *t)
{
	int i;

	for (i = 0; t[i].name; i++) {
		if (!strcmp(arg, t[i].name)) {
			*out = t[i].value;
			return 0;
		}
	}
	fprintf(stderr, "kcut %s: %s is ", cmd, opt);
	for (i = 0; t[i].name; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : t[i + 1].name ? ", " : " or ", t[i].name);
	fprintf(stderr, ", not '%s'\n", arg);
	return -1;
}

/* Parse argv into a; `allowed` lists the option ids the command accepts. Returns 0, or an exit
 * code (usage error). */
static int parse(struct args *a, int argc, char **argv, const int *allowed, const char *usage)
{
	int ch, i, ok, v;
	long l;

	memset(a, 0, sizeof(*a));
	a->o = (struct kc_part_opts)KC_PART_OPTS_INIT;
	a->c.devacc = KC_PART_DEV_DEFAULT;
	a->depth = 2;
	/* commands that store nothing open the database read-only */
	a->c.readonly = !strcmp(argv[0], "roots") || !strcmp(argv[0], "loops") || !strcmp(argv[0], "why") ||
			!strcmp(argv[0], "graph") || !strcmp(argv[0], "baseline") || !strcmp(argv[0], "check");
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", long_opts, NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "kcut %s: unknown option or missing value: %s\n", argv[0], argv[optind - 1]);
			return kc_cli_usage(argv[0], usage);
		}
		for (ok = 0, i = 0; allowed[i]; i++)
			ok |= allowed[i] == ch;
		if (!ok) {
			fprintf(stderr, "kcut %s: option %s does not apply here\n", argv[0], argv[optind - 1]);
			return kc_cli_usage(argv[0], usage);
		}
		switch (ch) {
		case O_DB: a->c.db_path = optarg; break;
		case O_FAMILY: a->c.family = optarg; break;
		case O_TEMPLATES: a->c.templates = optarg; break;
		case O_PROFILE: a->c.profile = optarg; break;
		case O_PARTITION: a->c.partition = optarg; break;
		case O_NAME: a->name = optarg; break;
		case O_FOCUS: a->focus = optarg; break;
		case O_FORMAT: a->format = optarg; break;
		case O_BASELINE: a->baseline = optarg; break;
		case O_MAXG: a->maxg = optarg; break;
		case O_SRCROOT: a->srcroot = optarg; break;
		case 'o': a->output = optarg; break;
		case O_DEPTH:
			if (kc_cli_long(&l, argv[0], "--depth", optarg, 0, 1000000) < 0)
				return KC_EXIT_USAGE;
			a->depth = (int)l;
			break;
		case O_MODE:
			if (pick_name(&v, argv[0], "--mode", optarg, mode_names) < 0)
				return KC_EXIT_USAGE;
			a->o.mode = v;
			break;
		case O_UNSEEN:
			if (pick_name(&v, argv[0], "--profile-unseen", optarg, unseen_names) < 0)
				return KC_EXIT_USAGE;
			a->c.unseen = v;
			a->c.unseen_given = 1;
			break;
		case O_DEVACC:
			if (pick_name(&v, argv[0], "--device-access", optarg, devacc_names) < 0)
				return KC_EXIT_USAGE;
			a->c.devacc = v;
			a->c.devacc_given = 1;
			break;
		case O_SOLVER:
			if (pick_name(&v, argv[0], "--solver", optarg, solver_names) < 0)
				return KC_EXIT_USAGE;
			a->o.solver = v;
			break;
		case O_ALPHA:
			if (kc_cli_double(&a->o.alpha, argv[0], "--alpha", optarg, 0, 1e9) < 0)
				return KC_EXIT_USAGE;
			break;
		case O_BETA:
			if (kc_cli_double(&a->o.beta, argv[0], "--beta", optarg, 0, 1e9) < 0)
				return KC_EXIT_USAGE;
			break;
		case O_BUDGET:
			if (kc_cli_long(&a->o.budget, argv[0], "--budget", optarg, 0, 1000000000) < 0)
				return KC_EXIT_USAGE;
			break;
		case O_NORULES:
			a->no_rules = 1;
			break;
		case O_FORCE:
			a->force = 1;
			break;
		case O_NOREPL:
			a->no_repl = 1;
			break;
		case O_COMBO:
			a->o.combolocks = 1; /* partitioner/locks.c */
			break;
		case O_POSTED:
			a->c.posted = 1;
			break;
		case O_MODULE:
			a->c.module = optarg;
			break;
		case O_MAXF:
			if (kc_cli_long(&a->o.max_funcs, argv[0], "--max-kernel-funcs", optarg, 0, 1000000000) < 0)
				return KC_EXIT_USAGE;
			break;
		case O_PIN: {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || (strcmp(eq + 1, "kernel") && strcmp(eq + 1, "user"))) {
				fprintf(stderr, "kcut %s: --pin wants FUNC=kernel or FUNC=user, not '%s'\n", argv[0], optarg);
				return KC_EXIT_USAGE;
			}
			*eq = 0;
			a->pins = kc_xrealloc(a->pins, (a->npins + 1) * sizeof(*a->pins));
			a->pins[a->npins].func = optarg;
			a->pins[a->npins].side = !strcmp(eq + 1, "kernel") ? KC_PART_KERNEL : KC_PART_USER;
			a->npins++;
			break;
		}
		}
	}
	a->o.pins = a->pins;
	a->o.n_pins = a->npins;
	a->pos = argv + optind;
	a->npos = argc - optind;
	return 0;
}

static void args_free(struct args *a)
{
	common_free(&a->c);
	free(a->pins);
}

static int help_or(int argc, char **argv, const char *usage, const char *text)
{
	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s\n\n%s", usage, text);
		return 1;
	}
	return 0;
}

/* ---- kcut roots ---- */

int kc_cmd_roots(int argc, char **argv)
{
	static const char *usage = "roots [--db FILE] [--module M] [--family NAME] [--templates DIR] [--no-kernel-rules]\n"
				   "       [--device-access none|forward|mapped]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_NORULES, O_MODULE, O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	size_t i, n = 0;
	int rc;

	if (help_or(argc, argv, usage,
		    "List the critical root functions and the template rule that made each a root, then the\n"
		    "functions the templates' 'kernel' rules keep in the kernel half (MMIO, DMA-coherent\n"
		    "memory, descriptor rings, module_init/exit) with the rule and its evidence\n"
		    "(--no-kernel-rules: none). --device-access forward|mapped drops the rules tagged\n"
		    "unless-device-access for that mode (register and DMA code: the user half reaches the\n"
		    "device through rt's regions); default " DEVACC_DEFAULT ".\n"
		    "--module M: only module M's functions, of a whole-tree database (kcut analyze --module-map).\n"
		    "The family (net, sound, scsi, block, usb, input; generic always applies) is detected from\n"
		    "what the driver registers unless --family says otherwise. --templates DIR (and\n"
		    "$KCUT_TEMPLATES) add *.tmpl files to the built-in ones (docs/partitioner.md).\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	rc = open_graph(&a.c, NULL, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	if (a.no_rules)
		kc_part_graph_clear_kernel_rules(a.c.g);
	printf("family %s\n", kc_part_graph_family_why(a.c.g));
	for (i = 0; i < kc_part_graph_nfuncs(a.c.g); i++) {
		const char *rule, *file;
		int atomic, line, col;

		rule = kc_part_graph_root_rule(a.c.g, (int)i, &atomic);
		if (!rule)
			continue;
		kc_part_graph_pos(a.c.g, (int)i, &file, &line, &col);
		printf("%s:%d:%d: %s: root: %s%s\n", file ? file : "?", line, col, kc_part_graph_name(a.c.g, (int)i), rule,
		       atomic ? " [atomic context]" : "");
		n++;
	}
	printf("%zu root%s\n", n, n == 1 ? "" : "s");
	/* the templates' 'kernel' rules: hard kernel pins */
	n = 0;
	for (i = 0; i < kc_part_graph_nfuncs(a.c.g); i++) {
		const char *rule = kc_part_graph_kernel_rule(a.c.g, (int)i), *file;
		int line, col;

		if (!rule)
			continue;
		kc_part_graph_pos(a.c.g, (int)i, &file, &line, &col);
		printf("%s:%d:%d: %s: kernel rule: %s\n", file ? file : "?", line, col, kc_part_graph_name(a.c.g, (int)i),
		       rule);
		n++;
	}
	printf("%zu function%s kept in the kernel by kernel rules (device access %s)\n", n, n == 1 ? "" : "s",
	       kc_part_devaccess_name(kc_part_graph_device_access(a.c.g)));
	rc = KC_EXIT_OK;
out:
	args_free(&a);
	return rc;
}

/* ---- kcut loops ---- */

int kc_cmd_loops(int argc, char **argv)
{
	static const char *usage = "loops [--db FILE] [--module M] [--family NAME] [--templates DIR]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_MODULE, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_part_loop_info li;
	size_t i;
	int rc;

	if (help_or(argc, argv, usage,
		    "List the driver's loops (analyzer table loop) with the class and the trip estimate the\n"
		    "cost model gives each (docs/partitioner.md, \"Loop trip counts\"), one per line, tab-\n"
		    "separated: function, file:line:col, class (once, wait, poll, counted, ring, search, other),\n"
		    "trip estimate, depth, what the bound says (0: unknown). A call site runs the product of\n"
		    "its enclosing loops' estimates per run of its function.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	rc = open_graph(&a.c, NULL, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	printf("# function\tloop\tclass\ttrips\tdepth\tbound\n");
	for (i = 0; kc_part_graph_loop(a.c.g, i, &li) == 0; i++)
		printf("%s\t%s:%d:%d\t%s\t%g\t%d\t%g\n", li.func, li.file ? li.file : "?", li.line, li.col,
		       kc_part_loop_class_name(li.cls), li.trips, li.depth, li.bound);
	rc = KC_EXIT_OK;
out:
	args_free(&a);
	return rc;
}

/* ---- kcut partition ---- */

/* --profile VALUE: a stored profile name, or a file that is imported first (format sniffed). */
static int resolve_profile(struct args *a, char **name_out, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int found = 0, rc;
	char *text = NULL;
	struct kc_sb unk = { 0 };
	size_t n = 0;

	*name_out = NULL;
	if (!a->c.profile)
		return 0;
	if (!a->c.db) {
		rc = open_graph(&a->c, NULL, err);
		if (rc < 0)
			return rc;
	}
	if (sqlite3_prepare_v2(kc_db_sqlite(a->c.db), "SELECT 1 FROM profile WHERE name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, a->c.profile, -1, SQLITE_TRANSIENT);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	if (found) {
		*name_out = kc_xstrdup(a->c.profile);
		return 0;
	}
	if (access(a->c.profile, R_OK) != 0)
		return kc_err_set(err, KC_ENOTFOUND, "--profile %s: neither a stored profile nor a readable file", a->c.profile);
	rc = kc_read_file(&text, NULL, a->c.profile, err);
	if (rc < 0)
		return rc;
	{
		const char *slash = strrchr(a->c.profile, '/');
		char *base = kc_xstrdup(slash ? slash + 1 : a->c.profile), *dot = strrchr(base, '.');
		int fmt = strncmp(text, "# kcut-profile", 14) ? KC_PART_PROF_FTRACE : KC_PART_PROF_INSTRUMENT;

		if (dot && dot != base)
			*dot = 0;
		rc = kc_part_profile_import(a->c.db, a->c.profile, fmt, base, &n, &unk, err);
		if (rc == 0) {
			fprintf(stderr, "kcut %s: imported %s as profile '%s' (%zu edges)\n", "partition", a->c.profile, base, n);
			*name_out = base;
		} else {
			free(base);
		}
	}
	free(text);
	kc_sb_free(&unk);
	return rc;
}

int kc_cmd_partition(int argc, char **argv)
{
	static const char *usage =
		"partition [--db FILE] [--mode propagate|mincut] [--profile NAME|FILE] [--profile-unseen static|zero]\n"
		"       [--alpha A] [--beta B] [--pin FUNC=kernel|user]... [--budget LOC] [--max-kernel-funcs N]\n"
		"       [--solver auto|maxflow|z3] [--name NAME] [--family NAME] [--templates DIR] [--no-kernel-rules]\n"
		"       [--module M] [--device-access none|forward|mapped] [--no-replicate] [--combolocks] [--price-posted]\n"
		"       [--force]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PROFILE, O_MODE, O_ALPHA, O_BETA, O_PIN,
				       O_BUDGET, O_MAXF, O_SOLVER, O_NAME, O_NORULES, O_UNSEEN, O_MODULE, O_DEVACC, O_POSTED,
				       O_FORCE, O_NOREPL, O_COMBO, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_part_result *r = NULL;
	struct kc_part_stats st;
	struct kc_sb sb = { 0 };
	char *profile = NULL;
	const char *name;
	int rc;

	if (help_or(argc, argv, usage,
		    "Choose the kernel half and store it as a named partition (default name: the mode, which\n"
		    "each run replaces). --name NAME refuses to replace a stored partition NAME unless --force\n"
		    "(tune: save NAME --force).\n"
		    "  propagate  roots plus every driver function they transitively call (the paper's splitter)\n"
		    "  mincut     minimise alpha*kernel LOC + beta*crossing call weight (igraph max-flow; Z3\n"
		    "             when --budget caps the kernel LOC or --max-kernel-funcs the number of kernel\n"
		    "             functions). Default alpha 1, beta 1.\n"
		    "Hard constraints in every mode: roots, atomic context (reachable from irq/softirq/timer\n"
		    "roots or called with a spinlock held), whole critical sections, and the templates' kernel\n"
		    "rules (functions touching device registers, DMA-coherent memory or descriptor rings, and\n"
		    "module_init/exit; --no-kernel-rules drops them: roots and locks only, as in the paper).\n"
		    "A pin that contradicts them is an error naming both. Edge weights: call sites x10 per\n"
		    "loop level, or measured counts with --profile (a name from kcut profile import, or a\n"
		    "file imported on the fly). --profile-unseen: the weight of a call edge the profile never\n"
		    "observed: static (default) keeps its static estimate, right for a split run's crossing\n"
		    "trace, which only sees the edges that crossed; zero weighs it 0, right for a profile of\n"
		    "the unsplit driver, which saw every call the workload made.\n"
		    "--module M: partition only module M of a whole-tree database (kcut analyze --module-map);\n"
		    "why, graph, check and tune read such a partition only on a one-driver database for now.\n"
		    "--device-access (default " DEVACC_DEFAULT "): how the user half reaches the device.\n"
		    "  none     it cannot: the register/DMA kernel rules pin code touching registers or DMA memory\n"
		    "  forward  rt forwards its register accesses (downcalls): those rules do not pin; each\n"
		    "           register access site of a user-half function costs beta x its weight (x10 per\n"
		    "           loop level, or profile counts)\n"
		    "  mapped   registers and DMA memory are mapped into the user half: no pin, no cost\n"
		    "Under forward and mapped a function taking a spinlock the kernel half takes stays kernel.\n"
		    "The mode is stored in the partition's parameters (\"device_access\") for kcut emit.\n"
		    "Replication (docs/partitioner.md): a small kernel-half function that both halves call and\n"
		    "that only reads what its parameters reach (a register accessor: readl/writel through rt's\n"
		    "regions; not under none), writes nothing, takes no lock and allocates nothing, gets a copy\n"
		    "in the user half too, whose callers then call it locally; its LOC count in the kernel half.\n"
		    "--no-replicate turns that off.\n"
		    "--combolocks (forward/mapped; off by default): a spinlock that process-context code and\n"
		    "only interrupt handlers take besides may be a combolock (rt/combolock.h: kernel takers wait\n"
		    "or are deferred while the user half holds it), so its process-context holders are not\n"
		    "pinned; any other atomic taker keeps the lock kernel. kcut why gives the verdict on each\n"
		    "such lock either way. kcut emit does not rewrite lock calls yet: it refuses such a split.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	if (a.c.unseen_given && !a.c.profile) {
		fprintf(stderr, "kcut %s: --profile-unseen applies to a --profile\n", argv[0]);
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	/* before anything is written (a --profile FILE is imported on the fly) */
	if (a.name && !a.force && (rc = open_db(&a.c, &err)) == 0 &&
	    (rc = kc_part_exists(a.c.db, a.name, &err)) > 0)
		rc = kc_err_set(&err, KC_ECONFLICT, "%s: partition '%s' exists; --force replaces it",
				kc_cli_db_path(a.c.db_path), a.name);
	if (rc == 0)
		rc = resolve_profile(&a, &profile, &err);
	if (rc == 0)
		rc = open_graph(&a.c, profile, &err);
	if (rc == 0 && a.no_rules)
		kc_part_graph_clear_kernel_rules(a.c.g);
	a.o.replicate = !a.no_repl; /* the cut counts on it (partitioner/replica.c) */
	if (rc == 0)
		rc = kc_part_solve(&r, a.c.g, &a.o, &err);
	if (rc == 0)
		kc_part_replicate(r, !a.no_repl); /* partitioner/replica.c */
	name = a.name ? a.name : a.o.mode == KC_PART_MINCUT ? "mincut" : "propagate";
	if (rc == 0)
		rc = kc_part_store(a.c.db, a.c.g, &a.o, profile, r, name, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	kc_part_result_stats(r, &st);
	printf("partition '%s': %s", name, a.o.mode == KC_PART_MINCUT ? "mincut" : "propagate");
	if (a.o.mode == KC_PART_MINCUT)
		printf(" (%s, alpha %g, beta %g", st.solver, a.o.alpha, a.o.beta);
	if (a.o.mode == KC_PART_MINCUT && a.o.budget >= 0)
		printf(", budget %ld LOC", a.o.budget);
	if (a.o.mode == KC_PART_MINCUT && a.o.max_funcs >= 0)
		printf(", at most %ld kernel functions", a.o.max_funcs);
	if (a.o.mode == KC_PART_MINCUT)
		printf(")");
	printf(", family %s, %s, device access %s, solved in %.2f ms\n", kc_part_graph_family(a.c.g),
	       !profile ? "static weights" : a.c.unseen == KC_PART_UNSEEN_ZERO ? "profile weights (unseen edges 0)" :
	       "profile weights (unseen edges static)", kc_part_devaccess_name(kc_part_graph_device_access(a.c.g)),
	       st.solve_ms);
	kc_part_summary(&sb, a.c.g, r, 20);
	fputs(sb.s ? sb.s : "", stdout);
	rc = KC_EXIT_OK;
out:
	kc_sb_free(&sb);
	kc_part_result_free(r);
	free(profile);
	args_free(&a);
	return rc;
}

/* ---- kcut profile import ---- */

int kc_cmd_profile(int argc, char **argv)
{
	static const char *usage = "profile import FILE --format instrument|ftrace [--name NAME] [--db FILE]";
	static const int allowed[] = { O_DB, O_FORMAT, O_NAME, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_sb unk = { 0 };
	size_t n = 0;
	int rc, fmt;

	if (help_or(argc, argv, usage,
		    "Import caller->callee call counts. Formats (docs/partitioner.md):\n"
		    "  instrument  '# kcut-profile v1 duration_s=S' then '<caller> <callee> <count>' lines\n"
		    "  ftrace      Linux ftrace function_graph text output\n"
		    "Names that are not functions of the database are listed, not fatal. The profile is stored\n"
		    "under NAME (default: the file's base name), replacing one of that name.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos != 2 || strcmp(a.pos[0], "import") || !a.format) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	if (pick_name(&fmt, "profile", "--format", a.format, prof_names) < 0) {
		rc = KC_EXIT_USAGE;
		goto out;
	}
	if (access(kc_cli_db_path(a.c.db_path), F_OK) != 0) {
		kc_err_set(&err, KC_EIO, "%s: no such database", kc_cli_db_path(a.c.db_path));
		rc = kc_cli_fail(argv[0], &err, KC_EIO);
		goto out;
	}
	rc = kc_db_open(&a.c.db, kc_cli_db_path(a.c.db_path), KC_DB_CHECK, &err);
	if (rc == 0)
		rc = kc_part_profile_import(a.c.db, a.pos[1], fmt, a.name, &n, &unk, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	if (unk.s) {
		char *p = unk.s, *nl;
		int k = 0;

		fprintf(stderr, "kcut profile: %s: functions not in the database (their calls were skipped):", a.pos[1]);
		while ((nl = strchr(p, '\n'))) {
			*nl = 0;
			fprintf(stderr, "%s %s", k++ ? "," : "", p);
			p = nl + 1;
		}
		fprintf(stderr, "\n");
	}
	printf("imported %zu caller->callee edges from %s\n", n, a.pos[1]);
	rc = KC_EXIT_OK;
out:
	kc_sb_free(&unk);
	args_free(&a);
	return rc;
}

/* ---- kcut why ---- */

int kc_cmd_why(int argc, char **argv)
{
	static const char *usage = "why FUNC [--partition NAME] [--db FILE] [--family NAME] [--templates DIR]\n"
				   "       [--device-access none|forward|mapped]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PARTITION, O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_sb sb = { 0 };
	int rc, v;

	if (help_or(argc, argv, usage,
		    "Explain why FUNC is on its side of a stored partition (default: the newest): the root\n"
		    "rule, the call chain to a root, the lock held at a call site, a pin, or the min-cut cost\n"
		    "of moving it, and the device-access backend it was made with (--device-access, when\n"
		    "given, must match it).\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos != 1) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	rc = open_stored(&a.c, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	v = kc_part_graph_find(a.c.g, a.pos[0]);
	if (v < 0) {
		fprintf(stderr, "kcut why: no driver function named '%s'\n", a.pos[0]);
		rc = KC_EXIT_USAGE;
		goto out;
	}
	printf("partition '%s':\n", a.c.rname);
	kc_part_why(&sb, a.c.g, a.c.r, v);
	fputs(sb.s, stdout);
	rc = KC_EXIT_OK;
out:
	kc_sb_free(&sb);
	args_free(&a);
	return rc;
}

/* ---- kcut tune ---- */

int kc_cmd_tune(int argc, char **argv)
{
	static const char *usage =
		"tune [--partition NAME] [--db FILE] [--mode M] [--alpha A] [--beta B] [--pin F=SIDE]...\n"
		"       [--budget LOC] [--profile NAME] [--profile-unseen static|zero] [--family NAME] [--templates DIR]\n"
		"       [--device-access none|forward|mapped]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PROFILE, O_PARTITION, O_MODE, O_ALPHA,
				       O_BETA, O_PIN, O_BUDGET, O_UNSEEN, O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	char *profile = NULL;
	int rc;

	if (help_or(argc, argv, usage,
		    "Interactive session: show, pin FUNC kernel|user, unpin FUNC, alpha X, beta X, budget LOC|off,\n"
		    "mode propagate|mincut, why FUNC, diff [NAME], undo, redo, save NAME, graph FILE, quit.\n"
		    "Every change re-solves and prints what moved and the change in kernel LOC and crossings.\n"
		    "On a terminal: history and tab completion (libedit); otherwise commands are read one per\n"
		    "line from standard input. --partition starts from a stored partition's parameters.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	if (a.c.partition) {
		rc = open_stored(&a.c, &err);
		if (rc == 0) {
			a.o.mode = a.c.ro.mode;
			a.o.alpha = a.c.ro.alpha;
			a.o.beta = a.c.ro.beta;
			a.o.budget = a.c.ro.budget;
			profile = a.c.rprofile ? kc_xstrdup(a.c.rprofile) : NULL;
		}
	} else {
		rc = resolve_profile(&a, &profile, &err);
		if (rc == 0)
			rc = open_graph(&a.c, profile, &err);
	}
	if (rc == 0)
		rc = kc_part_tune(a.c.db, a.c.g, &a.o, profile, stdin, isatty(0) && isatty(1), &err);
	rc = rc < 0 ? kc_cli_fail(argv[0], &err, rc) : KC_EXIT_OK;
out:
	free(profile);
	args_free(&a);
	return rc;
}

/* ---- kcut graph ---- */

int kc_cmd_graph(int argc, char **argv)
{
	static const char *usage =
		"graph -o FILE [--partition NAME] [--focus FUNC [--depth N]] [--format dot|svg] [--db FILE]\n"
		"       [--device-access none|forward|mapped]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PARTITION, O_FOCUS, O_DEPTH, O_FORMAT, 'o',
				       O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_sb sb = { 0 };
	int rc, focus = -1, svg;
	FILE *f;

	if (help_or(argc, argv, usage,
		    "Write the call graph of a stored partition (default: the newest) with the two halves as\n"
		    "clusters in two colours and crossing edges bold, labelled with their weight. --focus limits\n"
		    "it to the functions within --depth calls (default 2) of FUNC. SVG goes through Graphviz dot.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos || !a.output || (a.format && strcmp(a.format, "dot") && strcmp(a.format, "svg"))) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	svg = a.format ? !strcmp(a.format, "svg")
		       : strlen(a.output) > 4 && !strcmp(a.output + strlen(a.output) - 4, ".svg");
	rc = open_stored(&a.c, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	if (a.focus && (focus = kc_part_graph_find(a.c.g, a.focus)) < 0) {
		fprintf(stderr, "kcut graph: --focus: no driver function named '%s'\n", a.focus);
		rc = KC_EXIT_USAGE;
		goto out;
	}
	kc_part_dot(&sb, a.c.g, a.c.r, focus, a.depth);
	if (svg) {
		struct kc_sb cmd = { 0 };

		if (system("command -v dot >/dev/null 2>&1") != 0) {
			fprintf(stderr, "kcut graph: Graphviz 'dot' is not installed (apt-get install graphviz), "
					"or write DOT with --format dot\n");
			rc = KC_EXIT_USAGE;
			goto out;
		}
		if (strchr(a.output, '\'')) {
			fprintf(stderr, "kcut graph: output name must not contain a quote\n");
			rc = KC_EXIT_USAGE;
			goto out;
		}
		kc_sb_addf(&cmd, "dot -Tsvg -o '%s'", a.output);
		f = popen(cmd.s, "w");
		kc_sb_free(&cmd);
		if (!f || (fputs(sb.s, f), pclose(f)) != 0) {
			fprintf(stderr, "kcut graph: Graphviz dot failed writing %s\n", a.output);
			rc = KC_EXIT_USAGE;
			goto out;
		}
	} else {
		f = fopen(a.output, "w");
		if (!f || fputs(sb.s, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "kcut graph: cannot write %s\n", a.output);
			rc = KC_EXIT_USAGE;
			goto out;
		}
	}
	printf("wrote %s (%s, partition '%s')\n", a.output, svg ? "svg" : "dot", a.c.rname);
	rc = KC_EXIT_OK;
out:
	kc_sb_free(&sb);
	args_free(&a);
	return rc;
}

/* ---- kcut baseline / check ---- */

int kc_cmd_baseline(int argc, char **argv)
{
	static const char *usage = "baseline -o FILE [--partition NAME] [--db FILE] [--device-access none|forward|mapped]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PARTITION, 'o', O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_part_stats st;
	int rc;

	if (help_or(argc, argv, usage,
		    "Record the kernel half of a stored partition (default: the newest) as JSON, for\n"
		    "kcut check --baseline in CI (docs/ci.md).\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos || !a.output) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	rc = open_stored(&a.c, &err);
	if (rc == 0)
		rc = kc_part_baseline_write(a.output, a.c.g, a.c.r, a.c.rname, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	kc_part_result_stats(a.c.r, &st);
	printf("wrote %s: partition '%s', %zu kernel functions, %ld LOC\n", a.output, a.c.rname, st.kernel_funcs,
	       st.kernel_loc);
	rc = KC_EXIT_OK;
out:
	args_free(&a);
	return rc;
}

int kc_cmd_check(int argc, char **argv)
{
	static const char *usage = "check --baseline FILE [--max-growth LOC|N%] [--format text|json|markdown|sarif]\n"
				   "       [-o FILE] [--partition NAME] [--srcroot DIR] [--db FILE] [--device-access MODE]";
	static const int allowed[] = { O_DB, O_FAMILY, O_TEMPLATES, O_PARTITION, O_BASELINE, O_MAXG, O_FORMAT, O_SRCROOT,
				       'o', O_DEVACC, O_POSTED, 0 };
	struct args a;
	struct kc_err err = { 0 };
	struct kc_sb sb = { 0 };
	double maxg = 0;
	int rc, pct = 0, failed = 0, fmt = KC_PART_CHECK_TEXT;
	char *srcroot = NULL;

	if (help_or(argc, argv, usage,
		    "CI gate: compare a stored partition (default: the newest) with a baseline from kcut baseline.\n"
		    "Exit 1 when the kernel half grew by more than --max-growth (LOC, or N% of the baseline;\n"
		    "default 0) or when a function newly moved into the kernel half; each is listed with its why\n"
		    "chain. SARIF 2.1.0 results point at the function definitions (paths relative to --srcroot,\n"
		    "default the current directory). Exit 2 on usage or I/O errors.\n"))
		return KC_EXIT_OK;
	if ((rc = parse(&a, argc, argv, allowed, usage)))
		goto out;
	if (a.npos || !a.baseline) {
		rc = kc_cli_usage(argv[0], usage);
		goto out;
	}
	if (a.format && pick_name(&fmt, "check", "--format", a.format, check_names) < 0) {
		rc = KC_EXIT_USAGE;
		goto out;
	}
	if (a.maxg) {
		char *end;

		maxg = strtod(a.maxg, &end);
		pct = *end == '%';
		if (end == a.maxg || (*end && strcmp(end, "%")) || !(maxg >= 0 && maxg <= 1e12)) {
			fprintf(stderr, "kcut check: --max-growth wants LOC or N%%, not '%s'\n", a.maxg);
			rc = KC_EXIT_USAGE;
			goto out;
		}
	}
	srcroot = kc_path_canon(a.srcroot ? a.srcroot : ".");
	rc = open_stored(&a.c, &err);
	if (rc == 0)
		rc = kc_part_check(&sb, &failed, a.baseline, a.c.g, a.c.r, maxg, pct, fmt, srcroot, &err);
	if (rc < 0) {
		rc = kc_cli_fail(argv[0], &err, rc);
		goto out;
	}
	if (a.output) {
		FILE *f = fopen(a.output, "w");

		if (!f || fputs(sb.s, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "kcut check: cannot write %s\n", a.output);
			rc = KC_EXIT_USAGE;
			goto out;
		}
		if (fmt != KC_PART_CHECK_TEXT)
			printf("kcut check: %s (report in %s)\n", failed ? "FAIL" : "ok", a.output);
		else
			fputs(sb.s, stdout);
	} else {
		fputs(sb.s, stdout);
	}
	rc = failed ? KC_EXIT_FINDINGS : KC_EXIT_OK;
out:
	free(srcroot);
	kc_sb_free(&sb);
	args_free(&a);
	return rc;
}
