#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cross-build.sh TREE: the cap_checkpoint_restore kselftests of the kernel
# tree TREE built as kselftests are, with the kernel's selftest make, for
# architectures other than the host's: aarch64 and riscv64, chosen by
# ARCH and CROSS_COMPILE alone.  Every program the Makefile declares must
# be installed, an ELF for that machine.  Then once without rustc
# (RUSTC=/nonexistent), beside clone3: clone3 still builds and installs,
# and run_kselftest.sh's list runs the script this target installs in
# place of its tests, which must print a "1..0 # SKIP" plan and exit 4.
#
# The builds run one after the other (make -j2) in a Debian 13 root
# (cross-root.sh: riscv64 is not a bookworm architecture), chrooted in a
# mount and network namespace of their own, on a copy of what the
# selftest make reads of TREE; TREE is only read.  No lock is taken: the
# root is built in a temporary directory and moved into place last.
# Prints KTAP; a target whose Rust standard library the root lacks is
# skipped, saying why.
#
# cross-build.sh --check-elf NAME FILE...: only the check that each FILE
# is an ELF for NAME (aarch64, riscv64, x86_64).
. "$(dirname "$0")/lib.sh"

# What the selftest make reads outside its own directory (strace of a
# build): the headers install's architecture names, the SELinux class map
# selinux.rs includes; and what lib.mk offers the compiler: the UAPI
# headers in tools/include and, after 'make headers', usr/include (else
# the target's C library has them, from trixie's Linux 6.12), and the
# tree's UAPI sources, for a header the series adds that neither has.
TREE_PARTS=(tools/testing/selftests scripts/subarch.include security/selinux/include
	tools/include usr/include include/uapi)

# elf_machine NAME: readelf's name for NAME's machine.
elf_machine() {
	case $1 in
	aarch64) echo AArch64 ;;
	riscv64) echo RISC-V ;;
	x86_64) echo "Advanced Micro Devices X86-64" ;;
	*) return 1 ;;
	esac
}

# check_elf NAME FILE...: each FILE is an ELF executable for NAME; says
# which are not, and what they are.
check_elf() {
	local name=$1 want f got bad=0
	want=$(elf_machine "$name") || die "--check-elf: unknown machine '$name': use aarch64, riscv64 or x86_64"
	shift
	for f in "$@"; do
		if [ ! -f "$f" ]; then
			echo "$f: not installed"
			bad=1
		elif ! got=$(LC_ALL=C readelf -h "$f" 2>/dev/null | sed -n 's/^ *Machine: *//p') || [ -z "$got" ]; then
			echo "$f: not an ELF file"
			bad=1
		elif [ "$got" != "$want" ]; then
			echo "$f: an ELF for $got, not $want ($name)"
			bad=1
		fi
	done
	return $bad
}

if [ "${1:-}" = --check-elf ]; then
	[ $# -ge 3 ] || die "usage: cross-build.sh --check-elf NAME FILE..."
	shift
	check_elf "$@"
	exit
fi

[ $# = 1 ] || die "usage: scripts/cross-build.sh TREE: builds the $SELFTEST kselftests of the kernel tree TREE for ${CROSS_TARGETS[*]%%:*} (make test gives it the series tree, $CACHE_DIR/trees/<version>/series)"
tree=$1
[ -d "$tree" ] || die "TREE $tree: no such directory"
for f in Makefile scripts/subarch.include tools/testing/selftests/Makefile tools/testing/selftests/lib.mk; do
	[ -f "$tree/$f" ] || die "$tree is not a kernel tree: it has no $f"
done
[ -f "$tree/tools/testing/selftests/$SELFTEST/Makefile" ] ||
	die "$tree has no tools/testing/selftests/$SELFTEST/Makefile: a kernel tree without the series (scripts/apply.sh series makes one)"
[ "$(id -u)" = 0 ] || die "cross-build.sh builds in a Debian 13 root (mmdebstrap, chroot): run it as root"
need unshare:util-linux chroot:coreutils readelf:binutils
here=$(dirname "$0")

work=
cleanup() { [ -z "$work" ] || rm -rf --one-file-system "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d)

# The root: CROSS_ROOT names one made before (it is not checked), else
# cross-root.sh makes or finds it.
mapfile -t pairs < <(cross_root_pairs)
rc=0
if [ -n "${CROSS_ROOT:-}" ]; then
	root=$CROSS_ROOT
else
	# Its progress is shown as it goes, and kept for the diagnostics.
	if ! { "$here/cross-root.sh" "${pairs[@]}" >"$work/root.path"; } 2>&1 | tee "$work/root.log" >&2; then
		rc=1
	fi
	root=$(cat "$work/root.path")
fi
if [ $rc != 0 ]; then
	for t in "${CROSS_TARGETS[@]}"; do
		ktap_result "cross-build: ${t%%:*}: every test program builds" 1 \
			"not run: no root to build in; cross-root.sh failed:
$(tail -n 20 "$work/root.log")"
	done
	ktap_result "cross-build: without rustc: the other targets build and this one reports SKIP" 1 "not run: no root to build in"
	ktap_print
	exit 1
fi

# The parts of TREE the make reads, copied: TREE may change meanwhile.
for p in "${TREE_PARTS[@]}"; do
	[ -e "$tree/$p" ] || continue
	mkdir -p "$work/src/$(dirname "$p")"
	cp -a "$tree/$p" "$work/src/$p"
done
# The make's own list of a target's programs.
# shellcheck disable=SC2016 # make's variables
printf 'ksft-progs:\n\t@echo $(notdir $(TEST_GEN_PROGS) $(TEST_GEN_PROGS_EXTENDED))\n' >"$work/progs.mk"
selftests=/mnt/src/tools/testing/selftests

# in_root COMMAND...: COMMAND in the root (in_chroot), $work at /mnt.
in_root() { in_chroot "$root" "$work" "$@"; }
# versions PACKAGE...: "package version" of each, as the root has them.
versions() {
	local p
	for p in "$@"; do
		awk -v p="$p" '$1 == p || $1 == p ":amd64" || $1 == p ":all" { print p, $2; exit }' \
			"$root.packages" 2>/dev/null || true
	done | paste -sd, | sed 's/,/, /g'
}
# version_of COMMAND: the first line of COMMAND --version in the root.
version_of() { in_root "$1" --version 2>&1 | head -n 1 || true; }
rustc_version=$(version_of rustc)

# ---- each architecture, ARCH and CROSS_COMPILE only ----
for t in "${CROSS_TARGETS[@]}"; do
	IFS=: read -r name karch deb triple target <<<"$t"
	case="cross-build: $name: every test program builds"
	# A target without its standard library is skipped, and never passes.
	if ! compgen -G "$root/usr/lib/rustlib/$target/lib/libstd-*.rlib" >/dev/null; then
		why=$(sed -n "s/^$deb: //p" "$root.missing" 2>/dev/null | head -n 1 || true)
		ktap_result "$case # SKIP no Rust standard library for $target in the root${why:+: $why}" 0
		continue
	fi
	log "cross-build: $name (ARCH=$karch CROSS_COMPILE=$triple-)"
	diag="$rustc_version; $(versions rustc-web "libstd-rust-web-dev:$deb")
$(version_of "$triple-gcc"); $(versions "gcc-$triple" "libc6-dev-$deb-cross")"
	args=(ARCH="$karch" CROSS_COMPILE="$triple-")
	rc=0
	in_root make -C "$selftests" -j2 TARGETS="$SELFTEST" "${args[@]}" \
		O="/mnt/$name/build" INSTALL_PATH="/mnt/$name/install" install \
		>"$work/$name.log" 2>&1 || rc=$?
	progs=$(in_root make -s -C "$selftests/$SELFTEST" -f Makefile -f /mnt/progs.mk \
		"${args[@]}" ksft-progs 2>&1) || { rc=1; diag+=$'\n'"the Makefile's program list: $progs"; progs=; }
	if [ $rc = 0 ] && [ -z "$progs" ]; then
		rc=1 diag+=$'\n'"the Makefile declares no programs: was rustc found?"
	fi
	if [ $rc = 0 ]; then
		# shellcheck disable=SC2086 # one program a word
		out=$(cd "$work/$name/install/$SELFTEST" && check_elf "$name" $progs) || { rc=1; diag+=$'\n'"$out"; }
		[ $rc != 0 ] || diag+=$'\n'"$(wc -w <<<"$progs") programs, each an ELF for $(elf_machine "$name"): $progs"
	else
		diag+=$'\n'"make ${args[*]} install failed (exit $rc); the end of its output:
$(tail -n 30 "$work/$name.log")"
	fi
	ktap_result "$case" $rc "$diag"
done

# ---- without rustc: clone3 builds, this target installs its SKIP ----
case="cross-build: without rustc: the other targets build and this one reports SKIP"
log "cross-build: without rustc, with clone3"
inst=$work/norust/install
diag="native ($(version_of gcc)), RUSTC=/nonexistent"
rc=0
in_root make -C "$selftests" -j2 TARGETS="$SELFTEST clone3" RUSTC=/nonexistent \
	O=/mnt/norust/build INSTALL_PATH=/mnt/norust/install install >"$work/norust.log" 2>&1 || rc=$?
fail() { rc=1 diag+=$'\n'"$1"; }
if [ $rc != 0 ]; then
	fail "make install failed (exit $rc); the end of its output:
$(tail -n 30 "$work/norust.log")"
else
	clone3=$(in_root make -s -C "$selftests/clone3" -f Makefile -f /mnt/progs.mk ksft-progs 2>&1) ||
		fail "clone3's program list: $clone3"
	# shellcheck disable=SC2086 # one program a word
	out=$(cd "$inst/clone3" 2>/dev/null && check_elf x86_64 $clone3) ||
		fail "clone3 is not installed whole: ${out:-no $inst/clone3}; the end of make's output:
$(tail -n 30 "$work/norust.log")"
	list=$(cat "$inst/kselftest-list.txt" 2>/dev/null || true)
	mapfile -t ours < <(grep "^$SELFTEST:" <<<"$list" || true)
	[ "${ours[*]}" = "$SELFTEST:rustc_missing.sh" ] ||
		fail "run_kselftest.sh's list has ${ours[*]:-nothing} for $SELFTEST, not $SELFTEST:rustc_missing.sh alone"
	grep -q "^clone3:" <<<"$list" || fail "run_kselftest.sh's list has no clone3 test"
	# The script itself, then as the runner runs it.
	src=0
	out=$(in_root "/mnt/norust/install/$SELFTEST/rustc_missing.sh" 2>&1) || src=$?
	plan=$(grep -m 1 '^1\.\.0 # SKIP .' <<<"$out" || true)
	[ $src = 4 ] && [ -n "$plan" ] ||
		fail "rustc_missing.sh exited $src (not 4, KSFT_SKIP) or printed no '1..0 # SKIP <why>' plan: $out"
	said=$(grep -m 1 "^Makefile:[0-9]*: $SELFTEST" "$work/norust.log" | sed 's/^Makefile:[0-9]*: //' || true)
	diag+=$'\n'"make: ${said:-(said nothing)}"$'\n'"rustc_missing.sh: ${plan:-no plan} (exit $src)"
	out=$(in_root /mnt/norust/install/run_kselftest.sh -c "$SELFTEST" 2>&1) || true
	grep -q "^ok 1 selftests: $SELFTEST: rustc_missing.sh # SKIP" <<<"$out" ||
		fail "run_kselftest.sh -c $SELFTEST does not report it skipped: $out"
	diag+=$'\n'"clone3: $clone3, each an ELF for $(elf_machine x86_64)"
fi
ktap_result "$case" $rc "$diag"
ktap_print
