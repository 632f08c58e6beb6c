/*
 * replay_main.c - a standalone driver that feeds saved fuzz inputs to a libFuzzer target, so the
 * corpora under tests/fuzz/<target>/ run as ordinary CTest tests in the normal (gcc, ASan)
 * build. Arguments are files or directories (every regular file inside, sorted).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kc_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	struct kc_err err = { 0 };

	if (kc_read_file(&buf, &len, path, &err)) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int i, bad = 0, n = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0, k;
		DIR *d;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			n++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 2;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			names = kc_xrealloc(names, (nn + 1) * sizeof(*names));
			names[nn++] = kc_path_join(argv[i], de->d_name);
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), cmp);
		for (k = 0; k < nn; k++) {
			bad |= run_file(names[k]);
			n++;
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %d inputs\n", n);
	if (n == 0) {
		fprintf(stderr, "replay: no inputs (empty corpus?)\n");
		return 1;
	}
	return bad;
}
