"""A batch mapped over Dask's local scheduler gives exactly the plain batch's results."""

from __future__ import annotations

import functools
import random
from typing import Any

import pytest

import hunch
from hunch.output.render import result_json

pytest.importorskip("dask.bag")

from hunch.distributed import evaluate_bag  # the public import path


def _situations(count: int) -> list[dict[str, Any]]:
    pack = hunch.load_pack(None)
    rnd = random.Random(11)
    out = []
    for _ in range(count):
        facts: dict[str, Any] = {}
        for name, spec in pack.facts.items():
            if spec.type == "boolean":
                facts[name] = rnd.random() < 0.5
            elif spec.type == "enum" and spec.values:
                facts[name] = rnd.choice(spec.values)
            elif spec.type == "integer":
                low = int(spec.min or 0)
                facts[name] = rnd.randint(low, int(spec.max) if spec.max is not None else low + 40)
        out.append(facts)
    return out


class TestDaskBatch:
    """evaluate_bag runs situations in Dask worker processes, in order, unchanged."""

    def test_same_results_as_the_plain_batch(self) -> None:
        situations = _situations(60)
        situations.insert(7, {"days_since_interview": "soon"})  # a bad one, reported in place
        pack = hunch.load_pack(None)
        want: list[Any] = []
        for index, facts in enumerate(situations):
            try:
                want.append(result_json(hunch.evaluate(pack, facts)))
            except hunch.HunchError as exc:
                want.append({"situation": f"<item {index}>", "error": exc.format()})
        got = evaluate_bag(None, situations, npartitions=4, scheduler="processes")
        assert got == want
        assert "error" in got[7]
        assert sum(1 for r in got if "error" not in r) == 60

    def test_a_custom_render_runs_in_the_workers(self) -> None:
        got = evaluate_bag(None, _situations(5), npartitions=2, scheduler="synchronous",
                           render=_top)
        pack = hunch.load_pack(None)
        assert got == [_top(hunch.evaluate(pack, s)) for s in _situations(5)]


def _top(result: Any) -> str | None:
    return result.recommendation.id if result.recommendation else None


# --- streaming JSON Lines files through a real dask.distributed cluster -----------------

distributed = pytest.importorskip("dask.distributed")

import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from click.testing import CliRunner  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hunch.batch.distributed import Partition, lines_of, write_partition  # noqa: E402
from hunch.batch.run import Settings, renderer  # noqa: E402
from hunch.cli.app import cli  # noqa: E402
from hunch.distributed import evaluate_files  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real LocalCluster, its worker a thread of this process (quick to start)."""
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address="127.0.0.1:0")
    with distributed.Client(cluster) as running:
        yield running
    cluster.close()


def _jsonl(path: str, situations: list[Any], bad: dict[int, str]) -> list[bytes]:
    """Write situations as JSON Lines, with raw lines ``bad`` at their indexes."""
    lines = [bad[i].encode() if i in bad else json.dumps(s).encode()
             for i, s in enumerate(situations)]
    with open(path, "wb") as handle:
        handle.write(b"\n".join(lines) + b"\n")
    return lines


def _local_batch(path: str, shown: str) -> list[Any]:
    """The plain batch's JSON Lines for the same file, named as --dask names it."""
    with open(path, "rb") as handle:
        result = CliRunner().invoke(cli, ["evaluate", "--format", "jsonl", "-"],
                                    input=handle.read())
    return [json.loads(line.replace("<stdin>", shown)) for line in result.stdout.splitlines()]


def _parts(folder: str) -> list[list[Any]]:
    return [[json.loads(line) for line in open(os.path.join(folder, name), encoding="utf-8")]
            for name in sorted(os.listdir(folder))]


class TestStreamingOnDask:
    """evaluate_files streams JSON Lines through a cluster, one whole file per partition."""

    def test_the_local_batch_split_into_ordered_partitions(self, client: Any,
                                                         tmp_path: Any) -> None:
        path = str(tmp_path / "in.jsonl")
        situations: list[Any] = _situations(80)
        _jsonl(path, situations, {5: '{"days_since_interview": "soon"}', 30: "{not json"})
        reports = evaluate_files(None, [path], str(tmp_path / "out"), client, size=3000)
        parts = _parts(str(tmp_path / "out"))
        assert len(parts) == len(reports) > 5  # many partitions, each its own file
        assert [r.written for r in reports] == [len(p) for p in parts]
        assert [row for part in parts for row in part] == _local_batch(path, path)
        for part in parts:  # in input order within each file
            lines = [int(row["situation"].rsplit(":", 1)[1]) for row in part]
            assert lines == sorted(lines)
        errors = [row for part in parts for row in part if "error" in row]
        assert [e["situation"] for e in errors] == [f"{path}:6", f"{path}:31"]
        assert sum(r.failed for r in reports) == 2

    def test_an_fsspec_url(self, client: Any, tmp_path: Any) -> None:
        import fsspec

        text = "".join(json.dumps(s) + "\n" for s in _situations(12))
        with fsspec.open("memory://hunch-test/in.jsonl", "w") as handle:
            handle.write(text)
        reports = evaluate_files(None, ["memory://hunch-test/*.jsonl"], str(tmp_path / "o"),
                                 client, size=500)
        rows = [row for part in _parts(str(tmp_path / "o")) for row in part]
        assert sum(r.written for r in reports) == len(rows) == 12
        label = rows[11]["situation"]  # the matched file, as fsspec names it
        assert label.startswith("memory://") and label.endswith("hunch-test/in.jsonl:12")

    def test_a_folder_with_an_earlier_run_is_refused(self, client: Any,
                                                     tmp_path: Any) -> None:
        path = str(tmp_path / "in.jsonl")
        _jsonl(path, _situations(3), {})
        evaluate_files(None, [path], str(tmp_path / "out"), client)
        with pytest.raises(hunch.HunchError, match="earlier run"):
            evaluate_files(None, [path], str(tmp_path / "out"), client)


class TestPartitionFiles:
    """A partition's file appears whole or not at all."""

    def test_an_interrupted_partition_leaves_no_file(self, tmp_path: Any) -> None:
        path = str(tmp_path / "in.jsonl")
        _jsonl(path, _situations(10), {})
        part = Partition(0, path, path, 0, os.path.getsize(path))
        out = str(tmp_path / "part-00000.jsonl")
        seen: list[Any] = []
        with pytest.raises(KeyboardInterrupt):
            write_partition(part, out, Settings(None, functools.partial(_stop_at, seen, 4)),
                            "jsonl")
        assert len(seen) == 4  # it had written three results when it stopped
        assert os.listdir(tmp_path) == ["in.jsonl"]  # no part, no temporary file
        report = write_partition(part, out, Settings(None, renderer("jsonl"), encode="jsonl"),
                                 "jsonl")
        with open(out, encoding="utf-8") as written:
            assert report.written == 10 and len(written.readlines()) == 10

    def test_an_unreadable_input_is_the_partition_s_problem(self, tmp_path: Any) -> None:
        part = Partition(0, str(tmp_path / "gone.jsonl"), "gone.jsonl", 0, 10)
        report = write_partition(part, str(tmp_path / "part-00000.jsonl"),
                                 Settings(None, renderer("jsonl")), "jsonl")
        assert report.problem.startswith("gone.jsonl: cannot read")
        assert report.output == "" and os.listdir(tmp_path) == []


    def test_a_stopped_run_leaves_no_temporary_files(self, tmp_path: Any) -> None:
        from hunch.batch.distributed import _remove_unfinished

        (tmp_path / ".hunch-abc123.tmp").write_text('{"situation": ')  # a killed worker's
        (tmp_path / "part-00000.jsonl").write_text("{}\n")
        _remove_unfinished(str(tmp_path))
        assert os.listdir(tmp_path) == ["part-00000.jsonl"]


class TestPartitionBoundaries:
    """Partitions of any size cover every line once, in order, split only at newlines."""

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from([b"{}", b"", b"x" * 9, b'{"a": 1}', b"  "]), max_size=12),
           st.booleans(), st.integers(1, 30), st.sampled_from([1, 2, 3, 7, 1 << 20]))
    def test_every_line_once(self, lines: list[bytes], final_newline: bool, size: int,
                             read_bytes: int) -> None:
        # small reads cut lines and newlines across chunks, as a 1 MiB read does in big files
        data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
        got: list[tuple[int, bytes | None]] = []
        for offset in range(0, max(len(data), 1), size):
            number = data[:offset].count(b"\n")
            for raw, crossed in lines_of(io.BytesIO(data), offset, offset + size, 8, read_bytes):
                number += 1 + crossed
                got.append((number, raw))
        want = [(n + 1, None if len(line.rstrip(b"\n")) > 8 else line)
                for n, line in enumerate(data.splitlines(keepends=True))]
        assert got == want


class TestDaskCommand:
    """`hunch evaluate --dask local` through the CLI: files, errors, exit statuses."""

    def test_a_local_cluster(self, tmp_path: Any) -> None:
        path = str(tmp_path / "in.jsonl")
        _jsonl(path, _situations(6), {2: "[1, 2]"})
        out = str(tmp_path / "out")
        result = CliRunner().invoke(cli, ["evaluate", "--dask", "local", "--jobs", "1",
                                          "--format", "jsonl", path, "-o", out,
                                          "--partition-bytes", "400"])
        assert result.exit_code == 2, result.output
        assert f"{path}:3: a situation must be a JSON object of facts" in result.stderr
        assert "6 situations in" in result.stderr
        assert [row for part in _parts(out) for row in part] == _local_batch(path, path)

    @pytest.mark.parametrize(("args", "message"), [
        (["in.jsonl"], "--dask: --dask writes one file per partition: name a folder with -o"),
        (["-", "-o", "out"], "-: --dask reads files, not standard input"),
        (["missing.jsonl", "-o", "out"], "missing.jsonl: cannot read"),
        (["in.jsonl", "-o", "in.jsonl"], "in.jsonl: cannot use this output folder"),
    ])
    def test_bad_use_is_one_line_and_status_2(self, tmp_path: Any, args: list[str],
                                              message: str) -> None:
        (tmp_path / "in.jsonl").write_text("{}\n")
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            result = CliRunner().invoke(cli, ["evaluate", "--dask", "local", *args])
        finally:
            os.chdir(old)
        assert result.exit_code == 2
        assert message in result.stderr
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


class TestClusters:
    """The clusters --dask starts or reaches: set up for long runs, or refused in one line."""

    def test_local_clusters_keep_no_history_that_grows_with_time(self) -> None:
        from hunch.batch.distributed import MONITOR_SAMPLES, DaskRun, _client

        run = DaskRun("local", "unused", "jsonl", Settings(None, renderer("jsonl")), 1)
        with _client(run) as running:
            seen = running.run(_profiling)
            kept = running.run(_monitor_history)
            scheduler_kept = running.run_on_scheduler(_monitor_history)
        assert list(seen.values()) == [False]
        assert list(kept.values()) == [MONITOR_SAMPLES] == [scheduler_kept]

    def test_local_workers_keep_the_heap(self, tmp_path: Any) -> None:
        # the nanny's MALLOC_TRIM_THRESHOLD_ maps every engine session afresh; a worker
        # sets malloc for hunch's tasks when it loads the pack (hunch.batch.heap)
        from hunch.batch.distributed import DaskRun, _client
        from hunch.batch.heap import heap_kept

        path = str(tmp_path / "in.jsonl")
        _jsonl(path, _situations(3), {})
        run = DaskRun("local", "unused", "jsonl", Settings(None, renderer("jsonl")), 1)
        with _client(run) as running:
            before = running.run(heap_kept)
            evaluate_files(None, [path], str(tmp_path / "out"), running)
            after = running.run(heap_kept)
        assert list(before.values()) == [False]
        assert list(after.values()) == [True]

    def test_a_bad_address(self, tmp_path: Any) -> None:
        (tmp_path / "in.jsonl").write_text("{}\n")
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["evaluate", "--dask", "nonsense",
                                          str(tmp_path / "in.jsonl"), "-o", str(out)])
        assert result.exit_code == 2
        assert result.stderr.startswith("nonsense: cannot reach the Dask scheduler: ")
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()


def _stop_at(seen: list[Any], count: int, result: Any) -> Any:
    seen.append(result)
    if len(seen) == count:
        raise KeyboardInterrupt
    return result_json(result)


def _monitor_history(dask_worker: Any = None, dask_scheduler: Any = None) -> Any:
    return (dask_worker or dask_scheduler).monitor.maxlen


def _profiling() -> Any:
    import dask

    return dask.config.get("distributed.worker.profile.enabled")
