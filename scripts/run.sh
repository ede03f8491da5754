#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh KERNEL: the main job.  Install what is missing, prepare the base,
# apply the patches for KERNEL (series, pre-cap or stock; see apply.sh),
# build the test kernel and kselftests, boot it, run them and report.
# The report ends with "N passed, N failed, N skipped"; the exit code is
# non-zero when any test failed.
. "$(dirname "$0")/lib.sh"

kernel=${1:-series}
check_kernel "$kernel"
check_debug
take_lock

STAGE_LOG=$(mktemp)
export STAGE_LOG
trap 'rm -f "$STAGE_LOG"' EXIT
here=$(dirname "$0")
"$here/deps.sh"
"$here/base.sh"
kernel_paths "$kernel"
# Results of an earlier run must not pass for this one's if it stops early.
rm -rf "$results"
"$here/apply.sh" "$kernel" >/dev/null
"$here/build.sh" "$kernel"
"$here/vm.sh" "$kernel"
# A CRIU run that stops early still leaves the kselftests to report; the
# report counts its missing results as a failure.
"$here/vm.sh" "$kernel" criu || true
rc=0
"$here/report.sh" "$kernel" | tee "$results/report.txt" || rc=$?
exit $rc
