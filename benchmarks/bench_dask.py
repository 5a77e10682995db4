"""Streaming on Dask: peak memory per worker and throughput against --jobs 2.

    python benchmarks/bench_dask.py [--situations 10000,100000] [--workers 2] [--no-jobs]
                                    [--rules R]

For each N, N situations sampled from the built-in pack's schema (or, with --rules R,
the generated workload's situations and a pack of R rules: benchmarks/workload.py)
are written as one JSON Lines file; then, as fresh processes (wall clock, start-up
included):

- ``hunch evaluate --dask local --jobs W --format jsonl FILE -o FOLDER``: a LocalCluster
  of W worker processes, about four partitions per worker;
- ``hunch evaluate --jobs 2 --format jsonl - -o OUT < FILE`` (unless --no-jobs), whose
  output is checked to be the partitions' files joined, byte for byte (the labels
  ``<stdin>:N`` written as ``FILE:N``).

While each runs, every process of its tree is sampled (psutil, every 0.1 s) for its
resident memory: the peak of the client (the hunch process, which with ``--dask
local`` also runs the scheduler and the workers' nannies), and of each worker; and,
over time, each worker's highest RSS in every tenth of the run. Flat memory means
the workers' peaks do not grow with N, nor along one run. The inputs are written to
files (one situation at a time, never all in memory) under --scratch, and the two
outputs compared line by line. The load average is printed beside each figure: the
machine is shared (run it under ``nice``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from bench_batch import iter_builtin_situations
from bench_cold import ROOT, hunch_command
from workload import generate, iter_situations, write_hunch_pack

MIB = 1024 * 1024


def write_input(path: str, count: int, rules: int) -> int:
    sits = iter_builtin_situations(count) if not rules else iter_situations(count)
    with open(path, "w", encoding="utf-8") as handle:
        for sit in sits:
            handle.write(json.dumps(sit) + "\n")
    return os.path.getsize(path)


class Peaks:
    """The peak RSS of every process in a tree, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.peaks: dict[int, tuple[str, int]] = {}
        self.start = time.monotonic()
        self.timeline: list[tuple[float, dict[int, int]]] = []  # about once a second
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        last = 0.0
        while not self.done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            now: dict[int, int] = {}
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    role = _role(proc.cmdline(), proc.pid == self.root.pid)
                except psutil.Error:
                    continue
                old = self.peaks.get(proc.pid, (role, 0))
                self.peaks[proc.pid] = (role, max(old[1], rss))
                now[proc.pid] = rss
            elapsed = time.monotonic() - self.start
            if elapsed - last >= 1.0:
                self.timeline.append((elapsed, now))
                last = elapsed
            time.sleep(0.1)

    def stop(self) -> dict[str, list[int]]:
        self.done.set()
        self.thread.join()
        by_role: dict[str, list[int]] = {}
        for role, peak in self.peaks.values():
            by_role.setdefault(role, []).append(peak)
        return by_role

    def tenths(self, role: str) -> list[list[int]]:
        """Each process of ``role``: its highest RSS in every tenth of the run."""
        if not self.timeline:
            return []
        end = self.timeline[-1][0]
        out = []
        for pid in sorted(p for p, (r, _) in self.peaks.items() if r == role):
            row = [0] * 10
            for when, sample in self.timeline:
                tenth = min(9, int(when / end * 10)) if end else 0
                row[tenth] = max(row[tenth], sample.get(pid, 0))
            if any(row):
                out.append(row)
        return out


def _role(cmdline: list[str], root: bool) -> str:
    if root:
        return "client"  # the hunch command (with --dask, the Nannies run in it too)
    if "resource_tracker" in " ".join(cmdline):
        return "other"  # multiprocessing's helper, a few MiB
    return "worker"  # Dask's worker processes, or the --jobs workers


def timed(command: list[str], stdin: str | None = None,
          ) -> tuple[float, dict[str, list[int]], str, list[list[int]]]:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        proc = subprocess.Popen(command, cwd=ROOT, stdin=source, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        peaks = Peaks(proc.pid)
        _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    by_role = peaks.stop()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return (elapsed, by_role, f"load {load:.1f} -> {os.getloadavg()[0]:.1f}",
            peaks.tenths("worker"))


def same_output(jobs: str, folder: str, path: str) -> bool:
    """The --jobs output is the partitions' files joined (``<stdin>`` named ``path``),
    compared a line at a time: a million results do not fit in memory twice."""
    names = [os.path.join(folder, n) for n in sorted(os.listdir(folder))]
    with open(jobs, "rb") as expected:
        for name in names:
            with open(name, "rb") as part:
                for line in part:
                    if expected.readline().replace(b"<stdin>", path.encode()) != line:
                        return False
        return expected.readline() == b""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--situations", default="10000,100000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-jobs", action="store_true", help="skip the --jobs 2 baseline")
    parser.add_argument("--scratch", default=None, help="folder for the input and outputs")
    parser.add_argument("--rules", type=int, default=0,
                        help="a generated pack of this many rules instead of the built-in one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
        pack = ["--rules", write_hunch_pack(generate(args.rules), os.path.join(tmp, "pack"))
                ] if args.rules else []
        base = [*hunch_command(), "evaluate", *pack, "--format", "jsonl"]
        what = f"a generated pack of {args.rules} rules" if args.rules else "the built-in pack"
        print(f"{what}; {args.workers} Dask workers; {os.cpu_count()} CPUs")
        for count in (int(n) for n in args.situations.split(",")):
            path = os.path.join(tmp, f"in-{count}.jsonl")
            size = write_input(path, count, args.rules)
            folder = os.path.join(tmp, f"dask-{count}")
            elapsed, peaks, load, tenths = timed([*base, "--dask", "local", "--jobs",
                                                  str(args.workers), path, "-o", folder])
            parts = len(os.listdir(folder))
            print(f"\nN = {count:,} situations ({size / MIB:.0f} MiB in, {parts} partitions)")
            _line("--dask local", count, elapsed, peaks, load, tenths)
            if not args.no_jobs:
                out = os.path.join(tmp, f"jobs-{count}.jsonl")
                jobs_elapsed, jobs_peaks, jobs_load, jobs_tenths = timed(
                    [*base, "--jobs", "2", "-", "-o", out], stdin=path)
                _line("--jobs 2", count, jobs_elapsed, jobs_peaks, jobs_load, jobs_tenths)
                same = same_output(out, folder, path)
                print(f"  outputs identical: {same}; --dask throughput = "
                      f"{jobs_elapsed / elapsed:.2f}x --jobs 2", flush=True)
                if not same:
                    sys.exit("DISAGREEMENT: --dask and --jobs 2 gave different output")
                os.unlink(out)
            for name in os.listdir(folder):
                os.unlink(os.path.join(folder, name))
            os.unlink(path)


def _line(what: str, count: int, elapsed: float, peaks: dict[str, Any], load: str,
          tenths: list[list[int]]) -> None:
    workers = sorted(peaks.get("worker", []))
    shown = ", ".join(f"{w / MIB:.0f}" for w in workers) or "-"
    client = max(peaks.get("client", [0]))
    print(f"  {what:13} {elapsed:8.1f} s {count / elapsed:7.0f} situations/s   "
          f"peak RSS MiB: client {client / MIB:.0f}, workers [{shown}]   ({load})")
    for row in tenths:
        print(f"  {'':13} a worker's RSS MiB, each tenth of the run: "
              f"{' '.join(f'{r / MIB:.0f}' for r in row)}", flush=True)


if __name__ == "__main__":
    main()
