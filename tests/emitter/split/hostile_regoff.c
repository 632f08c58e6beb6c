/*
 * hostile_regoff.c - linked into simsnd's user half by run_split.py --regoff (issue 14: a
 * register offset from the user half must be bounded by the register window). With device access
 * none simsnd_read(chip, reg), readl(chip->regs + reg), is a downcall; the first read of
 * SIMSND_PERIODS_PLAYED from another file of the user half (the mixer's "Periods Played", after
 * the probe) goes down with reg = 0x7fffffff instead. The
 * kernel half must refuse it (kc_rt_region_check: KC_RT_ERANGE, a log line, the user half
 * restarted) without reading 2 GiB past the window (the kernel model would stop: "MMIO read ...
 * outside every BAR"), and go on. Once per run: the file $KCUT_REGOFF_MARK records that it was
 * sent, so the restarted user half is an honest one. Linked with -Wl,--wrap=simsnd_read.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define SIMSND_PERIODS_PLAYED 0x34 /* simsnd.h */

struct simsnd;
uint32_t __real_simsnd_read(struct simsnd *chip, unsigned int reg);
uint32_t __wrap_simsnd_read(struct simsnd *chip, unsigned int reg);

uint32_t __wrap_simsnd_read(struct simsnd *chip, unsigned int reg)
{
	const char *mark = getenv("KCUT_REGOFF_MARK");

	if (mark && reg == SIMSND_PERIODS_PLAYED) {
		int fd = open(mark, O_WRONLY | O_CREAT | O_EXCL, 0600);

		if (fd >= 0) {
			close(fd);
			reg = 0x7fffffffu;
		}
	}
	return __real_simsnd_read(chip, reg);
}
