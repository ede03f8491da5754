#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# distro-root.sh KERNEL: the guest root for one of Debian's own kernels,
# which no one here built (KERNEL debian-6.1: Debian 12's linux-image-amd64;
# debian-6.12: Debian 13's): the Debian 13 root of criu-root.sh with the
# kernel package's files in it, so that virtme-ng boots its vmlinuz with
# its own modules from the root (vng --root).  The package is the one
# linux-image-amd64 depends on in that release now: Debian replaces it in
# point releases, and the report names the one that ran.  Kept in
# $CACHE_DIR/distro-root/KERNEL-<key>, built again when the CRIU root or
# the package changes, and then replacing the old one.  Prints "ROOT IMAGE
# PACKAGE VERSION".  Run as root.
. "$(dirname "$0")/lib.sh"

case ${1:-} in
debian-6.1) suites=(bookworm bookworm-security) ;;
debian-6.12) suites=(trixie trixie-security) ;;
*) die "KERNEL=${1:-}: not one of Debian's kernels (debian-6.1, debian-6.12)" ;;
esac
kernel=$1
[ "$(id -u)" = 0 ] || die "distro-root.sh writes a root's files as their owners: run it as root"
need dpkg-deb:dpkg depmod:kmod tar:tar

root_dir=$CACHE_DIR/distro-root
mkdir -p "$root_dir"
tmp=$(mktemp -d "$root_dir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

base=$("$PROJECT_DIR/scripts/criu-root.sh")
private_apt "$tmp/apt" "${suites[@]}"
# The image package linux-image-amd64 depends on, and its newest version.
package=$(apt-cache "${APT_PRIVATE[@]}" depends linux-image-amd64 |
	sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
[ -n "$package" ] || die "${suites[0]} has no linux-image-amd64 depending on a kernel image package"
version=$(apt_versions "$package" "${APT_PRIVATE[@]}" | head -n 1)
kver=${package#linux-image-}
key=$(printf '%s\n' "$base" "$package=$version" | sha256sum | cut -c1-12)
root=$root_dir/$kernel-$key
if [ ! -d "$root" ]; then
	log "$kernel root: $package $version into a copy of $base"
	(cd "$tmp/apt/cache/archives" && apt-get "${APT_PRIVATE[@]}" -qq download "$package=$version") >&2 ||
		die "apt-get download $package=$version failed"
	cp -a "$base" "$tmp/root"
	# Debian 13's root has /lib as a link to usr/lib, which Debian 12's
	# package, with its files in /lib, must not replace.
	dpkg-deb --fsys-tarfile "$tmp/apt/cache/archives/${package}_"*.deb |
		tar -x -C "$tmp/root" --keep-directory-symlink
	# The package's postinst would run depmod; nothing here runs it.
	depmod -b "$tmp/root" "$kver"
	{ cat "$base.packages"; printf '%s\t%s\n' "$package" "$version"; } >"$root.packages"
	# The root itself is the mark of a complete build: it is moved last.
	mv "$tmp/root" "$root"
	# One root a kernel: that of an earlier package or CRIU root goes.
	for old in "$root_dir/$kernel"-*; do
		[ "${old%.packages}" != "$root" ] || continue
		[ ! -d "$old" ] || log "$kernel root: removing $old, the root of an earlier package or CRIU root"
		rm -rf --one-file-system "$old"
	done
fi
image=$root/boot/vmlinuz-$kver
[ -f "$image" ] || die "$package has no /boot/vmlinuz-$kver"
echo "$root $image $package $version"
