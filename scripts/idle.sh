#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# idle.sh COMMAND...: runs COMMAND at the lowest CPU priority, so that it
# gets only the CPU time that everything else leaves idle (make test-all
# builds the arm64 kernel so, beside the x86_64 ones).
#
# Started in a session of its own (setsid), COMMAND is in a scheduler
# autogroup of its own too, and autogroups share the CPU evenly whatever
# their members' nice values: so the group's weight drops (where the
# kernel has autogroups), and SCHED_IDLE ranks COMMAND last within it.
echo 19 >/proc/self/autogroup 2>/dev/null || true
exec chrt --idle 0 "$@"
