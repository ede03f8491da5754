#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# artifact.sh pack KERNEL FILE: what booting and testing a kernel that
# build.sh built needs (vm.sh, report.sh), as one tar file, so that a job
# other than the one that built it can run it: the GitHub matrix workflow
# hands each build to its test job this way.  It holds the kernel's image
# and .config, its modules as virtme-ng finds them in a build directory
# (System.map, modules.order, modules.builtin*, each .ko), the modules build.sh
# installed for a foreign architecture, and the installed kselftests; not
# the objects (the series kernel's: 129 MB, most of it the Rust kselftest
# programs, where its build directory holds 849 MB).
#
# artifact.sh unpack KERNEL FILE: puts them where build.sh leaves them, in
# the KERNEL tree that apply.sh made (report.sh reads the tree).  A FILE
# made for another KERNEL, ARCH or tree commit (other patches) is refused.
# ARCH (x86_64, arm64) and DEBUG choose the build, as for build.sh.
. "$(dirname "$0")/lib.sh"

usage="usage: artifact.sh pack|unpack KERNEL FILE"
[ $# = 3 ] || die "$usage"
action=$1 file=$3
kernel_paths "$2"
[ -z "$distro" ] || die "KERNEL=$kernel is Debian's own kernel: nothing was built to pack"
[ -d "$tree" ] || die "no $kernel tree at $tree: run scripts/apply.sh $kernel first"
head=$(git -C "$tree" rev-parse HEAD)
what="kernel=$kernel arch=$karch debug=${DEBUG:-0} head=$head"

case $action in
pack)
	image=$(kernel_image "$out/kernel")
	[ -f "$image" ] && [ -x "$out/kselftest/run_kselftest.sh" ] ||
		die "no $kernel build to pack in $out: run scripts/build.sh $kernel first"
	list=$(mktemp)
	trap 'rm -f "$list"' EXIT
	echo "$what" >"$out/artifact"
	{
		echo artifact
		echo "${image#"$out"/}"
		echo kernel/.config
		echo kselftest
		[ ! -d "$out/modules" ] || echo modules
		if [ -f "$out/kernel/modules.order" ]; then
			# virtme-ng's depmod reads System.map.
			(cd "$out" && ls -d kernel/System.map kernel/modules.order kernel/modules.builtin*)
			sed 's|^|kernel/|; s|\.o$|.ko|' "$out/kernel/modules.order"
		fi
	} >"$list"
	tar -C "$out" -cf "$file" -T "$list" || die "could not write $file"
	log "artifact: $file ($(du -h "$file" | cut -f1)): $what"
	;;
unpack)
	[ -f "$file" ] || die "FILE $file: no such file; give what 'artifact.sh pack $kernel' wrote"
	got=$(tar -xOf "$file" artifact 2>/dev/null) ||
		die "$file is not an artifact of artifact.sh pack (it has no 'artifact' entry)"
	[ "$got" = "$what" ] || die "$file holds $got, not $what: pack it from the same KERNEL, ARCH and patches (series/)"
	# Nothing of an earlier build is mixed in: the build directory is made
	# anew, next to the old one, and swapped in once the tar is out.
	new=$(mktemp -d "$out.new.XXXXXX")
	trap 'rm -rf "$new"' EXIT
	tar -C "$new" -xf "$file" || die "could not unpack $file"
	rm -rf "$out"
	mv "$new" "$out"
	log "artifact: unpacked into $out: $what"
	;;
*) die "$usage" ;;
esac
