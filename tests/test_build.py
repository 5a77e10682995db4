"""The opt-in mypyc build: the switch, which modules it compiles, and how a user sees
which build runs.

The default build stays pure Python (the README's commands, .ci/run's wheel and sdist
check); `HUNCH_MYPYC=1 pip install .` compiles the engine's hot modules. .ci/run builds
that wheel for real and runs the engine's tests, `hunch check --strict` and `hunch test`
against it; these check the parts that decide it, quickly. docs/limits.md, "Compiled
with mypyc".
"""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hunch.cli.app import cli
from hunch.version import COMPILABLE, COMPILED, PURE, build, compiled_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def backend() -> Any:
    sys.path.insert(0, os.path.join(ROOT, "_backend"))
    try:
        import hunch_backend
    finally:
        sys.path.remove(os.path.join(ROOT, "_backend"))
    return hunch_backend


class TestSwitch:
    """HUNCH_MYPYC=1 asks for the compiled build; unset, empty or 0 leave it pure;
    anything else stops the build with what to set."""

    @pytest.mark.parametrize(("value", "wanted"), [(None, False), ("", False), ("0", False),
                                                   (" 0 ", False), ("1", True), ("1\n", True)])
    def test_values(self, backend: Any, value: str | None, wanted: bool) -> None:
        environ = {} if value is None else {backend.SWITCH: value}
        assert backend.compiled_requested(environ) is wanted

    @pytest.mark.parametrize("value", ["yes", "true", "2", "mypyc"])
    def test_anything_else_says_what_to_set(self, backend: Any, value: str) -> None:
        with pytest.raises(SystemExit, match=r"HUNCH_MYPYC=.*set it to 1 to compile"):
            backend.compiled_requested({backend.SWITCH: value})

    def test_pure_builds_ignore_the_switch(self, backend: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        """Editable installs and sdists build under _pure(), which setup.py reads, and
        the environment is as it was afterwards."""
        monkeypatch.setenv(backend.SWITCH, "1")
        with backend._pure():
            assert not backend.compiled_requested()
            assert backend.ext_modules() == []
        assert os.environ[backend.SWITCH] == "1"
        monkeypatch.delenv(backend.SWITCH)
        with backend._pure():
            pass
        assert backend.SWITCH not in os.environ

    def test_the_backend_names_the_hooks_of_setuptools(self, backend: Any) -> None:
        from setuptools import build_meta

        hooks = {name for name in dir(build_meta) if name.startswith(("build_", "get_requires",
                                                                     "prepare_"))}
        assert hooks <= set(backend.__all__)
        assert all(callable(getattr(backend, name)) for name in backend.__all__)


class TestWhichModules:
    def test_the_backend_compiles_what_the_version_reports(self, backend: Any) -> None:
        assert [m.removesuffix(".py").replace("/", ".") for m in backend.MODULES] \
            == list(COMPILABLE)

    def test_pyproject_names_the_backend(self) -> None:
        import tomllib

        with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
            system = tomllib.load(handle)["build-system"]
        assert system["build-backend"] == "hunch_backend"
        assert system["backend-path"] == ["_backend"]
        with open(os.path.join(ROOT, "MANIFEST.in"), encoding="utf-8") as handle:
            assert "include _backend/hunch_backend.py" in handle.read().splitlines()


def _fake_install(tmp_path: Path, compiled: set[str]) -> str:
    """A hunch package whose listed modules are extension files (never loaded: finding
    them is enough), with the real version module; what build() says there."""
    engine = tmp_path / "hunch" / "engine"
    engine.mkdir(parents=True)
    (tmp_path / "hunch" / "__init__.py").write_text("")
    (engine / "__init__.py").write_text("")
    (tmp_path / "hunch" / "version.py").write_text(
        Path(ROOT, "hunch", "version.py").read_text(encoding="utf-8"))
    for name in COMPILABLE:
        leaf = name.rsplit(".", 1)[1]
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0] if name in compiled else ".py"
        (engine / (leaf + suffix)).write_text("")
    proc = subprocess.run([sys.executable, "-I", "-c",
                           "import sys; sys.path.insert(0, sys.argv[1]); "
                           "from hunch.version import build; print(build())", str(tmp_path)],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


class TestWhichBuildRuns:
    """`hunch --version` says whether the running hunch is compiled, from where its
    modules are loaded (hunch.version.build)."""

    def test_pure(self, tmp_path: Path) -> None:
        assert _fake_install(tmp_path, set()) == PURE == "pure Python"

    def test_compiled(self, tmp_path: Path) -> None:
        assert _fake_install(tmp_path, set(COMPILABLE)) == COMPILED == "compiled: mypyc"

    def test_partly_compiled_names_the_modules(self, tmp_path: Path) -> None:
        assert _fake_install(tmp_path, {COMPILABLE[0]}) \
            == f"compiled: mypyc ({COMPILABLE[0]} only)"

    def test_this_process_agrees_with_its_modules(self) -> None:
        """What build() says here is where this process really imported them from."""
        import hunch.engine.certainty
        import hunch.engine.runner

        loaded = [m.__name__ for m in (hunch.engine.runner, hunch.engine.certainty)
                  if not (m.__file__ or "").endswith(".py")]
        assert list(compiled_modules()) == loaded
        result = CliRunner().invoke(cli, ["--version"])
        assert result.exit_code == 0 and result.output == f"hunch 0.1.0 ({build()})\n"

    def test_ci_checks_both_builds(self) -> None:
        """.ci/run ends with the README's pure-Python test command, and before it builds
        the compiled wheel and runs the engine's tests on it."""
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as handle:
            run = handle.read()
        assert "HUNCH_MYPYC=1" in run and "compiled: mypyc" in run
        assert "HUNCH_MYPYC" not in run.strip().splitlines()[-1]


class TestCompiledKeepsBehaviour:
    """What the compiled modules could change and must not (.ci/run runs this module
    against the compiled build too; benchmarks/dump_outputs.py compares the outputs)."""

    def test_a_result_pickles_whole(self) -> None:
        """A Result holds its ledger (compiled class Ledger): pickle rebuilds it through
        __init__, which the compiled class needs (runner.Ledger.__reduce__)."""
        import pickle

        import hunch

        pack = hunch.load_pack(os.path.join(ROOT, "tests", "packs", "wine"))
        result = hunch.evaluate(pack, {"main_component": "meat", "tastiness": "strong",
                                       "has_sauce": True, "sauce": "spicy"})
        back = pickle.loads(pickle.dumps(result))
        assert back == result and back.ledger == result.ledger
        assert back.ledger.firings and back.ledger.firings == result.ledger.firings
        assert back.certainties == result.certainties
