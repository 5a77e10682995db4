"""glibc's malloc is set for the engine's sessions in the processes hunch owns, never by
``import hunch`` or a library call (hunch/batch/heap.py; docs/architecture.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hunch.batch.heap import OFF, _glibc, heap_kept, keep_heap

GLIBC = pytest.mark.skipif(not _glibc(), reason="glibc only: elsewhere keep_heap does nothing")

SITUATION = {"days_since_interview": 3}


def _fresh(script: str, cwd: Path, **env: str) -> str:
    """The last line a fresh Python process running ``script`` prints."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")
               and k != OFF}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=cwd,
                          env={**environ, **env}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def _after_cli(args: list[str]) -> str:
    """A script that runs the hunch console script with ``args``, then the probe."""
    return f"""
        import sys
        from hunch.cli.console import main
        from hunch.batch.heap import heap_kept
        sys.argv = ["hunch", *{args!r}]
        try:
            main()
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(heap_kept())
    """


def _probe(_result: object) -> tuple[bool, int]:
    """A batch renderer that tells whether the process rendering it keeps its heap."""
    return heap_kept(), os.getpid()


@GLIBC
class TestOwnedProcesses:
    """Each process hunch starts or runs for its own work keeps sessions mapped."""

    def test_the_cli_batch(self, tmp_path: Path) -> None:
        for name in ("one.json", "two.json"):
            (tmp_path / name).write_text(json.dumps(SITUATION))
        got = _fresh(_after_cli(["evaluate", "--format", "jsonl", "one.json", "two.json",
                                 "-o", "out"]), tmp_path)
        assert got == "True"
        assert len((tmp_path / "out").read_text().splitlines()) == 2

    def test_the_batch_workers(self, tmp_path: Path) -> None:
        # the parent never sets it: the workers do, whoever started the batch
        got = _fresh("""
            from hunch.batch import pool
            from hunch.batch.heap import heap_kept
            from hunch.batch.inputs import LineItem
            from hunch.batch.run import Settings
            from hunch.engine.load import load_pack
            from tests.test_heap import _probe

            items = [LineItem(f"<stdin>:{n}", b'{"days_since_interview": 3}', n)
                     for n in range(1, 400)]
            outcomes = list(pool.run(items, load_pack(None), Settings(None, _probe), jobs=2))
            import os
            workers = {o.output[1] for o in outcomes} - {os.getpid()}
            print(heap_kept(), len(workers), all(o.output[0] for o in outcomes))
        """, Path(__file__).parent.parent)
        assert got == "False 2 True"

    def test_a_serve_worker(self, tmp_path: Path) -> None:
        got = _fresh("""
            from hunch.serve.app import from_environment
            from hunch.batch.heap import heap_kept
            from_environment()
            print(heap_kept())
        """, tmp_path, HUNCH_SERVE_CONFIG=json.dumps({"packs": []}))
        assert got == "True"

    def test_the_environment_can_leave_malloc_alone(self, tmp_path: Path) -> None:
        got = _fresh("""
            from hunch.batch.heap import heap_kept, keep_heap
            print(keep_heap(), heap_kept())
        """, tmp_path, **{OFF: "0"})
        assert got == "False False"


@GLIBC
class TestTheLibrary:
    """Importing and calling hunch in someone else's program leaves its malloc alone."""

    def test_import_and_evaluate(self, tmp_path: Path) -> None:
        got = _fresh(f"""
            import hunch
            from hunch.engine.load import load_pack
            from hunch.serve.app import Config, create_app
            from hunch.batch.heap import heap_kept
            hunch.evaluate(load_pack(None), {SITUATION!r})
            create_app(Config())
            print(heap_kept())
        """, tmp_path)
        assert got == "False"

    def test_a_program_may_ask_for_it(self, tmp_path: Path) -> None:
        # the public opt-in (README, "As a library"): the same settings, only when called
        got = _fresh(f"""
            import hunch
            from hunch.batch.heap import heap_kept
            pack = hunch.load_pack(None)
            hunch.evaluate(pack, {SITUATION!r})
            before = heap_kept()
            print(before, hunch.keep_heap(), heap_kept())
        """, tmp_path)
        assert got == "False True True"

    def test_dask_tasks_run_in_the_callers_process(self, tmp_path: Path) -> None:
        pytest.importorskip("dask.bag")
        (tmp_path / "in.jsonl").write_text(json.dumps(SITUATION) + "\n")
        got = _fresh(f"""
            from hunch.distributed import evaluate_bag, evaluate_files
            from hunch.batch.heap import heap_kept
            evaluate_files(None, ["in.jsonl"], "out", scheduler="synchronous")
            evaluate_bag(None, [{SITUATION!r}], scheduler="threads")
            print(heap_kept())
        """, tmp_path)
        assert got == "False"

    def test_a_single_situation_from_the_cli(self, tmp_path: Path) -> None:
        # one session gains nothing from it: the command leaves malloc as it was
        (tmp_path / "one.json").write_text(json.dumps(SITUATION))
        got = _fresh(_after_cli(["evaluate", "--format", "json", "one.json", "-o", "out"]),
                     tmp_path)
        assert got == "False"


@GLIBC
class TestTheProbe:
    """heap_kept tells the two states apart in this very process."""

    def test_keep_heap_turns_it_on(self, tmp_path: Path) -> None:
        got = _fresh("""
            from hunch.batch.heap import heap_kept, keep_heap
            before = heap_kept()
            print(before, keep_heap(), keep_heap(), heap_kept())
        """, tmp_path)
        assert got == "False True True True"

    def test_a_fixed_threshold_is_not_mistaken_for_it(self, tmp_path: Path) -> None:
        got = _fresh("""
            from hunch.batch.heap import heap_kept
            print(heap_kept())
        """, tmp_path, MALLOC_TRIM_THRESHOLD_="65536")
        assert got == "False"


class TestElsewhere:
    """Without glibc (musl, macOS, Windows) it is a no-op that says so."""

    @pytest.mark.parametrize("missing", [ValueError, OSError, AttributeError])
    def test_no_glibc_no_call(self, monkeypatch: pytest.MonkeyPatch,
                              missing: type[Exception]) -> None:
        def confstr(name: str) -> str:
            raise missing(name)

        monkeypatch.setattr(os, "confstr", confstr)
        monkeypatch.setattr("ctypes.CDLL", None)  # any call to the C library would fail
        assert keep_heap() is False
        assert heap_kept() is False
