"""`hunch what-if`: the advice before and after changing facts, and what would flip it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

if TYPE_CHECKING:
    from hunch.engine.evaluate import Result
    from hunch.explain.target import TargetSearch
    from hunch.explain.timeset import TimeSet
    from hunch.pack.model import Pack

from hunch.cli.common import (
    as_of_option,
    load_pack_or_fail,
    load_situation_arg,
    pack_option,
    to_file,
)
from hunch.cli.explain import emit_quietly

FORMATS = ("text", "json")
GOALS = ("top", "concluded", "not-concluded")  # hunch.explain.target.GOALS (not imported:
# `hunch --help` must not load the engine); tests/test_explain.py checks they agree


@click.command("what-if")
@click.argument("situation", type=click.Path())
@click.option("--set", "sets", multiple=True, metavar="FACT=VALUE",
              help="Change (or add) one input fact; repeat for several. A log takes a YAML "
                   "list of entries (LOG=[...]), or LOG+=ENTRY adds to it.")
@click.option("--unset", "unsets", multiple=True, metavar="FACT",
              help="Leave one input fact out (unknown, even one with a default); repeat for "
                   "several.")
@click.option("--flip", is_flag=True,
              help="List the smallest single-fact changes that change the recommendation "
                   "(leaving a given fact out included).")
@click.option("--target", metavar="ID", default=None,
              help="With --flip: the smallest changes (of up to --max-facts facts) that reach "
                   "--goal for this hypothesis or action instead.")
@click.option("--goal", type=click.Choice(GOALS), default="top", show_default=True,
              help="For --target: top (the top hypothesis, or for an action the "
                   "recommendation), concluded, or not-concluded.")
@click.option("--max-facts", type=click.IntRange(1, 4), default=3, show_default=True,
              help="For --target: the most facts changed together.")
@click.option("--max-evaluations", type=click.IntRange(1, 1_000_000), default=3000,
              show_default=True,
              help="For --target: the search's bound; the output says when it stopped there.")
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text, or json (documented in docs/explain.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
@as_of_option
def what_if(situation: str, sets: tuple[str, ...], unsets: tuple[str, ...], flip: bool,
            target: str | None, goal: str, max_facts: int, max_evaluations: int,
            rules: str | None, fmt: str, output: str | None, as_of: Any = None) -> None:
    """Show how the advice changes when facts change.

    SITUATION is a YAML file, or - to read one YAML or JSON situation from
    standard input. With --set (or --unset, which makes a fact unknown), the
    ranking and the recommendation before and after, side by side, and what
    changed. With --flip, the smallest single-fact changes that would change the
    recommendation: each input fact is tried at every value the rules
    distinguish (enum values, true/false, and the numbers the rules compare it
    with, and one either side), and each given fact is tried left out. With
    both, the flips are searched from the situation after the --set changes.
    With --flip --target ID, the smallest combinations of changes (fewest
    facts first, up to --max-facts) that make ID the top hypothesis (or the
    recommendation, for an action), or with --goal concluded / not-concluded;
    the search is bounded by --max-evaluations and says when it stopped there.

    \b
    Examples:
      hunch what-if examples/asker.yaml --set needs_answer_by_days=5
      hunch what-if examples/asker.yaml --set unreturned_calls=0 --set unanswered_emails=0
      hunch what-if examples/asker-dates.yaml --set interview_date=2026-11-28
      hunch what-if examples/asker-dates.yaml --set 'follow_ups+={date: 2026-12-05, kind: email}'
      hunch what-if examples/deadline.yaml --unset needs_answer_by_days
      hunch what-if examples/asker.yaml --flip
      hunch what-if examples/asker.yaml --flip --target you-are-the-fallback
      hunch what-if examples/asker.yaml --flip --target let-it-go --goal not-concluded
      hunch what-if - --flip < examples/asker.yaml
    """
    from hunch.engine.evaluate import evaluate
    from hunch.explain.how import what_if as compare
    from hunch.output.explanation import what_if_json, what_if_text
    from hunch.output.formats import to_json

    if target is not None and not flip:
        raise click.UsageError("--target goes with --flip: what-if --flip --target ID")
    if target is None and _given("goal", "max_facts", "max_evaluations"):
        raise click.UsageError("--goal, --max-facts and --max-evaluations go with --target ID")
    if not sets and not unsets and not flip:
        raise click.UsageError("give --set FACT=VALUE or --unset FACT (one or more), or --flip")
    to_file(output)
    pack = load_pack_or_fail(rules, situation)
    changes, timed = _read_changes(pack, sets, unsets)
    result = evaluate(pack, load_situation_arg(situation, pack, as_of))
    if timed:  # a date: the numbers it gives change (docs/time.md)
        changes.update(_date_changes(pack, result.situation, timed))
    data: dict[str, Any] = {}
    texts: list[str] = []
    if changes:
        w = compare(result, changes)
        data.update(what_if_json(w))
        texts.append(what_if_text(w))
        result = w.after
    if flip:
        part, text = _flip_part(result, target, goal, max_facts, max_evaluations, bool(changes))
        data.update(part)
        texts.append(text)
    emit_quietly(to_json(data) + "\n" if fmt == "json" else "\n".join(texts), output,
                 (situation,))


def _read_changes(pack: Pack, sets: tuple[str, ...], unsets: tuple[str, ...]
                  ) -> tuple[dict[str, Any], list[TimeSet]]:
    """The --set and --unset changes of plain facts, and the changes of dates and logs
    (`follow_ups=[...]`, `follow_ups+={...}`: docs/time.md), which need the situation."""
    from hunch.explain.timeset import read_time_set

    dated = [read_time_set(pack, item) for item in sets]  # in order: += may repeat
    changes: dict[str, Any] = parse_sets(
        pack, [item for item, timed in zip(sets, dated, strict=True) if timed is None])
    changes.update(parse_unsets(pack, unsets, changes))
    return changes, [change for change in dated if change is not None]


def _flip_part(result: Result, target: str | None, goal: str, max_facts: int,
               bound: int, changed: bool) -> tuple[dict[str, Any], str]:
    """--flip's JSON keys and text: toward --target, or the single-fact flips."""
    from hunch.explain.how import flips
    from hunch.output.explanation import flips_json, flips_text
    from hunch.output.target import target_text

    if target is not None:
        search = _toward(result, target, goal, max_facts, bound)
        return _target_json(result, search, changed), target_text(result, search)
    found = flips(result)
    found_json = flips_json(result, found)
    return (found_json if not changed else {"flips": found_json["flips"]},
            flips_text(result, found))


def _toward(result: Result, target: str, goal: str, max_facts: int,
            bound: int) -> TargetSearch:
    from hunch.errors import HunchError
    from hunch.explain.target import toward

    try:
        return toward(result, target, goal, max_facts, bound)
    except HunchError as exc:
        raise _bad("--target", exc.message, exc.hint) from None


def parse_sets(pack: Any, items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`fact=value` items of --set, converted and checked against the fact schema."""
    from hunch.explain.how import ChangeError, checked_change

    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _bad("--set", f"{item}: expected fact=value",
                       "e.g. --set needs_answer_by_days=5")
        try:
            out[name] = checked_change(pack, name, text)
        except ChangeError as exc:
            raise _bad("--set", f"{item}: {exc.problem}", exc.hint) from None
    return out


def _date_changes(pack: Any, situation: Any, changes: list[Any]) -> dict[str, Any]:
    """`--set interview_date=2026-11-20`: the computed facts it changes, as changes."""
    from hunch.explain.timeset import TimeSetError, time_changes

    try:
        return time_changes(pack, situation, changes)
    except TimeSetError as exc:
        raise _bad("--set", exc.message, exc.hint) from None


def parse_unsets(pack: Any, names: tuple[str, ...], sets: dict[str, Any]) -> dict[str, None]:
    """The facts of --unset, each to be left out (None), checked to be input facts."""
    from hunch.explain.how import ChangeError, checked_unset

    out: dict[str, None] = {}
    for name in (n.strip() for n in names):
        try:
            checked_unset(pack, name)
        except ChangeError as exc:
            raise _bad("--unset", f"{name}: {exc.problem}", exc.hint) from None
        if name in sets:
            raise _bad("--unset", f"{name}: {name} is also given to --set",
                       "give a fact to --set or to --unset, not both")
        out[name] = None
    return out


def _given(*names: str) -> bool:
    """Whether any of these options was given (not left at its default)."""
    ctx = click.get_current_context()
    return any(ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
               for name in names)


def _bad(option: str, message: str, hint: str) -> click.BadParameter:
    return click.BadParameter(message + (f" ({hint})" if hint else ""), param_hint=option)


def _target_json(result: Any, search: Any, after_set: bool) -> dict[str, Any]:
    """The "target" key: added to the what-if object after --set, or with the situation."""
    from hunch.explain.how import Flips
    from hunch.output.explanation import flips_json
    from hunch.output.target import target_json

    head = {} if after_set else {k: v for k, v in flips_json(result, Flips()).items()
                                 if k != "flips"}
    return {**head, "target": target_json(result, search)}
