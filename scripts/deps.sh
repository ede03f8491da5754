#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and booting the test kernel needs, pinned where a
# different version changes the result. Quick when all is in place.
. "$(dirname "$0")/lib.sh"

# The kernel's Rust must match its rustdoc and library source exactly:
# all five packages at one version.  The pin is the version the results
# in README.md were obtained with; only bookworm-security carries it, and
# Debian keeps just the newest version there, so when the pin is gone the
# newest version apt offers that Linux 6.12 accepts is taken instead
# (rust_version below), and RUST_VERSION=<Debian version> overrides both.
RUST_PIN=1.96.0+dfsg1-1~deb12u2
# scripts/min-tool-version.sh of linux-source-6.12.
RUST_MIN=1.78.0
RUST_PACKAGES=(rustc-web rust-web-src rustfmt-web rust-web-clippy cargo-web)
BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
# checkpatch.pl checks SPDX identifiers with these (scripts/spdxcheck.py).
# b4 prepares the series from the dev tree's branches and writes their
# messages (export.sh, check-series.sh); pinned, as its output is what
# series/ holds.  check-jsonschema holds the GitHub workflows against
# GitHub's schemas, which it carries (tests/scripts.sh): actionlint has no
# package any registry here offers.
PY_PACKAGES=("virtme-ng==$VIRTME_NG_VERSION" ply==3.11 GitPython==3.1.44 b4==0.16.0
	check-jsonschema==0.39.0)

APT_PACKAGES=(
	build-essential bc bison flex cpio kmod libelf-dev libssl-dev
	# upstream's clone3 selftests link with libcap.
	libcap-dev
	clang lld llvm libclang-dev ccache xz-utils
	# cargo(-web) builds bindgen below; ca-certificates let it reach
	# crates.io.
	ca-certificates
	# udev: without it virtme-ng loses the guest's exit code.
	qemu-system-x86 udev busybox-static
	# virtme-ng's init brings up the guest's loopback with ip.
	iproute2
	# The kselftests' 'make install' (lib.mk) copies with rsync.
	rsync
	python3-venv libcap2-bin attr
	# What a minimal Debian 12 (the debian:12 image CI runs in) lacks:
	# git for the trees, column for the report.
	git bsdextrautils
	# The SELinux kselftest compiles its policy with it, in the VM, which
	# runs the host's binaries.
	secilc
	# The fresh-root test (fresh-root.sh) makes a minimal Debian 12 root.
	mmdebstrap
	# The scripts' own tests (tests/scripts.sh) check every script with it.
	shellcheck
)

# ARCH=arm64 (make run ARCH=arm64, and make test-all's arm64 part) also boots
# qemu-system-aarch64, on an arm64 root that mmdebstrap installs through
# qemu-user (binfmt-support registers it; arch-test is how mmdebstrap
# checks that it runs).
check_arch
[ "$karch" = x86_64 ] || APT_PACKAGES+=(qemu-system-arm qemu-user-static binfmt-support arch-test)

# rust_version: the Debian version of the Rust packages to use: RUST_VERSION
# if set, else the pin if apt offers it, else the newest version apt offers
# for all of RUST_PACKAGES that is at least RUST_MIN.  Says which and why,
# unless RUST_QUIET is set.
say() { [ -n "${RUST_QUIET:-}" ] || log "$@"; }
rust_version() {
	local v p ok offered
	offered=$(apt_versions rustc-web)
	if [ -n "${RUST_VERSION:-}" ]; then
		grep -qxF -- "$RUST_VERSION" <<<"$offered" ||
			die "RUST_VERSION=$RUST_VERSION: apt does not offer this version of rustc-web. Versions offered: $(paste -sd, <<<"$offered" | sed 's/,/, /g'). Pick one of them (Linux 6.12 needs $RUST_MIN or later), or leave RUST_VERSION unset."
		say "rust: rustc-web $RUST_VERSION (RUST_VERSION)"
		echo "$RUST_VERSION"
		return
	fi
	if grep -qxF -- "$RUST_PIN" <<<"$offered"; then
		say "rust: rustc-web $RUST_PIN (the pinned version)"
		echo "$RUST_PIN"
		return
	fi
	for v in $offered; do
		dpkg --compare-versions "$v" ge "$RUST_MIN" || continue
		ok=1
		for p in "${RUST_PACKAGES[@]}"; do
			apt_versions "$p" | grep -qxF -- "$v" || ok=
		done
		[ -z "$ok" ] || {
			say "rust: rustc-web $v (the pin $RUST_PIN is no longer offered: the newest version apt offers; RUST_VERSION overrides)"
			echo "$v"
			return
		}
	done
	die "apt offers no rustc-web $RUST_MIN or later with matching ${RUST_PACKAGES[*]}: Debian 12 has them in bookworm-security; add it to /etc/apt/sources.list and run 'apt-get update'"
}

missing_apt() {
	local p name want have
	for p in "${wanted[@]}"; do
		name=${p%%=*}
		want=${p#*=}
		have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
		case $have in
		"install ok installed "*)
			[ "$p" = "$name" ] || [ "${have##* }" = "$want" ] || echo "$p" ;;
		*) echo "$p" ;;
		esac
	done
}

# deps.sh --rust-version: only say which Rust version a run would take.
if [ "${1:-}" = --rust-version ]; then
	rust_version
	exit
fi

stage_begin deps
mkdir -p "$CACHE_DIR"
if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
	die "apt-get and dpkg-query not found: the scripts are made for Debian 12"
fi
# pick_packages: the Rust version to use (rust_version) and, in need, the
# packages not installed at the versions wanted.
pick_packages() {
	rust=$(rust_version)
	wanted=("${APT_PACKAGES[@]}")
	for p in "${RUST_PACKAGES[@]}"; do wanted+=("$p=$rust"); done
	mapfile -t need < <(missing_apt)
}
updated=
if [ -z "$(apt_versions rustc-web)" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq
	updated=1
fi
# First only whether anything is missing, from the lists as they are.
RUST_QUIET=1 pick_packages
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${need[*]}; run 'make deps' as root"
	# A fresh machine's lists can be older than bookworm-security, which
	# keeps only its newest Rust: a version read from them may be gone,
	# and its dependencies with it.  Choose from fresh lists.
	[ -n "$updated" ] || apt-get update -qq
fi
# The choice, said once, from the lists the install uses.
pick_packages
if [ ${#need[@]} -gt 0 ]; then
	log "apt: installing ${need[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${need[@]}" >"$CACHE_DIR/apt.log" 2>&1; then
		tail -n 20 "$CACHE_DIR/apt.log" >&2
		die "apt-get install failed (log: $CACHE_DIR/apt.log; its end is above)"
	fi
fi

# The arm64 root is installed through qemu-user (criu-root.sh).
[ "$karch" = x86_64 ] || [ "$(id -u)" != 0 ] || binfmt_register "$karch"

mkdir -p "$CACHE_DIR/tools/bin"
if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
	# Debian's bindgen 0.60 is older than Linux 6.12's minimum.
	log "cargo: installing bindgen-cli $BINDGEN_VERSION"
	# Its build directory is kept in the cache: fresh-root.sh shares it
	# with the fresh root, where the same toolchain then finds it built.
	LIBCLANG_PATH=$(llvm-config --libdir) /usr/bin/cargo install --quiet --locked \
		--root "$CACHE_DIR/tools" --target-dir "$CACHE_DIR/tools/cargo-target" \
		"bindgen-cli@$BINDGEN_VERSION"
fi

venv=$CACHE_DIR/tools/venv
want=$(printf '%s\n' "${PY_PACKAGES[@]}" | sort)
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
	log "pip: installing ${PY_PACKAGES[*]}"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
	echo "$want" >"$venv/.installed"
fi
stage_end
