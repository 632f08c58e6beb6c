#!/usr/bin/env bash
# man_pages.sh KCUT MANPAGE SRCDIR BUILDDIR: the manual page has a section for every command of
# cli/main.c's command table (read from the source, not from the generator), each section renders
# to exactly that command's `kcut CMD --help`, groff finds nothing to warn about, and after
# `cmake --install BUILDDIR --prefix TMP` `man kcut` finds the installed page.
set -u
kcut=$1 page=$2 src=$3 build=$4
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=0 MANWIDTH=250

[ -s "$page" ] || { echo "FAIL: no manual page $page"; exit 1; }
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", ".*", kc_cmd_[a-z_]* },.*/\1/p' "$src/cli/main.c")
n=$(wc -w <<<"$cmds")
[ "$n" -ge 10 ] || bad "read only $n commands from cli/main.c's table"
# and the table is what kcut --help lists
for c in $cmds; do
	"$kcut" --help | grep -q "^  $c " || bad "kcut --help does not list '$c'"
done

warn=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warn" ] || bad "groff warns: $warn"

norm() { sed 's/[[:space:]]\+/ /g; s/^ //; s/ $//' | grep -v '^$'; }
man -l "$page" 2>/dev/null | col -bx > "$tmp/page.txt"
for c in $cmds; do
	grep -q "^\.SS \"kcut $c\"$" "$page" || { bad "no section for command '$c' in $page"; continue; }
	# the rendered section: from its heading to the next heading
	awk -v h="   kcut $c" '$0 == h { on = 1; next } on && /^   kcut [a-z]/ { exit } on && /^[A-Z]/ { exit } on' \
		"$tmp/page.txt" | norm > "$tmp/sec.txt"
	"$kcut" "$c" --help | norm > "$tmp/help.txt"
	[ -s "$tmp/help.txt" ] || bad "kcut $c --help prints nothing"
	if ! cmp -s "$tmp/sec.txt" "$tmp/help.txt"; then
		bad "section 'kcut $c' differs from kcut $c --help:"
		diff "$tmp/help.txt" "$tmp/sec.txt" | head -8
	fi
done

# installed: man finds it by name
if cmake --install "$build" --prefix "$tmp/inst" >"$tmp/install.log" 2>&1; then
	[ -x "$tmp/inst/bin/kcut" ] || bad "cmake --install did not install bin/kcut"
	found=$(MANPATH="$tmp/inst/share/man" man -w kcut 2>&1)
	[ "$found" = "$tmp/inst/share/man/man1/kcut.1" ] || bad "man -w kcut after install: '$found'"
	MANPATH="$tmp/inst/share/man" man kcut 2>/dev/null | col -bx | grep -q "kcut annotate" ||
		bad "man kcut (installed) does not show the annotate section"
	# the kernel shape library is installed with it (a relocated kcut reads BINDIR/../share/kcut/shapes)
	ls "$tmp/inst/share/kcut/shapes/"*.shapes >/dev/null 2>&1 || bad "cmake --install did not install share/kcut/shapes"
else
	bad "cmake --install failed: $(tail -5 "$tmp/install.log")"
fi
[ $fails -eq 0 ] && echo "man_pages: $n commands, each with its section" || echo "man_pages: $fails failed"
exit $((fails > 0))
