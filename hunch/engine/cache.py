"""A cache of loaded, checked and compiled packs, so a cold start skips the YAML.

Loading the built-in pack (YAML, checks) and compiling it is about 14 ms of a
cold `hunch evaluate`; reading the pickled result back is about 1 ms.

Where: $HUNCH_CACHE_DIR, else the platform's user cache folder (platformdirs:
$XDG_CACHE_HOME/hunch or ~/.cache/hunch on Linux, ~/Library/Caches/hunch on
macOS); HUNCH_CACHE_DIR=off disables it.

Unpickling runs code, so an entry is only ever read when this user wrote it
(docs/security.md):

- the folder must belong to this user and be writable by no one else; otherwise
  the cache is not used, and hunch says so once on standard error;
- every file is opened relative to the folder's descriptor, with O_NOFOLLOW, and
  created with O_EXCL and mode 0600 under a random name, then renamed into place;
- every entry is authenticated: a keyed BLAKE2b tag (a MAC, RFC 7693) over its
  bytes, with a 32-byte per-user key kept in the folder with mode 0600. An entry
  that is not a regular 0600 file of this user's, or whose tag does not match, is
  never unpickled.

Freshness: an entry holds its full key, compared on every read: hunch's version,
the pack's path, and the size, modification and change times and inode of every
file under the pack folder (symlinked folders followed) and of every source text
the pack reads, wherever it lives. So any edit misses.

Size: one entry per pack (named by the pack's path; a new version replaces the
old one), at most MAX_ENTRIES entries and MAX_BYTES in all (the least recently
used go first). Every failure (unreadable, corrupt, stale, read-only home) falls
back to loading the pack; nothing depends on the cache.
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
import time
from collections.abc import Callable
from typing import Any

from hunch.engine.compile import COMPILED, CompiledPack
from hunch.pack.model import Pack

try:  # keyed BLAKE2b without hashlib, whose OpenSSL import costs ~3 ms of every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always builds _blake2
    from hashlib import blake2b
try:
    from _operator import _compare_digest as compare_digest  # what hmac.compare_digest is
except ImportError:  # pragma: no cover
    from hmac import compare_digest  # type: ignore[assignment,no-redef,unused-ignore]

FORMAT = 10  # bump when the entry layout changes; the classes' shapes are in SHAPE


def _shape(*modules: Any) -> str:
    """The field names of every class a cached pack is pickled from. Part of the key, so
    an entry written by a hunch whose Pack had other fields is never unpickled into
    this one: three branches once bumped FORMAT to the same 9 for three different
    shapes, and a stale entry then lacked an attribute the code read."""
    parts = []
    for module in modules:
        for name in dir(module):  # sorted
            cls = getattr(module, name)
            if isinstance(cls, type) and cls.__module__ == module.__name__:
                names = (getattr(cls, "_fields", None)
                         or tuple(getattr(cls, "__dataclass_fields__", ()))
                         or getattr(cls, "__slots__", ()))
                parts.append(f"{name}:{','.join(names)}")
    return ";".join(parts)


SHAPE = _shape(sys.modules[Pack.__module__], sys.modules[CompiledPack.__module__])
MAGIC = b"hunch-pack-cache\n"
TAG_BYTES = 32
KEY_FILE = "key"
SUFFIX = ".pack"
MAX_ENTRIES = 16  # distinct packs kept
MAX_BYTES = 128 << 20  # all entries together (a 7,200-rule pack is ~2 MB)
MAX_FILES = 10_000  # a pack folder with more files (a symlink to /?) is not cached
OFF = ("off", "0", "no", "false")

_warned: set[str] = set()


class CacheUnsafe(Exception):
    """The cache folder is not this user's own: it is not used."""


def cache_dir() -> str | None:
    configured = os.environ.get("HUNCH_CACHE_DIR")
    if configured:
        return None if configured.lower() in OFF else configured
    if sys.platform == "linux":
        # platformdirs' own answer on Linux (tests/test_cache.py checks they agree),
        # without its import: ~7 ms (it imports tempfile, shutil...) of every start
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, "hunch")
        home = os.environ.get("HOME", "")
        if os.path.isabs(home) and not xdg:
            return os.path.join(home, ".cache", "hunch")
    import platformdirs

    return platformdirs.user_cache_dir("hunch", appauthor=False)


def _signature(st: os.stat_result) -> str:
    # ctime and inode too: an edit that keeps size and mtime (cp -p, touch -r, a
    # coarse clock) still changes the ctime, and replacing a file changes the inode
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def pack_key(path: str) -> str:
    """Everything under the pack folder a cached pack depends on, as one string.

    Symlinked folders are followed (a rules/ folder shared between packs), each
    real folder once, so a link loop ends. Raises OSError when the folder cannot
    be walked, CacheUnsafe past MAX_FILES files.
    """
    from hunch.version import __version__

    root = os.path.abspath(path)
    # the path as given is in every error location the pack holds, so it is part
    # of the key, and so is the working folder it is relative to
    parts = [f"{FORMAT}", SHAPE, __version__, root, path,
             "" if os.path.isabs(path) else os.getcwd()]
    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        folder = todo.pop()
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
        for name in names:
            full = os.path.join(folder, name)
            try:
                st = os.stat(full)  # follows links: what the pack reads is the target
            except FileNotFoundError:  # a dangling link is read by nothing
                parts.append(f"{os.path.relpath(full, root)}:dangling")
                continue
            if stat.S_ISDIR(st.st_mode):
                todo.append(full)
                continue
            parts.append(f"{os.path.relpath(full, root)}:{_signature(st)}")
            if len(parts) > MAX_FILES:
                raise CacheUnsafe(f"{root}: more than {MAX_FILES} files")
    return "\n".join(parts)


def dependencies(pack: Pack) -> list[tuple[str, str]]:
    """The source texts the pack read, wherever they are, with their signatures."""
    return [(text.path, _signature(os.stat(text.path)))
            for text in sorted(pack.texts.values(), key=lambda t: t.path)]


def _fresh(dependencies: list[tuple[str, str]]) -> bool:
    try:
        return all(_signature(os.stat(file)) == signature for file, signature in dependencies)
    except OSError:
        return False


def pack_stamp(path: str, dependencies: list[tuple[str, str]]) -> str | None:
    """The pack's key if ``dependencies`` are unchanged, else None (for in-process memos)."""
    try:
        key = pack_key(path)
    except (OSError, CacheUnsafe):
        return None
    return key if _fresh(dependencies) else None


def load_cached(path: str, load: Callable[[], Pack],
                compile_pack: Callable[[Pack], CompiledPack]) -> Pack:
    """The pack at ``path`` with its compiled form attached, from the cache if fresh.

    Only packs that loaded without error are ever cached, so a cached pack is as
    good as a freshly checked one.
    """
    folder = cache_dir()
    try:
        key = pack_key(path)
    except (OSError, CacheUnsafe):
        folder = None
    cache = _Folder.open(folder) if folder is not None else None
    if cache is None:
        return _fresh_load(load, compile_pack)
    try:
        name = _entry_name(key)
        cached = cache.read(name, key)
        if cached is not None:
            pack, program = cached
            pack.memo.put(COMPILED, program)
            return pack
        pack = _fresh_load(load, compile_pack)
        cache.write(name, key, pack)
        return pack
    finally:
        cache.close()


def _fresh_load(load: Callable[[], Pack], compile_pack: Callable[[Pack], CompiledPack]) -> Pack:
    pack = load()
    pack.memo.put(COMPILED, compile_pack(pack))
    return pack


def _entry_name(key: str) -> str:
    """One file per pack: named by the key's lines that say which pack it is."""
    identity = "\n".join(key.split("\n", 5)[2:5])  # root, path as given, working folder
    return blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest() + SUFFIX


def _tag(payload: bytes, key: bytes) -> bytes:
    """The entry's MAC: keyed BLAKE2b (RFC 7693), 32 bytes."""
    return blake2b(payload, key=key, digest_size=TAG_BYTES).digest()


def _warn_once(folder: str, problem: str) -> None:
    if folder in _warned:
        return
    _warned.add(folder)
    from hunch.errors import printable

    sys.stderr.write(printable(
        f"hunch: not using the pack cache {folder}: {problem} (make it a folder of your own "
        f"that only you can write to: chmod 700; or set HUNCH_CACHE_DIR to another folder, "
        f"or to off)") + "\n")


class _Folder:
    """The cache folder, opened once; every file is reached through its descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._mac_key: bytes | None = None

    @classmethod
    def open(cls, folder: str) -> _Folder | None:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return None  # read-only home, no such parent...: just no cache
        st = os.fstat(fd)
        problem = ""
        if st.st_uid != os.geteuid():
            problem = f"it belongs to another user (uid {st.st_uid})"
        elif st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            problem = f"other users can write to it (mode {stat.S_IMODE(st.st_mode):o})"
        if problem:
            os.close(fd)
            _warn_once(folder, problem)
            return None
        return cls(fd)

    def close(self) -> None:
        os.close(self.fd)

    # --- reading -----------------------------------------------------------------------

    def _read_own(self, name: str, limit: int) -> bytes | None:
        """The bytes of a regular file of this user's that no one else may read or write."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=self.fd)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid()
                    or st.st_mode & 0o077 or st.st_size > limit):
                return None
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)

    def mac_key(self, create: bool) -> bytes | None:
        if self._mac_key is None:
            key = self._read_own(KEY_FILE, TAG_BYTES)
            if key is None and create:
                key = self._new_key()
            self._mac_key = key if key is not None and len(key) == TAG_BYTES else None
        return self._mac_key

    def _new_key(self) -> bytes | None:
        key = os.urandom(TAG_BYTES)
        tmp = self._create(key)
        if tmp is None:
            return None
        try:
            # link, not rename: it fails if a key is there already, so two processes
            # starting at once end up with the same key (the first one's)
            os.link(tmp, KEY_FILE, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)
        except FileExistsError:
            key = self._read_own(KEY_FILE, TAG_BYTES) or b""
        except OSError:
            return None
        finally:
            self._unlink(tmp)
        return key

    def read(self, name: str, key: str) -> tuple[Pack, CompiledPack] | None:
        mac_key = self.mac_key(create=False)
        if mac_key is None:
            return None
        blob = self._read_own(name, MAX_BYTES)
        if blob is None or not blob.startswith(MAGIC):
            return None
        tag = blob[len(MAGIC):len(MAGIC) + TAG_BYTES]
        payload = blob[len(MAGIC) + TAG_BYTES:]
        if not compare_digest(tag, _tag(payload, mac_key)):
            return None  # not written by this user's hunch: never unpickled
        try:
            data: Any = pickle.loads(payload)  # authenticated: our own bytes
        except Exception:  # noqa: BLE001 - an entry of an older hunch is just a miss
            return None
        if not (isinstance(data, tuple) and len(data) == 4 and data[0] == key
                and _fresh(data[1]) and isinstance(data[2], Pack)
                and isinstance(data[3], CompiledPack)):
            return None
        try:
            os.utime(name, dir_fd=self.fd, follow_symlinks=False)  # recently used
        except OSError:
            pass
        return data[2], data[3]

    # --- writing -----------------------------------------------------------------------

    def write(self, name: str, key: str, pack: Pack) -> None:
        """Store the pack as the entry ``name`` (best effort: read-only home, full disk)."""
        try:
            mac_key = self.mac_key(create=True)
            if mac_key is None:
                return
            # the pack's memo pickles empty (hunch/record.py): the program goes beside it
            payload = pickle.dumps((key, dependencies(pack), pack, pack.memo.get(COMPILED)),
                                   protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - e.g. a source text gone since it was read
            return
        tmp = self._create(MAGIC + _tag(payload, mac_key) + payload)
        if tmp is None:
            return
        try:
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            self._prune(keep=name)
        except Exception:  # noqa: BLE001 - caching is best effort: a load never fails for it
            self._unlink(tmp)

    def _create(self, data: bytes) -> str | None:
        """A new 0600 file holding ``data`` under a random name; its name, or None."""
        tmp = f".{os.urandom(8).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                         dir_fd=self.fd)
        except OSError:
            return None
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            os.close(fd)
            self._unlink(tmp)
            return None
        os.close(fd)
        return tmp

    def _unlink(self, name: str) -> None:
        try:
            os.unlink(name, dir_fd=self.fd)
        except OSError:
            pass

    def _prune(self, keep: str) -> None:
        """Drop the least recently used entries past MAX_ENTRIES or MAX_BYTES."""
        entries = []
        for name in os.listdir(self.fd):
            if name.endswith(SUFFIX) or (name.endswith(".pickle") or name.endswith(".tmp")):
                try:
                    st = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
                except OSError:
                    continue
                if not name.endswith(SUFFIX):  # FORMAT 5's entries, or leftovers of a crash
                    stale = name.endswith(".pickle") or st.st_mtime < time.time() - 3600
                    if stale and st.st_uid == os.geteuid():
                        self._unlink(name)
                    continue
                entries.append((st.st_mtime_ns, name, st.st_size))
        entries.sort(reverse=True)
        total = 0
        for count, (_mtime, name, size) in enumerate(entries):
            total += size
            if name != keep and (count >= MAX_ENTRIES or total > MAX_BYTES):
                self._unlink(name)
