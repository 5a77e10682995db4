"""Writing output files so that an interrupted run never leaves half a file.

Output goes to a temporary file in the same folder as the target (so the final
rename cannot cross file systems), is flushed to disk, and is renamed over the
target only when everything was written. Any failure or interrupt before that
removes the temporary file and leaves the old target untouched.

What `-o PATH` does with what is already at PATH (docs/limits.md, docs/security.md):

- nothing, or a regular file: replaced atomically, keeping its mode (and owner
  and group, where this user may set them);
- a symlink: followed; its target is replaced atomically, and the link stays;
- a FIFO, a device, or anything reached through /dev or /proc (/dev/stdout,
  /dev/fd/1): written directly, as a shell's `>` would; never replaced;
- a directory, a read-only file, a file with other hard links (replacing it
  would part it from them), one of the run's inputs, or a link of another user's
  in a shared sticky folder such as /tmp: refused, with a message.

``-`` is standard output, for every command that takes an output path.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from types import TracebackType
from typing import IO, NamedTuple

from hunch.errors import HunchError
from hunch.pack.owners import foreign, sticky_and_shared

STDOUT = "-"


class Target(NamedTuple):
    """Where an output path really writes, and how."""

    path: str  # the file to replace (links resolved), or the path to open
    direct: bool  # open and write it in place (FIFO, device): no temporary file
    existing: os.stat_result | None  # what is there now, if anything


def resolve(path: str) -> Target:
    """The Target of an output path, or a HunchError saying why hunch will not write it."""
    _refuse_planted_links(path)
    try:
        st = os.stat(path)  # follows links: what matters is what they point at
    except FileNotFoundError:
        return Target(os.path.realpath(path), False, None)  # new (also behind a dangling link)
    except OSError as exc:
        raise HunchError(f"cannot write here: {exc.strerror or exc}", path) from None
    if stat.S_ISDIR(st.st_mode):
        raise HunchError("is a directory, cannot write the output there", path,
                         hint="name a file, or - for standard output")
    if not stat.S_ISREG(st.st_mode) or _through_dev(path):
        return Target(path, True, st)
    real = os.path.realpath(path)
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise HunchError("is read-only; hunch does not replace it", path,
                         hint="make it writable (chmod u+w) or write to another file")
    if st.st_nlink > 1:
        raise HunchError(f"has {st.st_nlink} hard links; replacing it would part it from "
                         f"the others", path, hint="write to another file")
    return Target(real, False, st)


def _hops(path: str) -> list[tuple[str, str]]:
    """(real folder, name) of ``path`` and of each link it goes through, in order."""
    hops = []
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        folder = os.path.realpath(os.path.dirname(current))
        hops.append((folder, os.path.basename(current)))
        full = os.path.join(folder, os.path.basename(current))
        if not os.path.islink(full):
            break
        current = os.path.join(folder, os.readlink(full))
    return hops


def _refuse_planted_links(path: str) -> None:
    """Refuse to follow another user's link in a shared sticky folder such as /tmp.

    The kernel refuses that to open() (fs.protected_symlinks): a link planted at
    /tmp/report pointing at ~/.bashrc must not make hunch replace ~/.bashrc. hunch
    resolves links itself (to rename over their target), so it checks the same rule.
    """
    for folder, name in _hops(path):
        try:
            link = os.lstat(os.path.join(folder, name))
            where = os.stat(folder)
        except OSError:
            return
        if (stat.S_ISLNK(link.st_mode) and sticky_and_shared(where.st_mode)
                and foreign(link.st_uid, where.st_uid)):
            raise HunchError(f"is a link of another user's (uid {link.st_uid}) in the shared "
                             f"folder {folder}; hunch does not follow it", path,
                             hint="write to a file in a folder of your own")


def _through_dev(path: str) -> bool:
    """Whether ``path`` or a link it goes through lies in /dev or /proc.

    /dev/stdout is a link to /proc/self/fd/1, which links to whatever standard
    output is: a regular file there is the shell's file, to write, not to replace.
    """
    return any(folder in ("/dev", "/proc") or folder.startswith(("/dev/", "/proc/"))
               for folder, _name in _hops(path))


def refuse_inputs(output: str, inputs: Iterable[str]) -> None:
    """Refuse an output path that is one of ``inputs`` (same file, by device and inode)."""
    if output == STDOUT:
        return
    try:
        st = os.stat(output)
    except OSError:
        return  # nothing there yet: it cannot be an input
    if not stat.S_ISREG(st.st_mode):
        return
    for name in inputs:
        try:
            if os.path.samestat(st, os.stat(name)):
                raise HunchError(f"is also an input ({name}); writing the output there would "
                                 f"replace it", output, hint="write to another file")
        except OSError:
            continue


class AtomicWriter:
    """A text file that appears at ``path`` whole, or not at all.

    Use it as a context manager: leaving the block normally commits, leaving it by
    an exception (KeyboardInterrupt included) discards. A FIFO or device is
    written directly (there is nothing to replace).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.tmp = ""
        self._handle: IO[str] | None = None
        self._target: Target | None = None

    def __enter__(self) -> IO[str]:
        target = self._target = resolve(self.path)
        try:
            if target.direct:
                self._handle = open(target.path, "w", encoding="utf-8", newline="")
                return self._handle
            import tempfile  # here, not at the top: ~3 ms of every start-up otherwise

            fd, self.tmp = tempfile.mkstemp(prefix=".hunch-", suffix=".tmp",
                                            dir=os.path.dirname(target.path))
        except OSError as exc:
            raise HunchError(f"cannot write here: {exc.strerror or exc}", self.path) from None
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self._handle

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
            return
        self.discard()
        if isinstance(exc, OSError):  # e.g. the disk filled up while writing
            raise HunchError(f"cannot write: {exc.strerror or exc}", self.path) from None

    def commit(self) -> None:
        handle, target = self._handle, self._target
        assert handle is not None and target is not None, "commit() outside the with block"
        try:
            handle.flush()
            if target.direct:
                handle.close()
            else:
                os.fsync(handle.fileno())
                handle.close()
                _keep_mode(target.existing, self.tmp)
                os.replace(self.tmp, target.path)
        except BaseException as exc:
            self.discard()
            if isinstance(exc, OSError):
                raise HunchError(f"cannot write: {exc.strerror or exc}", self.path) from None
            raise
        self._handle = None

    def discard(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
        if self.tmp:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


def _keep_mode(existing: os.stat_result | None, tmp: str) -> None:
    """mkstemp makes 0600 files: give the output the old file's mode (and owner, if
    this user may), or the mode a plain open() would."""
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    try:
        os.chown(tmp, existing.st_uid, existing.st_gid)  # root writing someone's file
    except OSError:
        pass  # not ours to give away: the file is now this user's, as with any editor
    os.chmod(tmp, stat.S_IMODE(existing.st_mode))


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file beside it, then rename)."""
    with AtomicWriter(path) as handle:
        handle.write(text)
