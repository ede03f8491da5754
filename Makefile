# SPDX-License-Identifier: GPL-2.0
# The two commands of README.md:
#   make run    apply the series, build and boot a test kernel, run the
#               kselftests, report (KERNEL=pre-cap or stock for the others;
#               DEBUG=1 for the debug kernel: KASAN, lockdep, UBSAN)
#   make test   the project's tests: the series checked statically, the
#               scripts' own tests, the kselftests on the series kernel,
#               every patch built on its own, the pre-capability baseline
#   make bench  the PID selection benchmark, in the kernel make run built
# TREE=/path/to/linux: your own kernel git tree instead (make run only).
# ARCH=arm64: the kernel built for arm64 and booted under
# qemu-system-aarch64 (make run and make bench; make test runs both).
KERNEL ?= $(if $(TREE),tree,series)
DEBUG ?= 0

.PHONY: run test bench check deps base tree export
run:
	@DEBUG=$(DEBUG) TREE=$(TREE) scripts/run.sh $(KERNEL)
bench:
	@scripts/bench.sh $(KERNEL)
test:
	@scripts/test.sh
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
