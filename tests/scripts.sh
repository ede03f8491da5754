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

# ---- the scripts as text ----

# Every shell file git tracks (the scripts, these tests, CRIU's guest
# side, CI's entry point) passes shellcheck at warning level, which
# follows lib.sh where a script sources it (.shellcheckrc); its info and
# style notes are matters of taste.
shellcheck_clean() {
	local files
	need shellcheck:shellcheck
	mapfile -t files < <(git -C "$PROJECT_DIR" ls-files '*.sh' .ci/run)
	[ "${#files[@]}" -gt 1 ] || { echo "git lists no shell files in $PROJECT_DIR"; return 1; }
	(cd "$PROJECT_DIR" && shellcheck -S warning "${files[@]}")
}
check "shellcheck: every shell file is clean at warning level" shellcheck_clean

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
mkdir -p "$proj/series/1-a"
echo "1-a series pre-cap stock" >"$proj/series/runs"
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
	cp "$tmp/patches.out/0001-b2.patch" "$proj/series/1-a/"
	cp "$tmp/0002-bad.patch" "$proj/series/1-a/0002-c2.patch"
	fails_with "series/1-a/0002-c2.patch does not apply to the series tree (base/$rv/pre-cap) in hello.c: update the patch" \
		in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series || return 1
	[ ! -e "$(git -C "$tree" rev-parse --git-path rebase-apply)" ] || { echo "git am is still in progress"; return 1; }
	[ -z "$(git -C "$tree" status --porcelain)" ] || { git -C "$tree" status; return 1; }
	[ ! -e "$tree.applied" ] || { echo "the tree is marked applied"; return 1; }
	# Once the patch is fixed, the next run applies it: no clean-up.
	cp "$tmp/patches.out/0002-c2.patch" "$proj/series/1-a/"
	out=$(in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series 2>&1) || { echo "$out"; return 1; }
	[ "$(git -C "$tree" log -1 --format=%s)" = c2 ] || { git -C "$tree" log --oneline; return 1; }
}
check "apply: a patch that does not apply is named with its file, the am aborted, the next run applies the fixed one" \
	patch_fails

am_interrupted() {
	local hook=$tmp/c-apply/linux.git/hooks/pre-applypatch out
	# Forces a new run of git am; the hook holds it after the patch is in
	# the index and the files, before the commit.
	touch "$proj/series/1-a/0001-b2.patch"
	echo '# changed' >>"$proj/series/1-a/0001-b2.patch"
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
	echo '# changed' >>"$proj/series/1-a/0002-c2.patch"
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

# A build killed in the middle (SIGKILL: make cannot delete what it was
# writing) leaves a file cut short and newer than its source; the next
# kmake must build it again, not take it as up to date.
build_killed() {
	local t=$tmp/kmake job i
	mkdir -p "$t/tree" "$t/out"
	echo src >"$t/tree/src"
	# Written in two steps, as a long generator (bindgen) writes its output.
	printf '%s\n' 'all: $(O)/gen' '$(O)/gen: src' '\techo half >$@' \
		'\t[ -z "$$SLOW" ] || { touch $(O)/../writing; sleep 30; }' '\techo whole >>$@' |
		sed 's/\\t/\t/' >"$t/tree/Makefile"
	set -m
	SLOW=1 kmake "$t/tree" "$t/out" >"$t/log" 2>&1 &
	job=$!
	set +m
	for ((i = 0; i < 100; i++)); do [ ! -e "$t/writing" ] || break; sleep 0.1; done
	kill -KILL -- -"$job"
	wait "$job" 2>/dev/null
	[ "$(cat "$t/out/gen")" = half ] || { echo "the killed build did not leave a half-written file:"; cat "$t/log"; return 1; }
	kmake "$t/tree" "$t/out" >"$t/log" 2>&1 || { cat "$t/log"; return 1; }
	[ "$(cat "$t/out/gen")" = "$(printf 'half\nwhole')" ] ||
		{ echo "the half-written file was kept: $(cat "$t/out/gen")"; cat "$t/log"; return 1; }
	grep -q "the last build in $t/out did not end: removing the 1 files it wrote" "$t/log" || { cat "$t/log"; return 1; }
}
check "kmake: a file a killed build left half-written is built again by the next build" \
	build_killed

runs_names_missing() {
	local rc=0
	echo "2-b series" >>"$proj/series/runs"
	fails_with "series/runs names 2-b, which is not a directory of series/" \
		in_cache "$tmp/c-apply" "$proj/scripts/apply.sh" series || rc=1
	sed -i '/^2-b /d' "$proj/series/runs"
	return $rc
}
check "apply: a series that series/runs names but series/ lacks is refused, naming it" \
	runs_names_missing

# A kernel tree with tinyconfig's fragments, built by a make that fails
# like a compiler error while $tmp/make-fails exists.
mkdir -p "$tree/kernel/configs" "$tree/arch/x86/configs"
touch "$tree/kernel/configs/tiny-base.config" "$tree/kernel/configs/tiny.config" \
	"$tree/arch/x86/configs/tiny.config"
stub make 'for a; do case $a in O=*) o=${a#O=} ;; KCONFIG_ALLCONFIG=*) cfg=${a#*=} ;; INSTALL_PATH=*) inst=${a#*=} ;; TARGETS=*) targets=${a#*=} ;; allnoconfig | bzImage | install) t=$a ;; esac; done
case ${t:-} in
allnoconfig) cp "$cfg" "$o/.config" ;;
bzImage)
	echo "  CC      kernel/pid.o"
	if [ -e "$STUB_MAKE_FAILS" ]; then
		echo "kernel/pid.c:42:1: error: expected expression"
		echo "make[1]: *** [scripts/Makefile.build:229: kernel/pid.o] Error 1"
		exit 2
	fi
	mkdir -p "$o/arch/x86/boot" && touch "$o/arch/x86/boot/bzImage" ;;
install)
	mkdir -p "$inst" && printf "#!/bin/sh\n" >"$inst/run_kselftest.sh" && chmod +x "$inst/run_kselftest.sh"
	# As lib.mk does, a target that failed to build is left out.
	for t in $targets; do
		if [ -e "$STUB_SELFTEST_FAILS" ]; then echo "error: could not compile $t"; else mkdir -p "$inst/$t"; fi
	done ;;
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
selftest_fails() {
	local out
	touch "$tmp/selftest-fails"
	out=$(in_cache "$tmp/c-apply" STUB_SELFTEST_FAILS="$tmp/selftest-fails" "$scripts/build.sh" series 2>&1) &&
		{ echo "succeeded: $out"; return 1; }
	rm "$tmp/selftest-fails"
	grep -q "error: could not compile cap_checkpoint_restore" <<<"$out" &&
		grep -q "the cap_checkpoint_restore kselftests did not build in the series tree" <<<"$out" ||
		{ echo "$out"; return 1; }
}
check "build: a kselftest target the install left out is named with its first error" \
	selftest_fails

# The VM: a vng that hangs, panics, stops early, or waits to be stopped.
stub vng 'case $STUB_VNG in
hang) echo "Decompressing Linux... Parsing ELF... done."; exec sleep 30 ;;
panic) echo "[    0.91] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"; exit 0 ;;
early) echo "[    0.52] virtme-init: cannot find the root file system"; exit 1 ;;
wait) echo "$$" >"$STUB_VNG_PID"; echo "booting"; exec sleep 30 ;;
record) printf "%s\n" "$@" >"$STUB_VNG_ARGS" ;;
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
# writes_shared MODE PATTERN: vm.sh's guest command in MODE has PATTERN,
# in which RW stands for the one directory the VM may write (--rwdir):
# the host's root is shared read-only, so results go nowhere else.
mkdir -p "$out/kselftest/$SELFTEST"
cp "$stubs/make" "$out/kselftest/$SELFTEST/pid_select_bench"
writes_shared() {
	local rw cmd
	rm -f "$tmp/vng.args"
	in_cache "$tmp/c-apply" STUB_VNG=record STUB_VNG_ARGS="$tmp/vng.args" VM_ACCEL=tcg \
		"$scripts/vm.sh" series "$1" >/dev/null 2>&1
	[ -f "$tmp/vng.args" ] || { echo "vng was not started"; return 1; }
	rw=$(sed -n 's/^--rwdir=//p' "$tmp/vng.args")
	cmd=$(grep -x -A1 -- --exec "$tmp/vng.args" | tail -n 1)
	[ -n "$rw" ] && [[ $cmd == *${2//RW/"$rw"}* ]] || { echo "--rwdir=$rw; --exec $cmd"; return 1; }
}
results_shared() {
	writes_shared tests "guest-run.sh RW " &&
		writes_shared bench '>RW/bench.txt 2>&1; echo $? >RW/bench.rc'
}
check "vm: the kselftests and the benchmark write their results where the VM may write" results_shared

# RERUN=0 (make test's, for every kernel but the series): the kselftests
# run once in the boot, and the rerun check says why it has nothing to
# compare.  Run on the host with a runner that counts its passes.
rerun_once() {
	local ks=$tmp/rerun-ks res=$tmp/rerun-res n
	rm -rf "$ks" "$res" && mkdir -p "$ks" "$res"
	printf '%s\n' '#!/bin/sh' 'echo x >>"$(dirname "$0")/passes"' \
		'[ "$1" != -l ] || { echo cr:selinux; exit 0; }' \
		'echo "# selftests: cr: selinux"; echo "ok 1 selftests: cr: selinux"' >"$ks/run_kselftest.sh"
	chmod +x "$ks/run_kselftest.sh"
	RERUN=0 sh "$scripts/guest-run.sh" "$res" "$ks" cr:selinux -c cr >/dev/null 2>&1
	n=$(wc -l <"$ks/passes")
	[ "$n" = 1 ] || { echo "the runner ran $n times with RERUN=0"; return 1; }
	"$scripts/expect-rerun.sh" "$res" | grep -q '^ok 1 .* # SKIP not asked for (RERUN=0)' ||
		{ "$scripts/expect-rerun.sh" "$res"; return 1; }
	rm -rf "$res" "$ks/passes" && mkdir -p "$res"
	sh "$scripts/guest-run.sh" "$res" "$ks" cr:selinux -c cr >/dev/null 2>&1
	n=$(wc -l <"$ks/passes")
	[ "$n" = 3 ] || { echo "the runner ran $n times (two passes and a listing) without RERUN"; return 1; }
}
check "vm: RERUN=0 runs the kselftests once, and the rerun check skips, saying why" rerun_once
check "vm: RERUN=yes is refused" fails_with "RERUN='yes': use 1" env RERUN=yes "$scripts/vm.sh" series

# apt_stubs_aside: the usual apt stubs set aside, for a test's own;
# apt_stubs_back puts them back.  trixie_offers_criu: apt as
# criu-root.sh asks it what trixie offers (private_apt): criu 4.1.1-1.
apt_stubs_aside() {
	mv "$stubs/apt-get" "$tmp/apt-get.saved"
	mv "$stubs/apt-cache" "$tmp/apt-cache.saved"
}
trixie_offers_criu() {
	apt_stubs_aside
	stub apt-get 'exit 0'
	stub apt-cache 'for a; do [ "$a" != madison ] || { echo " criu | 4.1.1-1 | https://deb.example trixie/main"; exit 0; }; done; exit 1'
}
apt_stubs_back() {
	mv "$tmp/apt-get.saved" "$stubs/apt-get"
	mv "$tmp/apt-cache.saved" "$stubs/apt-cache"
}

# ARCH=arm64: the guest boots qemu-system-aarch64 on an arm64 root of its
# own (criu-root.sh arm64, made here by stubs of mmdebstrap and chroot),
# with the kernel's modules and the kselftests shared into it, the
# results written where it may write.  qemu-user and the rest are stubs:
# a fresh machine has them only after an arm64 make run.
arm64_vm() {
	local a64 rw cmd root
	a64=$(build_dir "$tmp/c-apply/trees/$rv/series")-arm64
	mkdir -p "$a64/kernel/arch/arm64/boot" "$a64/kselftest" "$a64/modules/lib/modules/6.12.1"
	touch "$a64/kernel/arch/arm64/boot/Image"
	cp "$stubs/make" "$a64/kselftest/run_kselftest.sh"
	for c in qemu-system-aarch64 qemu-aarch64-static update-binfmts arch-test; do stub "$c" 'exit 0'; done
	stub mmdebstrap 'printf "%s\n" "$@" >"$STUB_MMDEBSTRAP_ARGS"; mkdir -p "${@: -2:1}/usr/lib/modules"'
	stub chroot 'printf "criu\t4.1.1-1\n"'
	trixie_offers_criu
	rm -f "$tmp/vng.args" "$tmp/mmdebstrap.args"
	in_cache "$tmp/c-apply" ARCH=arm64 STUB_VNG=record STUB_VNG_ARGS="$tmp/vng.args" \
		STUB_MMDEBSTRAP_ARGS="$tmp/mmdebstrap.args" "$scripts/vm.sh" series >"$tmp/vm-arm64.log" 2>&1
	rm -f "$stubs"/{qemu-system-aarch64,qemu-aarch64-static,update-binfmts,arch-test,mmdebstrap,chroot}
	apt_stubs_back
	[ -f "$tmp/vng.args" ] || { echo "vng was not started:"; cat "$tmp/vm-arm64.log"; return 1; }
	grep -qx -- --architectures=arm64 "$tmp/mmdebstrap.args" ||
		{ echo "mmdebstrap was not asked for an arm64 root:"; cat "$tmp/mmdebstrap.args"; return 1; }
	root=$(grep -x -A1 -- --root "$tmp/vng.args" | tail -n 1)
	rw=$(sed -n 's/^--rwdir=//p' "$tmp/vng.args")
	cmd=$(grep -x -A1 -- --exec "$tmp/vng.args" | tail -n 1)
	grep -qx -- "--arch" "$tmp/vng.args" && grep -qx arm64 "$tmp/vng.args" &&
		grep -qx -- --disable-kvm "$tmp/vng.args" &&
		grep -qx -- "/usr/lib/modules=$a64/modules/lib/modules" "$tmp/vng.args" &&
		grep -qx -- "/run/kselftest=$a64/kselftest" "$tmp/vng.args" &&
		[ -d "$root/usr/lib/modules" ] && [ "$rw" = "/run/capcr=$tmp/c-apply/results/$rv/series-arm64" ] &&
		[[ $cmd == "RERUN=1 sh /run/capcr/guest-run.sh /run/capcr /run/kselftest "* ]] ||
		{ echo "vng's arguments:"; cat "$tmp/vng.args"; return 1; }
}
check "vm: ARCH=arm64 boots its own arm64 root, the modules and kselftests shared, results where it may write" arm64_vm
no_binfmt() {
	local c out
	for c in qemu-aarch64-static update-binfmts; do stub "$c" 'exit 0'; done
	stub arch-test 'exit 1'
	trixie_offers_criu
	fails_with "this machine cannot run arm64 programs (arch-test arm64 failed): qemu-user is not registered with binfmt_misc" \
		in_cache "$tmp/c-binfmt" "$scripts/criu-root.sh" arm64 || return 1
	[ -z "$(ls -A "$tmp/c-binfmt/criu-root" 2>/dev/null)" ] || { echo "it made $(ls -A "$tmp/c-binfmt/criu-root")"; return 1; }
	# Once built, the root is booted without qemu-user: a cached one
	# does not ask for it.
	stub arch-test 'exit 0'
	stub mmdebstrap 'mkdir -p "${@: -2:1}/usr/lib/modules"'
	stub chroot 'printf "criu\t4.1.1-1\n"'
	in_cache "$tmp/c-binfmt" "$scripts/criu-root.sh" arm64 >/dev/null 2>&1 || { echo "no root was built"; return 1; }
	rm -f "$stubs"/{qemu-aarch64-static,update-binfmts,arch-test,mmdebstrap,chroot}
	out=$(in_cache "$tmp/c-binfmt" "$scripts/criu-root.sh" arm64 2>&1) &&
		grep -q 'criu root: .* (cached)' <<<"$out" || { echo "a cached root: $out"; return 1; }
	apt_stubs_back
}
check "criu-root: an arm64 root on a machine that cannot run arm64 programs is refused, saying what to do; a cached one is not" no_binfmt
# A root built again (another CRIU version, another package list)
# replaces the old one of its architecture, and only that one.
criu_root_replaced() {
	local c=$tmp/c-roots new
	mkdir -p "$c/criu-root/000000000001/var/lib/dpkg" "$c/criu-root/000000000002/var/lib/dpkg"
	echo amd64 >"$c/criu-root/000000000001/var/lib/dpkg/arch"
	echo arm64 >"$c/criu-root/000000000002/var/lib/dpkg/arch"
	touch "$c/criu-root/000000000001.packages" "$c/criu-root/000000000002.packages"
	trixie_offers_criu
	stub mmdebstrap 'mkdir -p "${@: -2:1}/var/lib/dpkg"; echo amd64 >"${@: -2:1}/var/lib/dpkg/arch"'
	stub chroot 'printf "criu\t4.1.1-1\n"'
	new=$(in_cache "$c" "$scripts/criu-root.sh" 2>"$tmp/roots.err") || { cat "$tmp/roots.err"; return 1; }
	rm -f "$stubs"/{mmdebstrap,chroot}
	apt_stubs_back
	[ -d "$new" ] && [ -f "$new.packages" ] || { echo "no new root: $new"; return 1; }
	[ ! -e "$c/criu-root/000000000001" ] && [ ! -e "$c/criu-root/000000000001.packages" ] ||
		{ echo "the old amd64 root is still there"; return 1; }
	[ -d "$c/criu-root/000000000002" ] && [ -f "$c/criu-root/000000000002.packages" ] ||
		{ echo "the arm64 root went too"; return 1; }
	grep -q "removing $c/criu-root/000000000001, the amd64 root" "$tmp/roots.err" || { cat "$tmp/roots.err"; return 1; }
}
check "criu-root: a root built again replaces the old one of its architecture, not the other's" criu_root_replaced
# distro-root.sh: the root of a Debian kernel package that a point release
# replaced goes when the new one is built; the other kernel's stays.
distro_root_replaced() {
	local c=$tmp/c-distro old new
	old=$c/distro-root/debian-6.1-000000000001
	mkdir -p "$old" "$c/distro-root/debian-6.12-000000000002" "$tmp/kpkg/boot"
	touch "$old.packages" "$c/distro-root/debian-6.12-000000000002.packages" "$tmp/kpkg/boot/vmlinuz-6.1.0-99-amd64"
	apt_stubs_aside
	stub apt-cache 'for a; do case $a in madison) echo " x | 4.1.1-1 | https://deb.example trixie/main"; exit 0 ;;
		depends) echo "  Depends: linux-image-6.1.0-99-amd64"; exit 0 ;; esac; done; exit 1'
	stub apt-get 'p=${*: -1}; [ "${*: -2:1}" != download ] || touch "${p%%=*}_${p#*=}_amd64.deb"'
	stub mmdebstrap 'mkdir -p "${@: -2:1}/var/lib/dpkg"; echo amd64 >"${@: -2:1}/var/lib/dpkg/arch"'
	stub chroot 'printf "criu\t4.1.1-1\n"'
	stub dpkg-deb "tar -C '$tmp/kpkg' -cf - ."
	stub depmod 'exit 0'
	new=$(in_cache "$c" "$scripts/distro-root.sh" debian-6.1 2>"$tmp/distro.err") || { cat "$tmp/distro.err"; return 1; }
	rm -f "$stubs"/{mmdebstrap,chroot,dpkg-deb,depmod}
	apt_stubs_back
	new=${new%% *}
	[ -f "$new/boot/vmlinuz-6.1.0-99-amd64" ] && [ -f "$new.packages" ] || { echo "no new root: $new"; return 1; }
	[ ! -e "$old" ] && [ ! -e "$old.packages" ] || { echo "the old debian-6.1 root is still there"; return 1; }
	[ -d "$c/distro-root/debian-6.12-000000000002" ] && [ -f "$c/distro-root/debian-6.12-000000000002.packages" ] ||
		{ echo "the debian-6.12 root went too"; return 1; }
	grep -q "removing $old, the root of an earlier package" "$tmp/distro.err" || { cat "$tmp/distro.err"; return 1; }
}
check "distro-root: a root built for a newer kernel package replaces that kernel's old one, not the other kernel's" distro_root_replaced

# artifact.sh: a build handed from one CI job to another holds what the VM
# and the report need and no objects, comes back whole in place of what
# was there, and is refused for another architecture or patches.
artifact_round_trip() {
	local o a=$tmp/build.tar list out
	o=$(build_dir "$tmp/c-apply/trees/$rv/series")
	mkdir -p "$o/kernel/samples/rust"
	printf 'samples/rust/sample.o\n' >"$o/kernel/modules.order"
	touch "$o/kernel/samples/rust/sample.ko" "$o/kernel/samples/rust/sample.o" "$o/kernel/modules.builtin" \
		"$o/kernel/System.map"
	in_cache "$tmp/c-apply" "$scripts/artifact.sh" pack series "$a" || return 1
	list=$(tar -tf "$a")
	grep -qx kernel/arch/x86/boot/bzImage <<<"$list" && grep -qx kernel/samples/rust/sample.ko <<<"$list" &&
		grep -qx kernel/System.map <<<"$list" &&
		grep -qx kselftest/run_kselftest.sh <<<"$list" && ! grep -q '\.o$' <<<"$list" ||
		{ echo "packed: $list"; return 1; }
	touch "$o/kernel/stale.o"
	in_cache "$tmp/c-apply" "$scripts/artifact.sh" unpack series "$a" || return 1
	[ -f "$o/kernel/samples/rust/sample.ko" ] && [ -x "$o/kselftest/run_kselftest.sh" ] &&
		[ ! -e "$o/kernel/stale.o" ] || { echo "unpacked: $(cd "$o" && find . | sort)"; return 1; }
	out=$(in_cache "$tmp/c-apply" ARCH=arm64 "$scripts/artifact.sh" unpack series "$a" 2>&1) &&
		{ echo "an x86_64 build was unpacked as arm64's: $out"; return 1; }
	grep -q "holds kernel=series arch=x86_64 .*, not kernel=series arch=arm64" <<<"$out" || { echo "$out"; return 1; }
	echo "not a tar" >"$tmp/bogus.tar"
	fails_with "is not an artifact of artifact.sh pack" \
		in_cache "$tmp/c-apply" "$scripts/artifact.sh" unpack series "$tmp/bogus.tar"
}
check "artifact: a build packed without objects unpacks whole in its place; another ARCH's is refused" \
	artifact_round_trip

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

# kunit-config.sh: a tree without kunit.py and an unknown config are
# named, with what to give instead.
mkdir -p "$tmp/kunit-tree/tools/testing/kunit"
touch "$tmp/kunit-tree/tools/testing/kunit/kunit.py"
kunit_refused() { # kunit_refused PATTERN ARGS...: refused, saying PATTERN, no cache made
	fails_with "$1" in_cache "$tmp/kc" "$scripts/kunit-config.sh" "${@:2}" || return 1
	[ ! -e "$tmp/kc" ] || { echo "left $tmp/kc behind"; return 1; }
}
check "kunit-config: a directory that is no kernel tree is refused" \
	kunit_refused "no kernel tree at '$tmp': give a tree made by scripts/apply.sh" "$tmp" no-user-ns
check "kunit-config: an unknown config is refused, naming the known ones" \
	kunit_refused "no KUnit config 'bogus' in kconfig/kunit: give one of: no-multiuser no-user-ns" \
	"$tmp/kunit-tree" bogus
check "kunit-config: no config given is refused, naming the known ones" \
	kunit_refused "no KUnit config '' in kconfig/kunit: give one of: no-multiuser no-user-ns" \
	"$tmp/kunit-tree"

# kunit-config.sh prints kunit.py's progress and KTAP, and keeps the
# build's output (thousands of clang warnings on UML) in a file, which it
# shows the end of when kunit.py fails.  A stub kunit.py prints one of
# each and exits with $STUB_RC.
stub_tree=$tmp/kunit-stub
mkdir -p "$stub_tree/tools/testing/kunit"
cat >"$stub_tree/tools/testing/kunit/kunit.py" <<'EOF_'
import os, sys
print("[00:00:00] Building KUnit Kernel ...")
print("include/asm-generic/io.h:1:1: warning: a build warning")
print("KTAP version 1\n1..1\nok 1 a_case")
sys.exit(int(os.environ.get("STUB_RC", "0")))
EOF_
kunit_filtered() { # kunit_filtered RC: kunit-config.sh's output and log with the stub exiting RC
	local out rc=0 blog=$stub_tree/.build/kunit-no-user-ns-um/kunit.py-build.log
	out=$(in_cache "$tmp/kc2" STUB_RC="$1" "$scripts/kunit-config.sh" "$stub_tree" no-user-ns 2>"$tmp/kc2.err") || rc=$?
	[ "$out" = "$(printf '[00:00:00] Building KUnit Kernel ...\nKTAP version 1\n1..1\nok 1 a_case')" ] ||
		{ echo "stdout: $out"; return 1; }
	grep -qx "include/asm-generic/io.h:1:1: warning: a build warning" "$blog" || { echo "no warning in $blog"; return 1; }
	if [ "$1" = 0 ]; then
		[ $rc = 0 ] && ! grep -q "a build warning" "$tmp/kc2.err" || { cat "$tmp/kc2.err"; return 1; }
	else
		[ $rc != 0 ] && grep -q "a build warning" "$tmp/kc2.err" || { echo "rc $rc"; cat "$tmp/kc2.err"; return 1; }
	fi
}
check "kunit-config: only kunit.py's progress and KTAP are printed, the build's output is kept" kunit_filtered 0
check "kunit-config: when kunit.py fails, the end of the build's output is shown and the exit is non-zero" kunit_filtered 1

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
# A fresh machine's lists may predate bookworm-security's newest Rust: the
# version to install is chosen again after apt-get update, not taken from
# the stale lists (whose version and its dependencies are gone).
stale_lists() {
	local d=$tmp/stale out
	mkdir -p "$d"
	echo 1.85.0+dfsg3-1~deb12u3 >"$d/offered"
	stub apt-cache "[ \"\$1\" = madison ] || exit 1
for v in \$(cat '$d/offered'); do echo \" \$2 | \$v | http://deb.debian.org/debian bookworm/main amd64 Packages\"; done"
	stub apt-get "case \$1 in
update) echo 1.96.0+dfsg1-1~deb12u2 1.85.0+dfsg3-1~deb12u3 >'$d/offered' ;;
*) echo \"apt-get \$*\"; exit 1 ;;
esac"
	stub dpkg-query "exit 1"
	out=$(in_cache "$d/cache" "$scripts/deps.sh" 2>&1) && { echo "deps.sh succeeded: $out"; return 1; }
	grep -q "install .*rustc-web=1.96.0+dfsg1-1~deb12u2" <<<"$out" || { echo "$out"; return 1; }
	# Said once, from the fresh lists: not the stale lists' choice first.
	[ "$(grep -c '^==> rust: ' <<<"$out")" = 1 ] && grep -q '^==> rust: rustc-web 1.96.0+dfsg1-1~deb12u2 (the pinned version)' <<<"$out" ||
		{ echo "$out"; return 1; }
	rm -f "$stubs/apt-get" "$stubs/dpkg-query"
}
check "deps: stale apt lists are refreshed before the Rust version is chosen, and only that choice is said" stale_lists
rm -f "$stubs/apt-cache"

# ---- the GitHub workflows ----

# Both workflows and the matrix's setup action are what GitHub accepts:
# check-jsonschema (deps.sh) with the schemas it carries, offline.
workflows_valid() {
	local gh=$PROJECT_DIR/.github
	command -v check-jsonschema >/dev/null || { echo "no check-jsonschema: run scripts/deps.sh"; return 1; }
	check-jsonschema --builtin-schema vendor.github-workflows "$gh"/workflows/*.yml &&
		check-jsonschema --builtin-schema vendor.github-actions "$gh"/actions/*/action.yml
}
check "workflows: .github's workflows and action validate against GitHub's schemas" workflows_valid

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

counts_are() { # counts_are COUNTS "P F S" LINE: COUNTS (kunit_counts, strict_counts) of LINE
	printf '%s\n' "$3" >"$tmp/parsed"
	[ "$("$1" "$tmp/parsed")" = "$2" ] || { echo "got $("$1" "$tmp/parsed")"; return 1; }
}
check "counts: crashed tests and errors count as failed" \
	counts_are kunit_counts "2 4 1" "Testing complete. Ran 4 tests: passed: 2, failed: 1, crashed: 1, skipped: 1, errors: 2"
check "counts: no closing line counts as a failure" counts_are kunit_counts "0 1 0" "nothing parsed"
# What kunit.py parse says of a part that printed no KTAP (a kernel that
# did not build): once counted as 0 passed, 0 failed.
check "counts: a part with no KTAP counts as a failure" \
	counts_are kunit_counts "0 1 0" "Testing complete. Ran 0 tests: errors: 1"
check "counts: a part in which nothing ran counts as a failure" \
	counts_are kunit_counts "0 1 0" "Testing complete. Ran 0 tests: "
# A kernel with module support builds its modules too (the Rust sample is
# one); kbuild refuses 'make modules' in one without.
modules_built() {
	printf 'CONFIG_RUST=y\nCONFIG_MODULES=y\n' >"$tmp/with.config"
	printf 'CONFIG_RUST=y\n# CONFIG_MODULES is not set\n' >"$tmp/without.config"
	[ "$(kernel_targets "$tmp/with.config")" = "bzImage modules" ] &&
		[ "$(kernel_targets "$tmp/without.config")" = bzImage ] &&
		[ "$(karch=arm64 kernel_targets "$tmp/with.config")" = "Image modules" ] || {
		echo "with: $(kernel_targets "$tmp/with.config"); without: $(kernel_targets "$tmp/without.config"); arm64: $(karch=arm64 kernel_targets "$tmp/with.config")"
		return 1
	}
}
check "build: a kernel with modules has them built, one without is not asked to; arm64's image is Image" modules_built
# A foreign architecture's Debian name and cross compiler come from its
# CROSS_TARGETS row; one without a row is named.
cross_names() {
	[ "$(debian_arch x86_64)" = amd64 ] && [ "$(debian_arch arm64)" = arm64 ] &&
		[ "$(cross_field arm64 4)" = aarch64-linux-gnu ] && [ "$(cross_field riscv 3)" = riscv64 ] ||
		{ echo "amd64? $(debian_arch x86_64) arm64? $(debian_arch arm64) $(cross_field arm64 4) $(cross_field riscv 3)"; return 1; }
	fails_with "no CROSS_TARGETS row for the kernel ARCH 'mips'" debian_arch mips
}
check "lib: debian_arch and the cross compiler come from CROSS_TARGETS; an ARCH without a row is named" cross_names
# binfmt_register: where binfmt_misc is not mounted (a fresh machine
# without systemd's automount), it is mounted and qemu-user enabled; where
# that does not help, what to do is said.
binfmt_registers() {
	local d=$tmp/binfmt out
	rm -rf "$d" && mkdir -p "$d/bin"
	printf '#!/bin/sh
[ -e %s/enabled ]
' "$d" >"$d/bin/arch-test"
	printf '#!/bin/sh
exit 1
' >"$d/bin/mountpoint"
	printf '#!/bin/sh
echo "$*" >%s/mounted
' "$d" >"$d/bin/mount"
	printf '#!/bin/sh
[ "$*" = "--enable qemu-aarch64" ] && [ -e %s/mounted ] && touch %s/enabled
' "$d" "$d" >"$d/bin/update-binfmts"
	chmod +x "$d"/bin/*
	out=$(PATH="$d/bin:$PATH" bash -c '. "$1/lib.sh"; binfmt_register arm64' _ "$scripts" 2>&1) &&
		grep -qx -- "-t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc" "$d/mounted" ||
		{ echo "registering: $out; mounted: $(cat "$d/mounted" 2>/dev/null)"; return 1; }
	rm -f "$d/enabled" "$d/mounted"
	printf '#!/bin/sh
exit 1
' >"$d/bin/update-binfmts"
	PATH="$d/bin:$PATH" fails_with "this machine cannot run arm64 programs (arch-test arm64 failed).*update-binfmts --enable qemu-aarch64" \
		bash -c '. "$1/lib.sh"; binfmt_register arm64' _ "$scripts"
}
check "lib: binfmt_register mounts binfmt_misc and enables qemu-aarch64 where they are missing, else says what to do" binfmt_registers
check "counts: where every test must run (the series kselftests), a skip counts as failed" \
	counts_are strict_counts "196 3 0" "Testing complete. Ran 198 tests: passed: 196, failed: 1, skipped: 2"
check "run: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch: not one of series, pre-cap, stock" "$scripts/run.sh" nosuch
check "apply: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch" "$scripts/apply.sh" nosuch

check "apply: Debian's own kernel is refused: there is nothing to apply" \
	fails_with "KERNEL=debian-6.1 is Debian's own kernel: nothing to apply" in_cache "$tmp/c-apply" "$scripts/apply.sh" debian-6.1
check "apply: the debug kernel of Debian's kernel is refused" \
	fails_with "DEBUG=1 with KERNEL=debian-6.12: Debian's kernel is as Debian built it" \
	in_cache "$tmp/c-apply" DEBUG=1 "$scripts/apply.sh" debian-6.12
check "apply: KERNEL=tree without TREE is refused, saying what to give" \
	fails_with "KERNEL=tree needs TREE=/path/to/linux" in_cache "$tmp/c-apply" "$scripts/apply-tree.sh"

# ARCH: the architectures there are; what arm64 does not run; make test,
# which picks each run's architecture itself.
check "arch: an unknown ARCH is refused, naming the ones there are" \
	fails_with "ARCH=sparc: use x86_64 (the default) or arm64" in_cache "$tmp/c-apply" ARCH=sparc "$scripts/run.sh" series
check "arch: ARCH=arm64 with Debian's kernel is refused" \
	fails_with "ARCH=arm64 with KERNEL=debian-6.1: Debian's own kernels run on x86_64 only" \
	in_cache "$tmp/c-apply" ARCH=arm64 "$scripts/vm.sh" debian-6.1
check "arch: ARCH=arm64 with the debug kernel is refused" \
	fails_with "DEBUG=1 with ARCH=arm64: the debug kernel is built for x86_64 only" \
	in_cache "$tmp/c-apply" ARCH=arm64 DEBUG=1 "$scripts/build.sh" series
check "arch: make test with ARCH=arm64 is refused: it chooses each run's architecture" \
	fails_with "ARCH=arm64: make test and make test-all choose each run's architecture (make test-all runs arm64 too)" \
	in_cache "$tmp/c-test" ARCH=arm64 "$scripts/test.sh"
# idle.sh: what it starts runs under SCHED_IDLE and, where the kernel has
# autogroups, in a group of nice 19 (its session's, from setsid).
idle_priority() {
	local out
	out=$(setsid "$scripts/idle.sh" sh -c 'chrt -p $$; cat /proc/$$/autogroup 2>/dev/null || echo "no autogroup"')
	grep -q "scheduling policy: SCHED_IDLE" <<<"$out" || { echo "not SCHED_IDLE: $out"; return 1; }
	[ ! -e /proc/self/autogroup ] || grep -q "nice 19" <<<"$out" || { echo "autogroup not at nice 19: $out"; return 1; }
}
check "idle: a command beside the kernels (make test-all's arm64 build) runs at the lowest priority, its autogroup too" idle_priority
check "test: an unknown argument is refused, naming the ones there are" \
	fails_with "unknown argument 'everything': 'scripts/test.sh' runs make test, 'scripts/test.sh all' make test-all" \
	in_cache "$tmp/c-test" "$scripts/test.sh" everything

# make run TREE=: the user's own tree, a git tree with what apply-tree.sh
# looks for and hello.c for the fake series' patches.
user=$tmp/user-tree
mkdir -p "$user/include/uapi/linux" "$user/tools/testing/selftests"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n' >"$user/Makefile"
touch "$user/Kconfig" "$user/tools/testing/selftests/Makefile"
echo '#define CAP_BPF 39' >"$user/include/uapi/linux/capability.h"
printf 'int a;\nint b;\nint c;\n' >"$user/hello.c"
git -C "$user" init -q
git -C "$user" add .
git -C "$user" -c user.name=t -c user.email=t@example.org commit -q -m base
user_tree() { in_cache "$tmp/c-apply" TREE="$user" "$proj/scripts/apply-tree.sh"; }
# untouched: the user's tree is as it was made (or as the test changed it)
untouched() {
	[ "$(git -C "$user" rev-list --count HEAD)" = 1 ] || { git -C "$user" log --oneline; return 1; }
	[ ! -e "$(git -C "$user" rev-parse --git-path rebase-apply)" ] || { echo "git am in progress in TREE"; return 1; }
	[ -z "$(git -C "$user" status --porcelain --untracked-files=no)" ] || { git -C "$user" status; return 1; }
}
not_a_kernel() {
	fails_with "TREE=$tmp/stubs: not a git work tree" in_cache "$tmp/c-apply" TREE="$tmp/stubs" "$proj/scripts/apply-tree.sh" || return 1
	git -C "$tmp/stubs" init -q && git -C "$tmp/stubs" add . &&
		git -C "$tmp/stubs" -c user.name=t -c user.email=t@example.org commit -q -m stubs
	fails_with "TREE=$tmp/stubs: not a Linux kernel tree (it has no Makefile)" \
		in_cache "$tmp/c-apply" TREE="$tmp/stubs" "$proj/scripts/apply-tree.sh" || return 1
	rm -rf "$tmp/stubs/.git"
	fails_with "TREE=$tmp/nosuch: no such directory" in_cache "$tmp/c-apply" TREE="$tmp/nosuch" "$proj/scripts/apply-tree.sh"
}
check "tree: TREE that is no directory, no git tree or no kernel tree is refused, saying what to give" not_a_kernel
dirty_tree() {
	echo 'int d;' >>"$user/hello.c"
	fails_with "TREE=$user has uncommitted changes (hello.c).*commit or stash them" user_tree || return 1
	git -C "$user" checkout -q hello.c
	[ ! -e "$tmp/c-apply/trees/user" ] || { echo "a copy was made: $(ls "$tmp/c-apply/trees/user")"; return 1; }
}
check "tree: a TREE with uncommitted changes is refused, naming them, and nothing is made" dirty_tree
tree_patch_fails() {
	cp "$tmp/patches.out/0001-b2.patch" "$proj/series/1-a/"
	cp "$tmp/0002-bad.patch" "$proj/series/1-a/0002-c2.patch"
	fails_with "series/1-a/0002-c2.patch does not apply to TREE=$user (at [0-9a-f]*).*TREE is untouched" user_tree || return 1
	untouched
}
check "tree: a patch that does not apply is named, and TREE is left as it was" tree_patch_fails
tree_applies() {
	local out copy
	cp "$tmp/patches.out/0002-c2.patch" "$proj/series/1-a/"
	out=$(user_tree 2>&1) || { echo "$out"; return 1; }
	grep -q "it lacks CAP_CHECKPOINT_RESTORE: every series (as the series run)" <<<"$out" &&
		grep -q "apply  1-a (2 patches)" <<<"$out" || { echo "no decision: $out"; return 1; }
	copy=$(tail -n 1 <<<"$out")
	[ "$(git -C "$copy" log -1 --format=%s)" = c2 ] || { git -C "$copy" log --oneline; return 1; }
	untouched || return 1
	# With the capability, the stock run's series: here the same one.
	echo '#define CAP_CHECKPOINT_RESTORE 40' >>"$user/include/uapi/linux/capability.h"
	git -C "$user" -c user.name=t -c user.email=t@example.org commit -q -am cap
	out=$(user_tree 2>&1) || { echo "$out"; return 1; }
	grep -q "it has CAP_CHECKPOINT_RESTORE: the series upstream lacks (as the stock run)" <<<"$out" || { echo "$out"; return 1; }
	git -C "$user" reset -q --hard HEAD~1
}
check "tree: the series TREE needs is decided from it and printed, applied on a copy, TREE unchanged" tree_applies

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

# The kselftest results of a run of the series kernel
# (tests/kselftest-series.ktap, as report.sh nests them): cases named
# "GATE VARIANT CREDS", each after its "# want: ...; got: ..." line.
series_results=$PROJECT_DIR/tests/kselftest-series.ktap
kunit_parse "$series_results" >"$tmp/series.parsed"
# with_case NAME GOT [KTAP]: KTAP (the series results) with case NAME's
# got: replaced by GOT and its status set from it (ok when it is what the
# case wants); GOT "# SKIP WHY" skips the case instead, with no want/got
# line.
with_case() {
	awk -v name="$1" -v got="$2" '
		function flush() { if (held) print prev; held = 0 }
		match($0, /^ *(not )?ok [0-9]+ /) && substr($0, RLENGTH + 1) == name {
			if (!held || prev !~ /# want: .*; got: /) { print "no want/got line before " name > "/dev/stderr"; exit 1 }
			want = prev
			sub(/.*# want: /, "", want)
			sub(/; got: .*/, "", want)
			indent = $0
			sub(/[^ ].*/, "", indent)
			n = $0
			sub(/^ *(not )?ok /, "", n)
			sub(/ .*/, "", n)
			if (got ~ /^# SKIP/)
				print indent "ok " n " " name " " got
			else {
				sub(/; got: .*/, "; got: " got, prev)
				print prev
				print indent (got == want ? "ok " : "not ok ") n " " name
			}
			held = 0
			found = 1
			next
		}
		{ flush(); prev = $0; held = 1 }
		END { flush(); if (!found) { print "no case " name > "/dev/stderr"; exit 1 } }' "${3:-$series_results}"
}

# ---- the pre-cap expectations (expect-baseline.sh) ----

# A list of tests/pre-cap-failures.txt's shape, and results of both sets
# as kunit.py parse prints them.
mkdir -p "$tmp/baseline"
cat >"$tmp/baseline/list" <<'EOF'
# The base drops capability 40.
[kselftest]
set_tid init_* cr
[criu]
dump_unprivileged
EOF
baseline() { # baseline SET RESULTS [LIST [LABEL]]: expect-baseline.sh on these "[STATUS] NAME" lines
	printf '%s\n' "$2" >"$tmp/baseline/$1.parsed"
	"$scripts/expect-baseline.sh" "$tmp/baseline/$1.parsed" "$1" "${3:-$tmp/baseline/list}" ${4:+"$4"}
}
# A glob matches whole names: not userns_cr's; an entry is no substring:
# dump_unprivileged is not dump_unprivileged_twice; each set reads only its
# own header's entries.
as_listed() {
	baseline kselftest "[FAILED] set_tid init_near cr
[FAILED] set_tid init_far cr
[PASSED] set_tid init_near userns_cr
[PASSED] set_tid init_near none" &&
		baseline criu "[FAILED] dump_unprivileged
[PASSED] dump_unprivileged_twice"
}
check "baseline: globs and exact names match whole case names, each result set under its own header" as_listed
check "baseline: a capability case that passes on the pre-cap base is caught" \
	fails_with "expected failed, got PASSED: set_tid init_near cr" \
	baseline kselftest "[PASSED] set_tid init_near cr
[FAILED] set_tid init_far cr"
check "baseline: a case not listed that fails there is caught" \
	fails_with "expected passed, got FAILED: set_tid init_near none" \
	baseline kselftest "[FAILED] set_tid init_near cr
[FAILED] set_tid init_near none"
printf '[kselftest]\nset_tid init_* cr\n# renamed since:\nset_tid init_near nosuch\n' >"$tmp/baseline/stale"
stale_caught() {
	local out
	out=$(fails_with "not ok [0-9]* pre-cap base: stale expectation, matches no case: set_tid init_near nosuch" \
		baseline kselftest "[FAILED] set_tid init_near cr" "$tmp/baseline/stale") || { echo "$out"; return 1; }
	out=$(baseline kselftest "[FAILED] set_tid init_near cr" "$tmp/baseline/stale" 2>&1)
	grep -q "^# .*/stale line 4, under \[kselftest\]" <<<"$out" || { echo "the line is not named: $out"; return 1; }
}
check "baseline: an expectation that matches no case fails as stale, naming its line" stale_caught
printf '[kselftest]\ninit_near cr\n' >"$tmp/baseline/part"
part_of_name() {
	local out
	out=$(baseline kselftest "[FAILED] set_tid init_near cr" "$tmp/baseline/part" 2>&1) && { echo "passed: $out"; return 1; }
	grep -q "expected passed, got FAILED: set_tid init_near cr" <<<"$out" &&
		grep -q "stale expectation, matches no case: init_near cr" <<<"$out" || { echo "$out"; return 1; }
}
check "baseline: an entry that is only part of a case's name does not match it" part_of_name
# Debian's kernels lack the Rust sample: its cases must skip there, and
# a skip is no pass nor failure anywhere else.
printf '[kselftest]\nskip: CR_GATE_* ioctl *\nset_tid init_* cr\n' >"$tmp/baseline/skip"
skip_entries() {
	baseline kselftest "[SKIPPED] CR_GATE_INIT_NS ioctl cr
[FAILED] set_tid init_near cr" "$tmp/baseline/skip" >/dev/null || return 1
	fails_with "expected skipped, got PASSED: CR_GATE_INIT_NS ioctl cr" \
		baseline kselftest "[PASSED] CR_GATE_INIT_NS ioctl cr
[FAILED] set_tid init_near cr" "$tmp/baseline/skip" || return 1
	fails_with "expected passed, got SKIPPED: set_tid init_near none" \
		baseline kselftest "[SKIPPED] CR_GATE_INIT_NS ioctl cr
[FAILED] set_tid init_near cr
[SKIPPED] set_tid init_near none" "$tmp/baseline/skip"
}
check "baseline: a skip: entry wants its cases skipped, and a skip nowhere listed fails" skip_entries
labelled() {
	local out
	out=$(baseline kselftest "[SKIPPED] CR_GATE_INIT_NS ioctl cr
[FAILED] set_tid init_near cr" "$tmp/baseline/skip" "debian-6.1 kernel")
	grep -q "^ok [0-9]* debian-6.1 kernel: skipped as expected: CR_GATE_INIT_NS ioctl cr" <<<"$out" || { echo "$out"; return 1; }
}
check "baseline: LABEL names the kernel in each result" labelled
check "baseline: a result set the list has no header for is refused, naming both" \
	fails_with "list has no \[other\] header for the cases of .*other.parsed" baseline other "[PASSED] x"
# The project's own list, against the series run's names (the pre-cap run
# has the same cases, rust_gate's aside): no entry of it is stale.
check "baseline: every [kselftest] entry of tests/pre-cap-failures.txt names a case of tests/kselftest-series.ktap" \
	bash -c '! "$1" "$2" kselftest | grep "stale expectation"' _ "$scripts/expect-baseline.sh" "$tmp/series.parsed"

# ---- the stock tree against the series (expect-same.sh) ----

# rerun FILE: FILE as another run of the same kernel prints it: every
# number of three digits or more (PIDs, ids) in a case's name or in a
# diagnostic line is another one.
rerun() {
	awk 'function renumber(s,   out) {
			while (match(s, /[0-9][0-9][0-9]+/)) {
				out = out substr(s, 1, RSTART - 1) "9" substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
			}
			return out s
		}
		match($0, /^ *(not )?ok [0-9]+ /) { print substr($0, 1, RLENGTH) renumber(substr($0, RLENGTH + 1)); next }
		/^ *#/ { print renumber($0); next }
		{ print }' "$1"
}
another_run() {
	rerun "$series_results" >"$tmp/rerun.ktap"
	cmp -s "$series_results" "$tmp/rerun.ktap" && { echo "rerun changed nothing"; return 1; }
	kunit_parse "$tmp/rerun.ktap" >"$tmp/rerun.parsed"
	"$scripts/expect-same.sh" "$tmp/series.parsed" "$tmp/rerun.parsed" >"$tmp/same.ktap" || { cat "$tmp/same.ktap"; return 1; }
	[ "$(grep -c '^ok ' "$tmp/same.ktap")" = "$(kunit_leaves "$tmp/series.parsed" | wc -l)" ] || { cat "$tmp/same.ktap"; return 1; }
}
check "expect-same: two runs whose PIDs and ids differ compare equal, case by case: no case name carries one" another_run
# The series run's first case, with another status in the stock run; the
# second, missing there.
first=$(kunit_leaves "$tmp/series.parsed" | sed -n '1s/^[A-Z]* //p')
second=$(kunit_leaves "$tmp/series.parsed" | sed -n '2s/^[A-Z]* //p')
sed "0,/^\[PASSED\] $first\$/s//[FAILED] $first/" "$tmp/series.parsed" >"$tmp/changed.parsed"
check "expect-same: a case whose status changed fails, naming it" \
	fails_with "not ok [0-9]* stock tree: differs from the series: $first$" \
	"$scripts/expect-same.sh" "$tmp/series.parsed" "$tmp/changed.parsed"
grep -vx "\[PASSED\] $second" "$tmp/series.parsed" >"$tmp/missing.parsed"
check "expect-same: a case the stock run lacks fails, naming it" \
	fails_with "not ok [0-9]* stock tree: missing: $second$" \
	"$scripts/expect-same.sh" "$tmp/series.parsed" "$tmp/missing.parsed"
check "expect-same: LABEL and REF name the runs (make test's arm64 run against x86_64)" \
	fails_with "not ok [0-9]* arm64: differs from x86_64: $first$" \
	"$scripts/expect-same.sh" "$tmp/series.parsed" "$tmp/changed.parsed" arm64 x86_64
# Names that differ only in a number are two cases: nothing is masked.
printf '[PASSED] gate_1 variant creds\n' >"$tmp/one.parsed"
printf '[PASSED] gate_2 variant creds\n' >"$tmp/two.parsed"
unmasked() {
	local out
	out=$("$scripts/expect-same.sh" "$tmp/one.parsed" "$tmp/two.parsed" 2>&1) && { echo "passed: $out"; return 1; }
	grep -q "not ok [0-9]* stock tree: missing: gate_1 variant creds" <<<"$out" &&
		grep -q "not ok [0-9]* stock tree: a case the series did not run: gate_2 variant creds" <<<"$out" ||
		{ echo "$out"; return 1; }
}
check "expect-same: names are compared exactly, numbers unmasked; a case only the stock run has fails" unmasked

# ---- the security matrix ----

# The page as the series adds it.
mkdir -p "$tmp/page"
doc_patch=$(grep -l "^+++ b/$CAP_DOC" "$SERIES_DIR"/*/0*-*)
(cd "$tmp/page" && git apply --include="$CAP_DOC" "$doc_patch")
page=$tmp/page/$CAP_DOC
matrix() { "$scripts/matrix.sh" "$page" "$1" "$tmp/matrix.ktap"; }
# cell GATE CREDS: the matrix's cell for GATE (its row's name) and CREDS;
# cells CREDS: the values of CREDS's column, sorted, comma-separated.
cell() {
	awk -F'\t' -v gate="$1" -v creds="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == creds) c = i; next }
		$1 == gate && c { print $c }' "$tmp/matrix.records"
}
cells() {
	awk -F'\t' -v creds="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == creds) c = i; next }
		c { print $c }' "$tmp/matrix.records" | LC_ALL=C sort -u | paste -sd ,
}

matrix_of_series() {
	local out cred
	out=$(matrix "$series_results" 2>&1) || { echo "$out"; return 1; }
	awk -f "$scripts/matrix.awk" "$page" "$series_results" >"$tmp/matrix.records"
	# Every credential set is read somewhere; SELinux-denied where the
	# SELinux test ran.
	for cred in $(head -n 1 "$tmp/matrix.records" | cut -f 2- | tr '\t' '\n' | grep -vx -e status -e differs); do
		[ "$(cells "$cred")" != "not run" ] || { echo "no case read for the $cred column"; cat "$tmp/matrix.records"; return 1; }
	done
	[ "$(cells cr_selinux_denied)" = "denied,not run" ] || { echo "SELinux-denied column: $(cells cr_selinux_denied)"; return 1; }
	# The CAP_SYS_RESOURCE rule comes from the page's prose.
	[ "$(cell PR_SET_MM_EXE_FILE sys_resource)/$(cell PR_SET_MM_EXE_FILE sys_admin)" = allowed/denied ] ||
		{ cat "$tmp/matrix.records"; return 1; }
	kunit_parse "$tmp/matrix.ktap" >"$tmp/matrix.parsed"
	# A result a gate: every gate but amdkfd's (no GPU in the VM) has
	# cases; amdkfd's is skipped.
	[ "$(kunit_counts "$tmp/matrix.parsed")" = "8 0 1" ] || { cat "$tmp/matrix.parsed"; return 1; }
}
check "matrix: the series kernel's results agree with the page, every credential set read; SELinux-denied is filled where the SELinux test ran" \
	matrix_of_series

# flagged CASE GOT PATTERN: the series results with CASE's got: GOT fail
# the matrix, which says PATTERN.
flagged() {
	with_case "$1" "$2" >"$tmp/flagged.ktap" || return 1
	fails_with "$3" matrix "$tmp/flagged.ktap"
}
check "matrix: a cell that grants more than the page says is flagged and fails" \
	flagged "ns_last_pid init_near userns_root" "ok 3422" \
	"differs: ns_last_pid: userns_root: the kselftests show mixed, the page says own ns (more than the page grants)"
check "matrix: a rootless container's CAP_CHECKPOINT_RESTORE allowed at a gate the page checks in the initial user namespace is flagged" \
	flagged "TIOCSLCKTRMIOS pty userns_cr" "ok" \
	"differs: TIOCSLCKTRMIOS: userns_cr: the kselftests show allowed, the page says denied (more than the page grants)"
check "matrix: a failed case is read for what it got: an unexpected success is allowed" \
	flagged "PTRACE_O_SUSPEND_SECCOMP seize cr" "ok" \
	"PTRACE_O_SUSPEND_SECCOMP: cr: the kselftests show allowed, the page says denied"
no_finding() {
	local out
	with_case "TIOCSLCKTRMIOS pty cr" "setup failed: capset() dropped CAP_CHECKPOINT_RESTORE" >"$tmp/setup.ktap" &&
		with_case "TIOCSLCKTRMIOS pty file_cr" "# SKIP no tmpfs" "$tmp/setup.ktap" >"$tmp/nofinding.ktap" || return 1
	out=$(matrix "$tmp/nofinding.ktap" 2>&1) || { echo "$out"; return 1; }
	awk -f "$scripts/matrix.awk" "$page" "$tmp/nofinding.ktap" >"$tmp/matrix.records"
	[ "$(cell TIOCSLCKTRMIOS cr)/$(cell TIOCSLCKTRMIOS file_cr)" = "not run/not run" ] || { cat "$tmp/matrix.records"; return 1; }
}
check "matrix: a case whose setup failed, or that was skipped, is no finding" no_finding
{
	cat "$series_results"
	printf '    # want: error EPERM; got: ok "capcr map_files content"\n    not ok 1 map_files open_own cr_selinux_denied\n'
} >"$tmp/selinux.ktap"
check "matrix: SELinux-denied results fill their column; one that is allowed is flagged" \
	fails_with "differs: map_files: cr_selinux_denied: the kselftests show allowed, the page says denied" \
	matrix "$tmp/selinux.ktap"
unknown_credentials() {
	{
		cat "$series_results"
		printf '    # want: ok 3422; got: ok 3422\n    ok 1 set_tid init_near cr_and_more\n'
	} >"$tmp/unknown.ktap"
	fails_with "the case \"set_tid init_near cr_and_more\" runs with credentials \"cr_and_more\", which the matrix has no column for" \
		matrix "$tmp/unknown.ktap" || return 1
	grep -q "^not ok 1 matrix: the kselftest results can be read against the page" "$tmp/matrix.ktap" ||
		{ echo "no failing KTAP for the run's counts:"; cat "$tmp/matrix.ktap"; return 1; }
}
check "matrix: credentials it has no column for are refused, naming the case; the KTAP it leaves fails" unknown_credentials
check "matrix: results that name no gate fail" \
	fails_with "no case in /dev/null names a gate with its credentials" matrix /dev/null

# ---- cross-build.sh and its root, without building the root ----

xb=$scripts/cross-build.sh
check "cross-build: no TREE is refused with its usage" \
	fails_with "usage: scripts/cross-build.sh TREE: builds the $SELFTEST kselftests" "$xb"
check "cross-build: a TREE that does not exist is refused, naming it" \
	fails_with "TREE $tmp/nosuch: no such directory" "$xb" "$tmp/nosuch"
mkdir -p "$tmp/notakernel"
echo 'int a;' >"$tmp/notakernel/hello.c"
check "cross-build: a directory that is not a kernel tree is refused, naming it" \
	fails_with "$tmp/notakernel is not a kernel tree: it has no Makefile" "$xb" "$tmp/notakernel"
# A kernel tree as far as the selftests' make goes, first without the series.
xtree=$tmp/xtree
mkdir -p "$xtree/scripts" "$xtree/tools/testing/selftests"
touch "$xtree/Makefile" "$xtree/scripts/subarch.include" \
	"$xtree/tools/testing/selftests/Makefile" "$xtree/tools/testing/selftests/lib.mk"
check "cross-build: a kernel tree without the series is refused, saying so" \
	fails_with "$xtree has no tools/testing/selftests/$SELFTEST/Makefile: a kernel tree without the series" \
	"$xb" "$xtree"

# Programs for each machine, made with the host's clang and lld.
printf 'void _start(void) { for (;;); }\n' >"$tmp/start.c"
for m in aarch64 riscv64 x86_64; do
	clang --target="$m-linux-gnu" -nostdlib -static -fuse-ld=lld -o "$tmp/prog-$m" "$tmp/start.c"
done
check "cross-build: the ELF check takes an aarch64 program for aarch64 and a riscv64 one for riscv64" \
	bash -c '"$1" --check-elf aarch64 "$2" && "$1" --check-elf riscv64 "$3"' _ \
	"$xb" "$tmp/prog-aarch64" "$tmp/prog-riscv64"
check "cross-build: the ELF check rejects an x86-64 program for aarch64, naming it and its machine" \
	fails_with "$tmp/prog-x86_64: an ELF for Advanced Micro Devices X86-64, not AArch64 (aarch64)" \
	"$xb" --check-elf aarch64 "$tmp/prog-aarch64" "$tmp/prog-x86_64"
check "cross-build: the ELF check rejects a file that is not an ELF" \
	fails_with "$tmp/start.c: not an ELF file" "$xb" --check-elf riscv64 "$tmp/start.c"

# A root (CROSS_ROOT) without a Rust standard library: each architecture
# is a SKIP that says why, never a pass.
mkdir -p "$xtree/tools/testing/selftests/$SELFTEST" "$tmp/xroot"
touch "$xtree/tools/testing/selftests/$SELFTEST/Makefile"
echo "riscv64: trixie at http://deb.example offers no libstd-rust-web-dev:riscv64" >"$tmp/xroot.missing"
no_std_skips() {
	local out
	out=$(CROSS_ROOT="$tmp/xroot" "$xb" "$xtree" 2>&1) && { echo "succeeded: $out"; return 1; }
	grep -qx "ok 1 cross-build: aarch64: every test program builds # SKIP no Rust standard library for aarch64-unknown-linux-gnu in the root" <<<"$out" &&
		grep -qx "ok 2 cross-build: riscv64: every test program builds # SKIP no Rust standard library for riscv64gc-unknown-linux-gnu in the root: trixie at http://deb.example offers no libstd-rust-web-dev:riscv64" <<<"$out" ||
		{ echo "$out"; return 1; }
	! grep -E "^ok [0-9]+ .*builds$" <<<"$out" || { echo "$out"; return 1; }
}
check "cross-build: a target whose Rust standard library the root lacks is a SKIP that says why" no_std_skips

# cross-root.sh with a trixie that lacks riscv64's Rust standard library,
# and an mmdebstrap that fails, or hangs until Ctrl-C.
xstubs=$tmp/xstubs
mkdir -p "$xstubs"
printf '#!/usr/bin/env bash\nfor a; do [ "$a" != update ] || exit 0; done\nexit 1\n' >"$xstubs/apt-get"
cat >"$xstubs/apt-cache" <<'EOF'
#!/usr/bin/env bash
pkg=${!#}
case $pkg in
libstd-rust-web-dev:riscv64) ;;
rustc-web | libstd-rust-web-dev:*) echo " $pkg | 1.96.0+test | http://deb.example trixie/main amd64 Packages" ;;
*) echo " $pkg | 1.0 | http://deb.example trixie/main amd64 Packages" ;;
esac
EOF
cat >"$xstubs/mmdebstrap" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$STUB_MMDEBSTRAP_ARGS"
if [ -n "${STUB_MMDEBSTRAP_OK:-}" ]; then
	mkdir -p "${@: -2:1}/usr"
	exit 0
fi
if [ -n "${STUB_MMDEBSTRAP_HANGS:-}" ]; then
	mkdir -p "${@: -2:1}/usr"
	touch "$STUB_MMDEBSTRAP_HANGS"
	exec sleep 30
fi
echo "E: the stub fails"
exit 1
EOF
chmod +x "$xstubs"/*
xroot() { # xroot CACHE [NAME=VALUE...]: cross-root.sh for arm64 and riscv64, with the stubs
	local c=$1
	shift
	in_cache "$c" PATH="$xstubs:$stubs:$PATH" STUB_MMDEBSTRAP_ARGS="$tmp/mmdebstrap.args" "$@" \
		"$scripts/cross-root.sh" arm64:aarch64-linux-gnu riscv64:riscv64-linux-gnu
}
nothing_in() { # nothing_in DIR: DIR is empty, or not there
	[ -z "$(ls -A "$1" 2>/dev/null)" ] || { echo "left in $1: $(ls -A "$1")"; return 1; }
}
root_without_riscv64() {
	local c=$tmp/c-xroot out includes
	out=$(xroot "$c" 2>&1) && { echo "succeeded: $out"; return 1; }
	grep -q "without riscv64: trixie at .* offers no libstd-rust-web-dev:riscv64" <<<"$out" &&
		grep -q "mmdebstrap failed; the end of its log is above" <<<"$out" || { echo "$out"; return 1; }
	includes=$(grep '^--include=' "$tmp/mmdebstrap.args")
	grep -q "libstd-rust-web-dev:arm64,gcc-aarch64-linux-gnu" <<<"$includes" &&
		! grep -q riscv64 <<<"$includes" || { echo "mmdebstrap got $includes"; return 1; }
	nothing_in "$c/cross-root"
}
check "cross-root: an architecture whose Rust standard library trixie lacks is left out, saying why; a failed mmdebstrap keeps nothing" \
	root_without_riscv64
root_interrupted() {
	local c=$tmp/c-xroot
	interrupted "$tmp/debootstrapping" xroot "$c" STUB_MMDEBSTRAP_HANGS="$tmp/debootstrapping" || return 1
	nothing_in "$c/cross-root"
}
check "cross-root: Ctrl-C while mmdebstrap runs leaves nothing half-made" root_interrupted
# A root built for a new package list replaces the old one.
root_replaced() {
	local c=$tmp/c-xnew new
	mkdir -p "$c/cross-root/0123456789ab/usr" "$tmp/xchroot"
	touch "$c/cross-root/0123456789ab.packages" "$c/cross-root/0123456789ab.missing"
	printf '#!/bin/sh
echo "rustc-web:amd64 1.96.0+test"
' >"$tmp/xchroot/chroot"
	chmod +x "$tmp/xchroot/chroot"
	new=$(xroot "$c" STUB_MMDEBSTRAP_OK=1 PATH="$tmp/xchroot:$xstubs:$stubs:$PATH" 2>/dev/null) || { echo "no root built"; return 1; }
	[ -d "$new/usr" ] && [ "$(ls -A "$c/cross-root")" = "$(printf '%s\n' "${new##*/}" "${new##*/}.missing" "${new##*/}.packages")" ] ||
		{ echo "new root $new; the cache holds: $(ls -A "$c/cross-root")"; return 1; }
}
check "cross-root: a root built for a new package list replaces the old one" root_replaced

ktap_print
