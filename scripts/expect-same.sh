#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-same.sh SERIES_PARSED OTHER_PARSED [LABEL [REF]]: another run of
# the same tests must give every case the result the series gives it:
# Debian's stock tree, which has upstream's implementation of the
# capability (LABEL "stock tree", REF "the series", the defaults), or the
# series kernel built for arm64 (make test: LABEL "arm64", REF "x86_64").
# Both files are kunit.py parse's output.
# Cases are matched by their exact name (the kselftests' names carry no
# PIDs or ids: what a case got is in its "# want: ...; got: ..." line),
# and compared by status; a case that only one run has is a difference.
# Prints KTAP.
. "$(dirname "$0")/lib.sh"
usage="usage: expect-same.sh SERIES_PARSED OTHER_PARSED [LABEL [REF]]"
series=${1:?$usage}
stock=${2:?$usage}
label=${3:-stock tree}
ref=${4:-the series}
# The diagnostics' column names, as wide as each other.
ref_col=$ref: other_col=$label:
while [ ${#ref_col} -lt ${#other_col} ]; do ref_col+=" "; done
while [ ${#other_col} -lt ${#ref_col} ]; do other_col+=" "; done

# cases PARSED: "STATUS NAME" lines in the order they ran; a name that
# comes again gets " (2)", " (3)", ..., so that each line is one case.
cases() {
	kunit_leaves "$1" | awk '{ name = $0; sub(/^[^ ]* /, "", name); n = ++seen[name]
		print $0 (n > 1 ? " (" n ")" : "") }'
}

declare -A stock_status
while read -r status name; do
	stock_status[$name]=$status
done < <(cases "$stock")
mapfile -t want < <(cases "$series")
[ ${#want[@]} -gt 0 ] || { ktap_result "series results in $series" 1 "no test results"; ktap_print; exit; }

declare -A in_series
for w in "${want[@]}"; do
	status=${w%% *} name=${w#* }
	in_series[$name]=1
	if [ -z "${stock_status[$name]+set}" ]; then
		ktap_result "$label: missing: $name" 1 "$ref_col $w
$other_col no case of that name in $stock"
	elif [ "${stock_status[$name]}" = "$status" ]; then
		ktap_result "$label: same as $ref: $name ($status)" 0
	else
		ktap_result "$label: differs from $ref: $name" 1 "$ref_col $w
$other_col ${stock_status[$name]} $name"
	fi
done
# What the other run has and the series run has not, in its order.
while read -r status name; do
	[ -n "${in_series[$name]+set}" ] ||
		ktap_result "$label: a case $ref did not run: $name" 1 "$other_col $status $name
$ref_col no case of that name in $series"
done < <(cases "$stock")
ktap_print
