#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the project's own scripts: bad input is refused with a clear
# message and leaves the cache usable for the next run, results are
# counted right, and the security matrix holds the kselftests against the
# Documentation page.  The scripts run on caches of their own in a
# temporary directory, with stubs on PATH for what is outside the project
# (apt, make, vng) and small git trees for the kernel's.  Needs a
# prepared base (for the tree's kunit.py).  Prints KTAP.
. "$(dirname "$0")/../scripts/lib.sh"
scripts=$PROJECT_DIR/scripts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # check NAME COMMAND...: ok when COMMAND succeeds
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	ktap_result "$name" $rc "$([ $rc = 0 ] || echo "$out")"
}
# fails_with PATTERN COMMAND...: COMMAND exits non-zero and says PATTERN
fails_with() {
	local pattern=$1 out
	shift
	if out=$("$@" 2>&1); then echo "succeeded: $out"; return 1; fi
	grep -q -- "$pattern" <<<"$out" || { echo "$out"; return 1; }
}

# ---- bad input, in a cache of its own ----

stubs=$tmp/stubs
mkdir -p "$stubs"
stub() { # stub NAME BODY: a command NAME on the tests' PATH that runs BODY
	printf '#!/usr/bin/env bash\n%s\n' "$2" >"$stubs/$1"
	chmod +x "$stubs/$1"
}
# in_cache CACHE [NAME=VALUE...] COMMAND...: COMMAND with its own cache,
# the stubs, and none of the caller's settings.
in_cache() {
	local cache=$1
	shift
	# SIGINT as a terminal's job has it: a shell started in the background
	# without job control (nohup ... &) hands it on ignored, which no trap
	# can undo, and the Ctrl-C checks need it.
	env --default-signal=INT -u CAPCR_LOCKED -u BASE_VERSION -u VM_ACCEL -u VM_TIMEOUT -u RUST_VERSION \
		CAPCR_CACHE="$cache" PATH="$stubs:$PATH" "$@"
}
# no_leftovers DIR...: no temporary files in DIR
no_leftovers() {
	local left
	left=$(find "$@" -maxdepth 1 -name 'tmp.*' 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
# interrupted FLAG COMMAND...: runs COMMAND in a process group of its own,
# as a terminal runs a job, and once FLAG exists (COMMAND got to where it
# is to be interrupted) sends the group SIGINT, as Ctrl-C does.  Fails if
# COMMAND does not get there, or has not ended 10 s after the signal.
interrupted() {
	local flag=$1 job dog ended i
	shift
	set -m
	"$@" >"$tmp/interrupted.log" 2>&1 &
	job=$!
	set +m
	for ((i = 0; i < 200; i++)); do
		[ ! -e "$flag" ] || break
		sleep 0.1
	done
	[ -e "$flag" ] || { kill -KILL -- -"$job"; wait "$job"; echo "never got to $flag:"; cat "$tmp/interrupted.log"; return 1; }
	kill -INT -- -"$job"
	sleep 10 &
	dog=$!
	wait -n -p ended "$job" "$dog"
	if [ "$ended" = "$dog" ]; then
		kill -KILL -- -"$job"
		wait "$job"
		echo "still running 10 s after Ctrl-C:"
		cat "$tmp/interrupted.log"
		return 1
	fi
	kill "$dog"
	wait "$dog" 2>/dev/null
	return 0
}

# What apt offers, and a linux-source-6.12 package that holds a small tree.
ver=6.12.1-1~test1
rv=$(ref_version "$ver")
stub apt-cache '[ "$1" = madison ] || exit 1
for v in ${STUB_OFFERED:-}; do echo " linux-source-6.12 | $v | https://deb.example bookworm-security/main amd64 Packages"; done'
stub apt-get 'case $1 in
update) ;;
download)
	[ -z "${STUB_DOWNLOAD_HANGS:-}" ] || { touch "$STUB_DOWNLOAD_HANGS"; exec sleep 30; }
	[ -n "${STUB_DEB:-}" ] || { echo "E: Can not find a source to download version of linux-source-6.12" >&2; exit 100; }
	cp "$STUB_DEB" . ;;
*) exit 1 ;;
esac'
mkdir -p "$tmp/src/linux-source-6.12" "$tmp/pkg/DEBIAN" "$tmp/pkg/usr/src"
echo 'int a;' >"$tmp/src/linux-source-6.12/hello.c"
tar -cJf "$tmp/pkg/usr/src/linux-source-6.12.tar.xz" -C "$tmp/src" linux-source-6.12
printf 'Package: linux-source-6.12\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: a small tree\n' \
	"$ver" >"$tmp/pkg/DEBIAN/control"
dpkg-deb -Zgzip --build "$tmp/pkg" "$tmp/linux-source.deb" >/dev/null

check "base: apt offering no linux-source-6.12 is refused, saying where Debian has it" \
	fails_with "apt offers no linux-source-6.12; check /etc/apt/sources.list" \
	in_cache "$tmp/c-none" STUB_OFFERED= "$scripts/base.sh"
check "base: an unknown BASE_VERSION is refused, listing the versions apt offers" \
	fails_with "BASE_VERSION=0.0-nosuch: apt does not offer .* Versions offered: $ver, 6.12.0-1" \
	in_cache "$tmp/c-none" STUB_OFFERED="$ver 6.12.0-1" BASE_VERSION=0.0-nosuch "$scripts/base.sh"

download_fails() {
	local c=$tmp/c-download
	fails_with "apt-get download linux-source-6.12=$ver failed .*check the network" \
		in_cache "$c" STUB_OFFERED="$ver" "$scripts/base.sh" || return 1
	no_leftovers "$c" "$c/deb" || return 1
	[ ! -e "$c/deb/$rv.tar.xz" ] || { echo "a tarball was kept"; return 1; }
}
check "base: a failed download says what to do and keeps nothing" download_fails

download_interrupted() {
	local c=$tmp/c-ctrl-c out
	interrupted "$tmp/downloading" in_cache "$c" STUB_OFFERED="$ver" \
		STUB_DOWNLOAD_HANGS="$tmp/downloading" "$scripts/base.sh" || return 1
	no_leftovers "$c" "$c/deb" || return 1
	[ ! -e "$c/deb/$rv.tar.xz" ] || { echo "a tarball was kept"; return 1; }
	# The next run downloads, then fails where the small tree lacks what
	# base/pre-capability.patch changes.
	out=$(in_cache "$c" STUB_OFFERED="$ver" STUB_DEB="$tmp/linux-source.deb" "$scripts/base.sh" 2>&1)
	grep -q "git: committing the linux-source-6.12 $ver tree" <<<"$out" || { echo "$out"; return 1; }
}
check "base: Ctrl-C during the download leaves nothing half-made, the next run downloads" \
	download_interrupted

checksum_mismatch() {
	local c=$tmp/c-sum out
	mkdir -p "$c/deb"
	cp "$tmp/pkg/usr/src/linux-source-6.12.tar.xz" "$c/deb/$rv.tar.xz"
	echo 0000000000000000000000000000000000000000000000000000000000000000 >"$c/deb/$rv.sha256"
	fails_with "$rv.tar.xz: sha256 [0-9a-f]* does not match 0000.*the next run fetches it again" \
		in_cache "$c" STUB_OFFERED="$ver" "$scripts/base.sh" || return 1
	[ -f "$c/deb/$rv.tar.xz.bad" ] && [ ! -e "$c/deb/$rv.tar.xz" ] || { echo "the tarball was not moved aside"; return 1; }
	# The next run fetches it again and checks it against the recorded sum.
	sha256sum "$c/deb/$rv.tar.xz.bad" | cut -d' ' -f1 >"$c/deb/$rv.sha256"
	out=$(in_cache "$c" STUB_OFFERED="$ver" STUB_DEB="$tmp/linux-source.deb" "$scripts/base.sh" 2>&1)
	grep -q "apt: downloading" <<<"$out" && ! grep -q "does not match" <<<"$out" || { echo "$out"; return 1; }
	grep -q "base/pre-capability.patch does not apply to linux-source-6.12 $ver" <<<"$out" || { echo "$out"; return 1; }
	no_leftovers "$c" "$c/deb"
}
check "base: a tarball whose sha256 differs from the recorded one is refused and set aside, the next run fetches it again" \
	checksum_mismatch

# A cache prepared for $ver whose base trees hold hello.c, and a project
# (the scripts and a series/) beside it; patches are made with git.
fake_cache() { # fake_cache CACHE
	local c=$1 w=$tmp/w.$RANDOM
	mkdir -p "$c"
	echo "$ver" >"$c/base-version"
	git init -q --bare "$c/linux.git"
	git init -q "$w"
	printf 'int a;\nint b;\nint c;\n' >"$w/hello.c"
	git -C "$w" add hello.c
	git -C "$w" -c user.name=t -c user.email=t@example.org commit -q -m base
	git -C "$w" push -q "$c/linux.git" "HEAD:refs/heads/base/$rv/pre-cap" "HEAD:refs/heads/base/$rv/stock"
	rm -rf "$w"
}
proj=$tmp/proj
mkdir -p "$proj/series"
cp -r "$scripts" "$proj/scripts"
make_patches() { # patch 0001 makes b b2, 0002 c c2; 0002-bad expects a line that is not there
	local w=$tmp/patches
	git clone -q "$tmp/c-apply/linux.git" -b "base/$rv/pre-cap" "$w"
	sed -i 's/^int b;/int b2;/' "$w/hello.c"
	git -C "$w" -c user.name=t -c user.email=t@example.org commit -q -am b2
	sed -i 's/^int c;/int c2;/' "$w/hello.c"
	git -C "$w" -c user.name=t -c user.email=t@example.org commit -q -am c2
	git -C "$w" format-patch -q -o "$tmp/patches.out" HEAD~2
	sed 's/^ int b2;/ int nothere;/' "$tmp/patches.out/0002-c2.patch" >"$tmp/0002-bad.patch"
	rm -rf "$w"
}
fake_cache "$tmp/c-apply"
make_patches
tree=$tmp/c-apply/trees/$rv/series

patch_fails() {
	local out
	cp "$tmp/patches.out/0001-b2.patch" "$proj/series/"
	cp "$tmp/0002-bad.patch" "$proj/series/0002-c2.patch"
	fails_with "series/0002-c2.patch does not apply to the series tree (base/$rv/pre-cap) in hello.c: update the patch" \
		in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series || return 1
	[ ! -e "$(git -C "$tree" rev-parse --git-path rebase-apply)" ] || { echo "git am is still in progress"; return 1; }
	[ -z "$(git -C "$tree" status --porcelain)" ] || { git -C "$tree" status; return 1; }
	[ ! -e "$tree.applied" ] || { echo "the tree is marked applied"; return 1; }
	# Once the patch is fixed, the next run applies it: no clean-up.
	cp "$tmp/patches.out/0002-c2.patch" "$proj/series/"
	out=$(in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series 2>&1) || { echo "$out"; return 1; }
	[ "$(git -C "$tree" log -1 --format=%s)" = c2 ] || { git -C "$tree" log --oneline; return 1; }
}
check "apply: a patch that does not apply is named with its file, the am aborted, the next run applies the fixed one" \
	patch_fails

am_interrupted() {
	local hook=$tmp/c-apply/linux.git/hooks/pre-applypatch out
	# Forces a new run of git am; the hook holds it after the patch is in
	# the index and the files, before the commit.
	touch "$proj/series/0001-b2.patch"
	echo '# changed' >>"$proj/series/0001-b2.patch"
	printf '#!/bin/sh\ntouch "%s"\nexec sleep 30\n' "$tmp/in-am" >"$hook"
	chmod +x "$hook"
	interrupted "$tmp/in-am" in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series
	rm -f "$hook"
	out=$(in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series 2>&1) || { echo "$out"; return 1; }
	[ "$(git -C "$tree" log -1 --format=%s)" = c2 ] && [ -z "$(git -C "$tree" status --porcelain)" ] ||
		{ git -C "$tree" log --oneline; git -C "$tree" status; return 1; }
}
check "apply: Ctrl-C in the middle of git am, the next run applies the series without clean-up" \
	am_interrupted

second_patch_changed() {
	local first out time
	first=$(git -C "$tree" rev-parse HEAD~1)
	touch -m -d '2001-01-01 00:00:00' "$tree/hello.c"
	# A change outside the diff: the file comes out the same.
	echo '# changed' >>"$proj/series/0002-c2.patch"
	out=$(in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series 2>&1) || { echo "$out"; return 1; }
	grep -q "applied 2 patches onto base/$rv/pre-cap (1 of them now)" <<<"$out" || { echo "$out"; return 1; }
	[ "$(git -C "$tree" rev-parse HEAD~1)" = "$first" ] || { echo "patch 1 was applied again"; return 1; }
	time=$(stat -c %Y "$tree/hello.c")
	[ "$time" = "$(date -d '2001-01-01 00:00:00' +%s)" ] || { echo "hello.c, unchanged, got a new time: $time"; return 1; }
	out=$(in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series 2>&1) || { echo "$out"; return 1; }
	grep -q "series tree is up to date (2 patches)" <<<"$out" || { echo "$out"; return 1; }
}
check "apply: after a patch changes, only it and the ones after it are applied again, and files they leave unchanged keep their times" \
	second_patch_changed

# A kernel tree with tinyconfig's fragments, built by a make that fails
# like a compiler error while $tmp/make-fails exists.
mkdir -p "$tree/kernel/configs" "$tree/arch/x86/configs"
touch "$tree/kernel/configs/tiny-base.config" "$tree/kernel/configs/tiny.config" \
	"$tree/arch/x86/configs/tiny.config"
stub make 'for a; do case $a in O=*) o=${a#O=} ;; KCONFIG_ALLCONFIG=*) cfg=${a#*=} ;; INSTALL_PATH=*) inst=${a#*=} ;; esac; done
case ${!#} in
allnoconfig) cp "$cfg" "$o/.config" ;;
bzImage)
	echo "  CC      kernel/pid.o"
	if [ -e "$STUB_MAKE_FAILS" ]; then
		echo "kernel/pid.c:42:1: error: expected expression"
		echo "make[1]: *** [scripts/Makefile.build:229: kernel/pid.o] Error 1"
		exit 2
	fi
	mkdir -p "$o/arch/x86/boot" && touch "$o/arch/x86/boot/bzImage" ;;
install) mkdir -p "$inst" && printf "#!/bin/sh\n" >"$inst/run_kselftest.sh" && chmod +x "$inst/run_kselftest.sh" ;;
esac'
build_fails() {
	local out
	touch "$tmp/make-fails"
	out=$(in_cache "$tmp/c-apply" STUB_MAKE_FAILS="$tmp/make-fails" "$scripts/build.sh" series 2>&1) &&
		{ echo "succeeded: $out"; return 1; }
	grep -q "kernel/pid.c:42:1: error: expected expression" <<<"$out" &&
		grep -q "the series kernel failed to build; the end of .*build.log is above" <<<"$out" ||
		{ echo "$out"; return 1; }
	rm "$tmp/make-fails"
	out=$(in_cache "$tmp/c-apply" STUB_MAKE_FAILS="$tmp/make-fails" "$scripts/build.sh" series 2>&1) ||
		{ echo "the next build failed: $out"; return 1; }
}
check "build: a failed kernel build shows the end of its log, the next build needs no clean-up" \
	build_fails

# The VM: a vng that hangs, panics, stops early, or waits to be stopped.
stub vng 'case $STUB_VNG in
hang) echo "Decompressing Linux... Parsing ELF... done."; exec sleep 30 ;;
panic) echo "[    0.91] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"; exit 0 ;;
early) echo "[    0.52] virtme-init: cannot find the root file system"; exit 1 ;;
wait) echo "$$" >"$STUB_VNG_PID"; echo "booting"; exec sleep 30 ;;
esac'
out=$(build_dir "$tmp/c-apply/trees/$rv/series")
mkdir -p "$out/kernel/arch/x86/boot" "$out/kselftest"
touch "$out/kernel/arch/x86/boot/bzImage"
cp "$stubs/make" "$out/kselftest/run_kselftest.sh"
vm_fails() { # vm_fails WHAT CONSOLE MESSAGE: vm.sh with STUB_VNG=WHAT fails, shows CONSOLE, says MESSAGE
	local out
	out=$(in_cache "$tmp/c-apply" STUB_VNG="$1" VM_ACCEL=tcg VM_TIMEOUT=1 "$scripts/vm.sh" series 2>&1) &&
		{ echo "succeeded: $out"; return 1; }
	grep -q -- "$2" <<<"$out" && grep -q -- "$3" <<<"$out" || { echo "$out"; return 1; }
}
check "vm: a VM that hangs is stopped at VM_TIMEOUT, its console shown, what to do said" \
	vm_fails hang "Decompressing Linux" "did not finish within VM_TIMEOUT=1s (tcg) and was stopped.*raise VM_TIMEOUT"
check "vm: a kernel panic is reported with the console" \
	vm_fails panic "Kernel panic - not syncing" "the series kernel crashed in the VM (console.log line 1:"
check "vm: a VM that stops before the tests ran is reported with the console" \
	vm_fails early "cannot find the root file system" "the VM exited (1) before the kselftests finished"

vm_interrupted() {
	local c=$tmp/c-apply pid
	rm -f "$tmp/vng.pid"
	# An entry point (run.sh) holds the lock while the VM runs.
	interrupted "$tmp/vng.pid" in_cache "$c" STUB_VNG=wait STUB_VNG_PID="$tmp/vng.pid" \
		VM_ACCEL=tcg VM_TIMEOUT=60 \
		bash -c '. "$1/lib.sh"; take_lock; "$1/vm.sh" series' _ "$scripts" || {
		pid=$(cat "$tmp/vng.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
		return 1
	}
	pid=$(cat "$tmp/vng.pid")
	! kill -0 "$pid" 2>/dev/null || { kill "$pid"; echo "the VM still runs after Ctrl-C"; return 1; }
	flock -n "$c/lock" true || { echo "the lock is still held"; return 1; }
}
check "vm: Ctrl-C stops the VM and frees the lock" vm_interrupted

# A missing command is named, with its package, before a stage's work.
check "need: a missing command is named with its Debian package" \
	fails_with "'nosuchcmd' not found: it comes with Debian's nosuchpkg package" \
	bash -c ". '$scripts/lib.sh'; need nosuchcmd:nosuchpkg"
# build.sh on a PATH with every command but rsync, which the kselftests'
# install calls only after the kernel's build.
mkdir -p "$tmp/norsync"
for f in /usr/local/bin/* /usr/bin/* /bin/*; do
	[ "${f##*/}" = rsync ] || ln -sf "$f" "$tmp/norsync/"
done
check "build: no rsync is found before the build, with its package" \
	fails_with "'rsync' not found: it comes with Debian's rsync package" \
	env PATH="$tmp/norsync" "$scripts/build.sh" series

# The Rust toolchain: the pin while apt offers it, else the newest version
# offered for all five packages that Linux 6.12 accepts; RUST_VERSION
# must be one apt offers.
rust_offers() { # rust_offers VERSION...: apt-cache madison offers these
	stub apt-cache "[ \"\$1\" = madison ] || exit 1
for v in $*; do echo \" \$2 | \$v | http://deb.debian.org/debian bookworm/main amd64 Packages\"; done"
}
rust_version_is() { # rust_version_is WANT [NAME=VALUE...]
	local want=$1 got
	shift
	got=$(in_cache "$tmp/rust" "$@" "$scripts/deps.sh" --rust-version 2>/dev/null) || return 1
	[ "$got" = "$want" ] || { echo "got $got, want $want"; return 1; }
}
rust_offers 1.96.0+dfsg1-1~deb12u2 1.85.0+dfsg3-1~deb12u3
check "deps: the pinned Rust while apt offers it" rust_version_is 1.96.0+dfsg1-1~deb12u2
rust_offers 1.97.1+dfsg1-1~deb12u1 1.85.0+dfsg3-1~deb12u3 1.63.0+dfsg1-2
check "deps: the newest Rust apt offers once the pin is gone" rust_version_is 1.97.1+dfsg1-1~deb12u1
rust_offers 1.63.0+dfsg1-2
check "deps: no Rust that Linux 6.12 accepts is refused" \
	fails_with "apt offers no rustc-web 1.78.0 or later" in_cache "$tmp/rust" "$scripts/deps.sh" --rust-version
rust_offers 1.97.1+dfsg1-1~deb12u1 1.85.0+dfsg3-1~deb12u3
check "deps: RUST_VERSION picks an offered version" \
	rust_version_is 1.85.0+dfsg3-1~deb12u3 RUST_VERSION=1.85.0+dfsg3-1~deb12u3
check "deps: a RUST_VERSION apt does not offer is refused" \
	fails_with "RUST_VERSION=1.90.0: apt does not offer this version of rustc-web" \
	in_cache "$tmp/rust" RUST_VERSION=1.90.0 "$scripts/deps.sh" --rust-version
rm -f "$stubs/apt-cache"

# ---- results counted right ----

check "bench: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch: not one of series, pre-cap, stock" "$scripts/bench.sh" nosuch
check "vm: an unknown MODE is refused" \
	fails_with "MODE=nosuch: use tests, bench or criu" "$scripts/vm.sh" series nosuch
# A build without the benchmark, in a cache of its own: the lock and the
# results stay apart from the real ones.
cache=$(build_dir "$tmp/cache/trees/$(ref_version "$(current_base_version)")/series")
mkdir -p "$cache/kernel/arch/x86/boot" "$cache/kselftest/$SELFTEST"
touch "$cache/kernel/arch/x86/boot/bzImage"
check "bench: a build without the benchmark is refused before booting" \
	fails_with "no benchmark at .*: the series patches lack it" \
	env CAPCR_CACHE="$tmp/cache" BASE_VERSION="$(current_base_version)" "$scripts/bench.sh" series

check "run: an unknown DEBUG is refused" \
	fails_with "DEBUG=2: use 1 for the debug kernel" env DEBUG=2 "$scripts/run.sh" series

# The console scan: a report of each kind fails its case and is shown; a
# clean console passes every case.
splats_found() { # splats_found KIND LINE: a console with LINE fails the KIND case only
	local out
	printf '[    0.10] Run /init as init process\n[    1.20] %s\n[    1.21] next line\n' "$2" >"$tmp/console.log"
	out=$("$scripts/splats.sh" "$tmp/console.log") && { echo "passed: $out"; return 1; }
	[ "$(grep -c '^not ok' <<<"$out")" = 1 ] || { echo "$out"; return 1; }
	grep -q "^not ok [0-9]* console: no $1 report" <<<"$out" || { echo "$out"; return 1; }
	grep -qF "# [    1.20] $2" <<<"$out" || { echo "the report is not shown: $out"; return 1; }
}
# The kernel's own report formats, each failing its kind only.
check "console: a WARN splat fails and is shown" \
	splats_found WARNING "WARNING: CPU: 1 PID: 57 at kernel/pid.c:215 alloc_pid+0x2f1/0x4a0"
check "console: a BUG fails and is shown" \
	splats_found BUG "BUG: kernel NULL pointer dereference, address: 0000000000000008"
check "console: a BUG() fails as BUG" splats_found BUG "kernel BUG at mm/slub.c:435!"
check "console: an Oops fails and is shown" \
	splats_found Oops "Oops: general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP"
check "console: a KASAN report fails as KASAN only" \
	splats_found KASAN "BUG: KASAN: slab-use-after-free in alloc_pid+0x5c/0x4a0"
check "console: a UBSAN report fails and is shown" \
	splats_found UBSAN "UBSAN: shift-out-of-bounds in ipc/ipc_sysctl.c:47:10"
check "console: a lockdep report fails as lockdep only" \
	splats_found lockdep "WARNING: possible recursive locking detected"
check "console: lockdep's BUG: Invalid wait context fails as lockdep only" \
	splats_found lockdep "BUG: Invalid wait context"
check "console: a hung task fails and is shown" \
	splats_found "hung task or soft lockup" "INFO: task clone3:71 blocked for more than 122 seconds."
check "console: a soft lockup fails as a lockup only" \
	splats_found "hung task or soft lockup" "watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [set_tid:80]"
check "console: a panic fails and is shown" \
	splats_found panic "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009"
# What userspace prints on the console is no kernel report: virtme-ng's
# init where the guest lacks a program, with and without printk's time.
userspace_console() {
	cat >"$tmp/console.log" <<-'EOT'
	[    0.10] Run /init as init process
	virtme-ng-init: WARNING: failed to run: "systemd-tmpfiles" ["--create", "--boot", "--exclude-prefix=/dev"] (No such file or directory)
	[    0.52] virtme-ng-init: WARNING: failed to run: "ip" ["link", "set", "dev", "lo", "up"] (No such file or directory)
	# selftests: cap_checkpoint_restore: BUG: not a kernel line
	ok 3 set_tid WARNING: CPU: 1 PID: 2 at nowhere
	EOT
	"$scripts/splats.sh" "$tmp/console.log"
}
check "console: userspace lines with WARNING: or BUG: pass" userspace_console
# A run's second boot (CRIU's) is scanned too: its report fails the case.
second_console() {
	local out
	printf '[    0.10] Run /init as init process\n' >"$tmp/console.log"
	printf '[    2.00] BUG: Bad rss-counter state mm:0000 type:MM_ANONPAGES val:1\n' >"$tmp/console2.log"
	out=$("$scripts/splats.sh" "$tmp/console.log" "$tmp/console2.log") && { echo "passed: $out"; return 1; }
	grep -q "^not ok [0-9]* console: no BUG report" <<<"$out" || { echo "$out"; return 1; }
	grep -qF "the first at line 1 of $tmp/console2.log" <<<"$out" || { echo "$out"; return 1; }
}
check "console: a report in a second console fails and names it" second_console
clean_console() {
	printf '[    0.10] Run /init as init process\n[    0.50] ok 1 rust_doctests_kernel\n' >"$tmp/console.log"
	"$scripts/splats.sh" "$tmp/console.log" >/dev/null
}
check "console: a clean console passes" clean_console

counts_are() { # counts_are "P F S" LINE
	printf '%s\n' "$2" >"$tmp/parsed"
	[ "$(kunit_counts "$tmp/parsed")" = "$1" ] || { echo "got $(kunit_counts "$tmp/parsed")"; return 1; }
}
check "counts: crashed tests and errors count as failed" \
	counts_are "2 4 1" "Testing complete. Ran 6 tests: passed: 2, failed: 1, crashed: 1, skipped: 1, 2 errors"
check "counts: no closing line counts as a failure" counts_are "0 1 0" "nothing parsed"
check "run: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch: not one of series, pre-cap, stock" "$scripts/run.sh" nosuch
check "apply: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch" "$scripts/apply.sh" nosuch

# A runner log with a passing program, a failing one, one that skips a
# case, one that crashed before printing its plan, one that crashed after
# its first case, and a second directory (the runner starts a TAP
# document for each).
mkdir -p "$tmp/r"
cat >"$tmp/r/kselftest.tap" <<'EOF'
TAP version 13
1..5
# selftests: d: good
ok 1 selftests: d: good
# selftests: d: bad
not ok 2 selftests: d: bad # exit=1
# selftests: d: skips
ok 3 selftests: d: skips
# selftests: d: crash
not ok 4 selftests: d: crash # exit=139
# selftests: d: midway
not ok 5 selftests: d: midway # exit=134
TAP version 13
1..1
# selftests: e: other
ok 1 selftests: e: other
EOF
printf '# timeout set to 45\n# TAP version 13\n# 1..2\n# ok 1 a\n# ok 2 b\n' >"$tmp/r/good.log"
printf '# TAP version 13\n# 1..2\n# # got EPERM\n# not ok 1 c\n# ok 2 d\n' >"$tmp/r/bad.log"
printf '# TAP version 13\n# 1..2\n# ok 1 e\n# ok 2 f # SKIP no ptmx\n' >"$tmp/r/skips.log"
printf '# thread panicked\n' >"$tmp/r/crash.log"
printf '# TAP version 13\n# 1..3\n# ok 1 h\n# thread panicked\n' >"$tmp/r/midway.log"
printf '# TAP version 13\n# 1..1\n# ok 1 g\n' >"$tmp/r/other.log"
awk -v logs="$tmp/r" -f "$scripts/kselftest-nest.awk" "$tmp/r/kselftest.tap" >"$tmp/r/nested"
kunit_parse "$tmp/r/nested" >"$tmp/r/parsed"
nested_counts_are() {
	[ "$(kunit_counts "$tmp/r/parsed")" = "$1" ] || { cat "$tmp/r/parsed"; return 1; }
}
check "kselftest nesting: every case of every directory counted, a skip is not a pass, a crash is a failure" \
	nested_counts_are "6 4 1"
check "kselftest nesting: a program that printed no plan is named as crashed before its first case" \
	grep -q "^# crash printed no KTAP plan: it crashed or was killed before its first case" "$tmp/r/nested"
check "kselftest nesting: a program that stopped after its plan is named, each case it never ran fails" \
	grep -q "midway stopped after 1 of its 3 cases" "$tmp/r/parsed"

printf '[PASSED] x: uid 65534 with CAP_CHECKPOINT_RESTORE: ok\n[FAILED] y: uid 65534 without capabilities: EPERM\n' >"$tmp/baseline"
check "baseline: a capability case that passes on the pre-cap base is caught" \
	fails_with "expected failed, got PASSED: x:" "$scripts/expect-baseline.sh" "$tmp/baseline"
check "baseline: a case without the capability that fails there is caught" \
	fails_with "expected passed, got FAILED: y:" "$scripts/expect-baseline.sh" "$tmp/baseline"

# ---- the security matrix ----

# The page as the series adds it, and the kselftest results of a run of
# the series kernel (tests/kselftest-series.ktap, as report.sh nests them).
mkdir -p "$tmp/page"
doc_patch=$(grep -l "^+++ b/$CAP_DOC" "$SERIES_DIR"/*.patch)
(cd "$tmp/page" && git apply --include="$CAP_DOC" "$doc_patch")
page=$tmp/page/$CAP_DOC
series_results=$PROJECT_DIR/tests/kselftest-series.ktap
matrix() { "$scripts/matrix.sh" "$page" "$1" "$tmp/matrix.ktap"; }

matrix_of_series() {
	local out selinux
	out=$(matrix "$series_results" 2>&1) || { echo "$out"; return 1; }
	selinux=$(awk -f "$scripts/matrix.awk" "$page" "$series_results" | cut -f 7 | LC_ALL=C sort -u | paste -sd ,)
	[ "$selinux" = "SELinux-denied,denied,not run" ] || { echo "SELinux column: $selinux"; return 1; }
	kunit_parse "$tmp/matrix.ktap" >"$tmp/matrix.parsed"
	# Every gate but amdkfd's (no GPU in the VM) has cases: it is skipped.
	[ "$(kunit_counts "$tmp/matrix.parsed")" = "10 0 1" ] || { cat "$tmp/matrix.parsed"; return 1; }
}
check "matrix: the series kernel's results agree with the page; SELinux-denied is filled where the SELinux test ran" \
	matrix_of_series

sed 's/ok 5 ns_last_pid: user namespace root: writing [0-9]* fails with EPERM/ok 5 ns_last_pid: user namespace root: child gets PID 3396/' \
	"$series_results" >"$tmp/more.ktap"
check "matrix: a cell that grants more than the page says is flagged and fails" \
	fails_with "differs: ns_last_pid: user-namespace root: the kselftests show mixed, the page says own ns (more than the page grants)" \
	matrix "$tmp/more.ktap"
sed 's/^\( *\)ok 2 \(PTRACE_O_SUSPEND_SECCOMP: uid 65534 with CAP_CHECKPOINT_RESTORE: .*\)/\1# expected EPERM, got success (())\n\1not ok 2 \2/' \
	"$series_results" >"$tmp/failed.ktap"
check "matrix: a failed case is read for what happened: an unexpected success is allowed" \
	fails_with "PTRACE_O_SUSPEND_SECCOMP: CAP_CHECKPOINT_RESTORE: the kselftests show allowed, the page says denied" \
	matrix "$tmp/failed.ktap"
{
	cat "$series_results"
	echo "    ok 1 map_files: uid 65534 with CAP_CHECKPOINT_RESTORE, SELinux domain capcr_denied_t without capability2 checkpoint_restore, enforcing: open reads its content"
} >"$tmp/selinux.ktap"
check "matrix: SELinux-denied results fill their column; one that is allowed is flagged" \
	fails_with "differs: map_files: SELinux-denied: the kselftests show allowed, the page says denied" \
	matrix "$tmp/selinux.ktap"
check "matrix: results that name no gate fail" \
	fails_with "no case in /dev/null names a gate with its credentials" matrix /dev/null

ktap_print
