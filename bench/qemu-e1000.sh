#!/usr/bin/env bash
# bench/qemu-e1000.sh: the split e1000 against the unsplit e1000.ko in ONE qemu guest boot (TCG, user
# net), side by side (issue 15 item 5). Phases: unsplit1..N (e1000.ko loaded and unloaded each
# time), then split1..N (the split driver loaded once, its phases back to back); per phase:
#   - ping RTT from the guest: ping -c COUNT -i 0.01 10.0.2.2 (guest clock; see the note below);
#   - UDP RTT measured with the HOST clock: the host sends PROBES datagrams one at a time to a qemu
#     hostfwd port, the guest's echo server (bench/qemu-udp.c) answers each;
#   - UDP throughput guest -> host: the guest sends SIZE-byte datagrams for SECONDS to 10.0.2.2
#     (a sink on the host's loopback counts the bytes that arrive; rate over the host-clock span
#     from the first to the last datagram); lost = sent - received;
#   - split only: the user half's crossings (upcalls served + downcalls made, its SIGUSR1 counters)
#     over the whole steady-state phase (ping + echo + UDP), per second.
# The guest is given the host's TSC rate (tsc_early_khz, tsc=reliable) so its clock is not
# skewed by a calibration on a loaded host; without that its clocksource falls back to jiffies
# (4 ms steps at HZ=250) and ping's RTT is quantised to 4 ms.
#
# Usage: bench/qemu-e1000.sh --rt KO --half KO --user BIN [--unsplit KO] [--kdir DIR]
#            [--rounds 2] [--count 500] [--probes 300] [--seconds 5] [--size 1400] [--timeout 1200]
# (the modules and the user half as for scripts/qemu-e1000.sh --user; KDIR default
# ~/.cache/kcut/qemu/kernel). Prints one markdown table row per phase, the machine load before
# and after, and the command; exit 0 when every phase produced its figures.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${HOME:-/root}/.cache/kcut/qemu/kernel
rounds=2 count=500 probes=300 seconds=5 size=1400 timeout=1200
rt= half= user= unsplit=
cmdline="$0 $*"
while [ $# -gt 0 ]; do
	case "$1" in
	--rt) rt=$2; shift 2 ;;
	--half) half=$2; shift 2 ;;
	--user) user=$2; shift 2 ;;
	--unsplit) unsplit=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--probes) probes=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/qemu-e1000: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -n "$unsplit" ] || unsplit=$kdir/drivers/net/ethernet/intel/e1000/e1000.ko
for f in "$rt" "$half" "$user" "$unsplit" "$kdir/arch/x86/boot/bzImage"; do
	[ -n "$f" ] && [ -f "$f" ] || { echo "bench/qemu-e1000: missing file '$f' (try --help)" >&2; exit 2; }
done
# the guest's boot (scripts/lib/qemu-guest.sh)
. "$top/scripts/lib/qemu-guest.sh"
qg_tools bench/qemu-e1000
qg_workdir kcut-bench-qemu
cp "$rt" "$root/kcut_rt.ko"
mod=$(basename "$half" .ko)
cp "$half" "$root/$mod.ko"
cp "$unsplit" "$root/e1000.ko"
cp "$user" "$root/kcut_user_half"
gcc -static -O2 -Wall -Wextra -Werror -o "$root/qemu-udp" "$top/bench/qemu-udp.c"

# host ports: one sink port per phase, one hostfwd port for the echo probes
phases=()
for ((r = 1; r <= rounds; r++)); do phases+=("unsplit$r"); done
for ((r = 1; r <= rounds; r++)); do phases+=("split$r"); done
read -r -a ports <<<"$(python3 -c 'import socket,sys
ss=[socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(int(sys.argv[1]))]
[s.bind(("127.0.0.1", 0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))' $((${#phases[@]} + 1)))"
fwd=${ports[${#phases[@]}]}

{
	cat <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
counters() { kill -USR1 \$uh 2>/dev/null; sleep 0.3; grep "upcalls served" /uh.log | tail -1; }
net() {
	for i in \$(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
	ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
	for i in \$(seq 100); do [ "\$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	ping -c 3 -W 3 10.0.2.2 >/dev/null 2>&1
}
steady() {
	p=\$1 port=\$2
	[ -n "\$uh" ] && echo "KCUT-CROSS \$p before \$(counters)"
	t0=\$(up)
	ping -q -c $count -i 0.01 10.0.2.2 > /ping.txt 2>&1
	sed "s/^/KCUT-PING \$p: /" /ping.txt
	echo "KCUT-ECHO-READY \$p"
	/qemu-udp echo 7777 | sed "s/^/KCUT-UDP \$p: /"
	/qemu-udp send 10.0.2.2 \$port $seconds $size | sed "s/^/KCUT-UDP \$p: /"
	t1=\$(up)
	[ -n "\$uh" ] && echo "KCUT-CROSS \$p after \$(counters)"
	echo "KCUT-TIME \$p \$t0 \$t1"
}
echo "KCUT-STEP boot"
insmod /kcut_rt.ko || echo "KCUT-FAIL kcut_rt.ko"
uh=
INIT
	# the unsplit rounds first (each loads and unloads e1000.ko), then the split driver once, with
	# its rounds back to back; it is not unloaded (the guest powers off): the split driver's
	# teardown after a restart is not what this measures (docs/linux.md lists its state)
	i=0
	for p in "${phases[@]}"; do
		if [[ $p == unsplit* ]]; then
			cat <<INIT
insmod /e1000.ko || echo "KCUT-FAIL insmod e1000.ko"
net; steady $p ${ports[$i]}
ip link set eth0 down; rmmod e1000
INIT
		else
			[ "$p" = split1 ] && cat <<INIT
/kcut_user_half > /uh.log 2>&1 &
uh=\$!
insmod /$mod.ko kcut_wait_ms=60000 || echo "KCUT-FAIL insmod $mod"
net
INIT
			cat <<INIT
steady $p ${ports[$i]}
INIT
		fi
		i=$((i + 1))
	done
	cat <<INIT
sed 's/^/KCUT-UH: /' /uh.log
INIT
	cat <<INIT
dmesg | grep -E "kcut|Oops|BUG|WARNING" | sed 's/^/dmesg: /'
echo "KCUT-STEP done"
poweroff -f
INIT
} >"$root/init"
qg_initramfs
log=$work/console.log
: >"$log"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# the host side: sinks, echo prober (host clock); results in $work/host.json
python3 - "$log" "$work/host.json" "$fwd" "$probes" "${phases[@]}" -- "${ports[@]:0:${#phases[@]}}" <<'PY' &
import json, select, socket, sys, time
log, outp, fwd, probes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rest = sys.argv[5:]
k = rest.index("--")
phases, ports = rest[:k], [int(p) for p in rest[k + 1:]]
res = {p: {"bytes": 0, "dgrams": 0, "first": None, "last": None, "rtt_us": [], "lost_probes": 0} for p in phases}
socks = {}
for p, port in zip(phases, ports):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", port))
    s.setblocking(False)
    socks[s] = p
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
done_echo = set()
deadline = time.time() + 3600
def drain(timeout):
    r, _, _ = select.select(list(socks), [], [], timeout)
    for s in r:
        while True:
            try:
                d = s.recv(65536)
            except BlockingIOError:
                break
            t = time.perf_counter()
            x = res[socks[s]]
            if d == b"end":
                continue
            x["bytes"] += len(d)
            x["dgrams"] += 1
            x["first"] = x["first"] or t
            x["last"] = t
while time.time() < deadline:
    drain(0.05)
    try:
        text = open(log, errors="replace").read()
    except OSError:
        text = ""
    for p in phases:
        if p not in done_echo and ("KCUT-ECHO-READY %s\n" % p) in text.replace("\r", ""):
            done_echo.add(p)
            time.sleep(0.5)  # the echo server binds after the marker
            probe.settimeout(1.0)
            for i in range(probes):
                msg = b"probe %d" % i
                t0 = time.perf_counter()
                probe.sendto(msg, ("127.0.0.1", fwd))
                try:
                    while True:
                        d, _ = probe.recvfrom(2048)
                        if d == msg:
                            break
                    res[p]["rtt_us"].append((time.perf_counter() - t0) * 1e6)
                except socket.timeout:
                    res[p]["lost_probes"] += 1
                drain(0)
                time.sleep(0.005)
            for _ in range(3):
                probe.sendto(b"stop", ("127.0.0.1", fwd))
                time.sleep(0.2)
    if "KCUT-STEP done" in text:
        drain(0.5)
        break
json.dump(res, open(outp, "w"))
PY
hpid=$!
start=$(date +%s)
qg_start "$kdir" 512 1 "user,model=e1000,hostfwd=udp:127.0.0.1:$fwd-10.0.2.15:7777" "$(qg_append)"
qg_wait "$timeout"
for ((i = 0; i < 20; i++)); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.5; done
kill "$hpid" 2>/dev/null || true
wait "$hpid" 2>/dev/null || true
load1=$(cut -d' ' -f1-3 /proc/loadavg)
qg_console
grep -E "^(KCUT-(FAIL|CROSS|TIME|UDP)|dmesg:)" "$work/console.txt" | grep -v "KCUT-UDP .*echo ready" || true
python3 - "$work/console.txt" "$work/host.json" "$count" "$size" "$load0" "$load1" "$cmdline" "$(($(date +%s) - start))" "${phases[@]}" <<'PY'
import json, os, re, statistics, sys
out = open(sys.argv[1]).read()
host = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {}
count, size, load0, load1, cmd, secs = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
phases = sys.argv[9:]
print("| phase | ping rtt min/avg (ms, guest clock) | ping lost | UDP echo rtt min/median/avg (us, host clock) | probes lost | UDP guest->host (Mbit/s, host clock) | datagrams sent/received | crossings in steady state |")
print("|---|---|---|---|---|---|---|---|")
ok = True
for p in phases:
    t = re.search(r"KCUT-PING %s: (\d+) packets transmitted, (\d+) packets received" % p, out)
    r = re.search(r"KCUT-PING %s: round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms" % p, out)
    s = re.search(r"KCUT-UDP %s: qemu-udp: sent (\d+) datagrams" % p, out)
    h = host.get(p, {})
    rtt = h.get("rtt_us", [])
    ping = "%s/%s" % (r.group(1), r.group(2)) if r else "-"
    lost = "%d/%d" % (int(t.group(1)) - int(t.group(2)), int(t.group(1))) if t else "-"
    echo = "%.0f/%.0f/%.0f" % (min(rtt), statistics.median(rtt), statistics.mean(rtt)) if rtt else "-"
    span = (h["last"] - h["first"]) if h.get("first") and h.get("last") and h["last"] > h["first"] else 0
    tput = "%.1f" % (h["bytes"] * 8 / span / 1e6) if span else "-"
    sr = "%s/%d" % (s.group(1) if s else "?", h.get("dgrams", 0))
    cross = "-"
    if p.startswith("split"):
        cb = re.search(r"KCUT-CROSS %s before .*?(\d+) upcalls served, (\d+) downcalls made" % p, out)
        ca = re.search(r"KCUT-CROSS %s after .*?(\d+) upcalls served, (\d+) downcalls made" % p, out)
        tm = re.search(r"KCUT-TIME %s ([\d.]+) ([\d.]+)" % p, out)
        if cb and ca and tm:
            n = int(ca.group(1)) + int(ca.group(2)) - int(cb.group(1)) - int(cb.group(2))
            dt = float(tm.group(2)) - float(tm.group(1))
            cross = "%d in %.1f s (%.2f/s)" % (n, dt, n / dt if dt else 0)
        else:
            ok = False
    if not (r and rtt and span):
        ok = False
    print("| %s | %s | %s | %s | %d | %s | %s | %s |" % (p, ping, lost, echo, h.get("lost_probes", 0), tput, sr, cross))
fails = re.findall(r"KCUT-FAIL .*", out)
if re.search(r"Oops|BUG:|Kernel panic|general protection", out):
    fails.append("the guest kernel oopsed")
if "KCUT-STEP done" not in out:
    fails.append("the guest did not finish")
print("machine load (1/5/15 min) before %s, after %s; %s s; %d-byte datagrams; command: %s" % (load0, load1, secs, size, cmd))
if fails or not ok:
    print("bench/qemu-e1000: INCOMPLETE (%s)" % "; ".join(fails or ["a phase lacks figures"]))
    sys.exit(1)
PY
