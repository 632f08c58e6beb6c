# scripts/lib/steps.sh - shared by linux-prepare.sh and linux-corpus.sh (source it, do not run it).
#
# Resumable steps in a cache directory: a lock so that two runs do not build into the same tree, timed
# step messages, and stamps (a step is current when its stamp file holds the same key).
# The caller sets: steps_tag (message prefix), cache (cache dir), force (1 = ignore stamps).

# steps_lock: take $cache/.lock on fd 9 for the rest of the run, waiting for another run if needed.
steps_lock() {
	mkdir -p "$cache/stamps"
	exec 9>"$cache/.lock"
	if ! flock -n 9; then
		echo "$steps_tag: another run holds $cache/.lock; waiting" >&2
		flock 9
	fi
}

step_t0=0
step_begin() {
	step_t0=$(date +%s.%N)
	echo "$steps_tag: $*"
}
step_end() {
	printf '%s:   done in %.1f s\n' "$steps_tag" "$(echo "$(date +%s.%N) - $step_t0" | bc)"
}

# A stamp holds a key; the step is current when the stamp exists with the same key.
stamp_ok() {
	[ "$force" = 0 ] && [ -f "$cache/stamps/$1" ] && [ "$(cat "$cache/stamps/$1")" = "$2" ]
}
stamp_set() { printf '%s\n' "$2" >"$cache/stamps/$1.tmp" && mv -f "$cache/stamps/$1.tmp" "$cache/stamps/$1"; }
stamp_clear() { rm -f "$cache/stamps/$1"; }
