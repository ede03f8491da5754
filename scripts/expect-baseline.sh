#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-baseline.sh PARSED: on the pre-capability base the kselftests
# must fail in exactly the cases tests/pre-cap-failures.txt names (those
# the series changes), skip in those it names after "skip: ", and pass in
# all others.  PARSED is kunit.py parse's output for that run.  Prints KTAP.
. "$(dirname "$0")/lib.sh"
parsed=${1:?usage: expect-baseline.sh KSELFTEST_PARSED}
list=$PROJECT_DIR/tests/pre-cap-failures.txt
mapfile -t changed < <(grep -v -e '^#' -e '^$' -e '^skip: ' "$list")
mapfile -t skipped < <(sed -n 's/^skip: //p' "$list")

# matches NAME PATTERN...: whether NAME contains one of the PATTERNs.
matches() {
	local name=$1 pattern
	shift
	for pattern in "$@"; do
		[[ $name != *"$pattern"* ]] || return 0
	done
	return 1
}

# Leaf results are the lines with no "=" decoration around them.
while read -r status name; do
	if matches "$name" "${skipped[@]}"; then
		want=SKIPPED
	elif matches "$name" "${changed[@]}"; then
		want=FAILED
	else
		want=PASSED
	fi
	if [ "$status" = "[$want]" ]; then
		ktap_result "pre-cap base: ${want,,} as expected: $name" 0
	else
		ktap_result "pre-cap base: expected ${want,,}, got ${status//[\[\]]/}: $name" 1
	fi
done < <(sed -n 's/^\(\[[0-9:]*\] \)\?\(\[[A-Z]*\]\) /\2 /p' "$parsed")
ktap_print
