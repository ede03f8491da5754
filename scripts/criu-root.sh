#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# criu-root.sh: the guest root the CRIU test boots (tests/criu/): a Debian
# 13 (trixie) root made with mmdebstrap, holding CRIU and what the test
# uses, and what the kselftests use where they boot it (distro-root.sh).
# Debian 12's CRIU 3.17 has no --unprivileged; trixie's 4.x has.
# Kept in $CACHE_DIR/criu-root/<key>, <key> a hash of the packages and the
# CRIU version, and built again only when they change.  Prints the root's
# path; <root>.packages beside it lists what is in it.  Run as root.
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

[ "$(id -u)" = 0 ] || die "criu-root.sh builds a root with mmdebstrap: run it as root"
need mmdebstrap:mmdebstrap chroot:coreutils

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

key_of() { printf '%s\n' "${PACKAGES[@]}" "criu=$1" | sha256sum | cut -c1-12; }

# trixie from the mirror this machine takes bookworm from.
MIRROR=$(debian_uri bookworm)
mkdir -p "$root_dir"
tmp=$(mktemp -d "$root_dir/.tmp.XXXXXX")
if [ -n "${CRIU_VERSION:-}" ]; then
	version=$CRIU_VERSION
	log "criu: $version (CRIU_VERSION)"
	if [ ! -d "$root_dir/$(key_of "$version")" ]; then
		versions=$(offered)
		grep -qxF -- "$version" <<<"$versions" ||
			die "CRIU_VERSION=$version: trixie does not offer it (it offers: $(paste -sd' ' <<<"$versions")); leave CRIU_VERSION unset for the pin $CRIU_PIN or what trixie offers"
	fi
elif [ -d "$root_dir/$(key_of "$CRIU_PIN")" ]; then
	version=$CRIU_PIN
	log "criu: $version (the pinned version, already built)"
else
	versions=$(offered)
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

log "criu root: building $root from $MIRROR (about 30 s)"
t0=$(date +%s)
includes=$(printf '%s,' "${PACKAGES[@]/#criu/criu=$version}")
if ! mmdebstrap --variant=apt --include="${includes%,}" trixie "$tmp/root" \
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
echo "$root"
