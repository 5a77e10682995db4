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


# --- -o: what is at the output path (F3, F17) --------------------------------------------

EXAMPLE = os.path.join(os.path.dirname(BUILTIN_PACK_DIR), "examples", "asker.yaml")
if not os.path.exists(EXAMPLE):  # the built-in packs ship inside the package
    EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "examples", "asker.yaml")


def _hunch(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from hunch.cli.app import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def situation(tmp_path: Path) -> Path:
    path = tmp_path / "asker.yaml"
    shutil.copy(EXAMPLE, path)
    return path


class TestOutputPath:
    """`-o` replaces a regular file atomically and nothing it must not (F3, F17)."""

    def test_a_symlink_is_written_through_and_stays_a_link(
            self, situation: Path, tmp_path: Path) -> None:
        target = tmp_path / "report.txt"
        target.write_text("old\n")
        link = tmp_path / "link.txt"
        link.symlink_to(target)
        code, _, err = _hunch("evaluate", str(situation), "-o", str(link))
        assert (code, err) == (0, "")
        assert link.is_symlink()
        assert "gone quiet" in target.read_text()

    def test_a_fifo_is_written_not_replaced(self, situation: Path, tmp_path: Path) -> None:
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so no one waits
        try:
            code, _, err = _hunch("evaluate", str(situation), "-o", str(fifo))
            try:
                got = os.read(reader, 1 << 20)
            except BlockingIOError:
                got = b""
        finally:
            os.close(reader)
        assert (code, err) == (0, "")
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
        assert b"gone quiet" in got

    def test_a_device_is_written_not_replaced(self, situation: Path, tmp_path: Path) -> None:
        # a null device of the test's own, not /dev/null: the hunch this guards
        # against would replace the machine's when run as root
        device = tmp_path / "null"
        try:
            os.mknod(device, stat.S_IFCHR | 0o666, os.stat(os.devnull).st_rdev)
        except (PermissionError, AttributeError):
            pytest.skip("cannot make a device node here")
        before = device.stat()
        code, _, err = _hunch("evaluate", str(situation), "-o", str(device))
        assert (code, err) == (0, "")
        after = device.stat()
        assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino

    def test_dev_stdout_is_written_never_replaced(self) -> None:
        from hunch.output.atomic import resolve

        for path in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
            if os.path.exists(path):
                assert resolve(path).direct, path

    @pytest.mark.parametrize("path", ["/dev/fd/1", "/proc/self/fd/1"])
    def test_standard_output_by_name_is_written_where_it_points(
            self, situation: Path, tmp_path: Path, path: str) -> None:
        # /dev/stdout itself is not run here: the hunch this guards against would
        # replace the machine's /dev/stdout when run as root
        import subprocess
        import sys

        if not os.path.exists(path):
            pytest.skip(f"no {path} here")
        out = tmp_path / "redirected.txt"
        with open(out, "w") as handle:
            done = subprocess.run([sys.executable, "-m", "hunch", "evaluate", str(situation),
                                   "-o", path], stdout=handle, stderr=subprocess.PIPE,
                                  check=False)
        assert (done.returncode, done.stderr) == (0, b"")
        assert "gone quiet" in out.read_text()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hunch-")]

    def test_a_directory_is_refused(self, situation: Path, tmp_path: Path) -> None:
        link = tmp_path / "to-a-folder"
        link.symlink_to(tmp_path)
        code, _, err = _hunch("evaluate", str(situation), "-o", str(link))
        assert code == 2 and "is a directory" in err

    def test_a_read_only_file_is_refused_and_kept(self, situation: Path,
                                                  tmp_path: Path) -> None:
        target = tmp_path / "kept.txt"
        target.write_text("keep me\n")
        target.chmod(0o444)
        code, _, err = _hunch("evaluate", str(situation), "-o", str(target))
        assert code == 2 and "read-only" in err
        assert target.read_text() == "keep me\n"

    def test_the_mode_of_a_replaced_file_is_kept(self, situation: Path, tmp_path: Path) -> None:
        target = tmp_path / "private.txt"
        target.write_text("old\n")
        target.chmod(0o640)
        assert _hunch("evaluate", str(situation), "-o", str(target))[0] == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o640

    @pytest.mark.parametrize("command", [["evaluate"], ["explain", "@", "let-it-go"],
                                         ["what-if", "@", "--set", "unreturned_calls=0"]])
    def test_an_input_is_never_the_output(self, command: list[str], situation: Path,
                                          tmp_path: Path) -> None:
        before = situation.read_text()
        args = [str(situation) if a == "@" else a for a in command]
        if "@" not in command:
            args.append(str(situation))
        alias = tmp_path / "alias.yaml"
        alias.symlink_to(situation)
        for output in (str(situation), str(alias), str(tmp_path / "." / "asker.yaml")):
            code, _, err = _hunch(*args, "-o", output)
            assert code == 2 and "is also an input" in err, err
        assert situation.read_text() == before

    def test_a_file_in_an_input_folder_or_the_pack_is_never_the_output(
            self, situation: Path, tmp_path: Path, pack_dir: str) -> None:
        code, _, err = _hunch("evaluate", str(tmp_path), "-o", str(situation))
        assert code == 2 and "is also an input" in err
        facts = os.path.join(pack_dir, "facts.yaml")
        before = Path(facts).read_text()
        code, _, err = _hunch("evaluate", str(situation), "-r", pack_dir, "-o", facts)
        assert code == 2 and "is also an input" in err
        assert Path(facts).read_text() == before

    @pytest.mark.parametrize("command", [["evaluate", "@"], ["explain", "@", "let-it-go"],
                                         ["what-if", "@", "--flip"], ["schema", "situation"]])
    def test_dash_is_standard_output(self, command: list[str], situation: Path,
                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        args = [str(situation) if a == "@" else a for a in command]
        code, out, err = _hunch(*args, "-o", "-")
        assert (code, err) == (0, "")
        assert out and not (tmp_path / "-").exists()


# --- the terminal (F4) ---------------------------------------------------------------------

ESC_TITLE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
NASTY = ESC_TITLE + "\x9b31m\u202egnp.exe\u2028"


class TestTerminal:
    """Control characters are shown escaped, in text; as JSON escapes, in JSON (F4)."""

    @pytest.fixture
    def evil_pack(self, pack_dir: str) -> str:
        conclusions = Path(pack_dir) / "conclusions.yaml"
        text = conclusions.read_text()
        title = "They have decided against you and are avoiding saying so"
        assert title in text
        escaped = NASTY.encode("unicode_escape").decode()  # YAML's double quotes read these
        conclusions.write_text(text.replace(title, f'"{title}{escaped}"', 1))
        return pack_dir

    @staticmethod
    def _raw_controls(text: str) -> list[str]:
        return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
                or c in "\u202e\u2028"]

    def test_pack_texts_are_escaped_in_the_table(self, evil_pack: str, situation: Path) -> None:
        code, out, err = _hunch("evaluate", str(situation), "-r", evil_pack)
        assert code == 0, err
        assert "so\\x1b]0;pwned\\x07" in out and "\\u202egnp" in out
        assert self._raw_controls(out) == []

    @pytest.mark.parametrize("fmt", ["json", "jsonl"])
    def test_json_keeps_them_as_json_escapes(self, evil_pack: str, situation: Path,
                                             fmt: str) -> None:
        import json

        code, out, _ = _hunch("evaluate", str(situation), "-r", evil_pack, "--format", fmt)
        assert code == 0
        assert self._raw_controls(out) == []
        assert "\\u001b]0;pwned\\u0007" in out and "\\u009b" in out and "\\u202e" in out
        titles = [h["title"] for h in json.loads(out)["hypotheses"]]
        assert any(t.endswith(NASTY) for t in titles)

    def test_ask_shows_pack_texts_escaped(self, pack_dir: str) -> None:
        from click.testing import CliRunner

        from hunch.cli.app import cli

        facts = Path(pack_dir) / "facts.yaml"
        text = facts.read_text()
        question = "On what date was the interview?"  # asked for days_since_interview
        assert question in text
        escaped = NASTY.encode("unicode_escape").decode()
        facts.write_text(text.replace(question, f'"{question}{escaped}"', 1))
        result = CliRunner().invoke(cli, ["ask", "-r", pack_dir], input="23\n" + "\n" * 40)
        assert result.exit_code == 0, result.output
        assert "interview?\\x1b]0;pwned\\x07" in result.stdout
        assert self._raw_controls(result.stdout) == []

    def test_file_names_and_fact_names_are_escaped(self, tmp_path: Path) -> None:
        folder = tmp_path / "batch"
        folder.mkdir()
        shutil.copy(EXAMPLE, folder / f"a{ESC_TITLE}.yaml")
        key = "no_such_fact" + ESC_TITLE.encode("unicode_escape").decode()
        (folder / f"c{ESC_TITLE}.yaml").write_text(f'"{key}": 1\n')
        code, out, err = _hunch("evaluate", str(folder))
        assert code == 2
        assert self._raw_controls(out) == [] and self._raw_controls(err) == []
        assert "/a\\x1b]0;pwned\\x07" in out, out
        assert "no_such_fact\\x1b]0;pwned\\x07" in err, err

    def test_error_messages_are_escaped(self, tmp_path: Path) -> None:
        bad = tmp_path / f"x{ESC_TITLE}.yaml"
        bad.write_text("days_since_interview: [1\n")
        code, _, err = _hunch("evaluate", str(bad))
        assert code == 2 and self._raw_controls(err) == [] and "x\\x1b]0;" in err


# --- signals and standard output (F20, F22) ------------------------------------------------

def _start(args: list[str], **kwargs: Any) -> Any:
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "hunch", *args], **kwargs)


class TestSignalsAndStdout:
    """TERM and HUP clean up as Ctrl-C does (F20); a stdout that cannot be written is an
    error, with one line and exit 2 (F22)."""

    @pytest.mark.parametrize(("signame", "status", "word"), [("SIGTERM", 143, "terminated"),
                                                             ("SIGHUP", 129, "hung up")])
    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_a_signal_leaves_no_temporary_file_and_says_how_far(
            self, tmp_path: Path, signame: str, status: int, word: str, jobs: str) -> None:
        import signal
        import subprocess
        import time

        target = tmp_path / "out.jsonl"
        target.write_text("the old results\n")
        proc = _start(["evaluate", "-", "--format", "jsonl", "--jobs", jobs, "-o", str(target)],
                      stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        assert proc.stdin is not None and proc.stderr is not None
        proc.stdin.write(b'{"days_since_interview": 3}\n')
        proc.stdin.flush()  # and keep standard input open: the batch waits for more
        while not list(tmp_path.glob(".hunch-*.tmp")):  # the output has started
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.02)
        time.sleep(0.3)  # into the read of the next line
        proc.send_signal(getattr(signal, signame))
        try:  # a guard, not a measurement: workers left behind would hold stderr open
            _, raw = proc.communicate(timeout=120)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the session this test started
            except ProcessLookupError:
                pass
        err = raw.decode()
        assert proc.returncode == status
        assert err.startswith(f"{word}: ") and "out.jsonl left as it was" in err
        assert len(err.splitlines()) == 1
        assert target.read_text() == "the old results\n"
        assert list(tmp_path.iterdir()) == [target]

    def test_a_closed_stdout_is_an_error(self, situation: Path) -> None:
        import subprocess
        import sys

        # descriptor 1 really closed, as a shell's >&- leaves it
        done = subprocess.run(["sh", "-c", 'exec "$0" -m hunch evaluate "$1" >&-',
                               sys.executable, str(situation)],
                              stderr=subprocess.PIPE, check=False)
        assert done.returncode == 2
        assert done.stderr.decode().splitlines() == [
            "<stdout>: cannot write: standard output is closed (nothing more was written; "
            "give hunch an output it can write, or use -o FILE)"]

    @pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
    @pytest.mark.parametrize("command", [["evaluate", "@"], ["rules"], ["check"]])
    def test_a_full_stdout_is_an_error(self, command: list[str], situation: Path) -> None:
        import subprocess

        args = [str(situation) if a == "@" else a for a in command]
        with open("/dev/full", "w") as full:
            proc = _start(args, stdout=full, stderr=subprocess.PIPE)
            _, err = proc.communicate()
        assert proc.returncode == 2
        assert err.decode().splitlines() == [
            "<stdout>: cannot write: No space left on device (nothing more was written; "
            "give hunch an output it can write, or use -o FILE)"]


# --- new hostile cases of this round (docs/security.md, "Found while fixing") --------------

class TestFoundWhileFixing:
    def test_a_hard_linked_output_is_refused_not_parted(self, situation: Path,
                                                        tmp_path: Path) -> None:
        target = tmp_path / "report.txt"
        target.write_text("old\n")
        other = tmp_path / "other-name.txt"
        os.link(target, other)
        code, _, err = _hunch("evaluate", str(situation), "-o", str(target))
        assert code == 2 and "2 hard links" in err
        assert os.path.samefile(target, other) and other.read_text() == "old\n"

    @pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files of others")
    def test_root_replacing_a_users_file_keeps_its_owner(self, situation: Path,
                                                         tmp_path: Path) -> None:
        target = tmp_path / "theirs.txt"
        target.write_text("old\n")
        os.chown(target, NOBODY, NOBODY)
        assert _hunch("evaluate", str(situation), "-o", str(target))[0] == 0
        assert (target.stat().st_uid, target.stat().st_gid) == (NOBODY, NOBODY)

    def test_a_pack_linking_to_a_huge_tree_is_loaded_uncached(
            self, cache: Path, pack_dir: str, monkeypatch: pytest.MonkeyPatch) -> None:
        from hunch.engine import cache as module

        monkeypatch.setattr(module, "MAX_FILES", 50)
        os.symlink(os.path.dirname(BUILTIN_PACK_DIR), os.path.join(pack_dir, "tests", "all"))
        pack = hunch.load_pack(pack_dir)
        assert hunch.evaluate(pack, ASKER).recommendation is not None
        assert not cache.exists() or not [p for p in cache.iterdir() if p.suffix == ".pack"]

    def test_a_hangup_ignored_by_the_caller_stays_ignored(self, tmp_path: Path) -> None:
        import signal
        import subprocess

        proc = _start(["evaluate", "-", "--format", "jsonl"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b'{"days_since_interview": 3}\n')
        proc.stdin.flush()
        first = proc.stdout.readline()  # it is running, past start-up
        proc.send_signal(signal.SIGHUP)  # nohup: the caller asked for it to be ignored
        out, err = proc.communicate(b'{"days_since_interview": 4}\n', timeout=120)
        assert proc.returncode == 0, err
        assert first and len(out.splitlines()) == 1

    @pytest.mark.skipif(os.geteuid() != 0, reason="needs root to plant a link as another user")
    def test_another_users_link_in_a_shared_folder_is_not_followed(
            self, situation: Path, tmp_path: Path) -> None:
        shared = tmp_path / "tmp"
        shared.mkdir()
        shared.chmod(0o1777)  # like /tmp
        precious = tmp_path / "bashrc"
        precious.write_text("precious\n")
        planted = shared / "report.txt"
        planted.symlink_to(precious)
        os.chown(planted, NOBODY, NOBODY, follow_symlinks=False)  # the attacker's link
        code, _, err = _hunch("evaluate", str(situation), "-o", str(planted))
        assert code == 2 and "does not follow it" in err
        assert precious.read_text() == "precious\n"
        os.chown(planted, 0, 0, follow_symlinks=False)  # one's own link is followed
        assert _hunch("evaluate", str(situation), "-o", str(planted))[0] == 0
        assert "gone quiet" in precious.read_text()


class TestTerminalCommands:
    """check and test print pack-made text escaped too (F4)."""

    def test_test_names_and_pack_labels_are_escaped(self, pack_dir: str, tmp_path: Path) -> None:
        tests = Path(pack_dir) / "tests" / "required.yaml"
        text = tests.read_text()
        first = text.index("name:")
        end = text.index("\n", first)
        tests.write_text(text[:first] + 'name: "evil \\e]0;pwned\\a \\u202e"' + text[end:])
        # the pack's tests read ../../../examples/: keep that layout
        evil = tmp_path / "rules" / "pack\x1b[2J"
        evil.parent.mkdir()
        os.rename(pack_dir, evil)
        shutil.copytree(os.path.dirname(EXAMPLE), tmp_path / "examples")
        for command in (["test", "-v", str(evil)], ["check", str(evil)]):
            _code, out, err = _hunch(*command)
            assert TestTerminal._raw_controls(out + err) == [], command
        assert "evil \\x1b]0;pwned\\x07 \\u202e" in _hunch("test", "-v", str(evil))[1]
