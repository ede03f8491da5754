#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh KERNEL: boot the test kernel that 'make run' built and run the
# PID selection benchmark of the selftests in it; print the host, the VM
# accelerator and the benchmark's figures.  A benchmark has no pass or
# fail: the exit code is non-zero only when it could not run.
. "$(dirname "$0")/lib.sh"

kernel_paths "${1:-}"
take_lock
# Other work on the host slows the VM down, and TCG all the more.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$(dirname "$0")/vm.sh" "$kernel" bench
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
rc=$(cat "$bench_results/bench.rc")
if [ "$rc" != 0 ]; then
	cat "$bench_results/bench.txt" >&2
	die "the benchmark failed in the VM (exit $rc); what it printed is above"
fi
echo
echo "== PID selection benchmark, $kernel kernel ($karch)"
echo "host: $(nproc) CPUs,$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2)"
echo "host load average (1, 5, 15 min): $load_before before, $load_after after"
echo "VM accelerator: $(cat "$bench_results/accel")"
cat "$bench_results/bench.txt"
