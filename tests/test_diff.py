"""`hunch diff`: two packs over the same situations, through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hunch.batch.diff import sample_situations
from hunch.cli.app import cli
from hunch.engine.load import load_pack

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "rules" / "interview-silence"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def changed_pack(tmp_path: Path) -> Path:
    """The built-in pack with amtho's "forget about it" turned into evidence against
    letting go (one word: support -> oppose, cf 0.9 written)."""
    copy = tmp_path / "v2"
    shutil.copytree(PACK, copy)
    actions = copy / "rules" / "actions.yaml"
    text = actions.read_text(encoding="utf-8")
    start = text.index("- id: no-deadline-forget-it")
    cut = text.index("then: {support: let-it-go}", start)
    actions.write_text(text[:cut] + "then: {oppose: let-it-go, cf: 0.9}"
                       + text[cut + len("then: {support: let-it-go}"):], encoding="utf-8")
    return copy


def _asker(tmp_path: Path) -> Path:
    path = tmp_path / "asker.yaml"
    path.write_text("days_since_interview: 23\npromised_decision_days: 7\nunreturned_calls: 2\n"
                    "unanswered_emails: 1\ndays_since_last_contact: 5\n", encoding="utf-8")
    return path


class TestDiff:
    def test_same_pack_has_no_changes(self) -> None:
        code, out, _ = _run("diff", str(PACK), str(PACK), str(ROOT / "examples"),
                            "--fail-on-change")
        assert code == 0
        assert "0 recommendations changed" in out

    def test_a_changed_weight_shows_per_situation_and_in_the_summary(
            self, changed_pack: Path, tmp_path: Path) -> None:
        asker = _asker(tmp_path)
        code, out, _ = _run("diff", str(PACK), str(changed_pack), str(asker))
        assert code == 0
        assert "1 situation: 1 recommendation changed" in out
        assert "recommendation: let-it-go -> ask-for-feedback-by-email" in out
        assert "let-it-go -> ask-for-feedback-by-email: 1" in out
        assert "let-it-go" in out.split("top hypothesis:")[1]

    def test_fail_on_change_exits_1(self, changed_pack: Path, tmp_path: Path) -> None:
        code, _, _ = _run("diff", str(PACK), str(changed_pack), str(_asker(tmp_path)),
                          "--fail-on-change")
        assert code == 1

    def test_json_and_markdown(self, changed_pack: Path, tmp_path: Path) -> None:
        code, out, _ = _run("diff", str(PACK), str(changed_pack), str(_asker(tmp_path)),
                            "--format", "json")
        assert code == 0
        data = json.loads(out)
        assert data["summary"]["recommendations_changed"] == 1
        assert data["summary"]["transitions"] == [
            {"change": "let-it-go -> ask-for-feedback-by-email", "count": 1}]
        moved = {m["id"]: m for m in data["situations"][0]["moves"]}
        assert moved["let-it-go"]["old_rank"] == 1
        assert moved["let-it-go"]["new_certainty"] < moved["let-it-go"]["old_certainty"] - 0.1
        code, out, _ = _run("diff", str(PACK), str(changed_pack), str(_asker(tmp_path)),
                            "--format", "markdown")
        assert "| let-it-go -> ask-for-feedback-by-email | 1 |" in out

    def test_threshold_hides_small_moves(self, changed_pack: Path, tmp_path: Path) -> None:
        _, out, _ = _run("diff", str(PACK), str(changed_pack), str(_asker(tmp_path)),
                         "--format", "json", "--threshold", "1.5")
        moved = [m["id"] for m in json.loads(out)["situations"][0]["moves"]]
        assert "let-it-go" not in moved  # it fell well below 1.5, and one rank only

    def test_sample_is_reproducible_and_covers_every_declared_value(self) -> None:
        pack = load_pack(str(PACK))
        # enough situations to walk the longest list of notable values (the week
        # past their date compares promised_decision_days with a score of numbers)
        a = sample_situations([pack], 80, seed=7)
        b = sample_situations([pack], 80, seed=7)
        c = sample_situations([pack], 80, seed=8)
        assert [x.facts for x in a] == [x.facts for x in b]
        assert [x.facts for x in a] != [x.facts for x in c]
        for name, spec in pack.facts.items():
            seen = [case.facts.get(name, "unknown") for case in a]
            if spec.type == "enum":
                assert set(spec.values or []) <= set(seen), name
            if spec.type == "boolean":
                assert {True, False} <= set(seen), name
            if not spec.required:
                assert "unknown" in seen, name
            if spec.type == "integer":
                assert spec.min in seen, name
        assert all("days_since_interview" in case.facts for case in a)  # required

    def test_sample_through_the_cli(self, changed_pack: Path) -> None:
        code, out, _ = _run("diff", str(PACK), str(changed_pack), "--sample", "60", "--seed",
                            "3", "--format", "json")
        assert code == 0
        data = json.loads(out)
        assert data["summary"]["situations"] == 60
        assert all("facts" in s for s in data["situations"])
        again = json.loads(_run("diff", str(PACK), str(changed_pack), "--sample", "60",
                                "--seed", "3", "--format", "json")[1])
        assert again == data

    def test_a_bad_situation_loses_only_itself(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text("days_since_interview: -4\n", encoding="utf-8")
        code, out, _ = _run("diff", str(PACK), str(PACK), str(bad), str(_asker(tmp_path)))
        assert code == 2
        assert "could not be compared" in out
        assert "1 could not be compared" in out

    def test_facts_one_pack_does_not_know_are_left_out_for_it(self, tmp_path: Path) -> None:
        sit = _asker(tmp_path)
        sit.write_text(sit.read_text(encoding="utf-8") + "shoe_size: 9\n", encoding="utf-8")
        new = tmp_path / "v2"
        shutil.copytree(PACK, new)
        facts = new / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace(
            "facts:\n", "facts:\n  shoe_size:\n    type: integer\n    question: Size?\n", 1),
            encoding="utf-8")
        code, out, _ = _run("diff", str(PACK), str(new), str(sit), "--format", "json")
        assert code == 0, out
        assert json.loads(out)["situations"][0]["ignored_facts"] == {"old": ["shoe_size"]}

    def test_no_situations_is_a_usage_error(self) -> None:
        code, _, err = _run("diff", str(PACK), str(PACK))
        assert code == 2
        assert "--sample" in err


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
class TestRevision:
    @pytest.fixture()
    def repo(self, tmp_path: Path, changed_pack: Path) -> Path:
        repo = tmp_path / "repo"
        shutil.copytree(PACK, repo / "pack")
        _git(repo, "init", "-q")
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", "v1")
        shutil.rmtree(repo / "pack")
        shutil.copytree(changed_pack, repo / "pack")
        _git(repo, "commit", "-q", "-am", "v2")
        return repo

    def test_pack_at_a_revision(self, repo: Path, tmp_path: Path) -> None:
        code, out, err = _run("diff", f"{repo / 'pack'}@HEAD~1", str(repo / "pack"),
                              str(_asker(tmp_path)))
        assert code == 0, err
        assert "let-it-go -> ask-for-feedback-by-email: 1" in out
        code, out, _ = _run("diff", f"{repo / 'pack'}@HEAD", str(repo / "pack"),
                            str(_asker(tmp_path)))
        assert "0 recommendations changed" in out

    def test_missing_revision_is_one_line(self, repo: Path, tmp_path: Path) -> None:
        code, _, err = _run("diff", f"{repo / 'pack'}@no-such-branch", str(repo / "pack"),
                            str(_asker(tmp_path)))
        assert code == 2
        assert err.count("\n") == 1
        assert "no git revision 'no-such-branch'" in err
        assert "Traceback" not in err

    def test_folder_missing_at_the_revision(self, repo: Path, tmp_path: Path) -> None:
        (repo / "later").mkdir()
        shutil.copytree(PACK, repo / "later" / "pack")
        code, _, err = _run("diff", f"{repo / 'later' / 'pack'}@HEAD", str(repo / "pack"),
                            str(_asker(tmp_path)))
        assert code == 2
        assert "has no folder" in err

    def test_not_a_repository(self, tmp_path: Path) -> None:
        plain = tmp_path / "plain"
        shutil.copytree(PACK, plain)
        code, _, err = _run("diff", f"{plain}@HEAD", str(plain), str(_asker(tmp_path)))
        assert code == 2
        assert "not in a git repository" in err

    def test_without_git(self, repo: Path, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(shutil, "which", lambda name: None)
        code, _, err = _run("diff", f"{repo / 'pack'}@HEAD~1", str(repo / "pack"),
                            str(_asker(tmp_path)))
        assert code == 2
        assert "git is not installed" in err
