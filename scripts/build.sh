#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KERNEL: configure and build the test kernel and the kselftests
# of one tree (see apply.sh), out of tree in the cache.
#
# The config is tinyconfig plus kconfig/*.config and kconfig/ARCH/*.config
# plus the selftest's own config fragment (plus kconfig/debug/ with
# DEBUG=1), everything else off: the VM needs little, and what is not
# built costs no time.
#
# ARCH=arm64: the kernel is built with LLVM for arm64, its modules
# installed into the build directory (vm.sh shares them with the guest),
# and the kselftests built for aarch64 in the Debian 13 root that
# cross-build.sh uses (cross-root.sh), as ARCH and CROSS_COMPILE ask.
. "$(dirname "$0")/lib.sh"
need "${KMAKE_NEEDS[@]}" rsync:rsync

kernel_paths "${1:-}"
[ -z "$distro" ] || die "KERNEL=$kernel is Debian's own kernel: nothing to build; scripts/run.sh $kernel boots it"
[ -d "$tree" ] || die "no $kernel tree at $tree: run scripts/apply.sh $kernel first"
mkdir -p "$out"

# tinyconfig's own fragments are wishes (some options are 32-bit only);
# ours and the selftest's must hold.
tiny=("$tree/kernel/configs/tiny-base.config" "$tree/kernel/configs/tiny.config")
[ "$karch" != x86_64 ] || tiny+=("$tree/arch/x86/configs/tiny.config")
ours=("$PROJECT_DIR"/kconfig/*.config "$PROJECT_DIR/kconfig/$karch"/*.config)
[ "${DEBUG:-0}" = 0 ] || ours+=("$PROJECT_DIR"/kconfig/debug/*.config)
selftest_config=$tree/tools/testing/selftests/$SELFTEST/config
[ ! -f "$selftest_config" ] || ours+=("$selftest_config")
fragments=("${tiny[@]}" "${ours[@]}")

stage_begin configure
mkdir -p "$out/kernel"
cat "${fragments[@]}" >"$out/fragments.new"
if ! cmp -s "$out/fragments.new" "$out/fragments" || [ ! -f "$out/kernel/.config" ]; then
	# allnoconfig with the fragments as KCONFIG_ALLCONFIG: what they do not
	# ask for stays off, unlike olddefconfig which takes every default.
	# Kconfig warns of every option two fragments both set: only say so
	# when configuring fails.
	kmake "$tree" "$out/kernel" -s KCONFIG_ALLCONFIG="$out/fragments.new" allnoconfig \
		>"$out/config.log" 2>&1 || { cat "$out/config.log" >&2; die "configuring the $kernel kernel failed"; }
	missing=$(grep -h '^CONFIG_' "${ours[@]}" |
		sort -u | while read -r line; do
		grep -qxF "$line" "$out/kernel/.config" || echo "$line"
	done)
	[ -z "$missing" ] || die "the kernel config did not take these options (a dependency is off, or the option is not in this tree): $(echo $missing)"
	mv "$out/fragments.new" "$out/fragments"
else
	rm "$out/fragments.new"
fi
stage_end

stage_begin build
# shellcheck disable=SC2046 # kernel_targets prints make targets, one a word
if ! kmake "$tree" "$out/kernel" $(kernel_targets "$out/kernel/.config") >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "the $kernel kernel failed to build; the end of $out/build.log is above"
fi
# The guest of a foreign architecture boots a root of its own, without the
# kernel's modules: they are installed here, and vm.sh shares them.
rm -rf "$out/modules"
if [ "$karch" != x86_64 ] && grep -q '^CONFIG_MODULES=y' "$out/kernel/.config"; then
	kmake "$tree" "$out/kernel" -s INSTALL_MOD_PATH="$out/modules" modules_install \
		>>"$out/build.log" 2>&1 || die "make modules_install of the $kernel kernel failed (see $out/build.log)"
fi
stage_end

stage_begin selftests
rm -rf "$out/kselftest"
selftest_make=(kselftest_make "$tree" "$out" INSTALL_PATH="$out/kselftest")
if [ "$karch" != x86_64 ]; then
	# In the cross root, where the tree is /mnt, with its rustc and the
	# architecture's C and Rust libraries (its CROSS_TARGETS row).  The
	# build directory is in the tree.
	need unshare:util-linux chroot:coreutils
	mapfile -t pairs < <(cross_root_pairs)
	cross=$("$PROJECT_DIR/scripts/cross-root.sh" "${pairs[@]}") || die "no root to build the $karch kselftests in (cross-root.sh failed)"
	[ "${out#"$tree"/}" != "$out" ] || die "the build directory $out is not in the tree $tree"
	selftest_make=(in_chroot "$cross" "$tree" make -C /mnt/tools/testing/selftests
		O="/mnt/${out#"$tree"/}/kselftest-build" INSTALL_PATH="/mnt/${out#"$tree"/}/kselftest"
		ARCH="$karch" CROSS_COMPILE="$(cross_field "$karch" 4)-")
fi
if ! "${selftest_make[@]}" TARGETS="$KSELFTEST_TARGETS" install >"$out/selftests.log" 2>&1; then
	tail -n 40 "$out/selftests.log" >&2
	die "the kselftests failed to build in the $kernel tree; the end of $out/selftests.log is above"
fi
# The selftests' install goes on past a target that failed to build, and
# leaves it out.
for t in $KSELFTEST_TARGETS; do
	[ -d "$out/kselftest/$t" ] || {
		grep -B2 -A8 -m1 -E 'error|Error' "$out/selftests.log" >&2 || true
		die "the $t kselftests did not build in the $kernel tree (see $out/selftests.log; its first error is above)"
	}
done
stage_end
