#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cross-root.sh DEBARCH:TRIPLE...: the root cross-build.sh builds the
# kselftests in: a Debian 13 (trixie) root made with mmdebstrap for amd64,
# with each DEBARCH (arm64, riscv64, ...) as a foreign architecture: Debian's
# rustc-web with its standard library for amd64 and each DEBARCH, and for
# each the GCC cross compiler TRIPLE-gcc, its C library and libcap.
# riscv64 is not a bookworm architecture; trixie also has rustc-web at the version the
# host builds the kernel with.  Plus make and rsync (the selftests' make
# and install) and gcc, libc6-dev and libcap-dev for the native build of
# clone3.  Nothing is pinned: the root takes what trixie offers.
#
# A DEBARCH whose Rust standard library, compiler or C library trixie does
# not offer (at rustc-web's version, as Multi-Arch: same needs) is left
# out of the root, and a line "DEBARCH: why" in <root>.missing says so.
# Kept in $CACHE_DIR/cross-root/<key>, <key> a hash of the package list,
# and built again only when it changes; the new root replaces the old.  Prints the root's path;
# <root>.packages beside it lists what is in it.  Run as root.
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: cross-root.sh DEBARCH:TRIPLE... (e.g. arm64:aarch64-linux-gnu)"
[ "$(id -u)" = 0 ] || die "cross-root.sh builds a root with mmdebstrap: run it as root"
need mmdebstrap:mmdebstrap chroot:coreutils

BASE_PACKAGES=(rustc-web make rsync gcc libc6-dev libcap-dev)
archs=() triples=()
for a in "$@"; do
	[[ $a =~ ^[a-z0-9]+:[a-z0-9_-]+$ ]] || die "cross-root.sh: '$a' is not DEBARCH:TRIPLE (e.g. arm64:aarch64-linux-gnu)"
	archs+=("${a%%:*}") triples+=("${a#*:}")
done
# arch_packages I: what the root needs for the I-th architecture.
arch_packages() {
	# libcap-dev: clone3's test links -lcap (build.sh builds it for
	# ARCH=arm64).
	printf '%s\n' "libstd-rust-web-dev:${archs[$1]}" "gcc-${triples[$1]}" "libc6-dev-${archs[$1]}-cross" \
		"libcap-dev:${archs[$1]}"
}
root_dir=$CACHE_DIR/cross-root
key_of() { printf '%s\n' trixie "$@" | sha256sum | cut -c1-12; }

# The root for every architecture asked for, when it was built before.
all=("${BASE_PACKAGES[@]}")
for i in "${!archs[@]}"; do mapfile -t -O "${#all[@]}" all < <(arch_packages "$i"); done
if [ -d "$root_dir/$(key_of "${all[@]}")" ]; then
	root=$root_dir/$(key_of "${all[@]}")
	log "cross root: $root (cached)"
	echo "$root"
	exit 0
fi

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf --one-file-system "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# trixie from the mirror this machine takes bookworm from, main only (its
# -updates and -security lag behind for riscv64 on some mirrors).
MIRROR=$(debian_uri bookworm)
SOURCE="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main"
mkdir -p "$root_dir"
tmp=$(mktemp -d "$root_dir/.tmp.XXXXXX")

# What trixie offers, asked with a private apt state for every
# architecture, so that the host's sources and lists are left alone.
d=$tmp/apt
mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts"
echo "$SOURCE" >"$d/sources.list"
arch_list=$(printf '%s,' amd64 "${archs[@]}")
arch_list=${arch_list%,}
apt_opts=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
	-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
	-o Dir::State::status=/dev/null -o APT::Sandbox::User=root
	-o APT::Architecture=amd64 -o "APT::Architectures=$arch_list")
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update of trixie from $MIRROR failed"
rust=$(apt_versions rustc-web "${apt_opts[@]}" | head -n 1)
[ -n "$rust" ] || die "trixie at $MIRROR offers no rustc-web"

packages=("${BASE_PACKAGES[@]}")
: >"$tmp/missing"
for i in "${!archs[@]}"; do
	why=
	while read -r p; do
		offered=$(apt_versions "$p" "${apt_opts[@]}")
		if [ -z "$offered" ]; then
			why+="${why:+; }trixie at $MIRROR offers no $p"
		elif [ "${p#libstd-rust-web-dev:}" != "$p" ] && ! grep -qxF -- "$rust" <<<"$offered"; then
			why+="${why:+; }trixie offers $p only at $(paste -sd' ' <<<"$offered"), not at rustc-web's $rust"
		fi
	done < <(arch_packages "$i")
	if [ -n "$why" ]; then
		log "cross root: without ${archs[$i]}: $why"
		echo "${archs[$i]}: $why" >>"$tmp/missing"
	else
		mapfile -t -O "${#packages[@]}" packages < <(arch_packages "$i")
	fi
done
root=$root_dir/$(key_of "${packages[@]}")
if [ -d "$root" ]; then
	log "cross root: $root (cached, without what trixie lacks)"
	echo "$root"
	exit 0
fi

log "cross root: building $root from $MIRROR (about 2 minutes): ${packages[*]}"
t0=$(date +%s)
includes=$(printf '%s,' "${packages[@]}")
if ! mmdebstrap --variant=apt --architectures="$arch_list" --include="${includes%,}" \
		trixie "$tmp/root" "$SOURCE" >"$tmp/mmdebstrap.log" 2>&1; then
	tail -n 20 "$tmp/mmdebstrap.log" >&2
	die "mmdebstrap failed; the end of its log is above"
fi
# shellcheck disable=SC2016 # dpkg-query's fields
chroot "$tmp/root" dpkg-query -W -f '${Package}:${Architecture} ${Version}\n' >"$tmp/root.packages"
# The root itself is the mark of a complete build: it is moved last, and
# only onto no root (mv -T fails on a directory that is there): a run
# that finished first keeps its own.
mv "$tmp/root.packages" "$root.packages"
mv "$tmp/missing" "$root.missing"
if ! mv -T "$tmp/root" "$root" 2>/dev/null; then
	[ -d "$root" ] || die "could not move the new root to $root"
	log "cross root: another run built $root first; using it"
fi
log "cross root: built in $(($(date +%s) - t0))s"
# Every build asks for the same root (cross_root_pairs), so the roots of
# earlier package lists are not asked for any more: they go (about 2 GB
# each).
for old in "$root_dir"/*; do
	name=${old##*/}
	[[ $name =~ ^[0-9a-f]{12}(\.packages|\.missing)?$ ]] && [ "${name%%.*}" != "${root##*/}" ] || continue
	[ ! -d "$old" ] || log "cross root: removing $old, the root of an earlier package list"
	rm -rf --one-file-system "$old"
done
echo "$root"
