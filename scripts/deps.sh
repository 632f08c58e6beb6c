#!/usr/bin/env bash
# Install everything kcut's build, tests and demo need, from Debian's archive. Idempotent: when every
# package is already installed it does nothing. Works as root; uses sudo otherwise.
#
# When another apt or dpkg is running (unattended-upgrades, a second deps.sh), it waits for the
# package manager's locks instead of failing at once: it says which lock and which process holds
# it, checks again every 5 seconds, and gives up with a clear message after
# $KCUT_DEPS_LOCK_WAIT seconds (default 600). apt-get itself also gets DPkg::Lock::Timeout, for
# the moment between the check and apt taking the lock.
#
# Sourcing the file (`. scripts/deps.sh`) defines the functions without installing anything
# (tests/scripts/deps_lock.sh tests deps_wait_locks with lock files of its own, $KCUT_DEPS_LOCKS).
set -euo pipefail

PKGS=(
  # build
  build-essential cmake pkg-config
  # analyzer: libclang 14 (the system clang), JSON, SQLite
  libclang-14-dev clang-14 llvm-14 libclang-rt-14-dev libjansson-dev libsqlite3-dev sqlite3
  # partitioner: igraph max-flow, Z3 optimizer, libedit for `kcut tune`, Graphviz for SVG
  libigraph-dev libz3-dev libedit-dev graphviz
  # runtime benchmark baseline (XDR), SARIF schema check
  libtirpc-dev python3 python3-jsonschema
  # real Linux drivers (tests labelled 'linux'): kernel source and what its build needs
  linux-source-6.1 bc flex bison libelf-dev libssl-dev cpio xz-utils lld-14
  # the split e1000 in a qemu guest (scripts/qemu-e1000.sh, tests labelled 'qemu'): TCG, a static
  # busybox for the initramfs, ethtool copied in with its libraries
  qemu-system-x86 busybox-static ethtool
)

# The locks apt and dpkg take (fcntl locks; /proc/locks lists them with the holder's pid).
DEPS_LOCKS_DEFAULT="/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock"

# deps_lock_holder FILE: print the pid holding a lock (POSIX or flock) on FILE, or nothing.
deps_lock_holder() {
	local f=$1 dev ino maj min
	[ -e "$f" ] || return 0
	dev=$(stat -L -c %d "$f") || return 0
	ino=$(stat -L -c %i "$f") || return 0
	# /proc/locks names the file MAJOR:MINOR:INODE, the device numbers in hex
	maj=$(( (dev >> 8) & 0xfff ))
	min=$(( (dev & 0xff) | ((dev >> 12) & 0xfff00) ))
	awk -v id="$(printf '%02x:%02x:%s' "$maj" "$min" "$ino")" \
		'$2 != "->" && $6 == id { print $5; exit }' /proc/locks 2>/dev/null || true
}

# deps_wait_locks: wait until none of the locks in $KCUT_DEPS_LOCKS (default: apt's and dpkg's) is
# held, at most $KCUT_DEPS_LOCK_WAIT seconds (checking every $KCUT_DEPS_LOCK_POLL). 0 when free,
# 1 (with a message) when the wait ran out.
deps_wait_locks() {
	local max=${KCUT_DEPS_LOCK_WAIT:-600} poll=${KCUT_DEPS_LOCK_POLL:-5} start now f pid busy said=""
	case "$max$poll" in *[!0-9]*) echo "deps: KCUT_DEPS_LOCK_WAIT/POLL must be whole seconds" >&2; return 2 ;; esac
	[ "$poll" -gt 0 ] || poll=1
	start=$(date +%s)
	while :; do
		busy=""
		for f in ${KCUT_DEPS_LOCKS:-$DEPS_LOCKS_DEFAULT}; do
			pid=$(deps_lock_holder "$f")
			if [ -n "$pid" ]; then
				busy="$f held by pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60 || echo '?'))"
				break
			fi
		done
		[ -z "$busy" ] && { [ -n "$said" ] && echo "deps: the package manager is free now" >&2; return 0; }
		now=$(date +%s)
		if [ $((now - start)) -ge "$max" ]; then
			echo "deps: gave up after ${max}s waiting for the package manager: $busy" >&2
			echo "deps: let it finish (or stop it), then run scripts/deps.sh again; KCUT_DEPS_LOCK_WAIT=SECONDS waits longer" >&2
			return 1
		fi
		if [ "$busy" != "$said" ]; then
			echo "deps: another package manager is running: $busy; waiting (at most ${max}s) ..." >&2
			said=$busy
		fi
		sleep "$poll"
	done
}

deps_main() {
	local missing=() p SUDO="" timeout
	for p in "${PKGS[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		SUDO="sudo"
	fi
	timeout=${KCUT_DEPS_LOCK_WAIT:-600}
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	deps_wait_locks
	$SUDO apt-get -o DPkg::Lock::Timeout="$timeout" update -qq
	deps_wait_locks
	$SUDO apt-get -o DPkg::Lock::Timeout="$timeout" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	deps_main "$@"
fi
