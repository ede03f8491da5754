#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kunit-config.sh TREE CONFIG: the kernel crate's doctests (KUnit) on a
# kernel configured otherwise than the test kernel, by
# kconfig/kunit/CONFIG.config: no-user-ns (create_user_ns() only fails)
# or no-multiuser (every task is root).  The kernel's own kunit.py
# configures, builds and boots it (x86_64 under QEMU, as
# Documentation/rust/testing.rst runs the doctests); prints its KTAP.
#
# The kunitconfig kunit.py gets is the test kernel's config (build.sh's)
# with CONFIG's lines, as olddefconfig settles them, and the fragment
# itself, which kunit.py then checks the result against: the two kernels
# differ in what CONFIG changes and nothing else.  The first time, the
# build starts from a copy of the test kernel's build directory: kbuild
# records the options each object depends on, so make rebuilds only what
# the changed options reach, not the whole kernel.
. "$(dirname "$0")/lib.sh"

tree=${1:-} config=${2:-}
configs=$(cd "$PROJECT_DIR/kconfig/kunit" && ls -- *.config | sed 's/\.config$//' | paste -sd' ')
[ -f "$tree/tools/testing/kunit/kunit.py" ] ||
	die "no kernel tree at '$tree': give a tree made by scripts/apply.sh (usage: $0 TREE CONFIG)"
kunitconfig=$PROJECT_DIR/kconfig/kunit/$config.config
[ -n "$config" ] && [ -f "$kunitconfig" ] ||
	die "no KUnit config '$config' in kconfig/kunit: give one of: $configs"
kernel=$(build_dir "$tree")/kernel
[ -f "$kernel/.config" ] ||
	die "no test kernel config at $kernel/.config: build the tree's test kernel first (scripts/build.sh)"

take_lock
need "${KMAKE_NEEDS[@]}" qemu-system-x86_64:qemu-system-x86

options=()
for o in "${KMAKE_OPTIONS[@]}"; do options+=(--make_options "$o"); done
out=$(build_dir "$tree")/kunit-$config
stage_begin "kunit $config"
if [ ! -f "$out/.config" ]; then
	rm -rf "$out" "$out.tmp"
	cp -a "$kernel" "$out.tmp"
	mv "$out.tmp" "$out"
fi
settled=$out.settled
rm -rf "$settled"
mkdir -p "$settled"
cat "$kernel/.config" "$kunitconfig" >"$settled/.config"
kmake "$tree" "$settled" olddefconfig >/dev/null ||
	die "make olddefconfig failed on the test kernel's config with kconfig/kunit/$config.config"
# --raw_output: the KTAP as the kernel printed it, for kunit.py parse and
# the summary, like the test kernel's.
in_build_dir "$out" env "${KMAKE_CCACHE[@]}" \
	python3 "$tree/tools/testing/kunit/kunit.py" run --arch=x86_64 \
	--build_dir="$out" --kunitconfig="$settled/.config" --kunitconfig="$kunitconfig" \
	"${options[@]}" --jobs="$(nproc)" --timeout="${VM_TIMEOUT:-600}" --raw_output=kunit ||
	log "kunit.py run failed for kconfig/kunit/$config.config (the KTAP above says which case; an empty one, the build or the boot)"
stage_end
