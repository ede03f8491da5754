#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-baseline.sh PARSED: on the pre-capability base the kselftests
# must fail in exactly the cases tests/pre-cap-failures.txt names (those
# the series changes) and pass in all others.  PARSED is kunit.py parse's
# output for that run.  Prints KTAP.
set -euo pipefail
parsed=${1:?usage: expect-baseline.sh KSELFTEST_PARSED}
mapfile -t changed < <(grep -v -e '^#' -e '^$' "$(dirname "$0")/../tests/pre-cap-failures.txt")

needs_cap() {
	local pattern
	for pattern in "${changed[@]}"; do
		[[ $1 != *"$pattern"* ]] || return 0
	done
	return 1
}

n=0 failed=0 out=()
# Leaf results are the lines with no "=" decoration around them.
while read -r status name; do
	n=$((n + 1))
	if needs_cap "$name"; then want=FAILED; else want=PASSED; fi
	if [ "$status" = "[$want]" ]; then
		out+=("ok $n pre-cap base: ${want,,} as expected: $name")
	else
		out+=("not ok $n pre-cap base: expected ${want,,}, got ${status//[\[\]]/}: $name")
		failed=$((failed + 1))
	fi
done < <(sed -n 's/^\(\[[0-9:]*\] \)\?\(\[[A-Z]*\]\) /\2 /p' "$parsed")

echo "KTAP version 1"
echo "1..$n"
[ ${#out[@]} = 0 ] || printf '%s\n' "${out[@]}"
[ $n -gt 0 ] && [ $failed = 0 ]
