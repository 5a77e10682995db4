"""Who may have put a file there: the one place hunch decides whose files it trusts.

Two rules share it: ``-o`` does not follow another user's link in a shared sticky
folder (hunch.output.atomic, as the kernel's fs.protected_symlinks), and the project
config walk does not read another user's ``hunch.toml`` or go up through a folder
anyone may write (hunch.pack.project, the pattern of git's CVE-2022-24765).
"""

from __future__ import annotations

import os
import stat

ROOT_UID = 0


def sticky_and_shared(mode: int) -> bool:
    """A folder like /tmp: anyone may add files, only their owners may remove them."""
    return bool(mode & stat.S_ISVTX and mode & stat.S_IWOTH)


def open_to_others(mode: int) -> bool:
    """Anyone may add files here (world-writable), or it is a sticky folder like /tmp."""
    return bool(mode & (stat.S_ISVTX | stat.S_IWOTH))


def foreign(uid: int, *trusted: int) -> bool:
    """Owned by neither this user nor one of ``trusted``."""
    return uid not in (os.geteuid(), *trusted)


__all__ = ["ROOT_UID", "foreign", "open_to_others", "sticky_and_shared"]
