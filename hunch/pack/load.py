"""A pack folder read and checked: the pack, or every error found in it."""

from __future__ import annotations

from hunch.errors import ErrorList, HunchError
from hunch.pack.model import Pack
from hunch.pack.read import read_pack
from hunch.pack.validate import check_pack


def load_checked(path: str, tests: bool) -> Pack:
    """Read the pack at ``path`` and check it; raise ErrorList with every error."""
    errors: list[HunchError] = []
    pack = read_pack(path, errors, tests)
    if not errors:
        errors.extend(e for e in check_pack(pack) if e.level == "error")
    if errors:
        raise ErrorList(errors)
    return pack
