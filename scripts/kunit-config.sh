#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kunit-config.sh TREE CONFIG: the kernel crate's doctests (KUnit) on a
# kernel configured otherwise than the test kernel, by
# kconfig/kunit/CONFIG.config: no-user-ns (create_user_ns() only fails)
# or no-multiuser (every task is root).  The kernel's own kunit.py
# configures, builds and runs it; prints its KTAP, and exits non-zero
# when a case failed or nothing ran.
#
# The kernel is User Mode Linux, kunit.py's own default and one of Rust's
# architectures (Documentation/rust/arch-support.rst): it has no drivers
# or firmware to build, so it takes about 520 s from an empty ccache here
# (662 objects) where the same fragment on the x86_64 test kernel's config
# took 845 s; what these kernels check, the kernel crate under another
# configuration, does not depend on the architecture.  kunit.py checks
# that the kernel it built has the fragment's options.
. "$(dirname "$0")/lib.sh"

tree=${1:-} config=${2:-}
configs=$(cd "$PROJECT_DIR/kconfig/kunit" && ls -- *.config | sed 's/\.config$//' | paste -sd' ')
[ -f "$tree/tools/testing/kunit/kunit.py" ] ||
	die "no kernel tree at '$tree': give a tree made by scripts/apply.sh (usage: $0 TREE CONFIG)"
kunitconfig=$PROJECT_DIR/kconfig/kunit/$config.config
[ -n "$config" ] && [ -f "$kunitconfig" ] ||
	die "no KUnit config '$config' in kconfig/kunit: give one of: $configs"
take_lock
need "${KMAKE_NEEDS[@]}"

options=()
for o in "${KMAKE_OPTIONS[@]}"; do options+=(--make_options "$o"); done
# Before 2026-12-01 these kernels were x86_64 ones, in kunit-CONFIG.
rm -rf "$(build_dir "$tree")/kunit-$config"
out=$(build_dir "$tree")/kunit-$config-um
stage_begin "kunit $config"
rc=0
# --raw_output: the KTAP as the kernel printed it, for kunit.py parse and
# the summary, like the test kernel's.  Before it kunit.py prints its
# progress ("[hh:mm:ss] ...") and the build's stderr: on UML, 6.12's
# generic port I/O does arithmetic on a NULL PCI_IOBASE, and clang warns
# about it thousands of times a build.  Only the progress and the KTAP
# are printed; the build's output is kept in $blog.
blog=$out/kunit.py-build.log
rm -f "$blog"
in_build_dir "$out" env "${KMAKE_CCACHE[@]}" \
	python3 "$tree/tools/testing/kunit/kunit.py" run --arch=um \
	--build_dir="$out" --kunitconfig="$kunitconfig" \
	"${options[@]}" --jobs="$(nproc)" --timeout="${VM_TIMEOUT:-600}" --raw_output=kunit |
	awk -v blog="$blog" '
		/^[[:space:]]*K?TAP version/ { ktap = 1 }
		ktap || /^\[[0-9:]+\] / { print; next }
		{ print >blog; n++ }
		END { if (n) printf "kunit.py: %d lines of build output, in %s\n", n, blog >"/dev/stderr" }' || {
	log "kunit.py run failed for kconfig/kunit/$config.config (the KTAP above says which case; an empty one, the build or the boot; the build's output is in $blog; its end:)"
	[ ! -f "$blog" ] || tail -n 20 "$blog" >&2
	rc=1
}
stage_end
exit "$rc"
