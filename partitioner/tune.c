/*
 * tune.c - `kcut tune`: an interactive session that re-solves the partition after every change
 * and says what moved.
 *
 * On a terminal it uses libedit (history, tab completion of commands, function names and
 * arguments); otherwise it reads the same commands one per line, so sessions are scriptable.
 * Every change (pin, unpin, alpha, beta, budget, mode) is one undo step; a change the solver
 * rejects (a pin against a hard constraint, an impossible budget) is reported and not applied.
 */
#include "part_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <editline/readline.h>

struct tpin {
	char *func;
	int side;
};

struct tstate {
	int mode;
	double alpha, beta;
	long budget;
	struct tpin *pins;
	size_t npins;
};

struct saved {
	char *name;
	unsigned char *side;
};

struct tune {
	struct kc_db *db;
	const struct kc_part_graph *g;
	const char *profile;
	struct tstate cur;
	struct tstate *undo, *redo;
	size_t nundo, nredo;
	struct kc_part_result *r;
	unsigned char *start;
	struct saved *saved;
	size_t nsaved;
};

static const char *const commands[] = { "show", "pin", "unpin", "alpha", "beta", "budget", "mode", "why",
					"diff", "undo", "redo", "save", "graph", "help", "quit", NULL };

static struct tstate copy_state(const struct tstate *s)
{
	struct tstate c = *s;
	size_t i;

	c.pins = kc_xcalloc(s->npins + 1, sizeof(struct tpin));
	for (i = 0; i < s->npins; i++) {
		c.pins[i].func = kc_xstrdup(s->pins[i].func);
		c.pins[i].side = s->pins[i].side;
	}
	return c;
}

static void free_state(struct tstate *s)
{
	size_t i;

	for (i = 0; i < s->npins; i++)
		free(s->pins[i].func);
	free(s->pins);
	s->pins = NULL;
	s->npins = 0;
}

static int solve_state(struct kc_part_result **out, struct tune *t, const struct tstate *s, struct kc_err *err)
{
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_pin *pins = kc_xcalloc(s->npins + 1, sizeof(*pins));
	size_t i;
	int rc;

	for (i = 0; i < s->npins; i++) {
		pins[i].func = s->pins[i].func;
		pins[i].side = s->pins[i].side;
	}
	o.mode = s->mode;
	o.alpha = s->alpha;
	o.beta = s->beta;
	o.budget = s->budget;
	o.pins = pins;
	o.n_pins = s->npins;
	rc = kc_part_solve(out, t->g, &o, err);
	if (rc == 0)
		kc_part_replicate(*out, 1); /* replica.c: as kcut partition does by default */
	free(pins);
	return rc;
}

static void print_moves(const struct kc_part_graph *g, const struct kc_part_result *a, const struct kc_part_result *b,
			const char *what)
{
	struct kc_part_stats sa, sb;
	size_t i, n = kc_part_graph_nfuncs(g);
	int side, any = 0;

	kc_part_result_stats(a, &sa);
	kc_part_result_stats(b, &sb);
	for (side = 1; side >= 0; side--) {
		int first = 1;

		for (i = 0; i < n; i++) {
			if (kc_part_result_side(a, (int)i) == kc_part_result_side(b, (int)i) ||
			    kc_part_result_side(b, (int)i) != side)
				continue;
			printf("%s%s", first ? (side ? "  moved to kernel: " : "  moved to user: ") : ", ",
			       kc_part_graph_name(g, (int)i));
			first = 0;
			any = 1;
		}
		if (!first)
			printf("\n");
	}
	if (!any)
		printf("  nothing moved%s\n", what);
	printf("  kernel LOC %ld -> %ld (%+ld), crossings %zu -> %zu, weight %g -> %g (%+g) [%.2f ms]\n", sa.kernel_loc,
	       sb.kernel_loc, sb.kernel_loc - sa.kernel_loc, sa.cut_edges, sb.cut_edges, sa.cut_weight, sb.cut_weight,
	       sb.cut_weight - sa.cut_weight, sb.solve_ms);
}

/* Solve ns; on success make it current (old state onto the undo stack unless from_history). */
static int apply(struct tune *t, struct tstate *ns, int push_undo)
{
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };

	if (solve_state(&r, t, ns, &err) < 0) {
		printf("  error: %s (nothing changed)\n", err.msg);
		free_state(ns);
		return -1;
	}
	print_moves(t->g, t->r, r, "");
	if (push_undo) {
		t->undo = kc_xrealloc(t->undo, (t->nundo + 1) * sizeof(*t->undo));
		t->undo[t->nundo++] = t->cur;
	} else {
		free_state(&t->cur);
	}
	t->cur = *ns;
	kc_part_result_free(t->r);
	t->r = r;
	return 0;
}

static void clear_redo(struct tune *t)
{
	while (t->nredo)
		free_state(&t->redo[--t->nredo]);
}

static void show(struct tune *t)
{
	struct kc_part_stats st;
	struct kc_sb sb = { 0 };
	size_t i;

	kc_part_result_stats(t->r, &st);
	printf("mode %s, alpha %g, beta %g, budget ", t->cur.mode == KC_PART_MINCUT ? "mincut" : "propagate",
	       t->cur.alpha, t->cur.beta);
	if (t->cur.budget >= 0)
		printf("%ld LOC", t->cur.budget);
	else
		printf("none");
	printf(", solver %s, family %s\n", st.solver, kc_part_graph_family(t->g));
	for (i = 0; i < t->cur.npins; i++)
		printf("  pin %s=%s\n", t->cur.pins[i].func, t->cur.pins[i].side ? "kernel" : "user");
	kc_part_summary(&sb, t->g, t->r, 15);
	fputs(sb.s ? sb.s : "", stdout);
	kc_sb_free(&sb);
}

/* Differences from the start, from a cut saved in this session, or from a stored partition. */
static void diff(struct tune *t, const char *name)
{
	const unsigned char *ref = t->start;
	unsigned char *stored = NULL;
	size_t i, n = kc_part_graph_nfuncs(t->g), k = 0;

	if (name) {
		ref = NULL;
		for (i = 0; i < t->nsaved; i++)
			if (!strcmp(t->saved[i].name, name))
				ref = t->saved[i].side;
		if (!ref && t->db) {
			struct kc_part_result *pr = NULL;
			struct kc_err err = { 0 };

			if (kc_part_load(&pr, t->db, t->g, name, NULL, NULL, NULL, &err) == 0) {
				stored = kc_xmalloc(n + 1);
				for (i = 0; i < n; i++)
					stored[i] = (unsigned char)kc_part_result_side(pr, (int)i);
				ref = stored;
				kc_part_result_free(pr);
			}
		}
		if (!ref) {
			printf("  error: no cut named '%s' (save NAME, or a partition stored by kcut partition)\n", name);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		int now = kc_part_result_side(t->r, (int)i);

		if (now == ref[i])
			continue;
		printf("  %s: %s -> %s (%ld LOC)\n", kc_part_graph_name(t->g, (int)i), ref[i] ? "kernel" : "user",
		       now ? "kernel" : "user", kc_part_graph_loc(t->g, (int)i));
		k++;
	}
	printf("  %zu function%s from %s\n", k, k == 1 ? " differs" : "s differ", name ? name : "the start");
	free(stored);
}

static void help(void)
{
	printf("commands:\n"
	       "  show                     the current cut\n"
	       "  pin FUNC kernel|user     force a function's side   unpin FUNC\n"
	       "  alpha X | beta X         cost of a kernel LOC / of a unit of crossing weight\n"
	       "  budget LOC | budget off  maximum kernel LOC (solved with Z3)\n"
	       "  mode propagate|mincut    how to choose the kernel half\n"
	       "  why FUNC                 why FUNC is on its side\n"
	       "  diff [NAME]              what differs from the start (or a saved cut)\n"
	       "  undo | redo              step through the changes\n"
	       "  save NAME [--force]      store the cut in the database as partition NAME (--force:\n"
	       "                           replace a stored partition of that name)\n"
	       "  graph FILE               write the call graph (DOT; SVG when FILE ends in .svg)\n"
	       "  quit\n");
}

static void graph_cmd(struct tune *t, const char *file)
{
	struct kc_sb sb = { 0 };
	size_t n = strlen(file);
	FILE *f;

	kc_part_dot(&sb, t->g, t->r, -1, 0);
	if (n > 4 && !strcmp(file + n - 4, ".svg")) {
		struct kc_sb cmd = { 0 };

		kc_sb_add(&cmd, "dot -Tsvg -o '");
		kc_sb_add(&cmd, file);
		kc_sb_add(&cmd, "'");
		f = strchr(file, '\'') ? NULL : popen(cmd.s, "w");
		if (f) {
			fputs(sb.s, f);
			if (pclose(f) != 0)
				printf("  error: Graphviz dot failed (is graphviz installed? try a .dot file)\n");
			else
				printf("  wrote %s\n", file);
		} else {
			printf("  error: cannot run Graphviz dot for %s\n", file);
		}
		kc_sb_free(&cmd);
	} else if ((f = fopen(file, "w"))) {
		fputs(sb.s, f);
		fclose(f);
		printf("  wrote %s\n", file);
	} else {
		printf("  error: cannot write %s\n", file);
	}
	kc_sb_free(&sb);
}

/* ---- libedit completion ---- */

static const struct kc_part_graph *comp_graph;
static const char *const *comp_words;
static size_t comp_idx;

static char *gen_words(const char *text, int state)
{
	size_t n = strlen(text);

	if (!state)
		comp_idx = 0;
	while (comp_words[comp_idx]) {
		const char *w = comp_words[comp_idx++];

		if (!strncmp(w, text, n))
			return strdup(w);
	}
	return NULL;
}

static char *gen_funcs(const char *text, int state)
{
	size_t n = strlen(text), nf = kc_part_graph_nfuncs(comp_graph);

	if (!state)
		comp_idx = 0;
	while (comp_idx < nf) {
		const char *w = kc_part_graph_name(comp_graph, (int)comp_idx++);

		if (!strncmp(w, text, n))
			return strdup(w);
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	static const char *const sides[] = { "kernel", "user", NULL };
	static const char *const modes[] = { "propagate", "mincut", NULL };
	char first[32] = "";
	int words = 0, i, in_word = 0;

	(void)end;
	rl_attempted_completion_over = 1;
	for (i = 0; i < start && rl_line_buffer[i]; i++) {
		if (rl_line_buffer[i] != ' ' && !in_word) {
			in_word = 1;
			if (words == 0)
				sscanf(rl_line_buffer + i, "%31s", first);
			words++;
		} else if (rl_line_buffer[i] == ' ') {
			in_word = 0;
		}
	}
	if (words == 0) {
		comp_words = commands;
		return rl_completion_matches(text, gen_words);
	}
	if (words == 1 && (!strcmp(first, "pin") || !strcmp(first, "unpin") || !strcmp(first, "why")))
		return rl_completion_matches(text, gen_funcs);
	if (words == 2 && !strcmp(first, "pin")) {
		comp_words = sides;
		return rl_completion_matches(text, gen_words);
	}
	if (words == 1 && !strcmp(first, "mode")) {
		comp_words = modes;
		return rl_completion_matches(text, gen_words);
	}
	return NULL;
}

/* One command. Returns 1 to quit. */
static int command(struct tune *t, char *line)
{
	char *argv[4] = { 0 }, *p = line, *end;
	int argc = 0;
	struct tstate ns;
	size_t i;

	while (argc < 4 && (argv[argc] = strtok_r(p, " \t\r\n", &end))) {
		p = NULL;
		argc++;
	}
	if (!argc || argv[0][0] == '#')
		return 0;
	if (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit") || !strcmp(argv[0], "q"))
		return 1;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "?")) {
		help();
	} else if (!strcmp(argv[0], "show")) {
		show(t);
	} else if (!strcmp(argv[0], "why") && argc == 2) {
		int v = kc_part_graph_find(t->g, argv[1]);
		struct kc_sb sb = { 0 };

		if (v < 0) {
			printf("  error: no driver function named %s\n", argv[1]);
			return 0;
		}
		kc_part_why(&sb, t->g, t->r, v);
		fputs(sb.s, stdout);
		kc_sb_free(&sb);
	} else if (!strcmp(argv[0], "pin") && argc == 3 && (!strcmp(argv[2], "kernel") || !strcmp(argv[2], "user"))) {
		ns = copy_state(&t->cur);
		for (i = 0; i < ns.npins && strcmp(ns.pins[i].func, argv[1]); i++)
			;
		if (i == ns.npins) {
			ns.pins[i].func = kc_xstrdup(argv[1]);
			ns.npins++;
		}
		ns.pins[i].side = !strcmp(argv[2], "kernel") ? KC_PART_KERNEL : KC_PART_USER;
		if (apply(t, &ns, 1) == 0)
			clear_redo(t);
	} else if (!strcmp(argv[0], "unpin") && argc == 2) {
		ns = copy_state(&t->cur);
		for (i = 0; i < ns.npins && strcmp(ns.pins[i].func, argv[1]); i++)
			;
		if (i == ns.npins) {
			printf("  error: %s is not pinned\n", argv[1]);
			free_state(&ns);
			return 0;
		}
		free(ns.pins[i].func);
		ns.pins[i] = ns.pins[--ns.npins];
		if (apply(t, &ns, 1) == 0)
			clear_redo(t);
	} else if ((!strcmp(argv[0], "alpha") || !strcmp(argv[0], "beta")) && argc == 2) {
		double v = strtod(argv[1], &end);

		if (end == argv[1] || *end || !(v >= 0 && v <= 1e9)) {
			printf("  error: %s needs a number from 0 to 1e9\n", argv[0]);
			return 0;
		}
		ns = copy_state(&t->cur);
		*(argv[0][0] == 'a' ? &ns.alpha : &ns.beta) = v;
		if (apply(t, &ns, 1) == 0)
			clear_redo(t);
	} else if (!strcmp(argv[0], "budget") && argc == 2) {
		long v = !strcmp(argv[1], "off") ? -1 : strtol(argv[1], &end, 10);

		if (strcmp(argv[1], "off") && (end == argv[1] || *end || v < 0 || v > 1000000000)) {
			printf("  error: budget needs a LOC count from 0 to 1000000000, or 'off'\n");
			return 0;
		}
		ns = copy_state(&t->cur);
		ns.budget = v;
		if (v >= 0)
			ns.mode = KC_PART_MINCUT;
		if (apply(t, &ns, 1) == 0)
			clear_redo(t);
	} else if (!strcmp(argv[0], "mode") && argc == 2 && (!strcmp(argv[1], "mincut") || !strcmp(argv[1], "propagate"))) {
		ns = copy_state(&t->cur);
		ns.mode = !strcmp(argv[1], "mincut") ? KC_PART_MINCUT : KC_PART_PROPAGATE;
		if (ns.mode == KC_PART_PROPAGATE)
			ns.budget = -1;
		if (apply(t, &ns, 1) == 0)
			clear_redo(t);
	} else if (!strcmp(argv[0], "undo") || !strcmp(argv[0], "redo")) {
		int u = argv[0][0] == 'u';
		struct tstate *from = u ? t->undo : t->redo;
		size_t *nfrom = u ? &t->nundo : &t->nredo;
		struct tstate keep;

		if (!*nfrom) {
			printf("  nothing to %s\n", argv[0]);
			return 0;
		}
		ns = from[--*nfrom];
		keep = copy_state(&t->cur);
		if (apply(t, &ns, 0) == 0) {
			struct tstate **to = u ? &t->redo : &t->undo;
			size_t *nto = u ? &t->nredo : &t->nundo;

			*to = kc_xrealloc(*to, (*nto + 1) * sizeof(**to));
			(*to)[(*nto)++] = keep;
		} else {
			free_state(&keep);
		}
	} else if (!strcmp(argv[0], "diff") && argc <= 2) {
		diff(t, argc == 2 ? argv[1] : NULL);
	} else if (!strcmp(argv[0], "save") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "--force")))) {
		struct kc_part_opts o = KC_PART_OPTS_INIT;
		struct kc_part_pin *pins;
		struct kc_err err = { 0 };
		size_t n = kc_part_graph_nfuncs(t->g);
		int ex = t->db ? kc_part_exists(t->db, argv[1], &err) : 0;

		/* a stored partition is replaced only when asked (kcut partition --name: --force) */
		if (ex < 0) {
			printf("  error: %s\n", err.msg);
			return 0;
		}
		if (ex && argc == 2) {
			printf("  error: partition '%s' exists; 'save %s --force' replaces it\n", argv[1], argv[1]);
			return 0;
		}
		pins = kc_xcalloc(t->cur.npins + 1, sizeof(*pins));

		for (i = 0; i < t->cur.npins; i++) {
			pins[i].func = t->cur.pins[i].func;
			pins[i].side = t->cur.pins[i].side;
		}
		o.mode = t->cur.mode;
		o.alpha = t->cur.alpha;
		o.beta = t->cur.beta;
		o.budget = t->cur.budget;
		o.pins = pins;
		o.n_pins = t->cur.npins;
		if (t->db && kc_part_store(t->db, t->g, &o, t->profile, t->r, argv[1], &err) < 0) {
			printf("  error: %s\n", err.msg);
			free(pins);
			return 0;
		}
		printf("  saved as partition '%s'\n", argv[1]);
		free(pins);
		t->saved = kc_xrealloc(t->saved, (t->nsaved + 1) * sizeof(*t->saved));
		t->saved[t->nsaved].name = kc_xstrdup(argv[1]);
		t->saved[t->nsaved].side = kc_xmalloc(n + 1);
		for (i = 0; i < n; i++)
			t->saved[t->nsaved].side[i] = (unsigned char)kc_part_result_side(t->r, (int)i);
		t->nsaved++;
	} else if (!strcmp(argv[0], "graph") && argc == 2) {
		graph_cmd(t, argv[1]);
	} else {
		printf("  error: unknown or malformed command '%s' (try help)\n", argv[0]);
	}
	return 0;
}

int kc_part_tune(struct kc_db *db, const struct kc_part_graph *g, const struct kc_part_opts *opts,
		 const char *profile, FILE *in, int interactive, struct kc_err *err)
{
	struct tune t = { 0 };
	size_t i, n = kc_part_graph_nfuncs(g);
	int rc, quit = 0;

	t.db = db;
	t.g = g;
	t.profile = profile;
	t.cur.mode = opts->mode;
	t.cur.alpha = opts->alpha;
	t.cur.beta = opts->beta;
	t.cur.budget = opts->budget;
	t.cur.pins = kc_xcalloc(opts->n_pins + 1, sizeof(struct tpin));
	for (i = 0; i < opts->n_pins; i++) {
		t.cur.pins[i].func = kc_xstrdup(opts->pins[i].func);
		t.cur.pins[i].side = opts->pins[i].side;
	}
	t.cur.npins = opts->n_pins;
	rc = solve_state(&t.r, &t, &t.cur, err);
	if (rc < 0)
		goto cleanup;
	t.start = kc_xmalloc(n + 1);
	for (i = 0; i < n; i++)
		t.start[i] = (unsigned char)kc_part_result_side(t.r, (int)i);
	show(&t);
	if (interactive) {
		comp_graph = g;
		rl_attempted_completion_function = complete;
		using_history();
	}
	while (!quit) {
		char *line = NULL;
		size_t cap = 0;

		if (interactive) {
			line = readline("kcut tune> ");
			if (!line)
				break;
			if (*line)
				add_history(line);
		} else if (getline(&line, &cap, in) < 0) {
			free(line);
			break;
		} else {
			printf("> %s", line);
			if (!strchr(line, '\n'))
				printf("\n");
		}
		quit = command(&t, line);
		free(line);
		fflush(stdout);
	}
	if (interactive)
		clear_history();
cleanup:
	kc_part_result_free(t.r);
	free_state(&t.cur);
	for (i = 0; i < t.nundo; i++)
		free_state(&t.undo[i]);
	for (i = 0; i < t.nredo; i++)
		free_state(&t.redo[i]);
	free(t.undo);
	free(t.redo);
	free(t.start);
	for (i = 0; i < t.nsaved; i++) {
		free(t.saved[i].name);
		free(t.saved[i].side);
	}
	free(t.saved);
	return rc;
}
