/*
 * layout.c - the connect-time layout check (issue 15): the two halves of a split driver are
 * compiled separately (the user half of a Linux driver as a user program, with other flags), and
 * every field the wire carries is written at its offset in each half's struct. The emitter prints
 * into both halves a table of the crossing structs' sizes and the offsets of their crossing
 * fields (kc_wire_tables.layout); rt/linux compares the user half's with the kernel half's when
 * the user half connects and refuses a user half whose structs are laid out differently.
 *
 * Portable core (built unchanged into kcut_rt.ko, as wire.c): no libc beyond snprintf.
 */
#include <stdint.h>
#include <stdio.h>

#include "kcut_rt.h"

int kc_layout_cmp(const struct kc_wire_tables *t, const uint64_t *peer, uint32_t n, uint32_t *first,
		  char *msg, size_t msz)
{
	uint32_t mine = t && t->layout ? t->nlayout : 0, i;
	const char *name;

	*first = 0;
	if (msg && msz)
		msg[0] = 0;
	for (i = 0; i < mine && i < n; i++)
		if (t->layout[i] != peer[i])
			break;
	if (i == mine && i == n)
		return 0;
	*first = i;
	if (!msg || !msz)
		return KC_EINVAL;
	if (i == mine || i == n) {
		snprintf(msg, msz, "the kernel half's layout table has %u entries, the user half's %u "
			 "(halves of different emits)", (unsigned)mine, (unsigned)n);
		return KC_EINVAL;
	}
	name = t->layout_names && t->layout_names[i] ? t->layout_names[i] : "?";
	snprintf(msg, msz, "%s is %llu in the kernel half, %llu in the user half (layout entry %u: built "
		 "with other headers, configuration or flags)", name, (unsigned long long)t->layout[i],
		 (unsigned long long)peer[i], (unsigned)i);
	return KC_EINVAL;
}
