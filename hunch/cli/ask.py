"""`hunch ask`: an interactive consultation that asks only the questions that matter.

The decisions (what to ask, what to skip, when to stop) are hunch.consult.ask's; this module
only prompts, prints and saves.
"""

from __future__ import annotations

import os
import shlex
import textwrap
from typing import TYPE_CHECKING, Any

import click

from hunch.cli.common import load_pack_or_fail, pack_option

if TYPE_CHECKING:  # imported lazily at run time: `hunch --help` must not load the engine
    from hunch.consult.ask import Consultation, Why
    from hunch.pack.model import FactSpec

EXIT_EOF = 2  # input ended mid-consultation: incomplete input, like any bad input
EXIT_INTERRUPTED = 130
WIDTH = 78
MAX_SHOWN_VALUES = 4


@click.command()
@pack_option
@click.option("--situation", "-s", "start", type=click.Path(dir_okay=False), default=None,
              help="Start from this (partial) situation file; ask only for the rest.")
@click.option("--save", type=click.Path(dir_okay=False), default=None,
              help="Write the answers to this situation file (atomically) at the end.")
@click.option("--all", "ask_all", is_flag=True,
              help="After the questions that matter, ask the rest too (for the full ranking).")
def ask(rules: str | None, start: str | None, save: str | None, ask_all: bool) -> None:
    """Answer a few questions and get the ranked explanations and the advice.

    Asks for one fact at a time, always the one whose answer could change the
    result most, and skips those that can no longer change the recommended
    action or the top hypothesis. At a prompt: Enter takes the default shown,
    '?' (or 'unknown') means you don't know, 'why' lists the rules that need
    the answer. Ctrl-C leaves without writing anything (exit 130); input that
    ends before the last question exits with 2. See docs/ask.md.

    \b
    Examples:
      hunch ask
      hunch ask --save my-situation.yaml
      hunch ask --situation partial.yaml --save full.yaml
      hunch ask --rules path/to/pack --all
    """
    import sys

    from hunch.consult.ask import Consultation, load_partial
    from hunch.errors import HunchError

    if sys.stdin is None:
        raise HunchError("standard input is closed: there is no one to ask", "<stdin>",
                         hint="run hunch ask in a terminal, or pipe the answers in")
    pack = load_pack_or_fail(rules, start)
    if save:
        _check_writable(save)
    _tolerate_bad_bytes()
    given = load_partial(start, pack) if start else {}
    consultation = Consultation(pack, given, file=save or "<answers>", everything=ask_all)
    _intro(consultation, start)
    try:
        _converse(consultation)
    except click.Abort as exc:
        # click.prompt turns both ^D and ^C into Abort; the original is its context.
        if isinstance(exc.__context__, EOFError):
            click.echo("\ninput ended before the consultation finished; nothing was saved",
                       err=True)
            raise SystemExit(EXIT_EOF) from None
        click.echo("\ninterrupted; nothing was saved", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    _finish(consultation, start, save, rules)


def _check_writable(path: str) -> None:
    """Refuse a --save target that cannot work before asking anything, not after.

    os.access answers for the real user and says yes to root everywhere (even on a
    read-only file system), so the folder is tried for real: a file is created
    there with O_EXCL, as the atomic save will, and removed at once.
    """
    import tempfile

    from hunch.errors import HunchError

    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise HunchError("is a directory, cannot save the answers there", path)
    if not os.path.isdir(folder):
        raise HunchError("cannot save the answers here: the folder does not exist", path)
    try:
        fd, probe = tempfile.mkstemp(prefix=".hunch-", suffix=".probe", dir=folder)
    except OSError as exc:
        raise HunchError(f"cannot save the answers here: {exc.strerror or exc}", path,
                         hint="pick a folder you can write to") from None
    os.close(fd)
    try:
        os.remove(probe)
    except OSError:
        pass


def _tolerate_bad_bytes() -> None:
    """Read bytes that are not UTF-8 as lone surrogates (PEP 383), not as an error.

    In a UTF-8 locale Python decodes standard input strictly, so one Latin-1 byte
    typed at any prompt would end the whole consultation; kept as a surrogate it is
    caught at its prompt (_not_utf8) and asked again.
    """
    import sys

    stdin = sys.stdin
    if getattr(stdin, "errors", None) == "strict" and hasattr(stdin, "reconfigure"):
        try:
            stdin.reconfigure(errors="surrogateescape")
        except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
            pass


def _intro(consultation: Consultation, start: str | None) -> None:
    pack = consultation.pack
    click.echo(f"hunch ask: {pack.title or pack.name}")
    click.echo("Enter takes the default shown; '?' means you don't know; 'why' shows which\n"
               "rules need the answer. Ctrl-C leaves without saving anything.")
    if start:
        known = len(consultation.given)
        click.echo(f"Starting from {start}: {_count(known, 'fact')} already given.")
    click.echo("")


def _converse(consultation: Consultation) -> None:
    while (fact := consultation.next_question()) is not None:
        _ask_one(consultation, fact)


def _ask_one(consultation: Consultation, fact: str) -> None:
    from hunch.consult.ask import allowed_text, prompt_hint

    spec = consultation.pack.facts[fact]
    number = len(consultation.asked) + 1
    question = " ".join(spec.question.split()) or fact
    while True:
        text = click.prompt(f"{number}. {question} [{prompt_hint(spec)}]", default="",
                            show_default=False)
        bad = _not_utf8(text)
        if bad:
            click.echo(f"   that is not UTF-8 text ({bad}); type it again (your terminal "
                       f"may use another encoding).")
            continue
        if "\x85" in text:  # YAML reads it back as a line break: the answer would change
            click.echo("   U+0085 (a line break) cannot be part of an answer; type it again.")
            continue
        reply = consultation.interpret(fact, text)
        if reply.kind == "why":
            click.echo(why_text(consultation, fact))
        elif reply.kind == "invalid":
            unknown = "" if spec.required else ", or '?' if you don't know"
            click.echo(f"   {reply.problem}: {allowed_text(spec)}{unknown}.")
        else:
            consultation.answer(fact, reply.value if reply.kind == "value" else None)
            return


def _not_utf8(text: str) -> str:
    """The bytes of a reply that were not UTF-8, or '' (the terminal decoded them as
    lone surrogates, PEP 383, which no situation file can hold)."""
    bad = [f"0x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else f"U+{ord(c):04X}"
           for c in text if 0xD800 <= ord(c) <= 0xDFFF]
    return ("byte " if len(bad) == 1 else "bytes ") + " ".join(bad[:4]) if bad else ""


def _finish(consultation: Consultation, start: str | None, save: str | None,
            rules: str | None) -> None:
    from hunch.errors import HunchError
    from hunch.output.atomic import write_atomic
    from hunch.output.render import render_table

    result = consultation.result()
    if save:
        rules_arg = f" --rules {shlex.quote(rules)}" if rules else ""
        hint = f"hunch evaluate{rules_arg} {shlex.quote(save)}"
        text = consultation.situation_text(hint)
        try:
            write_atomic(save, text)
        except HunchError as exc:
            # the folder was fine when we started: never lose the answers at the end
            click.echo(exc.format(), err=True)
            click.echo("Could not save the answers; here they are, to save by hand:\n", err=True)
            click.echo(text, nl=False)
            raise SystemExit(EXIT_EOF) from None
    click.echo("")
    click.echo(render_table(result), nl=False)
    click.echo("")
    click.echo(summary(consultation, start))
    if save:
        click.echo(f"Saved the answers to {save}.")


def summary(consultation: Consultation, start: str | None) -> str:
    """The closing line: how many questions were asked and how many skipped."""
    asked = consultation.asked
    unknown = sum(1 for f in asked if consultation.answers[f] is None)
    skipped = len(consultation.remaining())
    text = f"Asked {_count(len(asked), 'question')}"
    if unknown:
        text += f" ({unknown} answered unknown)"
    text += (f"; skipped {skipped} as irrelevant (no answer could change the recommendation "
             f"or the top hypothesis)")
    if start:
        text += f"; {_count(len(consultation.given), 'fact')} came from {start}"
    return "\n".join(textwrap.wrap(text + ".", WIDTH, break_long_words=False,
                                   break_on_hyphens=False))  # keep file names whole


def why_text(consultation: Consultation, fact: str) -> str:
    """The answer to `why`: the rules that need this fact, what they would conclude."""
    from hunch.consult.ask import MAX_WHY_RULES

    why = consultation.why(fact)
    spec = consultation.pack.facts[fact]
    rules = len(why.rules)
    out = [f"   Why ask this: {_count(rules, 'rule')} need{'s' if rules == 1 else ''} {fact}"
           + (":" if why.rules else ".")]

    for item in why.rules[:MAX_WHY_RULES]:
        via = f" (through {', '.join(item.via)})" if item.via else ""
        concludes = "; ".join(f"{'supports' if cf >= 0 else 'opposes'} \"{c.title}\" "
                              f"(cf {abs(cf):.2f})" for c, cf in item.effects)
        out += textwrap.wrap(f"{item.rule.id}{via}: {concludes}", WIDTH,
                             initial_indent="   - ", subsequent_indent="     ")
        if item.rule.because:
            out += textwrap.wrap(item.rule.because, WIDTH, initial_indent="       ",
                                 subsequent_indent="       ")
        if item.switched_by:
            state = "fires now; it would not" if item.fires_now else "it would fire"
            out.append(f"       ({state} if you answer {_answers(item.switched_by, spec)})")
    if len(why.rules) > MAX_WHY_RULES:
        out.append(f"   ... and {len(why.rules) - MAX_WHY_RULES} more")
    out.append(_stakes(why, spec.required))
    return "\n".join(out)


def _answers(values: list[Any], spec: FactSpec) -> str:
    """The answers that switch a rule: all of them, or for numbers one example
    (the values tried are only the thresholds the rules test, +-1)."""
    from hunch.consult.ask import show

    if spec.type in ("integer", "number"):
        return f"{show(values[0], spec)}, for example"
    shown = [show(v, spec) for v in values[:MAX_SHOWN_VALUES]]
    more = ", ..." if len(values) > MAX_SHOWN_VALUES else ""
    return (" or ".join(shown) if len(shown) <= 2 else ", ".join(shown)) + more


def _stakes(why: Why, required: bool) -> str:
    """What the answer could do to the advice as it stands."""
    a = why.assessment
    rec = why.recommendation.title if why.recommendation else "none"
    top = why.top.title if why.top else "none"
    parts = []
    if a.recommendation:
        parts.append(f"the recommendation (now: {rec})")
    if a.top:
        parts.append(f"the top hypothesis (now: {top})")
    if not parts and a.gain > 0:
        return _narrows(why)
    if not parts:
        reason = "it is required" if required else "you asked for every question (--all)"
        return textwrap.fill(f"   No answer on its own could change the recommendation or the "
                             f"top hypothesis now; it is asked because {reason}.", WIDTH,
                             subsequent_indent="   ")
    joint = f", together with {a.together_with}," if a.together_with else ""
    return textwrap.fill(f"   Your answer{joint} could change {' and '.join(parts)}.", WIDTH,
                         subsequent_indent="   ")


def _narrows(why: Why) -> str:
    """What a question asked for its information does: the candidates it could rule out."""
    a = why.assessment
    titles = [f'"{why.candidates[c]}"' for c in a.rules_out if c in why.candidates]
    could = f"; it could rule out {', '.join(titles)}" if titles else ""
    real = [c for c in why.candidates if c]
    none = " (or none of them)" if "" in why.candidates else ""
    return textwrap.fill(f"   Your answer narrows down which of {_count(len(real), 'candidate')}"
                         f"{none} is the answer ({a.gain:.2f} bits expected){could}.", WIDTH,
                         subsequent_indent="   ")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
