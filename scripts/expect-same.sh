#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-same.sh SERIES_PARSED STOCK_PARSED: Debian's stock tree, which has
# upstream's implementation of the capability, must give every kselftest
# case the result the series gives it.  Both files are kunit.py parse's
# output; numbers in case names (PIDs, ids) are masked, since they differ
# from run to run.  Prints KTAP.
. "$(dirname "$0")/lib.sh"
series=${1:?usage: expect-same.sh SERIES_PARSED STOCK_PARSED}
stock=${2:?usage: expect-same.sh SERIES_PARSED STOCK_PARSED}

mapfile -t want < <(kunit_leaves "$series")
mapfile -t got < <(kunit_leaves "$stock")
[ ${#want[@]} -gt 0 ] || { ktap_result "series results in $series" 1 "no test results"; ktap_print; exit; }

for ((i = 0; i < ${#want[@]} || i < ${#got[@]}; i++)); do
	w=${want[i]:-MISSING (none)} g=${got[i]:-MISSING (none)}
	if [ "$(sed 's/[0-9][0-9]*/N/g' <<<"$w")" = "$(sed 's/[0-9][0-9]*/N/g' <<<"$g")" ]; then
		ktap_result "stock tree: same as the series: ${w#* } (${w%% *})" 0
	else
		ktap_result "stock tree: differs from the series: ${w#* }" 1 "series: $w
stock:  $g"
	fi
done
ktap_print
