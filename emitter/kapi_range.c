/*
 * kapi_range.c - integer parameters of kernel functions that the kernel uses as an index without
 * a bound of its own, so a kernel half must bound them when the user half passes them (issue 14;
 * hostile_simsnd found snd_pcm_set_ops(pcm, -9, ops) writing before pcm->streams[]). The ranges are
 * the kernel's (Linux 6.1, its UAPI constants), the same in the kernel model.
 */
#include <string.h>

#include "model.h"

static const struct {
	const char *name;
	int param;
	long long lo, hi;
} ranges[] = {
	/* &pcm->streams[direction]: SNDRV_PCM_STREAM_PLAYBACK .. SNDRV_PCM_STREAM_LAST */
	{ "snd_pcm_set_ops", 1, 0, 1 },
	/* constrs->intervals[var - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL]: FIRST_INTERVAL (8) ..
	 * LAST_INTERVAL (19) */
	{ "snd_pcm_hw_constraint_integer", 1, 8, 19 },
	{ "snd_pcm_hw_constraint_minmax", 1, 8, 19 },
	{ "snd_pcm_hw_constraint_step", 2, 8, 19 },
};

int em_int_range(const char *name, int j, long long *lo, long long *hi)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(ranges); i++)
		if (ranges[i].param == j && !strcmp(ranges[i].name, name)) {
			*lo = ranges[i].lo;
			*hi = ranges[i].hi;
			return 1;
		}
	return 0;
}
