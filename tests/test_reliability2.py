"""Reliability, round two (issue 17): inputs that are not files, items that are not
text, batches that must not lose an item, start-up, `hunch ask` and `hunch init`.

Each class names the finding of ../shared/reliability-findings.md it turns into a
test (docs/limits.md lists them). No test measures time; a FIFO that would block
the old code is given a writer that opens and closes it, so a blocking open ends
in a wrong answer (a failure), never in a hang.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import multiprocessing.context
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hunch.batch import inputs, pool
from hunch.batch import run as batch
from hunch.cli.app import cli
from hunch.errors import HunchError, internal_error
from hunch.pack.yamlsource import MAX_DEPTH, load_file, load_text, short

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASKER = os.path.join(ROOT, "examples", "asker.yaml")
TEA = os.path.join(ROOT, "tests", "packs", "ask-pack")
with open(ASKER, encoding="utf-8") as _handle:
    ASKER_TEXT = _handle.read()
NOT_REGULAR = "not a regular file (hunch reads only regular files: save it to one first)"

# a pack with a text fact that a rule reads, so the text comes back in every result
NOTE_PACK = {
    "pack.yaml": "name: notes\ntitle: Notes\n",
    "facts.yaml": "facts:\n  note: {type: string, question: Any note?}\n"
                  "  n: {type: integer, question: n?}\n",
    "conclusions.yaml": "conclusions:\n  - {id: noted, kind: hypothesis, title: Noted}\n",
    "sources.yaml": "sources:\n  - {id: s, author: me, quote: q}\n",
    "rules.yaml": "rules:\n  - id: r\n    when: {fact: note, ne: nothing}\n"
                  "    then: {support: noted, cf: 0.5}\n    cites: [s]\n",
}


def run(*args: str, stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def put(path: str, text: str | bytes) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode() if isinstance(text, str) else text)
    return path


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def write_pack(folder: str, files: dict[str, str]) -> str:
    for name, text in files.items():
        put(os.path.join(folder, name), text)
    return folder


@pytest.fixture
def here(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run in an empty folder, so messages carry short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@contextlib.contextmanager
def fifo(path: str) -> Iterator[str]:
    """A FIFO at ``path`` with a writer always waiting to open it: code that opens it to
    read gets an empty file at once (a wrong answer), instead of blocking forever."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    os.mkfifo(path)
    done = threading.Event()

    def writers() -> None:
        while not done.is_set():
            os.close(os.open(path, os.O_WRONLY))  # returns once someone opens it to read

    thread = threading.Thread(target=writers, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        done.set()
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # lets the last writer return
        thread.join()
        os.close(reader)


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@needs_fifo
class TestNotRegularFiles:
    """F6: a FIFO, a device or a socket among the inputs is refused at once, located."""

    def test_fifo_situation(self, here: Any) -> None:
        with fifo("f.yaml"):
            result = run("evaluate", "f.yaml")
        assert result.exit_code == 2
        assert result.stderr == f"f.yaml: is a FIFO (named pipe), {NOT_REGULAR}\n"

    def test_fifo_in_a_batch_folder_loses_only_itself(self, here: Any) -> None:
        put("cases/a.yaml", ASKER_TEXT)
        put("cases/c.yaml", ASKER_TEXT)
        with fifo("cases/b.yaml"):
            result = run("evaluate", "--format", "jsonl", "cases")
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["situation"] for r in rows] == ["cases/a.yaml", "cases/b.yaml", "cases/c.yaml"]
        assert rows[1] == {"situation": "cases/b.yaml",
                           "error": f"cases/b.yaml: is a FIFO (named pipe), {NOT_REGULAR}"}
        assert "error" not in rows[0] and "error" not in rows[2]
        assert result.exit_code == 2

    @pytest.mark.parametrize("where", ["rules/extra.yaml", "tests/more.yaml", "notes.txt"])
    def test_fifo_anywhere_in_a_pack(self, here: Any, where: str) -> None:
        assert run("init", "pk").exit_code == 0
        if where == "notes.txt":
            os.remove("pk/notes.txt")
        with fifo(os.path.join("pk", where)):
            result = run("check", "pk")
        assert result.exit_code == 1
        assert "is a FIFO (named pipe), not a regular file" in result.stdout + result.stderr

    def test_ask_situation_fifo(self, here: Any) -> None:
        with fifo("part.yaml"):
            result = run("ask", "--rules", TEA, "--situation", "part.yaml", stdin="")
        assert result.exit_code == 2
        assert result.stderr == f"part.yaml: is a FIFO (named pipe), {NOT_REGULAR}\n"

    @pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
    def test_device(self) -> None:
        result = run("evaluate", "/dev/null")
        assert result.stderr == f"/dev/null: is a character device, {NOT_REGULAR}\n"

    @pytest.mark.skipif(not hasattr(__import__("socket"), "AF_UNIX"), reason="no unix sockets")
    def test_socket(self, here: Any) -> None:
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("s.yaml")
            result = run("evaluate", "s.yaml")
        assert result.stderr == f"s.yaml: is a socket, {NOT_REGULAR}\n"


class TestJobs:
    """F10: --jobs is capped by the CPUs and the inputs; failing to start is one line."""

    def test_capped(self, here: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        asked: list[int] = []
        real = concurrent.futures.ProcessPoolExecutor.__init__

        def spy(self: Any, max_workers: int, *args: Any, **kwargs: Any) -> None:
            asked.append(max_workers)
            real(self, min(max_workers, 2), *args, **kwargs)  # never start 3,000 here

        monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", spy)
        monkeypatch.setattr(pool, "cpu_count", lambda: 4)
        names = [put(f"s{i}.yaml", ASKER_TEXT) for i in range(3)]
        many = run("evaluate", "--format", "jsonl", "--jobs", "3000", *names)
        one = run("evaluate", "--format", "jsonl", *names)
        assert (many.exit_code, many.stdout) == (one.exit_code, one.stdout)
        assert asked == [3]  # three situations: three workers at most
        names = [put(f"t{i}.yaml", ASKER_TEXT) for i in range(9)]
        run("evaluate", "--format", "jsonl", "--jobs", "3000", *names)
        assert asked == [3, 4]  # four CPUs

    def test_cpu_count_is_this_process_s(self) -> None:
        count = pool.cpu_count()
        assert 1 <= count <= (os.cpu_count() or 1)
        if hasattr(os, "sched_getaffinity"):
            assert count == len(os.sched_getaffinity(0))

    def test_failing_to_start_workers_is_one_line(self, here: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        def no_fork(process: Any) -> Any:
            raise BlockingIOError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(multiprocessing.context.ForkProcess, "_Popen", staticmethod(no_fork))
        monkeypatch.setattr(multiprocessing.context.SpawnProcess, "_Popen",
                            staticmethod(no_fork))
        monkeypatch.setattr(pool, "cpu_count", lambda: 4)
        names = [put(f"s{i}.yaml", ASKER_TEXT) for i in range(4)]
        result = run("evaluate", "--format", "jsonl", "--jobs", "2", *names)
        assert result.exit_code == 2
        assert result.stderr == ("hunch: cannot start 2 worker processes: Resource temporarily "
                                 "unavailable (use a smaller --jobs, or --jobs 1)\n")


def _rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


class TestSurrogates:
    """F13, F14: a lone surrogate in a JSON line or a file name that is not UTF-8 loses
    nothing; every output stays valid UTF-8 (and valid JSON)."""

    LINES = b'{"note": "a"}\n{"note": "\\udc80"}\n{"note": "b"}\n'

    @pytest.mark.parametrize("fmt", ["jsonl", "json", "table", "markdown"])
    def test_lone_surrogate_in_a_json_line(self, here: Any, fmt: str) -> None:
        write_pack("p", NOTE_PACK)
        args = ["evaluate", "-r", "p", "--format", fmt, "-"]
        if fmt in ("table", "markdown"):
            args.append("--explain=full")  # where the text shows the value it matched
        result = run(*args, "-o", "out", stdin=self.LINES)
        assert result.exit_code == 0, result.output
        text = read_bytes("out").decode("utf-8")  # strict: valid UTF-8
        assert "\\udc80" in text
        if fmt == "jsonl":
            rows = _rows(text)
            assert [r["hypotheses"][0]["support"][0]["matched"]["note"] for r in rows] == \
                ["a", "\udc80", "b"]  # the JSON escape reads back as what was sent
        to_stdout = run(*args, stdin=self.LINES)
        assert to_stdout.stdout_bytes.decode("utf-8") == text

    @pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses such names")
    @pytest.mark.parametrize("fmt", ["jsonl", "json", "table", "markdown"])
    def test_file_name_not_utf8(self, here: Any, fmt: str) -> None:
        put("cases/a.yaml", ASKER_TEXT)
        put(os.fsdecode(b"cases/caf\xe9.yaml"), ASKER_TEXT)
        put(os.fsdecode(b"cases/bad\xff.yaml"), "x: [")
        result = run("evaluate", "--format", fmt, "cases", "-o", "out")
        assert result.exit_code == 2
        text = read_bytes("out").decode("utf-8")
        label = "cases/caf\\xe9.yaml"
        assert (json.dumps(label)[1:-1] if fmt.startswith("json") else label) in text
        assert result.stderr == ("cases/bad\\xff.yaml:2:1: invalid YAML: did not find expected "
                                 "node content (a [ or { above is not closed, or an item in "
                                 "it needs quotes)\n")
        if fmt == "jsonl":
            assert [r["situation"] for r in _rows(text)] == \
                ["cases/a.yaml", "cases/bad\\xff.yaml", "cases/caf\\xe9.yaml"]
            assert "error" not in _rows(text)[2]
        to_stdout = run("evaluate", "--format", fmt, "cases")
        assert to_stdout.stdout_bytes.decode("utf-8") == text

    def test_unsurrogated_keeps_json_valid(self) -> None:
        text = batch.encoded({"k\udce9": ["\ud800", "ok"]}, "jsonl")
        assert json.loads(text) == {"k\udce9": ["\ud800", "ok"]}
        text.encode("utf-8")


class TestDistributedItems:
    """F24: whatever one situation of a Dask bag holds, the others come back."""

    @pytest.fixture(autouse=True)
    def _dask(self) -> None:
        pytest.importorskip("dask.bag")

    @staticmethod
    def _deep(levels: int) -> Any:
        value: Any = 1
        for _ in range(levels):
            value = [value]
        return value

    @pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
    def test_deep_value(self, scheduler: str) -> None:
        from hunch.distributed import evaluate_bag

        situations = [{"days_since_interview": 3}, {"days_since_interview": self._deep(50_000)},
                      {"days_since_interview": 30}]
        got = evaluate_bag(None, situations, npartitions=2, scheduler=scheduler)
        assert len(got) == 3
        assert got[1] == {"situation": "<item 1>",
                          "error": f"<input>: nested deeper than {MAX_DEPTH} levels"}
        assert "error" not in got[0] and "error" not in got[2]

    def test_any_failure_stays_with_its_item(self) -> None:
        from hunch.distributed import evaluate_bag

        got = evaluate_bag(None, [{"days_since_interview": d} for d in (3, 4, 5)],
                           scheduler="synchronous", render=_fails_on_four)
        assert got[0] == got[2] == "fine"
        assert got[1]["situation"] == "<item 1>"
        assert got[1]["error"].startswith("<item 1>: internal error: ValueError: 'four'")


def _fails_on_four(result: Any) -> str:
    if result.situation.values.get("days_since_interview") == 4:
        raise ValueError("four")
    return "fine"


class TestItemKinds:
    """Issue 21: an input is exactly one kind of Item, and each kind pickles to a worker."""

    def test_each_input_is_one_kind(self, here: Any) -> None:
        put("a.yaml", ASKER_TEXT)
        os.mkdir("empty")
        listed = list(inputs.expand(["a.yaml", "empty", "-"], io.BytesIO(b'{"a": 1}\n')))
        assert listed == [
            inputs.FileItem("a.yaml", "a.yaml"),
            inputs.BadItem("empty", "empty: no situation files (*.yaml, *.yml) in this "
                                    "directory"),
            inputs.LineItem("<stdin>:1", b'{"a": 1}\n', 1)]
        single, document = inputs.read_stdin(io.BytesIO(b"a: 1\n"))
        listed.extend(document)
        assert single and listed[-1] == inputs.TextItem("<stdin>", "a: 1\n")
        assert [pickle.loads(pickle.dumps(item)) for item in listed] == listed


class TestOneWording:
    """Issue 21: a bug is worded once (hunch.errors); each shell adds only its framing."""

    def test_cli_and_batch_rows_say_the_same(self, here: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        from hunch.engine import evaluate as engine

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise KeyError("oops")

        monkeypatch.setattr(engine, "evaluate", broken)
        put("a.yaml", ASKER_TEXT)
        put("b.yaml", ASKER_TEXT)
        words = internal_error(KeyError("oops"), batch.RERUN_WITH_DEBUG, "'oops'")
        single = run("evaluate", "a.yaml")
        assert (single.exit_code, single.stderr) == (2, words + "\n")
        quoted = internal_error(KeyError("oops"), batch.RERUN_WITH_DEBUG, short("'oops'", 200))
        rows = _rows(run("evaluate", "--format", "jsonl", "a.yaml", "b.yaml").stdout)
        assert rows == [{"situation": name, "error": f"{name}: {quoted}"}
                        for name in ("a.yaml", "b.yaml")]


class TestStdinClosed:
    """New case: standard input closed (`<&-`) is a located error, not an internal one."""

    def test_evaluate(self, here: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(inputs, "stdin_stream", lambda: None)
        put("a.yaml", ASKER_TEXT)
        result = run("evaluate", "--format", "jsonl", "a.yaml", "-")
        rows = _rows(result.stdout)
        assert len(rows) == 2 and "error" not in rows[0]
        assert rows[1] == {"situation": "<stdin>", "error": "<stdin>: standard input is "
                                                              "closed, there is nothing to read"}

    def test_read_error_midway_keeps_what_was_read(self) -> None:
        class Vanishing(io.BytesIO):
            def readline(self, size: int | None = -1) -> bytes:
                if self.tell():
                    raise OSError(5, "Input/output error")
                return super().readline(size)

        items = list(inputs.read_jsonl(Vanishing(b'{"a": 1}\n{"a": 2}\n')))
        assert items == [
            inputs.LineItem("<stdin>:1", b'{"a": 1}\n', 1),
            inputs.BadItem("<stdin>:2",
                           "<stdin>:2: cannot read standard input: Input/output error")]

    def test_real_processes(self, here: Any) -> None:
        for args in (["evaluate", "-"], ["ask"]):
            proc = subprocess.run([sys.executable, "-m", "hunch", *args], stdin=None,
                                  capture_output=True, text=True, check=False, cwd=ROOT,
                                  preexec_fn=lambda: os.close(0))
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr.startswith("<stdin>") and "standard input is closed" in \
                proc.stderr, proc.stderr
            assert "internal error" not in proc.stderr


TEA_BUT_NOTE = "minutes_since_boil: 20\nwhistling: false\nsteam: true\nmilk: false\nsugar: false\n"


class TestAskSave:
    """F18, F19: --save is tried before any question, and answers are never lost."""

    @pytest.mark.skipif(not os.path.isdir("/sys") or (os.geteuid() != 0
                                                      and os.access("/sys", os.W_OK)),
                        reason="needs a folder no one may write")
    def test_unwritable_folder_refused_before_asking(self) -> None:
        # /sys refuses new files even to root, for whom os.access says yes
        result = run("ask", "--rules", TEA, "--save", "/sys/hunch-answers.yaml", stdin="20\n")
        assert result.exit_code == 2
        assert result.stdout == ""  # not one question asked
        assert result.stderr.startswith("/sys/hunch-answers.yaml: cannot save the answers "
                                         "here: ")
        assert result.stderr.endswith("(pick a folder you can write to)\n")

    def test_probe_leaves_nothing(self, tmp_path: Any) -> None:
        save = tmp_path / "s.yaml"
        result = run("ask", "--rules", TEA, "--save", str(save), stdin="20\nyes\nno\nno\n")
        assert result.exit_code == 0, result.output
        assert os.listdir(tmp_path) == ["s.yaml"]

    def test_failing_save_prints_the_answers(self, tmp_path: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.output.atomic

        def full(path: str, text: str) -> None:
            raise HunchError("cannot write: No space left on device", path)

        monkeypatch.setattr(hunch.output.atomic, "write_atomic", full)
        save = tmp_path / "s.yaml"
        result = run("ask", "--rules", TEA, "--save", str(save), stdin="20\nyes\nno\nno\n")
        assert result.exit_code == 2
        assert f"{save}: cannot write: No space left on device\n" in result.stderr
        saved = result.stdout[result.stdout.index("# Situation written by"):]
        data = load_text(saved, "x").data
        assert (data["minutes_since_boil"], data["whistling"]) == (20, True)

    def test_non_utf8_answer_is_asked_again(self, tmp_path: Any) -> None:
        # a real process whose standard input is decoded strictly, as in a UTF-8
        # locale (CliRunner would echo the answer through a strict stream of its own)
        start, save = tmp_path / "start.yaml", tmp_path / "s.yaml"
        start.write_text(TEA_BUT_NOTE)
        proc = subprocess.run(
            [sys.executable, "-m", "hunch", "ask", "--rules", TEA, "--all", "--situation",
             str(start), "--save", str(save)], input=b"caf\xe9\ncaf\xc3\xa9\n",
            capture_output=True, check=False, cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
        assert proc.returncode == 0, proc.stderr
        assert b"that is not UTF-8 text (byte 0xe9); type it again" in proc.stdout
        assert load_file(str(save)).data["note"] == "café"
        assert run("evaluate", "--rules", TEA, str(save)).exit_code == 0

    def test_nel_answer_is_asked_again(self, tmp_path: Any) -> None:
        # new case: U+0085 was saved raw, and YAML reads it back as a line break (a space)
        start, save = tmp_path / "start.yaml", tmp_path / "s.yaml"
        start.write_text(TEA_BUT_NOTE)
        result = run("ask", "--rules", TEA, "--all", "--situation", str(start), "--save",
                     str(save), stdin="a\x85b\nab\n")
        assert result.exit_code == 0, result.output
        assert "U+0085 (a line break) cannot be part of an answer" in result.stdout
        assert load_file(str(save)).data["note"] == "ab"

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x85"),
                   min_size=1, max_size=30))
    # a float to YAML 1.2 but a string to pyyaml's 1.1 rules: it was written bare
    @example("0E0")
    @example("0o10")
    def test_any_text_answer_reads_back(self, text: str) -> None:
        from hunch.consult.ask import Consultation
        from hunch.engine.load import load_pack

        consultation = Consultation(load_pack(TEA), {"minutes_since_boil": 20}, file="s.yaml")
        consultation.answer("note", text)
        assert load_text(consultation.situation_text(), "s.yaml").data["note"] == text


_INTERRUPT_AT = """
import importlib.abc, os, signal, sys
target = sys.argv[1]
class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target_=None):
        if name == target:  # Ctrl-C, exactly while this module is being imported
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["hunch"] + sys.argv[2:]
from hunch.cli.console import main
main()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32",
                    reason="POSIX signals")
class TestCtrlCAtStart:
    """F21: Ctrl-C while hunch is still importing its modules: status 130, one line."""

    # the first three failed (a traceback, click's "Aborted!"); the last is the
    # command's own handling, which must keep working once start-up is over
    @pytest.mark.parametrize("module", ["hunch.cli.app", "click", "hunch.errors",
                                        "hunch.cli.evaluate"])
    def test_interrupted_during_import(self, module: str) -> None:
        proc = subprocess.run([sys.executable, "-c", _INTERRUPT_AT, module, "evaluate", ASKER],
                              capture_output=True, text=True, check=False, cwd=ROOT)
        assert (proc.returncode, proc.stderr) == (130, "interrupted\n")
        assert proc.stdout == ""

    def test_ignored_sigint_stays_ignored(self) -> None:
        proc = subprocess.run([sys.executable, "-c", _INTERRUPT_AT, "hunch.cli.app", "evaluate",
                               ASKER], capture_output=True, text=True, check=False, cwd=ROOT,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        assert proc.returncode == 0, proc.stderr  # like `nohup hunch ...`


NAMES = ["yes", "no", "on", "off", "null", "true", "0", "0x10", "1_000", "1.5"]


class TestInitNames:
    """F23: any folder name gives a pack that passes its own check and tests, or none."""

    @pytest.mark.parametrize("name", NAMES)
    def test_yaml_lookalike_names(self, here: Any, name: str) -> None:
        assert run("init", name).exit_code == 0
        assert load_file(os.path.join(name, "pack.yaml")).data["name"] == name
        check = run("check", name)
        assert check.exit_code == 0, check.output
        assert "0 errors, 0 warnings" in check.stdout
        tests = run("test", name)
        assert tests.exit_code == 0, tests.output

    def test_explicit_name_is_quoted_too(self, here: Any) -> None:
        assert run("init", "pk", "--name", "null").exit_code == 0
        assert run("check", "pk").exit_code == 0

    @pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses such names")
    def test_folder_name_not_utf8(self, here: Any) -> None:
        folder = os.fsdecode(b"caf\xe9")
        result = run("init", folder)
        assert result.exit_code == 0, result.output
        assert "created rule pack 'caf' in caf\\xe9:" in result.stdout
        for command in ("check", "test"):  # real processes: their output names the folder
            proc = subprocess.run([sys.executable, "-m", "hunch", command, os.fsencode(folder)],
                                  capture_output=True, check=False,
                                  env={**os.environ, "PYTHONPATH": ROOT})
            assert proc.returncode == 0, proc.stderr
        example = read_bytes(os.path.join(folder, "example.yaml")).decode()
        assert "'caf\\xe9'/example.yaml" in example

    def test_newline_in_folder_name_stays_in_the_comment(self, here: Any) -> None:
        # new case: the folder went raw into pack.yaml's comment, its second line as YAML
        folder = "a\nname: evil"
        assert run("init", folder).exit_code == 0
        assert load_file(os.path.join(folder, "pack.yaml")).data["name"] == "a-name-evil"
        assert run("check", folder).exit_code == 0

    def test_all_or_nothing(self, here: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        from hunch.authoring import scaffold

        # a file that cannot be written after some that were: pack.yaml is a file
        monkeypatch.setitem(scaffold.FILES, "pack.yaml/oops", "x")
        result = run("init", "pk")
        assert result.exit_code == 2
        assert result.stderr.startswith("pk/pack.yaml/oops: cannot write the pack: ") or \
            "cannot write the pack" in result.stderr
        assert os.listdir(".") == []  # no pack, no temporary folder

    def test_into_an_empty_folder_keeps_its_mode(self, here: Any) -> None:
        os.mkdir("pk")
        os.chmod("pk", 0o750)
        assert run("init", "pk").exit_code == 0
        assert os.stat("pk").st_mode & 0o777 == 0o750
        assert sorted(os.listdir(".")) == ["pk"]

    def test_invalid_name_refused(self, here: Any) -> None:
        result = run("init", "pk", "--name", "Bad Name")
        assert result.exit_code == 2
        assert result.stderr.startswith("pk: pack name 'Bad Name' is not a valid id")
        assert os.listdir(".") == []
