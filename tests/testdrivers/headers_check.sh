#!/bin/sh
# headers_check.sh CC INCLUDE_DIR - every kernel-model header must compile on its own, as the kernel's
# own headers do, with the flags the drivers use (gnu11, -Wall -Wextra -Werror minus unused-parameter).
set -u
cc=$1 inc=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for h in $(cd "$inc" && find linux sound asm -name '*.h' | sort); do
	printf '#include <%s>\nint kc_header_check_dummy;\n' "$h" >"$tmp/t.c"
	if ! "$cc" -std=gnu11 -D_GNU_SOURCE -DKBUILD_MODNAME='"hdr"' -Wall -Wextra -Werror \
		-Wno-unused-parameter -I"$inc" -fsyntax-only "$tmp/t.c" 2>"$tmp/err"; then
		echo "FAIL: $h"; cat "$tmp/err"; fail=$((fail + 1))
	fi
	n=$((n + 1))
done
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
