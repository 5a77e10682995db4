"""One exception family for everything a user can get wrong.

Every error carries the position it is about, so the CLI can print it as
``file:line:col: message`` in one place (hunch.cli) and nowhere else.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# What a terminal acts on instead of showing (docs/security.md, F4): the C0 controls
# but tab and newline (ESC starts every escape sequence), DEL, the C1 controls (0x9b
# is a one-character CSI), the bidirectional embeddings, overrides, isolates and
# marks (they reorder what is shown: "Trojan Source"), the line and paragraph
# separators, and lone surrogates (file names that are not UTF-8, which would
# otherwise fail to encode at all).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
# json.dumps escapes C0 itself; these it leaves raw (valid JSON, but not harmless)
_JSON = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` for a terminal: every character it would act on written as an escape.

    ``\\x1b``, ``\\x9b``, ``\\u202e``..., as Python writes them; tab, newline
    and all other text are kept as they are, so output without controls is unchanged.
    """
    if _TERMINAL.search(text) is None:
        return text
    return _TERMINAL.sub(_escaped, text)


def json_safe(encoded: str) -> str:
    """JSON text (from json.dumps) with those characters as JSON escapes too.

    They can only occur inside JSON strings, so the text decodes to the same value.
    All of them but DEL are past ASCII, so ASCII text without DEL, the usual answer,
    is returned without the search (2 µs instead of 125 µs for a 42 kB decision).
    """
    if (encoded.isascii() and "\x7f" not in encoded) or _JSON.search(encoded) is None:
        return encoded
    return _JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


# A failure that is no HunchError, worded here once for every shell; each adds only its
# own framing: the CLI "error: " and an exit status, a batch row its item's label, the
# service a JSON error body.
TOO_DEEP = "input nested too deeply to process"


def internal_error(exc: BaseException, look: str, detail: str | None = None) -> str:
    """A bug's one line: ``look`` says where its traceback is (``--debug``, a server log);
    ``detail``, the exception's text as far as the shell shows it (None: not at all)."""
    name = type(exc).__name__ if detail is None else f"{type(exc).__name__}: {detail}"
    return f"internal error: {name} (a bug in hunch; {look})"


class Location(NamedTuple):
    """A position in a file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


# Exit statuses (docs/cli.md). Each is an attribute of the exception that ends a
# command with it, as click's exceptions carry theirs; hunch.cli.app.HunchGroup is the
# one place that turns an exception into a status.
EXIT_FAILED = 1  # the command ran and what it checked failed (tests, --strict, a change)
EXIT_BAD_INPUT = 2  # bad input: one-line errors
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a process it killed


class HunchError(Exception):
    """Bad input: a problem the person can fix, with where and how."""

    level = "error"
    exit_code = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str,
        file: str = "",
        line: int = 0,
        column: int = 0,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    @classmethod
    def at(cls, loc: Location, message: str, hint: str = "") -> HunchError:
        return cls(message, loc.file, loc.line, loc.column, hint)

    @property
    def location(self) -> Location:
        return Location(self.file or "<input>", self.line, self.column)

    def format(self, with_level: bool = False) -> str:
        level = f" {self.level}:" if with_level else ""
        text = f"{self.location}:{level} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        # One line, always: a message quoting user text must not break the format;
        # and nothing in it may drive the terminal
        return printable(" ".join(text.split()))

    def __str__(self) -> str:
        return self.format()


class YamlError(HunchError):
    """The file is not YAML hunch accepts (syntax, tags, limits, encoding)."""


class PackError(HunchError):
    """The rule pack is malformed or inconsistent."""


class SituationError(HunchError):
    """The situation file does not fit the pack's fact schema."""


class EngineError(HunchError):
    """durable_rules failed or hit one of its limits while evaluating."""


class HunchWarning(HunchError):
    """A lint finding that does not stop evaluation (reported by `hunch check`)."""

    level = "warning"


class ErrorList(HunchError):
    """Several problems found at once; the first one is the message."""

    def __init__(self, errors: list[HunchError]) -> None:
        first = errors[0]
        super().__init__(first.message, first.file, first.line, first.column, first.hint)
        self.errors = errors

    def format(self, with_level: bool = False) -> str:
        text = self.errors[0].format(with_level)
        more = len([e for e in self.errors if e.level == "error"]) - 1
        if more > 0:
            text += f" (and {more} more error{'s' if more > 1 else ''}: run hunch check)"
        return printable(text)


class SituationErrors(ErrorList):
    """Several problems in one situation: all of them on the one line.

    `hunch check` checks packs, not situations, so there is no command to send the
    person to for the rest; a situation has few facts, so they fit.
    """

    SHOWN = 4  # problems after the first shown in full; the rest are counted

    def format(self, with_level: bool = False) -> str:
        text = self.errors[0].format(with_level)
        rest = [e for e in self.errors[1:] if e.level == "error"]
        hints = {self.errors[0].hint}
        for e in rest[:self.SHOWN]:
            where = f"line {e.line}" if e.line > 0 else "also"
            new_hint = e.hint and e.hint not in hints  # said once is enough
            text += f"; {where}: {e.message}" + (f" ({e.hint})" if new_hint else "")
            hints.add(e.hint)
        if len(rest) > self.SHOWN:
            text += f"; and {len(rest) - self.SHOWN} more"
        return printable(text)


class Reported(Exception):
    """The command has already said what went wrong (each failed batch item, each
    failed test): it ends with ``exit_code`` and prints nothing more."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, reported as ``message`` with ``exit_code``; a batch rewords it into its
    summary line ("interrupted: 3 of 10 situations evaluated ...")."""

    def __init__(self, message: str = "interrupted", exit_code: int = EXIT_INTERRUPTED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    @staticmethod
    def of(exc: KeyboardInterrupt) -> Interrupted:
        """Any interruption as an Interrupted (a bare KeyboardInterrupt is Ctrl-C)."""
        return exc if isinstance(exc, Interrupted) else Interrupted()

    def reworded(self, message: str) -> Interrupted:
        return Interrupted(message, self.exit_code)


class Terminated(Interrupted):
    """SIGTERM or SIGHUP, raised where the program is, as Ctrl-C's KeyboardInterrupt is.

    So everything that cleans up after Ctrl-C does after these too: an output file's
    temporary file is removed, a batch prints its summary line, and the exit status
    is 128 + the signal's number, as a shell reports a process the signal killed.
    """

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__("terminated" if signum == signal.SIGTERM else "hung up", 128 + signum)


def did_you_mean(word: str, choices: object) -> str:
    """A 'did you mean' hint, or '' when nothing is close."""
    import difflib

    names = [str(c) for c in choices]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
