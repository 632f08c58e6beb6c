/*
 * profile.c - call-count profiles of drivers built with -finstrument-functions (the <name>_prof.so
 * variant kc_add_driver() builds).
 *
 * The compiler calls __cyg_profile_func_enter(fn, call_site) at the entry of every function of the
 * instrumented driver; an edge table counts (call_site, fn) pairs. At write time a call site inside the
 * driver object is mapped to the function containing it (from the object's ELF symbol table, static
 * functions included); a call site elsewhere means the kernel called into the driver (an ops callback, a
 * handler, a timer), written as caller "kernel". Edges are written sorted in kcut's instrument format:
 *
 *     # kcut-profile v1 duration_s=S        (S: virtual seconds since the model started)
 *     <caller> <callee> <count>
 */
#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

#define NO_INSTR __attribute__((no_instrument_function))

struct edge {
	void *caller;
	void *callee;
	unsigned long long count;
};

static struct edge *edges;
static size_t nedges, capedges;	/* open addressing, capedges is a power of two */

NO_INSTR static size_t edge_hash(void *a, void *b)
{
	uint64_t h = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)b * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h ^ (h >> 29));
}

NO_INSTR static void edge_grow(void)
{
	size_t ncap = capedges ? capedges * 2 : 4096;
	struct edge *ne = calloc(ncap, sizeof(*ne));

	if (!ne)
		abort();
	for (size_t i = 0; i < capedges; i++) {
		size_t j;

		if (!edges[i].callee)
			continue;
		for (j = edge_hash(edges[i].caller, edges[i].callee) & (ncap - 1); ne[j].callee; j = (j + 1) & (ncap - 1))
			;
		ne[j] = edges[i];
	}
	free(edges);
	edges = ne;
	capedges = ncap;
}

NO_INSTR static void edge_count(void *caller, void *callee)
{
	size_t j;

	if ((nedges + 1) * 2 > capedges)
		edge_grow();
	for (j = edge_hash(caller, callee) & (capedges - 1); edges[j].callee; j = (j + 1) & (capedges - 1))
		if (edges[j].caller == caller && edges[j].callee == callee) {
			edges[j].count++;
			return;
		}
	edges[j].caller = caller;
	edges[j].callee = callee;
	edges[j].count = 1;
	nedges++;
}

NO_INSTR void __cyg_profile_func_enter(void *this_fn, void *call_site)
{
	edge_count(call_site, this_fn);
}

NO_INSTR void __cyg_profile_func_exit(void *this_fn, void *call_site)
{
	(void)this_fn;
	(void)call_site;
}

/* ---- symbol names from the ELF symbol table ---- */

struct symfile {
	char *path;
	void *base;
	struct {
		uint64_t value;
		uint64_t size;
		char *name;
	} *syms;
	size_t nsyms;
};

static struct symfile *files;
static size_t nfiles;

static void load_symtab(struct symfile *sf)
{
	FILE *f = fopen(sf->path, "rb");
	long size;
	unsigned char *buf = NULL;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) <= (long)sizeof(Elf64_Ehdr) || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto out;
	eh = (const Elf64_Ehdr *)buf;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > (uint64_t)size)
		goto out;
	sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *st, *str;
		const Elf64_Sym *sym;
		size_t n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		st = &sh[i];
		str = &sh[st->sh_link];
		if (st->sh_offset + st->sh_size > (uint64_t)size || str->sh_offset + str->sh_size > (uint64_t)size)
			continue;
		sym = (const Elf64_Sym *)(buf + st->sh_offset);
		n = st->sh_size / sizeof(Elf64_Sym);
		sf->syms = calloc(n, sizeof(*sf->syms));
		if (!sf->syms)
			goto out;
		for (size_t k = 0; k < n; k++) {
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value ||
			    sym[k].st_name >= str->sh_size)
				continue;
			sf->syms[sf->nsyms].value = sym[k].st_value;
			sf->syms[sf->nsyms].size = sym[k].st_size;
			sf->syms[sf->nsyms].name = strdup((const char *)buf + str->sh_offset + sym[k].st_name);
			sf->nsyms++;
		}
		break;
	}
out:
	free(buf);
	fclose(f);
}

static struct symfile *symfile_of(void *addr, Dl_info *info)
{
	struct symfile *sf;

	if (!dladdr(addr, info) || !info->dli_fname)
		return NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].base == info->dli_fbase)
			return &files[i];
	sf = realloc(files, (nfiles + 1) * sizeof(*sf));
	if (!sf)
		return NULL;
	files = sf;
	sf = &files[nfiles++];
	memset(sf, 0, sizeof(*sf));
	sf->path = strdup(info->dli_fname);
	sf->base = info->dli_fbase;
	if (sf->path)
		load_symtab(sf);
	return sf;
}

/* Name of the function containing addr (exact start if `start`), or NULL. Owned by the cache. */
static const char *addr_name(void *addr, bool start, void **fbase)
{
	Dl_info info;
	struct symfile *sf = symfile_of(addr, &info);
	uint64_t off;

	if (!sf)
		return NULL;
	*fbase = info.dli_fbase;
	off = (uint64_t)((uintptr_t)addr - (uintptr_t)info.dli_fbase);
	for (size_t i = 0; i < sf->nsyms; i++)
		if (start ? sf->syms[i].value == off :
			    (off >= sf->syms[i].value && off < sf->syms[i].value + sf->syms[i].size))
			return sf->syms[i].name;
	return start && info.dli_sname && info.dli_saddr == addr ? info.dli_sname : NULL;
}

struct named_edge {
	char caller[128];
	char callee[128];
	unsigned long long count;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named_edge *x = a, *y = b;
	int c = strcmp(x->caller, y->caller);

	return c ? c : strcmp(x->callee, y->callee);
}

static struct named_edge *acc;	/* edges of unloaded modules, already named */
static size_t nacc;
static bool profiled;

bool kc_km_profile_active(void)
{
	return profiled || nedges > 0;
}

/* Name the address edges (their module must still be loaded), move them to acc, clear the table. */
static int profile_resolve(void)
{
	struct named_edge *na = realloc(acc, (nacc + nedges + 1) * sizeof(*na));

	if (!na)
		return KC_ENOMEM;
	acc = na;
	for (size_t i = 0; i < capedges; i++) {
		const char *a, *b;
		void *callee_base = NULL, *site_base = NULL;

		if (!edges[i].callee)
			continue;
		b = addr_name(edges[i].callee, true, &callee_base);
		a = addr_name(edges[i].caller, false, &site_base);
		if (!site_base || site_base != callee_base)
			a = "kernel";	/* called from outside the driver object */
		snprintf(acc[nacc].caller, sizeof(acc[nacc].caller), "%s", a ? a : "?");
		snprintf(acc[nacc].callee, sizeof(acc[nacc].callee), "%s", b ? b : "?");
		acc[nacc].count = edges[i].count;
		nacc++;
		edges[i].callee = NULL;
	}
	if (nedges)
		profiled = true;
	nedges = 0;
	/* the symbol cache is keyed by load address, which a reloaded module may reuse */
	for (size_t i = 0; i < nfiles; i++) {
		for (size_t k = 0; k < files[i].nsyms; k++)
			free(files[i].syms[k].name);
		free(files[i].syms);
		free(files[i].path);
	}
	free(files);
	files = NULL;
	nfiles = 0;
	return 0;
}

int kc_km_profile_write(const char *path, struct kc_err *err)
{
	FILE *f;

	if (profile_resolve())
		return kc_err_set(err, KC_ENOMEM, "out of memory");
	qsort(acc, nacc, sizeof(*acc), named_cmp);
	f = fopen(path, "w");
	if (!f)
		return kc_err_set(err, KC_EIO, "cannot write %s", path);
	fprintf(f, "# kcut-profile v1 duration_s=%.6f\n", (double)kc_km_now_ns() / 1e9);
	for (size_t i = 0; i < nacc; i++) {
		/* merge entries that resolved to the same names */
		unsigned long long c = acc[i].count;

		while (i + 1 < nacc && !named_cmp(&acc[i], &acc[i + 1]))
			c += acc[++i].count;
		fprintf(f, "%s %s %llu\n", acc[i].caller, acc[i].callee, c);
	}
	if (fclose(f))
		return kc_err_set(err, KC_EIO, "cannot write %s", path);
	return 0;
}
