/*
 * kcut_lx_regions.c - a stand-in user half for the device-region part of the guest smoke test
 * (scripts/qemu-e1000.sh --regtest/--regions, with the test module regtest/kcut_lx_regtest.ko):
 * opens /dev/kcut-regtest, asks the kernel half about the two exported regions (the runtime's
 * own downcall KC_RT_FN_REGINFO through KCUT_LX_IOC_CALL), maps the e1000's BAR 0 and the DMA
 * buffer at their tokens and checks what it reads there (the STATUS register and the pattern the
 * module wrote), writes a word into the DMA buffer, checks that forged or out-of-range mmap
 * requests and a forged region id are refused, then waits until the region is unexported
 * (file /tmp/kcut-unexported) and checks that touching its mapping now faults (SIGBUS) and that
 * REGINFO calls the id stale. One line per check, "kcut-regions: ok|FAIL ...", last line
 * "kcut-regions: PASS" or "kcut-regions: FAIL (n)".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcut_rt_uapi.h"

#define FN_REGINFO 0xfffffff2u /* rt/region_internal.h KC_RT_FN_REGINFO */
#define MSG_HDR 24u

static int fd, fails;
static struct kcut_lx_info info;
static uint8_t *chan;
static sigjmp_buf jb;

static void check(int ok, const char *what)
{
	printf("kcut-regions: %s %s\n", ok ? "ok" : "FAIL", what);
	fflush(stdout);
	if (!ok)
		fails++;
}

static uint32_t param(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kcut_lx_regtest/parameters/%s", name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "kcut-regions: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fclose(f);
	return (uint32_t)strtoul(buf, NULL, 0);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

struct reginfo {
	int32_t status;
	uint32_t id, kind, flags;
	uint64_t base, size, token;
};

/* KC_RT_FN_REGINFO of id in user slot 0. */
static struct reginfo reginfo(uint32_t id)
{
	uint8_t *s = chan + info.hdr_bytes + (size_t)info.nslots_k * info.slot_bytes;
	struct kcut_lx_msg m = { .slot = 0, .len = MSG_HDR + 4 };
	struct reginfo r = { 0 };
	static uint32_t call_id = 100;

	put32(s, 1); /* CALL */
	put32(s + 4, ++call_id);
	put32(s + 8, FN_REGINFO);
	put32(s + 12, 0);
	put32(s + 16, 0);
	put32(s + 20, 4);
	put32(s + 24, id);
	if (ioctl(fd, KCUT_LX_IOC_CALL, &m)) {
		printf("kcut-regions: REGINFO ioctl: %s\n", strerror(errno));
		r.status = -9999;
		return r;
	}
	r.status = (int32_t)get32(s + 16);
	if (get32(s) != 2 || get32(s + 4) != call_id || m.len < MSG_HDR) {
		r.status = -9998;
		return r;
	}
	if (!r.status && m.len >= MSG_HDR + 36) {
		r.id = get32(s + 24);
		r.kind = get32(s + 28);
		r.flags = get32(s + 32);
		r.base = get64(s + 36);
		r.size = get64(s + 44);
		r.token = get64(s + 52);
	}
	return r;
}

static void on_bus(int sig)
{
	siglongjmp(jb, sig);
}

static int refused(uint64_t off, size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, (off_t)off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno == EINVAL;
}

int main(void)
{
	uint32_t mmio_id, dma_id, status, pattern, i;
	struct reginfo mi, di, st;
	volatile uint32_t *bar, *dma;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), bar_len, dma_len;
	struct stat sb;
	int ok;

	for (i = 0; i < 300; i++) {
		fd = open("/dev/kcut-regtest", O_RDWR);
		if (fd >= 0)
			break;
		usleep(100000);
	}
	if (fd < 0 || ioctl(fd, KCUT_LX_IOC_INFO, &info)) {
		perror("kcut-regions: /dev/kcut-regtest");
		return 1;
	}
	chan = mmap(NULL, info.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (chan == MAP_FAILED) {
		perror("kcut-regions: mmap of the channel");
		return 1;
	}
	mmio_id = param("mmio_id");
	dma_id = param("dma_id");
	status = param("status");
	pattern = param("pattern");
	mi = reginfo(mmio_id);
	di = reginfo(dma_id);
	printf("kcut-regions: MMIO 0x%x: status %d kind %u flags %u base %#llx size %llu token %#llx\n", mmio_id,
	       mi.status, mi.kind, mi.flags, (unsigned long long)mi.base, (unsigned long long)mi.size,
	       (unsigned long long)mi.token);
	printf("kcut-regions: DMA 0x%x: status %d kind %u flags %u size %llu token %#llx\n", dma_id, di.status,
	       di.kind, di.flags, (unsigned long long)di.size, (unsigned long long)di.token);
	check(!mi.status && mi.id == mmio_id && mi.kind == 1 && (mi.flags & 1) && mi.token, "REGINFO of the BAR");
	check(!di.status && di.id == dma_id && di.kind == 3 && (di.flags & 1) && di.token, "REGINFO of the DMA buffer");
	if (mi.status || di.status) {
		printf("kcut-regions: FAIL (%d)\n", fails);
		return 1;
	}
	bar_len = (size_t)mi.size;
	dma_len = ((size_t)di.size + pg - 1) / pg * pg;
	bar = mmap(NULL, bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mi.token);
	check(bar != MAP_FAILED, "mmap of the BAR at its token (io_remap_pfn_range)");
	if (bar != MAP_FAILED) {
		uint32_t v = bar[8 / 4];

		printf("kcut-regions: STATUS through the mapping %#x, the kernel read %#x\n", v, status);
		check(v == status, "the e1000's STATUS register read through the user half's mapping");
	}
	dma = mmap(NULL, dma_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)di.token);
	check(dma != MAP_FAILED, "mmap of the DMA buffer at its token (dma_mmap_coherent)");
	if (dma != MAP_FAILED) {
		for (ok = 1, i = 0; i < dma_len / 4; i++)
			ok &= dma[i] == (0x6b630000u ^ i);
		check(ok && dma[0] == pattern, "the DMA buffer holds the module's pattern");
		dma[0] = 0xfeedbeefu;
	}
	/* refused: forged token, beyond the region, a private mapping, the second page alone of a
	 * one-page request past the end */
	check(refused(di.token + ((uint64_t)1000 << 28), pg, MAP_SHARED), "mmap at a token no region has is refused");
	check(refused(di.token, dma_len + pg, MAP_SHARED), "mmap longer than the region is refused");
	check(refused(di.token + dma_len, pg, MAP_SHARED), "mmap starting past the region is refused");
	check(refused(di.token, pg, MAP_PRIVATE), "a private mapping is refused");
	check(refused((uint64_t)0xfffff << 28, pg, MAP_SHARED), "mmap at a huge made-up offset is refused");
	st = reginfo(dma_id ^ 0x800u);
	check(st.status == -23, "REGINFO of a forged id answers KC_RT_EPROTO");
	printf("kcut-regions: ready\n");
	fflush(stdout);
	for (i = 0; i < 200 && stat("/tmp/kcut-unexported", &sb); i++)
		usleep(100000);
	check(i < 200, "the region was unexported");
	signal(SIGBUS, on_bus);
	if (dma != MAP_FAILED) {
		int sig = sigsetjmp(jb, 1);

		if (!sig) {
			i = dma[1];
			check(0, "the mapping of an unexported DMA region still reads");
		} else {
			check(sig == SIGBUS, "the mapping of the unexported DMA region faults (SIGBUS)");
		}
	}
	st = reginfo(dma_id);
	check(st.status == -24, "REGINFO of the unexported id answers KC_RT_ESTALE");
	if (fails)
		printf("kcut-regions: FAIL (%d)\n", fails);
	else
		printf("kcut-regions: PASS\n");
	return fails ? 1 : 0;
}
