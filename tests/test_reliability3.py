"""Reliability, round three (issue 20), the command line and the library: findings 07,
11, 12, 13 and 15 of ../shared/reliability-findings-3.md, and the property test over
every shipped pack that would have caught 13.

Each test name carries its finding's number (docs/limits.md, docs/security.md). No test
measures time: the FIFO test runs the command in a thread and, if it is still blocked
after a generous wait, opens the FIFO's other end so the thread ends and the test fails.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hunch.authoring import packtest
from hunch.cli.app import cli
from hunch.engine.evaluate import evaluate
from hunch.engine.load import load_pack
from hunch.errors import HunchError
from hunch.explain.how import explain, flips, what_if
from hunch.explain.unknowns import unknowns_search
from hunch.pack import project
from hunch.pack.model import FactSpec, Pack
from hunch.pack.read import builtin_packs
from hunch.pack.yamlsource import Document

ROOT = Path(__file__).resolve().parent.parent
ANIMALS = ROOT / "tests" / "packs" / "animals"
NOBODY = 65534
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="chown to another user needs root")


def hunch(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def pack_of(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["pack"])


# --- 07: another user's hunch.toml ----------------------------------------------------

@pytest.fixture()
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /tmp (sticky, world-writable), with a folder of ours inside,
    worked in."""
    top = tmp_path / "tmp"
    (top / "mine" / "work").mkdir(parents=True)
    top.chmod(0o1777)
    monkeypatch.chdir(top / "mine" / "work")
    return top


def plant(path: Path, text: str = 'pack = "lend-money"\n', uid: int = NOBODY) -> Path:
    path.write_text(text)
    os.chown(path, uid, -1)
    return path


class TestFinding07ConfigOwnership:
    """The walk for hunch.toml stops at shared and foreign folders; foreign or
    world-writable config files are ignored with a one-line warning."""

    @as_root
    def test_07_a_config_planted_in_a_sticky_folder_is_not_used(
            self, shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
        plant(shared / "hunch.toml")
        assert project.find_config() is None
        assert "ignoring" in capsys.readouterr().err
        Path("s.yaml").write_text("days_since_interview: 3\n")
        assert pack_of(hunch("evaluate", "--format", "json", "s.yaml")) == "interview-silence"

    def test_07_the_walk_stops_at_a_world_writable_folder(self, shared: Path) -> None:
        # ours, but anyone may drop a file in it: not a place to find a config in
        plant(shared / "hunch.toml", uid=os.geteuid())
        shared.chmod(0o777)
        assert project.find_config() is None
        (shared / "mine" / "hunch.toml").write_text('pack = "lend-money"\n')
        config = project.find_config()
        assert config is not None and config.pack == "lend-money"  # below it: ours, used

    @as_root
    def test_07_the_walk_stops_at_a_folder_of_another_user(self, tmp_path: Path) -> None:
        (tmp_path / "theirs" / "mine").mkdir(parents=True)
        (tmp_path / "hunch.toml").write_text('pack = "lend-money"\n')  # above theirs
        os.chown(tmp_path / "theirs", NOBODY, -1)
        assert project.find_config(str(tmp_path / "theirs" / "mine")) is None
        assert project.find_config(str(tmp_path)) is not None  # root's own: used

    @as_root
    def test_07_a_config_of_another_user_is_ignored_with_a_warning(
            self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        (tmp_path / "work").mkdir()
        plant(tmp_path / "work" / "hunch.toml", 'pack = "printer-wont-print"\n')
        (tmp_path / "pyproject.toml").write_text('[tool.hunch]\npack = "lend-money"\n')
        config = project.find_config(str(tmp_path / "work"))
        assert config is not None and config.pack == "lend-money"  # the walk went on
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "ignoring" in err and f"uid {NOBODY}" in err

    def test_07_a_world_writable_config_is_ignored(
            self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        config = tmp_path / "hunch.toml"
        config.write_text('pack = "lend-money"\n')
        config.chmod(0o666)
        assert project.find_config(str(tmp_path)) is None
        assert "anyone may write to it (mode 666)" in capsys.readouterr().err
        config.chmod(0o644)
        assert project.find_config(str(tmp_path)) is not None


# --- 11: check and test were quadratic in the tests of a file ---------------------------

class TestFinding11TestIndex:
    """Each test's index in its file is found through one map per file."""

    def test_11_locations_are_looked_up_once_per_test(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        pack_dir = tmp_path / "animals"
        shutil.copytree(ANIMALS, pack_dir)
        tests = pack_dir / "tests"
        shutil.rmtree(tests, ignore_errors=True)
        tests.mkdir()
        count = 300
        (tests / "many.yaml").write_text("tests:\n" + "".join(
            f"  - name: case {n}\n    situation: {{has_feathers: true}}\n"
            f"    expect: {{}}\n" for n in range(count)))
        pack = load_pack(str(pack_dir), tests=True)
        calls = 0
        real = Document.loc

        def counted(self: Document, path: Any) -> Any:
            nonlocal calls
            calls += 1
            return real(self, path)

        monkeypatch.setattr(Document, "loc", counted)
        sources = packtest._sources(pack)
        assert [s.index for s in sources.values()] == list(range(count))
        assert calls <= 2 * count  # the scan made count * (count + 1) / 2 of them


# --- 12: a FIFO among the inputs ----------------------------------------------------------

def finishes(args: list[str], fifo: Path, wait: float = 60.0) -> Result:
    """``hunch args`` run in a thread; a run still blocked (on opening the FIFO) after
    ``wait`` seconds is let go, by opening the FIFO's other end, and fails the test."""
    box: dict[str, Result] = {}
    thread = threading.Thread(target=lambda: box.update(result=hunch(*args)), daemon=True)
    thread.start()
    thread.join(wait)
    blocked = thread.is_alive()
    if blocked:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join()
    assert not blocked, f"hunch {' '.join(args)} blocked on the FIFO {fifo}"
    return box["result"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
class TestFinding12Fifo:
    """A FIFO among a batch's inputs is that item's one-line error; the others are
    evaluated."""

    @pytest.fixture()
    def cases(self, tmp_path: Path) -> Path:
        (tmp_path / "1.yaml").write_text("days_since_interview: 3\n")
        os.mkfifo(tmp_path / "2.yaml")
        (tmp_path / "3.yaml").write_text("days_since_interview: 30\n")
        return tmp_path

    def check(self, result: Result) -> None:
        assert result.exit_code == 2, result.output
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [("error" in row) for row in rows] == [False, True, False]
        assert "is a FIFO (named pipe), not a regular file" in rows[1]["error"]

    def test_12_a_fifo_in_a_batch_folder(self, cases: Path) -> None:
        self.check(finishes(["evaluate", "--format", "jsonl", str(cases)], cases / "2.yaml"))

    def test_12_a_fifo_named_on_the_command_line(self, cases: Path) -> None:
        names = [str(cases / f"{n}.yaml") for n in (1, 2, 3)]
        self.check(finishes(["evaluate", "--format", "jsonl", *names], cases / "2.yaml"))

    def test_12_a_fifo_as_the_one_situation(self, cases: Path) -> None:
        result = finishes(["evaluate", str(cases / "2.yaml")], cases / "2.yaml")
        assert result.exit_code == 2 and "not a regular file" in result.stderr
        assert result.stderr.count("\n") == 1

    def test_12_every_read_of_a_file_goes_through_the_one_opener(self) -> None:
        """hunch.pack.yamlsource.read_bytes is the one reader of user files: a plain
        open() for reading anywhere else in hunch/ is how F6 came back."""
        opener = ROOT / "hunch" / "pack" / "yamlsource.py"
        # hunch serve's pack revision hash: finding 05, fixed on its own branch
        pending = {ROOT / "hunch" / "serve" / "packs.py"}
        found = []
        for path in sorted((ROOT / "hunch").rglob("*.py")):
            if path in (opener, *pending):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if reads_a_file(node):
                    found.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
        assert found == []
        assert reads_a_file(ast.parse('open(p, "rb")').body[0].value)  # type: ignore[attr-defined]
        assert reads_a_file(ast.parse("Path(p).read_text()").body[0].value)  # type: ignore[attr-defined]
        assert not reads_a_file(ast.parse('open(p, "w")').body[0].value)  # type: ignore[attr-defined]


def reads_a_file(node: ast.AST) -> bool:
    """A call of the builtin open() for reading, or of a Path's read_text/read_bytes."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute):
        return node.func.attr in ("read_text", "read_bytes")
    if not (isinstance(node.func, ast.Name) and node.func.id == "open"):
        return False
    mode = node.args[1] if len(node.args) > 1 else next(
        (k.value for k in node.keywords if k.arg == "mode"), None)
    if mode is None:
        return True
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                and any(c in mode.value for c in "wxa"))


# --- 13: explain on an observable derived fact ------------------------------------------

PRINTER_CASE = {"has_power": True, "link_ok": False}


class TestFinding13Explain:
    """An observable derived fact the situation states is an input of the explanation."""

    def test_13_explain_every_conclusion_of_the_printer_case(self) -> None:
        result = evaluate("printer-wont-print", PRINTER_CASE)
        for cid in result.pack.conclusions:
            x = explain(result, cid)
            assert [f.name for f in x.inputs()].count("has_power") <= 1

    def test_13_evaluate_explain_through_the_cli(self, tmp_path: Path) -> None:
        situation = tmp_path / "s.yaml"
        situation.write_text("has_power: true\nlink_ok: false\n")
        for args in (["--explain"], ["--explain=full", "--format", "json"]):
            result = hunch("evaluate", "-r", "printer-wont-print", str(situation), *args)
            assert result.exit_code == 0, result.output
        shown = hunch("evaluate", "-r", "printer-wont-print", str(situation), "--explain")
        assert "has_power" in shown.stdout


# --- the property test: every shipped pack, every explain surface -----------------------

PACKS = {name: load_pack(name) for name in builtin_packs()}


def value_of(spec: FactSpec) -> st.SearchStrategy[Any]:
    """Values the declaration accepts (types, bounds, enums)."""
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "enum":
        return st.sampled_from(list(spec.values or [None]))
    if spec.type == "integer":
        low = None if spec.min is None else int(spec.min)
        high = None if spec.max is None else int(spec.max)
        return st.integers(min_value=low, max_value=high)
    if spec.type == "number":
        return st.floats(min_value=spec.min, max_value=spec.max, allow_nan=False,
                         allow_infinity=False)
    return st.text(min_size=1, max_size=20)


def stated(pack: Pack) -> dict[str, FactSpec]:
    """What a situation may state: the input facts and the observable derived ones."""
    return {**pack.facts, **{n: s for n, s in pack.derived.items() if s.observable}}


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dict[str, Any], tuple[str, Any]]:
    """A pack, a situation of it (each fact present or absent), and one what-if change."""
    name = draw(st.sampled_from(sorted(PACKS)))
    specs = stated(PACKS[name])
    situation = {fact: draw(value_of(spec)) for fact, spec in specs.items()
                 if draw(st.booleans())}
    changed = draw(st.sampled_from(sorted(PACKS[name].facts)))
    return name, situation, (changed, draw(value_of(PACKS[name].facts[changed])))


BOUNDED = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


class TestFinding13Properties:
    """Over situations sampled from every shipped pack's declarations, evaluate, explain,
    what-if and still-unknown end in a result or a HunchError, never anything else."""

    @BOUNDED
    @given(cases())
    def test_13_the_library_never_fails_inside(
            self, case: tuple[str, dict[str, Any], tuple[str, Any]]) -> None:
        name, situation, (fact, value) = case
        try:
            result = evaluate(PACKS[name], situation)
        except HunchError:
            return  # bad input, reported as such (e.g. a rule pack's own constraint)
        for cid in result.pack.conclusions:
            explain(result, cid).inputs()
        for level in ("summary", "full"):
            from hunch.output.render import render_explained
            for fmt in ("table", "json", "markdown"):
                render_explained(fmt, level, result)
        unknowns_search(result)
        flips(result)
        try:
            what_if(result, {fact: value})
        except HunchError:
            pass

    @settings(BOUNDED, max_examples=30)
    @given(cases())
    def test_13_the_cli_never_fails_inside(
            self, tmp_path_factory: pytest.TempPathFactory,
            case: tuple[str, dict[str, Any], tuple[str, Any]]) -> None:
        name, situation, (fact, value) = case
        path = tmp_path_factory.mktemp("case") / "s.json"
        path.write_text(json.dumps(situation))
        runs = [["evaluate", "-r", name, str(path), "--format", "json"]]
        runs += [["evaluate", "-r", name, str(path), f"--explain={level}", "--format", fmt]
                 for level in ("summary", "full") for fmt in ("table", "json")]
        runs += [["explain", "-r", name, str(path), cid]
                 for cid in sorted(PACKS[name].conclusions)[:3]]
        runs += [["what-if", "-r", name, str(path), "--set", f"{fact}={json.dumps(value)}"],
                 ["what-if", "-r", name, str(path), "--flip"]]
        for args in runs:
            result = hunch(*args)
            assert result.exit_code in (0, 2), (args, result.output)
            assert "internal error" not in result.output, (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), args


# --- 15: _pack outside the situation's folder ----------------------------------------------

@pytest.fixture()
def received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pack somewhere on the machine, and a situation elsewhere that names it."""
    shutil.copytree(ANIMALS, tmp_path / "elsewhere" / "zoo",
                    ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "inbox").mkdir()
    monkeypatch.chdir(tmp_path / "inbox")
    return tmp_path


class TestFinding15SituationPack:
    """A situation's _pack may name a built-in pack, a folder beside it, or one in its
    project; any other folder only with hunch --allow-pack-path."""

    @pytest.mark.parametrize("value", ["{root}/elsewhere/zoo", "../elsewhere/zoo"])
    def test_15_absolute_and_dotdot_are_refused(self, received: Path, value: str) -> None:
        (received / "inbox" / "bird.yaml").write_text(
            f"_pack: {value.format(root=received)}\nhas_feathers: true\n")
        result = hunch("evaluate", "bird.yaml")
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "bird.yaml:1:1: _pack:" in result.stderr
        assert "--allow-pack-path" in result.stderr
        allowed = hunch("--allow-pack-path", "evaluate", "--format", "json", "bird.yaml")
        assert pack_of(allowed) == "animals"
        batch = hunch("evaluate", "--format", "jsonl", ".")  # the batch path too
        assert batch.exit_code == 2 and "--allow-pack-path" in batch.stdout

    def test_15_inside_the_project_and_beside_it_are_followed(self, received: Path) -> None:
        shutil.move(received / "elsewhere" / "zoo", received / "inbox" / "zoo")
        (received / "inbox" / "bird.yaml").write_text("_pack: zoo\nhas_feathers: true\n")
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"
        (received / "inbox" / "cases").mkdir()
        (received / "inbox" / "cases" / "bird.yaml").write_text(
            "_pack: ../zoo\nhas_feathers: true\n")
        os.chdir(received / "inbox" / "cases")
        assert hunch("evaluate", "bird.yaml").exit_code == 2  # no project: refused
        (received / "inbox" / "hunch.toml").write_text("")
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"

    def test_15_a_pack_other_than_the_projects_is_noted(self, received: Path) -> None:
        (received / "inbox" / "hunch.toml").write_text('pack = "lend-money"\n')
        (received / "inbox" / "days.yaml").write_text(
            "_pack: interview-silence\ndays_since_interview: 3\n")
        result = hunch("evaluate", "--format", "json", "days.yaml")
        assert pack_of(result) == "interview-silence"
        notes = [line for line in result.stderr.splitlines() if "note:" in line]
        assert len(notes) == 1 and "not the project's lend-money" in notes[0]
        assert json.loads(result.stdout)["project_pack"] == "lend-money"
        (received / "inbox" / "loan.yaml").write_text("_pack: lend-money\nrelationship: family\n")
        batch = hunch("evaluate", "--format", "jsonl", ".")
        rows = {row["situation"]: row for row in map(json.loads, batch.stdout.splitlines())}
        assert rows["./days.yaml"]["project_pack"] == "lend-money"
        assert "error" not in rows["./loan.yaml"] and "project_pack" not in rows["./loan.yaml"]
        forced = hunch("evaluate", "--format", "json", "-r", "interview-silence", "days.yaml")
        assert "project_pack" not in json.loads(forced.stdout)  # --rules: asked for


def test_the_fixture_folders_are_ours(tmp_path: Path) -> None:
    # the walk trusts pytest's own folders: else every test above would pass vacuously
    assert not stat.S_IMODE(os.stat(tmp_path).st_mode) & 0o002
    assert project.find_config(str(tmp_path)) is None
