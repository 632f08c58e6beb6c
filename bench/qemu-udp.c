/*
 * qemu-udp.c - the guest side of bench/qemu-e1000.sh's UDP figures (a static program in the
 * guest's initramfs; busybox nc has no UDP).
 *
 *   qemu-udp send HOST PORT SECONDS SIZE   send SIZE-byte datagrams to HOST:PORT as fast as the
 *                                          socket takes them for SECONDS; print what was sent
 *   qemu-udp echo PORT                     answer every datagram to its sender until one reads
 *                                          "stop"; print how many were echoed
 *
 * The throughput and the RTT are measured on the host (bench/qemu-e1000.sh's sink and prober,
 * host clock): the guest clock only bounds the send phase.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int do_send(const char *host, int port, double secs, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	unsigned long long sent = 0, bytes = 0, failed = 0;
	static char buf[65536];
	double t0, t1;
	int s;

	if (size > sizeof(buf) || inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return 2;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("qemu-udp: socket");
		return 1;
	}
	memset(buf, 'k', size);
	t0 = now();
	do {
		unsigned i;

		for (i = 0; i < 64; i++) {
			memcpy(buf, &sent, sizeof(sent)); /* a sequence number */
			if (send(s, buf, size, 0) == (ssize_t)size) {
				sent++;
				bytes += size;
			} else {
				failed++; /* ENOBUFS & co.: the device's ring is full */
			}
		}
		t1 = now();
	} while (t1 - t0 < secs);
	printf("qemu-udp: sent %llu datagrams, %llu bytes in %.3f s (guest clock), %llu send errors\n", sent, bytes,
	       t1 - t0, failed);
	/* the end marker the sink stops on */
	for (int i = 0; i < 5; i++) {
		usleep(100000);
		send(s, "end", 3, 0);
	}
	return 0;
}

static int do_echo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	unsigned long long n = 0;
	char buf[2048];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("qemu-udp: echo socket");
		return 1;
	}
	printf("qemu-udp: echo ready on port %d\n", port);
	fflush(stdout);
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t k = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			perror("qemu-udp: recvfrom");
			return 1;
		}
		if (k == 4 && !memcmp(buf, "stop", 4))
			break;
		sendto(s, buf, (size_t)k, 0, (struct sockaddr *)&from, fl);
		n++;
	}
	printf("qemu-udp: echoed %llu datagrams\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atof(argv[4]), (size_t)atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "echo"))
		return do_echo(atoi(argv[2]));
	fprintf(stderr, "usage: qemu-udp send HOST PORT SECONDS SIZE | echo PORT\n");
	return 2;
}
