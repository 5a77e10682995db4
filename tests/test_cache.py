"""The pack cache gives exactly the freshly loaded pack, and never a stale one."""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

import hunch
from hunch.engine.cache import pack_key
from hunch.engine.compile import COMPILED
from hunch.engine.evaluate import ENGINE
from hunch.output.render import result_json
from hunch.pack.read import BUILTIN_PACK_DIR

ASKER = {"days_since_interview": 23, "promised_decision_days": 7, "unreturned_calls": 2,
         "coworker_behavior_change": "ignoring"}


@pytest.fixture
def pack_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HUNCH_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "pack"
    shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), folder)
    return str(folder)


def _entries(folder: Path) -> list[Path]:
    """The cache's entries (not its key), whatever this version calls them."""
    return [p for p in folder.iterdir() if p.suffix in (".pack", ".pickle")]


def _no_yaml(path: str, tests: bool) -> hunch.Pack:
    raise AssertionError(f"{path} was read from its YAML, not from the cache")


def _json(pack: hunch.Pack) -> dict[str, object]:
    return result_json(hunch.evaluate(pack, ASKER))


class TestPackCache:
    """A cached load equals a fresh one; any change to the pack misses the cache."""

    def test_second_load_comes_from_the_cache_and_gives_the_same_result(
            self, pack_copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        first = hunch.load_pack(pack_copy)
        assert len(_entries(tmp_path / "cache")) == 1
        with monkeypatch.context() as patch:  # a hit reads no YAML
            patch.setattr("hunch.engine.load.load_checked", _no_yaml)
            second = hunch.load_pack(pack_copy)
        assert second is not first
        assert second.memo.get(COMPILED) is not None
        assert _json(second) == _json(first)

    def test_editing_a_file_misses_the_cache(self, pack_copy: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_copy)
        before = pack_key(pack_copy)
        facts = Path(pack_copy) / "pack.yaml"
        facts.write_text(facts.read_text().replace("version:", "version: 9  # was\n_x:"))
        assert pack_key(pack_copy) != before
        with pytest.raises(hunch.HunchError, match="unknown key '_x'"):
            hunch.load_pack(pack_copy)

    def test_a_pack_of_another_shape_misses_the_cache(
            self, pack_copy: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """An entry pickled by a hunch whose Pack had other fields is never unpickled:
        the classes' field names are part of the key, whatever FORMAT says."""
        from hunch.engine import cache
        from hunch.pack.model import Pack

        hunch.load_pack(pack_copy)
        before = pack_key(pack_copy)
        assert "Pack:" in cache.SHAPE and "FactSpec:" in cache.SHAPE
        monkeypatch.setattr(cache, "SHAPE", cache._shape(sys.modules[Pack.__module__])
                            .replace("Pack:", "Pack:a_field_that_was_dropped,"))
        assert pack_key(pack_copy) != before

    def test_a_damaged_cache_file_is_a_miss(self, pack_copy: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_copy)
        (entry,) = _entries(tmp_path / "cache")
        entry.write_bytes(b"not a pickle")
        assert _json(hunch.load_pack(pack_copy)) == _json(hunch.load_pack(pack_copy))

    def test_off_disables_it(self, pack_copy: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HUNCH_CACHE_DIR", "off")
        hunch.load_pack(pack_copy)
        assert not (tmp_path / "cache").exists()


def _edit_version(pack_dir: str, version: int) -> None:
    meta = Path(pack_dir) / "pack.yaml"
    text = meta.read_text()
    meta.write_text(re.sub(r"(?m)^version:.*$", f"version: '{version}'", text))


class TestBounded:
    """One entry per pack, and a bounded number of packs (F12, issue 15)."""

    def test_a_new_version_of_a_pack_replaces_its_entry(self, pack_copy: str,
                                                         tmp_path: Path) -> None:
        for version in range(4):
            _edit_version(pack_copy, version)
            assert hunch.load_pack(pack_copy).version == str(version)
        assert len(_entries(tmp_path / "cache")) == 1

    def test_the_least_recently_used_packs_go_past_the_limit(
            self, pack_copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from hunch.engine import cache

        monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
        copies = []
        for n in range(5):
            copy = tmp_path / f"copy{n}"
            shutil.copytree(pack_copy, copy)
            copies.append(str(copy))
            hunch.load_pack(str(copy))
        assert len(_entries(tmp_path / "cache")) == 3

    def test_it_lives_where_the_platform_keeps_caches(self, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        import platformdirs

        from hunch.engine.cache import cache_dir

        monkeypatch.delenv("HUNCH_CACHE_DIR")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_dir() == platformdirs.user_cache_dir("hunch", appauthor=False)
        if sys.platform.startswith("linux"):
            assert cache_dir() == str(tmp_path / "xdg" / "hunch")
        # hunch's shortcut on Linux gives platformdirs' answer in every case
        for xdg, home in ((None, str(tmp_path)), ("", str(tmp_path)), ("relative", "/h"),
                          (f"{tmp_path}/x/", "/h"), (None, "relative"), (None, None)):
            for name, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
                if value is None:
                    monkeypatch.delenv(name, raising=False)
                else:
                    monkeypatch.setenv(name, value)
            assert cache_dir() == platformdirs.user_cache_dir("hunch", appauthor=False), (xdg, home)
        monkeypatch.setenv("HUNCH_CACHE_DIR", str(tmp_path / "mine"))
        assert cache_dir() == str(tmp_path / "mine")


class TestEveryDependency:
    """The key covers every file the pack reads, wherever it is (F25)."""

    def test_an_edit_behind_a_symlinked_rules_folder_is_seen(self, pack_copy: str,
                                                            tmp_path: Path) -> None:
        shared = tmp_path / "shared-rules"
        shutil.move(os.path.join(pack_copy, "rules"), shared)
        os.symlink(shared, os.path.join(pack_copy, "rules"))
        hunch.load_pack(pack_copy)
        signals = shared / "signals.yaml"
        signals.write_text(signals.read_text() + "\nnot: [a rule list\n")
        with pytest.raises(hunch.HunchError, match=r"signals\.yaml"):
            hunch.load_pack(pack_copy)

    def test_a_symlink_loop_in_the_pack_folder_is_harmless(self, pack_copy: str) -> None:
        os.symlink("..", os.path.join(pack_copy, "rules", "loop"))
        assert _json(hunch.load_pack(pack_copy)) == _json(hunch.load_pack(pack_copy))

    def test_a_changed_source_text_outside_the_pack_is_seen(self, pack_copy: str,
                                                           tmp_path: Path) -> None:
        outside = tmp_path / "thread.txt"
        shutil.move(os.path.join(pack_copy, "thread.txt"), outside)
        sources = Path(pack_copy) / "sources.yaml"
        sources.write_text(sources.read_text().replace("file: thread.txt", "file: ../thread.txt"))
        hunch.load_pack(pack_copy)
        outside.write_text("the thread, rewritten: not one quote is left in it\n")
        with pytest.raises(hunch.HunchError, match="quote"):
            hunch.load_pack(pack_copy)


class TestNoLeak:
    """hunch.evaluate("<pack name>", facts) in a loop registers the pack once (F11)."""

    def test_the_named_form_compiles_the_pack_once(self) -> None:
        from hunch.engine import runner

        hunch.evaluate("interview-silence", ASKER)
        before = next(runner._ruleset_names)
        for _ in range(3):
            hunch.evaluate("interview-silence", ASKER)
        assert next(runner._ruleset_names) == before + 1

    def test_an_edited_pack_is_loaded_again(self, pack_copy: str) -> None:
        assert hunch.evaluate(pack_copy, ASKER).pack.version != "77"
        _edit_version(pack_copy, 77)
        assert hunch.evaluate(pack_copy, ASKER).pack.version == "77"

    def test_a_pack_that_is_garbage_frees_its_rulesets(self, pack_copy: str) -> None:
        pack = hunch.load_pack(pack_copy)
        result = hunch.evaluate(pack, ASKER)
        rulesets = pack.memo.get(ENGINE)[1].rulesets  # type: ignore[index]
        assert rulesets
        del pack, result
        gc.collect()
        assert rulesets == []
