/*
 * gen_region.c - prints what plan_region.c decided about device access (issue 13; docs/emitter.md,
 * "Device access"): the user half's register accessors and write barriers renamed to rt's kc_io_*,
 * region pointers in marshaling helpers (EM_OP_REGION), parameters and results (em_pparam.region,
 * em_pfunc.ret_region) through rt's kc_wire_put_ptr / kc_wire_get_ptr (wire kind 3, checked by
 * the runtime), the kernel half's platform glue (kcut_plat_kmodel.h: the driver's BARs and
 * coherent buffers become regions) and the user half's access mode, and interface.txt's list.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

static const char *rt_kind(int kind)
{
	return kind == EM_R_DMA ? "KC_REGION_DMA" : kind == EM_R_PIO ? "KC_REGION_PIO" : "KC_REGION_MMIO";
}

/* What the receiver expects: a pointer into a region of this kind. */
static void spec(struct kc_sb *b, int kind)
{
	kc_sb_addf(b, "&(const struct kc_wire_ptr){ .flags = KC_WP_REGION, .region_kind = %s }", rt_kind(kind));
}

/* Does user-half code (or code kept in both halves: unplaced, or replicated) call accessor `name`? */
static int user_calls(const struct em_model *m, const char *name)
{
	int c;

	for (c = 0; c < m->nc; c++)
		if ((m->f[m->c[c].caller].side != EM_KERNEL || m->f[m->c[c].caller].replica) &&
		    !strcmp(m->f[m->c[c].callee].name, name))
			return 1;
	return 0;
}

void gen_region_renames(const struct gen *g, struct kc_sb *sb)
{
	const struct em_model *m = g->m;
	const char *io, *name;
	size_t k;

	kc_sb_addf(sb, "\n/* kcut: device access (%s): the user half reaches registers through the runtime's device\n"
		       " * regions (kcut_rt.h); write barriers send the writes posted before them */\n",
		   em_devacc_name(m->devacc));
	for (k = 0; (name = em_regio_nth(k, &io)) != NULL; k++)
		if (user_calls(m, name))
			kc_sb_addf(sb, "#undef %s\n#define %s %s\n", name, name, io);
	for (k = 0; em_regio_barriers[k]; k++)
		kc_sb_addf(sb, "#undef %s\n#define %s() kc_io_flush()\n", em_regio_barriers[k], em_regio_barriers[k]);
}

void gen_region_op(struct kc_sb *b, const struct em_op *op, int enc)
{
	if (enc) {
		kc_sb_addf(b, "\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)(uintptr_t)p->%s, KCUT_T_DMA, 1, 1, "
			      "KC_WP_REGION));\n",
			   op->path);
		return;
	}
	/* a region unexported meanwhile (iounmap, dma_free_coherent: the field dangles in both
	 * halves, and neither dereferences it) leaves this half's value alone */
	kc_sb_add(b, "\t{\n\t\tint kcut_e = 0;\n\t\tvoid *kcut_v = kc_wire_get_ptr(kcut_rt, x, ");
	spec(b, op->type);
	kc_sb_addf(b, ", NULL, &kcut_e);\n\n"
		      "\t\tif (!kcut_e)\n\t\t\tp->%s = kcut_v;\n"
		      "\t\telse if (kcut_e != KC_RT_ESTALE)\n\t\t\tkcut_fail(rc, kcut_e);\n\t}\n",
		   op->path);
}

void gen_region_put(struct kc_sb *b, const char *xdr, const char *expr, const char *ind)
{
	kc_sb_addf(b, "%skcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, %s, (const void *)(uintptr_t)%s, KCUT_T_OPAQUE, 1, 1, "
		      "KC_WP_REGION));\n",
		   ind, xdr, expr);
}

void gen_region_get(struct kc_sb *b, const char *xdr, const char *lhs, int kind, const char *ind)
{
	kc_sb_addf(b, "%s%s = kc_wire_get_ptr(kcut_rt, %s, ", ind, lhs, xdr);
	spec(b, kind);
	kc_sb_add(b, ", NULL, &kcut_rc);\n");
}

void gen_region_param_check(struct kc_sb *b, int i)
{
	/* a function that takes a region back (iounmap, dma_free_coherent) gets the region's start,
	 * never an object of the kernel's or a place inside */
	kc_sb_addf(b,
		   "\tif (kcut_p%d) {\n"
		   "\t\tuint32_t kcut_id;\n"
		   "\t\tuint64_t kcut_off;\n\n"
		   "\t\tif (kc_rt_region_find(kcut_rt, &kcut_id, &kcut_off, kcut_p%d) || kcut_off)\n"
		   "\t\t\tkcut_fail(&kcut_rc, KC_RT_ETYPE);\n"
		   "\t}\n",
		   i, i);
}

void gen_region_offsets(struct kc_sb *b, const struct em_func *f, const struct em_pfunc *q)
{
	int j, k;

	/* a register offset from the user half (plan_region.c em_plan_regoffs): the access it makes
	 * lies inside the register window its base points into, or the call is refused (rt/region.c
	 * logs it) and nothing is touched */
	for (j = 0; j < f->nparams; j++) {
		const struct em_pparam *pp = &q->params[j];

		if (pp->rng) {
			/* an index the kernel function does not bound (kapi_range.c); an unsigned one
			 * is not compared with 0 (-Wtype-limits) */
			kc_sb_addf(b, "\t/* %s: an index %s() does not bound itself */\n\tif (!kcut_rc && (",
				   f->params[j].name && *f->params[j].name ? f->params[j].name : "?", f->name);
			if (f->params[j].t.is_signed || pp->rng_lo > 0)
				kc_sb_addf(b, "(long long)kcut_p%d < %lldLL || ", j, pp->rng_lo);
			kc_sb_addf(b, "(long long)kcut_p%d > %lldLL))\n\t\tkcut_rc = KC_RT_ERANGE;\n", j, pp->rng_hi);
		}
		for (k = 0; k < pp->nroffs; k++) {
			const struct em_roff *o = &pp->roffs[k];
			const char *pn = f->params[j].name ? f->params[j].name : "?";
			const char *bn = o->base < 0 ? "" : f->params[o->base].name ? f->params[o->base].name : "?";

			if (o->pio) {
				/* a port: inside a port range the kernel half requested (rt/region.c) */
				kc_sb_addf(b, "	/* %s: port %s%s%s%lld * %s + %lld..%lld, %d-byte accesses (port range) */\n"
					      "	if (!kcut_rc)\n",
					   pn, bn, o->path ? o->path : "", o->base >= 0 ? " + " : "", o->scale, pn, o->cmin,
					   o->cmax, o->width);
				if (o->base >= 0)
					kc_sb_addf(b, "		kcut_rc = kcut_p%d ? kc_rt_region_check_port_lin(kcut_rt, "
						      "(uint64_t)kcut_p%d%s, ",
						   o->base, o->base, o->path);
				else
					kc_sb_add(b, "		kcut_rc = kc_rt_region_check_port_lin(kcut_rt, 0, ");
				kc_sb_addf(b, "(long long)kcut_p%d, %lldLL, %lldLL, %lldLL, %lldLL, %lldLL, %d)%s;\n", j, o->scale,
					   o->tmin, o->tmax, o->cmin, o->cmax, o->width, o->base >= 0 ? " : KC_RT_ERANGE" : "");
				continue;
			}
			if (o->scale == 1 && !o->cmin && !o->cmax && !o->tmin && !o->tmax) {
				kc_sb_addf(b,
					   "	/* %s: an offset into %s%s, %d-byte accesses (register window) */\n"
					   "	if (!kcut_rc)\n"
					   "		kcut_rc = kcut_p%d ? kc_rt_region_check(kcut_rt, (const volatile void *)kcut_p%d%s, "
					   "(uint64_t)kcut_p%d, %d) : KC_RT_ERANGE;\n",
					   pn, bn, o->path, o->width, o->base, o->base, o->path, j, o->width);
				continue;
			}
			/* other arithmetic (regscan.c): base + scale * P + c, c in [cmin, cmax], through
			 * the integer term scale * P + t, t in [tmin, tmax] */
			kc_sb_addf(b,
				   "	/* %s: register address %s%s + %lld * %s + %lld..%lld, %d-byte accesses (register window) */\n"
				   "	if (!kcut_rc)\n"
				   "		kcut_rc = kcut_p%d ? kc_rt_region_check_lin(kcut_rt, (const volatile void *)kcut_p%d%s, "
				   "(long long)kcut_p%d, %lldLL, %lldLL, %lldLL, %lldLL, %lldLL, %d) : KC_RT_ERANGE;\n",
				   pn, bn, o->path, o->scale, pn, o->cmin, o->cmax, o->width, o->base, o->base, o->path, j,
				   o->scale, o->tmin, o->tmax, o->cmin, o->cmax, o->width);
		}
	}
}

void gen_region_kernel_include(const struct gen *g, struct kc_sb *b)
{
	if (g->m->devacc != EM_DA_NONE)
		kc_sb_add(b, "#ifndef __KERNEL__\n#include \"kcut_plat_kmodel.h\"\n#endif\n");
}

/* The kernel half's description (kcut_driver): under device access the kernel model's glue,
 * which kc_rt_driver_start (rt/driver.c) sets up and kc_rt_driver_stop removes. */
void gen_region_kernel_driver(const struct gen *g, struct kc_sb *b)
{
	if (g->m->devacc == EM_DA_NONE)
		return;
	kc_sb_addf(b,
		   "#ifndef __KERNEL__\n"
		   "\t/* device access (%s): the model's register access and coherent-DMA arena; the\n"
		   "\t * driver's BARs and coherent buffers are exported to the user half as regions */\n"
		   "\t.access = %s,\n"
		   "\t.plat = &kc_plat_kmodel,\n"
		   "#endif\n",
		   em_devacc_name(g->m->devacc), g->m->devacc == EM_DA_MAPPED ? "KC_ACCESS_MAPPED" : "KC_ACCESS_FORWARD");
}

/* The Linux counterpart of the kernel model's export hooks (kcut_plat_kmodel.h): after a kernel
 * half's includes, the BAR mapping and coherent allocation functions go through rt/linux, which
 * exports what they return as device regions (and unexports before unmapping / freeing). */
void gen_region_lx_exports(struct kc_sb *b)
{
	static const struct {
		const char *name, *params;
	} fns[] = {
		{ "pci_iomap", "pdev, bar, max" },
		{ "pci_ioremap_bar", "pdev, bar" },
		{ "ioremap", "phys, size" },
		{ "iounmap", "p" },
		{ "pci_iounmap", "pdev, p" },
		{ "dma_alloc_coherent", "dev, size, handle, gfp" },
		{ "dma_free_coherent", "dev, size, cpu, handle" },
		{ "pci_iomap_range", "pdev, bar, offset, max" },
		{ "pcim_iomap", "pdev, bar, max" },
		{ "pcim_iomap_regions", "pdev, mask, name" },
		{ "pcim_iounmap", "pdev, p" },
		{ "devm_ioremap", "dev, offset, size" },
		{ "devm_ioremap_wc", "dev, offset, size" },
		{ "devm_ioremap_uc", "dev, offset, size" },
		{ "devm_iounmap", "dev, p" },
	};
	size_t i;

	kc_sb_add(b, "#if defined(__KERNEL__) && defined(MODULE)\n"
		     "/* kcut: BAR windows and coherent buffers are exported to the user half as device regions\n"
		     " * (kcut_rt.ko's, kcut_rt_linux.h) */\n"
		     "#include \"kcut_rt_linux.h\"\n");
	for (i = 0; i < KC_ARRAY_SIZE(fns); i++)
		kc_sb_addf(b, "#undef %s\n#define %s(%s) kc_rt_linux_%s(kcut_rt, %s)\n", fns[i].name, fns[i].name,
			   fns[i].params, fns[i].name, fns[i].params);
	kc_sb_add(b, "#endif\n");
}

/* Device access none with register offsets to check (em_pfile.recwin): the kernel half records
 * the register windows the driver maps, kernel-only (rt's kc_rt_region_record: never exported),
 * and forgets them before they are unmapped, so that kc_rt_region_check knows their extent: the
 * plain mappings (pci_iomap, ioremap ...), a part of a BAR (pci_iomap_range), the device-managed
 * ones (pcim_iomap, pcim_iomap_regions' table, devm_ioremap*: forgotten by a devres action added
 * after the mapping's own, so it runs first at unbind) and port windows (ioport_map). The same
 * text for the kernel model and Linux. */
void gen_region_record_windows(struct kc_sb *b, unsigned mask)
{
	/* in the order of em_recwin_fns (plan_region.c) */
	static const struct {
		const char *name, *params, *decl, *body;
	} fns[] = {
		{ "pci_iomap", "pdev, bar, max", "void __iomem *kcut_rec_pci_iomap(struct pci_dev *pdev, int bar, unsigned long max)",
		  "\tvoid __iomem *p = pci_iomap(pdev, bar, max);\n"
		  "\tunsigned long long len = pci_resource_len(pdev, bar);\n\n"
		  "\tif (p)\n\t\tkc_rt_region_record(kcut_rt, p, max && max < len ? max : len);\n\treturn p;\n" },
		{ "pci_ioremap_bar", "pdev, bar", "void __iomem *kcut_rec_pci_ioremap_bar(struct pci_dev *pdev, int bar)",
		  "\tvoid __iomem *p = pci_ioremap_bar(pdev, bar);\n\n"
		  "\tif (p)\n\t\tkc_rt_region_record(kcut_rt, p, pci_resource_len(pdev, bar));\n\treturn p;\n" },
		{ "ioremap", "phys, size", "void __iomem *kcut_rec_ioremap(unsigned long long phys, unsigned long size)",
		  "\tvoid __iomem *p = ioremap(phys, size);\n\n"
		  "\tif (p)\n\t\tkc_rt_region_record(kcut_rt, p, size);\n\treturn p;\n" },
		{ "pci_iounmap", "pdev, p", "void kcut_rec_pci_iounmap(struct pci_dev *pdev, void __iomem *p)",
		  "\tif (p)\n\t\tkc_rt_region_unexport_addr(kcut_rt, p);\n\tpci_iounmap(pdev, p);\n" },
		{ "iounmap", "p", "void kcut_rec_iounmap(volatile void __iomem *p)",
		  "\tif (p)\n\t\tkc_rt_region_unexport_addr(kcut_rt, p);\n\tiounmap(p);\n" },
		{ "pci_iomap_range", "pdev, bar, off, max",
		  "void __iomem *kcut_rec_pci_iomap_range(struct pci_dev *pdev, int bar, unsigned long off, unsigned long max)",
		  "\tvoid __iomem *p = pci_iomap_range(pdev, bar, off, max);\n"
		  "\tunsigned long long len = pci_resource_len(pdev, bar);\n\n"
		  "\tif (p && off < len) {\n\t\tlen -= off;\n"
		  "\t\tkc_rt_region_record(kcut_rt, p, max && max < len ? max : len);\n\t}\n\treturn p;\n" },
		{ "pcim_iomap", "pdev, bar, max", "void __iomem *kcut_rec_pcim_iomap(struct pci_dev *pdev, int bar, unsigned long max)",
		  "\tvoid __iomem *p = pcim_iomap(pdev, bar, max);\n"
		  "\tunsigned long long len = pci_resource_len(pdev, bar);\n\n"
		  "\tif (p)\n\t\tkcut_rec_managed(&pdev->dev, p, max && max < len ? max : len);\n\treturn p;\n" },
		{ "pcim_iomap_regions", "pdev, mask, name", "int kcut_rec_pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name)",
		  "\tint rc = pcim_iomap_regions(pdev, mask, name), bar;\n\n"
		  "\tfor (bar = 0; !rc && bar < 6; bar++)\n"
		  "\t\tif ((mask & (1 << bar)) && pcim_iomap_table(pdev)[bar])\n"
		  "\t\t\tkcut_rec_managed(&pdev->dev, pcim_iomap_table(pdev)[bar], pci_resource_len(pdev, bar));\n"
		  "\treturn rc;\n" },
		{ "pcim_iounmap", "pdev, p", "void kcut_rec_pcim_iounmap(struct pci_dev *pdev, void __iomem *p)",
		  "\tif (p)\n\t\tkc_rt_region_unexport_addr(kcut_rt, p);\n\tpcim_iounmap(pdev, p);\n" },
		{ "devm_ioremap", "dev, off, size",
		  "void __iomem *kcut_rec_devm_ioremap(struct device *dev, unsigned long long off, unsigned long long size)",
		  "\tvoid __iomem *p = devm_ioremap(dev, off, size);\n\n"
		  "\tif (p)\n\t\tkcut_rec_managed(dev, p, size);\n\treturn p;\n" },
		{ "devm_ioremap_uc", "dev, off, size",
		  "void __iomem *kcut_rec_devm_ioremap_uc(struct device *dev, unsigned long long off, unsigned long long size)",
		  "\tvoid __iomem *p = devm_ioremap_uc(dev, off, size);\n\n"
		  "\tif (p)\n\t\tkcut_rec_managed(dev, p, size);\n\treturn p;\n" },
		{ "devm_ioremap_wc", "dev, off, size",
		  "void __iomem *kcut_rec_devm_ioremap_wc(struct device *dev, unsigned long long off, unsigned long long size)",
		  "\tvoid __iomem *p = devm_ioremap_wc(dev, off, size);\n\n"
		  "\tif (p)\n\t\tkcut_rec_managed(dev, p, size);\n\treturn p;\n" },
		{ "devm_iounmap", "dev, p", "void kcut_rec_devm_iounmap(struct device *dev, void __iomem *p)",
		  "\tif (p)\n\t\tkc_rt_region_unexport_addr(kcut_rt, p);\n\tdevm_iounmap(dev, p);\n" },
		{ "ioport_map", "port, nr", "void __iomem *kcut_rec_ioport_map(unsigned long port, unsigned int nr)",
		  "\tvoid __iomem *p = ioport_map(port, nr);\n\n"
		  "\tif (p)\n\t\tkc_rt_region_record(kcut_rt, p, nr);\n\treturn p;\n" },
		{ "ioport_unmap", "p", "void kcut_rec_ioport_unmap(void __iomem *p)",
		  "\tif (p)\n\t\tkc_rt_region_unexport_addr(kcut_rt, p);\n\tioport_unmap(p);\n" },
		{ "devm_ioremap_resource", "dev, res",
		  "void __iomem *kcut_rec_devm_ioremap_resource(struct device *dev, const struct resource *res)",
		  "\tvoid __iomem *p = devm_ioremap_resource(dev, res);\n\n"
		  "\tif (!IS_ERR(p))\n\t\tkcut_rec_managed(dev, p, resource_size(res));\n\treturn p;\n" },
		/* port ranges: a device's I/O BARs when it requests them, a request_region */
		{ "pci_request_regions", "pdev, name", "int kcut_rec_pci_request_regions(struct pci_dev *pdev, const char *name)",
		  "\tint rc = pci_request_regions(pdev, name), bar;\n\n"
		  "\tfor (bar = 0; !rc && bar < 6; bar++)\n\t\tkcut_rec_ports(pdev, bar, 1);\n\treturn rc;\n" },
		{ "pci_request_selected_regions", "pdev, bars, name",
		  "int kcut_rec_pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *name)",
		  "\tint rc = pci_request_selected_regions(pdev, bars, name), bar;\n\n"
		  "\tfor (bar = 0; !rc && bar < 6; bar++)\n\t\tif (bars & (1 << bar))\n\t\t\tkcut_rec_ports(pdev, bar, 1);\n"
		  "\treturn rc;\n" },
		{ "pci_request_region", "pdev, bar, name", "int kcut_rec_pci_request_region(struct pci_dev *pdev, int bar, const char *name)",
		  "\tint rc = pci_request_region(pdev, bar, name);\n\n"
		  "\tif (!rc)\n\t\tkcut_rec_ports(pdev, bar, 1);\n\treturn rc;\n" },
		{ "request_region", "start, n, name",
		  "struct resource *kcut_rec_request_region(unsigned long start, unsigned long n, const char *name)",
		  "\tstruct resource *r = request_region(start, n, name);\n\n"
		  "\tif (r)\n\t\tkc_rt_region_record_port(kcut_rt, start, n);\n\treturn r;\n" },
		{ "pci_release_regions", "pdev", "void kcut_rec_pci_release_regions(struct pci_dev *pdev)",
		  "\tint bar;\n\n\tfor (bar = 0; bar < 6; bar++)\n\t\tkcut_rec_ports(pdev, bar, 0);\n\tpci_release_regions(pdev);\n" },
		{ "pci_release_selected_regions", "pdev, bars", "void kcut_rec_pci_release_selected_regions(struct pci_dev *pdev, int bars)",
		  "\tint bar;\n\n\tfor (bar = 0; bar < 6; bar++)\n\t\tif (bars & (1 << bar))\n\t\t\tkcut_rec_ports(pdev, bar, 0);\n"
		  "\tpci_release_selected_regions(pdev, bars);\n" },
		{ "pci_release_region", "pdev, bar", "void kcut_rec_pci_release_region(struct pci_dev *pdev, int bar)",
		  "\tkcut_rec_ports(pdev, bar, 0);\n\tpci_release_region(pdev, bar);\n" },
		{ "release_region", "start, n", "void kcut_rec_release_region(unsigned long start, unsigned long n)",
		  "\tkc_rt_region_forget_port(kcut_rt, start);\n\trelease_region(start, n);\n" },
	};
	/* the PCI port-range ones (they share kcut_rec_ports) */
	unsigned pci_ports = (1u << 16) | (1u << 17) | (1u << 18) | (1u << 20) | (1u << 21) | (1u << 22);
	/* the device-managed ones: pcim_iomap .. pcim_iomap_regions, devm_ioremap .. _wc, _resource */
	unsigned managed = (1u << 6) | (1u << 7) | (1u << 9) | (1u << 10) | (1u << 11) | (1u << 15);
	size_t i;

	if (!mask)
		return;
	kc_sb_add(b, "/* kcut: register windows recorded for the kernel half's checks of register offsets from the\n"
		     " * user half (kc_rt_region_check); never exported: the user half reaches no register */\n"
		     "#ifndef __iomem\n#define __iomem\n#endif\n");
	if (mask & managed)
		kc_sb_add(b, "struct device;\n"
			     "/* a device-managed window: forgotten by a devres action, which runs before the unmap\n"
			     " * (added after it) */\n"
			     "static inline void kcut_rec_forget(void *p)\n{\n\tkc_rt_region_unexport_addr(kcut_rt, p);\n}\n"
			     "static inline void kcut_rec_managed(struct device *dev, void __iomem *p, unsigned long long len)\n{\n"
			     "\tif (!devm_add_action(dev, kcut_rec_forget, (void *)p))\n"
			     "\t\tkc_rt_region_record(kcut_rt, p, len);\n}\n");
	if (mask & pci_ports)
		kc_sb_add(b, "/* a device's I/O BAR as a port range (for kc_rt_region_check_port): recorded, forgotten */\n"
			     "static inline void kcut_rec_ports(struct pci_dev *pdev, int bar, int rec)\n{\n"
			     "\tif (!(pci_resource_flags(pdev, bar) & IORESOURCE_IO) || !pci_resource_len(pdev, bar))\n"
			     "\t\treturn;\n"
			     "\tif (rec)\n"
			     "\t\tkc_rt_region_record_port(kcut_rt, pci_resource_start(pdev, bar), pci_resource_len(pdev, bar));\n"
			     "\telse\n"
			     "\t\tkc_rt_region_forget_port(kcut_rt, pci_resource_start(pdev, bar));\n}\n");
	for (i = 0; i < KC_ARRAY_SIZE(fns); i++)
		if (mask & (1u << i))
			kc_sb_addf(b, "static inline %s\n{\n%s}\n#undef %s\n#define %s(%s) kcut_rec_%s(%s)\n", fns[i].decl,
				   fns[i].body, fns[i].name, fns[i].name, fns[i].params, fns[i].name, fns[i].params);
}

void gen_region_user_opts(const struct gen *g, struct kc_sb *b)
{
	if (g->m->devacc != EM_DA_NONE)
		kc_sb_addf(b, "\topts.access = %s; /* device access (%s) */\n",
			   g->m->devacc == EM_DA_MAPPED ? "KC_ACCESS_MAPPED" : "KC_ACCESS_FORWARD",
			   em_devacc_name(g->m->devacc));
}

void gen_region_iface(const struct gen *g, struct kc_sb *sb)
{
	const struct em_model *m = g->m;
	const struct em_plan *p = g->p;
	int k;

	if (p->nregoffs) {
		kc_sb_add(sb, "\nintegers from the user half the kernel half bounds (register offsets: inside the register\n"
			      "window, kc_rt_region_check; indexes: in the kernel function's range) or cannot bound:\n");
		for (k = 0; k < p->nregoffs; k++)
			kc_sb_addf(sb, "  %s\n", p->regoffs[k]);
	}

	if (m->devacc == EM_DA_NONE && m->devacc_auto)
		return; /* a split that never needed the device: nothing to say */
	kc_sb_addf(sb, "\ndevice access: %s", em_devacc_name(m->devacc));
	if (m->devacc_why)
		kc_sb_addf(sb, " (%s)", m->devacc_why);
	kc_sb_add(sb, "\n");
	if (m->devacc == EM_DA_NONE)
		return;
	kc_sb_add(sb, "device regions the user half reaches (MMIO: register windows, DMA: coherent buffers; a\n"
		       "pointer into one crosses as (region, offset), checked by the kernel half):\n");
	for (k = 0; k < p->nregions; k++)
		kc_sb_addf(sb, "  %s\n", p->regions[k]);
	if (!p->nregions)
		kc_sb_add(sb, "  none\n");
}

void gen_region_cmake(const struct gen *g, struct kc_sb *sb)
{
	if (g->m->devacc == EM_DA_NONE)
		return;
	kc_sb_add(sb, "# device access: the kernel half exports the driver's BARs and coherent buffers through the\n"
		      "# kernel model's platform glue (kcut_plat_kmodel.h)\n"
		      "if(TARGET kc_rt_kmodel)\n  target_link_libraries(kcut_kernel_half PUBLIC kc_rt_kmodel)\n"
		      "elseif(KCUT_RT_KMODEL_LIB)\n  target_link_libraries(kcut_kernel_half PUBLIC ${KCUT_RT_KMODEL_LIB})\n"
		      "endif()\n\n");
}
