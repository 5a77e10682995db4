"""glibc's malloc set for durable_rules' sessions, in the processes hunch owns.

durable_rules' C core allocates a situation's whole session when its first fact
arrives (blocks of 100 KB to several MB) and frees it when the session is deleted.
glibc serves blocks above M_MMAP_THRESHOLD with a fresh mmap and gives them back
with munmap; its threshold adapts upward once such a block is freed, but any fixed
threshold (a MALLOC_* variable such as the one Dask's nanny sets, a mallopt call
from another library) or another library's heap layout turns that off: then every
session is mapped, faulted in and zeroed afresh, ~1,200 page faults per situation
at 500 rules against 0.1-0.4 with the settings below ("durable_rules' slow mode" in
docs/performance.md; benchmarks/bench_durable_mode.py).

The decision (docs/architecture.md, "The allocator"): these settings are process
global, so hunch makes them only in processes it starts or runs for its own work:
the CLI's batches and their worker processes, ``hunch serve`` and its workers, and
Dask workers running hunch's tasks; never at ``import hunch`` nor from library calls
made in someone else's program, whose allocator is its own business.
"""

from __future__ import annotations

import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
HEAP_BLOCKS = 64 << 20  # blocks up to this size come from the heap...
HEAP_KEPT = 256 << 20  # ...and this much free heap top stays mapped
OFF = "HUNCH_KEEP_HEAP"  # set to 0: leave malloc as the environment set it


def keep_heap() -> bool:
    """Make glibc's malloc keep durable_rules' session memory mapped from one
    situation to the next: blocks up to HEAP_BLOCKS from the heap (never mmap), and
    up to HEAP_KEPT of freed heap kept rather than given back to the system.

    Call it only in a process hunch owns (module docstring). Returns True when the
    settings were made; False elsewhere than glibc (musl and macOS have no such
    thresholds: nothing to do) or when ``HUNCH_KEEP_HEAP=0`` asks to leave them.
    The cost: a process's resident memory stays at its high-water mark, at most
    HEAP_KEPT above what it uses.
    """
    if os.environ.get(OFF, "") == "0" or not _glibc():
        return False
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                        HEAP_KEPT))


def heap_kept() -> bool:
    """Whether this process's malloc serves a block of 3/4 HEAP_BLOCKS from the heap,
    as keep_heap makes it; by default (and with the adaptive threshold, which never
    rises past 32 MiB) glibc maps a block that size apart. For tests and benchmarks;
    False elsewhere than glibc."""
    if not _glibc():
        return False
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    mapped = libc.mallinfo2().hblks
    block = libc.malloc(HEAP_BLOCKS * 3 // 4)
    try:
        return bool(libc.mallinfo2().hblks == mapped)
    finally:
        libc.free(block)


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError, AttributeError):  # not known here: not glibc
        return False


__all__ = ["HEAP_BLOCKS", "HEAP_KEPT", "OFF", "heap_kept", "keep_heap"]
