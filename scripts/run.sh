#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh KERNEL: the main job.  Install what is missing, prepare the base,
# apply the patches for KERNEL (series, pre-cap or stock; see apply.sh),
# build the test kernel and kselftests, boot it, run them and report.
# KERNEL debian-6.1 or debian-6.12 boots Debian's own kernel of that
# version instead (distro-root.sh), with the series' kselftests; KERNEL
# tree (make run TREE=/path/to/linux) the user's own git tree, with what it
# needs of the series (apply-tree.sh).
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
if [ "$kernel" = tree ]; then
	"$here/apply-tree.sh" >/dev/null
	"$here/build.sh" "$kernel"
elif [ -n "$distro" ]; then
	# Debian's kernel runs the series' kselftests: the series tree builds
	# them (and its kernel, which stays unused here).
	"$here/apply.sh" series >/dev/null
	"$here/build.sh" series
else
	"$here/apply.sh" "$kernel" >/dev/null
	"$here/build.sh" "$kernel"
fi
"$here/vm.sh" "$kernel"
# A CRIU run that stops early still leaves the kselftests to report; the
# report counts its missing results as a failure.
"$here/vm.sh" "$kernel" criu || true
rc=0
"$here/report.sh" "$kernel" | tee "$results/report.txt" || rc=$?
exit $rc
