/*
 * module.c - the kernel model's module loader and machine start-up.
 *
 * A driver is a shared object. As for a real module, the loader finds init_module/cleanup_module (the
 * aliases module_init()/module_exit() define), the struct kernel_param entries of the "__param" section,
 * and the "tag=value" strings of the info section (through the module's __kc_module_sections table).
 * Parameters are set from "name=value" strings with the kernel's
 * parameter types; init and exit run in process context on the harness task; unloading checks that the
 * module left no timer armed into its own code and no memory allocated.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/timer.h>

#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

struct km_param {
	char *name;
	char *type;
	void *arg;
	unsigned int *num;
	unsigned int max;
	size_t esize;
	unsigned int perm;
	char *desc;
	char **charp_owned;	/* strings we allocated for charp values (per element) */
	bool is_array;
};

struct km_info {
	char *tag;
	char *value;
};

struct kc_km_module {
	char *path;
	char name[64];
	void *handle;
	initcall_t init;
	exitcall_t exit;
	struct km_param *params;
	unsigned int nparams;
	struct km_info *info;
	unsigned int ninfo;
	bool inited;
	size_t mem_baseline;
};

/* "_Bool" appears if a caller's macro layer expanded `bool` before we stringified it. */
static bool is_bool_type(const char *t)
{
	return !strcmp(t, "bool") || !strcmp(t, "_Bool");
}


int kc_km_init(const struct kc_km_config *cfg, struct kc_err *err)
{
	int rc;

	if (km_sched_started())
		return kc_err_set(err, KC_EINVAL, "kernel model already started");
	km_log_configure(cfg ? cfg->panic_on_bug : false, cfg ? cfg->log_to_stderr : false);
	rc = km_sched_init();
	if (rc)
		return kc_err_set(err, rc, "cannot start the kernel model");
	km_workqueue_init();
	return 0;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		km_fatal("out of memory");
	return d;
}

static void add_info(struct kc_km_module *mod, const char *tag, size_t taglen, const char *value)
{
	struct km_info *ni = realloc(mod->info, (mod->ninfo + 1) * sizeof(*ni));

	if (!ni)
		km_fatal("out of memory");
	mod->info = ni;
	ni[mod->ninfo].tag = strndup(tag, taglen);
	ni[mod->ninfo].value = xstrdup(value);
	if (!ni[mod->ninfo].tag)
		km_fatal("out of memory");
	mod->ninfo++;
}

static struct km_param *find_param(const struct kc_km_module *mod, const char *name, size_t len)
{
	for (unsigned int i = 0; i < mod->nparams; i++)
		if (strlen(mod->params[i].name) == len && !strncmp(mod->params[i].name, name, len))
			return &mod->params[i];
	return NULL;
}

/* A symbol of the module object itself (dlsym on a handle also searches its dependencies, and libc has
 * an init_module of its own). */
static void *own_symbol(struct kc_km_module *mod, const char *name)
{
	void *sym = dlsym(mod->handle, name);
	struct link_map *lm = NULL;
	Dl_info info;

	if (!sym || dlinfo(mod->handle, RTLD_DI_LINKMAP, &lm) || !lm || !dladdr(sym, &info))
		return NULL;
	return info.dli_fbase == (void *)lm->l_addr || !strcmp(info.dli_fname, lm->l_name) ? sym : NULL;
}

static int param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct km_param *)a)->name, ((const struct km_param *)b)->name);
}

/* Read the module's __param section and info strings (see linux/module.h). Parameters are kept sorted
 * by name: the section's order depends on the compiler's optimisation level. */
static void read_sections(struct kc_km_module *mod)
{
	const void *const *sec = own_symbol(mod, "__kc_module_sections");
	const struct kernel_param *kp, *kend;
	const char *p, *end;

	if (!sec)
		return;
	kp = sec[0];
	kend = sec[1];
	for (; kp && kp < kend; kp++) {
		struct km_param *np = realloc(mod->params, (mod->nparams + 1) * sizeof(*np)), *q;

		if (!np)
			km_fatal("out of memory");
		mod->params = np;
		q = &np[mod->nparams++];
		memset(q, 0, sizeof(*q));
		q->name = xstrdup(kp->name);
		q->type = xstrdup(kp->type);
		q->arg = kp->arg;
		q->num = kp->num;
		q->max = kp->max ? kp->max : 1;
		q->is_array = kp->is_array;
		q->esize = kp->elemsize;
		q->perm = kp->perm;
		q->charp_owned = calloc(q->max, sizeof(char *));
	}
	if (mod->nparams > 1)
		qsort(mod->params, mod->nparams, sizeof(*mod->params), param_cmp);
	p = sec[2];
	end = sec[3];
	while (p && p < end) {
		size_t len = strnlen(p, (size_t)(end - p));
		const char *eq = memchr(p, '=', len);

		if (eq && !strncmp(p, "parm=", 5)) {
			const char *colon = memchr(eq + 1, ':', len - (size_t)(eq + 1 - p));
			struct km_param *q = colon ? find_param(mod, eq + 1, (size_t)(colon - eq - 1)) : NULL;

			if (q) {
				free(q->desc);
				q->desc = xstrdup(colon + 1);
			}
		} else if (eq) {
			add_info(mod, p, (size_t)(eq - p), eq + 1);
		}
		p += len + 1;
		while (p < end && !*p)
			p++;	/* alignment padding */
	}
}

int kc_km_module_load(struct kc_km_module **out, const char *path, struct kc_err *err)
{
	struct kc_km_module *mod = calloc(1, sizeof(*mod));
	const char *base;
	size_t n;

	if (!mod)
		return kc_err_set(err, KC_ENOMEM, "out of memory");
	mod->path = xstrdup(path);
	base = km_basename(path);
	n = strcspn(base, ".");
	snprintf(mod->name, sizeof(mod->name), "%.*s", (int)n, base);
	kc_km_mem_stats(&mod->mem_baseline, NULL, NULL, NULL);
	mod->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!mod->handle) {
		kc_err_set(err, KC_EIO, "cannot load %s: %s", path, dlerror());
		kc_km_module_unload(mod);
		return KC_EIO;
	}
	mod->init = (initcall_t)own_symbol(mod, "init_module");
	mod->exit = (exitcall_t)own_symbol(mod, "cleanup_module");
	read_sections(mod);
	if (!mod->init) {
		kc_err_set(err, KC_EINVAL, "%s has no module_init()", path);
		kc_km_module_unload(mod);
		return KC_EINVAL;
	}
	*out = mod;
	return 0;
}

static int set_scalar(struct km_param *p, unsigned int idx, const char *val)
{
	char *end;
	void *slot = (char *)p->arg + idx * p->esize;
	const char *t = p->type;

	if (!strcmp(t, "charp")) {
		free(p->charp_owned[idx]);
		p->charp_owned[idx] = xstrdup(val);
		*(char **)slot = p->charp_owned[idx];
		return 0;
	}
	if (is_bool_type(t) || !strcmp(t, "invbool")) {
		bool v;

		if (!strcmp(val, "1") || !strcmp(val, "Y") || !strcmp(val, "y") || !strcmp(val, "on"))
			v = true;
		else if (!strcmp(val, "0") || !strcmp(val, "N") || !strcmp(val, "n") || !strcmp(val, "off"))
			v = false;
		else
			return -EINVAL;
		if (!strcmp(t, "invbool"))
			v = !v;
		*(bool *)slot = v;
		return 0;
	}
	if (!strcmp(t, "int") || !strcmp(t, "long") || !strcmp(t, "short")) {
		long long v = strtoll(val, &end, 0);

		if (end == val || *end)
			return -EINVAL;
		if (!strcmp(t, "int")) {
			if (v < INT_MIN || v > INT_MAX)
				return -ERANGE;
			*(int *)slot = (int)v;
		} else if (!strcmp(t, "short")) {
			if (v < SHRT_MIN || v > SHRT_MAX)
				return -ERANGE;
			*(short *)slot = (short)v;
		} else {
			*(long *)slot = (long)v;
		}
		return 0;
	}
	if (!strcmp(t, "uint") || !strcmp(t, "ulong") || !strcmp(t, "ushort") || !strcmp(t, "byte")) {
		unsigned long long v;

		if (*val == '-')
			return -EINVAL;
		v = strtoull(val, &end, 0);
		if (end == val || *end)
			return -EINVAL;
		if (!strcmp(t, "uint")) {
			if (v > UINT_MAX)
				return -ERANGE;
			*(unsigned int *)slot = (unsigned int)v;
		} else if (!strcmp(t, "ushort")) {
			if (v > USHRT_MAX)
				return -ERANGE;
			*(unsigned short *)slot = (unsigned short)v;
		} else if (!strcmp(t, "byte")) {
			if (v > UCHAR_MAX)
				return -ERANGE;
			*(unsigned char *)slot = (unsigned char)v;
		} else {
			*(unsigned long *)slot = (unsigned long)v;
		}
		return 0;
	}
	return -EINVAL;
}

int kc_km_module_param(struct kc_km_module *mod, const char *assignment, struct kc_err *err)
{
	const char *eq = strchr(assignment, '=');
	struct km_param *p;
	char *copy, *tok, *save = NULL;
	unsigned int idx = 0;
	int rc = 0;

	if (!eq)
		return kc_err_set(err, KC_EINVAL, "parameter '%s' is not name=value", assignment);
	p = find_param(mod, assignment, (size_t)(eq - assignment));
	if (!p)
		return kc_err_set(err, KC_ENOTFOUND, "%s: unknown parameter '%.*s'", mod->name,
				  (int)(eq - assignment), assignment);
	copy = xstrdup(eq + 1);
	if (!p->is_array) {
		rc = set_scalar(p, 0, copy);
	} else {
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (idx >= p->max) {
				rc = -ENOSPC;
				break;
			}
			rc = set_scalar(p, idx++, tok);
			if (rc)
				break;
		}
		if (!rc && p->num)
			*p->num = idx;
	}
	free(copy);
	if (rc)
		return kc_err_set(err, KC_EINVAL, "%s: invalid value '%s' for parameter '%s' (%s)", mod->name,
				  eq + 1, p->name, p->type);
	return 0;
}

bool kc_km_module_param_get(const struct kc_km_module *mod, unsigned int i, const char **name,
			    const char **desc, char *value, size_t value_len)
{
	const struct km_param *p;
	size_t n = 0;
	unsigned int count;

	if (i >= mod->nparams)
		return false;
	p = &mod->params[i];
	*name = p->name;
	*desc = p->desc;
	count = p->num ? *p->num : p->max;
	value[0] = 0;
	for (unsigned int k = 0; k < count && n < value_len; k++) {
		const void *slot = (const char *)p->arg + k * p->esize;
		const char *t = p->type;
		char one[64];

		if (!strcmp(t, "charp"))
			snprintf(one, sizeof(one), "%s", *(char *const *)slot ? *(char *const *)slot : "(null)");
		else if (is_bool_type(t) || !strcmp(t, "invbool"))
			snprintf(one, sizeof(one), "%c", (*(const bool *)slot ^ !strcmp(t, "invbool")) ? 'Y' : 'N');
		else if (!strcmp(t, "int"))
			snprintf(one, sizeof(one), "%d", *(const int *)slot);
		else if (!strcmp(t, "short"))
			snprintf(one, sizeof(one), "%d", *(const short *)slot);
		else if (!strcmp(t, "long"))
			snprintf(one, sizeof(one), "%ld", *(const long *)slot);
		else if (!strcmp(t, "uint"))
			snprintf(one, sizeof(one), "%u", *(const unsigned int *)slot);
		else if (!strcmp(t, "ushort"))
			snprintf(one, sizeof(one), "%u", *(const unsigned short *)slot);
		else if (!strcmp(t, "byte"))
			snprintf(one, sizeof(one), "%u", *(const unsigned char *)slot);
		else
			snprintf(one, sizeof(one), "%lu", *(const unsigned long *)slot);
		n += (size_t)snprintf(value + n, value_len - n, "%s%s", k ? "," : "", one);
	}
	return true;
}

int kc_km_module_init(struct kc_km_module *mod, int *init_ret, struct kc_err *err)
{
	int rc;

	(void)err;
	rc = mod->init();
	kc_km_settle();
	mod->inited = rc == 0;
	*init_ret = rc;
	return 0;
}

void kc_km_module_exit(struct kc_km_module *mod)
{
	if (!mod->inited)
		return;
	if (mod->exit)
		mod->exit();
	kc_km_settle();
	mod->inited = false;
}

const char *kc_km_module_name(const struct kc_km_module *mod)
{
	return mod->name;
}

const char *kc_km_module_info(const struct kc_km_module *mod, const char *tag)
{
	for (unsigned int i = 0; i < mod->ninfo; i++)
		if (!strcmp(mod->info[i].tag, tag))
			return mod->info[i].value;
	return NULL;
}

void kc_km_module_unload(struct kc_km_module *mod)
{
	size_t now_allocs, now_bytes;

	if (!mod)
		return;
	if (mod->inited)
		kc_km_module_exit(mod);
	if (mod->handle) {
		void *fn = (void *)mod->init;
		Dl_info info;

		if (fn && dladdr(fn, &info))
			km_timers_purge_range(info.dli_fbase, mod->name);
		kc_km_mem_stats(&now_allocs, &now_bytes, NULL, NULL);
		if (now_allocs > mod->mem_baseline)
			km_bug("BUG: module %s left %zu allocation(s) behind after unload", mod->name,
			       now_allocs - mod->mem_baseline);
		dlclose(mod->handle);
	}
	for (unsigned int i = 0; i < mod->nparams; i++) {
		for (unsigned int k = 0; k < mod->params[i].max; k++)
			free(mod->params[i].charp_owned ? mod->params[i].charp_owned[k] : NULL);
		free(mod->params[i].charp_owned);
		free(mod->params[i].name);
		free(mod->params[i].type);
		free(mod->params[i].desc);
	}
	for (unsigned int i = 0; i < mod->ninfo; i++) {
		free(mod->info[i].tag);
		free(mod->info[i].value);
	}
	free(mod->params);
	free(mod->info);
	free(mod->path);
	free(mod);
}
