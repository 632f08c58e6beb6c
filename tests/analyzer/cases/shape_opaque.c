/* Shape evidence for void * fields: cast (not opaque) vs never dereferenced (opaque). */
struct cfg {
	int mode;
};

struct dev {
	void *priv;
	void *cookie;
};

void pass(void *p);

int mode_of(struct dev *d)
{
	struct cfg *c = d->priv;

	pass(d->cookie);
	return c->mode + ((struct cfg *)d->priv)->mode;
}

/*
 * check-name: void pointer evidence (opaque = no deref/cast evidence)
 * check-query: SELECT DISTINCT field, evidence, detail FROM shape_evidence ORDER BY field, evidence
 * check-expect
 * priv|cast|struct cfg *
 * priv|deref|
 * check-expect-end
 *
 * check-query: SELECT f.name FROM field f JOIN struct s ON s.id = f.struct_id
 *   WHERE s.name = 'dev' AND f.type = 'void *' AND NOT EXISTS (SELECT 1 FROM shape_evidence e
 *   WHERE e.struct_name = s.name AND e.field = f.name AND e.evidence IN ('deref', 'cast'))
 * check-expect
 * cookie
 * check-expect-end
 */
