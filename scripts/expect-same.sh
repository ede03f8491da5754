#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-same.sh SERIES_PARSED STOCK_PARSED: Debian's stock tree, which has
# upstream's implementation of the capability, must give every case the
# result the series gives it.  Both files are kunit.py parse's output.
# Cases are matched by their exact name (the kselftests' names carry no
# PIDs or ids: what a case got is in its "# want: ...; got: ..." line),
# and compared by status; a case that only one run has is a difference.
# Prints KTAP.
. "$(dirname "$0")/lib.sh"
usage="usage: expect-same.sh SERIES_PARSED STOCK_PARSED"
series=${1:?$usage}
stock=${2:?$usage}

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
		ktap_result "stock tree: missing: $name" 1 "series: $w
stock:  no case of that name in $stock"
	elif [ "${stock_status[$name]}" = "$status" ]; then
		ktap_result "stock tree: same as the series: $name ($status)" 0
	else
		ktap_result "stock tree: differs from the series: $name" 1 "series: $w
stock:  ${stock_status[$name]} $name"
	fi
done
# What the stock run has and the series run has not, in its order.
while read -r status name; do
	[ -n "${in_series[$name]+set}" ] ||
		ktap_result "stock tree: a case the series did not run: $name" 1 "stock:  $status $name
series: no case of that name in $series"
done < <(cases "$stock")
ktap_print
