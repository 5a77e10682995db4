"""The pack cache gives exactly the freshly loaded pack, and never a stale one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import hunch
from hunch.engine.cache import pack_key
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


def _json(pack: hunch.Pack) -> dict[str, object]:
    return result_json(hunch.evaluate(pack, ASKER))


class TestPackCache:
    """A cached load equals a fresh one; any change to the pack misses the cache."""

    def test_second_load_comes_from_the_cache_and_gives_the_same_result(
            self, pack_copy: str, tmp_path: Path) -> None:
        first = hunch.load_pack(pack_copy)
        assert len(os.listdir(tmp_path / "cache")) == 1
        second = hunch.load_pack(pack_copy)
        assert second is not first
        assert "_compiled" in second.__dict__
        assert _json(second) == _json(first)

    def test_editing_a_file_misses_the_cache(self, pack_copy: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_copy)
        before = pack_key(pack_copy)
        facts = Path(pack_copy) / "pack.yaml"
        facts.write_text(facts.read_text().replace("version:", "version: 9  # was\n_x:"))
        assert pack_key(pack_copy) != before
        with pytest.raises(hunch.HunchError, match="unknown key '_x'"):
            hunch.load_pack(pack_copy)

    def test_a_damaged_cache_file_is_a_miss(self, pack_copy: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_copy)
        (entry,) = (tmp_path / "cache").iterdir()
        entry.write_bytes(b"not a pickle")
        assert _json(hunch.load_pack(pack_copy)) == _json(hunch.load_pack(pack_copy))

    def test_off_disables_it(self, pack_copy: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HUNCH_CACHE_DIR", "off")
        hunch.load_pack(pack_copy)
        assert not (tmp_path / "cache").exists()
