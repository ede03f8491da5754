#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm.sh KERNEL [MODE]: boot the test kernel built by build.sh in a
# virtme-ng VM and run, as MODE says, the kselftests (tests, the default),
# the PID selection benchmark (bench) or CRIU (criu, on a root of its
# own).  What they printed and the console log are kept in
# $CACHE_DIR/results/<version>/KERNEL, its criu/ for CRIU, or KERNEL-bench
# for the benchmark, so that it leaves the test results alone.
# Every boot is bounded in time.
#
# VM_ACCEL=auto (default) tries KVM and falls back to TCG when KVM does not
# boot in time (a nested KVM guest can hang at "Decompressing Linux...");
# VM_ACCEL=kvm or tcg forces one.  VM_TIMEOUT bounds the run (s).
# ARCH=arm64: qemu-system-aarch64 under TCG, on an arm64 Debian 13 root
# (criu-root.sh arm64).  RERUN=0: the kselftests once, not twice.
. "$(dirname "$0")/lib.sh"
kernel_paths "${1:-}"
need vng:deps busybox:busybox-static timeout:coreutils depmod:kmod
case $karch in
x86_64) need qemu-system-x86_64:qemu-system-x86 ;;
arm64) need qemu-system-aarch64:qemu-system-arm ;;
esac

mode=${2:-tests}
case ${RERUN:-1} in
0 | 1) ;;
*) die "RERUN='$RERUN': use 1 (the default: the kselftests twice in the boot) or 0 (once)" ;;
esac
image=$(kernel_image "$out/kernel")
VM_ACCEL=${VM_ACCEL:-auto}
vng_root=() vng_extra=()
share=
# Where the guest finds the kselftests, and the results directory of the
# mode (set below) with guest-run.sh: on the host's root, which the VM
# shares, for the x86_64 kernels built here.  Debian's kernels and arm64
# kernels boot a root of their own (own_root: distro-root.sh,
# criu-root.sh arm64), which gets the series' kselftests read-only and the
# results directory, with a copy of the script, as guest_dir.
guest_kselftest=$out/kselftest guest_dir='' own_root=''
if [ -n "$distro" ] || [ "$karch" != x86_64 ]; then
	own_root=1 guest_kselftest=/run/kselftest guest_dir=/run/capcr
	vng_extra=(--rodir "$guest_kselftest=$out/kselftest")
fi
if [ "$karch" != x86_64 ]; then
	# A foreign architecture has no KVM here.
	[ "$VM_ACCEL" != kvm ] || die "VM_ACCEL=kvm with ARCH=$karch: KVM runs the host's architecture only; use tcg or auto"
	VM_ACCEL=tcg
	vng_extra+=(--arch "$karch")
	# Its modules (build.sh installed them): the root has an empty
	# /usr/lib/modules to mount them on.
	[ ! -d "$out/modules/lib/modules" ] || vng_extra+=(--rodir "/usr/lib/modules=$out/modules/lib/modules")
fi

VM_TIMEOUT=${VM_TIMEOUT:-900}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-30}
case $mode in
tests)
	what=kselftests
	need=$out/kselftest/run_kselftest.sh
	missing="no kselftests in $out/kselftest: run scripts/build.sh $kernel first"
	# Then the collection again in the same boot, its SELinux test first
	# (guest-run.sh): about as long again, within VM_TIMEOUT; RERUN=0
	# leaves it out.
	guest="RERUN=${RERUN:-1} sh ${guest_dir:-$PROJECT_DIR/scripts}/guest-run.sh ${guest_dir:-$results} $guest_kselftest $SELFTEST:selinux $KSELFTEST_SELECTION"
	finished=kselftest.rc
	;;
bench)
	results=$bench_results
	what=benchmark
	need=$out/kselftest/$SELFTEST/pid_select_bench
	missing="no benchmark at $need: the $kernel patches lack it, or scripts/build.sh $kernel has not run"
	# BENCH_ARGS: the benchmark's options, such as --cycle-limit.
	guest="$guest_kselftest/$SELFTEST/pid_select_bench ${BENCH_ARGS:-} >${guest_dir:-$results}/bench.txt 2>&1; echo \$? >${guest_dir:-$results}/bench.rc"
	finished=bench.rc
	;;
criu)
	# The real client, CRIU, on a Debian 13 root of its own (criu-root.sh):
	# the test's files go in with its results, the one directory the VM
	# shares read-write.
	results=$results/criu
	what="CRIU test"
	need=$PROJECT_DIR/tests/criu/criu-guest.sh
	missing="no CRIU test at $need"
	# The root has no $results: the guest sees it as /run/capcr.
	share=/run/capcr=$results
	guest="bash /run/capcr/criu-guest.sh /run/capcr"
	finished=criu.rc
	;;
*) die "MODE=$mode: use tests, bench or criu" ;;
esac
[ -z "$own_root" ] || share=$guest_dir=$results
[ -x "$need" ] || die "$missing"
if [ -n "$distro" ]; then
	# Debian's kernel, with its modules, in a root that also has CRIU.
	# Debian enables AppArmor, not SELinux, unless told to.
	stage_begin distro-root
	read -r root image package version < <("$PROJECT_DIR/scripts/distro-root.sh" "$kernel") ||
		die "no root for $kernel (distro-root.sh failed)"
	vng_root=(--root "$root") vng_extra+=(--append security=selinux)
	stage_end
else
	[ -f "$image" ] || die "no kernel image at $image: run scripts/build.sh $kernel first"
	if [ "$mode" = criu ] || [ -n "$own_root" ]; then
		stage_begin criu-root
		root=$("$PROJECT_DIR/scripts/criu-root.sh" "$(debian_arch "$karch")") ||
			die "no root for the $karch guest (criu-root.sh failed)"
		vng_root=(--root "$root")
		stage_end
	fi
fi

# vng_run ACCEL LIMIT LOG COMMAND: boots the kernel, runs COMMAND, and
# returns vng's exit code; timeout's 124 (or 137) when the limit hit.
vng_run() {
	local accel=$1 limit=$2 log=$3 cmd=$4 flags=()
	[ "$accel" = kvm ] || flags+=(--disable-kvm)
	# The VM shares the host's root read-only; only $results is writable.
	# root=/dev/root names the 9p tag virtme-ng exports: without it only
	# a kernel with CONFIG_BLOCK falls back to that name.  O= names the
	# build directory rather than its image: virtme-ng then gives the
	# guest the kernel's modules (depmod into the directory's
	# .virtme_mods), which it cannot find for an image alone.
	local boot=(O="$out/kernel")
	# Debian's kernel is an image with its modules in the guest's root.
	# It patches its code at run time (jump labels: int3, then the new
	# instruction, text_poke_bp), which QEMU's multi-threaded TCG does not
	# always see at once on the other vCPU: the Debian 6.12 kernel died of
	# an "Oops: int3" in __schedule as CRIU loaded the *_diag modules.
	# One host thread for both vCPUs keeps them coherent; the kernels
	# built here have no jump labels.
	if [ -n "$distro" ]; then
		boot=(--run "$image")
		[ "$accel" = kvm ] || flags+=(--qemu-opts="-accel tcg,thread=single")
	fi
	timeout --kill-after=10 "$limit" vng "${boot[@]}" "${flags[@]}" "${vng_root[@]}" "${vng_extra[@]}" \
		--memory 1G --cpus 2 --verbose --rwdir="${share:-$results}" --append root=/dev/root \
		--exec "$cmd" </dev/null >"$log" 2>&1 &
	vm=$!
	local rc=0
	wait "$vm" || rc=$?
	vm=
	return $rc
}

# timeout runs the VM in a process group of its own, which a Ctrl-C at the
# terminal does not reach: stop it here, or it would run on, and hold the
# cache's lock, until its time is up.
vm=
stop_vm() {
	[ -n "$vm" ] || return 0
	log "interrupted: stopping the VM"
	{ kill -TERM "$vm" 2>/dev/null; wait "$vm"; } || true
}
trap 'stop_vm; trap - INT; kill -INT $$' INT
trap 'stop_vm; trap - TERM; kill -TERM $$' TERM

accel_works() {
	local rc=0
	[ -w /dev/kvm ] || return 1
	vng_run kvm "$PROBE_TIMEOUT" "$results/kvm-probe.log" true || rc=$?
	[ $rc = 0 ]
}

stage_begin boot
rm -rf "$results"
mkdir -p "$results"
case $VM_ACCEL in
auto)
	# CRIU's boot follows the kselftests' boot of the same kernel: what its
	# probe found holds, and a hung probe costs PROBE_TIMEOUT.
	if [ "$mode" = criu ] && [ -f "${results%/criu}/accel" ]; then
		accel=$(cat "${results%/criu}/accel")
		log "VM: $accel, as for this kernel's kselftests"
	else
		if accel_works; then accel=kvm; else accel=tcg; fi
		log "VM: KVM $( [ $accel = kvm ] && echo works || echo 'does not boot here (no /dev/kvm, or it hung): using TCG')"
	fi
	;;
kvm | tcg) accel=$VM_ACCEL ;;
*) die "VM_ACCEL=$VM_ACCEL: use auto, kvm or tcg" ;;
esac
echo "$accel" >"$results/accel"
[ -z "$distro" ] || echo "$package $version" >"$results/package"
[ -z "$own_root" ] || [ "$mode" != tests ] || cp "$PROJECT_DIR/scripts/guest-run.sh" "$results/"
if [ "$mode" = criu ]; then
	cp "$PROJECT_DIR"/tests/criu/* "$results/"
	{
		echo "guest root: $root (Debian 13, mmdebstrap)"
		echo "criu: $(awk '$1 == "criu" { print $2 }' "$root.packages" 2>/dev/null)"
		echo "packages: $root.packages"
	} >"$results/root.txt"
fi
stage_end

stage_begin "$mode"
rc=0
vng_run "$accel" "$VM_TIMEOUT" "$results/console.log" "$guest" || rc=$?
stage_end
# A panic ends the run here; other reports (BUG, Oops, KASAN, ...) leave
# results to report, and splats.sh counts them there.
panic=$(grep -m1 -n -e 'Kernel panic' "$results/console.log" || true)
if [ -n "$panic" ]; then
	tail -n 60 "$results/console.log" >&2
	die "the $kernel kernel crashed in the VM (console.log line $panic); the end of $results/console.log, with the kernel's report, is above"
fi
case $rc in
124 | 137)
	tail -n 40 "$results/console.log" >&2
	die "the VM did not finish within VM_TIMEOUT=${VM_TIMEOUT}s ($accel) and was stopped; the end of $results/console.log is above: it shows where it hung (raise VM_TIMEOUT if the tests were only slow)"
	;;
esac
if [ ! -f "$results/$finished" ]; then
	tail -n 40 "$results/console.log" >&2
	die "the VM exited ($rc) before the $what finished; the end of $results/console.log is above"
fi
