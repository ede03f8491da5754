#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fresh-root.sh: the README's main command as a new user meets it.  A
# minimal Debian 12 root (mmdebstrap --variant=minbase, from this
# machine's mirrors) gets only what README.md says to install first
# (scripts/prerequisites.txt) and this machine's CA certificates, then a
# clean clone of the project's HEAD runs 'make run' there with an empty
# project cache.  It shares the host's download caches (apt's archives,
# cargo's registry, pip's cache) and build caches (ccache, the build
# directory of bindgen-cli), to save time; nothing installed is shared.
# A build cache can hide a build tool the fresh root lacks where nothing
# is compiled; the kernel's build and the Rust kselftests' still call
# clang, rustc and the linker there.  Prints KTAP; the last diagnostic
# gives the time.
#
# Everything happens in a mount namespace of its own, so that no bind
# mount outlives the run, even when it is killed.
. "$(dirname "$0")/lib.sh"
need mmdebstrap:mmdebstrap unshare:util-linux chroot:coreutils

root=$CACHE_DIR/fresh-root
prereqs=$(grep -v -e '^#' -e '^$' "$PROJECT_DIR/scripts/prerequisites.txt" | paste -sd,)
t0=$(date +%s)

# A root left by an earlier run goes first; --one-file-system keeps rm out
# of anything still mounted below it.
rm -rf --one-file-system "$root" "$root.log"
mkdir -p "$CACHE_DIR"

main=$(debian_uri bookworm)
security=$(debian_uri bookworm-security)
updates=$(debian_uri bookworm-updates)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
rc=0
mmdebstrap --variant=minbase --include="$prereqs" bookworm "$root" \
	"deb [signed-by=$keyring] $main bookworm main" \
	"deb [signed-by=$keyring] $updates bookworm-updates main" \
	"deb [signed-by=$keyring] $security bookworm-security main" \
	>"$root.log" 2>&1 || rc=$?
ktap_result "fresh-root: minimal Debian 12 root with $prereqs" $rc \
	"$([ $rc = 0 ] || tail -n 20 "$root.log")"
if [ $rc != 0 ]; then
	ktap_result "fresh-root: make run in a clean clone" 1 "not run: there is no root to run it in"
	ktap_print
	exit 1
fi

# The CA certificates this machine trusts beyond Debian's (a proxy's):
# the ca-certificates package that deps.sh installs takes them in.
mkdir -p "$root/usr/local/share/ca-certificates"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
git clone -q "$PROJECT_DIR" "$root/root/project"

# share HOST-DIR ROOT-DIR: bind HOST-DIR over ROOT-DIR (both made).
shares=(
	/var/cache/apt/archives:/var/cache/apt/archives
	"${CARGO_HOME:-$HOME/.cargo}/registry:/root/.cargo/registry"
	"${XDG_CACHE_HOME:-$HOME/.cache}/pip:/root/.cache/pip"
	"$CACHE_DIR/ccache:/root/.cache/capcr/ccache"
	"$CACHE_DIR/tools/cargo-target:/root/.cache/capcr/tools/cargo-target"
)
mounts=""
for s in "${shares[@]}"; do
	mkdir -p "${s%%:*}" "$root${s#*:}"
	mounts+="mount --bind '${s%%:*}' '$root${s#*:}'; "
done

log "fresh root: make run in $root (log: $root/root/make-run.log)"
rc=0
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private -- sh -c '
	set -e
	root=$1
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	'"$mounts"'
	exec chroot "$root" env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd /root/project && make run" </dev/null >"$root/root/make-run.log" 2>&1
' sh "$root" || rc=$?
t=$(($(date +%s) - t0))
ktap_result "fresh-root: make run in a clean clone" $rc "$(grep -e '^==> stage .* took' -e 'error:' \
	-e 'passed, .* failed' "$root/root/make-run.log" || true)
$([ $rc = 0 ] || tail -n 30 "$root/root/make-run.log")
fresh-root took ${t}s (make run exited $rc)"
echo "$t" >"$CACHE_DIR/fresh-root.seconds"
ktap_print
