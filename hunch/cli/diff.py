"""`hunch diff`: evaluate the same situations against two packs and report the changes."""

from __future__ import annotations

import click

from hunch.cli.common import emit
from hunch.errors import EXIT_BAD_INPUT, EXIT_FAILED, Reported

FORMATS = ("table", "json", "markdown")


@click.command("diff")
@click.argument("old_pack", metavar="OLD_PACK")
@click.argument("new_pack", metavar="NEW_PACK")
@click.argument("situations", nargs=-1, type=click.Path())
@click.option("--sample", type=click.IntRange(min=1), default=None, metavar="N",
              help="Also compare N situations drawn from the packs' fact declarations.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of --sample: the same seed draws the same situations.")
@click.option("--threshold", type=click.FloatRange(min=0.0, max=2.0), default=0.1,
              show_default=True,
              help="List a conclusion whose certainty moved by more than this.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format (json: docs/diff.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
@click.option("--fail-on-change", is_flag=True,
              help="Exit with status 1 when any situation changed (for CI).")
def diff(old_pack: str, new_pack: str, situations: tuple[str, ...], sample: int | None,
         seed: int, threshold: float, fmt: str, output: str | None,
         fail_on_change: bool) -> None:
    """Show how the advice changes from OLD_PACK to NEW_PACK.

    Each pack is a folder, a built-in pack name, or PACK@REV: the pack folder as
    it was at a git revision (read with git archive). Each SITUATION is a YAML
    file or a folder of them; --sample N adds N reproducible situations drawn
    from the fact declarations. Per situation: a changed recommendation or top
    hypothesis, and the conclusions whose certainty moved by more than
    --threshold or whose rank moved two places or more; then a summary.

    \b
    Examples:
      hunch diff rules/interview-silence@main rules/interview-silence examples/
      hunch diff old-pack/ new-pack/ --sample 500 --seed 1 --format markdown
      hunch diff rules/lend-money@HEAD~1 rules/lend-money examples/lend-money --fail-on-change
    """
    from contextlib import ExitStack

    from hunch.batch.diff import diff_packs, open_pack, read_cases, render_diff, sample_situations

    if not situations and not sample:
        raise click.UsageError("give situation files or folders, or --sample N")
    with ExitStack() as stack:
        old = open_pack(old_pack, stack)
        new = open_pack(new_pack, stack)
        cases = read_cases(list(situations)) if situations else []
        if sample:
            cases += sample_situations([new, old], sample, seed)
        report = diff_packs(old, new, cases, threshold, old_pack, new_pack)
    emit(render_diff(report, fmt), output)
    if report.errors:
        raise Reported(EXIT_BAD_INPUT)
    if fail_on_change and report.changed:
        raise Reported(EXIT_FAILED)
