#!/usr/bin/env bash
# deps_lock.sh: scripts/deps.sh waits for the package manager's locks instead of failing at once.
# Lock files of our own (KCUT_DEPS_LOCKS) held with flock(1) and with a POSIX lock (python's
# fcntl.lockf, what apt and dpkg take); apt-get, dpkg-query and id are fakes on PATH, so nothing
# is installed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

l1=$tmp/lock-frontend l2=$tmp/lock
touch "$l1" "$l2"
export KCUT_DEPS_LOCKS="$l1 $l2 $tmp/missing-lock" KCUT_DEPS_LOCK_POLL=1

# 1. nothing held: returns at once, says nothing
out=$(bash -c ". '$top/scripts/deps.sh'; KCUT_DEPS_LOCK_WAIT=5 deps_wait_locks" 2>&1) && [ -z "$out" ] &&
	ok "free locks: no wait" || bad "free locks: rc/out '$out'"

# 2. flock held for 4 s: waits, names the lock and the holder, then goes on
flock "$l2" sleep 4 &
sleep 0.5
t0=$(date +%s)
out=$(bash -c ". '$top/scripts/deps.sh'; KCUT_DEPS_LOCK_WAIT=30 deps_wait_locks" 2>&1)
rc=$? t=$(( $(date +%s) - t0 ))
if [ $rc -eq 0 ] && [ $t -ge 2 ] && grep -q "waiting" <<<"$out" && grep -q "$l2 held by pid" <<<"$out" &&
   grep -q "free now" <<<"$out"; then ok "held flock: waited ${t}s"; else bad "held flock: rc=$rc t=$t out='$out'"; fi
wait

# 3. a POSIX lock held longer than the bounded wait: gives up with a clear message, exit 1
python3 -c "
import fcntl, sys, time
f = open('$l1', 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(20)" > "$tmp/py.out" &
py=$!
for _ in $(seq 50); do grep -q locked "$tmp/py.out" 2>/dev/null && break; sleep 0.1; done
t0=$(date +%s)
out=$(bash -c ". '$top/scripts/deps.sh'; KCUT_DEPS_LOCK_WAIT=2 deps_wait_locks" 2>&1)
rc=$? t=$(( $(date +%s) - t0 ))
if [ $rc -eq 1 ] && [ $t -ge 2 ] && [ $t -le 10 ] && grep -q "gave up after 2s" <<<"$out" && grep -q "pid $py" <<<"$out"
then ok "POSIX lock: gave up after ${t}s naming pid $py"; else bad "POSIX lock: rc=$rc t=$t out='$out'"; fi
kill $py 2>/dev/null; wait $py 2>/dev/null

# 4. the whole script: apt-get runs only once the lock is free, with DPkg::Lock::Timeout
mkdir "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' > "$tmp/bin/dpkg-query"
printf '#!/bin/sh\necho 0\n' > "$tmp/bin/id"
printf '#!/bin/sh\necho "$(date +%%s) $*" >> "%s/apt.log"\n' "$tmp" > "$tmp/bin/apt-get"
chmod +x "$tmp/bin/"*
flock "$l1" sleep 4 &
sleep 0.5
t0=$(date +%s)
out=$(PATH="$tmp/bin:$PATH" KCUT_DEPS_LOCK_WAIT=30 bash "$top/scripts/deps.sh" 2>&1)
rc=$?
wait
first=$(head -1 "$tmp/apt.log" 2>/dev/null | cut -d' ' -f1)
if [ $rc -eq 0 ] && [ -n "$first" ] && [ $((first - t0)) -ge 2 ] && [ "$(grep -c 'DPkg::Lock::Timeout=30' "$tmp/apt.log")" = 2 ] &&
   grep -q " update" "$tmp/apt.log" && grep -q " install" "$tmp/apt.log"; then
	ok "deps.sh: apt-get ran $((first - t0))s later, after the lock was released"
else
	bad "deps.sh: rc=$rc out='$out' log='$(cat "$tmp/apt.log" 2>/dev/null)'"
fi

[ $fails -eq 0 ] && echo "deps_lock: all passed" || echo "deps_lock: $fails failed"
exit $((fails > 0))
