"""An installed hunch (a wheel, not the source tree) is whole: packs, their tests'
situation files, the docs its help names, a license; and it installs on 3.11-3.13.

.ci/run builds the real wheel and runs `hunch check --strict && hunch test` from a
temporary folder; these tests check the layout that makes that work, quickly.
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hunch.cli.app import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pyproject() -> dict[str, Any]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)


def _installed(source: str, mapping: dict[str, str]) -> str:
    """Where a repository path lands in site-packages, by setuptools' package-dir."""
    for package, folder in mapping.items():
        if source == folder or source.startswith(folder + "/"):
            return package.replace(".", "/") + source[len(folder):]
    return source


class TestWheelLayout:
    def test_pack_tests_find_their_situation_files_once_installed(self) -> None:
        mapping = _pyproject()["tool"]["setuptools"]["package-dir"]
        checked = 0
        for pack in os.listdir(os.path.join(ROOT, "rules")):
            tests = os.path.join(ROOT, "rules", pack, "tests")
            for name in sorted(os.listdir(tests)):
                with open(os.path.join(tests, name), encoding="utf-8") as handle:
                    data = yaml.safe_load(handle)
                for case in data.get("tests", []):
                    ref = case.get("situation_file")
                    if not ref:
                        continue
                    in_tree = os.path.normpath(os.path.join("rules", pack, "tests", ref))
                    assert os.path.isfile(os.path.join(ROOT, in_tree)), in_tree
                    installed_dir = _installed(f"rules/{pack}/tests", mapping)
                    there = os.path.normpath(os.path.join(installed_dir, ref))
                    assert there == _installed(in_tree, mapping), (ref, there)
                    assert there.startswith("hunch/"), f"{ref} is outside the package: {there}"
                    checked += 1
        assert checked >= 3

    def test_examples_and_docs_are_package_data(self) -> None:
        setuptools = _pyproject()["tool"]["setuptools"]
        assert {"hunch.examples", "hunch.docs", "hunch.builtin_rules"} <= set(
            setuptools["packages"])
        assert setuptools["package-data"]["hunch.examples"] == ["**/*.yaml"]
        assert setuptools["package-data"]["hunch.docs"] == ["*.md"]

    @pytest.mark.parametrize("args", [["--help"], ["evaluate", "--help"], ["ask", "-h"],
                                      ["explain", "--help"]])
    def test_help_says_where_the_docs_and_examples_are(self, args: list[str]) -> None:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0
        found = dict(re.findall(r"^  (docs|examples): +(\S+)$", result.output, re.M))
        assert os.path.isfile(os.path.join(found["docs"], "json.md"))
        assert os.path.isfile(os.path.join(found["examples"], "asker.yaml"))


class TestMetadata:
    def test_license_classifiers_and_python_versions(self) -> None:
        project = _pyproject()["project"]
        assert project["license"] == "MIT"  # an SPDX expression, not the deprecated table
        assert project["license-files"] == ["LICENSE"]
        with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as handle:
            assert handle.readline().strip() == "MIT License"
        assert project["requires-python"] == ">=3.11"
        for minor in (11, 12, 13):
            assert f"Programming Language :: Python :: 3.{minor}" in project["classifiers"]

    def test_sdist_leaves_the_suite_out(self) -> None:
        with open(os.path.join(ROOT, "MANIFEST.in"), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        assert {"prune tests", "prune benchmarks"} <= set(lines)

    def test_readme_installs_build_durable_rules_for_313(self) -> None:
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
            commands = re.findall(r"```sh\n(.+)\n```", handle.read())
        for command in commands:
            assert "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject .venv/bin/pip" in command


def _readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        return handle.read()


class TestDistributionName:
    """hunch installs as hunch-rules (`hunch` on the index is someone else's placeholder);
    the import package and the command stay `hunch`. .ci/run installs it by that name
    from a freshly built wheel and sdist; these check every place that names it."""

    def test_pyproject_names_the_distribution_and_the_command(self) -> None:
        from hunch.version import DISTRIBUTION

        project = _pyproject()["project"]
        assert project["name"] == DISTRIBUTION == "hunch-rules"
        assert project["scripts"] == {"hunch": "hunch.cli.console:main"}
        assert "hunch" in _pyproject()["tool"]["setuptools"]["packages"]

    def test_readme_installs_it_by_that_name_and_says_why(self) -> None:
        readme = _readme()
        assert "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install " \
               "'hunch-rules[serve]'" in readme
        assert "pip install --find-links dist 'hunch-rules[serve]'" in readme
        assert "someone else's unrelated placeholder" in readme
        assert not re.search(r"pip install '?hunch(\[|'| |$)", readme, re.M)

    def test_docs_install_it_by_that_name(self) -> None:
        for name in os.listdir(os.path.join(ROOT, "docs")):
            if name.endswith(".md"):
                with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as handle:
                    text = handle.read()
                assert not re.search(r"pip install '?hunch(\[|'| |`)", text), name

    def test_the_ci_checks_the_wheel_and_sdist_of_that_name(self) -> None:
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as handle:
            run = handle.read()
        assert '"$scratch"/dist/hunch_rules-*.whl "$scratch"/dist/hunch_rules-*.tar.gz' in run
        assert "--find-links \"$scratch/dist\" \"$only\" hunch-rules \\\n" \
               "        'hunch-rules[serve]'" in run

    def test_version_reads_the_distribution(self) -> None:
        result = CliRunner().invoke(cli, ["--version"])
        assert result.exit_code == 0 and result.output.startswith("hunch 0.1.0 (")

    def test_the_missing_serve_extra_names_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import sys

        monkeypatch.setitem(sys.modules, "uvicorn", None)
        result = CliRunner().invoke(cli, ["serve"])
        assert "pip install 'hunch-rules[serve]'" in result.output


def _python313() -> str | None:
    import glob
    import shutil
    import subprocess

    candidates = [shutil.which("python3.13") or ""]
    candidates += glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == "
                                "(3, 13)"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


# Makes durable_rules' C core fail to load as a 3.13 build without the define does:
# the same ImportError, raised by the import system, in a real hunch process.
_SITECUSTOMIZE = '''
import sys

class Broken:
    def find_spec(self, name, path=None, target=None):
        if name == "durable_rules_engine":
            raise ImportError(
                "/venv/durable_rules_engine.so: undefined symbol: PyEval_CallObject",
                name=name, path="/venv/durable_rules_engine.so")
        return None

sys.meta_path.insert(0, Broken())
'''


class TestBrokenDurableRules:
    """durable-rules built on 3.13 without the CPPFLAGS define installs, then cannot load:
    every command says so in one line with the command that repairs it (exit 2)."""

    def test_the_import_failure_is_one_line_with_the_repair(self, tmp_path: Any) -> None:
        import subprocess
        import sys

        (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}",
                   HUNCH_CACHE_DIR=str(tmp_path / "cache"))
        proc = subprocess.run([sys.executable, "-m", "hunch", "evaluate", "examples/asker.yaml"],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr == (
            f"/venv/durable_rules_engine.so: durable-rules was compiled for Python "
            f"{sys.version_info[0]}.{sys.version_info[1]} without the define it needs, so its "
            "C core cannot load (undefined symbol: PyEval_CallObject) (repair the install "
            "with: CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject "
            f"{sys.executable} -m pip install --no-cache-dir --force-reinstall --no-deps "
            "durable-rules==2.0.28)\n")

    def test_the_pin_named_in_the_repair_is_pyprojects(self) -> None:
        from hunch.engine.runner import DURABLE_RULES

        assert DURABLE_RULES in _pyproject()["project"]["dependencies"]

    def test_a_real_313_build_without_the_define(self, tmp_path: Any) -> None:
        """The real failure: durable-rules compiled on 3.13 without CPPFLAGS (~10 s), hunch's
        message, then the command it prints, after which hunch works."""
        import subprocess

        python = _python313()
        if python is None:
            pytest.skip("no Python 3.13 on this machine")
        venv = tmp_path / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        env = {k: v for k, v in os.environ.items() if k != "CPPFLAGS"}
        # --no-cache-dir: the broken wheel must not land in pip's cache for other installs
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "--no-cache-dir",
                        "durable-rules==2.0.28", "click", "pyyaml", "tabulate", "platformdirs"],
                       env=env, check=True, capture_output=True)
        env.update(PYTHONPATH=ROOT, HUNCH_CACHE_DIR=str(tmp_path / "cache"))
        command = [str(venv / "bin/python"), "-m", "hunch", "evaluate", "examples/asker.yaml"]
        broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                check=False)
        assert broken.returncode == 2 and broken.stdout == ""
        assert broken.stderr.count("\n") == 1
        assert "Python 3.13 without the define it needs" in broken.stderr
        assert "(undefined symbol: PyEval_CallObject)" in broken.stderr
        repair = broken.stderr.split("repair the install with: ")[1].rstrip(")\n")
        subprocess.run(repair, shell=True, env=env, check=True, capture_output=True)
        fixed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                               check=False)
        assert fixed.returncode == 0 and "Recommended action" in fixed.stdout
