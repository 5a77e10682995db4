"""The repository keeps its promises: README commands, README output, lint and types."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(path: str) -> str:
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


class TestReadme:
    """The README's Quick start and sample output are the real thing."""

    def test_ci_runs_exactly_the_readme_test_command(self) -> None:
        commands = re.findall(r"```sh\n(.+)\n```", _read("README.md"))
        assert len(commands) == 2
        assert commands[1] == _read(".ci/run").strip().splitlines()[-1]
        assert "hunch evaluate examples/asker.yaml" in commands[0]

    def test_readme_shows_the_real_output_for_the_asker(self, in_repo: Path,
                                                         cli: Callable[..., Result]) -> None:
        result = cli("evaluate", "examples/asker.yaml")
        assert result.exit_code == 0
        assert result.stdout.rstrip() in _read("README.md")


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


class TestQuality:
    """ruff and mypy (configured in pyproject.toml) are clean."""

    def test_ruff(self) -> None:
        proc = subprocess.run([_tool("ruff"), "check", "hunch", "tests", "benchmarks",
                               "_backend", "setup.py"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def test_mypy(self) -> None:
        proc = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


class TestAuthoringDoc:
    """docs/authoring.md's worked example is exactly what `hunch init` writes."""

    def test_worked_example_matches_the_scaffold(self, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 cli: Callable[..., Result]) -> None:
        doc = _read("docs/authoring.md")
        blocks = dict(re.findall(r"### `([^`]+)`\n\n```(?:yaml|text)\n(.*?)\n```", doc, re.S))
        monkeypatch.chdir(tmp_path)
        assert cli("init", "houseplant").exit_code == 0
        written = {}
        for folder, _, files in os.walk("houseplant"):
            for name in files:
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as handle:
                    written[os.path.relpath(path, "houseplant")] = handle.read().rstrip()
        shown = cli("evaluate", "--rules", "houseplant", "houseplant/example.yaml")
        assert written == {name: text for name, text in blocks.items() if name in written}
        assert set(written) <= set(blocks)
        assert shown.stdout.rstrip() in doc


# The layers of hunch/, lowest first, and which may import which. A folder imports
# only the base modules and the folders listed for it; inside a folder, modules may
# import each other as long as there is no cycle. docs/architecture.md explains it.
BASE = {"hunch.errors", "hunch.limits", "hunch.record", "hunch.version"}
LAYERS = {
    "pack": set(),
    "engine": {"pack"},
    "explain": {"pack", "engine"},
    "output": {"pack", "engine", "explain"},
    "authoring": {"pack", "engine"},
    "consult": {"pack", "engine", "explain"},
    "batch": {"pack", "engine", "explain", "output"},
    # the HTTP service: vets reloaded packs (authoring), reuses batch's pack preparation,
    # and asks the next question as `hunch ask` does (consult: no terminal I/O in it)
    "serve": {"pack", "engine", "explain", "output", "authoring", "consult", "batch"},
    "cli": {"pack", "engine", "explain", "output", "authoring", "consult", "batch", "serve"},
}
FACES = {"hunch", "hunch.__main__", "hunch.distributed"}  # the public face: may import anything


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Every hunch module and the hunch modules it imports, at any depth of its code
    (imports inside functions count: a lazy import is still a dependency)."""
    import ast

    modules = {_module_name(p): p for p in Path(ROOT, "hunch").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from hunch.output import render` imports the module hunch.output.render
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                           else node.module for a in node.names]
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def string_keyed_state(source: str) -> list[int]:
    """Lines that reach into an object's ``__dict__`` (``x.__dict__[k] = v``,
    ``x.__dict__.setdefault``, ``vars(x)[k]``) or set an attribute named by a string
    literal (``setattr(x, "_cache", v)``): state with no declared, typed owner."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            found.append(node.lineno)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        named = node.func.id in ("setattr", "delattr") and len(node.args) >= 2 \
            and isinstance(node.args[1], ast.Constant)
        if named or (node.func.id == "vars" and node.args):
            found.append(node.lineno)
    return sorted(found)


class TestLayout:
    """The package has the shape of its pipeline: folders per stage, imports only downward."""

    def test_the_stages_are_folders(self) -> None:
        top = sorted(p.name for p in Path(ROOT, "hunch").iterdir()
                     if p.is_dir() and not p.name.startswith("__"))
        assert top == sorted(LAYERS)
        loose = sorted(p.stem for p in Path(ROOT, "hunch").glob("*.py"))
        assert loose == ["__init__", "__main__", "distributed", "errors", "limits", "record",
                         "version"]

    def test_no_module_imports_a_module_that_imports_it_back(self) -> None:
        assert cycles(import_graph()) == []

    def test_no_upward_imports_between_folders(self) -> None:
        wrong = []
        for module, imported in sorted(import_graph().items()):
            if module in FACES:
                continue
            mine = _folder(module)
            for target in sorted(imported):
                theirs = _folder(target)
                if target in BASE or theirs == mine:
                    continue
                if module in BASE or theirs is None or mine is None \
                        or theirs not in LAYERS[mine]:
                    wrong.append(f"{module} imports {target}")
        assert wrong == []

    def test_folder_init_files_import_nothing(self) -> None:
        # a package __init__ that imported its modules would load the whole stage
        # for any one of them (and hide the real dependencies from this test)
        graph = import_graph()
        for name in LAYERS:
            assert graph[f"hunch.{name}"] == set(), name

    def test_no_state_is_kept_under_string_keys(self) -> None:
        # derived state lives in declared attributes or a Memo slot its module declares
        # (hunch/record.py; docs/architecture.md, "Where state lives")
        wrong = {str(path.relative_to(ROOT)): lines for path in Path(ROOT, "hunch").rglob("*.py")
                 if (lines := string_keyed_state(path.read_text(encoding="utf-8")))}
        assert wrong == {}

    def test_the_checks_catch_what_they_look_for(self) -> None:
        assert string_keyed_state('p.__dict__["_engine"] = 1\nx = p.__dict__.get("_c")\n'
                                  'setattr(p, "_c", 2)\nvars(p)["k"] = 3\n'
                                  'setattr(p, name, 4)\np.memo.put(SLOT, 5)\n') == [1, 2, 3, 4]
        graph = {"hunch.pack.a": {"hunch.engine.b"}, "hunch.engine.b": {"hunch.pack.a"}}
        assert cycles(graph) == [["hunch.engine.b", "hunch.pack.a"]]
        assert _folder("hunch.engine.b") == "engine" and _folder("hunch.errors") is None
        assert "pack" in LAYERS["engine"] and "engine" not in LAYERS["pack"]
        # imports inside functions are seen (cli.explain imports these only when it runs)
        assert {"hunch.output.formats", "hunch.explain.how"} <= import_graph()["hunch.cli.explain"]
