#!/bin/sh
# runner_selftest.sh PYTHON RUN_CASE KCUT WORKDIR: a case with a deliberately wrong expectation must
# fail, and the same case with the right one must pass (the runner's check can fail).
set -u
py=$1; runner=$2; kcut=$3; work=$4
rm -rf "$work"; mkdir -p "$work"
cat > "$work/wrong.c" <<'XEOF'
void callee(void);
void caller(void)
{
	callee();
}
/*
 * check-name: deliberately wrong
 * check-query: SELECT caller, callee FROM v_calls
 * check-expect
 * caller|somebody_else
 * check-expect-end
 */
XEOF
sed 's/somebody_else/callee/' "$work/wrong.c" > "$work/right.c"
if "$py" "$runner" --kcut "$kcut" --workdir "$work/w" "$work/wrong.c"; then
	echo "FAIL: the runner accepted a wrong expectation"; exit 1
fi
if ! "$py" "$runner" --kcut "$kcut" --workdir "$work/w" "$work/right.c"; then
	echo "FAIL: the runner rejected a right expectation"; exit 1
fi
echo "runner self-test: 2 passed, 0 failed"
