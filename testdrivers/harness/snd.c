/*
 * snd.c - kcut-sim's sound command family: the application side of ALSA for scenario scripts.
 *
 *   pcm open | hw RATE CHANNELS PERIOD_FRAMES PERIODS [s16|u8] | prepare | write FRAMES | start |
 *       pause | resume | drop | hw_free | close | status
 *   play N [RATE CH PERIOD_FRAMES PERIODS]   open..close around N periods, refilling like an app
 *   underrun N                                like play, but the app stops writing after N periods
 *   mixer list | get NAME | set NAME VALUE... (quote names: mixer set "Master Playback Volume" 50 60)
 *   snd-fault drop-irqs N | codec-stuck 0|1 | dma-error N   device fault knobs at run time
 *
 * Every line printed is a function of the scenario only (frame counts, states, device checksums).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sound/core.h>
#include <sound/pcm.h>
#include <sound/control.h>

#include "harness/sim.h"
#include "devices/simsnd.h"

static struct snd_pcm_substream *cur;

static struct snd_card *first_card(struct sim *sim)
{
	struct snd_card *card = kc_km_snd_card_at(0);

	if (!card)
		sim_printf(sim, "error: no sound card registered\n");
	return card;
}

static void print_status(struct sim *sim, const char *what)
{
	struct kc_km_pcm_status st;

	kc_km_pcm_get_status(cur, &st);
	sim_printf(sim, "%s: state %s hw_ptr %lu appl_ptr %lu avail %lu periods %u xruns %u\n", what,
		   kc_km_pcm_state_name(st.state), st.hw_ptr, st.appl_ptr, st.avail, st.periods_elapsed, st.xruns);
}

static int pcm_open(struct sim *sim)
{
	struct snd_card *card = first_card(sim);
	int rc;

	if (!card)
		return -ENODEV;
	if (cur) {
		sim_printf(sim, "pcm: already open\n");
		return 0;
	}
	rc = kc_km_pcm_open(&cur, card, 0, SNDRV_PCM_STREAM_PLAYBACK);
	if (rc) {
		cur = NULL;
		return rc;
	}
	sim_printf(sim, "pcm: opened %s playback\n", card->shortname);
	return 0;
}

static int pcm_hw(struct sim *sim, unsigned long rate, unsigned long ch, unsigned long pframes,
		  unsigned long periods, int format)
{
	struct kc_km_pcm_config cfg = { (unsigned int)rate, (unsigned int)ch, format, (unsigned int)pframes,
					(unsigned int)periods };
	int rc = kc_km_pcm_hw_params(cur, &cfg);

	if (!rc)
		sim_printf(sim, "pcm: hw_params %lu Hz, %lu ch, %s, %lu frames x %lu periods\n", rate, ch,
			   snd_pcm_format_name(format), pframes, periods);
	return rc;
}

static int need_open(struct sim *sim)
{
	if (!cur) {
		sim_printf(sim, "error: no PCM open\n");
		return -EBADFD;
	}
	return 0;
}

/* Refill whatever room there is; returns frames written or a negative errno. */
static long refill(void)
{
	struct kc_km_pcm_status st;

	kc_km_pcm_get_status(cur, &st);
	if (!st.avail)
		return 0;
	return kc_km_pcm_write(cur, st.avail);
}

static unsigned int period_us(void)
{
	struct snd_pcm_runtime *rt = cur->runtime;

	return (unsigned int)((unsigned long long)rt->period_size * 1000000ULL / rt->rate);
}

/* Let virtual time pass one period at a time until `target` periods elapsed or the stream stopped. */
static void run_periods(struct sim *sim, unsigned int target, bool app_writes)
{
	struct kc_km_pcm_status st;
	unsigned int guard = target * 4 + 16;

	for (;;) {
		kc_km_pcm_get_status(cur, &st);
		if (st.periods_elapsed >= target || st.state != SNDRV_PCM_STATE_RUNNING || !guard--)
			break;
		kc_km_advance((uint64_t)period_us() * 1000ULL);
		if (app_writes)
			refill();
	}
	(void)sim;
}

static int do_play(struct sim *sim, int argc, char **argv, bool underrun)
{
	unsigned long n, rate = 48000, ch = 2, pframes = 256, periods = 4;
	struct simsnd_dev *dev = sim_device(sim, "simsnd");
	struct kc_km_pcm_status st;
	uint32_t sum0 = dev ? simsnd_dev_checksum(dev) : 0, per0 = dev ? simsnd_dev_periods(dev) : 0;
	int rc;

	if ((argc != 2 && argc != 6) || sim_parse_uint(sim, argv[1], 100000, &n))
		return SIM_EUSAGE;
	if (argc == 6 && (sim_parse_uint(sim, argv[2], 1000000, &rate) || sim_parse_uint(sim, argv[3], 8, &ch) ||
			  sim_parse_uint(sim, argv[4], 65536, &pframes) ||
			  sim_parse_uint(sim, argv[5], 64, &periods)))
		return SIM_EUSAGE;
	rc = pcm_open(sim);
	if (rc)
		return rc;
	rc = pcm_hw(sim, rate, ch, pframes, periods, SNDRV_PCM_FORMAT_S16_LE);
	if (!rc)
		rc = kc_km_pcm_prepare(cur);
	if (!rc && refill() < 0)
		rc = -EPIPE;
	if (!rc)
		rc = kc_km_pcm_start(cur);
	if (rc) {
		sim_printf(sim, "%s: setup failed: %s\n", argv[0], sim_errname(rc));
		kc_km_pcm_close(cur);
		cur = NULL;
		return 0;
	}
	run_periods(sim, (unsigned int)n, true);
	if (underrun)	/* the application stops writing: the buffer drains, then XRUN */
		run_periods(sim, (unsigned int)(n + periods + 2), false);
	print_status(sim, argv[0]);
	kc_km_pcm_get_status(cur, &st);
	if (dev)
		sim_printf(sim, "%s: device played %u periods, data checksum 0x%08x\n", argv[0],
			   simsnd_dev_periods(dev) - per0, simsnd_dev_checksum(dev) ^ sum0);
	kc_km_pcm_drop(cur);
	kc_km_pcm_hw_free(cur);
	kc_km_pcm_close(cur);
	cur = NULL;
	sim_printf(sim, "%s: closed\n", argv[0]);
	return 0;
}

static int cmd_play(struct sim *sim, int argc, char **argv)
{
	return do_play(sim, argc, argv, false);
}

static int cmd_underrun(struct sim *sim, int argc, char **argv)
{
	return do_play(sim, argc, argv, true);
}

static int cmd_pcm(struct sim *sim, int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	int rc;

	if (!strcmp(op, "open"))
		return pcm_open(sim);
	rc = need_open(sim);
	if (rc)
		return rc;
	if (!strcmp(op, "hw")) {
		unsigned long rate, ch, pf, per;
		int fmt = SNDRV_PCM_FORMAT_S16_LE;

		if ((argc != 6 && argc != 7) || sim_parse_uint(sim, argv[2], 1000000, &rate) ||
		    sim_parse_uint(sim, argv[3], 64, &ch) || sim_parse_uint(sim, argv[4], 1 << 20, &pf) ||
		    sim_parse_uint(sim, argv[5], 1024, &per))
			return SIM_EUSAGE;
		if (argc == 7)
			fmt = !strcmp(argv[6], "u8") ? SNDRV_PCM_FORMAT_U8 :
			      !strcmp(argv[6], "s32") ? SNDRV_PCM_FORMAT_S32_LE : SNDRV_PCM_FORMAT_S16_LE;
		return pcm_hw(sim, rate, ch, pf, per, fmt);
	}
	if (!strcmp(op, "prepare")) {
		rc = kc_km_pcm_prepare(cur);
	} else if (!strcmp(op, "write")) {
		unsigned long n;
		long w;

		if (argc != 3 || sim_parse_uint(sim, argv[2], 1 << 24, &n))
			return SIM_EUSAGE;
		w = kc_km_pcm_write(cur, n);
		if (w < 0)
			return (int)w;
		sim_printf(sim, "pcm: wrote %ld frames\n", w);
		return 0;
	} else if (!strcmp(op, "start")) {
		rc = kc_km_pcm_start(cur);
	} else if (!strcmp(op, "pause")) {
		rc = kc_km_pcm_pause(cur, true);
	} else if (!strcmp(op, "resume")) {
		rc = kc_km_pcm_pause(cur, false);
	} else if (!strcmp(op, "drop")) {
		rc = kc_km_pcm_drop(cur);
	} else if (!strcmp(op, "hw_free")) {
		rc = kc_km_pcm_hw_free(cur);
	} else if (!strcmp(op, "close")) {
		rc = kc_km_pcm_close(cur);
		cur = NULL;
		sim_printf(sim, "pcm: closed (%s)\n", sim_errname(rc));
		return rc;
	} else if (!strcmp(op, "status")) {
		print_status(sim, "pcm");
		return 0;
	} else if (!strcmp(op, "run")) {
		unsigned long n;

		if (argc != 3 || sim_parse_uint(sim, argv[2], 100000, &n))
			return SIM_EUSAGE;
		run_periods(sim, (unsigned int)n, true);
		print_status(sim, "pcm");
		return 0;
	} else {
		return SIM_EUSAGE;
	}
	if (!rc)
		sim_printf(sim, "pcm: %s ok\n", op);
	return rc;
}

static const char *type_name(int t)
{
	switch (t) {
	case SNDRV_CTL_ELEM_TYPE_BOOLEAN:
		return "bool";
	case SNDRV_CTL_ELEM_TYPE_INTEGER:
		return "int";
	case SNDRV_CTL_ELEM_TYPE_ENUMERATED:
		return "enum";
	default:
		return "other";
	}
}

static int print_control(struct sim *sim, struct snd_kcontrol *k)
{
	struct snd_ctl_elem_info info;
	struct snd_ctl_elem_value val;
	int rc;

	info.value.enumerated.item = 0;
	rc = kc_km_ctl_info(k, &info);
	if (rc)
		return rc;
	rc = kc_km_ctl_get(k, &val);
	sim_printf(sim, "control '%s' %s x%u", (const char *)k->id.name, type_name(info.type), info.count);
	if (info.type == SNDRV_CTL_ELEM_TYPE_INTEGER)
		sim_printf(sim, " [%ld..%ld]", info.value.integer.min, info.value.integer.max);
	if (info.type == SNDRV_CTL_ELEM_TYPE_ENUMERATED)
		sim_printf(sim, " (%u items)", info.value.enumerated.items);
	if (rc) {
		sim_printf(sim, " = %s\n", sim_errname(rc));
		return 0;
	}
	sim_printf(sim, " =");
	for (unsigned int i = 0; i < info.count && i < 8; i++) {
		if (info.type == SNDRV_CTL_ELEM_TYPE_ENUMERATED) {
			struct snd_ctl_elem_info ei;

			ei.value.enumerated.item = val.value.enumerated.item[i];
			kc_km_ctl_info(k, &ei);
			sim_printf(sim, " %u:%s", val.value.enumerated.item[i], ei.value.enumerated.name);
		} else {
			sim_printf(sim, " %ld", val.value.integer.value[i]);
		}
	}
	sim_printf(sim, "\n");
	return 0;
}

static int cmd_mixer(struct sim *sim, int argc, char **argv)
{
	struct snd_card *card = first_card(sim);
	struct snd_kcontrol *k;
	const char *op = argc > 1 ? argv[1] : "";

	if (!card)
		return -ENODEV;
	if (!strcmp(op, "list")) {
		for (unsigned int i = 0; (k = kc_km_ctl_at(card, i)) != NULL; i++)
			print_control(sim, k);
		sim_printf(sim, "mixer: %u notifications so far\n", kc_km_ctl_notifications(card));
		return 0;
	}
	if (argc < 3)
		return SIM_EUSAGE;
	k = kc_km_ctl_find(card, argv[2]);
	if (!k) {
		sim_printf(sim, "mixer: no control '%s'\n", argv[2]);
		return -ENOENT;
	}
	if (!strcmp(op, "get"))
		return print_control(sim, k);
	if (!strcmp(op, "set")) {
		struct snd_ctl_elem_info info;
		struct snd_ctl_elem_value val;
		int rc;

		info.value.enumerated.item = 0;
		rc = kc_km_ctl_info(k, &info);
		if (rc)
			return rc;
		rc = kc_km_ctl_get(k, &val);
		if (rc && rc != -1)
			return rc;
		for (int i = 3; i < argc && i - 3 < 128; i++) {
			long v = strtol(argv[i], NULL, 0);

			if (info.type == SNDRV_CTL_ELEM_TYPE_ENUMERATED)
				val.value.enumerated.item[i - 3] = (unsigned int)v;
			else
				val.value.integer.value[i - 3] = v;
		}
		rc = kc_km_ctl_put(k, &val);
		if (rc < 0)
			return rc;
		sim_printf(sim, "mixer: '%s' %s\n", argv[2], rc > 0 ? "changed" : "unchanged");
		return print_control(sim, k);
	}
	return SIM_EUSAGE;
}

static int cmd_snd_fault(struct sim *sim, int argc, char **argv)
{
	struct simsnd_dev *dev = sim_device(sim, "simsnd");
	unsigned long n;

	if (!dev) {
		sim_printf(sim, "snd-fault: no simsnd device\n");
		return -ENODEV;
	}
	if (argc != 3 || sim_parse_uint(sim, argv[2], 1000000, &n))
		return SIM_EUSAGE;
	if (!strcmp(argv[1], "drop-irqs"))
		simsnd_dev_drop_irqs(dev, (unsigned int)n);
	else if (!strcmp(argv[1], "codec-stuck"))
		simsnd_dev_codec_stuck(dev, (int)n);
	else if (!strcmp(argv[1], "dma-error"))
		simsnd_dev_dma_error(dev, (unsigned int)n);
	else
		return SIM_EUSAGE;
	sim_printf(sim, "snd-fault: %s %lu\n", argv[1], n);
	return 0;
}

static int cmd_snd_codec(struct sim *sim, int argc, char **argv)
{
	struct simsnd_dev *dev = sim_device(sim, "simsnd");

	(void)argc;
	(void)argv;
	if (!dev)
		return -ENODEV;
	sim_printf(sim, "codec: master 0x%04x pcm 0x%04x mute %u output %u\n",
		   simsnd_dev_codec_reg(dev, SIMSND_CODEC_MASTER_VOL), simsnd_dev_codec_reg(dev, SIMSND_CODEC_PCM_VOL),
		   simsnd_dev_codec_reg(dev, SIMSND_CODEC_MUTE), simsnd_dev_codec_reg(dev, SIMSND_CODEC_OUTPUT));
	return 0;
}

static const struct sim_cmd snd_cmds[] = {
	{ "pcm", cmd_pcm, "pcm open|hw R C PF P [u8]|prepare|write N|start|pause|resume|run N|drop|hw_free|close|status",
	  "drive the first card's playback PCM step by step" },
	{ "play", cmd_play, "play N [RATE CH PERIOD_FRAMES PERIODS]", "play N periods (open..close)" },
	{ "underrun", cmd_underrun, "underrun N [RATE CH PERIOD_FRAMES PERIODS]",
	  "play N periods, then stop feeding the stream until it underruns" },
	{ "mixer", cmd_mixer, "mixer list|get NAME|set NAME V...", "read and write the card's controls" },
	{ "snd-fault", cmd_snd_fault, "snd-fault drop-irqs N|codec-stuck 0|1|dma-error AFTER_PERIODS", "simsnd device fault knobs" },
	{ "snd-codec", cmd_snd_codec, "snd-codec", "show the simsnd codec registers (device side)" },
};
SIM_COMMANDS(snd_cmds)
