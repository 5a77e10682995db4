"""`hunch what-if`: the advice before and after changing facts, and what would flip it."""

from __future__ import annotations

from typing import Any

import click

from hunch.cli.common import load_pack_or_fail, pack_option
from hunch.cli.explain import emit_quietly

FORMATS = ("text", "json")


@click.command("what-if")
@click.argument("situation", type=click.Path())
@click.option("--set", "sets", multiple=True, metavar="FACT=VALUE",
              help="Change (or add) one input fact; repeat for several.")
@click.option("--flip", is_flag=True,
              help="List the smallest single-fact changes that change the recommendation.")
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text, or json (documented in docs/explain.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
def what_if(situation: str, sets: tuple[str, ...], flip: bool, rules: str | None, fmt: str,
            output: str | None) -> None:
    """Show how the advice changes when facts change.

    With --set, the ranking and the recommendation before and after, side by
    side, and what changed. With --flip, the smallest single-fact changes that
    would change the recommendation: each input fact is tried at every value
    the rules distinguish (enum values, true/false, and the numbers the rules
    compare it with, and one either side). With both, the flips are searched
    from the situation after the --set changes.

    \b
    Examples:
      hunch what-if examples/asker.yaml --set needs_answer_by_days=5
      hunch what-if examples/asker.yaml --set unreturned_calls=0 --set unanswered_emails=0
      hunch what-if examples/asker.yaml --flip
    """
    from hunch.engine.evaluate import evaluate, load_situation
    from hunch.errors import HunchError
    from hunch.explain.how import flips, parse_sets
    from hunch.explain.how import what_if as compare
    from hunch.output.explanation import flips_json, flips_text, what_if_json, what_if_text
    from hunch.output.formats import to_json

    if not sets and not flip:
        raise click.UsageError("give --set FACT=VALUE (one or more) or --flip")
    pack = load_pack_or_fail(rules)
    try:
        changes = parse_sets(pack, sets)
    except HunchError as exc:
        message = exc.message.removeprefix("--set ") + (f" ({exc.hint})" if exc.hint else "")
        raise click.BadParameter(message, param_hint="--set") from None
    result = evaluate(pack, load_situation(situation, pack))
    data: dict[str, Any] = {}
    texts: list[str] = []
    if changes:
        w = compare(result, changes)
        data.update(what_if_json(w))
        texts.append(what_if_text(w))
        result = w.after
    if flip:
        found = flips(result)
        found_json = flips_json(result, found)
        data.update(found_json if not changes else {"flips": found_json["flips"]})
        texts.append(flips_text(result, found))
    emit_quietly(to_json(data) + "\n" if fmt == "json" else "\n".join(texts), output,
                 (situation,))
