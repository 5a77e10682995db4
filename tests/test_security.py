"""Hostile users and unlucky ones: the attacks of docs/security.md, shown failing.

F1/F2: the pack cache runs no code it did not write and follows no planted link.
F3/F17: `-o` never replaces what it must not. F4: the terminal gets no control
characters from pack texts, file names, fact values or messages.
"""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import zlib
from pathlib import Path
from typing import Any

import pytest

import hunch
from hunch.engine.cache import pack_key
from hunch.pack.read import BUILTIN_PACK_DIR

ASKER = {"days_since_interview": 23, "promised_decision_days": 7, "unreturned_calls": 2,
         "coworker_behavior_change": "ignoring"}
NOBODY = 65534


class Evil:
    """A pickle that, when loaded, makes the folder ``marker``: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (self.marker,))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HUNCH_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def pack_dir(tmp_path: Path) -> str:
    folder = tmp_path / "pack"
    shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), folder)
    return str(folder)


def _plant(cache: Path, marker: Path) -> list[Path]:
    """Overwrite every cache entry (whatever hunch calls them) with an Evil pickle."""
    entries = [p for p in cache.iterdir() if p.name != "key"]
    assert entries
    for entry in entries:
        entry.write_bytes(pickle.dumps(Evil(str(marker))))
    return entries


class TestCacheRunsNoForeignCode:
    """F1: a pickle planted in the cache is never loaded."""

    def test_an_entry_that_this_hunch_did_not_write_is_not_unpickled(
            self, cache: Path, pack_dir: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_dir)
        marker = tmp_path / "pwned"
        _plant(cache, marker)
        pack = hunch.load_pack(pack_dir)
        assert not marker.exists()
        assert hunch.evaluate(pack, ASKER).recommendation is not None

    def test_a_folder_others_can_write_is_refused_and_said_so_once(
            self, cache: Path, pack_dir: str, tmp_path: Path,
            capsys: pytest.CaptureFixture[str]) -> None:
        hunch.load_pack(pack_dir)
        marker = tmp_path / "pwned"
        _plant(cache, marker)
        cache.chmod(0o777)
        hunch.load_pack(pack_dir)
        hunch.load_pack(pack_dir)
        assert not marker.exists()
        err = capsys.readouterr().err
        assert err.count("not using the pack cache") == 1
        assert "other users can write to it" in err

    @pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files away")
    def test_a_folder_or_an_entry_of_another_user_is_refused(
            self, cache: Path, pack_dir: str, tmp_path: Path,
            capsys: pytest.CaptureFixture[str]) -> None:
        hunch.load_pack(pack_dir)
        marker = tmp_path / "pwned"
        for entry in _plant(cache, marker):
            os.chown(entry, NOBODY, NOBODY)
        hunch.load_pack(pack_dir)
        assert not marker.exists()
        os.chown(cache, NOBODY, NOBODY)
        hunch.load_pack(pack_dir)
        assert not marker.exists()
        assert "belongs to another user" in capsys.readouterr().err

    def test_cache_files_are_private(self, cache: Path, pack_dir: str) -> None:
        hunch.load_pack(pack_dir)
        assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
        for entry in cache.iterdir():
            assert stat.S_IMODE(entry.lstat().st_mode) == 0o600, entry.name


class TestCacheFollowsNoLink:
    """F2: a link planted where the cache writes does not redirect the write."""

    def test_a_planted_temporary_file_link_clobbers_nothing(
            self, cache: Path, pack_dir: str, tmp_path: Path) -> None:
        victim = tmp_path / "victim.txt"
        victim.write_text("precious\n")
        cache.mkdir(mode=0o700)
        # the names an attacker can predict: the entry, its <pid>.tmp (as hunch
        # once named it), and every name now in the folder with .tmp after it
        key = pack_key(pack_dir)
        name = f"{zlib.crc32(key.encode()):08x}.pickle"
        for planted in (f"{name}.{os.getpid()}.tmp", "key.tmp", f".{os.getpid()}.tmp"):
            os.symlink(victim, cache / planted)
        hunch.load_pack(pack_dir)
        assert victim.read_text() == "precious\n"
        assert any(p.suffix == ".pack" or p.suffix == ".pickle" for p in cache.iterdir())

    def test_a_planted_link_at_the_key_or_an_entry_is_not_followed(
            self, cache: Path, pack_dir: str, tmp_path: Path) -> None:
        hunch.load_pack(pack_dir)
        marker = tmp_path / "pwned"
        evil = tmp_path / "evil.pickle"
        evil.write_bytes(pickle.dumps(Evil(str(marker))))
        for entry in cache.iterdir():
            entry.unlink()
            os.symlink(evil, entry)
        hunch.load_pack(pack_dir)
        assert not marker.exists()
