#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and booting the test kernel needs, pinned where a
# different version changes the result. Quick when all is in place.
. "$(dirname "$0")/lib.sh"

# The kernel's Rust must match its rustdoc and library source exactly.
RUST_DEB_VERSION=1.96.0+dfsg1-1~deb12u2
BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
# checkpatch.pl checks SPDX identifiers with these (scripts/spdxcheck.py).
PY_PACKAGES=("virtme-ng==$VIRTME_NG_VERSION" ply==3.11 GitPython==3.1.44)

APT_PACKAGES=(
	build-essential bc bison flex cpio kmod libelf-dev libssl-dev
	# upstream's clone3 selftests link with libcap.
	libcap-dev
	clang lld llvm libclang-dev ccache xz-utils
	"rustc-web=$RUST_DEB_VERSION" "rust-web-src=$RUST_DEB_VERSION"
	"rustfmt-web=$RUST_DEB_VERSION" "rust-web-clippy=$RUST_DEB_VERSION"
	# cargo builds bindgen below; ca-certificates let it reach crates.io.
	"cargo-web=$RUST_DEB_VERSION" ca-certificates
	qemu-system-x86 udev busybox-static
	python3-venv libcap2-bin attr
	# What a minimal Debian 12 (the debian:12 image CI runs in) lacks:
	# git for the trees, column for the report.
	git bsdextrautils
	# The SELinux kselftest compiles its policy with it, in the VM, which
	# runs the host's binaries.
	secilc
)

missing_apt() {
	local p name want have
	for p in "${APT_PACKAGES[@]}"; do
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

stage_begin deps
mapfile -t need < <(missing_apt)
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${need[*]}; run 'make deps' as root"
	log "apt: installing ${need[*]}"
	apt-get update -qq
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${need[@]}" >"$CACHE_DIR/apt.log" 2>&1; then
		tail -n 20 "$CACHE_DIR/apt.log" >&2
		apt-cache policy rustc-web >&2 || true
		die "apt-get install failed (log: $CACHE_DIR/apt.log); the versions apt offers are listed above"
	fi
fi

mkdir -p "$CACHE_DIR/tools/bin"
if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
	# Debian's bindgen 0.60 is older than Linux 6.12's minimum.
	log "cargo: installing bindgen-cli $BINDGEN_VERSION"
	LIBCLANG_PATH=$(llvm-config --libdir) cargo install --quiet --locked \
		--root "$CACHE_DIR/tools" "bindgen-cli@$BINDGEN_VERSION"
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
