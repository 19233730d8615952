#!/bin/sh
# run-tests.sh: runs the unit-test binaries given before "--" and the check
# scripts given after it, and prints one closing line:
#   check: N passed, N failed, N skipped
# A program exiting 77 counts as skipped (it prints why); any other non-zero
# exit is a failure. Each program's output is shown as it runs.
set -u
passed=0; failed=0; skipped=0; failures=""

run_one() {
    name=$1; shift
    printf '=== %s\n' "$name"
    "$@"
    rc=$?
    case $rc in
    0) passed=$((passed + 1)) ;;
    77) skipped=$((skipped + 1)); printf '=== %s: SKIPPED\n' "$name" ;;
    *) failed=$((failed + 1)); failures="$failures $name"; printf '=== %s: FAILED (exit %d)\n' "$name" "$rc" ;;
    esac
}

mode=unit
for arg in "$@"; do
    if [ "$arg" = "--" ]; then mode=script; continue; fi
    if [ "$mode" = unit ]; then
        run_one "$(basename "$arg")" "$arg"
    else
        run_one "$(basename "$arg")" sh "$arg"
    fi
done
[ -n "$failures" ] && printf 'failed:%s\n' "$failures"
printf 'check: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
