"""`hunch sweep`: where the advice changes along one number."""

from __future__ import annotations

import math
from typing import Any

import click

from hunch.cli.common import emit, load_pack_or_fail, load_situation_arg, pack_option, to_file


@click.command()
@click.argument("situation", type=click.Path())
@click.argument("fact")
@pack_option
@click.option("--from", "start", type=float, default=None,
              help="First value (default: the fact's minimum, or 0).")
@click.option("--to", "stop", type=float, default=None,
              help="Last value (default: one past the largest number a rule compares it with).")
@click.option("--step", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True, help="Distance between the values tried.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
def sweep(situation: str, fact: str, rules: str | None, start: float | None,
          stop: float | None, step: float, fmt: str, output: str | None) -> None:
    """Show where the recommendation changes as one number FACT goes from --from to --to.

    The rest of the situation stays as it is. For pack authors, a quick way to
    find cliffs: a value where the advice jumps (docs/authoring.md).

    \b
    Examples:
      hunch sweep examples/asker.yaml days_since_interview --from 0 --to 30
      hunch sweep examples/few-days.yaml unanswered_emails --format json
    """
    from hunch.engine.evaluate import evaluate
    from hunch.explain.plan import MAX_SWEEP, sweep_range
    from hunch.explain.plan import sweep as run
    from hunch.output.formats import to_json
    from hunch.output.plan import sweep_json, sweep_text
    from hunch.pack.validate import accepted_values

    to_file(output)
    pack = load_pack_or_fail(rules, situation)
    spec = pack.facts.get(fact)
    if spec is None or spec.type not in ("integer", "number"):
        numbers = [n for n, s in pack.facts.items() if s.type in ("integer", "number")]
        raise click.BadParameter(f"{fact!r} is not a number fact of pack {pack.name} "
                                 f"(number facts: {', '.join(numbers)})", param_hint="FACT")
    low, high = sweep_range(pack, fact)
    low = low if start is None else start
    high = high if stop is None else stop
    bounds = (spec.min if spec.min is not None else -math.inf,
              spec.max if spec.max is not None else math.inf)
    if not all(math.isfinite(v) and bounds[0] <= v <= bounds[1] for v in (low, high)) \
            or not math.isfinite(step):
        raise click.BadParameter(f"from {low:g} to {high:g} in steps of {step:g} leaves the "
                                 f"values {fact} takes ({accepted_values(spec)})",
                                 param_hint="--from/--to/--step")
    if high < low or (high - low) / step >= MAX_SWEEP:
        raise click.BadParameter(f"from {low:g} to {high:g} in steps of {step:g} is not a range "
                                 f"of 1 to {MAX_SWEEP} values", param_hint="--from/--to/--step")
    result: Any = evaluate(pack, load_situation_arg(situation, pack))
    bands = run(result, fact, low, high, step)
    if fmt == "json":
        emit(to_json(sweep_json(bands, fact)) + "\n", output, (situation,))
    else:
        emit(sweep_text(bands, fact), output, (situation,))
