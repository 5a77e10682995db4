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

from hunch.cli.common import as_of_option, load_pack_or_fail, pack_option
from hunch.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, HunchError, Reported, printable

if TYPE_CHECKING:  # imported lazily at run time: `hunch --help` must not load the engine
    from hunch.consult.ask import Consultation, Why
    from hunch.pack.model import FactSpec

EXIT_EOF = EXIT_BAD_INPUT  # input ended mid-consultation: incomplete input, like any bad input
WIDTH = 78  # the widest lines get; hunch.output.width.fit narrows them on a terminal
MAX_SHOWN_VALUES = 4
BACK_WORDS = ("back", "<")
WHY_RULES_WORDS = ("why rules", "why all")


@click.command()
@pack_option
@click.option("--situation", "-s", "start", type=click.Path(dir_okay=False), default=None,
              help="Start from this (partial) situation file; ask only for the rest.")
@click.option("--save", type=click.Path(dir_okay=False), default=None,
              help="Write the answers to this situation file (atomically) at the end.")
@click.option("--all", "ask_all", is_flag=True,
              help="After the questions that matter, ask the rest too (for the full ranking).")
@as_of_option
def ask(rules: str | None, start: str | None, save: str | None, ask_all: bool,
        as_of: Any = None) -> None:
    """Answer a few questions and get the ranked explanations and the advice.

    Asks for one fact at a time, always the one whose answer could change the
    result most, and skips those that can no longer change the recommended
    action or the top hypothesis. At a prompt: Enter takes the default shown,
    '?' (or 'unknown') means you don't know, a number or the first letters
    pick a choice, 'back' changes the previous answer, 'why' says what the
    answer could change ('why rules' lists the rules). Ctrl-C offers to save
    the answers so far (exit 130); input that ends before the last question
    exits with 2. See docs/ask.md.

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
    given = load_partial(start, pack, as_of=as_of) if start else {}
    consultation = Consultation(pack, given, file=save or "<answers>", everything=ask_all,
                                as_of=as_of)
    _line_editing()
    _intro(consultation, start)
    try:
        _converse(consultation)
    except (click.Abort, KeyboardInterrupt) as exc:
        # click.prompt turns both ^D and ^C into Abort; the original is its context.
        # (^C between two prompts, while the next question is worked out, is raw.)
        if isinstance(exc, click.Abort) and isinstance(exc.__context__, EOFError):
            click.echo("\ninput ended before the consultation finished; nothing was saved",
                       err=True)
            raise Reported(EXIT_EOF) from None
        _offer_to_save(consultation, save, rules)
        raise Reported(EXIT_INTERRUPTED) from None
    _finish(consultation, start, save, rules)


def _line_editing() -> None:
    """Arrow keys, history and editing at the prompts: the standard library's readline,
    which input() (and so click.prompt) uses once it is imported; only on a terminal."""
    import sys

    if not sys.stdin.isatty():
        return
    try:
        import readline  # noqa: F401 - imported for its effect on input()
    except ImportError:  # pragma: no cover - Windows has no readline
        pass


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
    click.echo(printable(f"hunch ask: {pack.title or pack.name}"))
    click.echo(_fill("Enter takes the default shown; '?' means you don't know; 'back' changes "
                     "the previous answer; 'why' says why a question is asked. Ctrl-C offers "
                     "to save what you have answered."))
    if start:
        known = len(consultation.given)
        click.echo(f"Starting from {start}: {_count(known, 'fact')} already given.")
    click.echo("")


def _converse(consultation: Consultation) -> None:
    while (fact := consultation.next_question()) is not None:
        _ask_one(consultation, fact)


def _ask_one(consultation: Consultation, fact: str) -> None:
    """Ask for ``fact`` until it has an answer, or until 'back' takes the last one back."""
    spec = consultation.pack.facts[fact]
    number = len(consultation.asked) + 1
    about = max(number, len(consultation.asked) + consultation.questions_left())
    source = consultation.ask_as(fact)
    asked = consultation.pack.time.inputs[source].question if source else spec.question
    question = " ".join(asked.split()) or fact
    click.echo(_fill(f"Question {number} of about {about}: {question}"))
    if source and consultation.pack.time.inputs[source].type == "events":
        _ask_log(consultation, fact, source)
        return
    line = _date_line(consultation, spec) if source else choices_line(spec)
    click.echo(_fill(line, indent="  "))
    while True:
        text = _read(">")
        if text is None:
            continue
        word = " ".join(text.lower().split())
        if word in BACK_WORDS:
            if consultation.undo() is None:
                click.echo("   There is no earlier answer to change.")
                continue
            return  # the planner asks the previous question again
        if word in WHY_RULES_WORDS:
            click.echo(printable(why_rules_text(consultation, fact)))
            continue
        if source and word not in ("", "?", "unknown", "why") and not _is_count(word):
            problem = consultation.answer_date(fact, text)
            if not problem:
                return
            click.echo(_fill(problem, indent="   "))
            continue
        picked, problem = pick(spec, text)
        if problem:
            click.echo(_fill(problem, indent="   "))
            continue
        reply = consultation.interpret(fact, picked)
        if reply.kind == "why":
            click.echo(printable(why_text(consultation, fact)))
        elif reply.kind == "invalid":
            from hunch.consult.ask import allowed_text

            unknown = "" if spec.required else ", or '?' if you don't know"
            click.echo(_fill(f"{reply.problem}: {allowed_text(spec)}{unknown}.", indent="   "))
        else:
            consultation.answer(fact, reply.value if reply.kind == "value" else None)
            return


def _read(prompt: str) -> str | None:
    """A line typed at the prompt, or None when it cannot be an answer (said why)."""
    text: str = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ")
    bad = _not_utf8(text)
    if bad:
        click.echo(f"   that is not UTF-8 text ({bad}); type it again (your terminal "
                   f"may use another encoding).")
        return None
    if "\x85" in text:  # YAML reads it back as a line break: the answer would change
        click.echo("   U+0085 (a line break) cannot be part of an answer; type it again.")
        return None
    return text


def _ask_log(consultation: Consultation, fact: str, log: str) -> None:
    """Ask a log one entry a line until Enter or 'none' (docs/ask.md, "The follow-up
    log"); at the first entry '?' is unknown and a whole number the count ``fact`` is."""
    from hunch.consult.logs import describe_entry, parse_entry

    item = consultation.pack.time.inputs[log]
    click.echo(_fill(_log_line(consultation, fact, log), indent="  "))
    entries: list[dict[str, Any]] = []
    while True:
        text = _read(f"{len(entries) + 1} >")
        if text is None:
            continue
        word = " ".join(text.lower().split())
        if word in BACK_WORDS and entries:
            click.echo(_fill(f"took back {describe_entry(item, entries.pop())}", "   "))
            continue
        if word in BACK_WORDS:
            if consultation.undo() is None:
                click.echo("   There is no earlier answer to change.")
                continue
            return
        if word in WHY_RULES_WORDS or word == "why":
            click.echo(printable(why_text(consultation, fact) if word == "why" else
                                 why_rules_text(consultation, fact)))
            continue
        if not entries and (_is_count(word) or word in ("?", "unknown")):
            problem = _count_or_unknown(consultation, fact, word)
        elif word in ("", "none", "done"):
            problem = consultation.answer_log(fact, entries)
        elif word in ("?", "unknown"):
            problem = "the entries so far are kept: Enter when there are no more, 'back' " \
                      "takes the last one back"
        else:
            entry, problem = parse_entry(item, text, consultation.counted_to)
            problem = problem or consultation.log_problem(log, [*entries, entry],
                                                          consultation.counted_to())
            if not problem:
                entries.append(entry)
                click.echo(_fill(f"added {describe_entry(item, entry)}", "   "))
                continue
        if not problem:
            return
        click.echo(_fill(problem, indent="   "))


def _count_or_unknown(consultation: Consultation, fact: str, word: str) -> str:
    """At a log's first entry: '?' leaves the log unknown; a whole number answers the count
    the question was asked for, as before logs were asked (scripts keep working)."""
    from hunch.consult.ask import allowed_text

    if word in ("?", "unknown"):
        return consultation.answer_log(fact, None)
    reply = consultation.interpret(fact, word)
    if reply.kind == "invalid":
        return f"{reply.problem}: {allowed_text(consultation.pack.facts[fact])}"
    consultation.answer(fact, reply.value)
    return ""


def _log_line(consultation: Consultation, fact: str, log: str) -> str:
    """The lines under a question asked as a log: what to type, what it counts to."""
    from hunch.consult.logs import entry_hint

    item = consultation.pack.time.inputs[log]
    spec = consultation.pack.facts[fact]
    at = consultation.as_of.isoformat() if consultation.as_of else "YYYY-MM-DD"
    counted = f"; counted to {at}" if consultation.as_of else ""
    return (f"({entry_hint(item, at)}. Enter or 'none' when there are no more; '?' if you "
            f"don't know; or the {spec.unit or 'number'} as a whole number{counted})")


def _date_line(consultation: Consultation, spec: FactSpec) -> str:
    """The line under a question asked as a date: what to type, and what it counts to.
    Without --as-of the clock is read only when a date is typed (a count needs none)."""
    end = "required" if spec.required else "Enter or '?' if you don't know"
    count = f"or the {spec.unit or 'number'} as a whole number"
    if consultation.as_of is None:
        return f"(a date YYYY-MM-DD or 'today', {count}; {end})"
    at = consultation.as_of.isoformat()
    return f"(a date YYYY-MM-DD or 'today', {count}; counted to {at}; {end})"


def _is_count(word: str) -> bool:
    """A whole number typed at a date question is the count itself, as before dates
    (scripts that pipe the counts in keep working)."""
    return word.lstrip("+-").isdigit()


def _not_utf8(text: str) -> str:
    """The bytes of a reply that were not UTF-8, or '' (the terminal decoded them as
    lone surrogates, PEP 383, which no situation file can hold)."""
    bad = [f"0x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else f"U+{ord(c):04X}"
           for c in text if 0xD800 <= ord(c) <= 0xDFFF]
    return ("byte " if len(bad) == 1 else "bytes ") + " ".join(bad[:4]) if bad else ""


def choices(spec: FactSpec) -> list[str]:
    """The numbered choices of a yes/no or enum fact, as typed ([] for other facts,
    and for enums whose values are numbers: a number typed is then the value)."""
    from hunch.consult.ask import show

    if spec.type == "boolean":
        return ["yes", "no"]
    if spec.type == "enum" and all(isinstance(v, str) for v in spec.values or []):
        shown = [show(v, spec) for v in spec.values or []]
        if not any(t.strip().isdigit() for t in shown):
            return shown
    return []


def choices_line(spec: FactSpec) -> str:
    """The line under a question: numbered choices, or what to type, and the default."""
    from hunch.consult.ask import prompt_hint, show

    options = choices(spec)
    if not options:
        return f"({prompt_hint(spec)})"
    text = "  ".join(f"{i}) {option}" for i, option in enumerate(options, start=1))
    if spec.unit:
        text = f"{spec.unit}: {text}"
    if spec.required:
        return f"{text}   (required)"
    if spec.has_default:
        return f"{text}   (default {show(spec.default, spec)})"
    return text


def pick(spec: FactSpec, text: str) -> tuple[str, str]:
    """A choice's number, or the first letters of just one choice, as the choice;
    anything else as typed. The second item is a problem to show instead."""
    options = choices(spec)
    word = text.strip()
    if not options or not word:
        return text, ""
    if word.isdigit() and 1 <= int(word) <= len(options):
        return options[int(word) - 1], ""
    if word.isdigit() and spec.type == "boolean":
        return text, ""  # 0 is no, as it always was
    low = word.lower()
    if low in {o.lower() for o in options} or low in ("?", "unknown", "why") \
            or (spec.type == "boolean" and low in ("y", "n", "true", "false")):
        return text, ""
    starting = [o for o in options if o.lower().startswith(low)]
    if len(starting) == 1:
        return starting[0], ""
    if len(starting) > 1:
        return text, (f"'{word}' could be {' or '.join(starting)}: type more of it, or its "
                      f"number.")
    return text, ""


def _fill(text: str, indent: str = "") -> str:
    from hunch.output.width import fit

    # pack texts (questions, choices, problems) reach the terminal escaped (F4)
    return printable(textwrap.fill(text, fit(WIDTH), initial_indent=indent,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False))


def _offer_to_save(consultation: Consultation, save: str | None, rules: str | None) -> None:
    """Ctrl-C: keep what was answered, if the person wants, in a file `hunch ask
    --situation` continues from. A second Ctrl-C (or end of input) leaves it unsaved."""
    from hunch.output.atomic import write_atomic

    answered = len(consultation.asked)
    if not answered:
        click.echo("\ninterrupted; nothing was saved", err=True)
        return
    click.echo("", err=True)
    try:
        if save:
            target = save if click.confirm(
                f"Interrupted. Save the {_count(answered, 'answer')} so far to {save}?",
                default=True, err=True) else ""
        else:
            target = click.prompt(
                f"Interrupted. Save the {_count(answered, 'answer')} so far? File name (Enter: "
                f"don't save)", default="", show_default=False, err=True).strip()
    except click.Abort:
        target = ""
    if not target:
        click.echo("interrupted; nothing was saved", err=True)
        return
    try:
        _check_writable(target)
        again = f"{_hunch(rules, target)} ask --situation {shlex.quote(target)}"
        write_atomic(target, consultation.situation_text(again, _pack_ref(rules, target)))
    except HunchError as exc:
        click.echo(f"{exc.format()}; nothing was saved", err=True)
        return
    click.echo(f"interrupted; saved {_count(answered, 'answer')} to {target} (continue with: "
               f"{again})", err=True)


def _pack_ref(rules: str | None, file: str) -> str:
    """The saved file's `_pack`: --rules as given for a built-in pack or an absolute
    folder, a relative folder made relative to the file (as `_pack` folders are read);
    nothing for the default pack."""
    if not rules:
        return ""
    if not os.path.isdir(rules) or os.path.isabs(rules):
        return rules  # a built-in pack's name, or a folder given in full
    return os.path.relpath(os.path.abspath(rules), os.path.dirname(os.path.abspath(file)))


def _hunch(rules: str | None, file: str) -> str:
    """The command that reads the saved file back: a pack folder outside the file's
    folder and its project is followed only with --allow-pack-path (docs/project.md)."""
    from hunch.pack.project import followed_unasked

    folder = os.path.dirname(os.path.abspath(file))
    if rules and os.path.isdir(rules) and not followed_unasked(rules, folder):
        return "hunch --allow-pack-path"
    return "hunch"


def _finish(consultation: Consultation, start: str | None, save: str | None,
            rules: str | None) -> None:
    from hunch.errors import HunchError
    from hunch.output.atomic import write_atomic
    from hunch.output.render import render_table

    result = consultation.result()
    if save:
        hint = f"{_hunch(rules, save)} evaluate {shlex.quote(save)}"
        text = consultation.situation_text(hint, _pack_ref(rules, save))
        try:
            write_atomic(save, text)
        except HunchError as exc:
            # the folder was fine when we started: never lose the answers at the end
            click.echo(exc.format(), err=True)
            click.echo("Could not save the answers; here they are, to save by hand:\n", err=True)
            click.echo(text, nl=False)
            raise Reported(EXIT_EOF) from None
    click.echo("")
    click.echo(printable(render_table(result)), nl=False)
    click.echo("")
    click.echo(summary(consultation, start))
    if save:
        click.echo(f"Saved the answers to {save}.")


def summary(consultation: Consultation, start: str | None) -> str:
    """The closing line: how many questions were asked and how many skipped."""
    from hunch.explain.unknowns import relevant_unknowns

    asked = consultation.asked
    # the facts answered: those asked, and the counts a log answered with them ('?' at
    # a log leaves every count it gives unknown)
    answered = asked + [f for log in consultation.logs.values() for f in log.filled
                        if f != log.fact]
    unknown = {f for f in answered if consultation.answers[f] is None}
    # the "Still unknown" list above: the closing line must agree with it
    listed = {u.fact for u in relevant_unknowns(consultation.result())}
    skipped = consultation.remaining()
    irrelevant = [f for f in skipped if f not in listed]
    text = f"Asked {_count(len(asked), 'question')}"
    if unknown:
        matter = len(listed & unknown)
        text += f" ({len(unknown)} answered unknown"
        text += f": {matter} of them could still change the advice)" if matter else ")"
    if irrelevant:
        text += (f"; skipped {len(irrelevant)} as irrelevant (no answer could change the "
                 f"recommendation or the top hypothesis)")
    unasked = [f for f in skipped if f in listed]
    if unasked:  # a close call the stopping rule let go: say so rather than "irrelevant"
        text += (f"; not asked, though listed under Still unknown: {', '.join(unasked)} "
                 f"(hunch ask --all asks every question)")
    for logged in consultation.logs.values():  # the counts a log answered besides its own
        others = [f for f in logged.filled if f != logged.fact]
        if others:
            text += f"; {len(others)} more came with the {logged.log.replace('_', ' ')}"
    if start:
        text += f"; {_count(len(consultation.given), 'fact')} came from {start}"
    return _fill(text + ".")  # file names are kept whole


def why_text(consultation: Consultation, fact: str) -> str:
    """The answer to `why`, in a few plain sentences: what the answer could change, with
    an example, and how many rules use it ('why rules' lists them)."""
    why = consultation.why(fact)
    spec = consultation.pack.facts[fact]
    a = why.assessment
    lines = [_stakes(why, spec.required)]
    changing = a.recommendation or a.top
    if changing:
        lines.append(_example(consultation, fact, changing[0], bool(a.recommendation)))
    rules = len(why.rules)
    lines.append(_fill(f"{_count(rules, 'rule')} of the pack use{'s' if rules == 1 else ''} "
                       f"this answer; 'why rules' lists {'it' if rules == 1 else 'them'}.",
                       indent="   "))
    return "\n".join(lines)


def _example(consultation: Consultation, fact: str, value: Any, advice: bool) -> str:
    """One answer that would change things, and what they would become."""
    a = consultation.why(fact).assessment
    if a.together_with and isinstance(value, tuple):
        mine, theirs = value
        changes = {fact: mine, a.together_with: theirs}
        said = (f"{_as_typed(consultation, fact, mine)} here and "
                f"{_as_typed(consultation, a.together_with, theirs)} for "
                f"{a.together_with}")
    else:
        changes = {fact: value}
        said = _as_typed(consultation, fact, value)
    after = consultation.result(changes)
    words = consultation.pack.words  # the pack's own words for its kinds (pack.yaml)
    if advice:
        rec = after.recommendation
        what = (f"the advice would be \"{rec.title}\"" if rec
                else f"no {words.action} would be advised")
    else:
        from hunch.explain.unknowns import top_hypothesis

        top = top_hypothesis(after)
        what = (f"the likeliest {words.hypothesis} would be \"{top.title}\"" if top
                else f"no {words.hypothesis} would stand out")
    return _fill(f"For example, answering {said}: {what}.", indent="   ")


def _as_typed(consultation: Consultation, fact: str, value: Any) -> str:
    from hunch.consult.ask import show

    return show(value, consultation.pack.facts[fact])


def why_rules_text(consultation: Consultation, fact: str) -> str:
    """The answer to `why rules`: the rules that need this fact, what they would conclude."""
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
        out += textwrap.wrap(f"{item.rule.id}{via}: {concludes}", _width(),
                             initial_indent="   - ", subsequent_indent="     ")
        if item.rule.because:
            out += textwrap.wrap(item.rule.because, _width(), initial_indent="       ",
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
        parts.append(f"the top {why.words.hypothesis} (now: {top})")
    if not parts and a.gain > 0:
        return _narrows(why)
    from hunch.consult.ask import UNDERSTATED

    if not parts and a.understated >= UNDERSTATED and why.top is not None:
        return textwrap.fill(f"   Your answer could move how sure the top "
                             f"{why.words.hypothesis} is ({top}, now "
                             f"{why.top.certainty:.2f}) by up to {a.understated:.2f}.",
                             _width(), subsequent_indent="   ")
    if not parts:
        reason = "it is required" if required else "you asked for every question (--all)"
        return textwrap.fill(f"   No answer on its own could change the recommendation or the "
                             f"top hypothesis now; it is asked because {reason}.", _width(),
                             subsequent_indent="   ")
    joint = f", together with {a.together_with}," if a.together_with else ""
    return textwrap.fill(f"   Your answer{joint} could change {' and '.join(parts)}.", _width(),
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


def _width() -> int:
    from hunch.output.width import fit

    return fit(WIDTH)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
