#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# criu-root.sh [DEBARCH]: the guest root the CRIU test boots (tests/criu/):
# a Debian 13 (trixie) root made with mmdebstrap, holding CRIU and what the
# test uses, and what the kselftests use where they boot it (Debian's own
# kernels, distro-root.sh; every arm64 kernel).  Debian 12's CRIU 3.17 has
# no --unprivileged; trixie's 4.x has.  DEBARCH is the root's Debian
# architecture: amd64 (the default) or arm64, which mmdebstrap installs
# through qemu-user (binfmt).
# Kept in $CACHE_DIR/criu-root/<key>, <key> a hash of the packages, the
# CRIU version and a foreign DEBARCH, and built again only when they
# change; the new root replaces the old one of its architecture.  Prints
# the root's path; <root>.packages beside it lists what is in it.  Run as
# root.
. "$(dirname "$0")/lib.sh"

# The version the test results were obtained with.  Debian replaces it in
# point releases: when the mirror no longer offers it, the version trixie
# offers is taken (and said); CRIU_VERSION=<Debian version> overrides both.
CRIU_PIN=4.1.1-1
PACKAGES=(
	# the client under test
	criu
	# setcap/getcap: CAP_CHECKPOINT_RESTORE as a file capability; capsh
	libcap2-bin
	# setpriv (uid 65534, capability sets), unshare (user/PID namespace)
	util-linux
	# mount: the tmpfs for the file-capability copy and the images
	mount
	# ps: the process tree in the test's diagnostics
	procps
	# mmap of a deleted file and PR_SET_CHILD_SUBREAPER (ctypes): neither
	# is in python3-minimal
	python3
	# virtme-ng's init brings up the guest's loopback with ip
	iproute2
	# The kselftests on Debian's own kernels boot this root too
	# (distro-root.sh): secilc builds the SELinux test's policy, modprobe
	# looks for the Rust sample's module
	secilc
	kmod
)
root_dir=$CACHE_DIR/criu-root
debarch=${1:-amd64}

[ "$(id -u)" = 0 ] || die "criu-root.sh builds a root with mmdebstrap: run it as root"
need mmdebstrap:mmdebstrap chroot:coreutils
case $debarch in
amd64) ;;
arm64)
	# A foreign guest runs virtme-ng's shell init (its native one is the
	# host's binary), which ends with 'poweroff -f': sysvinit-core has
	# it.  Without it the init exits, and the kernel panics.
	PACKAGES+=(sysvinit-core)
	;;
*) die "criu-root.sh: DEBARCH '$debarch': use amd64 or arm64" ;;
esac

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# offered: the criu versions trixie offers, newest first, asked with a
# private apt state (private_apt).
offered() {
	private_apt "$tmp/apt" trixie
	apt_versions criu "${APT_PRIVATE[@]}"
}

# The amd64 root's key is what it was before there were others.
key_of() {
	{
		printf '%s\n' "${PACKAGES[@]}" "criu=$1"
		[ "$debarch" = amd64 ] || echo "arch=$debarch"
	} | sha256sum | cut -c1-12
}

# trixie from the mirror this machine takes bookworm from.
MIRROR=$(debian_uri bookworm)
mkdir -p "$root_dir"
tmp=$(mktemp -d "$root_dir/.tmp.XXXXXX")
if [ -n "${CRIU_VERSION:-}" ]; then
	version=$CRIU_VERSION
	log "criu: $version (CRIU_VERSION)"
	if [ ! -d "$root_dir/$(key_of "$version")" ]; then
		versions=$(offered) || die "apt-cache could not list the criu versions trixie offers at $MIRROR"
		grep -qxF -- "$version" <<<"$versions" ||
			die "CRIU_VERSION=$version: trixie does not offer it (it offers: $(paste -sd' ' <<<"$versions")); leave CRIU_VERSION unset for the pin $CRIU_PIN or what trixie offers"
	fi
elif [ -d "$root_dir/$(key_of "$CRIU_PIN")" ]; then
	version=$CRIU_PIN
	log "criu: $version (the pinned version, already built)"
else
	versions=$(offered) || die "apt-cache could not list the criu versions trixie offers at $MIRROR"
	if grep -qxF -- "$CRIU_PIN" <<<"$versions"; then
		version=$CRIU_PIN
		log "criu: $version (the pinned version)"
	else
		version=$(head -n 1 <<<"$versions")
		[ -n "$version" ] || die "trixie at $MIRROR offers no criu"
		log "criu: $version (the pin $CRIU_PIN is no longer offered: the version trixie offers; CRIU_VERSION overrides)"
	fi
fi
root=$root_dir/$(key_of "$version")
if [ -d "$root" ]; then
	log "criu root: $root (cached)"
	echo "$root"
	exit 0
fi

# Only building a foreign root runs its programs (through qemu-user);
# booting a cached one does not.
# Where qemu-user is not registered, mmdebstrap would fail deep in its
# log: binfmt_register (lib.sh) registers it or says what to do.
if [ "$debarch" != amd64 ]; then
	need qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support arch-test:arch-test
	binfmt_register arm64
fi
log "criu root: building $root ($debarch) from $MIRROR (about 30 s; 5 minutes for arm64)"
t0=$(date +%s)
includes=$(printf '%s,' "${PACKAGES[@]/#criu/criu=$version}")
# An arm64 kernel's modules are not in the root: vm.sh shares them at
# /usr/lib/modules, which must be there to mount on (the root is shared
# read-only).
if ! mmdebstrap --variant=apt --architectures="$debarch" --include="${includes%,}" \
		--customize-hook='mkdir -p "$1/usr/lib/modules"' trixie "$tmp/root" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" \
		>"$tmp/mmdebstrap.log" 2>&1; then
	tail -n 20 "$tmp/mmdebstrap.log" >&2
	die "mmdebstrap failed; the end of its log is above"
fi
chroot "$tmp/root" dpkg-query -W >"$tmp/root.packages"
[ "$(awk '$1 == "criu" { print $2 }' "$tmp/root.packages")" = "$version" ] ||
	die "the root's criu is not $version"
# The root itself is the mark of a complete build: it is moved last.
mv "$tmp/root.packages" "$root.packages"
mv "$tmp/root" "$root"
log "criu root: built in $(($(date +%s) - t0))s"
# One root an architecture: the root of an earlier package list or CRIU
# version is not asked for any more, and goes.  mmdebstrap writes the
# root's architecture to var/lib/dpkg/arch.
for old in "$root_dir"/*/; do
	old=${old%/}
	[ "$old" != "$root" ] && [ "$(head -n 1 "$old/var/lib/dpkg/arch" 2>/dev/null)" = "$debarch" ] || continue
	log "criu root: removing $old, the $debarch root of an earlier package list or CRIU version"
	rm -rf --one-file-system "$old" "$old.packages"
done
echo "$root"
