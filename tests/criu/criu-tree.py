#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The two parts of the CRIU test (criu-guest.sh) that shell cannot do.

criu-tree.py reaper CMD...   runs CMD under a child subreaper (PR_SET_CHILD_SUBREAPER)
                             that reaps every orphan: virtme-ng's init does not,
                             and a dumped tree's zombies would keep their PIDs
                             (and session) and make the restore fail with EEXIST.
                             Exits with CMD's status.
criu-tree.py tree DIR [map]  the process tree to dump: a parent, a writer counting
                             into a pipe, a reader keeping the last count in
                             DIR/counter and, with "map", a third child that maps
                             DIR/mapped and deletes it.  Its own session, no fds
                             but 0-2 (CRIU cannot dump the VM console's).
"""
import ctypes
import mmap
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def reaper(cmd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER): " + os.strerror(ctypes.get_errno()))
    child = os.fork()
    if child == 0:
        os.execvp(cmd[0], cmd)
    status = 1
    while True:
        pid, wstatus = os.wait()
        if pid == child:
            status = os.waitstatus_to_exitcode(wstatus)
            break
    # Whatever CMD left behind is ended, so that nothing outlives the run;
    # an orphan killed hands us its own children, so look again each time.
    while True:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.wait()
        except ChildProcessError:
            break
    sys.exit(status if status >= 0 else 128 - status)


def _children():
    """Our children, from /proc/self/task/*/children (CONFIG_PROC_CHILDREN)."""
    pids = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open("/proc/self/task/%s/children" % tid) as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return pids


def tree(d, with_map):
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.setsid()
    os.chdir(d)
    r, w = os.pipe()
    if os.fork() == 0:  # the writer
        os.close(r)
        n = 0
        while True:
            n += 1
            os.write(w, b"%d\n" % n)
            time.sleep(0.1)
    if os.fork() == 0:  # the reader: the last count, fixed width at offset 0
        os.close(w)
        fd = os.open("counter", os.O_WRONLY | os.O_CREAT, 0o644)
        for line in os.fdopen(r, "rb", buffering=0):
            os.pwrite(fd, b"%012d\n" % int(line), 0)
        os._exit(1)
    os.close(r)
    os.close(w)
    if with_map and os.fork() == 0:  # the deleted file's mapping
        fd = os.open("mapped", os.O_RDONLY)
        m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ)
        os.close(fd)
        os.unlink("mapped")
        while m:
            time.sleep(1)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "reaper":
        reaper(sys.argv[2:])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "tree":
        tree(sys.argv[2], sys.argv[3:] == ["map"])
    else:
        sys.exit(__doc__)
