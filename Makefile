# SPDX-License-Identifier: GPL-2.0
# The two commands of README.md:
#   make run    apply the series, build and boot a test kernel, run the
#               kselftests, report (KERNEL=pre-cap or stock for the others;
#               DEBUG=1 for the debug kernel: KASAN, lockdep, UBSAN)
#   make test   the project's tests (CI's): the series checked statically,
#               the scripts' own tests, the kselftests and CRIU on the
#               series, pre-capability and stock kernels, make run on a
#               fresh root
#   make test-all  make test, and the series kernel for arm64, the doctests
#               on User Mode Linux kernels, Debian's own kernels, every
#               patch built on its own
#   make bench  the PID selection benchmark, in the kernel make run built
# TREE=/path/to/linux: your own kernel git tree instead (make run only).
# ARCH=arm64: the kernel built for arm64 and booted under
# qemu-system-aarch64 (make run and make bench; make test-all runs both).
KERNEL ?= $(if $(TREE),tree,series)
DEBUG ?= 0

.PHONY: run test test-all bench check deps base tree export
run:
	@DEBUG=$(DEBUG) TREE=$(TREE) scripts/run.sh $(KERNEL)
bench:
	@scripts/bench.sh $(KERNEL)
test:
	@scripts/test.sh
test-all:
	@scripts/test.sh all
check:
	@scripts/check-series.sh
deps:
	@scripts/deps.sh
base: deps
	@scripts/base.sh
tree:
	@scripts/tree.sh
export:
	@scripts/export.sh
