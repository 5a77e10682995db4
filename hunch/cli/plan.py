"""`hunch plan`: the dates on which the advice changes if nothing else does."""

from __future__ import annotations

from typing import Any

import click

from hunch.cli.common import (
    as_of_option,
    emit,
    load_pack_or_fail,
    load_situation_arg,
    pack_option,
    to_file,
)


@click.command()
@click.argument("situation", type=click.Path())
@pack_option
@as_of_option
@click.option("--days", "horizon", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="How many days ahead to look.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="json: the steps as a list of {from, recommendation, ...}.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
def plan(situation: str, rules: str | None, as_of: Any, horizon: int, fmt: str,
         output: str | None) -> None:
    """Show on which dates the recommendation changes if nothing else does.

    Every number that moves with time (days since the interview, days until a
    deadline, days since your last follow-up) moves together, and the entries of
    a follow-up log count from their dates on. Also lists the still-unknown facts
    that would change the advice now. Dates count from --as-of (else the
    situation's _as_of, else today). docs/time.md.

    \b
    Examples:
      hunch plan examples/asker-dates.yaml --as-of 2026-11-20
      hunch plan examples/few-days.yaml --as-of 2026-12-07 --format json
    """
    from hunch.explain.plan import plan as run
    from hunch.output.formats import to_json
    from hunch.output.plan import plan_json, plan_text
    from hunch.pack.dates import as_of_for

    to_file(output)
    pack = load_pack_or_fail(rules, situation)
    sit = load_situation_arg(situation, pack, as_of)
    day = sit.as_of or as_of_for({}, as_of)
    result = run(pack, sit, day, horizon)
    if fmt == "json":
        emit(to_json(plan_json(result, sit.file)) + "\n", output, (situation,))
    else:
        emit(plan_text(result, sit.file), output, (situation,))
