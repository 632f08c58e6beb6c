/*
 * kcut_lx_probe.c - a stand-in user half for the guest smoke test (scripts/qemu-e1000.sh): opens
 * /dev/kcut-NAME (waiting for it to appear), checks the channel geometry (KCUT_LX_IOC_INFO), maps
 * the channel, then answers every upcall the kernel half makes with an error reply (KC_EIO) and
 * prints one line per upcall: "kcut-probe: upcall fn F id I payload N bytes". Exits after
 * IDLE seconds without an upcall. Not a user half: it runs none of the driver.
 * MODE bad-call: first sends a downcall with a garbage header; bad-reply: answers the first
 * upcall with a reply of the wrong call id (the kernel half must refuse both: a log line, this
 * process killed, no oops).
 *
 *   kcut_lx_probe NAME [IDLE [polite|bad-call|bad-reply]]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kcut_rt_uapi.h"

static void on_alarm(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	struct kcut_lx_info info;
	char path[128];
	int fd = -1, i, idle = argc > 2 ? atoi(argv[2]) : 5;
	const char *mode = argc > 3 ? argv[3] : "polite";
	uint8_t *map;

	if (argc < 2) {
		fprintf(stderr, "usage: kcut_lx_probe NAME [IDLE]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/kcut-%s", argv[1]);
	for (i = 0; i < 300 && fd < 0; i++) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "kcut-probe: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (ioctl(fd, KCUT_LX_IOC_INFO, &info)) {
		perror("kcut-probe: KCUT_LX_IOC_INFO");
		return 1;
	}
	printf("kcut-probe: %s magic %#x version %u slots %u+%u of %u bytes, map %llu bytes, %u downcalls, %u upcalls\n",
	       path, info.magic, info.version, info.nslots_k, info.nslots_u, info.slot_bytes,
	       (unsigned long long)info.map_bytes, info.nfns, info.npeer);
	if (info.magic != KCUT_LX_MAGIC || info.version != KCUT_LX_VERSION)
		return 1;
	map = mmap(NULL, info.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("kcut-probe: mmap");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	if (!strcmp(mode, "bad-call")) {
		struct kcut_lx_msg m = { .slot = 0, .len = 24 };

		memset(map + info.hdr_bytes + (size_t)info.nslots_k * info.slot_bytes, 0xa5, 24);
		printf("kcut-probe: sending a garbage downcall\n");
		fflush(stdout);
		if (ioctl(fd, KCUT_LX_IOC_CALL, &m))
			printf("kcut-probe: garbage downcall refused: %s\n", strerror(errno));
		fflush(stdout);
	}
	for (;;) {
		uint32_t slot, w[6];
		struct kcut_lx_msg m;
		uint8_t *s;

		alarm((unsigned)idle);
		if (ioctl(fd, KCUT_LX_IOC_WAIT, &slot)) {
			printf("kcut-probe: wait: %s\n", strerror(errno));
			return 0;
		}
		if (slot >= info.nslots_k)
			return 1;
		s = map + info.hdr_bytes + (size_t)slot * info.slot_bytes;
		memcpy(w, s, sizeof(w));
		printf("kcut-probe: upcall fn %u id %u payload %u bytes\n", ntohl(w[2]), ntohl(w[1]), ntohl(w[5]));
		fflush(stdout);
		/* REPLY, same id and fn, status KC_EIO (-3), no payload */
		w[0] = htonl(2);
		if (!strcmp(mode, "bad-reply")) {
			w[1] = htonl(ntohl(w[1]) + 1000);
			printf("kcut-probe: replying with a wrong call id\n");
			fflush(stdout);
		}
		w[3] = 0;
		w[4] = htonl((uint32_t)-3);
		w[5] = 0;
		memcpy(s, w, sizeof(w));
		m.slot = slot;
		m.len = sizeof(w);
		if (ioctl(fd, KCUT_LX_IOC_REPLY, &m)) {
			printf("kcut-probe: reply: %s\n", strerror(errno));
			return 1;
		}
	}
}
