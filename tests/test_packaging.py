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
