#!/usr/bin/env bash
# linux-corpus-cc.sh: the compiler wrapper scripts/linux-corpus.sh passes to kbuild as CC.
#
# kbuild records every compile command in a .cmd file (via fixdep and the dependency file the
# compiler writes); gen_compile_commands.py turns those into compile_commands.json. The corpus only
# needs the commands, not the objects, so for a C file of a corpus family (KCUT_CORPUS_FAKE, a
# '|'-separated list of source path fragments) this wrapper writes a minimal dependency file and an
# empty object instead of compiling. Every other invocation (Kconfig probes, asm-offsets, .S files,
# files outside the families) runs the real compiler (KCUT_CORPUS_REALCC) unchanged.
real=${KCUT_CORPUS_REALCC:-clang-14}
src="" out="" dep="" compile=0 prev=""
for a in "$@"; do
	case "$prev" in
	-o) out=$a ;;
	-MF) dep=$a ;;
	esac
	case "$a" in
	-c) compile=1 ;;
	-Wp,-MMD,*|-Wp,-MD,*) dep=${a#-Wp,-M*D,} ;;
	*.c) src=$a ;;
	esac
	prev=$a
done
if [ "$compile" = 1 ] && [ -n "$src" ] && [ -n "$out" ] && [ -n "${KCUT_CORPUS_FAKE:-}" ]; then
	IFS='|' read -r -a frags <<<"$KCUT_CORPUS_FAKE"
	for f in "${frags[@]}"; do
		case "$src" in
		*"$f"*)
			[ -n "$dep" ] && printf '%s: %s\n' "$out" "$src" >"$dep"
			exec "$real" -c -x c /dev/null -o "$out"
			;;
		esac
	done
fi
exec "$real" "$@"
